//! The one model of credentials and of where they come from: what can be
//! sent ([`Credentials`]), the kinds that come as a pair of values
//! ([`CredentialKind`]: their environment variables, in the order they are
//! tried, and their properties in an Atlas CLI profile), and the table of
//! environment variables ([`ENV_PAIRS`]), and where another endpoint comes
//! from ([`BASE_URL_ENV`], [`ENV_SERVICE`]). [`crate::Auth::from_env`],
//! [`crate::TransportBuilder::with_env`] and the command line's profiles
//! (crate `atlas-admin-cli`) all read it, so the library and `atlas-api`
//! never disagree about one exported environment.
//! Vocabulary: it imports nothing of this crate (the way from
//! [`Credentials`] to an [`Auth`](crate::Auth), `to_auth`, is written with
//! the schemes, in `auth/`).

use std::fmt;

/// Environment variables read by [`crate::Auth::from_env`], in the order they are tried.
pub const ENV_CLIENT_ID: &str = "MONGODB_ATLAS_CLIENT_ID";
/// The service account's secret (see [`crate::Auth::from_env`]).
pub const ENV_CLIENT_SECRET: &str = "MONGODB_ATLAS_CLIENT_SECRET";
/// The programmatic API key's public part, as the Atlas CLI names it (see
/// [`crate::Auth::from_env`]).
pub const ENV_PUBLIC_API_KEY: &str = "MONGODB_ATLAS_PUBLIC_API_KEY";
/// The programmatic API key's private part, as the Atlas CLI names it.
pub const ENV_PRIVATE_API_KEY: &str = "MONGODB_ATLAS_PRIVATE_API_KEY";
/// The programmatic API key's public part, as the Go SDK and Terraform name
/// it (see [`crate::Auth::from_env`]).
pub const ENV_PUBLIC_KEY: &str = "MONGODB_ATLAS_PUBLIC_KEY";
/// The programmatic API key's private part, as the Go SDK and Terraform
/// name it.
pub const ENV_PRIVATE_KEY: &str = "MONGODB_ATLAS_PRIVATE_KEY";

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
    /// The login of `atlas auth login` (a user account): its access token
    /// is sent as a bearer token and renewed with its refresh token (see
    /// [`crate::UserAccount`]).
    UserAccount {
        /// The access token.
        access_token: String,
        /// The refresh token, when there is one.
        refresh_token: Option<String>,
    },
}

impl fmt::Debug for Credentials {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
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
            Credentials::UserAccount { .. } => f.write_str("UserAccount(..)"),
        }
    }
}

/// Credentials made of two values: an identifier and its secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// A service account: client id and client secret.
    ServiceAccount,
    /// A programmatic API key: public key and private key.
    ApiKey,
}

impl CredentialKind {
    /// Every kind, in the order they are tried (a service account first,
    /// as the Atlas CLI does).
    pub const ALL: [CredentialKind; 2] = [CredentialKind::ServiceAccount, CredentialKind::ApiKey];

    /// The credentials of this kind from its two values.
    pub fn credentials(self, first: String, second: String) -> Credentials {
        match self {
            CredentialKind::ServiceAccount => Credentials::ServiceAccount {
                client_id: first,
                client_secret: second,
            },
            CredentialKind::ApiKey => Credentials::ApiKey {
                public_key: first,
                private_key: second,
            },
        }
    }

    /// The environment variables of this kind: each half's names, in the
    /// order they are tried.
    pub const fn env(self) -> EnvPair {
        match self {
            CredentialKind::ServiceAccount => EnvPair {
                kind: self,
                first: &[ENV_CLIENT_ID],
                second: &[ENV_CLIENT_SECRET],
            },
            // The Atlas CLI's names first, then the Go SDK's and Terraform's.
            CredentialKind::ApiKey => EnvPair {
                kind: self,
                first: &[ENV_PUBLIC_API_KEY, ENV_PUBLIC_KEY],
                second: &[ENV_PRIVATE_API_KEY, ENV_PRIVATE_KEY],
            },
        }
    }

    /// The `auth_type` of an Atlas CLI profile that holds this kind.
    pub fn auth_type(self) -> &'static str {
        match self {
            CredentialKind::ServiceAccount => "service_account",
            CredentialKind::ApiKey => "api_keys",
        }
    }

    /// The two properties of an Atlas CLI profile (and keyring entries) that
    /// hold the values.
    pub fn properties(self) -> [&'static str; 2] {
        match self {
            CredentialKind::ServiceAccount => ["client_id", "client_secret"],
            CredentialKind::ApiKey => ["public_api_key", "private_api_key"],
        }
    }
}

