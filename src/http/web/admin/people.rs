//! People (`/admin/people`): the list with the add form, and each person's page with their
//! groups, admin flag, effective app, connection (status and reason), disconnect and removal.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::form::{
    self, Done, Fields, Notice, Problems, button_form, checkbox, field, input, segment, select,
};
use super::step_up::{self, Pending};
use super::{Admin, admin_read, call, call_async, console_page, fields, nav_title};
use crate::admin::{self, AdminError, UserView};
use crate::http::server::HttpState;
use crate::http::web::pages::{self, escape};

/// Where a message about a person's form belongs.
const PERSON_FIELDS: &[(&str, &str)] = &[("e-mail", "email"), ("group", "groups")];

/// `GET /admin/people`.
pub(super) async fn list(
    admin: Admin,
    State(state): State<HttpState>,
    Query(notice): Query<Notice>,
) -> Response {
    render_list(
        &admin,
        &state,
        &Fields::default(),
        &Problems::default(),
        &notice.html(),
    )
    .await
}

async fn render_list(
    admin: &Admin,
    state: &HttpState,
    entered: &Fields,
    problems: &Problems,
    notice: &str,
) -> Response {
    let loaded = admin_read(state, |app| {
        Ok((admin::user_list(app)?, admin::group_list(app)?))
    })
    .await;
    let (people, groups) = match loaded {
        Ok(x) => x,
        Err(page) => return page,
    };
    let rows: String = people
        .iter()
        .map(|u| {
            format!(
                "<tr><td><a href=\"/admin/people/{}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                escape(&segment(&u.email)),
                escape(&u.email),
                if u.admin { "admin" } else { "-" },
                escape(&if u.groups.is_empty() { "-".to_owned() } else { u.groups.join(", ") }),
                escape(u.connection.as_deref().unwrap_or("not connected")),
            )
        })
        .collect();
    let chosen = entered.all("groups");
    let group_boxes: String = groups
        .iter()
        .map(|g| {
            format!(
                "<label><input type=\"checkbox\" name=\"groups\" value=\"{}\"{}> {}</label>",
                escape(&g.name),
                if chosen.contains(&g.name) {
                    " checked"
                } else {
                    ""
                },
                escape(&g.name)
            )
        })
        .collect();
    let group_boxes = if groups.is_empty() {
        "<p>No groups yet.</p>".to_owned()
    } else {
        format!("<div class=\"choices\" id=\"f-groups\">{group_boxes}</div>")
    };
    let body = format!(
        "{notice}<table id=\"people\"><tr><th>Person</th><th>Admin</th><th>Groups</th><th>Connection</th></tr>{rows}</table>\
         <h2>Add a person</h2><form class=\"card\" method=\"post\" action=\"/admin/people\" id=\"add-person\">{}{}{}{}{}\
         <button type=\"submit\" id=\"add-person-submit\">Add person</button></form>",
        admin.0.csrf_input(),
        problems.summary(),
        field(
            "email",
            "E-mail",
            &input("email", "email", entered.get("email").trim(), " required"),
            "The e-mail of their Salesforce user: that is how they are recognised when they sign in.",
            problems
        ),
        field(
            "groups",
            "Groups",
            &group_boxes,
            "Their groups' override apps apply to them (the lowest priority wins).",
            problems
        ),
        field(
            "admin",
            "Admin",
            &checkbox(
                "admin",
                "This person may use the admin console",
                entered.has("admin")
            ),
            "Granting admin asks you to sign in again.",
            problems
        ),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/people",
        nav_title("/admin/people"),
        &body,
    )
}

/// `POST /admin/people`: adds a person (an admin after a step-up).
pub(super) async fn add(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let email = fields.get("email").trim().to_owned();
    let groups = fields.all("groups");
    if fields.has("admin") {
        return step_up::require(&state, &admin, Pending::AddAdmin { email, groups }).await;
    }
    let actor = admin.actor();
    let (e, g) = (email.clone(), groups.clone());
    match call(&state, move |app| {
        admin::user_add(app, &actor, &e, &g, false)
    })
    .await
    {
        Err(page) => page,
        Ok(Ok(saved)) => form::done(
            &format!("/admin/people/{}", segment(&saved.item.email)),
            Done::saved(&saved.reconnect_required),
        ),
        Ok(Err(e)) => {
            render_list(
                &admin,
                &state,
                &fields,
                &Problems::of(&e, PERSON_FIELDS, None),
                "",
            )
            .await
        }
    }
}

