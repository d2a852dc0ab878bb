//! The console's forms: submitted fields, the CSRF check, POST-redirect-GET notices, inline
//! problems next to their fields, and the markup of labelled fields with help text.

use axum::response::{IntoResponse as _, Redirect, Response};
use serde::Deserialize;

use super::Admin;
use crate::admin::AdminError;
use crate::http::web::pages::{self, escape};

/// A submitted form's fields, in order (a name may repeat, as checkboxes do).
#[derive(Default, Deserialize)]
#[serde(transparent)]
pub(super) struct Fields(Vec<(String, String)>);

impl From<Vec<(String, String)>> for Fields {
    fn from(pairs: Vec<(String, String)>) -> Self {
        Self(pairs)
    }
}

impl Fields {
    /// The first value of a field, or "".
    pub(super) fn get(&self, name: &str) -> &str {
        self.0
            .iter()
            .find(|(k, _)| k == name)
            .map_or("", |(_, v)| v.as_str())
    }

    /// Whether a field was sent (a checked checkbox).
    pub(super) fn has(&self, name: &str) -> bool {
        self.0.iter().any(|(k, _)| k == name)
    }

    /// Every non-empty value of a field.
    pub(super) fn all(&self, name: &str) -> Vec<String> {
        self.0
            .iter()
            .filter(|(k, v)| k == name && !v.trim().is_empty())
            .map(|(_, v)| v.trim().to_owned())
            .collect()
    }

    /// Checks the form's CSRF token against the admin's session; `Some` is the refusal page
    /// (nothing is saved).
    pub(super) fn refuse_csrf(&self, admin: &Admin) -> Option<Response> {
        admin
            .0
            .check_csrf(self.get("csrf"))
            .err()
            .map(|_| csrf_refused())
    }
}

/// The page for a form whose CSRF token is missing, wrong, or from another (ended) session.
pub(super) fn csrf_refused() -> Response {
    pages::page(
        http::StatusCode::FORBIDDEN,
        "Form expired",
        "<p class=\"error\">Nothing was saved: this form is out of date or did not come from this site \
         (it carries no valid security token for your current sign-in).</p>\
         <p><a href=\"/admin\">Open the admin console again</a>, then fill in the form and save once more.</p>",
    )
}

/// The `?notice=` of a page after a POST-redirect-GET.
#[derive(Debug, Default, Deserialize)]
pub(super) struct Notice {
    notice: Option<String>,
}

/// What a saved form redirects with: a fixed code, never data.
#[derive(Debug, Clone, Copy)]
pub(super) enum Done {
    /// Saved.
    Saved,
    /// Saved, and some people's effective app moved: they must connect again.
    SavedReconnect,
    /// Removed.
    Removed,
    /// Revoked.
    Revoked,
    /// Disconnected.
    Disconnected,
}

impl Done {
    fn code(self) -> &'static str {
        match self {
            Self::Saved => "saved",
            Self::SavedReconnect => "saved-reconnect",
            Self::Removed => "removed",
            Self::Revoked => "revoked",
            Self::Disconnected => "disconnected",
        }
    }

    /// `Saved` or `SavedReconnect` from the people who must connect again.
    pub(super) fn saved(reconnect_required: &[String]) -> Self {
        if reconnect_required.is_empty() {
            Self::Saved
        } else {
            Self::SavedReconnect
        }
    }
}

impl Notice {
    /// The notice's markup (empty for none or an unknown code).
    pub(super) fn html(&self) -> String {
        let text = match self.notice.as_deref() {
            Some("saved") => "Saved.",
            Some("saved-reconnect") => {
                "Saved. The app that applies to some people changed: they must connect again (see People)."
            }
            Some("removed") => "Removed.",
            Some("revoked") => "Revoked.",
            Some("disconnected") => "Disconnected.",
            _ => return String::new(),
        };
        format!(
            "<p class=\"notice\" id=\"notice\" role=\"status\">{}</p>",
            escape(text)
        )
    }
}

/// The redirect after a saved form: `path` (already URL-safe) with the notice.
pub(super) fn done(path: &str, what: Done) -> Response {
    Redirect::to(&format!("{path}?notice={}", what.code())).into_response()
}

/// A path segment, percent-encoded (an e-mail or a group name in a console URL).
pub(super) fn segment(text: &str) -> String {
    url::form_urlencoded::byte_serialize(text.as_bytes())
        .collect::<String>()
        .replace('+', "%20")
}

/// Messages name the command line's flags; the console names its fields instead.
const FLAG_LABELS: &[(&str, &str)] = &[
    ("--client-id", "Client id"),
    ("--scopes", "Scopes"),
    ("--prompt", "Prompt"),
    ("--priority", "Priority"),
    ("--since", "Date"),
    ("--limit", "Limit"),
];

/// What is wrong with a submitted form: messages next to their fields, or for the whole form.
#[derive(Debug, Default)]
pub(super) struct Problems {
    by_field: Vec<(&'static str, String)>,
    general: Option<String>,
}

impl Problems {
    /// A problem with one field.
    pub(super) fn at(field: &'static str, message: impl Into<String>) -> Self {
        Self {
            by_field: vec![(field, message.into())],
            general: None,
        }
    }

