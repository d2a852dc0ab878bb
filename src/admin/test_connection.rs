//! Test connection: an admin signs in to Salesforce through one app (the org app or a group
//! override) and sees what a person would get, without a connection being stored; the tokens are
//! revoked at once. The console starts and finishes it; both ends are audited (`app.test`).

use std::collections::HashMap;

use serde_json::json;

use super::{AdminError, audit, read};
use crate::app::App;
use crate::connections::TestReport;
use crate::oauth::explain_callback_error;
use crate::store;

/// Which app to test.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum AppTarget {
    /// The organization's app.
    Org,
    /// A group's override app.
    Group(String),
}

impl AppTarget {
    fn label(&self) -> String {
        match self {
            Self::Org => "org".to_owned(),
            Self::Group(name) => format!("group {name}"),
        }
    }
}

/// Starts a test of `target` for the admin `user_id`, with Salesforce redirecting back to
/// `redirect_uri`. Returns the authorize URL to send the admin's browser to. When Salesforce
/// refuses the request already (unknown consumer key, callback URL not registered), the error
/// names the fix and the attempt is audited.
pub async fn app_test_begin(
    app: &App,
    actor: &str,
    user_id: i64,
    target: &AppTarget,
    redirect_uri: &str,
) -> Result<String, AdminError> {
    let row = match target {
        AppTarget::Org => read(app, store::apps::org_app)?.ok_or_else(|| {
            AdminError::NotFound(
                "no organization app is configured yet: save a client id first, then test it"
                    .into(),
            )
        })?,
        AppTarget::Group(name) => {
            let name = name.clone();
            let group =
                read(app, move |c| store::groups::find_by_name(c, &name))?.ok_or_else(|| {
                    AdminError::NotFound(format!(
                        "there is no {}: check the name with `salesforce-mcp admin group list`",
                        target.label()
                    ))
                })?;
            read(app, move |c| store::apps::group_app(c, group.id))?.ok_or_else(|| {
                AdminError::NotFound(format!(
                    "{} has no override app: save a client id for it first, then test it",
                    target.label()
                ))
            })?
        }
    };
    match app
        .connections
        .begin_test(user_id, row.id, redirect_uri)
        .await
    {
        Ok(url) => Ok(url),
        Err(e) => {
            let message = e.to_string();
            record(
                app,
                actor,
                target,
                &json!({"outcome": "refused", "error": message}),
            )?;
            Err(AdminError::Salesforce(message))
        }
    }
}

/// Finishes a test from the callback's query parameters: the report, or Salesforce's error with
/// the fix. Audited either way; nothing else is stored.
pub async fn app_test_finish(
    app: &App,
    actor: &str,
    params: &HashMap<String, String>,
) -> Result<TestReport, AdminError> {
    let outcome = match (params.get("error"), params.get("code"), params.get("state")) {
        (Some(error), _, state) => {
            if let Some(state) = state {
                app.connections
                    .abandon_test(state)
                    .await
                    .map_err(|e| AdminError::Salesforce(e.to_string()))?;
            }
            Err(explain_callback_error(
                error,
                params.get("error_description").map_or("", String::as_str),
            ))
        }
        (None, Some(code), Some(state)) => app
            .connections
            .complete_test(app.reads.api(), state, code)
            .await
            .map_err(|e| e.to_string()),
        _ => Err("the callback had no authorization code: start the test again".to_owned()),
    };
    let target = match &outcome {
        Ok(TestReport {
            group: Some(name), ..
        }) => AppTarget::Group(name.clone()),
        _ => AppTarget::Org,
    };
    let detail = match &outcome {
        Ok(r) => json!({
            "outcome": "signed_in", "username": r.username, "org_id": r.org_id, "scopes": r.scopes,
            "refresh_token_issued": r.refresh_token_issued, "revoked": r.revoked.is_ok(),
        }),
        Err(message) => json!({"outcome": "refused", "error": message}),
    };
    record(app, actor, &target, &detail)?;
    outcome.map_err(AdminError::Salesforce)
}

fn record(
    app: &App,
    actor: &str,
    target: &AppTarget,
    detail: &serde_json::Value,
) -> Result<(), AdminError> {
    let subject = target.label();
    Ok(app
        .store
        .call_sync(|c| audit(c, actor, "app.test", &subject, detail))?)
}
