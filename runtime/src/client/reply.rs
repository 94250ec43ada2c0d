//! Reading a reply body: a result in its envelope, or an error.

use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{DeserializeOwned, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;
use serde_json::value::RawValue;

use crate::envelope::OrDefault;
use crate::wire::{As, Int};
use crate::{ApiError, InvalidField, Time};

use super::redact::Redactor;

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
    #[serde(default, with = "As::<Option<OrDefault>>")]
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
/// (`{"error": {"code": "CODE", "message": "…"}}`) are read, every text in them redacted.
pub(crate) fn parse<'a>(body: &'a [u8], redactor: &Redactor) -> Result<Reply<'a>, NotAReply> {
    let ObjectOnly(raw) =
        serde_json::from_slice::<ObjectOnly<RawReply<'_>>>(body).map_err(NotAReply::Json)?;
    if let Some(error) = raw
        .error
        .as_ref()
        .and_then(|error| api_error(error, raw.error_description.as_ref()))
    {
        return Ok(Reply::Error {
            error: redactor.api_error(error),
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

/// Decodes a successful reply's `result` as `T`.
///
/// A `null` result is not read as an empty value of a type that reads PHP's empty values
/// so (a generated struct): it decodes only as a type that can say "nothing" itself
/// (`Option`, `()`, and `serde_json::Value` inside a generated newtype); anything else is
/// an error.
pub(crate) fn decode<T: DeserializeOwned>(result: &RawValue) -> serde_json::Result<T> {
    if result.get() == "null" {
        T::deserialize(NullResult)
    } else {
        serde_json::from_str(result.get())
    }
}

/// A `null` result, read strictly.
struct NullResult;

impl<'de> Deserializer<'de> for NullResult {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, _: V) -> serde_json::Result<V::Value> {
        Err(serde::de::Error::custom("the result is null"))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        visitor.visit_none()
    }

    fn deserialize_unit<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_unit_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        visitor.visit_unit()
    }

    /// A newtype decides by its content: `Value` says `null`, a struct does not.
    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        visitor: V,
    ) -> serde_json::Result<V::Value> {
        visitor.visit_newtype_struct(NullContent)
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        seq tuple tuple_struct map struct enum identifier ignored_any
    }
}

/// The content of a newtype whose result is `null`: `null` for a type that reads any
/// JSON (`Value`), an error for one that wants an object.
struct NullContent;

