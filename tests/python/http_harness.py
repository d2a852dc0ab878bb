"""Starts `salesforce-mcp demo --http` with test people (API tokens, not yet connected) and
drives the web pages like a browser: sign in, connect through the simulated org, disconnect."""

from __future__ import annotations

import json
import re
import subprocess
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import httpx2 as httpx

from harness import BANNER, server_binary

CSRF = re.compile(r'name="csrf" value="([^"]+)"')


@dataclass
class HttpServer:
    """A running HTTP server: its public URL, the simulated org, and the people's tokens."""

    public_url: str
    org_url: str
    tokens: dict[str, str]
    pid: int

    @property
    def mcp_url(self) -> str:
        return self.public_url + "/mcp"


@contextmanager
def start_http_demo(workdir: Path, people: int = 2, extra: list[str] | None = None) -> Iterator[HttpServer]:
    """Runs the demo over HTTP on a free loopback port with `people` test people."""
    tokens_file = workdir / "people.json"
    stderr_path = workdir / "server-stderr.log"
    args = [str(server_binary()), "demo", "--http", "127.0.0.1:0", "--db", str(workdir / "http.db"),
            "--test-people", str(people), "--test-tokens-file", str(tokens_file), *(extra or [])]
    with stderr_path.open("w") as errlog:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            deadline = time.monotonic() + 20
            while not (tokens_file.exists() and "MCP over HTTP at" in stderr_path.read_text()):
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the HTTP demo did not start:\n{stderr_path.read_text()}")
                time.sleep(0.05)
            doc = json.loads(tokens_file.read_text())
            banner = BANNER.search(stderr_path.read_text())
            assert banner, stderr_path.read_text()
            tokens = {p["email"]: p["token"] for p in doc["people"]}
            yield HttpServer(doc["public_url"], banner["org"], tokens, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, f"no CSRF field in the page:\n{html}"
    return found.group(1)


async def sign_in(browser: httpx.AsyncClient, server: HttpServer, token: str) -> None:
    """Signs in on /login with an API token (the session cookie stays in `browser`)."""
    page = await browser.get(server.public_url + "/login")
    assert page.status_code == 200, page.text
    done = await browser.post(server.public_url + "/login",
                              data={"token": token, "csrf": csrf_of(page.text), "next": "/connect"})
    assert done.status_code == 303 and done.headers["location"] == "/connect", done.text


async def connect_via_web(server: HttpServer, token: str, sf_username: str) -> str:
    """Signs in, presses Connect, signs in to the simulated org as `sf_username` (login_hint),
    follows the redirect back to the callback; returns the result page's text."""
    async with httpx.AsyncClient(timeout=20, trust_env=False) as browser:
        await sign_in(browser, server, token)
        page = await browser.get(server.public_url + "/connect")
        start = await browser.post(server.public_url + "/connect", data={"csrf": csrf_of(page.text)})
        assert start.status_code == 303, start.text
        authorize = start.headers["location"]
        assert authorize.startswith(server.org_url), authorize
        approved = await browser.get(authorize + "&login_hint=" + sf_username)
        assert approved.status_code in (302, 303), approved.text
        callback = approved.headers["location"]
        assert callback.startswith(server.public_url + "/api/integrations/callback/salesforce"), callback
        result = await browser.get(callback)
        assert result.status_code == 200, result.text
        return result.text


@contextmanager
def start_oauth_demo(workdir: Path) -> Iterator[HttpServer]:
    """Runs `demo --http --oauth on`: MCP clients sign in with the simulated org (OAuth)."""
    stderr_path = workdir / "server-stderr.log"
    args = [str(server_binary()), "demo", "--http", "127.0.0.1:0", "--db", str(workdir / "oauth.db"),
            "--oauth", "on"]
    with stderr_path.open("w") as errlog:
        process = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=errlog)
        try:
            deadline = time.monotonic() + 20
            found = None
            while found is None:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise AssertionError(f"the OAuth demo did not start:\n{stderr_path.read_text()}")
                found = re.search(r"MCP over HTTP at (\S+)/mcp", stderr_path.read_text())
                time.sleep(0.05)
            banner = BANNER.search(stderr_path.read_text())
            assert banner, stderr_path.read_text()
            yield HttpServer(found.group(1), banner["org"], {}, process.pid)
        finally:
            process.terminate()
            process.wait(timeout=10)
