//! Unit tests.
use super::*;
use std::collections::HashMap;
use std::path::PathBuf;

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
    let odd = "[x]\nservice = \"ops-manager\"\npublic_api_key = \"a\"\nprivate_api_key = \"b\"\n";
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
    assert_eq!(err.exit_code, crate::EXIT_USAGE);
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
    let err =
        resolve_with(Some(TWO), &[(ENV_PUBLIC_KEY, "p")], &none, &no_keyring()).expect_err("half");
    assert!(
        err.message
            .starts_with("MONGODB_ATLAS_PUBLIC_KEY is set but MONGODB_ATLAS_PRIVATE_API_KEY"),
        "{err}"
    );
    let err = resolve_with(None, &[(ENV_CLIENT_ID, "id")], &none, &no_keyring()).expect_err("half");
    assert!(
        err.message
            .starts_with("MONGODB_ATLAS_CLIENT_ID is set but MONGODB_ATLAS_CLIENT_SECRET is not"),
        "{err}"
    );
    // A profile without credentials, and a missing profile.
    let bare = "[default]\nproject_id = \"p\"\n";
    let err = resolve_with(Some(bare), &[], &none, &no_keyring()).expect_err("bare");
    assert!(err.message.contains("profile \"default\""), "{err}");
    assert!(err.message.contains("has none"), "{err}");
    // An auth_type atlas-api does not know is named, even when the file
    // holds keys (they are not taken for an API key).
    let odd = "[default]\nauth_type = \"oidc\"\npublic_api_key = \"a\"\nprivate_api_key = \"b\"\n";
    let err = resolve_with(Some(odd), &[], &none, &no_keyring()).expect_err("unknown auth_type");
    assert!(
        err.message
            .contains("has auth_type = \"oidc\", which atlas-api does not know")
            && err
                .message
                .contains("api_keys, service_account, user_account, no_auth"),
        "{err}"
    );
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
    let ring = keyring(&[
        ("atlascli_default", "access_token", "tok"),
        ("atlascli_default", "refresh_token", "ref"),
    ]);
    let s = resolve_with(Some(user), &[], &none, &ring).expect("user");
    assert_eq!(
        s.credentials,
        Credentials::UserAccount {
            access_token: "tok".into(),
            refresh_token: Some("ref".into())
        }
    );
    let login = s.login.expect("a login");
    assert_eq!(
        (login.profile.as_str(), &login.home, login.gov),
        ("default", &LoginHome::Keyring, false)
    );
    // In the file with its refresh token, on Atlas for Government.
    let in_file = "[default]\nauth_type = \"user_account\"\naccess_token = \"a\"\nrefresh_token = \"r\"\nservice = \"cloudgov\"\naccount_url = \"https://account.example\"\n";
    let s = resolve_with(Some(in_file), &[], &none, &no_keyring()).expect("file");
    assert_eq!(
        s.credentials,
        Credentials::UserAccount {
            access_token: "a".into(),
            refresh_token: Some("r".into())
        }
    );
    let login = s.login.expect("a login");
    assert!(matches!(&login.home, LoginHome::File(f) if f.ends_with("config.toml")));
    assert!(login.gov);
    assert_eq!(
        login.account_url.as_deref(),
        Some("https://account.example")
    );
    // Other credentials have no login.
    assert!(resolve_with(
        Some(sa),
        &[],
        &none,
        &keyring(&[
            ("atlascli_default", "client_id", "id"),
            ("atlascli_default", "client_secret", "secret"),
        ])
    )
    .expect("sa")
    .login
    .is_none());
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
        Credentials::UserAccount {
            access_token: "SECRET3".into(),
            refresh_token: Some("SECRET4".into())
        }
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
