//! The Salesforce app page (`/admin/app`): the callback URL to copy and the organization's app
//! form, whose fields the group override form (`/admin/groups/{name}`) shares.

use axum::extract::{Query, State};
use axum::response::Response;
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::form::{self, Done, Fields, Notice, Problems, field, input, select};
use super::step_up::{self, Pending};
use super::{Admin, admin_read, call, console_page, nav_title};
use crate::admin::{self, AppInput, AppView, SecretChange};
use crate::http::server::HttpState;
use crate::http::web::pages::escape;
use crate::oauth::CALLBACK_PATH;

const PRODUCTION: &str = "https://login.salesforce.com";
const SANDBOX: &str = "https://test.salesforce.com";
const MY_DOMAIN_SUFFIX: &str = ".my.salesforce.com";

/// The app form as entered. The secret is kept only to complete a step-up (sealed there) and is
/// never written back into a page.
#[derive(Default, Serialize, Deserialize)]
pub(super) struct AppForm {
    client_id: String,
    /// `keep`, `set` or `remove`.
    secret_action: String,
    secret: String,
    /// `production`, `sandbox`, `mydomain` or `other`.
    base: String,
    my_domain: String,
    other_url: String,
    scopes: String,
    prompt: String,
    enabled: bool,
}

impl AppForm {
    /// The form as submitted.
    pub(super) fn from_fields(f: &Fields) -> Self {
        Self {
            client_id: f.get("client_id").trim().to_owned(),
            secret_action: f.get("secret_action").to_owned(),
            secret: f.get("secret").to_owned(),
            base: f.get("base").to_owned(),
            my_domain: f.get("my_domain").trim().to_owned(),
            other_url: f.get("other_url").trim().to_owned(),
            scopes: f.get("scopes").to_owned(),
            prompt: f.get("prompt").to_owned(),
            enabled: f.has("enabled"),
        }
    }

    /// The form showing an app's current settings (or the defaults for a new one).
    pub(super) fn from_view(view: Option<&AppView>) -> Self {
        let base_url = view.map_or(PRODUCTION, |v| v.auth_base_url.as_str());
        let (base, my_domain, other_url) = match base_url {
            PRODUCTION => ("production", String::new(), String::new()),
            SANDBOX => ("sandbox", String::new(), String::new()),
            url => match url
                .strip_prefix("https://")
                .and_then(|h| h.strip_suffix(MY_DOMAIN_SUFFIX))
            {
                Some(name) => ("mydomain", name.to_owned(), String::new()),
                None => ("other", String::new(), url.to_owned()),
            },
        };
        Self {
            client_id: view.map(|v| v.client_id.clone()).unwrap_or_default(),
            secret_action: "keep".into(),
            secret: String::new(),
            base: base.into(),
            my_domain,
            other_url,
            scopes: view.map_or(admin::DEFAULT_SCOPES.to_owned(), |v| v.scopes.clone()),
            prompt: view.and_then(|v| v.prompt.clone()).unwrap_or_default(),
            enabled: view.is_none_or(|v| v.enabled),
        }
    }

    /// Whether saving this needs a step-up: a new client id, or a secret set or removed.
    pub(super) fn needs_step_up(&self, current: Option<&AppView>) -> bool {
        (self.secret_action != "keep" && !self.secret_action.is_empty())
            || current.is_none_or(|c| c.client_id != self.client_id)
    }

