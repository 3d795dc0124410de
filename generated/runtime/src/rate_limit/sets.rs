//! Endpoint sets: which bucket a request draws from, as `listRateLimits`
//! lists them or as refusals name them.

use std::collections::HashMap;
use std::sync::Arc;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;
use tokio::time::Instant;

use super::bucket::Bucket;

/// What an endpoint set's buckets are per: Atlas's `scope` of a set.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum RateLimitScope {
    /// One bucket per organization (`orgId` in the path).
    Organization,
    /// One bucket per project (`groupId` in the path).
    Project,
    /// One bucket per user (one per client).
    User,
    /// One bucket per IP address (one per client).
    Ip,
}

impl RateLimitScope {
    /// Atlas's name of a scope (`GROUP`, `ORGANIZATION`, `USER`, `IP`).
    pub fn from_atlas(name: &str) -> Option<Self> {
        match name {
            "GROUP" | "PROJECT" => Some(Self::Project),
            "ORGANIZATION" | "ORG" => Some(Self::Organization),
            "USER" => Some(Self::User),
            "IP" => Some(Self::Ip),
            _ => None,
        }
    }

    /// The path parameter whose value is the scope id, if any.
    fn parameter(self) -> Option<&'static str> {
        match self {
            Self::Project => Some("groupId"),
            Self::Organization => Some("orgId"),
            Self::User | Self::Ip => None,
        }
    }
}

/// One endpoint set: its bucket's figures and the endpoints drawing from
/// it, as `listRateLimits` (`GET /api/atlas/v2/rateLimits`) lists them.
///
/// ```
/// use std::time::Duration;
/// use atlas_admin_runtime::{EndpointSet, RateLimitScope};
/// use atlas_admin_runtime::reqwest::Method;
///
/// let exports = EndpointSet::new("backupExports", RateLimitScope::Project, 10, 5, Duration::from_secs(1))
///     .endpoint(Method::GET, "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports/{exportId}");
/// assert_eq!(exports.capacity(), 10);
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EndpointSet {
    id: String,
    scope: RateLimitScope,
    capacity: u64,
    refill_rate: u64,
    refill_duration: Duration,
    endpoints: Vec<(Method, String)>,
}

impl EndpointSet {
    /// A set of `capacity` requests refilled by `refill_rate` every
    /// `refill_duration`, with no endpoint yet.
    pub fn new(
        id: impl Into<String>,
        scope: RateLimitScope,
        capacity: u64,
        refill_rate: u64,
        refill_duration: Duration,
    ) -> Self {
        Self {
            id: id.into(),
            scope,
            capacity,
            refill_rate,
            refill_duration,
            endpoints: Vec::new(),
        }
    }

    /// An endpoint of the set: its method and path template
    /// (`/api/atlas/v2/groups/{groupId}/clusters`; parameter names do not
    /// matter).
    pub fn endpoint(mut self, method: Method, path: impl Into<String>) -> Self {
        self.endpoints.push((method, path.into()));
        self
    }

    /// The sets of a `listRateLimits` answer: a page (`results`), a list,
    /// or one set. Entries without an id or a capacity are skipped.
    pub fn from_json(value: &Value) -> Vec<EndpointSet> {
        let items = match value {
            Value::Array(items) => items.as_slice(),
            Value::Object(map) => match map.get("results").and_then(Value::as_array) {
                Some(items) => items.as_slice(),
                None => std::slice::from_ref(value),
            },
            _ => &[],
        };
        items.iter().filter_map(Self::one_from_json).collect()
    }

