//! Failures the portal can be told to produce, to test how a client copes.

use std::time::Duration;

/// One way of failing a request.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum FaultKind {
    /// A gateway in front of the portal answers HTTP 502 with an HTML page; the call does
    /// not run.
    Html502,
    /// The call runs, and its reply is cut in half (with a matching `Content-Length`), so
    /// that it is not valid JSON.
    TruncatedJson,
    /// The call runs, and its reply is held back for the given time.
    Slow(Duration),
    /// The call runs, the reply headers and half the body are sent, and the connection
    /// is dropped.
    DropConnection,
}

/// A fault for the next `times` requests of one method (or of any method).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fault {
    pub(crate) kind: FaultKind,
    pub(crate) method: Option<String>,
    pub(crate) times: usize,
}

impl Fault {
    /// A fault for the next request of any method.
    pub fn new(kind: FaultKind) -> Self {
        Self {
            kind,
            method: None,
            times: 1,
        }
    }

    /// Limits the fault to requests of `method` (as in the URL, such as `crm.item.add`).
    pub fn method(mut self, method: impl Into<String>) -> Self {
        self.method = Some(method.into());
        self
    }

    /// Applies the fault to that many requests (at least one).
    pub fn times(mut self, times: usize) -> Self {
        self.times = times.max(1);
        self
    }
}

/// The faults waiting for requests, oldest first.
#[derive(Debug, Default)]
pub(crate) struct Faults(Vec<Fault>);

impl Faults {
    pub(crate) fn push(&mut self, fault: Fault) {
        self.0.push(fault);
    }

    /// The fault for a request of `method`, if one is waiting; it is used up.
    pub(crate) fn take(&mut self, method: &str) -> Option<FaultKind> {
        let index = self
            .0
            .iter()
            .position(|fault| fault.method.as_deref().is_none_or(|only| only == method))?;
        let fault = &mut self.0[index];
        let kind = fault.kind.clone();
        fault.times -= 1;
        if fault.times == 0 {
            self.0.remove(index);
        }
        Some(kind)
    }
}

#[cfg(test)]
mod tests {
    use super::{Fault, FaultKind, Faults};

    #[test]
    fn faults_match_their_method_and_are_used_up() {
        let mut faults = Faults::default();
        faults.push(
            Fault::new(FaultKind::Html502)
                .method("crm.item.add")
                .times(2),
        );
        faults.push(Fault::new(FaultKind::TruncatedJson));
        assert_eq!(faults.take("user.current"), Some(FaultKind::TruncatedJson));
        assert_eq!(faults.take("user.current"), None);
        assert_eq!(faults.take("crm.item.add"), Some(FaultKind::Html502));
        assert_eq!(faults.take("crm.item.add"), Some(FaultKind::Html502));
        assert_eq!(faults.take("crm.item.add"), None);
        assert_eq!(Fault::new(FaultKind::Html502).times(0).times, 1);
    }
}
