//! Salesforce OAuth 2.0: authorize URL with PKCE (S256) and state, code exchange, refresh,
//! revoke, identity lookup. Salesforce sends no `expires_in`; expiry is learned from a 401.

mod errors;
mod http_client;
pub mod urls;

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AuthType, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, ExtraTokenFields, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken,
    Scope, StandardRevocableToken, StandardTokenResponse, TokenResponse as _, TokenUrl,
};
use secrecy::{ExposeSecret as _, SecretString};
use serde::{Deserialize, Serialize};

pub use errors::{OAuthError, explain_callback_error};
pub use http_client::OAuthHttp;
use urls::AuthBaseUrl;

/// The path of our OAuth callback, as registered in the Salesforce app.
pub const CALLBACK_PATH: &str = "/api/integrations/callback/salesforce";

/// An OAuth app as used for one flow (secret unsealed in memory only).
#[derive(Clone)]
pub struct OAuthApp {
    /// Consumer key.
    pub client_id: String,
    /// Consumer secret, when the app has one.
    pub client_secret: Option<SecretString>,
    /// Login host.
    pub auth_base: AuthBaseUrl,
    /// Space-separated scopes.
    pub scopes: String,
    /// `prompt` parameter.
    pub prompt: Option<String>,
}

impl std::fmt::Debug for OAuthApp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OAuthApp")
            .field("client_id", &self.client_id)
            .field(
                "client_secret",
                &self.client_secret.as_ref().map(|_| "<redacted>"),
            )
            .field("auth_base", &self.auth_base)
            .finish_non_exhaustive()
    }
}

/// Fields Salesforce adds to a token response.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
pub struct SalesforceFields {
    /// Where API calls go.
    #[serde(default)]
    pub instance_url: Option<String>,
    /// The identity URL.
    #[serde(default)]
    pub id: Option<String>,
    /// Milliseconds since the epoch, as a string.
    #[serde(default)]
    pub issued_at: Option<String>,
}
impl ExtraTokenFields for SalesforceFields {}

type SfTokenResponse = StandardTokenResponse<SalesforceFields, BasicTokenType>;
type SfClient<HasAuth> = oauth2::Client<
    BasicErrorResponse,
    SfTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    HasAuth,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

/// Tokens and facts from a token response.
#[derive(Clone)]
pub struct TokenSet {
    /// The access token.
    pub access_token: SecretString,
    /// The refresh token (code grant with offline scope; refresh grant only with rotation).
    pub refresh_token: Option<SecretString>,
    /// `instance_url`, unvalidated.
    pub instance_url: Option<String>,
    /// `id` (identity URL), unvalidated.
    pub identity_url: Option<String>,
    /// Granted scopes, space-separated.
    pub scopes: Option<String>,
}

impl std::fmt::Debug for TokenSet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenSet")
            .field("has_refresh_token", &self.refresh_token.is_some())
            .field("instance_url", &self.instance_url)
            .finish_non_exhaustive()
    }
}

/// A started authorization: send the person to `url`; keep `state` and `verifier` to finish.
pub struct AuthorizationStart {
    /// The authorize URL.
    pub url: String,
    /// The `state` value (random, single use).
    pub state: SecretString,
    /// The PKCE verifier.
    pub verifier: SecretString,
}

fn client(app: &OAuthApp) -> Result<SfClient<EndpointNotSet>, OAuthError> {
    let token_url =
        TokenUrl::new(app.auth_base.token_url()).map_err(|e| OAuthError::Config(e.to_string()))?;
    let mut c = oauth2::Client::new(ClientId::new(app.client_id.clone()))
        .set_token_uri(token_url)
        .set_auth_type(AuthType::RequestBody);
    if let Some(secret) = &app.client_secret {
        c = c.set_client_secret(ClientSecret::new(secret.expose_secret().to_owned()));
    }
    Ok(c)
}

/// Builds the authorize URL: response_type=code, client_id, exact redirect_uri, scope, state,
/// S256 code challenge (verifier of 43-128 characters), and prompt when set.
pub fn start_authorization(
    app: &OAuthApp,
    redirect_uri: &str,
) -> Result<AuthorizationStart, OAuthError> {
    let auth_url = AuthUrl::new(app.auth_base.authorize_url())
        .map_err(|e| OAuthError::Config(e.to_string()))?;
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| OAuthError::Config(e.to_string()))?;
    let (challenge, verifier) = PkceCodeChallenge::new_random_sha256_len(48);
    let c = client(app)?
        .set_auth_uri(auth_url)
        .set_redirect_uri(redirect);
    let mut request = c
        .authorize_url(CsrfToken::new_random)
        .set_pkce_challenge(challenge);
    for scope in app.scopes.split_whitespace() {
        request = request.add_scope(Scope::new(scope.to_owned()));
    }
    if let Some(prompt) = app.prompt.as_deref().filter(|p| !p.is_empty()) {
        request = request.add_extra_param("prompt", prompt.to_owned());
    }
    let (url, state) = request.url();
    Ok(AuthorizationStart {
        url: url.to_string(),
        state: SecretString::from(state.secret().clone()),
        verifier: SecretString::from(verifier.secret().clone()),
    })
}

