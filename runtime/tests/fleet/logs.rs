//! The test process's log, kept in memory so that a test can count what was logged.

use std::io::Write;
use std::sync::{Mutex, PoisonError};

static LOG: Mutex<Vec<u8>> = Mutex::new(Vec::new());

/// Appends to the in-memory log.
struct Capture;

impl Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        LOG.lock()
            .unwrap_or_else(PoisonError::into_inner)
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Sends the events of this process at level INFO and above to the in-memory log.
pub fn install() {
    tracing_subscriber::fmt()
        .with_writer(|| Capture)
        .with_max_level(tracing::Level::INFO)
        .init();
}

/// The log so far, which is then emptied.
pub fn take() -> String {
    let bytes = std::mem::take(&mut *LOG.lock().unwrap_or_else(PoisonError::into_inner));
    String::from_utf8_lossy(&bytes).into_owned()
}
