//! [`ApiError`]: the error body of the API as Atlas sends it, read so that
//! it never fails.
//!
//! The spec types `ApiError.parameters` as a list of objects, while Atlas
//! sends scalars (`["my-cluster", "68b48f4e7af6b0372e8d18f1"]`), numbers
//! and strings mixed (`["api/atlas/v2/orgs", 55, 10, 5, 60]`). An error body
//! decoded by the spec's schema would turn every such answer into a
//! decoding failure and lose its error code. Every generated operation
//! therefore decodes its error bodies into this type: whatever the body
//! holds (any `parameters`, missing or extra fields, a wrong type anywhere,
//! text that is not JSON at all), the caller gets the status, the
//! `errorCode`, the `detail`, the `parameters` as the JSON values sent, and
//! the raw body.

use std::fmt;

use bytes::Bytes;
use serde::de::Deserializer;

use crate::error::ErrorDetails;
use crate::serde_helpers::Decode;

/// An error body of the API: `{"detail": ..., "error": 404, "errorCode":
/// "CLUSTER_NOT_FOUND", "parameters": [...], "reason": "Not Found"}` as
/// Atlas sends it with every 4xx and 5xx status, read field by field
/// without ever failing.
///
/// ```
/// use atlas_admin_runtime::ApiError;
///
/// let body = br#"{"detail": "No cluster named my-cluster exists in group 68b48f4e7af6b0372e8d18f1.",
///   "error": 404, "errorCode": "CLUSTER_NOT_FOUND",
///   "parameters": ["my-cluster", "68b48f4e7af6b0372e8d18f1"], "reason": "Not Found"}"#;
/// let err = ApiError::from_body(body);
/// assert_eq!(err.error_code(), Some("CLUSTER_NOT_FOUND"));
/// assert_eq!(err.parameters()[0], "my-cluster");
/// assert_eq!(err.status(), Some(404));
/// assert_eq!(err.reason(), Some("Not Found"));
/// ```
///
/// A field that is missing or of another type than expected reads as
/// `None` (and is still in [`ApiError::body`] as sent); a body that is not
/// JSON is kept as text ([`ApiError::raw`]). Its `Serialize` writes the
/// body as it was received.
#[derive(Clone, Default, PartialEq)]
pub struct ApiError {
    body: serde_json::Value,
    raw: Bytes,
    parameters: Vec<serde_json::Value>,
}

impl ApiError {
    /// Reads an error body; never fails. Empty or whitespace-only text is
    /// an empty body (`null`); text that is not JSON is kept as a JSON
    /// string (and as sent in [`ApiError::raw`]).
    pub fn from_body(raw: &[u8]) -> Self {
        let body = if raw.iter().all(u8::is_ascii_whitespace) {
            serde_json::Value::Null
        } else {
            serde_json::from_slice(raw).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(raw).into_owned())
            })
        };
        Self::with_raw(body, Bytes::copy_from_slice(raw))
    }

    /// An error body from a JSON value (its raw text is the value's JSON).
    pub fn from_value(body: serde_json::Value) -> Self {
        let raw = Bytes::from(serde_json::to_vec(&body).unwrap_or_default());
        Self::with_raw(body, raw)
    }

    fn with_raw(body: serde_json::Value, raw: Bytes) -> Self {
        let parameters = match body.get("parameters") {
            Some(serde_json::Value::Array(items)) => items.clone(),
            // One value where a list was expected: a list of one.
            Some(serde_json::Value::Null) | None => Vec::new(),
            Some(other) => vec![other.clone()],
        };
        Self {
            body,
            raw,
            parameters,
        }
    }

    /// The machine-readable error code (`errorCode`: `CLUSTER_NOT_FOUND`,
    /// `RATE_LIMITED_TOKEN_BUCKET`), when the body has one as text.
    pub fn error_code(&self) -> Option<&str> {
        self.text("errorCode")
    }

    /// Whether the body's `errorCode` is `code`.
    pub fn is_error_code(&self, code: &str) -> bool {
        self.error_code() == Some(code)
    }

    /// What went wrong, in words (`detail`).
    pub fn detail(&self) -> Option<&str> {
        self.text("detail")
    }

    /// The HTTP reason phrase the body gives (`reason`: `Not Found`).
    pub fn reason(&self) -> Option<&str> {
        self.text("reason")
    }

    /// The HTTP status the body gives (`error`: `404`), when it is an
    /// integer. The response's own status is
    /// [`Error::status`](crate::Error::status).
    pub fn status(&self) -> Option<u16> {
        self.body
            .get("error")
            .and_then(serde_json::Value::as_u64)
            .and_then(|n| u16::try_from(n).ok())
    }

    /// The values that fill in the message (`parameters`), as Atlas sent
    /// them: strings, numbers, objects, mixed (`["api/atlas/v2/orgs", 55,
    /// 10, 5, 60]`). Empty when the body has none; a single value that is
    /// not a list is a list of one.
    pub fn parameters(&self) -> &[serde_json::Value] {
        &self.parameters
    }

    /// Any field of the body, as sent (`badRequestDetail`, or a field
    /// the spec does not name).
    pub fn field(&self, name: &str) -> Option<&serde_json::Value> {
        self.body.get(name)
    }

    /// The whole body as JSON (`null` when empty, a JSON string when the
    /// body was not JSON).
    pub fn body(&self) -> &serde_json::Value {
        &self.body
    }

    /// The body exactly as received.
    pub fn raw(&self) -> &Bytes {
        &self.raw
    }

    /// The body decoded into a type of your own (or a generated model),
    /// with the client's lenient rules; the error when it does not fit.
    pub fn decode<T: Decode>(&self) -> Result<T, serde_json::Error> {
        crate::serde_helpers::decode_value(&self.body)
    }

    fn text(&self, name: &str) -> Option<&str> {
        self.body.get(name).and_then(serde_json::Value::as_str)
    }
}

