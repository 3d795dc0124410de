//! HTTP Digest authentication (RFC 7616) for Atlas programmatic API keys.
//!
//! The challenge grammar (`WWW-Authenticate`: several challenges, quoted or
//! bare parameters in any order, escapes) is parsed by the `http-auth` crate;
//! the response is computed here with RustCrypto's `md-5` and `sha2`, because
//! the client keeps one server nonce for many concurrent requests (shared
//! nonce count) and must know when a rejected request used a reused nonce.
//! [`DigestAuth`] is the [`Scheme`]: it answers the nonce in use and, on a
//! 401 with a new challenge, takes it and answers again.

use std::fmt;
use std::sync::{Mutex, PoisonError};

use futures_util::future::BoxFuture;
use md5::Md5;
use reqwest::header::{HeaderMap, HeaderValue, WWW_AUTHENTICATE};
use sha2::{Digest as _, Sha256};

use crate::auth_error::AuthError;
use crate::scheme::{authorization, Attempt, AttemptError, Exchange, Scheme};
use crate::secret::Secret;

/// Digest renewals within one attempt: a reused nonce refused, then one
/// `stale=true` on the fresh nonce.
const MAX_DIGEST_RENEWALS: u32 = 2;

/// Hash algorithms this client answers, weakest first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Algorithm {
    Md5,
    Md5Sess,
    Sha256,
    Sha256Sess,
}

impl Algorithm {
    fn parse(name: &str) -> Option<Self> {
        [
            ("MD5", Self::Md5),
            ("MD5-sess", Self::Md5Sess),
            ("SHA-256", Self::Sha256),
            ("SHA-256-sess", Self::Sha256Sess),
        ]
        .into_iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, a)| a)
    }

    fn name(self) -> &'static str {
        match self {
            Self::Md5 => "MD5",
            Self::Md5Sess => "MD5-sess",
            Self::Sha256 => "SHA-256",
            Self::Sha256Sess => "SHA-256-sess",
        }
    }

    fn session(self) -> bool {
        matches!(self, Self::Md5Sess | Self::Sha256Sess)
    }

    /// Lower-case hex of the hash of `data`.
    fn hex(self, data: &[u8]) -> String {
        match self {
            Self::Md5 | Self::Md5Sess => hex::encode(Md5::digest(data)),
            Self::Sha256 | Self::Sha256Sess => hex::encode(Sha256::digest(data)),
        }
    }
}

/// The quality of protection the client uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Qop {
    Auth,
    AuthInt,
}

/// One `Digest` challenge from a `WWW-Authenticate` header.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Challenge {
    pub(crate) realm: String,
    pub(crate) nonce: String,
    pub(crate) opaque: Option<String>,
    pub(crate) algorithm: Algorithm,
    /// `None`: the server sent no `qop` (RFC 2069 compatibility).
    pub(crate) qop: Option<Qop>,
    pub(crate) stale: bool,
    pub(crate) userhash: bool,
}

