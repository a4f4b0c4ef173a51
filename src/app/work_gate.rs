//! A bound on how many costly jobs of one kind run at once. Password checks use Argon2 with
//! 19 MiB each, on purpose: without a bound, a burst of sign-ins could use up memory. Past
//! the bound a job waits a little, then is refused, so the caller can answer "busy, try
//! again" instead of piling up.

use std::sync::{Condvar, Mutex, PoisonError};
use std::time::{Duration, Instant};

pub struct WorkGate {
    capacity: usize,
    running: Mutex<usize>,
    freed: Condvar,
}

/// A place in the gate, given back when dropped.
pub struct WorkPermit<'a> {
    gate: &'a WorkGate,
}

impl WorkGate {
    pub fn new(capacity: usize) -> WorkGate {
        WorkGate {
            capacity: capacity.max(1),
            running: Mutex::new(0),
            freed: Condvar::new(),
        }
    }

    /// A place, waiting at most `patience` for one; `None` when the gate stays full.
    pub fn enter(&self, patience: Duration) -> Option<WorkPermit<'_>> {
        let deadline = Instant::now() + patience;
        let mut running = self.running.lock().unwrap_or_else(PoisonError::into_inner);
        while *running >= self.capacity {
            let left = deadline.checked_duration_since(Instant::now())?;
            let (guard, timeout) = self
                .freed
                .wait_timeout(running, left)
                .unwrap_or_else(PoisonError::into_inner);
            running = guard;
            if timeout.timed_out() && *running >= self.capacity {
                return None;
            }
        }
        *running += 1;
        Some(WorkPermit { gate: self })
    }

    pub fn capacity(&self) -> usize {
        self.capacity
    }
}

impl Drop for WorkPermit<'_> {
    fn drop(&mut self) {
        let mut running = self
            .gate
            .running
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        *running -= 1;
        self.gate.freed.notify_one();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_full_gate_refuses_after_its_patience_and_a_freed_place_is_taken() {
        let gate = WorkGate::new(2);
        let first = gate.enter(Duration::ZERO).expect("a place");
        let _second = gate.enter(Duration::ZERO).expect("a place");
        let started = Instant::now();
        assert!(gate.enter(Duration::from_millis(50)).is_none());
        assert!(started.elapsed() >= Duration::from_millis(50));
        drop(first);
        assert!(gate.enter(Duration::ZERO).is_some());
    }

    #[test]
    fn a_waiting_job_gets_the_place_another_gives_back() {
        let gate = std::sync::Arc::new(WorkGate::new(1));
        let held = gate.enter(Duration::ZERO).expect("a place");
        let waiter = {
            let gate = std::sync::Arc::clone(&gate);
            std::thread::spawn(move || gate.enter(Duration::from_secs(5)).is_some())
        };
        std::thread::sleep(Duration::from_millis(50));
        drop(held);
        assert!(waiter.join().unwrap());
    }
}
