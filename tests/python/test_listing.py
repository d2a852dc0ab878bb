"""tools/list and prompts: what a client sees before calling anything."""

from __future__ import annotations

from harness import READ_TOOLS, WRITE_TOOLS, Demo

REQUIRED_ARGUMENTS = {
    "describe_object": {"object"},
    "search_records": {"text"},
    "get_record": {"object", "id"},
}
PROMPTS = {
    "explore_objects": set(),
    "account_followups": {"account"},
    "find_related_records": {"topic"},
    "prepare_followup_update": {"record", "note"},
}


async def test_tools_list_has_the_six_read_tools_with_schemas_and_read_only_annotations(demo: Demo) -> None:
    tools = {tool.name: tool for tool in (await demo.client.list_tools()).tools}
    assert READ_TOOLS <= set(tools), f"missing read tools: {READ_TOOLS - set(tools)}"
    assert set(tools) <= READ_TOOLS | WRITE_TOOLS, f"unexpected tools: {set(tools) - READ_TOOLS - WRITE_TOOLS}"
    for name in READ_TOOLS:
        tool = tools[name]
        assert tool.description, f"{name} has no description"
        assert tool.input_schema.get("type") == "object", f"{name} input schema: {tool.input_schema}"
        assert tool.annotations is not None and tool.annotations.read_only_hint is True, name
        assert tool.annotations.destructive_hint is not True, name
        required = set(tool.input_schema.get("required", []))
        properties = set(tool.input_schema.get("properties", {}))
        assert REQUIRED_ARGUMENTS.get(name, set()) <= required, f"{name} required: {required}"
        assert required <= properties, f"{name} requires undeclared arguments"
    query_properties = tools["query_records"].input_schema["properties"]
    assert {"soql", "max_rows", "cursor"} <= set(query_properties)


async def test_prompts_list_has_four_prompts_with_their_arguments(demo: Demo) -> None:
    prompts = {prompt.name: prompt for prompt in (await demo.client.list_prompts()).prompts}
    assert set(prompts) == set(PROMPTS)
    for name, expected in PROMPTS.items():
        arguments = {argument.name: argument for argument in prompts[name].arguments or []}
        assert set(arguments) == expected, f"{name} arguments: {set(arguments)}"
        assert all(argument.required for argument in arguments.values()), name
        assert prompts[name].description, f"{name} has no description"


async def test_get_prompt_fills_its_arguments_into_the_message(demo: Demo) -> None:
    account = await demo.client.get_prompt("account_followups", {"account": "Acme & Sons {West}"})
    account_text = " ".join(m.content.text for m in account.messages if m.content.type == "text")
    assert "Acme & Sons {West}" in account_text
    assert "{{" not in account_text and "{account}" not in account_text

    update = await demo.client.get_prompt(
        "prepare_followup_update", {"record": "Acme Corporation", "note": "Call back on Friday about renewal"}
    )
    update_text = " ".join(m.content.text for m in update.messages if m.content.type == "text")
    assert "Acme Corporation" in update_text
    assert "Call back on Friday about renewal" in update_text
