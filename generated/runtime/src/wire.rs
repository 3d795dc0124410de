//! The wire log, and requests described instead of sent (dry runs).
//!
//! Every HTTP exchange of the transport (each attempt, each digest round
//! trip, each token request) is logged as `tracing` events of the target
//! [`TARGET`] (`atlas_admin_api::wire`), off unless a subscriber enables
//! it: at `DEBUG` the request line (method and URL) and the answer's status
//! and time; at `TRACE` also the headers and bodies, bodies cut at
//! [`BODY_LIMIT`] bytes. Credentials never reach the log:
//! `Authorization`, `Proxy-Authorization`, cookies and API-key headers are
//! `[REDACTED]`, so are JSON properties and form fields whose names say
//! they hold a secret (`client_secret`, `privateKey`, `password`,
//! `access_token`, ...), and the bodies of token requests and answers as
//! a whole.
//!
//! [`WireRequest`] is a request as it would be sent, credentials left out:
//! what [`crate::TransportBuilder::dry_run`] returns in
//! [`crate::Error::NotSent`], printable as text or as a `curl` command.

use std::fmt::Write as _;
use std::time::Duration;

use reqwest::header::HeaderMap;

/// The `tracing` target of the wire log.
pub const TARGET: &str = "atlas_admin_api::wire";

/// How much of a body the log shows.
pub const BODY_LIMIT: usize = 4096;

/// What stands in for a secret.
pub const REDACTED: &str = "[REDACTED]";

/// Which kind of exchange a log line is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Exchange {
    /// A request of the API (an attempt, or a digest round trip).
    Api,
    /// A request to the OAuth token endpoint (token or revocation): its
    /// bodies hold secrets and are never shown.
    Token,
}

/// Whether a header carries credentials.
pub fn is_secret_header(name: &str) -> bool {
    let name = name.to_ascii_lowercase();
    matches!(
        name.as_str(),
        "authorization" | "proxy-authorization" | "cookie" | "set-cookie" | "x-api-key"
    ) || name.contains("token")
        || name.contains("secret")
}

/// Whether a JSON property or form field name says it holds a secret.
pub fn is_secret_name(name: &str) -> bool {
    let squashed: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .map(|c| c.to_ascii_lowercase())
        .collect();
    [
        "secret",
        "password",
        "privatekey",
        "token",
        "credential",
        "apikey",
        // A GCP KMS service-account key, a PagerDuty service key, an
        // Opsgenie or VictorOps key, a routing key, a license key, a
        // webhook URL (its path is the credential).
        "serviceaccountkey",
        "servicekey",
        "routingkey",
        "licensekey",
        "webhook",
        "passphrase",
    ]
    .iter()
    .any(|word| squashed.contains(word))
}

/// A header value as the log shows it.
pub fn shown_header(name: &str, value: &str) -> String {
    if is_secret_header(name) {
        // The scheme stays: it says which credentials were used.
        match value.split_once(' ') {
            Some((scheme, _)) if name.eq_ignore_ascii_case("authorization") => {
                format!("{scheme} {REDACTED}")
            }
            _ => REDACTED.to_owned(),
        }
    } else {
        value.to_owned()
    }
}

/// A body as the log shows it: secret-named JSON properties and form fields
/// redacted, a PEM document (certificates, private keys) redacted whole, a
/// binary body as its length; cut at [`BODY_LIMIT`] bytes.
pub fn shown_body(body: &[u8]) -> String {
    if body.is_empty() {
        return String::new();
    }
    let text = match serde_json::from_slice::<serde_json::Value>(body) {
        Ok(mut value) => {
            redact_json(&mut value);
            value.to_string()
        }
        Err(_) => match std::str::from_utf8(body) {
            // Binary (a gzip log, an archive): its length, not its bytes.
            Err(_) => return format!("<{} bytes, binary>", body.len()),
            // A PEM document may hold a private key (X.509 user certificates).
            Ok(text) if text.contains("-----BEGIN") => {
                return format!("{REDACTED} (PEM, {} bytes)", body.len())
            }
            Ok(text) if looks_like_form(text) => redact_form(text),
            Ok(text) => text.to_owned(),
        },
    };
    cut(&text)
}

