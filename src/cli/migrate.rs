use crate::app::Context;
use crate::config::Settings;

pub fn run(settings: Settings) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    let applied = ctx.migrate().map_err(|e| e.to_string())?;
    // Events from before the sequencer are sealed under the key at once, not only when a
    // server first runs.
    crate::app::audit::seal_chain(&ctx).map_err(|e| e.to_string())?;
    crate::app::rekey::seal_after_upgrade(&ctx, &applied).map_err(|e| e.to_string())?;
    if applied.is_empty() {
        println!("database is up to date");
    } else {
        for version in &applied {
            println!("applied migration {version}");
        }
    }
    Ok(())
}
