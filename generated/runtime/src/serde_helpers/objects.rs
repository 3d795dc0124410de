//! Object types (the IR's structs): `object!` gives each its `Serialize`,
//! `Deserialize` and [`Decode`] impls from its list of fields.
//!
//! Generated models implement `Serialize` and `Deserialize` by hand, through
//! the helpers below, instead of deriving them: the derived code (a field
//! enum with three visitors, sequence and map visitors, duplicate checks) is
//! several times larger, and for the 2,000-odd types of the whole Atlas API
//! it dominated the crate's compile time and memory. Unknown fields are
//! ignored, optional fields that are `None` are not sent, and each field is
//! read by the rules of its kind ([`super::fields`]): a missing required
//! field of a request type is an error naming it, one of a received type is
//! tolerated.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;

use super::scope;
#[cfg(doc)]
use super::Decode;

/// A decoded object key, borrowed from the input when the input allows.
#[derive(Debug)]
pub struct Key<'de>(Cow<'de, str>);

impl Key<'_> {
    /// The key as text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl<'de> serde::Deserialize<'de> for Key<'de> {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = Key<'de>;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an object key")
            }
            fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Borrowed(v)))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v.to_owned())))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<Key<'de>, E> {
                Ok(Key(Cow::Owned(v)))
            }
        }
        deserializer.deserialize_str(KeyVisitor)
    }
}

/// Implemented by generated object types: reads the fields of one JSON
/// object. Their `Deserialize` impl is [`decode_object`].
#[doc(hidden)]
pub trait Object: Sized {
    /// Reads every entry of `map`, keeping the known fields and skipping
    /// the others, and builds the value.
    fn from_map<'de, A: MapAccess<'de>>(map: A) -> Result<Self, A::Error>;
}

struct ObjectVisitor<T> {
    name: &'static str,
    marker: PhantomData<T>,
}

impl<'de, T: Object> Visitor<'de> for ObjectVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} object", self.name)
    }
    fn visit_map<A: MapAccess<'de>>(self, map: A) -> Result<T, A::Error> {
        T::from_map(map)
    }
}

/// Decodes an object type (`name` is the type's name, for error messages).
pub fn decode_object<'de, T: Object, D: serde::Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
) -> Result<T, D::Error> {
    deserializer.deserialize_map(ObjectVisitor {
        name,
        marker: PhantomData,
    })
}

/// Skips the value of a key.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// Skips the value of a key the type does not know (`known` lists the
/// keys it does), or refuses it when the scope denies unknown fields
/// (request bodies checked before sending), naming the closest known key.
pub fn unknown<'de, A: MapAccess<'de>>(
    map: &mut A,
    key: &str,
    ty: &'static str,
    known: &'static [&'static str],
) -> Result<(), A::Error> {
    if !scope::skip_unknown_key(key, ty) {
        let hint = closest(key, known)
            .map(|near| format!("; did you mean `{near}`?"))
            .unwrap_or_default();
        return Err(de::Error::custom(format_args!(
            "unknown field `{key}` in {ty}{hint}"
        )));
    }
    skip(map)
}

