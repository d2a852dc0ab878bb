//! Step-up: the actions that grant power (saving a client id or secret, granting admin; the
//! lead adds promoting staged credentials and switching approval to client-consent as more
//! [`Pending`] variants) need the admin to have proven who they are within the last
//! [`WINDOW`]. Otherwise [`require`] keeps the action server-side — sealed (it may hold a
//! secret), bound to the browser session, used once, for at most [`PENDING_TTL`] — and asks the
//! admin to sign in again: with their API token when the session was opened with one, through
//! "Sign in with Salesforce" when it was opened that way. Once they have, the action completes
//! and they see its result.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::app::{self, AppForm};
use super::credentials::{self, CredentialsForm};
use super::form::{Fields, Problems, field};
use super::policies::{self, PoliciesForm};
use super::{Admin, console_page, groups, people};
use crate::http::server::HttpState;
use crate::http::web::{SignedIn, method, pages, random_secret};
use crate::store;

/// How recent the last sign-in must be for an action that grants power.
pub(super) const WINDOW: chrono::TimeDelta = chrono::TimeDelta::minutes(5);
/// How long a pending action waits for the step-up.
pub(super) const PENDING_TTL: chrono::TimeDelta = chrono::TimeDelta::minutes(10);

/// An action waiting for a step-up, with everything it needs to run.
#[derive(Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub(super) enum Pending {
    /// Save the organization's app.
    OrgApp {
        /// The form as entered.
        app: AppForm,
    },
    /// Save a group's override app.
    GroupApp {
        /// The group's name.
        group: String,
        /// The form as entered.
        app: AppForm,
    },
    /// Stage or promote credentials of the organization's app (`group: None`) or a group's.
    Credentials {
        /// The group, or `None` for the organization's app.
        group: Option<String>,
        /// The form as entered.
        form: CredentialsForm,
    },
    /// Save policies, switching approval to client-consent.
    Policies {
        /// The form as entered.
        form: PoliciesForm,
    },
    /// Make a person an admin.
    GrantAdmin {
        /// The person's e-mail.
        email: String,
    },
    /// Add a person as an admin.
    AddAdmin {
        /// The person's e-mail.
        email: String,
        /// The groups to put them in.
        groups: Vec<String>,
    },
}

impl Pending {
    /// The stored kind (for the page; the sealed payload says the rest).
    fn kind(&self) -> &'static str {
        match self {
            Self::OrgApp { .. } => "org_app",
            Self::GroupApp { .. } => "group_app",
            Self::Credentials { .. } => "credentials",
            Self::Policies { .. } => "policies",
            Self::GrantAdmin { .. } => "grant_admin",
            Self::AddAdmin { .. } => "add_admin",
        }
    }

    /// What the admin is about to do, in words (no secret).
    fn what(&self) -> String {
        match self {
            Self::OrgApp { .. } => {
                "save the organization's Salesforce app (client id or secret)".into()
            }
            Self::GroupApp { group, .. } => {
                format!("save the override app of group {group} (client id or secret)")
            }
            Self::Credentials { group, form } => {
                let app = group
                    .as_ref()
                    .map_or("the organization's app".to_owned(), |g| {
                        format!("the override app of group {g}")
                    });
                format!("{} of {app}", form.what())
            }
            Self::Policies { .. } => {
                "switch approval to client-consent (the client's confirmation counts as approval)"
                    .into()
            }
            Self::GrantAdmin { email } => format!("make {email} an admin"),
            Self::AddAdmin { email, .. } => format!("add {email} as an admin"),
        }
    }

    /// Runs the action: its result page, or its form again with the problem.
    async fn run(self, state: &HttpState, admin: &Admin) -> Response {
        match self {
            Self::OrgApp { app } => app::apply(state, admin, app).await,
            Self::GroupApp { group, app } => groups::apply_app(state, admin, &group, app).await,
            Self::Credentials { group, form } => {
                credentials::apply(state, admin, group, form).await
            }
            Self::Policies { form } => policies::apply(state, admin, form).await,
            Self::GrantAdmin { email } => people::apply_admin(state, admin, &email, true).await,
            Self::AddAdmin { email, groups } => {
                people::apply_add(state, admin, &email, &groups, true).await
            }
        }
    }
}

