//! When a long-running operation has taken effect: the watcher of an
//! operation (`x-xgen-atlascli.watcher`) in the IR.

/// How to wait until a long-running operation has taken effect: poll
/// another operation (a GET of the same API) until its answer says so
/// (`x-xgen-atlascli.watcher`, see [`crate::atlascli`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Watcher {
    /// The `operationId` of the operation polled (one of [`Api::operations`](crate::ir::Api::operations)).
    pub operation_id: String,
    /// The API version to poll it with when it is not the one the polled
    /// operation is generated for (its answers are then read as plain
    /// JSON); `None` for the generated one.
    pub version: Option<String>,
    /// The polled operation's parameters the watcher gives, in the polled
    /// operation's parameter order.
    pub params: Vec<WatchArg>,
    /// When the wait is over.
    pub expect: WatchExpect,
}

/// One parameter of the polled operation and where its value comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WatchArg {
    /// Index of the parameter in the polled operation's
    /// [`Operation::params`](crate::ir::Operation::params).
    pub param: usize,
    /// Where its value comes from.
    pub source: WatchSource,
}

/// Where a parameter of the polled operation comes from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchSource {
    /// The value the watched call was given for its parameter of this
    /// index in [`Operation::params`](crate::ir::Operation::params) (`input:NAME`).
    Input(usize),
    /// The value at this path in the JSON body the watched call answered
    /// (`body:$.a.b` is `["a", "b"]`; `$` alone is the whole body).
    Body(Vec<String>),
}

/// When a wait is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WatchExpect {
    /// The poll answers this HTTP status (`http-code: 404` after a delete).
    Status(u16),
    /// The value at `path` in the poll's JSON body (`$.state` is
    /// `["state"]`) is one of `values` (compared as text).
    Values {
        /// The path, one object key per step.
        path: Vec<String>,
        /// The values that end the wait.
        values: Vec<String>,
    },
}
