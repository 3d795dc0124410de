//! How each field of a generated object is written and read, by kind:
//! [`required`] (request types: must be present), [`expected`] (types that
//! are received: required by the spec, tolerated when missing),
//! [`optional`] and [`three_state`]. The `object!` macro names one of these
//! modules per field.

pub use super::decode::in_field;

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
