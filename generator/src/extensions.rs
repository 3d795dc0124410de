//! Every `x-` extension key the generator reads, each with its typed reader.
//!
//! Lowering reads them from `openapiv3`'s extension maps, [`crate::spec_tools`]
//! and the tests from JSON trees: both are [`Extensions`], so one reader
//! serves both and every key is spelled once, here.
//!
//! | key | on | reader | meaning |
//! |---|---|---|---|
//! | `x-xgen-operation-id-override` | operation | [`operation_id_override`] | the short (SDK and CLI) name |
//! | `x-sunset` | media type | [`sunset`] | the date a version is removed |
//! | `x-xgen-preview` | media type | [`public_preview`] | `{public: "true"}` marks a public preview |
//! | `x-xgen-docs-url` | operation | [`docs_url`] | its page of the API reference |
//! | `x-xgen-atlascli` | operation, parameter | [`atlascli`] (shape read by [`crate::atlascli`]) | the Atlas CLI's watchers, aliases, help texts |
//!
//! Overlays and [`crate::spec_tools::extract()`] keep every `x-` member
//! ([`is_extension`]) without reading it.

use indexmap::IndexMap;
use serde_json::Value;

use crate::rules;

/// The short (SDK and CLI) name of an operation.
pub const OPERATION_ID_OVERRIDE: &str = "x-xgen-operation-id-override";

/// On a media type: the date (`YYYY-MM-DD`) its API version is removed.
pub const SUNSET: &str = "x-sunset";

/// On a media type: `{public: "true"}` when its version is a public preview.
pub const PREVIEW: &str = "x-xgen-preview";

/// On an operation: its page of the API reference.
pub const DOCS_URL: &str = "x-xgen-docs-url";

/// `info.x-xgen-sha`: the commit of MongoDB's sources a published spec was
/// built from (read by [`xgen_sha`]).
pub const XGEN_SHA: &str = "x-xgen-sha";

/// The Atlas CLI's extension on operations and parameters (see
/// [`crate::atlascli`]).
pub const ATLASCLI: &str = "x-xgen-atlascli";

/// Whether a member key is a specification extension (`x-...`), which
/// OpenAPI and Overlay documents allow on every object.
pub fn is_extension(key: &str) -> bool {
    key.starts_with("x-")
}

/// Something that holds extension members: an `openapiv3` extension map
/// or a JSON object.
pub trait Extensions {
    /// The member named `key`, if present.
    fn extension(&self, key: &str) -> Option<&Value>;
}

impl Extensions for IndexMap<String, Value> {
    fn extension(&self, key: &str) -> Option<&Value> {
        self.get(key)
    }
}

impl Extensions for Value {
    fn extension(&self, key: &str) -> Option<&Value> {
        self.as_object().and_then(|map| map.get(key))
    }
}

/// An operation's `x-xgen-operation-id-override`, when it is a string.
pub fn operation_id_override(owner: &(impl Extensions + ?Sized)) -> Option<&str> {
    owner
        .extension(OPERATION_ID_OVERRIDE)
        .and_then(Value::as_str)
}

/// A media type's `x-sunset`, when it is a date (`YYYY-MM-DD`).
pub fn sunset(owner: &(impl Extensions + ?Sized)) -> Option<&str> {
    owner
        .extension(SUNSET)
        .and_then(Value::as_str)
        .filter(|s| rules::is_date(s))
}

/// Whether a media type's `x-xgen-preview` says `public: "true"`.
pub fn public_preview(owner: &(impl Extensions + ?Sized)) -> bool {
    owner
        .extension(PREVIEW)
        .and_then(|p| p.get("public"))
        .and_then(Value::as_str)
        == Some("true")
}

/// `info.x-xgen-sha` of MongoDB's published spec: the commit of the
/// sources it was built from.
pub fn xgen_sha(owner: &(impl Extensions + ?Sized)) -> Option<&str> {
    owner.extension(XGEN_SHA)?.as_str().map(str::trim)
}

/// An operation's `x-xgen-docs-url`: `Ok(None)` when absent, `Err` with
/// the value when it is not an absolute http(s) URL.
pub fn docs_url(owner: &(impl Extensions + ?Sized)) -> Result<Option<&str>, &Value> {
    let Some(value) = owner.extension(DOCS_URL) else {
        return Ok(None);
    };
    match value.as_str().map(str::trim) {
        Some(url)
            if (url.starts_with("https://") || url.starts_with("http://"))
                && !url.contains(char::is_whitespace) =>
        {
            Ok(Some(url))
        }
        _ => Err(value),
    }
}

/// An operation's or parameter's `x-xgen-atlascli` value, unread (its shape
/// is [`crate::atlascli::read`]'s).
pub fn atlascli(owner: &(impl Extensions + ?Sized)) -> Option<&Value> {
    owner.extension(ATLASCLI)
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    #[test]
    fn readers_take_typed_values_only() {
        let media = json!({
            "x-sunset": "2026-01-01",
            "x-xgen-preview": {"public": "true"},
        });
        assert_eq!(sunset(&media), Some("2026-01-01"));
        assert!(public_preview(&media));
        let odd = json!({"x-sunset": "soon", "x-xgen-preview": {"public": true}});
        assert_eq!(sunset(&odd), None);
        assert!(!public_preview(&odd));
        let mut map = IndexMap::new();
        map.insert(OPERATION_ID_OVERRIDE.to_owned(), json!("short"));
        assert_eq!(operation_id_override(&map), Some("short"));
        assert_eq!(atlascli(&map), None);
        assert_eq!(operation_id_override(&json!([1])), None);
        assert!(is_extension("x-any") && !is_extension("paths"));
        let docs = json!({"x-xgen-docs-url": "https://x.y/v2/#tag/A"});
        assert_eq!(docs_url(&docs), Ok(Some("https://x.y/v2/#tag/A")));
        assert_eq!(docs_url(&json!({})), Ok(None));
        let bad = json!({"x-xgen-docs-url": "#tag/A"});
        assert!(docs_url(&bad).is_err());
    }
}
