//! API tokens (`/admin/tokens`): the list (never a token itself), create — the new token is
//! shown once, on the result page, and never again — and revoke.

use axum::extract::{Path, Query, State};
use axum::response::Response;

use super::form::{self, Done, Fields, Notice, Problems, button_form, field, select};
use super::{Admin, admin_read, call, console_page, nav_title};
use crate::admin;
use crate::http::server::HttpState;
use crate::http::web::pages::escape;

/// `GET /admin/tokens`.
pub(super) async fn list(
    admin: Admin,
    State(state): State<HttpState>,
    Query(notice): Query<Notice>,
) -> Response {
    render(&admin, &state, "", &Problems::default(), &notice.html()).await
}

async fn render(
    admin: &Admin,
    state: &HttpState,
    person: &str,
    problems: &Problems,
    top: &str,
) -> Response {
    let loaded = admin_read(state, |app| {
        Ok((admin::token_list(app, None)?, admin::user_list(app)?))
    })
    .await;
    let (tokens, people) = match loaded {
        Ok(x) => x,
        Err(page) => return page,
    };
    let rows: String = tokens
        .iter()
        .rev()
        .map(|t| {
            let state_cell = match &t.revoked_at {
                Some(at) => format!("revoked {}", super::when(at)),
                None => button_form(
                    admin,
                    &format!("/admin/tokens/{}/revoke", t.id),
                    &[],
                    "Revoke",
                    &format!("revoke-{}", t.id),
                    "danger",
                ),
            };
            format!(
                "<tr><td>{}</td><td>{}</td><td class=\"when\">{}</td><td class=\"when\">{}</td><td>{state_cell}</td></tr>",
                t.id,
                escape(&t.user),
                super::when(&t.created_at),
                t.last_used_at.as_deref().map_or_else(|| "never".to_owned(), super::when),
            )
        })
        .collect();
    let table = if rows.is_empty() {
        "<p>No API tokens yet.</p>".to_owned()
    } else {
        format!(
            "<table id=\"tokens\"><tr><th>Id</th><th>Person</th><th>Created</th><th>Last used</th><th></th></tr>{rows}</table>"
        )
    };
    let options: Vec<(String, String)> =
        std::iter::once((String::new(), "Choose a person".to_owned()))
            .chain(people.iter().map(|p| (p.email.clone(), p.email.clone())))
            .collect();
    let body = format!(
        "{top}<p>An API token is what a person's MCP client uses over HTTP (and what they can sign in here with). \
         It is shown once, when created; only its hash is kept. Revoking a token also signs its person out of the web pages.</p>\
         {table}<h2>Create a token</h2><form class=\"card\" method=\"post\" action=\"/admin/tokens\" id=\"create-token\">{}{}{}\
         <button type=\"submit\" id=\"create-token-submit\">Create token</button></form>",
        admin.0.csrf_input(),
        problems.summary(),
        field(
            "email",
            "Person",
            &select("email", &options, person),
            "Add people on the People page first.",
            problems
        ),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/tokens",
        nav_title("/admin/tokens"),
        &body,
    )
}

/// `POST /admin/tokens`: creates a token and shows it, once (this page is the only place it
/// appears; it is not stored and not cached).
pub(super) async fn create(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let email = fields.get("email").trim().to_owned();
    if email.is_empty() {
        let problems = Problems::at("email", "Choose the person the token is for.");
        return render(&admin, &state, "", &problems, "").await;
    }
    let actor = admin.actor();
    let who = email.clone();
    match call(&state, move |app| admin::token_create(app, &actor, &who)).await {
        Err(page) => page,
        Ok(Ok(created)) => {
            let top = format!(
                "<div class=\"notice\" role=\"status\"><p>Token {} created for <strong>{}</strong>. Copy it now: it is shown only this once.</p>\
                 <p><code class=\"copy\" id=\"new-token\">{}</code> <button type=\"button\" data-copy=\"new-token\">Copy</button></p>\
                 <p>Give it to the person through a safe channel; their MCP client sends it as <code>Authorization: Bearer TOKEN</code>.</p></div>",
                created.id,
                escape(&created.user),
                escape(&created.token)
            );
            render(&admin, &state, "", &Problems::default(), &top).await
        }
        Ok(Err(e)) => {
            render(
                &admin,
                &state,
                &email,
                &Problems::of(&e, &[], Some("email")),
                "",
            )
            .await
        }
    }
}

/// `POST /admin/tokens/{id}/revoke`.
pub(super) async fn revoke(
    admin: Admin,
    State(state): State<HttpState>,
    Path(id): Path<String>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let Ok(id) = id.parse::<i64>() else {
        return super::not_found();
    };
    let actor = admin.actor();
    match call(&state, move |app| admin::token_revoke(app, &actor, id)).await {
        Err(page) => page,
        Ok(Ok(_)) => form::done("/admin/tokens", Done::Revoked),
        Ok(Err(e)) => {
            let top = format!(
                "<p class=\"problem-box\" role=\"alert\">{}</p>",
                escape(&e.to_string())
            );
            render(&admin, &state, "", &Problems::default(), &top).await
        }
    }
}
