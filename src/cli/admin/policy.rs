//! `admin policy show|set`: the approval policy, the change lifetime and read-only. The
//! actions live in [`crate::admin`]; a value given to `serve` by flag, environment or config
//! file wins and cannot be set here.

use clap::Subcommand;

use super::{ACTOR, err, show};
use crate::admin::{self, PolicyInput, PolicyItem, PolicyView};
use crate::app::App;
use crate::policy::Source;
use crate::shown;

/// `admin policy` commands.
#[derive(Debug, Subcommand)]
pub enum PolicyCommand {
    /// Every policy in force, and where each comes from (command line, environment, config
    /// file, console/admin command, default).
    Show {
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
    /// Set policies; they apply at once on every server sharing this database.
    Set {
        /// How a prepared change gets approved: elicitation or client-consent.
        #[arg(long, value_name = "POLICY")]
        approval: Option<String>,
        /// How long a prepared change stays pending, e.g. 90s or 15m (10s to 24h).
        #[arg(long, value_name = "DURATION")]
        change_ttl: Option<String>,
        /// on: the change tools are not listed and refuse; reads work as before.
        #[arg(long, value_name = "on|off")]
        read_only: Option<String>,
        /// Machine-readable output.
        #[arg(long)]
        json: bool,
    },
}

/// Runs an `admin policy` command.
pub fn run(app: &App, cmd: &PolicyCommand) -> Result<(), String> {
    match cmd {
        PolicyCommand::Show { json } => {
            let view = admin::policy_show(app).map_err(err)?;
            show(*json, &view, &text(&view))
        }
        PolicyCommand::Set {
            approval,
            change_ttl,
            read_only,
            json,
        } => {
            let input = PolicyInput {
                approval: approval.clone(),
                change_ttl: change_ttl.clone(),
                read_only: read_only.clone(),
            };
            let view = admin::policy_set(app, input, ACTOR).map_err(err)?;
            show(*json, &view, &text(&view))
        }
    }
}

fn line(name: &str, p: &PolicyItem) -> String {
    let source = p.source.text();
    let from = match (&p.given_as, p.source, &p.updated_by, &p.updated_at) {
        (Some(by), ..) => format!("{source} ({by}; cannot be changed here)"),
        (None, Source::Stored, Some(who), Some(at)) => {
            format!("{source} (by {} at {at})", shown::escaped(who))
        }
        _ => source.to_owned(),
    };
    format!("{name:<11} {:<15} from {from}", p.value)
}

/// The policies as text.
fn text(v: &PolicyView) -> String {
    [
        line("approval", &v.approval),
        line("change_ttl", &v.change_ttl),
        line("read_only", &v.read_only),
    ]
    .join("\n")
}