fn cut(text: &str) -> String {
    if text.len() <= BODY_LIMIT {
        return text.to_owned();
    }
    let mut end = BODY_LIMIT;
    while !text.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}... ({} bytes in all)", &text[..end], text.len())
}

fn redact_json(value: &mut serde_json::Value) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, item) in map.iter_mut() {
                if is_secret_name(key) && !item.is_null() {
                    *item = serde_json::Value::String(REDACTED.to_owned());
                } else {
                    redact_json(item);
                }
            }
        }
        serde_json::Value::Array(items) => items.iter_mut().for_each(redact_json),
        _ => {}
    }
}

fn looks_like_form(text: &str) -> bool {
    !text.is_empty()
        && !text.contains(char::is_whitespace)
        && text.split('&').all(|pair| pair.contains('='))
}

fn redact_form(text: &str) -> String {
    text.split('&')
        .map(|pair| match pair.split_once('=') {
            Some((name, _)) if is_secret_name(name) => format!("{name}={REDACTED}"),
            _ => pair.to_owned(),
        })
        .collect::<Vec<_>>()
        .join("&")
}

fn header_lines(prefix: &str, headers: &HeaderMap) -> String {
    let mut text = String::new();
    for (name, value) in headers {
        let value = String::from_utf8_lossy(value.as_bytes());
        let _ = write!(
            text,
            "\n{prefix} {}: {}",
            name.as_str(),
            shown_header(name.as_str(), &value)
        );
    }
    text
}

fn body_line(prefix: &str, exchange: Exchange, body: &[u8]) -> String {
    match (body.is_empty(), exchange) {
        (true, _) => String::new(),
        (false, Exchange::Token) => format!("\n{prefix} {REDACTED} ({} bytes)", body.len()),
        (false, Exchange::Api) => format!("\n{prefix} {}", shown_body(body)),
    }
}

/// Logs the line `line` makes at DEBUG, or at TRACE followed by what
/// `detail` makes (headers, body); nothing is formatted unless the wire
/// log is on.
fn log(line: impl FnOnce() -> String, detail: impl FnOnce() -> String) {
    if !tracing::enabled!(target: TARGET, tracing::Level::DEBUG) {
        return;
    }
    let line = line();
    if tracing::enabled!(target: TARGET, tracing::Level::TRACE) {
        tracing::trace!(target: TARGET, "{line}{}", detail());
    } else {
        tracing::debug!(target: TARGET, "{line}");
    }
}

/// Logs a request about to be sent.
pub(crate) fn request(exchange: Exchange, request: &reqwest::Request) {
    log(
        || format!("> {} {}", request.method(), request.url()),
        || {
            let body = request
                .body()
                .and_then(reqwest::Body::as_bytes)
                .unwrap_or_default();
            format!(
                "{}{}",
                header_lines(">", request.headers()),
                body_line(">", exchange, body)
            )
        },
    );
}

/// Logs an answer, read to its end.
pub(crate) fn response(
    exchange: Exchange,
    status: u16,
    elapsed: Duration,
    headers: &HeaderMap,
    body: &[u8],
) {
    log(
        || {
            format!(
                "< {status} in {} ms ({} bytes)",
                elapsed.as_millis(),
                body.len()
            )
        },
        || {
            format!(
                "{}{}",
                header_lines("<", headers),
                body_line("<", exchange, body)
            )
        },
    );
}

/// Logs an exchange that failed before an answer (refused, timed out).
pub(crate) fn failed(elapsed: Duration, error: &dyn std::fmt::Display) {
    tracing::debug!(
        target: TARGET,
        "< no answer after {} ms: {error}",
        elapsed.as_millis(),
    );
}

/// Logs the head of an answer whose body is not in the log: handed to the
/// caller as it arrives (a streamed download), or not read to its end
/// (it stalled, or is over the size limit); `note` says which.
pub(crate) fn response_head(
    status: u16,
    elapsed: Duration,
    headers: &HeaderMap,
    note: &dyn std::fmt::Display,
) {
    log(
        || format!("< {status} in {} ms ({note})", elapsed.as_millis()),
        || header_lines("<", headers),
    );
}

