//! `list_objects` and `describe_object`: objects with capabilities, fields with what a model needs
//! to write a query or prepare a change. Describe results come from the per-connection cache.

use std::sync::Arc;

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ReadError, Reads};
use crate::connections::LiveSession;
use crate::salesforce::error::SalesforceError;
use crate::salesforce::ids::ObjectName;

/// Arguments of `list_objects`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListObjectsArgs {
    /// Only objects whose API name or label contains this text (case-insensitive), e.g. "opp".
    pub name_contains: Option<String>,
    /// Only custom objects (API names ending in __c).
    pub custom_only: Option<bool>,
    /// Only objects that support this.
    #[schemars(extend("enum" = ["query", "search", "create", "update", "delete", null]))]
    pub capability: Option<String>,
    /// Maximum objects to return (1-500, default 100).
    pub limit: Option<u32>,
    /// The `next_cursor` of a previous call, to continue the list.
    pub cursor: Option<String>,
}

/// One object in a list.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ObjectSummary {
    /// API name, e.g. "Account".
    pub name: String,
    /// Label, e.g. "Account".
    pub label: String,
    /// Whether it is a custom object.
    pub custom: bool,
    /// What the connected user may do: query, search, create, update, delete.
    pub capabilities: Vec<String>,
}

/// `list_objects` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ObjectList {
    /// Objects on this page.
    pub objects: Vec<ObjectSummary>,
    /// Objects on this page.
    pub returned: usize,
    /// All objects matching the filters.
    pub total_matching: usize,
    /// Pass as `cursor` to get the next page; absent on the last page.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub next_cursor: Option<String>,
}

/// Arguments of `describe_object`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct DescribeArgs {
    /// Object API name, e.g. "Account" or "Project__c".
    pub object: String,
    /// Only fields whose API name or label contains this text (case-insensitive).
    pub fields_matching: Option<String>,
    /// Extra details: "picklists" (allowed values), "relationships" (child relationships), "record_types", "list_views".
    #[schemars(extend("items" = {"type": "string", "enum": ["picklists", "relationships", "record_types", "list_views"]}))]
    pub include: Option<Vec<String>>,
    /// Show the picklist values this record type allows (its id, developer name or label).
    pub record_type: Option<String>,
}

/// One field.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FieldInfo {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Salesforce type: string, picklist, reference, date, double, boolean, ...
    #[serde(rename = "type")]
    pub field_type: String,
    /// Maximum length for text fields.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub length: Option<u64>,
    /// Must be given when creating a record.
    pub required_on_create: bool,
    /// Can be set on create.
    pub createable: bool,
    /// Can be changed on update.
    pub updateable: bool,
    /// Usable as the external id of an upsert.
    pub external_id: bool,
    /// Allowed values (with include "picklists").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub picklist_values: Option<Vec<String>>,
    /// Whether only the listed picklist values are accepted.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub restricted_picklist: Option<bool>,
    /// Objects a reference field points to.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub reference_to: Vec<String>,
    /// Relationship name for parent fields in SOQL (e.g. "Account" in Account.Name).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub relationship_name: Option<String>,
}

/// `describe_object` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct ObjectInfo {
    /// API name.
    pub name: String,
    /// Label.
    pub label: String,
    /// Plural label.
    pub label_plural: String,
    /// Whether it is a custom object.
    pub custom: bool,
    /// Supported actions: query, search, create, update, delete.
    pub capabilities: Vec<String>,
    /// Number of fields on the object.
    pub total_fields: usize,
    /// Fields (filtered by `fields_matching` when given).
    pub fields: Vec<FieldInfo>,
    /// Child relationships (with include "relationships"): relationship name, child object, field.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub child_relationships: Option<Vec<Value>>,
    /// Record types (with include "record_types").
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_types: Option<Vec<Value>>,
    /// List views (with include "list_views"): id, developer name, label.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub list_views: Option<Vec<Value>>,
    /// With `record_type`: that record type (id, name, developer name); the fields' picklist
    /// values are then the ones it allows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record_type: Option<Value>,
}

impl ObjectInfo {
    /// Shows one record type's picklist values (`{record_type, picklists: {Field: {values}}}`,
    /// as `Changes::record_type_picklists` gives them) instead of the object's full lists.
    pub fn with_record_type(mut self, picks: &Value) -> Self {
        for field in &mut self.fields {
            if let Some(values) = picks["picklists"][&field.name]["values"].as_array() {
                field.picklist_values = Some(
                    values
                        .iter()
                        .filter_map(|v| v.as_str().map(str::to_owned))
                        .collect(),
                );
            }
        }
        self.record_type = Some(picks["record_type"].clone());
        self
    }
}

const CAPABILITIES: [(&str, &str); 5] = [
    ("query", "queryable"),
    ("search", "searchable"),
    ("create", "createable"),
    ("update", "updateable"),
    ("delete", "deletable"),
];

