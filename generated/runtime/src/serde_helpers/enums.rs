//! String enums (the IR's enums): `string_enum!` gives each its methods
//! and impls; a value the spec does not list is kept in the fallback
//! variant, and reported.

use std::fmt;

use serde::de::{self, Visitor};

use super::scope;
#[cfg(doc)]
use super::Decode;

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

#[cfg(test)]
mod tests {
    #[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
    enum Colour {
        Red,
        LightBlue,
        Unknown(String),
    }
    string_enum!(Colour, Unknown { Red "red", LightBlue "light blue" });

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
