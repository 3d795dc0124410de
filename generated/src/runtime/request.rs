//! A request as generated code describes it, before the transport sends it.

use bytes::Bytes;
use percent_encoding::{utf8_percent_encode, AsciiSet, CONTROLS};
use reqwest::Method;

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
}

impl ApiRequest {
    /// A request without query, headers or body.
    pub fn new(
        method: Method,
        path_template: &'static str,
        path: String,
        accept: &'static str,
    ) -> Self {
        Self {
            method,
            path_template,
            path,
            query: Vec::new(),
            headers: Vec::new(),
            accept,
            body: None,
            authenticate: true,
        }
    }

    /// Adds a query parameter.
    pub fn query(&mut self, name: &'static str, value: impl ToString) {
        self.query.push((name, value.to_string()));
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
    use super::encode_path_segment;

    #[test]
    fn segments_cannot_escape_their_place() {
        assert_eq!(encode_path_segment("Cluster0"), "Cluster0");
        assert_eq!(encode_path_segment("a/b?c#d"), "a%2Fb%3Fc%23d");
        assert_eq!(encode_path_segment("a b%"), "a%20b%25");
        assert_eq!(encode_path_segment("é"), "%C3%A9");
    }
}
