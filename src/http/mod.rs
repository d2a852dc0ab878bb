//! HTTP: the OAuth callback (terminal and web), MCP over Streamable HTTP.

pub mod callback;
