//! Authorization codes, access tokens and refresh tokens, with refresh-token families so that
//! rotation, reuse detection and revocation behave like Salesforce's.

use std::collections::HashMap;
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use rand::Rng;

/// Authorization codes expire after 15 minutes, as Salesforce's do.
const CODE_LIFETIME: Duration = Duration::from_secs(15 * 60);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
const TOKEN_CHARS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789._";

/// What an authorization code was issued for.
#[derive(Debug, Clone)]
pub(crate) struct AuthCode {
    /// The app that asked.
    pub client_id: String,
    /// The exact redirect URI of the authorize request.
    pub redirect_uri: String,
    /// The PKCE S256 challenge, when one was sent.
    pub challenge: Option<String>,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// The approving user's 18-character id.
    pub user_id: String,
}

/// Who a token speaks for; tokens of one authorization share a family.
#[derive(Debug, Clone)]
pub(crate) struct Grant {
    /// The user's 18-character id.
    pub user_id: String,
    /// The app the grant belongs to.
    pub client_id: String,
    /// Granted scopes, space-separated.
    pub scope: String,
    /// The authorization this token descends from.
    pub family: u64,
}

impl Grant {
    /// Whether the scopes allow a refresh token.
    pub fn offline(&self) -> bool {
        self.scope
            .split(' ')
            .any(|s| s == "refresh_token" || s == "offline_access")
    }
}

struct RefreshEntry {
    grant: Grant,
    retired: bool,
}

/// What presenting a refresh token found.
pub(crate) enum RefreshLookup {
    /// A current token of a live family.
    Current(Grant),
    /// A token rotated out earlier: its whole family must be revoked.
    Retired(u64),
    /// Unknown or revoked.
    Unknown,
}

/// Which kind of token `introspect` found.
pub(crate) enum TokenKind {
    /// An access token and when it was issued.
    Access(Grant, SystemTime),
    /// A live refresh token.
    Refresh(Grant),
}

/// All issued credentials.
#[derive(Default)]
pub(crate) struct TokenStore {
    codes: HashMap<String, (AuthCode, Instant)>,
    access: HashMap<String, (Grant, SystemTime)>,
    refresh: HashMap<String, RefreshEntry>,
    next_family: u64,
}

impl TokenStore {
    /// Store a new code; codes contain `=` and `.` like real ones, to catch encoding mistakes.
    pub fn issue_code(&mut self, code: AuthCode) -> String {
        let value = format!("aPrx{}.{}==", random(40, ALNUM), random(24, ALNUM));
        self.codes.insert(value.clone(), (code, Instant::now()));
        value
    }

    /// Consume a code: a code works once, and not after 15 minutes.
    pub fn take_code(&mut self, code: &str) -> Option<AuthCode> {
        let (code, issued) = self.codes.remove(code)?;
        (issued.elapsed() < CODE_LIFETIME).then_some(code)
    }

    /// A fresh family id for a new authorization.
    pub fn new_family(&mut self) -> u64 {
        self.next_family += 1;
        self.next_family
    }

    /// Issue an access token (`00D…!AQ…`) for `grant`.
    pub fn issue_access(&mut self, grant: &Grant, org_id_15: &str) -> String {
        let value = format!("{org_id_15}!AQ{}", random(96, TOKEN_CHARS));
        self.access
            .insert(value.clone(), (grant.clone(), SystemTime::now()));
        value
    }

    /// Issue a refresh token for `grant`.
    pub fn issue_refresh(&mut self, grant: &Grant) -> String {
        let value = format!("5Aep861{}", random(80, TOKEN_CHARS));
        let entry = RefreshEntry {
            grant: grant.clone(),
            retired: false,
        };
        self.refresh.insert(value.clone(), entry);
        value
    }

    /// The grant behind a live access token.
    pub fn access(&self, token: &str) -> Option<&Grant> {
        self.access.get(token).map(|(grant, _)| grant)
    }

    /// Look up a refresh token; with `rotate`, a current token is retired by this use.
    pub fn use_refresh(&mut self, token: &str, rotate: bool) -> RefreshLookup {
        match self.refresh.get_mut(token) {
            None => RefreshLookup::Unknown,
            Some(entry) if entry.retired => RefreshLookup::Retired(entry.grant.family),
            Some(entry) => {
                entry.retired = rotate;
                RefreshLookup::Current(entry.grant.clone())
            }
        }
    }

    /// Revoke every refresh and access token of an authorization.
    pub fn revoke_family(&mut self, family: u64) {
        self.refresh.retain(|_, e| e.grant.family != family);
        self.access.retain(|_, (g, _)| g.family != family);
    }

    /// Forget every access token (they all answer 401 from now on).
    pub fn expire_access(&mut self) {
        self.access.clear();
    }

    /// Forget every refresh token (they all answer `invalid_grant` from now on).
    pub fn revoke_all_refresh(&mut self) {
        self.refresh.clear();
    }

    /// Revoke one token: a refresh token takes its access tokens with it. False when unknown.
    pub fn revoke(&mut self, token: &str) -> bool {
        if let Some(entry) = self.refresh.get(token) {
            let family = entry.grant.family;
            self.revoke_family(family);
            return true;
        }
        self.access.remove(token).is_some()
    }

    /// What a token is, if it is live.
    pub fn introspect(&self, token: &str) -> Option<TokenKind> {
        if let Some((grant, issued)) = self.access.get(token) {
            return Some(TokenKind::Access(grant.clone(), *issued));
        }
        match self.refresh.get(token) {
            Some(entry) if !entry.retired => Some(TokenKind::Refresh(entry.grant.clone())),
            _ => None,
        }
    }
}

/// Milliseconds since the epoch, as Salesforce's `issued_at`.
pub(crate) fn epoch_millis(at: SystemTime) -> u128 {
    at.duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis())
        .unwrap_or(0)
}

/// `n` random characters from `alphabet`.
pub(crate) fn random(n: usize, alphabet: &[u8]) -> String {
    let mut rng = rand::rng();
    (0..n)
        .map(|_| char::from(alphabet[rng.random_range(0..alphabet.len())]))
        .collect()
}
