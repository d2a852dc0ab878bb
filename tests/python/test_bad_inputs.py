"""Bad inputs are tool results with isError and a message that helps; the server keeps answering."""

from __future__ import annotations

import re
from typing import Any

import pytest

from harness import Demo, text_of

BAD_CALLS = [
    pytest.param("describe_object", {"object": "Acount"}, r"\bAccount\b", id="unknown-object-suggests-Account"),
    pytest.param("get_record", {"object": "Account", "id": "001xyz"}, r"15 or 18", id="malformed-id"),
    pytest.param("get_record", {"object": "Account", "id": "001!!!!!!!!!!!!!!!"}, r"15 or 18", id="id-with-symbols"),
    pytest.param("query_records", {"soql": "DELETE FROM Account"}, r"SELECT", id="delete-statement"),
    pytest.param("query_records", {"soql": "SELECT Id FROM Account FOR UPDATE"}, r"FOR UPDATE", id="for-update"),
    pytest.param("query_records", {"soql": "SELECT Id FROM Account", "max_rows": 5000}, r"2,?000", id="max-rows-5000"),
    pytest.param("query_records", {"soql": "SELECT Id FROM Account", "max_rows": 0}, r"2,?000", id="max-rows-0"),
    pytest.param("query_records", {"soql": "SELECT Id, Nmae FROM Account"}, r"Nmae", id="unknown-field-in-soql"),
    pytest.param(
        "get_record",
        {"object": "Account", "id": "001000000000000AAA", "fields": ["Nmae"]},
        r"Nmae.*\bName\b",
        id="unknown-field-suggests-Name",
    ),
    pytest.param("query_records", {"cursor": "not-a-cursor"}, r"cursor", id="bogus-cursor"),
    pytest.param("query_records", {"soql": "SELECT Id FROM Account", "max_rows": "many"}, r"max_rows", id="wrong-type"),
    pytest.param("get_record", {"object": "Account"}, r"missing field `id`", id="missing-argument"),
    pytest.param("list_objects", {"name_contain": "acc"}, r"unknown field `name_contain`", id="unknown-argument"),
]


async def assert_still_answers(demo: Demo) -> None:
    status = await demo.ok("connection_status")
    assert status["connected"] is True


@pytest.mark.parametrize(("tool", "arguments", "helpful"), BAD_CALLS)
async def test_bad_input_is_a_tool_error_that_says_what_to_do(
    demo: Demo, tool: str, arguments: dict[str, Any], helpful: str
) -> None:
    result = await demo.call(tool, arguments)
    text = text_of(result)
    assert result.is_error is True, f"{tool}({arguments}) should fail, got: {text}"
    assert re.search(helpful, text, re.DOTALL), f"{tool}({arguments}) said: {text!r}"
    assert len(text) > 30, f"too terse to act on: {text!r}"
    await assert_still_answers(demo)


async def test_a_cursor_refuses_a_different_query(demo: Demo) -> None:
    first = await demo.ok("query_records", {"soql": "SELECT Id FROM Contact", "max_rows": 2})
    result = await demo.call(
        "query_records", {"soql": "SELECT Id FROM Account", "max_rows": 2, "cursor": first["next_cursor"]}
    )
    assert result.is_error is True, text_of(result)
    assert "cursor" in text_of(result).lower()
    await assert_still_answers(demo)


async def test_many_bad_calls_in_a_row_leave_the_server_working(demo: Demo) -> None:
    for _ in range(3):
        for call in BAD_CALLS:
            tool, arguments, _helpful = call.values
            assert (await demo.call(tool, arguments)).is_error is True
    accounts = await demo.ok("query_records", {"soql": "SELECT Id FROM Account LIMIT 2"})
    assert accounts["returned"] == 2
