//! The admin console (`/admin`, DESIGN "Admin console"): pages for people with the admin flag.
//! Anyone else — signed out or signed in without the flag — gets a plain 404, so the console's
//! existence is not revealed. Every piece of data is escaped with [`pages::escape`].

use axum::Router;
use axum::extract::{FromRef, FromRequestParts, State};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::{get, post};

use super::{SignedIn, pages, session_of};
use crate::admin;
use crate::http::server::HttpState;
use crate::oauth::CALLBACK_PATH;
use crate::store;

/// The console's routes (merged into the web routes).
pub(super) fn routes() -> Router<HttpState> {
    Router::new()
        .route(
            "/admin",
            get(|_: Admin| async { Redirect::to("/admin/app") }),
        )
        .route("/admin/app", get(app_page))
        .route("/admin/groups", get(groups_page))
        .route("/admin/people", get(people_page))
        .route("/admin/app/test", post(super::admin_test::start_org))
        .route(
            "/admin/groups/{name}/test",
            post(super::admin_test::start_group),
        )
        .route("/admin/console.js", get(script))
}

/// A signed-in admin: the extractor answers 404 to anyone else.
#[derive(Debug, Clone)]
pub struct Admin(pub SignedIn);

/// The 404 page anyone who is not a signed-in admin gets under `/admin`.
pub fn not_found() -> Response {
    pages::page(
        http::StatusCode::NOT_FOUND,
        "Not found",
        "<p>There is no page at this address. <a href=\"/connect\">Go to your connection page</a>.</p>",
    )
}

impl<S> FromRequestParts<S> for Admin
where
    HttpState: FromRef<S>,
    S: Send + Sync,
{
    type Rejection = Response;

    async fn from_request_parts(
        parts: &mut http::request::Parts,
        state: &S,
    ) -> Result<Self, Self::Rejection> {
        let state = HttpState::from_ref(state);
        let who = match session_of(&state, &parts.headers).await {
            Ok(Some(who)) => who,
            Ok(None) => return Err(not_found()),
            Err(e) => return Err(pages::internal(&e.to_string())),
        };
        match is_admin(&state, who.user_id).await {
            Ok(true) => Ok(Self(who)),
            Ok(false) => Err(not_found()),
            Err(page) => Err(page),
        }
    }
}

/// Whether the person has the admin flag now (an error page when the database fails).
pub(super) async fn is_admin(state: &HttpState, user_id: i64) -> Result<bool, Response> {
    let user = state
        .app
        .store
        .call(move |c| store::users::find_by_id(c, user_id))
        .await;
    match user {
        Ok(u) => Ok(u.is_some_and(|u| u.is_admin)),
        Err(e) => Err(pages::internal(&e.to_string())),
    }
}

/// The console's pages, in navigation order: (path, title).
const NAV: &[(&str, &str)] = &[
    ("/admin/app", "Salesforce app"),
    ("/admin/groups", "Groups"),
    ("/admin/people", "People"),
];

const CONSOLE_STYLE: &str = "<style>nav.console{display:flex;gap:1rem;flex-wrap:wrap;border-bottom:1px solid #ccc;padding-bottom:.5rem;margin-bottom:1rem}\
    nav.console a{text-decoration:none}nav.console a.current{font-weight:bold;text-decoration:underline}\
    code.copy{background:#f4f4f4;padding:.2rem .4rem;word-break:break-all}</style>";

/// A console page: the shared layout of [`pages::page`] with the console's navigation (the
/// current page marked) and the signed-in admin; scripts only from this site (the copy button).
pub(super) fn console_page(admin: &Admin, current: &str, body_html: &str) -> Response {
    let title = NAV
        .iter()
        .find(|(path, _)| *path == current)
        .map_or("Admin console", |(_, t)| t);
    let links: String = NAV
        .iter()
        .map(|(path, t)| {
            let class = if *path == current {
                " class=\"current\" aria-current=\"page\""
            } else {
                ""
            };
            format!("<a href=\"{path}\"{class}>{}</a>", pages::escape(t))
        })
        .collect();
    let html = format!(
        "{CONSOLE_STYLE}<nav class=\"console\">{links}<span style=\"margin-left:auto\">{} · <a href=\"/connect\">My connection</a></span></nav>\
         {body_html}<script src=\"/admin/console.js\"></script>",
        pages::escape(&admin.0.email)
    );
    let mut response = pages::page(http::StatusCode::OK, title, &html);
    response.headers_mut().insert(
        http::header::CONTENT_SECURITY_POLICY,
        http::HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    response
}

/// The copy buttons: `<button data-copy="ID">` copies the text of the element `ID`.
const SCRIPT: &str = "document.querySelectorAll('button[data-copy]').forEach(function(b){b.addEventListener('click',function(){\
    var t=document.getElementById(b.dataset.copy).textContent;navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';},\
    function(){b.textContent='Select and copy the text';});});});";

async fn script(_: Admin) -> Response {
    (
        [
            (http::header::CONTENT_TYPE, "text/javascript; charset=utf-8"),
            (http::header::CACHE_CONTROL, "no-store"),
            (http::header::X_CONTENT_TYPE_OPTIONS, "nosniff"),
        ],
        SCRIPT,
    )
        .into_response()
}

/// "Test with my account": signs the admin in through that app and shows what Salesforce
/// granted, keeping nothing (`admin_test`).
fn test_button(admin: &Admin, action: &str) -> String {
    format!(
        "<form class=\"inline\" method=\"post\" action=\"{}\">{}<button type=\"submit\" class=\"test-connection\">Test with my account</button></form>",
        pages::escape(action),
        admin.0.csrf_input()
    )
}

/// A `<dl>` of (label, already-escaped value) pairs.
fn fields(rows: &[(&str, String)]) -> String {
    let items: String = rows
        .iter()
        .map(|(k, v)| format!("<dt>{}</dt><dd>{v}</dd>", pages::escape(k)))
        .collect();
    format!("<dl>{items}</dl>")
}

/// Runs a (synchronous) admin action on a blocking thread; a failure becomes the error page.
async fn admin_read<R: Send + 'static>(
    state: &HttpState,
    f: impl FnOnce(&crate::app::App) -> Result<R, admin::AdminError> + Send + 'static,
) -> Result<R, Response> {
    let app = state.app.clone();
    match tokio::task::spawn_blocking(move || f(&app)).await {
        Ok(Ok(r)) => Ok(r),
        Ok(Err(e)) => Err(pages::internal(&e.to_string())),
        Err(e) => Err(pages::internal(&e.to_string())),
    }
}

