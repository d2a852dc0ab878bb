//! Sealing secrets at rest (client secrets, access and refresh tokens, PKCE verifiers) with an AEAD.
//!
//! The 32-byte key comes from `SALESFORCE_MCP_SECRET_KEY` (base64) or, when that is unset, from a key
//! file created with mode 0600 beside the database.

use std::path::{Path, PathBuf};

use base64::Engine as _;
use base64::engine::general_purpose::STANDARD;
use chacha20poly1305::aead::{Aead, KeyInit};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};

/// Environment variable holding the base64 sealing key.
pub const KEY_ENV: &str = "SALESFORCE_MCP_SECRET_KEY";
const NONCE_LEN: usize = 24;

/// Why a key could not be loaded or a secret could not be opened.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SecretsError {
    /// The key in the environment is not base64 of 32 bytes.
    #[error(
        "{KEY_ENV} must be base64 of exactly 32 bytes (generate one with `openssl rand -base64 32`)"
    )]
    BadKeyInEnvironment,
    /// The key file could not be read or created.
    #[error("cannot use the key file {path}: {source}; check the directory's permissions")]
    KeyFile {
        /// The key file.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The key file does not hold 32 bytes.
    #[error(
        "the key file {0} is damaged (it must hold 32 bytes of base64); restore it from backup or set {KEY_ENV}"
    )]
    BadKeyFile(PathBuf),
    /// A sealed value did not open with this key.
    #[error(
        "a stored secret cannot be decrypted with the current key: the key changed; restore the old key or reconnect"
    )]
    CannotOpen,
}

/// The sealing key. `Debug` never shows it.
#[derive(Clone)]
pub struct Sealer {
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for Sealer {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Sealer(<redacted>)")
    }
}

impl Sealer {
    /// A sealer from 32 raw key bytes.
    pub fn from_key(key: &[u8; 32]) -> Self {
        Self {
            cipher: XChaCha20Poly1305::new(key.into()),
        }
    }

    /// Loads the key from the environment value if given, else from (or into) `key_path`.
    pub fn load(env_value: Option<&str>, key_path: &Path) -> Result<Self, SecretsError> {
        if let Some(value) = env_value.filter(|v| !v.trim().is_empty()) {
            return decode_key(value.trim())
                .map(|k| Self::from_key(&k))
                .ok_or(SecretsError::BadKeyInEnvironment);
        }
        let key = read_or_create_key_file(key_path)?;
        Ok(Self::from_key(&key))
    }

    /// Seals `plain`: a random nonce followed by the ciphertext.
    pub fn seal(&self, plain: &str) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rng().fill_bytes(&mut nonce);
        // Encryption with a valid key and nonce length cannot fail for in-memory buffers.
        let sealed = self
            .cipher
            .encrypt(XNonce::from_slice(&nonce), plain.as_bytes())
            .unwrap_or_default();
        let mut out = nonce.to_vec();
        out.extend_from_slice(&sealed);
        out
    }

    /// Seals a secret string.
    pub fn seal_secret(&self, secret: &SecretString) -> Vec<u8> {
        self.seal(secret.expose_secret())
    }

    /// Opens a sealed value.
    pub fn open(&self, sealed: &[u8]) -> Result<SecretString, SecretsError> {
        if sealed.len() <= NONCE_LEN {
            return Err(SecretsError::CannotOpen);
        }
        let (nonce, body) = sealed.split_at(NONCE_LEN);
        let plain = self
            .cipher
            .decrypt(XNonce::from_slice(nonce), body)
            .map_err(|_| SecretsError::CannotOpen)?;
        String::from_utf8(plain)
            .map(SecretString::from)
            .map_err(|_| SecretsError::CannotOpen)
    }
}

fn decode_key(text: &str) -> Option<[u8; 32]> {
    STANDARD.decode(text).ok()?.try_into().ok()
}

fn read_or_create_key_file(path: &Path) -> Result<[u8; 32], SecretsError> {
    let io = |source| SecretsError::KeyFile {
        path: path.to_path_buf(),
        source,
    };
    match std::fs::read_to_string(path) {
        Ok(text) => {
            decode_key(text.trim()).ok_or_else(|| SecretsError::BadKeyFile(path.to_path_buf()))
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            let mut key = [0u8; 32];
            rand::rng().fill_bytes(&mut key);
            write_private(path, STANDARD.encode(key).as_bytes()).map_err(io)?;
            Ok(key)
        }
        Err(e) => Err(io(e)),
    }
}

/// Writes a new file readable by its owner only (0600 on Unix); fails if it exists.
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write as _;
    if let Some(dir) = path.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir)?;
    }
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt as _;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

/// 32 random bytes, base64url: API tokens, session ids, CSRF tokens, OAuth codes and tokens.
pub fn random_secret() -> String {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rng().fill_bytes(&mut bytes);
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes)
}

/// Compares two secrets without stopping at the first difference.
pub fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && !b.is_empty()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_values_open_with_the_same_key_only() {
        let a = Sealer::from_key(&[7; 32]);
        let b = Sealer::from_key(&[8; 32]);
        let sealed = a.seal("00D!refresh");
        assert_eq!(
            a.open(&sealed).map(|s| s.expose_secret().to_owned()).ok(),
            Some("00D!refresh".into())
        );
        assert!(b.open(&sealed).is_err());
        assert!(!String::from_utf8_lossy(&sealed).contains("refresh"));
    }

    #[test]
    fn key_file_is_created_private_and_reused() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/secret.key");
        let first = Sealer::load(None, &path).unwrap();
        let sealed = first.seal("x1");
        let second = Sealer::load(None, &path).unwrap();
        assert!(second.open(&sealed).is_ok());
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(&path).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }

    #[test]
    fn a_bad_environment_key_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            Sealer::load(Some("c2hvcnQ="), &dir.path().join("k")),
            Err(SecretsError::BadKeyInEnvironment)
        ));
        assert!(format!("{:?}", Sealer::from_key(&[1; 32])).contains("redacted"));
    }
}
