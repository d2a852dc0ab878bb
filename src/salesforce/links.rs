//! Links a person can open: the Lightning record page of a record.

/// The page a person opens to see a record.
///
/// For a My Domain instance URL (`https://acme.my.salesforce.com`, sandbox
/// `acme--uat.sandbox.my.salesforce.com`, partitions such as `acme-dev-ed.develop.my.salesforce.com`)
/// this is the Lightning record page `https://acme.lightning.force.com/lightning/r/<Object>/<Id>/view`:
/// the `.my.salesforce.com` suffix becomes `.lightning.force.com`, everything before it is kept.
/// Any other instance URL (a custom domain, an old instanced `na123.salesforce.com`, the simulated
/// org on `http://127.0.0.1:PORT`) gets `<instance_url>/<Id>`, which Salesforce redirects to the
/// record's page, rather than a guessed Lightning host.
pub fn record_url(instance_url: &str, object: &str, id: &str) -> String {
    let base = instance_url.trim_end_matches('/');
    let lightning = url::Url::parse(base).ok().and_then(|u| {
        let host = u.host_str()?.to_ascii_lowercase();
        let name = host.strip_suffix(".my.salesforce.com")?;
        (u.scheme() == "https" && !name.is_empty()).then(|| format!("{name}.lightning.force.com"))
    });
    match lightning {
        Some(host) => format!("https://{host}/lightning/r/{object}/{id}/view"),
        None => format!("{base}/{id}"),
    }
}

#[cfg(test)]
mod tests {
    use super::record_url;

    const ID: &str = "001Dx0000000001AAA";

    #[test]
    fn my_domain_urls_become_lightning_record_pages() {
        let cases = [
            (
                "https://acme.my.salesforce.com",
                "https://acme.lightning.force.com",
            ),
            (
                "https://acme--uat.sandbox.my.salesforce.com/",
                "https://acme--uat.sandbox.lightning.force.com",
            ),
            (
                "https://acme-dev-ed.develop.my.salesforce.com",
                "https://acme-dev-ed.develop.lightning.force.com",
            ),
        ];
        for (instance, host) in cases {
            assert_eq!(
                record_url(instance, "Account", ID),
                format!("{host}/lightning/r/Account/{ID}/view")
            );
        }
    }

    #[test]
    fn other_instance_urls_link_the_record_id_under_the_instance() {
        assert_eq!(
            record_url("https://na123.salesforce.com", "Account", ID),
            format!("https://na123.salesforce.com/{ID}")
        );
        assert_eq!(
            record_url("http://127.0.0.1:8080", "Case", ID),
            format!("http://127.0.0.1:8080/{ID}")
        );
        assert_eq!(
            record_url("https://crm.example.com/", "Case", ID),
            format!("https://crm.example.com/{ID}")
        );
    }
}
