//! Support for generated enums of allowed values, which keep unknown values.

use serde::de::Deserializer;

use super::{Int, Text};
use serde_with::DeserializeAs;

/// An enum of documented string values with an `Unknown(String)` variant, so any value
/// the server sends round-trips unchanged.
pub trait StrEnum: Sized {
    /// The variant for a wire value; unknown values become `Unknown`.
    fn from_wire(value: String) -> Self;
    /// The wire value of the variant.
    fn as_wire(&self) -> &str;
}

/// An enum of documented integer values with an `Unknown(i64)` variant.
pub trait IntEnum: Sized {
    /// The variant for a wire value; unknown values become `Unknown`.
    fn from_wire(value: i64) -> Self;
    /// The wire value of the variant.
    fn to_wire(&self) -> i64;
}

/// Reads a [`StrEnum`] from a string (or a number, read as its text).
pub fn deserialize_str_enum<'de, D: Deserializer<'de>, T: StrEnum>(d: D) -> Result<T, D::Error> {
    <Text as DeserializeAs<'de, String>>::deserialize_as(d).map(T::from_wire)
}

/// Reads an [`IntEnum`] from a number or a numeric string.
pub fn deserialize_int_enum<'de, D: Deserializer<'de>, T: IntEnum>(d: D) -> Result<T, D::Error> {
    <Int as DeserializeAs<'de, i64>>::deserialize_as(d).map(T::from_wire)
}