/// The environment variables of one [`CredentialKind`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EnvPair {
    /// What the pair gives.
    pub kind: CredentialKind,
    /// The names of the identifier, in the order they are tried.
    pub first: &'static [&'static str],
    /// The names of the secret, in the order they are tried.
    pub second: &'static [&'static str],
}

/// The table of credential environment variables, in the order they are
/// tried: a service account, then an API key.
pub const ENV_PAIRS: [EnvPair; 2] = [
    CredentialKind::ServiceAccount.env(),
    CredentialKind::ApiKey.env(),
];

/// Another endpoint, the Atlas CLI's name (read first).
pub const ENV_OPS_MANAGER_URL: &str = "MONGODB_ATLAS_OPS_MANAGER_URL";

/// Another endpoint, the Atlas CLI's other name.
pub const ENV_BASE_URL: &str = "MONGODB_ATLAS_BASE_URL";

/// Another endpoint, this crate's former name: still read, after the
/// Atlas CLI's names (deprecated; see the changelog).
pub const ENV_BASE_URL_ALIAS: &str = "ATLAS_BASE_URL";

/// The environment variables of another endpoint, in the order they are
/// tried (an empty value counts as unset).
pub const BASE_URL_ENV: [&str; 3] = [ENV_OPS_MANAGER_URL, ENV_BASE_URL, ENV_BASE_URL_ALIAS];

/// `cloud` (Atlas) or `cloudgov` (Atlas for Government): read when no
/// variable of [`BASE_URL_ENV`] is set.
pub const ENV_SERVICE: &str = "MONGODB_ATLAS_SERVICE";

/// The endpoint of Atlas for Government (`service = "cloudgov"`).
pub const CLOUD_GOV_URL: &str = "https://cloud.mongodbgov.com";

/// The first variable of [`BASE_URL_ENV`] that is set, with its name.
pub fn base_url_from_env(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Option<(String, &'static str)> {
    BASE_URL_ENV.iter().find_map(|name| {
        lookup(name)
            .filter(|value| !value.is_empty())
            .map(|value| (value, *name))
    })
}

/// The endpoint of a service name (the value of [`ENV_SERVICE`] or of a
/// profile's `service`): `None` for Atlas (`cloud`, the default endpoint),
/// [`CLOUD_GOV_URL`] for `cloudgov`, an error message for anything else.
pub fn service_url(service: &str) -> Result<Option<&'static str>, String> {
    match service {
        "cloud" => Ok(None),
        "cloudgov" => Ok(Some(CLOUD_GOV_URL)),
        other => Err(format!(
            "unsupported service \"{other}\": Atlas (\"cloud\") or Atlas for Government (\"cloudgov\"); set {ENV_BASE_URL} for another endpoint"
        )),
    }
}

/// The endpoint the environment names: the first of [`BASE_URL_ENV`],
/// else the one of [`ENV_SERVICE`]; `Ok(None)` for the default endpoint.
pub fn endpoint_from_env(
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<String>, String> {
    if let Some((url, _)) = base_url_from_env(lookup) {
        return Ok(Some(url));
    }
    match lookup(ENV_SERVICE).filter(|value| !value.is_empty()) {
        None => Ok(None),
        Some(service) => service_url(&service)
            .map(|url| url.map(str::to_owned))
            .map_err(|problem| format!("{ENV_SERVICE}: {problem}")),
    }
}

/// What the environment holds of one [`EnvPair`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum EnvFound {
    /// Both values.
    Complete {
        /// The credentials.
        credentials: Credentials,
        /// The variable the identifier was read from.
        var: &'static str,
    },
    /// One half of the pair only.
    Half {
        /// The variable that is set.
        set: &'static str,
        /// Whether the set half is the identifier (the secret is missing).
        first: bool,
    },
}

impl EnvPair {
    /// The pair in the environment (`lookup` returns a variable's value;
    /// empty values count as unset), `None` when neither half is set.
    pub fn read(&self, lookup: &dyn Fn(&str) -> Option<String>) -> Option<EnvFound> {
        let half = |names: &'static [&'static str]| {
            names.iter().find_map(|name| {
                lookup(name)
                    .filter(|value| !value.is_empty())
                    .map(|value| (value, *name))
            })
        };
        match (half(self.first), half(self.second)) {
            (Some((first, var)), Some((second, _))) => Some(EnvFound::Complete {
                credentials: self.kind.credentials(first, second),
                var,
            }),
            (Some((_, set)), None) => Some(EnvFound::Half { set, first: true }),
            (None, Some((_, set))) => Some(EnvFound::Half { set, first: false }),
            (None, None) => None,
        }
    }
}