impl Challenge {
    fn from_params(params: &[(&str, http_auth::ParamValue<'_>)]) -> Result<Self, String> {
        let get = |name: &str| {
            params
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.to_unescaped())
        };
        let nonce = get("nonce").ok_or("the challenge has no nonce")?;
        let realm = get("realm").unwrap_or_default();
        let algorithm = match get("algorithm") {
            None => Algorithm::Md5,
            Some(name) => Algorithm::parse(&name)
                .ok_or_else(|| format!("algorithm {name:?} is not supported"))?,
        };
        let qop = match get("qop") {
            None => None,
            Some(list) => {
                let offered: Vec<&str> = list.split(',').map(str::trim).collect();
                let has = |q: &str| offered.iter().any(|o| o.eq_ignore_ascii_case(q));
                if has("auth") {
                    Some(Qop::Auth)
                } else if has("auth-int") {
                    Some(Qop::AuthInt)
                } else {
                    return Err(format!("qop {list:?} is not supported"));
                }
            }
        };
        let flag = |name: &str| get(name).is_some_and(|v| v.eq_ignore_ascii_case("true"));
        Ok(Self {
            realm,
            nonce,
            opaque: get("opaque"),
            algorithm,
            qop,
            stale: flag("stale"),
            userhash: flag("userhash"),
        })
    }

    /// The strongest digest challenge among all `WWW-Authenticate` headers.
    ///
    /// `Ok(None)`: the response carries no digest challenge at all.
    /// `Err`: it carries digest challenges, but none this client can answer.
    pub(crate) fn from_headers(headers: &HeaderMap) -> Result<Option<Self>, String> {
        let mut best: Option<Self> = None;
        let mut problem: Option<String> = None;
        for value in headers.get_all(WWW_AUTHENTICATE) {
            let Ok(text) = value.to_str() else {
                problem = Some("a WWW-Authenticate header is not ASCII".to_owned());
                continue;
            };
            let challenges = match http_auth::parse_challenges(text) {
                Ok(challenges) => challenges,
                Err(err) => {
                    problem = Some(format!("malformed WWW-Authenticate header: {err}"));
                    continue;
                }
            };
            for challenge in challenges {
                if !challenge.scheme.eq_ignore_ascii_case("digest") {
                    continue;
                }
                match Self::from_params(&challenge.params) {
                    Ok(parsed) => {
                        let stronger = match &best {
                            None => true,
                            Some(b) => parsed.algorithm > b.algorithm,
                        };
                        if stronger {
                            best = Some(parsed);
                        }
                    }
                    Err(why) => problem = Some(why),
                }
            }
        }
        match (best, problem) {
            (Some(best), _) => Ok(Some(best)),
            (None, Some(problem)) => Err(problem),
            (None, None) => Ok(None),
        }
    }

    /// The `Authorization` header value answering this challenge.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn respond(
        &self,
        username: &str,
        password: &str,
        nc: u32,
        cnonce: &str,
        method: &str,
        uri: &str,
        body: &[u8],
    ) -> String {
        let alg = self.algorithm;
        let mut ha1 = alg.hex(format!("{username}:{}:{password}", self.realm).as_bytes());
        if alg.session() {
            ha1 = alg.hex(format!("{ha1}:{}:{cnonce}", self.nonce).as_bytes());
        }
        let ha2 = match self.qop {
            Some(Qop::AuthInt) => alg.hex(format!("{method}:{uri}:{}", alg.hex(body)).as_bytes()),
            _ => alg.hex(format!("{method}:{uri}").as_bytes()),
        };
        let nc_hex = format!("{nc:08x}");
        let response = match self.qop {
            Some(qop) => alg.hex(
                format!(
                    "{ha1}:{}:{nc_hex}:{cnonce}:{}:{ha2}",
                    self.nonce,
                    qop_name(qop)
                )
                .as_bytes(),
            ),
            None => alg.hex(format!("{ha1}:{}:{ha2}", self.nonce).as_bytes()),
        };
        let shown_user = if self.userhash {
            alg.hex(format!("{username}:{}", self.realm).as_bytes())
        } else {
            username.to_owned()
        };
        let mut out = String::from("Digest ");
        out.push_str(&format!("username={}", quote(&shown_user)));
        out.push_str(&format!(", realm={}", quote(&self.realm)));
        out.push_str(&format!(", nonce={}", quote(&self.nonce)));
        out.push_str(&format!(", uri={}", quote(uri)));
        out.push_str(&format!(", algorithm={}", alg.name()));
        if let Some(qop) = self.qop {
            out.push_str(&format!(
                ", qop={}, nc={nc_hex}, cnonce={}",
                qop_name(qop),
                quote(cnonce)
            ));
        }
        out.push_str(&format!(", response=\"{response}\""));
        if let Some(opaque) = &self.opaque {
            out.push_str(&format!(", opaque={}", quote(opaque)));
        }
        if self.userhash {
            out.push_str(", userhash=true");
        }
        out
    }
}

fn qop_name(qop: Qop) -> &'static str {
    match qop {
        Qop::Auth => "auth",
        Qop::AuthInt => "auth-int",
    }
}

/// A quoted-string with `"` and `\` escaped.
fn quote(value: &str) -> String {
    let mut out = String::with_capacity(value.len() + 2);
    out.push('"');
    for c in value.chars() {
        if c == '"' || c == '\\' {
            out.push('\\');
        }
        out.push(c);
    }
    out.push('"');
    out
}

/// A random client nonce (16 bytes from the operating system, hex).
fn new_cnonce() -> String {
    let mut bytes = [0u8; 16];
    if getrandom::getrandom(&mut bytes).is_err() {
        // No OS randomness: fall back to a non-cryptographic generator; the
        // cnonce only needs to be unpredictable enough to vary per request.
        fastrand::fill(&mut bytes);
    }
    hex::encode(bytes)
}

/// The server nonce currently in use, shared by every request of a client.
struct Session {
    challenge: Challenge,
    /// Nonce count of the last request sent with this nonce.
    nc: u32,
}

/// Live digest state of one client: the credentials and the nonce in use.
pub(crate) struct DigestAuth {
    username: String,
    password: Secret,
    session: Mutex<Option<Session>>,
}

impl fmt::Debug for DigestAuth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Digest")
            .field("username", &self.username)
            .field("password", &self.password)
            .finish_non_exhaustive()
    }
}

impl DigestAuth {
    pub(crate) fn new(username: String, password: Secret) -> Self {
        Self {
            username,
            password,
            session: Mutex::new(None),
        }
    }

