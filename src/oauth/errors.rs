//! OAuth errors: token-endpoint answers and authorize-callback `error=` values, as messages that
//! say what to fix.

use oauth2::RequestTokenError;
use oauth2::basic::BasicErrorResponse;

use super::http_client::TransportError;

/// What went wrong in an OAuth exchange, named for what the caller does next.
#[derive(Debug, Clone, thiserror::Error)]
#[non_exhaustive]
pub enum OAuthError {
    /// The grant is gone (revoked, expired, rotated out, or a bad code): the person must reconnect.
    #[error(
        "Salesforce refused the grant ({description}); the person must connect Salesforce again"
    )]
    ReconnectRequired {
        /// Salesforce's `error_description`.
        description: String,
    },
    /// The app's client id or secret is wrong.
    #[error(
        "Salesforce rejected the app's credentials ({error}: {description}); check the consumer key and secret with `salesforce-mcp admin org show`"
    )]
    InvalidClient {
        /// `error`.
        error: String,
        /// `error_description`.
        description: String,
    },
    /// Another OAuth error from Salesforce.
    #[error("Salesforce answered {error}: {description}")]
    Rejected {
        /// `error`.
        error: String,
        /// `error_description`.
        description: String,
    },
    /// The access token was not accepted (identity 403 `Bad_OAuth_Token` or 401).
    #[error("Salesforce did not accept the access token")]
    TokenRejected,
    /// Salesforce could not be reached.
    #[error(
        "cannot reach Salesforce: {0}; check the network and the auth base URL, then try again"
    )]
    Transport(String),
    /// Salesforce's answer was not understood.
    #[error("unexpected answer from Salesforce: {0}")]
    BadResponse(String),
    /// Our own configuration is unusable.
    #[error("OAuth configuration error: {0}")]
    Config(String),
}

fn classify(error: &str, description: &str) -> OAuthError {
    let description = if description.is_empty() {
        error.to_owned()
    } else {
        description.to_owned()
    };
    match error {
        "invalid_grant" => OAuthError::ReconnectRequired { description },
        "invalid_client" | "invalid_client_id" | "invalid_client_credentials" => {
            OAuthError::InvalidClient {
                error: error.to_owned(),
                description,
            }
        }
        _ => OAuthError::Rejected {
            error: error.to_owned(),
            description,
        },
    }
}

/// Maps an `oauth2` token request failure.
pub(super) fn from_token_error(
    e: RequestTokenError<TransportError, BasicErrorResponse>,
) -> OAuthError {
    match e {
        RequestTokenError::ServerResponse(r) => classify(
            r.error().as_ref(),
            r.error_description()
                .map(String::as_str)
                .unwrap_or_default(),
        ),
        RequestTokenError::Request(t) => OAuthError::Transport(t.to_string()),
        RequestTokenError::Parse(err, body) => {
            // Salesforce's error bodies sometimes fail the strict parser; read them ourselves.
            error_object(&String::from_utf8_lossy(&body)).unwrap_or_else(|| {
                OAuthError::BadResponse(format!("token response not understood ({err})"))
            })
        }
        RequestTokenError::Other(o) => OAuthError::BadResponse(o),
    }
}

/// Maps an OAuth error body (`{"error","error_description"}`) or other text.
pub(super) fn from_error_body(status: u16, body: &str) -> OAuthError {
    error_object(body).unwrap_or_else(|| {
        OAuthError::BadResponse(format!(
            "HTTP {status}: {}",
            body.chars().take(200).collect::<String>()
        ))
    })
}

/// An OAuth error object (`{"error","error_description"}`), when the text is one.
fn error_object(text: &str) -> Option<OAuthError> {
    let v = serde_json::from_str::<serde_json::Value>(text).ok()?;
    let error = v.get("error")?.as_str().unwrap_or_default();
    let description = v
        .get("error_description")
        .and_then(|d| d.as_str())
        .unwrap_or_default();
    Some(classify(error, description))
}

