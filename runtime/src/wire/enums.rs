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

/// Implements [`StrEnum`], `Serialize` and `Deserialize` for a generated enum of string
/// values whose other variant is `Unknown(String)`.
///
/// `str_enum!(TypeId { Phone = "PHONE", Email = "EMAIL" });`
#[macro_export]
macro_rules! str_enum {
    ($name:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        impl $crate::wire::StrEnum for $name {
            fn from_wire(value: ::std::string::String) -> Self {
                match value.as_str() {
                    $($wire => Self::$variant,)*
                    _ => Self::Unknown(value),
                }
            }

            fn as_wire(&self) -> &str {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(other) => other,
                }
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::wire::StrEnum::as_wire(self))
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire::deserialize_str_enum(d)
            }
        }
    };
}

/// Implements [`IntEnum`], `Serialize` and `Deserialize` for a generated enum of integer
/// values whose other variant is `Unknown(i64)`.
///
/// `int_enum!(Status { Open = 1, Closed = 2 });`
#[macro_export]
macro_rules! int_enum {
    ($name:ident { $($variant:ident = $wire:literal),* $(,)? }) => {
        impl $crate::wire::IntEnum for $name {
            fn from_wire(value: i64) -> Self {
                match value {
                    $($wire => Self::$variant,)*
                    other => Self::Unknown(other),
                }
            }

            fn to_wire(&self) -> i64 {
                match self {
                    $(Self::$variant => $wire,)*
                    Self::Unknown(other) => *other,
                }
            }
        }

        impl $crate::__private::serde::Serialize for $name {
            fn serialize<S: $crate::__private::serde::Serializer>(
                &self,
                s: S,
            ) -> ::core::result::Result<S::Ok, S::Error> {
                s.serialize_i64($crate::wire::IntEnum::to_wire(self))
            }
        }

        impl<'de> $crate::__private::serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__private::serde::Deserializer<'de>>(
                d: D,
            ) -> ::core::result::Result<Self, D::Error> {
                $crate::wire::deserialize_int_enum(d)
            }
        }
    };
}
