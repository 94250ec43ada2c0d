//! Support for generated enums of allowed values, which keep unknown values.

use serde::de::Deserializer;
use serde::ser::Serializer;
use serde_with::{DeserializeAs, SerializeAs};

use super::{Int, Text};

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

/// Adapter for an [`IntEnum`] field: like [`Int`], `null` and `""` read as `None`.
#[derive(Debug, Clone, Copy)]
pub struct IntEnumValue;

impl<T: IntEnum> SerializeAs<T> for IntEnumValue {
    fn serialize_as<S: Serializer>(v: &T, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_i64(v.to_wire())
    }
}

impl<T: IntEnum> SerializeAs<Option<T>> for IntEnumValue {
    fn serialize_as<S: Serializer>(v: &Option<T>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => s.serialize_i64(v.to_wire()),
            None => s.serialize_none(),
        }
    }
}

impl<'de, T: IntEnum> DeserializeAs<'de, T> for IntEnumValue {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<T, D::Error> {
        deserialize_int_enum(d)
    }
}

impl<'de, T: IntEnum> DeserializeAs<'de, Option<T>> for IntEnumValue {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<T>, D::Error> {
        let value: Option<i64> = <Int as DeserializeAs<'de, Option<i64>>>::deserialize_as(d)?;
        Ok(value.map(T::from_wire))
    }
}
