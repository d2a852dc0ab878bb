//! Policies (approval, change lifetime, read-only): what an MCP client sees while an admin
//! switches them, the command line and the admin functions agreeing, and the precedence of a
//! value given at start.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Child, ChildStdin, ChildStdout, Command, Stdio};
use std::time::Duration;

use salesforce_mcp::admin::{self, AdminError, PolicyInput, console_actor};
use salesforce_mcp::changes::{ChangeError, PrepareArgs, Via};
use salesforce_mcp::config::Origin;
use salesforce_mcp::policy::Source;
use salesforce_mcp::secrets::KEY_ENV;
use salesforce_mcp::store::{audit, changes};
use serde_json::{Value, json};

use crate::admin::run_bin;
use crate::helpers::{TestApp, spawn_app};

const CHANGE_TOOLS: [&str; 3] = ["prepare_change", "confirm_change", "prepare_undo"];

/// `salesforce-mcp serve` on stdio for alice, on the test app's database, spoken to line by line.
struct Serve {
    child: Child,
    input: ChildStdin,
    output: BufReader<ChildStdout>,
    next_id: u64,
    /// Notifications seen while waiting for answers.
    notifications: Vec<String>,
}

impl Serve {
    fn start(t: &TestApp, extra: &[&str], env: &[(&str, &str)]) -> Self {
        let mut cmd = Command::new(env!("CARGO_BIN_EXE_salesforce-mcp"));
        cmd.arg("--db")
            .arg(&t.app.settings.db_path)
            .args(["serve", "--user", "alice@example.com"])
            .args(extra)
            .env("SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK", "1")
            .env_remove("SALESFORCE_MCP_READ_ONLY")
            .env_remove("SALESFORCE_MCP_APPROVAL")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null());
        match std::env::var(KEY_ENV) {
            Ok(k) => cmd.env(KEY_ENV, k),
            Err(_) => cmd.env_remove(KEY_ENV),
        };
        for (k, v) in env {
            cmd.env(k, v);
        }
        let mut child = cmd.spawn().unwrap();
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let mut serve = Self {
            child,
            input,
            output,
            next_id: 1,
            notifications: Vec::new(),
        };
        serve.request(
            "initialize",
            json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}),
        );
        writeln!(
            serve.input,
            r#"{{"jsonrpc":"2.0","method":"notifications/initialized"}}"#
        )
        .unwrap();
        serve
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        let body = json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        writeln!(self.input, "{body}").unwrap();
        loop {
            let mut line = String::new();
            assert!(self.output.read_line(&mut line).unwrap() > 0, "serve ended");
            let message: Value = serde_json::from_str(&line).unwrap();
            if message["id"] == id {
                return message["result"].clone();
            }
            if let Some(m) = message["method"].as_str() {
                self.notifications.push(m.to_owned());
            }
        }
    }

    fn tool_names(&mut self) -> Vec<String> {
        let list = self.request("tools/list", json!({}));
        list["tools"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| t["name"].as_str().unwrap().to_owned())
            .collect()
    }

    fn call(&mut self, name: &str, arguments: Value) -> Value {
        self.request("tools/call", json!({"name": name, "arguments": arguments}))
    }
}