    /// Answers the nonce in use with the next nonce count, or `None` before
    /// the server has sent a challenge.
    pub(crate) fn authorization(
        &self,
        method: &str,
        uri: &str,
        body: &[u8],
    ) -> Result<Option<HeaderValue>, AuthError> {
        let mut guard = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        let Some(session) = guard.as_mut() else {
            return Ok(None);
        };
        let Some(nc) = session.nc.checked_add(1) else {
            // Nonce count exhausted: forget the nonce, get a new challenge.
            *guard = None;
            return Ok(None);
        };
        session.nc = nc;
        let challenge = session.challenge.clone();
        drop(guard);
        let text = challenge.respond(
            &self.username,
            self.password.expose(),
            nc,
            &new_cnonce(),
            method,
            uri,
            body,
        );
        let mut value = HeaderValue::from_str(&text).map_err(|_| {
            AuthError::UnsupportedChallenge(
                "the user name or challenge cannot be sent in a header".to_owned(),
            )
        })?;
        value.set_sensitive(true);
        Ok(Some(value))
    }

    /// Makes `challenge` the nonce in use (nonce count restarts at 1).
    pub(crate) fn install(&self, challenge: Challenge) {
        let mut guard = self.session.lock().unwrap_or_else(PoisonError::into_inner);
        *guard = Some(Session { challenge, nc: 0 });
    }
}

impl Scheme for DigestAuth {
    fn credentials(&self) -> crate::wire::Credentials {
        crate::wire::Credentials::Digest
    }

