//! One reply of a stub ([`Reply`]: status, headers, delay, and a body of
//! one kind, [`ReplyBody`]) and how it becomes an HTTP response
//! ([`Reply::render`]). A new kind of reply is a variant of `ReplyBody`, its
//! arm in `render`, and the `Stub` method that makes it (`rule.rs`).

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http_body_util::Full;

use super::incoming::Incoming;
use super::operation::api_error_body;
use super::pages::page_body;

/// The body of one reply.
#[derive(Debug, Clone)]
pub(crate) enum ReplyBody {
    /// No body.
    Empty,
    /// JSON, sent with the versioned media type the request asked for.
    Json(Bytes),
    /// JSON error body (`application/json`, as Atlas sends errors).
    Error(Bytes),
    /// Bytes with their own content type.
    Raw(String, Bytes),
    /// Every item of a list, served one page at a time as the request's
    /// `pageNum` and `itemsPerPage` ask.
    Pages(Arc<Vec<serde_json::Value>>),
}

/// One reply of a stub.
#[derive(Debug, Clone)]
pub(crate) struct Reply {
    pub(crate) status: u16,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: ReplyBody,
    pub(crate) delay: Option<Duration>,
}

impl Reply {
    pub(crate) fn new(status: u16, body: ReplyBody) -> Self {
        Self {
            status,
            headers: Vec::new(),
            body,
            delay: None,
        }
    }

    /// A mock-made error (`MOCK_...`), as an `ApiError` body.
    pub(crate) fn mock_error(status: u16, code: &str, detail: &str) -> Self {
        Self::new(
            status,
            ReplyBody::Error(Bytes::from(
                api_error_body(status, code, detail).to_string(),
            )),
        )
    }

    /// The HTTP response for this reply to `request`: JSON in the
    /// `version` the request asked for, a list's page of `per_page` items
    /// (links on `origin`), wrapped when the request says `envelope=true`.
    pub(crate) fn render(
        &self,
        version: Option<&str>,
        per_page: i64,
        request: &Incoming,
        origin: &str,
    ) -> hyper::Response<Full<Bytes>> {
        let reply = self;
        let json_type = version.map_or_else(
            || "application/json".to_owned(),
            |v| format!("application/vnd.atlas.{v}+json"),
        );
        let (content_type, body) = match &reply.body {
            ReplyBody::Empty => (None, Bytes::new()),
            ReplyBody::Json(bytes) => (Some(json_type), bytes.clone()),
            ReplyBody::Error(bytes) => (Some("application/json".to_owned()), bytes.clone()),
            ReplyBody::Raw(media, bytes) => (Some(media.clone()), bytes.clone()),
            ReplyBody::Pages(items) => (
                Some(json_type),
                page_body(items, &request.query, per_page, origin, &request.path),
            ),
        };
        // `envelope=true`: Atlas answers 200 with `{"status": N, "content": ...}`.
        let enveloped = request
            .query
            .iter()
            .any(|(name, value)| name == "envelope" && value == "true");
        let (status, body) = match (enveloped, &content_type) {
            (true, Some(media)) if media.contains("json") => {
                let content: serde_json::Value =
                    serde_json::from_slice(&body).unwrap_or(serde_json::Value::Null);
                let wrapped = serde_json::json!({ "status": reply.status, "content": content });
                (200, Bytes::from(wrapped.to_string()))
            }
            _ => (reply.status, body),
        };
        let mut response = hyper::Response::builder().status(status);
        if let Some(content_type) = content_type {
            response = response.header("content-type", content_type);
        }
        for (name, value) in &reply.headers {
            response = response.header(name.as_str(), value.as_str());
        }
        response.body(Full::new(body)).unwrap_or_else(|err| {
            let mut fallback = hyper::Response::new(Full::new(Bytes::from(format!(
                "mock Atlas: the stub's reply is not a valid HTTP response: {err}"
            ))));
            *fallback.status_mut() = hyper::StatusCode::INTERNAL_SERVER_ERROR;
            fallback
        })
    }
}
