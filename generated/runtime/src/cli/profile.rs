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

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use super::CliError;
use crate::Auth;

/// Overrides the configuration file's location (tests, several setups).
pub const ENV_CONFIG_FILE: &str = "ATLAS_CONFIG_FILE";
/// The profile to use when `--profile` is not given (as in the Atlas CLI).
pub const ENV_PROFILE: &str = "MONGODB_ATLAS_PROFILE";
/// The default project (`--groupId`).
pub const ENV_PROJECT_ID: &str = "MONGODB_ATLAS_PROJECT_ID";
/// The default organization (`--orgId`).
pub const ENV_ORG_ID: &str = "MONGODB_ATLAS_ORG_ID";
// The credentials' variables: the library's own (`Auth::from_env` reads the
// same), so the two never disagree.
pub use crate::auth::{
    ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_PRIVATE_API_KEY, ENV_PRIVATE_KEY, ENV_PUBLIC_API_KEY,
    ENV_PUBLIC_KEY,
};
/// Another endpoint (the Atlas CLI's name).
pub const ENV_OPS_MANAGER_URL: &str = "MONGODB_ATLAS_OPS_MANAGER_URL";
/// Another endpoint (the Atlas CLI's other name).
pub const ENV_BASE_URL: &str = "MONGODB_ATLAS_BASE_URL";
/// `cloud` or `cloudgov`.
pub const ENV_SERVICE: &str = "MONGODB_ATLAS_SERVICE";
/// The default API version of every operation that offers it.
pub const ENV_API_VERSION: &str = "MONGODB_ATLAS_API_VERSION";

/// The endpoint of Atlas for Government (`service = "cloudgov"`).
pub const CLOUD_GOV_URL: &str = "https://cloud.mongodbgov.com";

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
}

/// Reads secrets from the OS keyring.
pub trait SecretStore {
    /// The secret stored under `service` (`atlascli_<profile>`) and `key`
    /// (`private_api_key`): `Ok(None)` when there is no such entry, `Err`
    /// with the reason when the keyring cannot be read at all.
    fn get(&self, service: &str, key: &str) -> Result<Option<String>, String>;
}

/// No keyring: every look-up fails with the reason given.
#[derive(Debug, Clone)]
pub struct NoKeyring(pub String);

impl SecretStore for NoKeyring {
    fn get(&self, _: &str, _: &str) -> Result<Option<String>, String> {
        Err(self.0.clone())
    }
}

/// The credentials to send.
#[derive(Clone, PartialEq, Eq)]
pub enum Credentials {
    /// None (`--no-auth`, or a profile with `auth_type = "no_auth"`).
    None,
    /// A programmatic API key (HTTP digest).
    ApiKey {
        /// The public key.
        public_key: String,
        /// The private key.
        private_key: String,
    },
    /// A service account (OAuth 2.0 client credentials).
    ServiceAccount {
        /// The client id.
        client_id: String,
        /// The client secret.
        client_secret: String,
    },
    /// The access token of `atlas auth login` (a user account), sent as a
    /// bearer token and never refreshed.
    AccessToken(String),
}

impl std::fmt::Debug for Credentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Credentials::None => f.write_str("None"),
            Credentials::ApiKey { public_key, .. } => f
                .debug_struct("ApiKey")
                .field("public_key", public_key)
                .finish_non_exhaustive(),
            Credentials::ServiceAccount { client_id, .. } => f
                .debug_struct("ServiceAccount")
                .field("client_id", client_id)
                .finish_non_exhaustive(),
            Credentials::AccessToken(_) => f.write_str("AccessToken(..)"),
        }
    }
}