impl fmt::Debug for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // The body as JSON: what was sent, readable in one line.
        write!(f, "ApiError({})", self.body)
    }
}

impl fmt::Display for ApiError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match (self.error_code(), self.detail()) {
            (Some(code), Some(detail)) => write!(f, "{code}: {detail}"),
            (Some(text), None) | (None, Some(text)) => f.write_str(text),
            (None, None) => write!(f, "{}", self.body),
        }
    }
}

impl ErrorDetails for ApiError {
    fn error_code(&self) -> Option<&str> {
        ApiError::error_code(self)
    }
    fn detail(&self) -> Option<&str> {
        ApiError::detail(self)
    }
    fn parameters(&self) -> &[serde_json::Value] {
        ApiError::parameters(self)
    }
    fn from_error_body(raw: &[u8]) -> Result<Self, serde_json::Error> {
        Ok(Self::from_body(raw))
    }
}

impl Decode for ApiError {
    /// Reads any JSON value (never fails on JSON; only input that is not
    /// JSON at all is an error here, [`ApiError::from_body`] keeps even
    /// that).
    fn decode<'de, D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let body = <serde_json::Value as serde::Deserialize>::deserialize(deserializer)?;
        Ok(Self::from_value(body))
    }
}

impl<'de> serde::Deserialize<'de> for ApiError {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        <Self as Decode>::decode(deserializer)
    }
}

impl serde::Serialize for ApiError {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.body.serialize(serializer)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn atlas_bodies_keep_their_code_and_parameters() {
        let err = ApiError::from_body(
            br#"{"detail": "Rate limit exceeded for api/atlas/v2/orgs.", "error": 429,
                 "errorCode": "RATE_LIMITED_TOKEN_BUCKET",
                 "parameters": ["api/atlas/v2/orgs", 55, 10, 5, 60], "reason": "Too Many Requests"}"#,
        );
        assert!(err.is_error_code("RATE_LIMITED_TOKEN_BUCKET"));
        assert_eq!(
            err.parameters(),
            &[
                serde_json::json!("api/atlas/v2/orgs"),
                serde_json::json!(55),
                serde_json::json!(10),
                serde_json::json!(5),
                serde_json::json!(60),
            ]
        );
        assert_eq!(err.status(), Some(429));
    }

    #[test]
    fn wrong_types_missing_fields_and_text_never_fail() {
        let err =
            ApiError::from_body(br#"{"error": "404", "errorCode": 7, "detail": null, "x": 1}"#);
        assert_eq!(err.error_code(), None);
        assert_eq!(err.status(), None);
        assert_eq!(err.field("x"), Some(&serde_json::json!(1)));
        assert!(err.parameters().is_empty());

        let err = ApiError::from_body(br#"{"parameters": {"a": 1}}"#);
        assert_eq!(err.parameters(), &[serde_json::json!({"a": 1})]);

        let err = ApiError::from_body(b"<html>Bad Gateway</html>");
        assert_eq!(err.body(), &serde_json::json!("<html>Bad Gateway</html>"));
        assert_eq!(&err.raw()[..], b"<html>Bad Gateway</html>");
        assert_eq!(err.to_string(), "\"<html>Bad Gateway</html>\"");

        let err = ApiError::from_body(b"  ");
        assert_eq!(err.body(), &serde_json::Value::Null);
    }

    #[test]
    fn serializes_as_received_and_decodes_from_any_json() {
        let value = serde_json::json!({"errorCode": "X", "parameters": [1, "a", null]});
        let err: ApiError = crate::serde_helpers::decode_value(&value).expect("any JSON");
        assert_eq!(serde_json::to_value(&err).expect("json"), value);
        assert_eq!(err.parameters().len(), 3);
    }
}
