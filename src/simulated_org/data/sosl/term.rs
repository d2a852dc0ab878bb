//! The search term inside the braces: escapes, wildcards, words and `OR` alternatives.

use super::{RESERVED, malformed, position};
use crate::simulated_org::data::ApiError;
use crate::simulated_org::data::matching::Pat;

/// A word pattern and whether it was written without wildcards (so it may be an operator).
type Word = (Vec<Pat>, bool);

/// The term between byte offsets `open` (`{`) and `close` (`}`) as alternatives (split by `OR`),
/// each a list of word patterns that must all match.
pub fn parse(sosl: &str, open: usize, close: usize) -> Result<Vec<Vec<Vec<Pat>>>, ApiError> {
    let words = words(sosl, open, close)?;
    let mut alternatives = vec![Vec::new()];
    for (word, plain) in words {
        let text: String = word
            .iter()
            .filter_map(|p| if let Pat::Lit(c) = p { Some(*c) } else { None })
            .collect();
        match text.as_str() {
            "OR" if plain => alternatives.push(Vec::new()),
            "AND" if plain => {}
            _ => alternatives
                .last_mut()
                .into_iter()
                .for_each(|a| a.push(word.clone())),
        }
    }
    alternatives.retain(|a| !a.is_empty());
    if alternatives.is_empty() {
        let message = "search term must be longer than one character";
        return Err(malformed(sosl, position(sosl, open), message));
    }
    Ok(alternatives)
}

fn flush(current: &mut Vec<Pat>, words: &mut Vec<Word>) {
    if !current.is_empty() {
        let plain = current.iter().all(|p| matches!(p, Pat::Lit(_)));
        words.push((std::mem::take(current), plain));
    }
}

// Words are runs of letters and digits (escaped or not) and wildcards; anything else separates.
fn words(sosl: &str, open: usize, close: usize) -> Result<Vec<Word>, ApiError> {
    let (mut words, mut current, mut escaped) = (Vec::new(), Vec::new(), false);
    for (i, c) in sosl[open + 1..close].char_indices() {
        if escaped {
            escaped = false;
            if c.is_alphanumeric() {
                current.push(Pat::Lit(c));
            } else {
                flush(&mut current, &mut words);
            }
            continue;
        }
        match c {
            '\\' => escaped = true,
            '*' => current.push(Pat::Any),
            '?' => current.push(Pat::One),
            '"' => flush(&mut current, &mut words),
            c if RESERVED.contains(c) => {
                let pos = position(sosl, open + 1 + i);
                let message = format!(
                    "unexpected token: '{c}' (escape reserved characters with a backslash: \\{c})"
                );
                return Err(malformed(sosl, pos, &message));
            }
            c if c.is_alphanumeric() => current.push(Pat::Lit(c)),
            _ => flush(&mut current, &mut words),
        }
    }
    flush(&mut current, &mut words);
    Ok(words)
}