impl<'de> Deserializer<'de> for NullContent {
    type Error = serde_json::Error;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        visitor.visit_unit()
    }

    fn deserialize_map<V: Visitor<'de>>(self, _: V) -> serde_json::Result<V::Value> {
        Err(serde::de::Error::custom("the result is null"))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _: &'static str,
        _: &'static [&'static str],
        _: V,
    ) -> serde_json::Result<V::Value> {
        Err(serde::de::Error::custom("the result is null"))
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> serde_json::Result<V::Value> {
        visitor.visit_none()
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string bytes byte_buf
        unit unit_struct newtype_struct seq tuple tuple_struct enum identifier ignored_any
    }
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
    use super::{NotAReply, Reply, decode, parse};
    use crate::Secret;
    use crate::client::redact::Redactor;

    #[test]
    fn result_envelope_with_time_next_and_total() {
        let body = br#"{"result":[{"ID":"1"}],"next":"50","total":120,
            "time":{"start":1.5,"operating":"0.25","operating_reset_at":1778747792}}"#;
        let Ok(Reply::Result {
            result,
            time,
            next,
            total,
        }) = parse(body, &Redactor::default())
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
            assert!(matches!(
                parse(body, &Redactor::default()),
                Ok(Reply::Result { .. })
            ));
        }
    }

    #[test]
    fn rest2_error() {
        let body = br#"{"error":"expired_token","error_description":"The access token provided has expired."}"#;
        let Ok(Reply::Error { error, reset_at }) = parse(body, &Redactor::default()) else {
            panic!("not an error");
        };
        assert_eq!(error.code, "expired_token");
        assert_eq!(error.message, "The access token provided has expired.");
        assert_eq!(reset_at, None);
    }

    #[test]
    fn rest3_error_and_numeric_codes() {
        let body = br#"{"error":{"code":"BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION","message":"no"}}"#;
        let Ok(Reply::Error { error, .. }) = parse(body, &Redactor::default()) else {
            panic!("not an error");
        };
        assert_eq!(error.code, "BITRIX_REST_V3_EXCEPTION_ACCESSDENIEDEXCEPTION");
        assert_eq!(error.message, "no");
        assert!(error.validation.is_empty());
        let Ok(Reply::Error { error, .. }) = parse(br#"{"error":100}"#, &Redactor::default())
        else {
            panic!("not an error");
        };
        assert_eq!((error.code.as_str(), error.message.as_str()), ("100", ""));
    }

    #[test]
    fn rest3_validation_lists_the_invalid_fields() {
        let body = br#"{"error":{"code":"V","message":"invalid","validation":[
            {"field":"id","message":"missing"},{"message":"no field"},"junk"]}}"#;
        let Ok(Reply::Error { error, .. }) = parse(body, &Redactor::default()) else {
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
        let Ok(Reply::Error { reset_at, .. }) = parse(body, &Redactor::default()) else {
            panic!("not an error");
        };
        assert_eq!(reset_at, Some(1_778_747_792));
    }

    #[test]
    fn empty_error_fields_do_not_hide_a_result() {
        let body = br#"{"result":true,"error":"","error_description":""}"#;
        assert!(matches!(
            parse(body, &Redactor::default()),
            Ok(Reply::Result { .. })
        ));
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
            assert!(
                matches!(parse(body, &Redactor::default()), Err(NotAReply::Json(_))),
                "{body:?}"
            );
        }
        assert!(matches!(
            parse(b"{}", &Redactor::default()),
            Err(NotAReply::NoResultOrError)
        ));
        assert!(matches!(
            parse(br#"{"error":null}"#, &Redactor::default()),
            Err(NotAReply::NoResultOrError)
        ));
    }

    #[test]
    fn error_texts_are_redacted() {
        let redactor = Redactor::new([Secret::new("hook-c0de-42")]);
        for body in [
            &br#"{"error":"NO_AUTH_FOUND","error_description":"bad code hook-c0de-42"}"#[..],
            br#"{"error":"hook%2Dc0de%2D42"}"#,
            br#"{"error":{"code":"V","message":"x","validation":[{"field":"hook-c0de-42","message":"\u0068ook-c0de-42"}]}}"#,
        ] {
            let Ok(Reply::Error { error, .. }) = parse(body, &redactor) else {
                panic!("not an error");
            };
            let text = format!("{error} {error:?}");
            assert!(!text.contains("c0de"), "{text}");
            assert!(text.contains("[redacted]"), "{text}");
        }
    }

    #[test]
    fn a_null_result_is_not_an_empty_struct() {
        #[derive(Debug, Default, serde::Deserialize)]
        #[allow(dead_code)]
        struct Item {
            id: Option<i64>,
        }
        #[derive(Debug, serde::Deserialize)]
        #[allow(dead_code)]
        struct Wrapped(serde_json::Value);
        let null = serde_json::value::RawValue::from_string("null".into()).unwrap();
        assert!(decode::<Item>(&null).is_err());
        assert!(decode::<i64>(&null).is_err());
        assert!(decode::<Vec<i64>>(&null).is_err());
        assert_eq!(
            decode::<Option<Item>>(&null).unwrap().map(|item| item.id),
            None
        );
        assert!(decode::<Wrapped>(&null).unwrap().0.is_null());
        decode::<()>(&null).unwrap();
        let empty = serde_json::value::RawValue::from_string("{}".into()).unwrap();
        assert_eq!(decode::<Item>(&empty).unwrap().id, None);
    }
}