/// An app's settings; the secret only as set or not.
fn app_fields(app: &admin::AppView) -> String {
    fields(&[
        (
            "Client id",
            format!("<code>{}</code>", pages::escape(&app.client_id)),
        ),
        (
            "Client secret",
            if app.client_secret == "set" {
                "set (hidden)".to_owned()
            } else {
                "none (PKCE-only public client)".to_owned()
            },
        ),
        ("Auth base URL", pages::escape(&app.auth_base_url)),
        ("Scopes", pages::escape(&app.scopes)),
        (
            "Prompt",
            pages::escape(app.prompt.as_deref().unwrap_or("-")),
        ),
        ("Enabled", if app.enabled { "yes" } else { "no" }.to_owned()),
    ])
}

async fn app_page(admin: Admin, State(state): State<HttpState>) -> Response {
    let app = match admin_read(&state, admin::org_show).await {
        Ok(a) => a,
        Err(page) => return page,
    };
    let callback = state.public_url().join(CALLBACK_PATH);
    let settings = app.as_ref().map_or_else(
        || {
            "<p>No Salesforce app is configured yet: create an External Client App in Salesforce with the callback URL below, \
             then run <code>salesforce-mcp admin org set --client-id KEY</code>.</p>"
                .to_owned()
        },
        app_fields,
    );
    let body = format!(
        "<h2>Callback URL</h2><p>Register this URL as the callback URL of the app in Salesforce:</p>\
         <p><code class=\"copy\" id=\"callback-url\">{}</code> <button type=\"button\" data-copy=\"callback-url\">Copy</button></p>\
         <h2>Organization app</h2>{settings}{test}",
        pages::escape(&callback),
        test = if app.is_some() {
            test_button(&admin, "/admin/app/test")
        } else {
            String::new()
        }
    );
    console_page(&admin, "/admin/app", &body)
}

async fn groups_page(admin: Admin, State(state): State<HttpState>) -> Response {
    let groups = match admin_read(&state, admin::group_views).await {
        Ok(g) => g,
        Err(page) => return page,
    };
    let body = if groups.is_empty() {
        "<p>No groups yet. A group gives its members their own Salesforce app: <code>salesforce-mcp admin group add NAME</code>.</p>".to_owned()
    } else {
        let rows: String = groups
            .iter()
            .map(|g| {
                let app = g.app.as_ref().map_or_else(
                    || "none (members use the organization app)".to_owned(),
                    |a| {
                        format!(
                            "<code>{}</code> ({})",
                            pages::escape(&a.client_id),
                            if a.enabled { "enabled" } else { "disabled" }
                        )
                    },
                );
                let members = if g.members.is_empty() {
                    "-".to_owned()
                } else {
                    pages::escape(&g.members.join(", "))
                };
                let test = if g.app.is_some() {
                    let action = format!(
                        "/admin/groups/{}/test",
                        url::form_urlencoded::byte_serialize(g.name.as_bytes()).collect::<String>()
                    );
                    test_button(&admin, &action)
                } else {
                    String::new()
                };
                format!(
                    "<tr><td>{}</td><td>{}</td><td>{app} {test}</td><td>{members}</td></tr>",
                    pages::escape(&g.name),
                    g.priority
                )
            })
            .collect();
        format!(
            "<table><tr><th>Group</th><th>Priority</th><th>Override app</th><th>Members</th></tr>{rows}</table>"
        )
    };
    console_page(&admin, "/admin/groups", &body)
}

async fn people_page(admin: Admin, State(state): State<HttpState>) -> Response {
    let people = match admin_read(&state, admin::user_list).await {
        Ok(p) => p,
        Err(page) => return page,
    };
    let rows: String = people
        .iter()
        .map(|u| {
            format!(
                "<tr><td>{}</td><td>{}</td></tr>",
                pages::escape(&u.email),
                if u.admin { "admin" } else { "-" }
            )
        })
        .collect();
    let body = format!("<table><tr><th>Person</th><th>Admin</th></tr>{rows}</table>");
    console_page(&admin, "/admin/people", &body)
}
