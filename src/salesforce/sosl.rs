//! (pending: branch sf-core)
