//! The SOSL builder: the search text never leaves its braces and every reserved character in it
//! is escaped, checked by parsing the built `FIND {...}` back with the reserved characters the
//! SOSL reference lists (written out here, not taken from the crate). A refusal is true of the
//! input.

#![no_main]

use libfuzzer_sys::fuzz_target;
use salesforce_mcp::salesforce::ids::{FieldName, ObjectName};
use salesforce_mcp::salesforce::sosl::{SearchObject, SearchSpec, SoslError, build_sosl};

/// "? & | ! { } [ ] ( ) ^ ~ * : \ " ' + -" from the SOSL FIND reference.
const RESERVED: &str = "?&|!{}[]()^~*:\\\"'+-";

/// The text inside `FIND {` ... `}` with escapes removed, and what follows the closing brace.
fn parse_back(sosl: &str) -> (String, &str) {
    let body = sosl
        .strip_prefix("FIND {")
        .unwrap_or_else(|| panic!("no FIND {{ at the start: {sosl:?}"));
    let mut text = String::new();
    let mut chars = body.char_indices();
    while let Some((i, c)) = chars.next() {
        match c {
            '\\' => match chars.next() {
                Some((_, next)) if RESERVED.contains(next) => text.push(next),
                other => panic!("backslash before {other:?}, not a reserved character: {sosl:?}"),
            },
            '}' => return (text, &body[i + 1..]),
            c if RESERVED.contains(c) => panic!("unescaped {c:?} in the search text: {sosl:?}"),
            c => text.push(c),
        }
    }
    panic!("the search text's brace never closes: {sosl:?}")
}

/// `Obj(Id, F1, ...), Obj2(Id, ...)` with API names only.
fn check_returning(returning: &str, objects: &[SearchObject]) {
    let parts: Vec<&str> = returning.split("), ").collect();
    assert_eq!(parts.len(), objects.len(), "{returning:?}");
    for (part, object) in parts.iter().zip(objects) {
        let part = part.strip_suffix(')').unwrap_or(part);
        let (name, fields) = part
            .split_once('(')
            .unwrap_or_else(|| panic!("no field list in {returning:?}"));
        assert_eq!(name, object.name.as_str());
        let fields: Vec<&str> = fields.split(", ").collect();
        assert_eq!(fields[0], "Id");
        for f in &fields {
            assert!(
                !f.is_empty()
                    && f.chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '.'),
                "field {f:?} in {returning:?}"
            );
        }
    }
}

fn object(name: &str, fields: &[&str]) -> SearchObject {
    SearchObject {
        name: ObjectName::parse(name).expect("a valid object name"),
        fields: fields
            .iter()
            .map(|f| FieldName::parse(f).expect("a valid field name"))
            .collect(),
    }
}

fn check(text: &str, objects: Vec<SearchObject>, limit: u32) {
    let spec = SearchSpec {
        text: text.to_owned(),
        objects: objects.clone(),
        limit,
    };
    let trimmed = text.trim();
    match build_sosl(&spec) {
        Ok(sosl) => {
            let (text, rest) = parse_back(&sosl);
            assert_eq!(text, trimmed, "the search text changed: {sosl:?}");
            let rest = rest
                .strip_prefix(" IN ALL FIELDS")
                .unwrap_or_else(|| panic!("no IN ALL FIELDS after the braces: {sosl:?}"));
            let limit_tail = format!(" LIMIT {limit}");
            let rest = rest
                .strip_suffix(&limit_tail)
                .unwrap_or_else(|| panic!("no LIMIT {limit} at the end: {sosl:?}"));
            match rest.strip_prefix(" RETURNING ") {
                Some(returning) => check_returning(returning, &objects),
                None => assert!(rest.is_empty() && objects.is_empty(), "{sosl:?}"),
            }
            assert!((1..=2000).contains(&limit));
            assert!(trimmed.chars().count() <= 4000);
            assert!(trimmed.chars().filter(|c| !c.is_whitespace()).count() >= 2);
        }
        Err(e) => {
            let _ = e.to_string();
            let non_space = trimmed.chars().filter(|c| !c.is_whitespace()).count();
            let fine_text = non_space >= 2 && trimmed.chars().count() <= 4000;
            match e {
                SoslError::EmptyText => assert!(trimmed.is_empty()),
                SoslError::TextTooShort { .. } => assert!(!trimmed.is_empty() && non_space < 2),
                SoslError::TextTooLong { length } => assert!(length > 4000),
                SoslError::LimitOutOfRange { .. } => {
                    assert!(fine_text && !(1..=2000).contains(&limit))
                }
                SoslError::DuplicateObject { ref name } => {
                    let same = objects
                        .iter()
                        .filter(|o| o.name.as_str().eq_ignore_ascii_case(name))
                        .count();
                    assert!(same >= 2, "{name} is not listed twice");
                }
                other => panic!("an error the target does not know: {other:?}"),
            }
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let objects = vec![
        object("Account", &["Name"]),
        object("Contact", &["Name", "Email", "Account.Name"]),
    ];
    check(text, objects, 20);
    // A limit from the text's length: mostly in range, sometimes 0 or just above 2000.
    let limit = u32::try_from(text.len() * 37 % 2048).unwrap_or(0);
    check(text, Vec::new(), limit);
    let duplicated = vec![object("Account", &[]), object("account", &["Name"])];
    check(text, duplicated, 5);
});
