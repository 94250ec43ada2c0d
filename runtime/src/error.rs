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

/// An error code that a method's spec does not list, nor the system errors.
///
/// It is opaque on purpose: do not match a method's `Unhandled` variant to find a code.
/// A later import may give that code a variant of its own, and such a match would then
/// stop matching without a compile error. Match the documented variants, and read
/// [`code`](Self::code) (or the error enum's own `code()`) in a wildcard arm.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Unhandled(ApiError);

impl Unhandled {
    /// Wraps an error reply whose code nothing lists.
    pub fn new(error: ApiError) -> Self {
        Self(error)
    }

    /// The error code the server sent.
    pub fn code(&self) -> &str {
        &self.0.code
    }

    /// The whole error reply.
    pub fn api_error(&self) -> &ApiError {
        &self.0
    }
}

/// Implements [`MethodError`], `Display`, `Error` and an inherent `code()` for a generated
/// error enum: one variant holding an [`ApiError`] for each listed code, `System` holding
/// the generated crate's system error type, and `Unhandled` holding an [`Unhandled`].
///
/// `method_error!(crate::SystemError, GetError { NotFound = "NOT_FOUND" });`
#[macro_export]
macro_rules! method_error {
    ($system:path, $name:ident { $($variant:ident = $code:literal),* $(,)? }) => {
        impl $crate::MethodError for $name {
            fn from_api_error(error: $crate::ApiError) -> Self {
                match error.code.as_str() {
                    $($code => Self::$variant(error),)*
                    _ => match <$system>::classify(error) {
                        Ok(system) => Self::System(system),
                        Err(other) => Self::Unhandled($crate::Unhandled::new(other)),
                    },
                }
            }

            fn api_error(&self) -> &$crate::ApiError {
                match self {
                    $(Self::$variant(error) => error,)*
                    Self::System(system) => system.api_error(),
                    Self::Unhandled(unhandled) => unhandled.api_error(),
                }
            }
        }

        impl $name {
            /// The error code the server sent.
            pub fn code(&self) -> &str {
                &$crate::MethodError::api_error(self).code
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                ::std::fmt::Display::fmt($crate::MethodError::api_error(self), f)
            }
        }

        impl ::std::error::Error for $name {}
    };
}