    fn one_from_json(value: &Value) -> Option<EndpointSet> {
        let figure = |name: &str| {
            let v = value.get(name)?;
            v.get("value")
                .and_then(Value::as_u64)
                .or_else(|| v.as_u64())
        };
        let id = value
            .get("endpointSetId")
            .or_else(|| value.get("endpointSetName"))?
            .as_str()?;
        let scope = value
            .get("scope")
            .and_then(Value::as_str)
            .and_then(RateLimitScope::from_atlas)
            .unwrap_or(RateLimitScope::User);
        let mut set = EndpointSet::new(
            id,
            scope,
            figure("capacity")?,
            figure("refillRate")?,
            Duration::from_secs(figure("refillDurationSeconds").unwrap_or(1).max(1)),
        );
        for endpoint in value
            .get("endpoints")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            let method = endpoint.get("method").and_then(Value::as_str);
            let path = endpoint.get("path").and_then(Value::as_str);
            if let (Some(method), Some(path)) = (method, path) {
                if let Ok(method) = Method::from_bytes(method.as_bytes()) {
                    set = set.endpoint(method, path);
                }
            }
        }
        Some(set)
    }

    /// The set's id (`endpointSetId`).
    pub fn id(&self) -> &str {
        &self.id
    }

    /// What the set's buckets are per.
    pub fn scope(&self) -> RateLimitScope {
        self.scope
    }

    /// Requests a full bucket allows at once.
    pub fn capacity(&self) -> u64 {
        self.capacity
    }

    /// Tokens added per [`Self::refill_duration`].
    pub fn refill_rate(&self) -> u64 {
        self.refill_rate
    }

    /// How often [`Self::refill_rate`] tokens are added.
    pub fn refill_duration(&self) -> Duration {
        self.refill_duration
    }

    /// The endpoints (method, path template) of the set.
    pub fn endpoints(&self) -> &[(Method, String)] {
        &self.endpoints
    }

    fn tokens_per_second(&self) -> f64 {
        self.refill_rate as f64 / self.refill_duration.as_secs_f64().max(f64::EPSILON)
    }
}

/// The sets known to a client and which (method, template) maps to which.
#[derive(Debug, Default)]
pub(crate) struct Sets {
    seeded: HashMap<Arc<str>, EndpointSet>,
    /// (method, normalized template) -> set id and its scope, from the
    /// seeded sets and from refusals that named a set.
    by_endpoint: HashMap<(Method, String), (Arc<str>, Option<RateLimitScope>)>,
    /// What [`Self::lookup`] found for a (method, template) of generated
    /// code, until the sets change: the per-call path reads it instead of
    /// normalizing the template again. Keyed by where the template is (a
    /// `'static` string's address and length name its text; an equal text
    /// elsewhere is one more entry with the same answer), which is cheaper
    /// to hash than the text.
    found: HashMap<(Method, usize, usize), Found>,
}

/// A template's set, which of its path's segments is the scope id (see
/// [`scope_segment`]), and whether the set is a guess.
type Found = (Arc<str>, Option<usize>, bool);

impl Sets {
    pub(crate) fn seed(&mut self, found: Vec<EndpointSet>) {
        for set in found {
            let id: Arc<str> = Arc::from(set.id.as_str());
            for (method, path) in &set.endpoints {
                self.by_endpoint.insert(
                    (method.clone(), normalize(path)),
                    (id.clone(), Some(set.scope)),
                );
            }
            self.seeded.insert(id, set);
        }
        self.found.clear();
    }

    pub(crate) fn all(&self) -> Vec<EndpointSet> {
        let mut all: Vec<EndpointSet> = self.seeded.values().cloned().collect();
        all.sort_by(|a, b| a.id.cmp(&b.id));
        all
    }

    /// The set, scope id and whether the set is a guess for a request.
    pub(crate) fn lookup(
        &mut self,
        method: &Method,
        template: &'static str,
        path: &str,
    ) -> (Arc<str>, String, bool) {
        let at = (method.clone(), template.as_ptr() as usize, template.len());
        let (set, segment, guessed) = match self.found.get(&at) {
            Some(found) => found.clone(),
            None => {
                let found = match self.by_endpoint.get(&(method.clone(), normalize(template))) {
                    Some((set, scope)) => (set.clone(), scope_segment(*scope, template), false),
                    None => (Arc::from(template), scope_segment(None, template), true),
                };
                self.found.insert(at, found.clone());
                found
            }
        };
        (set, scope_value(segment, path), guessed)
    }

