//! Reading a reply body: a result in its envelope, or an error.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::wire::{As, Int};
use crate::{ApiError, InvalidField, Time};

/// What the portal answered.
#[derive(Debug)]
pub(crate) enum Reply<'a> {
    /// A successful reply; `result` is still undecoded.
    Result {
        result: &'a RawValue,
        time: Option<Time>,
        next: Option<i64>,
        total: Option<i64>,
    },
    /// An error reply, without its HTTP status yet.
    Error {
        error: ApiError,
        /// `operating_reset_at` of the reply's `time`, when it has one.
        reset_at: Option<i64>,
    },
}

/// Why a body is not a Bitrix24 reply.
#[derive(Debug)]
pub(crate) enum NotAReply {
    /// Not JSON, or not a JSON object.
    Json(serde_json::Error),
    /// An object with neither `result` nor `error`.
    NoResultOrError,
}

#[derive(Deserialize)]
struct RawReply<'a> {
    #[serde(default, borrow, deserialize_with = "present")]
    result: Option<&'a RawValue>,
    #[serde(default)]
    error: Option<Value>,
    #[serde(default)]
    error_description: Option<Value>,
    #[serde(default)]
    time: Option<Time>,
    #[serde(default, with = "As::<Int>")]
    next: Option<i64>,
    #[serde(default, with = "As::<Int>")]
    total: Option<i64>,
}

/// A value that must be a JSON object: derived struct readers also accept a list of the
/// field values, which would read `[1]` as `{"result": 1}`.
struct ObjectOnly<T>(T);

impl<'de, T: Deserialize<'de>> Deserialize<'de> for ObjectOnly<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct ObjectVisitor<T>(PhantomData<T>);

        impl<'de, T: Deserialize<'de>> Visitor<'de> for ObjectVisitor<T> {
            type Value = ObjectOnly<T>;

            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("a reply object")
            }

            fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
                T::deserialize(MapAccessDeserializer::new(map)).map(ObjectOnly)
            }
        }

        d.deserialize_map(ObjectVisitor(PhantomData))
    }
}

/// Keeps a present `result`, even `null`, as `Some`.
fn present<'de, D: Deserializer<'de>>(d: D) -> Result<Option<&'de RawValue>, D::Error> {
    <&RawValue>::deserialize(d).map(Some)
}

/// Reads a reply body. An `error` wins over a `result`; both REST 2 errors
/// (`{"error": "CODE", "error_description": "…"}`) and REST 3 errors
/// (`{"error": {"code": "CODE", "message": "…"}}`) are read.
pub(crate) fn parse(body: &[u8]) -> Result<Reply<'_>, NotAReply> {
    let ObjectOnly(raw) =
        serde_json::from_slice::<ObjectOnly<RawReply<'_>>>(body).map_err(NotAReply::Json)?;
    if let Some(error) = raw
        .error
        .as_ref()
        .and_then(|error| api_error(error, raw.error_description.as_ref()))
    {
        return Ok(Reply::Error {
            error,
            reset_at: raw.time.and_then(|time| time.operating_reset_at),
        });
    }
    match raw.result {
        Some(result) => Ok(Reply::Result {
            result,
            time: raw.time,
            next: raw.next,
            total: raw.total,
        }),
        None => Err(NotAReply::NoResultOrError),
    }
}

/// The error of an `error` field, unless it is empty. A REST 3.0 error object may list
/// the parameters that failed validation; entries that are not objects are skipped.
fn api_error(error: &Value, description: Option<&Value>) -> Option<ApiError> {
    let (code, message, validation) = match error {
        Value::Object(fields) => (
            fields.get("code")?,
            fields.get("message"),
            fields.get("validation"),
        ),
        other => (other, description, None),
    };
    let code = text(code).filter(|code| !code.is_empty())?;
    let mut error = ApiError::new(code, message.and_then(text).unwrap_or_default());
    if let Some(Value::Array(entries)) = validation {
        error.validation = entries
            .iter()
            .filter(|entry| entry.is_object())
            .filter_map(|entry| InvalidField::deserialize(entry).ok())
            .collect();
    }
    Some(error)
}

