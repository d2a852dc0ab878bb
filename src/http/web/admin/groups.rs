//! Groups (`/admin/groups`): the list with the add form, and each group's page with its
//! priority, override app, members, and removal.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::app::{APP_FIELDS, AppForm, base_field};
use super::form::{self, Done, Fields, Notice, Problems, button_form, field, input, segment};
use super::step_up::{self, Pending};
use super::{Admin, admin_read, call, console_page, nav_title};
use crate::admin::{self, AdminError, AppInput, GroupView};
use crate::http::server::HttpState;
use crate::http::web::pages::{self, escape};

/// `GET /admin/groups`.
pub(super) async fn list(
    admin: Admin,
    State(state): State<HttpState>,
    Query(notice): Query<Notice>,
) -> Response {
    render_list(&admin, &state, "", "", &Problems::default(), &notice.html()).await
}

async fn render_list(
    admin: &Admin,
    state: &HttpState,
    name: &str,
    priority: &str,
    problems: &Problems,
    notice: &str,
) -> Response {
    let groups = match admin_read(state, admin::group_views).await {
        Ok(g) => g,
        Err(page) => return page,
    };
    let table = if groups.is_empty() {
        "<p>No groups yet. A group gives its members their own Salesforce app (an override of the organization's).</p>".to_owned()
    } else {
        let rows: String = groups
            .iter()
            .map(|g| {
                let app = g.app.as_ref().map_or_else(
                    || "none (members use the organization app)".to_owned(),
                    |a| {
                        format!(
                            "<code>{}</code> ({})",
                            escape(&a.client_id),
                            if a.enabled { "enabled" } else { "disabled" }
                        )
                    },
                );
                let members = if g.members.is_empty() {
                    "-".to_owned()
                } else {
                    escape(&g.members.join(", "))
                };
                format!(
                    "<tr><td><a href=\"/admin/groups/{}\">{}</a></td><td>{}</td><td>{app}</td><td>{members}</td></tr>",
                    escape(&segment(&g.name)),
                    escape(&g.name),
                    g.priority
                )
            })
            .collect();
        format!(
            "<table id=\"groups\"><tr><th>Group</th><th>Priority</th><th>Override app</th><th>Members</th></tr>{rows}</table>"
        )
    };
    let priority = if priority.is_empty() {
        admin::DEFAULT_PRIORITY.to_string()
    } else {
        priority.to_owned()
    };
    let body = format!(
        "{notice}{table}<h2>Add a group</h2><form class=\"card\" method=\"post\" action=\"/admin/groups\" id=\"add-group\">{}{}{}{}\
         <button type=\"submit\" id=\"add-group-submit\">Add group</button></form>",
        admin.0.csrf_input(),
        problems.summary(),
        field(
            "name",
            "Name",
            &input("text", "name", name, " required spellcheck=\"false\""),
            "1 to 64 letters, digits, '-', '_' or '.'. Set its override app on the group's page.",
            problems
        ),
        field(
            "priority",
            "Priority",
            &input("number", "priority", &priority, " required"),
            "When a person is in several groups, the lowest number wins.",
            problems
        ),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/groups",
        nav_title("/admin/groups"),
        &body,
    )
}

/// A priority as entered.
fn parse_priority(text: &str) -> Result<i64, Problems> {
    text.trim().parse::<i64>().map_err(|_| {
        Problems::at(
            "priority",
            format!(
                "'{}' is not a whole number: give a priority such as 100 (lower wins).",
                text.trim()
            ),
        )
    })
}

/// `POST /admin/groups`: adds a group.
pub(super) async fn add(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let (name, priority_text) = (fields.get("name").trim().to_owned(), fields.get("priority"));
    let priority = match parse_priority(priority_text) {
        Ok(p) => p,
        Err(problems) => {
            return render_list(&admin, &state, &name, priority_text, &problems, "").await;
        }
    };
    let actor = admin.actor();
    let group = name.clone();
    match call(&state, move |app| {
        admin::group_add(app, &actor, &group, priority, &AppInput::default())
    })
    .await
    {
        Err(page) => page,
        Ok(Ok(g)) => form::done(&format!("/admin/groups/{}", segment(&g.name)), Done::Saved),
        Ok(Err(e)) => {
            let problems = Problems::of(&e, &[], Some("name"));
            render_list(&admin, &state, &name, priority_text, &problems, "").await
        }
    }
}

