//! A reply the client could not make sense of, kept for diagnosis.

use std::fmt;

use crate::Secret;

/// The most bytes of a reply body an [`UndecodableReply`] keeps.
pub const EXCERPT_LIMIT: usize = 512;

/// What stands in an excerpt where a credential of the client was.
const REDACTED: &str = "[redacted]";

/// A reply that was neither a result nor an error in the Bitrix24 format (an HTML error
/// page from a proxy, a truncated body), or whose result did not have the expected shape.
#[derive(Debug)]
pub struct UndecodableReply {
    status: u16,
    excerpt: String,
    reason: Reason,
}

#[derive(Debug)]
enum Reason {
    Json(serde_json::Error),
    NotAnEnvelope,
    NotTokens,
    Shape(&'static str),
}

impl UndecodableReply {
    /// A body that is not JSON, or JSON of the wrong shape.
    pub(crate) fn json(status: u16, excerpt: String, error: serde_json::Error) -> Self {
        Self {
            status,
            excerpt,
            reason: Reason::Json(error),
        }
    }

    /// A JSON body with neither `result` nor `error`.
    pub(crate) fn not_an_envelope(status: u16, excerpt: String) -> Self {
        Self {
            status,
            excerpt,
            reason: Reason::NotAnEnvelope,
        }
    }

    /// A successful reply whose result does not have the shape the caller expects.
    pub(crate) fn shape(excerpt: String, reason: &'static str) -> Self {
        Self {
            status: 200,
            excerpt,
            reason: Reason::Shape(reason),
        }
    }

    /// A reply of the OAuth server with neither tokens nor an error; its body is not kept,
    /// since it may hold tokens.
    pub(crate) fn not_tokens(status: u16, error: Option<serde_json::Error>) -> Self {
        Self {
            status,
            excerpt: String::new(),
            reason: error.map_or(Reason::NotTokens, Reason::Json),
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
            Reason::Json(error) => write!(f, "{error}"),
            Reason::NotAnEnvelope => f.write_str("neither `result` nor `error` in the reply"),
            Reason::NotTokens => f.write_str("neither tokens nor `error` in the reply"),
            Reason::Shape(reason) => f.write_str(reason),
        }
    }
}

impl std::error::Error for UndecodableReply {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.reason {
            Reason::Json(error) => Some(error),
            Reason::NotAnEnvelope | Reason::NotTokens | Reason::Shape(_) => None,
        }
    }
}

/// The start of `body`, at most [`EXCERPT_LIMIT`] bytes, with each of `secrets` redacted.
///
/// The secrets are replaced in a window long enough to hold any secret that starts inside
/// the limit, so a secret cut by the limit is not left half visible.
pub(crate) fn excerpt(body: &[u8], secrets: &[&Secret]) -> String {
    let longest = secrets
        .iter()
        .map(|secret| secret.expose().len())
        .max()
        .unwrap_or(0);
    let window = &body[..body.len().min(EXCERPT_LIMIT + longest)];
    let mut text = String::from_utf8_lossy(window).into_owned();
    for secret in secrets {
        if !secret.expose().is_empty() {
            text = text.replace(secret.expose(), REDACTED);
        }
    }
    if text.len() > EXCERPT_LIMIT {
        let mut end = EXCERPT_LIMIT;
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        text.truncate(end);
    }
    text
}

#[cfg(test)]
mod tests {
    use super::{EXCERPT_LIMIT, UndecodableReply, excerpt};
    use crate::client::Secret;

    #[test]
    fn short_bodies_are_kept_whole() {
        assert_eq!(excerpt(b"<html>502</html>", &[]), "<html>502</html>");
    }

    #[test]
    fn long_bodies_are_cut_on_a_char_boundary() {
        let body = "é".repeat(EXCERPT_LIMIT);
        let text = excerpt(body.as_bytes(), &[]);
        assert_eq!(text.len(), EXCERPT_LIMIT);
        assert!(text.chars().all(|c| c == 'é'));
        let odd = format!("a{body}");
        assert_eq!(excerpt(odd.as_bytes(), &[]).len(), EXCERPT_LIMIT - 1);
    }

    #[test]
    fn secrets_are_redacted_even_across_the_limit() {
        let secret = Secret::new("0123456789abcdef");
        let mut body = "x".repeat(EXCERPT_LIMIT - 4);
        body.push_str(secret.expose());
        body.push_str(&"y".repeat(100));
        let text = excerpt(body.as_bytes(), &[&secret]);
        assert!(!text.contains("0123"), "{text}");
        assert!(text.ends_with("[red"), "{text}");
        let echoed = format!("auth={} again {}", secret.expose(), secret.expose());
        assert_eq!(
            excerpt(echoed.as_bytes(), &[&secret]),
            "auth=[redacted] again [redacted]"
        );
    }

    #[test]
    fn invalid_utf8_is_replaced() {
        assert_eq!(excerpt(b"ok\xff", &[]), "ok\u{fffd}");
    }

    #[test]
    fn display_names_the_status_and_the_reason() {
        let error = serde_json::from_str::<serde_json::Value>("<html>").unwrap_err();
        let reply = UndecodableReply::json(502, "<html>".into(), error);
        assert!(
            reply
                .to_string()
                .starts_with("undecodable reply (HTTP 502): expected value")
        );
        assert!(reply.is_gateway_failure());
        let reply = UndecodableReply::not_an_envelope(200, "{}".into());
        assert_eq!(
            reply.to_string(),
            "undecodable reply (HTTP 200): neither `result` nor `error` in the reply"
        );
        assert!(!reply.is_gateway_failure());
        assert_eq!(UndecodableReply::not_tokens(200, None).excerpt(), "");
    }
}
