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

#[cfg(test)]
pub(crate) use keyring::MemoryKeyring;

use std::path::{Path, PathBuf};
use std::sync::Arc;

use atlas_admin_runtime::{Auth, ServiceAccount, TokenCache};

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
use crate::error::CliError;

/// Overrides the configuration file's location (tests, several setups).
pub const ENV_CONFIG_FILE: &str = "ATLAS_CONFIG_FILE";
/// The profile to use when `--profile` is not given (as in the Atlas CLI).
pub const ENV_PROFILE: &str = "MONGODB_ATLAS_PROFILE";
/// The default project (`--groupId`).
pub const ENV_PROJECT_ID: &str = "MONGODB_ATLAS_PROJECT_ID";
/// The default organization (`--orgId`).
pub const ENV_ORG_ID: &str = "MONGODB_ATLAS_ORG_ID";
/// Another endpoint and the service: the runtime's one model, which the
/// library's `Client::from_env` reads too.
pub use atlas_admin_runtime::credentials::{
    base_url_from_env, service_url, BASE_URL_ENV, CLOUD_GOV_URL, ENV_BASE_URL, ENV_BASE_URL_ALIAS,
    ENV_OPS_MANAGER_URL, ENV_SERVICE,
};
/// The default API version of every operation that offers it.
pub const ENV_API_VERSION: &str = "MONGODB_ATLAS_API_VERSION";

/// Prefix of the keyring service that holds a profile's secrets
/// (`atlascli_default`).
pub const KEYRING_SERVICE_PREFIX: &str = "atlascli_";

/// What the flags say (the global ones of `atlas-api`).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Options {
    /// `--profile NAME`.
    pub profile: Option<String>,
    /// `--base-url URL`.
    pub base_url: Option<String>,
    /// `--no-auth`: send requests without credentials.
    pub no_auth: bool,
    /// `--no-token-cache`: a service account's token is neither taken from
    /// nor kept in the token cache.
    pub no_token_cache: bool,
}

/// Where a setting came from, for messages.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// A flag.
    Flag(&'static str),
    /// An environment variable.
    Env(&'static str),
    /// A property of the profile.
    Profile(&'static str),
    /// The profile's entry in the OS keyring.
    Keyring,
    /// Nowhere: the built-in default.
    Default,
}

/// The profile in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProfileRef {
    /// Its name (lowercase, as the Atlas CLI keeps them).
    pub name: String,
    /// The file it is in.
    pub file: PathBuf,
}

/// Everything resolved before a command runs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Settings {
    /// The credentials.
    pub credentials: Credentials,
    /// Where they came from.
    pub credentials_source: Source,
    /// The base URL, `None` for the client's default (Atlas).
    pub base_url: Option<String>,
    /// The default of `--groupId`/`--projectId`.
    pub project_id: Option<String>,
    /// The default of `--orgId`.
    pub org_id: Option<String>,
    /// The default API version (used where an operation offers it).
    pub api_version: Option<(String, Source)>,
    /// The profile in use, if any.
    pub profile: Option<ProfileRef>,
    /// The configuration file looked at (whether or not it exists).
    pub config_file: Option<PathBuf>,
    /// Where the login of a user-account profile is kept (renewed tokens
    /// are written back there); `None` for other credentials.
    pub login: Option<Login>,
}

impl Settings {
    /// Settings without any configuration: no credentials, Atlas, no
    /// defaults.
    pub fn empty() -> Self {
        Settings {
            credentials: Credentials::None,
            credentials_source: Source::Default,
            base_url: None,
            project_id: None,
            org_id: None,
            api_version: None,
            profile: None,
            config_file: None,
            login: None,
        }
    }

    /// The client's [`Auth`]: the credentials, a service account keeping
    /// its token in `token_cache` (when there is one), a login renewing its
    /// tokens and writing them back where they came from (the keyring
    /// through `secrets`).
    pub fn auth(
        &self,
        token_cache: Option<Arc<dyn TokenCache>>,
        secrets: Arc<dyn SecretStore>,
    ) -> Auth {
        match (&self.credentials, token_cache, &self.login) {
            (
                Credentials::ServiceAccount {
                    client_id,
                    client_secret,
                },
                Some(cache),
                _,
            ) => ServiceAccount::new(client_id, client_secret)
                .token_cache(cache)
                .into(),
            (
                Credentials::UserAccount {
                    access_token,
                    refresh_token,
                },
                _,
                Some(login),
            ) => login
                .account(access_token, refresh_token.as_deref(), secrets)
                .into(),
            (credentials, _, _) => credentials.to_auth(),
        }
    }

    /// The places a default for `--groupId` (`project_id`) or `--orgId`
    /// (`org_id`) could come from, for the message when none is set.
    pub fn default_sources(&self, property: &str) -> String {
        let env = match property {
            "project_id" => ENV_PROJECT_ID,
            _ => ENV_ORG_ID,
        };
        format!("set {env}, or {}", self.where_profile(property))
    }

    /// `set <property> in profile "p" (FILE)`, or where a profile would be.
    fn where_profile(&self, property: &str) -> String {
        match (&self.profile, &self.config_file) {
            (Some(p), _) => format!(
                "set {property} in profile \"{}\" ({})",
                p.name,
                p.file.display()
            ),
            (None, Some(file)) => format!(
                "set {property} in an Atlas CLI profile ({}, `atlas config init`)",
                file.display()
            ),
            (None, None) => format!("set {property} in an Atlas CLI profile"),
        }
    }
}

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
