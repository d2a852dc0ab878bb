//! Links a person can open: the Lightning page of a record.

/// The Lightning record page: `https://<domain>.lightning.force.com/lightning/r/<Object>/<Id>/view`
/// when `instance_url` is a My Domain URL (`*.my.salesforce.com`, sandboxes and partitions
/// included), else `<instance_url>/<Id>`, which opens the record and redirects to Lightning.
pub fn record_url(instance_url: &str, object: &str, id: &str) -> String {
    let base = instance_url.trim_end_matches('/');
    let lightning = url::Url::parse(base).ok().and_then(|u| {
        let host = u.host_str()?.to_ascii_lowercase();
        let domain = host.strip_suffix(".my.salesforce.com")?;
        (u.scheme() == "https" && !domain.is_empty()).then(|| domain.to_owned())
    });
    let segment = |s: &str| url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>();
    match lightning {
        Some(domain) => format!(
            "https://{domain}.lightning.force.com/lightning/r/{}/{}/view",
            segment(object),
            segment(id)
        ),
        None => format!("{base}/{}", segment(id)),
    }
}

#[cfg(test)]
mod tests {
    use super::record_url;

    #[test]
    fn my_domain_urls_become_lightning_pages() {
        let id = "0015g00000AbCdEAAV";
        assert_eq!(
            record_url("https://acme.my.salesforce.com", "Account", id),
            format!("https://acme.lightning.force.com/lightning/r/Account/{id}/view")
        );
        assert_eq!(
            record_url("https://acme--uat.sandbox.my.salesforce.com/", "Case", id),
            format!("https://acme--uat.sandbox.lightning.force.com/lightning/r/Case/{id}/view")
        );
        assert_eq!(
            record_url(
                "https://acme-dev-ed.develop.my.salesforce.com",
                "Project__c",
                id
            ),
            format!(
                "https://acme-dev-ed.develop.lightning.force.com/lightning/r/Project__c/{id}/view"
            )
        );
    }

    #[test]
    fn other_instance_urls_open_the_record_by_id() {
        let id = "0015g00000AbCdEAAV";
        assert_eq!(
            record_url("https://na123.salesforce.com", "Account", id),
            format!("https://na123.salesforce.com/{id}")
        );
        assert_eq!(
            record_url("http://127.0.0.1:4000", "Account", id),
            format!("http://127.0.0.1:4000/{id}")
        );
    }
}
