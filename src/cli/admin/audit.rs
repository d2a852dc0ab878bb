//! `admin audit`: the audit log, newest first, filtered by person, action and date. Entries
//! never hold a secret; data in them is shown escaped.

use clap::Args;
use serde_json::json;

use super::{emit, read, user};
use crate::app::App;
use crate::shown;
use crate::store::audit::{AuditFilter, search};

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

/// Checks `--since`: a date or an RFC 3339 time, as stored times compare.
fn since(text: &str) -> Result<String, String> {
    let text = text.trim();
    if chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d").is_ok() {
        return Ok(format!("{text}T00:00:00.000Z"));
    }
    chrono::DateTime::parse_from_rfc3339(text)
        .map(|t| crate::store::timestamp(t.with_timezone(&chrono::Utc)))
        .map_err(|_| {
            format!("--since '{text}' is not a date: use 2026-12-01 or 2026-12-01T09:30:00Z")
        })
}

/// Prints the audit log.
pub fn run(app: &App, args: &AuditArgs) -> Result<(), String> {
    if !(1..=10_000).contains(&args.limit) {
        return Err(format!("--limit {} is outside 1 to 10000", args.limit));
    }
    let person = match &args.user {
        Some(email) => {
            let u = user::find(app, email)?;
            Some((u.id, u.email))
        }
        None => None,
    };
    let filter = AuditFilter {
        person,
        action: args.action.clone(),
        since: args.since.as_deref().map(since).transpose()?,
        limit: args.limit,
    };
    let rows = read(app, |c| search(c, &filter))?;
    let value: Vec<_> = rows
        .iter()
        .map(|r| {
            let detail = r
                .detail
                .as_deref()
                .map(|d| serde_json::from_str(d).unwrap_or_else(|_| json!(d)));
            json!({"at": r.at, "actor": r.actor, "action": r.action, "subject": r.subject, "detail": detail})
        })
        .collect();
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
                r.detail
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
    emit(args.json, &json!(value), &text);
    Ok(())
}
