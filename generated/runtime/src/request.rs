//! A request as generated code describes it, before the transport sends it.

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use reqwest::Method;

use super::options::CallOptions;

/// Characters escaped in a path segment: everything but RFC 3986 `pchar`s,
/// and `/` so that a value can never add a segment.
const PATH_SEGMENT: &AsciiSet = &CONTROLS
    .add(b' ')
    .add(b'"')
    .add(b'#')
    .add(b'%')
    .add(b'/')
    .add(b'<')
    .add(b'>')
    .add(b'?')
    .add(b'[')
    .add(b'\\')
    .add(b']')
    .add(b'^')
    .add(b'`')
    .add(b'{')
    .add(b'|')
    .add(b'}');

/// Percent-encodes one path segment.
pub fn encode_path_segment(value: &str) -> String {
    utf8_percent_encode(value, PATH_SEGMENT).to_string()
}

/// `template` with each `{name}` replaced by the next of `values`,
/// percent-encoded. A placeholder without a value is kept as it is.
fn fill_path(template: &str, values: &[&str]) -> String {
    let mut path = String::with_capacity(template.len() + 32);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        let Some(close) = rest[open..].find('}').map(|c| open + c) else {
            break;
        };
        path.push_str(&rest[..open]);
        match values.next() {
            Some(value) => path.push_str(&encode_path_segment(value)),
            None => path.push_str(&rest[open..=close]),
        }
        rest = &rest[close + 1..];
    }
    path.push_str(rest);
    path
}

/// How a parameter value is written into a path, query or header: as
/// text, dates as `YYYY-MM-DD`, date-times in RFC 3339, JSON values as
/// compact JSON.
pub trait ToWire {
    /// The value as it is sent.
    fn to_wire(&self) -> String;
}

impl ToWire for str {
    fn to_wire(&self) -> String {
        self.to_owned()
    }
}

impl ToWire for String {
    fn to_wire(&self) -> String {
        self.clone()
    }
}

macro_rules! to_wire_display {
    ($($ty:ty),*) => {
        $(impl ToWire for $ty {
            fn to_wire(&self) -> String {
                self.to_string()
            }
        })*
    };
}
to_wire_display!(bool, i32, i64, u32, u64, f32, f64, chrono::NaiveDate);

impl ToWire for chrono::DateTime<chrono::Utc> {
    fn to_wire(&self) -> String {
        self.to_rfc3339()
    }
}

impl ToWire for serde_json::Value {
    fn to_wire(&self) -> String {
        self.to_string()
    }
}

impl ToWire for serde_json::Map<String, serde_json::Value> {
    fn to_wire(&self) -> String {
        serde_json::to_string(self).unwrap_or_default()
    }
}

impl<T: super::Validated> ToWire for T {
    fn to_wire(&self) -> String {
        self.as_str().to_owned()
    }
}

/// Everything the transport needs to send one operation, built by the
/// generated code after every input passed validation.
#[derive(Debug, Clone)]
pub struct ApiRequest {
    /// HTTP method.
    pub method: Method,
    /// The spec's path template (for logs and spans; no values in it).
    pub path_template: &'static str,
    /// The path with every parameter substituted and percent-encoded.
    pub path: String,
    /// Query parameters, in order; a list parameter repeats its name.
    pub query: Vec<(&'static str, String)>,
    /// Header parameters.
    pub headers: Vec<(&'static str, String)>,
    /// The `Accept` header (a versioned Atlas media type).
    pub accept: &'static str,
    /// The body with its `Content-Type`; kept as bytes so it can be resent.
    pub body: Option<(&'static str, Bytes)>,
    /// Whether the client's credentials go with the request (false for
    /// operations whose spec says `security: []`).
    pub authenticate: bool,
    /// Another Atlas API version than the generated one (`2023-01-01`): it
    /// replaces the version in the `Accept` and `Content-Type` media types.
    pub api_version: Option<String>,
    /// Whether the response comes in an envelope (`envelope=true`) that
    /// the client unwraps (see [`RawResponse::new`](crate::RawResponse::new)).
    pub unwrap_envelope: bool,
    /// The spec's `operationId` (for interceptors; empty when the request
    /// was not built by a generated operation).
    pub operation_id: &'static str,
    /// The call's overrides of the client's settings (a builder's
    /// `customize`).
    pub options: CallOptions,
    /// The API versions the operation offers, oldest first, each with its
    /// `x-sunset` date (`YYYY-MM-DD`) when the spec gives one: for the
    /// lifecycle warnings and errors ([`crate::lifecycle`]). Empty when the
    /// request was not built by a generated operation.
    pub versions: &'static [(&'static str, Option<&'static str>)],
}

impl ApiRequest {
    /// A request without query, headers or body. `path_template` is the
    /// spec's path; each `{name}` in it is replaced, in order, by the next
    /// of `path_values`, percent-encoded as one segment.
    pub fn new(
        method: Method,
        path_template: &'static str,
        path_values: &[&str],
        accept: &'static str,
    ) -> Self {
        Self {
            method,
            path_template,
            path: fill_path(path_template, path_values),
            query: Vec::new(),
            headers: Vec::new(),
            accept,
            body: None,
            authenticate: true,
            api_version: None,
            unwrap_envelope: false,
            operation_id: "",
            options: CallOptions::default(),
            versions: &[],
        }
    }

    /// The `Accept` header as sent: [`Self::accept`] with
    /// [`Self::api_version`] in place of its version.
    pub fn accept_header(&self) -> String {
        self.with_version(self.accept)
    }

    /// The `Content-Type` of the body as sent, versioned like
    /// [`Self::accept_header`].
    pub fn content_type_header(&self) -> Option<String> {
        self.body
            .as_ref()
            .map(|(media, _)| self.with_version(media))
    }

    /// `media` with its Atlas version replaced by [`Self::api_version`]
    /// (media types that are not `application/vnd.atlas.<version>+<format>`
    /// are left alone).
    fn with_version(&self, media: &str) -> String {
        let Some(version) = &self.api_version else {
            return media.to_owned();
        };
        match media
            .strip_prefix("application/vnd.atlas.")
            .and_then(|rest| rest.split_once('+'))
        {
            Some((_, format)) => format!("application/vnd.atlas.{version}+{format}"),
            None => media.to_owned(),
        }
    }

    /// Adds a query parameter.
    pub fn query<V: ToWire + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.query.push((name, value.to_wire()));
    }

    /// Adds a query parameter when it is set.
    pub fn query_opt<V: ToWire>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            self.query(name, value);
        }
    }

