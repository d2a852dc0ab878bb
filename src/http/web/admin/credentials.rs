//! Credential rotation on an app's page (DESIGN "Admin console", staged credentials): stage a new
//! consumer key and secret beside the main set, promote them (the main set becomes "previous",
//! existing connections keep refreshing), remove the staged or the previous set. Staging a key or
//! a secret and promoting need a recent sign-in ([`step_up`]). Every action calls the same
//! `crate::admin` function as `admin org|group set --staged-…` and `promote-staged`.

use axum::extract::{Path, State};
use axum::response::Response;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::form::{self, Done, Fields, Problems, button_form, field, input, segment};
use super::step_up::{self, Pending};
use super::{Admin, call, console_page};
use crate::admin::{self, AppInput, AppView, StagedChange};
use crate::http::server::HttpState;
use crate::http::web::pages::{self, escape};

/// A rotation form as entered (the secret is kept only to complete a step-up, sealed there).
#[derive(Default, Serialize, Deserialize)]
pub(super) struct CredentialsForm {
    /// `stage`, `unstage`, `promote` or `remove_previous`.
    action: String,
    staged_client_id: String,
    staged_secret: String,
}

impl CredentialsForm {
    fn from_fields(f: &Fields) -> Self {
        Self {
            action: f.get("action").to_owned(),
            staged_client_id: f.get("staged_client_id").trim().to_owned(),
            staged_secret: f.get("staged_secret").trim().to_owned(),
        }
    }

    /// What it does, in words (no secret).
    pub(super) fn what(&self) -> &'static str {
        match self.action.as_str() {
            "promote" => "promote the staged credentials",
            "stage" => "stage new credentials",
            "unstage" => "remove the staged credentials",
            _ => "remove the previous credentials",
        }
    }

    /// Staging a key or secret and promoting grant power: they need a step-up.
    fn needs_step_up(&self) -> bool {
        matches!(self.action.as_str(), "stage" | "promote")
    }
}

/// The page of an app: the organization's, or a group's. Its rotation form posts to
/// `PAGE/credentials`, its test button to `PAGE/test`.
fn page_of(group: Option<&str>) -> String {
    match group {
        None => "/admin/app".to_owned(),
        Some(g) => format!("/admin/groups/{}", segment(g)),
    }
}

/// The "Test connection" and "Credential rotation" sections of an app's page.
pub(super) fn sections(
    admin: &Admin,
    app: &AppView,
    problems: &Problems,
    entered: Option<&str>,
) -> String {
    let page = page_of(app.group.as_deref());
    let path = format!("{page}/credentials");
    let set = |id: &Option<String>, secret: &str| match id {
        Some(id) => format!(
            "<code>{}</code>, secret {}",
            escape(id),
            if secret == "set" {
                "set (hidden)"
            } else {
                "none"
            }
        ),
        None => "none".to_owned(),
    };
    let staged_value = entered.unwrap_or_default();
    let stage_form = format!(
        "<form class=\"card\" method=\"post\" action=\"{}\" id=\"stage-form\">{}<input type=\"hidden\" name=\"action\" value=\"stage\">{}{}{}\
         <button type=\"submit\" id=\"stage\">Stage</button></form>",
        escape(&path),
        admin.0.csrf_input(),
        problems.summary(),
        field(
            "staged_client_id",
            "New consumer key",
            &input(
                "text",
                "staged_client_id",
                staged_value,
                " autocomplete=\"off\""
            ),
            "From the External Client App's second credential set (or leave empty to keep the staged key and only stage a secret).",
            problems,
        ),
        field(
            "staged_secret",
            "New consumer secret",
            &input(
                "password",
                "staged_secret",
                "",
                " autocomplete=\"new-password\""
            ),
            "Write-only; leave empty for a PKCE-only app.",
            problems,
        ),
    );
    let mut buttons = String::new();
    if app.staged_client_id.is_some() {
        buttons.push_str(&button_form(
            admin,
            &path,
            &[("action", "promote")],
            "Promote staged credentials",
            "promote",
            "",
        ));
        buttons.push_str(&button_form(
            admin,
            &path,
            &[("action", "unstage")],
            "Remove staged credentials",
            "unstage",
            "danger",
        ));
    }
    if app.previous_client_id.is_some() {
        buttons.push_str(&button_form(
            admin,
            &path,
            &[("action", "remove_previous")],
            "Remove previous credentials",
            "remove-previous",
            "danger",
        ));
    }
    format!(
        "<h2>Test connection</h2><p>Sign in to Salesforce through this app with your own account and see what a person would get \
         (user, org, scopes, refresh token, API usage, objects). Nothing is stored; the tokens are revoked at once.</p>{}\
         <h2>Credential rotation</h2><p>Rotate the consumer secret without anyone reconnecting: stage the app's second credential \
         set, then promote it. New connections and every refresh use it from then on; connections made before keep working \
         through the previous set until you remove it.</p>\
         <dl><dt>Staged</dt><dd id=\"staged\">{}</dd><dt>Previous</dt><dd id=\"previous\">{}</dd></dl><div>{buttons}</div>{stage_form}",
        super::test::button(admin, &format!("{page}/test")),
        set(&app.staged_client_id, app.staged_client_secret),
        set(&app.previous_client_id, app.previous_client_secret),
    )
}

