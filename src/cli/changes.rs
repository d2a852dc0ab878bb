//! `salesforce-mcp changes list|show|approve|reject`: a person's prepared changes, decided from
//! a terminal. Only the person's own changes are visible. Approving asks the person on the
//! controlling terminal, never on standard input, so a script or an agent that can run
//! commands cannot approve a change by piping an answer in.

use std::io::{BufRead as _, BufReader, Write as _};
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
    /// Approve a pending change: shows its preview and asks you on your terminal; once you say
    /// yes it executes now, exactly once. Without a terminal it refuses.
    Approve(IdArgs),
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
        ChangesCommand::Approve(a) => approve(app, a).await,
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

async fn approve(app: &App, a: &IdArgs) -> Result<ExitCode, String> {
    let uid = user_id(app, a.user.as_deref())?;
    // Changes off (policy read_only), or a change that is not pending: refused here, before the
    // question (exit 1).
    app.changes
        .ensure_changes_allowed()
        .await
        .map_err(|e| e.to_string())?;
    let view = app
        .changes
        .pending(uid, &a.id)
        .await
        .map_err(|e| e.to_string())?;
    let Ok(mut terminal) = Terminal::open() else {
        return Err(format!(
            "there is no terminal to ask you on, so change {id} was not approved and nothing was sent to Salesforce. \
             A person approves it by running `salesforce-mcp changes approve {id}` in their own terminal; \
             `salesforce-mcp changes reject {id}` drops it without one.",
            id = view.change_id
        ));
    };
    let question = format!(
        "{}\nApprove and execute this change now? [y/N] ",
        view.preview
    );
    if !terminal.ask(&question) {
        say!("Not approved: change {} is still pending.", view.change_id);
        return Ok(ExitCode::from(1));
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

/// The controlling terminal, opened by name: standard input and output may be pipes to
/// anything, but only the person at the terminal can answer here.
struct Terminal {
    input: BufReader<std::fs::File>,
    output: std::fs::File,
}

impl Terminal {
    #[cfg(unix)]
    fn open() -> std::io::Result<Self> {
        let tty = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open("/dev/tty")?;
        Ok(Self {
            output: tty.try_clone()?,
            input: BufReader::new(tty),
        })
    }

    #[cfg(windows)]
    fn open() -> std::io::Result<Self> {
        let open = |name: &str| {
            std::fs::OpenOptions::new()
                .read(true)
                .write(true)
                .open(name)
        };
        Ok(Self {
            input: BufReader::new(open("CONIN$")?),
            output: open("CONOUT$")?,
        })
    }

    #[cfg(not(any(unix, windows)))]
    fn open() -> std::io::Result<Self> {
        Err(std::io::Error::from(std::io::ErrorKind::Unsupported))
    }

    /// Shows `question` on the terminal and reads one line from it; only "y" or "yes" is yes.
    fn ask(&mut self, question: &str) -> bool {
        if self
            .output
            .write_all(question.as_bytes())
            .and_then(|()| self.output.flush())
            .is_err()
        {
            return false;
        }
        let mut line = String::new();
        if self.input.read_line(&mut line).is_err() {
            return false;
        }
        matches!(line.trim().to_ascii_lowercase().as_str(), "y" | "yes")
    }
}
