//! `spawn_app()`: a fresh database, the simulated org, the org app configured, and the
//! person connected through the real OAuth flow.

use std::time::Duration;

use salesforce_mcp::app::App;
use salesforce_mcp::config::Settings;
use salesforce_mcp::simulated_org::{LoggedRequest, SimOrgConfig, SimulatedOrg};

pub struct TestApp {
    pub app: App,
    pub org: SimulatedOrg,
    pub user_id: i64,
    _dir: tempfile::TempDir,
}

pub struct Options {
    pub rotation: bool,
    pub batch_size: usize,
    pub describe_ttl: Duration,
    pub connect: bool,
    pub change_ttl: Duration,
}

impl Default for Options {
    fn default() -> Self {
        Self {
            rotation: false,
            batch_size: 2000,
            describe_ttl: Duration::from_secs(300),
            connect: true,
            change_ttl: Duration::from_secs(15 * 60),
        }
    }
}

pub async fn spawn_app() -> TestApp {
    spawn_app_with(Options::default()).await
}

pub async fn spawn_app_with(options: Options) -> TestApp {
    let org = SimulatedOrg::start(SimOrgConfig {
        rotate_refresh_tokens: options.rotation,
        batch_size: options.batch_size,
        ..SimOrgConfig::default()
    })
    .await
    .expect("simulated org starts");
    let dir = tempfile::tempdir().expect("temp dir");
    let mut settings = Settings::for_db(test_db(dir.path(), "test.db"));
    settings.allow_insecure_loopback = true;
    settings.describe_ttl = options.describe_ttl;
    settings.change_ttl = options.change_ttl;
    let app = App::build(settings).expect("app builds");
    let user_id = app.local_user(Some("alice@example.com")).expect("user").id;
    salesforce_mcp::demo::configure_org_app(&app, &org).expect("org app");
    if options.connect {
        salesforce_mcp::demo::connect_through_oauth(&app, user_id)
            .await
            .expect("connects");
    }
    org.clear_requests();
    TestApp {
        app,
        org,
        user_id,
        _dir: dir,
    }
}

impl TestApp {
    /// Requests Salesforce saw, filtered by a predicate.
    pub fn requests_where(&self, f: impl Fn(&LoggedRequest) -> bool) -> Vec<LoggedRequest> {
        self.org.requests().into_iter().filter(|r| f(r)).collect()
    }

    pub fn refresh_grants(&self) -> usize {
        self.requests_where(|r| r.grant_type.as_deref() == Some("refresh_token"))
            .len()
    }

    pub fn data_calls(&self) -> usize {
        self.requests_where(|r| r.path.starts_with("/services/data/v"))
            .len()
    }
}

impl TestApp {
    /// `query_records` as this person: a query (or none, to continue a cursor), a page size, a cursor.
    pub async fn query(
        &self,
        soql: Option<&str>,
        max_rows: i64,
        cursor: Option<String>,
    ) -> Result<salesforce_mcp::reads::QueryPage, salesforce_mcp::reads::ReadError> {
        let args = salesforce_mcp::reads::QueryArgs {
            soql: soql.map(str::to_owned),
            max_rows: Some(max_rows),
            cursor,
        };
        self.app.reads.query_records(self.user_id, args).await
    }
}

impl TestApp {
    /// The `Id` of the first row a query returns.
    pub async fn first_id(&self, soql: &str) -> String {
        let page = self.query(Some(soql), 200, None).await.expect("query runs");
        page.records[0]["Id"].as_str().expect("an Id").to_owned()
    }
}

/// The `Id`s of a page's rows, in order.
pub fn ids(page: &salesforce_mcp::reads::QueryPage) -> Vec<String> {
    page.records
        .iter()
        .map(|r| r["Id"].as_str().unwrap_or_default().to_owned())
        .collect()
}

/// The database a test uses: a file in `dir`, or, when `SALESFORCE_MCP_TEST_PG` names a
/// PostgreSQL server (scripts/test starts one), a fresh database on it.
pub fn test_db(dir: &std::path::Path, file: &str) -> std::path::PathBuf {
    let Ok(server) = std::env::var("SALESFORCE_MCP_TEST_PG") else {
        return dir.join(file);
    };
    let name = format!("t_{}", uuid::Uuid::new_v4().simple());
    let out = std::process::Command::new("psql")
        .args([
            server.as_str(),
            "-q",
            "-c",
            &format!("CREATE DATABASE {name}"),
        ])
        .output()
        .expect("psql runs");
    assert!(
        out.status.success(),
        "CREATE DATABASE failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let base = server.rsplit_once('/').map_or(server.as_str(), |(b, _)| b);
    std::path::PathBuf::from(format!("{base}/{name}"))
}
