//! Lenient scalar adapters: integers, floats, text and the three boolean wire forms.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, Deserializer, Unexpected, Visitor};
use serde::ser::Serializer;
use serde_with::{DeserializeAs, SerializeAs};

/// A scalar that can be read from any JSON scalar Bitrix24 may send for it.
///
/// `Ok(None)` means "no value" (`null`, or `""` for non-text scalars).
trait LenientScalar: Sized {
    const EXPECTING: &'static str;
    fn from_i64(v: i64) -> Option<Self>;
    fn from_u64(v: u64) -> Option<Self>;
    fn from_f64(v: f64) -> Option<Self>;
    fn from_bool(v: bool) -> Option<Self>;
    /// `Err(())` when the text is not a value of this type.
    fn from_text(v: &str) -> Result<Option<Self>, ()>;
}

struct ScalarVisitor<T>(PhantomData<T>);

impl<'de, T: LenientScalar> Visitor<'de> for ScalarVisitor<T> {
    type Value = Option<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(T::EXPECTING)
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        T::from_i64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(Unexpected::Signed(v), &self))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        T::from_u64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(Unexpected::Unsigned(v), &self))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        T::from_f64(v)
            .map(Some)
            .ok_or_else(|| E::invalid_value(Unexpected::Float(v), &self))
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        T::from_bool(v)
            .map(Some)
            .ok_or_else(|| E::invalid_type(Unexpected::Bool(v), &self))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        T::from_text(v).map_err(|()| E::invalid_value(Unexpected::Str(v), &self))
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_any(self)
    }
}

fn read_required<'de, D: Deserializer<'de>, T: LenientScalar>(d: D) -> Result<T, D::Error> {
    d.deserialize_any(ScalarVisitor::<T>(PhantomData))?
        .ok_or_else(|| de::Error::invalid_type(Unexpected::Unit, &T::EXPECTING))
}

fn read_optional<'de, D: Deserializer<'de>, T: LenientScalar>(d: D) -> Result<Option<T>, D::Error> {
    d.deserialize_any(ScalarVisitor::<T>(PhantomData))
}

impl LenientScalar for i64 {
    const EXPECTING: &'static str = "an integer, or a string holding one";

    fn from_i64(v: i64) -> Option<Self> {
        Some(v)
    }

    fn from_u64(v: u64) -> Option<Self> {
        i64::try_from(v).ok()
    }

    fn from_f64(v: f64) -> Option<Self> {
        // Only integral values in range; `as` saturates, so check the round trip.
        (v.fract() == 0.0 && v >= i64::MIN as f64 && v < i64::MAX as f64).then_some(v as i64)
    }

    fn from_bool(_: bool) -> Option<Self> {
        None
    }

    fn from_text(v: &str) -> Result<Option<Self>, ()> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        match v.parse::<i64>() {
            Ok(n) => Ok(Some(n)),
            Err(_) => v
                .parse::<f64>()
                .ok()
                .and_then(Self::from_f64)
                .map(Some)
                .ok_or(()),
        }
    }
}

impl LenientScalar for f64 {
    const EXPECTING: &'static str = "a number, or a string holding one";

    fn from_i64(v: i64) -> Option<Self> {
        Some(v as f64)
    }

    fn from_u64(v: u64) -> Option<Self> {
        Some(v as f64)
    }

    fn from_f64(v: f64) -> Option<Self> {
        Some(v)
    }

    fn from_bool(_: bool) -> Option<Self> {
        None
    }

    fn from_text(v: &str) -> Result<Option<Self>, ()> {
        let v = v.trim();
        if v.is_empty() {
            return Ok(None);
        }
        v.parse::<f64>()
            .ok()
            .filter(|n| n.is_finite())
            .map(Some)
            .ok_or(())
    }
}

impl LenientScalar for String {
    const EXPECTING: &'static str = "a string";

    fn from_i64(v: i64) -> Option<Self> {
        Some(v.to_string())
    }

    fn from_u64(v: u64) -> Option<Self> {
        Some(v.to_string())
    }

    fn from_f64(v: f64) -> Option<Self> {
        Some(v.to_string())
    }

    fn from_bool(v: bool) -> Option<Self> {
        Some(v.to_string())
    }

    fn from_text(v: &str) -> Result<Option<Self>, ()> {
        Ok(Some(v.to_owned()))
    }
}

impl LenientScalar for bool {
    const EXPECTING: &'static str = "a boolean: Y/N, 1/0 or true/false";

    fn from_i64(v: i64) -> Option<Self> {
        match v {
            0 => Some(false),
            1 => Some(true),
            _ => None,
        }
    }

    fn from_u64(v: u64) -> Option<Self> {
        Self::from_i64(i64::try_from(v).ok()?)
    }

    fn from_f64(_: f64) -> Option<Self> {
        None
    }

    fn from_bool(v: bool) -> Option<Self> {
        Some(v)
    }

    fn from_text(v: &str) -> Result<Option<Self>, ()> {
        match v.trim() {
            "" => Ok(None),
            "Y" | "y" | "1" | "true" | "TRUE" | "True" => Ok(Some(true)),
            "N" | "n" | "0" | "false" | "FALSE" | "False" => Ok(Some(false)),
            _ => Err(()),
        }
    }
}

/// Declares an adapter for `$ty` and `Option<$ty>` that reads leniently and writes with
/// `$write`.
macro_rules! scalar_adapter {
    ($(#[$doc:meta])* $name:ident, $ty:ty, |$v:ident, $s:ident| $write:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Copy)]
        pub struct $name;

        impl SerializeAs<$ty> for $name {
            fn serialize_as<S: Serializer>($v: &$ty, $s: S) -> Result<S::Ok, S::Error> {
                $write
            }
        }

        impl SerializeAs<Option<$ty>> for $name {
            fn serialize_as<S: Serializer>(v: &Option<$ty>, s: S) -> Result<S::Ok, S::Error> {
                match v {
                    Some(v) => <$name as SerializeAs<$ty>>::serialize_as(v, s),
                    None => s.serialize_none(),
                }
            }
        }

        impl<'de> DeserializeAs<'de, $ty> for $name {
            fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<$ty, D::Error> {
                read_required(d)
            }
        }

        impl<'de> DeserializeAs<'de, Option<$ty>> for $name {
            fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<$ty>, D::Error> {
                read_optional(d)
            }
        }
    };
}

scalar_adapter!(
    /// `i64` written as a JSON number; reads numbers and numeric strings.
    Int, i64, |v, s| s.serialize_i64(*v)
);
scalar_adapter!(
    /// `f64` written as a JSON number; reads numbers and numeric strings.
    Float, f64, |v, s| s.serialize_f64(*v)
);
scalar_adapter!(
    /// `String` written as a JSON string; also reads numbers and booleans as text.
    Text, String, |v, s| s.serialize_str(v)
);
scalar_adapter!(
    /// `bool` written as `"Y"` / `"N"`; reads every boolean form.
    YesNo, bool, |v, s| s.serialize_str(if *v { "Y" } else { "N" })
);
scalar_adapter!(
    /// `bool` written as `1` / `0`; reads every boolean form.
    ZeroOne, bool, |v, s| s.serialize_u8(u8::from(*v))
);
scalar_adapter!(
    /// `bool` written as `true` / `false`; reads every boolean form.
    TrueFalse, bool, |v, s| s.serialize_bool(*v)
);
