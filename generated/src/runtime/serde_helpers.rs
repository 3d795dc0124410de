//! Serde helpers used by generated models.

/// (De)serialises `Option<Option<T>>` so that a PATCH-style field has three
/// states: absent (`None`, skipped), `null` (`Some(None)`) and a value
/// (`Some(Some(v))`). Use with `#[serde(default, skip_serializing_if =
/// "Option::is_none", with = "...::double_option")]`.
pub mod double_option {
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    /// Serialises the inner option (`null` or the value).
    pub fn serialize<T: Serialize, S: Serializer>(
        value: &Option<Option<T>>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        match value {
            Some(inner) => inner.serialize(serializer),
            None => serializer.serialize_none(),
        }
    }

    /// A present field becomes `Some(..)`, `null` included.
    pub fn deserialize<'de, T: Deserialize<'de>, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Option<T>>, D::Error> {
        Option::<T>::deserialize(deserializer).map(Some)
    }
}
