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
    c.to_lowercase().next().unwrap_or(c)
}

/// Whether `text` matches `pattern` as a whole, ignoring case.
pub fn glob_match(pattern: &[Pat], text: &str) -> bool {
    let text: Vec<char> = text.chars().map(fold).collect();
    // Classic two-pointer wildcard match with backtracking to the last `Any`.
    let (mut p, mut t) = (0usize, 0usize);
    let mut star: Option<(usize, usize)> = None;
    while t < text.len() {
        match pattern.get(p) {
            Some(Pat::Any) => {
                star = Some((p, t));
                p += 1;
            }
            Some(Pat::One) => {
                p += 1;
                t += 1;
            }
            Some(Pat::Lit(c)) if fold(*c) == text[t] => {
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
    }

    #[test]
    fn case_insensitive_compare_orders_like_lowercase() {
        assert_eq!(cmp_ignore_case("acme", "ACME"), Ordering::Equal);
        assert_eq!(cmp_ignore_case("Apple", "banana"), Ordering::Less);
    }
}
