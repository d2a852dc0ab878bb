//! Validated Salesforce URLs: the login host an app authorizes against and the instance URL
//! a token response points API calls at. Nothing else is ever called with a person's token.

use url::Url;

/// Why a URL was refused.
#[derive(Debug, Clone, thiserror::Error, PartialEq, Eq)]
#[error("{0}")]
pub struct UrlError(String);

/// Host suffixes Salesforce serves login and instances from.
const SALESFORCE_SUFFIXES: &[&str] = &[
    ".salesforce.com",
    ".force.com",
    ".salesforce.mil",
    ".cloudforce.com",
];

fn is_salesforce_host(host: &str) -> bool {
    let host = host.to_ascii_lowercase();
    // A DNS name: letters, digits and hyphens in non-empty labels (IDNs arrive as punycode).
    let dns_name = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    dns_name
        && SALESFORCE_SUFFIXES
            .iter()
            .any(|s| host.ends_with(s) && host.len() > s.len())
}

fn is_loopback(url: &Url) -> bool {
    matches!(url.host_str(), Some("127.0.0.1") | Some("localhost")) && url.port().is_some()
}

/// https on a Salesforce host, or (with the test switch) http on loopback with a port.
fn is_salesforce_target(url: &Url, allow_loopback: bool) -> bool {
    let host = url.host_str().unwrap_or_default();
    (url.scheme() == "https" && is_salesforce_host(host))
        || (allow_loopback && url.scheme() == "http" && is_loopback(url))
}

/// No user name or password: a person's token is never sent along with other credentials.
fn no_credentials(url: &Url) -> bool {
    url.username().is_empty() && url.password().is_none()
}

/// Checks scheme and host; returns the URL without a trailing slash.
fn parse_salesforce_origin(text: &str, what: &str, allow_loopback: bool) -> Result<Url, UrlError> {
    let example = "https://login.salesforce.com, https://test.salesforce.com or https://yourdomain.my.salesforce.com";
    let url = Url::parse(text.trim())
        .map_err(|e| UrlError(format!("{what} '{text}' is not a URL ({e}); use {example}")))?;
    if url.query().is_some() || url.fragment().is_some() || !matches!(url.path(), "" | "/") {
        return Err(UrlError(format!(
            "{what} '{text}' must be just scheme and host, like {example}"
        )));
    }
    if !no_credentials(&url) {
        return Err(UrlError(format!(
            "{what} '{text}' must not contain credentials"
        )));
    }
    if !is_salesforce_target(&url, allow_loopback) {
        let hint = if allow_loopback {
            "or http://127.0.0.1:PORT / http://localhost:PORT in test mode"
        } else {
            "(http://127.0.0.1:PORT is only allowed with SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK=1, for tests)"
        };
        return Err(UrlError(format!(
            "{what} '{text}' is not a Salesforce address: it must be https on a Salesforce host \
             (*.salesforce.com, *.force.com, *.salesforce.mil, *.cloudforce.com) {hint}"
        )));
    }
    Ok(url)
}

fn without_trailing_slash(url: &Url) -> String {
    url.as_str().trim_end_matches('/').to_owned()
}

/// The login host of an OAuth app: `https://login.salesforce.com`, `https://test.salesforce.com`,
/// or a My Domain URL. Stored without a trailing slash.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AuthBaseUrl(String);

impl AuthBaseUrl {
    /// Validates a login host.
    pub fn parse(text: &str, allow_loopback: bool) -> Result<Self, UrlError> {
        parse_salesforce_origin(text, "auth base URL", allow_loopback)
            .map(|u| Self(without_trailing_slash(&u)))
    }
    /// The URL text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
    /// The authorize endpoint.
    pub fn authorize_url(&self) -> String {
        format!("{}/services/oauth2/authorize", self.0)
    }
    /// The token endpoint.
    pub fn token_url(&self) -> String {
        format!("{}/services/oauth2/token", self.0)
    }
    /// The OpenID Connect userinfo endpoint.
    pub fn userinfo_url(&self) -> String {
        format!("{}/services/oauth2/userinfo", self.0)
    }
    /// The revoke endpoint.
    pub fn revoke_url(&self) -> String {
        format!("{}/services/oauth2/revoke", self.0)
    }
}

