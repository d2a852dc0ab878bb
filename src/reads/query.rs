//! `query_records`: read-only SOQL with paging that never skips or repeats a row. Rows of a
//! Salesforce batch that were not handed out are kept with the cursor, with the `nextRecordsUrl`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ReadError, Reads, compact_record};
use crate::salesforce::soql::check_read_only;
use crate::store::{self, cursors::CursorRow};

/// Most rows one call may return.
pub const MAX_ROWS: i64 = 2000;
const DEFAULT_ROWS: i64 = 200;
/// Most extra batches of child subquery rows one call fetches.
const MAX_CHILD_FETCHES: usize = 100;

/// Arguments of `query_records`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct QueryArgs {
    /// One read-only SOQL SELECT, e.g. "SELECT Id, Name FROM Account WHERE Industry = 'Energy' ORDER BY Name".
    /// May be omitted when `cursor` is given.
    pub soql: Option<String>,
    /// Most rows to return in this call, 1 to 2000 (default 200).
    #[schemars(range(min = 1, max = 2000))]
    pub max_rows: Option<i64>,
    /// The `next_cursor` of a previous call: continues exactly after its last row.
    pub cursor: Option<String>,
}

/// One page of query results.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct QueryPage {
    /// Rows (without Salesforce's `attributes`).
    pub records: Vec<Value>,
    /// All rows the query matches.
    pub total_size: u64,
    /// Rows in this page.
    pub returned: usize,
    /// Rows returned so far, including this page.
    pub returned_so_far: u64,
    /// Pass as `cursor` to continue; absent when no rows remain.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

struct Position {
    soql: String,
    buffer: std::collections::VecDeque<Value>,
    next_url: Option<String>,
    total: u64,
    returned_before: u64,
}

fn batch_parts(body: Option<Value>) -> (Vec<Value>, Option<String>, u64) {
    let mut body = body.unwrap_or(Value::Null);
    let total = body["totalSize"].as_u64().unwrap_or(0);
    let done = body["done"].as_bool().unwrap_or(true);
    let next = if done {
        None
    } else {
        body["nextRecordsUrl"].as_str().map(str::to_owned)
    };
    let records = match body.get_mut("records").map(Value::take) {
        Some(Value::Array(rows)) => rows,
        _ => Vec::new(),
    };
    (records, next, total)
}

impl Reads {
    /// `query_records`.
    pub async fn query_records(
        &self,
        user_id: i64,
        args: QueryArgs,
    ) -> Result<QueryPage, ReadError> {
        let max_rows = args.max_rows.unwrap_or(DEFAULT_ROWS);
        if !(1..=MAX_ROWS).contains(&max_rows) {
            return Err(ReadError::BadInput(format!(
                "max_rows must be between 1 and {MAX_ROWS} (got {max_rows}); to read more rows, follow next_cursor"
            )));
        }
        let mut position = match args.cursor.as_deref() {
            Some(cursor) => self.resume(user_id, cursor, args.soql.as_deref()).await?,
            None => self.start(user_id, args.soql.as_deref()).await?,
        };
        let mut records = Vec::with_capacity(max_rows as usize);
        let mut child_fetches = MAX_CHILD_FETCHES;
        let mut failure = None;
        while records.len() < max_rows as usize {
            if let Some(mut row) = position.buffer.pop_front() {
                match self
                    .complete_children(user_id, &mut row, &mut child_fetches)
                    .await
                {
                    Ok(()) => records.push(compact_record(row)),
                    Err(e) => {
                        position.buffer.push_front(row);
                        failure = Some(e);
                        break;
                    }
                }
                continue;
            }
            let Some(next) = position.next_url.take() else {
                break;
            };
            match self.fetch_batch(user_id, &next).await {
                Ok((rows, next_url)) => {
                    position.buffer.extend(rows);
                    position.next_url = next_url;
                }
                Err(e) => {
                    position.next_url = Some(next);
                    failure = Some(e);
                    break;
                }
            }
        }
        // Nothing is lost on a failure: what failed is fetched again by the next call. With rows
        // in hand, return them and a cursor; with none, keep the caller's cursor and report it.
        if let Some(e) = failure.filter(|_| records.is_empty()) {
            if let Some(cursor) = args.cursor.as_deref() {
                let before = position.returned_before;
                self.save_cursor(user_id, Some(cursor), position, before)
                    .await?;
            }
            return Err(e);
        }
        let returned_so_far = position.returned_before + records.len() as u64;
        let total_size = position.total;
        let next_cursor = if position.buffer.is_empty() && position.next_url.is_none() {
            None
        } else {
            Some(
                self.save_cursor(user_id, None, position, returned_so_far)
                    .await?,
            )
        };
        Ok(QueryPage {
            returned: records.len(),
            total_size,
            returned_so_far,
            next_cursor,
            records,
        })
    }

