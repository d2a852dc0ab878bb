//! The identity URL (`/id/{org}/{user}`) and OpenID Connect `userinfo`. Unlike the data API,
//! both answer a token they do not accept with 403 and the plain text `Bad_OAuth_Token`.

use std::collections::HashMap;
use std::sync::Arc;

use axum::extract::{Path, Query, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::SimUser;
use super::state::Shared;

/// The bearer token of a request: `Authorization: Bearer|OAuth <token>`.
pub(crate) fn bearer(headers: &HeaderMap) -> Option<&str> {
    let value = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, token) = value.split_once(' ')?;
    let accepted = scheme.eq_ignore_ascii_case("Bearer") || scheme.eq_ignore_ascii_case("OAuth");
    accepted.then_some(token.trim()).filter(|t| !t.is_empty())
}

fn bad_token() -> Response {
    let headers = [(header::CONTENT_TYPE, "text/plain;charset=UTF-8")];
    (StatusCode::FORBIDDEN, headers, "Bad_OAuth_Token").into_response()
}

/// The user whose live access token the request carries (header or `oauth_token` parameter).
fn token_user<'a>(
    shared: &'a Shared,
    headers: &HeaderMap,
    params: &HashMap<String, String>,
) -> Option<&'a SimUser> {
    let token = bearer(headers).or(params.get("oauth_token").map(String::as_str))?;
    let user_id = shared.inner().tokens.access(token)?.user_id.clone();
    shared.user(&user_id)
}

/// `GET /id/{org}/{user}`.
pub(crate) async fn identity(
    State(shared): State<Arc<Shared>>,
    Path((org, user_id)): Path<(String, String)>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(user) = token_user(&shared, &headers, &params) else {
        return bad_token();
    };
    if org != shared.org_id || user_id != user.user_id {
        return bad_token();
    }
    let (first, last) = names(user);
    let body = json!({
        "id": shared.identity_url(user), "asserted_user": true, "user_id": user.user_id,
        "organization_id": shared.org_id, "username": user.username, "nick_name": nick(user),
        "display_name": user.display_name, "email": user.email, "email_verified": true,
        "first_name": first, "last_name": last, "timezone": "America/Los_Angeles",
        "photos": photos(&shared, user),
        "addr_street": null, "addr_city": null, "addr_state": null, "addr_country": null,
        "addr_zip": null, "mobile_phone": null, "mobile_phone_verified": false,
        "is_lightning_login_user": false, "status": { "created_date": null, "body": null },
        "urls": urls(&shared, user, params.get("version")),
        "active": true, "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
        "utcOffset": -28_800_000, "last_modified_date": "2026-01-15T09:30:00Z",
        "is_app_installed": true,
    });
    axum::Json(body).into_response()
}

/// `GET /services/oauth2/userinfo`.
pub(crate) async fn userinfo(
    State(shared): State<Arc<Shared>>,
    Query(params): Query<HashMap<String, String>>,
    headers: HeaderMap,
) -> Response {
    let Some(user) = token_user(&shared, &headers, &params) else {
        return bad_token();
    };
    let (first, last) = names(user);
    let photos = photos(&shared, user);
    axum::Json(json!({
        "sub": shared.identity_url(user), "user_id": user.user_id,
        "organization_id": shared.org_id, "preferred_username": user.username,
        "nickname": nick(user), "name": user.display_name, "email": user.email,
        "email_verified": true, "given_name": first, "family_name": last,
        "zoneinfo": "America/Los_Angeles", "picture": photos["picture"], "photos": photos,
        "profile": format!("{}/{}", shared.base_url, user.user_id),
        "address": { "country": "US" }, "is_salesforce_integration_user": false,
        "urls": urls(&shared, user, params.get("version")),
        "active": true, "user_type": "STANDARD", "language": "en_US", "locale": "en_US",
        "utcOffset": -28_800_000, "updated_at": "2026-01-15T09:30:00Z", "is_app_installed": true,
    }))
    .into_response()
}

fn names(user: &SimUser) -> (&str, &str) {
    user.display_name
        .split_once(' ')
        .unwrap_or(("", &user.display_name))
}

fn nick(user: &SimUser) -> &str {
    user.username.split('@').next().unwrap_or(&user.username)
}

fn photos(shared: &Shared, user: &SimUser) -> Value {
    let base = format!("{}/profilephoto/{}", shared.base_url, user.user_id);
    json!({ "picture": format!("{base}/F"), "thumbnail": format!("{base}/T") })
}

/// The `urls` block; `{version}` stays literal unless the caller asked for a version.
fn urls(shared: &Shared, user: &SimUser, version: Option<&String>) -> Value {
    let base = &shared.base_url;
    let v = version.map_or("{version}", String::as_str);
    let org15 = &shared.org_id[..15];
    let data = format!("{base}/services/data/v{v}");
    json!({
        "enterprise": format!("{base}/services/Soap/c/{v}/{org15}"),
        "metadata": format!("{base}/services/Soap/m/{v}/{org15}"),
        "partner": format!("{base}/services/Soap/u/{v}/{org15}"),
        "rest": format!("{data}/"), "sobjects": format!("{data}/sobjects/"),
        "search": format!("{data}/search/"), "query": format!("{data}/query/"),
        "recent": format!("{data}/recent/"),
        "tooling_soap": format!("{base}/services/Soap/T/{v}/{org15}"),
        "tooling_rest": format!("{data}/tooling/"),
        "profile": format!("{base}/{}", user.user_id),
        "feeds": format!("{data}/chatter/feeds"), "groups": format!("{data}/chatter/groups"),
        "users": format!("{data}/chatter/users"),
        "feed_items": format!("{data}/chatter/feed-items"),
        "feed_elements": format!("{data}/chatter/feed-elements"),
        "custom_domain": base,
    })
}
