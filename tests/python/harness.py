"""Starts `salesforce-mcp demo` over stdio with the Python MCP SDK and talks to its simulated org."""

from __future__ import annotations

import json
import os
import re
import time
import urllib.request
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, AsyncIterator

import anyio
from mcp import Client, StdioServerParameters
from mcp.client.stdio import stdio_client
from mcp.types import CallToolResult

REPO_ROOT = Path(__file__).resolve().parents[2]
READ_TOOLS = {
    "connection_status",
    "list_objects",
    "describe_object",
    "search_records",
    "query_records",
    "get_record",
    "run_report",
    "get_dashboard",
    "get_related_records",
    "list_recent",
    "run_list_view",
    "list_files",
    "read_file",
}
# DESIGN.md's write tools: allowed in tools/list, but no other names are.
WRITE_TOOLS = {"prepare_change", "prepare_undo", "confirm_change", "cancel_change", "list_changes"}
BANNER = re.compile(
    r"simulated Salesforce org at (?P<org>http://127\.0\.0\.1:\d+) "
    r"\(control: (?P<control>http://127\.0\.0\.1:\d+)/_sim/requests\); "
    r"connected as (?P<username>\S+)"
)
# Plain urllib without proxies: the simulated org is on loopback only.
_HTTP = urllib.request.build_opener(urllib.request.ProxyHandler({}))


def server_binary() -> Path:
    """The binary under test: $SALESFORCE_MCP_BIN or the repository's debug build."""
    configured = os.environ.get("SALESFORCE_MCP_BIN")
    path = Path(configured) if configured else REPO_ROOT / "target" / "debug" / "salesforce-mcp"
    if not path.is_file():
        raise FileNotFoundError(f"{path} does not exist: run `cargo build` or set SALESFORCE_MCP_BIN")
    return path


class SimControl:
    """The simulated org's control endpoints, for anything that knows its `control_url`."""

    control_url: str

    def sim_get(self, path: str) -> Any:
        """GET a control endpoint of the simulated org and decode its JSON."""
        with _HTTP.open(self.control_url + path, timeout=10) as response:
            return json.load(response)

    def sim_post(self, path: str) -> Any:
        """POST to a control endpoint of the simulated org (switches take query parameters)."""
        request = urllib.request.Request(self.control_url + path, data=b"", method="POST")
        with _HTTP.open(request, timeout=10) as response:
            return json.load(response)

    def sim_requests(self) -> list[dict[str, Any]]:
        """The simulated org's request log."""
        return self.sim_get("/_sim/requests")

    def writes(self) -> list[dict[str, Any]]:
        """Data writes the org received (POST, PATCH, DELETE under /services/data)."""
        return [
            r
            for r in self.sim_requests()
            if r["path"].startswith("/services/data/v") and r["method"] in ("POST", "PATCH", "DELETE")
        ]

    def refresh_grants(self) -> list[dict[str, Any]]:
        """The refresh-token grants the org received."""
        return [r for r in self.sim_requests() if r.get("grant_type") == "refresh_token"]


@dataclass
class Demo(SimControl):
    """A running demo server: the MCP client plus the simulated org's URLs from the stderr banner."""

    client: Client
    org_url: str
    control_url: str
    username: str

    async def call(self, tool: str, arguments: dict[str, Any] | None = None) -> CallToolResult:
        """Calls a tool and returns the raw result (which may have isError set)."""
        return await self.client.call_tool(tool, arguments or {})

    async def ok(self, tool: str, arguments: dict[str, Any] | None = None) -> dict[str, Any]:
        """Calls a tool that must succeed; returns its structured content."""
        result = await self.call(tool, arguments)
        assert not result.is_error, f"{tool}({arguments}) failed: {text_of(result)}"
        assert isinstance(result.structured_content, dict), f"{tool} returned no structured content"
        return result.structured_content



def text_of(result: CallToolResult) -> str:
    """All text blocks of a tool result, joined."""
    return "\n".join(block.text for block in result.content if getattr(block, "type", None) == "text")


async def _wait_for_banner(stderr_path: Path, timeout: float = 10.0) -> re.Match[str]:
    deadline = time.monotonic() + timeout
    while True:
        found = BANNER.search(stderr_path.read_text(errors="replace"))
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"no demo banner on stderr within {timeout}s:\n{stderr_path.read_text()}")
        await anyio.sleep(0.05)


@asynccontextmanager
async def start_demo(
    mode: str,
    workdir: Path,
    elicitation_callback: Any = None,
    extra_args: list[str] | None = None,
) -> AsyncIterator[Demo]:
    """Runs `salesforce-mcp demo` with its own database in `workdir`, connected in `mode`,
    optionally with an elicitation callback and more command-line arguments."""
    params = StdioServerParameters(
        command=str(server_binary()),
        args=["demo", *(extra_args or [])],
        env={"SALESFORCE_MCP_DB": str(workdir / "demo.db")},
        cwd=str(workdir),
    )
    stderr_path = workdir / "server-stderr.log"
    with stderr_path.open("w") as errlog:
        async with Client(
            stdio_client(params, errlog=errlog),
            mode=mode,
            read_timeout_seconds=20,
            elicitation_callback=elicitation_callback,
        ) as client:
            banner = await _wait_for_banner(stderr_path)
            yield Demo(client, banner["org"], banner["control"], banner["username"])
