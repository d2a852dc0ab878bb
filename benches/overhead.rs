//! Benchmarks: server overhead per tool call against the in-process simulated org.
fn main() {}