    /// A refusal named `set` for this method and template: later requests
    /// of it draw from the set's bucket. The scope id stays as guessed.
    pub(crate) fn learn(
        &mut self,
        method: &Method,
        template: &str,
        set: &str,
        scope: &str,
    ) -> String {
        let id: Arc<str> = Arc::from(set);
        let known_scope = self.seeded.get(&id).map(|s| s.scope);
        self.by_endpoint
            .insert((method.clone(), normalize(template)), (id, known_scope));
        self.found.clear();
        scope.to_owned()
    }

    /// A full bucket for a seeded set.
    pub(crate) fn seeded_bucket(&self, set: &str, now: Instant) -> Option<Bucket> {
        let set = self.seeded.get(set)?;
        Some(Bucket::seeded(
            set.capacity as f64,
            set.tokens_per_second(),
            now,
        ))
    }
}

/// A path template with its parameter names dropped (`{groupId}` -> `{}`)
/// and no trailing `/`.
fn normalize(template: &str) -> String {
    let mut out = String::with_capacity(template.len());
    let mut in_param = false;
    for c in template.trim_end_matches('/').chars() {
        match c {
            '{' => {
                in_param = true;
                out.push_str("{}");
            }
            '}' => in_param = false,
            _ if in_param => {}
            _ => out.push(c),
        }
    }
    out
}

/// Which `/`-separated segment of a template's paths is the scope id:
/// the scope's path parameter; without a known scope, `groupId`, else
/// `orgId`, else none (one bucket per client). Path values are
/// percent-encoded, so segments of template and path line up.
fn scope_segment(scope: Option<RateLimitScope>, template: &str) -> Option<usize> {
    let wanted: &[&str] = match scope {
        Some(scope) => &[scope.parameter()?][..],
        None => &["groupId", "orgId"],
    };
    wanted.iter().find_map(|name| {
        template
            .split('/')
            .position(|s| s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) == Some(*name))
    })
}

/// The scope id in `path`: its segment `segment` (empty without one).
fn scope_value(segment: Option<usize>, path: &str) -> String {
    segment
        .and_then(|i| path.split('/').nth(i))
        .unwrap_or_default()
        .to_owned()
}

/// The scope id of a request (see [`scope_segment`]).
#[cfg(test)]
fn scope_id(scope: Option<RateLimitScope>, template: &str, path: &str) -> String {
    scope_value(scope_segment(scope, template), path)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEMPLATE: &str =
        "/api/atlas/v2/groups/{groupId}/clusters/{clusterName}/backup/exports/{exportId}";

    #[test]
    fn list_rate_limits_is_read_and_requests_are_mapped_by_endpoint() {
        let page = json!({"results": [{
            "endpointSetId": "backupExports", "endpointSetName": "Backup exports", "scope": "GROUP",
            "capacity": {"value": 10}, "refillRate": {"value": 5}, "refillDurationSeconds": {"value": 1},
            "endpoints": [{"method": "GET", "path": "/api/atlas/v2/groups/{id}/clusters/{name}/backup/exports/{export}"}]
        }, {"endpointSetName": "no figures"}], "totalCount": 2});
        let found = EndpointSet::from_json(&page);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].scope(), RateLimitScope::Project);
        let mut sets = Sets::default();
        sets.seed(found);
        let path = "/api/atlas/v2/groups/aaa/clusters/c1/backup/exports/e1";
        let (set, scope, guessed) = sets.lookup(&Method::GET, TEMPLATE, path);
        assert_eq!(
            (&*set, scope.as_str(), guessed),
            ("backupExports", "aaa", false)
        );
        let (set, scope, guessed) = sets.lookup(&Method::DELETE, TEMPLATE, path);
        assert_eq!((&*set, scope.as_str(), guessed), (TEMPLATE, "aaa", true));
        assert!(sets
            .seeded_bucket("backupExports", Instant::now())
            .is_some());
    }

    #[test]
    fn scope_ids_come_from_the_path() {
        assert_eq!(scope_id(None, "/orgs/{orgId}/x", "/orgs/o1/x"), "o1");
        assert_eq!(scope_id(Some(RateLimitScope::User), TEMPLATE, "/a"), "");
        assert_eq!(normalize("/a/{b}/c/"), "/a/{}/c");
    }
}
