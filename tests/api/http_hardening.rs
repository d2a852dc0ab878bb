//! The HTTP server under abuse: unfinished headers, idle keep-alive connections, the connection
//! cap, TCP_NODELAY (no delayed-ACK stall per call), chunked bodies over the limit, and the cap on
//! legacy sessions per person.

use std::time::{Duration, Instant};

use salesforce_mcp::http::accept::ConnectionSettings;
use salesforce_mcp::http::limits::LimitSettings;
use salesforce_mcp::http::sessions::MAX_SESSIONS_PER_PERSON;
use salesforce_mcp::http::{Access, HttpConfig, HttpState, PublicUrl};
use salesforce_mcp::mcp::Caller;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
use tokio::net::TcpStream;

use crate::helpers::{TestApp, spawn_app};

struct Server {
    addr: std::net::SocketAddr,
    base: String,
    _test: TestApp,
}

/// The HTTP app for the test person without tokens, served with `settings`.
async fn spawn_server(settings: ConnectionSettings) -> Server {
    let test = spawn_app().await;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let base = format!("http://{addr}");
    let config = HttpConfig {
        public_url: PublicUrl::parse(&base).unwrap(),
        access: Access::Fixed(Caller {
            user_id: test.user_id,
        }),
        limits: LimitSettings::per_minute(100_000),
        oauth: false,
    };
    let router = salesforce_mcp::http::app(HttpState::new(test.app.clone(), config));
    tokio::spawn(salesforce_mcp::http::serve_with(listener, router, settings));
    Server {
        addr,
        base,
        _test: test,
    }
}

fn short(header: u64, idle: u64, max_connections: usize) -> ConnectionSettings {
    ConnectionSettings {
        header_read_timeout: Duration::from_millis(header),
        idle_timeout: Duration::from_millis(idle),
        max_connections,
        shutdown_grace: Duration::from_secs(1),
    }
}

fn client() -> reqwest::Client {
    reqwest::Client::builder().no_proxy().build().unwrap()
}

