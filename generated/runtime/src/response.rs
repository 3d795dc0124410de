//! Responses: the typed value with its status and headers, and the raw form
//! the generated code decodes.

use std::marker::PhantomData;

use bytes::Bytes;
use reqwest::header::HeaderMap;
use reqwest::StatusCode;

use super::error::Error;
use super::serde_helpers::{decode_slice, Decode};

/// How much of an undecodable body an error keeps.
const BODY_PREFIX_BYTES: usize = 1024;

/// The start of a body that an error keeps: at most 1 KiB, lossy UTF-8.
pub(crate) fn body_prefix(body: &[u8]) -> String {
    let cut = body.len().min(BODY_PREFIX_BYTES);
    String::from_utf8_lossy(&body[..cut]).into_owned()
}

/// Atlas's rate-limit figures, sent on every response.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RateLimit {
    /// `RateLimit-Limit`: requests allowed in the current window.
    pub limit: Option<u64>,
    /// `RateLimit-Remaining`: requests left in the current window.
    pub remaining: Option<u64>,
}

impl RateLimit {
    /// Reads the figures from response headers; absent or malformed ones are `None`.
    pub fn from_headers(headers: &HeaderMap) -> Self {
        let read = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse().ok())
        };
        Self {
            limit: read("ratelimit-limit"),
            remaining: read("ratelimit-remaining"),
        }
    }
}

/// Status and headers of a response.
#[derive(Clone)]
pub struct ResponseMeta {
    /// The HTTP status (with `envelope=true`, the status inside the envelope).
    pub status: StatusCode,
    /// All response headers.
    pub headers: HeaderMap,
    /// Rate-limit figures from the headers.
    pub rate_limit: RateLimit,
}

impl ResponseMeta {
    /// The `Deprecation` header, when Atlas sent one (the version called
    /// is deprecated; see [`crate::lifecycle`]).
    pub fn deprecation(&self) -> Option<&str> {
        self.headers.get("deprecation")?.to_str().ok()
    }

    /// The `Sunset` header, when Atlas sent one: when the version called
    /// stops being served (an HTTP date).
    pub fn sunset(&self) -> Option<&str> {
        self.headers.get("sunset")?.to_str().ok()
    }
}

impl std::fmt::Debug for ResponseMeta {
    /// The status, the rate limit and the header names (not their values,
    /// which would bury the rest of an error's `Debug`).
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let names: Vec<&str> = self.headers.keys().map(|k| k.as_str()).collect();
        f.debug_struct("ResponseMeta")
            .field("status", &self.status)
            .field("rate_limit", &self.rate_limit)
            .field("headers", &names)
            .finish()
    }
}

/// A successful response: the decoded body and its metadata. It
/// dereferences to the body (`job.id` for `Response<DiskBackupExportJob>`),
/// and [`Response::into_inner`] keeps the body alone.
#[derive(Debug, Clone)]
pub struct Response<T> {
    /// Status, headers and rate-limit figures.
    pub meta: ResponseMeta,
    /// The decoded body.
    pub body: T,
}

impl<T> Response<T> {
    /// The HTTP status (`response.status() == StatusCode::OK`,
    /// `response.status().as_u16()`).
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// The rate-limit figures.
    pub fn rate_limit(&self) -> RateLimit {
        self.meta.rate_limit
    }

    /// The response headers.
    pub fn headers(&self) -> &HeaderMap {
        &self.meta.headers
    }

    /// The body, without the metadata.
    pub fn into_inner(self) -> T {
        self.body
    }

    /// The body, without the metadata (the same as [`Self::into_inner`]).
    pub fn into_body(self) -> T {
        self.body
    }
}

impl<T> std::ops::Deref for Response<T> {
    type Target = T;
    fn deref(&self) -> &T {
        &self.body
    }
}

impl<T> std::ops::DerefMut for Response<T> {
    fn deref_mut(&mut self) -> &mut T {
        &mut self.body
    }
}

/// A response as received, before the generated code decodes it.
#[derive(Debug, Clone)]
pub struct RawResponse {
    meta: ResponseMeta,
    body: Bytes,
}

impl RawResponse {
    /// Wraps a received response. With `envelope` set, a body of the form
    /// `{"status": N, "content": ...}` is unwrapped and `N` becomes the status
    /// (when it is a status code, 100 to 999).
    pub fn new(status: StatusCode, headers: HeaderMap, body: Bytes, envelope: bool) -> Self {
        let rate_limit = RateLimit::from_headers(&headers);
        let mut raw = Self {
            meta: ResponseMeta {
                status,
                headers,
                rate_limit,
            },
            body,
        };
        if envelope {
            raw.unwrap_envelope();
        }
        raw
    }

