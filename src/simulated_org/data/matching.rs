//! Case-insensitive wildcard matching shared by SOQL `LIKE` and SOSL terms.

use std::cmp::Ordering;

/// One element of a wildcard pattern.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Pat {
    /// This character (compared case-insensitively).
    Lit(char),
    /// Any run of characters, possibly empty (`%`, `*`).
    Any,
    /// Exactly one character (`_`, `?`).
    One,
}

fn fold(c: char) -> char {
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else {
        c.to_lowercase().next().unwrap_or(c)
    }
}

/// Whether `text` matches `pattern` as a whole, ignoring case.
pub fn glob_match(pattern: &[Pat], text: &str) -> bool {
    // Most text is ASCII: match on bytes then, without collecting characters.
    if text.is_ascii() {
        let bytes = text.as_bytes();
        return glob_core(pattern, bytes.len(), |t, c| {
            fold(c) == char::from(bytes[t].to_ascii_lowercase())
        });
    }
    let chars: Vec<char> = text.chars().map(fold).collect();
    glob_core(pattern, chars.len(), |t, c| fold(c) == chars[t])
}

// Two-pointer wildcard match, backtracking to the last `Any`.
fn glob_core(pattern: &[Pat], len: usize, same: impl Fn(usize, char) -> bool) -> bool {
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < len {
        match pattern.get(p) {
            Some(Pat::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Pat::One) => {
                p += 1;
                t += 1;
            }
            Some(Pat::Lit(c)) if same(t, *c) => {
                p += 1;
                t += 1;
            }
            _ => match star {
                Some((sp, st)) => {
                    p = sp + 1;
                    t = st + 1;
                    star = Some((sp, st + 1));
                }
                None => return false,
            },
        }
    }
    pattern[p.min(pattern.len())..]
        .iter()
        .all(|x| *x == Pat::Any)
}

/// Compare two strings ignoring case, without allocating.
pub fn cmp_ignore_case(a: &str, b: &str) -> Ordering {
    a.chars().map(fold).cmp(b.chars().map(fold))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pat(s: &str) -> Vec<Pat> {
        s.chars()
            .map(|c| match c {
                '%' => Pat::Any,
                '_' => Pat::One,
                c => Pat::Lit(c),
            })
            .collect()
    }

    #[test]
    fn wildcards_match_runs_and_single_characters_ignoring_case() {
        assert!(glob_match(&pat("acme%"), "ACME Corporation"));
        assert!(glob_match(&pat("%corp%"), "Acme Corporation"));
        assert!(glob_match(&pat("a_me"), "Acme"));
        assert!(!glob_match(&pat("a_me"), "Acmme"));
        assert!(!glob_match(&pat("acme"), "Acme Corporation"));
        assert!(glob_match(&pat("%"), ""));
        assert!(glob_match(&pat("zü%"), "ZÜRICH"));
    }

    #[test]
    fn case_insensitive_compare_orders_like_lowercase() {
        assert_eq!(cmp_ignore_case("acme", "ACME"), Ordering::Equal);
        assert_eq!(cmp_ignore_case("Apple", "banana"), Ordering::Less);
    }
}
