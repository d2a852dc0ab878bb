"""Prepared changes through an independent MCP client: the person approves or declines in the
client (elicitation/create in legacy mode, InputRequiredResult rounds in auto mode), or, with
no elicitation at all, with `salesforce-mcp changes approve`. Asserted on the org's request log."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path
from typing import Any

from mcp import types

from harness import Demo, server_binary, start_demo, text_of

PHONE = "+1 555 0199"


def writes(demo: Demo) -> list[dict[str, Any]]:
    return [
        r
        for r in demo.sim_requests()
        if r["path"].startswith("/services/data/v") and r["method"] in ("POST", "PATCH", "DELETE")
    ]


class Person:
    """An elicitation callback that answers every approval question the same way."""

    def __init__(self, action: str, approve: bool = True) -> None:
        self.action = action
        self.approve = approve
        self.messages: list[str] = []

    async def __call__(self, context: Any, params: types.ElicitRequestParams) -> types.ElicitResult:
        self.messages.append(params.message)
        content = {"approve": self.approve} if self.action == "accept" else None
        return types.ElicitResult(action=self.action, content=content)


async def prepare_phone_update(demo: Demo) -> dict[str, Any]:
    page = await demo.ok("query_records", {"soql": "SELECT Id FROM Account ORDER BY Name LIMIT 1"})
    record_id = page["records"][0]["Id"]
    change = await demo.ok(
        "prepare_change",
        {"operation": "update", "object": "Account", "record_id": record_id, "fields": {"Phone": PHONE}},
    )
    assert change["status"] == "pending"
    assert change["fields"][0]["name"] == "Phone" and change["fields"][0]["after"] == PHONE
    assert writes(demo) == [], "prepare_change writes nothing"
    return change


async def test_accepting_executes_exactly_once_with_the_previewed_values(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    person = Person("accept")
    async with start_demo(mode, tmp_path, elicitation_callback=person) as demo:
        change = await prepare_phone_update(demo)
        done = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert done["status"] == "succeeded", done
        assert len(person.messages) == 1 and "Account Phone (Phone)" in person.messages[0]
        sent = writes(demo)
        assert [(r["method"], r["body"]) for r in sent] == [("PATCH", {"Phone": PHONE})]

        again = await demo.call("confirm_change", {"change_id": change["change_id"]})
        assert again.is_error and "succeeded, not pending" in text_of(again)
        assert again.structured_content["status"] == "succeeded", "the first outcome comes back"
        assert again.structured_content["result"] == done["result"]
        assert len(writes(demo)) == 1, "a second confirm sends nothing"
        assert len(person.messages) == 1, "a finished change is not asked about again"


async def test_declining_rejects_the_change_and_writes_nothing(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    async with start_demo(mode, tmp_path, elicitation_callback=Person("decline")) as demo:
        change = await prepare_phone_update(demo)
        done = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert done["status"] == "rejected"
        assert writes(demo) == []
        listed = await demo.ok("list_changes", {"status": "rejected"})
        assert [c["change_id"] for c in listed["changes"]] == [change["change_id"]]


async def test_accepting_with_approve_false_rejects(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    async with start_demo(mode, tmp_path, elicitation_callback=Person("accept", approve=False)) as demo:
        change = await prepare_phone_update(demo)
        done = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert done["status"] == "rejected"
        assert writes(demo) == []


def changes_command(db: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "SALESFORCE_MCP_ALLOW_INSECURE_LOOPBACK": "1"}
    env.pop("SALESFORCE_MCP_DB", None)
    return subprocess.run(
        [str(server_binary()), "changes", *args, "--db", str(db)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )


async def test_without_elicitation_nothing_is_written_until_changes_approve(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    db = tmp_path / "shared.db"
    async with start_demo(mode, tmp_path, extra_args=["--db", str(db)]) as demo:
        change = await prepare_phone_update(demo)
        change_id = change["change_id"]
        waiting = await demo.ok("confirm_change", {"change_id": change_id})
        assert waiting["status"] == "pending"
        assert f"salesforce-mcp changes approve {change_id}" in waiting["next_step"]
        assert writes(demo) == []

        no_yes = changes_command(db, "approve", change_id)
        assert no_yes.returncode == 2 and "--yes" in no_yes.stderr
        assert writes(demo) == []

        approved = changes_command(db, "approve", change_id, "--yes")
        assert approved.returncode == 0, approved.stderr
        assert "Succeeded" in approved.stdout
        assert [(r["method"], r["body"]) for r in writes(demo)] == [("PATCH", {"Phone": PHONE})]

        twice = changes_command(db, "approve", change_id, "--yes")
        assert twice.returncode == 1 and "succeeded" in twice.stderr
        assert len(writes(demo)) == 1
        shown = await demo.ok("list_changes", {"status": "succeeded"})
        assert shown["changes"][0]["approved_via"] == "command_line"


async def test_client_consent_policy_counts_the_confirm_call_as_approval(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    async with start_demo(mode, tmp_path, extra_args=["--approval", "client-consent"]) as demo:
        change = await prepare_phone_update(demo)
        done = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert done["status"] == "succeeded", done
        assert done.get("approved_via") == "client_consent", done
        assert [(r["method"], r["body"]) for r in writes(demo)] == [("PATCH", {"Phone": PHONE})]


async def test_without_the_policy_a_client_without_elicitation_cannot_approve(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    async with start_demo(mode, tmp_path) as demo:
        change = await prepare_phone_update(demo)
        waiting = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert waiting["status"] == "pending", waiting
        assert f"salesforce-mcp changes approve {change['change_id']}" in text_of_result(waiting)
        assert writes(demo) == []


def text_of_result(structured: dict[str, Any]) -> str:
    return " ".join(str(structured.get(k, "")) for k in ("next_step", "preview"))
