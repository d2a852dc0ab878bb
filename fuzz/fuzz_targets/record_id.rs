//! Record ids and API names: parsing never panics; an accepted 15-character id becomes its
//! 18-character form (checksum computed here independently) and both forms parse back to the same
//! id; an 18-character id with any letter's case changed is refused; accepted object and field
//! names hold only characters that cannot break out of a SOQL or SOSL statement.

#![no_main]

use libfuzzer_sys::fuzz_target;
use salesforce_mcp::salesforce::ids::{FieldName, IdError, ObjectName, RecordId, to_18};

/// The checksum as Salesforce documents it: per block of five characters, read the upper-case
/// flags right to left as a binary number and look it up in A-Z then 0-5.
fn checksum(id15: &str) -> String {
    let table: Vec<char> = ('A'..='Z').chain('0'..='5').collect();
    id15.as_bytes()
        .chunks(5)
        .map(|block| {
            let bits: String = block
                .iter()
                .rev()
                .map(|b| if b.is_ascii_uppercase() { '1' } else { '0' })
                .collect();
            let index = usize::from_str_radix(&bits, 2).unwrap_or(usize::MAX);
            table[index]
        })
        .collect()
}

fn well_formed(text: &str) -> bool {
    matches!(text.len(), 15 | 18) && text.bytes().all(|b| b.is_ascii_alphanumeric())
}

fn check_id(text: &str) {
    match RecordId::parse(text) {
        Ok(id) => {
            assert!(well_formed(text), "accepted {text:?}");
            let full = format!("{}{}", &text[..15], checksum(&text[..15]));
            assert_eq!(id.as_str(), full);
            assert_eq!(id.id15(), &text[..15]);
            assert_eq!(id.key_prefix(), &text[..3]);
            assert_eq!(RecordId::parse(id.as_str()).as_ref(), Ok(&id));
            assert_eq!(RecordId::parse(id.id15()).as_ref(), Ok(&id));
            assert_eq!(id.to_string().parse::<RecordId>().as_ref(), Ok(&id));
            if let Ok(id15) = <&[u8; 15]>::try_from(id.id15().as_bytes()) {
                assert_eq!(to_18(id15), full);
            }
            // Changing the case of any letter of the 18-character form must be noticed.
            for (i, c) in full.char_indices().filter(|(_, c)| c.is_ascii_alphabetic()) {
                let mut changed = full.clone();
                let flipped = if c.is_ascii_uppercase() {
                    c.to_ascii_lowercase()
                } else {
                    c.to_ascii_uppercase()
                };
                changed.replace_range(i..i + 1, &flipped.to_string());
                assert!(
                    matches!(RecordId::parse(&changed), Err(IdError::BadChecksum { .. })),
                    "case change at {i} of {full} accepted"
                );
            }
        }
        Err(IdError::Malformed(_)) => assert!(!well_formed(text), "refused {text:?}"),
        Err(IdError::BadChecksum { expected, .. }) => {
            assert!(well_formed(text) && text.len() == 18);
            assert_eq!(expected, checksum(&text[..15]));
            assert_ne!(&text[15..], expected);
        }
        Err(other) => panic!("an error the target does not know: {other:?}"),
    }
}

fn check_names(text: &str) {
    if let Ok(name) = ObjectName::parse(text) {
        assert_eq!(name.as_str(), text);
        assert!(text.len() <= 80 && text.starts_with(|c: char| c.is_ascii_alphabetic()));
        assert!(
            text.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
            "object name {text:?}"
        );
    }
    if let Ok(name) = FieldName::parse(text) {
        assert_eq!(name.as_str(), text);
        let parts: Vec<&str> = text.split('.').collect();
        assert!(parts.len() <= 6, "field path {text:?}");
        for part in parts {
            assert!(part.len() <= 80 && part.starts_with(|c: char| c.is_ascii_alphabetic()));
            assert!(
                part.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_'),
                "field name {text:?}"
            );
        }
    }
}

fuzz_target!(|data: &[u8]| {
    if let Ok(id15) = <&[u8; 15]>::try_from(data.get(..15).unwrap_or_default()) {
        // Any bytes at all: the checksum never indexes out of its alphabet.
        let _ = to_18(id15);
    }
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check_id(text);
    check_names(text);
});