/// The known key closest to `key` (case-insensitive edit distance at most
/// a third of the key's length, and at least 2).
fn closest(key: &str, known: &[&'static str]) -> Option<&'static str> {
    let key = key.to_ascii_lowercase();
    known
        .iter()
        .map(|k| (strsim::levenshtein(&key, &k.to_ascii_lowercase()), *k))
        .filter(|(d, _)| *d <= (key.chars().count() / 3).max(2))
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Starts writing an object type.
pub fn begin<S: serde::Serializer>(serializer: S) -> Result<S::SerializeMap, S::Error> {
    serializer.serialize_map(None)
}

/// Finishes writing an object type.
pub fn end<M: SerializeMap>(map: M) -> Result<M::Ok, M::Error> {
    map.end()
}

/// Writes the discriminator of an object type that is one variant of a
/// tagged union (`"cloudProvider": "AWS"`): the type stands for that value,
/// so it carries no field for it and cannot send another.
pub fn write_tag<M: SerializeMap>(
    map: &mut M,
    property: &'static str,
    tag: &'static str,
) -> Result<(), M::Error> {
    map.serialize_entry(property, tag)
}

/// `Serialize`, `Deserialize` and [`Decode`] for a generated object type,
/// from its fields: `object!(Type { field kind "wireName", ... })`, where
/// `kind` is one of the modules of [`super::fields`]. A type that is one variant
/// of a tagged union writes its tag first:
/// `object!(Type tag "cloudProvider" "AWS" { ... })`. Unknown keys are
/// skipped and, when a key repeats, the last value wins.
#[macro_export]
#[doc(hidden)]
macro_rules! object {
    ($ty:ident $(tag $prop:literal $tag:literal)? { $($field:ident $kind:ident $wire:literal),* $(,)? }) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = $crate::serde_helpers::begin(serializer)?;
                $( $crate::serde_helpers::write_tag(&mut map, $prop, $tag)?; )?
                $( $crate::serde_helpers::$kind::write(&mut map, $wire, &self.$field)?; )*
                $crate::serde_helpers::end(map)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::serde_helpers::decode_object(deserializer, stringify!($ty))
            }
        }

        impl $crate::serde_helpers::Decode for $ty {
            fn decode<'de, D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::serde_helpers::decode_object(deserializer, stringify!($ty))
            }
        }

        impl $crate::serde_helpers::Object for $ty {
            #[allow(clippy::match_single_binding)]
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                $( let mut $field = None; )*
                while let Some(key) = map.next_key::<$crate::serde_helpers::Key<'de>>()? {
                    match key.as_str() {
                        $( $wire => $crate::serde_helpers::$kind::read(&mut $field, &mut map, $wire)?, )*
                        $( $prop => $crate::serde_helpers::skip(&mut map)?, )?
                        other => $crate::serde_helpers::unknown(&mut map, other, stringify!($ty), &[$($wire),*])?,
                    }
                }
                Ok(Self {
                    $( $field: $crate::serde_helpers::$kind::finish($field, $wire, stringify!($ty), &map)?, )*
                })
            }
        }
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    /// Field names that are also the macro's own local names.
    #[derive(Debug, Clone, PartialEq, Default)]
    struct Awkward {
        map: Option<String>,
        key: Option<i64>,
        serializer: String,
        value: Option<Option<bool>>,
    }
    object!(Awkward { map optional "map", key optional "keyName", serializer required "ser", value three_state "value" });

    #[derive(Debug, Clone, PartialEq)]
    struct Empty {}
    object!(Empty {});

    #[test]
    fn objects_round_trip_with_awkward_field_names() {
        let value = Awkward {
            map: Some("m".into()),
            key: Some(7),
            serializer: "s".into(),
            value: Some(Some(true)),
        };
        let text = serde_json::to_value(&value).expect("encodes");
        assert_eq!(
            text,
            json!({"map": "m", "keyName": 7, "ser": "s", "value": true})
        );
        assert_eq!(
            serde_json::from_value::<Awkward>(text).expect("decodes"),
            value
        );
    }

    #[test]
    fn three_states_and_absent_fields() {
        let absent: Awkward = serde_json::from_value(json!({"ser": "s"})).expect("decodes");
        assert_eq!(absent.value, None);
        assert_eq!(
            serde_json::to_value(&absent).expect("encodes"),
            json!({"ser": "s"})
        );
        let null: Awkward = serde_json::from_value(json!({"ser": "s", "value": null, "map": null}))
            .expect("decodes");
        assert_eq!(null.value, Some(None));
        assert_eq!(null.map, None);
        assert_eq!(
            serde_json::to_value(&null).expect("encodes"),
            json!({"ser": "s", "value": null})
        );
    }

    #[test]
    fn unknown_fields_are_skipped_and_a_repeated_key_keeps_the_last_value() {
        let text = r#"{"other": {"deep": [1, 2]}, "ser": "a", "ser": "b", "keyName": 1}"#;
        let value: Awkward = serde_json::from_str(text).expect("decodes");
        assert_eq!(value.serializer, "b");
        assert_eq!(value.key, Some(1));
        let empty: Empty = serde_json::from_str(r#"{"a": 1, "b": [true]}"#).expect("decodes");
        assert_eq!(serde_json::to_string(&empty).expect("encodes"), "{}");
    }

    #[test]
    fn errors_name_the_missing_field_and_the_type() {
        let missing = serde_json::from_value::<Awkward>(json!({"map": "m"})).expect_err("missing");
        assert!(
            missing.to_string().contains("missing field `ser`"),
            "{missing}"
        );
        let wrong = serde_json::from_value::<Awkward>(json!([1])).expect_err("not an object");
        assert!(wrong.to_string().contains("a Awkward object"), "{wrong}");
        let bad = serde_json::from_value::<Awkward>(json!({"ser": 5})).expect_err("wrong type");
        assert!(bad.to_string().contains("invalid type"), "{bad}");
    }
}
