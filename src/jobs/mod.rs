//! Background work inside `serve`: each job is idempotent and safe beside other instances,
//! and stops at a safe point when the process is asked to stop.

pub mod audit_sequencer;
pub mod maintenance;
pub mod outbox;
pub mod retention;
pub mod webhooks;

use tokio::sync::watch;

/// Fired once, when `serve` is told to stop.
pub struct ShutdownTrigger(watch::Sender<bool>);

/// What a job watches to know it should stop.
#[derive(Clone)]
pub struct Shutdown(watch::Receiver<bool>);

/// A trigger and the signal it fires.
pub fn shutdown_signal() -> (ShutdownTrigger, Shutdown) {
    let (sender, receiver) = watch::channel(false);
    (ShutdownTrigger(sender), Shutdown(receiver))
}

impl ShutdownTrigger {
    pub fn fire(&self) {
        self.0.send_replace(true);
    }
}

impl Shutdown {
    /// A signal that never fires (for a job run on its own, as in tests).
    pub fn never() -> Shutdown {
        let (sender, receiver) = watch::channel(false);
        // The receiver keeps the last value once the sender is gone: false for ever.
        drop(sender);
        Shutdown(receiver)
    }

    pub fn is_requested(&self) -> bool {
        *self.0.borrow()
    }

    /// Resolves once stopping is requested; never, for [`Shutdown::never`].
    pub async fn requested(&mut self) {
        if self.0.wait_for(|stop| *stop).await.is_err() {
            std::future::pending::<()>().await;
        }
    }
}
