//! Stubs: what a request must look like to match, what it is answered,
//! how often it is expected, and what was received.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use bytes::Bytes;

use super::recorded::RecordedRequest;
use super::{api_error_body, Operation, OperationInfo};
use crate::pagination::Page;
use crate::request::ToWire;
use crate::response::{Decoder, Endpoint};
use crate::serde_helpers::{decode_slice, Decode};

/// What a successful `send` of operation `O` returns in its `Response`.
pub type Output<O> = <<O as Endpoint>::Decoder as Decoder>::Output;

/// A predicate over the request body bytes.
type BodyPredicate = Box<dyn Fn(&[u8]) -> bool + Send + Sync>;

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
}

/// How many calls a stub expects: at least `min`, at most `max`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Expectation {
    pub(crate) min: usize,
    pub(crate) max: Option<usize>,
}

impl Expectation {
    pub(crate) fn holds(&self, calls: usize) -> bool {
        calls >= self.min && self.max.is_none_or(|max| calls <= max)
    }

    pub(crate) fn describe(&self) -> String {
        match (self.min, self.max) {
            (0, Some(0)) => "never".to_owned(),
            (min, Some(max)) if min == max => format!("exactly {min}"),
            (min, None) => format!("at least {min}"),
            (min, Some(max)) => format!("{min} to {max}"),
        }
    }
}

/// A request as the matcher sees it.
pub(crate) struct Incoming {
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: reqwest::header::HeaderMap,
    pub(crate) body: Bytes,
}

/// Why a stub did not match, and how near it came (lower is nearer).
pub(crate) struct Mismatch {
    pub(crate) nearness: u8,
    pub(crate) reason: String,
}

#[derive(Default)]
pub(crate) struct RuleInner {
    path: Vec<(&'static str, String)>,
    query: Vec<(String, String)>,
    headers: Vec<(String, String)>,
    bodies: Vec<BodyPredicate>,
    replies: Vec<Reply>,
    /// Header and delay given before the first reply, for it.
    pending: Option<Reply>,
    pub(crate) expect: Option<Expectation>,
    pub(crate) calls: usize,
    requests: Vec<RecordedRequest>,
}

/// The part of a stub the server sees (no type parameters).
pub(crate) struct RuleCore {
    pub(crate) info: OperationInfo,
    pub(crate) inner: Mutex<RuleInner>,
}

impl RuleCore {
    pub(crate) fn lock(&self) -> std::sync::MutexGuard<'_, RuleInner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The stub as a line of a report: operation, method, path and constraints.
    pub(crate) fn describe(&self) -> String {
        let inner = self.lock();
        let mut line = format!(
            "{} ({}) {} {}",
            self.info.operation_id, self.info.name, self.info.method, self.info.path
        );
        let mut constraints: Vec<String> = inner
            .path
            .iter()
            .map(|(n, v)| format!("{n}={v}"))
            .chain(inner.query.iter().map(|(n, v)| format!("?{n}={v}")))
            .chain(inner.headers.iter().map(|(n, v)| format!("{n}: {v}")))
            .collect();
        if !inner.bodies.is_empty() {
            constraints.push(format!("{} body predicate(s)", inner.bodies.len()));
        }
        if !constraints.is_empty() {
            line.push_str(&format!(" [{}]", constraints.join(", ")));
        }
        line
    }

    /// Whether this stub answers at all: it has a reply or an expectation.
    pub(crate) fn is_active(&self) -> bool {
        let inner = self.lock();
        !inner.replies.is_empty() || inner.expect.is_some()
    }

    /// Whether `request` matches, else why not.
    pub(crate) fn check(&self, request: &Incoming) -> Result<(), Mismatch> {
        let Some(captured) = match_template(self.info.path, &request.path) else {
            return Err(Mismatch {
                nearness: 2,
                reason: format!("the path is not {}", self.info.path),
            });
        };
        if !request.method.eq_ignore_ascii_case(self.info.method) {
            return Err(Mismatch {
                nearness: 1,
                reason: format!("the method is not {}", self.info.method),
            });
        }
        let inner = self.lock();
        for (name, want) in &inner.path {
            let got = captured.iter().find(|(n, _)| n == name).map(|(_, v)| v);
            if got != Some(want) {
                return Err(Mismatch {
                    nearness: 0,
                    reason: format!(
                        "path parameter {name} is {:?}, the stub wants {want:?}",
                        got.map(String::as_str).unwrap_or("")
                    ),
                });
            }
        }
        for (name, want) in &inner.query {
            if !request.query.iter().any(|(n, v)| n == name && v == want) {
                let got: Vec<&str> = request
                    .query
                    .iter()
                    .filter(|(n, _)| n == name)
                    .map(|(_, v)| v.as_str())
                    .collect();
                return Err(Mismatch {
                    nearness: 0,
                    reason: format!("query parameter {name} is {got:?}, the stub wants {want:?}"),
                });
            }
        }
        for (name, want) in &inner.headers {
            let got = request.headers.get(name).and_then(|v| v.to_str().ok());
            if got != Some(want.as_str()) {
                return Err(Mismatch {
                    nearness: 0,
                    reason: format!("header {name} is {got:?}, the stub wants {want:?}"),
                });
            }
        }
        for (i, predicate) in inner.bodies.iter().enumerate() {
            if !predicate(&request.body) {
                return Err(Mismatch {
                    nearness: 0,
                    reason: format!("the body fails body predicate #{}", i + 1),
                });
            }
        }
        Ok(())
    }

