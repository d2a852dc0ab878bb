//! The effective policies (approval, change lifetime, read-only), read at every use so that an
//! admin's switch applies at once on every instance sharing the database.
//!
//! Precedence: a value given to `serve`/`demo` by flag, environment or config file (carried in
//! [`Settings::given`]) wins; otherwise the value an admin stored (console or
//! `admin policy set`); otherwise the default.

use std::time::Duration;

use serde::Serialize;

use crate::config::{self, ApprovalPolicy, Origin, Settings};
use crate::store::policies::PolicyRow;
use crate::store::{Db, StoreError};

/// A policy's name, as stored and shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Policy {
    /// How a prepared change gets approved.
    Approval,
    /// How long a prepared change stays pending.
    ChangeTtl,
    /// Changes off.
    ReadOnly,
}

impl Policy {
    /// The stored name (and the config file key).
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Approval => "approval",
            Self::ChangeTtl => "change_ttl",
            Self::ReadOnly => "read_only",
        }
    }

    /// The `serve`/`demo` flag that sets it.
    pub fn flag(self) -> &'static str {
        match self {
            Self::Approval => "--approval",
            Self::ChangeTtl => "--change-ttl",
            Self::ReadOnly => "--read-only",
        }
    }

    /// The environment variable that sets it.
    pub fn env(self) -> &'static str {
        match self {
            Self::Approval => "SALESFORCE_MCP_APPROVAL",
            Self::ChangeTtl => "SALESFORCE_MCP_CHANGE_TTL",
            Self::ReadOnly => "SALESFORCE_MCP_READ_ONLY",
        }
    }

    /// Where it was given at start, if it was.
    pub fn given(self, settings: &Settings) -> Option<Origin> {
        match self {
            Self::Approval => settings.given.approval,
            Self::ChangeTtl => settings.given.change_ttl,
            Self::ReadOnly => settings.given.read_only,
        }
    }

    /// How it was given, as a person removes it: `--read-only`, `SALESFORCE_MCP_READ_ONLY`, or
    /// `read_only in the config file`.
    pub fn given_as(self, origin: Origin) -> String {
        match origin {
            Origin::CommandLine => self.flag().to_owned(),
            Origin::Environment => self.env().to_owned(),
            Origin::ConfigFile => format!("{} in the config file", self.as_str()),
        }
    }
}

/// Where an effective value comes from (serialized as shown: [`Source::text`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum Source {
    /// A `serve`/`demo` flag.
    #[serde(rename = "command line")]
    CommandLine,
    /// An environment variable.
    #[serde(rename = "environment")]
    Environment,
    /// The config file.
    #[serde(rename = "config file")]
    ConfigFile,
    /// Set by an admin in the console or with `admin policy set`.
    #[serde(rename = "console/admin command")]
    Stored,
    /// Nobody set it.
    #[serde(rename = "default")]
    Default,
}

impl Source {
    /// As shown to an admin.
    pub fn text(self) -> &'static str {
        match self {
            Self::CommandLine => "command line",
            Self::Environment => "environment",
            Self::ConfigFile => "config file",
            Self::Stored => "console/admin command",
            Self::Default => "default",
        }
    }
}

impl From<Origin> for Source {
    fn from(o: Origin) -> Self {
        match o {
            Origin::CommandLine => Self::CommandLine,
            Origin::Environment => Self::Environment,
            Origin::ConfigFile => Self::ConfigFile,
        }
    }
}

/// One policy's effective value and where it comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Effective<T> {
    /// The value in force.
    pub value: T,
    /// Where it comes from.
    pub source: Source,
    /// The stored row, when an admin set one (shown even when a start-up value wins over it).
    pub stored: Option<PolicyRow>,
}

/// Every policy in force.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Policies {
    /// How a prepared change gets approved.
    pub approval: Effective<ApprovalPolicy>,
    /// How long a prepared change stays pending.
    pub change_ttl: Effective<Duration>,
    /// Changes off.
    pub read_only: Effective<bool>,
}

/// The policies in force: start-up values, else stored rows, else defaults.
pub fn read(conn: &Db<'_>, settings: &Settings) -> Result<Policies, StoreError> {
    Ok(resolve(settings, &crate::store::policies::list(conn)?))
}

