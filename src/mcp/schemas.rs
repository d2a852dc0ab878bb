//! Input schemas without boilerplate for `tools/list`: no `$schema`, `title` or type-level
//! description (the tool's description says it), no integer `format`s.

use std::sync::Arc;

use rmcp::handler::server::tool::schema_for_type;
use rmcp::model::JsonObject;
use schemars::JsonSchema;
use serde_json::Value;

/// The input schema of `T`, lean.
pub fn lean<T: JsonSchema + std::any::Any>() -> Arc<JsonObject> {
    let mut schema = (*schema_for_type::<T>()).clone();
    for key in ["$schema", "title", "description"] {
        schema.remove(key);
    }
    for value in schema.values_mut() {
        strip_formats(value);
    }
    Arc::new(schema)
}

/// Removes `"format": "int64"` and the like (the type and the range say enough), keeping any
/// property that happens to be named `format` (its value is an object).
fn strip_formats(value: &mut Value) {
    match value {
        Value::Object(map) => {
            if map.get("format").is_some_and(Value::is_string) {
                map.remove("format");
            }
            map.values_mut().for_each(strip_formats);
        }
        Value::Array(items) => items.iter_mut().for_each(strip_formats),
        _ => {}
    }
}
