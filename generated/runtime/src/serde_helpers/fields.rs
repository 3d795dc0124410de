//! How each field of a generated object is written and read, by kind:
//! [`required`] (request types: must be present), [`expected`] (types that
//! are received: required by the spec, tolerated when missing),
//! [`optional`] and [`three_state`]. The `object!` macro names one of these
//! modules per field.

use serde::de;

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

/// A field a request type must have: always written, and an error naming
/// the key when it is missing from decoded input.
pub mod required {
    use serde::de::{Error as _, MapAccess};
    use serde::ser::SerializeMap;

    use super::super::decode::{Decode, Seed};

    /// Writes the field.
    pub fn write<M: SerializeMap, T: serde::Serialize>(
        map: &mut M,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        map.serialize_entry(key, value)
    }

    /// Reads the field's value into its slot.
    pub fn read<'de, T: Decode, A: MapAccess<'de>>(
        slot: &mut Option<T>,
        map: &mut A,
        key: &'static str,
    ) -> Result<(), A::Error> {
        *slot = Some(
            map.next_value_seed(Seed::<T>::new())
                .map_err(|err| super::in_field(key, err))?,
        );
        Ok(())
    }

    /// The field's value, or the error that names it when it was missing.
    pub fn finish<'de, T, A: MapAccess<'de>>(
        slot: Option<T>,
        key: &'static str,
        _ty: &'static str,
        _map: &A,
    ) -> Result<T, A::Error> {
        slot.ok_or_else(|| A::Error::missing_field(key))
    }
}

/// A field the spec calls required in a type that is received: a server
/// that leaves it out (or sends `null` where the spec does not allow it)
/// is tolerated, as MongoDB's Go SDK tolerates it: the field gets its
/// empty value (`""`, `0`, `false`, an empty list, the nested type's
/// default) and the omission is reported through `tracing`. Strict
/// decoding makes it an error naming the key.
pub mod expected {
    use serde::de::{Error as _, MapAccess};
    use serde::ser::SerializeMap;

    use super::super::scope;

    /// Writes the field.
    pub fn write<M: SerializeMap, T: serde::Serialize>(
        map: &mut M,
        key: &'static str,
        value: &T,
    ) -> Result<(), M::Error> {
        map.serialize_entry(key, value)
    }

    /// Reads the field's value into its slot; `null` leaves it empty (as
    /// for an optional field).
    pub use super::optional::read;

    /// The field's value; its empty value (reported) when it was missing.
    pub fn finish<'de, T: Default, A: MapAccess<'de>>(
        slot: Option<T>,
        key: &'static str,
        ty: &'static str,
        _map: &A,
    ) -> Result<T, A::Error> {
        match slot {
            Some(value) => Ok(value),
            None if scope::strict() => Err(A::Error::missing_field(key)),
            None => {
                scope::tolerate(ty, || {
                    format!("required field `{key}` is missing or null; decoded as its empty value")
                });
                Ok(T::default())
            }
        }
    }
}

/// An optional field (`Option<T>`): left out when `None`; `null` or
/// absent reads as `None`.
pub mod optional {
    use serde::de::MapAccess;
    use serde::ser::SerializeMap;

    use super::super::decode::{Decode, Seed};

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
    pub fn read<'de, T: Decode, A: MapAccess<'de>>(
        slot: &mut Option<T>,
        map: &mut A,
        key: &'static str,
    ) -> Result<(), A::Error> {
        *slot = map
            .next_value_seed(Seed::<Option<T>>::new())
            .map_err(|err| super::in_field(key, err))?;
        Ok(())
    }

    /// The field's value.
    pub fn finish<'de, T, A: MapAccess<'de>>(
        slot: Option<T>,
        _key: &'static str,
        _ty: &'static str,
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

    use super::super::decode::{Decode, Seed};

    /// Writes the field unless it is absent; `Some(None)` is sent as `null`.
    pub fn write<M: SerializeMap, T: serde::Serialize>(
        map: &mut M,
        key: &'static str,
        value: &Option<Option<T>>,
    ) -> Result<(), M::Error> {
        super::optional::write(map, key, value)
    }

    /// Reads the field: present, `null` included, is `Some(..)`.
    pub fn read<'de, T: Decode, A: MapAccess<'de>>(
        slot: &mut Option<Option<T>>,
        map: &mut A,
        key: &'static str,
    ) -> Result<(), A::Error> {
        *slot = Some(
            map.next_value_seed(Seed::<Option<T>>::new())
                .map_err(|err| super::in_field(key, err))?,
        );
        Ok(())
    }

    /// The field's value.
    pub fn finish<'de, T, A: MapAccess<'de>>(
        slot: Option<Option<T>>,
        _key: &'static str,
        _ty: &'static str,
        _map: &A,
    ) -> Result<Option<Option<T>>, A::Error> {
        Ok(slot)
    }
}

#[cfg(test)]
mod tests {
    use super::strip_position;

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
