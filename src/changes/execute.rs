//! Deciding and executing a change exactly once: `pending -> executing` by a conditional update
//! (only one caller can win), a `SystemModstamp` check for updates and deletes, one write (a
//! 401 `INVALID_SESSION_ID` answer was not executed, so it is refreshed and sent once more;
//! nothing else is ever resent), then `succeeded`, `failed`, `conflict` or `unknown`.

use serde_json::{Map, Value, json};

use super::recover::{this_host, this_pid};
use super::{ChangeError, ChangeId, ChangeView, Changes, FieldChange, Via, status};
use crate::reads::ReadError;
use crate::salesforce::client::{Reply, Upserted, written_id};
use crate::salesforce::error::SalesforceError;
use crate::store::changes::{ChangeRow, Executor};
use crate::store::{self, now_text, timestamp};

/// A person's decision on a pending change.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Execute it.
    Approve,
    /// Do not execute it.
    Reject,
}

impl Changes {
    /// The person's pending change; a change in any other state is [`ChangeError::NotPending`].
    pub async fn pending(&self, user_id: i64, change_id: &str) -> Result<ChangeView, ChangeError> {
        let view = self.show(user_id, change_id).await?;
        if view.status == status::PENDING {
            Ok(view)
        } else {
            Err(ChangeError::NotPending(Box::new(view)))
        }
    }

    /// Applies a person's decision: [`Changes::approve`] or [`Changes::reject`].
    pub async fn decide(
        &self,
        user_id: i64,
        change_id: &str,
        decision: Decision,
        via: Via,
    ) -> Result<ChangeView, ChangeError> {
        match decision {
            Decision::Approve => self.approve(user_id, change_id, via).await,
            Decision::Reject => self.reject(user_id, change_id, via).await,
        }
    }

    /// The person approves their pending change: it executes now, once. Returns the change
    /// with its outcome (`succeeded`, `failed`, `conflict` or `unknown`). A change that is not
    /// pending (or another person's) is never executed.
    pub async fn approve(
        &self,
        user_id: i64,
        change_id: &str,
        via: Via,
    ) -> Result<ChangeView, ChangeError> {
        let id = ChangeId::parse(change_id)?;
        self.ensure_changes_allowed().await?;
        self.expire_due().await?;
        let row = self.load(user_id, &id).await?;
        // Reads before the write may each take up to the timeout: lease for several.
        let (key, lease) = (row.id.clone(), self.lease_until(4));
        let won = self
            .store
            .call(move |c| {
                as_executor(&lease, |executor| {
                    store::changes::begin_execution(
                        c,
                        &key,
                        user_id,
                        via.as_str(),
                        &now_text(),
                        executor,
                    )
                })
            })
            .await?;
        if won == 0 {
            let now = self.load(user_id, &id).await?;
            return Err(ChangeError::NotPending(Box::new(ChangeView::from_row(
                &now,
            ))));
        }
        self.audit(
            user_id,
            "change.approve",
            &row.id,
            json!({"via": via.as_str()}),
        )
        .await?;
        let (outcome, result) = self.execute(user_id, &row).await;
        let (key, text) = (row.id.clone(), result.to_string());
        let recorded = self
            .store
            .call(move |c| store::changes::finish(c, &key, outcome, &text, &now_text()))
            .await?;
        if recorded == 0 {
            // Recovery marked it `unknown` meanwhile; keep what really happened in the audit log.
            tracing::warn!(change = %row.id, outcome, "a change finished after it was marked unknown");
        }
        let detail = json!({"status": outcome, "sent": sent_body(&row), "answer": result, "recorded": recorded == 1});
        self.audit(user_id, "change.execute", &row.id, detail)
            .await?;
        Ok(ChangeView::from_row(&self.load(user_id, &id).await?))
    }

    /// The person rejects their pending change: nothing is sent to Salesforce.
    pub async fn reject(
        &self,
        user_id: i64,
        change_id: &str,
        via: Via,
    ) -> Result<ChangeView, ChangeError> {
        self.close(user_id, change_id, status::REJECTED, via, "change.reject")
            .await
    }

    /// The person withdraws their pending change: nothing is sent to Salesforce.
    pub async fn cancel(&self, user_id: i64, change_id: &str) -> Result<ChangeView, ChangeError> {
        self.close(
            user_id,
            change_id,
            status::CANCELLED,
            Via::Tool,
            "change.cancel",
        )
        .await
    }

    async fn close(
        &self,
        user_id: i64,
        change_id: &str,
        to: &'static str,
        via: Via,
        action: &'static str,
    ) -> Result<ChangeView, ChangeError> {
        let id = ChangeId::parse(change_id)?;
        self.expire_due().await?;
        let key = self.load(user_id, &id).await?.id;
        let done = self
            .store
            .call(move |c| {
                store::changes::decide_without_executing(
                    c,
                    &key,
                    user_id,
                    to,
                    via.as_str(),
                    &now_text(),
                )
            })
            .await?;
        let view = ChangeView::from_row(&self.load(user_id, &id).await?);
        if done == 0 {
            return Err(ChangeError::NotPending(Box::new(view)));
        }
        self.audit(user_id, action, id.as_str(), json!({"via": via.as_str()}))
            .await?;
        Ok(view)
    }

