//! Integration tests: one binary, the app and the simulated org started on 127.0.0.1:0.
#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a failed expectation is a failed test"
)]

mod admin;
mod admin_console;
mod changes;
mod changes_flow;
mod changes_many;
mod changes_record_types;
mod changes_shown;
mod changes_undo;
mod cli;
mod connect;
mod helpers;
mod http;
mod http_hardening;
mod http_web;
mod many_processes;
mod oauth;
mod paging;
mod policies;
mod read_only;
mod reads;
mod reads_files;
mod refresh;
mod search_names;
mod tools;