    fn unwrap_envelope(&mut self) {
        #[derive(serde::Deserialize)]
        struct Envelope {
            status: Option<u16>,
            content: Option<Box<serde_json::value::RawValue>>,
        }
        let Ok(envelope) = serde_json::from_slice::<Envelope>(&self.body) else {
            return;
        };
        if let Some(status) = envelope.status.and_then(|s| StatusCode::from_u16(s).ok()) {
            self.meta.status = status;
        }
        if let Some(content) = envelope.content {
            self.body = Bytes::copy_from_slice(content.get().as_bytes());
        }
    }

    /// The status the generated code dispatches on.
    pub fn status(&self) -> StatusCode {
        self.meta.status
    }

    /// The (unwrapped) body bytes.
    pub fn body(&self) -> &Bytes {
        &self.body
    }

    /// Status, headers and rate-limit figures.
    pub fn meta(&self) -> &ResponseMeta {
        &self.meta
    }

    fn body_prefix(&self) -> String {
        body_prefix(&self.body)
    }

    /// Decodes a documented success body.
    pub fn success<T: Decode, E>(self) -> Result<Response<T>, Error<E>> {
        match decode_slice(&self.body) {
            Ok(body) => Ok(Response {
                meta: self.meta,
                body,
            }),
            Err(source) => Err(Error::InvalidResponse {
                body_prefix: self.body_prefix(),
                meta: self.meta,
                source,
            }),
        }
    }

    /// A documented success body that is binary (`+gzip`): the bytes as sent.
    pub fn binary<E>(self) -> Result<Response<Bytes>, Error<E>> {
        Ok(Response {
            meta: self.meta,
            body: self.body,
        })
    }

    /// A documented success body that is text but not JSON (`+csv`).
    pub fn text<E>(self) -> Result<Response<String>, Error<E>> {
        match String::from_utf8(self.body.to_vec()) {
            Ok(body) => Ok(Response {
                meta: self.meta,
                body,
            }),
            Err(err) => Err(Error::InvalidText {
                body_prefix: self.body_prefix(),
                meta: self.meta,
                source: err.utf8_error(),
            }),
        }
    }

    /// A success body of any shape as plain JSON (an empty body is `null`),
    /// for API versions the crate was not generated for.
    pub fn json<E>(self) -> Result<Response<serde_json::Value>, Error<E>> {
        if self.body.iter().all(u8::is_ascii_whitespace) {
            return Ok(Response {
                meta: self.meta,
                body: serde_json::Value::Null,
            });
        }
        self.success()
    }

    /// A success body the spec declares without a schema: `None` when
    /// empty, the JSON value when it is JSON, else the text (lossy UTF-8)
    /// as a JSON string. Never an error.
    pub fn anything<E>(self) -> Result<Response<Option<serde_json::Value>>, Error<E>> {
        let body = if self.body.iter().all(u8::is_ascii_whitespace) {
            None
        } else {
            Some(serde_json::from_slice(&self.body).unwrap_or_else(|_| {
                serde_json::Value::String(String::from_utf8_lossy(&self.body).into_owned())
            }))
        };
        Ok(Response {
            meta: self.meta,
            body,
        })
    }

    /// A documented success body, for an operation where other success
    /// statuses have none.
    pub fn success_some<T: Decode, E>(self) -> Result<Response<Option<T>>, Error<E>> {
        self.success().map(|r: Response<T>| Response {
            meta: r.meta,
            body: Some(r.body),
        })
    }

    /// A documented success status without a body, for an operation where
    /// other success statuses have one.
    pub fn empty<T, E>(self) -> Result<Response<Option<T>>, Error<E>> {
        Ok(Response {
            meta: self.meta,
            body: None,
        })
    }

    /// A documented success status without a body.
    pub fn no_content<E>(self) -> Result<Response<()>, Error<E>> {
        Ok(Response {
            meta: self.meta,
            body: (),
        })
    }

