//! Salesforce record ids: 15-character case-sensitive ids and their 18-character checksummed form.

const SUFFIX_ALPHABET: &[u8; 32] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ012345";

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checksum_matches_a_known_salesforce_id() {
        // 001D000000IqhSL -> 001D000000IqhSLIAZ (Salesforce documentation example).
        assert_eq!(&checksum_suffix(b"001D000000IqhSL"), b"IAZ");
    }
}
