//! Helpers shared by the fuzz targets: byte-level tampering of tokens.

use arbitrary::Arbitrary;

/// One change an attacker makes to a token.
#[derive(Arbitrary, Debug, Clone, Copy)]
pub enum Edit {
    /// Flip one bit of the byte at `at` (modulo the length).
    Flip {
        /// Where.
        at: u16,
        /// Which bit (modulo 8).
        bit: u8,
    },
    /// Insert `byte` before `at`.
    Insert {
        /// Where.
        at: u16,
        /// What.
        byte: u8,
    },
    /// Remove the byte at `at`.
    Remove {
        /// Where.
        at: u16,
    },
    /// Keep only the first `at` bytes.
    Truncate {
        /// New length.
        at: u16,
    },
    /// Replace the byte at `at` with `byte`.
    Set {
        /// Where.
        at: u16,
        /// What.
        byte: u8,
    },
}

/// Applies `edits` to `bytes` in order.
pub fn apply(bytes: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut out = bytes.to_vec();
    for edit in edits {
        let len = out.len();
        match *edit {
            Edit::Flip { at, bit } if len > 0 => out[usize::from(at) % len] ^= 1 << (bit % 8),
            Edit::Insert { at, byte } => out.insert(usize::from(at) % (len + 1), byte),
            Edit::Remove { at } if len > 0 => {
                out.remove(usize::from(at) % len);
            }
            Edit::Truncate { at } => out.truncate(usize::from(at)),
            Edit::Set { at, byte } if len > 0 => out[usize::from(at) % len] = byte,
            _ => {}
        }
    }
    out
}

/// Applies `edits` to a text token; `None` when the result is not UTF-8 (a client cannot send it).
pub fn apply_text(text: &str, edits: &[Edit]) -> Option<String> {
    String::from_utf8(apply(text.as_bytes(), edits)).ok()
}
