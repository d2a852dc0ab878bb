//! The tools for the reads people use: reports, dashboards, related records, list views, recent
//! items and files. A router of their own (merged into the server's), so that `mod.rs` stays
//! small.

use rmcp::model::CallToolResult;
use rmcp::service::RequestContext;
use rmcp::{ErrorData, RoleServer, tool, tool_router};

use super::args::Args;
use super::schemas::lean;
use super::{SalesforceMcp, render_reads, result};
use crate::reads::{
    DashboardArgs, ListFilesArgs, ListViewArgs, ReadFileArgs, RecentArgs, RelatedArgs,
    RunReportArgs,
};

#[tool_router(router = reads_router, vis = "pub(super)")]
impl SalesforceMcp {
    #[tool(
        description = "Run a Salesforce report (Analytics API) by id or exact name, optionally with filters added to its own. Returns columns, detail rows keyed by column, groupings with aggregates, grand totals, and all_data (false: Salesforce cut the rows at 2,000; add filters).",
        annotations(title = "Run a Salesforce report", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<RunReportArgs>()
    )]
    async fn run_report(
        &self,
        Args(args): Args<RunReportArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.run_report(user, a),
            |v| result(v, render_reads::report(v)),
        )
        .await
    }

    #[tool(
        description = "A Salesforce dashboard by id or exact title: each component's title, source report, and data (groupings and totals).",
        annotations(title = "Get a Salesforce dashboard", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<DashboardArgs>()
    )]
    async fn get_dashboard(
        &self,
        Args(args): Args<DashboardArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.get_dashboard(user, a),
            |v| result(v, render_reads::dashboard(v)),
        )
        .await
    }

    #[tool(
        description = "Records related to one record through a child relationship (e.g. an Account's Contacts, Opportunities or Cases). Pages like query_records: pass next_cursor with the same arguments to continue.",
        annotations(title = "Get related Salesforce records", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<RelatedArgs>()
    )]
    async fn get_related_records(
        &self,
        Args(args): Args<RelatedArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.get_related_records(user, a),
            |v| result(v, render_reads::related(v)),
        )
        .await
    }

    #[tool(
        description = "The records you recently viewed in Salesforce, newest first, with object, id, name and link; optionally of one object.",
        annotations(title = "Recently viewed Salesforce records", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<RecentArgs>()
    )]
    async fn list_recent(
        &self,
        Args(args): Args<RecentArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.list_recent(user, a),
            |v| result(v, render_reads::recent(v)),
        )
        .await
    }

    #[tool(
        description = "Run a list view (by id, developer name or label): its columns and records, paged like query_records. describe_object with include [\"list_views\"] lists an object's list views.",
        annotations(title = "Run a Salesforce list view", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<ListViewArgs>()
    )]
    async fn run_list_view(
        &self,
        Args(args): Args<ListViewArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.run_list_view(user, a),
            |v| result(v, render_reads::list_view(v)),
        )
        .await
    }

    #[tool(
        description = "The files attached to a record: file id, title, type, extension, size, latest version id.",
        annotations(title = "List a record's files", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<ListFilesArgs>()
    )]
    async fn list_files(
        &self,
        Args(args): Args<ListFilesArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.list_files(user, a),
            |v| result(v, render_reads::files(v)),
        )
        .await
    }

    #[tool(
        description = "Read a file's latest version (or a given version) as text, for txt, csv, json, xml, html and md files, cut at max_bytes with a note. Other types: metadata and a note that the content is not text.",
        annotations(title = "Read a Salesforce file", read_only_hint = true, destructive_hint = false, idempotent_hint = true, open_world_hint = true),
        input_schema = lean::<ReadFileArgs>()
    )]
    async fn read_file(
        &self,
        Args(args): Args<ReadFileArgs>,
        ctx: RequestContext<RoleServer>,
    ) -> Result<CallToolResult, ErrorData> {
        let reads = &self.reads;
        self.run(
            args,
            &ctx,
            |user, a| reads.read_file(user, a),
            |v| result(v, render_reads::file(v)),
        )
        .await
    }
}