/// The credentials a request would carry, named (never their values).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Credentials {
    /// None (`--no-auth`, or an operation with `security: []`).
    None,
    /// HTTP Digest with an API key pair, answered after the server's
    /// challenge.
    Digest,
    /// A bearer token: a service account's (fetched from the token
    /// endpoint first) or a given one.
    Bearer,
}

/// A request as it would be sent, credentials left out (see the module
/// docs). [`Self::text`] and [`Self::curl`] show the body as it would be
/// sent; its `Debug` form (what an `{err:?}` of [`crate::Error::NotSent`]
/// logs) redacts it as the wire log does.
#[derive(Clone, PartialEq, Eq)]
pub struct WireRequest {
    /// The method (`POST`).
    pub method: String,
    /// The whole URL, query included.
    pub url: String,
    /// The headers, in order (no `Authorization`: see `credentials`).
    pub headers: Vec<(String, String)>,
    /// The body as sent (UTF-8 text; JSON bodies are), if any.
    pub body: Option<String>,
    /// The credentials that would be added.
    pub credentials: Credentials,
}

impl std::fmt::Debug for WireRequest {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let headers: Vec<(&str, String)> = self
            .headers
            .iter()
            .map(|(name, value)| (name.as_str(), shown_header(name, value)))
            .collect();
        f.debug_struct("WireRequest")
            .field("method", &self.method)
            .field("url", &self.url)
            .field("headers", &headers)
            .field(
                "body",
                &self.body.as_deref().map(|b| shown_body(b.as_bytes())),
            )
            .field("credentials", &self.credentials)
            .finish()
    }
}

impl WireRequest {
    pub(crate) fn new(request: &reqwest::Request, credentials: Credentials) -> Self {
        let headers = request
            .headers()
            .iter()
            .map(|(name, value)| {
                let value = String::from_utf8_lossy(value.as_bytes());
                (
                    name.as_str().to_owned(),
                    shown_header(name.as_str(), &value),
                )
            })
            .collect();
        let body = request
            .body()
            .and_then(reqwest::Body::as_bytes)
            .filter(|b| !b.is_empty())
            .map(|b| String::from_utf8_lossy(b).into_owned());
        WireRequest {
            method: request.method().to_string(),
            url: request.url().to_string(),
            headers,
            body,
            credentials,
        }
    }

    /// The request as text: the request line, the headers (credentials as
    /// `Authorization: <scheme> [REDACTED]`), an empty line and the body.
    pub fn text(&self) -> String {
        let mut text = format!("{} {}\n", self.method, self.url);
        match self.credentials {
            Credentials::None => {}
            Credentials::Digest => {
                let _ = writeln!(text, "authorization: Digest {REDACTED}");
            }
            Credentials::Bearer => {
                let _ = writeln!(text, "authorization: Bearer {REDACTED}");
            }
        }
        for (name, value) in &self.headers {
            let _ = writeln!(text, "{name}: {value}");
        }
        if let Some(body) = &self.body {
            let _ = write!(text, "\n{body}\n");
        }
        text
    }

    /// The request as a POSIX-shell `curl` command that sends it. Secrets
    /// are not in it: digest credentials come from
    /// `$MONGODB_ATLAS_PUBLIC_API_KEY` and `$MONGODB_ATLAS_PRIVATE_API_KEY`,
    /// a bearer token from `$ATLAS_ACCESS_TOKEN`.
    pub fn curl(&self) -> String {
        let mut parts = vec![
            "curl".to_owned(),
            "--silent".to_owned(),
            "--show-error".to_owned(),
            "--request".to_owned(),
            quote(&self.method),
        ];
        match self.credentials {
            Credentials::None => {}
            Credentials::Digest => {
                parts.push("--digest".to_owned());
                parts.push("--user".to_owned());
                parts.push(
                    "\"$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY\"".to_owned(),
                );
            }
            Credentials::Bearer => {
                parts.push("--header".to_owned());
                parts.push("\"Authorization: Bearer $ATLAS_ACCESS_TOKEN\"".to_owned());
            }
        }
        for (name, value) in &self.headers {
            parts.push("--header".to_owned());
            parts.push(quote(&format!("{name}: {value}")));
        }
        if let Some(body) = &self.body {
            parts.push("--data-binary".to_owned());
            parts.push(quote(body));
        }
        parts.push(quote(&self.url));
        parts.join(" ")
    }
}

