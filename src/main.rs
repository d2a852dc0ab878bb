//! Command-line entry point: parse the command line and call into the library.
fn main() {}
