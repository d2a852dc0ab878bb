//! The MCP handler: tools, prompts, and the one place where errors become tool results.
//! One handler type serves stdio and Streamable HTTP.

pub(crate) mod approval;
mod args;
mod prompts;
mod read_only;
mod reads_tools;
mod render;
mod render_reads;
mod schemas;
mod status;

use std::sync::Arc;

use rmcp::handler::server::router::tool::ToolRouter;
use rmcp::handler::server::tool::{InputResponses, RequestState};

use args::Args;
use rmcp::model::{
    CallToolRequestParams, CallToolResponse, CallToolResult, ContentBlock, GetPromptRequestParams,
    GetPromptResponse, Implementation, ListPromptsResult, ListToolsResult, PaginatedRequestParams,
    ServerCapabilities, ServerConfig,
};
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, ServerHandler, tool, tool_handler, tool_router};
use schemas::lean;
use serde::Serialize;

use crate::changes::{ChangeIdArgs, Changes, ListChangesArgs, PrepareArgs, UndoArgs};
use crate::connections::ConnectionError;
use crate::reads::{
    DescribeArgs, GetRecordArgs, ListObjectsArgs, QueryArgs, ReadError, Reads, SearchArgs,
};
pub use read_only::CHANGE_TOOLS;
pub use status::{ConnectionStatus, StatusArgs, connection_status};

/// The person a request acts for (put into HTTP request extensions by the auth layer).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    /// The person's row id.
    pub user_id: i64,
}

/// How the person reaches the server, which decides how they are told to connect.
#[derive(Debug, Clone)]
pub enum Mode {
    /// A local person over stdio.
    Stdio {
        /// The person.
        user_id: i64,
        /// Arguments the person's terminal commands need to reach the same person and database
        /// (e.g. ` --user bob@example.com --db '/srv/x.db'`), empty for the defaults.
        cli_args: String,
    },
    /// Many people over HTTP.
    Http {
        /// The public URL (for `<public-url>/connect`).
        public_url: String,
    },
}

/// The arguments a local person's terminal commands need: `--user` when the person was named,
/// `--db` when the database is not the default one.
pub fn cli_args(user: Option<&str>, db: &std::path::Path) -> String {
    let mut args = String::new();
    if let Some(email) = user {
        args.push_str(&format!(" --user {email}"));
    }
    if db != crate::config::default_db_path() {
        args.push_str(&format!(" --db '{}'", db.display()));
    }
    args
}

/// The MCP server.
#[derive(Clone)]
pub struct SalesforceMcp {
    reads: Reads,
    changes: Changes,
    state_codec: Arc<tokio::sync::OnceCell<rmcp::model::RequestStateCodec>>,
    read_only_watch: Arc<std::sync::OnceLock<tokio::sync::watch::Receiver<bool>>>,
    mode: Arc<Mode>,
    tool_router: ToolRouter<Self>,
}

impl std::fmt::Debug for SalesforceMcp {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SalesforceMcp")
            .field("mode", &self.mode)
            .finish_non_exhaustive()
    }
}

/// A successful result: `value` as structured content, `text` as the text block for models.
fn result<T: Serialize>(value: &T, text: String) -> CallToolResult {
    let mut r = CallToolResult::structured(serde_json::to_value(value).unwrap_or_default());
    r.content = vec![ContentBlock::text(text)];
    r
}

/// Errors a tool can end with; each becomes a result with `isError` that says what to do next.
trait ToolError {
    fn into_result(self, server: &SalesforceMcp) -> CallToolResult;
}

impl ToolError for ReadError {
    fn into_result(self, server: &SalesforceMcp) -> CallToolResult {
        server.error_result(self)
    }
}

impl ToolError for crate::changes::ChangeError {
    fn into_result(self, server: &SalesforceMcp) -> CallToolResult {
        server.change_error(self)
    }
}

impl SalesforceMcp {
    /// The caller: the HTTP-authenticated person, else the local stdio person.
    fn caller(&self, ctx: &RequestContext<RoleServer>) -> Option<i64> {
        let from_http = ctx
            .extensions
            .get::<http::request::Parts>()
            .and_then(|p| p.extensions.get::<Caller>())
            .map(|c| c.user_id);
        match (from_http, self.mode.as_ref()) {
            (Some(id), _) => Some(id),
            (None, Mode::Stdio { user_id, .. }) => Some(*user_id),
            (None, Mode::Http { .. }) => None,
        }
    }

