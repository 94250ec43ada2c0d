//! Lenient adapters for objects, lists and maps, as PHP encodes them.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::value::MapAccessDeserializer;
use serde::de::{self, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{SerializeMap, SerializeSeq, Serializer};
use serde_with::de::DeserializeAsWrap;
use serde_with::ser::SerializeAsWrap;
use serde_with::{DeserializeAs, SerializeAs};

/// Visitor methods every container shares: PHP's `false`, `null` and an absent value read
/// as `None` (empty); `true` is an error.
macro_rules! php_empty_values {
    () => {
        fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
            if v {
                Err(E::invalid_type(de::Unexpected::Bool(v), &self))
            } else {
                Ok(None)
            }
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
    };
}

/// A `Vec<T>` whose elements go through adapter `A`; also reads an object (a PHP array with
/// keys) as its values in order, and `null` / `false` as empty, or `None` for `Option`.
#[derive(Debug, Clone, Copy)]
pub struct List<A>(PhantomData<A>);

/// A `BTreeMap<String, T>` whose values go through adapter `A`; also reads a list as a map
/// keyed `"0"`, `"1"`, …, and `null` / `false` as empty, or `None` for `Option`.
#[derive(Debug, Clone, Copy)]
pub struct Map<A>(PhantomData<A>);

/// What a container visitor builds; `None` stands for PHP's empty or absent value.
type Read<T> = Option<T>;

/// A struct that reads PHP's empty values (`[]`, `null`, `false`) as
/// `Default::default()`. Derived with [`Object`](crate::wire::Object), which also routes the
/// struct's `Deserialize` through [`deserialize_object`].
pub trait ObjectFields: Default + Sized {
    /// Reads the struct from a map (the serde-derived field reader).
    fn deserialize_fields<'de, D: Deserializer<'de>>(d: D) -> Result<Self, D::Error>;
}

/// Reads an [`ObjectFields`] struct from an object, or from PHP's empty values.
pub fn deserialize_object<'de, D: Deserializer<'de>, T: ObjectFields>(d: D) -> Result<T, D::Error> {
    Ok(d.deserialize_any(ObjectVisitor(PhantomData))?
        .unwrap_or_default())
}

struct ObjectVisitor<T>(PhantomData<T>);

impl<'de, T: ObjectFields> Visitor<'de> for ObjectVisitor<T> {
    type Value = Read<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, map: M) -> Result<Self::Value, M::Error> {
        T::deserialize_fields(MapAccessDeserializer::new(map)).map(Some)
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        match seq.next_element::<de::IgnoredAny>()? {
            None => Ok(None),
            Some(_) => Err(de::Error::invalid_type(de::Unexpected::Seq, &self)),
        }
    }

    php_empty_values!();
}

struct ListVisitor<T, A>(PhantomData<(T, A)>);

impl<'de, T, A: DeserializeAs<'de, T>> Visitor<'de> for ListVisitor<T, A> {
    type Value = Read<Vec<T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut out = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(4096));
        while let Some(item) = seq.next_element::<DeserializeAsWrap<T, A>>()? {
            out.push(item.into_inner());
        }
        Ok(Some(out))
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut out = Vec::with_capacity(map.size_hint().unwrap_or(0).min(4096));
        while let Some((_, item)) = map.next_entry::<de::IgnoredAny, DeserializeAsWrap<T, A>>()? {
            out.push(item.into_inner());
        }
        Ok(Some(out))
    }

    php_empty_values!();
}

impl<T, A: SerializeAs<T>> SerializeAs<Vec<T>> for List<A> {
    fn serialize_as<S: Serializer>(v: &Vec<T>, s: S) -> Result<S::Ok, S::Error> {
        let mut seq = s.serialize_seq(Some(v.len()))?;
        for item in v {
            seq.serialize_element(&SerializeAsWrap::<T, A>::new(item))?;
        }
        seq.end()
    }
}

impl<T, A: SerializeAs<T>> SerializeAs<Option<Vec<T>>> for List<A> {
    fn serialize_as<S: Serializer>(v: &Option<Vec<T>>, s: S) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => <Self as SerializeAs<Vec<T>>>::serialize_as(v, s),
            None => s.serialize_none(),
        }
    }
}

impl<'de, T, A: DeserializeAs<'de, T>> DeserializeAs<'de, Vec<T>> for List<A> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Vec<T>, D::Error> {
        Ok(d.deserialize_any(ListVisitor::<T, A>(PhantomData))?
            .unwrap_or_default())
    }
}

impl<'de, T, A: DeserializeAs<'de, T>> DeserializeAs<'de, Option<Vec<T>>> for List<A> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<Vec<T>>, D::Error> {
        d.deserialize_any(ListVisitor::<T, A>(PhantomData))
    }
}

struct MapVisitor<T, A>(PhantomData<(T, A)>);

impl<'de, T, A: DeserializeAs<'de, T>> Visitor<'de> for MapVisitor<T, A> {
    type Value = Read<BTreeMap<String, T>>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }

    fn visit_map<M: MapAccess<'de>>(self, mut map: M) -> Result<Self::Value, M::Error> {
        let mut out = BTreeMap::new();
        while let Some((key, value)) = map.next_entry::<String, DeserializeAsWrap<T, A>>()? {
            out.insert(key, value.into_inner());
        }
        Ok(Some(out))
    }

    fn visit_seq<S: SeqAccess<'de>>(self, mut seq: S) -> Result<Self::Value, S::Error> {
        let mut out = BTreeMap::new();
        let mut index = 0usize;
        while let Some(value) = seq.next_element::<DeserializeAsWrap<T, A>>()? {
            out.insert(index.to_string(), value.into_inner());
            index += 1;
        }
        Ok(Some(out))
    }

    php_empty_values!();
}

impl<T, A: SerializeAs<T>> SerializeAs<BTreeMap<String, T>> for Map<A> {
    fn serialize_as<S: Serializer>(v: &BTreeMap<String, T>, s: S) -> Result<S::Ok, S::Error> {
        let mut map = s.serialize_map(Some(v.len()))?;
        for (key, value) in v {
            map.serialize_entry(key, &SerializeAsWrap::<T, A>::new(value))?;
        }
        map.end()
    }
}

impl<T, A: SerializeAs<T>> SerializeAs<Option<BTreeMap<String, T>>> for Map<A> {
    fn serialize_as<S: Serializer>(
        v: &Option<BTreeMap<String, T>>,
        s: S,
    ) -> Result<S::Ok, S::Error> {
        match v {
            Some(v) => <Self as SerializeAs<BTreeMap<String, T>>>::serialize_as(v, s),
            None => s.serialize_none(),
        }
    }
}

impl<'de, T, A: DeserializeAs<'de, T>> DeserializeAs<'de, BTreeMap<String, T>> for Map<A> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<BTreeMap<String, T>, D::Error> {
        Ok(d.deserialize_any(MapVisitor::<T, A>(PhantomData))?
            .unwrap_or_default())
    }
}

impl<'de, T, A: DeserializeAs<'de, T>> DeserializeAs<'de, Option<BTreeMap<String, T>>> for Map<A> {
    fn deserialize_as<D: Deserializer<'de>>(d: D) -> Result<Option<BTreeMap<String, T>>, D::Error> {
        d.deserialize_any(MapVisitor::<T, A>(PhantomData))
    }
}
