//! [`Decode`]: how every value of a generated model is read, with the
//! leniency rules in one place.
//!
//! Generated types and the field types they hold implement it; it differs
//! from plain `Deserialize` where the wire is looser than Rust types:
//! an integer accepts any JSON number with an integral value (`3000000`,
//! `3000000.0`, `3e6`), and a fractional one is an error.

use std::collections::BTreeMap;
use std::fmt;
use std::marker::PhantomData;

use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Unexpected, Visitor};

/// Reads a value of a generated model (or of a field type) from any serde
/// deserializer, with the leniency rules of [`super`].
pub trait Decode: Sized {
    /// Reads one value.
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error>;
}

/// [`Decode`] as a `DeserializeSeed`, to read map values and list items.
pub struct Seed<T>(PhantomData<T>);

impl<T> Seed<T> {
    /// The seed for `T`.
    pub fn new() -> Self {
        Self(PhantomData)
    }
}

impl<T> Default for Seed<T> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'de, T: Decode> DeserializeSeed<'de> for Seed<T> {
    type Value = T;
    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<T, D::Error> {
        T::decode(deserializer)
    }
}

/// Decodes `T` from a JSON value held elsewhere (a union's variants).
pub fn decode_value<T: Decode>(value: &serde_json::Value) -> Result<T, serde_json::Error> {
    T::decode(value)
}

/// Decodes `T` from JSON text: the whole input, nothing after it.
pub fn decode_slice<T: Decode>(bytes: &[u8]) -> Result<T, serde_json::Error> {
    let mut deserializer = serde_json::Deserializer::from_slice(bytes);
    let value = T::decode(&mut deserializer)?;
    deserializer.end()?;
    Ok(value)
}

macro_rules! decode_with_serde {
    ($($ty:ty),* $(,)?) => {
        $(
            impl Decode for $ty {
                fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                    <$ty as serde::Deserialize>::deserialize(deserializer)
                }
            }
        )*
    };
}

decode_with_serde!(
    String,
    bool,
    f64,
    serde_json::Value,
    serde_json::Map<String, serde_json::Value>,
    chrono::DateTime<chrono::Utc>,
    chrono::NaiveDate,
);

struct IntegerVisitor;

/// Largest magnitude an `f64` carries exactly as an `i64` (2^63).
const I64_BOUND: f64 = 9_223_372_036_854_775_808.0;

impl Visitor<'_> for IntegerVisitor {
    type Value = i64;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an integer")
    }
    fn visit_i64<E: de::Error>(self, v: i64) -> Result<i64, E> {
        Ok(v)
    }
    fn visit_u64<E: de::Error>(self, v: u64) -> Result<i64, E> {
        i64::try_from(v).map_err(|_| E::invalid_value(Unexpected::Unsigned(v), &self))
    }
    fn visit_f64<E: de::Error>(self, v: f64) -> Result<i64, E> {
        if v.fract() == 0.0 && (-I64_BOUND..I64_BOUND).contains(&v) {
            // Exact: integral and within range.
            #[allow(clippy::cast_possible_truncation)]
            Ok(v as i64)
        } else {
            Err(E::invalid_value(Unexpected::Float(v), &self))
        }
    }
}

impl Decode for i64 {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_i64(IntegerVisitor)
    }
}

struct OptionVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for OptionVisitor<T> {
    type Value = Option<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }
    fn visit_none<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_unit<E: de::Error>(self) -> Result<Option<T>, E> {
        Ok(None)
    }
    fn visit_some<D: Deserializer<'de>>(self, deserializer: D) -> Result<Option<T>, D::Error> {
        T::decode(deserializer).map(Some)
    }
}

impl<T: Decode> Decode for Option<T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_option(OptionVisitor(PhantomData))
    }
}

impl<T: Decode> Decode for Box<T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::decode(deserializer).map(Box::new)
    }
}

