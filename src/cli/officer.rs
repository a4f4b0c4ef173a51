use std::io::{BufRead, IsTerminal, Write};

use crate::app::officers::{self, NewOfficerInput, Requester};
use crate::app::Context;
use crate::config::Settings;
use crate::error::AppError;

/// Creates an officer. The password comes from RIGHTSDESK_PASSWORD or, on a terminal, a
/// prompt (read from standard input; it is not echoed back by this command).
pub fn create(
    settings: Settings,
    email: String,
    name: String,
    role: String,
    regions: Vec<String>,
) -> Result<(), String> {
    let password = match std::env::var("RIGHTSDESK_PASSWORD") {
        Ok(password) if !password.is_empty() => password,
        _ => prompt_password()?,
    };
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    let input = NewOfficerInput {
        email,
        name,
        role,
        regions,
        password,
    };
    match officers::create(&ctx, Requester::Operator, &input) {
        Ok(id) => {
            println!("officer created: {id}");
            Ok(())
        }
        Err(AppError::Invalid(errors)) => Err(errors
            .iter()
            .map(|e| format!("--{}: {}", e.field.replace('_', "-"), e.message))
            .collect::<Vec<_>>()
            .join("; ")
            .replace("--password:", "password:")),
        Err(error) => Err(error.to_string()),
    }
}

fn prompt_password() -> Result<String, String> {
    let stdin = std::io::stdin();
    if !stdin.is_terminal() {
        return Err(
            "set RIGHTSDESK_PASSWORD or run on a terminal to be asked for the password".to_string(),
        );
    }
    eprint!("Password for the new officer (at least 12 characters): ");
    std::io::stderr().flush().map_err(|e| e.to_string())?;
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .map_err(|e| e.to_string())?;
    Ok(line.trim_end_matches(['\r', '\n']).to_string())
}
