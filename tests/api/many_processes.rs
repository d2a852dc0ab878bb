//! Many real processes on one SQLite file at once, as a team runs it: people connecting from their
//! terminals, admins adding people and tokens, changes approved and rejected, and a running
//! `serve` doing reads and confirms. None may fail with "database is locked", and no write is lost.

use std::process::Stdio;

use salesforce_mcp::simulated_org::{SimOrgConfig, SimulatedOrg};
use tokio::io::{AsyncBufReadExt as _, AsyncReadExt as _, AsyncWriteExt as _, BufReader};

use crate::cli::{command, configured};

/// A finished process: what it printed, or why it failed.
type Outcome = Result<String, String>;

fn tokio_command(db: &std::path::Path) -> tokio::process::Command {
    let mut c = tokio::process::Command::from(command(db));
    c.kill_on_drop(true);
    c
}

/// Runs a command to its end; a non-zero exit is a failure carrying its stderr.
async fn run(mut c: tokio::process::Command, what: String) -> Outcome {
    let out = c
        .stdin(Stdio::null())
        .output()
        .await
        .map_err(|e| format!("{what}: {e}"))?;
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    if out.status.success() {
        Ok(stdout)
    } else {
        Err(format!(
            "{what}: {}\n{stdout}{}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// `connect --user EMAIL` with the test playing the browser.
async fn connect(db: std::path::PathBuf, email: String) -> Outcome {
    let what = format!("connect --user {email}");
    let mut child = tokio_command(&db)
        .args(["connect", "--no-browser", "--callback-port", "0", "--user"])
        .arg(&email)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("{what}: {e}"))?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut stderr = child.stderr.take().ok_or("no stderr")?;
    let mut url = String::new();
    while !url.starts_with("http") {
        url.clear();
        if stdout.read_line(&mut url).await.unwrap_or(0) == 0 {
            let mut err = String::new();
            let _ = stderr.read_to_string(&mut err).await;
            return Err(format!("{what}: ended before printing a URL: {err}"));
        }
    }
    let browser = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .map_err(|e| e.to_string())?;
    let authorize = browser
        .get(url.trim())
        .send()
        .await
        .map_err(|e| e.to_string())?;
    let location = authorize
        .headers()
        .get("location")
        .and_then(|l| l.to_str().ok())
        .ok_or(format!("{what}: authorize did not redirect"))?
        .replace("http://localhost:", "http://127.0.0.1:");
    let page = browser
        .get(&location)
        .send()
        .await
        .map_err(|e| e.to_string())?
        .text()
        .await
        .map_err(|e| e.to_string())?;
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest).await;
    let mut err = String::new();
    let _ = stderr.read_to_string(&mut err).await;
    let status = child.wait().await.map_err(|e| e.to_string())?;
    if status.success() && rest.contains("Connected as") {
        Ok(rest)
    } else {
        Err(format!("{what}: {status}: page {page:?}\n{rest}{err}"))
    }
}

/// A `serve` over stdio, driven line by line.
struct Serve {
    child: tokio::process::Child,
    input: tokio::process::ChildStdin,
    output: BufReader<tokio::process::ChildStdout>,
    next_id: u64,
}

impl Serve {
    async fn start(db: &std::path::Path, email: &str) -> Self {
        let mut child = tokio_command(db)
            .args(["serve", "--approval", "client-consent", "--user", email])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let input = child.stdin.take().unwrap();
        let output = BufReader::new(child.stdout.take().unwrap());
        let mut serve = Self {
            child,
            input,
            output,
            next_id: 1,
        };
        serve
            .request(
                "initialize",
                serde_json::json!({"protocolVersion": "2025-06-18", "capabilities": {},
                    "clientInfo": {"name": "many-processes", "version": "1"}}),
            )
            .await;
        serve
            .input
            .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
            .await
            .unwrap();
        serve
    }

    async fn request(&mut self, method: &str, params: serde_json::Value) -> serde_json::Value {
        let id = self.next_id;
        self.next_id += 1;
        let line =
            serde_json::json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params});
        self.input
            .write_all(format!("{line}\n").as_bytes())
            .await
            .unwrap();
        loop {
            let mut text = String::new();
            assert!(
                self.output.read_line(&mut text).await.unwrap() > 0,
                "serve ended"
            );
            let message: serde_json::Value = serde_json::from_str(&text).unwrap();
            if message["id"] == id {
                return message["result"].clone();
            }
        }
    }

    /// A tool's structured content; a tool error fails the test with its text.
    async fn tool(&mut self, name: &str, arguments: serde_json::Value) -> serde_json::Value {
        let result = self
            .request(
                "tools/call",
                serde_json::json!({"name": name, "arguments": arguments}),
            )
            .await;
        assert_ne!(result["isError"], true, "{name}: {result}");
        result["structuredContent"].clone()
    }

    async fn prepare_phone(&mut self, account: &str, phone: &str) -> String {
        let prepared = self
            .tool(
                "prepare_change",
                serde_json::json!({"operation": "update", "object": "Account",
                    "record_id": account, "fields": {"Phone": phone}}),
            )
            .await;
        prepared["change_id"].as_str().unwrap().to_owned()
    }
}

