//! The envelope around every successful reply.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use serde_with::{DeserializeAs, SerializeAs};

use crate::wire::{As, Float, Int, Object, Text};

/// A successful reply: `{"result": …, "time": {…}, "next": …, "total": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The method's result.
    pub result: T,
    /// Timing of the call on the server; absent in some replies.
    #[serde(
        default,
        with = "As::<Option<OrDefault>>",
        skip_serializing_if = "Option::is_none"
    )]
    pub time: Option<Time>,
    /// Offset of the next page of a list method, absent on the last page.
    #[serde(default, with = "As::<Int>", skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
    /// Number of elements a list method matched, when counted.
    #[serde(default, with = "As::<Int>", skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// The `time` object of a reply (see `api-reference/data-types.md`).
///
/// A reply is never refused for its timing: in an [`Envelope`] and in the results of a
/// `batch`, a `time` that does not have this shape (a field of the wrong type, or not an
/// object at all) reads as empty, as do PHP's empty values.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Object)]
#[non_exhaustive]
pub struct Time {
    /// Unix time the request started, in seconds.
    #[serde(default, with = "As::<Float>", skip_serializing_if = "Option::is_none")]
    pub start: Option<f64>,
    /// Unix time the request finished, in seconds.
    #[serde(default, with = "As::<Float>", skip_serializing_if = "Option::is_none")]
    pub finish: Option<f64>,
    /// `finish - start`, in seconds.
    #[serde(default, with = "As::<Float>", skip_serializing_if = "Option::is_none")]
    pub duration: Option<f64>,
    /// Processing time, in seconds.
    #[serde(default, with = "As::<Float>", skip_serializing_if = "Option::is_none")]
    pub processing: Option<f64>,
    /// Start as a date-time string.
    #[serde(default, with = "As::<Text>", skip_serializing_if = "Option::is_none")]
    pub date_start: Option<String>,
    /// Finish as a date-time string.
    #[serde(default, with = "As::<Text>", skip_serializing_if = "Option::is_none")]
    pub date_finish: Option<String>,
    /// Seconds of operating time this method has accumulated in the current window.
    #[serde(default, with = "As::<Float>", skip_serializing_if = "Option::is_none")]
    pub operating: Option<f64>,
    /// Unix time at which part of the operating-time budget is released.
    #[serde(default, with = "As::<Int>", skip_serializing_if = "Option::is_none")]
    pub operating_reset_at: Option<i64>,
}

/// Reads a `T`, or `T::default()` when the value is not one: how replies read [`Time`].
pub(crate) struct OrDefault;

impl<'de, T: DeserializeOwned + Default> DeserializeAs<'de, T> for OrDefault {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        let value = serde_json::Value::deserialize(d)?;
        Ok(T::deserialize(value).unwrap_or_default())
    }
}

impl<T: Serialize> SerializeAs<T> for OrDefault {
    fn serialize_as<S: Serializer>(value: &T, s: S) -> Result<S::Ok, S::Error> {
        value.serialize(s)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::{Envelope, Time};

    #[test]
    fn time_is_read_leniently() {
        let time: Time =
            serde_json::from_value(json!({"start": "1.5", "operating_reset_at": 9})).unwrap();
        assert_eq!((time.start, time.operating_reset_at), (Some(1.5), Some(9)));
        for empty in [json!([]), json!(null), json!(false)] {
            let time: Time = serde_json::from_value(empty.clone()).unwrap();
            assert_eq!(time, Time::default(), "{empty}");
        }
        // On its own a `time` of another shape is an error; a reply never fails on it.
        let odd = [
            json!({"start": "soon"}),
            json!({"duration": {"x": 1}}),
            json!("garbage"),
            json!([1, 2]),
            json!(7),
        ];
        for odd in &odd {
            assert!(
                serde_json::from_value::<Time>(odd.clone()).is_err(),
                "{odd}"
            );
        }
        for odd in odd.into_iter().chain([json!([]), json!(false)]) {
            let reply: Envelope<i64> =
                serde_json::from_value(json!({"result": 5, "time": odd.clone()})).unwrap();
            assert_eq!(
                (reply.result, reply.time),
                (5, Some(Time::default())),
                "{odd}"
            );
        }
        let reply: Envelope<i64> =
            serde_json::from_value(json!({"result": 5, "time": null})).unwrap();
        assert_eq!(reply.time, None);
    }
}
