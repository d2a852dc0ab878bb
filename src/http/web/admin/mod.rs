//! The admin console (`/admin`, DESIGN "Admin console"): pages and forms for people with the
//! admin flag. Anyone else — signed out or signed in without the flag — gets a plain 404 on every
//! address, GET or POST, so the console's existence is not revealed.
//!
//! Every form calls the `crate::admin` function the command line calls, with the admin as actor
//! ([`admin::console_actor`]); every POST carries the session's CSRF token; a saved form
//! redirects (POST-redirect-GET) to its page with a "Saved." notice; an invalid value re-renders
//! the form with what was entered (never a secret) and the message next to its field. Saving a
//! client id or secret and granting admin need a recent sign-in ([`step_up`]). Every piece of
//! data is escaped with [`pages::escape`].

mod app;
mod audit;
mod credentials;
mod form;
mod groups;
mod people;
mod policies;
mod step_up;
mod test;
mod tokens;

use axum::Router;
use axum::extract::{FromRef, FromRequestParts};
use axum::response::{IntoResponse as _, Redirect, Response};
use axum::routing::{get, post};

use super::{SignedIn, pages, session_of};
use crate::admin;
use crate::http::server::HttpState;
use crate::store;

/// The console's routes (merged into the web routes).
pub(super) fn routes() -> Router<HttpState> {
    Router::new()
        .route(
            "/admin",
            get(|_: Admin| async { Redirect::to("/admin/app") }),
        )
        .route("/admin/app", get(app::page).post(app::save))
        .route("/admin/groups", get(groups::list).post(groups::add))
        .route(
            "/admin/groups/{name}",
            get(groups::show).post(groups::change),
        )
        .route("/admin/people", get(people::list).post(people::add))
        .route(
            "/admin/people/{email}",
            get(people::show).post(people::change),
        )
        .route("/admin/tokens", get(tokens::list).post(tokens::create))
        .route("/admin/tokens/{id}/revoke", post(tokens::revoke))
        .route("/admin/policies", get(policies::page).post(policies::save))
        .route("/admin/audit", get(audit::page))
        .route("/admin/step-up", get(step_up::page).post(step_up::complete))
        .route("/admin/app/test", post(test::start_org))
        .route("/admin/app/credentials", post(credentials::save_org))
        .route(
            "/admin/groups/{name}/credentials",
            post(credentials::save_group),
        )
        .route("/admin/groups/{name}/test", post(test::start_group))
        .route("/admin/console.js", get(script))
}

/// A signed-in admin: the extractor answers 404 to anyone else.
#[derive(Debug, Clone)]
pub struct Admin(pub SignedIn);

impl Admin {
    /// The audit actor of this admin's changes.
    fn actor(&self) -> String {
        admin::console_actor(&self.0.email)
    }
}

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
async fn is_admin(state: &HttpState, user_id: i64) -> Result<bool, Response> {
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

pub(super) use test::finish as finish_test;

/// The console's pages, in navigation order: (path, title).
const NAV: &[(&str, &str)] = &[
    ("/admin/app", "Salesforce app"),
    ("/admin/groups", "Groups"),
    ("/admin/people", "People"),
    ("/admin/tokens", "API tokens"),
    ("/admin/policies", "Policies"),
    ("/admin/audit", "Audit log"),
];

const CONSOLE_STYLE: &str = "<style>body{max-width:64rem}\
    nav.console{display:flex;gap:1rem;flex-wrap:wrap;align-items:baseline;border-bottom:1px solid #ccc;padding-bottom:.5rem;margin-bottom:1rem}\
    nav.console a{text-decoration:none}nav.console a.current{font-weight:bold;text-decoration:underline}nav.console .who{margin-left:auto;color:#555}\
    code.copy{background:#f4f4f4;padding:.2rem .4rem;word-break:break-all}\
    form.card{border:1px solid #ddd;border-radius:6px;padding:.5rem 1rem 1rem;margin:1rem 0}\
    .field{margin:.8rem 0}.field label.name{display:block;font-weight:bold}\
    .field input[type=text],.field input[type=email],.field input[type=password],.field input[type=number],.field input[type=date],.field select{width:100%;max-width:30rem;font-size:1rem;padding:.35rem;box-sizing:border-box;border:1px solid #999;border-radius:4px}\
    .field .help{display:block;color:#555;font-size:.9rem}\
    .field.invalid input,.field.invalid select{border:2px solid #a00}.field .problem{display:block;color:#a00;font-weight:bold}\
    .choices label{display:block;font-weight:normal}\
    .notice{background:#e8f5e9;border:1px solid #7a7;padding:.5rem 1rem;border-radius:4px}\
    .problem-box{background:#fdecea;border:1px solid #d88;padding:.5rem 1rem;border-radius:4px;color:#a00}\
    table{width:100%}td{vertical-align:top}td form.inline{margin:0}button.danger{color:#a00}\
    td.when{white-space:nowrap}table.log{table-layout:fixed}table.log td{overflow-wrap:anywhere}table.log td.when{white-space:normal}\
    table.log col.when{width:7.5rem}table.log col.who{width:24%}table.log col.what{width:15%}table.log col.about{width:22%}td.detail{font-size:.85rem}\
    a.button{display:inline-block;padding:.4rem 1rem;border:1px solid #767676;border-radius:4px;background:#efefef;color:#000;text-decoration:none}\
    h2{margin-top:2rem}</style>";

/// A console page: the shared layout of [`pages::page`] with the console's navigation (the
/// current page marked) and the signed-in admin; scripts only from this site (the copy button).
/// `current` is the navigation entry to mark; `title` the page's heading.
fn console_page(
    admin: &Admin,
    status: http::StatusCode,
    current: &str,
    title: &str,
    body_html: &str,
) -> Response {
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
        "{CONSOLE_STYLE}<nav class=\"console\">{links}<span class=\"who\">{} · <a href=\"/connect\">My connection</a></span></nav>\
         {body_html}<script src=\"/admin/console.js\"></script>",
        pages::escape(&admin.0.email)
    );
    let mut response = pages::page(status, title, &html);
    response.headers_mut().insert(
        http::header::CONTENT_SECURITY_POLICY,
        http::HeaderValue::from_static(
            "default-src 'none'; script-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'",
        ),
    );
    response
}

