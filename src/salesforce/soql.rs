//! The read-only SOQL guard, and SOQL string-literal quoting.
//!
//! The guard tokenizes the query (string literals with backslash escapes, words, numbers,
//! punctuation, any whitespace) and refuses anything that is not exactly one SELECT statement or
//! that carries a clause with side effects (`FOR UPDATE`, `FOR VIEW`, `FOR REFERENCE`,
//! `UPDATE TRACKING`, `UPDATE VIEWSTAT`). SOQL has no comments, so none are recognised.

use std::fmt;

/// Longest SOQL statement Salesforce accepts by default, in characters.
pub const MAX_SOQL_CHARS: usize = 100_000;

const EXAMPLE: &str = "SELECT Id, Name FROM Account LIMIT 10";

/// Clauses that make a SELECT change something: (first word, second word, clause, effect).
const SIDE_EFFECT_CLAUSES: &[(&str, &str, &str, &str)] = &[
    (
        "FOR",
        "UPDATE",
        "FOR UPDATE",
        "locks the records it returns",
    ),
    (
        "FOR",
        "VIEW",
        "FOR VIEW",
        "updates LastViewedDate on the records it returns and adds them to RecentlyViewed",
    ),
    (
        "FOR",
        "REFERENCE",
        "FOR REFERENCE",
        "updates LastReferencedDate on the records it returns and adds them to RecentlyViewed",
    ),
    (
        "UPDATE",
        "TRACKING",
        "UPDATE TRACKING",
        "records Knowledge article search keywords",
    ),
    (
        "UPDATE",
        "VIEWSTAT",
        "UPDATE VIEWSTAT",
        "increases Knowledge article view statistics",
    ),
];

/// Why a text is not a single read-only SOQL SELECT statement.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SoqlGuardError {
    /// Nothing but whitespace.
    #[error("The query is empty: send one SOQL SELECT statement, e.g. {EXAMPLE}")]
    Empty,
    /// Longer than Salesforce accepts.
    #[error(
        "The query has {length} characters; Salesforce accepts at most {MAX_SOQL_CHARS}: \
         select fewer fields or shorten the WHERE clause"
    )]
    TooLong {
        /// Length of the query in characters.
        length: usize,
    },
    /// The first token is not SELECT.
    #[error(
        "Only SELECT queries are allowed: this one starts with '{found}'; \
         send one SOQL SELECT statement, e.g. {EXAMPLE}"
    )]
    NotSelect {
        /// The first token (shortened).
        found: String,
    },
    /// A `;` outside string literals that is not the single trailing one.
    #[error(
        "Only one SOQL statement is allowed, but there is a ';' at character {position} \
         outside a string literal: send a single SELECT (text containing ';' goes inside single quotes)"
    )]
    MultipleStatements {
        /// 1-based character position of the `;`.
        position: usize,
    },
    /// A clause with side effects, outside string literals.
    #[error(
        "{clause} is not allowed here because {clause} {effect}, and queries here are read-only: \
         remove {clause} and send the query again"
    )]
    SideEffectClause {
        /// The clause in canonical spelling, e.g. `FOR VIEW`.
        clause: &'static str,
        /// What the clause changes in Salesforce.
        effect: &'static str,
    },
    /// A string literal that is never closed.
    #[error(
        "The string literal that starts at character {position} is never closed: end it with ' \
         and write a quote inside the text as \\'"
    )]
    UnterminatedLiteral {
        /// 1-based character position of the opening quote.
        position: usize,
    },
    /// A backslash escape SOQL does not define.
    #[error(
        "Invalid escape '{escape}' at character {position} in a string literal: SOQL accepts \
         \\n \\r \\t \\b \\f \\\" \\' \\\\ \\uXXXX (and \\_ \\% in LIKE); write a backslash as \\\\"
    )]
    InvalidEscape {
        /// 1-based character position of the backslash.
        position: usize,
        /// The escape as written.
        escape: String,
    },
    /// A character that cannot appear outside a string literal.
    #[error(
        "Unexpected character {character:?} (U+{code:04X}) at character {position} outside a \
         string literal: SOQL names and keywords are plain ASCII; put text inside single quotes",
        code = u32::from(*character)
    )]
    UnexpectedCharacter {
        /// 1-based character position.
        position: usize,
        /// The character.
        character: char,
    },
}

