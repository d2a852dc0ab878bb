//! `admin audit`: the audit log, newest first, filtered by person, action and date. Entries
//! never hold a secret; data in them is shown escaped.

use clap::Args;

use super::{err, show};
use crate::admin::{self, AuditQuery};
use crate::app::App;
use crate::shown;

/// `admin audit` arguments.
#[derive(Debug, Args)]
pub struct AuditArgs {
    /// Only entries by or about this person.
    #[arg(long, value_name = "EMAIL")]
    pub user: Option<String>,
    /// Only this action, or a family of them (`oauth` matches `oauth.grant_revoked`).
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// Only entries on or after this date (`2026-12-01`) or time (RFC 3339).
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// At most this many entries (1 to 10000).
    #[arg(long, default_value_t = 100)]
    pub limit: u32,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

/// Prints the audit log.
pub fn run(app: &App, args: &AuditArgs) -> Result<(), String> {
    let query = AuditQuery {
        user: args.user.clone(),
        action: args.action.clone(),
        since: args.since.clone(),
        before: None,
        limit: args.limit,
    };
    let rows = admin::audit_search(app, &query).map_err(err)?;
    let lines: Vec<_> = rows
        .iter()
        .map(|r| {
            format!(
                "{}  {}  {}  {}{}",
                r.at,
                shown::escaped(&r.actor),
                shown::escaped(&r.action),
                r.subject
                    .as_deref()
                    .map(shown::quoted)
                    .unwrap_or_else(|| "-".into()),
                r.detail_text
                    .as_deref()
                    .map(|d| format!("  {}", shown::json(d)))
                    .unwrap_or_default()
            )
        })
        .collect();
    let text = if lines.is_empty() {
        "No audit entries match.".to_owned()
    } else {
        lines.join("\n")
    };
    show(args.json, &rows, &text)
}