    /// Decodes a documented error body into [`Error::Api`]. An empty body
    /// (the spec documents some error statuses without content, or content
    /// without a schema) reads as `null` when the error body is plain JSON,
    /// else as an empty object: under lenient decoding the error type's
    /// empty value, its missing fields reported; strict decoding refuses it.
    pub fn api_error<E: Decode>(self) -> Error<E> {
        let decoded = if self.body.iter().all(u8::is_ascii_whitespace) {
            decode_slice(b"null").or_else(|_| decode_slice(b"{}"))
        } else {
            decode_slice(&self.body)
        };
        match decoded {
            Ok(body) => Error::Api {
                meta: self.meta,
                body,
            },
            Err(source) => Error::InvalidResponse {
                body_prefix: self.body_prefix(),
                meta: self.meta,
                source,
            },
        }
    }

    /// Decodes the response of a generated `send`: as `D` when the status
    /// is one of `success` (each with whether the spec gives it a body;
    /// empty means any 2xx), into [`Error::Api`] when it is one of
    /// `errors`, else into [`Error::UnexpectedStatus`].
    pub fn decode<D: Decoder, E: Decode>(
        self,
        success: &[(u16, bool)],
        errors: &[u16],
    ) -> Result<Response<D::Output>, Error<E>> {
        let status = self.status().as_u16();
        let has_body = if success.is_empty() {
            (200..=299).contains(&status).then_some(true)
        } else {
            success
                .iter()
                .find(|(s, _)| *s == status)
                .map(|(_, body)| *body)
        };
        match has_body {
            Some(has_body) => D::read(self, has_body),
            None if errors.contains(&status) => Err(self.api_error()),
            None => Err(self.unexpected()),
        }
    }

    /// Decodes the response as the generated operation `O` does
    /// (see [`Endpoint`]).
    pub fn decode_for<O: Endpoint>(
        self,
    ) -> Result<Response<<O::Decoder as Decoder>::Output>, Error<O::ErrorBody>> {
        self.decode::<O::Decoder, O::ErrorBody>(O::SUCCESS, O::ERRORS)
    }

    /// A status the spec does not document.
    pub fn unexpected<E>(self) -> Error<E> {
        Error::UnexpectedStatus {
            body_prefix: self.body_prefix(),
            meta: self.meta,
        }
    }
}

/// What the responses of a generated operation decode into: implemented
/// by each operation's request builder, and what its `send` uses. Also a
/// way to decode a response received some other way (a recorded one, a
/// test's): [`RawResponse::decode_for`].
pub trait Endpoint {
    /// How a documented success status is read.
    type Decoder: Decoder;
    /// The documented error body.
    type ErrorBody: Decode + super::error::ErrorDetails + std::fmt::Debug;
    /// The documented success statuses, each with whether the spec gives it
    /// a body (empty: any 2xx).
    const SUCCESS: &'static [(u16, bool)];
    /// The documented error statuses.
    const ERRORS: &'static [u16];
}

/// The operation `O` read at an API version the crate was not generated
/// for (what `send_json` uses): any 2xx body as plain JSON, documented
/// errors as `O` decodes them.
#[derive(Debug)]
pub struct AnyVersion<O>(PhantomData<O>);

impl<O: Endpoint> Endpoint for AnyVersion<O> {
    type Decoder = AnyJson;
    type ErrorBody = O::ErrorBody;
    const SUCCESS: &'static [(u16, bool)] = &[];
    const ERRORS: &'static [u16] = O::ERRORS;
}

/// The operation `O` asked for another response format (`+csv`, `+gzip`:
/// what `send_as` uses): any 2xx body as bytes, documented errors as `O`
/// decodes them.
#[derive(Debug)]
pub struct AsBytes<O>(PhantomData<O>);

impl<O: Endpoint> Endpoint for AsBytes<O> {
    type Decoder = Binary;
    type ErrorBody = O::ErrorBody;
    const SUCCESS: &'static [(u16, bool)] = &[];
    const ERRORS: &'static [u16] = O::ERRORS;
}

/// How a generated `send` reads a documented success status: the type
/// parameter of [`Transport::send`](crate::Transport::send), chosen by the
/// generator for each operation.
pub trait Decoder {
    /// What `send` returns in its [`Response`].
    type Output;
    /// Reads a success response; `has_body` says whether the spec gives
    /// this status a body.
    fn read<E>(raw: RawResponse, has_body: bool) -> Result<Response<Self::Output>, Error<E>>;
}

/// A JSON body decoded into `T`.
#[derive(Debug)]
pub struct Json<T>(PhantomData<T>);

impl<T: Decode> Decoder for Json<T> {
    type Output = T;
    fn read<E>(raw: RawResponse, _: bool) -> Result<Response<T>, Error<E>> {
        raw.success()
    }
}

