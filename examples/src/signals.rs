//! Ctrl-C handling: SIGINT and SIGTERM set a flag that every loop of the examples checks, so
//! they stop within a fraction of a second and drop (remove) their sandboxes on the way out.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use crate::error::{Error, Result};

/// A flag raised by SIGINT or SIGTERM (or by the program itself).
#[derive(Debug, Clone)]
pub struct Stop(Arc<AtomicBool>);

impl Stop {
    /// Installs the SIGINT and SIGTERM handlers (they only set the flag) and returns it.
    pub fn install() -> Result<Stop> {
        let flag = Arc::new(AtomicBool::new(false));
        for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
            signal_hook::flag::register(sig, Arc::clone(&flag)).map_err(|e| Error::Io {
                context: format!("installing the handler of signal {sig}"),
                source: e,
            })?;
        }
        Ok(Stop(flag))
    }

    /// A flag no signal raises (for library use and tests).
    pub fn manual() -> Stop {
        Stop(Arc::new(AtomicBool::new(false)))
    }

    /// True once a signal came (or [`Stop::set`] was called).
    #[inline]
    pub fn is_set(&self) -> bool {
        self.0.load(Ordering::Relaxed)
    }

    /// Raises the flag.
    pub fn set(&self) {
        self.0.store(true, Ordering::Relaxed);
    }

    /// Sleeps up to `d`, waking early when the flag is raised; returns true if it was.
    pub fn sleep(&self, d: std::time::Duration) -> bool {
        let end = std::time::Instant::now() + d;
        loop {
            if self.is_set() {
                return true;
            }
            let now = std::time::Instant::now();
            if now >= end {
                return false;
            }
            std::thread::sleep((end - now).min(std::time::Duration::from_millis(20)));
        }
    }
}

/// Installs a handler for SIGUSR1 that does nothing but interrupt a blocking system call of the
/// thread it is sent to (used to end long `BPF_PROG_TEST_RUN` live-frames calls, which the
/// kernel aborts with EINTR when a signal is pending).
pub fn install_interrupt_handler() -> Result<()> {
    let dummy = Arc::new(AtomicBool::new(false));
    signal_hook::flag::register(signal_hook::consts::SIGUSR1, dummy).map_err(|e| Error::Io {
        context: "installing the SIGUSR1 handler".into(),
        source: e,
    })?;
    Ok(())
}
