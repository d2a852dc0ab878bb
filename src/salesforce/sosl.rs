//! The SOSL builder: a keyword search whose text can never leave its `FIND {...}` braces.

use super::ids::{FieldName, ObjectName};

/// Characters SOSL reserves inside `FIND {...}`; each is escaped with a backslash.
pub const RESERVED: &[char] = &[
    '?', '&', '|', '!', '{', '}', '[', ']', '(', ')', '^', '~', '*', ':', '\\', '"', '\'', '+', '-',
];

/// Most rows a SOSL search returns.
pub const MAX_LIMIT: u32 = 2000;

/// Longest search text accepted; beyond this Salesforce drops the logical operators.
pub const MAX_TEXT_CHARS: usize = 4000;

/// What to search for and which objects (and fields) to return.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchSpec {
    /// The words to search for, as the person typed them.
    pub text: String,
    /// Objects to return, each with its fields; empty means every searchable object, ids only.
    pub objects: Vec<SearchObject>,
    /// Most rows to return, 1 to 2000.
    pub limit: u32,
}

/// One object in the RETURNING clause.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SearchObject {
    /// The object's API name.
    pub name: ObjectName,
    /// Fields to return besides `Id`, which is always returned.
    pub fields: Vec<FieldName>,
}

/// Why a search cannot be built.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SoslError {
    /// Empty or only whitespace.
    #[error("The search text is empty: give at least 2 characters to search for, e.g. Acme")]
    EmptyText,
    /// Fewer than two non-space characters.
    #[error("The search text '{text}' is too short: search text must have at least 2 characters")]
    TextTooShort {
        /// The text as given (trimmed).
        text: String,
    },
    /// More characters than Salesforce handles.
    #[error(
        "The search text has {length} characters; search text must have at most \
         {MAX_TEXT_CHARS}: search for fewer words"
    )]
    TextTooLong {
        /// Length of the text in characters.
        length: usize,
    },
    /// The row limit is outside 1..=2000.
    #[error("The limit {limit} is out of range: a search returns 1 to {MAX_LIMIT} rows")]
    LimitOutOfRange {
        /// The limit as given.
        limit: u32,
    },
    /// The same object named twice.
    #[error("{name} is listed twice: name each object once, with all its fields")]
    DuplicateObject {
        /// The repeated object.
        name: String,
    },
}

/// Escapes every SOSL reserved character with a backslash (needed even inside double quotes).
pub fn escape_search_term(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    for c in text.chars() {
        if RESERVED.contains(&c) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// Builds `FIND {<escaped text>} IN ALL FIELDS [RETURNING Obj(Id, ...), ...] LIMIT n`.
pub fn build_sosl(spec: &SearchSpec) -> Result<String, SoslError> {
    let text = check_text(&spec.text)?;
    if !(1..=MAX_LIMIT).contains(&spec.limit) {
        return Err(SoslError::LimitOutOfRange { limit: spec.limit });
    }
    let mut sosl = format!("FIND {{{}}} IN ALL FIELDS", escape_search_term(text));
    if !spec.objects.is_empty() {
        sosl.push_str(" RETURNING ");
        sosl.push_str(&returning(&spec.objects)?);
    }
    sosl.push_str(&format!(" LIMIT {}", spec.limit));
    Ok(sosl)
}

/// Trims the text and checks its length.
fn check_text(text: &str) -> Result<&str, SoslError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(SoslError::EmptyText);
    }
    let length = text.chars().count();
    if length > MAX_TEXT_CHARS {
        return Err(SoslError::TextTooLong { length });
    }
    if text.chars().filter(|c| !c.is_whitespace()).count() < 2 {
        return Err(SoslError::TextTooShort {
            text: text.to_owned(),
        });
    }
    Ok(text)
}