/// What the group page shows as entered (after a problem) instead of the stored values.
#[derive(Default)]
struct Entered {
    priority: Option<String>,
    app: Option<AppForm>,
    member: String,
}

/// `GET /admin/groups/{name}`.
pub(super) async fn show(
    admin: Admin,
    State(state): State<HttpState>,
    Path(name): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    render_group(
        &admin,
        &state,
        &name,
        &Entered::default(),
        &Problems::default(),
        &notice.html(),
    )
    .await
}

async fn render_group(
    admin: &Admin,
    state: &HttpState,
    name: &str,
    entered: &Entered,
    problems: &Problems,
    notice: &str,
) -> Response {
    let wanted = name.to_owned();
    let group: GroupView = match call(state, move |app| admin::group_show(app, &wanted)).await {
        Err(page) => return page,
        Ok(Ok(g)) => g,
        Ok(Err(AdminError::NotFound(_))) => return super::not_found(),
        Ok(Err(e)) => return pages::internal(&e.to_string()),
    };
    let path = format!("/admin/groups/{}", segment(&group.name));
    let priority = entered
        .priority
        .clone()
        .unwrap_or_else(|| group.priority.to_string());
    let stored_form;
    let app_form = match &entered.app {
        Some(f) => f,
        None => {
            stored_form = AppForm::from_view(group.app.as_ref());
            &stored_form
        }
    };
    let app_intro = if group.app.is_none() {
        "<p>This group has no override app: its members use the organization's app. Fill in a client id to give them their own.</p>"
    } else {
        ""
    };
    let members: String = group
        .members
        .iter()
        .map(|m| {
            format!(
                "<tr><td><a href=\"/admin/people/{}\">{}</a></td><td>{}</td></tr>",
                escape(&segment(m)),
                escape(m),
                button_form(
                    admin,
                    &path,
                    &[("action", "leave"), ("email", m)],
                    "Remove from group",
                    &format!("leave-{m}"),
                    "danger"
                )
            )
        })
        .collect();
    let members = if members.is_empty() {
        "<p>No members yet.</p>".to_owned()
    } else {
        format!("<table id=\"members\"><tr><th>Member</th><th></th></tr>{members}</table>")
    };
    let csrf = admin.0.csrf_input();
    let rotation = group.app.as_ref().map_or(String::new(), |a| {
        super::credentials::sections(admin, a, &Problems::default(), None)
    });
    let body = format!(
        "{notice}<p><a href=\"/admin/groups\">All groups</a></p>{}\
         <h2>Priority</h2><form class=\"card\" method=\"post\" action=\"{p}\" id=\"priority-form\">{csrf}<input type=\"hidden\" name=\"action\" value=\"priority\">{}\
         <button type=\"submit\" id=\"save-priority\">Save priority</button></form>\
         <h2>Override app</h2>{app_intro}<form class=\"card\" method=\"post\" action=\"{p}\" id=\"app-form\">{csrf}<input type=\"hidden\" name=\"action\" value=\"app\">{}\
         <button type=\"submit\" id=\"save-app\">Save override app</button></form>{rotation}\
         <h2>Members</h2>{members}<form class=\"card\" method=\"post\" action=\"{p}\" id=\"add-member\">{csrf}<input type=\"hidden\" name=\"action\" value=\"join\">{}\
         <button type=\"submit\" id=\"add-member-submit\">Add member</button></form>\
         <h2>Remove the group</h2><p>Its members fall back to their next group's app or the organization's; those whose app changes must connect again.</p>{}",
        problems.summary(),
        field(
            "priority",
            "Priority",
            &input("number", "priority", &priority, " required"),
            "When a person is in several groups, the lowest number wins.",
            problems
        ),
        app_form.fields_html(
            group.app.as_ref().is_some_and(admin::AppView::has_secret),
            problems
        ),
        field(
            "email",
            "E-mail",
            &input("email", "email", &entered.member, " required"),
            "The person is added to salesforce-mcp if they are not there yet.",
            problems
        ),
        button_form(
            admin,
            &path,
            &[("action", "remove")],
            &format!("Remove group {}", group.name),
            "remove-group",
            "danger"
        ),
        p = escape(&path),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/groups",
        &format!("Group {}", group.name),
        &body,
    )
}

