//! The terminal commands, run as a person would: `admin org set`, `connect`, `status`, `disconnect`.

use std::io::{BufRead as _, BufReader, Write as _};
use std::process::{Command, Stdio};

use salesforce_mcp::simulated_org::{DEFAULT_CLIENT_ID, SimOrgConfig, SimulatedOrg};

const KEY: &str = "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=";

pub(crate) fn command(db: &std::path::Path) -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_salesforce-mcp"));
    c.arg("--db")
        .arg(db)
        .env("SALESFORCE_MCP_SECRET_KEY", KEY)
        .env("SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK", "1")
        .env_remove("SALESFORCE_MCP_USER");
    c
}

pub(crate) async fn configured(org: &SimulatedOrg, db: &std::path::Path) {
    let set = command(db)
        .args([
            "admin",
            "org",
            "set",
            "--client-id",
            DEFAULT_CLIENT_ID,
            "--auth-base-url",
            &org.base_url(),
            "--no-client-secret",
        ])
        .output()
        .unwrap();
    assert!(
        set.status.success(),
        "{}",
        String::from_utf8_lossy(&set.stderr)
    );
}

/// Starts `connect` (for `user`, or the single local person); returns it, its output and the
/// authorize URL it printed.
fn start_connect(
    db: &std::path::Path,
    user: Option<&str>,
) -> (
    std::process::Child,
    BufReader<std::process::ChildStdout>,
    String,
) {
    let mut connect = command(db);
    connect.args(["connect", "--no-browser", "--callback-port", "0"]);
    if let Some(user) = user {
        connect.args(["--user", user]);
    }
    let mut child = connect
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut out = BufReader::new(child.stdout.take().unwrap());
    let mut url = String::new();
    while !url.starts_with("http") {
        url.clear();
        out.read_line(&mut url).unwrap();
    }
    (child, out, url)
}

/// Runs `connect`, plays the browser, and returns what `connect` printed after the URL.
async fn connect_from_terminal(db: &std::path::Path) -> String {
    connect_person(db, None).await
}

/// Runs `connect` for `user` (or the single local person), plays the browser, and returns what
/// `connect` printed after the URL.
pub(crate) async fn connect_person(db: &std::path::Path, user: Option<&str>) -> String {
    let (mut child, mut out, url) = start_connect(db, user);
    assert!(
        url.contains("code_challenge_method=S256")
            && url.contains("redirect_uri=http%3A%2F%2Flocalhost%3A"),
        "{url}"
    );
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    let authorize = browser.get(url.trim()).send().await.unwrap();
    let location = authorize.headers()["location"]
        .to_str()
        .unwrap()
        .replace("http://localhost:", "http://127.0.0.1:");
    let page = browser
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(
        page.contains("Connected as alex.morgan@example.com"),
        "{page}"
    );
    let mut rest = String::new();
    std::io::Read::read_to_string(&mut out, &mut rest).unwrap();
    assert!(child.wait().unwrap().success());
    rest
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_status_and_disconnect_from_a_terminal() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    configured(&org, &db).await;
    let printed = connect_from_terminal(&db).await;
    assert!(
        printed.contains(&format!(
            "Connected as alex.morgan@example.com (org {})",
            org.org_id()
        )),
        "{printed}"
    );

    let status = command(&db).args(["status", "--json"]).output().unwrap();
    let json: serde_json::Value = serde_json::from_slice(&status.stdout).unwrap();
    assert_eq!(json["connection"]["connected"], true);
    assert_eq!(json["connection"]["username"], "alex.morgan@example.com");
    assert!(
        !String::from_utf8_lossy(&status.stdout).contains("!AQ"),
        "no token in status output"
    );

    let gone = command(&db).arg("disconnect").output().unwrap();
    assert!(gone.status.success());
    assert!(String::from_utf8_lossy(&gone.stdout).contains("revoked"));
    assert_eq!(
        org.requests()
            .iter()
            .filter(|r| r.path == "/services/oauth2/revoke")
            .count(),
        1
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_running_serve_sees_a_connection_made_by_another_process() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    configured(&org, &db).await;
    let mut serve = command(&db)
        .arg("serve")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let mut input = serve.stdin.take().unwrap();
    let mut output = BufReader::new(serve.stdout.take().unwrap());
    let mut call = |id: u32, body: &str| {
        writeln!(input, "{body}").unwrap();
        loop {
            let mut line = String::new();
            output.read_line(&mut line).unwrap();
            if line.contains(&format!("\"id\":{id}")) {
                return line;
            }
        }
    };
    call(
        1,
        r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}"#,
    );
    let status = |c: &mut dyn FnMut(u32, &str) -> String, id: u32| {
        c(
            id,
            &format!(
                r#"{{"jsonrpc":"2.0","id":{id},"method":"tools/call","params":{{"name":"connection_status","arguments":{{}}}}}}"#
            ),
        )
    };
    let before = status(&mut call, 2);
    assert!(
        before.contains("salesforce-mcp connect") && before.contains("\"connected\":false"),
        "{before}"
    );
    connect_from_terminal(&db).await;
    let after = status(&mut call, 3);
    assert!(
        after.contains("\"connected\":true") && after.contains("alex.morgan@example.com"),
        "{after}"
    );
    let query = call(
        4,
        r#"{"jsonrpc":"2.0","id":4,"method":"tools/call","params":{"name":"query_records","arguments":{"soql":"SELECT Id FROM Account LIMIT 2"}}}"#,
    );
    assert!(query.contains("\"returned\":2"), "{query}");
    command(&db).arg("disconnect").output().unwrap();
    let last = status(&mut call, 5);
    assert!(last.contains("\"connected\":false"), "{last}");
    drop(input);
    serve.wait().unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn connect_ignores_a_callback_that_is_not_its_own() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("cli.db");
    configured(&org, &db).await;
    let (mut child, _out, url) = start_connect(&db, None);
    let port = url::Url::parse(url.trim())
        .unwrap()
        .query_pairs()
        .find(|(k, _)| k == "redirect_uri")
        .map(|(_, v)| url::Url::parse(&v).unwrap().port().unwrap())
        .unwrap();
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap();
    // Another local program calls the callback, with an error or a code of its own.
    for query in [
        "error=access_denied&error_description=Your+account+is+locked",
        "code=aPrx.forged&state=not-the-state",
        "error=access_denied",
    ] {
        let stray = browser
            .get(format!(
                "http://127.0.0.1:{port}/api/integrations/callback/salesforce?{query}"
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(stray.status(), 400);
        let page = stray.text().await.unwrap();
        assert!(
            page.contains("ignored") && !page.contains("locked"),
            "{page}"
        );
    }
    assert!(
        child.try_wait().unwrap().is_none(),
        "connect is still waiting"
    );
    // The real answer still completes the connection.
    let authorize = browser.get(url.trim()).send().await.unwrap();
    let location = authorize.headers()["location"]
        .to_str()
        .unwrap()
        .replace("http://localhost:", "http://127.0.0.1:");
    let page = browser
        .get(&location)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(page.contains("Connected as"), "{page}");
    assert!(child.wait().unwrap().success());
}
