//! Record ids of the simulated org: `{prefix}Dx{n:010}` plus the Salesforce checksum.

use crate::salesforce::ids::to_18;

/// The 18-character id of the `n`-th record with key prefix `prefix` (`make_id("001", 1)` is the
/// first sample Account, `001Dx0000000001` plus its checksum).
pub fn make_id(prefix: &str, n: u64) -> String {
    with_checksum(&format!("{prefix}Dx{n:010}"))
}

fn with_checksum(id15: &str) -> String {
    id15.as_bytes()
        .get(..15)
        .and_then(|b| <&[u8; 15]>::try_from(b).ok())
        .map(to_18)
        .unwrap_or_default()
}

/// The 18-character form of a well-formed 15- or 18-character id, or `None` when it is malformed
/// (wrong length, non-alphanumeric, or an 18-character id whose checksum does not match).
pub fn normalize(id: &str) -> Option<String> {
    if !id.bytes().all(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    match id.len() {
        15 => Some(with_checksum(id)),
        18 => {
            let full = with_checksum(&id[..15]);
            (full.eq_ignore_ascii_case(id)).then_some(full)
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn made_ids_are_eighteen_characters_with_a_valid_checksum() {
        let id = make_id("001", 1);
        assert_eq!(id.len(), 18);
        assert!(id.starts_with("001Dx0000000001"));
        assert_eq!(normalize(&id).as_deref(), Some(id.as_str()));
    }

    #[test]
    fn fifteen_character_ids_gain_their_checksum() {
        let id = make_id("003", 7);
        assert_eq!(normalize(&id[..15]).as_deref(), Some(id.as_str()));
    }

    #[test]
    fn malformed_ids_are_rejected() {
        assert_eq!(normalize("23foo"), None);
        assert_eq!(normalize("001Dx0000000001ZZZ"), None);
        assert_eq!(normalize("001Dx00000-0001"), None);
    }
}