/// A query that passed [`check_read_only`]: one SELECT statement without side-effect clauses,
/// trimmed and without a trailing `;`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReadOnlySoql(String);

impl ReadOnlySoql {
    /// The query text to send to Salesforce.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The query text, owned.
    pub fn into_string(self) -> String {
        self.0
    }
}

impl fmt::Display for ReadOnlySoql {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

/// Checks that `soql` is exactly one SELECT statement without side-effect clauses.
pub fn check_read_only(soql: &str) -> Result<ReadOnlySoql, SoqlGuardError> {
    if soql.trim().is_empty() {
        return Err(SoqlGuardError::Empty);
    }
    let length = soql.chars().count();
    if length > MAX_SOQL_CHARS {
        return Err(SoqlGuardError::TooLong { length });
    }
    let mut tokens = Lexer::new(soql).tokenize()?;
    if tokens.last().is_some_and(|t| t.is_punct(';')) {
        tokens.pop();
    }
    let (Some(first), Some(last)) = (tokens.first(), tokens.last()) else {
        return Err(SoqlGuardError::Empty);
    };
    if !first.is_word("SELECT") {
        return Err(SoqlGuardError::NotSelect {
            found: crate::shown::escaped_within(first.text, 40),
        });
    }
    if let Some(semicolon) = tokens.iter().find(|t| t.is_punct(';')) {
        return Err(SoqlGuardError::MultipleStatements {
            position: char_position(soql, semicolon.start),
        });
    }
    check_side_effects(&tokens)?;
    Ok(ReadOnlySoql(soql[first.start..last.end()].to_owned()))
}

/// Refuses a side-effect clause: its two words as consecutive word tokens, in any case.
fn check_side_effects(tokens: &[Token<'_>]) -> Result<(), SoqlGuardError> {
    for pair in tokens.windows(2) {
        let [a, b] = pair else { continue };
        for &(w1, w2, clause, effect) in SIDE_EFFECT_CLAUSES {
            if a.is_word(w1) && b.is_word(w2) {
                return Err(SoqlGuardError::SideEffectClause { clause, effect });
            }
        }
    }
    Ok(())
}

/// Quotes `s` as a SOQL string literal: `'...'` with `\`, `'`, and control characters escaped.
pub fn quote_literal(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 2);
    out.push('\'');
    escape_into(&mut out, s, false);
    out.push('\'');
    out
}

/// Escapes `s` for use inside a LIKE pattern literal, without the surrounding quotes, so that
/// `_` and `%` match themselves: `format!("Name LIKE '%{}%'", escape_like(s))`.
pub fn escape_like(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    escape_into(&mut out, s, true);
    out
}

fn escape_into(out: &mut String, s: &str, like: bool) {
    for c in s.chars() {
        match c {
            '\\' => out.push_str("\\\\"),
            '\'' => out.push_str("\\'"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            '_' | '%' if like => {
                out.push('\\');
                out.push(c);
            }
            // Every control character is in the Basic Multilingual Plane, so four digits suffice.
            c if c.is_control() => out.push_str(&format!("\\u{:04x}", u32::from(c))),
            c => out.push(c),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Word,
    Number,
    Literal,
    Punct,
}

/// A token: its kind, its text (a literal includes its quotes), and its byte offset.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Token<'a> {
    kind: Kind,
    text: &'a str,
    start: usize,
}

impl Token<'_> {
    fn end(&self) -> usize {
        self.start + self.text.len()
    }

    fn is_word(&self, word: &str) -> bool {
        self.kind == Kind::Word && self.text.eq_ignore_ascii_case(word)
    }

    fn is_punct(&self, c: char) -> bool {
        self.kind == Kind::Punct && self.text.starts_with(c)
    }
}

/// Splits a query into tokens. Words are `[A-Za-z_][A-Za-z0-9_]*`, numbers are digits with an
/// optional decimal part (so `1FOR` is a number then a word, as Salesforce reads it), literals
/// are single-quoted with backslash escapes, and any other ASCII punctuation is one token.
struct Lexer<'a> {
    soql: &'a str,
    chars: Vec<(usize, char)>,
    pos: usize,
}

impl<'a> Lexer<'a> {
    fn new(soql: &'a str) -> Self {
        Lexer {
            soql,
            chars: soql.char_indices().collect(),
            pos: 0,
        }
    }