struct ListVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for ListVisitor<T> {
    type Value = Vec<T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a list")
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // A hint from the input is not trusted beyond a modest size.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(1024));
        let mut index = 0usize;
        while let Some(item) = seq
            .next_element_seed(Seed::<T>::new())
            .map_err(|err| in_field(&format!("[{index}]"), err))?
        {
            items.push(item);
            index += 1;
        }
        Ok(items)
    }
}

impl<T: Decode> Decode for Vec<T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_seq(ListVisitor(PhantomData))
    }
}

struct MapVisitor<T>(PhantomData<T>);

impl<'de, T: Decode> Visitor<'de> for MapVisitor<T> {
    type Value = BTreeMap<String, T>;
    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object")
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut out = BTreeMap::new();
        while let Some(key) = map.next_key::<String>()? {
            let value = map
                .next_value_seed(Seed::<T>::new())
                .map_err(|err| in_field(&key, err))?;
            out.insert(key, value);
        }
        Ok(out)
    }
}

impl<T: Decode> Decode for BTreeMap<String, T> {
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_map(MapVisitor(PhantomData))
    }
}

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

/// Puts the name of the field (or `[index]` of the item) where decoding
/// failed in front of the error: ``field `a.b[2]`: invalid type: ...``.
pub fn in_field<E: de::Error>(segment: &str, err: E) -> E {
    let text = err.to_string();
    // serde_json appends the position, and appends it again when the error
    // leaves the outer value: keep only the outer one.
    let text = strip_position(&text);
    let joined = match text.strip_prefix("field `") {
        Some(rest) if rest.starts_with('[') => format!("field `{segment}{rest}"),
        Some(rest) => format!("field `{segment}.{rest}"),
        None => format!("field `{segment}`: {text}"),
    };
    E::custom(joined)
}

/// `text` without a trailing ` at line N column M`.
fn strip_position(text: &str) -> &str {
    let Some(at) = text.rfind(" at line ") else {
        return text;
    };
    let tail = &text[at + " at line ".len()..];
    let well_formed = tail.split_once(" column ").is_some_and(|(line, column)| {
        !line.is_empty()
            && !column.is_empty()
            && line.bytes().all(|b| b.is_ascii_digit())
            && column.bytes().all(|b| b.is_ascii_digit())
    });
    if well_formed {
        &text[..at]
    } else {
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn int(text: &str) -> Result<i64, serde_json::Error> {
        decode_slice(text.as_bytes())
    }

    #[test]
    fn integers_take_any_integral_number() {
        assert_eq!(int("3000000").ok(), Some(3_000_000));
        assert_eq!(int("3000000.0").ok(), Some(3_000_000));
        assert_eq!(int("3e6").ok(), Some(3_000_000));
        assert_eq!(int("-2").ok(), Some(-2));
        assert_eq!(int("9223372036854775807").ok(), Some(i64::MAX));
        let err = int("1.5").expect_err("fractional");
        assert!(err.to_string().contains("expected an integer"), "{err}");
        assert!(int("18446744073709551615").is_err());
        assert!(int("1e300").is_err());
        assert!(int("\"3\"").is_err());
    }

    #[test]
    fn nullable_items_lists_and_maps() {
        let items: Vec<Option<String>> = decode_slice(br#"["abc", null]"#).expect("decodes");
        assert_eq!(items, vec![Some("abc".to_owned()), None]);
        let map: BTreeMap<String, Option<i64>> =
            decode_slice(br#"{"a": 1.0, "b": null}"#).expect("decodes");
        assert_eq!(map.get("a"), Some(&Some(1)));
        assert_eq!(map.get("b"), Some(&None));
        let err = decode_slice::<Vec<i64>>(b"[1, 2.5]").expect_err("fractional item");
        assert!(err.to_string().starts_with("field `[1]`"), "{err}");
        assert!(decode_slice::<Vec<i64>>(b"[1] x").is_err());
    }

    #[test]
    fn positions_are_stripped_only_when_well_formed() {
        assert_eq!(strip_position("bad at line 1 column 9"), "bad");
        assert_eq!(
            strip_position("bad at line x column 9"),
            "bad at line x column 9"
        );
        assert_eq!(strip_position("bad"), "bad");
    }
}
