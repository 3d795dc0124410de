//! The OS keyring, where newer Atlas CLIs keep a profile's secrets
//! ([`SecretStore`]; [`OsKeyring`] with the `keyring` feature).

use std::sync::Arc;

/// Reads secrets of the OS keyring (and writes them: renewed login tokens,
/// cached service-account tokens).
pub trait SecretStore: Send + Sync {
    /// The secret stored under `service` (`atlascli_<profile>`) and `key`
    /// (`private_api_key`): `Ok(None)` when there is no such entry, `Err`
    /// with the reason when the keyring cannot be read at all.
    fn get(&self, service: &str, key: &str) -> Result<Option<String>, String>;

    /// Stores `value` under `service` and `key`; by default the store is
    /// read-only and says so.
    fn set(&self, service: &str, key: &str, value: &str) -> Result<(), String> {
        let _ = (service, key, value);
        Err("this secret store is read-only".to_owned())
    }

    /// Removes the entry (nothing when there is none); by default the
    /// store is read-only and says so.
    fn delete(&self, service: &str, key: &str) -> Result<(), String> {
        let _ = (service, key);
        Err("this secret store is read-only".to_owned())
    }
}

/// No keyring: every look-up fails with the reason given.
#[derive(Debug, Clone)]
pub struct NoKeyring(pub String);

impl SecretStore for NoKeyring {
    fn get(&self, _: &str, _: &str) -> Result<Option<String>, String> {
        Err(self.0.clone())
    }
}

/// The OS keyring through the `keyring` crate, read the way the Atlas CLI
/// (go-keyring) writes it: the Secret Service (attributes `service` and
/// `username`) on Linux and BSD, the login keychain (service, account) on
/// macOS, the Credential Manager (target `service:username`) on Windows.
#[cfg(feature = "keyring")]
#[derive(Debug, Clone, Copy, Default)]
pub struct OsKeyring;

#[cfg(feature = "keyring")]
impl OsKeyring {
    fn entry(service: &str, key: &str) -> keyring::Result<keyring::Entry> {
        #[cfg(windows)]
        {
            keyring::Entry::new_with_target(&format!("{service}:{key}"), service, key)
        }
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "openbsd"))]
        {
            // go-keyring's items carry no `target` attribute.
            let credential =
                keyring::secret_service::SsCredential::new_with_no_target(service, key)?;
            Ok(keyring::Entry::new_with_credential(Box::new(credential)))
        }
        #[cfg(not(any(
            windows,
            target_os = "linux",
            target_os = "freebsd",
            target_os = "openbsd"
        )))]
        {
            keyring::Entry::new(service, key)
        }
    }
}

#[cfg(feature = "keyring")]
impl SecretStore for OsKeyring {
    fn get(&self, service: &str, key: &str) -> Result<Option<String>, String> {
        let entry = Self::entry(service, key).map_err(|err| err.to_string())?;
        match entry.get_password() {
            Ok(secret) => Ok(Some(decode_go_keyring(secret))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(err) => Err(err.to_string()),
        }
    }

    fn set(&self, service: &str, key: &str, value: &str) -> Result<(), String> {
        let entry = Self::entry(service, key).map_err(|err| err.to_string())?;
        entry.set_password(value).map_err(|err| err.to_string())
    }

    fn delete(&self, service: &str, key: &str) -> Result<(), String> {
        let entry = Self::entry(service, key).map_err(|err| err.to_string())?;
        match entry.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(err) => Err(err.to_string()),
        }
    }
}

/// go-keyring on macOS stores secrets with a line break as
/// `go-keyring-encoded:<hex>`; others are stored as they are.
pub fn decode_go_keyring(secret: String) -> String {
    const PREFIX: &str = "go-keyring-encoded:";
    let Some(hex) = secret.strip_prefix(PREFIX) else {
        return secret;
    };
    let bytes = hex::decode(hex).ok();
    match bytes.and_then(|b| String::from_utf8(b).ok()) {
        Some(text) => text,
        None => secret,
    }
}

/// The keyring of this platform, or [`NoKeyring`] when the crate was built
/// without the `keyring` feature.
pub fn os_keyring() -> Arc<dyn SecretStore> {
    #[cfg(feature = "keyring")]
    {
        Arc::new(OsKeyring)
    }
    #[cfg(not(feature = "keyring"))]
    {
        Arc::new(NoKeyring(
            "this atlas-api was built without the `keyring` feature".to_owned(),
        ))
    }
}

/// A keyring in memory, for the unit tests of what reads and writes one.
#[cfg(test)]
#[derive(Debug, Default)]
pub(crate) struct MemoryKeyring(
    std::sync::Mutex<std::collections::HashMap<(String, String), String>>,
);

#[cfg(test)]
impl SecretStore for MemoryKeyring {
    fn get(&self, service: &str, key: &str) -> Result<Option<String>, String> {
        let map = self.0.lock().map_err(|e| e.to_string())?;
        Ok(map.get(&(service.to_owned(), key.to_owned())).cloned())
    }

    fn set(&self, service: &str, key: &str, value: &str) -> Result<(), String> {
        let mut map = self.0.lock().map_err(|e| e.to_string())?;
        map.insert((service.to_owned(), key.to_owned()), value.to_owned());
        Ok(())
    }

    fn delete(&self, service: &str, key: &str) -> Result<(), String> {
        let mut map = self.0.lock().map_err(|e| e.to_string())?;
        map.remove(&(service.to_owned(), key.to_owned()));
        Ok(())
    }
}
