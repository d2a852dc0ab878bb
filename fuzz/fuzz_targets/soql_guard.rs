//! The SOQL read-only guard against an independent oracle, on arbitrary text.
//!
//! The oracle marks string literals its own way (a quote opens, a backslash takes the next
//! character, a quote closes) and then looks at what is left. It is deliberately more suspicious
//! than the guard: any character that is not an ASCII letter, digit, `_` or punctuation may be a
//! separator, and a word glued behind digits (`1FOR`) counts as that word.
//!
//! Accepted text: starts with SELECT, has no `;` but a trailing one and no side-effect clause
//! outside literals, comes back trimmed, and is accepted again unchanged.
//! Refused text: the reason the guard gives is true of the text, so nothing valid is refused
//! for a made-up reason.

#![no_main]

use libfuzzer_sys::fuzz_target;
use salesforce_mcp::salesforce::soql::{MAX_SOQL_CHARS, SoqlGuardError, check_read_only};

const CLAUSES: &[(&str, &str)] = &[
    ("FOR", "UPDATE"),
    ("FOR", "VIEW"),
    ("FOR", "REFERENCE"),
    ("UPDATE", "TRACKING"),
    ("UPDATE", "VIEWSTAT"),
];

/// The text split into characters, each marked as inside a literal (quotes included) or not.
struct Marked {
    chars: Vec<char>,
    in_literal: Vec<bool>,
    /// Index of the opening quote of a literal that never closes.
    unterminated: Option<usize>,
}

fn mark(text: &str) -> Marked {
    let chars: Vec<char> = text.chars().collect();
    let mut in_literal = vec![false; chars.len()];
    let mut unterminated = None;
    let mut i = 0;
    while i < chars.len() {
        if chars[i] != '\'' {
            i += 1;
            continue;
        }
        let start = i;
        in_literal[i] = true;
        i += 1;
        let mut closed = false;
        while i < chars.len() {
            in_literal[i] = true;
            match chars[i] {
                '\\' => {
                    if let Some(slot) = in_literal.get_mut(i + 1) {
                        *slot = true;
                    }
                    i += 2;
                }
                '\'' => {
                    i += 1;
                    closed = true;
                    break;
                }
                _ => i += 1,
            }
        }
        if !closed {
            unterminated = Some(start);
            break;
        }
    }
    Marked {
        chars,
        in_literal,
        unterminated,
    }
}

fn is_word_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '_'
}

impl Marked {
    /// Outside literals, with every literal character replaced by a quote (punctuation).
    fn outside(&self) -> Vec<char> {
        self.chars
            .iter()
            .zip(&self.in_literal)
            .map(|(&c, &lit)| if lit { '\'' } else { c })
            .collect()
    }

    /// Maximal runs of word characters outside literals, as (start, text).
    fn runs(&self) -> Vec<(usize, String)> {
        let outside = self.outside();
        let mut runs = Vec::new();
        let mut i = 0;
        while i < outside.len() {
            if !is_word_char(outside[i]) {
                i += 1;
                continue;
            }
            let start = i;
            while i < outside.len() && is_word_char(outside[i]) {
                i += 1;
            }
            runs.push((start, outside[start..i].iter().collect()));
        }
        runs
    }

    /// Every side-effect clause the oracle sees: two runs with only possible separators between
    /// (anything but word characters and ASCII punctuation), the first maybe behind digits.
    fn clauses(&self) -> Vec<(&'static str, &'static str)> {
        let outside = self.outside();
        let runs = self.runs();
        let mut found = Vec::new();
        for pair in runs.windows(2) {
            let [(a_start, a), (b_start, b)] = pair else {
                continue;
            };
            let gap = &outside[a_start + a.chars().count()..*b_start];
            if gap.iter().any(|c| c.is_ascii_punctuation()) {
                continue;
            }
            let a_word = a.trim_start_matches(|c: char| c.is_ascii_digit());
            for &(w1, w2) in CLAUSES {
                if (a.eq_ignore_ascii_case(w1) || a_word.eq_ignore_ascii_case(w1))
                    && b.eq_ignore_ascii_case(w2)
                {
                    found.push((w1, w2));
                }
            }
        }
        found
    }
}

/// The text without surrounding whitespace and without one trailing `;`.
fn expected_text(text: &str) -> &str {
    let t = text.trim();
    t.strip_suffix(';').map_or(t, str::trim_end)
}

fn starts_with_select(text: &str) -> bool {
    let mut chars = text.chars();
    let head: String = chars.by_ref().take(6).collect();
    head.eq_ignore_ascii_case("SELECT") && !chars.next().is_some_and(is_word_char)
}

