//! Staged credentials on the command line: staging, showing (secrets only as set/none),
//! promoting, removing the previous set, the audit entries, and the errors that say what to do.

use salesforce_mcp::store::{apps, audit};
use secrecy::ExposeSecret as _;

use super::Admin;

const OLD_SECRET: &str = "OldConsumerSecretValue1";
const NEW_SECRET: &str = "NewConsumerSecretValue2";

fn org_with_secret(admin: &Admin) {
    let set = admin.run_with_stdin(
        &[
            "admin",
            "org",
            "set",
            "--client-id",
            "3MVGoldKey",
            "--client-secret-stdin",
        ],
        OLD_SECRET,
    );
    assert_eq!(set.code, 0, "{}", set.stderr);
}

fn stage_new(admin: &Admin) -> super::Run {
    admin.run_with_stdin(
        &[
            "admin",
            "org",
            "set",
            "--staged-client-id",
            "3MVGnewKey",
            "--staged-client-secret-stdin",
        ],
        &format!("{NEW_SECRET}\n"),
    )
}

#[test]
fn a_staged_set_is_shown_promoted_kept_as_previous_and_removed_with_audit_entries() {
    let admin = Admin::new();
    org_with_secret(&admin);
    let staged = stage_new(&admin);
    assert_eq!(staged.code, 0, "{}", staged.stderr);
    assert!(!staged.stdout.contains(NEW_SECRET) && !staged.stderr.contains(NEW_SECRET));

    let shown = admin.json(&["admin", "org", "show"]);
    assert_eq!(shown["client_id"], "3MVGoldKey");
    assert_eq!(shown["staged_client_id"], "3MVGnewKey");
    assert_eq!(shown["staged_client_secret"], "set");
    assert_eq!(shown["previous_client_id"], serde_json::Value::Null);
    assert_eq!(shown["previous_client_secret"], "none");
    let text = admin.ok(&["admin", "org", "show"]);
    assert!(
        text.contains("Staged:         3MVGnewKey (secret set)"),
        "{text}"
    );
    assert!(text.contains("Previous:       none"), "{text}");
    assert!(!text.contains(NEW_SECRET) && !text.contains(OLD_SECRET));

    let promoted = admin.json(&["admin", "org", "promote-staged"]);
    assert_eq!(promoted["client_id"], "3MVGnewKey");
    assert_eq!(promoted["client_secret"], "set");
    assert_eq!(promoted["staged_client_id"], serde_json::Value::Null);
    assert_eq!(promoted["previous_client_id"], "3MVGoldKey");
    assert_eq!(promoted["previous_client_secret"], "set");
    assert_eq!(promoted["reconnect_required"], serde_json::json!([]));
    let row = admin
        .store()
        .call_sync(|c| apps::org_app(c))
        .unwrap()
        .unwrap();
    let open = |sealed: &[u8]| admin.sealer().open(sealed).unwrap();
    let main = open(row.client_secret_sealed.as_deref().unwrap());
    assert_eq!(
        main.expose_secret(),
        NEW_SECRET,
        "one trailing newline trimmed"
    );
    let previous = row.previous.unwrap();
    let previous_secret = open(previous.client_secret_sealed.as_deref().unwrap());
    assert_eq!(previous_secret.expose_secret(), OLD_SECRET);

    // Other changes keep the previous set until it is removed.
    admin.ok(&["admin", "org", "set", "--scopes", "api refresh_token"]);
    let shown = admin.json(&["admin", "org", "show"]);
    assert_eq!(shown["previous_client_id"], "3MVGoldKey");
    let removed = admin.json(&["admin", "org", "set", "--no-previous-credentials"]);
    assert_eq!(removed["previous_client_id"], serde_json::Value::Null);
    assert_eq!(removed["client_id"], "3MVGnewKey");

    let rows = admin.store().call_sync(|c| audit::recent(c, 100)).unwrap();
    let actions: Vec<_> = rows.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        [
            "org_app.set",
            "org_app.set",
            "org_app.promote_staged",
            "org_app.set",
            "org_app.set"
        ]
    );
    let promote: serde_json::Value =
        serde_json::from_str(rows[2].detail.as_deref().unwrap()).unwrap();
    assert_eq!(promote["client_id"], "3MVGnewKey");
    assert_eq!(promote["previous_client_id"], "3MVGoldKey");
    let stage: serde_json::Value =
        serde_json::from_str(rows[3].detail.as_deref().unwrap()).unwrap();
    assert_eq!(stage["staged"]["client_id"], "3MVGnewKey");
    assert_eq!(stage["staged"]["has_secret"], true);
    for row in &rows {
        assert_eq!(
            (row.actor.as_str(), row.subject.as_deref()),
            ("cli", Some("org"))
        );
        let detail = row.detail.clone().unwrap_or_default();
        assert!(
            !detail.contains(NEW_SECRET) && !detail.contains(OLD_SECRET),
            "{detail}"
        );
    }
}