    /// A problem of an admin action, next to the field its message is about: `map` pairs a text
    /// the message contains with the field (first match wins); otherwise `fallback`, or the form.
    pub(super) fn of(
        e: &AdminError,
        map: &[(&str, &'static str)],
        fallback: Option<&'static str>,
    ) -> Self {
        let mut message = e.to_string();
        let field = map
            .iter()
            .find(|(needle, _)| message.contains(needle))
            .map(|(_, f)| *f)
            .or(fallback);
        for (flag, label) in FLAG_LABELS {
            if let Some(rest) = message.strip_prefix(flag) {
                message = format!("{label}{rest}");
            }
        }
        match field {
            Some(f) => Self::at(f, message),
            None => Self {
                by_field: Vec::new(),
                general: Some(message),
            },
        }
    }

    /// Whether there is no problem.
    pub(super) fn is_empty(&self) -> bool {
        self.by_field.is_empty() && self.general.is_none()
    }

    /// The problem with a field.
    pub(super) fn field(&self, name: &str) -> Option<&str> {
        self.by_field
            .iter()
            .find(|(f, _)| *f == name)
            .map(|(_, m)| m.as_str())
    }

    /// The box at the top of the form: the problem of the whole form, or a pointer to the fields.
    pub(super) fn summary(&self) -> String {
        match (&self.general, self.by_field.is_empty()) {
            (Some(m), _) => format!("<p class=\"problem-box\" role=\"alert\">{}</p>", escape(m)),
            (None, false) => "<p class=\"problem-box\" role=\"alert\">Nothing was saved: fix the field marked below and save again.</p>".to_owned(),
            (None, true) => String::new(),
        }
    }
}

/// A labelled field: `control` is the input's markup (built by the caller with escaped values;
/// its id is `f-NAME`), `help` the text under it.
pub(super) fn field(
    name: &str,
    label: &str,
    control: &str,
    help: &str,
    problems: &Problems,
) -> String {
    let (class, problem) = match problems.field(name) {
        Some(m) => (
            " invalid",
            format!(
                "<span class=\"problem\" id=\"problem-{name}\">{}</span>",
                escape(m)
            ),
        ),
        None => ("", String::new()),
    };
    let help = if help.is_empty() {
        String::new()
    } else {
        format!("<span class=\"help\">{}</span>", escape(help))
    };
    format!(
        "<div class=\"field{class}\"><label class=\"name\" for=\"f-{name}\">{}</label>{control}{problem}{help}</div>",
        escape(label)
    )
}

/// A text input (`kind`: text, email, number, date) with its current value.
pub(super) fn input(kind: &str, name: &str, value: &str, extra: &str) -> String {
    format!(
        "<input type=\"{kind}\" id=\"f-{name}\" name=\"{name}\" value=\"{}\" aria-describedby=\"problem-{name}\"{extra}>",
        escape(value)
    )
}

/// A checkbox with its label.
pub(super) fn checkbox(name: &str, label: &str, checked: bool) -> String {
    format!(
        "<label><input type=\"checkbox\" id=\"f-{name}\" name=\"{name}\" value=\"1\"{}> {}</label>",
        if checked { " checked" } else { "" },
        escape(label)
    )
}

/// A `<select>` of (value, label) options with one selected.
pub(super) fn select(name: &str, options: &[(String, String)], selected: &str) -> String {
    let items: String = options
        .iter()
        .map(|(v, l)| {
            format!(
                "<option value=\"{}\"{}>{}</option>",
                escape(v),
                if v == selected { " selected" } else { "" },
                escape(l)
            )
        })
        .collect();
    format!("<select id=\"f-{name}\" name=\"{name}\">{items}</select>")
}

/// A one-button form posting hidden fields to `path`; a `danger` one asks for confirmation.
pub(super) fn button_form(
    admin: &Admin,
    path: &str,
    hidden: &[(&str, &str)],
    label: &str,
    id: &str,
    class: &str,
) -> String {
    let hidden: String = hidden
        .iter()
        .map(|(k, v)| {
            format!(
                "<input type=\"hidden\" name=\"{}\" value=\"{}\">",
                escape(k),
                escape(v)
            )
        })
        .collect();
    // A destructive action asks first (console.js), naming what it does.
    let confirm = if class == "danger" {
        format!(" data-confirm=\"{}: are you sure?\"", escape(label))
    } else {
        String::new()
    };
    format!(
        "<form class=\"inline\" method=\"post\" action=\"{}\"{confirm}>{}{hidden}<button type=\"submit\" id=\"{}\" class=\"{class}\">{}</button></form>",
        escape(path),
        admin.0.csrf_input(),
        escape(id),
        escape(label)
    )
}

/// The status of a page re-rendered with problems.
pub(super) fn status_of(problems: &Problems) -> http::StatusCode {
    if problems.is_empty() {
        http::StatusCode::OK
    } else {
        http::StatusCode::UNPROCESSABLE_ENTITY
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_admin_error_lands_at_its_field_named_as_the_console_names_it() {
        let e = AdminError::Invalid("--scopes must not be empty".into());
        let p = Problems::of(&e, &[("--scopes", "scopes")], None);
        assert_eq!(p.field("scopes"), Some("Scopes must not be empty"));
        let e = AdminError::Conflict("a group named 'x' already exists".into());
        let p = Problems::of(&e, &[], None);
        assert!(p.field("name").is_none() && p.summary().contains("already exists"));
        let p = Problems::of(&e, &[], Some("name"));
        assert!(p.field("name").is_some());
    }

    #[test]
    fn only_known_notices_are_shown() {
        let n = Notice {
            notice: Some("saved".into()),
        };
        assert!(n.html().contains("Saved."));
        let n = Notice {
            notice: Some("<script>".into()),
        };
        assert_eq!(n.html(), "");
    }

    #[test]
    fn a_path_segment_is_percent_encoded() {
        assert_eq!(segment("bob@example.com"), "bob%40example.com");
        assert_eq!(segment("a b/c"), "a%20b%2Fc");
    }
}