/// A readable message, with the fix, for an `error=` on the authorize callback.
///
/// Anyone can send a person a link to the callback with any `error` and `error_description`, so
/// neither is shown: a known error code gets our own words, anything else a generic message. The
/// description only tells apart the known causes of one code.
pub fn explain_callback_error(error: &str, description: &str) -> String {
    let (what, fix) = match error {
        "redirect_uri_mismatch" => (
            "the callback URL is not registered in the Salesforce app (redirect_uri_mismatch)",
            "add the exact callback URL to the \
            External Client App's Callback URL list (for `salesforce-mcp connect`: \
            http://localhost:PORT/api/integrations/callback/salesforce with your --callback-port, 8787 by default; \
            for a server: <public-url>/api/integrations/callback/salesforce), wait a few minutes for it to take \
            effect, and connect again",
        ),
        "invalid_request" if description.contains("code challenge") => (
            "the Salesforce app requires PKCE and the request had no code challenge (invalid_request)",
            "connect again with salesforce-mcp (it always sends one). If this repeats, \
            check that nothing between the browser and Salesforce strips query parameters",
        ),
        "access_denied" => (
            "the authorization was denied in Salesforce (access_denied)",
            "you clicked Deny, or an admin has not \
            allowed your user to use this app; connect again and choose Allow, or ask your Salesforce admin for access",
        ),
        "invalid_client_id" | "invalid_client" => (
            "the consumer key is not known to this Salesforce login host (invalid_client_id)",
            "check the client id and auth base URL (production, sandbox or My Domain) with `salesforce-mcp admin org show`",
        ),
        "invalid_scope" => (
            "the app does not allow the requested scopes (invalid_scope)",
            "add api, refresh_token and offline_access to the app's OAuth scopes",
        ),
        "immediate_unsuccessful" | "login_required" => (
            "you are not signed in to Salesforce (login_required)",
            "connect again and sign in",
        ),
        "invalid_request" => (
            "Salesforce refused the authorization request (invalid_request)",
            "connect again; if it repeats, ask your admin to check the Salesforce app settings",
        ),
        _ => (
            "Salesforce answered with an error this server does not know",
            "connect again; if it repeats, ask your admin to check the Salesforce app settings",
        ),
    };
    format!("Salesforce did not authorize the connection: {what}. Fix: {fix}.")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn invalid_grant_means_reconnect() {
        let e = from_error_body(
            400,
            r#"{"error":"invalid_grant","error_description":"expired access/refresh token"}"#,
        );
        assert!(matches!(e, OAuthError::ReconnectRequired { .. }));
        assert!(e.to_string().contains("expired access/refresh token"));
    }

    /// The console's test connection and the callback page show these fixes; the README's
    /// Troubleshooting table must cover every code they know.
    #[test]
    fn the_readme_troubleshooting_table_covers_every_callback_error() {
        let readme = include_str!("../../README.md");
        let table = readme
            .split("## Troubleshooting")
            .nth(1)
            .and_then(|t| t.split("\n## ").next())
            .unwrap();
        for code in [
            "redirect_uri_mismatch",
            "code challenge",
            "access_denied",
            "invalid_client_id",
            "invalid_scope",
            "login_required",
            "invalid_request",
        ] {
            assert!(
                table.contains(code),
                "README Troubleshooting does not mention {code}"
            );
        }
    }

    #[test]
    fn callback_errors_name_the_fix() {
        assert!(explain_callback_error("redirect_uri_mismatch", "").contains("Callback URL"));
        assert!(
            explain_callback_error("invalid_request", "missing required code challenge")
                .contains("PKCE")
        );
        assert!(
            explain_callback_error("access_denied", "end-user denied authorization")
                .contains("Allow")
        );
    }

    #[test]
    fn callback_errors_never_show_the_text_that_came_with_the_link() {
        let forged = "Your account is locked. Call +1 555 0100 and read them your code";
        for code in [
            "access_denied",
            "invalid_request",
            "server_error",
            "<b>Call us</b>",
        ] {
            let shown = explain_callback_error(code, forged);
            assert!(!shown.contains("locked"), "{shown}");
            assert!(!shown.contains("<b>"), "{shown}");
        }
    }
}