#[test]
fn promoting_with_nothing_staged_and_a_staged_secret_without_a_key_are_refused_with_the_fix() {
    let admin = Admin::new();
    let unconfigured = admin.run(&["admin", "org", "promote-staged"]);
    assert_eq!(unconfigured.code, 1);
    assert!(
        unconfigured.stderr.contains("admin org set --client-id"),
        "{}",
        unconfigured.stderr
    );

    org_with_secret(&admin);
    let nothing = admin.run(&["admin", "org", "promote-staged"]);
    assert_eq!(nothing.code, 1);
    assert!(
        nothing.stderr.contains("nothing is staged")
            && nothing
                .stderr
                .contains("--staged-client-id ID --staged-client-secret-stdin"),
        "{}",
        nothing.stderr
    );
    let secret_only = admin.run_with_stdin(
        &["admin", "org", "set", "--staged-client-secret-stdin"],
        NEW_SECRET,
    );
    assert_eq!(secret_only.code, 1);
    assert!(
        secret_only.stderr.contains("needs --staged-client-id ID"),
        "{}",
        secret_only.stderr
    );
    let spaced = admin.run(&[
        "admin",
        "org",
        "set",
        "--staged-client-id",
        "3MVG with space",
    ]);
    assert_eq!(spaced.code, 1);
    assert!(
        spaced
            .stderr
            .contains("--staged-client-id must be the app's consumer key")
    );
    let both_stdin = admin.run_with_stdin(
        &[
            "admin",
            "org",
            "set",
            "--client-secret-stdin",
            "--staged-client-id",
            "3MVGnewKey",
            "--staged-client-secret-stdin",
        ],
        NEW_SECRET,
    );
    assert_eq!(both_stdin.code, 2, "one standard input, one secret");
    let clear_and_set = admin.run(&[
        "admin",
        "org",
        "set",
        "--staged-client-id",
        "3MVGnewKey",
        "--no-staged-credentials",
    ]);
    assert_eq!(clear_and_set.code, 2);

    admin.ok(&["admin", "group", "add", "sales"]);
    let no_override = admin.run(&["admin", "group", "promote-staged", "sales"]);
    assert_eq!(no_override.code, 1);
    assert!(
        no_override
            .stderr
            .contains("admin group set sales --client-id"),
        "{}",
        no_override.stderr
    );
    let no_group = admin.run(&["admin", "group", "promote-staged", "nope"]);
    assert_eq!(no_group.code, 1);
    assert!(no_group.stderr.contains("admin group add nope"));

    let rows = admin.store().call_sync(|c| audit::recent(c, 100)).unwrap();
    let actions: Vec<_> = rows.iter().rev().map(|r| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["org_app.set", "group.add"],
        "refused changes leave no entry"
    );
    let shown = admin.json(&["admin", "org", "show"]);
    assert_eq!(shown["staged_client_id"], serde_json::Value::Null);
}

#[test]
fn a_group_override_stages_promotes_and_clears_its_own_sets() {
    let admin = Admin::new();
    admin.ok(&[
        "admin",
        "group",
        "add",
        "sales",
        "--client-id",
        "3MVGsalesOld",
    ]);
    let staged = admin.json(&[
        "admin",
        "group",
        "set",
        "sales",
        "--staged-client-id",
        "3MVGsalesNew",
    ]);
    assert_eq!(staged["app"]["staged_client_id"], "3MVGsalesNew");
    assert_eq!(staged["app"]["staged_client_secret"], "none");
    // A secret given later for the same staged key keeps the key.
    let secret = admin.run_with_stdin(
        &[
            "admin",
            "group",
            "set",
            "sales",
            "--staged-client-secret-stdin",
        ],
        NEW_SECRET,
    );
    assert_eq!(secret.code, 0, "{}", secret.stderr);
    let shown = admin.json(&["admin", "group", "show", "sales"]);
    assert_eq!(shown["app"]["staged_client_id"], "3MVGsalesNew");
    assert_eq!(shown["app"]["staged_client_secret"], "set");

    let text = admin.ok(&["admin", "group", "promote-staged", "sales"]);
    assert!(
        text.contains("Promoted") && !text.contains(NEW_SECRET),
        "{text}"
    );
    let shown = admin.json(&["admin", "group", "show", "sales"]);
    assert_eq!(shown["app"]["client_id"], "3MVGsalesNew");
    assert_eq!(shown["app"]["client_secret"], "set");
    assert_eq!(shown["app"]["previous_client_id"], "3MVGsalesOld");
    assert_eq!(shown["app"]["previous_client_secret"], "none");

    admin.ok(&[
        "admin",
        "group",
        "set",
        "sales",
        "--staged-client-id",
        "3MVGsalesNext",
    ]);
    let cleared = admin.json(&[
        "admin",
        "group",
        "set",
        "sales",
        "--no-staged-credentials",
        "--no-previous-credentials",
    ]);
    assert_eq!(cleared["app"]["staged_client_id"], serde_json::Value::Null);
    assert_eq!(
        cleared["app"]["previous_client_id"],
        serde_json::Value::Null
    );
    assert!(admin.json(&["admin", "org", "show"])["configured"] == false);

    let rows = admin.store().call_sync(|c| audit::recent(c, 100)).unwrap();
    let promote = rows
        .iter()
        .find(|r| r.action == "group.promote_staged")
        .unwrap();
    assert_eq!(
        (promote.actor.as_str(), promote.subject.as_deref()),
        ("cli", Some("sales"))
    );
}
