//! `list_files` and `read_file`: the files attached to a record (ContentDocumentLink), and a
//! file's latest version as text, read as a stream and cut at `max_bytes`.

use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{ReadError, Reads};
use crate::salesforce::ids::RecordId;

/// Default and largest `max_bytes` of `read_file`.
pub const DEFAULT_MAX_BYTES: usize = 100_000;
/// Largest `max_bytes`.
pub const MAX_BYTES: usize = 1_000_000;
/// Extensions read as text.
const TEXT_EXTENSIONS: &[&str] = &["txt", "csv", "json", "xml", "html", "htm", "md"];

/// Arguments of `list_files`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ListFilesArgs {
    /// Object API name of the record, e.g. "Opportunity".
    pub object: String,
    /// Record id (15 or 18 characters).
    pub id: String,
}

/// A file.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileInfo {
    /// ContentDocument id (069...): pass it to read_file.
    pub id: String,
    /// Title.
    pub title: String,
    /// Salesforce file type: TEXT, CSV, PDF, PNG, ...
    #[serde(rename = "type")]
    pub file_type: String,
    /// Extension, e.g. "pdf".
    pub extension: String,
    /// Size in bytes.
    pub size: u64,
    /// The latest version's ContentVersion id (068...).
    pub latest_version_id: String,
}

/// `list_files` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileList {
    /// Files attached to the record, by title.
    pub files: Vec<FileInfo>,
}

/// Arguments of `read_file`.
#[derive(Debug, Clone, Default, Deserialize, JsonSchema)]
#[serde(deny_unknown_fields)]
pub struct ReadFileArgs {
    /// ContentDocument (069...) or ContentVersion (068...) id, from list_files.
    pub file: String,
    /// Most bytes of content to return, 1 to 1000000 (default 100000).
    #[schemars(range(min = 1, max = 1_000_000))]
    pub max_bytes: Option<usize>,
}

/// `read_file` result.
#[derive(Debug, Clone, Serialize, JsonSchema)]
pub struct FileContent {
    /// The file (size is the version's).
    pub file: FileInfo,
    /// The version read (068...).
    pub version_id: String,
    /// The content, for text types.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub text: Option<String>,
    /// Whether the text stops before the end of the file.
    pub truncated: bool,
    /// Why the text is cut or absent, and what to do.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
}

fn text(v: &Value, key: &str) -> String {
    v[key].as_str().unwrap_or_default().to_owned()
}

fn bad(e: impl std::fmt::Display) -> ReadError {
    ReadError::BadInput(e.to_string())
}

/// The longest prefix that is whole UTF-8 (a character cut at the end is dropped); invalid
/// bytes elsewhere become U+FFFD.
fn utf8_prefix(bytes: &[u8]) -> String {
    match std::str::from_utf8(bytes) {
        Ok(s) => s.to_owned(),
        Err(e) if e.error_len().is_none() => {
            String::from_utf8_lossy(&bytes[..e.valid_up_to()]).into_owned()
        }
        Err(_) => String::from_utf8_lossy(bytes).into_owned(),
    }
}

