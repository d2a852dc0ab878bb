//! HTTP: MCP over Streamable HTTP at `/mcp` with bearer API tokens, the RFC 9728 metadata, the
//! web pages (sign-in, connect, OAuth callback), health checks, and the terminal's OAuth callback.

pub mod accept;
pub mod auth;
pub mod authz;
pub mod callback;
pub mod health;
pub mod limits;
pub mod metadata;
pub mod server;
pub mod sessions;
pub mod web;

pub use server::{Access, HttpConfig, HttpState, PublicUrl, app, serve, serve_with};