/// Approves a change from a terminal: `script` gives the command a pseudo-terminal, which is its
/// controlling terminal, and the answer is typed into it.
fn approve_at_a_terminal(db: &std::path::Path, change_id: &str) -> tokio::process::Command {
    let inner = command(db);
    let mut line = shell_quote(inner.get_program().to_string_lossy().as_ref());
    for arg in inner.get_args() {
        line.push(' ');
        line.push_str(&shell_quote(&arg.to_string_lossy()));
    }
    line.push_str(&format!(
        " changes approve {change_id} --user alice@example.com"
    ));
    let mut c = tokio::process::Command::new("script");
    c.args(["-qec", &line, "/dev/null"]);
    for (key, value) in inner.get_envs() {
        match value {
            Some(v) => c.env(key, v),
            None => c.env_remove(key),
        };
    }
    c.kill_on_drop(true);
    c
}

fn shell_quote(s: &str) -> String {
    format!("'{}'", s.replace('\'', r"'\''"))
}

async fn approve(db: std::path::PathBuf, change_id: String) -> Outcome {
    let mut c = approve_at_a_terminal(&db, &change_id);
    let mut child = c
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| format!("approve {change_id}: {e}"))?;
    let mut stdin = child.stdin.take().ok_or("no stdin")?;
    let mut stdout = BufReader::new(child.stdout.take().ok_or("no stdout")?);
    let mut seen = String::new();
    // Answer once the question is on the terminal.
    let mut chunk = [0u8; 4096];
    while !seen.contains("[y/N]") {
        let n = stdout.read(&mut chunk).await.unwrap_or(0);
        if n == 0 {
            break;
        }
        seen.push_str(&String::from_utf8_lossy(&chunk[..n]));
    }
    let _ = stdin.write_all(b"y\n").await;
    let mut rest = String::new();
    let _ = stdout.read_to_string(&mut rest).await;
    let status = child.wait().await.map_err(|e| e.to_string())?;
    seen.push_str(&rest);
    if status.success() {
        Ok(seen)
    } else {
        Err(format!("approve {change_id}: {status}\n{seen}"))
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn many_processes_share_one_database_without_failures_or_lost_writes() {
    const ROUNDS: usize = 3;
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("team.db");
    configured(&org, &db).await;
    connect(db.clone(), "alice@example.com".into())
        .await
        .unwrap();
    let mut serve = Serve::start(&db, "alice@example.com").await;
    let accounts = serve
        .tool(
            "query_records",
            serde_json::json!({"soql": "SELECT Id FROM Account ORDER BY Name LIMIT 8"}),
        )
        .await;
    let account_ids: Vec<String> = accounts["records"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["Id"].as_str().unwrap().to_owned())
        .collect();

    let mut failures = Vec::new();
    let mut approved = Vec::new();
    let mut rejected = Vec::new();
    let mut confirmed = 0usize;
    for round in 0..ROUNDS {
        // Changes for the terminal processes to decide, prepared by the running serve.
        let to_approve = [
            serve
                .prepare_phone(&account_ids[0], &format!("+1 555 0{round}01"))
                .await,
            serve
                .prepare_phone(&account_ids[1], &format!("+1 555 0{round}02"))
                .await,
        ];
        let to_reject = [
            serve.prepare_phone(&account_ids[2], "+1 555 0999").await,
            serve.prepare_phone(&account_ids[3], "+1 555 0998").await,
        ];
        let mut tasks: tokio::task::JoinSet<Outcome> = tokio::task::JoinSet::new();
        for n in 0..6 {
            tasks.spawn(connect(
                db.clone(),
                format!("person{round}-{n}@example.com"),
            ));
        }
        for n in 0..4 {
            let mut c = tokio_command(&db);
            c.args([
                "admin",
                "user",
                "add",
                &format!("added{round}-{n}@example.com"),
            ]);
            tasks.spawn(run(c, format!("admin user add added{round}-{n}")));
        }
        for n in 0..4 {
            let mut c = tokio_command(&db);
            c.args(["admin", "token", "create", "--json", "alice@example.com"]);
            tasks.spawn(run(c, format!("admin token create ({round}-{n})")));
        }
        for id in &to_approve {
            tasks.spawn(approve(db.clone(), id.clone()));
        }
        for id in &to_reject {
            let mut c = tokio_command(&db);
            c.args(["changes", "reject", id, "--user", "alice@example.com"]);
            tasks.spawn(run(c, format!("changes reject {id}")));
        }
        // Meanwhile the running serve reads and confirms.
        for n in 0..4 {
            serve
                .tool(
                    "query_records",
                    serde_json::json!({"soql": "SELECT Id, Name FROM Account", "max_rows": 2}),
                )
                .await;
            let id = serve
                .prepare_phone(&account_ids[4 + n], &format!("+1 555 1{round}{n}0"))
                .await;
            let done = serve
                .tool("confirm_change", serde_json::json!({"change_id": id}))
                .await;
            assert_eq!(done["status"], "succeeded", "{done}");
            confirmed += 1;
        }
        while let Some(joined) = tasks.join_next().await {
            if let Err(e) = joined.unwrap() {
                failures.push(e);
            }
        }
        approved.extend(to_approve);
        rejected.extend(to_reject);
    }
    assert!(
        failures.is_empty(),
        "{} failed:\n{}",
        failures.len(),
        failures.join("\n---\n")
    );

    // No lost writes: every person, connection, token and decision is there.
    let users = run(
        {
            let mut c = tokio_command(&db);
            c.args(["admin", "user", "list", "--json"]);
            c
        },
        "user list".into(),
    )
    .await
    .unwrap();
    let users: serde_json::Value = serde_json::from_str(&users).unwrap();
    let users = users.as_array().unwrap();
    for round in 0..ROUNDS {
        for n in 0..6 {
            let email = format!("person{round}-{n}@example.com");
            let status = run(
                {
                    let mut c = tokio_command(&db);
                    c.args(["status", "--json", "--user", &email]);
                    c
                },
                format!("status {email}"),
            )
            .await
            .unwrap();
            let status: serde_json::Value = serde_json::from_str(&status).unwrap();
            assert_eq!(status["connection"]["connected"], true, "{email}: {status}");
        }
        for n in 0..4 {
            let email = format!("added{round}-{n}@example.com");
            assert!(
                users.iter().any(|u| u["email"] == email),
                "{email} missing from {users:?}"
            );
        }
    }
    let tokens = run(
        {
            let mut c = tokio_command(&db);
            c.args(["admin", "token", "list", "--json"]);
            c
        },
        "token list".into(),
    )
    .await
    .unwrap();
    let tokens: serde_json::Value = serde_json::from_str(&tokens).unwrap();
    assert_eq!(tokens.as_array().unwrap().len(), ROUNDS * 4, "{tokens}");
    let changes = serve.tool("list_changes", serde_json::json!({})).await;
    let status_of = |id: &String| {
        changes["changes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|c| &c["change_id"] == id)
            .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
    };
    for id in &approved {
        assert_eq!(status_of(id).as_deref(), Some("succeeded"), "{id}");
    }
    for id in &rejected {
        assert_eq!(status_of(id).as_deref(), Some("rejected"), "{id}");
    }
    let writes = org
        .requests()
        .iter()
        .filter(|r| r.method == "PATCH")
        .count();
    assert_eq!(writes, approved.len() + confirmed);
    drop(serve.input);
    let _ = serve.child.wait().await;
}
