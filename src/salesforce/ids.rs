//! Salesforce record ids (15-character case-sensitive ids and their 18-character checksummed form)
//! and the API names of objects and fields, parsed once at the edge.

use std::fmt;
use std::str::FromStr;

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

/// Longest API name Salesforce allows for an object or a field.
pub const MAX_NAME_LEN: usize = 80;

/// Most parts in a relationship path: five parent relationships plus the field itself.
pub const MAX_PATH_PARTS: usize = 6;

/// Suffixes after a double underscore that an object name may end with (case-insensitive).
const OBJECT_SUFFIXES: &[&str] = &[
    "c", "r", "mdt", "e", "x", "b", "share", "history", "feed", "kav", "ka",
];

/// Suffixes a field name may end with: custom fields and relationships, person-account fields
/// (`__pc`, `__pr`) and compound-field parts such as `Location__Latitude__s`.
const FIELD_SUFFIXES: &[&str] = &["c", "r", "pc", "pr", "s"];

/// The three checksum characters that turn a 15-character id into its 18-character form.
///
/// Each block of five characters contributes one character: bit `i` is set when character `i`
/// of the block is an upper-case ASCII letter.
pub fn checksum_suffix(id15: &[u8; 15]) -> [u8; 3] {
    let mut out = [0u8; 3];
    for (block, slot) in out.iter_mut().enumerate() {
        let mut bits = 0usize;
        for i in 0..5 {
            if id15[block * 5 + i].is_ascii_uppercase() {
                bits |= 1 << i;
            }
        }
        *slot = SUFFIX_ALPHABET[bits];
    }
    out
}

/// Why a text is not a Salesforce record id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// Wrong length or a character other than an ASCII letter or digit.
    #[error(
        "'{0}' is not a Salesforce id: ids are 15 or 18 letters and digits, like 001D000000IqhSLIAZ"
    )]
    Malformed(String),
    /// An 18-character id whose last three characters do not match the first fifteen.
    #[error(
        "'{id}' is not a valid Salesforce id: its last three characters should be '{expected}' \
         (was the id retyped or its letter case changed?); copy the id exactly as Salesforce shows it"
    )]
    BadChecksum {
        /// The id as given.
        id: String,
        /// The checksum the first fifteen characters call for.
        expected: String,
    },
}

/// The 18-character form of a 15-character id: the id and its checksum.
pub fn to_18(id15: &[u8; 15]) -> String {
    id15.iter()
        .chain(checksum_suffix(id15).iter())
        .map(|&b| char::from(b))
        .collect()
}

/// A Salesforce record id, always held in its 18-character form.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RecordId(String);

impl RecordId {
    /// Parses a 15- or 18-character id; an 18-character id must carry the right checksum.
    pub fn parse(text: &str) -> Result<RecordId, IdError> {
        let bytes = text.as_bytes();
        let well_formed =
            matches!(bytes.len(), 15 | 18) && bytes.iter().all(u8::is_ascii_alphanumeric);
        let id15 = bytes.get(..15).and_then(|b| <&[u8; 15]>::try_from(b).ok());
        let Some(id15) = id15.filter(|_| well_formed) else {
            return Err(IdError::Malformed(crate::shown::escaped_within(text, 60)));
        };
        let suffix = checksum_suffix(id15);
        if bytes.len() == 18 && bytes[15..] != suffix {
            return Err(IdError::BadChecksum {
                id: text.to_owned(),
                expected: String::from_utf8_lossy(&suffix).into_owned(),
            });
        }
        Ok(RecordId(to_18(id15)))
    }

    /// The 18-character id.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The 15-character case-sensitive form.
    pub fn id15(&self) -> &str {
        &self.0[..15]
    }

    /// The key prefix (first three characters) that names the object type, e.g. `001` for Account.
    pub fn key_prefix(&self) -> &str {
        &self.0[..3]
    }
}

impl fmt::Display for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl FromStr for RecordId {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        RecordId::parse(s)
    }
}

impl AsRef<str> for RecordId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Why a text is not a Salesforce object or field API name.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum NameError {
    /// Empty text.
    #[error("the {kind} name is empty: give an API name like {example}")]
    Empty {
        /// "object" or "field".
        kind: &'static str,
        /// An example of a valid name.
        example: &'static str,
    },
    /// Longer than Salesforce allows.
    #[error("'{name}' is not a valid {kind} name: API names have at most {max} characters")]
    TooLong {
        /// The name (shortened).
        name: String,
        /// "object" or "field".
        kind: &'static str,
        /// The maximum length.
        max: usize,
    },
    /// Characters or underscores in the wrong place.
    #[error(
        "'{name}' is not a valid {kind} name: API names start with a letter and use letters, \
         digits and single underscores, with a suffix such as __c for custom ones, like {example}"
    )]
    Malformed {
        /// The name (shortened).
        name: String,
        /// "object" or "field".
        kind: &'static str,
        /// An example of a valid name.
        example: &'static str,
    },
}

