//! A request body, form-encoded or JSON by its content type, read into JSON within limits.

use serde_json::Value;

use super::form::decode_form;
use super::{DecodeError, DecodeLimits, Delivery};

/// Reads a request body into a JSON value: `application/x-www-form-urlencoded` (what
/// Bitrix24 sends) through [`decode_form`], `application/json` (or any `…+json`) as
/// JSON. Parameters of the content type such as `charset` are ignored; the body must be
/// UTF-8 either way. Every limit applies to both kinds.
pub fn decode_body(
    body: &[u8],
    content_type: Option<&str>,
    limits: &DecodeLimits,
) -> Result<Value, DecodeError> {
    match BodyKind::of(content_type)? {
        BodyKind::Form => decode_form(body, limits).map(Value::Object),
        BodyKind::Json => decode_json(body, limits),
    }
}

/// Reads a request body as an event delivery, with `data` left as JSON and the
/// application token not checked.
///
/// Only for deliveries there is nothing to check against yet (`ONAPPINSTALL`, which
/// brings the token); every other delivery goes through
/// [`EventReceiver`](super::EventReceiver), which verifies it.
pub fn decode_delivery(
    body: &[u8],
    content_type: Option<&str>,
    limits: &DecodeLimits,
) -> Result<Delivery<Value>, DecodeError> {
    match decode_body(body, content_type, limits)? {
        Value::Object(members) => {
            serde_json::from_value(Value::Object(members)).map_err(DecodeError::NotADelivery)
        }
        _ => Err(DecodeError::NotADelivery(serde::de::Error::custom(
            "a delivery is an object",
        ))),
    }
}

/// The two encodings an event body comes in.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum BodyKind {
    Form,
    Json,
}

impl BodyKind {
    fn of(content_type: Option<&str>) -> Result<Self, DecodeError> {
        let essence = content_type
            .and_then(|value| value.split(';').next())
            .map(str::trim)
            .ok_or(DecodeError::ContentType)?;
        if essence.eq_ignore_ascii_case("application/x-www-form-urlencoded") {
            return Ok(Self::Form);
        }
        let suffix = essence
            .len()
            .checked_sub(5)
            .map(|start| &essence.as_bytes()[start..]);
        let json = essence.eq_ignore_ascii_case("application/json")
            || essence.len() > 5
                && suffix.is_some_and(|suffix| suffix.eq_ignore_ascii_case(b"+json"));
        if json {
            Ok(Self::Json)
        } else {
            Err(DecodeError::ContentType)
        }
    }
}

