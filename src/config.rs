//! Settings: flags > environment (`SALESFORCE_MCP_*`) > optional TOML file > defaults.
//! Flags and environment are merged by clap in `cli`; this module adds the file and the defaults.

use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The Salesforce REST API version used unless configured otherwise (Summer '26).
pub const DEFAULT_API_VERSION: &str = "67.0";
/// Environment switch that allows `http://127.0.0.1:PORT` login and instance URLs (tests only).
pub const INSECURE_LOOPBACK_ENV: &str = "SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK";

/// How a prepared change gets approved.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize, clap::ValueEnum)]
#[serde(rename_all = "kebab-case")]
pub enum ApprovalPolicy {
    /// The person approves through elicitation, the web page or the command line (safe default).
    #[default]
    Elicitation,
    /// The `confirm_change` call itself counts as approval (for clients that ask before every tool call).
    ClientConsent,
}

impl ApprovalPolicy {
    /// The name used in flags, files and the store.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Elicitation => "elicitation",
            Self::ClientConsent => "client-consent",
        }
    }

    /// Parses `elicitation` or `client-consent`.
    pub fn parse(text: &str) -> Result<Self, ConfigError> {
        match text.trim() {
            "elicitation" => Ok(Self::Elicitation),
            "client-consent" => Ok(Self::ClientConsent),
            other => Err(ConfigError(format!(
                "approval '{other}' is not known: use elicitation or client-consent"
            ))),
        }
    }
}

/// Where a setting was given when the process started.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Origin {
    /// A command-line flag.
    CommandLine,
    /// An environment variable.
    Environment,
    /// The `--config` TOML file.
    ConfigFile,
}

/// The policies given at start, and where; `None`: not given (stored value or default applies).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Given {
    /// `--approval`, `SALESFORCE_MCP_APPROVAL` or `approval` in the file.
    pub approval: Option<Origin>,
    /// `--change-ttl`, `SALESFORCE_MCP_CHANGE_TTL` or `change_ttl` in the file.
    pub change_ttl: Option<Origin>,
    /// `--read-only`, `SALESFORCE_MCP_READ_ONLY` or `read_only` in the file.
    pub read_only: Option<Origin>,
}

/// Parses an on/off switch: on, true, yes, 1 or off, false, no, 0.
pub fn parse_switch(text: &str) -> Result<bool, ConfigError> {
    match text.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" | "1" => Ok(true),
        "off" | "false" | "no" | "0" => Ok(false),
        _ => Err(ConfigError(format!(
            "'{text}' is not a switch: use on or off"
        ))),
    }
}

/// The optional TOML configuration file.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileConfig {
    /// Database path.
    pub db: Option<PathBuf>,
    /// Salesforce REST API version, e.g. "67.0".
    pub api_version: Option<String>,
    /// How long describe results are reused before revalidation, e.g. "5m".
    pub describe_ttl: Option<String>,
    /// How long a prepared change stays pending, e.g. "15m".
    pub change_ttl: Option<String>,
    /// Approval policy: "elicitation" (default) or "client-consent".
    pub approval: Option<ApprovalPolicy>,
    /// true: the change tools are not listed and refuse (reads work as before).
    pub read_only: Option<bool>,
    /// Public URL of the HTTP server, e.g. "https://mcp.example.com".
    pub public_url: Option<String>,
}

impl FileConfig {
    /// Reads a TOML file.
    pub fn load(path: &Path) -> Result<Self, ConfigError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| ConfigError(format!("cannot read config file {}: {e}", path.display())))?;
        toml::from_str(&text)
            .map_err(|e| ConfigError(format!("config file {} is not valid: {e}", path.display())))
    }
}

/// A configuration problem, with what to fix.
#[derive(Debug, Clone, thiserror::Error)]
#[error("{0}")]
pub struct ConfigError(pub String);