impl Credentials {
    /// The client's [`Auth`].
    pub fn to_auth(&self) -> Auth {
        match self {
            Credentials::None => Auth::none(),
            Credentials::ApiKey {
                public_key,
                private_key,
            } => Auth::digest(public_key, private_key),
            Credentials::ServiceAccount {
                client_id,
                client_secret,
            } => Auth::service_account(client_id, client_secret),
            Credentials::AccessToken(token) => Auth::bearer(token),
        }
    }
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
type Profiles = BTreeMap<String, BTreeMap<String, String>>;

/// Reads the profiles of `file`: `Ok(None)` when it does not exist.
fn read_profiles(file: &Path) -> Result<Option<Profiles>, CliError> {
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
        return Err(no_credentials(&settings, None));
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

/// `--base-url`, else `$MONGODB_ATLAS_OPS_MANAGER_URL` or
/// `$MONGODB_ATLAS_BASE_URL`, else the profile's `ops_manager_url` (or
/// `base_url`), else Atlas for Government when the service is `cloudgov`.
fn base_url(
    options: &Options,
    env: &dyn Fn(&str) -> Option<String>,
    props: &dyn Fn(&str) -> Option<String>,
    profile: Option<&ProfileRef>,
) -> Result<Option<String>, CliError> {
    if let Some(url) = options
        .base_url
        .clone()
        .or_else(|| env(ENV_OPS_MANAGER_URL))
        .or_else(|| env(ENV_BASE_URL))
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
        Some((s, _)) if s == "cloud" => Ok(None),
        Some((s, _)) if s == "cloudgov" => Ok(Some(CLOUD_GOV_URL.to_owned())),
        Some((s, from)) => Err(CliError::usage(format!(
            "unsupported service \"{s}\" ({from}): atlas-api calls Atlas (\"cloud\") or Atlas for Government (\"cloudgov\"); set --base-url for another endpoint"
        ))),
    }
}

/// A complete pair from the environment, an error for half a pair, or
/// `None`.
#[allow(clippy::type_complexity)]
fn env_credentials(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(Credentials, Source)>, CliError> {
    let id = env(ENV_CLIENT_ID);
    let secret = env(ENV_CLIENT_SECRET);
    // The Atlas CLI's names first, then the SDK's and Terraform's.
    let public = env(ENV_PUBLIC_API_KEY)
        .map(|v| (v, ENV_PUBLIC_API_KEY))
        .or_else(|| env(ENV_PUBLIC_KEY).map(|v| (v, ENV_PUBLIC_KEY)));
    let private = env(ENV_PRIVATE_API_KEY)
        .map(|v| (v, ENV_PRIVATE_API_KEY))
        .or_else(|| env(ENV_PRIVATE_KEY).map(|v| (v, ENV_PRIVATE_KEY)));
    match (id, secret) {
        (Some(client_id), Some(client_secret)) => {
            return Ok(Some((
                Credentials::ServiceAccount {
                    client_id,
                    client_secret,
                },
                Source::Env(ENV_CLIENT_ID),
            )))
        }
        (Some(_), None) => {
            return Err(CliError::usage(format!(
            "{ENV_CLIENT_ID} is set but {ENV_CLIENT_SECRET} is not: a service account needs both"
        )))
        }
        (None, Some(_)) => {
            return Err(CliError::usage(format!(
            "{ENV_CLIENT_SECRET} is set but {ENV_CLIENT_ID} is not: a service account needs both"
        )))
        }
        (None, None) => {}
    }
    match (public, private) {
        (Some((public_key, var)), Some((private_key, _))) => Ok(Some((
            Credentials::ApiKey {
                public_key,
                private_key,
            },
            Source::Env(var),
        ))),
        (Some((_, var)), None) => Err(CliError::usage(format!(
            "{var} is set but {ENV_PRIVATE_API_KEY} (or {ENV_PRIVATE_KEY}) is not: an API key needs its private key too"
        ))),
        (None, Some((_, var))) => Err(CliError::usage(format!(
            "{var} is set but {ENV_PUBLIC_API_KEY} (or {ENV_PUBLIC_KEY}) is not: an API key needs its public key too"
        ))),
        (None, None) => Ok(None),
    }
}

/// The pairs of secret properties, with the `auth_type` that names each.
const PAIRS: [(&str, &str, &str); 2] = [
    ("service_account", "client_id", "client_secret"),
    ("api_keys", "public_api_key", "private_api_key"),
];

/// The profile's credentials: from its properties, the missing secrets of
/// its `auth_type` (or of a half pair) from the keyring.
fn profile_credentials(
    profile: &ProfileRef,
    props: &dyn Fn(&str) -> Option<String>,
    secrets: &dyn SecretStore,
) -> Result<(Credentials, Source), CliError> {
    let name = &profile.name;
    let file = profile.file.display();
    let service = format!("{KEYRING_SERVICE_PREFIX}{name}");
    let auth_type = props("auth_type");
    let make = |kind: &str, a: String, b: String| match kind {
        "service_account" => Credentials::ServiceAccount {
            client_id: a,
            client_secret: b,
        },
        _ => Credentials::ApiKey {
            public_key: a,
            private_key: b,
        },
    };
    // Reads the pair of `kind` from the file, the missing halves from the
    // keyring; `Ok(None)` when neither has any of it.
    let pair = |kind: &str,
                a: &'static str,
                b: &'static str,
                required: bool|
     -> Result<Option<(Credentials, Source)>, CliError> {
        let (in_a, in_b) = (props(a), props(b));
        if let (Some(va), Some(vb)) = (&in_a, &in_b) {
            return Ok(Some((
                make(kind, va.clone(), vb.clone()),
                Source::Profile(a),
            )));
        }
        let mut missing = Vec::new();
        let mut keyring_error = None;
        let mut lookup = |key: &str, found: Option<String>| -> Option<String> {
            if found.is_some() {
                return found;
            }
            match secrets.get(&service, key) {
                Ok(Some(v)) if !v.is_empty() => Some(v),
                Ok(_) => {
                    missing.push(key.to_owned());
                    None
                }
                Err(err) => {
                    missing.push(key.to_owned());
                    keyring_error.get_or_insert(err);
                    None
                }
            }
        };
        let (va, vb) = (lookup(a, in_a.clone()), lookup(b, in_b.clone()));
        if let (Some(va), Some(vb)) = (va, vb) {
            return Ok(Some((make(kind, va, vb), Source::Keyring)));
        }
        let in_file = in_a.is_some() || in_b.is_some();
        if !required && !in_file && missing.len() == 2 {
            return Ok(None);
        }
        let why = match &auth_type {
            Some(t) if required => format!("auth_type = \"{t}\""),
            _ => format!("it has {}", if in_a.is_some() { a } else { b }),
        };
        let mut message = format!(
            "profile \"{name}\" ({file}) needs {} ({why}), but neither the file nor the OS keyring (service \"{service}\") has {}",
            [a, b].join(" and "),
            missing.join(" or "),
        );
        if let Some(err) = keyring_error {
            message.push_str(&format!(": the keyring cannot be read here ({err})"));
        }
        message.push_str(&format!(
            ". Run `atlas auth login --profile {name}` again, set the MONGODB_ATLAS_* variables, or pass --no-auth"
        ));
        Err(CliError::usage(message))
    };
    match auth_type.as_deref() {
        Some("no_auth") => return Ok((Credentials::None, Source::Profile("auth_type"))),
        Some("user_account") => {
            return match props("access_token") {
                Some(token) => Ok((
                    Credentials::AccessToken(token),
                    Source::Profile("access_token"),
                )),
                None => match secrets.get(&service, "access_token") {
                    Ok(Some(token)) if !token.is_empty() => {
                        Ok((Credentials::AccessToken(token), Source::Keyring))
                    }
                    other => {
                        let reason = match other {
                            Err(err) => format!(": the keyring cannot be read here ({err})"),
                            _ => String::new(),
                        };
                        Err(CliError::usage(format!(
                            "profile \"{name}\" ({file}) logs in as a user (auth_type = \"user_account\"), but neither the file nor the OS keyring (service \"{service}\") has its access_token{reason}. Run `atlas auth login --profile {name}`, set the MONGODB_ATLAS_* variables, or pass --no-auth"
                        )))
                    }
                },
            };
        }
        Some(kind) => {
            if let Some((kind, a, b)) = PAIRS.iter().find(|(k, _, _)| *k == kind) {
                if let Some(found) = pair(kind, a, b, true)? {
                    return Ok(found);
                }
            }
        }
        None => {}
    }
    // No (known) auth_type: whatever the file holds, the keyring completing
    // a half pair; a service account first, as the Atlas CLI does.
    for (kind, a, b) in PAIRS {
        if props(a).is_some() || props(b).is_some() {
            if let Some(found) = pair(kind, a, b, false)? {
                return Ok(found);
            }
        }
    }
    if let Some(token) = props("access_token") {
        return Ok((
            Credentials::AccessToken(token),
            Source::Profile("access_token"),
        ));
    }
    Err(no_credentials(
        &Settings {
            profile: Some(profile.clone()),
            config_file: Some(profile.file.clone()),
            ..Settings::empty()
        },
        auth_type.as_deref(),
    ))
}

/// The message when no credentials are set anywhere.
fn no_credentials(settings: &Settings, auth_type: Option<&str>) -> CliError {
    let profile = match (&settings.profile, &settings.config_file) {
        (Some(p), _) => match auth_type {
            Some(t) => format!(
                "profile \"{}\" ({}) has auth_type = \"{t}\", which atlas-api does not know",
                p.name,
                p.file.display()
            ),
            None => format!("profile \"{}\" ({}) has none", p.name, p.file.display()),
        },
        (None, Some(file)) if file.exists() => format!(
            "{} has no \"default\" profile (choose one with --profile NAME)",
            file.display()
        ),
        (None, Some(file)) => format!("{} does not exist", file.display()),
        (None, None) => "no Atlas CLI configuration directory is known (set HOME)".to_owned(),
    };
    CliError::usage(format!(
        "no credentials: set {ENV_CLIENT_ID} and {ENV_CLIENT_SECRET} (a service account) or {ENV_PUBLIC_API_KEY} and {ENV_PRIVATE_API_KEY} (an API key; {ENV_PUBLIC_KEY}/{ENV_PRIVATE_KEY} work too), or use a profile of the Atlas CLI (`atlas auth login`, --profile NAME); {profile}. Pass --no-auth to send requests without credentials"
    ))
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
}

/// go-keyring on macOS stores secrets with a line break as
/// `go-keyring-encoded:<hex>`; others are stored as they are.
pub fn decode_go_keyring(secret: String) -> String {
    const PREFIX: &str = "go-keyring-encoded:";
    let Some(hex) = secret.strip_prefix(PREFIX) else {
        return secret;
    };
    let bytes: Option<Vec<u8>> = (0..hex.len())
        .step_by(2)
        .map(|i| {
            hex.get(i..i + 2)
                .and_then(|b| u8::from_str_radix(b, 16).ok())
        })
        .collect();
    match bytes.and_then(|b| String::from_utf8(b).ok()) {
        Some(text) => text,
        None => secret,
    }
}

/// The keyring of this platform, or [`NoKeyring`] when the crate was built
/// without the `keyring` feature.
pub fn os_keyring() -> Box<dyn SecretStore> {
    #[cfg(feature = "keyring")]
    {
        Box::new(OsKeyring)
    }
    #[cfg(not(feature = "keyring"))]
    {
        Box::new(NoKeyring(
            "this atlas-api was built without the `keyring` feature".to_owned(),
        ))
    }
}

/// The process environment, with empty variables as unset.
pub fn process_env(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashMap;

    /// A keyring holding the given entries (or failing with `Err`).
    struct Keyring(Result<HashMap<(String, String), String>, String>);

    impl SecretStore for Keyring {
        fn get(&self, service: &str, key: &str) -> Result<Option<String>, String> {
            match &self.0 {
                Ok(map) => Ok(map.get(&(service.to_owned(), key.to_owned())).cloned()),
                Err(err) => Err(err.clone()),
            }
        }
    }

    fn keyring(entries: &[(&str, &str, &str)]) -> Keyring {
        Keyring(Ok(entries
            .iter()
            .map(|(s, k, v)| ((s.to_string(), k.to_string()), v.to_string()))
            .collect()))
    }

    fn no_keyring() -> Keyring {
        Keyring(Err("no D-Bus session".to_owned()))
    }

    /// Resolves with a config file holding `toml` and the given variables.
    fn resolve_with(
        toml: Option<&str>,
        vars: &[(&str, &str)],
        options: &Options,
        secrets: &dyn SecretStore,
    ) -> Result<Settings, CliError> {
        let dir = tempfile::tempdir().expect("temp dir");
        let file = dir.path().join("config.toml");
        if let Some(text) = toml {
            std::fs::write(&file, text).expect("config");
        }
        let mut vars: HashMap<String, String> = vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        vars.insert(ENV_CONFIG_FILE.to_owned(), file.display().to_string());
        resolve(options, &|name| vars.get(name).cloned(), secrets)
    }

    const TWO: &str = r#"
version = 2
[default]
public_api_key = "pub"
private_api_key = "priv"
project_id = "32b6e34b3d91647abb20e7b8"
org_id = "5f1a2b3c4d5e6f7a8b9c0d1e"

[Work]
client_id = "mdb_sa_id"
client_secret = "mdb_sa_sk"
ops_manager_url = "http://127.0.0.1:1/"
"#;

    #[test]
    fn the_config_file_follows_go_user_config_dir() {
        let vars = |pairs: &'static [(&'static str, &'static str)]| {
            move |name: &str| {
                pairs
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| v.to_string())
            }
        };
        assert_eq!(
            config_file(&vars(&[(ENV_CONFIG_FILE, "/x/c.toml"), ("HOME", "/h")])),
            Some(PathBuf::from("/x/c.toml"))
        );
        #[cfg(not(any(windows, target_os = "macos", target_os = "ios")))]
        {
            assert_eq!(
                config_file(&vars(&[("XDG_CONFIG_HOME", "/xdg"), ("HOME", "/h")])),
                Some(PathBuf::from("/xdg/atlascli/config.toml"))
            );
            // A relative XDG_CONFIG_HOME is ignored (XDG base directory spec).
            assert_eq!(
                config_file(&vars(&[("XDG_CONFIG_HOME", "rel"), ("HOME", "/h")])),
                Some(PathBuf::from("/h/.config/atlascli/config.toml"))
            );
            assert_eq!(config_file(&vars(&[])), None);
        }
    }