/// The title of a navigation entry.
fn nav_title(current: &str) -> &'static str {
    NAV.iter()
        .find(|(path, _)| *path == current)
        .map_or("Admin console", |(_, t)| t)
}

/// The copy buttons (`<button data-copy="ID">` copies the text of the element `ID`), and the
/// confirmation of destructive forms (`<form data-confirm="QUESTION">`).
const SCRIPT: &str = "document.querySelectorAll('button[data-copy]').forEach(function(b){b.addEventListener('click',function(){\
    var t=document.getElementById(b.dataset.copy).textContent;navigator.clipboard.writeText(t).then(function(){b.textContent='Copied';},\
    function(){b.textContent='Select and copy the text';});});});\
    document.querySelectorAll('form[data-confirm]').forEach(function(f){f.addEventListener('submit',function(e){\
    if(!window.confirm(f.dataset.confirm)){e.preventDefault();}});});";

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

/// A `<dl>` of (label, already-escaped value) pairs.
fn fields(rows: &[(&str, String)]) -> String {
    let items: String = rows
        .iter()
        .map(|(k, v)| format!("<dt>{}</dt><dd>{v}</dd>", pages::escape(k)))
        .collect();
    format!("<dl>{items}</dl>")
}

/// A stored time as shown: `2026-12-02 13:40:09 UTC` (escaped; the text as stored when it is
/// not a time).
fn when(text: &str) -> String {
    match chrono::DateTime::parse_from_rfc3339(text) {
        Ok(t) => t
            .with_timezone(&chrono::Utc)
            .format("%Y-%m-%d %H:%M:%S UTC")
            .to_string(),
        Err(_) => pages::escape(text),
    }
}

/// Runs a (synchronous) admin action on a blocking thread. The outer `Err` is the error page
/// for a failure of the server itself (the task, or the database); the inner `Err` is the
/// action's answer to show the admin (invalid input, not found, a conflict).
async fn call<R: Send + 'static>(
    state: &HttpState,
    f: impl FnOnce(&crate::app::App) -> Result<R, admin::AdminError> + Send + 'static,
) -> Result<Result<R, admin::AdminError>, Response> {
    call_async(state, move |app| async move { f(&app) }).await
}

/// [`call`] for an async admin action (it revokes at Salesforce), on a blocking thread too: the
/// action's store calls block.
async fn call_async<R: Send + 'static, F>(
    state: &HttpState,
    f: impl FnOnce(crate::app::App) -> F + Send + 'static,
) -> Result<Result<R, admin::AdminError>, Response>
where
    F: std::future::Future<Output = Result<R, admin::AdminError>>,
{
    let app = state.app.clone();
    let handle = tokio::runtime::Handle::current();
    match tokio::task::spawn_blocking(move || handle.block_on(f(app))).await {
        Err(e) => Err(pages::internal(&e.to_string())),
        Ok(Err(admin::AdminError::Store(e))) => Err(pages::internal(&e.to_string())),
        Ok(done) => Ok(done),
    }
}

/// Runs an admin read on a blocking thread; any failure becomes the error page.
async fn admin_read<R: Send + 'static>(
    state: &HttpState,
    f: impl FnOnce(&crate::app::App) -> Result<R, admin::AdminError> + Send + 'static,
) -> Result<R, Response> {
    match call(state, f).await? {
        Ok(r) => Ok(r),
        Err(e) => Err(pages::internal(&e.to_string())),
    }
}
