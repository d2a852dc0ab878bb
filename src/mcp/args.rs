//! Tool arguments that never become protocol errors: a mistake (wrong type, unknown or missing
//! field) is a tool result with `isError` that names the argument, as DESIGN requires.

use rmcp::handler::server::common::FromContextPart;
use rmcp::handler::server::tool::ToolCallContext;
use rmcp::model::{CallToolResult, ContentBlock};
use serde::de::DeserializeOwned;

/// A tool's parsed arguments, or the error result to return.
pub struct Args<T>(pub Result<T, CallToolResult>);

/// Parses a tool's arguments, naming the tool and the path of a bad argument.
pub fn parse<T: DeserializeOwned>(
    tool: &str,
    args: rmcp::model::JsonObject,
) -> Result<T, CallToolResult> {
    serde_path_to_error::deserialize(serde_json::Value::Object(args)).map_err(|e| {
        let path = e.path().to_string();
        let at = if path == "." { String::new() } else { format!(" at `{path}`") };
        CallToolResult::error(vec![ContentBlock::text(format!(
            "Invalid arguments for {tool}{at}: {}. Check the tool's input schema and call it again.",
            e.inner()
        ))])
    })
}

impl<S, T: DeserializeOwned> FromContextPart<ToolCallContext<'_, S>> for Args<T> {
    fn from_context_part(context: &mut ToolCallContext<'_, S>) -> Result<Self, rmcp::ErrorData> {
        let arguments = context.arguments.take().unwrap_or_default();
        Ok(Self(parse(&context.name, arguments)))
    }
}
