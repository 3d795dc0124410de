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