    /// Answers the nonce in use if there is one; on a 401 with a new
    /// challenge, takes it and answers again when that can help (no
    /// credentials were sent, a reused nonce was refused, or the server says
    /// `stale`). A 401 on a fresh nonce without `stale` means wrong
    /// credentials and goes back to the caller.
    fn authenticate<'a>(
        &'a self,
        attempt: &'a Attempt<'a>,
    ) -> BoxFuture<'a, Result<Exchange, AttemptError>> {
        Box::pin(async move {
            let method = attempt.method();
            let mut header = self
                .authorization(method, attempt.target(), attempt.body())
                .map_err(AttemptError::Auth)?;
            let mut renewals = 0;
            loop {
                let sent_credentials = header.is_some();
                let exchange = attempt
                    .send(header.map(authorization).unwrap_or_default())
                    .await?;
                if exchange.status != 401 {
                    return Ok(exchange);
                }
                let challenge = match Challenge::from_headers(&exchange.headers) {
                    Ok(Some(challenge)) => challenge,
                    // A 401 without a digest challenge is the API's own answer.
                    Ok(None) => return Ok(exchange),
                    Err(why) => {
                        return Err(AttemptError::Auth(AuthError::UnsupportedChallenge(why)))
                    }
                };
                let fresh_nonce = renewals > 0;
                let stale = challenge.stale;
                self.install(challenge);
                let try_again = !sent_credentials || !fresh_nonce || stale;
                if !try_again || renewals >= MAX_DIGEST_RENEWALS {
                    return Ok(exchange);
                }
                renewals += 1;
                tracing::debug!(stale, "answering a new digest challenge");
                header = self
                    .authorization(method, attempt.target(), attempt.body())
                    .map_err(AttemptError::Auth)?;
            }
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn headers(values: &[&str]) -> HeaderMap {
        let mut map = HeaderMap::new();
        for v in values {
            map.append(WWW_AUTHENTICATE, v.parse().expect("header"));
        }
        map
    }

    #[test]
    fn atlas_challenge_parses() {
        let ch = Challenge::from_headers(&headers(&[
            r#"Digest realm="MMS Public API", domain="", nonce="OXcP6hW/p3hzJ0CS+ga5MRnGGBEXWYnP", algorithm=MD5, qop="auth", stale=false"#,
        ]))
        .expect("parses")
        .expect("digest");
        assert_eq!(ch.realm, "MMS Public API");
        assert_eq!(ch.nonce, "OXcP6hW/p3hzJ0CS+ga5MRnGGBEXWYnP");
        assert_eq!(ch.algorithm, Algorithm::Md5);
        assert_eq!(ch.qop, Some(Qop::Auth));
        assert!(!ch.stale);
    }

    #[test]
    fn order_quoting_case_and_several_challenges() {
        let ch = Challenge::from_headers(&headers(&[
            r#"Bearer realm="x", DIGEST stale=TRUE, qop="auth-int, auth", nonce=abc, realm="r\"q", algorithm="md5""#,
            r#"Digest nonce="n2", realm="r", algorithm=SHA-256, qop=auth, opaque="op""#,
        ]))
        .expect("parses")
        .expect("digest");
        // SHA-256 wins over MD5.
        assert_eq!(ch.algorithm, Algorithm::Sha256);
        assert_eq!(ch.opaque.as_deref(), Some("op"));
        let ch = Challenge::from_headers(&headers(&[
            r#"DIGEST stale=TRUE, qop="auth-int, auth", nonce=abc, realm="r\"q", algorithm="md5""#,
        ]))
        .expect("parses")
        .expect("digest");
        assert_eq!(ch.realm, "r\"q");
        assert_eq!(ch.nonce, "abc");
        assert_eq!(ch.qop, Some(Qop::Auth));
        assert!(ch.stale);
    }

    #[test]
    fn no_digest_and_unsupported_digest_differ() {
        assert_eq!(
            Challenge::from_headers(&headers(&[r#"Bearer realm="x""#])),
            Ok(None)
        );
        assert_eq!(Challenge::from_headers(&HeaderMap::new()), Ok(None));
        let err = Challenge::from_headers(&headers(&[
            r#"Digest realm="r", nonce="n", algorithm=SHA-512-256"#,
        ]))
        .expect_err("unsupported");
        assert!(err.contains("SHA-512-256"), "{err}");
        let err =
            Challenge::from_headers(&headers(&[r#"Digest realm="r""#])).expect_err("no nonce");
        assert!(err.contains("nonce"), "{err}");
    }

    /// RFC 7616 section 3.9.1 examples (MD5 and SHA-256).
    #[test]
    fn rfc_7616_examples() {
        let mut ch = Challenge {
            realm: "http-auth@example.org".into(),
            nonce: "7ypf/xlj9XXwfDPEoM4URrv/xwf94BcCAzFZH4GiTo0v".into(),
            opaque: Some("FQhe/qaU925kfnzjCev0ciny7QMkPqMAFRtzCUYo5tdS".into()),
            algorithm: Algorithm::Md5,
            qop: Some(Qop::Auth),
            stale: false,
            userhash: false,
        };
        let cnonce = "f2/wE4q74E6zIJEtWaHKaf5wv/H5QzzpXusqGemxURZJ";
        let header = ch.respond(
            "Mufasa",
            "Circle of Life",
            1,
            cnonce,
            "GET",
            "/dir/index.html",
            b"",
        );
        assert!(
            header.contains(r#"response="8ca523f5e9506fed4657c9700eebdbec""#),
            "{header}"
        );
        assert!(header.contains("nc=00000001"), "{header}");
        ch.algorithm = Algorithm::Sha256;
        let header = ch.respond(
            "Mufasa",
            "Circle of Life",
            1,
            cnonce,
            "GET",
            "/dir/index.html",
            b"",
        );
        assert!(
            header.contains(
                r#"response="753927fa0e85d155564e2e272a28d1802ca10daf4496794697cf8db5856cb6c1""#
            ),
            "{header}"
        );
        assert!(header.contains("algorithm=SHA-256"), "{header}");
    }

    /// RFC 2617 section 3.5 example: no `-sess`, qop auth, MD5.
    #[test]
    fn rfc_2617_example() {
        let ch = Challenge {
            realm: "testrealm@host.com".into(),
            nonce: "dcd98b7102dd2f0e8b11d0f600bfb0c093".into(),
            opaque: Some("5ccc069c403ebaf9f0171e9517f40e41".into()),
            algorithm: Algorithm::Md5,
            qop: Some(Qop::Auth),
            stale: false,
            userhash: false,
        };
        let header = ch.respond(
            "Mufasa",
            "Circle Of Life",
            1,
            "0a4f113b",
            "GET",
            "/dir/index.html",
            b"",
        );
        assert!(
            header.contains(r#"response="6629fae49393a05397450978507c4ef1""#),
            "{header}"
        );
    }

    #[test]
    fn nonce_counts_increase_and_reset_on_a_new_challenge() {
        let auth = DigestAuth::new("u".into(), Secret::new("p"));
        assert!(auth.authorization("GET", "/", b"").expect("ok").is_none());
        let ch = Challenge::from_headers(&headers(&[r#"Digest realm="r", nonce="n", qop=auth"#]))
            .expect("parses")
            .expect("digest");
        auth.install(ch.clone());
        let first = auth
            .authorization("GET", "/", b"")
            .expect("ok")
            .expect("some");
        let second = auth
            .authorization("GET", "/", b"")
            .expect("ok")
            .expect("some");
        let text = |v: &HeaderValue| v.to_str().expect("ascii").to_owned();
        assert!(text(&first).contains("nc=00000001"));
        assert!(text(&second).contains("nc=00000002"));
        assert!(first.is_sensitive());
        auth.install(ch);
        let third = auth
            .authorization("GET", "/", b"")
            .expect("ok")
            .expect("some");
        assert!(text(&third).contains("nc=00000001"));
        assert!(!format!("{auth:?}").contains("\"p\""));
    }
}
