//! The command line: parsing and dispatch. Output is human-readable, `--json` for machines.
//! Exit codes: 0 success, 1 failure, 2 bad usage.

/// `println!` that ignores a closed pipe (`salesforce-mcp ... | head` must not panic).
macro_rules! say {
    ($($arg:tt)*) => {{
        use std::io::Write as _;
        let _ = writeln!(std::io::stdout().lock(), $($arg)*);
    }};
}

mod admin;
mod changes;
mod connect;
mod serve;
mod serve_http;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::app::App;
use crate::config::{self, ApprovalPolicy, FileConfig, Settings};
use crate::policy::Policy;

/// salesforce-mcp: Salesforce for chat assistants, per person, with human-approved changes.
#[derive(Debug, Parser)]
#[command(name = "salesforce-mcp", version, about)]
pub struct Cli {
    /// The database: a SQLite file (default: the platform data directory), or
    /// postgres://USER@HOST:PORT/DB to share state between instances.
    #[arg(long, global = true, env = "SALESFORCE_MCP_DB")]
    pub db: Option<PathBuf>,
    /// PostgreSQL connections per instance (ignored for SQLite).
    #[arg(long, global = true, env = "SALESFORCE_MCP_DB_POOL_SIZE", default_value_t = crate::store::postgres::DEFAULT_POOL_SIZE,
          value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1000))]
    pub db_pool_size: usize,
    /// Optional TOML configuration file.
    #[arg(long, global = true, env = "SALESFORCE_MCP_CONFIG")]
    pub config: Option<PathBuf>,
    /// More logs on standard error (-v, -vv).
    #[arg(short, long, global = true, action = clap::ArgAction::Count)]
    pub verbose: u8,
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// Options shared by `serve` and `demo`.
#[derive(Debug, Clone, clap::Args)]
pub struct ServeOptions {
    /// Serve MCP over Streamable HTTP on this address (e.g. 127.0.0.1:8080) instead of stdio.
    #[arg(long)]
    pub http: Option<String>,
    /// Public URL of the HTTP server (for links and allowed hosts).
    #[arg(long, env = "SALESFORCE_MCP_PUBLIC_URL")]
    pub public_url: Option<String>,
    /// How long a prepared change stays pending (e.g. 90s, 15m).
    #[arg(long, env = "SALESFORCE_MCP_CHANGE_TTL")]
    #[arg(value_parser = config::parse_duration)]
    pub change_ttl: Option<std::time::Duration>,
    /// Approval policy.
    #[arg(long, env = "SALESFORCE_MCP_APPROVAL", value_enum)]
    pub approval: Option<ApprovalPolicy>,
    /// Changes off: the change tools are not listed and refuse; reads work as before.
    /// `--read-only` alone means on; given here it cannot be switched from the console.
    #[arg(long, env = "SALESFORCE_MCP_READ_ONLY", value_name = "on|off", num_args = 0..=1,
          default_missing_value = "on", value_parser = config::parse_switch)]
    pub read_only: Option<bool>,
    /// The person (stdio), by e-mail.
    #[arg(long, env = "SALESFORCE_MCP_USER")]
    pub user: Option<String>,
    /// HTTP: requests per minute per person (a burst of a quarter of it is allowed).
    #[arg(long, env = "SALESFORCE_MCP_RATE_LIMIT", default_value_t = 600)]
    pub rate_limit: u32,
    /// HTTP: MCP clients sign in with OAuth, this server being their authorization server
    /// ("Sign in with Salesforce"); `off` keeps API tokens only. Default: on for `serve --http`,
    /// off for `demo --http` (which then needs no sign-in at all).
    #[arg(long, env = "SALESFORCE_MCP_OAUTH", value_enum)]
    pub oauth: Option<OnOff>,
    /// HTTP: most connections open at once; more wait their turn (lowered at start to fit the
    /// file-descriptor limit, `ulimit -n`).
    #[arg(long, env = "SALESFORCE_MCP_MAX_CONNECTIONS", default_value_t = 1024)]
    pub max_connections: usize,
    /// HTTP: a connection that has not sent a whole request head within this is closed.
    #[arg(long, env = "SALESFORCE_MCP_HEADER_TIMEOUT", default_value = "10s")]
    #[arg(value_parser = config::parse_duration)]
    pub header_timeout: std::time::Duration,
    /// HTTP: a keep-alive connection idle for this long is closed.
    #[arg(long, env = "SALESFORCE_MCP_IDLE_TIMEOUT", default_value = "60s")]
    #[arg(value_parser = config::parse_duration)]
    pub idle_timeout: std::time::Duration,
    /// Test only (MCP conformance suite): `serve --http` without API tokens, every request acting
    /// for one test person. Needs SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK=1 and a loopback address.
    #[arg(long, hide = true)]
    pub insecure_no_auth_for_tests: bool,
    /// Test only (`demo --http`): create N people with API tokens (not connected) and require tokens.
    #[arg(long, hide = true, default_value_t = 0)]
    pub test_people: u32,
    /// Test only: where `--test-people` writes the people's tokens (JSON).
    #[arg(long, hide = true)]
    pub test_tokens_file: Option<PathBuf>,
    /// `demo` only: use the simulated org already running at this URL (e.g. in another process,
    /// `cargo run --release --example simulated_org`) instead of starting one inside the server.
    #[arg(long, value_name = "URL")]
    pub simulated_org_url: Option<String>,
}