    /// Adds a list query parameter: the name once for each item.
    pub fn query_each<V: ToWire>(&mut self, name: &'static str, values: &[V]) {
        for value in values {
            self.query(name, value);
        }
    }

    /// [`Self::query_each`] when the list is set.
    pub fn query_each_opt<V: ToWire>(&mut self, name: &'static str, values: &Option<Vec<V>>) {
        if let Some(values) = values {
            self.query_each(name, values);
        }
    }

    /// Adds a header parameter.
    pub fn header<V: ToWire + ?Sized>(&mut self, name: &'static str, value: &V) {
        self.headers.push((name, value.to_wire()));
    }

    /// Adds a header parameter when it is set.
    pub fn header_opt<V: ToWire>(&mut self, name: &'static str, value: &Option<V>) {
        if let Some(value) = value {
            self.header(name, value);
        }
    }

    /// Sets the JSON body: `raw` (sent as given, for another API version)
    /// when there is one, else `typed`; none when neither is set. A body
    /// that does not serialise is [`Error::Config`](crate::Error::Config).
    pub fn json_bodies<T: serde::Serialize, E>(
        &mut self,
        content_type: &'static str,
        raw: Option<&serde_json::Value>,
        typed: Option<&T>,
    ) -> Result<(), crate::Error<E>> {
        match (raw, typed) {
            (Some(raw), _) => self.json_body(content_type, raw),
            (None, Some(typed)) => self.json_body(content_type, typed),
            (None, None) => Ok(()),
        }
        .map_err(|err| crate::Error::Config(format!("request body: {err}")))
    }

    /// Serialises `body` as JSON with the given media type.
    pub fn json_body<T: serde::Serialize>(
        &mut self,
        content_type: &'static str,
        body: &T,
    ) -> Result<(), serde_json::Error> {
        self.body = Some((content_type, Bytes::from(serde_json::to_vec(body)?)));
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_api_version_replaces_the_version_of_atlas_media_types() {
        let mut request = ApiRequest::new(
            Method::GET,
            "/x",
            &[],
            "application/vnd.atlas.2024-05-30+json",
        );
        request.body = Some(("application/vnd.atlas.2024-05-30+json", Bytes::new()));
        assert_eq!(
            request.accept_header(),
            "application/vnd.atlas.2024-05-30+json"
        );
        request.api_version = Some("2023-01-01".to_owned());
        assert_eq!(
            request.accept_header(),
            "application/vnd.atlas.2023-01-01+json"
        );
        assert_eq!(
            request.content_type_header().as_deref(),
            Some("application/vnd.atlas.2023-01-01+json")
        );
        request.accept = "application/json";
        assert_eq!(request.accept_header(), "application/json");
    }

    #[test]
    fn segments_cannot_escape_their_place() {
        assert_eq!(encode_path_segment("Cluster0"), "Cluster0");
        assert_eq!(encode_path_segment("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode_path_segment("a b%"), "a%20b%25");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }

    #[test]
    fn path_placeholders_are_filled_in_order_and_encoded() {
        assert_eq!(
            fill_path("/g/{groupId}/c/{name}:pause", &["abc", "a b/c"]),
            "/g/abc/c/a%20b%2Fc:pause"
        );
        assert_eq!(
            fill_path("/logs/{logName}.gz", &["mongod"]),
            "/logs/mongod.gz"
        );
        assert_eq!(fill_path("/x/{a}/{b}", &["1"]), "/x/1/{b}");
        assert_eq!(fill_path("/plain", &[]), "/plain");
    }
}