fn capabilities(object: &Value) -> Vec<String> {
    CAPABILITIES
        .iter()
        .filter(|(_, flag)| object[*flag].as_bool() == Some(true))
        .map(|(c, _)| (*c).to_owned())
        .collect()
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

/// Up to three candidates closest to `name` (case-insensitive), best first.
pub fn closest_names<'a>(name: &str, candidates: impl Iterator<Item = &'a str>) -> Vec<String> {
    let wanted = name.to_ascii_lowercase();
    let mut scored: Vec<(f64, &str)> = candidates
        .map(|c| (strsim::jaro_winkler(&wanted, &c.to_ascii_lowercase()), c))
        .filter(|(score, _)| *score > 0.75)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    scored
        .into_iter()
        .take(3)
        .map(|(_, c)| c.to_owned())
        .collect()
}

impl Reads {
    /// Describe Global, cached per connection.
    pub async fn global(&self, user_id: i64) -> Result<Arc<Value>, ReadError> {
        let live = self.connections.session(user_id).await?;
        self.cached_describe(user_id, live, None).await
    }

    /// An object's describe, cached per connection; unknown objects get close names.
    pub async fn describe(&self, user_id: i64, object: &str) -> Result<Arc<Value>, ReadError> {
        ObjectName::parse(object).map_err(|e| ReadError::BadInput(e.to_string()))?;
        let live = self.connections.session(user_id).await?;
        self.describe_with(user_id, live, object).await
    }

    /// [`Reads::describe`] with a session the caller already read (and uses again).
    pub(super) async fn describe_with(
        &self,
        user_id: i64,
        live: LiveSession,
        object: &str,
    ) -> Result<Arc<Value>, ReadError> {
        let name = ObjectName::parse(object).map_err(|e| ReadError::BadInput(e.to_string()))?;
        match self
            .cached_describe(user_id, live, Some(name.as_str()))
            .await
        {
            Err(ReadError::Salesforce(
                SalesforceError::NotFound { .. } | SalesforceError::UnknownObject { .. },
            )) => Err(self.unknown_object(user_id, object).await),
            other => other,
        }
    }