/// A switch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum OnOff {
    /// On.
    On,
    /// Off.
    Off,
}

impl ServeOptions {
    /// Whether OAuth sign-in for MCP clients is on (`serve --http`: unless `--oauth off`).
    pub fn oauth_enabled(&self) -> bool {
        self.oauth != Some(OnOff::Off)
    }
}

/// Commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// MCP over stdio for one local person (or --http for many).
    Serve(ServeOptions),
    /// The same server, connected to a built-in simulated Salesforce org with sample data.
    Demo(ServeOptions),
    /// Connect a person's Salesforce account from a terminal.
    Connect(connect::ConnectArgs),
    /// Revoke the person's Salesforce grant and delete the connection.
    Disconnect(connect::UserArg),
    /// Effective OAuth app, connection and API usage.
    Status(connect::StatusArgs),
    /// Administration: the organization's OAuth app, groups, people and API tokens.
    #[command(subcommand)]
    Admin(admin::AdminCommand),
    /// Prepared write actions: list, show, approve, reject.
    #[command(subcommand)]
    Changes(changes::ChangesCommand),
}

/// Parses the process arguments and runs the command.
pub fn main() -> ExitCode {
    let cli = Cli::parse();
    init_logging(cli.verbose);
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
    {
        Ok(r) => r,
        Err(e) => return fail(&format!("cannot start the async runtime: {e}")),
    };
    match runtime.block_on(run(cli)) {
        Ok(code) => code,
        Err(message) => fail(&message),
    }
}

fn fail(message: &str) -> ExitCode {
    eprintln!("error: {message}");
    ExitCode::from(1)
}

