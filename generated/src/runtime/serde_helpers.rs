//! Serde helpers used by generated models.

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;

/// The string value of a union's discriminator property, if present.
pub fn tag_of(value: &serde_json::Value, property: &str) -> Option<String> {
    value.get(property)?.as_str().map(str::to_owned)
}

/// Serialises a variant of a discriminated union, adding the discriminator
/// property (`property: tag`) when the variant's own fields do not carry it
/// (for example when it is read-only and so left out of a request type).
pub fn serialize_tagged<T: serde::Serialize, S: serde::Serializer>(
    value: &T,
    property: &str,
    tag: &str,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    use serde::ser::Error as _;
    use serde::Serialize as _;
    let mut json = serde_json::to_value(value).map_err(S::Error::custom)?;
    if let serde_json::Value::Object(map) = &mut json {
        map.entry(property)
            .or_insert_with(|| serde_json::Value::String(tag.to_owned()));
    }
    json.serialize(serializer)
}

// ----- Objects and string enums --------------------------------------------
//
// Generated models implement `Serialize` and `Deserialize` by hand, through
// the helpers below, instead of deriving them: the derived code (a field
// enum with three visitors, sequence and map visitors, duplicate checks) is
// several times larger, and for the 2,000-odd types of the whole Atlas API
// it dominated the crate's compile time and memory. The behaviour is the
// one the derives had: unknown fields are ignored, a missing required field
// is an error naming it, optional fields that are `None` are not sent.

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

/// Skips the value of a key the type does not know.
pub fn skip<'de, A: MapAccess<'de>>(map: &mut A) -> Result<(), A::Error> {
    map.next_value::<IgnoredAny>().map(|_| ())
}

/// Starts writing an object type.
pub fn begin<S: serde::Serializer>(serializer: S) -> Result<S::SerializeMap, S::Error> {
    serializer.serialize_map(None)
}

/// Finishes writing an object type.
pub fn end<M: SerializeMap>(map: M) -> Result<M::Ok, M::Error> {
    map.end()
}

/// A field that must be present: `T` always sent (a nullable one as
/// `null` when `None`), and an error naming the key when it is missing.
pub mod required {
    use serde::de::{Error as _, MapAccess};
    use serde::ser::SerializeMap;

    /// Writes the field.
    pub fn write<M: SerializeMap, T: serde::Serialize>(
        map: &mut M,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        map.serialize_entry(key, value)
    }

    /// Reads the field's value into its slot.
    pub fn read<'de, T: serde::Deserialize<'de>, A: MapAccess<'de>>(
        slot: &mut Option<T>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        *slot = Some(map.next_value()?);
        Ok(())
    }

    /// The field's value, or the error that names it when it was missing.
    pub fn finish<'de, T, A: MapAccess<'de>>(
        slot: Option<T>,
        key: &'static str,
        _map: &A,
    ) -> Result<T, A::Error> {
        slot.ok_or_else(|| A::Error::missing_field(key))
    }
}

/// An optional field (`Option<T>`): left out when `None`; `null` or
/// absent reads as `None`.
pub mod optional {
    use serde::de::MapAccess;
    use serde::ser::SerializeMap;

    /// Writes the field unless it is `None`.
    pub fn write<M: SerializeMap, T: serde::Serialize>(
        map: &mut M,
        key: &'static str,
        value: &Option<T>,
    ) -> Result<(), M::Error> {
        match value {
            Some(value) => map.serialize_entry(key, value),
            None => Ok(()),
        }
    }

    /// Reads the field's value (`null` is `None`).
    pub fn read<'de, T: serde::Deserialize<'de>, A: MapAccess<'de>>(
        slot: &mut Option<T>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        *slot = map.next_value()?;
        Ok(())
    }

    /// The field's value.
    pub fn finish<'de, T, A: MapAccess<'de>>(
        slot: Option<T>,
        _key: &'static str,
        _map: &A,
    ) -> Result<Option<T>, A::Error> {
        Ok(slot)
    }
}

/// A PATCH-style field with three states (`Option<Option<T>>`): absent
/// (`None`, left out), `null` (`Some(None)`) and a value (`Some(Some(v))`).
pub mod three_state {
    use serde::de::MapAccess;
    use serde::ser::SerializeMap;

