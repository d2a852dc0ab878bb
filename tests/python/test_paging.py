"""query_records paging: following next_cursor returns every row exactly once."""

from __future__ import annotations

from typing import Any

import pytest

from harness import Demo, text_of

CONTACTS = "SELECT Id, LastName FROM Contact"


async def page_through(demo: Demo, soql: str, max_rows: int) -> tuple[list[str], list[dict[str, Any]]]:
    """All Ids over every page, and the pages' structured content."""
    ids: list[str] = []
    pages: list[dict[str, Any]] = []
    arguments: dict[str, Any] = {"soql": soql, "max_rows": max_rows}
    for _ in range(500):
        result = await demo.call("query_records", arguments)
        assert not result.is_error, text_of(result)
        page = result.structured_content
        pages.append(page)
        assert page["returned"] == len(page["records"]) <= max_rows
        ids.extend(record["Id"] for record in page["records"])
        cursor = page.get("next_cursor")
        if not cursor:
            return ids, pages
        assert page["returned"] == max_rows, "a page before the last one should be full"
        assert cursor in text_of(result), "the text block should say how to continue"
        arguments = {"cursor": cursor, "max_rows": max_rows}
    raise AssertionError("query_records never stopped returning next_cursor")


async def contact_count(demo: Demo) -> int:
    counted = await demo.ok("query_records", {"soql": "SELECT COUNT() FROM Contact"})
    return counted["total_size"]


@pytest.mark.parametrize("salesforce_batch", [None, 5], ids=["default-batch", "batch-of-5"])
async def test_paging_contacts_seven_at_a_time_loses_and_repeats_no_row(demo: Demo, salesforce_batch: int | None) -> None:
    if salesforce_batch is not None:
        # Salesforce batches smaller than max_rows: pages end in the middle of a batch.
        demo.sim_post(f"/_sim/batch-size?n={salesforce_batch}")
    total = await contact_count(demo)
    assert total > 3 * 7, f"the sample org should have many contacts, has {total}"

    paged_ids, pages = await page_through(demo, CONTACTS, 7)
    whole = await demo.ok("query_records", {"soql": CONTACTS, "max_rows": 2000})

    assert len(paged_ids) == len(set(paged_ids)), "a row came back twice"
    assert set(paged_ids) == {record["Id"] for record in whole["records"]}
    assert len(paged_ids) == total == whole["total_size"] == whole["returned"]
    assert len(pages) == -(-total // 7)
    assert all(page["total_size"] == total for page in pages)
    assert "next_cursor" not in whole or whole["next_cursor"] is None


async def test_a_cursor_continues_with_the_same_soql_repeated(demo: Demo) -> None:
    first = await demo.ok("query_records", {"soql": CONTACTS, "max_rows": 3})
    second = await demo.ok("query_records", {"soql": CONTACTS, "max_rows": 3, "cursor": first["next_cursor"]})
    first_ids = {record["Id"] for record in first["records"]}
    second_ids = {record["Id"] for record in second["records"]}
    assert len(first_ids) == len(second_ids) == 3
    assert not first_ids & second_ids
