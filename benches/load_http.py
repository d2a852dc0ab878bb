"""Load over MCP Streamable HTTP: N people (default 50) at once, each with an API token and
their own Salesforce connection to the simulated org (made through the real web flow), each
making M read calls (default 100). Fails on any failed call or any answer naming another
person's Salesforce user; reports p50/p99 latency and each server's peak RSS. Loopback only,
bounded in count and time. Run through scripts/load-http.

The servers are `serve --http` processes set up with the admin commands (tests/python/instances.py),
the simulated org runs in a process of its own (its work is not counted as the server's).
`--instances 2 --backend postgres` runs two instances on one PostgreSQL database (the server
SALESFORCE_MCP_TEST_PG names, e.g. from `scripts/pg-cluster start`), people spread over both."""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "python"))

from mcp import Client  # noqa: E402
from mcp.client.streamable_http import streamable_http_client  # noqa: E402
from mcp.shared._httpx_utils import create_mcp_http_client  # noqa: E402

from http_harness import connect_via_web  # noqa: E402
from instances import start_cluster  # noqa: E402

SF_USERS = ["alex.morgan@example.com", "priya.shah@example.com", "sam.lee@example.com", "jordan.diaz@example.com"]
CALLS = [
    ("connection_status", {}),
    ("query_records", {"soql": "SELECT Id, Name FROM Account ORDER BY Name LIMIT 5"}),
    ("list_objects", {"limit": 10}),
    ("describe_object", {"object": "Contact", "fields_matching": "Name"}),
    ("search_records", {"text": "Acme", "limit": 5}),
    ("list_changes", {}),
]


def peak_rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1])
    return 0


async def person(url: str, token: str, sf_user: str, calls: int, mode: str, latencies: list[float]) -> list[str]:
    """One person's calls. Besides the Salesforce username (shared: the org has 4 users), each
    person prepares a change of their own (never confirmed) and checks that `list_changes`
    shows exactly that change: a per-person mark that no other person may ever see."""
    problems: list[str] = []
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    async with Client(streamable_http_client(url, http_client=http), mode=mode, read_timeout_seconds=60) as client:
        mine = await client.call_tool("prepare_change", {
            "operation": "update", "object": "Account", "record_id": "001Dx0000000001IAA",
            "fields": {"Description": f"load mark {token[-8:]}"}})
        my_change = (mine.structured_content or {}).get("change_id")
        if mine.is_error or not my_change:
            problems.append(f"prepare_change failed: {mine.content}")
        for i in range(calls):
            tool, args = CALLS[i % len(CALLS)]
            started = time.perf_counter()
            result = await client.call_tool(tool, args)
            latencies.append(time.perf_counter() - started)
            if result.is_error:
                problems.append(f"{tool} failed: {result.content}")
            elif tool == "connection_status" and result.structured_content["username"] != sf_user:
                problems.append(f"LEAK: expected {sf_user}, got {result.structured_content['username']}")
            elif tool == "list_changes":
                seen = [c["change_id"] for c in result.structured_content["changes"]]
                if seen != [my_change]:
                    problems.append(f"LEAK: expected only change {my_change}, saw {seen}")
    return problems


async def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=50)
    parser.add_argument("--calls", type=int, default=100)
    parser.add_argument("--mode", default="auto", choices=["auto", "legacy"])
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--instances", type=int, default=1)
    parser.add_argument("--backend", default="sqlite", choices=["sqlite", "postgres"])
    options = parser.parse_args()
    with tempfile.TemporaryDirectory() as work, start_cluster(Path(work), options.backend, options.instances) as cluster:
        emails = [f"person{i}@example.test" for i in range(1, options.people + 1)]
        expected = {email: SF_USERS[i % len(SF_USERS)] for i, email in enumerate(emails)}
        server_of = {email: cluster.instances[i % options.instances] for i, email in enumerate(emails)}
        for email in emails:
            await connect_via_web(server_of[email], cluster.add_person(email), expected[email])
        latencies: list[float] = []
        started = time.perf_counter()
        results = await asyncio.wait_for(asyncio.gather(*(
            person(server_of[e].mcp_url, cluster.tokens[e], expected[e], options.calls, options.mode, latencies)
            for e in emails)), options.timeout)
        elapsed = time.perf_counter() - started
        rss = [peak_rss_kib(server.pid) for server in cluster.instances]
    problems = [p for r in results for p in r]
    ordered = sorted(latencies)
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))]
    print(f"people: {options.people}, calls each: {options.calls}, mode: {options.mode}, "
          f"instances: {options.instances} on {options.backend}")
    print(f"calls: {len(latencies)} in {elapsed:.1f} s ({len(latencies) / elapsed:.0f}/s), failed or leaked: {len(problems)}")
    print(f"latency p50: {statistics.median(ordered) * 1000:.1f} ms, p99: {p99 * 1000:.1f} ms, max: {ordered[-1] * 1000:.1f} ms")
    print("server peak RSS: " + ", ".join(f"{r / 1024:.1f} MiB" for r in rss))
    for problem in problems[:10]:
        print("problem:", problem)
    return 1 if problems or len(latencies) != options.people * options.calls else 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