    /// The input for `crate::admin`, or the problem with a field.
    pub(super) fn input(&self) -> Result<AppInput, Problems> {
        let auth_base_url = match self.base.as_str() {
            "production" => PRODUCTION.to_owned(),
            "sandbox" => SANDBOX.to_owned(),
            "mydomain" => {
                let name = self.my_domain.trim_end_matches(MY_DOMAIN_SUFFIX);
                let ok = |c: char| c.is_ascii_alphanumeric() || c == '-' || c == '.';
                if name.is_empty() || !name.chars().all(ok) || name.starts_with(['.', '-']) {
                    return Err(Problems::at(
                        "my_domain",
                        "Give your My Domain name: the part before .my.salesforce.com, e.g. acme or acme--uat.sandbox (letters, digits, '-' and '.').",
                    ));
                }
                format!("https://{name}{MY_DOMAIN_SUFFIX}")
            }
            "other" => self.other_url.clone(),
            _ => {
                return Err(Problems::at(
                    "base",
                    "Choose where people sign in: Production, Sandbox, My Domain or another URL.",
                ));
            }
        };
        let client_secret = match self.secret_action.as_str() {
            "set" if self.secret.trim().is_empty() => {
                return Err(Problems::at(
                    "secret",
                    "Paste the consumer secret to store, or choose \"Keep the stored secret\".",
                ));
            }
            "set" => SecretChange::Set(SecretString::from(self.secret.trim().to_owned())),
            "remove" => SecretChange::Remove,
            _ => SecretChange::Keep,
        };
        Ok(AppInput {
            client_id: Some(self.client_id.clone()),
            client_secret,
            auth_base_url: Some(auth_base_url),
            scopes: Some(self.scopes.clone()),
            prompt: Some(self.prompt.clone()),
            enabled: Some(self.enabled),
            ..AppInput::default()
        })
    }

    /// The form's fields (without the `<form>` element): `has_secret` says whether a secret is
    /// stored now.
    pub(super) fn fields_html(&self, has_secret: bool, problems: &Problems) -> String {
        let radio = |name: &str, value: &str, current: &str, label: &str| {
            format!(
                "<label><input type=\"radio\" name=\"{name}\" id=\"f-{name}-{value}\" value=\"{value}\"{}> {}</label>",
                if value == current { " checked" } else { "" },
                escape(label)
            )
        };
        let secret_now = if has_secret {
            "A secret is stored (it is never shown)."
        } else {
            "No secret is stored: the app is used as a PKCE-only public client."
        };
        let action = if self.secret_action.is_empty() {
            "keep"
        } else {
            &self.secret_action
        };
        let secret_choices = format!(
            "<div class=\"choices\">{}{}{}</div><input type=\"password\" id=\"f-secret\" name=\"secret\" autocomplete=\"new-password\" value=\"\" placeholder=\"New consumer secret\" aria-label=\"New consumer secret\" aria-describedby=\"problem-secret\">",
            radio(
                "secret_action",
                "keep",
                action,
                "Keep the stored secret (or none)"
            ),
            radio(
                "secret_action",
                "set",
                action,
                if has_secret {
                    "Replace it with the secret below"
                } else {
                    "Set the secret below"
                }
            ),
            radio(
                "secret_action",
                "remove",
                action,
                "Remove it (PKCE-only public client)"
            ),
        );
        let base_choices = format!(
            "<div class=\"choices\">{}{}{}{}</div>",
            radio(
                "base",
                "production",
                &self.base,
                "Production (https://login.salesforce.com)"
            ),
            radio(
                "base",
                "sandbox",
                &self.base,
                "Sandbox (https://test.salesforce.com)"
            ),
            radio("base", "mydomain", &self.base, "My Domain (name below)"),
            radio("base", "other", &self.base, "Another URL (below)"),
        );
        let prompts: Vec<(String, String)> = [
            ("", "None (Salesforce decides)"),
            ("login", "login: always ask for the password"),
            ("consent", "consent: always ask to allow the app"),
            (
                "select_account",
                "select_account: let people pick an account",
            ),
        ]
        .iter()
        .map(|(v, l)| ((*v).to_owned(), (*l).to_owned()))
        .chain(
            (!["", "login", "consent", "select_account"].contains(&self.prompt.as_str()))
                .then(|| (self.prompt.clone(), self.prompt.clone())),
        )
        .collect();
        [
            field(
                "client_id",
                "Client id (consumer key)",
                &input("text", "client_id", &self.client_id, " autocomplete=\"off\" spellcheck=\"false\""),
                "The consumer key of your Salesforce External Client App (Settings > OAuth Settings). Changing it asks you to sign in again.",
                problems,
            ),
            field(
                "secret",
                "Client secret (consumer secret)",
                &secret_choices,
                &format!("{secret_now} Write-only: a stored secret is never shown again. Setting or removing it asks you to sign in again."),
                problems,
            ),
            field(
                "base",
                "Auth base URL",
                &base_choices,
                "Where people sign in to Salesforce.",
                problems,
            ),
            field(
                "my_domain",
                "My Domain name",
                &input("text", "my_domain", &self.my_domain, " spellcheck=\"false\" placeholder=\"acme\""),
                "With \"My Domain\": the part before .my.salesforce.com.",
                problems,
            ),
            field(
                "other_url",
                "Other URL",
                &input("text", "other_url", &self.other_url, " spellcheck=\"false\" placeholder=\"https://acme.my.salesforce.com\""),
                "With \"Another URL\": scheme and host only, on a Salesforce host.",
                problems,
            ),
            field(
                "scopes",
                "Scopes",
                &input("text", "scopes", &self.scopes, " spellcheck=\"false\""),
                "Space-separated OAuth scopes; the default is \"api refresh_token offline_access\".",
                problems,
            ),
            field(
                "prompt",
                "Prompt",
                &select("prompt", &prompts, &self.prompt),
                "What Salesforce asks when people connect.",
                problems,
            ),
            field(
                "enabled",
                "Enabled",
                &form::checkbox("enabled", "People may connect through this app", self.enabled),
                "When disabled, nobody connects or refreshes through this app.",
                problems,
            ),
        ]
        .concat()
    }
}

