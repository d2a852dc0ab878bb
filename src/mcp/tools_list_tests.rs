//! The size of `tools/list`, with every tool: descriptions plus input schemas at most 16 KB, the
//! whole answer at most 40 KB (DESIGN "Reads people use").

use rmcp::model::ListToolsResult;

use super::SalesforceMcp;

/// (descriptions + input schemas, whole `tools/list` result) in bytes, as JSON.
fn sizes() -> (usize, usize) {
    let tools = SalesforceMcp::tool_router().list_all();
    let tools = [tools, SalesforceMcp::reads_router().list_all()].concat();
    let described: usize = tools
        .iter()
        .map(|t| {
            let description = t.description.as_deref().unwrap_or_default();
            let schema = serde_json::to_string(&*t.input_schema).unwrap_or_default();
            serde_json::to_string(description).unwrap_or_default().len() + schema.len()
        })
        .sum();
    let whole = serde_json::to_string(&ListToolsResult::with_all_items(tools)).unwrap_or_default();
    (described, whole.len())
}

#[test]
fn tools_list_stays_within_its_budgets() {
    let (described, whole) = sizes();
    eprintln!("tools/list: descriptions + input schemas {described} bytes, whole {whole} bytes");
    assert!(
        described <= 16 * 1024,
        "descriptions + input schemas: {described} bytes"
    );
    assert!(whole <= 40 * 1024, "tools/list: {whole} bytes");
}

#[test]
fn enumerated_arguments_are_json_schema_enums() {
    let tools = [
        SalesforceMcp::tool_router().list_all(),
        SalesforceMcp::reads_router().list_all(),
    ]
    .concat();
    let property = |tool: &str, name: &str| {
        let t = tools
            .iter()
            .find(|t| t.name == tool)
            .map(|t| serde_json::Value::Object((*t.input_schema).clone()));
        t.map(|s| s["properties"][name].clone()).unwrap_or_default()
    };
    assert!(
        property("list_objects", "capability")["enum"]
            .as_array()
            .is_some_and(|e| e.contains(&"delete".into()))
    );
    assert!(
        property("prepare_change", "operation")["enum"]
            .as_array()
            .is_some_and(|e| e.len() == 4)
    );
    assert!(
        property("list_changes", "status")["enum"]
            .as_array()
            .is_some_and(|e| e.contains(&"conflict".into()))
    );
    assert!(
        property("describe_object", "include")["items"]["enum"]
            .as_array()
            .is_some_and(|e| e.contains(&"list_views".into()))
    );
    for t in &tools {
        for boilerplate in ["$schema", "title"] {
            assert!(
                !t.input_schema.contains_key(boilerplate),
                "{} input schema has {boilerplate}",
                t.name
            );
        }
    }
}
