//! The app builder shared by every command and by the tests.

use std::sync::Arc;

use crate::changes::Changes;
use crate::config::Settings;
use crate::connections::Connections;
use crate::oauth::OAuthHttp;
use crate::reads::Reads;
use crate::salesforce::client::Api;
use crate::secrets::{KEY_ENV, Sealer, SecretsError};
use crate::store::users::UserRow;
use crate::store::{self, Store, StoreError};

/// Why the app could not start or find its person.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AppError {
    /// Storage failed.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// The sealing key is unusable.
    #[error(transparent)]
    Secrets(#[from] SecretsError),
    /// The HTTP client could not be built.
    #[error("cannot build the HTTP client: {0}")]
    Http(String),
    /// Nobody, or more than one person, could be the local person.
    #[error("{0}")]
    WhichUser(String),
}

/// Everything a command needs.
#[derive(Debug, Clone)]
pub struct App {
    /// Effective settings.
    pub settings: Arc<Settings>,
    /// The database.
    pub store: Store,
    /// The sealing key.
    pub sealer: Sealer,
    /// Connection services.
    pub connections: Connections,
    /// Read services.
    pub reads: Reads,
    /// Prepared changes: preview, approval, execution.
    pub changes: Changes,
}

/// The local person's e-mail when none is given and nobody exists yet.
pub const LOCAL_USER_EMAIL: &str = "local@localhost";

impl App {
    /// Opens the database and key and wires the services.
    pub fn build(settings: Settings) -> Result<Self, AppError> {
        let store = Store::open_with(
            &settings.db_path,
            crate::store::OpenOptions {
                pool_size: settings.db_pool_size,
            },
        )?;
        // With PostgreSQL every instance must hold the same key: SALESFORCE_MCP_SECRET_KEY (the
        // README says so); without it, this host's key file in the default data directory.
        let key_path = match store.backend() {
            crate::store::Backend::Sqlite => settings.db_path.with_file_name("salesforce-mcp.key"),
            crate::store::Backend::Postgres => {
                crate::config::default_db_path().with_file_name("salesforce-mcp.key")
            }
        };
        let env_key = std::env::var(KEY_ENV).ok();
        let sealer = Sealer::load(env_key.as_deref(), &key_path)?;
        let http = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .timeout(settings.http_timeout)
            .connect_timeout(std::time::Duration::from_secs(10))
            .user_agent(concat!("salesforce-mcp/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|e| AppError::Http(e.to_string()))?;
        let settings = Arc::new(settings);
        let connections = Connections::new(
            store.clone(),
            sealer.clone(),
            OAuthHttp(http.clone()),
            Arc::clone(&settings),
        );
        let api = Api::new(http, &settings.api_version);
        let reads = Reads::new(
            api,
            connections.clone(),
            store.clone(),
            settings.describe_ttl,
        );
        let changes = Changes::new(
            reads.clone(),
            store.clone(),
            sealer.clone(),
            Arc::clone(&settings),
        );
        Ok(Self {
            settings,
            store,
            sealer,
            connections,
            reads,
            changes,
        })
    }

    /// The local person: `email` if given (created if new), else the only person, created on first use.
    pub fn local_user(&self, email: Option<&str>) -> Result<UserRow, AppError> {
        self.store.call_sync(|c| {
            if let Some(email) = email {
                let email = email.trim();
                if !email.contains('@') {
                    return Ok(Err(format!("'{email}' is not an e-mail address: pass --user with the person's e-mail")));
                }
                return Ok(Ok(store::users::insert(c, email, false)?));
            }
            let users = store::users::list(c)?;
            Ok(match users.as_slice() {
                [] => Ok(store::users::insert(c, LOCAL_USER_EMAIL, true)?),
                [only] => Ok(only.clone()),
                _ => Err(format!(
                    "this database has {} people; say which one with --user EMAIL (or SALESFORCE_MCP_USER)",
                    users.len()
                )),
            })
        })?
        .map_err(AppError::WhichUser)
    }
}
