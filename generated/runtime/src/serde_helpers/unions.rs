//! Unions (the IR's one-of types): tagged unions (`tagged_union!`, a
//! discriminator property selects the variant) and untagged ones
//! (`untagged_union!`, the variant that fits best wins). Both keep a value
//! no variant decodes as JSON in their fallback variant, and report it.

use serde::de;

use super::{scope, Decode};

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

/// Tries one shape of an untagged union on an already decoded value, as
/// an attempt: the value and how well it fits ([`scope::Tried`]).
pub fn try_variant<T: Decode>(value: &serde_json::Value) -> Option<(T, scope::Tried)> {
    scope::attempt(|| T::decode(value)).ok()
}

/// The fallback of an untagged union: a value none of its shapes decodes.
/// Kept as JSON and reported; an error under strict decoding.
pub fn untagged_fallback<E: de::Error>(
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
pub fn tagged_fallback<E: de::Error>(
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
/// [`tagged_fallback`]).
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
                        return $crate::serde_helpers::tagged_fallback(stringify!($ty), $prop, tag.as_deref(), Some(failed), value)
                            .map(Self::$fallback);
                    }
                )*
                let tag = tag.map(str::to_owned);
                $crate::serde_helpers::tagged_fallback(stringify!($ty), $prop, tag.as_deref(), None, value)
                    .map(Self::$fallback)
            }
        }

        $crate::decode_by_deserialize!($ty);
    };
}

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

/// The serde impls of an untagged union (`oneOf`/`anyOf` without a
/// discriminator): `untagged_union!(Type, Fallback { Variant, ... })`. The
/// variant that fits best wins: the one that skips the fewest keys it does
/// not know, then tolerates the least, the first on a tie (objects skip
/// unknown keys and tolerate missing fields, so the first variant that
/// decodes could drop what only a later one keeps); anything else is kept as JSON in the
/// fallback variant (see [`untagged_fallback`]), which is also the `Default`.
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
                    if let Some((variant, tried)) = $crate::serde_helpers::try_variant(&value) {
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
                $crate::serde_helpers::untagged_fallback(stringify!($ty), value).map(Self::$fallback)
            }
        }

        $crate::decode_by_deserialize!($ty);
    };
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::object;

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
        let strict = crate::serde_helpers::with_options(crate::DecodeOptions::STRICT, || {
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
}
