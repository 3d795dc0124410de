//! Serde helpers used by generated models: the macros that give each
//! model its `Serialize`, `Deserialize` and [`Decode`] impls, and the
//! rules by which responses decode (see [`scope`]).

use std::borrow::Cow;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, IgnoredAny, MapAccess, Visitor};
use serde::ser::SerializeMap;

mod decode;
pub mod fields;
pub mod scope;

pub use decode::{decode_slice, decode_value, Decode, Seed};
pub use fields::{expected, optional, required, three_state};
pub use scope::{with_options, DecodeOptions};

/// The string value of a union's discriminator property, if present.
pub fn tag_of<'v>(value: &'v serde_json::Value, property: &str) -> Option<&'v str> {
    value.get(property)?.as_str()
}

/// Serialises a variant of a discriminated union, adding the discriminator
/// property (`property: tag`) when the variant's own fields do not carry it
/// (a variant that is not an object type of its own).
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

// ----- Objects and string enums --------------------------------------------
//
// Generated models implement `Serialize` and `Deserialize` by hand, through
// the helpers below, instead of deriving them: the derived code (a field
// enum with three visitors, sequence and map visitors, duplicate checks) is
// several times larger, and for the 2,000-odd types of the whole Atlas API
// it dominated the crate's compile time and memory. Unknown fields are
// ignored, optional fields that are `None` are not sent, and each field is
// read by the rules of its kind (`fields`): a missing required field of a
// request type is an error naming it, one of a received type is tolerated.

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
    if !scope::skip_unknown_key() {
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

/// `Serialize`, `Deserialize` and [`Decode`] for a generated object type,
/// from its fields: `object!(Type { field kind "wireName", ... })`, where
/// `kind` is one of the modules of [`fields`]. A type that is one variant
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
pub use crate::object;

/// [`Decode`] for a type whose `Deserialize` impl already follows the
/// decoding rules (enums, unions, validated strings).
#[macro_export]
#[doc(hidden)]
macro_rules! decode_by_deserialize {
    ($ty:ident) => {
        impl $crate::serde_helpers::Decode for $ty {
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                <Self as ::serde::Deserialize>::deserialize(deserializer)
            }
        }
    };
}
pub use crate::decode_by_deserialize;

/// A generated string enum's methods and impls, from its variants:
/// `string_enum!(Type, Fallback { Variant "wire", ... })`. Gives `VALUES`,
/// `as_str`, `from_wire` (values the spec does not list become the
/// fallback variant), `Default` (the fallback with an empty value, what a
/// missing required field decodes as), `Display`, `ToWire`, `Serialize`,
/// `Deserialize` and [`Decode`] (which reports unknown values).
#[macro_export]
#[doc(hidden)]
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

        impl ::std::default::Default for $ty {
            fn default() -> Self {
                Self::$fallback(String::new())
            }
        }

        impl ::std::fmt::Display for $ty {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl $crate::ToWire for $ty {
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
                $crate::serde_helpers::decode_string_enum(deserializer, stringify!($ty), |value| {
                    match Self::from_wire(value) {
                        Self::$fallback(value) => Err(Self::$fallback(value)),
                        known => Ok(known),
                    }
                })
            }
        }

        $crate::decode_by_deserialize!($ty);
    };
}
pub use crate::string_enum;

struct StrVisitor<T> {
    name: &'static str,
    from_wire: fn(&str) -> Result<T, T>,
}

impl<T> Visitor<'_> for StrVisitor<T> {
    type Value = T;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a {} string", self.name)
    }
    fn visit_str<E: de::Error>(self, v: &str) -> Result<T, E> {
        Ok((self.from_wire)(v).unwrap_or_else(|fallback| {
            scope::tolerate(self.name, || {
                format!("value {v:?} is not one the spec lists; kept in the fallback variant")
            });
            fallback
        }))
    }
}

