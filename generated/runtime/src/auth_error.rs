//! Why authentication failed before the API could answer ([`AuthError`]):
//! error vocabulary, below the schemes that return it and the transport and
//! [`crate::Error`] that carry it.

use std::fmt;
use std::time::Duration;

/// Why authentication failed before the API could answer. Never contains a
/// private key, client secret or token.
#[derive(Debug)]
#[non_exhaustive]
pub enum AuthError {
    /// The token endpoint could not be reached or did not answer in time.
    TokenRequest(reqwest::Error),
    /// The token endpoint refused to issue (or revoke) a token.
    TokenRejected {
        /// HTTP status of the token endpoint's answer.
        status: u16,
        /// The OAuth `error` and `error_description`, or the start of the body.
        detail: String,
    },
    /// The token endpoint answered 2xx with something that is not a usable
    /// bearer token.
    InvalidTokenResponse(String),
    /// The token endpoint kept answering `429 Too Many Requests` (Atlas
    /// issues a client at most 10 tokens a minute) for longer than the
    /// client waits.
    RateLimited {
        /// The server's `errorCode` and `detail` (`RATE_LIMITED: Resource
        /// /api/oauth/token is limited to 10 requests every 1 minutes.`).
        detail: String,
        /// The last wait the server asked for, when it said.
        retry_after: Option<Duration>,
        /// The longest the client waits for the limit
        /// ([`crate::RetryPolicy::max_retry_after`]), or what was left of
        /// the call's operation deadline when that was shorter.
        allowance: Duration,
        /// Whether the call's operation deadline
        /// ([`crate::TransportBuilder::operation_timeout`], or per call),
        /// not the retry policy, set `allowance`.
        by_deadline: bool,
    },
    /// The refresh token of an `atlas auth login` session was refused
    /// (expired or revoked): only logging in again helps.
    LoginExpired {
        /// The server's error code and detail.
        detail: String,
    },
    /// The server's digest challenge is malformed or asks for something this
    /// client does not implement (an algorithm other than MD5 and SHA-256, or
    /// a qop other than `auth` and `auth-int`).
    UnsupportedChallenge(String),
}

impl fmt::Display for AuthError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AuthError::TokenRequest(err) => {
                write!(f, "requesting a service-account token failed: {err}")
            }
            AuthError::TokenRejected { status, detail } => {
                write!(f, "the token endpoint answered HTTP {status}: {detail}")
            }
            AuthError::InvalidTokenResponse(why) => {
                write!(f, "the token endpoint's answer is unusable: {why}")
            }
            AuthError::RateLimited {
                detail,
                retry_after,
                allowance,
                by_deadline,
            } => {
                write!(f, "the token endpoint's rate limit was reached (HTTP 429: {detail})")?;
                let limit = if *by_deadline {
                    format!(
                        "the {:.1} s left of the call's operation deadline",
                        allowance.as_secs_f64()
                    )
                } else {
                    format!("the {} s this client waits for it", allowance.as_secs())
                };
                match retry_after {
                    Some(wait) => write!(
                        f,
                        "; it asks to wait {} s more, past {limit}",
                        wait.as_secs()
                    )?,
                    None if *by_deadline => write!(f, "; still limited, and another wait would pass {limit}")?,
                    None => write!(f, "; still limited after {} s", allowance.as_secs())?,
                }
                f.write_str(". Reuse tokens across processes (a token cache) or make fewer token requests")
            }
            AuthError::LoginExpired { detail } => write!(
                f,
                "the login's session expired: its refresh token was refused ({detail}): run `atlas auth login` to log in again"
            ),
            AuthError::UnsupportedChallenge(why) => {
                write!(f, "cannot answer the server's digest challenge: {why}")
            }
        }
    }
}

impl std::error::Error for AuthError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            AuthError::TokenRequest(err) => Some(err),
            _ => None,
        }
    }
}
