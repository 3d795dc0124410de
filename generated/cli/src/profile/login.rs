//! The login of an `atlas auth login` profile (`auth_type =
//! "user_account"`): its tokens, where they are kept (the profile's table
//! in `config.toml`, or the OS keyring's `atlascli_<profile>` entries), and
//! the [`LoginStore`] that writes renewed tokens back there, so that the
//! next run (and the Atlas CLI) uses them.

use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use atlas_admin_runtime::files;
use atlas_admin_runtime::{
    LoginStore, RenewedLogin, UserAccount, ATLAS_CLI_CLIENT_ID, ATLAS_CLI_GOV_CLIENT_ID,
};

use super::file::read_profiles;
use super::{SecretStore, KEYRING_SERVICE_PREFIX};

/// Where a login's tokens are kept.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LoginHome {
    /// `access_token` and `refresh_token` of the profile's table in this
    /// configuration file.
    File(PathBuf),
    /// The OS keyring's entries `access_token` and `refresh_token` of
    /// service `atlascli_<profile>`.
    Keyring,
}

/// Where and how a user-account profile's login is renewed: its tokens
/// themselves are the settings' [`Credentials::UserAccount`](atlas_admin_runtime::credentials::Credentials).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Login {
    /// The profile's name (lowercase).
    pub profile: String,
    /// Where the tokens are kept (renewed ones are written back there).
    pub home: LoginHome,
    /// Whether the login is to Atlas for Government (`service =
    /// "cloudgov"`), whose Atlas CLI has its own OAuth client.
    pub gov: bool,
    /// The profile's `account_url`: where the Atlas CLI renews tokens, if
    /// not at the base URL.
    pub account_url: Option<String>,
}

impl Login {
    /// The client's credentials: `access_token`, renewed with
    /// `refresh_token` through the Atlas CLI's OAuth client and written
    /// back to the file or (through `secrets`) the keyring.
    pub fn account(
        &self,
        access_token: &str,
        refresh_token: Option<&str>,
        secrets: Arc<dyn SecretStore>,
    ) -> UserAccount {
        let client_id = if self.gov {
            ATLAS_CLI_GOV_CLIENT_ID
        } else {
            ATLAS_CLI_CLIENT_ID
        };
        let mut account = UserAccount::new(access_token, refresh_token.unwrap_or_default())
            .client_id(client_id)
            .store(ProfileLogin {
                profile: self.profile.clone(),
                home: self.home.clone(),
                secrets,
            });
        if let Some(url) = &self.account_url {
            account = account.auth_base_url(url);
        }
        account
    }
}

/// A profile's login as a [`LoginStore`].
#[derive(Clone)]
pub struct ProfileLogin {
    profile: String,
    home: LoginHome,
    secrets: Arc<dyn SecretStore>,
}

impl std::fmt::Debug for ProfileLogin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ProfileLogin")
            .field("profile", &self.profile)
            .field("home", &self.home)
            .finish_non_exhaustive()
    }
}

impl ProfileLogin {
    fn service(&self) -> String {
        format!("{KEYRING_SERVICE_PREFIX}{}", self.profile)
    }
}

impl LoginStore for ProfileLogin {
    fn load(&self) -> Result<Option<(String, String)>, String> {
        match &self.home {
            LoginHome::File(file) => {
                let profiles = read_profiles(file).map_err(|err| err.to_string())?;
                let props = profiles.as_ref().and_then(|p| p.get(&self.profile));
                let get = |k: &str| props.and_then(|p| p.get(k)).cloned();
                Ok(get("access_token").zip(get("refresh_token")))
            }
            LoginHome::Keyring => {
                let service = self.service();
                let access = self.secrets.get(&service, "access_token")?;
                let refresh = self.secrets.get(&service, "refresh_token")?;
                Ok(access.zip(refresh))
            }
        }
    }

    fn save(&self, renewed: &RenewedLogin) -> Result<(), String> {
        match &self.home {
            LoginHome::File(file) => write_tokens(
                file,
                &self.profile,
                renewed.access_token(),
                renewed.refresh_token(),
            ),
            LoginHome::Keyring => {
                let service = self.service();
                self.secrets
                    .set(&service, "access_token", renewed.access_token())?;
                self.secrets
                    .set(&service, "refresh_token", renewed.refresh_token())
            }
        }
    }
}

