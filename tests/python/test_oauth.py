"""Signing in from an MCP client with OAuth, as the Python SDK's own OAuth client does it:
discovery, dynamic registration, PKCE, the browser's sign-in with the simulated org and the
consent page, the token exchange, tool calls as the person, and refresh."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlparse

import httpx2 as httpx
from mcp import Client
from mcp.client.auth import OAuthClientProvider
from mcp.client.streamable_http import streamable_http_client
from mcp.shared._httpx_utils import create_mcp_http_client
from mcp.shared.auth import AuthorizationCodeResult, OAuthClientInformationFull, OAuthClientMetadata, OAuthToken

from http_harness import start_oauth_demo
from oauth_browser import sign_in_and_allow

REDIRECT = "http://127.0.0.1:45819/callback"


class MemoryStorage:
    """Token storage as a client keeps it."""

    def __init__(self) -> None:
        self.tokens: OAuthToken | None = None
        self.client_info: OAuthClientInformationFull | None = None

    async def get_tokens(self) -> OAuthToken | None:
        return self.tokens

    async def set_tokens(self, tokens: OAuthToken) -> None:
        self.tokens = tokens

    async def get_client_info(self) -> OAuthClientInformationFull | None:
        return self.client_info

    async def set_client_info(self, client_info: OAuthClientInformationFull) -> None:
        self.client_info = client_info


class Person:
    """The person at the browser: follows the sign-in, reads the consent page and allows."""

    def __init__(self) -> None:
        self.result: AuthorizationCodeResult | None = None
        self.consent_page = ""

    async def open(self, url: str) -> None:
        back, self.consent_page = await sign_in_and_allow(url, REDIRECT)
        self.came_back(back)

    def came_back(self, location: str) -> None:
        query = {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
        self.result = AuthorizationCodeResult(code=query["code"], state=query.get("state"), iss=query.get("iss"))

    async def code(self) -> AuthorizationCodeResult:
        assert self.result is not None, "the browser did not come back with a code"
        return self.result


async def test_the_sdk_oauth_client_signs_in_and_calls_tools_as_the_person(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    with start_oauth_demo(tmp_path) as server:
        person, storage = Person(), MemoryStorage()
        auth = OAuthClientProvider(
            server_url=server.mcp_url,
            client_metadata=OAuthClientMetadata(client_name="Python SDK test client", redirect_uris=[REDIRECT],
                                                grant_types=["authorization_code", "refresh_token"],
                                                response_types=["code"], token_endpoint_auth_method="none"),
            storage=storage,
            redirect_handler=person.open,
            callback_handler=person.code,
        )
        http = create_mcp_http_client()
        http.auth = auth
        async with Client(streamable_http_client(server.mcp_url, http_client=http), mode=mode,
                          read_timeout_seconds=30) as client:
            status = await client.call_tool("connection_status", {})
            assert status.structured_content["connected"] is True, status
            assert status.structured_content["username"] == "alex.morgan@example.com"
            rows = await client.call_tool("query_records", {"soql": "SELECT Id, Name FROM Account LIMIT 2"})
            assert rows.structured_content["returned"] == 2
        assert "Python SDK test client" in person.consent_page and "not verified" in person.consent_page
        assert storage.tokens is not None and storage.tokens.access_token.startswith("smcpa_")
        assert storage.tokens.refresh_token and storage.tokens.token_type.lower() == "bearer"

        # The refresh token rotates; the new access token works, the replaced refresh token is spent.
        async with httpx.AsyncClient(trust_env=False) as raw:
            old = storage.tokens.refresh_token
            client_id = storage.client_info.client_id
            renewed = await raw.post(server.public_url + "/token", data={
                "grant_type": "refresh_token", "refresh_token": old, "client_id": client_id})
            assert renewed.status_code == 200, renewed.text
            fresh = renewed.json()
            assert fresh["refresh_token"] != old and fresh["token_type"] == "Bearer"
            init = {"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-11-25", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}
            ok = await raw.post(server.mcp_url, json=init, headers={
                "Authorization": f"Bearer {fresh['access_token']}", "Accept": "application/json, text/event-stream"})
            assert ok.status_code == 200, ok.text
