"""A change of many records through an independent MCP client: one elicitation shows every
record, accepting writes once (one sObject Collections request), declining writes nothing."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from harness import Demo, start_demo, text_of
from test_changes import Person


async def prepare_batch(demo: Demo, count: int) -> tuple[dict[str, Any], list[str]]:
    page = await demo.ok("query_records", {"soql": f"SELECT Id FROM Contact ORDER BY Name LIMIT {count}"})
    ids = [r["Id"] for r in page["records"]]
    records = [{"record_id": i, "fields": {"Title": "Reviewed"}} for i in ids]
    change = await demo.ok("prepare_change", {"operation": "update", "object": "Contact", "records": records})
    assert change["count"] == count and len(change["records"]) == count
    assert demo.writes() == [], "prepare_change writes nothing"
    return change, ids


async def test_a_batch_accepted_through_elicitation_writes_once(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    person = Person("accept")
    async with start_demo(mode, tmp_path, elicitation_callback=person) as demo:
        change, ids = await prepare_batch(demo, 40)
        done = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert done["status"] == "succeeded", done
        assert len(person.messages) == 1
        message = person.messages[0]
        assert '-> "Reviewed" on 40 records' in message, message
        for record_id in ids:
            assert record_id in message, f"{record_id} missing from the elicitation message"
        sent = demo.writes()
        assert [(r["method"], r["path"].rsplit("/", 2)[-2:]) for r in sent] == [("PATCH", ["composite", "sobjects"])]
        assert [r["id"] for r in sent[0]["body"]["records"]] == ids
        assert sent[0]["body"]["allOrNone"] is True


async def test_a_declined_batch_writes_nothing(anyio_backend: str, mode: str, tmp_path: Path) -> None:
    async with start_demo(mode, tmp_path, elicitation_callback=Person("decline")) as demo:
        change, _ = await prepare_batch(demo, 5)
        done = await demo.ok("confirm_change", {"change_id": change["change_id"]})
        assert done["status"] == "rejected"
        assert demo.writes() == []


async def test_describe_object_shows_the_picklist_values_of_one_record_type(demo: Demo) -> None:
    full = await demo.ok("describe_object", {"object": "Case", "fields_matching": "Status", "include": ["picklists"]})
    status = next(f for f in full["fields"] if f["name"] == "Status")
    assert "Escalated" in status["picklist_values"], status
    internal = await demo.ok("describe_object", {"object": "Case", "fields_matching": "Status", "record_type": "Internal"})
    status = next(f for f in internal["fields"] if f["name"] == "Status")
    assert "Escalated" not in status["picklist_values"] and status["picklist_values"], status
    assert internal["record_type"]["developer_name"] == "Internal"
    unknown = await demo.call("describe_object", {"object": "Case", "record_type": "Nope"})
    assert unknown.is_error and "Internal" in text_of(unknown)