/// A string or a number as text.
fn text(value: &Value) -> Option<String> {
    match value {
        Value::String(text) => Some(text.clone()),
        Value::Number(number) => Some(number.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::{NotAReply, Reply, parse};

    #[test]
    fn result_envelope_with_time_next_and_total() {
        let body = br#"{"result":[{"ID":"1"}],"next":"50","total":120,
            "time":{"start":1.5,"operating":"0.25","operating_reset_at":1778747792}}"#;
        let Ok(Reply::Result {
            result,
            time,
            next,
            total,
        }) = parse(body)
        else {
            panic!("not a result");
        };
        assert_eq!(result.get(), r#"[{"ID":"1"}]"#);
        let time = time.unwrap();
        assert_eq!(time.operating, Some(0.25));
        assert_eq!(time.operating_reset_at, Some(1_778_747_792));
        assert_eq!((next, total), (Some(50), Some(120)));
    }

    #[test]
    fn null_and_empty_results_are_results() {
        for body in [&br#"{"result":null}"#[..], br#"{"result":[],"time":[]}"#] {
            assert!(matches!(parse(body), Ok(Reply::Result { .. })));
        }
    }

    #[test]
    fn rest2_error() {
        let body = br#"{"error":"expired_token","error_description":"The access token provided has expired."}"#;
        let Ok(Reply::Error { error, reset_at }) = parse(body) else {
            panic!("not an error");
        };
        assert_eq!(error.code, "expired_token");
        assert_eq!(error.message, "The access token provided has expired.");
        assert_eq!(reset_at, None);
    }

    #[test]
    fn rest3_error_and_numeric_codes() {
        let body = br#"{"error":{"code":"BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION","message":"no"}}"#;
        let Ok(Reply::Error { error, .. }) = parse(body) else {
            panic!("not an error");
        };
        assert_eq!(error.code, "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION");
        assert_eq!(error.message, "no");
        assert!(error.validation.is_empty());
        let Ok(Reply::Error { error, .. }) = parse(br#"{"error":100}"#) else {
            panic!("not an error");
        };
        assert_eq!((error.code.as_str(), error.message.as_str()), ("100", ""));
    }

    #[test]
    fn rest3_validation_lists_the_invalid_fields() {
        let body = br#"{"error":{"code":"V","message":"invalid","validation":[
            {"field":"id","message":"missing"},{"message":"no field"},"junk"]}}"#;
        let Ok(Reply::Error { error, .. }) = parse(body) else {
            panic!("not an error");
        };
        let fields: Vec<(&str, &str)> = error
            .validation
            .iter()
            .map(|invalid| (invalid.field.as_str(), invalid.message.as_str()))
            .collect();
        assert_eq!(fields, [("id", "missing"), ("", "no field")]);
        assert_eq!(error.to_string(), "V: invalid; id: missing; no field");
    }

    #[test]
    fn an_error_reply_keeps_its_reset_time() {
        let body =
            br#"{"error":"OPERATION_TIME_LIMIT","time":{"operating_reset_at":"1778747792"}}"#;
        let Ok(Reply::Error { reset_at, .. }) = parse(body) else {
            panic!("not an error");
        };
        assert_eq!(reset_at, Some(1_778_747_792));
    }

    #[test]
    fn empty_error_fields_do_not_hide_a_result() {
        let body = br#"{"result":true,"error":"","error_description":""}"#;
        assert!(matches!(parse(body), Ok(Reply::Result { .. })));
    }

    #[test]
    fn bodies_that_are_not_replies() {
        for body in [
            &b"<html><body>502 Bad Gateway</body></html>"[..],
            b"{\"result\":[1,2",
            b"[]",
            b"[1]",
            b"",
        ] {
            assert!(matches!(parse(body), Err(NotAReply::Json(_))), "{body:?}");
        }
        assert!(matches!(parse(b"{}"), Err(NotAReply::NoResultOrError)));
        assert!(matches!(
            parse(br#"{"error":null}"#),
            Err(NotAReply::NoResultOrError)
        ));
    }
}
