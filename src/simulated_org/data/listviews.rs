//! List views: their list entries, describe (with the SOQL query the view runs) and results
//! (every value as text, as Salesforce answers `/results`).

use serde_json::{Value, json};

use super::ApiError;
use super::ids::make_id;
use super::store::Store;

/// One list view: object, developer name, label, columns (field path, label, type), and the
/// WHERE clause of its query (empty for none).
struct ViewDef {
    object: &'static str,
    developer_name: &'static str,
    label: &'static str,
    columns: &'static [(&'static str, &'static str, &'static str)],
    condition: &'static str,
}

const ACCOUNT_COLUMNS: &[(&str, &str, &str)] = &[
    ("Name", "Account Name", "string"),
    ("BillingCity", "Billing City", "string"),
    ("Industry", "Industry", "picklist"),
    ("Rating", "Account Rating", "picklist"),
    ("Owner.Alias", "Account Owner Alias", "string"),
];

const VIEWS: &[ViewDef] = &[
    ViewDef {
        object: "Account",
        developer_name: "AllAccounts",
        label: "All Accounts",
        columns: ACCOUNT_COLUMNS,
        condition: "",
    },
    ViewDef {
        object: "Account",
        developer_name: "Key_Accounts",
        label: "Key accounts",
        columns: ACCOUNT_COLUMNS,
        condition: "Rating = 'Hot'",
    },
    ViewDef {
        object: "Contact",
        developer_name: "AllContacts",
        label: "All Contacts",
        columns: &[
            ("Name", "Name", "string"),
            ("Account.Name", "Account Name", "string"),
            ("Title", "Title", "string"),
            ("Email", "Email", "email"),
        ],
        condition: "",
    },
    ViewDef {
        object: "Opportunity",
        developer_name: "Open_Opportunities",
        label: "Open Opportunities",
        columns: &[
            ("Name", "Opportunity Name", "string"),
            ("Account.Name", "Account Name", "string"),
            ("Amount", "Amount", "currency"),
            ("StageName", "Stage", "picklist"),
            ("CloseDate", "Close Date", "date"),
        ],
        condition: "StageName != 'Closed Won' AND StageName != 'Closed Lost'",
    },
];

fn view_id(i: usize) -> String {
    make_id("00B", i as u64 + 1)
}

fn find(object: &str, id: &str) -> Result<(usize, &'static ViewDef), ApiError> {
    let id = super::ids::normalize(id).unwrap_or_default();
    VIEWS
        .iter()
        .enumerate()
        .find(|(i, v)| v.object.eq_ignore_ascii_case(object) && view_id(*i) == id)
        .ok_or_else(|| ApiError::new(404, "NOT_FOUND", "The requested resource does not exist"))
}

fn entry(i: usize, v: &ViewDef, version: &str) -> Value {
    let url = format!(
        "/services/data/v{version}/sobjects/{}/listviews/{}",
        v.object,
        view_id(i)
    );
    json!({"describeUrl": format!("{url}/describe"), "developerName": v.developer_name, "id": view_id(i),
           "label": v.label, "resultsUrl": format!("{url}/results"), "soqlCompatible": true, "url": url})
}

/// `GET /sobjects/{X}/listviews`.
pub fn list(object: &str, version: &str) -> Value {
    let views: Vec<Value> = VIEWS
        .iter()
        .enumerate()
        .filter(|(_, v)| v.object.eq_ignore_ascii_case(object))
        .map(|(i, v)| entry(i, v, version))
        .collect();
    json!({"done": true, "nextRecordsUrl": null, "size": views.len(), "listviews": views})
}

/// `GET /sobjects/{X}/listviews/{id}`.
pub fn get(object: &str, id: &str, version: &str) -> Result<Value, ApiError> {
    find(object, id).map(|(i, v)| entry(i, v, version))
}

fn query(v: &ViewDef) -> String {
    let fields: Vec<&str> = v.columns.iter().map(|c| c.0).chain(["Id"]).collect();
    let condition = if v.condition.is_empty() {
        String::new()
    } else {
        format!(" WHERE {}", v.condition)
    };
    format!(
        "SELECT {} FROM {}{condition} ORDER BY Name ASC NULLS FIRST, Id ASC NULLS FIRST",
        fields.join(", "),
        v.object
    )
}

fn columns(v: &ViewDef) -> Vec<Value> {
    let column = |(path, label, kind): (&str, &str, &str), hidden: bool| {
        json!({"ascendingLabel": "A-Z", "descendingLabel": "Z-A", "fieldNameOrPath": path, "hidden": hidden,
               "label": label, "searchable": true, "selectListItem": path, "sortDirection": null,
               "sortIndex": null, "sortable": true, "type": kind})
    };
    v.columns
        .iter()
        .map(|c| column(*c, false))
        .chain([column(("Id", "Record ID", "id"), true)])
        .collect()
}

/// `GET /sobjects/{X}/listviews/{id}/describe`.
pub fn describe(object: &str, id: &str) -> Result<Value, ApiError> {
    let (i, v) = find(object, id)?;
    Ok(json!({
        "columns": columns(v), "id": &view_id(i)[..15], "query": query(v), "scope": null, "sobjectType": v.object,
        "orderBy": [{"fieldNameOrPath": "Name", "nullsPosition": "first", "sortDirection": "ascending"},
                    {"fieldNameOrPath": "Id", "nullsPosition": "first", "sortDirection": "ascending"}],
        "whereCondition": {"conditions": [], "conjunction": "and"},
    }))
}

/// `GET /sobjects/{X}/listviews/{id}/results?limit=&offset=`: values as text.
pub fn results(
    store: &Store,
    object: &str,
    id: &str,
    limit: usize,
    offset: usize,
    version: &str,
) -> Result<Value, ApiError> {
    let (i, v) = find(object, id)?;
    let output = super::soql::run(store, &query(v), version, false)?;
    let text = |value: &Value| match value {
        Value::Null => Value::Null,
        Value::String(s) => Value::from(s.as_str()),
        other => Value::from(other.to_string()),
    };
    let path_value =
        |record: &Value, path: &str| path.split('.').fold(record.clone(), |r, p| r[p].clone());
    let records: Vec<Value> = output
        .records
        .iter()
        .skip(offset)
        .take(limit.clamp(1, 2000))
        .map(|r| {
            let cells: Vec<Value> = v
                .columns
                .iter()
                .map(|c| c.0)
                .chain(["Id"])
                .map(|p| json!({"fieldNameOrPath": p, "value": text(&path_value(r, p))}))
                .collect();
            json!({"columns": cells})
        })
        .collect();
    Ok(json!({
        "columns": columns(v), "developerName": v.developer_name, "done": offset + records.len() >= output.records.len(),
        "id": &view_id(i)[..15], "label": v.label, "size": records.len(), "records": records,
    }))
}
