//! Named wrapper types (the IR's recursive lists and maps,
//! `pub struct Type(pub Inner)`): `wrapper!`.

#[cfg(doc)]
use super::Decode;

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
