//! Query result paging: result sets kept server-side under a query locator (`01g…-<offset>`),
//! handed out in batches with `nextRecordsUrl`, as Salesforce's query cursors are.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use super::data::{ApiError, QueryOutput};
use super::tokens::random;
use crate::salesforce::ids::to_18;

/// How long a result set stays available for `nextRecordsUrl`.
const CURSOR_LIFETIME: Duration = Duration::from_secs(15 * 60);

const ALNUM: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

struct Cursor {
    records: Vec<Value>,
    total_size: usize,
    created: Instant,
}

/// Open query cursors.
#[derive(Default)]
pub(crate) struct Pager {
    cursors: HashMap<String, Cursor>,
}

/// The batch size for one query call: the org's configured size (which tests may set below
/// Salesforce's minimum) capped by the client's `Sforce-Query-Options: batchSize=N`, which
/// Salesforce clamps to 200..=2000.
pub(crate) fn batch_size(configured: usize, query_options: Option<&str>) -> usize {
    let requested = query_options
        .into_iter()
        .flat_map(|h| h.split([';', ',']))
        .filter_map(|part| part.trim().strip_prefix("batchSize="))
        .find_map(|n| n.trim().parse::<usize>().ok())
        .map_or(2000, |n| n.clamp(200, 2000));
    configured.min(requested).max(1)
}

impl Pager {
    /// The first page of a query. With `first_batch_only` (OFFSET queries) no cursor is kept.
    pub fn first_page(
        &mut self,
        output: QueryOutput,
        batch: usize,
        version: &str,
        first_batch_only: bool,
    ) -> Value {
        let QueryOutput {
            total_size,
            mut records,
        } = output;
        if records.len() <= batch || first_batch_only {
            records.truncate(batch);
            self.page_children(&mut records, batch, version);
            return page(total_size, records, None);
        }
        self.prune();
        let mut first: Vec<Value> = records.iter().take(batch).cloned().collect();
        let id = self.open(records, total_size);
        self.page_children(&mut first, batch, version);
        page(total_size, first, Some(next_url(version, &id, batch)))
    }

    /// A later page, from the locator in `nextRecordsUrl`.
    pub fn next_page(
        &mut self,
        locator: &str,
        batch: usize,
        version: &str,
    ) -> Result<Value, ApiError> {
        let invalid = || ApiError::new(404, "INVALID_QUERY_LOCATOR", "Invalid query locator");
        let (id, offset) = locator.rsplit_once('-').ok_or_else(invalid)?;
        let offset: usize = offset.parse().map_err(|_| invalid())?;
        let cursor = self.cursors.get(id).ok_or_else(invalid)?;
        if cursor.created.elapsed() >= CURSOR_LIFETIME || offset > cursor.records.len() {
            return Err(invalid());
        }
        let end = (offset + batch).min(cursor.records.len());
        let mut records = cursor.records[offset..end].to_vec();
        let next = (end < cursor.records.len()).then(|| next_url(version, id, end));
        let total_size = cursor.total_size;
        self.page_children(&mut records, batch, version);
        Ok(page(total_size, records, next))
    }

    /// Keeps a result set under a new locator id.
    fn open(&mut self, records: Vec<Value>, total_size: usize) -> String {
        let id = format!("01g{}", random(12, ALNUM));
        let id = to_18(id.as_bytes().try_into().unwrap_or(b"01g000000000000"));
        let cursor = Cursor {
            records,
            total_size,
            created: Instant::now(),
        };
        self.cursors.insert(id.clone(), cursor);
        id
    }

    /// Child subquery results larger than a batch are paged too, each with its own
    /// `nextRecordsUrl` (child rows count toward the batch in Salesforce; one batch per
    /// child result here keeps it simple).
    fn page_children(&mut self, records: &mut [Value], batch: usize, version: &str) {
        for record in records.iter_mut() {
            let Some(fields) = record.as_object_mut() else {
                continue;
            };
            for value in fields.values_mut() {
                let Some(rows) = value
                    .get("records")
                    .and_then(Value::as_array)
                    .filter(|r| r.len() > batch)
                else {
                    continue;
                };
                let rows = rows.clone();
                let total = value["totalSize"]
                    .as_u64()
                    .map_or(rows.len(), |t| t as usize);
                let first: Vec<Value> = rows.iter().take(batch).cloned().collect();
                let id = self.open(rows, total);
                *value = page(total, first, Some(next_url(version, &id, batch)));
            }
        }
    }

    fn prune(&mut self) {
        self.cursors
            .retain(|_, c| c.created.elapsed() < CURSOR_LIFETIME);
    }
}

