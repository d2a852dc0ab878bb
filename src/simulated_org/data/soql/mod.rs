//! SOQL: tokenizer, parser, binding against the schema, and execution over the store.

mod ast;
mod bind;
mod exec;
mod lexer;
mod literal;
mod parser;
mod restrict;
#[cfg(test)]
mod tests;

pub use bind::{Plan, compile_on};
pub use exec::{build, matching_rows};
pub use lexer::{Pos, Tok, Token, tokenize};
pub use parser::parse_returning;

use super::store::Store;
use super::{ApiError, QueryOutput};

/// A query error before it is shown with Salesforce's caret lines.
#[derive(Debug, Clone, PartialEq)]
pub struct QueryError {
    /// Where the problem is.
    pub pos: Pos,
    /// `MALFORMED_QUERY`, `INVALID_FIELD`, `INVALID_TYPE`...
    pub code: &'static str,
    /// The last line of the message.
    pub message: String,
}

impl QueryError {
    /// A `MALFORMED_QUERY` error.
    pub fn malformed(pos: Pos, message: String) -> Self {
        Self {
            pos,
            code: "MALFORMED_QUERY",
            message,
        }
    }

    /// The 400 error body, with the offending query line and a caret under the column:
    /// `"\nSELECT Id, FROM Account\n           ^\nERROR at Row:1:Column:12\nunexpected token: 'FROM'"`.
    pub fn into_api_error(self, query: &str) -> ApiError {
        ApiError::new(
            400,
            self.code,
            &caret_message(query, self.pos, &self.message),
        )
    }
}

/// Salesforce's caret format for query and search errors.
pub fn caret_message(query: &str, pos: Pos, message: &str) -> String {
    let line = query
        .lines()
        .nth(pos.row.saturating_sub(1))
        .unwrap_or(query);
    let pad = " ".repeat(pos.col.saturating_sub(1));
    format!(
        "\n{line}\n{pad}^\nERROR at Row:{}:Column:{}\n{message}",
        pos.row, pos.col
    )
}

/// Run `soql` against the store; `include_deleted` for queryAll.
pub fn run(
    store: &Store,
    soql: &str,
    version: &str,
    include_deleted: bool,
) -> Result<QueryOutput, ApiError> {
    let tokens = lexer::tokenize(soql)
        .map_err(|e| QueryError::malformed(e.pos, e.message).into_api_error(soql))?;
    let query = parser::parse(&tokens).map_err(|e| e.into_api_error(soql))?;
    restrict::check(&query)?;
    let plan = bind::compile(store, &query).map_err(|e| e.into_api_error(soql))?;
    Ok(exec::execute(store, &plan, version, include_deleted))
}
