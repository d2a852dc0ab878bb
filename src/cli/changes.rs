//! `salesforce-mcp changes list|show|approve|reject`: a person's prepared changes, decided from
//! a terminal. Only the person's own changes are visible.

use std::io::{BufRead as _, IsTerminal as _, Write as _};
use std::process::ExitCode;

use clap::{Args, Subcommand};

use super::emit;
use crate::app::App;
use crate::changes::{ChangeView, Via, status};

/// `changes` commands.
#[derive(Debug, Subcommand)]
pub enum ChangesCommand {
    /// Your prepared changes, newest first.
    List {
        /// Only changes with this status (pending, succeeded, failed, ...).
        #[arg(long)]
        status: Option<String>,
        /// The person, by e-mail (default: the single local person).
        #[arg(long, env = "SALESFORCE_MCP_USER")]
        user: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// One change with its preview and outcome.
    Show(IdArgs),
    /// Approve a pending change: it executes now, exactly once.
    Approve {
        /// The change.
        #[command(flatten)]
        id: IdArgs,
        /// Approve without asking (needed when standard input is not a terminal).
        #[arg(long)]
        yes: bool,
    },
    /// Reject a pending change: nothing is sent to Salesforce.
    Reject(IdArgs),
}

/// A change id and whose it is.
#[derive(Debug, Clone, Args)]
pub struct IdArgs {
    /// The change id (from prepare_change or `changes list`).
    pub id: String,
    /// The person, by e-mail (default: the single local person).
    #[arg(long, env = "SALESFORCE_MCP_USER")]
    pub user: Option<String>,
    /// Machine-readable output.
    #[arg(long)]
    pub json: bool,
}

fn json_of(view: &ChangeView) -> serde_json::Value {
    serde_json::to_value(view).unwrap_or_default()
}

fn user_id(app: &App, user: Option<&str>) -> Result<i64, String> {
    app.local_user(user)
        .map(|u| u.id)
        .map_err(|e| e.to_string())
}

/// Runs a `changes` command.
pub async fn run(app: &App, cmd: &ChangesCommand) -> Result<ExitCode, String> {
    match cmd {
        ChangesCommand::List { status, user, json } => {
            let uid = user_id(app, user.as_deref())?;
            let list = app
                .changes
                .list(uid, status.as_deref())
                .await
                .map_err(|e| e.to_string())?;
            let lines: Vec<String> = list
                .changes
                .iter()
                .map(|c| format!("{}  {:<9}  {}", c.change_id, c.status, c.action))
                .collect();
            let text = if lines.is_empty() {
                "No changes.".to_owned()
            } else {
                lines.join("\n")
            };
            emit(
                *json,
                &serde_json::to_value(&list.changes).unwrap_or_default(),
                &text,
            );
            Ok(ExitCode::SUCCESS)
        }
        ChangesCommand::Show(a) => {
            let uid = user_id(app, a.user.as_deref())?;
            let view = app
                .changes
                .show(uid, &a.id)
                .await
                .map_err(|e| e.to_string())?;
            emit(
                a.json,
                &json_of(&view),
                &format!("{}\n{}", view.preview, view.outcome_text()),
            );
            Ok(ExitCode::SUCCESS)
        }
        ChangesCommand::Approve { id, yes } => approve(app, id, *yes).await,
        ChangesCommand::Reject(a) => {
            let uid = user_id(app, a.user.as_deref())?;
            let view = app
                .changes
                .reject(uid, &a.id, Via::CommandLine)
                .await
                .map_err(|e| e.to_string())?;
            emit(
                a.json,
                &json_of(&view),
                &format!(
                    "Change {} rejected: nothing was sent to Salesforce.",
                    view.change_id
                ),
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}

async fn approve(app: &App, a: &IdArgs, yes: bool) -> Result<ExitCode, String> {
    let uid = user_id(app, a.user.as_deref())?;
    // A change that is not pending fails here with its status (exit 1).
    let view = app
        .changes
        .pending(uid, &a.id)
        .await
        .map_err(|e| e.to_string())?;
    if !a.json {
        say!("{}", view.preview);
    }
    if !yes {
        if !std::io::stdin().is_terminal() {
            eprintln!(
                "error: standard input is not a terminal, so nobody can be asked: run again with --yes to approve change {}",
                view.change_id
            );
            return Ok(ExitCode::from(2));
        }
        if !ask("Approve and execute this change now? [y/N] ") {
            say!("Not approved: change {} is still pending.", view.change_id);
            return Ok(ExitCode::from(1));
        }
    }
    let done = app
        .changes
        .approve(uid, &view.change_id, Via::CommandLine)
        .await
        .map_err(|e| e.to_string())?;
    emit(a.json, &json_of(&done), &done.outcome_text());
    Ok(if done.status == status::SUCCEEDED {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(1)
    })
}

/// Asks a yes/no question on the terminal; only "y" or "yes" is yes.
fn ask(question: &str) -> bool {
    print!("{question}");
    let _ = std::io::stdout().flush();
    let mut line = String::new();
    if std::io::stdin().lock().read_line(&mut line).is_err() {
        return false;
    }
    matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
}