/// `POST /admin/groups/{name}` with `action`: priority, app, join, leave or remove.
pub(super) async fn change(
    admin: Admin,
    State(state): State<HttpState>,
    Path(name): Path<String>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let path = format!("/admin/groups/{}", segment(&name));
    let actor = admin.actor();
    match fields.get("action") {
        "priority" => {
            let text = fields.get("priority").to_owned();
            let entered = Entered {
                priority: Some(text.clone()),
                ..Entered::default()
            };
            let priority = match parse_priority(&text) {
                Ok(p) => p,
                Err(problems) => {
                    return render_group(&admin, &state, &name, &entered, &problems, "").await;
                }
            };
            let group = name.clone();
            let result = call(&state, move |app| {
                admin::group_set(app, &actor, &group, Some(priority), &AppInput::default())
                    .map(|s| s.reconnect_required)
            })
            .await;
            finish(
                &admin,
                &state,
                &name,
                &path,
                result,
                entered,
                Some("priority"),
            )
            .await
        }
        "app" => {
            let form = AppForm::from_fields(&fields);
            let wanted = name.clone();
            let current = match admin_read(&state, move |app| admin::group_show(app, &wanted)).await
            {
                Ok(g) => g.app,
                Err(page) => return page,
            };
            if let Err(problems) = form.input() {
                let entered = Entered {
                    app: Some(form),
                    ..Entered::default()
                };
                return render_group(&admin, &state, &name, &entered, &problems, "").await;
            }
            if form.needs_step_up(current.as_ref()) {
                return step_up::require(
                    &state,
                    &admin,
                    Pending::GroupApp {
                        group: name,
                        app: form,
                    },
                )
                .await;
            }
            apply_app(&state, &admin, &name, form).await
        }
        "join" => {
            let email = fields.get("email").trim().to_owned();
            let entered = Entered {
                member: email.clone(),
                ..Entered::default()
            };
            let group = name.clone();
            let result = call(&state, move |app| {
                admin::user_add(app, &actor, &email, &[group], false).map(|s| s.reconnect_required)
            })
            .await;
            finish(&admin, &state, &name, &path, result, entered, Some("email")).await
        }
        "leave" => {
            let email = fields.get("email").to_owned();
            let group = name.clone();
            let result = call(&state, move |app| {
                admin::user_leave_groups(app, &actor, &email, &[group])
                    .map(|s| s.reconnect_required)
            })
            .await;
            finish(
                &admin,
                &state,
                &name,
                &path,
                result,
                Entered::default(),
                None,
            )
            .await
        }
        "remove" => {
            let group = name.clone();
            match call(&state, move |app| admin::group_remove(app, &actor, &group)).await {
                Err(page) => page,
                Ok(Ok(_)) => form::done("/admin/groups", Done::Removed),
                Ok(Err(AdminError::NotFound(_))) => super::not_found(),
                Ok(Err(e)) => pages::internal(&e.to_string()),
            }
        }
        _ => super::not_found(),
    }
}

/// Saves a group's override app as entered.
pub(super) async fn apply_app(
    state: &HttpState,
    admin: &Admin,
    name: &str,
    form: AppForm,
) -> Response {
    let path = format!("/admin/groups/{}", segment(name));
    let input = match form.input() {
        Ok(i) => i,
        Err(problems) => {
            let entered = Entered {
                app: Some(form),
                ..Entered::default()
            };
            return render_group(admin, state, name, &entered, &problems, "").await;
        }
    };
    let actor = admin.actor();
    let group = name.to_owned();
    let result = call(state, move |app| {
        admin::group_set(app, &actor, &group, None, &input).map(|s| s.reconnect_required)
    })
    .await;
    match result {
        Err(page) => page,
        Ok(Ok(moved)) => form::done(&path, Done::saved(&moved)),
        Ok(Err(e)) => {
            let problems = base_field(&form, Problems::of(&e, APP_FIELDS, None));
            let entered = Entered {
                app: Some(form),
                ..Entered::default()
            };
            render_group(admin, state, name, &entered, &problems, "").await
        }
    }
}

/// The redirect after a saved change, or the group page with the problem (next to `fallback`).
async fn finish(
    admin: &Admin,
    state: &HttpState,
    name: &str,
    path: &str,
    result: Result<Result<Vec<String>, AdminError>, Response>,
    entered: Entered,
    fallback: Option<&'static str>,
) -> Response {
    match result {
        Err(page) => page,
        Ok(Ok(moved)) => form::done(path, Done::saved(&moved)),
        Ok(Err(e)) => {
            let problems = Problems::of(&e, &[], fallback);
            render_group(admin, state, name, &entered, &problems, "").await
        }
    }
}
