//! Benchmark of the reads people use: `run_report` of a 2,000-row report (Salesforce requests
//! per call, time, peak memory) and `read_file` of a 10 MB text file with `max_bytes` 100,000
//! (peak memory stays flat: the body is streamed and cut, never loaded whole). Tool calls go
//! through the MCP handler over an in-memory pipe; the simulated org runs in the same process.
//! Run with `cargo bench --bench reads`.

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
use salesforce_mcp::simulated_org::data::make_id;
use salesforce_mcp::simulated_org::{SimOrgConfig, SimulatedOrg};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt as _, AsyncWriteExt as _, BufReader};

const ROUNDS: usize = 30;

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

    async fn tool(&mut self, name: &str, arguments: Value) -> Value {
        let r = self
            .send("tools/call", json!({"name": name, "arguments": arguments}))
            .await;
        assert_eq!(r["result"]["isError"], json!(false), "{name}: {r}");
        r["result"]["structuredContent"].clone()
    }
}

/// (current RSS, peak RSS since the last reset) in KiB, from /proc/self/status.
fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(0)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// Resets the peak RSS to the current RSS (Linux: `5` to /proc/self/clear_refs).
fn reset_peak() {
    let _ = std::fs::write("/proc/self/clear_refs", "5");
}

fn median(mut samples: Vec<Duration>) -> f64 {
    samples.sort();
    samples[samples.len() / 2].as_secs_f64() * 1e3
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
    let mode = Mode::Stdio {
        user_id: user.id,
        cli_args: String::new(),
    };
    let server = SalesforceMcp::new(app.reads.clone(), app.changes.clone(), mode);
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
    let session = app.connections.session(user.id).await.unwrap().session;
    let api = app.reads.api().clone();
    println!("salesforce-mcp reads benchmark (simulated org in process, no added latency)");

    // run_report: a report of 2,400 rows, 2,000 returned (allData false).
    let args = json!({"report": "Activity Log", "max_rows": 2000});
    let warm = client.tool("run_report", args.clone()).await;
    assert_eq!(warm["rows"].as_array().map(Vec::len), Some(2000));
    let report_id = warm["report"]["id"].as_str().unwrap().to_owned();
    let mut direct = Vec::new();
    for _ in 0..ROUNDS {
        let s = Instant::now();
        api.run_report(&session, &report_id, true, None)
            .await
            .unwrap();
        direct.push(s.elapsed());
    }
    let before = org.requests().len();
    let (base, _) = rss();
    reset_peak();
    let mut by_name = Vec::new();
    for _ in 0..ROUNDS {
        let s = Instant::now();
        client.tool("run_report", args.clone()).await;
        by_name.push(s.elapsed());
    }
    let requests_by_name = (org.requests().len() - before) as f64 / ROUNDS as f64;
    let before = org.requests().len();
    let mut by_id = Vec::new();
    for _ in 0..ROUNDS {
        let s = Instant::now();
        client
            .tool("run_report", json!({"report": report_id, "max_rows": 2000}))
            .await;
        by_id.push(s.elapsed());
    }
    let requests_by_id = (org.requests().len() - before) as f64 / ROUNDS as f64;
    let (_, peak) = rss();
    let (name_ms, id_ms, direct_ms) = (median(by_name), median(by_id), median(direct));
    println!("run_report, 2,000 of 2,400 rows ({ROUNDS} calls each):");
    println!(
        "  by name: {requests_by_name:.0} Salesforce requests per call, median {name_ms:.2} ms"
    );
    println!("  by id:   {requests_by_id:.0} Salesforce request per call,  median {id_ms:.2} ms");
    println!(
        "  the report run alone (direct Analytics call): median {direct_ms:.2} ms; server time by id (difference): {:.2} ms",
        id_ms - direct_ms
    );
    println!(
        "  process RSS before {} MiB, peak during the calls {} MiB (+{} MiB)",
        base / 1024,
        peak / 1024,
        peak.saturating_sub(base) / 1024
    );

    // read_file: a 10 MB text file, max_bytes 100,000.
    let big = "0123456789abcdef\n".repeat(10 * 1024 * 1024 / 17);
    let size = big.len();
    let (document, version) =
        org.add_file("Big log", "txt", big.into_bytes(), &[make_id("001", 1)]);
    let read = json!({"file": document, "max_bytes": 100_000});
    client.tool("read_file", read.clone()).await;
    let (base, _) = rss();
    reset_peak();
    let mut times = Vec::new();
    for _ in 0..ROUNDS {
        let s = Instant::now();
        let out = client.tool("read_file", read.clone()).await;
        times.push(s.elapsed());
        assert_eq!(out["truncated"], json!(true));
    }
    let (_, peak) = rss();
    println!("read_file of a {size}-byte text file, max_bytes 100,000 ({ROUNDS} calls):");
    println!(
        "  median {:.2} ms; process RSS before {} MiB, peak during the calls {} MiB (+{} KiB)",
        median(times),
        base / 1024,
        peak / 1024,
        peak.saturating_sub(base)
    );
    // For comparison: the same body read whole, as a client that loads it would.
    reset_peak();
    let (base, _) = rss();
    let url = format!(
        "{}{}",
        session.instance_url,
        api.data_path(&format!("sobjects/ContentVersion/{version}/VersionData"))
    );
    let whole = reqwest::Client::new()
        .get(url)
        .bearer_auth(session.access_token.expose_secret())
        .send()
        .await
        .unwrap()
        .bytes()
        .await
        .unwrap();
    let (_, peak) = rss();
    println!(
        "  for comparison, loading the whole body once ({} bytes): peak +{} KiB",
        whole.len(),
        peak.saturating_sub(base)
    );
}
