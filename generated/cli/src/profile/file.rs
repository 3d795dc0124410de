//! The Atlas CLI's configuration file: where it is and its profiles.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::ENV_CONFIG_FILE;
use crate::error::CliError;

/// The configuration file: `$ATLAS_CONFIG_FILE`, else `atlascli/config.toml`
/// in the user's configuration directory as Go's `os.UserConfigDir` (which
/// the Atlas CLI uses) finds it: `$XDG_CONFIG_HOME` (when absolute) or
/// `~/.config` on Linux and other Unix systems, `~/Library/Application
/// Support` on macOS, `%AppData%` on Windows.
pub fn config_file(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    if let Some(path) = env(ENV_CONFIG_FILE) {
        return Some(PathBuf::from(path));
    }
    config_home(env).map(|dir| dir.join("atlascli").join("config.toml"))
}

#[cfg(windows)]
fn config_home(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("AppData").map(PathBuf::from)
}

#[cfg(any(target_os = "macos", target_os = "ios"))]
fn config_home(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("HOME").map(|home| Path::new(&home).join("Library/Application Support"))
}

#[cfg(not(any(windows, target_os = "macos", target_os = "ios")))]
fn config_home(env: &dyn Fn(&str) -> Option<String>) -> Option<PathBuf> {
    env("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .filter(|dir| dir.is_absolute())
        .or_else(|| env("HOME").map(|home| Path::new(&home).join(".config")))
}

/// The profiles of a configuration file (top-level tables, names
/// lowercased), each with its string properties.
pub(super) type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// Reads the profiles of `file`: `Ok(None)` when it does not exist.
pub(super) fn read_profiles(file: &Path) -> Result<Option<Profiles>, CliError> {
    let text = match std::fs::read_to_string(file) {
        Ok(text) => text,
        Err(err) if err.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(err) => {
            return Err(CliError::usage(format!(
                "cannot read the Atlas CLI configuration {}: {err}",
                file.display()
            )))
        }
    };
    let table: toml::Table = text.parse().map_err(|err| {
        CliError::usage(format!(
            "the Atlas CLI configuration {} is not valid TOML: {err}",
            file.display()
        ))
    })?;
    let mut profiles = Profiles::new();
    for (name, value) in table {
        let toml::Value::Table(properties) = value else {
            continue;
        };
        let properties = properties
            .into_iter()
            .filter_map(|(key, value)| match value {
                toml::Value::String(s) if !s.is_empty() => Some((key.to_ascii_lowercase(), s)),
                _ => None,
            })
            .collect();
        profiles.insert(name.to_ascii_lowercase(), properties);
    }
    Ok(Some(profiles))
}
