//! A [`TokenCache`] in files: one entry per key, replaced atomically.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::store::{CachedToken, TokenCache, TokenCacheError, TokenCacheLock, TokenKey};

/// Keeps each token in its own file of a directory,
/// `<dir>/<TokenKey::digest>.json`, readable by its owner only (mode 0600
/// in a 0700 directory on Unix).
///
/// Several processes can use one directory at once: an entry is written to
/// a temporary file that is then renamed over the old one, so a reader sees
/// the old entry or the new one, never half of either; and a lock file per
/// key (`<digest>.lock`, an advisory `flock`/`LockFileEx` lock) lets the
/// first process mint the token while the others wait for it. An entry
/// that cannot be read as a token is ignored, with a `tracing` warning.
#[derive(Debug, Clone)]
pub struct FileTokenCache {
    dir: PathBuf,
}

impl FileTokenCache {
    /// Entries in `dir`, created (with its parents) on the first store.
    pub fn new(dir: impl Into<PathBuf>) -> Self {
        Self { dir: dir.into() }
    }

    /// Entries in `atlas-admin-api/tokens` under the user's cache directory
    /// (`$XDG_CACHE_HOME` or `~/.cache` on Linux, `~/Library/Caches` on
    /// macOS, `%LOCALAPPDATA%` on Windows); `None` when there is none.
    pub fn in_user_cache_dir() -> Option<Self> {
        dirs::cache_dir().map(|dir| Self::new(dir.join("atlas-admin-api").join("tokens")))
    }

    /// The directory the entries are in.
    pub fn dir(&self) -> &Path {
        &self.dir
    }

    /// The file of `key`'s entry.
    pub fn entry_path(&self, key: &TokenKey) -> PathBuf {
        self.dir.join(format!("{}.json", key.digest()))
    }

    fn lock_path(&self, key: &TokenKey) -> PathBuf {
        self.dir.join(format!("{}.lock", key.digest()))
    }

    /// Creates the directory, private to its owner where the platform
    /// has modes.
    fn create_dir(&self) -> std::io::Result<()> {
        let mut builder = std::fs::DirBuilder::new();
        builder.recursive(true);
        #[cfg(unix)]
        std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
        builder.create(&self.dir)
    }
}

impl TokenCache for FileTokenCache {
    fn load(&self, key: &TokenKey) -> Result<Option<CachedToken>, TokenCacheError> {
        let path = self.entry_path(key);
        let text = match std::fs::read_to_string(&path) {
            Ok(text) => text,
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(err) => return Err(err.into()),
        };
        match CachedToken::decode(key, &text) {
            Ok(token) => Ok(Some(token)),
            Err(why) => {
                tracing::warn!(file = %path.display(), why, "ignoring an unusable cached token");
                Ok(None)
            }
        }
    }

    fn store(&self, key: &TokenKey, token: &CachedToken) -> Result<(), TokenCacheError> {
        self.create_dir()?;
        // tempfile creates the file with mode 0600 on Unix.
        let mut temp = tempfile::Builder::new()
            .prefix(".token-")
            .suffix(".tmp")
            .tempfile_in(&self.dir)?;
        temp.write_all(token.encode(key).as_bytes())?;
        temp.as_file().sync_all()?;
        temp.persist(self.entry_path(key))
            .map_err(|err| TokenCacheError::new(err.error))?;
        Ok(())
    }

    fn remove(&self, key: &TokenKey) -> Result<(), TokenCacheError> {
        match std::fs::remove_file(self.entry_path(key)) {
            Ok(()) => Ok(()),
            Err(err) if err.kind() == std::io::ErrorKind::NotFound => Ok(()),
            Err(err) => Err(err.into()),
        }
    }

