//! Policies: the approval policy, the change lifetime and `read_only`. A value given to
//! `serve`/`demo` by flag, environment or config file wins and cannot be changed here; otherwise
//! the value stored by an admin applies (at once, on every instance); otherwise the default.

use std::time::Duration;

use serde::Serialize;
use serde_json::json;

use super::{AdminError, audit, read, write};
use crate::app::App;
use crate::config::{self, ApprovalPolicy};
use crate::policy::{self, Effective, Policies, Policy, Source};
use crate::store;

/// The shortest and longest change lifetime an admin can set.
pub const CHANGE_TTL_RANGE: (Duration, Duration) =
    (Duration::from_secs(10), Duration::from_secs(24 * 3600));

/// Every policy as in force now.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyView {
    /// How a prepared change gets approved: `elicitation` or `client-consent`.
    pub approval: PolicyItem,
    /// How long a prepared change stays pending, e.g. `15m`.
    pub change_ttl: PolicyItem,
    /// `on`: the change tools are not listed and refuse; reads work as before.
    pub read_only: PolicyItem,
}

/// One policy: its value in force and where it comes from.
#[derive(Debug, Clone, Serialize)]
pub struct PolicyItem {
    /// The value in force.
    pub value: String,
    /// Where it comes from: `command line`, `environment`, `config file`,
    /// `console/admin command` or `default`.
    pub source: Source,
    /// The flag, variable or config file key that gave it at start, when one did.
    pub given_as: Option<String>,
    /// Given at start: the console and `admin policy set` cannot change it.
    pub locked: bool,
    /// The value an admin stored, also when a start-up value wins over it.
    pub stored: Option<String>,
    /// When it was stored.
    pub updated_at: Option<String>,
    /// Who stored it (`cli`, `admin:<email>`).
    pub updated_by: Option<String>,
}

/// What to change; `None` keeps a policy as it is. Values as an admin types them.
#[derive(Debug, Clone, Default)]
pub struct PolicyInput {
    /// `elicitation` or `client-consent`.
    pub approval: Option<String>,
    /// A duration like `90s` or `15m` (10 seconds to 24 hours).
    pub change_ttl: Option<String>,
    /// `on` or `off`.
    pub read_only: Option<String>,
}

fn item<T>(app: &App, p: Policy, e: &Effective<T>, shown: fn(&T) -> String) -> PolicyItem {
    let origin = p.given(&app.settings);
    PolicyItem {
        value: shown(&e.value),
        source: e.source,
        given_as: origin.map(|o| p.given_as(o)),
        locked: origin.is_some(),
        stored: e.stored.as_ref().map(|r| r.value.clone()),
        updated_at: e.stored.as_ref().map(|r| r.updated_at.clone()),
        updated_by: e.stored.as_ref().map(|r| r.updated_by.clone()),
    }
}

fn view(app: &App, p: &Policies) -> PolicyView {
    PolicyView {
        approval: item(app, Policy::Approval, &p.approval, |a| {
            a.as_str().to_owned()
        }),
        change_ttl: item(app, Policy::ChangeTtl, &p.change_ttl, |d| {
            policy::duration_text(*d)
        }),
        read_only: item(app, Policy::ReadOnly, &p.read_only, |on| {
            policy::switch_text(*on).to_owned()
        }),
    }
}

/// Every policy as in force now, and where each comes from.
pub fn policy_show(app: &App) -> Result<PolicyView, AdminError> {
    let settings = &app.settings;
    let policies = read(app, |c| policy::read(c, settings))?;
    Ok(view(app, &policies))
}

/// Checks the input: the values to store, by policy, as stored text.
fn checked(app: &App, input: &PolicyInput) -> Result<Vec<(Policy, String)>, AdminError> {
    let invalid = |e: config::ConfigError| AdminError::Invalid(e.to_string());
    let mut out = Vec::new();
    if let Some(a) = &input.approval {
        out.push((
            Policy::Approval,
            ApprovalPolicy::parse(a)
                .map_err(invalid)?
                .as_str()
                .to_owned(),
        ));
    }
    if let Some(t) = &input.change_ttl {
        let d = config::parse_duration(t)
            .map_err(|e| AdminError::Invalid(format!("change lifetime: {e}")))?;
        let (min, max) = CHANGE_TTL_RANGE;
        if d < min || d > max {
            return Err(AdminError::Invalid(format!(
                "change lifetime {} is outside {} to {}: use a value like 90s or 15m",
                policy::duration_text(d),
                policy::duration_text(min),
                policy::duration_text(max)
            )));
        }
        out.push((Policy::ChangeTtl, policy::duration_text(d)));
    }
    if let Some(s) = &input.read_only {
        let on =
            config::parse_switch(s).map_err(|e| AdminError::Invalid(format!("read_only: {e}")))?;
        out.push((Policy::ReadOnly, policy::switch_text(on).to_owned()));
    }
    if out.is_empty() {
        return Err(AdminError::Invalid(
            "nothing to set: give --approval, --change-ttl or --read-only (see `salesforce-mcp admin policy show`)".into(),
        ));
    }
    for (p, _) in &out {
        if let Some(origin) = p.given(&app.settings) {
            let by = p.given_as(origin);
            return Err(AdminError::Conflict(format!(
                "{} is given to the server by {by}, which wins over the console and `admin policy set`: \
                 remove {by} where the server is started and restart it, then set {} here",
                p.as_str(),
                p.as_str()
            )));
        }
    }
    Ok(out)
}

/// Sets policies (audited `policy.set`, one entry per policy, with the previous stored value);
/// nothing is stored when any value is invalid or given at start. Returns the policies in force.
pub fn policy_set(app: &App, input: PolicyInput, actor: &str) -> Result<PolicyView, AdminError> {
    let values = checked(app, &input)?;
    write(app, |c| {
        let before = store::policies::list(c)?;
        for (p, value) in &values {
            let previous = before
                .iter()
                .find(|r| r.name == p.as_str())
                .map(|r| r.value.clone());
            store::policies::set(c, p.as_str(), value, actor)?;
            let detail = json!({"policy": p.as_str(), "value": value, "previous": previous});
            audit(c, actor, "policy.set", p.as_str(), &detail)?;
        }
        Ok(())
    })?;
    policy_show(app)
}