/// Effective settings shared by every command.
#[derive(Debug, Clone)]
pub struct Settings {
    /// The database: a SQLite file, or a `postgres://` URL.
    pub db_path: PathBuf,
    /// PostgreSQL connections per instance.
    pub db_pool_size: usize,
    /// Salesforce REST API version.
    pub api_version: String,
    /// Allow loopback http login/instance URLs (tests and the demo only).
    pub allow_insecure_loopback: bool,
    /// Describe cache lifetime before revalidation.
    pub describe_ttl: Duration,
    /// Lifetime of a prepared change.
    pub change_ttl: Duration,
    /// Approval policy.
    pub approval: ApprovalPolicy,
    /// Changes off: the change tools are not listed and refuse.
    pub read_only: bool,
    /// Which policies (`approval`, `change_ttl`, `read_only`) were given at start by flag,
    /// environment or config file: those win over the stored ones (see [`crate::policy`]).
    pub given: Given,
    /// Timeout for one Salesforce call.
    pub http_timeout: Duration,
    /// Tests only (`SALESFORCE_MCP_TEST_LEASE` with insecure loopback): the length of an
    /// executor's lease and the sweep interval, so that recovery can be watched in seconds.
    pub test_lease: Option<Duration>,
    /// Public URL (HTTP mode).
    pub public_url: Option<String>,
}

impl Settings {
    /// Defaults for a database path.
    pub fn for_db(db_path: PathBuf) -> Self {
        Self {
            db_path,
            db_pool_size: crate::store::postgres::DEFAULT_POOL_SIZE,
            api_version: DEFAULT_API_VERSION.to_owned(),
            allow_insecure_loopback: insecure_loopback_from_env(),
            describe_ttl: Duration::from_secs(300),
            change_ttl: Duration::from_secs(15 * 60),
            approval: ApprovalPolicy::Elicitation,
            read_only: false,
            given: Given::default(),
            http_timeout: Duration::from_secs(30),
            test_lease: test_lease_from_env(),
            public_url: None,
        }
    }
}

/// Whether `SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK` is set to a true value.
pub fn insecure_loopback_from_env() -> bool {
    std::env::var(INSECURE_LOOPBACK_ENV).is_ok_and(|v| matches!(v.trim(), "1" | "true" | "yes"))
}

/// Environment variable (tests only, honoured with insecure loopback) shortening executor leases.
pub const TEST_LEASE_ENV: &str = "SALESFORCE_MCP_TEST_LEASE";

/// `SALESFORCE_MCP_TEST_LEASE` (a duration such as `3s`), honoured only together with
/// `SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK`: production leases always cover the Salesforce timeout.
fn test_lease_from_env() -> Option<Duration> {
    if !insecure_loopback_from_env() {
        return None;
    }
    std::env::var(TEST_LEASE_ENV)
        .ok()
        .and_then(|v| humantime::parse_duration(v.trim()).ok())
        .filter(|d| !d.is_zero())
}

/// The default database: the platform data directory's `salesforce-mcp/salesforce-mcp.db`.
pub fn default_db_path() -> PathBuf {
    directories::ProjectDirs::from("", "", "salesforce-mcp")
        .map(|d| d.data_dir().join("salesforce-mcp.db"))
        .unwrap_or_else(|| PathBuf::from("salesforce-mcp.db"))
}

/// Parses a duration like `90s` or `15m`.
pub fn parse_duration(text: &str) -> Result<Duration, ConfigError> {
    humantime::parse_duration(text.trim()).map_err(|e| {
        ConfigError(format!(
            "'{text}' is not a duration ({e}); use forms like 90s, 15m or 1h"
        ))
    })
}

/// Checks an API version like "67.0".
pub fn parse_api_version(text: &str) -> Result<String, ConfigError> {
    let t = text.trim().trim_start_matches('v');
    let ok = t.split_once('.').is_some_and(|(a, b)| {
        !a.is_empty()
            && a.chars().all(|c| c.is_ascii_digit())
            && b == "0"
            && a.parse::<u32>().is_ok_and(|n| n >= 31)
    });
    if ok {
        Ok(t.to_owned())
    } else {
        Err(ConfigError(format!(
            "API version '{text}' is not valid: use a form like 67.0 (31.0 or newer)"
        )))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_and_versions_parse_with_clear_errors() {
        assert_eq!(parse_duration("90s").unwrap(), Duration::from_secs(90));
        assert_eq!(parse_duration("15m").unwrap(), Duration::from_secs(900));
        assert!(
            parse_duration("soon")
                .unwrap_err()
                .to_string()
                .contains("15m")
        );
        assert_eq!(parse_api_version("v66.0").unwrap(), "66.0");
        assert!(parse_api_version("20.0").is_err());
    }

    #[test]
    fn unknown_config_keys_are_refused() {
        assert!(toml::from_str::<FileConfig>("api_version = \"66.0\"").is_ok());
        assert!(toml::from_str::<FileConfig>("apiversion = \"66.0\"").is_err());
    }
}