/// `text` in single quotes for a POSIX shell.
fn quote(text: &str) -> String {
    format!("'{}'", text.replace('\'', r"'\''"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_redacted_and_long_bodies_cut() {
        assert_eq!(
            shown_header("Authorization", "Digest username=\"k\", response=\"abc\""),
            "Digest [REDACTED]"
        );
        assert_eq!(
            shown_header("authorization", "Bearer tok"),
            "Bearer [REDACTED]"
        );
        assert_eq!(shown_header("Set-Cookie", "a=b"), REDACTED);
        assert_eq!(
            shown_header("Accept", "application/json"),
            "application/json"
        );
        assert_eq!(
            shown_body(br#"{"name":"k","privateKey":"p-1","nested":[{"client_secret":"s"}],"access_token":null}"#),
            r#"{"access_token":null,"name":"k","nested":[{"client_secret":"[REDACTED]"}],"privateKey":"[REDACTED]"}"#
        );
        assert_eq!(
            shown_body(b"grant_type=client_credentials&client_secret=s3"),
            "grant_type=client_credentials&client_secret=[REDACTED]"
        );
        let long = "x".repeat(BODY_LIMIT + 10);
        assert!(shown_body(long.as_bytes())
            .ends_with(&format!("... ({} bytes in all)", BODY_LIMIT + 10)));
    }

    #[test]
    fn keys_pem_documents_and_binary_bodies_are_not_shown() {
        assert_eq!(
            shown_body(
                br#"{"googleCloudKms":{"serviceAccountKey":"{...}"},"serviceKey":"pd","url":"u"}"#
            ),
            r#"{"googleCloudKms":{"serviceAccountKey":"[REDACTED]"},"serviceKey":"[REDACTED]","url":"u"}"#
        );
        let pem = b"-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n-----BEGIN PRIVATE KEY-----\nMIIE\n-----END PRIVATE KEY-----\n";
        assert_eq!(
            shown_body(pem),
            format!("[REDACTED] (PEM, {} bytes)", pem.len())
        );
        assert_eq!(
            shown_body(&[0x1f, 0x8b, 0x08, 0x00, 0xff]),
            "<5 bytes, binary>"
        );
        let request = WireRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:1/users".into(),
            headers: vec![("x-api-key".into(), "k".into())],
            body: Some(r#"{"username":"u","password":"hunter2"}"#.into()),
            credentials: Credentials::Digest,
        };
        let debug = format!("{request:?}");
        assert!(
            !debug.contains("hunter2") && debug.contains("[REDACTED]"),
            "{debug}"
        );
        assert!(
            request.text().contains("hunter2"),
            "the dry run shows the body as sent"
        );
    }

    #[test]
    fn curl_quotes_for_the_shell_and_names_no_secret() {
        let request = WireRequest {
            method: "POST".into(),
            url: "http://127.0.0.1:1/a?b=c".into(),
            headers: vec![("accept".into(), "application/json".into())],
            body: Some(r#"{"a":"it's"}"#.into()),
            credentials: Credentials::Digest,
        };
        assert_eq!(
            request.curl(),
            r#"curl --silent --show-error --request 'POST' --digest --user "$MONGODB_ATLAS_PUBLIC_API_KEY:$MONGODB_ATLAS_PRIVATE_API_KEY" --header 'accept: application/json' --data-binary '{"a":"it'\''s"}' 'http://127.0.0.1:1/a?b=c'"#
        );
        assert!(request
            .text()
            .starts_with("POST http://127.0.0.1:1/a?b=c\nauthorization: Digest [REDACTED]\n"));
    }
}