    #[test]
    fn profiles_give_keys_defaults_and_base_urls() {
        let none = Options::default();
        let s = resolve_with(Some(TWO), &[], &none, &no_keyring()).expect("default");
        assert_eq!(
            s.credentials,
            Credentials::ApiKey {
                public_key: "pub".into(),
                private_key: "priv".into()
            }
        );
        assert_eq!(s.project_id.as_deref(), Some("32b6e34b3d91647abb20e7b8"));
        assert_eq!(s.org_id.as_deref(), Some("5f1a2b3c4d5e6f7a8b9c0d1e"));
        assert_eq!(s.base_url, None);
        assert_eq!(s.profile.as_ref().map(|p| p.name.as_str()), Some("default"));
        // Another profile by flag (any case) or by variable.
        let work = Options {
            profile: Some("WORK".into()),
            ..Options::default()
        };
        let s = resolve_with(Some(TWO), &[], &work, &no_keyring()).expect("work");
        assert!(matches!(s.credentials, Credentials::ServiceAccount { .. }));
        assert_eq!(s.base_url.as_deref(), Some("http://127.0.0.1:1/"));
        assert_eq!(s.project_id, None);
        let s = resolve_with(Some(TWO), &[(ENV_PROFILE, "work")], &none, &no_keyring())
            .expect("work by variable");
        assert!(matches!(s.credentials, Credentials::ServiceAccount { .. }));
        // Flags and variables win over the profile.
        let flagged = Options {
            base_url: Some("http://flag".into()),
            ..work.clone()
        };
        let vars = [
            (ENV_OPS_MANAGER_URL, "http://env"),
            (ENV_PUBLIC_API_KEY, "env-pub"),
            (ENV_PRIVATE_API_KEY, "env-priv"),
            (ENV_PROJECT_ID, "env-project"),
        ];
        let s = resolve_with(Some(TWO), &vars, &flagged, &no_keyring()).expect("flags");
        assert_eq!(s.base_url.as_deref(), Some("http://flag"));
        let s = resolve_with(Some(TWO), &vars, &work, &no_keyring()).expect("env");
        assert_eq!(s.base_url.as_deref(), Some("http://env"));
        assert_eq!(
            s.credentials,
            Credentials::ApiKey {
                public_key: "env-pub".into(),
                private_key: "env-priv".into()
            }
        );
        assert_eq!(s.credentials_source, Source::Env(ENV_PUBLIC_API_KEY));
        assert_eq!(s.project_id.as_deref(), Some("env-project"));
        // The only profile is used whatever its name; cloudgov's URL.
        let gov = "[gov]\nservice = \"cloudgov\"\nauth_type = \"no_auth\"\n";
        let s = resolve_with(Some(gov), &[], &none, &no_keyring()).expect("gov");
        assert_eq!(s.base_url.as_deref(), Some(CLOUD_GOV_URL));
        assert_eq!(s.credentials, Credentials::None);
        let odd =
            "[x]\nservice = \"ops-manager\"\npublic_api_key = \"a\"\nprivate_api_key = \"b\"\n";
        let err = resolve_with(Some(odd), &[], &none, &no_keyring()).expect_err("service");
        assert!(
            err.message.contains("unsupported service \"ops-manager\""),
            "{err}"
        );
    }

