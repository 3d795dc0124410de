//! The credentials of the environment and of a profile (its properties,
//! the OS keyring), over the runtime's one model of credentials
//! ([`Credentials`], [`CredentialKind`], [`ENV_PAIRS`]).

use atlas_admin_runtime::credentials::{CredentialKind, Credentials, EnvFound, ENV_PAIRS};

use super::{ProfileRef, SecretStore, Settings, Source, KEYRING_SERVICE_PREFIX};
use super::{ENV_CLIENT_ID, ENV_CLIENT_SECRET, ENV_PRIVATE_API_KEY, ENV_PUBLIC_API_KEY};
use super::{ENV_PRIVATE_KEY, ENV_PUBLIC_KEY};
use crate::error::CliError;

/// What a profile's `auth_type` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum AuthType {
    /// `no_auth`: no credentials.
    NoAuth,
    /// `user_account`: the access token of `atlas auth login`.
    UserAccount,
    /// `service_account` or `api_keys`: a pair of values.
    Pair(CredentialKind),
}

impl AuthType {
    /// Every `auth_type` the Atlas CLI writes.
    const ALL: [AuthType; 4] = [
        AuthType::Pair(CredentialKind::ApiKey),
        AuthType::Pair(CredentialKind::ServiceAccount),
        AuthType::UserAccount,
        AuthType::NoAuth,
    ];

    /// Its value in the file.
    fn name(self) -> &'static str {
        match self {
            AuthType::NoAuth => "no_auth",
            AuthType::UserAccount => "user_account",
            AuthType::Pair(kind) => kind.auth_type(),
        }
    }

    /// The `auth_type` of a profile; an error naming one atlas-api does not
    /// know.
    fn parse(value: &str, profile: &ProfileRef) -> Result<Self, CliError> {
        Self::ALL
            .into_iter()
            .find(|t| t.name() == value)
            .ok_or_else(|| {
                let known: Vec<&str> = Self::ALL.iter().map(|t| t.name()).collect();
                CliError::usage(format!(
                    "profile \"{}\" ({}) has auth_type = \"{value}\", which atlas-api does not know (it knows {})",
                    profile.name,
                    profile.file.display(),
                    known.join(", ")
                ))
            })
    }
}

/// A complete pair from the environment (the first of [`ENV_PAIRS`] that
/// is set), an error for half a pair, or `None`.
pub(super) fn env_credentials(
    env: &dyn Fn(&str) -> Option<String>,
) -> Result<Option<(Credentials, Source)>, CliError> {
    for pair in &ENV_PAIRS {
        match pair.read(env) {
            None => continue,
            Some(EnvFound::Complete { credentials, var }) => {
                return Ok(Some((credentials, Source::Env(var))))
            }
            Some(EnvFound::Half { set, first }) => {
                return Err(CliError::usage(half_pair(pair.kind, set, first)))
            }
        }
    }
    Ok(None)
}

/// The message for half a pair in the environment: `set` is set, the other
/// half (the secret when `first`) is not.
fn half_pair(kind: CredentialKind, set: &str, first: bool) -> String {
    match (kind, first) {
        (CredentialKind::ServiceAccount, true) => format!(
            "{set} is set but {ENV_CLIENT_SECRET} is not: a service account needs both"
        ),
        (CredentialKind::ServiceAccount, false) => {
            format!("{set} is set but {ENV_CLIENT_ID} is not: a service account needs both")
        }
        (CredentialKind::ApiKey, true) => format!(
            "{set} is set but {ENV_PRIVATE_API_KEY} (or {ENV_PRIVATE_KEY}) is not: an API key needs its private key too"
        ),
        (CredentialKind::ApiKey, false) => format!(
            "{set} is set but {ENV_PUBLIC_API_KEY} (or {ENV_PUBLIC_KEY}) is not: an API key needs its public key too"
        ),
    }
}

/// A profile's properties and its entries in the OS keyring.
struct ProfileSecrets<'a> {
    profile: &'a ProfileRef,
    props: &'a dyn Fn(&str) -> Option<String>,
    secrets: &'a dyn SecretStore,
    /// `atlascli_<profile>`.
    service: String,
}

