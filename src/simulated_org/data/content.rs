//! Files and analytics as sObjects: ContentDocument, ContentVersion (with `VersionData` kept as
//! bytes beside the row), ContentDocumentLink, Report and Dashboard, and their sample rows.

use std::sync::Arc;

use chrono::{DateTime, Duration, Utc};
use serde_json::{Value, json};

use super::analytics::{DASHBOARDS, REPORTS};
use super::ids::make_id;
use super::objects::system_fields;
use super::sample::insert;
use super::schema::{FieldDef, FieldType as T, ObjectDef, field};
use super::store::Store;
use crate::simulated_org::rest::LATEST_MAJOR;

fn read_only_object(
    name: &'static str,
    labels: (&'static str, &'static str),
    key_prefix: &'static str,
    with_owner: bool,
    own: Vec<FieldDef>,
) -> ObjectDef {
    let mut fields = system_fields(with_owner);
    fields.extend(own.into_iter().map(FieldDef::read_only));
    ObjectDef {
        name,
        label: labels.0,
        label_plural: labels.1,
        key_prefix,
        writable: false,
        searchable: false,
        fields,
        record_types: Vec::new(),
    }
}

/// The file and analytics objects, appended to the sample org's objects.
pub fn objects() -> Vec<ObjectDef> {
    let file_fields = || {
        vec![
            field("FileType", "File Type", T::String).len(20),
            field("FileExtension", "File Extension", T::String).len(40),
            field("ContentSize", "Size", T::Int),
        ]
    };
    let mut document = vec![
        field("Title", "Title", T::String).len(255).name_field(),
        field(
            "LatestPublishedVersionId",
            "Latest Published Version ID",
            T::Reference,
        )
        .reference("ContentVersion", "LatestPublishedVersion", None),
        field("PublishStatus", "Publish Status", T::Picklist).picklist(
            &["P", "R", "U"],
            None,
            true,
        ),
    ];
    document.extend(file_fields());
    let mut version = vec![
        field("ContentDocumentId", "ContentDocument ID", T::Reference).reference(
            "ContentDocument",
            "ContentDocument",
            Some("ContentVersions"),
        ),
        field("Title", "Title", T::String).len(255).name_field(),
        field("PathOnClient", "Path On Client", T::String).len(500),
        field("VersionData", "Version Data", T::String).len(0),
        field("VersionNumber", "Version Number", T::String).len(20),
        field("IsLatest", "Is Latest", T::Boolean),
        field("ContentLocation", "Content Location", T::Picklist).picklist(
            &["S", "E", "L"],
            None,
            true,
        ),
        field(
            "FirstPublishLocationId",
            "First Publish Location ID",
            T::Reference,
        ),
    ];
    version.extend(file_fields());
    vec![
        read_only_object(
            "ContentDocument",
            ("Content Document", "Content Documents"),
            "069",
            true,
            document,
        ),
        read_only_object(
            "ContentVersion",
            ("Content Version", "Content Versions"),
            "068",
            true,
            version,
        ),
        read_only_object(
            "ContentDocumentLink",
            ("Content Document Link", "Content Document Link"),
            "06A",
            false,
            vec![
                field("ContentDocumentId", "ContentDocument ID", T::Reference).reference(
                    "ContentDocument",
                    "ContentDocument",
                    Some("ContentDocumentLinks"),
                ),
                field("LinkedEntityId", "Linked Entity ID", T::Reference),
                field("ShareType", "Share Type", T::Picklist).picklist(
                    &["V", "C", "I"],
                    None,
                    true,
                ),
                field("Visibility", "Visibility", T::Picklist).picklist(
                    &["AllUsers", "InternalUsers", "SharedUsers"],
                    None,
                    true,
                ),
            ],
        ),
        read_only_object(
            "Report",
            ("Report", "Reports"),
            "00O",
            true,
            vec![
                field("Name", "Report Name", T::String).len(40).name_field(),
                field("DeveloperName", "Report Unique Name", T::String).len(80),
                field("FolderName", "Folder Name", T::String).len(80),
                field("Format", "Format", T::Picklist).picklist(
                    &["Tabular", "Summary", "Matrix", "MultiBlock"],
                    None,
                    true,
                ),
                field("Description", "Description", T::String).len(255),
            ],
        ),
        read_only_object(
            "Dashboard",
            ("Dashboard", "Dashboards"),
            "01Z",
            true,
            vec![
                field("Title", "Title", T::String).len(80).name_field(),
                field("DeveloperName", "Dashboard Unique Name", T::String).len(80),
                field("FolderName", "Folder Name", T::String).len(80),
                field("Description", "Description", T::String).len(255),
            ],
        ),
    ]
}

/// A file to add: its title, extension, content, and the records it is shared with.
#[derive(Debug, Clone)]
pub struct NewFile<'a> {
    /// Title (the file name without extension).
    pub title: &'a str,
    /// Extension without the dot, e.g. "txt".
    pub extension: &'a str,
    /// Content of the new version.
    pub bytes: Arc<[u8]>,
    /// Record ids the file is linked to (ContentDocumentLink).
    pub linked_to: &'a [String],
    /// Add a new version to this ContentDocument instead of creating a new file.
    pub new_version_of: Option<&'a str>,
}