    /// Counts a call and gives the reply for it (the last one repeats).
    pub(crate) fn next_reply(&self) -> Option<Reply> {
        let mut inner = self.lock();
        inner.calls += 1;
        let at = (inner.calls - 1).min(inner.replies.len().saturating_sub(1));
        inner.replies.get(at).cloned()
    }

    pub(crate) fn record(&self, request: RecordedRequest) {
        self.lock().requests.push(request);
    }
}

/// `path` against a spec path `template`: the values of its parameters
/// (percent-decoded), or `None` when it does not fit. A parameter takes the
/// shortest non-empty text up to the literal that follows it, never a `/`.
pub(crate) fn match_template(template: &str, path: &str) -> Option<Vec<(String, String)>> {
    let mut captured = Vec::new();
    let mut rest_template = template;
    let mut rest_path = path;
    while !rest_template.is_empty() {
        match rest_template.find('{') {
            Some(0) => {
                let close = rest_template.find('}')?;
                let name = &rest_template[1..close];
                rest_template = &rest_template[close + 1..];
                let literal_end = rest_template.find('{').unwrap_or(rest_template.len());
                let next_literal = &rest_template[..literal_end];
                let segment_end = rest_path.find('/').unwrap_or(rest_path.len());
                let end = if next_literal.is_empty() {
                    segment_end
                } else {
                    let within = rest_path[..segment_end].find(next_literal.split('/').next()?);
                    match within {
                        Some(at) if !next_literal.starts_with('/') => at,
                        _ => segment_end,
                    }
                };
                if end == 0 {
                    return None;
                }
                let value = percent_encoding::percent_decode_str(&rest_path[..end])
                    .decode_utf8_lossy()
                    .into_owned();
                captured.push((name.to_owned(), value));
                rest_path = &rest_path[end..];
            }
            found => {
                let end = found.unwrap_or(rest_template.len());
                let literal = &rest_template[..end];
                rest_path = rest_path.strip_prefix(literal)?;
                rest_template = &rest_template[end..];
            }
        }
    }
    rest_path.is_empty().then_some(captured)
}

/// A stub of operation `O`, registered with its server when it is made:
/// it answers once it has a reply or an expectation. Cheap to clone; clones
/// are the same stub. Configure it through [`Stub`].
pub struct Rule<O> {
    core: Arc<RuleCore>,
    _op: PhantomData<fn() -> O>,
}

impl<O> Clone for Rule<O> {
    fn clone(&self) -> Self {
        Self {
            core: Arc::clone(&self.core),
            _op: PhantomData,
        }
    }
}

impl<O> std::fmt::Debug for Rule<O> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_tuple("Rule").field(&self.core.describe()).finish()
    }
}

impl<O: Operation> Rule<O> {
    /// A new stub of `O` on `server` (what the generated `MockAtlas`
    /// methods call).
    pub fn new(server: &super::MockServer) -> Self {
        let core = Arc::new(RuleCore {
            info: OperationInfo::of::<O>(),
            inner: Mutex::new(RuleInner::default()),
        });
        server.register(Arc::clone(&core));
        Self {
            core,
            _op: PhantomData,
        }
    }

    fn edit(&self, change: impl FnOnce(&mut RuleInner)) {
        change(&mut self.core.lock());
    }

    fn push(&self, reply: Reply) {
        self.edit(|inner| {
            let mut reply = reply;
            if let Some(pending) = inner.pending.take() {
                reply.headers.extend(pending.headers);
                reply.delay = pending.delay.or(reply.delay);
            }
            inner.replies.push(reply);
        });
    }