    #[test]
    fn missing_or_half_credentials_are_named() {
        let none = Options::default();
        // Nothing at all: the variables and the profile are named.
        let err = resolve_with(None, &[], &none, &no_keyring()).expect_err("nothing");
        assert_eq!(err.exit_code, super::super::EXIT_USAGE);
        for name in [
            ENV_CLIENT_ID,
            ENV_CLIENT_SECRET,
            ENV_PUBLIC_API_KEY,
            ENV_PRIVATE_API_KEY,
            "--profile",
            "--no-auth",
            "config.toml",
        ] {
            assert!(err.message.contains(name), "{name} missing: {err}");
        }
        // --no-auth needs nothing.
        let no_auth = Options {
            no_auth: true,
            ..Options::default()
        };
        let s = resolve_with(None, &[], &no_auth, &no_keyring()).expect("no auth");
        assert_eq!(s.credentials, Credentials::None);
        // Half a pair in the environment names the missing half, even with
        // a usable profile.
        let err = resolve_with(Some(TWO), &[(ENV_PUBLIC_KEY, "p")], &none, &no_keyring())
            .expect_err("half");
        assert!(
            err.message
                .starts_with("MONGODB_ATLAS_PUBLIC_KEY is set but MONGODB_ATLAS_PRIVATE_API_KEY"),
            "{err}"
        );
        let err =
            resolve_with(None, &[(ENV_CLIENT_ID, "id")], &none, &no_keyring()).expect_err("half");
        assert!(
            err.message.starts_with(
                "MONGODB_ATLAS_CLIENT_ID is set but MONGODB_ATLAS_CLIENT_SECRET is not"
            ),
            "{err}"
        );
        // A profile without credentials, and a missing profile.
        let bare = "[default]\nproject_id = \"p\"\n";
        let err = resolve_with(Some(bare), &[], &none, &no_keyring()).expect_err("bare");
        assert!(err.message.contains("profile \"default\""), "{err}");
        assert!(err.message.contains("has none"), "{err}");
        let other = Options {
            profile: Some("nope".into()),
            ..Options::default()
        };
        let err = resolve_with(Some(TWO), &[], &other, &no_keyring()).expect_err("nope");
        assert!(
            err.message.contains("profile \"nope\" not found in ")
                && err.message.contains("(profiles there: default, work)"),
            "{err}"
        );
        let err = resolve_with(None, &[], &other, &no_keyring()).expect_err("no file");
        assert!(err.message.contains("does not exist"), "{err}");
        let err = resolve_with(Some("[default\n"), &[], &none, &no_keyring()).expect_err("toml");
        assert!(err.message.contains("is not valid TOML"), "{err}");
    }

