//! Values of one of several types, for the unions of the specs (`string | map<string>`: a
//! user-field label is either one text or a text per language).

use std::marker::PhantomData;

use serde::de::{self, Deserialize, Deserializer};
use serde::ser::{Serialize, Serializer};
use serde_with::de::DeserializeAsWrap;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

/// A value of one of two types, in the order the spec lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum OneOf2<A, B> {
    /// A value of the first type.
    First(A),
    /// A value of the second type.
    Second(B),
}

/// A value of one of three types, in the order the spec lists them.
#[derive(Debug, Clone, PartialEq)]
pub enum OneOf3<A, B, C> {
    /// A value of the first type.
    First(A),
    /// A value of the second type.
    Second(B),
    /// A value of the third type.
    Third(C),
}

/// The adapter of [`OneOf2`] (`OneOf<(A, B)>`) and [`OneOf3`] (`OneOf<(A, B, C)>`) from
/// the adapters of the members. A value reads as the first member that reads it; `null`
/// is `None` for an `Option`.
#[derive(Debug, Clone, Copy)]
pub struct OneOf<A>(PhantomData<A>);

macro_rules! one_of {
    ($one_of:ident, $expecting:literal, $(($variant:ident, $t:ident, $a:ident)),+) => {
        impl<$($t, $a: SerializeAs<$t>),+> SerializeAs<$one_of<$($t),+>> for OneOf<($($a,)+)> {
            fn serialize_as<S: Serializer>(v: &$one_of<$($t),+>, s: S) -> Result<S::Ok, S::Error> {
                match v {
                    $($one_of::$variant(v) => SerializeAsWrap::<$t, $a>::new(v).serialize(s),)+
                }
            }
        }

        impl<$($t, $a: SerializeAs<$t>),+> SerializeAs<Option<$one_of<$($t),+>>>
            for OneOf<($($a,)+)>
        {
            fn serialize_as<S: Serializer>(
                v: &Option<$one_of<$($t),+>>,
                s: S,
            ) -> Result<S::Ok, S::Error> {
                match v {
                    Some(v) => <Self as SerializeAs<$one_of<$($t),+>>>::serialize_as(v, s),
                    None => s.serialize_none(),
                }
            }
        }

        impl<'de, $($t, $a: DeserializeAs<'de, $t>),+> DeserializeAs<'de, $one_of<$($t),+>>
            for OneOf<($($a,)+)>
        {
            fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<$one_of<$($t),+>, D::Error> {
                let value = serde_json::Value::deserialize(d)?;
                $(
                    if let Ok(v) = DeserializeAsWrap::<$t, $a>::deserialize(value.clone()) {
                        return Ok($one_of::$variant(v.into_inner()));
                    }
                )+
                Err(de::Error::custom(format_args!("expected {}, found {value}", $expecting)))
            }
        }

        impl<'de, $($t, $a: DeserializeAs<'de, $t>),+> DeserializeAs<'de, Option<$one_of<$($t),+>>>
            for OneOf<($($a,)+)>
        {
            fn deserialize_as<D: Deserializer<'de>>(
                d: D,
            ) -> Result<Option<$one_of<$($t),+>>, D::Error> {
                match serde_json::Value::deserialize(d)? {
                    serde_json::Value::Null => Ok(None),
                    value => <Self as DeserializeAs<'de, $one_of<$($t),+>>>::deserialize_as(value)
                        .map(Some)
                        .map_err(de::Error::custom),
                }
            }
        }
    };
}

one_of!(
    OneOf2,
    "a value of either type",
    (First, T1, A1),
    (Second, T2, A2)
);
one_of!(
    OneOf3,
    "a value of one of three types",
    (First, T1, A1),
    (Second, T2, A2),
    (Third, T3, A3)
);
