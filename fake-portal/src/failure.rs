//! Error replies of the portal.

use serde_json::{Value, json};

/// An error reply: HTTP status, `error` code and `error_description`, and for REST 3.0
/// the fields that failed validation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Failure {
    pub(crate) status: u16,
    pub(crate) code: String,
    pub(crate) message: String,
    /// (field, message) of each parameter that failed validation.
    pub(crate) validation: Vec<(String, String)>,
}

impl Failure {
    pub(crate) fn new(status: u16, code: &str, message: impl Into<String>) -> Self {
        Self {
            status,
            code: code.to_owned(),
            message: message.into(),
            validation: Vec::new(),
        }
    }

    /// A REST 3.0 validation error of the parameter `field`.
    pub(crate) fn invalid_field(field: &str, message: impl Into<String>) -> Self {
        let mut failure = Self::new(
            400,
            "BITRIX_REST_V3_EXCEPTION_VALIDATION_REQUESTVALIDATIONEXCEPTION",
            "Request validation failed",
        );
        failure.validation.push((field.to_owned(), message.into()));
        failure
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

    /// The REST 3 body: `{"error": {"code": …, "message": …}}`, with `validation` when
    /// parameters failed validation.
    pub(crate) fn body_v3(&self) -> Value {
        let mut error = json!({"code": self.code, "message": self.message});
        if !self.validation.is_empty() {
            error["validation"] = self
                .validation
                .iter()
                .map(|(field, message)| json!({"field": field, "message": message}))
                .collect();
        }
        json!({ "error": error })
    }
}
