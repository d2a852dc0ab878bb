"""Two `serve --http` processes on one database (SQLite, and PostgreSQL when the test command
started one), calls alternating between them as a load balancer would send them: one refresh
grant for concurrent calls on both after the access token expired, one write when the person
confirms on both at once, a cursor from one continued on the other, a web session and its CSRF token
made on one used on the other, a Salesforce connection started on one finished on the other, and a change left executing by an instance killed with -9 marked
`unknown` by the other after the lease, never sent again."""

from __future__ import annotations

import asyncio
import contextlib
import time
from pathlib import Path
from typing import Any, AsyncIterator

import httpx2 as httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from harness import text_of
from http_harness import HttpServer, connect_via_web, csrf_of, sign_in
from instances import Cluster, backends, start_cluster
from test_changes import Person

ALICE, ALICE_SF = "person1@example.test", "alex.morgan@example.com"
LEASE_SECONDS = 3


@pytest.fixture(params=backends())
def backend(request: pytest.FixtureRequest) -> str:
    return request.param


@pytest.fixture
async def cluster(anyio_backend: str, backend: str, tmp_path: Path) -> AsyncIterator[Cluster]:
    """Two instances, Alice with an API token, connected to Salesforce through instance 0."""
    with start_cluster(tmp_path, backend, env={"SALESFORCE_MCP_TEST_LEASE": f"{LEASE_SECONDS}s"}) as running:
        token = running.add_person(ALICE)
        page = await connect_via_web(running.instances[0], token, ALICE_SF)
        assert "Connected" in page, page
        yield running


def client(instance: HttpServer, token: str, person: Person | None = None) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(instance.mcp_url, http_client=http), mode="auto",
                  read_timeout_seconds=30, elicitation_callback=person)


async def ok(c: Client, tool: str, arguments: dict[str, Any]) -> dict[str, Any]:
    result = await c.call_tool(tool, arguments)
    assert not result.is_error, f"{tool}({arguments}) failed: {text_of(result)}"
    assert isinstance(result.structured_content, dict)
    return result.structured_content


async def prepare_phone_update(c: Client, phone: str) -> str:
    page = await ok(c, "query_records", {"soql": "SELECT Id FROM Account ORDER BY Name LIMIT 1"})
    change = await ok(c, "prepare_change", {"operation": "update", "object": "Account",
                                            "record_id": page["records"][0]["Id"], "fields": {"Phone": phone}})
    assert change["status"] == "pending"
    return change["change_id"]


async def status_of(c: Client, change_id: str) -> str:
    listed = await ok(c, "list_changes", {})
    return next(ch["status"] for ch in listed["changes"] if ch["change_id"] == change_id)


async def test_concurrent_calls_on_both_instances_after_expiry_refresh_once(cluster: Cluster) -> None:
    token = cluster.tokens[ALICE]
    async with client(cluster.instances[0], token) as a, client(cluster.instances[1], token) as b:
        await ok(a, "connection_status", {})
        await ok(b, "connection_status", {})
        cluster.sim_post("/_sim/rotation?on=true")  # a second refresh with the old token would fail
        cluster.sim_post("/_sim/expire-access-tokens")
        cluster.sim_post("/_sim/requests/clear")
        soql = {"soql": "SELECT Id, Name FROM Account ORDER BY Name LIMIT 2"}
        results = await asyncio.gather(*(ok(c, "query_records", soql) for c in (a, b, a, b, a)))
        assert all(r["returned"] == 2 for r in results)
        assert len(cluster.refresh_grants()) == 1, cluster.sim_requests()
        for c in (a, b):
            assert (await ok(c, "connection_status", {}))["username"] == ALICE_SF
        assert len(cluster.refresh_grants()) == 1, "both instances use the one refreshed token"


async def test_a_cursor_from_one_instance_continues_on_the_other(cluster: Cluster) -> None:
    token = cluster.tokens[ALICE]
    soql = "SELECT Id, Name FROM Contact ORDER BY Name"
    async with client(cluster.instances[0], token) as a, client(cluster.instances[1], token) as b:
        everything = await ok(a, "query_records", {"soql": soql, "max_rows": 2000})
        assert everything.get("next_cursor") is None and everything["returned"] > 5
        seen: list[str] = []
        page = await ok(a, "query_records", {"soql": soql, "max_rows": 3})
        turn = 1
        while True:
            seen += [r["Id"] for r in page["records"]]
            if not page.get("next_cursor"):
                break
            page = await ok((a, b)[turn % 2], "query_records", {"cursor": page["next_cursor"], "max_rows": 3})
            turn += 1
        assert turn > 2, "the pages alternated between the instances"
        assert seen == [r["Id"] for r in everything["records"]], "no row skipped or repeated"


