//! The [`TokenCache`] contract, the entry it keeps ([`CachedToken`], under a
//! [`TokenKey`]), its lock and its error: what a store of tokens implements
//! (`file.rs`, `shared.rs` build on it).

use std::fmt;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use sha2::{Digest as _, Sha256};

use crate::secret::Secret;

/// What a cached token is filed under: the token endpoint and the client
/// it was issued to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct TokenKey {
    token_url: String,
    client_id: String,
}

impl TokenKey {
    /// The key of tokens that `token_url` issues to `client_id`.
    pub fn new(token_url: impl Into<String>, client_id: impl Into<String>) -> Self {
        Self {
            token_url: token_url.into(),
            client_id: client_id.into(),
        }
    }

    /// The token endpoint (`https://cloud.mongodb.com/api/oauth/token`).
    pub fn token_url(&self) -> &str {
        &self.token_url
    }

    /// The service account's client id.
    pub fn client_id(&self) -> &str {
        &self.client_id
    }

    /// A name for the key made of 32 lowercase hex digits (a SHA-256 prefix
    /// of the URL and the client id), usable as a file name or keyring
    /// entry on every platform.
    pub fn digest(&self) -> String {
        let mut hash = Sha256::new();
        hash.update(self.token_url.as_bytes());
        hash.update([0]);
        hash.update(self.client_id.as_bytes());
        hash.finalize()[..16]
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }
}

/// An access token and when it expires, as a [`TokenCache`] keeps it.
/// `Debug` never shows the token.
#[derive(Clone)]
pub struct CachedToken {
    access_token: Secret,
    expires_at: SystemTime,
}

impl CachedToken {
    /// A token valid until `expires_at`.
    pub fn new(access_token: impl Into<String>, expires_at: SystemTime) -> Self {
        Self {
            access_token: Secret::new(access_token),
            expires_at,
        }
    }

    /// The bearer token itself.
    pub fn access_token(&self) -> &str {
        self.access_token.expose()
    }

    /// When the token endpoint said it stops being valid.
    pub fn expires_at(&self) -> SystemTime {
        self.expires_at
    }

    /// How long the token stays valid after `now` (`None` once expired).
    pub fn remaining(&self, now: SystemTime) -> Option<Duration> {
        self.expires_at
            .duration_since(now)
            .ok()
            .filter(|d| !d.is_zero())
    }

    /// The stored form of the entry under `key`: one JSON object with the
    /// key, the token and its expiry in seconds since the Unix epoch. Every
    /// cache stores this, so that [`CachedToken::decode`] is the one check
    /// of what it reads back.
    pub fn encode(&self, key: &TokenKey) -> String {
        let expires_at = self
            .expires_at
            .duration_since(UNIX_EPOCH)
            .map_or(0, |d| d.as_secs());
        serde_json::json!({
            "token_url": key.token_url,
            "client_id": key.client_id,
            "access_token": self.access_token.expose(),
            "expires_at": expires_at,
        })
        .to_string()
    }

    /// Reads what [`CachedToken::encode`] wrote for `key`. The error says
    /// why the text is unusable (not that form, another key, an empty
    /// token) and never quotes it.
    pub fn decode(key: &TokenKey, text: &str) -> Result<Self, String> {
        #[derive(serde::Deserialize)]
        struct Stored {
            token_url: String,
            client_id: String,
            access_token: String,
            expires_at: u64,
        }
        let stored: Stored = serde_json::from_str(text).map_err(|err| {
            format!(
                "not a cached token (line {}, column {})",
                err.line(),
                err.column()
            )
        })?;
        if stored.token_url != key.token_url || stored.client_id != key.client_id {
            return Err("the entry belongs to another token endpoint or client".into());
        }
        if stored.access_token.is_empty() {
            return Err("the access token is empty".into());
        }
        Ok(Self::new(
            stored.access_token,
            UNIX_EPOCH + Duration::from_secs(stored.expires_at),
        ))
    }
}

impl fmt::Debug for CachedToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CachedToken")
            .field("access_token", &"<redacted>")
            .field("expires_at", &self.expires_at)
            .finish()
    }
}

/// Why a [`TokenCache`] could not load, store or remove an entry. The
/// client carries on without the cache (and says so through `tracing`).
#[derive(Debug)]
pub struct TokenCacheError(Box<dyn std::error::Error + Send + Sync>);

impl TokenCacheError {
    /// An error with its cause (an I/O error, a keyring's error, a message).
    pub fn new(cause: impl Into<Box<dyn std::error::Error + Send + Sync>>) -> Self {
        Self(cause.into())
    }
}

impl From<std::io::Error> for TokenCacheError {
    fn from(err: std::io::Error) -> Self {
        Self::new(err)
    }
}

impl fmt::Display for TokenCacheError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        self.0.fmt(f)
    }
}

impl std::error::Error for TokenCacheError {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&*self.0)
    }
}