/// Where a message about the app form belongs.
pub(super) const APP_FIELDS: &[(&str, &str)] = &[
    ("--client-id", "client_id"),
    ("auth base URL", "base"),
    ("--scopes", "scopes"),
    ("--prompt", "prompt"),
];

/// The field a problem of the auth base URL is shown next to, given the chosen kind.
pub(super) fn base_field(form: &AppForm, problems: Problems) -> Problems {
    match (problems.field("base"), form.base.as_str()) {
        (Some(m), "other") => Problems::at("other_url", m.to_owned()),
        (Some(m), "mydomain") => Problems::at("my_domain", m.to_owned()),
        _ => problems,
    }
}

/// `GET /admin/app`.
pub(super) async fn page(
    admin: Admin,
    State(state): State<HttpState>,
    Query(notice): Query<Notice>,
) -> Response {
    let current = match admin_read(&state, admin::org_show).await {
        Ok(a) => a,
        Err(page) => return page,
    };
    let form = AppForm::from_view(current.as_ref());
    render(
        &admin,
        &state,
        current.as_ref(),
        &form,
        &Problems::default(),
        &notice.html(),
    )
}

/// The page with the form as entered and its problems.
fn render(
    admin: &Admin,
    state: &HttpState,
    current: Option<&AppView>,
    form: &AppForm,
    problems: &Problems,
    notice: &str,
) -> Response {
    let callback = state.public_url().join(CALLBACK_PATH);
    let intro = if current.is_none() {
        "<p>No Salesforce app is configured yet: create an External Client App in Salesforce with the callback URL above \
         (OAuth scopes as below), then paste its consumer key here.</p>"
    } else {
        ""
    };
    let body = format!(
        "{notice}<h2>Callback URL</h2><p>Register this URL as the callback URL of the app in Salesforce:</p>\
         <p><code class=\"copy\" id=\"callback-url\">{}</code> <button type=\"button\" data-copy=\"callback-url\">Copy</button></p>\
         <h2>Organization app</h2>{intro}\
         <form class=\"card\" method=\"post\" action=\"/admin/app\" id=\"app-form\">{}{}{}\
         <button type=\"submit\" id=\"save-app\">Save</button></form>{}",
        escape(&callback),
        admin.0.csrf_input(),
        problems.summary(),
        form.fields_html(current.is_some_and(AppView::has_secret), problems),
        current.map_or(String::new(), |c| super::credentials::sections(
            admin,
            c,
            &Problems::default(),
            None
        )),
    );
    console_page(
        admin,
        form::status_of(problems),
        "/admin/app",
        nav_title("/admin/app"),
        &body,
    )
}

