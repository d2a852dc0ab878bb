//! Client ID Metadata Documents: a `client_id` that is an https URL names a JSON document the
//! client publishes. Fetched without following redirects, from public addresses only (a resolver
//! that refuses private, loopback, link-local and other non-global addresses), at most 5 KiB,
//! with timeouts; cached; the last good copy is used when a refetch fails.

use std::net::{IpAddr, SocketAddr};
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::{Host, Url};

/// Largest document read.
pub const MAX_BYTES: usize = 5 * 1024;
/// How long a good document is used before it is fetched again.
pub const FRESH_FOR: Duration = Duration::from_secs(3600);

/// Whether an address may be fetched: globally routable unicast only.
pub fn is_public(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_broadcast()
                || v4.is_documentation()
                || v4.is_unspecified()
                || v4.is_multicast()
                || a == 0
                || (a == 100 && (64..128).contains(&b))
                || (a == 192 && b == 0)
                || (a == 198 && (18..20).contains(&b))
                || a >= 240)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_public(IpAddr::V4(v4));
            }
            let first = v6.segments()[0];
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
                || first == 0x2001 && v6.segments()[1] == 0x0db8
                || first == 0x0064 && v6.segments()[1] == 0xff9b)
        }
    }
}

/// A resolver that answers only with public addresses, and fails when a name has any other.
#[derive(Debug, Clone, Copy)]
struct PublicOnly;

impl Resolve for PublicOnly {
    fn resolve(&self, name: Name) -> Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let addrs: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 443))
                .await?
                .collect();
            if addrs.is_empty() || addrs.iter().any(|a| !is_public(a.ip())) {
                return Err(format!("{host} resolves to an address that is not public").into());
            }
            let addrs: Addrs = Box::new(addrs.into_iter());
            Ok(addrs)
        })
    }
}

/// Fetches metadata documents.
#[derive(Debug, Clone)]
pub struct Fetcher {
    http: reqwest::Client,
    allow_loopback: bool,
}

impl Fetcher {
    /// A fetcher; `allow_loopback` (tests only) also allows `http://127.0.0.1:PORT/...` URLs.
    pub fn new(allow_loopback: bool) -> Result<Self, String> {
        let mut builder = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .connect_timeout(Duration::from_secs(3))
            .timeout(Duration::from_secs(5))
            .no_proxy()
            .user_agent("salesforce-mcp (client metadata fetch)");
        if !allow_loopback {
            builder = builder.dns_resolver(PublicOnly);
        }
        let http = builder.build().map_err(|e| e.to_string())?;
        Ok(Self {
            http,
            allow_loopback,
        })
    }

    /// Whether `client_id` is the URL of a metadata document we may fetch.
    pub fn check_url(&self, client_id: &str) -> Result<Url, String> {
        let bad = |why: &str| {
            Err(format!(
                "client_id {client_id:?} is not a usable metadata document URL: {why}"
            ))
        };
        if client_id.len() > 2000 {
            return bad("longer than 2,000 characters");
        }
        let Ok(url) = Url::parse(client_id) else {
            return bad("not a URL");
        };
        if url.as_str() != client_id {
            return bad("not in normal form");
        }
        if url.query().is_some()
            || url.fragment().is_some()
            || !url.username().is_empty()
            || url.password().is_some()
        {
            return bad("it has a query, fragment or user info");
        }
        if url.path() == "/" || url.path().split('/').any(|s| s == "." || s == "..") {
            return bad("it needs a path");
        }
        let loopback = matches!(url.host(), Some(Host::Ipv4(ip)) if ip.is_loopback());
        match (url.scheme(), url.host()) {
            ("http", _) if self.allow_loopback && loopback => Ok(url),
            ("https", Some(Host::Domain(_))) => Ok(url),
            ("https", Some(Host::Ipv4(ip))) if is_public(IpAddr::V4(ip)) => Ok(url),
            ("https", Some(Host::Ipv6(ip))) if is_public(IpAddr::V6(ip)) => Ok(url),
            _ => bad("it must be https on a public host"),
        }
    }

    /// Fetches a document: 200, JSON, at most [`MAX_BYTES`]. Returns its text.
    pub async fn fetch(&self, url: &Url) -> Result<String, String> {
        let response = self
            .http
            .get(url.clone())
            .header(reqwest::header::ACCEPT, "application/json")
            .send()
            .await
            .map_err(|e| format!("could not fetch {url}: {}", without_url(&e)))?;
        if response.status() != reqwest::StatusCode::OK {
            return Err(format!(
                "{url} answered HTTP {} (redirects are not followed)",
                response.status().as_u16()
            ));
        }
        let json = response
            .headers()
            .get(reqwest::header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .map(|v| {
                v.split(';')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_ascii_lowercase()
            })
            .is_some_and(|t| {
                t == "application/json" || (t.starts_with("application/") && t.ends_with("+json"))
            });
        if !json {
            return Err(format!("{url} is not served as application/json"));
        }
        let mut body = Vec::new();
        let mut response = response;
        while let Some(chunk) = response
            .chunk()
            .await
            .map_err(|e| format!("could not read {url}: {}", without_url(&e)))?
        {
            if body.len() + chunk.len() > MAX_BYTES {
                return Err(format!("{url} is larger than {MAX_BYTES} bytes"));
            }
            body.extend_from_slice(&chunk);
        }
        String::from_utf8(body).map_err(|_| format!("{url} is not UTF-8 text"))
    }
}

fn without_url(e: &reqwest::Error) -> String {
    e.to_string()
        .split(" for url")
        .next()
        .unwrap_or_default()
        .to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_are_fetched() {
        for private in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "::1",
            "fc00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "224.0.0.1",
        ] {
            assert!(!is_public(private.parse().unwrap()), "{private}");
        }
        for public in ["1.1.1.1", "160.79.104.10", "2606:4700::1111"] {
            assert!(is_public(public.parse().unwrap()), "{public}");
        }
    }

    #[test]
    fn metadata_urls_must_be_https_with_a_path_on_a_public_host() {
        let f = Fetcher::new(false).unwrap();
        assert!(
            f.check_url("https://claude.ai/oauth/mcp-oauth-client-metadata")
                .is_ok()
        );
        for bad in [
            "http://claude.ai/oauth/x",
            "https://claude.ai/",
            "https://claude.ai/a/../b",
            "https://claude.ai/x?y=1",
            "https://user@claude.ai/x",
            "https://127.0.0.1/x",
            "https://[::1]/x",
            "https://10.0.0.1/x",
            "http://127.0.0.1:8080/client.json",
        ] {
            assert!(f.check_url(bad).is_err(), "{bad}");
        }
        let loopback = Fetcher::new(true).unwrap();
        assert!(
            loopback
                .check_url("http://127.0.0.1:8080/client.json")
                .is_ok()
        );
    }
}
