//! Where `atlas-api` gets its credentials, base URL and default project,
//! organization and API version: flags, then `MONGODB_ATLAS_*` environment
//! variables, then a profile of the Atlas CLI's own configuration file
//! (`atlascli/config.toml` in the user's configuration directory), whose
//! secrets may live in the OS keyring ([`SecretStore`]).
//!
//! The file is the one `atlas auth login` and `atlas config init` write:
//! one TOML table per profile, with `public_api_key`/`private_api_key`
//! (an API key, HTTP digest), `client_id`/`client_secret` (a service
//! account), `access_token` (a user login), `org_id`, `project_id`,
//! `service` (`cloud` or `cloudgov`), `ops_manager_url` (or `base_url`),
//! `api_version` and, since config version 2, `auth_type`
//! (`api_keys`, `service_account`, `user_account`, `no_auth`). Newer Atlas
//! CLIs move the secrets into the OS keyring when one is available: service
//! `atlascli_<profile>`, one entry per property (`public_api_key`,
//! `private_api_key`, `client_id`, `client_secret`, `access_token`,
//! `refresh_token`), and leave only `auth_type` in the file.

//!
//! One file per concept: `file` (where the configuration file is and its
//! profiles), `credentials` (the credentials of the environment and of a
//! profile, over the runtime's one model, [`Credentials`]), `keyring` (the
//! OS keyring, [`SecretStore`]).

mod credentials;
mod file;
mod keyring;
mod login;
mod names;
mod settings;

#[cfg(test)]
pub(crate) use keyring::MemoryKeyring;

use std::path::Path;

pub use atlas_admin_runtime::credentials::Credentials;
// The credentials' variables: the library's own (`Auth::from_env` reads the
// same table), so the two never disagree.
pub use atlas_admin_runtime::{
    ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_PRIVATE_API_KEY, ENV_PRIVATE_KEY, ENV_PUBLIC_API_KEY,
    ENV_PUBLIC_KEY,
};

use self::credentials::{env_credentials, no_credentials, profile_credentials};
pub use self::file::config_file;
use self::file::{read_profiles, Profiles};
#[cfg(feature = "keyring")]
pub use self::keyring::OsKeyring;
pub use self::keyring::{decode_go_keyring, os_keyring, NoKeyring, SecretStore};
pub use self::login::{write_tokens, Login, LoginHome, ProfileLogin};
pub use self::names::*;
pub use self::settings::{Options, ProfileRef, Settings, Source};
use crate::error::CliError;

/// Resolves the settings: flags (`options`), then the environment (`env`,
/// which reports empty variables as unset), then the profile (`--profile`,
/// else `$MONGODB_ATLAS_PROFILE`, else the only profile of the file, else
/// `default`), whose missing secrets are looked up in `secrets`.
///
/// Credentials: a service account or API key pair from the environment wins
/// over the profile; half a pair (a public key without its private key, a
/// client id without its secret) is an error naming the missing half; no
/// credentials at all is an error naming the variables and the profile,
/// unless `--no-auth`.
pub fn resolve(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
    secrets: &dyn SecretStore,
) -> Result<Settings, CliError> {
    let file = config_file(env);
    let profiles = match &file {
        Some(file) => read_profiles(file)?,
        None => None,
    };
    let requested = options
        .profile
        .clone()
        .map(|p| (p, Source::Flag("--profile")))
        .or_else(|| env(ENV_PROFILE).map(|p| (p, Source::Env(ENV_PROFILE))));
    let profile = select_profile(requested, file.as_deref(), profiles.as_ref())?;
    let props = |key: &str| -> Option<String> {
        let (name, _) = profile.as_ref()?;
        profiles.as_ref()?.get(name)?.get(key).cloned()
    };
    let profile_ref = profile.as_ref().and_then(|(name, _)| {
        file.as_ref().map(|file| ProfileRef {
            name: name.clone(),
            file: file.clone(),
        })
    });
    let mut settings = Settings {
        config_file: file.clone(),
        profile: profile_ref.clone(),
        project_id: env(ENV_PROJECT_ID).or_else(|| props("project_id")),
        org_id: env(ENV_ORG_ID).or_else(|| props("org_id")),
        api_version: env(ENV_API_VERSION)
            .map(|v| (v, Source::Env(ENV_API_VERSION)))
            .or_else(|| props("api_version").map(|v| (v, Source::Profile("api_version")))),
        ..Settings::empty()
    };
    settings.base_url = base_url(options, env, &props, profile_ref.as_ref())?;
    let (credentials, source) = if options.no_auth {
        (Credentials::None, Source::Flag("--no-auth"))
    } else if let Some(found) = env_credentials(env)? {
        found
    } else if let Some(profile) = &profile_ref {
        profile_credentials(profile, &props, secrets)?
    } else {
        return Err(no_credentials(&settings));
    };
    settings.login = match (&credentials, &source, &profile_ref) {
        (Credentials::UserAccount { .. }, Source::Profile(_) | Source::Keyring, Some(p)) => {
            Some(Login {
                profile: p.name.clone(),
                home: match source {
                    Source::Keyring => LoginHome::Keyring,
                    _ => LoginHome::File(p.file.clone()),
                },
                gov: env(ENV_SERVICE).or_else(|| props("service")).as_deref() == Some("cloudgov"),
                account_url: props("account_url"),
            })
        }
        _ => None,
    };
    settings.credentials = credentials;
    settings.credentials_source = source;
    Ok(settings)
}