    /// The next batch: its rows and the `nextRecordsUrl` after it.
    async fn fetch_batch(
        &self,
        user_id: i64,
        next: &str,
    ) -> Result<(Vec<Value>, Option<String>), ReadError> {
        let api = &self.api;
        let (reply, _) = self
            .call(user_id, |s| async move { api.query_more(&s, next).await })
            .await?;
        let (rows, next_url, _) = batch_parts(reply.body);
        Ok((rows, next_url))
    }

    /// Follows the `nextRecordsUrl` of a row's child subquery results, so that every child row
    /// comes back (at most `budget` more batches per call; past it a child result stays
    /// `done: false`).
    async fn complete_children(
        &self,
        user_id: i64,
        row: &mut Value,
        budget: &mut usize,
    ) -> Result<(), ReadError> {
        let Some(fields) = row.as_object_mut() else {
            return Ok(());
        };
        for child in fields.values_mut() {
            while *budget > 0 && child["done"] == Value::Bool(false) {
                let Some(next) = child["nextRecordsUrl"].as_str().map(str::to_owned) else {
                    break;
                };
                *budget -= 1;
                let (rows, next_url) = self.fetch_batch(user_id, &next).await?;
                if let Some(all) = child.get_mut("records").and_then(Value::as_array_mut) {
                    all.extend(rows);
                }
                child["done"] = Value::Bool(next_url.is_none());
                match (next_url, child.as_object_mut()) {
                    (Some(url), Some(map)) => {
                        map.insert("nextRecordsUrl".into(), Value::String(url))
                    }
                    (None, Some(map)) => map.remove("nextRecordsUrl"),
                    _ => None,
                };
            }
        }
        Ok(())
    }

    async fn start(&self, user_id: i64, soql: Option<&str>) -> Result<Position, ReadError> {
        let soql = soql.ok_or_else(|| {
            ReadError::BadInput("soql is required (or pass the cursor of a previous call)".into())
        })?;
        let checked = check_read_only(soql).map_err(|e| ReadError::BadInput(e.to_string()))?;
        let text = checked.as_str().to_owned();
        let api = &self.api;
        let (reply, _) = self
            .call(user_id, |s| {
                let q = text.clone();
                async move { api.query(&s, &q).await }
            })
            .await?;
        let (rows, next_url, total) = batch_parts(reply.body);
        Ok(Position {
            soql: text,
            buffer: rows.into(),
            next_url,
            total,
            returned_before: 0,
        })
    }

    async fn resume(
        &self,
        user_id: i64,
        cursor: &str,
        soql: Option<&str>,
    ) -> Result<Position, ReadError> {
        const OTHER_QUERY: &str = "the soql differs from the query this cursor belongs to; omit soql to continue, or run the new query without a cursor";
        let expected = match soql {
            Some(given) => Some(
                check_read_only(given)
                    .map_err(|_| ReadError::BadInput(OTHER_QUERY.into()))?
                    .as_str()
                    .to_owned(),
            ),
            None => None,
        };
        let id = cursor.to_owned();
        let (row, other_query) = self
            .store
            .call(move |c| {
                let row = store::cursors::take(c, &id, user_id, expected.as_deref())?;
                let other_query =
                    row.is_none() && expected.is_some() && store::cursors::exists(c, &id, user_id)?;
                Ok((row, other_query))
            })
            .await?;
        if other_query {
            return Err(ReadError::BadInput(OTHER_QUERY.into()));
        }
        let row = row.ok_or_else(|| ReadError::BadInput("this cursor is unknown, already used, or expired (cursors last 15 minutes and can be used once); run the query again".into()))?;
        let buffer: Vec<Value> = serde_json::from_str(&row.buffered_rows).unwrap_or_default();
        Ok(Position {
            soql: row.soql,
            buffer: buffer.into(),
            next_url: row.next_records_url,
            total: row.total_size as u64,
            returned_before: row.returned as u64,
        })
    }

    /// Stores the position under `id` (a cursor being restored) or a new random id.
    async fn save_cursor(
        &self,
        user_id: i64,
        id: Option<&str>,
        position: Position,
        returned: u64,
    ) -> Result<String, ReadError> {
        let id = id.map_or_else(|| uuid::Uuid::new_v4().simple().to_string(), str::to_owned);
        let rows: Vec<Value> = position.buffer.into();
        let row = CursorRow {
            id: id.clone(),
            user_id,
            soql: position.soql,
            buffered_rows: Value::Array(rows).to_string(),
            next_records_url: position.next_url,
            total_size: position.total as i64,
            returned: returned as i64,
            expires_at: store::timestamp(chrono::Utc::now() + chrono::Duration::minutes(15)),
        };
        self.store
            .call(move |c| {
                store::cursors::delete_expired(c)?;
                store::cursors::insert(c, &row)
            })
            .await?;
        Ok(id)
    }
}