/// The policies in force given the stored rows.
pub fn resolve(settings: &Settings, rows: &[PolicyRow]) -> Policies {
    let row = |p: Policy| rows.iter().find(|r| r.name == p.as_str()).cloned();
    Policies {
        approval: pick(
            settings,
            Policy::Approval,
            settings.approval,
            row(Policy::Approval),
            |t| ApprovalPolicy::parse(t).ok(),
        ),
        change_ttl: pick(
            settings,
            Policy::ChangeTtl,
            settings.change_ttl,
            row(Policy::ChangeTtl),
            |t| config::parse_duration(t).ok(),
        ),
        read_only: pick(
            settings,
            Policy::ReadOnly,
            settings.read_only,
            row(Policy::ReadOnly),
            |t| config::parse_switch(t).ok(),
        ),
    }
}

/// `start` is the value the process started with: given (then it wins) or the default.
fn pick<T>(
    settings: &Settings,
    policy: Policy,
    start: T,
    stored: Option<PolicyRow>,
    parse: fn(&str) -> Option<T>,
) -> Effective<T> {
    if let Some(origin) = policy.given(settings) {
        return Effective {
            value: start,
            source: origin.into(),
            stored,
        };
    }
    let parsed = stored.as_ref().and_then(|r| {
        let v = parse(&r.value);
        if v.is_none() {
            // Only a hand edit of the table gets here: policy_set validates every value.
            tracing::warn!(policy = policy.as_str(), "stored policy value is not valid; using the default (set it again with `salesforce-mcp admin policy set`)");
        }
        v
    });
    match parsed {
        Some(value) => Effective {
            value,
            source: Source::Stored,
            stored,
        },
        None => Effective {
            value: start,
            source: Source::Default,
            stored,
        },
    }
}

/// A duration as shown and stored, in the largest whole unit: `90s`, `15m`, `24h`, `50ms`.
pub fn duration_text(d: Duration) -> String {
    let (secs, millis) = (d.as_secs(), d.subsec_millis());
    match secs {
        _ if millis != 0 || secs == 0 => format!("{}ms", d.as_millis()),
        s if s % 3600 == 0 => format!("{}h", s / 3600),
        s if s % 60 == 0 => format!("{}m", s / 60),
        s => format!("{s}s"),
    }
}

/// A switch as shown and stored.
pub fn switch_text(on: bool) -> &'static str {
    if on { "on" } else { "off" }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(name: &str, value: &str) -> PolicyRow {
        PolicyRow {
            name: name.into(),
            value: value.into(),
            updated_at: "2026-12-02T10:00:00.000Z".into(),
            updated_by: "cli".into(),
        }
    }

    #[test]
    fn start_up_values_win_then_stored_values_then_defaults() {
        let mut s = Settings::for_db("x.db".into());
        let rows = [row("read_only", "on"), row("change_ttl", "90s")];
        let p = resolve(&s, &rows);
        assert_eq!(
            (p.read_only.value, p.read_only.source),
            (true, Source::Stored)
        );
        assert_eq!(p.change_ttl.value, Duration::from_secs(90));
        assert_eq!(p.approval.source, Source::Default);
        s.given.read_only = Some(Origin::Environment);
        let p = resolve(&s, &rows);
        assert_eq!(
            (p.read_only.value, p.read_only.source),
            (false, Source::Environment)
        );
        assert!(
            p.read_only.stored.is_some(),
            "the stored row is still shown"
        );
    }

    #[test]
    fn sources_serialize_as_shown() {
        for s in [
            Source::CommandLine,
            Source::Environment,
            Source::ConfigFile,
            Source::Stored,
            Source::Default,
        ] {
            assert_eq!(serde_json::to_value(s).unwrap(), s.text());
        }
    }

    #[test]
    fn durations_are_shown_in_their_largest_whole_unit_and_parse_back() {
        for (secs, text) in [(90, "90s"), (900, "15m"), (86_400, "24h"), (0, "0ms")] {
            assert_eq!(duration_text(Duration::from_secs(secs)), text);
            assert_eq!(
                config::parse_duration(text).unwrap(),
                Duration::from_secs(secs)
            );
        }
        assert_eq!(duration_text(Duration::from_millis(50)), "50ms");
    }

    #[test]
    fn an_unparseable_stored_value_falls_back_to_the_default() {
        let s = Settings::for_db("x.db".into());
        let p = resolve(&s, &[row("approval", "maybe")]);
        assert_eq!(
            (p.approval.value, p.approval.source),
            (ApprovalPolicy::Elicitation, Source::Default)
        );
    }
}