/// The profile to read: the one asked for (which must exist), else the
/// only one of the file, else `default` when the file has it.
fn select_profile(
    requested: Option<(String, Source)>,
    file: Option<&Path>,
    profiles: Option<&Profiles>,
) -> Result<Option<(String, Source)>, CliError> {
    let Some((name, source)) = requested else {
        let Some(profiles) = profiles else {
            return Ok(None);
        };
        if profiles.len() == 1 {
            return Ok(profiles.keys().next().map(|n| (n.clone(), Source::Default)));
        }
        return Ok(profiles
            .contains_key("default")
            .then(|| ("default".to_owned(), Source::Default)));
    };
    let name = name.to_ascii_lowercase();
    let from = match &source {
        Source::Env(var) => format!(" (from {var})"),
        _ => String::new(),
    };
    let where_ = file.map_or_else(
        || "no configuration directory is known (set HOME)".to_owned(),
        |f| f.display().to_string(),
    );
    match profiles {
        None => Err(CliError::usage(format!(
            "profile \"{name}\"{from} not found: {where_} does not exist (create it with `atlas config init` or `atlas auth login`)"
        ))),
        Some(profiles) if !profiles.contains_key(&name) => {
            let known: Vec<&str> = profiles.keys().map(String::as_str).collect();
            Err(CliError::usage(format!(
                "profile \"{name}\"{from} not found in {where_} (profiles there: {})",
                if known.is_empty() {
                    "none".to_owned()
                } else {
                    known.join(", ")
                }
            )))
        }
        Some(_) => Ok(Some((name, source))),
    }
}

/// `--base-url`, else the environment's endpoint ([`BASE_URL_ENV`]:
/// `$MONGODB_ATLAS_OPS_MANAGER_URL`, `$MONGODB_ATLAS_BASE_URL`, the
/// deprecated `$ATLAS_BASE_URL`), else the profile's `ops_manager_url` (or
/// `base_url`), else Atlas for Government when the service
/// (`$MONGODB_ATLAS_SERVICE`, else the profile's) is `cloudgov`.
fn base_url(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
    props: &dyn Fn(&str) -> Option<String>,
    profile: Option<&ProfileRef>,
) -> Result<Option<String>, CliError> {
    if let Some(url) = options
        .base_url
        .clone()
        .or_else(|| base_url_from_env(env).map(|(url, _)| url))
        .or_else(|| props("ops_manager_url"))
        .or_else(|| props("base_url"))
    {
        return Ok(Some(url));
    }
    let service = env(ENV_SERVICE)
        .map(|s| (s, ENV_SERVICE.to_owned()))
        .or_else(|| {
            props("service").map(|s| {
                let p = profile.map_or_else(String::new, |p| format!(" of profile \"{}\"", p.name));
                (s, format!("`service`{p}"))
            })
        });
    match service {
        None => Ok(None),
        Some((s, from)) => match service_url(&s) {
            Ok(url) => Ok(url.map(str::to_owned)),
            Err(_) => Err(CliError::usage(format!(
                "unsupported service \"{s}\" ({from}): atlas-api calls Atlas (\"cloud\") or Atlas for Government (\"cloudgov\"); set --base-url for another endpoint"
            ))),
        },
    }
}

/// The process environment, with empty variables as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests;
