use crate::app::audit::verify_chain;
use crate::app::Context;
use crate::config::Settings;

pub fn verify(settings: Settings) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let checked = verify_chain(&ctx).map_err(|e| format!("audit verify failed: {e}"))?;
    println!("audit chain intact: {checked} events verified");
    Ok(())
}