    /// How to connect, for this mode.
    fn connect_hint(&self) -> String {
        match self.mode.as_ref() {
            Mode::Stdio { cli_args, .. } => format!(
                "Run `salesforce-mcp connect{cli_args}` in a terminal to connect your Salesforce account, then try again."
            ),
            Mode::Http { public_url } => format!(
                "Open {}/connect in your browser to connect your Salesforce account, then try again.",
                public_url.trim_end_matches('/')
            ),
        }
    }

    /// Turns an error into a tool result with `isError` that says what to do next.
    fn error_result(&self, e: ReadError) -> CallToolResult {
        let text = match &e {
            ReadError::Connection(ConnectionError::NotConnected) => {
                format!("Salesforce is not connected. {}", self.connect_hint())
            }
            ReadError::Connection(ConnectionError::NeedsReconnect(why)) => format!(
                "Your Salesforce connection must be renewed: {why}. {}",
                self.connect_hint()
            ),
            ReadError::Salesforce(sf) => render::salesforce_error(sf),
            other => other.to_string(),
        };
        tracing::debug!(error = %text, "tool error");
        CallToolResult::error(vec![ContentBlock::text(text)])
    }

    /// Runs a tool for the caller: bad arguments, unknown callers and failures become error
    /// results; the outcome becomes the result `respond` builds.
    async fn run<A, T, E, F, Fut>(
        &self,
        args: Result<A, CallToolResult>,
        ctx: &RequestContext<RoleServer>,
        work: F,
        respond: fn(&T) -> CallToolResult,
    ) -> Result<CallToolResult, ErrorData>
    where
        E: ToolError,
        F: FnOnce(i64, A) -> Fut,
        Fut: std::future::Future<Output = Result<T, E>>,
    {
        let (args, user_id) = match (args, self.who(ctx)) {
            (Ok(a), Ok(u)) => (a, u),
            (Err(r), _) | (_, Err(r)) => return Ok(r),
        };
        Ok(match work(user_id, args).await {
            Ok(value) => respond(&value),
            Err(e) => e.into_result(self),
        })
    }

    fn who(&self, ctx: &RequestContext<RoleServer>) -> Result<i64, CallToolResult> {
        self.caller(ctx).ok_or_else(|| {
            CallToolResult::error(vec![ContentBlock::text(
                "No person is signed in for this request: send your API token as a bearer token.",
            )])
        })
    }
}

#[tool_router(router = tool_router)]
impl SalesforceMcp {
    /// A server for `mode`.
    pub fn new(reads: Reads, changes: Changes, mode: Mode) -> Self {
        Self {
            reads,
            changes,
            state_codec: Arc::default(),
            read_only_watch: Arc::default(),
            mode: Arc::new(mode),
            tool_router: Self::tool_router() + Self::reads_router(),
        }
    }