/// `POST /admin/app/credentials`.
pub(super) async fn save_org(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    save(admin, state, None, fields).await
}

/// `POST /admin/groups/{name}/credentials`.
pub(super) async fn save_group(
    admin: Admin,
    State(state): State<HttpState>,
    Path(name): Path<String>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    save(admin, state, Some(name), fields).await
}

async fn save(admin: Admin, state: HttpState, group: Option<String>, fields: Fields) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let form = CredentialsForm::from_fields(&fields);
    if form.needs_step_up() {
        return step_up::require(&state, &admin, Pending::Credentials { group, form }).await;
    }
    apply(&state, &admin, group, form).await
}

/// Runs the rotation action: back to the app's page with a notice, or the problem at its field.
pub(super) async fn apply(
    state: &HttpState,
    admin: &Admin,
    group: Option<String>,
    form: CredentialsForm,
) -> Response {
    let actor = admin.actor();
    let input = match form.action.as_str() {
        "stage" => Some(AppInput {
            staged: StagedChange::Set {
                client_id: Some(form.staged_client_id.clone()).filter(|c| !c.is_empty()),
                client_secret: Some(form.staged_secret.clone())
                    .filter(|s| !s.is_empty())
                    .map(SecretString::from),
            },
            ..AppInput::default()
        }),
        "unstage" => Some(AppInput {
            staged: StagedChange::Remove,
            ..AppInput::default()
        }),
        "remove_previous" => Some(AppInput {
            remove_previous: true,
            ..AppInput::default()
        }),
        "promote" => None,
        _ => {
            return pages::page(
                http::StatusCode::BAD_REQUEST,
                "Unknown action",
                "<p>This form asked for an action the console does not know. Open the page again and retry.</p>",
            );
        }
    };
    let who = group.clone();
    // Each action answers with the people who must reconnect (removing the previous set).
    let outcome = call(state, move |app| match (input, who) {
        (Some(input), None) => admin::org_set(app, &actor, &input).map(|s| s.reconnect_required),
        (Some(input), Some(g)) => {
            admin::group_set(app, &actor, &g, None, &input).map(|s| s.reconnect_required)
        }
        (None, None) => admin::org_promote_staged(app, &actor).map(|s| s.reconnect_required),
        (None, Some(g)) => {
            admin::group_promote_staged(app, &actor, &g).map(|s| s.reconnect_required)
        }
    })
    .await;
    match outcome {
        Err(page) => page,
        Ok(Ok(reconnect)) => form::done(&page_of(group.as_deref()), Done::saved(&reconnect)),
        Ok(Err(e)) => {
            // Only staging has a secret field; everything else is about the staged key.
            let map: &[(&str, &'static str)] = if form.action == "stage" {
                &[
                    ("staged client id", "staged_client_id"),
                    ("secret", "staged_secret"),
                ]
            } else {
                &[]
            };
            let problems = Problems::of(&e, map, Some("staged_client_id"));
            problem_page(state, admin, group.as_deref(), &form, &problems).await
        }
    }
}

/// The rotation sections again with the problem next to its field.
async fn problem_page(
    state: &HttpState,
    admin: &Admin,
    group: Option<&str>,
    form: &CredentialsForm,
    problems: &Problems,
) -> Response {
    let wanted = group.map(str::to_owned);
    let view = call(state, move |app| match wanted {
        None => admin::org_show(app),
        Some(g) => admin::group_show(app, &g).map(|g| g.app),
    })
    .await;
    let view = match view {
        Err(page) => return page,
        Ok(Ok(Some(v))) => v,
        Ok(Ok(None)) => return super::not_found(),
        Ok(Err(e)) => return pages::internal(&e.to_string()),
    };
    let back = page_of(group);
    let body = format!(
        "<p><a href=\"{}\">Back to the app</a></p>{}",
        escape(&back),
        sections(admin, &view, problems, Some(&form.staged_client_id))
    );
    let current = if group.is_some() {
        "/admin/groups"
    } else {
        "/admin/app"
    };
    console_page(
        admin,
        form::status_of(problems),
        current,
        "Credential rotation",
        &body,
    )
}
