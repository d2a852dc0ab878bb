//! Redirect URI rules: what a client may register (https, or http to a loopback host), and how a
//! requested redirect URI matches a registered one (exactly; loopback with any port, RFC 8252).

use url::{Host, Url};

/// Why a redirect URI cannot be registered.
pub fn check_registrable(uri: &str) -> Result<(), String> {
    if uri.trim() != uri || uri.chars().any(|c| c.is_control() || c == '\\') {
        return Err(format!(
            "redirect URI {uri:?} has spaces, backslashes or control characters"
        ));
    }
    let url = Url::parse(uri).map_err(|e| format!("redirect URI {uri:?} is not a URL ({e})"))?;
    if url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(format!(
            "redirect URI {uri:?} must not have a fragment or user info"
        ));
    }
    match url.scheme() {
        "https" if url.host_str().is_some() => Ok(()),
        "http" if is_loopback(&url) => Ok(()),
        _ => Err(format!(
            "redirect URI {uri:?} must be https, or http to 127.0.0.1, [::1] or localhost"
        )),
    }
}

/// Whether `requested` is one of `registered`: the same string, or for loopback URIs the same
/// scheme, host, path and query on any port (native clients pick a free port at run time).
pub fn matches(registered: &[String], requested: &str) -> bool {
    if registered.iter().any(|r| r == requested) {
        return true;
    }
    let Ok(asked) = Url::parse(requested) else {
        return false;
    };
    if asked.scheme() != "http" || !is_loopback(&asked) || check_registrable(requested).is_err() {
        return false;
    }
    registered
        .iter()
        .filter_map(|r| Url::parse(r).ok())
        .any(|r| {
            r.scheme() == asked.scheme()
                && is_loopback(&r)
                && r.host() == asked.host()
                && r.path() == asked.path()
                && r.query() == asked.query()
        })
}

/// Whether a URL's host is a loopback address or `localhost`.
pub fn is_loopback(url: &Url) -> bool {
    match url.host() {
        Some(Host::Ipv4(ip)) => ip.is_loopback(),
        Some(Host::Ipv6(ip)) => ip.is_loopback(),
        Some(Host::Domain(d)) => d.eq_ignore_ascii_case("localhost"),
        None => false,
    }
}

/// `uri` with `params` added to its query (keeping a query it already has).
pub fn with_params(uri: &str, params: &[(&str, &str)]) -> String {
    match Url::parse(uri) {
        Ok(mut url) => {
            {
                let mut q = url.query_pairs_mut();
                for (k, v) in params {
                    q.append_pair(k, v);
                }
            }
            url.to_string()
        }
        Err(_) => uri.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_https_and_loopback_http_can_be_registered() {
        for good in [
            "https://claude.ai/api/mcp/auth_callback",
            "http://127.0.0.1/callback",
            "http://localhost:33418/callback",
            "http://[::1]:8080/cb",
        ] {
            assert!(check_registrable(good).is_ok(), "{good}");
        }
        for bad in [
            "http://evil.example/cb",
            "javascript:alert(1)",
            "JavaScript:alert(1)",
            " https://claude.ai/cb",
            "https://claude.ai/cb#x",
            "https://user@claude.ai/cb",
            "https://claude.ai\\@evil.example/",
            "file:///etc/passwd",
            "myapp://callback",
        ] {
            assert!(check_registrable(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn loopback_redirects_match_on_any_port_and_nothing_else_does() {
        let reg = vec![
            "http://127.0.0.1/callback".to_owned(),
            "http://localhost/callback".to_owned(),
            "https://claude.ai/api/mcp/auth_callback".to_owned(),
        ];
        assert!(matches(&reg, "http://127.0.0.1:58135/callback"));
        assert!(matches(&reg, "http://localhost:41000/callback"));
        assert!(matches(&reg, "https://claude.ai/api/mcp/auth_callback"));
        assert!(!matches(
            &reg,
            "https://claude.ai:8443/api/mcp/auth_callback"
        ));
        assert!(!matches(
            &reg,
            "https://claude.ai.evil.example/api/mcp/auth_callback"
        ));
        assert!(!matches(&reg, "http://127.0.0.1:58135/other"));
        assert!(!matches(&reg, "http://127.0.0.1:58135/callback?x=1"));
        assert!(!matches(
            &["http://localhost/cb".to_owned()],
            "http://127.0.0.1:5/cb"
        ));
        assert!(!matches(&reg, "http://evil.example/callback"));
    }

    #[test]
    fn params_are_added_to_an_existing_query() {
        assert_eq!(
            with_params(
                "https://a.example/cb?x=1",
                &[("code", "c d"), ("state", "s")]
            ),
            "https://a.example/cb?x=1&code=c+d&state=s"
        );
    }
}