fn token_set(response: SfTokenResponse) -> TokenSet {
    let extra = response.extra_fields();
    TokenSet {
        access_token: SecretString::from(response.access_token().secret().clone()),
        refresh_token: response
            .refresh_token()
            .map(|t| SecretString::from(t.secret().clone())),
        instance_url: extra.instance_url.clone(),
        identity_url: extra.id.clone(),
        scopes: response
            .scopes()
            .map(|s| s.iter().map(|x| x.as_str()).collect::<Vec<_>>().join(" ")),
    }
}

/// Exchanges an authorization code (with the secret when configured, always with the verifier).
pub async fn exchange_code(
    http: &OAuthHttp,
    app: &OAuthApp,
    redirect_uri: &str,
    code: &str,
    verifier: &SecretString,
) -> Result<TokenSet, OAuthError> {
    let redirect =
        RedirectUrl::new(redirect_uri.to_owned()).map_err(|e| OAuthError::Config(e.to_string()))?;
    let response = client(app)?
        .set_redirect_uri(redirect)
        .exchange_code(AuthorizationCode::new(code.to_owned()))
        .set_pkce_verifier(PkceCodeVerifier::new(verifier.expose_secret().to_owned()))
        .request_async(http)
        .await
        .map_err(errors::from_token_error)?;
    Ok(token_set(response))
}

/// Uses a refresh token (sending the secret too when the app has one).
pub async fn refresh(
    http: &OAuthHttp,
    app: &OAuthApp,
    refresh_token: &SecretString,
) -> Result<TokenSet, OAuthError> {
    let token = RefreshToken::new(refresh_token.expose_secret().to_owned());
    let response = client(app)?
        .exchange_refresh_token(&token)
        .request_async(http)
        .await
        .map_err(errors::from_token_error)?;
    Ok(token_set(response))
}

/// Revokes a token at Salesforce (a refresh token ends its access tokens too).
pub async fn revoke(
    http: &OAuthHttp,
    auth_base: &AuthBaseUrl,
    token: &SecretString,
) -> Result<(), OAuthError> {
    let response = http
        .0
        .post(auth_base.revoke_url())
        .form(&[("token", token.expose_secret())])
        .send()
        .await
        .map_err(|e| OAuthError::Transport(e.without_url().to_string()))?;
    let status = response.status();
    if status.is_success() {
        return Ok(());
    }
    let body = response.text().await.unwrap_or_default();
    Err(errors::from_error_body(status.as_u16(), &body))
}

/// Who the token belongs to, from the identity URL.
#[derive(Debug, Clone, Deserialize, Serialize, PartialEq, Eq)]
pub struct Identity {
    /// Salesforce user id.
    pub user_id: String,
    /// Org id.
    pub organization_id: String,
    /// Username (`preferred_username` at the userinfo endpoint).
    #[serde(alias = "preferred_username")]
    pub username: String,
    /// Display name (`name` at the userinfo endpoint).
    #[serde(default, alias = "name")]
    pub display_name: Option<String>,
    /// The user's e-mail.
    #[serde(default)]
    pub email: Option<String>,
    /// Whether Salesforce verified that e-mail.
    #[serde(default)]
    pub email_verified: Option<bool>,
}

/// Reads the identity URL with the access token. 403 `Bad_OAuth_Token` means the token is stale.
pub async fn identity(
    http: &OAuthHttp,
    identity_url: &url::Url,
    token: &SecretString,
) -> Result<Identity, OAuthError> {
    let response = http
        .0
        .get(identity_url.clone())
        .query(&[("format", "json")])
        .bearer_auth(token.expose_secret())
        .send()
        .await
        .map_err(|e| OAuthError::Transport(e.without_url().to_string()))?;
    let status = response.status().as_u16();
    let body = response
        .text()
        .await
        .map_err(|e| OAuthError::Transport(e.without_url().to_string()))?;
    if status == 200 {
        return serde_json::from_str(&body).map_err(|e| {
            OAuthError::BadResponse(format!("identity response not understood: {e}"))
        });
    }
    if status == 401 || (status == 403 && body.contains("Bad_OAuth_Token")) {
        return Err(OAuthError::TokenRejected);
    }
    Err(errors::from_error_body(status, &body))
}

#[cfg(test)]
mod tests {
    use super::Identity;

    #[test]
    fn identity_reads_both_the_identity_url_and_userinfo_shapes() {
        let id: Identity = serde_json::from_str(
            r#"{"user_id":"005x","organization_id":"00Dx","username":"a@b.c","display_name":"A B","urls":{}}"#,
        )
        .unwrap();
        let info: Identity = serde_json::from_str(
            r#"{"sub":"https://login.salesforce.com/id/00Dx/005x","user_id":"005x","organization_id":"00Dx","preferred_username":"a@b.c","name":"A B"}"#,
        )
        .unwrap();
        assert_eq!(id, info);
    }
}