    /// Checks the record has not changed, then sends the write once. Returns the final status
    /// and what Salesforce answered.
    async fn execute(&self, user_id: i64, row: &ChangeRow) -> (&'static str, Value) {
        let fields: Vec<FieldChange> = serde_json::from_str(&row.fields).unwrap_or_default();
        let records = super::preview::records_of(row, &fields);
        if records.len() > 1 {
            return self.execute_batch(user_id, row, &records).await;
        }
        let stop = match row.operation.as_str() {
            "update" | "delete" => self.conflict(user_id, row).await,
            "upsert" => self.upsert_conflict(user_id, row).await,
            _ => None,
        };
        if let Some(stop) = stop {
            return stop;
        }
        if !self.renew_lease(&row.id).await {
            let text = "the change stopped executing here before its write (its lease ran out and it was marked unknown); nothing was sent";
            return (status::UNKNOWN, failure(text, None));
        }
        match self.send(user_id, row).await {
            Ok(reply) => {
                let mut result = success(row, &reply);
                self.link(user_id, row, &mut result).await;
                (status::SUCCEEDED, result)
            }
            Err(e) => outcome_of_error(e),
        }
    }

    /// Adds the Lightning `url` to a result's record (and to each item of several records);
    /// a record deleted has none.
    pub(super) async fn link(&self, user_id: i64, row: &ChangeRow, result: &mut Value) {
        if row.operation == "delete" {
            return;
        }
        let Ok(instance) = self.instance_url(user_id).await else {
            return;
        };
        let url = |id: &Value| {
            id.as_str()
                .map(|id| crate::salesforce::links::record_url(&instance, &row.object, id))
        };
        if let Some(items) = result["items"].as_array_mut() {
            for item in items.iter_mut().filter(|i| i["success"] == true) {
                item["url"] = json!(url(&item["id"]));
            }
        } else {
            result["url"] = json!(url(&result["id"]));
        }
    }

    /// The end of a lease covering `timeouts` Salesforce calls plus a margin.
    fn lease_until(&self, timeouts: u32) -> String {
        if let Some(lease) = self.settings.test_lease {
            let lease = chrono::Duration::from_std(lease).unwrap_or(chrono::Duration::seconds(1));
            return timestamp(chrono::Utc::now() + lease);
        }
        let calls = chrono::Duration::from_std(self.settings.http_timeout * timeouts)
            .unwrap_or(chrono::Duration::minutes(2));
        timestamp(chrono::Utc::now() + calls + chrono::Duration::seconds(60))
    }

    /// Renews this executor's lease for one write (one timeout plus a margin); false when the
    /// change is no longer executing here.
    pub(super) async fn renew_lease(&self, id: &str) -> bool {
        let (id, lease) = (id.to_owned(), self.lease_until(1));
        let renewed = self
            .store
            .call(move |c| {
                as_executor(&lease, |executor| {
                    store::changes::renew_lease(c, &id, executor)
                })
            })
            .await;
        matches!(renewed, Ok(1))
    }

    /// For an upsert: `Some(outcome)` when what the external id matches is no longer what the
    /// person approved (a record now exists where a create was previewed, or the matched record
    /// is another one or changed since the preview).
    async fn upsert_conflict(
        &self,
        user_id: i64,
        row: &ChangeRow,
    ) -> Option<(&'static str, Value)> {
        let field = row.external_id_field.clone().unwrap_or_default();
        let value = row.external_id_value.clone().unwrap_or_default();
        let soql = format!(
            "SELECT Id, SystemModstamp FROM {} WHERE {field} = {} LIMIT 3",
            row.object,
            crate::salesforce::soql::quote_literal(&value)
        );
        let api = self.reads.api();
        let read = self
            .reads
            .call(user_id, |s| {
                let q = soql.clone();
                async move { api.query(&s, &q).await }
            })
            .await;
        let records = match read {
            Ok((reply, _)) => reply
                .body
                .and_then(|b| b["records"].as_array().cloned())
                .unwrap_or_default(),
            Err(e) => {
                let text = format!(
                    "could not check the record before writing, so nothing was written: {e}"
                );
                return Some((status::FAILED, failure(&text, None)));
            }
        };
        let text = |v: &Value, k: &str| v[k].as_str().map(str::to_owned);
        let unchanged = match (row.upsert_creates, records.as_slice()) {
            (Some(true), []) => true,
            (Some(false), [one]) => {
                text(one, "Id") == row.record_id
                    && text(one, "SystemModstamp") == row.system_modstamp
            }
            _ => false,
        };
        (!unchanged).then(|| {
            let message = format!(
                "what {field} = \"{value}\" matches changed in Salesforce after the preview ({} record(s) now); nothing was written",
                records.len()
            );
            (status::CONFLICT, json!({"error": message}))
        })
    }