fn init_logging(verbose: u8) {
    let default = match verbose {
        0 => "warn",
        1 => "info,salesforce_mcp=debug",
        _ => "debug",
    };
    let filter = tracing_subscriber::EnvFilter::try_from_env("SALESFORCE_MCP_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    let _ = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(false)
        .try_init();
}

/// Settings from flags, environment, the optional file and defaults.
pub fn settings(cli: &Cli, serve: Option<&ServeOptions>) -> Result<Settings, String> {
    let file = match &cli.config {
        Some(path) => FileConfig::load(path).map_err(|e| e.to_string())?,
        None => FileConfig::default(),
    };
    let db = cli
        .db
        .clone()
        .or(file.db.clone())
        .unwrap_or_else(config::default_db_path);
    let mut s = Settings::for_db(db);
    s.db_pool_size = cli.db_pool_size;
    let version = std::env::var("SALESFORCE_MCP_API_VERSION")
        .ok()
        .or(file.api_version.clone());
    if let Some(v) = version {
        s.api_version = config::parse_api_version(&v).map_err(|e| e.to_string())?;
    }
    if let Some(t) = &file.describe_ttl {
        s.describe_ttl = config::parse_duration(t).map_err(|e| e.to_string())?;
    }
    given_policies(serve, &file, &mut s)?;
    s.public_url = serve
        .and_then(|o| o.public_url.clone())
        .or(file.public_url.clone());
    Ok(s)
}

/// The policies given by flag, environment or config file, and where (they win over the stored
/// ones). `serve` and `demo` read their flags and variables through clap; other commands (admin
/// policy, changes approve) read the same variables here, so that they see what a server started
/// from the same shell sees.
fn given_policies(
    serve: Option<&ServeOptions>,
    file: &FileConfig,
    s: &mut Settings,
) -> Result<(), String> {
    let file_ttl = file
        .change_ttl
        .as_deref()
        .map(config::parse_duration)
        .transpose()
        .map_err(|e| format!("change_ttl in the config file: {e}"))?;
    if let Some((ttl, origin)) = given(
        serve.and_then(|o| o.change_ttl),
        Policy::ChangeTtl,
        config::parse_duration,
        file_ttl,
    )? {
        (s.change_ttl, s.given.change_ttl) = (ttl, Some(origin));
    }
    if let Some((a, origin)) = given(
        serve.and_then(|o| o.approval),
        Policy::Approval,
        ApprovalPolicy::parse,
        file.approval,
    )? {
        (s.approval, s.given.approval) = (a, Some(origin));
    }
    if let Some((on, origin)) = given(
        serve.and_then(|o| o.read_only),
        Policy::ReadOnly,
        config::parse_switch,
        file.read_only,
    )? {
        (s.read_only, s.given.read_only) = (on, Some(origin));
    }
    Ok(())
}

/// A policy's value and where it was given: `clap_value` is the flag or variable clap merged
/// (serve and demo), else the variable read here, else the file's value.
fn given<T>(
    clap_value: Option<T>,
    policy: Policy,
    parse: fn(&str) -> Result<T, config::ConfigError>,
    file: Option<T>,
) -> Result<Option<(T, config::Origin)>, String> {
    let (flag, env) = (policy.flag(), policy.env());
    if let Some(v) = clap_value {
        let on_command_line =
            std::env::args().any(|a| a == flag || a.starts_with(&format!("{flag}=")));
        let origin = if on_command_line {
            config::Origin::CommandLine
        } else {
            config::Origin::Environment
        };
        return Ok(Some((v, origin)));
    }
    if let Ok(text) = std::env::var(env)
        && !text.trim().is_empty()
    {
        let v = parse(&text).map_err(|e| format!("{env}: {e}"))?;
        return Ok(Some((v, config::Origin::Environment)));
    }
    Ok(file.map(|v| (v, config::Origin::ConfigFile)))
}

async fn run(cli: Cli) -> Result<ExitCode, String> {
    match &cli.command {
        Command::Demo(opts) => serve::demo(&cli, opts).await,
        Command::Serve(opts) => {
            let app = App::build(settings(&cli, Some(opts))?).map_err(|e| e.to_string())?;
            serve::serve(app, opts).await
        }
        Command::Connect(args) => connect::connect(&open(&cli)?, args).await,
        Command::Disconnect(args) => connect::disconnect(&open(&cli)?, args).await,
        Command::Status(args) => connect::status(&open(&cli)?, args).await,
        Command::Admin(cmd) => admin::run(&open(&cli)?, cmd).await,
        Command::Changes(cmd) => changes::run(&open(&cli)?, cmd).await,
    }
}

fn open(cli: &Cli) -> Result<App, String> {
    App::build(settings(cli, None)?).map_err(|e| e.to_string())
}

/// Prints JSON or text.
pub(crate) fn emit(json: bool, value: &serde_json::Value, text: &str) {
    if json {
        // Every value kept; the characters a terminal would interpret as `\uXXXX` escapes.
        let text = serde_json::to_string_pretty(value).unwrap_or_default();
        say!("{}", crate::shown::json(&text));
    } else {
        say!("{text}");
    }
}
