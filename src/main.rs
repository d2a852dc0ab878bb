//! Command-line entry point: parse the command line and call into the library.

fn main() -> std::process::ExitCode {
    salesforce_mcp::cli::main()
}
