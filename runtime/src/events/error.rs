//! What receiving an event can fail with.
//!
//! No error here ever holds or prints a token: neither the one a request carried nor the
//! one it was checked against. Nor do they repeat keys or values of the request, which
//! come from whoever sent it; they name the position of the offending pair instead.

/// Why a request body could not be read as an event delivery.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum DecodeError {
    /// The body is longer than [`DecodeLimits::max_body`](super::DecodeLimits::max_body).
    #[error("the body is larger than {limit} bytes")]
    BodyTooLarge {
        /// The limit in force.
        limit: usize,
    },
    /// The body holds more keys than [`DecodeLimits::max_keys`](super::DecodeLimits::max_keys).
    #[error("the body holds more than {limit} keys")]
    TooManyKeys {
        /// The limit in force.
        limit: usize,
    },
    /// A key is longer than [`DecodeLimits::max_key_len`](super::DecodeLimits::max_key_len).
    #[error("a key is longer than {limit} bytes")]
    KeyTooLong {
        /// The limit in force.
        limit: usize,
    },
    /// Values nest deeper than [`DecodeLimits::max_depth`](super::DecodeLimits::max_depth).
    #[error("the body nests deeper than {limit} levels")]
    TooDeep {
        /// The limit in force.
        limit: usize,
    },
    /// A `%` of a form pair is not followed by two hexadecimal digits.
    #[error("bad percent-encoding in form pair {pair}")]
    PercentEncoding {
        /// The position of the pair in the body, from 1.
        pair: usize,
    },
    /// A form pair does not decode to UTF-8 text.
    #[error("form pair {pair} is not UTF-8")]
    InvalidUtf8 {
        /// The position of the pair in the body, from 1.
        pair: usize,
    },
    /// The brackets of a form key do not pair up as `name[a][b]…`.
    #[error("unbalanced brackets in the key of form pair {pair}")]
    Brackets {
        /// The position of the pair in the body, from 1.
        pair: usize,
    },
    /// A form key has no name before its brackets.
    #[error("the key of form pair {pair} has no name")]
    EmptyName {
        /// The position of the pair in the body, from 1.
        pair: usize,
    },
    /// A form key appends with `[]` to a list whose next index would not fit an `i64`.
    #[error("form pair {pair} appends past the largest list index")]
    IndexOverflow {
        /// The position of the pair in the body, from 1.
        pair: usize,
    },
    /// The content type is neither `application/x-www-form-urlencoded` nor JSON.
    #[error("unsupported content type: expected application/x-www-form-urlencoded or JSON")]
    ContentType,
    /// A JSON body is not valid JSON.
    #[error("malformed JSON body: {0}")]
    Json(#[source] serde_json::Error),
    /// The body was read, but it is not an event delivery (`event` missing, `auth` not an
    /// object, …).
    #[error("the body is not an event delivery: {0}")]
    NotADelivery(#[source] serde_json::Error),
}

/// Why a delivery's `auth[application_token]` was not accepted.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum VerifyError {
    /// The delivery carries no application token.
    #[error("the delivery carries no application token")]
    Missing,
    /// No application token is known for the portal the delivery names.
    #[error("no application token is known for the portal of the delivery")]
    UnknownPortal,
    /// The delivery's application token is not the expected one.
    #[error("the delivery's application token does not match")]
    Mismatch,
}

/// Why a delivery could not be read as a typed event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum EventError {
    /// The delivery is of another event than the one expected.
    #[error("the delivery is not of the event {expected}")]
    Unexpected {
        /// The wire name of the event expected.
        expected: &'static str,
        /// The `event` member of the delivery, as it arrived.
        received: String,
    },
    /// The `data` member does not have the shape of the event's data.
    #[error("the data of {event} does not have the expected shape: {source}")]
    Data {
        /// The wire name of the event.
        event: &'static str,
        /// What did not fit.
        #[source]
        source: serde_json::Error,
    },
}

/// Why a request was not accepted as a verified event.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReceiveError {
    /// The body could not be read.
    #[error(transparent)]
    Decode(#[from] DecodeError),
    /// The application token did not check out.
    #[error(transparent)]
    Verify(#[from] VerifyError),
    /// The verified delivery did not fit the expected event type.
    #[error(transparent)]
    Event(#[from] EventError),
}