/// Decodes a string enum through `from_wire`, which gives `Err(fallback)`
/// for a value the spec does not list (kept, and reported).
pub fn decode_string_enum<'de, T, D: serde::Deserializer<'de>>(
    deserializer: D,
    name: &'static str,
    from_wire: fn(&str) -> Result<T, T>,
) -> Result<T, D::Error> {
    deserializer.deserialize_str(StrVisitor { name, from_wire })
}

/// Tries one shape of an untagged union on an already decoded value, as
/// an attempt: the value and how well it fits ([`scope::Tried`]).
pub fn try_shape_scored<T: Decode>(value: &serde_json::Value) -> Option<(T, scope::Tried)> {
    scope::attempt(|| T::decode(value)).ok()
}

/// The fallback of an untagged union: a value none of its shapes decodes.
/// Kept as JSON and reported; an error under strict decoding.
pub fn no_shape<E: de::Error>(
    ty: &'static str,
    value: serde_json::Value,
) -> Result<serde_json::Value, E> {
    if scope::strict() {
        return Err(E::custom(format_args!(
            "the value matches none of the shapes of {ty}"
        )));
    }
    scope::tolerate(ty, || {
        "a value matches none of the shapes the spec lists; kept as JSON".to_owned()
    });
    Ok(value)
}

/// The fallback of a tagged union. `tag` is the discriminator's value
/// (`None`: absent or not a string) and `failed` why the variant it names
/// did not decode (`None`: the spec lists no variant for it). Kept as JSON
/// and reported; a variant that does not decode is an error under strict
/// decoding.
pub fn untagged_value<E: de::Error>(
    ty: &'static str,
    property: &'static str,
    tag: Option<&str>,
    failed: Option<serde_json::Error>,
    value: serde_json::Value,
) -> Result<serde_json::Value, E> {
    match (tag, failed) {
        (Some(tag), Some(err)) => {
            if scope::strict() {
                return Err(E::custom(format_args!(
                    "{ty} with {property} {tag:?}: {err}"
                )));
            }
            scope::tolerate(ty, || {
                format!("a value with {property} {tag:?} does not decode as that variant ({err}); kept as JSON")
            });
        }
        (Some(tag), None) => scope::tolerate(ty, || {
            format!("{property} {tag:?} is not one the spec lists; kept as JSON")
        }),
        (None, _) => scope::tolerate(ty, || format!("a value without {property}; kept as JSON")),
    }
    Ok(value)
}

/// A discriminated union's `DISCRIMINATOR`, `Default` (the fallback
/// holding `null`) and serde impls:
/// `tagged_union!(Type, "property", Fallback { Variant "sent tag" ["tag", ...] own, ... })`.
/// A variant marked `own` is an object type that writes its tag itself;
/// the others are written with their first tag added. A variant is read
/// when the property holds one of its tags; a value without the property,
/// with a value the spec does not list, or that its variant does not
/// decode reads as the fallback variant, kept as JSON (see
/// [`untagged_value`]).
#[macro_export]
#[doc(hidden)]
macro_rules! tagged_union {
    ($ty:ident, $prop:literal, $fallback:ident {
        $($variant:ident $sent:literal [$($tag:literal),*] $($own:ident)?),* $(,)?
    }) => {
        impl $ty {
            /// The property whose value selects the variant.
            pub const DISCRIMINATOR: &'static str = $prop;
        }

        impl ::std::default::Default for $ty {
            fn default() -> Self {
                Self::$fallback(::serde_json::Value::Null)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(value) => $crate::serde_helpers::tagged_variant!(value, serializer, $prop, $sent $(, $own)?), )*
                    Self::$fallback(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                let tag = $crate::serde_helpers::tag_of(&value, $prop);
                $(
                    if tag.is_some_and(|tag| [$($tag),*].contains(&tag)) {
                        let failed = match $crate::serde_helpers::decode_value(&value) {
                            Ok(variant) => return Ok(Self::$variant(variant)),
                            Err(err) => err,
                        };
                        let tag = tag.map(str::to_owned);
                        return $crate::serde_helpers::untagged_value(stringify!($ty), $prop, tag.as_deref(), Some(failed), value)
                            .map(Self::$fallback);
                    }
                )*
                let tag = tag.map(str::to_owned);
                $crate::serde_helpers::untagged_value(stringify!($ty), $prop, tag.as_deref(), None, value)
                    .map(Self::$fallback)
            }
        }

        $crate::decode_by_deserialize!($ty);
    };
}
pub use crate::tagged_union;