/// Whether the session's person proved who they are within the [`WINDOW`].
pub(super) fn recent(who: &SignedIn) -> bool {
    let Some(at) = who
        .authenticated_at
        .as_deref()
        .and_then(|t| chrono::DateTime::parse_from_rfc3339(t).ok())
    else {
        return false;
    };
    chrono::Utc::now().signed_duration_since(at) < WINDOW
}

/// Runs `pending` at once when the admin signed in recently; otherwise keeps it for this session
/// and asks them to prove who they are (the action completes afterwards).
pub(super) async fn require(state: &HttpState, admin: &Admin, pending: Pending) -> Response {
    if recent(&admin.0) {
        return pending.run(state, admin).await;
    }
    let payload = match serde_json::to_string(&pending) {
        Ok(p) => p,
        Err(e) => return pages::internal(&e.to_string()),
    };
    let sealed = state.app.sealer.seal(&payload);
    let id = random_secret();
    let id_hash = store::tokens::hash(&id);
    let session_hash = admin.0.session_hash.clone();
    let kind = pending.kind();
    let expires = store::timestamp(chrono::Utc::now() + PENDING_TTL);
    let stored = state
        .app
        .store
        .call(move |c| {
            store::step_up::prune(c)?;
            store::step_up::insert(c, &id_hash, &session_hash, kind, &sealed, &expires)
        })
        .await;
    match stored {
        Ok(()) => prompt(admin, &id, &pending.what(), &Problems::default()),
        Err(e) => pages::internal(&e.to_string()),
    }
}

/// The page asking the admin to prove who they are before `what` happens.
fn prompt(admin: &Admin, id: &str, what: &str, problems: &Problems) -> Response {
    let intro = format!(
        "<p id=\"step-up-what\">You are about to <strong>{}</strong>. This needs a sign-in from the last 5 minutes: prove it is you, and it is saved right after. \
         Nothing is saved until then (this request waits 10 minutes).</p>",
        pages::escape(what)
    );
    let how = if admin.0.method == method::SALESFORCE {
        let next = format!("/admin/step-up?pending={id}");
        let query = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("next", &next)
            .finish();
        format!(
            "{}<p>You signed in with Salesforce: sign in with Salesforce again.</p>\
             <p><a class=\"button\" id=\"step-up-salesforce\" href=\"/login/salesforce?{}\">Sign in with Salesforce</a></p>",
            problems.summary(),
            pages::escape(&query)
        )
    } else {
        format!(
            "<form class=\"card\" method=\"post\" action=\"/admin/step-up\" id=\"step-up-form\">{}{}\
             <input type=\"hidden\" name=\"pending\" value=\"{}\">{}\
             <button type=\"submit\" id=\"step-up-confirm\">Confirm and save</button></form>",
            admin.0.csrf_input(),
            problems.summary(),
            pages::escape(id),
            field(
                "token",
                "Your API token",
                "<input type=\"password\" id=\"f-token\" name=\"token\" autocomplete=\"off\" required autofocus aria-describedby=\"problem-token\">",
                "You signed in with an API token: enter it again (the smcp_... token your admin gave you).",
                problems,
            ),
        )
    };
    let body = format!("{intro}{how}<p><a href=\"/admin\" id=\"step-up-cancel\">Cancel</a></p>");
    let status = if problems.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNAUTHORIZED
    };
    console_page(admin, status, "", "Confirm it is you", &body)
}

/// The page for a pending action that is gone (used, expired, or another session's).
fn gone(admin: &Admin) -> Response {
    console_page(
        admin,
        http::StatusCode::GONE,
        "",
        "Nothing to confirm",
        "<p class=\"problem-box\">This confirmation was already used, has expired (after 10 minutes), or belongs to another sign-in: nothing was saved now.</p>\
         <p><a href=\"/admin\">Open the admin console</a> and save the form again.</p>",
    )
}

/// `?pending=` of the step-up page.
#[derive(Debug, Deserialize)]
pub(super) struct PendingQuery {
    pending: Option<String>,
}