/// The API name of a Salesforce object, such as `Account`, `Invoice__c` or `ns__Invoice__c`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ObjectName(String);

impl ObjectName {
    /// Parses an object API name (at most 80 characters).
    pub fn parse(text: &str) -> Result<ObjectName, NameError> {
        check_api_name(text, "object", "Account or Invoice__c", OBJECT_SUFFIXES)?;
        Ok(ObjectName(text.to_owned()))
    }

    /// The name as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// A field API name, or a relationship path to one such as `Account.Owner.Name`.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FieldName(String);

impl FieldName {
    /// Parses a field name or a dotted relationship path (each part at most 80 characters,
    /// at most six parts).
    pub fn parse(text: &str) -> Result<FieldName, NameError> {
        const EXAMPLE: &str = "Name, Amount__c or Account.Owner.Name";
        if text.is_empty() {
            return Err(NameError::Empty {
                kind: "field",
                example: EXAMPLE,
            });
        }
        if text.split('.').count() > MAX_PATH_PARTS {
            return Err(NameError::Malformed {
                name: crate::shown::escaped_within(text, 60),
                kind: "field",
                example: EXAMPLE,
            });
        }
        for part in text.split('.') {
            check_api_name(part, "field", EXAMPLE, FIELD_SUFFIXES).map_err(|err| match err {
                NameError::TooLong { .. } => err,
                _ => NameError::Malformed {
                    name: crate::shown::escaped_within(text, 60),
                    kind: "field",
                    example: EXAMPLE,
                },
            })?;
        }
        Ok(FieldName(text.to_owned()))
    }

    /// The name or path as given.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

macro_rules! name_traits {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(&self.0)
            }
        }
        impl FromStr for $ty {
            type Err = NameError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                $ty::parse(s)
            }
        }
        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }
    };
}
name_traits!(ObjectName);
name_traits!(FieldName);

/// Checks one API name: `Name`, `Name__suffix` or `ns__Name__suffix`, where each part starts
/// with a letter, uses letters, digits and single underscores, and does not end with `_`.
fn check_api_name(
    text: &str,
    kind: &'static str,
    example: &'static str,
    suffixes: &[&str],
) -> Result<(), NameError> {
    if text.is_empty() {
        return Err(NameError::Empty { kind, example });
    }
    if text.len() > MAX_NAME_LEN {
        return Err(NameError::TooLong {
            name: crate::shown::escaped_within(text, 60),
            kind,
            max: MAX_NAME_LEN,
        });
    }
    let parts: Vec<&str> = text.split("__").collect();
    let known_suffix = |s: &str| suffixes.iter().any(|k| k.eq_ignore_ascii_case(s));
    let ok = match parts.as_slice() {
        [name] => is_plain_part(name),
        [name, suffix] => is_plain_part(name) && known_suffix(suffix),
        [ns, name, suffix] => is_plain_part(ns) && is_plain_part(name) && known_suffix(suffix),
        _ => false,
    };
    if ok {
        Ok(())
    } else {
        Err(NameError::Malformed {
            name: crate::shown::escaped_within(text, 60),
            kind,
            example,
        })
    }
}