    /// `Some(outcome)` when the write must not go ahead: the record changed or vanished since
    /// the preview, or it could not be read.
    async fn conflict(&self, user_id: i64, row: &ChangeRow) -> Option<(&'static str, Value)> {
        let (object, id) = (
            row.object.clone(),
            row.record_id.clone().unwrap_or_default(),
        );
        let api = self.reads.api();
        let read = self
            .reads
            .call(user_id, |s| {
                let (o, i) = (object.clone(), id.clone());
                async move { api.get_record(&s, &o, &i, Some("Id,SystemModstamp")).await }
            })
            .await;
        match read {
            Ok((reply, _)) => {
                let now = reply
                    .body
                    .as_ref()
                    .and_then(|b| b["SystemModstamp"].as_str())
                    .map(str::to_owned);
                (now != row.system_modstamp).then(|| {
                    let message = "the record changed in Salesforce after the preview; nothing was written";
                    (status::CONFLICT, json!({"error": message, "previewed_system_modstamp": row.system_modstamp, "current_system_modstamp": now}))
                })
            }
            Err(ReadError::Salesforce(SalesforceError::NotFound { message, .. })) => Some((
                status::CONFLICT,
                json!({"error": format!("the record no longer exists or cannot be seen ({message}); nothing was written")}),
            )),
            Err(e) => Some((
                status::FAILED,
                failure(
                    &format!(
                        "could not check the record before writing, so nothing was written: {e}"
                    ),
                    None,
                ),
            )),
        }
    }

    async fn send(&self, user_id: i64, row: &ChangeRow) -> Result<Reply, ReadError> {
        let api = self.reads.api();
        let body = sent_body(row);
        let object = row.object.as_str();
        let id = row.record_id.clone().unwrap_or_default();
        let ext = (
            row.external_id_field.clone().unwrap_or_default(),
            row.external_id_value.clone().unwrap_or_default(),
        );
        let operation = row.operation.as_str();
        let (reply, _) = self
            .reads
            .call(user_id, |s| {
                let (body, id, ext) = (&body, &id, &ext);
                async move {
                    match operation {
                        "create" => api.create(&s, object, body).await,
                        "update" => api.update(&s, object, id, body).await,
                        "upsert" => api.upsert(&s, object, (&ext.0, &ext.1), body).await,
                        _ => api.delete(&s, object, id).await,
                    }
                }
            })
            .await?;
        Ok(reply)
    }
}

/// The status and result of a write Salesforce did not accept: no answer, or a server error
/// that may come after the write was applied, is `unknown` (never sent again); else `failed`.
pub(super) fn outcome_of_error(e: ReadError) -> (&'static str, Value) {
    match e {
        ReadError::Salesforce(
            e @ (SalesforceError::Transport { .. } | SalesforceError::Unavailable { .. }),
        ) => (status::UNKNOWN, failure(&e.to_string(), e.code())),
        ReadError::Salesforce(e @ SalesforceError::Unexpected { status: 500.., .. }) => {
            (status::UNKNOWN, failure(&e.to_string(), e.code()))
        }
        ReadError::Salesforce(e) => (status::FAILED, salesforce_failure(&e)),
        e => (status::FAILED, failure(&e.to_string(), None)),
    }
}

/// Exactly what is sent: the previewed fields with their `after` values (nothing for a
/// delete), or for several records the collections records (or ids).
fn sent_body(row: &ChangeRow) -> Value {
    let fields: Vec<FieldChange> = serde_json::from_str(&row.fields).unwrap_or_default();
    let records = super::preview::records_of(row, &fields);
    if records.len() > 1 {
        return match row.operation.as_str() {
            "delete" => json!({"ids": super::execute_batch::batch_ids(&records)}),
            _ => {
                json!({"allOrNone": true, "records": super::execute_batch::batch_records(row, &records)})
            }
        };
    }
    let map: Map<String, Value> = fields.into_iter().map(|f| (f.name, f.after)).collect();
    Value::Object(map)
}

fn success(row: &ChangeRow, reply: &Reply) -> Value {
    match row.operation.as_str() {
        "create" => json!({"id": written_id(reply), "created": true, "http_status": reply.status}),
        "upsert" => {
            let u = Upserted::from_reply(reply);
            let id = if u.id.is_empty() {
                row.record_id.clone().unwrap_or_default()
            } else {
                u.id
            };
            json!({"id": id, "created": u.created, "http_status": reply.status})
        }
        _ => json!({"id": row.record_id, "http_status": reply.status}),
    }
}

pub(super) fn failure(message: &str, code: Option<&str>) -> Value {
    json!({"error": message, "code": code})
}

fn salesforce_failure(e: &SalesforceError) -> Value {
    let mut v = failure(&e.to_string(), e.code());
    if let SalesforceError::Rejected { fields, .. } | SalesforceError::InvalidField { fields, .. } =
        e
    {
        v["fields"] = json!(fields);
    }
    v
}

/// Runs `f` with this process as the executor of a change, leased until `lease_until`.
fn as_executor<R>(lease_until: &str, f: impl FnOnce(&Executor<'_>) -> R) -> R {
    let host = this_host();
    f(&Executor {
        host: &host,
        pid: this_pid(),
        lease_until,
    })
}