fn is_valid_escape(chars: &[char], backslash: usize) -> bool {
    match chars.get(backslash + 1) {
        Some('n' | 'N' | 'r' | 'R' | 't' | 'T' | 'b' | 'B' | 'f' | 'F') => true,
        Some('"' | '\'' | '\\' | '_' | '%') => true,
        Some('u') => (2..6).all(|k| {
            chars
                .get(backslash + k)
                .is_some_and(|c| c.is_ascii_hexdigit())
        }),
        _ => false,
    }
}

fn check_accepted(text: &str, accepted: &str) {
    assert_eq!(
        accepted,
        expected_text(text),
        "accepted text not trimmed as expected"
    );
    assert!(
        starts_with_select(accepted),
        "accepted without SELECT: {text:?}"
    );
    let marked = mark(accepted);
    assert!(
        marked.unterminated.is_none(),
        "accepted an open literal: {text:?}"
    );
    let outside = marked.outside();
    assert!(
        !outside.contains(&';'),
        "accepted a second statement: {text:?}"
    );
    assert!(
        marked.clauses().is_empty(),
        "accepted a side-effect clause {:?}: {text:?}",
        marked.clauses()
    );
    for (i, &c) in outside.iter().enumerate() {
        assert!(
            c.is_whitespace() || c.is_ascii_graphic(),
            "accepted {c:?} at {i} outside literals: {text:?}"
        );
    }
    assert_eq!(
        check_read_only(accepted)
            .map(|q| q.into_string())
            .as_deref(),
        Ok(accepted),
        "accepted text is not accepted again"
    );
}

fn check_refused(text: &str, err: &SoqlGuardError) {
    let marked = mark(text);
    let at = |position: usize| position.checked_sub(1).filter(|&i| i < marked.chars.len());
    match err {
        SoqlGuardError::Empty => assert!(expected_text(text).is_empty(), "{text:?} is not empty"),
        SoqlGuardError::TooLong { length } => {
            assert_eq!(*length, marked.chars.len());
            assert!(*length > MAX_SOQL_CHARS);
        }
        SoqlGuardError::NotSelect { .. } => assert!(
            !starts_with_select(expected_text(text)),
            "refused as not SELECT: {text:?}"
        ),
        SoqlGuardError::MultipleStatements { position } => {
            let i = at(*position).unwrap_or_else(|| panic!("position {position} outside {text:?}"));
            assert_eq!(marked.chars[i], ';');
            assert!(!marked.in_literal[i], "a ';' inside a literal: {text:?}");
            assert!(
                marked.chars[i + 1..].iter().any(|c| !c.is_whitespace()),
                "the trailing ';' refused: {text:?}"
            );
        }
        SoqlGuardError::SideEffectClause { clause, .. } => {
            let seen: Vec<String> = marked
                .clauses()
                .iter()
                .map(|(a, b)| format!("{a} {b}"))
                .collect();
            assert!(
                seen.iter().any(|c| c == clause),
                "refused for {clause} the oracle does not see: {text:?}"
            );
        }
        SoqlGuardError::UnterminatedLiteral { position } => {
            assert_eq!(
                marked.unterminated.map(|i| i + 1),
                Some(*position),
                "refused as unterminated: {text:?}"
            );
        }
        SoqlGuardError::InvalidEscape { position, .. } => {
            let i = at(*position).unwrap_or_else(|| panic!("position {position} outside {text:?}"));
            assert_eq!(marked.chars[i], '\\');
            assert!(marked.in_literal[i], "escape outside a literal: {text:?}");
            assert!(
                !is_valid_escape(&marked.chars, i),
                "a valid escape refused: {text:?}"
            );
        }
        SoqlGuardError::UnexpectedCharacter {
            position,
            character,
        } => {
            let i = at(*position).unwrap_or_else(|| panic!("position {position} outside {text:?}"));
            assert_eq!(marked.chars[i], *character);
            assert!(
                !marked.in_literal[i],
                "refused a character inside a literal: {text:?}"
            );
            assert!(
                !character.is_whitespace()
                    && !character.is_ascii_alphanumeric()
                    && !character.is_ascii_punctuation(),
                "refused an ordinary character: {text:?}"
            );
        }
        other => panic!("an error the oracle does not know: {other:?}"),
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match check_read_only(text) {
        Ok(q) => check_accepted(text, q.as_str()),
        Err(e) => {
            let _ = e.to_string();
            check_refused(text, &e);
        }
    }
});
