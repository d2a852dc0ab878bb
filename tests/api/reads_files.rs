//! Files attached to records and reading them: text cut at max_bytes, binary as metadata.

use salesforce_mcp::reads::{ListFilesArgs, ReadFileArgs};
use salesforce_mcp::simulated_org::data::{CONTRACT_TEXT, make_id};

use crate::helpers::{TestApp, spawn_app};

async fn files(t: &TestApp, object: &str, id: &str) -> Vec<salesforce_mcp::reads::FileInfo> {
    let args = ListFilesArgs {
        object: object.into(),
        id: id.into(),
    };
    t.app.reads.list_files(t.user_id, args).await.unwrap().files
}

fn read(file: &str, max_bytes: Option<usize>) -> ReadFileArgs {
    ReadFileArgs {
        file: file.into(),
        max_bytes,
    }
}

#[tokio::test]
async fn a_records_files_are_listed_with_type_size_and_latest_version() {
    let t = spawn_app().await;
    let on_opportunity = files(&t, "Opportunity", &make_id("006", 1)).await;
    let titles: Vec<&str> = on_opportunity.iter().map(|f| f.title.as_str()).collect();
    assert_eq!(
        titles,
        ["Master Services Agreement", "Price List", "Signed Contract"]
    );
    let contract = &on_opportunity[0];
    assert_eq!(
        (contract.file_type.as_str(), contract.extension.as_str()),
        ("TEXT", "txt")
    );
    assert_eq!(contract.size, CONTRACT_TEXT.len() as u64);
    assert!(contract.id.starts_with("069") && contract.latest_version_id.starts_with("068"));
    assert_eq!(files(&t, "Account", &make_id("001", 1)).await.len(), 2);
    assert!(files(&t, "Account", &make_id("001", 2)).await.is_empty());
}

#[tokio::test]
async fn a_text_file_is_read_whole_or_cut_at_max_bytes_with_a_note() {
    let t = spawn_app().await;
    let contract = files(&t, "Account", &make_id("001", 1)).await.remove(0);
    let whole = t
        .app
        .reads
        .read_file(t.user_id, read(&contract.id, None))
        .await
        .unwrap();
    assert_eq!(whole.text.as_deref(), Some(CONTRACT_TEXT));
    assert!(!whole.truncated && whole.note.is_none());
    let by_version = t
        .app
        .reads
        .read_file(t.user_id, read(&contract.latest_version_id, Some(25)))
        .await
        .unwrap();
    assert_eq!(by_version.text.as_deref(), Some(&CONTRACT_TEXT[..25]));
    assert!(by_version.truncated);
    let note = by_version.note.unwrap();
    assert!(
        note.contains(&format!("Cut after 25 of {} bytes", CONTRACT_TEXT.len()))
            && note.contains("larger max_bytes"),
        "{note}"
    );
}

#[tokio::test]
async fn the_latest_version_is_read_and_a_character_is_never_cut_in_half() {
    let t = spawn_app().await;
    let account = make_id("001", 5);
    let (document, _) = t.org.add_file("Notes", "md", b"first".to_vec(), &[account]);
    t.org.add_file_version(
        &document,
        "Notes",
        "md",
        "\u{e9}t\u{e9}".repeat(10).into_bytes(),
    );
    let out = t
        .app
        .reads
        .read_file(t.user_id, read(&document, Some(4)))
        .await
        .unwrap();
    assert_eq!(
        out.text.as_deref(),
        Some("\u{e9}t"),
        "4 bytes hold 'ét' and half an 'é', which is dropped"
    );
    assert!(out.truncated);
}

#[tokio::test]
async fn a_binary_file_gives_its_metadata_and_a_note_without_reading_the_content() {
    let t = spawn_app().await;
    let pdf = files(&t, "Opportunity", &make_id("006", 1)).await.remove(2);
    t.org.clear_requests();
    let out = t
        .app
        .reads
        .read_file(t.user_id, read(&pdf.id, None))
        .await
        .unwrap();
    assert!(out.text.is_none() && !out.truncated);
    assert!(
        out.note.unwrap().contains("PDF file"),
        "says it is not text"
    );
    assert!(
        t.requests_where(|r| r.path.ends_with("/VersionData"))
            .is_empty(),
        "no content read"
    );
}

#[tokio::test]
async fn a_large_text_file_is_cut_at_max_bytes() {
    let t = spawn_app().await;
    let big = "0123456789abcdef\n".repeat(10 * 1024 * 1024 / 17);
    let (document, _) = t.org.add_file(
        "Big log",
        "txt",
        big.clone().into_bytes(),
        &[make_id("001", 4)],
    );
    let out = t
        .app
        .reads
        .read_file(t.user_id, read(&document, Some(100_000)))
        .await
        .unwrap();
    assert_eq!(out.text.as_deref(), Some(&big[..100_000]));
    assert!(out.truncated);
}

#[tokio::test]
async fn bad_file_arguments_name_the_next_step() {
    let t = spawn_app().await;
    let account = make_id("001", 1);
    let err = t
        .app
        .reads
        .read_file(t.user_id, read(&account, None))
        .await
        .unwrap_err()
        .to_string();
    assert!(
        err.contains("not a file id") && err.contains("list_files"),
        "{err}"
    );
    let err = t
        .app
        .reads
        .read_file(t.user_id, read(&make_id("069", 999), None))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("No file with id"), "{err}");
    let err = t
        .app
        .reads
        .read_file(t.user_id, read(&make_id("069", 1), Some(1_000_001)))
        .await
        .unwrap_err()
        .to_string();
    assert!(err.contains("between 1 and 1000000"), "{err}");
}
