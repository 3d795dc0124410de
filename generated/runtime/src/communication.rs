//! Why an attempt got no complete answer: the HTTP stack's error, or one of
//! the client's own time limits (see the user guide's
//! `atlas_admin_api::guide::production` for what each limit covers and its
//! default).

use std::fmt;
use std::time::Duration;

/// Which of the client's time limits ran out.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum TimeoutKind {
    /// No response headers within the response timeout of one attempt
    /// ([`TransportBuilder::response_timeout`](crate::TransportBuilder::response_timeout)).
    Response,
    /// No byte of the body arrived for the read timeout: the body stalled
    /// ([`TransportBuilder::read_timeout`](crate::TransportBuilder::read_timeout)).
    Read,
    /// The call's overall deadline passed, attempts and the waits between
    /// them included
    /// ([`TransportBuilder::operation_timeout`](crate::TransportBuilder::operation_timeout)).
    Operation,
}

impl TimeoutKind {
    fn describe(self) -> &'static str {
        match self {
            TimeoutKind::Response => "no response headers within",
            TimeoutKind::Read => "the response body stalled: no byte for",
            TimeoutKind::Operation => "the call's deadline passed:",
        }
    }
}

/// Connecting, sending or receiving failed: the cause of
/// [`Error::Communication`](crate::Error::Communication).
#[derive(Debug)]
pub struct CommunicationError {
    kind: Kind,
    url: Option<url::Url>,
}

#[derive(Debug)]
enum Kind {
    Http(reqwest::Error),
    Timeout {
        kind: TimeoutKind,
        limit: Duration,
    },
    /// The request could not be built (a header value that cannot be sent).
    InvalidRequest(String),
}

impl CommunicationError {
    /// The HTTP stack's error.
    pub(crate) fn http(err: reqwest::Error) -> Self {
        let url = err.url().cloned();
        Self {
            kind: Kind::Http(err),
            url,
        }
    }

    /// One of the client's time limits ran out.
    pub(crate) fn timeout(kind: TimeoutKind, limit: Duration, url: Option<url::Url>) -> Self {
        Self {
            kind: Kind::Timeout { kind, limit },
            url,
        }
    }

    /// A request that could not be built.
    pub(crate) fn invalid_request(why: String) -> Self {
        Self {
            kind: Kind::InvalidRequest(why),
            url: None,
        }
    }

    /// Whether a time limit ran out (the connect timeout included).
    pub fn is_timeout(&self) -> bool {
        match &self.kind {
            Kind::Http(err) => err.is_timeout(),
            Kind::Timeout { .. } => true,
            Kind::InvalidRequest(_) => false,
        }
    }

    /// Which of the client's own limits ran out, if one did (a connect
    /// timeout is the HTTP stack's: [`Self::is_connect`] and
    /// [`Self::is_timeout`]).
    pub fn timeout_kind(&self) -> Option<TimeoutKind> {
        match &self.kind {
            Kind::Http(_) | Kind::InvalidRequest(_) => None,
            Kind::Timeout { kind, .. } => Some(*kind),
        }
    }

    /// Whether no connection could be made: the server never saw the request.
    pub fn is_connect(&self) -> bool {
        matches!(&self.kind, Kind::Http(err) if err.is_connect())
    }

    /// Whether the TLS handshake failed on the server's certificate: an
    /// issuer the client does not trust (a private CA, a TLS-inspecting
    /// proxy: see [`ENV_CA_CERT`](crate::ENV_CA_CERT) and
    /// [`TransportBuilder::add_root_certificate_pem`](crate::TransportBuilder::add_root_certificate_pem)),
    /// a name that does not match, an expired certificate. Read from the
    /// TLS library's words in the error's causes, as nothing in between
    /// exposes its type.
    pub fn is_certificate(&self) -> bool {
        let Kind::Http(err) = &self.kind else {
            return false;
        };
        let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(err);
        while let Some(current) = cause {
            if current.to_string().contains("certificate") {
                return true;
            }
            cause = current.source();
        }
        false
    }

    /// The HTTP stack's error, when it is one.
    pub fn reqwest_error(&self) -> Option<&reqwest::Error> {
        match &self.kind {
            Kind::Http(err) => Some(err),
            Kind::Timeout { .. } | Kind::InvalidRequest(_) => None,
        }
    }

    /// The URL the request went to.
    pub fn url(&self) -> Option<&url::Url> {
        self.url.as_ref()
    }

    /// Whether retrying cannot help whatever the method: a request that
    /// could not be built, a redirect loop, a certificate the client does
    /// not trust, a deadline passed.
    pub(crate) fn is_final(&self) -> bool {
        match &self.kind {
            Kind::Http(err) => err.is_builder() || err.is_redirect() || self.is_certificate(),
            Kind::Timeout { kind, .. } => *kind == TimeoutKind::Operation,
            Kind::InvalidRequest(_) => true,
        }
    }

    /// A short, secret-free name for spans and interceptors.
    pub fn kind_name(&self) -> &'static str {
        match &self.kind {
            Kind::Timeout { kind, .. } => match kind {
                TimeoutKind::Response => "response timeout",
                TimeoutKind::Read => "read timeout",
                TimeoutKind::Operation => "operation timeout",
            },
            Kind::InvalidRequest(_) => "request",
            Kind::Http(err) if err.is_timeout() => "timeout",
            Kind::Http(_) if self.is_certificate() => "certificate",
            Kind::Http(err) if err.is_connect() => "connect",
            Kind::Http(err) if err.is_body() || err.is_decode() => "body",
            Kind::Http(err) if err.is_request() => "request",
            Kind::Http(_) => "other",
        }
    }
}

impl From<reqwest::Error> for CommunicationError {
    fn from(err: reqwest::Error) -> Self {
        Self::http(err)
    }
}

impl fmt::Display for CommunicationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            Kind::Http(err) => err.fmt(f),
            Kind::Timeout { kind, limit } => {
                write!(f, "{} {}", kind.describe(), seconds(*limit))
            }
            Kind::InvalidRequest(why) => write!(f, "the request could not be built: {why}"),
        }
    }
}

impl std::error::Error for CommunicationError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            Kind::Http(err) => err.source(),
            Kind::Timeout { .. } | Kind::InvalidRequest(_) => None,
        }
    }
}

/// A duration in words: `2 s`, `1.5 s`, `250 ms`.
fn seconds(d: Duration) -> String {
    if d.subsec_millis() == 0 && d.as_secs() > 0 {
        format!("{} s", d.as_secs())
    } else if d.as_secs() == 0 {
        format!("{} ms", d.as_millis())
    } else {
        format!("{:.1} s", d.as_secs_f64())
    }
}
