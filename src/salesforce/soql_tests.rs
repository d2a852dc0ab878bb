//! Tests of `soql.rs`.

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