/// `Account(Id, Name), Contact(Id, Email)`: `Id` first, each field once (names are
/// case-insensitive), each object once.
fn returning(objects: &[SearchObject]) -> Result<String, SoslError> {
    let mut seen_objects: Vec<String> = Vec::new();
    let mut parts = Vec::with_capacity(objects.len());
    for object in objects {
        let key = object.name.as_str().to_ascii_lowercase();
        if seen_objects.contains(&key) {
            return Err(SoslError::DuplicateObject {
                name: object.name.to_string(),
            });
        }
        seen_objects.push(key);
        let mut fields: Vec<&str> = vec!["Id"];
        for field in &object.fields {
            if !fields
                .iter()
                .any(|f| f.eq_ignore_ascii_case(field.as_str()))
            {
                fields.push(field.as_str());
            }
        }
        parts.push(format!("{}({})", object.name, fields.join(", ")));
    }
    Ok(parts.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn object(name: &str, fields: &[&str]) -> SearchObject {
        SearchObject {
            name: ObjectName::parse(name).unwrap(),
            fields: fields
                .iter()
                .map(|f| FieldName::parse(f).unwrap())
                .collect(),
        }
    }

    fn spec(text: &str, objects: Vec<SearchObject>, limit: u32) -> SearchSpec {
        SearchSpec {
            text: text.to_owned(),
            objects,
            limit,
        }
    }

    /// The text between `FIND {` and the `}` that closes it, found by honouring escapes.
    fn braces_section(sosl: &str) -> &str {
        let body = sosl.strip_prefix("FIND {").unwrap();
        let mut end = None;
        let mut escaped = false;
        for (i, c) in body.char_indices() {
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '}' => {
                    end = Some(i);
                    break;
                }
                _ => {}
            }
        }
        &body[..end.unwrap()]
    }

    fn unescape(section: &str) -> String {
        let mut out = String::new();
        let mut chars = section.chars();
        while let Some(c) = chars.next() {
            out.push(if c == '\\' { chars.next().unwrap() } else { c });
        }
        out
    }

    #[test]
    fn builds_the_documented_template() {
        let sosl = build_sosl(&spec(
            "Acme",
            vec![
                object("Account", &["Name"]),
                object("Contact", &["Name", "Email"]),
            ],
            20,
        ))
        .unwrap();
        assert_eq!(
            sosl,
            "FIND {Acme} IN ALL FIELDS RETURNING Account(Id, Name), Contact(Id, Name, Email) LIMIT 20"
        );
    }

    #[test]
    fn reserved_characters_are_escaped() {
        let sosl = build_sosl(&spec("Acme & Sons {West}", vec![], 5)).unwrap();
        assert_eq!(
            sosl,
            "FIND {Acme \\& Sons \\{West\\}} IN ALL FIELDS LIMIT 5"
        );
        assert_eq!(escape_search_term("{1+1}:2"), "\\{1\\+1\\}\\:2");
        assert_eq!(
            escape_search_term("?&|!{}[]()^~*:\\\"'+-"),
            "\\?\\&\\|\\!\\{\\}\\[\\]\\(\\)\\^\\~\\*\\:\\\\\\\"\\'\\+\\-"
        );
    }

    #[test]
    fn id_is_always_returned_once() {
        let sosl = build_sosl(&spec(
            "Acme",
            vec![
                object("Account", &[]),
                object("Lead", &["id", "Name", "NAME"]),
            ],
            1,
        ))
        .unwrap();
        assert!(
            sosl.contains("RETURNING Account(Id), Lead(Id, Name) LIMIT 1"),
            "{sosl}"
        );
    }

    #[test]
    fn relationship_fields_are_kept() {
        let sosl = build_sosl(&spec(
            "Acme",
            vec![object("Contact", &["Account.Name"])],
            10,
        ))
        .unwrap();
        assert!(sosl.contains("Contact(Id, Account.Name)"), "{sosl}");
    }

    #[test]
    fn same_object_twice_is_refused() {
        let err = build_sosl(&spec(
            "Acme",
            vec![object("Account", &[]), object("account", &[])],
            10,
        ))
        .unwrap_err();
        assert_eq!(
            err,
            SoslError::DuplicateObject {
                name: "account".into()
            }
        );
    }

    #[test]
    fn limit_outside_one_to_two_thousand_is_refused() {
        for limit in [0, 2001, u32::MAX] {
            let err = build_sosl(&spec("Acme", vec![], limit)).unwrap_err();
            assert!(err.to_string().contains("1 to 2000"), "{err}");
        }
        assert!(build_sosl(&spec("Acme", vec![], 2000)).is_ok());
        assert!(build_sosl(&spec("Acme", vec![], 1)).is_ok());
    }

    #[test]
    fn text_must_have_two_to_four_thousand_characters() {
        assert_eq!(
            build_sosl(&spec("  \t", vec![], 10)),
            Err(SoslError::EmptyText)
        );
        let err = build_sosl(&spec(" a ", vec![], 10)).unwrap_err();
        assert!(
            err.to_string()
                .contains("search text must have at least 2 characters"),
            "{err}"
        );
        assert!(build_sosl(&spec("a b", vec![], 10)).is_ok());
        assert!(build_sosl(&spec(&"x".repeat(MAX_TEXT_CHARS), vec![], 10)).is_ok());
        let err = build_sosl(&spec(&"x".repeat(MAX_TEXT_CHARS + 1), vec![], 10)).unwrap_err();
        assert_eq!(err, SoslError::TextTooLong { length: 4001 });
    }

    #[test]
    fn surrounding_whitespace_is_trimmed() {
        let sosl = build_sosl(&spec("  Acme\n", vec![], 10)).unwrap();
        assert_eq!(sosl, "FIND {Acme} IN ALL FIELDS LIMIT 10");
    }

    proptest! {
        #[test]
        fn search_text_never_leaves_its_braces(text in any::<String>()) {
            let Ok(sosl) = build_sosl(&spec(&text, vec![object("Account", &["Name"])], 20)) else {
                return Ok(());
            };
            let section = braces_section(&sosl);
            let rest = &sosl[6 + section.len()..];
            prop_assert_eq!(rest, "} IN ALL FIELDS RETURNING Account(Id, Name) LIMIT 20");
            let mut chars = section.chars();
            while let Some(c) = chars.next() {
                if c == '\\' {
                    let next = chars.next();
                    prop_assert!(next.is_some_and(|n| RESERVED.contains(&n)));
                } else {
                    prop_assert!(!RESERVED.contains(&c), "unescaped {:?} in {:?}", c, section);
                }
            }
            prop_assert_eq!(unescape(section), text.trim());
        }

        #[test]
        fn reserved_heavy_text_round_trips(text in "[?&|!{}\\[\\]()^~*:\\\\\"'+\\- a-z]{2,60}") {
            if let Ok(sosl) = build_sosl(&spec(&text, vec![], 5)) {
                prop_assert_eq!(unescape(braces_section(&sosl)), text.trim());
            }
        }

        #[test]
        fn build_never_panics(text in any::<String>(), limit in any::<u32>()) {
            let _ = build_sosl(&spec(&text, vec![], limit));
        }
    }
}
