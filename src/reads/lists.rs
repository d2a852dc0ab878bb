//! `get_related_records`, `run_list_view` and `list_recent`. Related records and list views are
//! SOQL built here and run through `query_records`, so they page with the same cursors and rules.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::objects::closest_names;
use super::records::check_fields;
use super::{QueryArgs, QueryPage, ReadError, Reads};
use crate::salesforce::ids::{FieldName, ObjectName, RecordId};
use crate::salesforce::links::record_url;

/// Arguments of `get_related_records`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RelatedArgs {
    /// Parent object API name, e.g. "Account".
    pub object: String,
    /// Parent record id (15 or 18 characters).
    pub id: String,
    /// Child relationship name, e.g. "Contacts", "Opportunities", "Cases" (describe_object with include ["relationships"] lists them).
    pub relationship: String,
    /// Fields of the related records (default: Id and the name field).
    pub fields: Option<Vec<String>>,
    /// Most rows to return, 1 to 2000 (default 200).
    #[schemars(range(min = 1, max = 2000))]
    pub max_rows: Option<i64>,
    /// The `next_cursor` of a previous call with the same arguments.
    pub cursor: Option<String>,
}

/// `get_related_records` result: one page, as `query_records` pages.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RelatedOut {
    /// The related records' object.
    pub object: String,
    /// The page.
    #[serde(flatten)]
    pub page: QueryPage,
}

/// Arguments of `run_list_view`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListViewArgs {
    /// Object API name, e.g. "Account".
    pub object: String,
    /// List view id (00B...), developer name or label, e.g. "Key accounts".
    pub list_view: String,
    /// Most rows to return, 1 to 2000 (default 200).
    #[schemars(range(min = 1, max = 2000))]
    pub max_rows: Option<i64>,
    /// The `next_cursor` of a previous call with the same arguments.
    pub cursor: Option<String>,
}

/// A list view column.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListViewColumn {
    /// Field name or path, e.g. "Owner.Alias".
    pub name: String,
    /// Label.
    pub label: String,
    /// Field type.
    #[serde(rename = "type")]
    pub column_type: String,
}

/// `run_list_view` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ListViewOut {
    /// The list view's label.
    pub list_view: String,
    /// Visible columns.
    pub columns: Vec<ListViewColumn>,
    /// The page.
    #[serde(flatten)]
    pub page: QueryPage,
}

/// Arguments of `list_recent`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct RecentArgs {
    /// Only records of this object, e.g. "Account".
    pub object: Option<String>,
    /// Most records, 1 to 200 (default 20).
    #[schemars(range(min = 1, max = 200))]
    pub limit: Option<u32>,
}

/// A recently viewed record.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecentItem {
    /// Object API name.
    pub object: String,
    /// Record id.
    pub id: String,
    /// Record name.
    pub name: Option<String>,
    /// Record page.
    pub url: String,
}

/// `list_recent` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecentOut {
    /// Newest first.
    pub records: Vec<RecentItem>,
}

