//! `get_record` and `search_records`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::lists::name_field;
use super::objects::closest_names;
use super::{ReadError, Reads, compact_record};
use crate::salesforce::ids::{FieldName, ObjectName, RecordId};
use crate::salesforce::links::record_url;
use crate::salesforce::soql::quote_literal;
use crate::salesforce::sosl::{SearchObject, SearchSpec, build_sosl};

/// Arguments of `get_record`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct GetRecordArgs {
    /// Object API name, e.g. "Contact".
    pub object: String,
    /// Record id, 15 or 18 characters, e.g. "003D000000QwErTYAB".
    pub id: String,
    /// Field API names to return (default: all fields you can see).
    pub fields: Option<Vec<String>>,
}

/// `get_record` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct RecordOut {
    /// Object API name.
    pub object: String,
    /// 18-character record id.
    pub id: String,
    /// The record's page in Salesforce.
    pub url: String,
    /// Field values.
    pub record: Value,
}

/// An object to search, with the fields to return.
#[derive(Debug, Clone, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchObjectArg {
    /// Object API name, e.g. "Account".
    pub name: String,
    /// Fields to return for matches (Id is always included; default: the name field), e.g. ["Name", "Phone"].
    pub fields: Option<Vec<String>>,
}

/// Arguments of `search_records`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct SearchArgs {
    /// Words to search for in text fields, e.g. "Acme & Sons". Special characters are searched literally.
    pub text: String,
    /// Objects to search (default: all searchable objects, returning Id and each object's name field).
    pub objects: Option<Vec<SearchObjectArg>>,
    /// Most matches in all (1-2000, default 20).
    pub limit: Option<u32>,
}

/// Matches of one object; each record carries `url`, its page in Salesforce.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchGroup {
    /// Object API name.
    pub object: String,
    /// Matching records.
    pub records: Vec<Value>,
}

/// `search_records` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct SearchOut {
    /// Matches grouped by object.
    pub results: Vec<SearchGroup>,
    /// All matches.
    pub total: usize,
}