/// Adds a person with groups and the admin flag (after a step-up when `admin`).
pub(super) async fn apply_add(
    state: &HttpState,
    admin: &Admin,
    email: &str,
    groups: &[String],
    is_admin: bool,
) -> Response {
    let actor = admin.actor();
    let (e, g) = (email.to_owned(), groups.to_vec());
    match call(state, move |app| {
        admin::user_add(app, &actor, &e, &g, is_admin)
    })
    .await
    {
        Err(page) => page,
        Ok(Ok(saved)) => form::done(
            &format!("/admin/people/{}", segment(&saved.item.email)),
            Done::saved(&saved.reconnect_required),
        ),
        Ok(Err(e)) => {
            let mut entered: Vec<(String, String)> = vec![("email".into(), email.to_owned())];
            entered.extend(groups.iter().map(|g| ("groups".to_owned(), g.clone())));
            if is_admin {
                entered.push(("admin".into(), "1".into()));
            }
            render_list(
                admin,
                state,
                &Fields::from(entered),
                &Problems::of(&e, PERSON_FIELDS, None),
                "",
            )
            .await
        }
    }
}

/// `GET /admin/people/{email}`.
pub(super) async fn show(
    admin: Admin,
    State(state): State<HttpState>,
    Path(email): Path<String>,
    Query(notice): Query<Notice>,
) -> Response {
    render_person(&admin, &state, &email, &Problems::default(), &notice.html()).await
}

async fn render_person(
    admin: &Admin,
    state: &HttpState,
    email: &str,
    problems: &Problems,
    notice: &str,
) -> Response {
    let wanted = email.to_owned();
    let loaded = call(state, move |app| {
        Ok((admin::user_show(app, &wanted)?, admin::group_list(app)?))
    })
    .await;
    let (person, groups): (UserView, _) = match loaded {
        Err(page) => return page,
        Ok(Ok(x)) => x,
        Ok(Err(AdminError::NotFound(_))) => return super::not_found(),
        Ok(Err(e)) => return pages::internal(&e.to_string()),
    };
    let path = format!("/admin/people/{}", segment(&person.email));
    let effective = person.effective_app.as_ref().map_or_else(
        || "none: no enabled app applies to this person, so they cannot connect".to_owned(),
        |a| {
            format!(
                "{} (<code>{}</code>, {})",
                escape(&a.app),
                escape(&a.client_id),
                escape(&a.auth_base_url)
            )
        },
    );
    let connection = person.connection.as_ref().map_or_else(
        || "not connected".to_owned(),
        |c| {
            let reason = c
                .last_error
                .as_deref()
                .map(|e| {
                    format!(
                        "<br><span class=\"error\">{}</span>",
                        escape(&crate::shown::escaped(e))
                    )
                })
                .unwrap_or_default();
            format!(
                "<span id=\"connection-status\">{}</span>: {} ({}), since {}{reason}",
                escape(&c.status),
                escape(&crate::shown::escaped(&c.username)),
                escape(&c.org_id),
                super::when(&c.connected_at)
            )
        },
    );
    let group_rows: String = person
        .groups
        .iter()
        .map(|g| {
            format!(
                "<tr><td><a href=\"/admin/groups/{}\">{}</a></td><td>{}</td><td>{}</td></tr>",
                escape(&segment(&g.name)),
                escape(&g.name),
                g.priority,
                button_form(
                    admin,
                    &path,
                    &[("action", "leave"), ("group", &g.name)],
                    "Leave group",
                    &format!("leave-{}", g.name),
                    "danger"
                )
            )
        })
        .collect();
    let group_table = if group_rows.is_empty() {
        "<p>In no group: the organization's app applies.</p>".to_owned()
    } else {
        format!(
            "<table id=\"person-groups\"><tr><th>Group</th><th>Priority</th><th></th></tr>{group_rows}</table>"
        )
    };
    let others: Vec<(String, String)> = groups
        .iter()
        .filter(|g| !person.groups.iter().any(|p| p.name == g.name))
        .map(|g| {
            (
                g.name.clone(),
                format!("{} (priority {})", g.name, g.priority),
            )
        })
        .collect();
    let csrf = admin.0.csrf_input();
    let join = if others.is_empty() {
        String::new()
    } else {
        format!(
            "<form class=\"card\" method=\"post\" action=\"{}\" id=\"join-group\">{csrf}<input type=\"hidden\" name=\"action\" value=\"join\">{}\
             <button type=\"submit\" id=\"join-group-submit\">Add to group</button></form>",
            escape(&path),
            field(
                "group",
                "Add to a group",
                &select("group", &others, ""),
                "",
                problems
            )
        )
    };
    let admin_button = if person.admin {
        button_form(
            admin,
            &path,
            &[("action", "admin_off")],
            "Remove admin",
            "admin-off",
            "danger",
        )
    } else {
        button_form(
            admin,
            &path,
            &[("action", "admin_on")],
            "Make admin",
            "admin-on",
            "",
        )
    };
    let disconnect = if person.connection.is_some() {
        format!(
            "<p>Revokes the connection at Salesforce and deletes it here; they can connect again from their connection page.</p><div>{}</div>",
            button_form(
                admin,
                &path,
                &[("action", "disconnect")],
                "Disconnect from Salesforce",
                "disconnect",
                "danger",
            )
        )
    } else {
        "<p>Not connected to Salesforce: nothing to disconnect.</p>".to_owned()
    };
    let body = format!(
        "{notice}<p><a href=\"/admin/people\">All people</a></p>{}{}\
         <h2>Admin</h2><p>{}</p><div>{admin_button}</div><p class=\"help\">Making someone an admin asks you to sign in again.</p>\
         <h2>Groups</h2>{group_table}{join}\
         <h2>Connection</h2>{disconnect}\
         <h2>Remove</h2><p>Removes the person, their API tokens and their connection (revoked at Salesforce first).</p><div>{}</div>",
        problems.summary(),
        fields(&[
            ("E-mail", escape(&person.email)),
            ("Effective app", effective),
            ("Connection", connection),
        ]),
        if person.admin {
            "This person is an admin."
        } else {
            "This person is not an admin."
        },
        button_form(
            admin,
            &path,
            &[("action", "remove")],
            &format!("Remove {}", person.email),
            "remove-person",
            "danger"
        ),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/people",
        &person.email,
        &body,
    )
}