impl Reads {
    /// `list_files`.
    pub async fn list_files(
        &self,
        user_id: i64,
        args: ListFilesArgs,
    ) -> Result<FileList, ReadError> {
        self.describe(user_id, &args.object).await?;
        let id = RecordId::parse(&args.id).map_err(bad)?;
        let soql = format!(
            "SELECT ContentDocumentId, ContentDocument.Title, ContentDocument.FileType, ContentDocument.FileExtension, ContentDocument.ContentSize, ContentDocument.LatestPublishedVersionId FROM ContentDocumentLink WHERE LinkedEntityId = '{}'",
            id.as_str()
        );
        let mut files: Vec<FileInfo> = self
            .rows(user_id, &soql)
            .await?
            .iter()
            .map(|r| {
                let doc = &r["ContentDocument"];
                FileInfo {
                    id: text(r, "ContentDocumentId"),
                    title: text(doc, "Title"),
                    file_type: text(doc, "FileType"),
                    extension: text(doc, "FileExtension"),
                    size: doc["ContentSize"].as_u64().unwrap_or(0),
                    latest_version_id: text(doc, "LatestPublishedVersionId"),
                }
            })
            .collect();
        files.sort_by(|a, b| {
            a.title
                .to_lowercase()
                .cmp(&b.title.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        Ok(FileList { files })
    }

    /// `read_file`.
    pub async fn read_file(
        &self,
        user_id: i64,
        args: ReadFileArgs,
    ) -> Result<FileContent, ReadError> {
        let max_bytes = args.max_bytes.unwrap_or(DEFAULT_MAX_BYTES);
        if !(1..=MAX_BYTES).contains(&max_bytes) {
            return Err(ReadError::BadInput(format!(
                "max_bytes must be between 1 and {MAX_BYTES} (got {max_bytes}); a larger file is returned cut, with a note"
            )));
        }
        let id = RecordId::parse(args.file.trim()).map_err(bad)?;
        let condition = match id.key_prefix() {
            "069" => format!("ContentDocumentId = '{}' AND IsLatest = true", id.as_str()),
            "068" => format!("Id = '{}'", id.as_str()),
            _ => {
                return Err(ReadError::BadInput(format!(
                    "'{}' is not a file id: pass a ContentDocument id (069...) or a ContentVersion id (068...); list_files gives a record's files",
                    args.file
                )));
            }
        };
        let soql = format!(
            "SELECT Id, ContentDocumentId, Title, FileType, FileExtension, ContentSize FROM ContentVersion WHERE {condition}"
        );
        let rows = self.rows(user_id, &soql).await?;
        let Some(v) = rows.first() else {
            return Err(ReadError::BadInput(format!(
                "No file with id {} exists or you cannot see it; list_files gives a record's files",
                id.as_str()
            )));
        };
        let version_id = text(v, "Id");
        let file = FileInfo {
            id: text(v, "ContentDocumentId"),
            title: text(v, "Title"),
            file_type: text(v, "FileType"),
            extension: text(v, "FileExtension"),
            size: v["ContentSize"].as_u64().unwrap_or(0),
            latest_version_id: version_id.clone(),
        };
        let is_text = TEXT_EXTENSIONS.contains(&file.extension.to_ascii_lowercase().as_str())
            || ["TEXT", "CSV", "JSON", "XML", "HTML", "MARKDOWN"]
                .contains(&file.file_type.as_str());
        if !is_text {
            let note = format!(
                "This is a {} file ({} bytes): its content is not text, so only its metadata is shown. Open it in Salesforce to see it.",
                if file.file_type.is_empty() {
                    "binary"
                } else {
                    &file.file_type
                },
                file.size
            );
            return Ok(FileContent {
                file,
                version_id,
                text: None,
                truncated: false,
                note: Some(note),
            });
        }
        let api = &self.api;
        let prefix = self
            .with_session(user_id, |s| {
                let id = version_id.clone();
                async move {
                    api.blob_prefix(&s, ("ContentVersion", &id, "VersionData"), max_bytes)
                        .await
                }
            })
            .await?;
        let content = utf8_prefix(&prefix.bytes);
        let note = (!prefix.complete).then(|| {
            let more = if max_bytes < MAX_BYTES {
                format!(
                    " Call read_file with a larger max_bytes (at most {MAX_BYTES}) to read more."
                )
            } else {
                " That is the most read_file returns; open the file in Salesforce for the rest."
                    .to_owned()
            };
            format!(
                "Cut after {} of {} bytes (max_bytes {max_bytes}).{more}",
                content.len(),
                file.size
            )
        });
        Ok(FileContent {
            file,
            version_id,
            text: Some(content),
            truncated: !prefix.complete,
            note,
        })
    }
}
