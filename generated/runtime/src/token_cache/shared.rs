//! How a client uses its [`TokenCache`]: under the key's lock, a token
//! another client or process left is taken if it lives long enough, a new
//! one is stored, a refused one is dropped. Cache failures are `tracing`
//! notes, never request failures.

use std::sync::Arc;
use std::time::{Duration, SystemTime};

use super::store::{CachedToken, TokenCache, TokenCacheLock, TokenKey};

/// How long a client waits for another holder of the key's lock (a process
/// minting the token) before it goes ahead without the lock.
const LOCK_WAIT: Duration = Duration::from_secs(15);
/// How often the lock is tried while another holder has it.
const LOCK_POLL: Duration = Duration::from_millis(20);

/// A cache and the key of one client's tokens.
#[derive(Debug, Clone)]
pub(crate) struct SharedCache {
    cache: Arc<dyn TokenCache>,
    key: TokenKey,
}

impl SharedCache {
    pub(crate) fn new(cache: Arc<dyn TokenCache>, key: TokenKey) -> Self {
        Self { cache, key }
    }

    /// The key's lock, waited for up to [`LOCK_WAIT`]; without it (a cache
    /// error, or a holder that never lets go) the client goes ahead, at
    /// worst minting a token another process also mints.
    pub(crate) async fn lock(&self) -> TokenCacheLock {
        let started = tokio::time::Instant::now();
        loop {
            match self.cache.try_lock(&self.key) {
                Ok(Some(lock)) => return lock,
                Ok(None) if started.elapsed() < LOCK_WAIT => {
                    tokio::time::sleep(LOCK_POLL).await;
                }
                Ok(None) => {
                    tracing::warn!(
                        waited_ms =
                            u64::try_from(started.elapsed().as_millis()).unwrap_or(u64::MAX),
                        "the token cache stayed locked; requesting a token without it"
                    );
                    return TokenCacheLock::none();
                }
                Err(err) => {
                    tracing::warn!(error = %err, "cannot lock the token cache; requesting a token without it");
                    return TokenCacheLock::none();
                }
            }
        }
    }

    /// The cached token if it is still valid for longer than `margin`
    /// (the renewal margin): an expired or nearly expired one is left
    /// alone, with a note.
    pub(crate) fn load(&self, margin: Duration) -> Option<(CachedToken, Duration)> {
        let token = match self.cache.load(&self.key) {
            Ok(Some(token)) => token,
            Ok(None) => return None,
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the token cache; requesting a new token");
                return None;
            }
        };
        match token.remaining(SystemTime::now()) {
            Some(left) if left > margin => {
                tracing::debug!(
                    expires_in = left.as_secs(),
                    "using the access token from the token cache"
                );
                Some((token, left))
            }
            _ => {
                tracing::debug!("the cached access token expired or is about to; ignoring it");
                None
            }
        }
    }

    /// Keeps `access_token`, valid for `lifetime` from now.
    pub(crate) fn store(&self, access_token: &str, lifetime: Duration) {
        let token = CachedToken::new(access_token, SystemTime::now() + lifetime);
        if let Err(err) = self.cache.store(&self.key, &token) {
            tracing::warn!(error = %err, "cannot write the token cache; the token is not kept for other processes");
        }
    }

    /// Drops the cached token if it is `refused` (a token another process
    /// stored since is kept).
    pub(crate) fn discard(&self, refused: &str) {
        match self.cache.load(&self.key) {
            Ok(Some(cached)) if cached.access_token() == refused => {
                if let Err(err) = self.cache.remove(&self.key) {
                    tracing::warn!(error = %err, "cannot remove the refused token from the token cache");
                } else {
                    tracing::debug!("removed the refused access token from the token cache");
                }
            }
            Ok(_) => {}
            Err(err) => {
                tracing::warn!(error = %err, "cannot read the token cache");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::FileTokenCache;

    fn shared(dir: &std::path::Path) -> SharedCache {
        SharedCache::new(
            Arc::new(FileTokenCache::new(dir)),
            TokenKey::new("http://127.0.0.1:9/api/oauth/token", "id"),
        )
    }

    #[tokio::test]
    async fn tokens_are_taken_only_while_they_outlive_the_margin() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = shared(dir.path());
        assert!(cache.load(Duration::ZERO).is_none());
        cache.store("t1", Duration::from_secs(600));
        let (token, left) = cache.load(Duration::from_secs(60)).expect("fresh");
        assert_eq!(token.access_token(), "t1");
        assert!(left > Duration::from_secs(590));
        assert!(cache.load(Duration::from_secs(900)).is_none());
        cache.store("t2", Duration::ZERO);
        assert!(cache.load(Duration::ZERO).is_none());
    }

    #[tokio::test]
    async fn only_the_refused_token_is_discarded() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = shared(dir.path());
        cache.store("t1", Duration::from_secs(600));
        cache.discard("t0");
        assert!(cache.load(Duration::ZERO).is_some());
        cache.discard("t1");
        assert!(cache.load(Duration::ZERO).is_none());
    }

    #[tokio::test(start_paused = true)]
    async fn a_lock_that_is_never_released_is_given_up_on() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = shared(dir.path());
        let held = cache.lock().await;
        let started = tokio::time::Instant::now();
        let second = cache.lock().await;
        assert!(started.elapsed() >= LOCK_WAIT);
        assert_eq!(format!("{second:?}"), "TokenCacheLock(none)");
        drop(held);
        assert_eq!(format!("{:?}", cache.lock().await), "TokenCacheLock(held)");
    }
}
