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