    #[test]
    fn secrets_in_the_keyring_are_read_or_reported() {
        let none = Options::default();
        let v2 = "version = 2\n[default]\nauth_type = \"api_keys\"\norg_id = \"o\"\n";
        let full = keyring(&[
            ("atlascli_default", "public_api_key", "kpub"),
            ("atlascli_default", "private_api_key", "kpriv"),
        ]);
        let s = resolve_with(Some(v2), &[], &none, &full).expect("keyring");
        assert_eq!(
            s.credentials,
            Credentials::ApiKey {
                public_key: "kpub".into(),
                private_key: "kpriv".into()
            }
        );
        assert_eq!(s.credentials_source, Source::Keyring);
        // One key missing: the profile, the service and the key are named.
        let half = keyring(&[("atlascli_default", "public_api_key", "kpub")]);
        let err = resolve_with(Some(v2), &[], &none, &half).expect_err("half");
        assert!(
            err.message.contains("profile \"default\"")
                && err.message.contains("service \"atlascli_default\"")
                && err.message.contains("has private_api_key")
                && !err.message.contains("cannot be read"),
            "{err}"
        );
        // No keyring here: said so, with the reason.
        let err = resolve_with(Some(v2), &[], &none, &no_keyring()).expect_err("none");
        assert!(
            err.message.contains("auth_type = \"api_keys\"")
                && err.message.contains("public_api_key or private_api_key")
                && err
                    .message
                    .contains("the keyring cannot be read here (no D-Bus session)"),
            "{err}"
        );
        // A service account in the keyring; the environment still wins.
        let sa = "[default]\nauth_type = \"service_account\"\n";
        let ring = keyring(&[
            ("atlascli_default", "client_id", "id"),
            ("atlascli_default", "client_secret", "secret"),
        ]);
        let s = resolve_with(Some(sa), &[], &none, &ring).expect("sa");
        assert!(matches!(s.credentials, Credentials::ServiceAccount { .. }));
        let s = resolve_with(
            Some(sa),
            &[(ENV_PUBLIC_KEY, "a"), (ENV_PRIVATE_KEY, "b")],
            &none,
            &no_keyring(),
        )
        .expect("env wins, keyring untouched");
        assert!(matches!(s.credentials, Credentials::ApiKey { .. }));
        // A user login's access token.
        let user = "[default]\nauth_type = \"user_account\"\n";
        let ring = keyring(&[("atlascli_default", "access_token", "tok")]);
        let s = resolve_with(Some(user), &[], &none, &ring).expect("user");
        assert_eq!(s.credentials, Credentials::AccessToken("tok".into()));
        let err = resolve_with(Some(user), &[], &none, &no_keyring()).expect_err("user");
        assert!(err.message.contains("access_token"), "{err}");
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let shown = format!(
            "{:?} {:?} {:?}",
            Credentials::ApiKey {
                public_key: "pub".into(),
                private_key: "SECRET1".into()
            },
            Credentials::ServiceAccount {
                client_id: "id".into(),
                client_secret: "SECRET2".into()
            },
            Credentials::AccessToken("SECRET3".into())
        );
        assert!(!shown.contains("SECRET"), "{shown}");
        assert!(shown.contains("pub") && shown.contains("id"), "{shown}");
    }

    #[test]
    fn go_keyring_hex_encoding_is_undone() {
        assert_eq!(decode_go_keyring("plain".into()), "plain");
        assert_eq!(
            decode_go_keyring("go-keyring-encoded:610a62".into()),
            "a\nb"
        );
        assert_eq!(
            decode_go_keyring("go-keyring-encoded:zz".into()),
            "go-keyring-encoded:zz"
        );
    }
}
