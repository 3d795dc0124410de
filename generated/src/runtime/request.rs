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
    /// Another Atlas API version than the generated one (`2023-01-01`): it
    /// replaces the version in the `Accept` and `Content-Type` media types.
    pub api_version: Option<String>,
    /// Whether the response comes in an envelope (`envelope=true`) that
    /// the client unwraps (see [`RawResponse::new`](crate::runtime::RawResponse::new)).
    pub unwrap_envelope: bool,
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
            api_version: None,
            unwrap_envelope: false,
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
    use super::*;

    #[test]
    fn an_api_version_replaces_the_version_of_atlas_media_types() {
        let mut request = ApiRequest::new(
            Method::GET,
            "/x",
            "/x".to_owned(),
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
}
