//! The console's "Test with my account" buttons (DESIGN "Admin console"): start a test of the org
//! app or a group override through `crate::admin`, and show its result when Salesforce redirects
//! back to the shared callback. Everything from Salesforce is escaped.

use std::collections::HashMap;

use axum::extract::{Path, State};
use axum::response::Response;

use super::form::Fields;
use super::{Admin, console_page, is_admin};
use crate::admin::{self, AdminError, AppTarget};
use crate::connections::TestReport;
use crate::http::server::HttpState;
use crate::http::web::{SignedIn, pages};
use crate::oauth::CALLBACK_PATH;

/// `POST /admin/app/test`: tests the organization's app.
pub(super) async fn start_org(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    start(admin, state, fields, AppTarget::Org).await
}

/// `POST /admin/groups/{name}/test`: tests a group's override app.
pub(super) async fn start_group(
    admin: Admin,
    State(state): State<HttpState>,
    Path(name): Path<String>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    start(admin, state, fields, AppTarget::Group(name)).await
}

async fn start(admin: Admin, state: HttpState, fields: Fields, target: AppTarget) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let redirect_uri = state.public_url().join(CALLBACK_PATH);
    let actor = admin::console_actor(&admin.0.email);
    match admin::app_test_begin(&state.app, &actor, admin.0.user_id, &target, &redirect_uri).await {
        // Not a redirect: the console's pages allow forms to post only to this site
        // (CSP form-action), which a browser applies to a form's redirects too. The page goes
        // on to Salesforce by itself (and has the link for a browser that does not).
        Ok(url) => {
            let body = format!(
                "<meta http-equiv=\"refresh\" content=\"0;url={0}\"><p>Testing {1}: you are being sent to Salesforce to sign in \
                 with your own account. Nothing will be stored.</p><p><a class=\"button\" id=\"continue\" href=\"{0}\">Continue to Salesforce</a></p>",
                pages::escape(&url),
                pages::escape(&target_name(&target))
            );
            console_page(
                &admin,
                http::StatusCode::OK,
                "/admin/app",
                "Test connection",
                &body,
            )
        }
        Err(e) => failed(&admin, &target_name(&target), &e),
    }
}

/// "Test with my account": a form that signs the admin in through that app and shows what
/// Salesforce granted, keeping nothing.
pub(super) fn button(admin: &Admin, action: &str) -> String {
    format!(
        "<form class=\"inline\" method=\"post\" action=\"{}\">{}<button type=\"submit\" class=\"test-connection\">Test with my account</button></form>",
        pages::escape(action),
        admin.0.csrf_input()
    )
}

/// The callback of a test the signed-in person started: the report, or the error with its fix.
/// Only an admin gets here (the state was theirs, and they must still be one).
pub(in crate::http::web) async fn finish(
    state: &HttpState,
    who: SignedIn,
    params: &HashMap<String, String>,
) -> Response {
    match is_admin(state, who.user_id).await {
        Ok(true) => {}
        Ok(false) => return super::not_found(),
        Err(page) => return page,
    }
    let admin = Admin(who);
    let actor = admin::console_actor(&admin.0.email);
    match admin::app_test_finish(&state.app, &actor, params).await {
        Ok(report) => console_page(
            &admin,
            http::StatusCode::OK,
            "/admin/app",
            "Test connection succeeded",
            &report_html(&report),
        ),
        Err(e) => failed(&admin, "the app", &e),
    }
}

fn target_name(target: &AppTarget) -> String {
    match target {
        AppTarget::Org => "the organization app".to_owned(),
        AppTarget::Group(name) => format!("the override app of group {name}"),
    }
}

fn failed(admin: &Admin, what: &str, e: &AdminError) -> Response {
    if let AdminError::Store(e) = e {
        return pages::internal(&e.to_string());
    }
    let body = format!(
        "<p>Testing {} did not work:</p><p id=\"test-result\" class=\"problem-box\">{}</p>\
         <p>Nothing was stored. Fix the setting and test again.</p><p><a href=\"/admin/app\">Back to the Salesforce app</a> · <a href=\"/admin/groups\">Groups</a></p>",
        pages::escape(what),
        pages::escape(&e.to_string())
    );
    let status = match e {
        AdminError::NotFound(_) => http::StatusCode::NOT_FOUND,
        _ => http::StatusCode::BAD_GATEWAY,
    };
    console_page(admin, status, "/admin/app", "Test connection failed", &body)
}

fn report_html(r: &TestReport) -> String {
    let app = target_name(&r.group.clone().map_or(AppTarget::Org, AppTarget::Group));
    let who = match &r.display_name {
        Some(name) => format!("{} ({})", pages::escape(&r.username), pages::escape(name)),
        None => pages::escape(&r.username),
    };
    let refresh = if r.refresh_token_issued {
        "issued: connections stay signed in".to_owned()
    } else {
        "NOT issued: people would have to reconnect when the session ends. Add the refresh_token and \
         offline_access scopes to the app (in Salesforce and here) and set its refresh token policy to \
         \"valid until revoked\"."
            .to_owned()
    };
    let usage = r.api_usage.as_ref().map_or_else(
        || "not reported".to_owned(),
        |u| {
            format!(
                "{} of {} API calls used in the last 24 hours",
                u.used, u.limit
            )
        },
    );
    let revoked = match &r.revoked {
        Ok(()) => "revoked at once; nothing was stored".to_owned(),
        Err(e) => format!(
            "could not be revoked ({}); nothing was stored, and the session ends by itself",
            pages::escape(e)
        ),
    };
    let rows = [
        ("Signed in as", who.clone()),
        ("Org", format!("<code>{}</code>", pages::escape(&r.org_id))),
        ("Instance", pages::escape(&r.instance_url)),
        (
            "Client id",
            format!("<code>{}</code>", pages::escape(&r.client_id)),
        ),
        ("Granted scopes", pages::escape(&r.scopes)),
        ("Refresh token", refresh),
        ("API usage", usage),
        ("Queryable objects", r.queryable_objects.to_string()),
        ("Tokens", revoked),
    ];
    let items: String = rows
        .iter()
        .map(|(k, v)| format!("<dt>{k}</dt><dd>{v}</dd>"))
        .collect();
    format!(
        "<p id=\"test-result\" class=\"notice\">Signed in to Salesforce through {} as {who}.</p>\
         <dl>{items}</dl><p><a href=\"/admin/app\">Back to the Salesforce app</a> · <a href=\"/admin/groups\">Groups</a></p>",
        pages::escape(&app)
    )
}
