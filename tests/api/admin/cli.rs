use salesforce_mcp::store::{self, apps, audit, tokens};
use secrecy::ExposeSecret as _;

use super::Admin;

const SECRET: &str = "Sup3rS3cretConsumerValue";

#[test]
fn org_set_reads_the_secret_from_stdin_trims_one_newline_and_never_prints_it() {
    let admin = Admin::new();
    let set = admin.run_with_stdin(
        &[
            "admin",
            "org",
            "set",
            "--client-id",
            "3MVGorgKey",
            "--client-secret-stdin",
        ],
        &format!("{SECRET}\n"),
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    assert!(!set.stdout.contains(SECRET) && !set.stderr.contains(SECRET));
    let text = admin.ok(&["admin", "org", "show"]);
    assert!(
        text.contains("set (hidden)") && !text.contains(SECRET),
        "{text}"
    );
    let json = admin.json(&["admin", "org", "show"]);
    assert_eq!(json["client_secret"], "set");
    assert_eq!(json["auth_base_url"], "https://login.salesforce.com");
    assert!(!json.to_string().contains(SECRET));
    let row = admin
        .store()
        .call_sync(|c| apps::org_app(c))
        .unwrap()
        .unwrap();
    let stored = admin
        .sealer()
        .open(&row.client_secret_sealed.unwrap())
        .unwrap();
    assert_eq!(stored.expose_secret(), SECRET);
}

#[test]
fn only_one_trailing_newline_of_the_secret_is_trimmed() {
    let admin = Admin::new();
    let set = admin.run_with_stdin(
        &[
            "admin",
            "org",
            "set",
            "--client-id",
            "3MVGorgKey",
            "--client-secret-stdin",
        ],
        "two lines\n\n",
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
    let row = admin
        .store()
        .call_sync(|c| apps::org_app(c))
        .unwrap()
        .unwrap();
    let stored = admin
        .sealer()
        .open(&row.client_secret_sealed.unwrap())
        .unwrap();
    assert_eq!(stored.expose_secret(), "two lines\n");
}

#[test]
fn a_bad_auth_base_url_exits_1_and_says_what_a_good_one_looks_like() {
    let admin = Admin::new();
    let run = admin.run(&[
        "admin",
        "org",
        "set",
        "--client-id",
        "3MVGorgKey",
        "--auth-base-url",
        "https://evil.example.com",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("not a Salesforce address")
            && run.stderr.contains("https on a Salesforce host"),
        "{}",
        run.stderr
    );
    assert!(
        admin
            .store()
            .call_sync(|c| apps::org_app(c))
            .unwrap()
            .is_none()
    );
}

#[test]
fn the_first_org_set_without_a_client_id_exits_1() {
    let admin = Admin::new();
    let run = admin.run(&[
        "admin",
        "org",
        "set",
        "--auth-base-url",
        "https://test.salesforce.com",
    ]);
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("--client-id is required"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_usage_exits_2() {
    let admin = Admin::new();
    assert_eq!(admin.run(&["admin", "group", "set"]).code, 2);
    assert_eq!(
        admin
            .run(&["admin", "token", "revoke", "not-a-number"])
            .code,
        2
    );
}

#[test]
fn groups_are_added_changed_listed_shown_and_removed() {
    let admin = Admin::new();
    admin.ok(&["admin", "group", "add", "support"]);
    let sales = admin.json(&[
        "admin",
        "group",
        "add",
        "sales",
        "--priority",
        "10",
        "--client-id",
        "3MVGsalesKey",
        "--auth-base-url",
        "https://acme.my.salesforce.com",
    ]);
    assert_eq!(sales["app"]["client_id"], "3MVGsalesKey");
    assert_eq!(sales["app"]["enabled"], true);
    let again = admin.run(&["admin", "group", "add", "sales"]);
    assert_eq!(again.code, 1);
    assert!(
        again.stderr.contains("admin group set sales"),
        "{}",
        again.stderr
    );

    let list = admin.json(&["admin", "group", "list"]);
    let names: Vec<_> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].clone())
        .collect();
    assert_eq!(names, ["sales", "support"]);
    assert_eq!(list[1]["priority"], 100);
    assert!(list[1]["app"].is_null());

    admin.ok(&[
        "admin",
        "group",
        "set",
        "sales",
        "--disable",
        "--priority",
        "200",
    ]);
    let shown = admin.json(&["admin", "group", "show", "sales"]);
    assert_eq!(shown["priority"], 200);
    assert_eq!(shown["app"]["enabled"], false);
    assert_eq!(
        shown["app"]["auth_base_url"],
        "https://acme.my.salesforce.com"
    );

    let unknown = admin.run(&["admin", "group", "set", "nope", "--priority", "1"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("admin group add nope"),
        "{}",
        unknown.stderr
    );

    admin.ok(&["admin", "group", "remove", "sales"]);
    let list = admin.json(&["admin", "group", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(admin.run(&["admin", "group", "show", "sales"]).code, 1);
}

#[test]
fn users_are_added_with_groups_and_shown_with_their_effective_app() {
    let admin = Admin::new();
    admin.ok(&["admin", "org", "set", "--client-id", "3MVGorgKey"]);
    admin.ok(&[
        "admin",
        "group",
        "add",
        "sales",
        "--priority",
        "10",
        "--client-id",
        "3MVGsalesKey",
        "--auth-base-url",
        "https://test.salesforce.com",
    ]);
    admin.ok(&["admin", "group", "add", "ops"]);
    let unknown = admin.run(&["admin", "user", "add", "ada@example.com", "--group", "nope"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("admin group add nope"),
        "{}",
        unknown.stderr
    );

    admin.ok(&[
        "admin",
        "user",
        "add",
        "ada@example.com",
        "--group",
        "sales",
        "--group",
        "ops",
        "--admin",
    ]);
    admin.ok(&["admin", "user", "add", "bob@example.com"]);
    let ada = admin.json(&["admin", "user", "show", "ada@example.com"]);
    assert_eq!(ada["admin"], true);
    assert_eq!(ada["groups"].as_array().unwrap().len(), 2);
    assert_eq!(ada["effective_app"]["app"], "sales");
    assert_eq!(ada["effective_app"]["client_id"], "3MVGsalesKey");
    assert_eq!(
        ada["effective_app"]["auth_base_url"],
        "https://test.salesforce.com"
    );
    assert!(ada["connection"].is_null());
    let bob = admin.ok(&["admin", "user", "show", "bob@example.com"]);
    assert!(
        bob.contains("Effective app:  org, client id 3MVGorgKey"),
        "{bob}"
    );

    admin.ok(&[
        "admin",
        "user",
        "remove",
        "ada@example.com",
        "--group",
        "sales",
    ]);
    let ada = admin.json(&["admin", "user", "show", "ada@example.com"]);
    assert_eq!(ada["effective_app"]["app"], "org");

    admin.ok(&["admin", "org", "set", "--disable"]);
    let bob = admin.ok(&["admin", "user", "show", "bob@example.com"]);
    assert!(bob.contains("Salesforce is not enabled"), "{bob}");

    admin.ok(&["admin", "user", "remove", "bob@example.com"]);
    let list = admin.json(&["admin", "user", "list"]);
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert_eq!(list[0]["email"], "ada@example.com");
}

#[test]
fn a_token_is_shown_once_resolves_to_its_person_and_can_be_revoked() {
    let admin = Admin::new();
    assert_eq!(
        admin
            .run(&["admin", "token", "create", "ada@example.com"])
            .code,
        1
    );
    admin.ok(&["admin", "user", "add", "ada@example.com"]);
    let token = admin.ok(&["admin", "token", "create", "ada@example.com"]);
    let token = token.strip_suffix('\n').unwrap();
    assert!(
        token.starts_with("smcp_") && !token.contains(char::is_whitespace),
        "{token}"
    );
    let created = admin.json(&["admin", "token", "create", "ada@example.com"]);
    assert_eq!(created["user"], "ada@example.com");
    let second = created["token"].as_str().unwrap().to_owned();

    let store = admin.store();
    let ada = store
        .call_sync(|c| store::users::find_by_email(c, "ada@example.com"))
        .unwrap()
        .unwrap();
    let owner = store
        .call_sync(|c| tokens::user_for(c, &tokens::hash(token)))
        .unwrap();
    assert_eq!(owner, Some(ada.id));

    let listed = admin.ok(&["admin", "token", "list", "--user", "ada@example.com"]);
    let listed_json = admin.json(&["admin", "token", "list"]).to_string();
    for t in [token, second.as_str()] {
        assert!(!listed.contains(t) && !listed_json.contains(t));
    }
    assert!(
        listed_json.contains("\"last_used_at\":\"20"),
        "{listed_json}"
    );

    let id = created["id"].to_string();
    admin.ok(&["admin", "token", "revoke", &id]);
    let owner = store
        .call_sync(|c| tokens::user_for(c, &tokens::hash(&second)))
        .unwrap();
    assert_eq!(owner, None);
    let twice = admin.run(&["admin", "token", "revoke", &id]);
    assert_eq!(twice.code, 1);
    assert!(twice.stderr.contains("already revoked"), "{}", twice.stderr);
}

#[test]
fn every_admin_change_is_audited_without_secret_values() {
    let admin = Admin::new();
    admin.run_with_stdin(
        &[
            "admin",
            "org",
            "set",
            "--client-id",
            "3MVGorgKey",
            "--client-secret-stdin",
        ],
        SECRET,
    );
    admin.run_with_stdin(
        &[
            "admin",
            "group",
            "add",
            "sales",
            "--client-id",
            "3MVGsalesKey",
            "--client-secret-stdin",
        ],
        SECRET,
    );
    admin.ok(&[
        "admin",
        "user",
        "add",
        "ada@example.com",
        "--group",
        "sales",
    ]);
    let token = admin.ok(&["admin", "token", "create", "ada@example.com"]);
    admin.ok(&["admin", "token", "revoke", "1"]);
    admin.ok(&["admin", "group", "remove", "sales"]);
    admin.ok(&["admin", "user", "remove", "ada@example.com"]);
    let rows = admin.store().call_sync(|c| audit::recent(c, 100)).unwrap();
    let actions: Vec<_> = rows.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "org_app.set",
            "group.add",
            "user.add",
            "token.create",
            "token.revoke",
            "group.remove",
            "user.remove"
        ]
    );
    for row in &rows {
        assert_eq!(row.actor, "cli");
        let detail = row.detail.clone().unwrap_or_default();
        assert!(
            !detail.contains(SECRET) && !detail.contains(token.trim()),
            "{detail}"
        );
    }
}

#[test]
fn the_audit_log_is_printed_newest_first_and_filtered_by_person_action_and_date() {
    let admin = Admin::new();
    admin.ok(&["admin", "user", "add", "ada@example.com"]);
    admin.ok(&["admin", "user", "add", "grace@example.com"]);
    admin.ok(&["admin", "token", "create", "ada@example.com"]);
    let all = admin.json(&["admin", "audit"]);
    let actions: Vec<&str> = all
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(
        actions,
        ["token.create", "user.add", "user.add"],
        "newest first"
    );
    let users = admin.json(&["admin", "audit", "--action", "user"]);
    assert_eq!(users.as_array().unwrap().len(), 2);
    let ada = admin.json(&["admin", "audit", "--user", "ada@example.com"]);
    assert!(
        ada.as_array()
            .unwrap()
            .iter()
            .all(|e| e.to_string().contains("ada@example.com")),
        "{ada}"
    );
    assert_eq!(ada.as_array().unwrap().len(), 2);
    assert!(
        admin
            .json(&["admin", "audit", "--since", "2999-01-01"])
            .as_array()
            .unwrap()
            .is_empty()
    );
    assert_eq!(
        admin
            .json(&["admin", "audit", "--limit", "1"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
    let bad = admin.run(&["admin", "audit", "--since", "yesterday"]);
    assert_eq!(bad.code, 1);
    assert!(bad.stderr.contains("2026-12-01"), "{}", bad.stderr);
    let text = admin.ok(&["admin", "audit"]);
    assert!(
        text.contains("token.create") && !text.contains("smcp_"),
        "{text}"
    );
}

#[test]
fn the_admin_flag_is_turned_on_and_off_and_disconnect_is_audited() {
    let admin = Admin::new();
    admin.ok(&["admin", "user", "add", "ada@example.com"]);
    let on = admin.json(&["admin", "user", "set", "ada@example.com", "--admin", "on"]);
    assert_eq!(on["admin"], true);
    let off = admin.json(&["admin", "user", "set", "ada@example.com", "--admin", "off"]);
    assert_eq!(off["admin"], false);
    assert_eq!(
        admin.json(&["admin", "user", "show", "ada@example.com"])["admin"],
        false
    );
    let unknown = admin.run(&["admin", "user", "set", "bob@example.com", "--admin", "on"]);
    assert_eq!(unknown.code, 1);
    assert!(
        unknown.stderr.contains("admin user add bob@example.com"),
        "{}",
        unknown.stderr
    );

    let done = admin.json(&["admin", "user", "disconnect", "ada@example.com"]);
    assert_eq!(done["disconnected"], "ada@example.com");
    assert_eq!(done["was_connected"], false);
    let text = admin.ok(&["admin", "user", "disconnect", "ada@example.com"]);
    assert!(text.contains("was not connected"), "{text}");

    let log = admin.json(&["admin", "audit", "--action", "user"]);
    let actions: Vec<_> = log
        .as_array()
        .unwrap()
        .iter()
        .map(|e| (e["actor"].as_str().unwrap(), e["action"].as_str().unwrap()))
        .collect();
    assert_eq!(
        actions,
        [
            ("cli", "user.disconnect"),
            ("cli", "user.disconnect"),
            ("cli", "user.set_admin"),
            ("cli", "user.set_admin"),
            ("cli", "user.add"),
        ]
    );
    assert_eq!(log[2]["detail"]["admin"], false);
}
