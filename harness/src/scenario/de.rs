//! Small serde helpers shared by the scenario types: values written either as a string or as a
//! map, and their JSON Schema.

use std::fmt;
use std::marker::PhantomData;

use schemars::gen::SchemaGenerator;
use schemars::schema::{InstanceType, Metadata, Schema, SchemaObject, SubschemaValidation};
use schemars::JsonSchema;
use serde::de::{
    self, value::MapAccessDeserializer, Deserialize, Deserializer, MapAccess, Visitor,
};

/// A value that can be written as a plain string (`scan: "5901234123457"`) or as a map with
/// options (`scan: {code: "SKU-42", symbology: code128}`).
pub(crate) trait StrOrMap: Sized {
    /// The map form.
    type Map: for<'de> Deserialize<'de>;
    /// What the value looks like, for errors: "a code or an item name, or a map …".
    const EXPECTING: &'static str;
    fn from_str(s: &str) -> Result<Self, String>;
    fn from_map(m: Self::Map) -> Result<Self, String>;
}

pub(crate) fn str_or_map<'de, D: Deserializer<'de>, T: StrOrMap>(d: D) -> Result<T, D::Error> {
    struct V<T>(PhantomData<T>);
    impl<'de, T: StrOrMap> Visitor<'de> for V<T> {
        type Value = T;
        fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
            f.write_str(T::EXPECTING)
        }
        fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
            T::from_str(v).map_err(E::custom)
        }
        fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
            let m = T::Map::deserialize(MapAccessDeserializer::new(map))?;
            T::from_map(m).map_err(de::Error::custom)
        }
    }
    d.deserialize_any(V(PhantomData))
}

/// The schema `string | M`, with a description.
pub(crate) fn str_or_schema<M: JsonSchema>(gen: &mut SchemaGenerator, description: &str) -> Schema {
    let string = SchemaObject {
        instance_type: Some(InstanceType::String.into()),
        ..Default::default()
    };
    SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some(description.into()),
            ..Default::default()
        })),
        subschemas: Some(Box::new(SubschemaValidation {
            any_of: Some(vec![string.into(), gen.subschema_for::<M>()]),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

/// A permissive schema for a value whose type lives in another crate without schemas (device
/// actions and faults, impairments, data files): any value, with a description.
pub(crate) fn described_any(description: &str) -> Schema {
    SchemaObject {
        metadata: Some(Box::new(Metadata {
            description: Some(description.into()),
            ..Default::default()
        })),
        ..Default::default()
    }
    .into()
}

/// Accepts nothing, `~` or `{}`: the value of a step that takes none (`- total: ~`).
pub(crate) struct Nothing;

impl<'de> Deserialize<'de> for Nothing {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct V;
        impl<'de> Visitor<'de> for V {
            type Value = Nothing;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("nothing (this step takes no value)")
            }
            fn visit_unit<E: de::Error>(self) -> Result<Nothing, E> {
                Ok(Nothing)
            }
            fn visit_none<E: de::Error>(self) -> Result<Nothing, E> {
                Ok(Nothing)
            }
            fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Nothing, A::Error> {
                match map.next_key::<String>()? {
                    None => Ok(Nothing),
                    Some(k) => Err(de::Error::custom(format!(
                        "this step takes no value, so `{k}` is unknown here"
                    ))),
                }
            }
        }
        d.deserialize_any(V)
    }
}