/// Checks that fields exist on an object's describe; suggests close names otherwise.
pub fn check_fields(describe: &Value, fields: &[String]) -> Result<(), ReadError> {
    let object = describe["name"].as_str().unwrap_or("the object");
    let names: Vec<&str> = describe["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|f| f["name"].as_str())
        .collect();
    for field in fields {
        if field.contains('.') || names.iter().any(|n| n.eq_ignore_ascii_case(field)) {
            continue;
        }
        let close = closest_names(field, names.iter().copied());
        let hint = if close.is_empty() {
            String::new()
        } else {
            format!(" Did you mean: {}?", close.join(", "))
        };
        return Err(ReadError::BadInput(format!(
            "Unknown field '{field}' on {object}.{hint} Use describe_object with object \"{object}\" to see its fields."
        )));
    }
    Ok(())
}

impl Reads {
    /// `get_record`.
    pub async fn get_record(
        &self,
        user_id: i64,
        args: GetRecordArgs,
    ) -> Result<RecordOut, ReadError> {
        let object =
            ObjectName::parse(&args.object).map_err(|e| ReadError::BadInput(e.to_string()))?;
        let id = RecordId::parse(&args.id).map_err(|e| ReadError::BadInput(e.to_string()))?;
        let fields = args.fields.unwrap_or_default();
        for f in &fields {
            FieldName::parse(f).map_err(|e| ReadError::BadInput(e.to_string()))?;
        }
        // One session read for the describe and the call.
        let live = self.connections.session(user_id).await?;
        let d = self
            .describe_with(user_id, live.clone(), object.as_str())
            .await?;
        let api_name = d["name"].as_str().unwrap_or(object.as_str()).to_owned();
        if !fields.is_empty() {
            check_fields(&d, &fields)?;
        }
        let list = (!fields.is_empty()).then(|| fields.join(","));
        let api = &self.api;
        let (reply, _) = self
            .call_with(user_id, live, |s| {
                let (o, i, l) = (api_name.clone(), id.as_str().to_owned(), list.clone());
                async move { api.get_record(&s, &o, &i, l.as_deref()).await }
            })
            .await?;
        let instance = self.instance_url(user_id).await?;
        Ok(RecordOut {
            url: record_url(&instance, &api_name, id.as_str()),
            object: api_name,
            id: id.as_str().to_owned(),
            record: compact_record(reply.body.unwrap_or(Value::Null)),
        })
    }

    /// `search_records`.
    pub async fn search_records(
        &self,
        user_id: i64,
        args: SearchArgs,
    ) -> Result<SearchOut, ReadError> {
        let mut objects = Vec::new();
        for o in args.objects.unwrap_or_default() {
            let d = self.describe(user_id, &o.name).await?;
            let api_name = d["name"].as_str().unwrap_or(&o.name).to_owned();
            let fields = match o.fields.filter(|f| !f.is_empty()) {
                Some(fields) => fields,
                None => name_field(&d).into_iter().collect(),
            };
            check_fields(&d, &fields)?;
            let name =
                ObjectName::parse(&api_name).map_err(|e| ReadError::BadInput(e.to_string()))?;
            let fields = fields
                .iter()
                .map(|f| FieldName::parse(f))
                .collect::<Result<Vec<_>, _>>()
                .map_err(|e| ReadError::BadInput(e.to_string()))?;
            objects.push(SearchObject { name, fields });
        }
        let spec = SearchSpec {
            text: args.text,
            objects,
            limit: args.limit.unwrap_or(20),
        };
        let sosl = build_sosl(&spec).map_err(|e| ReadError::BadInput(e.to_string()))?;
        let api = &self.api;
        let (reply, _) = self
            .call(user_id, |s| {
                let q = sosl.clone();
                async move { api.search(&s, &q).await }
            })
            .await?;
        let body = reply.body.unwrap_or(Value::Null);
        let rows = body["searchRecords"]
            .as_array()
            .or_else(|| body.as_array())
            .cloned()
            .unwrap_or_default();
        let mut results: Vec<SearchGroup> = Vec::new();
        for row in rows {
            let object = row["attributes"]["type"]
                .as_str()
                .unwrap_or("Unknown")
                .to_owned();
            let record = compact_record(row);
            match results.iter_mut().find(|g| g.object == object) {
                Some(group) => group.records.push(record),
                None => results.push(SearchGroup {
                    object,
                    records: vec![record],
                }),
            }
        }
        if spec.objects.is_empty() {
            for group in &mut results {
                self.add_names(user_id, group).await?;
            }
        }
        let instance = self.instance_url(user_id).await?;
        for group in &mut results {
            for record in &mut group.records {
                let id = record["Id"].as_str().unwrap_or_default().to_owned();
                if let Some(map) = record.as_object_mut() {
                    map.insert(
                        "url".into(),
                        Value::String(record_url(&instance, &group.object, &id)),
                    );
                }
            }
        }
        let total = results.iter().map(|g| g.records.len()).sum();
        Ok(SearchOut { results, total })
    }

    /// Adds each record's name field (describe's `nameField`) to search matches that carry only
    /// ids: one query per object.
    async fn add_names(&self, user_id: i64, group: &mut SearchGroup) -> Result<(), ReadError> {
        let d = self.describe(user_id, &group.object).await?;
        let Some(field) = name_field(&d).filter(|f| f != "Id") else {
            return Ok(());
        };
        let ids: Vec<String> = group
            .records
            .iter()
            .filter_map(|r| r["Id"].as_str())
            .map(quote_literal)
            .collect();
        if ids.is_empty() {
            return Ok(());
        }
        let soql = format!(
            "SELECT Id, {field} FROM {} WHERE Id IN ({})",
            group.object,
            ids.join(", ")
        );
        let named = self.rows(user_id, &soql).await?;
        for record in &mut group.records {
            let found = named.iter().find(|n| n["Id"] == record["Id"]);
            if let (Some(map), Some(n)) = (record.as_object_mut(), found) {
                map.insert(field.clone(), n[field.as_str()].clone());
            }
        }
        Ok(())
    }
}