    /// The error for an unknown object, with the closest names.
    pub async fn unknown_object(&self, user_id: i64, object: &str) -> ReadError {
        let hint = match self.global(user_id).await {
            Ok(global) => {
                let names = global["sobjects"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .filter_map(|o| o["name"].as_str());
                let close = closest_names(object, names);
                if close.is_empty() {
                    String::new()
                } else {
                    format!(" Did you mean: {}?", close.join(", "))
                }
            }
            Err(_) => String::new(),
        };
        ReadError::BadInput(format!(
            "Unknown object '{object}'.{hint} Use list_objects to see the objects you can use."
        ))
    }

    async fn cached_describe(
        &self,
        user_id: i64,
        live: LiveSession,
        object: Option<&str>,
    ) -> Result<Arc<Value>, ReadError> {
        let cache_name = object.unwrap_or("*global*");
        if let Some(hit) = self.describes.fresh(&live.key, cache_name) {
            return Ok(hit);
        }
        let stale = self.describes.stale(&live.key, cache_name);
        let since = stale.as_ref().and_then(|e| e.last_modified.clone());
        let api = &self.api;
        let (reply, key) = self
            .call_with(user_id, live, |s| {
                let since = since.clone();
                async move {
                    match object {
                        Some(o) => api.describe(&s, o, since.as_deref()).await,
                        None => api.describe_global(&s).await,
                    }
                }
            })
            .await?;
        if let (304, Some(entry)) = (reply.status, stale) {
            self.describes.put(
                &key,
                cache_name,
                Arc::clone(&entry.body),
                entry.last_modified,
            );
            return Ok(entry.body);
        }
        let body = Arc::new(reply.body.unwrap_or(Value::Null));
        let last_modified = reply
            .last_modified
            .or_else(|| Some(httpdate::fmt_http_date(std::time::SystemTime::now())));
        self.describes
            .put(&key, cache_name, Arc::clone(&body), last_modified);
        Ok(body)
    }

    /// `list_objects`.
    pub async fn list_objects(
        &self,
        user_id: i64,
        args: ListObjectsArgs,
    ) -> Result<ObjectList, ReadError> {
        let limit = args.limit.unwrap_or(100);
        if !(1..=500).contains(&limit) {
            return Err(ReadError::BadInput(format!(
                "limit must be between 1 and 500 (got {limit})"
            )));
        }
        let capability = args.capability.as_deref().map(str::to_ascii_lowercase);
        if let Some(c) = capability
            .as_ref()
            .filter(|c| !CAPABILITIES.iter().any(|(name, _)| name == c))
        {
            return Err(ReadError::BadInput(format!(
                "capability '{c}' is not known: use query, search, create, update or delete"
            )));
        }
        let offset = match args.cursor.as_deref() {
            None => 0,
            Some(c) => c.parse::<usize>().map_err(|_| {
                ReadError::BadInput(
                    "cursor is not valid: pass the next_cursor of the previous list_objects call"
                        .into(),
                )
            })?,
        };
        let global = self.global(user_id).await?;
        let needle = args.name_contains.as_deref().map(str::to_ascii_lowercase);
        let matching: Vec<ObjectSummary> = global["sobjects"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|o| !args.custom_only.unwrap_or(false) || o["custom"].as_bool() == Some(true))
            .filter(|o| {
                needle.as_ref().is_none_or(|n| {
                    text(o, "name").to_ascii_lowercase().contains(n)
                        || text(o, "label").to_ascii_lowercase().contains(n)
                })
            })
            .map(|o| ObjectSummary {
                name: text(o, "name"),
                label: text(o, "label"),
                custom: o["custom"].as_bool().unwrap_or(false),
                capabilities: capabilities(o),
            })
            .filter(|o| {
                capability
                    .as_ref()
                    .is_none_or(|c| o.capabilities.contains(c))
            })
            .collect();
        let total_matching = matching.len();
        let objects: Vec<ObjectSummary> = matching
            .into_iter()
            .skip(offset)
            .take(limit as usize)
            .collect();
        let end = offset + objects.len();
        Ok(ObjectList {
            returned: objects.len(),
            total_matching,
            next_cursor: (end < total_matching).then(|| end.to_string()),
            objects,
        })
    }

    /// `describe_object`.
    pub async fn describe_object(
        &self,
        user_id: i64,
        args: DescribeArgs,
    ) -> Result<ObjectInfo, ReadError> {
        let include = args.include.unwrap_or_default();
        for i in &include {
            if !["picklists", "relationships", "record_types", "list_views"].contains(&i.as_str()) {
                return Err(ReadError::BadInput(format!(
                    "include '{i}' is not known: use any of picklists, relationships, record_types, list_views"
                )));
            }
        }
        let wants = |what: &str| include.iter().any(|i| i == what);
        let d = self.describe(user_id, &args.object).await?;
        let all = d["fields"].as_array().cloned().unwrap_or_default();
        let needle = args.fields_matching.as_deref().map(str::to_ascii_lowercase);
        let fields = all
            .iter()
            .filter(|f| {
                needle.as_ref().is_none_or(|n| {
                    text(f, "name").to_ascii_lowercase().contains(n)
                        || text(f, "label").to_ascii_lowercase().contains(n)
                })
            })
            .map(|f| field_info(f, wants("picklists")))
            .collect();
        let list_views = match wants("list_views") {
            true => Some(self.list_views_of(user_id, &text(&d, "name")).await?),
            false => None,
        };
        Ok(ObjectInfo {
            name: text(&d, "name"),
            label: text(&d, "label"),
            label_plural: text(&d, "labelPlural"),
            custom: d["custom"].as_bool().unwrap_or(false),
            capabilities: capabilities(&d),
            total_fields: all.len(),
            fields,
            child_relationships: wants("relationships").then(|| child_relationships(&d)),
            record_types: wants("record_types").then(|| record_types(&d)),
            list_views,
            record_type: None,
        })
    }
}

/// Whether a field must be given on create.
pub fn required_on_create(f: &Value) -> bool {
    f["createable"].as_bool() == Some(true)
        && f["nillable"].as_bool() == Some(false)
        && f["defaultedOnCreate"].as_bool() != Some(true)
        && f["type"] != "boolean"
}

fn field_info(f: &Value, with_picklists: bool) -> FieldInfo {
    let field_type = text(f, "type");
    let is_picklist = field_type == "picklist" || field_type == "multipicklist";
    let is_text = [
        "string",
        "textarea",
        "email",
        "phone",
        "url",
        "encryptedstring",
        "picklist",
        "multipicklist",
        "combobox",
    ]
    .contains(&field_type.as_str());
    FieldInfo {
        name: text(f, "name"),
        label: text(f, "label"),
        length: if is_text {
            f["length"].as_u64().filter(|l| *l > 0)
        } else {
            None
        },
        required_on_create: required_on_create(f),
        createable: f["createable"].as_bool().unwrap_or(false),
        updateable: f["updateable"].as_bool().unwrap_or(false),
        external_id: f["externalId"].as_bool().unwrap_or(false),
        picklist_values: (with_picklists && is_picklist).then(|| {
            f["picklistValues"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|p| p["active"].as_bool() != Some(false))
                .filter_map(|p| p["value"].as_str().map(str::to_owned))
                .collect()
        }),
        restricted_picklist: is_picklist
            .then(|| f["restrictedPicklist"].as_bool().unwrap_or(false)),
        reference_to: f["referenceTo"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|r| r.as_str().map(str::to_owned))
            .collect(),
        relationship_name: f["relationshipName"].as_str().map(str::to_owned),
        field_type,
    }
}

fn child_relationships(d: &Value) -> Vec<Value> {
    d["childRelationships"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|r| r["relationshipName"].is_string())
        .map(|r| serde_json::json!({"relationship": r["relationshipName"], "object": r["childSObject"], "field": r["field"]}))
        .collect()
}

fn record_types(d: &Value) -> Vec<Value> {
    d["recordTypeInfos"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| serde_json::json!({"name": r["name"], "developer_name": r["developerName"], "id": r["recordTypeId"], "default": r["defaultRecordTypeMapping"], "active": r["active"], "available": r["available"]}))
        .collect()
}