/// Salesforce's `FileType` for an extension.
fn file_type(extension: &str) -> &'static str {
    match extension.to_ascii_lowercase().as_str() {
        "txt" => "TEXT",
        "csv" => "CSV",
        "json" => "JSON",
        "xml" => "XML",
        "html" | "htm" => "HTML",
        "md" => "MARKDOWN",
        "pdf" => "PDF",
        "png" => "PNG",
        "jpg" | "jpeg" => "JPG",
        "docx" => "WORD_X",
        _ => "UNKNOWN",
    }
}

/// Adds a file (or a new version of one) with its links; returns (ContentDocument id, ContentVersion id).
pub fn add_file(store: &mut Store, file: &NewFile<'_>, created: DateTime<Utc>) -> (String, String) {
    let size = file.bytes.len();
    let kind = file_type(file.extension);
    let meta = json!({"Title": file.title, "FileType": kind, "FileExtension": file.extension, "ContentSize": size});
    let document = match file.new_version_of {
        Some(id) => id.to_owned(),
        None => insert(
            store,
            "ContentDocument",
            json!({"PublishStatus": "P"}),
            created,
        ),
    };
    let mut number = 1;
    if let Some(i) = store.index("ContentVersion") {
        for row in store.tables[i].rows.values_mut() {
            if row.get("ContentDocumentId") == &Value::from(document.as_str()) {
                row.values.insert("IsLatest".into(), Value::Bool(false));
                number += 1;
            }
        }
    }
    let mut fields = json!({
        "ContentDocumentId": document, "PathOnClient": format!("{}.{}", file.title, file.extension),
        "VersionNumber": number.to_string(), "IsLatest": true, "ContentLocation": "S",
        "FirstPublishLocationId": file.linked_to.first(),
    });
    merge(&mut fields, &meta);
    let version = insert(store, "ContentVersion", fields, created);
    let data_url =
        format!("/services/data/v{LATEST_MAJOR}.0/sobjects/ContentVersion/{version}/VersionData");
    if let Some(row) = store
        .index("ContentVersion")
        .and_then(|i| store.tables[i].rows.get_mut(&version))
    {
        row.values
            .insert("VersionData".into(), Value::from(data_url));
    }
    store.blobs.insert(version.clone(), Arc::clone(&file.bytes));
    if let Some(row) = store
        .index("ContentDocument")
        .and_then(|i| store.tables[i].rows.get_mut(&document))
    {
        let mut values = meta.clone();
        merge(&mut values, &json!({"LatestPublishedVersionId": version}));
        if let Value::Object(m) = values {
            row.values.extend(m);
        }
    }
    if file.new_version_of.is_none() {
        for entity in file.linked_to {
            let link = json!({"ContentDocumentId": document, "LinkedEntityId": entity, "ShareType": "V", "Visibility": "AllUsers"});
            insert(store, "ContentDocumentLink", link, created);
        }
    }
    (document, version)
}

fn merge(into: &mut Value, from: &Value) {
    if let (Value::Object(a), Value::Object(b)) = (into, from) {
        a.extend(b.clone());
    }
}

/// The text of the sample contract file.
pub const CONTRACT_TEXT: &str = "MASTER SERVICES AGREEMENT\n\nBetween Acme Corporation (\"Customer\") and Example Cloud Inc.\n\n1. Term. Two years from January 15, 2026, renewing yearly.\n2. Fees. USD 48,000 per year, invoiced quarterly.\n3. Termination. 60 days' written notice.\n";

/// The sample org's files, reports and dashboards, and the recently viewed records.
pub fn insert_sample(store: &mut Store, created: DateTime<Utc>) {
    let account = make_id("001", 1);
    let opportunity = make_id("006", 1);
    let both = [account.clone(), opportunity.clone()];
    let opp_only = [opportunity.clone()];
    let account_only = [account.clone()];
    let csv = "Product,Unit price,Currency\nAnvil,120.00,USD\nRocket skates,899.00,USD\n";
    let mut pdf = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n".to_vec();
    pdf.extend((0u8..=255).cycle().take(2048));
    let png: Vec<u8> = [
        &b"\x89PNG\r\n\x1a\n"[..],
        &[0u8, 0, 0, 13, 73, 72, 68, 82][..],
    ]
    .concat();
    let files: [(&str, &str, Vec<u8>, &[String]); 4] = [
        (
            "Master Services Agreement",
            "txt",
            CONTRACT_TEXT.as_bytes().to_vec(),
            &both,
        ),
        ("Price List", "csv", csv.as_bytes().to_vec(), &opp_only),
        ("Signed Contract", "pdf", pdf, &opp_only),
        ("Site Photo", "png", png, &account_only),
    ];
    for (i, (title, extension, bytes, linked_to)) in files.into_iter().enumerate() {
        let file = NewFile {
            title,
            extension,
            bytes: bytes.into(),
            linked_to,
            new_version_of: None,
        };
        add_file(store, &file, created + Duration::minutes(i as i64));
    }
    for r in REPORTS {
        let fields = json!({"Name": r.name, "DeveloperName": r.developer_name, "FolderName": r.folder, "Format": r.format_label(), "Description": r.description});
        insert(store, "Report", fields, created);
    }
    for d in DASHBOARDS {
        let fields = json!({"Title": d.title, "DeveloperName": d.developer_name, "FolderName": d.folder, "Description": d.description});
        insert(store, "Dashboard", fields, created);
    }
    store.recent = [
        ("Account", account),
        ("Opportunity", opportunity),
        ("Contact", make_id("003", 2)),
        ("Case", make_id("500", 1)),
        ("Account", make_id("001", 3)),
    ]
    .into_iter()
    .map(|(o, id)| (o.to_owned(), id))
    .collect();
}