impl ProfileSecrets<'_> {
    /// The pair of `kind` from the file, the missing halves from the
    /// keyring; `Ok(None)` when neither has any of it and the profile's
    /// `auth_type` does not ask for it (`required`).
    fn pair(
        &self,
        kind: CredentialKind,
        required: Option<&str>,
    ) -> Result<Option<(Credentials, Source)>, CliError> {
        let [a, b] = kind.properties();
        let (in_a, in_b) = ((self.props)(a), (self.props)(b));
        if let (Some(va), Some(vb)) = (&in_a, &in_b) {
            return Ok(Some((
                kind.credentials(va.clone(), vb.clone()),
                Source::Profile(a),
            )));
        }
        let mut missing = Vec::new();
        let mut keyring_error = None;
        let mut lookup = |key: &str, found: Option<String>| -> Option<String> {
            if found.is_some() {
                return found;
            }
            match self.secrets.get(&self.service, key) {
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
            return Ok(Some((kind.credentials(va, vb), Source::Keyring)));
        }
        let in_file = in_a.is_some() || in_b.is_some();
        if required.is_none() && !in_file && missing.len() == 2 {
            return Ok(None);
        }
        let why = match required {
            Some(t) => format!("auth_type = \"{t}\""),
            None => format!("it has {}", if in_a.is_some() { a } else { b }),
        };
        let (name, file, service) = (
            &self.profile.name,
            self.profile.file.display(),
            &self.service,
        );
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
    }

    /// The tokens of a user account: the access token and its refresh
    /// token from the file, else both from the keyring.
    fn access_token(&self) -> Result<(Credentials, Source), CliError> {
        if let Some(token) = (self.props)("access_token") {
            return Ok((
                user_account(token, (self.props)("refresh_token")),
                Source::Profile("access_token"),
            ));
        }
        match self.secrets.get(&self.service, "access_token") {
            Ok(Some(token)) if !token.is_empty() => {
                let refresh = match self.secrets.get(&self.service, "refresh_token") {
                    Ok(found) => found.filter(|r| !r.is_empty()),
                    Err(_) => None,
                };
                Ok((user_account(token, refresh), Source::Keyring))
            }
            other => {
                let reason = match other {
                    Err(err) => format!(": the keyring cannot be read here ({err})"),
                    _ => String::new(),
                };
                let (name, file, service) = (
                    &self.profile.name,
                    self.profile.file.display(),
                    &self.service,
                );
                Err(CliError::usage(format!(
                    "profile \"{name}\" ({file}) logs in as a user (auth_type = \"user_account\"), but neither the file nor the OS keyring (service \"{service}\") has its access_token{reason}. Run `atlas auth login --profile {name}`, set the MONGODB_ATLAS_* variables, or pass --no-auth"
                )))
            }
        }
    }

    /// Without `auth_type`: whatever the file holds, the keyring completing
    /// a half pair; a service account first, as the Atlas CLI does.
    fn whatever_is_there(&self) -> Result<Option<(Credentials, Source)>, CliError> {
        for kind in CredentialKind::ALL {
            let [a, b] = kind.properties();
            if (self.props)(a).is_some() || (self.props)(b).is_some() {
                if let Some(found) = self.pair(kind, None)? {
                    return Ok(Some(found));
                }
            }
        }
        Ok((self.props)("access_token").map(|token| {
            (
                user_account(token, (self.props)("refresh_token")),
                Source::Profile("access_token"),
            )
        }))
    }
}

fn user_account(access_token: String, refresh_token: Option<String>) -> Credentials {
    Credentials::UserAccount {
        access_token,
        refresh_token,
    }
}

/// The profile's credentials: what its `auth_type` names (an unknown one
/// is an error), from its properties, the missing secrets from the
/// keyring; without `auth_type`, whatever it holds.
pub(super) fn profile_credentials(
    profile: &ProfileRef,
    props: &dyn Fn(&str) -> Option<String>,
    secrets: &dyn SecretStore,
) -> Result<(Credentials, Source), CliError> {
    let store = ProfileSecrets {
        profile,
        props,
        secrets,
        service: format!("{KEYRING_SERVICE_PREFIX}{}", profile.name),
    };
    let auth_type = props("auth_type")
        .map(|t| AuthType::parse(&t, profile))
        .transpose()?;
    let found = match auth_type {
        Some(AuthType::NoAuth) => Some((Credentials::None, Source::Profile("auth_type"))),
        Some(AuthType::UserAccount) => Some(store.access_token()?),
        Some(t @ AuthType::Pair(kind)) => store.pair(kind, Some(t.name()))?,
        None => store.whatever_is_there()?,
    };
    found.ok_or_else(|| {
        no_credentials(&Settings {
            profile: Some(profile.clone()),
            config_file: Some(profile.file.clone()),
            ..Settings::empty()
        })
    })
}

/// The message when no credentials are set anywhere.
pub(super) fn no_credentials(settings: &Settings) -> CliError {
    let profile = match (&settings.profile, &settings.config_file) {
        (Some(p), _) => format!("profile \"{}\" ({}) has none", p.name, p.file.display()),
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