/// Sets `access_token` and `refresh_token` of `profile` (matched without
/// regard to case, as profiles are read) in the configuration `file`,
/// keeping the rest of the file as it is (comments and order included).
/// The new file replaces the old one at once (a temporary file renamed
/// over it, with the old file's permissions), so a reader never sees half.
pub fn write_tokens(file: &Path, profile: &str, access: &str, refresh: &str) -> Result<(), String> {
    let shown = file.display();
    let text =
        std::fs::read_to_string(file).map_err(|err| format!("cannot read {shown}: {err}"))?;
    let mut doc: toml_edit::DocumentMut = text
        .parse()
        .map_err(|err| format!("{shown} is not valid TOML: {err}"))?;
    let name = doc
        .iter()
        .map(|(k, _)| k.to_owned())
        .find(|k| k.eq_ignore_ascii_case(profile))
        .ok_or_else(|| format!("{shown} no longer has profile \"{profile}\""))?;
    let table = doc[&name]
        .as_table_mut()
        .ok_or_else(|| format!("profile \"{profile}\" of {shown} is not a table"))?;
    table["access_token"] = toml_edit::value(access);
    table["refresh_token"] = toml_edit::value(refresh);
    let mut temp = files::temp_beside(file, ".config-")
        .map_err(|err| format!("cannot write beside {shown}: {err}"))?;
    // The config file keeps its own permissions (it holds secrets).
    let written = temp.write_all(doc.to_string().as_bytes()).and_then(|()| {
        let permissions = std::fs::metadata(file)?.permissions();
        std::fs::set_permissions(temp.path(), permissions)
    });
    written.map_err(|err| format!("cannot write {shown}: {err}"))?;
    files::put_in_place(temp, file).map_err(|err| format!("cannot replace {shown}: {err}"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::profile::MemoryKeyring;

    #[test]
    fn tokens_are_written_into_the_profile_and_the_rest_is_kept() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("config.toml");
        let text = "# mine\nversion = 2\n\n[Work]\n  auth_type = \"user_account\" # login\n  access_token = \"old\"\n  refresh_token = \"r0\"\n\n[default]\norg_id = \"o\"\n";
        std::fs::write(&file, text).expect("write");
        write_tokens(&file, "work", "new", "r1").expect("written");
        let after = std::fs::read_to_string(&file).expect("read");
        assert_eq!(
            after,
            text.replace("\"old\"", "\"new\"")
                .replace("\"r0\"", "\"r1\"")
        );
        let err = write_tokens(&file, "gone", "a", "b").expect_err("no profile");
        assert!(err.contains("no longer has profile \"gone\""), "{err}");
        let err = write_tokens(&dir.path().join("none.toml"), "work", "a", "b").expect_err("none");
        assert!(err.starts_with("cannot read"), "{err}");
    }

    #[cfg(unix)]
    #[test]
    fn the_file_keeps_its_permissions() {
        use std::os::unix::fs::PermissionsExt as _;
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("config.toml");
        std::fs::write(&file, "[default]\naccess_token = \"a\"\n").expect("write");
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o640)).expect("chmod");
        write_tokens(&file, "default", "b", "c").expect("written");
        let mode = std::fs::metadata(&file).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }

    #[test]
    fn keyring_logins_are_loaded_and_saved_under_the_profile_service() {
        let ring = Arc::new(MemoryKeyring::default());
        let store = ProfileLogin {
            profile: "default".into(),
            home: LoginHome::Keyring,
            secrets: ring.clone(),
        };
        assert_eq!(store.load().expect("load"), None);
        ring.set("atlascli_default", "access_token", "a1")
            .expect("set");
        ring.set("atlascli_default", "refresh_token", "r1")
            .expect("set");
        assert_eq!(
            store.load().expect("load"),
            Some(("a1".to_owned(), "r1".to_owned()))
        );
        store
            .save(&RenewedLogin::new("a2", "r2", None))
            .expect("save");
        assert_eq!(
            store.load().expect("load"),
            Some(("a2".to_owned(), "r2".to_owned()))
        );
    }

    #[test]
    fn file_logins_are_loaded_and_saved_in_the_profile() {
        let dir = tempfile::tempdir().expect("dir");
        let file = dir.path().join("config.toml");
        std::fs::write(
            &file,
            "[Default]\naccess_token = \"a1\"\nrefresh_token = \"r1\"\n",
        )
        .expect("write");
        let store = ProfileLogin {
            profile: "default".into(),
            home: LoginHome::File(file.clone()),
            secrets: Arc::new(MemoryKeyring::default()),
        };
        assert_eq!(
            store.load().expect("load"),
            Some(("a1".to_owned(), "r1".to_owned()))
        );
        store
            .save(&RenewedLogin::new("a2", "r2", None))
            .expect("save");
        assert_eq!(
            store.load().expect("load"),
            Some(("a2".to_owned(), "r2".to_owned()))
        );
    }
}
