//! The auth base URL, instance URL and identity URL checks: anything accepted is https on a
//! Salesforce host (or, only with the test switch, http on 127.0.0.1/localhost with a port),
//! carries no user name or password, and every endpoint built from it goes to that same host,
//! as both the `url` crate (reqwest) and the `http` crate (hyper) read it.

#![no_main]

use libfuzzer_sys::fuzz_target;
use salesforce_mcp::oauth::urls::{AuthBaseUrl, InstanceUrl, check_identity_url};
use url::{Host, Url};

/// Salesforce's login and instance domains.
const SUFFIXES: &[&str] = &[
    "salesforce.com",
    "force.com",
    "salesforce.mil",
    "cloudforce.com",
];

/// The host `text` points at, checked to be a Salesforce one (or loopback when allowed).
fn check_target(text: &str, loopback: bool) -> (String, Option<u16>) {
    let url = Url::parse(text).unwrap_or_else(|e| panic!("accepted {text:?} does not parse: {e}"));
    assert_eq!(url.username(), "", "user name in {text:?}");
    assert_eq!(url.password(), None, "password in {text:?}");
    let host = match url.host() {
        Some(Host::Domain(d)) => d.to_owned(),
        Some(Host::Ipv4(ip)) => ip.to_string(),
        Some(Host::Ipv6(ip)) => format!("[{ip}]"),
        None => panic!("no host in {text:?}"),
    };
    let salesforce = SUFFIXES.iter().any(|s| {
        host.strip_suffix(s)
            .and_then(|head| head.strip_suffix('.'))
            .is_some_and(|label| !label.is_empty())
    });
    let dns_name = host.split('.').all(|label| {
        !label.is_empty()
            && label
                .bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'-')
    });
    match url.scheme() {
        "https" => assert!(salesforce && dns_name, "https to {host:?}: {text:?}"),
        "http" => assert!(
            loopback && matches!(host.as_str(), "127.0.0.1" | "localhost") && url.port().is_some(),
            "plain http to {host:?}: {text:?}"
        ),
        other => panic!("scheme {other:?} accepted: {text:?}"),
    }
    // hyper reads the same authority: same host, no user info.
    let uri: http::Uri = text
        .parse()
        .unwrap_or_else(|e| panic!("http::Uri cannot read accepted {text:?}: {e}"));
    let authority = uri
        .authority()
        .map(|a| a.as_str().to_owned())
        .unwrap_or_default();
    assert!(!authority.contains('@'), "user info for hyper in {text:?}");
    assert_eq!(
        uri.host().map(str::to_ascii_lowercase),
        Some(host.clone()),
        "{text:?}"
    );
    (host, url.port())
}

/// An origin (auth base or instance): no path, query or trailing slash, and endpoints built on
/// it stay on its host.
fn check_origin(original: &str, accepted: &str, endpoints: &[String], loopback: bool) {
    assert!(!accepted.ends_with('/'), "{accepted:?}");
    let target = check_target(accepted, loopback);
    let url = Url::parse(accepted).unwrap_or_else(|e| panic!("{accepted:?}: {e}"));
    assert_eq!(url.path(), "/", "{accepted:?}");
    assert!(
        url.query().is_none() && url.fragment().is_none(),
        "{accepted:?}"
    );
    let given = Url::parse(original.trim()).unwrap_or_else(|e| panic!("{original:?}: {e}"));
    assert_eq!(
        given.host_str(),
        url.host_str(),
        "host changed from {original:?}"
    );
    for endpoint in endpoints {
        assert_eq!(check_target(endpoint, loopback), target, "{endpoint:?}");
    }
}

fn check(text: &str, loopback: bool) {
    if let Ok(base) = AuthBaseUrl::parse(text, loopback) {
        let endpoints = [
            base.authorize_url(),
            base.token_url(),
            base.userinfo_url(),
            base.revoke_url(),
        ];
        check_origin(text, base.as_str(), &endpoints, loopback);
        if !loopback {
            assert_eq!(AuthBaseUrl::parse(text, true).as_ref(), Ok(&base));
        }
    }
    if let Ok(instance) = InstanceUrl::parse(text, loopback) {
        let query = format!(
            "{}/services/data/v66.0/query?q=SELECT+Id+FROM+Account",
            instance.as_str()
        );
        check_origin(text, instance.as_str(), &[query], loopback);
        if !loopback {
            assert_eq!(InstanceUrl::parse(text, true).as_ref(), Ok(&instance));
        }
    }
    if let Ok(identity) = check_identity_url(text, loopback) {
        check_target(identity.as_str(), loopback);
        assert!(identity.path().starts_with("/id/"), "{identity}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    check(text, false);
    check(text, true);
});