    fn last_reply(&self, change: impl FnOnce(&mut Reply)) {
        self.edit(|inner| match inner.replies.last_mut() {
            Some(reply) => change(reply),
            None => change(
                inner
                    .pending
                    .get_or_insert_with(|| Reply::new(0, ReplyBody::Empty)),
            ),
        });
    }

    fn json_reply(&self, status: u16, body: &impl serde::Serialize, error: bool) {
        let reply = match serde_json::to_vec(body) {
            Ok(bytes) if error => Reply::new(status, ReplyBody::Error(Bytes::from(bytes))),
            Ok(bytes) => Reply::new(status, ReplyBody::Json(Bytes::from(bytes))),
            Err(err) => Reply::mock_error(
                500,
                "MOCK_UNSERIALIZABLE_REPLY",
                &format!("the stub's reply does not serialise: {err}"),
            ),
        };
        self.push(reply);
    }
}

/// Configuring a stub: what it matches, what it answers, what it expects,
/// and what it received. Implemented by [`Rule`] and by the generated typed
/// stub builders (which add a setter per path and query parameter); each
/// method changes the registered stub and returns it, for chaining.
pub trait Stub: Sized {
    /// The operation stubbed.
    type Op: Operation;

    /// The stub itself.
    fn rule(&self) -> &Rule<Self::Op>;

    /// Matches only requests whose path parameter `name` (the spec's
    /// name, `groupId`) is `value`, as sent before percent-encoding.
    fn path_param<V: ToWire + ?Sized>(self, name: &'static str, value: &V) -> Self {
        let value = value.to_wire();
        self.rule().edit(|inner| inner.path.push((name, value)));
        self
    }

    /// Matches only requests with query parameter `name` set to `value`
    /// (one of its values, for a list).
    fn query_param<V: ToWire + ?Sized>(self, name: &str, value: &V) -> Self {
        let pair = (name.to_owned(), value.to_wire());
        self.rule().edit(|inner| inner.query.push(pair));
        self
    }

    /// Matches only requests with header `name` set to `value`.
    fn header(self, name: &str, value: &str) -> Self {
        let pair = (name.to_ascii_lowercase(), value.to_owned());
        self.rule().edit(|inner| inner.headers.push(pair));
        self
    }

    /// Matches only requests whose body decodes (as the generated code
    /// decodes, leniently) into the operation's request body type and
    /// satisfies `predicate`.
    fn body_matches(
        self,
        predicate: impl Fn(&<Self::Op as Operation>::Body) -> bool + Send + Sync + 'static,
    ) -> Self
    where
        <Self::Op as Operation>::Body: Decode,
    {
        let predicate: BodyPredicate = Box::new(move |bytes| {
            decode_slice::<<Self::Op as Operation>::Body>(bytes).is_ok_and(|body| predicate(&body))
        });
        self.rule().edit(|inner| inner.bodies.push(predicate));
        self
    }

    /// Answers with `body`, the operation's success type, and its first
    /// documented success status (no body when that status has none).
    fn respond_with(self, body: Output<Self::Op>) -> Self
    where
        Output<Self::Op>: serde::Serialize,
    {
        let info = OperationInfo::of::<Self::Op>();
        let has_body = <Self::Op as Endpoint>::SUCCESS
            .first()
            .is_none_or(|(_, has_body)| *has_body);
        if has_body {
            self.rule().json_reply(info.success_status, &body, false);
        } else {
            self.rule()
                .push(Reply::new(info.success_status, ReplyBody::Empty));
        }
        self
    }

    /// Answers `status` with `body` (a success type at another status).
    fn respond_with_status(self, status: u16, body: Output<Self::Op>) -> Self
    where
        Output<Self::Op>: serde::Serialize,
    {
        self.rule().json_reply(status, &body, false);
        self
    }

    /// Answers `status` with `body`, the operation's error type.
    fn respond_error(self, status: u16, body: <Self::Op as Endpoint>::ErrorBody) -> Self
    where
        <Self::Op as Endpoint>::ErrorBody: serde::Serialize,
    {
        self.rule().json_reply(status, &body, true);
        self
    }

    /// Answers `status` with an Atlas `ApiError` body
    /// (`{"error": 404, "errorCode": "RESOURCE_NOT_FOUND", "detail": ...}`).
    fn respond_api_error(self, status: u16, error_code: &str, detail: &str) -> Self {
        self.rule()
            .json_reply(status, &api_error_body(status, error_code, detail), true);
        self
    }

    /// Answers `status` without a body (`503`, `204`).
    fn respond_status(self, status: u16) -> Self {
        self.rule().push(Reply::new(status, ReplyBody::Empty));
        self
    }

