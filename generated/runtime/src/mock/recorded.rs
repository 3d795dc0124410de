//! A request as the mock received it.

use std::fmt;

use bytes::Bytes;
use reqwest::header::HeaderMap;

use crate::serde_helpers::{decode_slice, Decode};

/// One request the mock received, with what became of it.
#[derive(Clone)]
pub struct RecordedRequest {
    /// HTTP method.
    pub method: String,
    /// The path as sent (percent-encoded).
    pub path: String,
    /// Query parameters, decoded, in order.
    pub query: Vec<(String, String)>,
    /// Request headers.
    pub headers: HeaderMap,
    /// The body bytes.
    pub body: Bytes,
    /// The `operationId` of the stub that answered, if one did.
    pub operation: Option<&'static str>,
    /// The status the mock answered (inside the envelope, for `envelope=true`).
    pub status: u16,
}

impl RecordedRequest {
    /// The value of query parameter `name` (the first, if repeated).
    pub fn query_value(&self, name: &str) -> Option<&str> {
        self.query
            .iter()
            .find(|(n, _)| n == name)
            .map(|(_, v)| v.as_str())
    }

    /// The value of header `name`, if it is text.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The body decoded as the generated code decodes (leniently).
    pub fn json<T: Decode>(&self) -> Result<T, serde_json::Error> {
        decode_slice(&self.body)
    }

    /// One line: `POST /path?query -> 200 operationId`.
    pub(crate) fn summary(&self) -> String {
        let mut line = format!("{} {}", self.method, self.path);
        if !self.query.is_empty() {
            let query: Vec<String> = self.query.iter().map(|(n, v)| format!("{n}={v}")).collect();
            line.push('?');
            line.push_str(&query.join("&"));
        }
        line.push_str(&format!(" -> {}", self.status));
        match self.operation {
            Some(op) => line.push_str(&format!(" ({op})")),
            None => line.push_str(" (no stub)"),
        }
        line
    }
}

impl fmt::Debug for RecordedRequest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("RecordedRequest")
            .field("method", &self.method)
            .field("path", &self.path)
            .field("query", &self.query)
            .field("body", &String::from_utf8_lossy(&self.body))
            .field("operation", &self.operation)
            .field("status", &self.status)
            .finish()
    }
}
