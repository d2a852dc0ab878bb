"""Fixtures: one fresh demo server per test, once per MCP connection mode."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import AsyncIterator

import pytest

from harness import Demo, start_demo


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    # Every coroutine test runs on anyio's pytest plugin (shipped with anyio, an SDK dependency);
    # `demo` asks for anyio_backend itself so that the plugin keeps the `mode` parameters.
    for item in items:
        if inspect.iscoroutinefunction(getattr(item, "function", None)):
            item.add_marker(pytest.mark.anyio)


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


@pytest.fixture(params=["legacy", "auto"])
def mode(request: pytest.FixtureRequest) -> str:
    """legacy: the initialize handshake (2025-11-25); auto: discovery of 2026-07-28."""
    return request.param


@pytest.fixture
async def demo(anyio_backend: str, mode: str, tmp_path: Path) -> AsyncIterator[Demo]:
    """A demo server connected to its simulated org, with its own database."""
    async with start_demo(mode, tmp_path) as running:
        yield running
