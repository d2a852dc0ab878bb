//! Benchmarks: server overhead per tool call against the in-process simulated org.
//!
//! Runs the MCP handler over an in-memory stdio pipe (JSON-RPC lines, as a desktop client sends
//! them) and compares each tool call with the same Salesforce request made directly, so the
//! difference is the server's own overhead. Run with `cargo bench --bench overhead`.

#![allow(
    clippy::expect_used,
    clippy::unwrap_used,
    reason = "a benchmark that cannot set up should stop loudly"
)]

use std::time::{Duration, Instant};

use rmcp::ServiceExt as _;
use salesforce_mcp::app::App;
use salesforce_mcp::config::Settings;
use salesforce_mcp::mcp::{Mode, SalesforceMcp};
use salesforce_mcp::simulated_org::{SimOrgConfig, SimulatedOrg};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

const ROUNDS: usize = 400;

struct Client {
    writer: tokio::io::WriteHalf<tokio::io::DuplexStream>,
    reader: BufReader<tokio::io::ReadHalf<tokio::io::DuplexStream>>,
    next_id: u64,
}

impl Client {
    async fn send(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let line = json!({"jsonrpc": "2.0", "id": self.next_id, "method": method, "params": params})
            .to_string() + "\n";
        self.writer.write_all(line.as_bytes()).await.unwrap();
        let mut out = String::new();
        loop {
            out.clear();
            self.reader.read_line(&mut out).await.unwrap();
            let v: Value = serde_json::from_str(&out).unwrap();
            if v["id"] == json!(self.next_id) {
                return v;
            }
        }
    }
}

fn median(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() / 2]
}

fn p99(mut samples: Vec<Duration>) -> Duration {
    samples.sort();
    samples[samples.len() * 99 / 100]
}

async fn time_it<F, Fut>(mut f: F) -> Vec<Duration>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for _ in 0..20 {
        f().await;
    }
    let mut samples = Vec::with_capacity(ROUNDS);
    for _ in 0..ROUNDS {
        let start = Instant::now();
        f().await;
        samples.push(start.elapsed());
    }
    samples
}

#[tokio::main(flavor = "multi_thread", worker_threads = 2)]
async fn main() {
    let org = SimulatedOrg::start(SimOrgConfig::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let mut settings = Settings::for_db(dir.path().join("bench.db"));
    settings.allow_insecure_loopback = true;
    let app = App::build(settings).unwrap();
    let user = app.local_user(None).unwrap();
    salesforce_mcp::demo::configure_org_app(&app, &org).unwrap();
    salesforce_mcp::demo::connect_through_oauth(&app, user.id)
        .await
        .unwrap();

    let (ours, theirs) = tokio::io::duplex(1 << 20);
    let server = SalesforceMcp::new(
        app.reads.clone(),
        app.changes.clone(),
        Mode::Stdio {
            user_id: user.id,
            cli_args: String::new(),
        },
    );
    tokio::spawn(async move {
        let running = server.serve(theirs).await.unwrap();
        let _ = running.waiting().await;
    });
    let (r, w) = tokio::io::split(ours);
    let mut client = Client {
        writer: w,
        reader: BufReader::new(r),
        next_id: 0,
    };
    client
        .send("initialize", json!({"protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "bench", "version": "1"}}))
        .await;
    client
        .writer
        .write_all(b"{\"jsonrpc\":\"2.0\",\"method\":\"notifications/initialized\"}\n")
        .await
        .unwrap();

    let soql = "SELECT Id, Name, Industry FROM Account ORDER BY Name LIMIT 20";
    let first = client
        .send(
            "tools/call",
            json!({"name": "query_records", "arguments": {"soql": soql}}),
        )
        .await;
    let id = first["result"]["structuredContent"]["records"][0]["Id"]
        .as_str()
        .unwrap()
        .to_owned();

    // Direct calls: the same Salesforce requests, without the server.
    let token = {
        let live = app.connections.session(user.id).await.unwrap();
        live.session
    };
    let api = app.reads.api().clone();
    let direct_query = time_it(|| async {
        api.query(&token, soql).await.unwrap();
    })
    .await;
    let direct_get = time_it(|| async {
        api.get_record(&token, "Account", &id, Some("Name,Industry"))
            .await
            .unwrap();
    })
    .await;

    let mut tool_query = Vec::new();
    let mut tool_get = Vec::new();
    let mut tool_describe = Vec::new();
    for _ in 0..20 {
        client
            .send(
                "tools/call",
                json!({"name": "query_records", "arguments": {"soql": soql}}),
            )
            .await;
    }
    for _ in 0..ROUNDS {
        let s = Instant::now();
        let r = client
            .send(
                "tools/call",
                json!({"name": "query_records", "arguments": {"soql": soql}}),
            )
            .await;
        tool_query.push(s.elapsed());
        assert_eq!(r["result"]["isError"], json!(false));
        let s = Instant::now();
        let r = client.send("tools/call", json!({"name": "get_record", "arguments": {"object": "Account", "id": id, "fields": ["Name", "Industry"]}})).await;
        tool_get.push(s.elapsed());
        assert_eq!(r["result"]["isError"], json!(false));
    }
    let before = org.requests().len();
    for _ in 0..ROUNDS {
        let s = Instant::now();
        client
            .send(
                "tools/call",
                json!({"name": "describe_object", "arguments": {"object": "Account"}}),
            )
            .await;
        tool_describe.push(s.elapsed());
    }
    let describe_calls = org.requests().len() - before;

    let report = |name: &str, tool: &[Duration], direct: &[Duration]| {
        let (mt, md) = (median(tool.to_vec()), median(direct.to_vec()));
        println!(
            "{name:<14} tool median {:>8.3} ms  p99 {:>8.3} ms | direct Salesforce call median {:>8.3} ms | server overhead (median difference) {:>7.3} ms",
            mt.as_secs_f64() * 1e3,
            p99(tool.to_vec()).as_secs_f64() * 1e3,
            md.as_secs_f64() * 1e3,
            (mt.as_secs_f64() - md.as_secs_f64()) * 1e3
        );
    };
    println!(
        "salesforce-mcp overhead benchmark ({ROUNDS} calls each, simulated org in process, no added latency)"
    );
    report("query_records", &tool_query, &direct_query);
    report("get_record", &tool_get, &direct_get);
    println!(
        "describe_object (cached) median {:.3} ms; Salesforce calls during {ROUNDS} repeated describes within the TTL: {describe_calls}",
        median(tool_describe).as_secs_f64() * 1e3
    );
}
