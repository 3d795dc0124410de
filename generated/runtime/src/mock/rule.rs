//! Stubs as users write them: [`Rule`] of one operation and the [`Stub`]
//! methods that say what a request must look like, what it is answered
//! (one method per kind of reply), how often it is expected, and what was
//! received. The top of the mock: the matching half is `matcher.rs`, the
//! replies `reply.rs`.

use std::marker::PhantomData;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use bytes::Bytes;

use super::matcher::{BodyPredicate, Expectation, RuleCore, RuleInner};
use super::operation::{api_error_body, Operation, OperationInfo};
use super::recorded::RecordedRequest;
use super::reply::{Reply, ReplyBody};
use super::server::MockServer;
use crate::pagination::Page;
use crate::request::ToWire;
use crate::response::{Decoder, Endpoint};
use crate::serde_helpers::{decode_slice, Decode};

/// What a successful `send` of operation `O` returns in its `Response`.
pub type Output<O> = <<O as Endpoint>::Decoder as Decoder>::Output;

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
    pub fn new(server: &MockServer) -> Self {
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
