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
            found: shorten(first.text),
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

/// Keeps error messages short when a token is huge.
fn shorten(text: &str) -> String {
    const MAX: usize = 40;
    if text.chars().count() <= MAX {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn clause_of(soql: &str) -> Option<&'static str> {
        match check_read_only(soql) {
            Err(SoqlGuardError::SideEffectClause { clause, .. }) => Some(clause),
            _ => None,
        }
    }

    /// Reads back the value of a literal produced by `quote_literal`.
    fn decode_literal(literal: &str) -> String {
        let inner = &literal[1..literal.len() - 1];
        let mut out = String::new();
        let mut chars = inner.chars();
        while let Some(c) = chars.next() {
            if c != '\\' {
                out.push(c);
                continue;
            }
            match chars.next().unwrap() {
                'n' => out.push('\n'),
                'r' => out.push('\r'),
                't' => out.push('\t'),
                'b' => out.push('\u{8}'),
                'f' => out.push('\u{c}'),
                'u' => {
                    let hex: String = chars.by_ref().take(4).collect();
                    out.push(char::from_u32(u32::from_str_radix(&hex, 16).unwrap()).unwrap());
                }
                other => out.push(other),
            }
        }
        out
    }

    #[test]
    fn plain_select_passes_and_is_trimmed() {
        let q = check_read_only("  \n\tSELECT Id, Name FROM Account LIMIT 10 \n").unwrap();
        assert_eq!(q.as_str(), "SELECT Id, Name FROM Account LIMIT 10");
        let q = check_read_only("select Id from Contact where Amount__c > 10.5;  ").unwrap();
        assert_eq!(
            q.into_string(),
            "select Id from Contact where Amount__c > 10.5"
        );
    }

    #[test]
    fn empty_query_is_refused_with_an_example() {
        for empty in ["", "   ", "\n\t\r ", ";", " ; "] {
            let err = check_read_only(empty).unwrap_err();
            assert_eq!(err, SoqlGuardError::Empty, "{empty:?}");
        }
        assert_eq!(
            SoqlGuardError::Empty.to_string(),
            "The query is empty: send one SOQL SELECT statement, e.g. SELECT Id, Name FROM Account LIMIT 10"
        );
    }

    #[test]
    fn statements_other_than_select_are_refused() {
        for q in [
            "DELETE FROM Account",
            "UPDATE Account SET Name = 'x'",
            "'SELECT' Id",
            "(SELECT Id FROM Account)",
            "SELECTId FROM Account",
            "FIND {Acme}",
        ] {
            let err = check_read_only(q).unwrap_err();
            assert!(
                matches!(err, SoqlGuardError::NotSelect { .. }),
                "{q}: {err:?}"
            );
            assert!(
                err.to_string()
                    .starts_with("Only SELECT queries are allowed: "),
                "{err}"
            );
        }
    }

    #[test]
    fn second_statement_is_refused() {
        let err = check_read_only("SELECT Id FROM Account; DELETE FROM Account").unwrap_err();
        assert_eq!(err, SoqlGuardError::MultipleStatements { position: 23 });
        assert!(check_read_only("SELECT Id FROM Account;;").is_err());
        assert!(check_read_only("SELECT Id FROM Account WHERE Name = 'a;b';").is_ok());
    }

    #[test]
    fn every_side_effect_clause_is_refused_in_any_case_and_spacing() {
        let cases = [
            ("SELECT Id FROM Account FOR UPDATE", "FOR UPDATE"),
            ("SELECT Id FROM Account for\nupdate", "FOR UPDATE"),
            ("SELECT Id FROM Account LIMIT 1 FoR   VIEW", "FOR VIEW"),
            ("SELECT Id FROM Account\tfor\r\nview;", "FOR VIEW"),
            ("SELECT Id FROM Account FOR REFERENCE", "FOR REFERENCE"),
            ("SELECT Id FROM Account fOr\t\treFeRence", "FOR REFERENCE"),
            (
                "SELECT Title FROM FAQ__kav WHERE Id = 'x' UPDATE TRACKING",
                "UPDATE TRACKING",
            ),
            (
                "SELECT Title FROM FAQ__kav update\n\ntracking",
                "UPDATE TRACKING",
            ),
            (
                "SELECT Title FROM FAQ__kav UPDATE VIEWSTAT",
                "UPDATE VIEWSTAT",
            ),
            (
                "SELECT Title FROM FAQ__kav Update \u{a0}ViewStat",
                "UPDATE VIEWSTAT",
            ),
            (
                "SELECT Id FROM Account WHERE Name = 'x'FOR UPDATE",
                "FOR UPDATE",
            ),
            ("SELECT Id FROM Account LIMIT 1FOR UPDATE", "FOR UPDATE"),
            (
                "SELECT Id FROM Account WHERE Name = 'it\\'s' FOR VIEW",
                "FOR VIEW",
            ),
            (
                "SELECT Id FROM Account WHERE Name = '\\\\' FOR VIEW",
                "FOR VIEW",
            ),
        ];
        for (q, clause) in cases {
            assert_eq!(clause_of(q), Some(clause), "{q:?}");
        }
    }

    #[test]
    fn clause_message_names_the_clause_and_why() {
        let err = check_read_only("SELECT Id FROM Account FOR VIEW")
            .unwrap_err()
            .to_string();
        assert!(
            err.starts_with("FOR VIEW is not allowed here because FOR VIEW updates LastViewedDate"),
            "{err}"
        );
        assert!(err.contains("remove FOR VIEW"), "{err}");
    }

    #[test]
    fn keywords_inside_string_literals_pass() {
        for q in [
            "SELECT Id FROM Account WHERE Name = 'for update'",
            "SELECT Id FROM Account WHERE Name = 'it\\'s FOR VIEW'",
            "SELECT Id FROM Account WHERE Name = 'x\\\\' AND Description = 'update tracking'",
            "SELECT Id FROM Account WHERE Name LIKE '%for reference\\%' LIMIT 5",
            "SELECT Id FROM Account WHERE Name = 'FOR' AND Site = 'UPDATE'",
            "SELECT Id FROM Account WHERE Name = '\\u0046OR VIEW'",
            "SELECT Id FROM Account WHERE Name IN ('a', 'for\nupdate') ORDER BY Name",
        ] {
            assert!(check_read_only(q).is_ok(), "{q}: {:?}", check_read_only(q));
        }
    }

    #[test]
    fn words_that_only_contain_the_keywords_pass() {
        for q in [
            "SELECT For__c, Update__c FROM Forupdate__c",
            "SELECT Id FROM Account WHERE For_View__c = true",
            "SELECT Id FROM Account FOR_UPDATE",
            "SELECT Id FROM Account WHERE Update_Tracking__c = 1",
            "SELECT Id FROM Account WHERE Name = 'a' OR Name = 'b'",
        ] {
            assert!(check_read_only(q).is_ok(), "{q}");
        }
    }

    #[test]
    fn sql_comments_are_not_comments_in_soql() {
        // SOQL has no comments: the clause after '--' or inside '/* */' is still a clause.
        assert_eq!(
            clause_of("SELECT Id FROM Account -- FOR UPDATE"),
            Some("FOR UPDATE")
        );
        assert_eq!(
            clause_of("SELECT Id FROM Account /* FOR VIEW */"),
            Some("FOR VIEW")
        );
    }

    #[test]
    fn unterminated_literal_is_refused() {
        let err = check_read_only("SELECT Id FROM Account WHERE Name = 'abc").unwrap_err();
        assert_eq!(err, SoqlGuardError::UnterminatedLiteral { position: 37 });
        for q in [
            "SELECT Id FROM Account WHERE Name = 'it\\' FOR UPDATE",
            "SELECT Id FROM Account WHERE Name = 'x\\",
            "SELECT Id FROM Account WHERE Name = '\\u00",
        ] {
            assert!(
                matches!(
                    check_read_only(q),
                    Err(SoqlGuardError::UnterminatedLiteral { .. }
                        | SoqlGuardError::InvalidEscape { .. })
                ),
                "{q}"
            );
        }
    }

    #[test]
    fn undefined_escapes_are_refused() {
        let err = check_read_only("SELECT Id FROM Account WHERE Name = 'a\\qb'").unwrap_err();
        assert_eq!(
            err,
            SoqlGuardError::InvalidEscape {
                position: 39,
                escape: "\\q".into()
            }
        );
        let err = check_read_only("SELECT Id FROM Account WHERE Name = '\\u12G4'").unwrap_err();
        assert!(
            matches!(err, SoqlGuardError::InvalidEscape { .. }),
            "{err:?}"
        );
    }

    #[test]
    fn non_ascii_and_control_characters_outside_literals_are_refused() {
        for (q, c) in [
            ("SELECT Id FROM Account FOR\u{200b}UPDATE", '\u{200b}'),
            ("SELECT Id\0 FROM Account", '\0'),
            ("SELECT Naïve FROM Account", 'ï'),
        ] {
            let err = check_read_only(q).unwrap_err();
            assert!(
                matches!(err, SoqlGuardError::UnexpectedCharacter { character, .. } if character == c),
                "{q:?}: {err:?}"
            );
        }
        assert!(check_read_only("SELECT Id FROM Account WHERE Name = 'Zoë \u{200b}'").is_ok());
    }

    #[test]
    fn overlong_query_is_refused() {
        let q = format!(
            "SELECT Id FROM Account WHERE Name = '{}'",
            "a".repeat(MAX_SOQL_CHARS)
        );
        assert!(matches!(
            check_read_only(&q),
            Err(SoqlGuardError::TooLong { .. })
        ));
    }

    #[test]
    fn quote_literal_escapes_reserved_and_control_characters() {
        assert_eq!(quote_literal("O'Brien"), "'O\\'Brien'");
        assert_eq!(quote_literal("a\\b"), "'a\\\\b'");
        assert_eq!(quote_literal("\\'"), "'\\\\\\''");
        assert_eq!(quote_literal("l1\nl2\tx\r"), "'l1\\nl2\\tx\\r'");
        assert_eq!(quote_literal("\u{0}\u{7f}"), "'\\u0000\\u007f'");
        assert_eq!(quote_literal("50%_off"), "'50%_off'");
        assert_eq!(quote_literal("Zoë"), "'Zoë'");
    }

    #[test]
    fn escape_like_also_escapes_wildcards() {
        assert_eq!(escape_like("50%_off's"), "50\\%\\_off\\'s");
        let q = format!(
            "SELECT Id FROM Account WHERE Name LIKE '%{}%'",
            escape_like("100%_x\\' FOR UPDATE")
        );
        assert!(check_read_only(&q).is_ok(), "{q}");
    }

    fn clause_strategy() -> impl Strategy<Value = String> {
        let clause = prop::sample::select(vec![
            ("FOR", "UPDATE"),
            ("FOR", "VIEW"),
            ("FOR", "REFERENCE"),
            ("UPDATE", "TRACKING"),
            ("UPDATE", "VIEWSTAT"),
        ]);
        (
            clause,
            prop::collection::vec(any::<bool>(), 9),
            "[ \t\r\n]{1,3}",
        )
            .prop_map(|((a, b), lower, ws)| {
                let case = |word: &str, offset: usize| -> String {
                    word.chars()
                        .enumerate()
                        .map(|(i, c)| {
                            if lower[(i + offset) % 9] {
                                c.to_ascii_lowercase()
                            } else {
                                c
                            }
                        })
                        .collect()
                };
                format!("{}{ws}{}", case(a, 0), case(b, 3))
            })
    }

    fn safe_tokens() -> impl Strategy<Value = String> {
        let token = prop_oneof![
            prop::sample::select(vec![
                "Id",
                "Name",
                "FROM",
                "Account",
                "WHERE",
                "AND",
                "OR",
                "=",
                "!=",
                "<",
                ">",
                ",",
                "(",
                ")",
                "LIMIT",
                "ORDER",
                "BY",
                "FOR",
                "UPDATE",
                "VIEW",
                "Owner.Name",
                "IN",
                "LIKE",
                "NULL",
                "12",
                "3.5",
            ])
            .prop_map(str::to_owned),
            any::<String>().prop_map(|s| quote_literal(&s)),
            any::<String>().prop_map(|s| format!("'{}'", escape_like(&s))),
        ];
        prop::collection::vec((token, "[ \t\r\n]{1,2}"), 0..8).prop_map(|parts| {
            parts
                .into_iter()
                .map(|(t, ws)| format!("{t}{ws}"))
                .collect()
        })
    }

    proptest! {
        #[test]
        fn any_quoted_literal_stays_inside_its_quotes(s in any::<String>()) {
            let literal = quote_literal(&s);
            let q = format!("SELECT Id FROM Account WHERE Name = {literal}");
            prop_assert!(check_read_only(&q).is_ok());
            let tokens = Lexer::new(&q).tokenize().unwrap();
            prop_assert_eq!(tokens.len(), 8);
            prop_assert_eq!(tokens[7].kind, Kind::Literal);
            prop_assert_eq!(tokens[7].text, literal.as_str());
            prop_assert_eq!(decode_literal(tokens[7].text), s);
        }

        #[test]
        fn any_like_pattern_stays_inside_its_quotes(s in any::<String>()) {
            let q = format!("SELECT Id FROM Account WHERE Name LIKE '%{}%' FOR VIEW", escape_like(&s));
            prop_assert_eq!(clause_of(&q), Some("FOR VIEW"));
        }

        #[test]
        fn side_effect_clause_outside_literals_is_always_refused(
            prefix in safe_tokens(), clause in clause_strategy(), suffix in safe_tokens(),
        ) {
            let q = format!("SELECT {prefix} {clause} {suffix}");
            let refused = matches!(check_read_only(&q), Err(SoqlGuardError::SideEffectClause { .. }));
            prop_assert!(refused, "{:?}", q);
        }

        #[test]
        fn guard_never_panics(s in any::<String>()) {
            let _ = check_read_only(&s);
            let _ = check_read_only(&format!("SELECT {s}"));
        }

        #[test]
        fn guard_never_panics_on_soql_like_text(s in "[SELECTFORUPDATVIWs '\\\\;,()=0-9\n\t%_u]{0,40}") {
            let _ = check_read_only(&s);
            let _ = check_read_only(&format!("SELECT {s}"));
        }
    }
}
