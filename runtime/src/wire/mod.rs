//! Serde adapters between Bitrix24's wire JSON and Rust values.
//!
//! Bitrix24 is written in PHP and its replies show it: integers arrive as `"42"`, booleans
//! as `"Y"`/`"N"`, `1`/`0` or `true`/`false`, an empty object as `[]`, a list as an object
//! keyed `"0"`, `"1"`, …, and an absent value as `null` or `""`. The adapters here read all
//! of those and write exactly one documented form.
//!
//! Each adapter is a [`serde_with`] `SerializeAs` + `DeserializeAs` type used through
//! [`As`], for example `#[serde(with = "As::<List<Int>>")]` on a `Vec<i64>`. Every adapter
//! also serves the `Option` of its type, reading `null` (and, for non-text scalars, `""`)
//! as `None`; fields that may be absent add `#[serde(default)]`.

mod containers;
mod enums;
mod one_of;
mod scalars;

pub use bitrix24_macros::Object;
pub use containers::{List, Map, ObjectFields, deserialize_object};
pub use enums::{IntEnum, IntEnumValue, StrEnum, deserialize_int_enum, deserialize_str_enum};
pub use one_of::{OneOf, OneOf2, OneOf3};
pub use scalars::{Float, Int, Text, TrueFalse, YesNo, ZeroOne};
pub use serde_with::{As, Same};

#[cfg(test)]
mod tests;
