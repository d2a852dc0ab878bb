//! The Policies page (`/admin/policies`): the approval policy, the change lifetime and the
//! `read_only` switch, through `crate::admin::policy_show` / `policy_set` like
//! `salesforce-mcp admin policy`. A value given to the server at start (flag, environment, config
//! file) wins and is shown locked. Switching approval to `client-consent` needs a step-up.

use axum::extract::{Query, State};
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::form::{self, Done, Fields, Notice, Problems, checkbox, field, input};
use super::step_up::{self, Pending};
use super::{Admin, admin_read, call, console_page, nav_title, when};
use crate::admin::{self, PolicyInput, PolicyItem, PolicyView};
use crate::http::server::HttpState;
use crate::http::web::pages::escape;

const CLIENT_CONSENT: &str = "client-consent";

/// The form as entered.
#[derive(Default, Serialize, Deserialize)]
pub(super) struct PoliciesForm {
    approval: String,
    change_ttl: String,
    read_only: bool,
}

impl PoliciesForm {
    fn from_fields(f: &Fields) -> Self {
        Self {
            approval: f.get("approval").to_owned(),
            change_ttl: f.get("change_ttl").trim().to_owned(),
            read_only: f.has("read_only"),
        }
    }

    fn from_view(v: &PolicyView) -> Self {
        Self {
            approval: v.approval.value.clone(),
            change_ttl: v.change_ttl.value.clone(),
            read_only: v.read_only.value == "on",
        }
    }

    /// What to store: each unlocked policy whose value the admin changed.
    fn input(&self, current: &PolicyView) -> PolicyInput {
        let changed = |item: &PolicyItem, value: &str| {
            (!item.locked && item.value != value).then(|| value.to_owned())
        };
        PolicyInput {
            approval: changed(&current.approval, &self.approval),
            change_ttl: changed(&current.change_ttl, &self.change_ttl),
            read_only: changed(
                &current.read_only,
                if self.read_only { "on" } else { "off" },
            ),
        }
    }
}

/// `GET /admin/policies`.
pub(super) async fn page(
    admin: Admin,
    State(state): State<HttpState>,
    Query(notice): Query<Notice>,
) -> Response {
    let current = match admin_read(&state, admin::policy_show).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let form = PoliciesForm::from_view(&current);
    render(
        &admin,
        &current,
        &form,
        &Problems::default(),
        &notice.html(),
    )
}

/// Where a value comes from, and who stored it when.
fn origin(item: &PolicyItem) -> String {
    if let Some(by) = &item.given_as {
        return format!(
            "Set by {} where the server starts; it wins over this page. Remove it there and restart the server to change it here.",
            by
        );
    }
    match (&item.updated_by, &item.updated_at) {
        (Some(by), Some(at)) => format!("Set here by {by} at {}.", when(at)),
        _ => "The default.".to_owned(),
    }
}

fn render(
    admin: &Admin,
    current: &PolicyView,
    form: &PoliciesForm,
    problems: &Problems,
    notice: &str,
) -> Response {
    let locked = |item: &PolicyItem| if item.locked { " disabled" } else { "" };
    let radio = |value: &str, label: &str| {
        format!(
            "<label><input type=\"radio\" name=\"approval\" id=\"f-approval-{value}\" value=\"{value}\"{}{}> {}</label>",
            if form.approval == value {
                " checked"
            } else {
                ""
            },
            locked(&current.approval),
            escape(label)
        )
    };
    let approval = format!(
        "<div class=\"choices\" id=\"f-approval\">{}{}</div>",
        radio(
            "elicitation",
            "Elicitation: the person approves each change in their client, on the approval page or at a terminal (safe default)"
        ),
        radio(
            CLIENT_CONSENT,
            "Client consent: the client's own confirmation of the confirm_change call counts as approval (only for clients that ask the person before every tool call)"
        ),
    );
    let read_only = checkbox(
        "read_only",
        "Read-only: the change tools are hidden and refused, pending changes cannot be approved; reads work as before",
        form.read_only,
    );
    // A locked policy is shown, not sent: the server's setting stays.
    let read_only = if current.read_only.locked {
        read_only.replace("value=\"1\"", "value=\"1\" disabled")
    } else {
        read_only
    };
    let body = format!(
        "{notice}<p>Policies apply at once to every instance sharing this database. \
         The same settings: <code>salesforce-mcp admin policy show</code> and <code>admin policy set</code>.</p>\
         <form class=\"card\" method=\"post\" action=\"/admin/policies\" id=\"policies-form\">{}{}{}{}{}\
         <button type=\"submit\" id=\"save-policies\">Save</button></form>",
        admin.0.csrf_input(),
        problems.summary(),
        field(
            "approval",
            "Approval",
            &approval,
            &origin(&current.approval),
            problems
        ),
        field(
            "change_ttl",
            "Change lifetime",
            &input(
                "text",
                "change_ttl",
                &form.change_ttl,
                locked(&current.change_ttl)
            ),
            &format!(
                "How long a prepared change waits for approval before it expires: 90s, 15m, 1h (10s to 24h). {}",
                origin(&current.change_ttl)
            ),
            problems,
        ),
        field(
            "read_only",
            "Changes",
            &read_only,
            &origin(&current.read_only),
            problems
        ),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/policies",
        nav_title("/admin/policies"),
        &body,
    )
}

/// `POST /admin/policies`: saves the changed policies (after a step-up when approval switches to
/// client-consent).
pub(super) async fn save(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let form = PoliciesForm::from_fields(&fields);
    let current = match admin_read(&state, admin::policy_show).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let input = form.input(&current);
    if input.approval.as_deref() == Some(CLIENT_CONSENT) {
        return step_up::require(&state, &admin, Pending::Policies { form }).await;
    }
    apply(&state, &admin, form).await
}

/// Stores the changed policies: back to the page with "Saved.", or the form with the problem.
pub(super) async fn apply(state: &HttpState, admin: &Admin, form: PoliciesForm) -> Response {
    let current = match admin_read(state, admin::policy_show).await {
        Ok(v) => v,
        Err(page) => return page,
    };
    let input = form.input(&current);
    if input.approval.is_none() && input.change_ttl.is_none() && input.read_only.is_none() {
        return form::done("/admin/policies", Done::Saved);
    }
    let actor = admin.actor();
    match call(state, move |app| admin::policy_set(app, input, &actor)).await {
        Err(page) => page,
        Ok(Ok(_)) => form::done("/admin/policies", Done::Saved),
        Ok(Err(e)) => {
            let problems = Problems::of(
                &e,
                &[
                    ("change lifetime", "change_ttl"),
                    ("duration", "change_ttl"),
                    ("approval", "approval"),
                    ("read_only", "read_only"),
                ],
                None,
            );
            render(admin, &current, &form, &problems, "")
        }
    }
}
