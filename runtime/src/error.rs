//! Errors that Bitrix24 reports in a reply body.

use std::fmt;

use serde::{Deserialize, Serialize};

/// An error reply: `{"error": "<code>", "error_description": "<message>"}`, or in REST 3.0
/// `{"error": {"code": …, "message": …, "validation": […]}}`, with the HTTP status it came
/// with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ApiError {
    /// The `error` code, such as `ACCESS_DENIED` or `0`.
    #[serde(rename = "error", with = "crate::wire::As::<crate::wire::Text>")]
    pub code: String,
    /// The `error_description`, empty when the server sent none.
    #[serde(
        rename = "error_description",
        default,
        with = "crate::wire::As::<crate::wire::Text>"
    )]
    pub message: String,
    /// The HTTP status of the reply, when known.
    #[serde(skip)]
    pub status: Option<u16>,
    /// The parameters that failed validation, as REST 3.0 lists them; empty otherwise.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub validation: Vec<InvalidField>,
}

/// A parameter that failed validation in a REST 3.0 call.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct InvalidField {
    /// The parameter's name, such as `id`.
    #[serde(default, with = "crate::wire::As::<crate::wire::Text>")]
    pub field: String,
    /// What is wrong with it.
    #[serde(default, with = "crate::wire::As::<crate::wire::Text>")]
    pub message: String,
}

impl ApiError {
    /// An error with a code and message and no HTTP status.
    pub fn new(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            code: code.into(),
            message: message.into(),
            status: None,
            validation: Vec::new(),
        }
    }

    /// The same error with the HTTP status it came with.
    pub fn with_status(mut self, status: u16) -> Self {
        self.status = Some(status);
        self
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.code)?;
        if !self.message.is_empty() {
            write!(f, ": {}", self.message)?;
        }
        if let Some(status) = self.status {
            write!(f, " (HTTP {status})")?;
        }
        for invalid in &self.validation {
            if invalid.field.is_empty() {
                write!(f, "; {}", invalid.message)?;
            } else {
                write!(f, "; {}: {}", invalid.field, invalid.message)?;
            }
        }
        Ok(())
    }
}

impl std::error::Error for ApiError {}

/// A method's error type: one variant per documented code, plus the shared system errors
/// and a catch-all for codes the spec does not list.
pub trait MethodError: std::error::Error + Send + Sync + Sized + 'static {
    /// Sorts an error reply into the variant for its code.
    fn from_api_error(error: ApiError) -> Self;

    /// The error reply this value was made from.
    fn api_error(&self) -> &ApiError;
}

impl MethodError for ApiError {
    fn from_api_error(error: ApiError) -> Self {
        error
    }

    fn api_error(&self) -> &ApiError {
        self
    }
}