async def test_confirming_on_both_instances_at_once_writes_once(cluster: Cluster) -> None:
    token = cluster.tokens[ALICE]
    on_a, on_b = Person("accept"), Person("accept")
    async with client(cluster.instances[0], token, on_a) as a, client(cluster.instances[1], token, on_b) as b:
        change_id = await prepare_phone_update(a, "+1 555 0142")
        cluster.sim_post("/_sim/latency?ms=300")  # widen the window in which both could write
        results = await asyncio.gather(*(c.call_tool("confirm_change", {"change_id": change_id}) for c in (a, b)))
        cluster.sim_post("/_sim/latency?ms=0")
        succeeded = [r for r in results if not r.is_error]
        assert len(succeeded) == 1, [text_of(r) for r in results]
        assert succeeded[0].structured_content["status"] == "succeeded"
        loser = next(r for r in results if r.is_error)
        assert "not pending" in text_of(loser), text_of(loser)
        assert [(w["method"], w["body"]) for w in cluster.writes()] == [("PATCH", {"Phone": "+1 555 0142"})]
        assert await status_of(b, change_id) == "succeeded"
        assert await status_of(a, change_id) == "succeeded"


async def test_an_instance_killed_mid_write_leaves_the_change_unknown_never_resent(cluster: Cluster) -> None:
    token = cluster.tokens[ALICE]
    prepared: asyncio.Future[str] = asyncio.get_running_loop().create_future()

    async def on_the_doomed_instance() -> None:
        # In a task of its own: the client's own tasks fail when the instance dies.
        async with client(cluster.instances[0], token, Person("accept")) as a:
            change_id = await prepare_phone_update(a, "+1 555 0177")
            cluster.sim_post("/_sim/latency?ms=4000")  # the write hangs at Salesforce
            prepared.set_result(change_id)
            await a.call_tool("confirm_change", {"change_id": change_id})

    doomed = asyncio.create_task(on_the_doomed_instance())
    async with client(cluster.instances[1], token) as b:
        change_id = await asyncio.wait_for(prepared, 20)
        deadline = time.monotonic() + 15
        while await status_of(b, change_id) != "executing":
            assert time.monotonic() < deadline, "instance 0 never started executing the change"
            await asyncio.sleep(0.05)
        cluster.kill(0)
        with contextlib.suppress(BaseException):
            await asyncio.wait_for(doomed, 10)

        deadline = time.monotonic() + 4 * LEASE_SECONDS + 10
        while (status := await status_of(b, change_id)) == "executing":
            assert time.monotonic() < deadline, "the other instance never recovered the change"
            await asyncio.sleep(0.2)
        assert status == "unknown", status
        cluster.sim_post("/_sim/latency?ms=0")
        await asyncio.sleep(4 + LEASE_SECONDS)  # past the hung request and more sweeps
        sent = cluster.writes()
        assert len(sent) <= 1, f"the change may have reached Salesforce once, never twice: {sent}"
        again = await b.call_tool("confirm_change", {"change_id": change_id})
        assert again.is_error and "unknown" in text_of(again), text_of(again)
        assert cluster.writes() == sent, "the surviving instance never sends it again"
        assert await status_of(b, change_id) == "unknown"


async def test_a_web_session_and_its_csrf_token_from_one_instance_work_on_the_other(cluster: Cluster) -> None:
    token = cluster.tokens[ALICE]
    a_url, b_url = cluster.instances[0].public_url, cluster.instances[1].public_url
    async with client(cluster.instances[0], token) as a:
        change_id = await prepare_phone_update(a, "+1 555 0101")
        async with httpx.AsyncClient(timeout=20, trust_env=False) as browser:
            await sign_in(browser, cluster.instances[0], token)  # the session is made on A
            page = await browser.get(f"{b_url}/changes/{change_id}")  # and read on B
            assert page.status_code == 200 and "+1 555 0101" in page.text, page.text
            form = await browser.get(f"{a_url}/changes/{change_id}")
            done = await browser.post(f"{b_url}/changes/{change_id}/reject", data={"csrf": csrf_of(form.text)})
            assert done.status_code in (200, 303), done.text
        assert await status_of(a, change_id) == "rejected"
        assert cluster.writes() == [], "rejecting sends nothing"


async def test_a_connection_started_on_one_instance_finishes_on_the_other(cluster: Cluster) -> None:
    bob = "person2@example.test"
    token = cluster.add_person(bob)
    a_url, b_url = cluster.instances[0].public_url, cluster.instances[1].public_url
    async with httpx.AsyncClient(timeout=20, trust_env=False) as browser:
        await sign_in(browser, cluster.instances[0], token)
        page = await browser.get(f"{a_url}/connect")
        start = await browser.post(f"{a_url}/connect", data={"csrf": csrf_of(page.text)})
        assert start.status_code == 303, start.text
        approved = await browser.get(start.headers["location"] + "&login_hint=priya.shah@example.com")
        callback = approved.headers["location"]
        assert callback.startswith(a_url), callback
        # Behind a load balancer the callback may reach the other instance: the OAuth state is shared.
        finished = await browser.get(b_url + callback.removeprefix(a_url))
        assert finished.status_code == 200 and "Connected as priya.shah@example.com" in finished.text, finished.text
    async with client(cluster.instances[1], token) as b:
        assert (await ok(b, "connection_status", {}))["username"] == "priya.shah@example.com"
