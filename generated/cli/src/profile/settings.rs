//! What the flags, the environment and a profile resolve to ([`Settings`],
//! each value with its [`Source`]), and the flags that decide it
//! ([`Options`]).

use std::path::PathBuf;
use std::sync::Arc;

use atlas_admin_runtime::credentials::Credentials;
use atlas_admin_runtime::{Auth, ServiceAccount, TokenCache};

use super::keyring::SecretStore;
use super::login::Login;
use super::names::{ENV_ORG_ID, ENV_PROJECT_ID};

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