/// Writes one variant of a tagged union: `own` variants write their tag
/// themselves, the others get it added.
#[macro_export]
#[doc(hidden)]
macro_rules! tagged_variant {
    ($value:ident, $serializer:ident, $prop:literal, $sent:literal, own) => {
        ::serde::Serialize::serialize($value, $serializer)
    };
    ($value:ident, $serializer:ident, $prop:literal, $sent:literal) => {
        $crate::serde_helpers::serialize_tagged($value, $prop, $sent, $serializer)
    };
}
pub use crate::tagged_variant;

/// The serde impls of an untagged union (`oneOf`/`anyOf` without a
/// discriminator): `untagged_union!(Type, Fallback { Variant, ... })`. The
/// variant that fits best wins: the one that skips the fewest keys it does
/// not know, then tolerates the least, the first on a tie (objects skip
/// unknown keys and tolerate missing fields, so the first variant that
/// decodes could drop what only a later one keeps); anything else is kept as JSON in the
/// fallback variant (see [`no_shape`]), which is also the `Default`.
#[macro_export]
#[doc(hidden)]
macro_rules! untagged_union {
    ($ty:ident, $fallback:ident { $($variant:ident),* $(,)? }) => {
        impl ::std::default::Default for $ty {
            fn default() -> Self {
                Self::$fallback(::serde_json::Value::Null)
            }
        }

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                match self {
                    $( Self::$variant(value) => ::serde::Serialize::serialize(value, serializer), )*
                    Self::$fallback(value) => ::serde::Serialize::serialize(value, serializer),
                }
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let value = <::serde_json::Value as ::serde::Deserialize>::deserialize(deserializer)?;
                // The shape that fits best: fewest keys skipped, then fewest
                // tolerances; the first exact fit at once.
                let mut best: Option<(Self, $crate::serde_helpers::scope::Tried)> = None;
                $(
                    if let Some((variant, tried)) = $crate::serde_helpers::try_shape_scored(&value) {
                        if tried.misfit() == (0, 0) {
                            tried.keep();
                            return Ok(Self::$variant(variant));
                        }
                        if best.as_ref().is_none_or(|(_, b)| tried.misfit() < b.misfit()) {
                            best = Some((Self::$variant(variant), tried));
                        }
                    }
                )*
                if let Some((variant, tried)) = best {
                    tried.keep();
                    return Ok(variant);
                }
                $crate::serde_helpers::no_shape(stringify!($ty), value).map(Self::$fallback)
            }
        }

        $crate::decode_by_deserialize!($ty);
    };
}
pub use crate::untagged_union;

/// The impls of a named wrapper type (`pub struct Type(pub Inner)`), for a
/// list or map that contains itself: serde and [`Decode`] through the
/// inner value, and `Default` when it has one.
#[macro_export]
#[doc(hidden)]
macro_rules! wrapper {
    ($ty:ident) => {
        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                ::serde::Serialize::serialize(&self.0, serializer)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $crate::serde_helpers::Decode::decode(deserializer).map(Self)
            }
        }

        impl $crate::serde_helpers::Decode for $ty {
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                $crate::serde_helpers::Decode::decode(deserializer).map(Self)
            }
        }
    };
}
pub use crate::wrapper;