/// `POST /admin/app`: saves the organization's app (after a step-up when the client id or the
/// secret changes).
pub(super) async fn save(
    admin: Admin,
    State(state): State<HttpState>,
    axum::Form(fields): axum::Form<Fields>,
) -> Response {
    if let Some(refused) = fields.refuse_csrf(&admin) {
        return refused;
    }
    let form = AppForm::from_fields(&fields);
    let current = match admin_read(&state, admin::org_show).await {
        Ok(a) => a,
        Err(page) => return page,
    };
    if let Err(problems) = form.input() {
        return render(&admin, &state, current.as_ref(), &form, &problems, "");
    }
    if form.needs_step_up(current.as_ref()) {
        return step_up::require(&state, &admin, Pending::OrgApp { app: form }).await;
    }
    apply(&state, &admin, form).await
}

/// Saves the organization's app as entered: the redirect with "Saved.", or the form again with
/// the problem.
pub(super) async fn apply(state: &HttpState, admin: &Admin, form: AppForm) -> Response {
    let input = match form.input() {
        Ok(i) => i,
        Err(problems) => return render_current(state, admin, &form, problems).await,
    };
    let actor = admin.actor();
    match call(state, move |app| admin::org_set(app, &actor, &input)).await {
        Err(page) => page,
        Ok(Ok(saved)) => form::done("/admin/app", Done::saved(&saved.reconnect_required)),
        Ok(Err(e)) => {
            let problems = base_field(&form, Problems::of(&e, APP_FIELDS, None));
            render_current(state, admin, &form, problems).await
        }
    }
}

async fn render_current(
    state: &HttpState,
    admin: &Admin,
    form: &AppForm,
    problems: Problems,
) -> Response {
    match admin_read(state, admin::org_show).await {
        Ok(current) => render(admin, state, current.as_ref(), form, &problems, ""),
        Err(page) => page,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn view(base: &str) -> AppView {
        AppView {
            configured: true,
            group: None,
            priority: None,
            client_id: "3MVGkey".into(),
            client_secret: "set",
            auth_base_url: base.into(),
            scopes: "api".into(),
            prompt: None,
            enabled: false,
            staged_client_id: None,
            staged_client_secret: "none",
            previous_client_id: None,
            previous_client_secret: "none",
        }
    }

    #[test]
    fn every_kind_of_auth_base_url_shows_as_its_choice_and_saves_back_unchanged() {
        for (url, choice) in [
            ("https://login.salesforce.com", "production"),
            ("https://test.salesforce.com", "sandbox"),
            ("https://acme--uat.sandbox.my.salesforce.com", "mydomain"),
            ("http://127.0.0.1:9999", "other"),
        ] {
            let v = view(url);
            let form = AppForm::from_view(Some(&v));
            assert_eq!(form.base, choice, "{url}");
            let input = form.input().unwrap_or_else(|_| panic!("{url}"));
            assert_eq!(input.auth_base_url.as_deref(), Some(url));
            assert!(matches!(input.client_secret, SecretChange::Keep));
            assert_eq!(input.enabled, Some(false));
            assert!(!form.needs_step_up(Some(&v)), "nothing sensitive changed");
        }
    }

    #[test]
    fn a_new_client_id_or_a_secret_change_needs_a_step_up() {
        let v = view("https://login.salesforce.com");
        let mut form = AppForm::from_view(Some(&v));
        form.client_id = "3MVGother".into();
        assert!(form.needs_step_up(Some(&v)));
        let mut form = AppForm::from_view(Some(&v));
        form.secret_action = "remove".into();
        assert!(form.needs_step_up(Some(&v)));
        assert!(AppForm::from_view(None).needs_step_up(None), "a first app");
    }

    #[test]
    fn a_bad_my_domain_name_or_an_empty_secret_is_a_problem_at_its_field() {
        let mut form = AppForm::from_view(None);
        form.base = "mydomain".into();
        form.my_domain = "acme corp".into();
        assert!(form.input().is_err_and(|p| p.field("my_domain").is_some()));
        form.my_domain = "acme".into();
        form.secret_action = "set".into();
        assert!(form.input().is_err_and(|p| p.field("secret").is_some()));
        form.secret = "s3cret".into();
        let input = form.input().unwrap();
        assert_eq!(
            input.auth_base_url.as_deref(),
            Some("https://acme.my.salesforce.com")
        );
        assert!(matches!(input.client_secret, SecretChange::Set(_)));
    }
}
