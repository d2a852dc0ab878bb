//! The admin command line (run as the real binary) and team setups: group overrides, priorities,
//! and connections marked for reconnect when a person's app changes.

mod cli;
mod rotation;
mod staged;
mod teams;
mod test_connection;

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use base64::Engine as _;
use salesforce_mcp::secrets::{KEY_ENV, Sealer};
use salesforce_mcp::store::Store;

/// What one run of the binary did.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

/// Runs `salesforce-mcp --db DB ARGS` with `stdin`; `key` is the sealing key (None: the key file
/// beside the database). Loopback auth base URLs are allowed.
pub fn run_bin(db: &Path, key: Option<&str>, args: &[&str], stdin: &str) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_salesforce-mcp"));
    cmd.arg("--db")
        .arg(db)
        .args(args)
        .env("SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK", "1")
        .env_remove("SALESFORCE_MCP_USER")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    match key {
        Some(k) => cmd.env(KEY_ENV, k),
        None => cmd.env_remove(KEY_ENV),
    };
    let mut child = cmd.spawn().expect("the binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// A fresh database in a temporary directory with a sealing key in the environment.
pub struct Admin {
    dir: tempfile::TempDir,
    db: PathBuf,
    key: String,
}

impl Admin {
    pub fn new() -> Self {
        let key = base64::engine::general_purpose::STANDARD.encode([7u8; 32]);
        let dir = tempfile::tempdir().unwrap();
        let db = crate::helpers::test_db(dir.path(), "admin.db");
        Self { dir, db, key }
    }

    pub fn db(&self) -> PathBuf {
        self.db.clone()
    }

    pub fn run(&self, args: &[&str]) -> Run {
        self.run_with_stdin(args, "")
    }

    pub fn run_with_stdin(&self, args: &[&str], stdin: &str) -> Run {
        run_bin(&self.db(), Some(&self.key), args, stdin)
    }

    /// Runs and expects exit code 0; returns stdout.
    pub fn ok(&self, args: &[&str]) -> String {
        let run = self.run(args);
        assert_eq!(run.code, 0, "{args:?} failed: {}", run.stderr);
        run.stdout
    }

    /// Runs with `--json` and expects exit code 0; returns the parsed output.
    pub fn json(&self, args: &[&str]) -> serde_json::Value {
        let mut args = args.to_vec();
        args.push("--json");
        serde_json::from_str(&self.ok(&args)).unwrap()
    }

    pub fn store(&self) -> Store {
        Store::open(&self.db()).unwrap()
    }

    pub fn sealer(&self) -> Sealer {
        Sealer::load(Some(&self.key), &self.dir.path().join("unused.key")).unwrap()
    }
}