    fn peek(&self, ahead: usize) -> Option<char> {
        self.chars.get(self.pos + ahead).map(|&(_, c)| c)
    }

    fn offset(&self) -> usize {
        self.chars
            .get(self.pos)
            .map_or(self.soql.len(), |&(i, _)| i)
    }

    fn skip_while(&mut self, keep: impl Fn(char) -> bool) {
        while self.peek(0).is_some_and(&keep) {
            self.pos += 1;
        }
    }

    fn tokenize(mut self) -> Result<Vec<Token<'a>>, SoqlGuardError> {
        let mut tokens = Vec::new();
        while let Some(c) = self.peek(0) {
            let start = self.offset();
            let kind = match c {
                // Any Unicode whitespace separates tokens: splitting more eagerly than
                // Salesforce can only reveal clauses, never hide one.
                c if c.is_whitespace() => {
                    self.skip_while(char::is_whitespace);
                    continue;
                }
                '\'' => self.literal(start)?,
                c if c.is_ascii_alphabetic() || c == '_' => {
                    self.skip_while(|c| c.is_ascii_alphanumeric() || c == '_');
                    Kind::Word
                }
                c if c.is_ascii_digit() => self.number(),
                c if c.is_ascii_punctuation() => {
                    self.pos += 1;
                    Kind::Punct
                }
                character => {
                    let position = char_position(self.soql, start);
                    return Err(SoqlGuardError::UnexpectedCharacter {
                        position,
                        character,
                    });
                }
            };
            let text = &self.soql[start..self.offset()];
            tokens.push(Token { kind, text, start });
        }
        Ok(tokens)
    }

    fn number(&mut self) -> Kind {
        self.skip_while(|c| c.is_ascii_digit());
        if self.peek(0) == Some('.') && self.peek(1).is_some_and(|c| c.is_ascii_digit()) {
            self.pos += 1;
            self.skip_while(|c| c.is_ascii_digit());
        }
        Kind::Number
    }

    /// Consumes a literal from its opening quote to its closing quote.
    fn literal(&mut self, start: usize) -> Result<Kind, SoqlGuardError> {
        let unterminated = || SoqlGuardError::UnterminatedLiteral {
            position: char_position(self.soql, start),
        };
        self.pos += 1;
        loop {
            match self.peek(0) {
                None => return Err(unterminated()),
                Some('\'') => {
                    self.pos += 1;
                    return Ok(Kind::Literal);
                }
                Some('\\') => self.escape().map_err(|e| e.unwrap_or_else(unterminated))?,
                Some(_) => self.pos += 1,
            }
        }
    }

    /// Consumes one escape; `Err(None)` when the query ends inside it.
    fn escape(&mut self) -> Result<(), Option<SoqlGuardError>> {
        let backslash = self.offset();
        let next = self.peek(1).ok_or(None)?;
        let hex_digits = if next == 'u' { 4 } else { 0 };
        let valid = match next {
            'n' | 'N' | 'r' | 'R' | 't' | 'T' | 'b' | 'B' | 'f' | 'F' => true,
            '"' | '\'' | '\\' | '_' | '%' => true,
            'u' => (2..6).all(|i| self.peek(i).is_some_and(|c| c.is_ascii_hexdigit())),
            _ => false,
        };
        if !valid {
            let end = (self.pos + 2 + hex_digits).min(self.chars.len());
            let escape: String = self.chars[self.pos..end].iter().map(|&(_, c)| c).collect();
            return Err(Some(SoqlGuardError::InvalidEscape {
                position: char_position(self.soql, backslash),
                escape,
            }));
        }
        self.pos += 2 + hex_digits;
        Ok(())
    }
}

/// 1-based character position of a byte offset, for messages people can act on.
fn char_position(soql: &str, byte: usize) -> usize {
    soql.get(..byte).map_or(0, |head| head.chars().count()) + 1
}

#[cfg(test)]
#[path = "soql_tests.rs"]
mod tests;