    #[tool(
        description = "Who is connected to Salesforce for you: user, org, instance, login host, OAuth app (org or group), scopes, offline refresh, API usage; if not connected, how to connect. Call this first when another tool says you are not connected.",
        annotations(title = "Salesforce connection status", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false),
        input_schema = lean::<StatusArgs>()
    )]
    async fn connection_status(
        &self,
        Args(args): Args<StatusArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let (reads, hint) = (&self.reads, self.connect_hint());
        self.run(
            args,
            &ctx,
            |user, _: StatusArgs| status::connection_status(reads, user, &hint),
            |v| result(v, render::status(v)),
        )
        .await
    }

    #[tool(
        description = "List Salesforce objects (standard and custom) you can use, with label and capabilities (query, search, create, update, delete). Filter by name, custom only, or capability; page with cursor.",
        annotations(title = "List Salesforce objects", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<ListObjectsArgs>()
    )]
    async fn list_objects(
        &self,
        Args(args): Args<ListObjectsArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.list_objects(user, a),
            |v| result(v, render::object_list(v)),
        )
        .await
    }

    #[tool(
        description = "Describe one Salesforce object: its fields (API name, label, type, length, required on create, createable, updateable, external id, reference targets), and optionally picklist values, child relationships and record types. Use before writing SOQL or preparing a change.",
        annotations(title = "Describe a Salesforce object", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<DescribeArgs>()
    )]
    async fn describe_object(
        &self,
        Args(args): Args<DescribeArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let (reads, changes) = (&self.reads, &self.changes);
        self.run(
            args,
            &ctx,
            |user, a| async move {
                let record_type = a.record_type.clone();
                let info = reads
                    .describe_object(user, a)
                    .await
                    .map_err(crate::changes::ChangeError::from)?;
                match record_type {
                    Some(rt) => {
                        let picks = changes.record_type_picklists(user, &info.name, &rt).await?;
                        Ok::<_, crate::changes::ChangeError>(info.with_record_type(&picks))
                    }
                    None => Ok(info),
                }
            },
            |v| {
                let views = render_reads::list_views(v.list_views.as_ref());
                result(v, render::object_info(v) + &views)
            },
        )
        .await
    }

    #[tool(
        description = "Keyword search across Salesforce records (SOSL built by the server; any text is safe, special characters are searched literally). Results are grouped by object. Optionally name the objects and fields to return.",
        annotations(title = "Search Salesforce records", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<SearchArgs>()
    )]
    async fn search_records(
        &self,
        Args(args): Args<SearchArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.search_records(user, a),
            |v| result(v, render::search(v)),
        )
        .await
    }

    #[tool(
        description = "Run one read-only SOQL SELECT. Returns up to max_rows rows (default 200, at most 2000) and next_cursor when more rows remain: call again with only the cursor to continue exactly where it stopped (no row skipped or repeated). FOR UPDATE, FOR VIEW, FOR REFERENCE, UPDATE TRACKING and UPDATE VIEWSTAT are refused.",
        annotations(title = "Query Salesforce (SOQL)", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<QueryArgs>()
    )]
    async fn query_records(
        &self,
        Args(args): Args<QueryArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.query_records(user, a),
            |v| result(v, render::query_page(v)),
        )
        .await
    }

    #[tool(
        description = "Read one Salesforce record by object and id (15 or 18 characters), optionally only some fields.",
        annotations(title = "Get a Salesforce record", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<GetRecordArgs>()
    )]
    async fn get_record(
        &self,
        Args(args): Args<GetRecordArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.get_record(user, a),
            |v| result(v, render::record(v) + &render_reads::link(&v.url)),
        )
        .await
    }

    #[tool(
        description = "Prepare a create, update, upsert (by external id) or delete of a Salesforce record, or of up to 200 records of one object at once with `records`, WITHOUT changing anything. Checks the object, fields, writability, types, picklist values and required fields against describe, reads the current values, and stores a pending change (it expires, 15 minutes by default). Returns change_id and a preview: object, record, each field with before -> after. Show the preview to the person, then call confirm_change so that they can approve it.",
        annotations(title = "Prepare a Salesforce change (no write)", read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true),
        input_schema = lean::<PrepareArgs>()
    )]
    async fn prepare_change(
        &self,
        Args(args): Args<PrepareArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let changes = &self.changes;
        self.run(
            args,
            &ctx,
            |user, a| changes.prepare(user, a),
            approval::prepared_result,
        )
        .await
    }

    #[tool(
        description = "Ask the person to approve a prepared change, then execute it exactly once and return Salesforce's result. The person sees the full preview and decides; declining rejects the change. If your client cannot ask, the result says where the person can approve it. A change that is not pending (already done, rejected, cancelled, expired) is never executed again.",
        annotations(title = "Confirm a prepared Salesforce change", read_only_hint = false, destructive_hint = true, idempotent_hint = false, open_world_hint = true),
        input_schema = lean::<ChangeIdArgs>()
    )]
    async fn confirm_change(
        &self,
        Args(args): Args<ChangeIdArgs>,
        InputResponses(responses): InputResponses,
        RequestState(state): RequestState,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        let (args, user_id) = match (args, self.who(&ctx)) {
            (Ok(a), Ok(u)) => (a, u),
            (Err(r), _) | (_, Err(r)) => return Ok(r.into()),
        };
        self.confirm(user_id, &args.change_id, responses, state, &ctx)
            .await
    }

    #[tool(
        description = "Prepare the undo of one of your succeeded changes WITHOUT changing anything: an update gets its fields set back to their before values, a create gets what it created deleted, an upsert is reversed. A delete cannot be undone (its records are in the Recycle Bin). Records that changed since are refused unless force is true. The undo is a new pending change: show its preview, then confirm_change it like any change.",
        annotations(title = "Prepare the undo of a change (no write)", read_only_hint = false, destructive_hint = false, idempotent_hint = false, open_world_hint = true),
        input_schema = lean::<UndoArgs>()
    )]
    async fn prepare_undo(
        &self,
        Args(args): Args<UndoArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let changes = &self.changes;
        self.run(
            args,
            &ctx,
            |user, a| changes.prepare_undo(user, a),
            approval::prepared_result,
        )
        .await
    }

    #[tool(
        description = "Cancel one of your pending changes; nothing is sent to Salesforce.",
        annotations(title = "Cancel a prepared change", read_only_hint = false, destructive_hint = false, idempotent_hint = true, open_world_hint = false),
        input_schema = lean::<ChangeIdArgs>()
    )]
    async fn cancel_change(
        &self,
        Args(args): Args<ChangeIdArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let changes = &self.changes;
        self.run(
            args,
            &ctx,
            |user, a: ChangeIdArgs| async move { changes.cancel(user, &a.change_id).await },
            approval::change_result,
        )
        .await
    }

    #[tool(
        description = "Your prepared changes (newest first) with their status: pending, executing, succeeded, failed, rejected, cancelled, expired, conflict or unknown, and the Salesforce result once executed.",
        annotations(title = "List your prepared changes", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = false),
        input_schema = lean::<ListChangesArgs>()
    )]
    async fn list_changes(
        &self,
        Args(args): Args<ListChangesArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let changes = &self.changes;
        self.run(
            args,
            &ctx,
            |user, a: ListChangesArgs| async move { changes.list(user, a.status.as_deref()).await },
            |l| result(l, approval::list_text(l)),
        )
        .await
    }
}