    /// Answers `status` with `body` as it is, of type `content_type`.
    fn respond_raw(self, status: u16, content_type: &str, body: impl Into<Bytes>) -> Self {
        self.rule().push(Reply::new(
            status,
            ReplyBody::Raw(content_type.to_owned(), body.into()),
        ));
        self
    }

    /// Serves `items` as the operation pages: each request gets the page
    /// its `pageNum` and `itemsPerPage` ask for (the spec's defaults when
    /// absent), with `totalCount` (unless `includeCount=false`) and `links`
    /// (`self`, and `next` while items remain), as Atlas does.
    fn respond_with_pages<I: serde::Serialize>(self, items: Vec<I>) -> Self
    where
        Output<Self::Op>: Page<Item = I>,
    {
        let values: Result<Vec<serde_json::Value>, _> =
            items.iter().map(serde_json::to_value).collect();
        match values {
            Ok(values) => self.rule().push(Reply::new(
                OperationInfo::of::<Self::Op>().success_status,
                ReplyBody::Pages(Arc::new(values)),
            )),
            Err(err) => self.rule().push(Reply::mock_error(
                500,
                "MOCK_UNSERIALIZABLE_REPLY",
                &format!("an item does not serialise: {err}"),
            )),
        }
        self
    }

    /// Adds a response header to the last reply (before any reply: to the
    /// first one), such as `Retry-After`.
    fn with_header(self, name: &str, value: &str) -> Self {
        let pair = (name.to_owned(), value.to_owned());
        self.rule().last_reply(|reply| reply.headers.push(pair));
        self
    }

    /// Delays the last reply (before any reply: the first one) by `delay`.
    fn delay(self, delay: Duration) -> Self {
        self.rule().last_reply(|reply| reply.delay = Some(delay));
        self
    }

    /// Expects exactly `n` matching requests.
    fn times(self, n: usize) -> Self {
        self.rule().edit(|inner| {
            inner.expect = Some(Expectation {
                min: n,
                max: Some(n),
            })
        });
        self
    }

    /// Expects at least `n` matching requests.
    fn at_least(self, n: usize) -> Self {
        self.rule()
            .edit(|inner| inner.expect = Some(Expectation { min: n, max: None }));
        self
    }

    /// Expects no matching request (one is answered `500 MOCK_UNEXPECTED_CALL`
    /// unless the stub has a reply).
    fn never(self) -> Self {
        self.times(0)
    }

    /// How many requests matched so far.
    fn calls(&self) -> usize {
        self.rule().core.lock().calls
    }

    /// The requests that matched, in order.
    fn requests(&self) -> Vec<RecordedRequest> {
        self.rule().core.lock().requests.clone()
    }

    /// The bodies of the requests that matched, decoded into the
    /// operation's request body type (those that do not decode are left
    /// out; [`Self::requests`] has them all).
    fn bodies(&self) -> Vec<<Self::Op as Operation>::Body>
    where
        <Self::Op as Operation>::Body: Decode,
    {
        self.requests()
            .iter()
            .filter_map(|r| r.json().ok())
            .collect()
    }
}

impl<O: Operation> Stub for Rule<O> {
    type Op = O;
    fn rule(&self) -> &Rule<O> {
        self
    }
}

#[cfg(test)]
mod tests {
    use super::match_template;

    fn names(template: &str, path: &str) -> Option<Vec<String>> {
        match_template(template, path)
            .map(|c| c.into_iter().map(|(n, v)| format!("{n}={v}")).collect())
    }

    #[test]
    fn templates_capture_their_parameters_and_nothing_else() {
        assert_eq!(
            names("/g/{groupId}/c/{name}", "/g/abc/c/a%20b"),
            Some(vec!["groupId=abc".into(), "name=a b".into()])
        );
        assert_eq!(
            names("/g/{groupId}/c/{name}:pause", "/g/abc/c/x:pause"),
            Some(vec!["groupId=abc".into(), "name=x".into()])
        );
        assert_eq!(
            names("/logs/{logName}.gz", "/logs/mongod.gz"),
            Some(vec!["logName=mongod".into()])
        );
        assert_eq!(names("/g/{groupId}", "/g/abc/more"), None);
        assert_eq!(names("/g/{groupId}", "/g/"), None);
        assert_eq!(names("/g/{groupId}/c", "/g/a/d"), None);
        assert_eq!(names("/plain", "/plain"), Some(vec![]));
        assert_eq!(names("/plain", "/plainer"), None);
    }
}
