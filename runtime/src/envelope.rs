//! The envelope around every successful reply.

use serde::{Deserialize, Serialize};

use crate::wire::{As, Float, Int, Text};

/// A successful reply: `{"result": …, "time": {…}, "next": …, "total": …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Envelope<T> {
    /// The method's result.
    pub result: T,
    /// Timing of the call on the server; absent in some replies.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub time: Option<Time>,
    /// Offset of the next page of a list method, absent on the last page.
    #[serde(default, with = "As::<Int>", skip_serializing_if = "Option::is_none")]
    pub next: Option<i64>,
    /// Number of elements a list method matched, when counted.
    #[serde(default, with = "As::<Int>", skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

/// The `time` object of a reply (see `api-reference/data-types.md`).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(remote = "Self")]
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

crate::wire_object!(Time);