/// The impls of a validated string type (`pub struct Type(String)`):
/// `validated!(Type, "field", "pattern", matcher)`: `as_str`,
/// [`Validated`](crate::Validated) (checked with `matcher`),
/// [`IntoValidated`](crate::IntoValidated) from the type itself and
/// a reference to it (builders take those, and strings), `FromStr`,
/// `TryFrom<String>`, `From<Type> for String`, `AsRef<str>`, `Display`,
/// serde (checked when decoded) and [`Decode`].
#[macro_export]
#[doc(hidden)]
macro_rules! validated {
    ($ty:ident, $field:literal, $pattern:literal, $matcher:ident) => {
        impl $ty {
            /// The value as a string slice.
            pub fn as_str(&self) -> &str {
                &self.0
            }
        }

        impl $crate::Validated for $ty {
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

        impl $crate::IntoValidated<$ty> for $ty {
            fn into_validated(self) -> Result<$ty, $crate::ValidationError> {
                Ok(self)
            }
        }

        impl $crate::IntoValidated<$ty> for &$ty {
            fn into_validated(self) -> Result<$ty, $crate::ValidationError> {
                Ok(self.clone())
            }
        }

        impl ::std::str::FromStr for $ty {
            type Err = $crate::ValidationError;

            fn from_str(value: &str) -> Result<Self, Self::Err> {
                <Self as $crate::Validated>::parse(value)
            }
        }

        impl ::std::convert::TryFrom<String> for $ty {
            type Error = $crate::ValidationError;

            fn try_from(value: String) -> Result<Self, Self::Error> {
                <Self as $crate::Validated>::parse(value)
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

        impl ::serde::Serialize for $ty {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(&self.0)
            }
        }

        impl<'de> ::serde::Deserialize<'de> for $ty {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let value = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                <Self as $crate::Validated>::parse(value)
                    .map_err(<D::Error as ::serde::de::Error>::custom)
            }
        }

        impl $crate::serde_helpers::Decode for $ty {
            fn decode<'de, D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                <Self as ::serde::Deserialize>::deserialize(deserializer)
            }
        }
    };
}
pub use crate::validated;

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

    #[derive(Debug, Clone, PartialEq, Default)]
    struct Small {
        a: Option<i64>,
    }
    object!(Small { a optional "a" });

    #[derive(Debug, Clone, PartialEq, Default)]
    struct Large {
        a: Option<i64>,
        b: String,
    }
    object!(Large { a optional "a", b expected "b" });

    #[derive(Debug, Clone, PartialEq)]
    enum Either {
        Small(Small),
        Large(Large),
        Unknown(serde_json::Value),
    }
    untagged_union!(Either, Unknown { Small, Large });

    #[test]
    fn untagged_unions_take_the_shape_that_fits_best() {
        // `Small` decodes anything (unknown keys are skipped), but only
        // `Large` keeps `b`.
        let both: Either = serde_json::from_value(json!({"a": 1, "b": "x"})).expect("decodes");
        assert_eq!(
            both,
            Either::Large(Large {
                a: Some(1),
                b: "x".into()
            })
        );
        let small: Either = serde_json::from_value(json!({"a": 1})).expect("decodes");
        assert_eq!(small, Either::Small(Small { a: Some(1) }));
        // A key neither knows: still the one that keeps the most.
        let newer: Either =
            serde_json::from_value(json!({"a": 1, "b": "x", "new": true})).expect("decodes");
        assert!(matches!(newer, Either::Large(_)), "{newer:?}");
        // A tie on skipped keys: the one that tolerates less (`Large` would
        // miss `b`), then the first.
        let other: Either = serde_json::from_value(json!({"c": 1})).expect("decodes");
        assert_eq!(other, Either::Small(Small { a: None }));
        // Strict scopes too: both skip `z`, `Small` also skips `b`.
        let strict = super::with_options(super::DecodeOptions::STRICT, || {
            serde_json::from_value::<Either>(json!({"b": "y", "z": 0}))
        });
        assert_eq!(
            strict.expect("decodes"),
            Either::Large(Large {
                a: None,
                b: "y".into()
            })
        );
    }

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