/// `POST /admin/people/{email}` with `action`: admin_on, admin_off, join, leave, disconnect or
/// remove.
pub(super) async fn change(
    admin: Admin,
    State(state): State<HttpState>,
    Path(email): Path<String>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let path = format!("/admin/people/{}", segment(&email));
    let actor = admin.actor();
    let who = email.clone();
    match fields.get("action") {
        "admin_on" => step_up::require(&state, &admin, Pending::GrantAdmin { email }).await,
        "admin_off" => apply_admin(&state, &admin, &email, false).await,
        "join" => {
            let group = fields.get("group").to_owned();
            let r = call(&state, move |app| {
                admin::user_add(app, &actor, &who, &[group], false).map(|s| s.reconnect_required)
            })
            .await;
            finish(&admin, &state, &email, &path, r, Some("group")).await
        }
        "leave" => {
            let group = fields.get("group").to_owned();
            let r = call(&state, move |app| {
                admin::user_leave_groups(app, &actor, &who, &[group]).map(|s| s.reconnect_required)
            })
            .await;
            finish(&admin, &state, &email, &path, r, None).await
        }
        "disconnect" => {
            let r = call_async(&state, move |app| async move {
                admin::user_disconnect(&app, &actor, &who).await
            })
            .await;
            match r {
                Err(page) => page,
                Ok(Ok(_)) => form::done(&path, Done::Disconnected),
                Ok(Err(AdminError::NotFound(_))) => super::not_found(),
                Ok(Err(e)) => pages::internal(&e.to_string()),
            }
        }
        "remove" => {
            let r = call_async(&state, move |app| async move {
                admin::user_remove(&app, &actor, &who).await
            })
            .await;
            match r {
                Err(page) => page,
                Ok(Ok(_)) => form::done("/admin/people", Done::Removed),
                Ok(Err(AdminError::NotFound(_))) => super::not_found(),
                Ok(Err(e)) => pages::internal(&e.to_string()),
            }
        }
        _ => super::not_found(),
    }
}

/// Turns a person's admin flag on (after a step-up) or off.
pub(super) async fn apply_admin(
    state: &HttpState,
    admin: &Admin,
    email: &str,
    on: bool,
) -> Response {
    let path = format!("/admin/people/{}", segment(email));
    let actor = admin.actor();
    let who = email.to_owned();
    let r = call(state, move |app| {
        admin::user_set_admin(app, &actor, &who, on).map(|_| Vec::new())
    })
    .await;
    finish(admin, state, email, &path, r, None).await
}

/// The redirect after a saved change, or the person's page with the problem.
async fn finish(
    admin: &Admin,
    state: &HttpState,
    email: &str,
    path: &str,
    result: Result<Result<Vec<String>, AdminError>, Response>,
    fallback: Option<&'static str>,
) -> Response {
    match result {
        Err(page) => page,
        Ok(Ok(moved)) => form::done(path, Done::saved(&moved)),
        Ok(Err(AdminError::NotFound(m))) if fallback.is_none() && m.contains("no person") => {
            super::not_found()
        }
        Ok(Err(e)) => {
            render_person(admin, state, email, &Problems::of(&e, &[], fallback), "").await
        }
    }
}