/// Held while one process mints the token of a key, so that processes
/// starting together wait for that token instead of each minting their
/// own. Dropping it releases the lock.
pub struct TokenCacheLock(#[allow(dead_code)] Option<Box<dyn Send + Sync>>);

impl TokenCacheLock {
    /// A lock that holds `guard` (a locked file, say) until it is dropped.
    pub fn holding(guard: impl Send + Sync + 'static) -> Self {
        Self(Some(Box::new(guard)))
    }

    /// A lock that excludes nothing, for caches without one.
    pub fn none() -> Self {
        Self(None)
    }
}

impl fmt::Debug for TokenCacheLock {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(if self.0.is_some() {
            "TokenCacheLock(held)"
        } else {
            "TokenCacheLock(none)"
        })
    }
}

/// Where a service account keeps its access token between clients and
/// processes (see `ServiceAccount::token_cache`). The client loads the
/// entry of its [`TokenKey`] before it asks the token endpoint, stores the
/// token it gets, and removes an entry the API refused.
///
/// The calls are short and blocking (a file, a keyring entry). Entries
/// that are expired, malformed or for another key are the client's to
/// ignore: a cache hands back what it holds ([`CachedToken::decode`] gives
/// every implementation the same check). Errors never fail a request: the
/// client logs them and asks the token endpoint.
pub trait TokenCache: fmt::Debug + Send + Sync + 'static {
    /// The entry of `key`, `Ok(None)` when there is none (or it is
    /// unreadable: say why through `tracing` and return `Ok(None)`).
    fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenCacheError>;

    /// Replaces the entry of `key`. A reader must never see half an entry.
    fn store(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenCacheError>;

    /// Removes the entry of `key` (nothing when there is none).
    fn remove(&self, key: &TokenKey) -> Result<(), TokenCacheError>;

    /// Takes the lock of `key` without waiting: `Ok(None)` when another
    /// holder has it (the client tries again shortly, and after a while
    /// goes ahead without it). The default excludes nothing.
    fn try_lock(&self, key: &TokenKey) -> Result<Option<TokenCacheLock>, TokenCacheError> {
        let _ = key;
        Ok(Some(TokenCacheLock::none()))
    }
}

/// A shared cache (`Arc<dyn TokenCache>`, say) is a cache.
impl<T: TokenCache + ?Sized> TokenCache for std::sync::Arc<T> {
    fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenCacheError> {
        (**self).load(key)
    }

    fn store(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenCacheError> {
        (**self).store(key, token)
    }

    fn remove(&self, key: &TokenKey) -> Result<(), TokenCacheError> {
        (**self).remove(key)
    }

    fn try_lock(&self, key: &TokenKey) -> Result<Option<TokenCacheLock>, TokenCacheError> {
        (**self).try_lock(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> TokenKey {
        TokenKey::new("http://127.0.0.1:9/api/oauth/token", "mdb_sa_id_1")
    }

    #[test]
    fn entries_round_trip_and_are_checked() {
        let at = UNIX_EPOCH + Duration::from_secs(1_764_766_800);
        let token = CachedToken::new("tok-1", at);
        let text = token.encode(&key());
        let back = CachedToken::decode(&key(), &text).expect("decodes");
        assert_eq!(back.access_token(), "tok-1");
        assert_eq!(back.expires_at(), at);
        let other = TokenKey::new(key().token_url(), "mdb_sa_id_2");
        assert!(CachedToken::decode(&other, &text)
            .expect_err("other client")
            .contains("another"));
        let err = CachedToken::decode(&key(), &text[..text.len() / 2]).expect_err("half");
        assert!(err.starts_with("not a cached token"), "{err}");
        assert!(!err.contains("tok-1"), "{err}");
        let empty = CachedToken::new("", at).encode(&key());
        assert!(CachedToken::decode(&key(), &empty).is_err());
    }

    #[test]
    fn keys_have_distinct_file_safe_digests() {
        let a = key().digest();
        assert_eq!(a.len(), 32);
        assert!(a
            .bytes()
            .all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()));
        assert_ne!(a, TokenKey::new(key().token_url(), "mdb_sa_id_2").digest());
        // The separator keeps ("ab", "c") and ("a", "bc") apart.
        assert_ne!(
            TokenKey::new("ab", "c").digest(),
            TokenKey::new("a", "bc").digest()
        );
    }

    #[test]
    fn remaining_life_and_debug() {
        let now = UNIX_EPOCH + Duration::from_secs(1000);
        let token = CachedToken::new("s3cr3t", now + Duration::from_secs(30));
        assert_eq!(token.remaining(now), Some(Duration::from_secs(30)));
        assert_eq!(token.remaining(now + Duration::from_secs(30)), None);
        assert_eq!(token.remaining(now + Duration::from_secs(31)), None);
        assert!(!format!("{token:?}").contains("s3cr3t"));
    }
}