fn is_plain_part(part: &str) -> bool {
    let bytes = part.as_bytes();
    bytes.first().is_some_and(u8::is_ascii_alphabetic)
        && bytes.last().is_some_and(|b| *b != b'_')
        && bytes
            .iter()
            .all(|b| b.is_ascii_alphanumeric() || *b == b'_')
        && !part.contains("__")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn checksum_matches_a_known_salesforce_id() {
        // 001D000000IqhSL -> 001D000000IqhSLIAZ (Salesforce documentation example).
        assert_eq!(&checksum_suffix(b"001D000000IqhSL"), b"IAZ");
    }

    #[test]
    fn fifteen_character_id_becomes_eighteen() {
        let id = RecordId::parse("001D000000IqhSL").unwrap();
        assert_eq!(id.as_str(), "001D000000IqhSLIAZ");
        assert_eq!(id.id15(), "001D000000IqhSL");
        assert_eq!(id.key_prefix(), "001");
        assert_eq!(id.to_string(), "001D000000IqhSLIAZ");
    }

    #[test]
    fn eighteen_character_id_with_right_checksum_is_kept() {
        let id = RecordId::parse("001D000000IqhSLIAZ").unwrap();
        assert_eq!(id.as_str(), "001D000000IqhSLIAZ");
        assert_eq!(
            RecordId::parse("0038M0000016Wv8QAE").unwrap().key_prefix(),
            "003"
        );
    }

    #[test]
    fn eighteen_character_id_with_wrong_checksum_is_refused() {
        let err = RecordId::parse("001D000000IqhSLIAA").unwrap_err();
        assert_eq!(
            err,
            IdError::BadChecksum {
                id: "001D000000IqhSLIAA".into(),
                expected: "IAZ".into()
            }
        );
        assert!(err.to_string().contains("should be 'IAZ'"));
        // Lower-casing an 18-character id changes the checksum the first fifteen call for.
        assert!(matches!(
            RecordId::parse("001d000000iqhsliaz"),
            Err(IdError::BadChecksum { .. })
        ));
    }

    #[test]
    fn malformed_ids_are_refused_with_an_example() {
        let err = RecordId::parse("abc").unwrap_err();
        assert_eq!(
            err.to_string(),
            "'abc' is not a Salesforce id: ids are 15 or 18 letters and digits, like 001D000000IqhSLIAZ"
        );
        for bad in [
            "",
            "001D000000IqhS",
            "001D000000IqhSLI",
            "001D000000IqhSLIAZ1",
            "001D000000Iqh-L",
            "001D000000IqhSé",
        ] {
            assert!(
                matches!(RecordId::parse(bad), Err(IdError::Malformed(_))),
                "{bad}"
            );
        }
    }

    #[test]
    fn huge_input_is_shortened_in_the_error() {
        let err = RecordId::parse(&"x".repeat(10_000)).unwrap_err();
        assert!(err.to_string().len() < 200);
    }

    #[test]
    fn object_names_follow_salesforce_rules() {
        for good in [
            "Account",
            "Invoice__c",
            "ns__Invoice__c",
            "Setting__mdt",
            "Order_Event__e",
            "Ext__x",
            "Big__b",
            "Invoice__Share",
            "Invoice__History",
            "Invoice__Feed",
            "Article__kav",
            "Article__ka",
            "Parent__r",
            "My_Object_2__c",
            "ACCOUNT",
            "invoice__C",
        ] {
            assert!(ObjectName::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            "1Account",
            "_Account",
            "Account_",
            "Acc ount",
            "Account;",
            "Invoice__z",
            "Invoice___c",
            "a__b__c__d",
            "ns__Invoice",
            "__c",
            "Invoice__",
            "Account.Name",
            "Acc\u{e9}",
        ] {
            assert!(ObjectName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn object_name_longer_than_eighty_characters_is_refused() {
        let name = format!("{}__c", "A".repeat(77));
        assert_eq!(name.len(), 80);
        assert!(ObjectName::parse(&name).is_ok());
        let err = ObjectName::parse(&format!("{}__c", "A".repeat(78))).unwrap_err();
        assert!(matches!(err, NameError::TooLong { max: 80, .. }));
    }

    #[test]
    fn field_names_allow_relationship_paths() {
        for good in [
            "Name",
            "Amount__c",
            "Account.Owner.Name",
            "Parent__r.ns__Total__c",
            "Location__Latitude__s",
            "PersonEmail__pc",
            "a.b.c.d.e.f",
        ] {
            assert!(FieldName::parse(good).is_ok(), "{good}");
        }
        for bad in [
            "",
            ".Name",
            "Account.",
            "Account..Name",
            "a.b.c.d.e.f.g",
            "Name,Id",
            "Id)",
        ] {
            assert!(FieldName::parse(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn name_error_messages_give_an_example() {
        let err = ObjectName::parse("Bad Name").unwrap_err().to_string();
        assert!(
            err.contains("'Bad Name' is not a valid object name"),
            "{err}"
        );
        assert!(err.contains("Invoice__c"), "{err}");
        let err = FieldName::parse("").unwrap_err().to_string();
        assert!(err.contains("Account.Owner.Name"), "{err}");
    }

    proptest! {
        #[test]
        fn id_parse_never_panics(text in any::<String>()) {
            let _ = RecordId::parse(&text);
        }

        #[test]
        fn names_parse_never_panic(text in any::<String>()) {
            let _ = ObjectName::parse(&text);
            let _ = FieldName::parse(&text);
        }

        #[test]
        fn fifteen_to_eighteen_to_fifteen_round_trips(id15 in "[a-zA-Z0-9]{15}") {
            let id = RecordId::parse(&id15).unwrap();
            prop_assert_eq!(id.as_str().len(), 18);
            prop_assert_eq!(id.id15(), id15.as_str());
            let again = RecordId::parse(id.as_str()).unwrap();
            prop_assert_eq!(again.id15(), id15.as_str());
            prop_assert_eq!(again, id);
        }

        #[test]
        fn changing_the_case_of_one_letter_breaks_the_checksum(
            id15 in "[a-zA-Z0-9]{15}", pos in 0usize..15,
        ) {
            let id18 = RecordId::parse(&id15).unwrap().as_str().to_owned();
            let mut bytes = id18.into_bytes();
            prop_assume!(bytes[pos].is_ascii_alphabetic());
            bytes[pos] ^= 0x20;
            let flipped = String::from_utf8(bytes).unwrap();
            let is_bad_checksum = matches!(RecordId::parse(&flipped), Err(IdError::BadChecksum { .. }));
            prop_assert!(is_bad_checksum);
        }
    }
}