/// Reads a session's pending action (left in place).
async fn peek(state: &HttpState, admin: &Admin, id: &str) -> Result<Option<Pending>, Response> {
    let id_hash = store::tokens::hash(id);
    let session_hash = admin.0.session_hash.clone();
    let row = state
        .app
        .store
        .call(move |c| store::step_up::get(c, &id_hash, &session_hash))
        .await
        .map_err(|e| pages::internal(&e.to_string()))?;
    row.map(|r| open(state, &r.payload_sealed))
        .transpose()
        .map_err(|e| pages::internal(&e))
}

/// Opens a sealed pending action.
fn open(state: &HttpState, sealed: &[u8]) -> Result<Pending, String> {
    use secrecy::ExposeSecret as _;
    let plain = state.app.sealer.open(sealed).map_err(|e| e.to_string())?;
    serde_json::from_str(plain.expose_secret()).map_err(|e| e.to_string())
}

/// `GET /admin/step-up?pending=`: back from "Sign in with Salesforce", a button completes the
/// action (a POST with the CSRF token); without a recent sign-in, the prompt again.
pub(super) async fn page(
    admin: Admin,
    State(state): State<HttpState>,
    Query(q): Query<PendingQuery>,
) -> Response {
    let id = q.pending.unwrap_or_default();
    let pending = match peek(&state, &admin, &id).await {
        Ok(Some(p)) => p,
        Ok(None) => return gone(&admin),
        Err(r) => return r,
    };
    if !recent(&admin.0) {
        return prompt(&admin, &id, &pending.what(), &Problems::default());
    }
    let body = format!(
        "<p class=\"notice\">You proved who you are.</p><p id=\"step-up-what\">Complete: <strong>{}</strong>?</p>\
         <form class=\"card\" method=\"post\" action=\"/admin/step-up\" id=\"step-up-form\">{}\
         <input type=\"hidden\" name=\"pending\" value=\"{}\"><button type=\"submit\" id=\"step-up-confirm\">Save</button></form>\
         <p><a href=\"/admin\" id=\"step-up-cancel\">Cancel</a></p>",
        pages::escape(&pending.what()),
        admin.0.csrf_input(),
        pages::escape(&id)
    );
    console_page(&admin, http::StatusCode::OK, "", "Confirm it is you", &body)
}

/// `POST /admin/step-up`: checks the proof (the admin's API token, or a recent Salesforce
/// sign-in), then takes the pending action — once — and runs it.
pub(super) async fn complete(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let id = fields.get("pending").to_owned();
    let pending = match peek(&state, &admin, &id).await {
        Ok(Some(p)) => p,
        Ok(None) => return gone(&admin),
        Err(r) => return r,
    };
    if admin.0.method == method::API_TOKEN && fields.has("token") {
        let hash = store::tokens::hash(fields.get("token").trim());
        let session_hash = admin.0.session_hash.clone();
        let user_id = admin.0.user_id;
        let proven = state
            .app
            .store
            .call(move |c| {
                if store::tokens::user_for(c, &hash)? != Some(user_id) {
                    return Ok(false);
                }
                store::tokens::reauthenticated(c, &session_hash)?;
                Ok(true)
            })
            .await;
        match proven {
            Ok(true) => {}
            Ok(false) => {
                let problems = Problems::at(
                    "token",
                    "This is not your API token (unknown, revoked, or another person's): enter the token you signed in with, or ask an admin for a new one.",
                );
                return prompt(&admin, &id, &pending.what(), &problems);
            }
            Err(e) => return pages::internal(&e.to_string()),
        }
    } else if !recent(&admin.0) {
        return prompt(&admin, &id, &pending.what(), &Problems::default());
    }
    let id_hash = store::tokens::hash(&id);
    let session_hash = admin.0.session_hash.clone();
    let taken = state
        .app
        .store
        .call(move |c| store::step_up::take(c, &id_hash, &session_hash))
        .await;
    match taken {
        Ok(Some(row)) => match open(&state, &row.payload_sealed) {
            Ok(pending) => pending.run(&state, &admin).await,
            Err(e) => pages::internal(&e),
        },
        Ok(None) => gone(&admin),
        Err(e) => pages::internal(&e.to_string()),
    }
}
