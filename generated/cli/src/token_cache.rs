//! Where `atlas-api` keeps service-account tokens between runs, so that a
//! script of many runs stays under Atlas's limit of 10 token requests a
//! minute: the OS keyring where one answers, else files in the user's
//! cache directory ([`FileTokenCache::in_user_cache_dir`]); none with
//! `--no-token-cache`.

use std::sync::Arc;

use atlas_admin_runtime::{
    CachedToken, FileTokenCache, TokenCache, TokenCacheError, TokenCacheLock, TokenKey,
};

use crate::profile::SecretStore;

/// The keyring service of the cached tokens; each entry is named by its
/// key's [`TokenKey::digest`].
pub const KEYRING_TOKEN_SERVICE: &str = "atlas-admin-api-tokens";

/// A [`TokenCache`] in a keyring ([`SecretStore`]), one entry per key in
/// the stored form of [`CachedToken::encode`]. Keyrings have no locks:
/// the lock files of a [`FileTokenCache`] make processes that start
/// together wait for one token.
pub struct KeyringTokenCache {
    secrets: Arc<dyn SecretStore>,
    locks: Option<FileTokenCache>,
}

impl std::fmt::Debug for KeyringTokenCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("KeyringTokenCache")
            .field("service", &KEYRING_TOKEN_SERVICE)
            .field("locks", &self.locks.as_ref().map(FileTokenCache::dir))
            .finish()
    }
}

impl KeyringTokenCache {
    /// Entries in `secrets`, locked through the lock files of `locks`.
    pub fn new(secrets: Arc<dyn SecretStore>, locks: Option<FileTokenCache>) -> Self {
        Self { secrets, locks }
    }

    /// Whether the keyring answers at all (an absent entry is an answer).
    pub fn is_available(&self) -> bool {
        match self.secrets.get(KEYRING_TOKEN_SERVICE, "probe") {
            Ok(_) => true,
            Err(why) => {
                tracing::debug!(why, "no keyring for the token cache; using files");
                false
            }
        }
    }
}

impl TokenCache for KeyringTokenCache {
    fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenCacheError> {
        let Some(text) = self
            .secrets
            .get(KEYRING_TOKEN_SERVICE, &key.digest())
            .map_err(TokenCacheError::new)?
        else {
            return Ok(None);
        };
        match CachedToken::decode(key, &text) {
            Ok(token) => Ok(Some(token)),
            Err(why) => {
                tracing::warn!(why, "ignoring an unusable cached token in the keyring");
                Ok(None)
            }
        }
    }

    fn store(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenCacheError> {
        self.secrets
            .set(KEYRING_TOKEN_SERVICE, &key.digest(), &token.encode(key))
            .map_err(TokenCacheError::new)
    }

    fn remove(&self, key: &TokenKey) -> Result<(), TokenCacheError> {
        self.secrets
            .delete(KEYRING_TOKEN_SERVICE, &key.digest())
            .map_err(TokenCacheError::new)
    }

    fn try_lock(&self, key: &TokenKey) -> Result<Option<TokenCacheLock>, TokenCacheError> {
        match &self.locks {
            Some(files) => files.try_lock(key),
            None => Ok(Some(TokenCacheLock::none())),
        }
    }
}

/// The token cache of `atlas-api`: `None` when `enabled` is false;
/// otherwise the keyring `secrets` if it answers, else files in the user's
/// cache directory (`None` when there is none).
pub fn token_cache(enabled: bool, secrets: Arc<dyn SecretStore>) -> Option<Arc<dyn TokenCache>> {
    if !enabled {
        return None;
    }
    let files = FileTokenCache::in_user_cache_dir();
    let keyring = KeyringTokenCache::new(secrets, files.clone());
    if keyring.is_available() {
        return Some(Arc::new(keyring));
    }
    files.map(|f| Arc::new(f) as Arc<dyn TokenCache>)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::MemoryKeyring;
    use std::time::{Duration, SystemTime};

    struct Broken;

    impl SecretStore for Broken {
        fn get(&self, _: &str, _: &str) -> Result<Option<String>, String> {
            Err("no D-Bus session".to_owned())
        }
    }

    #[test]
    fn keyring_entries_are_stored_loaded_and_removed() {
        let ring = Arc::new(MemoryKeyring::default());
        let dir = tempfile::tempdir().expect("dir");
        let cache = KeyringTokenCache::new(ring.clone(), Some(FileTokenCache::new(dir.path())));
        assert!(cache.is_available());
        let key = TokenKey::new("http://127.0.0.1:9/api/oauth/token", "id");
        let token = CachedToken::new("t1", SystemTime::now() + Duration::from_secs(60));
        cache.store(&key, &token).expect("store");
        assert_eq!(
            cache
                .load(&key)
                .expect("load")
                .map(|t| t.access_token().to_owned()),
            Some("t1".to_owned())
        );
        // Nothing but the token and its key is stored.
        let stored = ring
            .get(KEYRING_TOKEN_SERVICE, &key.digest())
            .expect("get")
            .expect("entry");
        assert!(!stored.contains("secret"));
        ring.set(KEYRING_TOKEN_SERVICE, &key.digest(), "{")
            .expect("set");
        assert!(cache.load(&key).expect("load").is_none());
        cache.remove(&key).expect("remove");
        assert!(ring
            .get(KEYRING_TOKEN_SERVICE, &key.digest())
            .expect("get")
            .is_none());
        // The lock is the file cache's.
        let held = cache.try_lock(&key).expect("lock").expect("free");
        assert!(FileTokenCache::new(dir.path())
            .try_lock(&key)
            .expect("lock")
            .is_none());
        drop(held);
    }

    #[test]
    fn without_a_keyring_files_are_used_and_the_flag_turns_it_off() {
        assert!(token_cache(false, Arc::new(MemoryKeyring::default())).is_none());
        assert!(!KeyringTokenCache::new(Arc::new(Broken), None).is_available());
        let chosen = token_cache(true, Arc::new(Broken));
        if let Some(cache) = chosen {
            assert!(format!("{cache:?}").starts_with("FileTokenCache"));
        }
        let chosen = token_cache(true, Arc::new(MemoryKeyring::default())).expect("keyring");
        assert!(format!("{chosen:?}").starts_with("KeyringTokenCache"));
    }
}
