//! The simulated Salesforce org on its own, in its own process, for benchmarks that must not count
//! Salesforce's work as the server's: `cargo run --release --example simulated_org -- [ADDR]`
//! (default 127.0.0.1:0). Prints `simulated org at URL` and serves until Ctrl-C or SIGTERM; point
//! `salesforce-mcp demo --simulated-org-url URL` at it.

use std::net::SocketAddr;

use salesforce_mcp::simulated_org::{SimOrgConfig, SimulatedOrg};

#[tokio::main]
async fn main() -> Result<(), String> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .as_deref()
        .unwrap_or("127.0.0.1:0")
        .parse()
        .map_err(|e| format!("the address must be like 127.0.0.1:9000: {e}"))?;
    let org = SimulatedOrg::start_on(addr, SimOrgConfig::default())
        .await
        .map_err(|e| format!("cannot start the simulated org on {addr}: {e}"))?;
    println!("simulated org at {}", org.base_url());
    let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
        .map_err(|e| e.to_string())?;
    tokio::select! {
        _ = tokio::signal::ctrl_c() => {},
        _ = term.recv() => {},
    }
    org.shutdown().await;
    Ok(())
}