/// Parses a JSON body and holds it to the same limits as a form body: object member
/// names count as keys for their length, scalars and empty containers count as keys for
/// their number, and containers below the top-level value count as depth.
fn decode_json(body: &[u8], limits: &DecodeLimits) -> Result<Value, DecodeError> {
    if body.len() > limits.body_limit() {
        return Err(DecodeError::BodyTooLarge {
            limit: limits.body_limit(),
        });
    }
    let value: Value = serde_json::from_slice(body).map_err(DecodeError::Json)?;
    let mut keys = 0;
    let mut pending: Vec<(&Value, usize)> = vec![(&value, 0)];
    while let Some((value, depth)) = pending.pop() {
        let before = pending.len();
        match value {
            Value::Object(object) => {
                if object
                    .keys()
                    .any(|name| name.len() > limits.key_len_limit())
                {
                    return Err(DecodeError::KeyTooLong {
                        limit: limits.key_len_limit(),
                    });
                }
                pending.extend(object.values().map(|inner| (inner, depth + 1)));
            }
            Value::Array(list) => pending.extend(list.iter().map(|inner| (inner, depth + 1))),
            _ => {}
        }
        if (value.is_object() || value.is_array()) && depth > limits.depth_limit() {
            return Err(DecodeError::TooDeep {
                limit: limits.depth_limit(),
            });
        }
        if pending.len() == before {
            keys += 1;
            if keys > limits.key_limit() {
                return Err(DecodeError::TooManyKeys {
                    limit: limits.key_limit(),
                });
            }
        }
    }
    Ok(value)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{BodyKind, decode_body, decode_delivery};
    use crate::events::{DecodeError, DecodeLimits};

    #[test]
    fn the_content_type_picks_the_decoder() {
        assert_eq!(
            BodyKind::of(Some("application/x-www-form-urlencoded")).unwrap(),
            BodyKind::Form
        );
        assert_eq!(
            BodyKind::of(Some("Application/X-WWW-Form-Urlencoded; charset=UTF-8")).unwrap(),
            BodyKind::Form
        );
        assert_eq!(
            BodyKind::of(Some("application/json; charset=utf-8")).unwrap(),
            BodyKind::Json
        );
        assert_eq!(
            BodyKind::of(Some("application/vnd.api+json")).unwrap(),
            BodyKind::Json
        );
        for other in [
            None,
            Some("text/plain"),
            Some("+json"),
            Some("multipart/form-data"),
            Some("a+jsonx"),
        ] {
            assert!(
                matches!(BodyKind::of(other), Err(DecodeError::ContentType)),
                "{other:?}"
            );
        }
    }

    #[test]
    fn form_and_json_bodies_decode_alike() {
        let limits = DecodeLimits::default();
        let form = decode_body(
            b"event=ONAPPTEST&data[A][]=1&auth[domain]=d",
            Some("application/x-www-form-urlencoded"),
            &limits,
        )
        .unwrap();
        let json = decode_body(
            br#"{"event":"ONAPPTEST","data":{"A":["1"]},"auth":{"domain":"d"}}"#,
            Some("application/json"),
            &limits,
        )
        .unwrap();
        assert_eq!(form, json);
        assert_eq!(form["data"], json!({"A": ["1"]}));
    }

    #[test]
    fn json_bodies_are_held_to_the_limits() {
        let limits = DecodeLimits::default()
            .max_body(200)
            .max_keys(3)
            .max_key_len(4)
            .max_depth(2);
        let decode = |body: &str| decode_body(body.as_bytes(), Some("application/json"), &limits);
        assert!(decode(r#"{"a":{"b":[1]},"c":[],"d":{}}"#).is_ok());
        assert!(matches!(
            decode(r#"{"a":{"b":[[1]]}}"#),
            Err(DecodeError::TooDeep { limit: 2 })
        ));
        assert!(matches!(
            decode(r#"{"a":1,"b":2,"c":3,"d":4}"#),
            Err(DecodeError::TooManyKeys { limit: 3 })
        ));
        assert!(matches!(
            decode(r#"{"a":{"long!":1}}"#),
            Err(DecodeError::KeyTooLong { limit: 4 })
        ));
        assert!(matches!(
            decode(&format!("[{}]", "1,".repeat(100))),
            Err(DecodeError::BodyTooLarge { limit: 200 })
        ));
        assert!(matches!(decode("{broken"), Err(DecodeError::Json(_))));
        // Nesting far beyond serde_json's own recursion limit is an error, not a crash.
        let deep = "[".repeat(100_000);
        let limits = DecodeLimits::default().max_body(usize::MAX);
        assert!(matches!(
            decode_body(deep.as_bytes(), Some("application/json"), &limits),
            Err(DecodeError::Json(_))
        ));
    }

    #[test]
    fn a_body_that_is_not_a_delivery_is_refused() {
        let limits = DecodeLimits::default();
        let form = Some("application/x-www-form-urlencoded");
        assert!(matches!(
            decode_delivery(b"data[x]=1", form, &limits),
            Err(DecodeError::NotADelivery(_))
        ));
        assert!(matches!(
            decode_delivery(b"event=ONX&auth=text", form, &limits),
            Err(DecodeError::NotADelivery(_))
        ));
        assert!(matches!(
            decode_delivery(b"[1]", Some("application/json"), &limits),
            Err(DecodeError::NotADelivery(_))
        ));
        assert!(matches!(
            decode_delivery(b"event=ONX&auth[0]=x", form, &limits),
            Err(DecodeError::NotADelivery(_))
        ));
        let delivery = decode_delivery(
            br#"{"event":"ONX","auth":[]}"#,
            Some("application/json"),
            &limits,
        )
        .unwrap();
        assert!(delivery.auth.domain.is_none());
        let delivery = decode_delivery(b"event=ONX", form, &limits).unwrap();
        assert_eq!(delivery.event, "ONX");
        assert!(delivery.data.is_null());
    }
}
