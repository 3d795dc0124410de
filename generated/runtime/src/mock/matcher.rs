//! The half of a stub the server sees (no type parameters): what a request
//! must look like to match ([`RuleCore::check`], path templates), its
//! replies in order, how often it is expected, and the requests it matched.

use std::sync::{Mutex, PoisonError};

use super::incoming::Incoming;
use super::operation::OperationInfo;
use super::recorded::RecordedRequest;
use super::reply::Reply;

/// A predicate over the request body bytes.
pub(crate) type BodyPredicate = Box<dyn Fn(&[u8]) -> bool + Send + Sync>;

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

/// Why a stub did not match, and how near it came (lower is nearer).
pub(crate) struct Mismatch {
    pub(crate) nearness: u8,
    pub(crate) reason: String,
}

#[derive(Default)]
pub(crate) struct RuleInner {
    pub(crate) path: Vec<(&'static str, String)>,
    pub(crate) query: Vec<(String, String)>,
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) bodies: Vec<BodyPredicate>,
    pub(crate) replies: Vec<Reply>,
    /// Header and delay given before the first reply, for it.
    pub(crate) pending: Option<Reply>,
    pub(crate) expect: Option<Expectation>,
    pub(crate) calls: usize,
    pub(crate) requests: Vec<RecordedRequest>,
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