#[tool_handler(router = self.tool_router)]
impl ServerHandler for SalesforceMcp {
    async fn list_tools(
        &self,
        _request: Option<PaginatedRequestParams>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<ListToolsResult, ErrorData> {
        self.listed_tools(&ctx).await
    }

    async fn call_tool(
        &self,
        request: CallToolRequestParams,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResponse, ErrorData> {
        if let Some(refused) = self.refused_while_read_only(&request.name).await {
            return Ok(refused.into());
        }
        let call = rmcp::handler::server::tool::ToolCallContext::new(self, request, ctx);
        self.tool_router.call(call).await
    }

    async fn on_initialized(&self, ctx: rmcp::service::NotificationContext<RoleServer>) {
        self.follow_read_only(ctx.peer);
    }

    /// Discovery (2026-07-28 stateless clients): as [`Self::get_info`], without
    /// `tools.listChanged`. A stateless client hears of list changes only through
    /// `subscriptions/listen`, which this server does not offer; sessions (stdio, the 2025 HTTP
    /// protocol) get `notifications/tools/list_changed` when read-only switches.
    async fn discover(
        &self,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<rmcp::model::DiscoverResult, ErrorData> {
        let mut info = self.get_info();
        if let Some(tools) = info.capabilities.tools.as_mut() {
            tools.list_changed = None;
        }
        Ok(rmcp::model::DiscoverResult::from_server_info(
            self.supported_protocol_versions().into_owned(),
            info,
        ))
    }

    fn get_info(&self) -> ServerConfig {
        let capabilities = ServerCapabilities::builder()
            .enable_tools()
            .enable_tool_list_changed()
            .enable_prompts()
            .build();
        ServerConfig::new(capabilities)
            .with_server_info(Implementation::new(env!("CARGO_PKG_NAME"), env!("CARGO_PKG_VERSION")))
            .with_instructions(
                "Salesforce for the person using this assistant, with their own Salesforce permissions. \
                 Start with connection_status if unsure; use list_objects and describe_object before writing SOQL; \
                 query_records runs read-only SOQL and pages with next_cursor; search_records does keyword search. \
                 Reports, dashboards, list views, related records, recent items and files have their own read tools. \
                 To change data, prepare_change (previews, writes nothing), show the preview, then confirm_change: the person approves before anything is written.",
            )
    }

    async fn list_prompts(
        &self,
        _request: Option<PaginatedRequestParams>,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<ListPromptsResult, ErrorData> {
        Ok(ListPromptsResult::with_all_items(prompts::list()))
    }

    async fn get_prompt(
        &self,
        request: GetPromptRequestParams,
        _ctx: RequestContext<RoleServer>,
    ) -> Result<GetPromptResponse, ErrorData> {
        prompts::get(&request.name, request.arguments.as_ref()).map(Into::into)
    }
}

#[cfg(test)]
mod tools_list_tests;
