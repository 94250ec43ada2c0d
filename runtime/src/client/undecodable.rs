//! A reply the client could not make sense of, kept for diagnosis.

use std::fmt;

use super::redact::Redactor;

/// The most bytes of a reply body an [`UndecodableReply`] keeps.
pub const EXCERPT_LIMIT: usize = 512;

/// A reply that was neither a result nor an error in the Bitrix24 format (an HTML error
/// page from a proxy, a truncated body), or whose result did not have the expected shape.
///
/// Every text it holds that came from the server, the excerpt and the parser's message,
/// has the client's credentials redacted.
#[derive(Debug, Clone)]
pub struct UndecodableReply {
    status: u16,
    excerpt: String,
    reason: Reason,
}

#[derive(Debug, Clone)]
enum Reason {
    /// The JSON parser's message, redacted.
    Json(String),
    NotAnEnvelope,
    NotTokens,
    Shape(&'static str),
}

impl UndecodableReply {
    /// A body that is not JSON, or JSON of the wrong shape.
    pub(crate) fn json(
        status: u16,
        redactor: &Redactor,
        body: &[u8],
        error: &serde_json::Error,
    ) -> Self {
        Self {
            status,
            excerpt: redactor.excerpt(body),
            reason: Reason::Json(redactor.text(&error.to_string())),
        }
    }

    /// A JSON body with neither `result` nor `error`.
    pub(crate) fn not_an_envelope(status: u16, redactor: &Redactor, body: &[u8]) -> Self {
        Self {
            status,
            excerpt: redactor.excerpt(body),
            reason: Reason::NotAnEnvelope,
        }
    }

    /// A successful reply whose result (`body`) does not have the shape the caller
    /// expects.
    pub(crate) fn shape(redactor: &Redactor, body: &[u8], reason: &'static str) -> Self {
        Self {
            status: 200,
            excerpt: redactor.excerpt(body),
            reason: Reason::Shape(reason),
        }
    }

    /// A reply of the OAuth server with neither tokens nor an error. Neither its body
    /// nor the parser's message, which may quote it, is kept: it may hold tokens the
    /// client does not know yet. Only where the parser stopped is.
    pub(crate) fn not_tokens(status: u16, error: Option<&serde_json::Error>) -> Self {
        Self {
            status,
            excerpt: String::new(),
            reason: error.map_or(Reason::NotTokens, |error| {
                Reason::Json(format!(
                    "{:?} error at line {} column {}",
                    error.classify(),
                    error.line(),
                    error.column()
                ))
            }),
        }
    }

    /// The HTTP status of the reply.
    pub fn status(&self) -> u16 {
        self.status
    }

    /// The start of the reply body, at most [`EXCERPT_LIMIT`] bytes, decoded lossily as
    /// UTF-8, with every credential of the client replaced by `[redacted]`. Empty for
    /// replies of the OAuth server.
    pub fn excerpt(&self) -> &str {
        &self.excerpt
    }

    /// Whether the reply came from a gateway in front of the portal rather than the
    /// portal itself (HTTP 502, 503 or 504 with a body that is not Bitrix24 JSON); the
    /// portal may or may not have run the call.
    pub(crate) fn is_gateway_failure(&self) -> bool {
        matches!(self.status, 502..=504)
    }
}

impl fmt::Display for UndecodableReply {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "undecodable reply (HTTP {}): ", self.status)?;
        match &self.reason {
            Reason::Json(message) => f.write_str(message),
            Reason::NotAnEnvelope => f.write_str("neither `result` nor `error` in the reply"),
            Reason::NotTokens => f.write_str("neither tokens nor `error` in the reply"),
            Reason::Shape(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for UndecodableReply {}

#[cfg(test)]
mod tests {
    use super::UndecodableReply;
    use crate::Secret;
    use crate::client::redact::Redactor;

    #[test]
    fn display_names_the_status_and_the_reason() {
        let none = Redactor::default();
        let error = serde_json::from_str::<serde_json::Value>("<html>").unwrap_err();
        let reply = UndecodableReply::json(502, &none, b"<html>", &error);
        assert!(
            reply
                .to_string()
                .starts_with("undecodable reply (HTTP 502): expected value")
        );
        assert!(reply.is_gateway_failure());
        let reply = UndecodableReply::not_an_envelope(200, &none, b"{}");
        assert_eq!(
            reply.to_string(),
            "undecodable reply (HTTP 200): neither `result` nor `error` in the reply"
        );
        assert!(!reply.is_gateway_failure());
        assert_eq!(UndecodableReply::not_tokens(200, None).excerpt(), "");
    }

    #[test]
    fn the_parsers_message_is_redacted() {
        let redactor = Redactor::new([Secret::new("hook-c0de-123")]);
        let error = serde_json::from_str::<i64>(r#""hook-c0de-123""#).unwrap_err();
        assert!(error.to_string().contains("hook-c0de-123"), "{error}");
        let reply = UndecodableReply::json(200, &redactor, br#""hook-c0de-123""#, &error);
        let text = format!("{reply} {reply:?}");
        assert!(!text.contains("hook-c0de"), "{text}");
        assert!(text.contains("[redacted]"), "{text}");

        let error = serde_json::from_str::<i64>(r#""new-token-abc""#).unwrap_err();
        let reply = UndecodableReply::not_tokens(200, Some(&error));
        assert!(
            !format!("{reply} {reply:?}").contains("new-token"),
            "{reply}"
        );
        assert!(reply.to_string().contains("line 1 column"), "{reply}");
    }
}