/// The first complete pair of [`ENV_PAIRS`] in the environment (half pairs
/// are passed over), with the variable its identifier was read from.
pub fn from_env(lookup: &dyn Fn(&str) -> Option<String>) -> Option<(Credentials, &'static str)> {
    ENV_PAIRS.iter().find_map(|pair| match pair.read(lookup)? {
        EnvFound::Complete { credentials, var } => Some((credentials, var)),
        EnvFound::Half { .. } => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        }
    }

    #[test]
    fn the_table_tries_a_service_account_then_each_name_of_an_api_key() {
        let vars = [(ENV_PUBLIC_KEY, "pub"), (ENV_PRIVATE_API_KEY, "priv")];
        assert_eq!(
            from_env(&env(&vars)),
            Some((
                Credentials::ApiKey {
                    public_key: "pub".into(),
                    private_key: "priv".into()
                },
                ENV_PUBLIC_KEY
            ))
        );
        let vars = [
            (ENV_CLIENT_ID, "id"),
            (ENV_CLIENT_SECRET, "sk"),
            (ENV_PUBLIC_API_KEY, "pub"),
            (ENV_PRIVATE_API_KEY, "priv"),
        ];
        assert!(matches!(
            from_env(&env(&vars)),
            Some((Credentials::ServiceAccount { .. }, ENV_CLIENT_ID))
        ));
    }

    #[test]
    fn half_pairs_and_empty_values_are_told_apart() {
        let sa = CredentialKind::ServiceAccount.env();
        assert_eq!(
            sa.read(&env(&[(ENV_CLIENT_SECRET, "sk")])),
            Some(EnvFound::Half {
                set: ENV_CLIENT_SECRET,
                first: false
            })
        );
        assert_eq!(
            sa.read(&env(&[(ENV_CLIENT_ID, ""), (ENV_CLIENT_SECRET, "")])),
            None
        );
        // A half service account is passed over by `from_env`.
        let vars = [
            (ENV_CLIENT_ID, "id"),
            (ENV_PUBLIC_API_KEY, "pub"),
            (ENV_PRIVATE_KEY, "priv"),
        ];
        assert!(matches!(
            from_env(&env(&vars)),
            Some((Credentials::ApiKey { .. }, ENV_PUBLIC_API_KEY))
        ));
    }

    #[test]
    fn the_endpoint_comes_from_the_atlas_cli_names_then_the_alias_then_the_service() {
        let url = |vars: &[(&str, &str)]| endpoint_from_env(&env(vars));
        assert_eq!(url(&[]), Ok(None));
        assert_eq!(
            url(&[
                (ENV_BASE_URL_ALIAS, "http://alias"),
                (ENV_BASE_URL, "http://base")
            ]),
            Ok(Some("http://base".into()))
        );
        assert_eq!(
            url(&[
                (ENV_BASE_URL, "http://base"),
                (ENV_OPS_MANAGER_URL, "http://om")
            ]),
            Ok(Some("http://om".into()))
        );
        assert_eq!(
            url(&[(ENV_BASE_URL, ""), (ENV_BASE_URL_ALIAS, "http://alias")]),
            Ok(Some("http://alias".into()))
        );
        assert_eq!(
            url(&[(ENV_SERVICE, "cloudgov")]),
            Ok(Some(CLOUD_GOV_URL.into()))
        );
        assert_eq!(
            url(&[(ENV_SERVICE, "cloudgov"), (ENV_BASE_URL, "http://base")]),
            Ok(Some("http://base".into()))
        );
        assert_eq!(url(&[(ENV_SERVICE, "cloud")]), Ok(None));
        let problem = url(&[(ENV_SERVICE, "moon")]).unwrap_err();
        assert!(
            problem.contains("MONGODB_ATLAS_SERVICE") && problem.contains("moon"),
            "{problem}"
        );
    }

    #[test]
    fn secrets_never_show_in_debug() {
        let text = format!(
            "{:?}",
            CredentialKind::ApiKey.credentials("pub".into(), "hidden".into())
        );
        assert!(text.contains("pub") && !text.contains("hidden"), "{text}");
    }
}
