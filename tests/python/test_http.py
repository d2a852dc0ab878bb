"""MCP over Streamable HTTP with bearer API tokens, as the Python SDK client sees it: the 401
challenge, each person seeing only their own Salesforce connection, and legacy sessions that
belong to the person who opened them."""

from __future__ import annotations

from pathlib import Path
from typing import AsyncIterator

import httpx2 as httpx
import pytest
from mcp import Client
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client

from harness import text_of
from http_harness import HttpServer, connect_via_web, start_http_demo

ALICE, BOB = "person1@example.test", "person2@example.test"
ALICE_SF, BOB_SF = "alex.morgan@example.com", "priya.shah@example.com"
INIT = {
    "jsonrpc": "2.0", "id": 1, "method": "initialize",
    "params": {"protocolVersion": "2025-11-25", "capabilities": {},
               "clientInfo": {"name": "raw-test", "version": "1"}},
}
MCP_HEADERS = {"Accept": "application/json, text/event-stream", "Content-Type": "application/json"}


@pytest.fixture
async def server(anyio_backend: str, tmp_path: Path) -> AsyncIterator[HttpServer]:
    with start_http_demo(tmp_path) as running:
        yield running


def client_for(server: HttpServer, token: str, mode: str) -> Client:
    http = create_mcp_http_client(headers={"Authorization": f"Bearer {token}"})
    return Client(streamable_http_client(server.mcp_url, http_client=http), mode=mode, read_timeout_seconds=20)


async def test_no_token_gets_401_with_the_resource_metadata_challenge(server: HttpServer) -> None:
    async with httpx.AsyncClient(trust_env=False) as raw:
        response = await raw.post(server.mcp_url, json=INIT, headers=MCP_HEADERS)
        assert response.status_code == 401
        metadata_url = server.public_url + "/.well-known/oauth-protected-resource/mcp"
        assert response.headers["www-authenticate"] == f'Bearer resource_metadata="{metadata_url}"'
        metadata = (await raw.get(metadata_url)).json()
        assert metadata["resource"] == server.mcp_url
        wrong = await raw.post(server.mcp_url, json=INIT, headers={**MCP_HEADERS, "Authorization": "Bearer nope"})
        assert wrong.status_code == 401 and 'error="invalid_token"' in wrong.headers["www-authenticate"]


async def test_sdk_client_without_a_token_cannot_connect(server: HttpServer, mode: str) -> None:
    http = create_mcp_http_client()
    with pytest.raises(Exception):
        async with Client(streamable_http_client(server.mcp_url, http_client=http), mode=mode,
                          read_timeout_seconds=10) as client:
            await client.call_tool("connection_status", {})


async def test_each_person_sees_only_their_own_connection(server: HttpServer, mode: str) -> None:
    async with client_for(server, server.tokens[BOB], mode) as bob:
        before = await bob.call_tool("connection_status", {})
        assert before.structured_content["connected"] is False
        next_step = before.structured_content["next_step"]
        assert f"{server.public_url}/connect" in next_step
        assert "authorize" not in text_of(before) and "callback" not in text_of(before)

    assert f"Connected as {ALICE_SF}" in await connect_via_web(server, server.tokens[ALICE], ALICE_SF)
    assert f"Connected as {BOB_SF}" in await connect_via_web(server, server.tokens[BOB], BOB_SF)

    async with client_for(server, server.tokens[ALICE], mode) as alice, \
            client_for(server, server.tokens[BOB], mode) as bob:
        for client, username in ((alice, ALICE_SF), (bob, BOB_SF), (alice, ALICE_SF)):
            status = await client.call_tool("connection_status", {})
            assert not status.is_error, text_of(status)
            assert status.structured_content["username"] == username
        rows = await alice.call_tool("query_records", {"soql": "SELECT Id, Name FROM Account LIMIT 3"})
        assert not rows.is_error, text_of(rows)
        assert rows.structured_content["returned"] == 3


async def test_bobs_token_on_alices_legacy_session_is_refused(server: HttpServer) -> None:
    alice = {**MCP_HEADERS, "Authorization": f"Bearer {server.tokens[ALICE]}"}
    bob = {**MCP_HEADERS, "Authorization": f"Bearer {server.tokens[BOB]}"}
    async with httpx.AsyncClient(trust_env=False, timeout=20) as raw:
        opened = await raw.post(server.mcp_url, json=INIT, headers=alice)
        assert opened.status_code == 200, opened.text
        session = opened.headers["mcp-session-id"]
        ping = {"jsonrpc": "2.0", "id": 2, "method": "ping"}
        stolen = await raw.post(server.mcp_url, json=ping, headers={**bob, "Mcp-Session-Id": session})
        assert stolen.status_code == 403, stolen.text
        assert "another person" in stolen.text
        closing = await raw.delete(server.mcp_url, headers={**bob, "Mcp-Session-Id": session})
        assert closing.status_code == 403
        own = await raw.post(server.mcp_url, json=ping, headers={**alice, "Mcp-Session-Id": session,
                                                                  "MCP-Protocol-Version": "2025-11-25"})
        assert own.status_code == 200, own.text


async def test_token_in_the_query_string_is_refused(server: HttpServer) -> None:
    async with httpx.AsyncClient(trust_env=False) as raw:
        response = await raw.post(server.mcp_url + "?access_token=" + server.tokens[ALICE], json=INIT,
                                  headers=MCP_HEADERS)
        assert response.status_code == 400
        assert "Authorization header" in response.text