    /// Writes the field unless it is absent; `Some(None)` is sent as `null`.
    pub fn write<M: SerializeMap, T: serde::Serialize>(
        map: &mut M,
        key: &'static str,
        value: &Option<Option<T>>,
    ) -> Result<(), M::Error> {
        super::optional::write(map, key, value)
    }

    /// Reads the field: present, `null` included, is `Some(..)`.
    pub fn read<'de, T: serde::Deserialize<'de>, A: MapAccess<'de>>(
        slot: &mut Option<Option<T>>,
        map: &mut A,
    ) -> Result<(), A::Error> {
        *slot = Some(map.next_value()?);
        Ok(())
    }

    /// The field's value.
    pub fn finish<'de, T, A: MapAccess<'de>>(
        slot: Option<Option<T>>,
        _key: &'static str,
        _map: &A,
    ) -> Result<Option<Option<T>>, A::Error> {
        Ok(slot)
    }
}

/// `Serialize` and `Deserialize` for a generated object type, from its
/// fields: `object!(Type { field kind "wireName", ... })`, where `kind` is
/// [`required`], [`optional`] or [`three_state`]. Unknown keys are skipped
/// and, when a key repeats, the last value wins.
#[allow(unused_macros)] // unused when no enabled feature has such a type
macro_rules! object {
    ($ty:ident { $($field:ident $kind:ident $wire:literal),* $(,)? }) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                #[allow(unused_mut)]
                let mut map = $crate::runtime::serde_helpers::begin(serializer)?;
                $( $crate::runtime::serde_helpers::$kind::write(&mut map, $wire, &self.$field)?; )*
                $crate::runtime::serde_helpers::end(map)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::runtime::serde_helpers::decode_object(deserializer, stringify!($ty))
            }
        }

        impl $crate::runtime::serde_helpers::Object for $ty {
            #[allow(clippy::match_single_binding)]
            fn from_map<'de, A: ::serde::de::MapAccess<'de>>(mut map: A) -> Result<Self, A::Error> {
                $( let mut $field = None; )*
                while let Some(key) = map.next_key::<$crate::runtime::serde_helpers::Key<'de>>()? {
                    match key.as_str() {
                        $( $wire => $crate::runtime::serde_helpers::$kind::read(&mut $field, &mut map)?, )*
                        _ => $crate::runtime::serde_helpers::skip(&mut map)?,
                    }
                }
                Ok(Self {
                    $( $field: $crate::runtime::serde_helpers::$kind::finish($field, $wire, &map)?, )*
                })
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use object;

/// A generated string enum's methods and impls, from its variants:
/// `string_enum!(Type, Fallback { Variant "wire", ... })`. Gives `VALUES`,
/// `as_str`, `from_wire` (values the spec does not list become the
/// fallback variant), `Display`, `ToWire`, `Serialize` and `Deserialize`.
#[allow(unused_macros)] // unused when no enabled feature has such a type
macro_rules! string_enum {
    ($ty:ident, $fallback:ident { $($variant:ident $wire:literal),* $(,)? }) => {
        impl $ty {
            /// Every value the spec lists, in spec order.
            pub const VALUES: &'static [&'static str] = &[$($wire),*];

            /// The value as it goes on the wire.
            pub fn as_str(&self) -> &str {
                match self {
                    $( Self::$variant => $wire, )*
                    Self::$fallback(value) => value,
                }
            }

            /// The variant for a wire value; a value the spec does not
            /// list becomes the fallback variant.
            pub fn from_wire(value: &str) -> Self {
                match value {
                    $( $wire => Self::$variant, )*
                    other => Self::$fallback(other.to_owned()),
                }
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::runtime::ToWire for $ty {
            fn to_wire(&self) -> String {
                self.as_str().to_owned()
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                $crate::runtime::serde_helpers::decode_string_enum(deserializer, stringify!($ty), Self::from_wire)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use string_enum;

struct StrVisitor<T> {
    name: &'static str,
    from_wire: fn(&str) -> T,
}

impl<T> Visitor<'_> for StrVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} string", self.name)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.from_wire)(v))
    }
}

/// Decodes a string enum through its `from_wire` (which maps values the
/// spec does not list to the fallback variant).
pub fn decode_string_enum<'de, T, D: serde::Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
    from_wire: fn(&str) -> T,
) -> Result<T, D::Error> {
    deserializer.deserialize_str(StrVisitor { name, from_wire })
}

/// Tries one shape of an untagged union on an already decoded value.
pub fn try_shape<'de, T: serde::Deserialize<'de>>(value: &'de serde_json::Value) -> Option<T> {
    T::deserialize(value).ok()
}

/// A discriminated union's `DISCRIMINATOR` and its serde impls:
/// `tagged_union!(Type, "property", Fallback { Variant "sent tag" ["tag", ...], ... })`.
/// A variant is written with its first tag added when its fields lack it;
/// it is read when the property holds one of its tags, and any other value
/// (or none) reads as the fallback variant, kept as JSON.
#[allow(unused_macros)] // unused when no enabled feature has such a type
macro_rules! tagged_union {
    ($ty:ident, $prop:literal, $fallback:ident {
        $($variant:ident $sent:literal [$($tag:literal),*]),* $(,)?
    }) => {
        impl $ty {
            /// The property whose value selects the variant.
            pub const DISCRIMINATOR: &'static str = $prop;
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(value) => $crate::runtime::serde_helpers::serialize_tagged(value, $prop, $sent, serializer), )*
                    Self::$fallback(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = $crate::runtime::serde_helpers::tag_of(&value, $prop);
                let tag = tag.as_deref();
                $(
                    if tag.is_some_and(|tag| [$($tag),*].contains(&tag)) {
                        return ::serde_json::from_value(value)
                            .map(Self::$variant)
                            .map_err(<D::Error as ::serde::de::Error>::custom);
                    }
                )*
                Ok(Self::$fallback(value))
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use tagged_union;

/// The impls of a validated string type (`pub struct Type(String)`):
/// `validated!(Type, "field", "pattern", matcher)`: `as_str`,
/// [`Validated`](crate::runtime::Validated) (checked with `matcher`),
/// `FromStr`, `TryFrom<String>`, `From<Type> for String`, `AsRef<str>`
/// and `Display`.
#[allow(unused_macros)] // unused when no enabled feature has such a type
macro_rules! validated {
    ($ty:ident, $field:literal, $pattern:literal, $matcher:ident) => {
        impl $ty {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $crate::runtime::Validated for $ty {
            const FIELD: &'static str = $field;
            const PATTERN: &'static str = $pattern;

            fn is_valid(input: &str) -> bool {
                $matcher(input)
            }

            fn from_checked(value: String) -> Self {
                Self(value)
            }

            fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::runtime::ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                <Self as $crate::runtime::Validated>::parse(value)
            }
        }

        impl ::std::convert::TryFrom<String> for $ty {
            type Error = $crate::runtime::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                <Self as $crate::runtime::Validated>::parse(value)
            }
        }

        impl ::std::convert::From<$ty> for String {
            fn from(value: $ty) -> Self {
                value.0
            }
        }

        impl ::std::convert::AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                &self.0
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(&self.0)
            }
        }
    };
}
#[allow(unused_imports)]
pub(crate) use validated;

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

    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Colour {
        Red,
        LightBlue,
        Unknown(String),
    }
    string_enum!(Colour, Unknown { Red "red", LightBlue "light blue" });

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

    #[test]
    fn string_enums_keep_unknown_values() {
        assert_eq!(
            serde_json::from_str::<Colour>(r#""light blue""#).expect("decodes"),
            Colour::LightBlue
        );
        let other: Colour = serde_json::from_str(r#""mauve""#).expect("decodes");
        assert_eq!(other, Colour::Unknown("mauve".into()));
        assert_eq!(
            serde_json::to_string(&other).expect("encodes"),
            r#""mauve""#
        );
        assert_eq!(
            serde_json::to_string(&Colour::Red).expect("encodes"),
            r#""red""#
        );
        assert_eq!(Colour::VALUES, ["red", "light blue"]);
        assert_eq!(Colour::LightBlue.to_string(), "light blue");
        assert!(serde_json::from_str::<Colour>("3").is_err());
    }
}