    fn try_lock(&self, key: &TokenKey) -> Result<Option<TokenCacheLock>, TokenCacheError> {
        self.create_dir()?;
        let mut options = std::fs::OpenOptions::new();
        options.create(true).truncate(false).write(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
        let file = options.open(self.lock_path(key))?;
        // Called through the trait: `File::try_lock` of std is newer than
        // the crate's minimum Rust.
        match fs4::FileExt::try_lock(&file) {
            Ok(()) => Ok(Some(TokenCacheLock::holding(file))),
            Err(fs4::TryLockError::WouldBlock) => Ok(None),
            Err(fs4::TryLockError::Error(err)) => Err(err.into()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::{Duration, SystemTime, UNIX_EPOCH};

    fn key(id: &str) -> TokenKey {
        TokenKey::new("http://127.0.0.1:9/api/oauth/token", id)
    }

    fn token(value: &str) -> CachedToken {
        CachedToken::new(value, UNIX_EPOCH + Duration::from_secs(4_000_000_000))
    }

    #[test]
    fn entries_are_stored_loaded_replaced_and_removed() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = FileTokenCache::new(dir.path().join("a/b"));
        assert!(cache.load(&key("one")).expect("load").is_none());
        cache.store(&key("one"), &token("t1")).expect("store");
        cache.store(&key("two"), &token("t2")).expect("store");
        let got = cache.load(&key("one")).expect("load").expect("entry");
        assert_eq!(got.access_token(), "t1");
        cache.store(&key("one"), &token("t3")).expect("replace");
        let got = cache.load(&key("one")).expect("load").expect("entry");
        assert_eq!(got.access_token(), "t3");
        cache.remove(&key("one")).expect("remove");
        cache.remove(&key("one")).expect("remove twice");
        assert!(cache.load(&key("one")).expect("load").is_none());
        assert_eq!(
            cache
                .load(&key("two"))
                .expect("load")
                .map(|t| t.access_token().to_owned()),
            Some("t2".to_owned())
        );
        // Only entries and lock files are left: no temporary file.
        let names: Vec<String> = std::fs::read_dir(cache.dir())
            .expect("list")
            .map(|e| e.expect("entry").file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, [format!("{}.json", key("two").digest())]);
    }

    #[cfg(unix)]
    #[test]
    fn entries_are_private_to_their_owner() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("dir");
        let cache = FileTokenCache::new(dir.path().join("tokens"));
        cache.store(&key("one"), &token("t1")).expect("store");
        let mode = |p: &Path| std::fs::metadata(p).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode(&cache.entry_path(&key("one"))), 0o600);
        assert_eq!(mode(cache.dir()), 0o700);
        let _lock = cache.try_lock(&key("one")).expect("lock").expect("free");
        assert_eq!(mode(&cache.lock_path(&key("one"))), 0o600);
    }

    #[test]
    fn unusable_entries_are_ignored() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = FileTokenCache::new(dir.path());
        for text in ["", "{\"access_token\":", "[1,2]", "{}"] {
            std::fs::write(cache.entry_path(&key("one")), text).expect("write");
            assert!(cache.load(&key("one")).expect("load").is_none(), "{text:?}");
        }
        // An entry of another key copied under this key's name.
        std::fs::write(
            cache.entry_path(&key("one")),
            token("t2").encode(&key("two")),
        )
        .expect("write");
        assert!(cache.load(&key("one")).expect("load").is_none());
    }

    #[test]
    fn the_lock_excludes_other_holders_until_dropped() {
        let dir = tempfile::tempdir().expect("dir");
        let a = FileTokenCache::new(dir.path());
        let b = FileTokenCache::new(dir.path());
        let held = a.try_lock(&key("one")).expect("lock").expect("free");
        assert!(b.try_lock(&key("one")).expect("lock").is_none());
        // Other keys have their own locks.
        assert!(b.try_lock(&key("two")).expect("lock").is_some());
        drop(held);
        assert!(b.try_lock(&key("one")).expect("lock").is_some());
    }

    #[test]
    fn readers_never_see_half_an_entry() {
        let dir = tempfile::tempdir().expect("dir");
        let cache = FileTokenCache::new(dir.path());
        cache.store(&key("one"), &token("t-0")).expect("store");
        // Long tokens make a torn write likely if writes were not atomic.
        let long = |i: usize| format!("t-{i}-{}", "x".repeat(64 * 1024));
        std::thread::scope(|s| {
            for w in 0..4 {
                let cache = cache.clone();
                s.spawn(move || {
                    for i in 0..25 {
                        cache
                            .store(&key("one"), &token(&long(w * 100 + i)))
                            .expect("store");
                    }
                });
            }
            for _ in 0..4 {
                let cache = cache.clone();
                s.spawn(move || {
                    for _ in 0..200 {
                        let got = cache.load(&key("one")).expect("load").expect("entry");
                        assert!(got.access_token().starts_with("t-"));
                        assert!(got.expires_at() > SystemTime::now());
                    }
                });
            }
        });
    }
}