/// A JSON body decoded into `T` for the statuses that have one, `None`
/// for the documented statuses that do not.
#[derive(Debug)]
pub struct JsonIfAny<T>(PhantomData<T>);

impl<T: Decode> Decoder for JsonIfAny<T> {
    type Output = Option<T>;
    fn read<E>(raw: RawResponse, has_body: bool) -> Result<Response<Option<T>>, Error<E>> {
        if has_body {
            raw.success_some()
        } else {
            raw.empty()
        }
    }
}

/// Any JSON body as [`serde_json::Value`] (`null` when empty).
#[derive(Debug)]
pub struct AnyJson;

impl Decoder for AnyJson {
    type Output = serde_json::Value;
    fn read<E>(raw: RawResponse, _: bool) -> Result<Response<serde_json::Value>, Error<E>> {
        raw.json()
    }
}

/// A body the spec declares without a schema: anything, possibly empty
/// (see [`RawResponse::anything`]).
#[derive(Debug)]
pub struct MaybeJson;

impl Decoder for MaybeJson {
    type Output = Option<serde_json::Value>;
    fn read<E>(raw: RawResponse, _: bool) -> Result<Response<Self::Output>, Error<E>> {
        raw.anything()
    }
}

/// No body.
#[derive(Debug)]
pub struct NoContent;

impl Decoder for NoContent {
    type Output = ();
    fn read<E>(raw: RawResponse, _: bool) -> Result<Response<()>, Error<E>> {
        raw.no_content()
    }
}

/// A binary body (`+gzip`), as sent.
#[derive(Debug)]
pub struct Binary;

impl Decoder for Binary {
    type Output = Bytes;
    fn read<E>(raw: RawResponse, _: bool) -> Result<Response<Bytes>, Error<E>> {
        raw.binary()
    }
}

/// A text body that is not JSON (`+csv`).
#[derive(Debug)]
pub struct Text;

impl Decoder for Text {
    type Output = String;
    fn read<E>(raw: RawResponse, _: bool) -> Result<Response<String>, Error<E>> {
        raw.text()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn envelope_is_unwrapped_and_its_status_used() {
        let body = Bytes::from_static(br#"{"status": 404, "content": {"a": 1}}"#);
        let raw = RawResponse::new(StatusCode::OK, HeaderMap::new(), body, true);
        assert_eq!(raw.status(), 404);
        assert_eq!(&raw.body()[..], br#"{"a": 1}"#);
    }

    #[test]
    fn bodies_are_left_alone_without_envelope() {
        let body = Bytes::from_static(br#"{"status": 404, "content": {"a": 1}}"#);
        let raw = RawResponse::new(StatusCode::OK, HeaderMap::new(), body.clone(), false);
        assert_eq!(raw.status(), 200);
        assert_eq!(raw.body(), &body);
    }

    #[test]
    fn empty_error_bodies_read_as_null() {
        let raw = RawResponse::new(
            StatusCode::UNAUTHORIZED,
            HeaderMap::new(),
            Bytes::new(),
            false,
        );
        match raw.api_error::<serde_json::Value>() {
            Error::Api { meta, body } => {
                assert_eq!(meta.status, 401);
                assert_eq!(body, serde_json::Value::Null);
            }
            other => panic!("expected Error::Api, got {other:?}"),
        }
        // An object type: its empty value.
        let raw = RawResponse::new(
            StatusCode::UNAUTHORIZED,
            HeaderMap::new(),
            Bytes::from_static(b" "),
            false,
        );
        match raw.api_error::<serde_json::Map<String, serde_json::Value>>() {
            Error::Api { body, .. } => assert!(body.is_empty()),
            other => panic!("expected Error::Api, got {other:?}"),
        }
        // Neither `null` nor an object.
        let raw = RawResponse::new(
            StatusCode::UNAUTHORIZED,
            HeaderMap::new(),
            Bytes::new(),
            false,
        );
        assert!(matches!(
            raw.api_error::<String>(),
            Error::InvalidResponse { .. }
        ));
    }

    #[test]
    fn rate_limit_headers_are_read() {
        let mut headers = HeaderMap::new();
        headers.insert("RateLimit-Limit", "100".parse().unwrap());
        headers.insert("RateLimit-Remaining", "junk".parse().unwrap());
        let rl = RateLimit::from_headers(&headers);
        assert_eq!(rl.limit, Some(100));
        assert_eq!(rl.remaining, None);
    }
}
