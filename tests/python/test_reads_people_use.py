"""The reads people use, through the Python MCP SDK over stdio and Streamable HTTP: reports,
dashboards, related records, recently viewed records, list views and files."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Awaitable, Callable, AsyncIterator

import pytest
from mcp.types import CallToolResult

from harness import Demo, text_of
from http_harness import HttpServer, connect_via_web, start_http_demo
from test_http import ALICE, ALICE_SF, client_for

Call = Callable[[str, dict[str, Any]], Awaitable[CallToolResult]]
NEW_TOOLS = {"run_report", "get_dashboard", "get_related_records", "list_recent", "run_list_view", "list_files", "read_file"}


async def ok(call: Call, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await call(tool, arguments)
    assert not result.is_error, f"{tool}({arguments}) failed: {text_of(result)}"
    assert isinstance(result.structured_content, dict), f"{tool} returned no structured content"
    assert text_of(result), f"{tool} has no text block"
    return result.structured_content


async def error(call: Call, tool: str, arguments: dict[str, Any]) -> str:
    result = await call(tool, arguments)
    assert result.is_error, f"{tool}({arguments}) should fail"
    return text_of(result)


async def exercise_every_new_tool(call: Call) -> None:
    pipeline = await ok(call, "run_report", {"report": "Opportunity_Pipeline", "filters": [
        {"column": "STAGE_NAME", "operator": "equals", "value": "Prospecting,Qualification"}]})
    assert pipeline["report"]["format"] == "SUMMARY" and pipeline["all_data"] is True
    assert {g["label"] for g in pipeline["groupings"]} == {"Prospecting", "Qualification"}
    log = await ok(call, "run_report", {"report": "Activity Log", "max_rows": 5})
    assert log["all_data"] is False and len(log["rows"]) == 5
    assert "cut the detail rows at 2,000" in text_of(await call("run_report", {"report": "Activity Log", "max_rows": 1}))
    assert "Private Reports" in await error(call, "run_report", {"report": "Opportunity Pipeline"})

    dashboard = await ok(call, "get_dashboard", {"dashboard": "Sales Dashboard"})
    assert [c["title"] for c in dashboard["components"]] == ["Open pipeline by stage", "Activities logged"]

    account = (await ok(call, "query_records", {"soql": "SELECT Id FROM Account WHERE Name = 'Acme Corporation'"}))["records"][0]["Id"]
    first = await ok(call, "get_related_records", {"object": "Account", "id": account, "relationship": "Contacts", "max_rows": 1})
    rest = await ok(call, "get_related_records", {"object": "Account", "id": account, "relationship": "Contacts",
                                                  "max_rows": 2000, "cursor": first["next_cursor"]})
    assert first["returned"] + rest["returned"] == first["total_size"] and "next_cursor" not in rest
    assert "Opportunities" in await error(call, "get_related_records", {"object": "Account", "id": account, "relationship": "Contact"})

    recent = await ok(call, "list_recent", {"object": "Account"})
    assert recent["records"][0]["id"] == account and recent["records"][0]["url"].endswith(account)

    view = await ok(call, "run_list_view", {"object": "Account", "list_view": "Key accounts"})
    assert view["list_view"] == "Key accounts" and view["returned"] == view["total_size"] > 0
    assert "All Accounts" in await error(call, "run_list_view", {"object": "Account", "list_view": "Nope"})

    files = (await ok(call, "list_files", {"object": "Account", "id": account}))["files"]
    assert [f["extension"] for f in files] == ["txt", "png"]
    contract = await ok(call, "read_file", {"file": files[0]["id"], "max_bytes": 25})
    assert contract["text"] == "MASTER SERVICES AGREEMENT" and contract["truncated"] is True
    photo = await ok(call, "read_file", {"file": files[1]["id"]})
    assert "text" not in photo and "not text" in photo["note"]


async def test_every_new_tool_works_over_stdio_and_is_read_only(demo: Demo) -> None:
    tools = {tool.name: tool for tool in (await demo.client.list_tools()).tools}
    for name in NEW_TOOLS:
        annotations = tools[name].annotations
        assert annotations.read_only_hint is True and annotations.idempotent_hint is True, name
        assert annotations.open_world_hint is True and annotations.destructive_hint is False, name
    await exercise_every_new_tool(demo.call)


async def test_api_reads_never_make_a_record_recently_viewed_but_a_ui_view_does(demo: Demo) -> None:
    lead = (await demo.ok("query_records", {"soql": "SELECT Id FROM Lead LIMIT 1"}))["records"][0]["Id"]
    await demo.ok("get_record", {"object": "Lead", "id": lead})
    assert lead not in [r["id"] for r in (await demo.ok("list_recent", {}))["records"]]
    demo.sim_post(f"/_sim/view/Lead/{lead}")
    assert (await demo.ok("list_recent", {"limit": 1}))["records"][0]["id"] == lead


@pytest.fixture
async def server(anyio_backend: str, tmp_path: Path) -> AsyncIterator[HttpServer]:
    with start_http_demo(tmp_path, people=1) as running:
        yield running


async def test_every_new_tool_works_over_http(server: HttpServer, mode: str) -> None:
    assert f"Connected as {ALICE_SF}" in await connect_via_web(server, server.tokens[ALICE], ALICE_SF)
    async with client_for(server, server.tokens[ALICE], mode) as client:
        await exercise_every_new_tool(client.call_tool)
