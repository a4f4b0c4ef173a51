use std::process::ExitCode;

fn main() -> ExitCode {
    rightsdesk::cli::run()
}
