//! `GET /sobjects/{X}/{id}/{field or relationship}`: a blob's raw bytes (`VersionData`) or
//! relationship traversal; and the switches that add files and record UI views.

use std::sync::Arc;

use axum::body::{Body, Bytes};
use axum::http::header;
use axum::response::{IntoResponse, Response};

use super::SimOrgHandle;
use super::data::NewFile;
use super::rest::{Call, error_response, json_response};
use super::state::Shared;

/// A blob field's bytes, else the related record(s).
pub(crate) fn field_or_relationship(
    shared: &Shared,
    call: &Call<'_>,
    object: &str,
    id: &str,
    name: &str,
) -> Response {
    let data = shared.data();
    if let Some(bytes) = data.blob(object, id, name) {
        let headers = [(header::CONTENT_TYPE, "application/octetstream")];
        return (headers, Body::from(Bytes::from_owner(ArcBytes(bytes)))).into_response();
    }
    match data.related(object, id, name, &call.version) {
        Ok(body) => json_response(200, &body),
        Err(error) => error_response(&error),
    }
}

/// Lets a shared file body be sent without copying it.
struct ArcBytes(Arc<[u8]>);

impl AsRef<[u8]> for ArcBytes {
    fn as_ref(&self) -> &[u8] {
        &self.0
    }
}

impl SimOrgHandle {
    /// Adds a file (ContentDocument + ContentVersion + ContentDocumentLinks) with `bytes` as
    /// content; returns (ContentDocument id, ContentVersion id).
    pub fn add_file(
        &self,
        title: &str,
        extension: &str,
        bytes: Vec<u8>,
        linked_to: &[String],
    ) -> (String, String) {
        let file = NewFile {
            title,
            extension,
            bytes: bytes.into(),
            linked_to,
            new_version_of: None,
        };
        self.shared.data_mut().add_file(&file)
    }

    /// Adds a new latest version to a file; returns its ContentVersion id.
    pub fn add_file_version(
        &self,
        document_id: &str,
        title: &str,
        extension: &str,
        bytes: Vec<u8>,
    ) -> String {
        let file = NewFile {
            title,
            extension,
            bytes: bytes.into(),
            linked_to: &[],
            new_version_of: Some(document_id),
        };
        self.shared.data_mut().add_file(&file).1
    }

    /// The user opens a record in the Salesforce UI, which makes it recently viewed (API reads
    /// never do). False when the record does not exist.
    pub fn view_in_ui(&self, object: &str, id: &str) -> bool {
        self.shared.data_mut().view_in_ui(object, id)
    }
}
