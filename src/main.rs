//! The `crescent` command line: run a game headless, run Lua tests.

mod cli;

fn main() -> std::process::ExitCode {
    cli::main()
}
