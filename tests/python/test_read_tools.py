"""Each read tool, called as a client would, checked in both structured content and text."""

from __future__ import annotations

from typing import Any

from harness import Demo, text_of


async def all_objects(demo: Demo) -> list[dict[str, Any]]:
    objects: list[dict[str, Any]] = []
    arguments: dict[str, Any] = {}
    for _ in range(50):
        page = await demo.ok("list_objects", arguments)
        objects.extend(page["objects"])
        if not page.get("next_cursor"):
            return objects
        arguments = {"cursor": page["next_cursor"]}
    raise AssertionError("list_objects never stopped returning next_cursor")


async def test_connection_status_reports_the_connected_user(demo: Demo) -> None:
    result = await demo.call("connection_status")
    assert not result.is_error, text_of(result)
    status = result.structured_content
    assert status["connected"] is True
    assert status["status"] == "active"
    assert status["username"] == demo.username
    assert status["instance_url"] == demo.org_url
    assert status["org_id"].startswith("00D")
    assert status["app"] == "org"
    assert status["offline_refresh"] is True
    assert "api" in status["scopes"]
    assert demo.username in text_of(result)


async def test_list_objects_includes_account_and_project_with_capabilities(demo: Demo) -> None:
    objects = {o["name"]: o for o in await all_objects(demo)}
    assert "Account" in objects and "Project__c" in objects, sorted(objects)
    assert {"query", "search"} <= set(objects["Account"]["capabilities"])
    assert "query" in objects["Project__c"]["capabilities"]
    assert objects["Project__c"]["custom"] is True
    assert objects["Account"]["custom"] is False
    assert objects["Account"]["label"]

    custom = await demo.call("list_objects", {"custom_only": True})
    assert not custom.is_error, text_of(custom)
    names = [o["name"] for o in custom.structured_content["objects"]]
    assert "Project__c" in names and "Account" not in names
    assert "Project__c" in text_of(custom)


async def test_describe_object_account_has_a_labelled_name_field(demo: Demo) -> None:
    result = await demo.call("describe_object", {"object": "Account"})
    assert not result.is_error, text_of(result)
    info = result.structured_content
    assert info["name"] == "Account"
    assert "query" in info["capabilities"]
    fields = {f["name"]: f for f in info["fields"]}
    assert "Id" in fields and "Name" in fields
    name_field = fields["Name"]
    assert name_field["label"] and name_field["type"] == "string"
    assert info["total_fields"] >= len(fields)
    assert f'- Name "{name_field["label"]}"' in text_of(result)


async def test_search_records_finds_the_account_with_reserved_characters_in_its_name(demo: Demo) -> None:
    name = "Acme & Sons {West}"
    result = await demo.call("search_records", {"text": name, "objects": [{"name": "Account", "fields": ["Name"]}]})
    assert not result.is_error, text_of(result)
    groups = {g["object"]: g["records"] for g in result.structured_content["results"]}
    matches = [r for r in groups.get("Account", []) if r.get("Name") == name]
    assert len(matches) == 1, groups
    assert len(matches[0]["Id"]) == 18
    assert result.structured_content["total"] >= 1
    assert name in text_of(result)


async def test_get_record_returns_the_record_a_query_found(demo: Demo) -> None:
    found = await demo.ok("query_records", {"soql": "SELECT Id, Name FROM Account WHERE Name = 'Acme Corporation'"})
    assert found["total_size"] == 1 and found["returned"] == 1, found
    account_id = found["records"][0]["Id"]

    result = await demo.call("get_record", {"object": "Account", "id": account_id})
    assert not result.is_error, text_of(result)
    record = result.structured_content
    assert record["id"] == account_id and record["object"] == "Account"
    assert record["record"]["Id"] == account_id
    assert record["record"]["Name"] == "Acme Corporation"
    assert account_id in text_of(result)

    short = await demo.ok("get_record", {"object": "Account", "id": account_id[:15], "fields": ["Name"]})
    assert short["id"] == account_id, "a 15-character id should come back as the 18-character id"
    assert short["record"]["Name"] == "Acme Corporation"
