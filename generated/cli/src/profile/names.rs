//! The environment variables `atlas-api` reads besides the credentials'
//! (the runtime's), and the names the Atlas CLI's files and keyring use.

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