fn bad(e: impl std::fmt::Display) -> ReadError {
    ReadError::BadInput(e.to_string())
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// The name field of a describe (`Name`, `CaseNumber`, `Subject`...).
pub fn name_field(describe: &Value) -> Option<String> {
    describe["fields"]
        .as_array()?
        .iter()
        .find(|f| f["nameField"].as_bool() == Some(true))
        .and_then(|f| f["name"].as_str().map(str::to_owned))
}

impl Reads {
    /// `get_related_records`.
    pub async fn get_related_records(
        &self,
        user_id: i64,
        args: RelatedArgs,
    ) -> Result<RelatedOut, ReadError> {
        let object = ObjectName::parse(&args.object).map_err(bad)?;
        let id = RecordId::parse(&args.id).map_err(bad)?;
        let parent = self.describe(user_id, object.as_str()).await?;
        let parent_name = text(&parent, "name");
        let relationships: Vec<&Value> = parent["childRelationships"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|r| r["relationshipName"].is_string())
            .collect();
        let wanted = args.relationship.trim();
        let Some(rel) = relationships
            .iter()
            .find(|r| text(r, "relationshipName").eq_ignore_ascii_case(wanted))
        else {
            let names: Vec<String> = relationships
                .iter()
                .map(|r| text(r, "relationshipName"))
                .collect();
            let close = closest_names(wanted, names.iter().map(String::as_str));
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!(" Did you mean: {}?", close.join(", "))
            };
            let lookup = parent["fields"].as_array().into_iter().flatten().find(|f| {
                f["relationshipName"]
                    .as_str()
                    .is_some_and(|r| r.eq_ignore_ascii_case(wanted))
            });
            let parent_hint = lookup.map_or_else(String::new, |f| format!(" '{wanted}' is a lookup to a parent: read {} with get_record, then get that record.", text(f, "name")));
            let list: Vec<String> = relationships
                .iter()
                .map(|r| {
                    format!(
                        "{} ({})",
                        text(r, "relationshipName"),
                        text(r, "childSObject")
                    )
                })
                .collect();
            return Err(ReadError::BadInput(format!(
                "{parent_name} has no child relationship '{wanted}'.{hint}{parent_hint} Its child relationships: {}.",
                list.join(", ")
            )));
        };
        let child = text(rel, "childSObject");
        let describe = self.describe(user_id, &child).await?;
        let fields = match args.fields.filter(|f| !f.is_empty()) {
            Some(fields) => {
                for f in &fields {
                    FieldName::parse(f).map_err(bad)?;
                }
                check_fields(&describe, &fields)?;
                fields
            }
            None => std::iter::once("Id".to_owned())
                .chain(name_field(&describe).filter(|n| n != "Id"))
                .collect(),
        };
        let soql = format!(
            "SELECT {} FROM {child} WHERE {} = '{}' ORDER BY Id",
            fields.join(", "),
            text(rel, "field"),
            id.as_str()
        );
        let page = self
            .query_records(
                user_id,
                QueryArgs {
                    soql: Some(soql),
                    max_rows: args.max_rows,
                    cursor: args.cursor,
                },
            )
            .await?;
        Ok(RelatedOut {
            object: child,
            page,
        })
    }

    /// The list views of an object: (id, developer name, label), every page followed.
    pub async fn list_view_entries(
        &self,
        user_id: i64,
        object: &str,
    ) -> Result<Vec<(String, String, String)>, ReadError> {
        let api = &self.api;
        let (reply, _) = self
            .call(user_id, |s| async move { api.list_views(&s, object).await })
            .await?;
        let mut body = reply.body.unwrap_or(Value::Null);
        let mut out = Vec::new();
        for _ in 0..50 {
            for v in body["listviews"].as_array().into_iter().flatten() {
                out.push((text(v, "id"), text(v, "developerName"), text(v, "label")));
            }
            let next = body["nextRecordsUrl"]
                .as_str()
                .filter(|_| body["done"] == Value::Bool(false))
                .map(str::to_owned);
            let Some(next) = next else { break };
            let (reply, _) = self
                .call(user_id, |s| {
                    let n = next.clone();
                    async move { api.next_page(&s, &n).await }
                })
                .await?;
            body = reply.body.unwrap_or(Value::Null);
        }
        Ok(out)
    }

    /// An object's list views for `describe_object`: `{id, developer_name, label}`.
    pub async fn list_views_of(&self, user_id: i64, object: &str) -> Result<Vec<Value>, ReadError> {
        let views = self.list_view_entries(user_id, object).await?;
        Ok(views
            .into_iter()
            .map(|(id, dev, label)| serde_json::json!({"id": id, "developer_name": dev, "label": label}))
            .collect())
    }

    /// `run_list_view`.
    pub async fn run_list_view(
        &self,
        user_id: i64,
        args: ListViewArgs,
    ) -> Result<ListViewOut, ReadError> {
        let d = self.describe(user_id, &args.object).await?;
        let object = text(&d, "name");
        let views = self.list_view_entries(user_id, &object).await?;
        let wanted = args.list_view.trim();
        let as_id = RecordId::parse(wanted).ok();
        let found = views.iter().find(|(id, dev, label)| {
            as_id
                .as_ref()
                .is_some_and(|w| RecordId::parse(id).is_ok_and(|i| &i == w))
                || dev.eq_ignore_ascii_case(wanted)
                || label.eq_ignore_ascii_case(wanted)
        });
        let Some((id, _, label)) = found else {
            let close = closest_names(wanted, views.iter().map(|v| v.2.as_str()));
            let hint = if close.is_empty() {
                String::new()
            } else {
                format!(" Did you mean: {}?", close.join(", "))
            };
            let list: Vec<String> = views
                .iter()
                .map(|(_, dev, label)| format!("{label} ({dev})"))
                .collect();
            return Err(ReadError::BadInput(format!(
                "{object} has no list view '{wanted}'.{hint} Its list views: {}.",
                list.join(", ")
            )));
        };
        let (api, name) = (&self.api, object.as_str());
        let (reply, _) = self
            .call(user_id, |s| async move {
                api.list_view_describe(&s, name, id).await
            })
            .await?;
        let describe = reply.body.unwrap_or(Value::Null);
        let soql = text(&describe, "query");
        let columns = describe["columns"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|c| c["hidden"].as_bool() != Some(true))
            .map(|c| ListViewColumn {
                name: text(c, "fieldNameOrPath"),
                label: text(c, "label"),
                column_type: text(c, "type"),
            })
            .collect();
        let page = self
            .query_records(
                user_id,
                QueryArgs {
                    soql: Some(soql),
                    max_rows: args.max_rows,
                    cursor: args.cursor,
                },
            )
            .await?;
        Ok(ListViewOut {
            list_view: label.clone(),
            columns,
            page,
        })
    }

    /// `list_recent`.
    pub async fn list_recent(
        &self,
        user_id: i64,
        args: RecentArgs,
    ) -> Result<RecentOut, ReadError> {
        let limit = args.limit.unwrap_or(20);
        if !(1..=200).contains(&limit) {
            return Err(ReadError::BadInput(format!(
                "limit must be between 1 and 200 (got {limit}): Salesforce keeps at most 200 recently viewed records"
            )));
        }
        let object = match args.object.as_deref() {
            Some(o) => Some(text(&*self.describe(user_id, o).await?, "name")),
            None => None,
        };
        let api = &self.api;
        let ask = if object.is_some() { 200 } else { limit };
        let (reply, _) = self
            .call(user_id, |s| async move { api.recent(&s, ask).await })
            .await?;
        let instance = self.instance_url(user_id).await?;
        let records = reply
            .body
            .as_ref()
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter(|r| {
                object
                    .as_ref()
                    .is_none_or(|o| r["attributes"]["type"].as_str() == Some(o))
            })
            .take(limit as usize)
            .map(|r| {
                let (object, id) = (text(&r["attributes"], "type"), text(r, "Id"));
                RecentItem {
                    url: record_url(&instance, &object, &id),
                    name: r["Name"].as_str().map(str::to_owned),
                    object,
                    id,
                }
            })
            .collect();
        Ok(RecentOut { records })
    }
}