/// Whether the server closes `stream` within `within` (end of file or reset).
async fn closed_within(stream: &mut TcpStream, within: Duration) -> bool {
    let mut buf = [0u8; 1024];
    loop {
        match tokio::time::timeout(within, stream.read(&mut buf)).await {
            Err(_) => return false,
            Ok(Ok(0)) | Ok(Err(_)) => return true,
            Ok(Ok(_)) => {}
        }
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unfinished_headers_are_closed_and_the_server_still_answers() {
    let server = spawn_server(short(400, 5_000, 8)).await;
    let mut idle = Vec::new();
    for _ in 0..24 {
        let mut s = TcpStream::connect(server.addr).await.unwrap();
        s.write_all(b"POST /mcp HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ")
            .await
            .unwrap();
        idle.push(s);
    }
    let started = Instant::now();
    for (i, s) in idle.iter_mut().enumerate() {
        assert!(
            closed_within(s, Duration::from_secs(5)).await,
            "connection {i} with unfinished headers is still open after {:?}",
            started.elapsed()
        );
    }
    let health = client()
        .get(format!("{}/healthz", server.base))
        .send()
        .await
        .unwrap();
    assert_eq!(health.status(), 200);
}

#[tokio::test]
async fn an_idle_keep_alive_connection_lives_past_the_header_timeout_then_closes() {
    let server = spawn_server(short(300, 1_500, 64)).await;
    let mut s = TcpStream::connect(server.addr).await.unwrap();
    s.write_all(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        .await
        .unwrap();
    let mut buf = [0u8; 2048];
    let n = s.read(&mut buf).await.unwrap();
    assert!(buf[..n].starts_with(b"HTTP/1.1 200"), "{:?}", &buf[..n]);
    assert!(
        !closed_within(&mut s, Duration::from_millis(900)).await,
        "an idle keep-alive connection is closed at the header timeout"
    );
    assert!(
        closed_within(&mut s, Duration::from_secs(3)).await,
        "an idle keep-alive connection outlives the idle timeout"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn keep_alive_tool_calls_do_not_wait_for_delayed_acks() {
    let server = spawn_server(ConnectionSettings::default()).await;
    let body = serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "tools/call", "params": {
        "name": "get_record", "arguments": {"object": "Account", "id": "001Dx0000000001IAA", "fields": ["Name"]},
        "_meta": {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {},
        "io.modelcontextprotocol/clientInfo": {"name": "t", "version": "1"}}}})
    .to_string();
    let request = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nMCP-Protocol-Version: 2026-07-28\r\nMcp-Method: tools/call\r\nMcp-Name: get_record\r\nContent-Length: {}\r\n\r\n{body}",
        server.addr,
        body.len()
    );
    // One keep-alive connection, one write per request and reads until the streamed answer ends,
    // as load generators and HTTP client pools do.
    let mut stream = TcpStream::connect(server.addr).await.unwrap();
    let mut took = Vec::new();
    for _ in 0..21 {
        let started = Instant::now();
        stream.write_all(request.as_bytes()).await.unwrap();
        let mut answer = Vec::new();
        let mut buf = [0u8; 8192];
        while !answer.ends_with(b"\r\n0\r\n\r\n") {
            let n = stream.read(&mut buf).await.unwrap();
            assert!(n > 0, "closed: {}", String::from_utf8_lossy(&answer));
            answer.extend_from_slice(&buf[..n]);
        }
        let text = String::from_utf8_lossy(&answer);
        assert!(
            text.starts_with("HTTP/1.1 200") && text.contains("Acme Corporation"),
            "{text}"
        );
        took.push(started.elapsed());
    }
    took.sort();
    // Without TCP_NODELAY the pieces of each streamed answer wait for the client's delayed ACK
    // (about 40 ms on Linux).
    assert!(
        took[10] < Duration::from_millis(30),
        "median {:?} of {took:?}",
        took[10]
    );
}

#[tokio::test]
async fn a_chunked_body_over_the_limit_gets_413() {
    let server = spawn_server(ConnectionSettings::default()).await;
    let stream = TcpStream::connect(server.addr).await.unwrap();
    let (mut read, mut write) = stream.into_split();
    let reader = tokio::spawn(async move {
        let mut answer = Vec::new();
        let _ = read.read_to_end(&mut answer).await;
        answer
    });
    let head = format!(
        "POST /mcp HTTP/1.1\r\nHost: {}\r\nContent-Type: application/json\r\nAccept: application/json, text/event-stream\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n",
        server.addr
    );
    let chunk = vec![b' '; 64 * 1024];
    let mut sent = write.write_all(head.as_bytes()).await;
    for _ in 0..40 {
        if sent.is_err() {
            break;
        }
        sent = async {
            write
                .write_all(format!("{:x}\r\n", chunk.len()).as_bytes())
                .await?;
            write.write_all(&chunk).await?;
            write.write_all(b"\r\n").await
        }
        .await;
    }
    if sent.is_ok() {
        let _ = write.write_all(b"0\r\n\r\n").await;
    }
    let answer = tokio::time::timeout(Duration::from_secs(10), reader)
        .await
        .unwrap()
        .unwrap();
    let text = String::from_utf8_lossy(&answer);
    assert!(text.starts_with("HTTP/1.1 413"), "{text}");
}

fn initialize() -> serde_json::Value {
    serde_json::json!({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
        "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "t", "version": "1"}}})
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_person_over_the_session_cap_loses_their_oldest_session() {
    let server = spawn_server(ConnectionSettings::default()).await;
    let http = client();
    let mcp = format!("{}/mcp", server.base);
    let mut sessions = Vec::new();
    for _ in 0..=MAX_SESSIONS_PER_PERSON {
        let response = http
            .post(&mcp)
            .header("accept", "application/json, text/event-stream")
            .json(&initialize())
            .send()
            .await
            .unwrap();
        assert_eq!(response.status(), 200);
        sessions.push(
            response.headers()["mcp-session-id"]
                .to_str()
                .unwrap()
                .to_owned(),
        );
    }
    let initialized = serde_json::json!({"jsonrpc": "2.0", "method": "notifications/initialized"});
    let status_of = |id: String| {
        let request = http
            .post(&mcp)
            .header("accept", "application/json, text/event-stream")
            .header("mcp-session-id", id)
            .header("mcp-protocol-version", "2025-11-25")
            .json(&initialized);
        async move { request.send().await.unwrap().status() }
    };
    assert_eq!(
        status_of(sessions[0].clone()).await,
        404,
        "the oldest session is closed"
    );
    for id in &sessions[1..] {
        assert_eq!(status_of(id.clone()).await, 202, "the newer sessions work");
    }
}
