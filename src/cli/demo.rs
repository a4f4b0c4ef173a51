use crate::app::{demo, Context};
use crate::config::Settings;

pub fn run(settings: Settings) -> Result<(), String> {
    let ctx = Context::open_for_command(settings).map_err(|e| e.to_string())?;
    ctx.migrate().map_err(|e| e.to_string())?;
    let loaded = demo::load(&ctx).map_err(|e| e.to_string())?;
    // Sequenced at once, so that the audit feed and `audit verify` see the demo's events
    // before any server runs.
    crate::app::audit::sequence_pending(
        &ctx,
        crate::app::audit::DEFAULT_BATCH,
        std::time::Duration::from_secs(60),
        || false,
    )
    .map_err(|e| e.to_string())?;
    println!("loaded {} demo requests:", loaded.len());
    for request in loaded {
        match request.status_link {
            Some(link) => println!("  {}  {:<20} {link}", request.reference, request.status),
            None => println!("  {}  {}", request.reference, request.status),
        }
    }
    println!("verification mails are delivered when the portal runs (`rightsdesk serve`).");
    Ok(())
}