/// Where a person's API calls go, from a token response.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InstanceUrl(String);

impl InstanceUrl {
    /// Validates an instance URL (no SSRF through a token response).
    pub fn parse(text: &str, allow_loopback: bool) -> Result<Self, UrlError> {
        parse_salesforce_origin(text, "instance URL", allow_loopback)
            .map(|u| Self(without_trailing_slash(&u)))
    }
    /// The URL text, without a trailing slash.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// Validates an identity URL (`id` from a token response): a Salesforce host, path `/id/...`.
pub fn check_identity_url(text: &str, allow_loopback: bool) -> Result<Url, UrlError> {
    let url = Url::parse(text)
        .map_err(|e| UrlError(format!("identity URL '{text}' is not a URL ({e})")))?;
    if !no_credentials(&url)
        || !is_salesforce_target(&url, allow_loopback)
        || !url.path().starts_with("/id/")
    {
        return Err(UrlError(format!(
            "identity URL '{text}' is not a Salesforce identity URL"
        )));
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn salesforce_login_hosts_are_accepted_without_trailing_slash() {
        for (input, want) in [
            (
                "https://login.salesforce.com",
                "https://login.salesforce.com",
            ),
            (
                "https://test.salesforce.com/",
                "https://test.salesforce.com",
            ),
            (
                "https://acme.my.salesforce.com",
                "https://acme.my.salesforce.com",
            ),
            (
                "https://acme--uat.sandbox.my.salesforce.com",
                "https://acme--uat.sandbox.my.salesforce.com",
            ),
        ] {
            assert_eq!(AuthBaseUrl::parse(input, false).unwrap().as_str(), want);
        }
    }

    #[test]
    fn other_hosts_and_plain_http_are_refused() {
        for bad in [
            "http://login.salesforce.com",
            "https://salesforce.com.evil.example",
            "https://evil.example/.salesforce.com",
            "https://login.salesforce.com/services",
            "https://user:pw@login.salesforce.com",
            "http://127.0.0.1:8080",
            "not a url",
        ] {
            assert!(AuthBaseUrl::parse(bad, false).is_err(), "{bad}");
            assert!(InstanceUrl::parse(bad, false).is_err(), "{bad}");
        }
    }

    #[test]
    fn identity_urls_with_credentials_are_refused() {
        let good = "https://login.salesforce.com/id/00D000000000001AAA/005000000000001AAA";
        assert!(check_identity_url(good, false).is_ok());
        for bad in [
            "https://user:pw@login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
            "https://user@login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
            "https://:pw@login.salesforce.com/id/00D000000000001AAA/005000000000001AAA",
            "http://u@127.0.0.1:4321/id/00D000000000001AAA/005000000000001AAA",
        ] {
            assert!(check_identity_url(bad, true).is_err(), "{bad}");
        }
    }

    #[test]
    fn hosts_that_are_not_dns_names_are_refused() {
        // The url crate keeps characters such as `}` or `&` in a host; no Salesforce host has
        // them, and hyper cannot even parse such a URL.
        for bad in [
            "https://ac}e.my.salesforce.com",
            "https://evil.example&.salesforce.com",
            "https://a..salesforce.com",
            "https://acme_x.my.salesforce.com",
        ] {
            assert!(AuthBaseUrl::parse(bad, false).is_err(), "{bad}");
            assert!(InstanceUrl::parse(bad, false).is_err(), "{bad}");
            assert!(
                check_identity_url(&format!("{bad}/id/00D/005"), false).is_err(),
                "{bad}"
            );
        }
        assert!(InstanceUrl::parse("https://xn--bcher-kva.my.salesforce.com", false).is_ok());
    }

    #[test]
    fn loopback_is_allowed_only_with_the_test_switch() {
        assert!(InstanceUrl::parse("http://127.0.0.1:4321", true).is_ok());
        assert!(InstanceUrl::parse("http://localhost:4321/", true).is_ok());
        assert!(InstanceUrl::parse("http://10.0.0.1:4321", true).is_err());
        assert!(InstanceUrl::parse("http://127.0.0.1:4321", false).is_err());
    }
}
