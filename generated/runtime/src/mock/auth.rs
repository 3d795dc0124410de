//! The credentials a mock can require: an API key over HTTP Digest (RFC
//! 7616, MD5 with `qop=auth`, as Atlas challenges), or a service account
//! (its tokens from the mock's own `/api/oauth/token`).

use std::sync::{Mutex, PoisonError};

use base64::Engine as _;
use md5::{Digest as _, Md5};
use reqwest::header::AUTHORIZATION;

use super::incoming::Incoming;
use super::reply::{Reply, ReplyBody};

/// The realm Atlas's digest challenges name.
const REALM: &str = "MMS Public API";

/// What the mock requires of every API request.
#[derive(Debug, Default)]
pub(crate) enum AuthCheck {
    /// Nothing.
    #[default]
    None,
    /// HTTP Digest with this key pair.
    Digest {
        public_key: String,
        private_key: String,
        nonce: String,
    },
    /// A bearer token the mock issued to this service account.
    ServiceAccount {
        client_id: String,
        client_secret: String,
        issued: Mutex<Vec<String>>,
    },
}

fn hex_md5(data: &str) -> String {
    Md5::digest(data.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn unauthorized(detail: &str) -> Reply {
    Reply::mock_error(401, "UNAUTHORIZED", detail)
}

impl AuthCheck {
    pub(crate) fn digest(public_key: String, private_key: String) -> Self {
        Self::Digest {
            public_key,
            private_key,
            nonce: format!("mock{:016x}", fastrand::u64(..)),
        }
    }

    pub(crate) fn service_account(client_id: String, client_secret: String) -> Self {
        Self::ServiceAccount {
            client_id,
            client_secret,
            issued: Mutex::new(Vec::new()),
        }
    }

    /// The auth the client of this mock needs.
    pub(crate) fn client_auth(&self) -> crate::Auth {
        match self {
            Self::None => crate::Auth::none(),
            Self::Digest {
                public_key,
                private_key,
                ..
            } => crate::Auth::digest(public_key.clone(), private_key.clone()),
            Self::ServiceAccount {
                client_id,
                client_secret,
                ..
            } => crate::Auth::service_account(client_id.clone(), client_secret.clone()),
        }
    }

    /// The credential variables of a process that talks to this mock
    /// (`atlas-api`, or a program using `Auth::from_env`): the ones it
    /// requires, else a placeholder API key (this mock checks none, and the
    /// command line refuses to run without credentials).
    pub(crate) fn env(&self) -> [(&'static str, String); 2] {
        use crate::credentials::{
            ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_PRIVATE_API_KEY, ENV_PUBLIC_API_KEY,
        };
        match self {
            Self::None => [
                (ENV_PUBLIC_API_KEY, "mock-public-key".to_owned()),
                (ENV_PRIVATE_API_KEY, "mock-private-key".to_owned()),
            ],
            Self::Digest {
                public_key,
                private_key,
                ..
            } => [
                (ENV_PUBLIC_API_KEY, public_key.clone()),
                (ENV_PRIVATE_API_KEY, private_key.clone()),
            ],
            Self::ServiceAccount {
                client_id,
                client_secret,
                ..
            } => [
                (ENV_CLIENT_ID, client_id.clone()),
                (ENV_CLIENT_SECRET, client_secret.clone()),
            ],
        }
    }

    /// The answer to a request of the OAuth endpoints, when this is one.
    pub(crate) fn oauth(&self, request: &Incoming) -> Option<Reply> {
        let Self::ServiceAccount {
            client_id,
            client_secret,
            issued,
        } = self
        else {
            return None;
        };
        let issued = || issued.lock().unwrap_or_else(PoisonError::into_inner);
        match request.path.as_str() {
            "/api/oauth/token" => {
                let encode = |s: &str| {
                    url::form_urlencoded::byte_serialize(s.as_bytes()).collect::<String>()
                };
                let want = format!(
                    "Basic {}",
                    base64::engine::general_purpose::STANDARD.encode(format!(
                        "{}:{}",
                        encode(client_id),
                        encode(client_secret)
                    ))
                );
                let basic = request
                    .headers
                    .get(AUTHORIZATION)
                    .and_then(|v| v.to_str().ok());
                let grant = url::form_urlencoded::parse(&request.body)
                    .any(|(k, v)| k == "grant_type" && v == "client_credentials");
                if basic != Some(want.as_str()) || !grant {
                    return Some(Reply::new(
                        401,
                        ReplyBody::Raw(
                            "application/json".to_owned(),
                            bytes::Bytes::from_static(
                                br#"{"error":"invalid_client","error_description":"mock Atlas: wrong client credentials or grant type"}"#,
                            ),
                        ),
                    ));
                }
                let token = format!("mock-token-{:016x}", fastrand::u64(..));
                issued().push(token.clone());
                let body = serde_json::json!({
                    "access_token": token,
                    "expires_in": 3600,
                    "token_type": "Bearer",
                });
                Some(Reply::new(
                    200,
                    ReplyBody::Raw("application/json".to_owned(), body.to_string().into()),
                ))
            }
            "/api/oauth/revoke" => {
                let revoked: Vec<String> = url::form_urlencoded::parse(&request.body)
                    .filter(|(k, _)| k == "token")
                    .map(|(_, v)| v.into_owned())
                    .collect();
                issued().retain(|t| !revoked.contains(t));
                Some(Reply::new(200, ReplyBody::Empty))
            }
            _ => None,
        }
    }

    /// Forgets every token issued: the next API request with one is
    /// answered `401` with `Bearer error="invalid_token"`, as Atlas answers
    /// an expired token.
    pub(crate) fn expire_tokens(&self) {
        if let Self::ServiceAccount { issued, .. } = self {
            issued
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clear();
        }
    }

    /// `Ok` when `request` carries the credentials required, else the 401.
    pub(crate) fn verify(&self, request: &Incoming) -> Result<(), Reply> {
        let header = request
            .headers
            .get(AUTHORIZATION)
            .and_then(|v| v.to_str().ok());
        match self {
            Self::None => Ok(()),
            Self::ServiceAccount { issued, .. } => {
                let token = header.and_then(|h| h.strip_prefix("Bearer "));
                let known = token.is_some_and(|t| {
                    issued
                        .lock()
                        .unwrap_or_else(PoisonError::into_inner)
                        .iter()
                        .any(|i| i == t)
                });
                if known {
                    return Ok(());
                }
                let mut reply = unauthorized(match token {
                    Some(_) => "mock Atlas: the access token is not valid (expired or revoked)",
                    None => "mock Atlas: this mock requires a service-account bearer token",
                });
                reply.headers.push((
                    "WWW-Authenticate".to_owned(),
                    r#"Bearer error="invalid_token""#.to_owned(),
                ));
                Err(reply)
            }
            Self::Digest {
                public_key,
                private_key,
                nonce,
            } => {
                let challenge = || {
                    let mut reply = unauthorized("mock Atlas: this mock requires HTTP Digest");
                    reply.headers.push((
                        "WWW-Authenticate".to_owned(),
                        format!(
                            r#"Digest realm="{REALM}", domain="", nonce="{nonce}", algorithm=MD5, qop="auth", stale=false"#
                        ),
                    ));
                    reply
                };
                let Some(params) =
                    header.filter(|h| h.len() > 7 && h[..7].eq_ignore_ascii_case("digest "))
                else {
                    return Err(challenge());
                };
                let Ok(parsed) = http_auth::parse_challenges(params) else {
                    return Err(challenge());
                };
                let Some(credentials) = parsed.first() else {
                    return Err(challenge());
                };
                let get = |name: &str| {
                    credentials
                        .params
                        .iter()
                        .find(|(k, _)| k.eq_ignore_ascii_case(name))
                        .map(|(_, v)| v.to_unescaped())
                };
                let (Some(user), Some(got_nonce), Some(uri), Some(response)) =
                    (get("username"), get("nonce"), get("uri"), get("response"))
                else {
                    return Err(challenge());
                };
                let ha1 = hex_md5(&format!("{user}:{REALM}:{private_key}"));
                let ha2 = hex_md5(&format!("{}:{uri}", request.method));
                let expected = match (get("qop"), get("nc"), get("cnonce")) {
                    (Some(qop), Some(nc), Some(cnonce)) => {
                        hex_md5(&format!("{ha1}:{got_nonce}:{nc}:{cnonce}:{qop}:{ha2}"))
                    }
                    _ => hex_md5(&format!("{ha1}:{got_nonce}:{ha2}")),
                };
                if user == *public_key && got_nonce == *nonce && response == expected {
                    Ok(())
                } else {
                    Err(challenge())
                }
            }
        }
    }
}