impl Drop for Serve {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// `admin policy ...` as the real binary on the test app's database; exit code 0 expected.
fn admin_policy(t: &TestApp, args: &[&str]) -> Value {
    let mut all = vec!["admin", "policy"];
    all.extend_from_slice(args);
    all.push("--json");
    let key = std::env::var(KEY_ENV).ok();
    let run = run_bin(&t.app.settings.db_path, key.as_deref(), &all, "");
    assert_eq!(run.code, 0, "{all:?}: {}", run.stderr);
    serde_json::from_str(&run.stdout).unwrap()
}

fn first_account_update(id: &str) -> Value {
    json!({"operation": "update", "object": "Account", "record_id": id, "fields": {"Phone": "+1 555 0199"}})
}

async fn stored_changes(t: &TestApp) -> usize {
    let user = t.user_id;
    t.app
        .store
        .call(move |c| changes::list(c, user, None, 200))
        .await
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn read_only_hides_and_refuses_the_change_tools_at_once_while_reads_work() {
    let t = spawn_app().await;
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    let mut serve = Serve::start(&t, &[], &[]);
    let names = serve.tool_names();
    assert!(CHANGE_TOOLS.iter().all(|n| names.iter().any(|x| x == n)));

    // An admin switches changes off from another process while the server runs.
    let shown = admin_policy(&t, &["set", "--read-only", "on"]);
    assert_eq!(shown["read_only"]["value"], "on");
    let names = serve.tool_names();
    for hidden in CHANGE_TOOLS {
        assert!(!names.iter().any(|n| n == hidden), "{hidden} is listed");
    }
    assert!(names.iter().any(|n| n == "query_records"));
    assert!(names.iter().any(|n| n == "list_changes"));
    let refused = serve.call("prepare_change", first_account_update(&id));
    assert_eq!(refused["isError"], true);
    let text = refused["content"][0]["text"].as_str().unwrap();
    assert!(
        text.contains("read-only") && text.contains("admin policy set --read-only off"),
        "{text}"
    );
    assert_eq!(stored_changes(&t).await, 0, "nothing stored");
    let writes = t.requests_where(|r| r.method != "GET" && r.path.starts_with("/services/data"));
    assert!(writes.is_empty(), "nothing sent: {writes:?}");
    let query = serve.call(
        "query_records",
        json!({"soql": "SELECT Id FROM Account LIMIT 2"}),
    );
    assert_eq!(query["structuredContent"]["returned"], 2, "{query}");

    // The session is told that its tool list changed.
    tokio::time::sleep(Duration::from_secs(3)).await;
    serve.call("list_changes", json!({}));
    assert!(
        serve
            .notifications
            .iter()
            .any(|m| m == "notifications/tools/list_changed"),
        "{:?}",
        serve.notifications
    );

    // Back on, and client-consent stored: confirm_change itself approves, without a restart.
    admin_policy(
        &t,
        &["set", "--read-only", "off", "--approval", "client-consent"],
    );
    assert!(serve.tool_names().iter().any(|n| n == "confirm_change"));
    let prepared = serve.call("prepare_change", first_account_update(&id));
    let change_id = prepared["structuredContent"]["change_id"]
        .as_str()
        .unwrap()
        .to_owned();
    let done = serve.call("confirm_change", json!({"change_id": change_id}));
    assert_eq!(done["structuredContent"]["status"], "succeeded", "{done}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serve_read_only_wins_over_the_stored_policy() {
    let t = spawn_app().await;
    admin_policy(&t, &["set", "--read-only", "off"]);
    for (flags, env) in [
        (&["--read-only"][..], &[][..]),
        (&[][..], &[("SALESFORCE_MCP_READ_ONLY", "1")][..]),
    ] {
        let mut serve = Serve::start(&t, flags, env);
        let names = serve.tool_names();
        assert!(
            !names.iter().any(|n| n == "prepare_change"),
            "{flags:?} {env:?}"
        );
        let refused = serve.call("prepare_undo", json!({"change_id": "0".repeat(32)}));
        assert_eq!(refused["isError"], true);
    }
}

#[tokio::test]
async fn a_pending_change_cannot_be_approved_while_read_only_but_can_be_rejected() {
    let t = spawn_app().await;
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    let args: PrepareArgs = serde_json::from_value(first_account_update(&id)).unwrap();
    let view = t.app.changes.prepare(t.user_id, args).await.unwrap();
    let on = PolicyInput {
        read_only: Some("on".into()),
        ..PolicyInput::default()
    };
    admin::policy_set(&t.app, on, &console_actor("amy@example.com")).unwrap();
    for via in [Via::Web, Via::CommandLine, Via::Elicitation] {
        let err = t
            .app
            .changes
            .approve(t.user_id, &view.change_id, via)
            .await
            .unwrap_err();
        assert!(matches!(err, ChangeError::ReadOnly), "{err}");
    }
    let key = std::env::var(KEY_ENV).ok();
    let args = [
        "changes",
        "approve",
        &view.change_id,
        "--user",
        "alice@example.com",
    ];
    let run = run_bin(&t.app.settings.db_path, key.as_deref(), &args, "");
    assert_eq!(run.code, 1);
    assert!(
        run.stderr.contains("This server is read-only"),
        "{}",
        run.stderr
    );
    let still = t
        .app
        .changes
        .show(t.user_id, &view.change_id)
        .await
        .unwrap();
    assert_eq!(still.status, "pending");
    assert!(t.requests_where(|r| r.method == "PATCH").is_empty());
    let rejected = t
        .app
        .changes
        .reject(t.user_id, &view.change_id, Via::Web)
        .await
        .unwrap();
    assert_eq!(rejected.status, "rejected");
}

#[tokio::test]
async fn the_stored_change_lifetime_applies_to_the_next_prepared_change() {
    let t = spawn_app().await;
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    admin_policy(&t, &["set", "--change-ttl", "90s"]);
    let args: PrepareArgs = serde_json::from_value(first_account_update(&id)).unwrap();
    let view = t.app.changes.prepare(t.user_id, args).await.unwrap();
    let expires = chrono::DateTime::parse_from_rfc3339(&view.expires_at).unwrap();
    let left = expires.with_timezone(&chrono::Utc) - chrono::Utc::now();
    assert!((80..=90).contains(&left.num_seconds()), "expires in {left}");
}

#[tokio::test]
async fn the_command_line_and_the_admin_functions_make_the_same_state_and_audit_rows() {
    let t = spawn_app().await;
    let by_cli = admin_policy(
        &t,
        &["set", "--approval", "client-consent", "--change-ttl", "5m"],
    );
    let shown = serde_json::to_value(admin::policy_show(&t.app).unwrap()).unwrap();
    assert_eq!(by_cli, shown);
    assert_eq!(shown["approval"]["source"], "console/admin command");
    assert_eq!(shown["change_ttl"]["value"], "5m");
    assert_eq!(shown["read_only"]["source"], "default");

    let actor = console_actor("amy@example.com");
    let input = PolicyInput {
        approval: Some("elicitation".into()),
        read_only: Some("on".into()),
        ..PolicyInput::default()
    };
    let by_console =
        serde_json::to_value(admin::policy_set(&t.app, input, &actor).unwrap()).unwrap();
    assert_eq!(by_console, admin_policy(&t, &["show"]));
    assert_eq!(by_console["read_only"]["updated_by"], actor.as_str());

    let rows = t.app.store.call(|c| audit::recent(c, 50)).await.unwrap();
    let policy_rows: Vec<_> = rows
        .iter()
        .filter(|r| r.action == "policy.set")
        .map(|r| {
            let detail: Value = serde_json::from_str(r.detail.as_deref().unwrap()).unwrap();
            (r.actor.clone(), r.subject.clone().unwrap(), detail)
        })
        .collect();
    let expect = |actor: &str, policy: &str, value: &str, previous: Value| {
        (
            actor.to_owned(),
            policy.to_owned(),
            json!({"policy": policy, "value": value, "previous": previous}),
        )
    };
    for row in [
        expect("cli", "approval", "client-consent", Value::Null),
        expect("cli", "change_ttl", "5m", Value::Null),
        expect(&actor, "approval", "elicitation", json!("client-consent")),
        expect(&actor, "read_only", "on", Value::Null),
    ] {
        assert!(policy_rows.contains(&row), "{row:?} in {policy_rows:?}");
    }
    assert_eq!(policy_rows.len(), 4);
}

#[tokio::test]
async fn a_value_given_at_start_wins_and_the_console_cannot_change_it() {
    let mut t = spawn_app().await;
    admin_policy(&t, &["set", "--read-only", "on", "--change-ttl", "5m"]);
    let mut settings = (*t.app.settings).clone();
    settings.read_only = false;
    settings.given.read_only = Some(Origin::CommandLine);
    settings.change_ttl = Duration::from_secs(60);
    settings.given.change_ttl = Some(Origin::ConfigFile);
    t.app = salesforce_mcp::app::App::build(settings).unwrap();

    let shown = admin::policy_show(&t.app).unwrap();
    assert_eq!(
        (shown.read_only.value.as_str(), shown.read_only.source),
        ("off", Source::CommandLine)
    );
    assert!(shown.read_only.locked);
    assert_eq!(shown.read_only.stored.as_deref(), Some("on"));
    assert_eq!(
        (shown.change_ttl.value.as_str(), shown.change_ttl.source),
        ("1m", Source::ConfigFile)
    );
    assert!(!t.app.changes.policies().await.unwrap().read_only.value);

    let actor = console_actor("amy@example.com");
    for (input, names) in [
        (
            PolicyInput {
                read_only: Some("on".into()),
                ..PolicyInput::default()
            },
            "--read-only",
        ),
        (
            PolicyInput {
                approval: Some("client-consent".into()),
                change_ttl: Some("10m".into()),
                ..PolicyInput::default()
            },
            "change_ttl in the config file",
        ),
    ] {
        let err = admin::policy_set(&t.app, input, &actor).unwrap_err();
        assert!(matches!(err, AdminError::Conflict(_)), "{err}");
        assert!(
            err.to_string().contains(&format!("remove {names}")),
            "{err}"
        );
    }
    let after = admin::policy_show(&t.app).unwrap();
    assert_eq!(after.approval.source, Source::Default, "nothing stored");

    // The command line sees the environment a server started from the same shell would.
    let key = std::env::var(KEY_ENV).ok();
    let mut cmd_env = Command::new(env!("CARGO_BIN_EXE_salesforce-mcp"));
    cmd_env
        .arg("--db")
        .arg(&t.app.settings.db_path)
        .args(["admin", "policy", "set", "--approval", "client-consent"])
        .env("SALESFORCE_MCP_APPROVAL", "elicitation");
    match &key {
        Some(k) => cmd_env.env(KEY_ENV, k),
        None => cmd_env.env_remove(KEY_ENV),
    };
    let out = cmd_env.output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("remove SALESFORCE_MCP_APPROVAL"),
        "{stderr}"
    );
}

#[tokio::test]
async fn bad_policy_values_name_the_fix_and_store_nothing() {
    let t = spawn_app().await;
    let actor = console_actor("amy@example.com");
    let cases = [
        (
            PolicyInput {
                approval: Some("maybe".into()),
                ..PolicyInput::default()
            },
            "use elicitation or client-consent",
        ),
        (
            PolicyInput {
                change_ttl: Some("soon".into()),
                ..PolicyInput::default()
            },
            "90s, 15m",
        ),
        (
            PolicyInput {
                change_ttl: Some("2s".into()),
                ..PolicyInput::default()
            },
            "outside 10s to 24h",
        ),
        (
            PolicyInput {
                approval: Some("client-consent".into()),
                read_only: Some("maybe".into()),
                ..PolicyInput::default()
            },
            "use on or off",
        ),
        (
            PolicyInput::default(),
            "give --approval, --change-ttl or --read-only",
        ),
    ];
    for (input, fix) in cases {
        let err = admin::policy_set(&t.app, input, &actor).unwrap_err();
        assert!(matches!(err, AdminError::Invalid(_)), "{err}");
        assert!(err.to_string().contains(fix), "{err}");
    }
    let shown = admin::policy_show(&t.app).unwrap();
    for p in [&shown.approval, &shown.change_ttl, &shown.read_only] {
        assert_eq!(p.source, Source::Default);
    }
    let key = std::env::var(KEY_ENV).ok();
    let run = run_bin(
        &t.app.settings.db_path,
        key.as_deref(),
        &["admin", "policy", "set", "--read-only", "sometimes"],
        "",
    );
    assert_eq!(run.code, 1);
    assert!(run.stderr.contains("use on or off"), "{}", run.stderr);
}

#[tokio::test]
async fn the_approval_page_says_the_server_is_read_only_and_writes_nothing() {
    use salesforce_mcp::http::limits::LimitSettings;
    use salesforce_mcp::http::{Access, HttpConfig, HttpState, PublicUrl};

    let t = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let config = HttpConfig {
        public_url: PublicUrl::parse(&base).unwrap(),
        access: Access::Tokens,
        limits: LimitSettings::default(),
        oauth: true,
    };
    let router = salesforce_mcp::http::app(HttpState::new(t.app.clone(), config));
    tokio::spawn(salesforce_mcp::http::serve(listener, router));
    let host = base.trim_start_matches("http://").to_owned();
    let id = t
        .first_id("SELECT Id FROM Account ORDER BY Name LIMIT 1")
        .await;
    let args: PrepareArgs = serde_json::from_value(first_account_update(&id)).unwrap();
    let change = t
        .app
        .changes
        .prepare(t.user_id, args)
        .await
        .unwrap()
        .change_id;
    let cookie = crate::http_web::sign_in_with_salesforce(&base, &host).await;
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .build()
        .unwrap();
    let html = browser
        .get(format!("{base}/changes/{change}"))
        .header("cookie", &cookie)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let start = html.find("name=\"csrf\" value=\"").unwrap() + 19;
    let csrf = html[start..].split('"').next().unwrap().to_owned();

    admin_policy(&t, &["set", "--read-only", "on"]);
    let refused = browser
        .post(format!("{base}/changes/{change}/approve"))
        .header("cookie", &cookie)
        .form(&[("csrf", csrf.as_str())])
        .send()
        .await
        .unwrap();
    assert_eq!(refused.status(), 400);
    let page = refused.text().await.unwrap();
    assert!(page.contains("This server is read-only"), "{page}");
    assert!(t.requests_where(|r| r.method == "PATCH").is_empty());
    let still = t.app.changes.show(t.user_id, &change).await.unwrap();
    assert_eq!(still.status, "pending");
}
