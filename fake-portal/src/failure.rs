//! Error replies of the portal.

use serde_json::{Value, json};

/// An error reply: HTTP status, `error` code and `error_description`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
}

impl Failure {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
        }
    }

    /// A parameter is missing or has a value the method cannot use.
    pub(crate) fn invalid_argument(name: &str) -> Self {
        Self::new(
            400,
            "INVALID_ARG_VALUE",
            format!("Invalid value for argument '{name}'"),
        )
    }

    /// The REST 2 body: `{"error": …, "error_description": …}`.
    pub(crate) fn body(&self) -> Value {
        json!({"error": self.code, "error_description": self.message})
    }

    /// The REST 3 body: `{"error": {"code": …, "message": …}}`.
    pub(crate) fn body_v3(&self) -> Value {
        json!({"error": {"code": self.code, "message": self.message}})
    }
}