fn next_url(version: &str, id: &str, offset: usize) -> String {
    format!("/services/data/v{version}/query/{id}-{offset}")
}

fn page(total_size: usize, records: Vec<Value>, next: Option<String>) -> Value {
    let mut body = json!({ "totalSize": total_size, "done": next.is_none(), "records": records });
    if let (Some(url), Some(map)) = (next, body.as_object_mut()) {
        map.insert("nextRecordsUrl".to_string(), Value::String(url));
    }
    body
}

/// Whether a SOQL statement has an OFFSET clause (outside string literals): Salesforce then
/// returns only the first batch.
pub(crate) fn has_offset(soql: &str) -> bool {
    let mut outside = String::with_capacity(soql.len());
    let mut in_literal = false;
    let mut chars = soql.chars();
    while let Some(c) = chars.next() {
        match (in_literal, c) {
            (true, '\\') => {
                chars.next();
            }
            (_, '\'') => {
                in_literal = !in_literal;
                outside.push(' ');
            }
            (true, _) => {}
            (false, c) => outside.push(c),
        }
    }
    outside
        .split(|c: char| !c.is_ascii_alphanumeric() && c != '_')
        .any(|word| word.eq_ignore_ascii_case("OFFSET"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rows(n: usize) -> QueryOutput {
        let records = (0..n)
            .map(|i| json!({ "attributes": {"type": "Account"}, "N": i }))
            .collect();
        QueryOutput {
            total_size: n,
            records,
        }
    }

    fn locator(page: &Value) -> String {
        let url = page["nextRecordsUrl"].as_str().unwrap_or_default();
        url.rsplit('/').next().unwrap_or_default().to_string()
    }

    #[test]
    fn paging_walks_every_row_once_with_a_small_batch() {
        let mut pager = Pager::default();
        let mut page = pager.first_page(rows(7), 3, "67.0", false);
        let mut seen = Vec::new();
        loop {
            assert_eq!(page["totalSize"], 7);
            for r in page["records"].as_array().unwrap() {
                seen.push(r["N"].as_u64().unwrap());
            }
            if page["done"] == true {
                assert!(page.get("nextRecordsUrl").is_none());
                break;
            }
            let url = page["nextRecordsUrl"].as_str().unwrap();
            assert!(url.starts_with("/services/data/v67.0/query/01g"), "{url}");
            page = pager.next_page(&locator(&page), 3, "67.0").unwrap();
        }
        assert_eq!(seen, (0..7).collect::<Vec<u64>>());
    }

    #[test]
    fn locator_is_an_18_character_id_and_an_offset() {
        let mut pager = Pager::default();
        let page = pager.first_page(rows(5), 2, "62.0", false);
        let loc = locator(&page);
        let (id, offset) = loc.rsplit_once('-').unwrap();
        assert_eq!(id.len(), 18);
        assert_eq!(offset, "2");
    }

    #[test]
    fn unknown_locator_is_invalid_query_locator() {
        let mut pager = Pager::default();
        let err = pager
            .next_page("01gXXXXXXXXXXXXAAA-2", 2, "67.0")
            .unwrap_err();
        assert_eq!(err.status, 404);
        assert_eq!(err.body[0]["errorCode"], "INVALID_QUERY_LOCATOR");
        assert_eq!(err.body[0]["message"], "Invalid query locator");
    }

    #[test]
    fn offset_queries_return_only_the_first_batch() {
        let mut pager = Pager::default();
        let page = pager.first_page(rows(5), 2, "67.0", true);
        assert_eq!(page["done"], true);
        assert_eq!(page["records"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn small_result_is_one_done_page() {
        let mut pager = Pager::default();
        let page = pager.first_page(rows(0), 2000, "67.0", false);
        assert_eq!(page, json!({"totalSize": 0, "done": true, "records": []}));
    }

    #[test]
    fn batch_size_header_is_clamped_but_configured_size_may_be_smaller() {
        assert_eq!(batch_size(2000, None), 2000);
        assert_eq!(batch_size(2000, Some("batchSize=50")), 200);
        assert_eq!(batch_size(2000, Some("batchSize=999")), 999);
        assert_eq!(batch_size(2000, Some("batchSize=5000")), 2000);
        assert_eq!(batch_size(3, Some("batchSize=1000")), 3);
    }

    #[test]
    fn offset_detection_ignores_string_literals() {
        assert!(has_offset("SELECT Id FROM Account LIMIT 5 OFFSET 10"));
        assert!(!has_offset(
            "SELECT Id FROM Account WHERE Name = 'offset \\' OFFSET'"
        ));
        assert!(!has_offset("SELECT Offset__c FROM Account"));
    }
}
