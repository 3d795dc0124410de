//! `cargo xtask spec fetch`: MongoDB's published Atlas Admin API spec (and,
//! on request, the Atlas CLI's overlays) downloaded into a folder.
//!
//! MongoDB publishes the spec in github.com/mongodb/openapi: the combined
//! spec (every API version of every operation) is `openapi/v2.yaml`, one
//! spec per API version `openapi/v2/openapi-YYYY-MM-DD.yaml`. The Atlas CLI
//! (github.com/mongodb/mongodb-atlas-cli) downloads the combined one weekly
//! and applies the OpenAPI Overlays of `tools/internal/specs/overlays/`,
//! which give `atlas api` its watchers and `--projectId`.
//!
//! What is fetched is checked before it is kept: an HTTP error, an HTML page
//! where YAML was expected, a body shorter than its `Content-Length`, a
//! document that is not OpenAPI 3.0 or a SHA-256 other than `--sha256` is an
//! error, and nothing is written under the final names (each file is
//! written beside its destination and renamed into place when whole; the
//! overlays folder is replaced as a whole).
//!
//! Requests go through reqwest with the runtime's TLS (rustls, the bundled
//! web roots and the operating system's) and its settings: the proxies of
//! `HTTPS_PROXY`/`HTTP_PROXY`/`ALL_PROXY` (and `NO_PROXY`), and the extra
//! root certificates of the PEM file named by `ATLAS_CA_CERT`
//! ([`ENV_CA_CERT`], the runtime's `ENV_CA_CERT`).

use std::fmt::Write as _;
use std::path::{Path, PathBuf};
use std::time::Duration;

use sha2::{Digest, Sha256};

/// Where GitHub serves repository files (`<owner>/<repo>/<ref>/<path>`).
pub const DEFAULT_RAW_URL: &str = "https://raw.githubusercontent.com";
/// GitHub's REST API (a ref's commit, a folder's listing).
pub const DEFAULT_API_URL: &str = "https://api.github.com";
/// The repository MongoDB publishes the spec in.
pub const SPEC_REPO: &str = "mongodb/openapi";
/// The Atlas CLI's repository.
pub const CLI_REPO: &str = "mongodb/mongodb-atlas-cli";
/// The Atlas CLI's overlays folder.
pub const OVERLAYS_PATH: &str = "tools/internal/specs/overlays";
/// The file naming extra root certificates (PEM), as the runtime reads it.
pub const ENV_CA_CERT: &str = "ATLAS_CA_CERT";

/// What to fetch and from where.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FetchOptions {
    /// The folder to write into (created if missing).
    pub out: PathBuf,
    /// A branch, tag or commit of mongodb/openapi.
    pub git_ref: String,
    /// A per-version spec (`YYYY-MM-DD`) instead of the combined one.
    pub version: Option<String>,
    /// Fetch the Atlas CLI's overlays too, at this ref of its repository.
    pub overlays: Option<String>,
    /// The SHA-256 the spec must have (hex).
    pub sha256: Option<String>,
    /// Where repository files are served.
    pub raw_url: String,
    /// Where GitHub's API is served.
    pub api_url: String,
}

impl FetchOptions {
    /// The defaults: the combined spec of `main`, no overlays, from GitHub.
    pub fn new(out: impl Into<PathBuf>) -> Self {
        Self {
            out: out.into(),
            git_ref: "main".into(),
            version: None,
            overlays: None,
            sha256: None,
            raw_url: DEFAULT_RAW_URL.into(),
            api_url: DEFAULT_API_URL.into(),
        }
    }

    /// The spec's path in mongodb/openapi.
    pub fn spec_path(&self) -> String {
        match &self.version {
            Some(date) => format!("openapi/v2/openapi-{date}.yaml"),
            None => "openapi/v2.yaml".into(),
        }
    }
}

/// What was fetched.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fetched {
    /// The spec file written.
    pub spec: PathBuf,
    /// The URL it came from.
    pub url: String,
    /// The commit of mongodb/openapi the ref named, when GitHub said.
    pub commit: Option<String>,
    /// `info.x-xgen-sha`.
    pub xgen_sha: Option<String>,
    /// SHA-256 of the spec (hex).
    pub sha256: String,
    /// Its size in bytes.
    pub bytes: usize,
    /// The overlays folder and its files, when asked for.
    pub overlays: Option<(PathBuf, Vec<String>)>,
    /// What could not be learnt (the commit), for stderr.
    pub notes: Vec<String>,
}

impl Fetched {
    /// The report printed on stdout.
    pub fn report(&self) -> String {
        let mut out = String::new();
        let _ = writeln!(out, "spec:        {}", self.spec.display());
        let _ = writeln!(out, "source:      {}", self.url);
        let _ = writeln!(
            out,
            "commit:      {}",
            self.commit.as_deref().unwrap_or("unknown")
        );
        let _ = writeln!(
            out,
            "x-xgen-sha:  {}",
            self.xgen_sha.as_deref().unwrap_or("none")
        );
        let _ = writeln!(out, "sha256:      {}", self.sha256);
        let _ = writeln!(out, "size:        {} bytes", self.bytes);
        if let Some((dir, names)) = &self.overlays {
            let _ = writeln!(
                out,
                "overlays:    {} ({} files: {})",
                dir.display(),
                names.len(),
                names.join(", ")
            );
        }
        out
    }
}

/// An HTTP client with the runtime's TLS and proxy settings.
pub fn http_client() -> Result<reqwest::blocking::Client, String> {
    let mut builder = reqwest::blocking::Client::builder()
        .user_agent(concat!("atlas-admin-api-xtask/", env!("CARGO_PKG_VERSION")))
        .connect_timeout(Duration::from_secs(30))
        .timeout(Duration::from_secs(300));
    if let Some(path) = std::env::var_os(ENV_CA_CERT).filter(|p| !p.is_empty()) {
        let what = format!("{ENV_CA_CERT}={}", path.to_string_lossy());
        let pem = std::fs::read(&path).map_err(|e| format!("{what}: {e}"))?;
        let certs =
            reqwest::Certificate::from_pem_bundle(&pem).map_err(|e| format!("{what}: {e}"))?;
        if certs.is_empty() {
            return Err(format!("{what}: no PEM certificate in the file"));
        }
        for cert in certs {
            builder = builder.add_root_certificate(cert);
        }
    }
    builder.build().map_err(|e| format!("HTTP client: {e}"))
}

/// GETs `url` whole: an error names the URL and says what went wrong
/// (status, a body cut short).
fn get(client: &reqwest::blocking::Client, url: &str, accept: &str) -> Result<Vec<u8>, String> {
    let response = client
        .get(url)
        .header(reqwest::header::ACCEPT, accept)
        .send()
        .map_err(|e| format!("GET {url}: {}", error_chain(&e)))?;
    let status = response.status();
    if !status.is_success() {
        let hint = if status == reqwest::StatusCode::NOT_FOUND {
            " (no such file at that ref: check --ref and --version)"
        } else if status == reqwest::StatusCode::FORBIDDEN
            || status == reqwest::StatusCode::TOO_MANY_REQUESTS
        {
            " (GitHub's rate limit? try again later)"
        } else {
            ""
        };
        return Err(format!("GET {url}: HTTP {status}{hint}"));
    }
    let expected = response.content_length();
    let body = response.bytes().map_err(|e| {
        format!(
            "GET {url}: the body was cut short{}: {}",
            expected.map_or(String::new(), |n| format!(" (Content-Length {n})")),
            error_chain(&e)
        )
    })?;
    if let Some(n) = expected {
        if body.len() as u64 != n {
            return Err(format!(
                "GET {url}: truncated body: {} of {n} bytes",
                body.len()
            ));
        }
    }
    Ok(body.to_vec())
}

fn error_chain(err: &dyn std::error::Error) -> String {
    let mut out = err.to_string();
    let mut source = err.source();
    while let Some(cause) = source {
        let _ = write!(out, ": {cause}");
        source = cause.source();
    }
    out
}

/// Whether a body is an HTML page (GitHub's error or login pages) rather
/// than the YAML or JSON asked for.
fn is_html(body: &[u8]) -> bool {
    let start: Vec<u8> = body
        .iter()
        .skip_while(|b| b.is_ascii_whitespace())
        .take(64)
        .map(u8::to_ascii_lowercase)
        .collect();
    start.starts_with(b"<!doctype html") || start.starts_with(b"<html") || start.starts_with(b"<")
}

/// `body` read as an OpenAPI 3.0 document: its `info.x-xgen-sha`.
fn check_spec(url: &str, body: &[u8]) -> Result<Option<String>, String> {
    if is_html(body) {
        return Err(format!(
            "GET {url}: got an HTML page, not the YAML spec (a proxy's or GitHub's page?)"
        ));
    }
    let text = std::str::from_utf8(body).map_err(|e| format!("GET {url}: not UTF-8 text: {e}"))?;
    let value: serde_yaml::Value = serde_yaml::from_str(text).map_err(|e| {
        format!("GET {url}: not a whole YAML document (truncated or not YAML): {e}")
    })?;
    let version = value
        .get("openapi")
        .and_then(serde_yaml::Value::as_str)
        .unwrap_or_default();
    if !version.starts_with("3.0") {
        return Err(format!(
            "GET {url}: not an OpenAPI 3.0 document (openapi: {version:?})"
        ));
    }
    serde_yaml::from_value::<openapiv3::OpenAPI>(value.clone())
        .map_err(|e| format!("GET {url}: not a valid OpenAPI 3.0 document: {e}"))?;
    Ok(value
        .get("info")
        .and_then(|i| i.get("x-xgen-sha"))
        .and_then(serde_yaml::Value::as_str)
        .map(str::to_owned))
}

/// The commit `git_ref` names in `repo`, asked of GitHub's API; `Err`
/// says why not (the download then uses the ref itself).
fn resolve_commit(
    client: &reqwest::blocking::Client,
    api_url: &str,
    repo: &str,
    git_ref: &str,
) -> Result<String, String> {
    if git_ref.len() == 40 && git_ref.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(git_ref.to_ascii_lowercase());
    }
    let url = format!("{api_url}/repos/{repo}/commits/{git_ref}");
    let body = get(client, &url, "application/vnd.github.sha")?;
    let sha = String::from_utf8_lossy(&body).trim().to_owned();
    if sha.len() == 40 && sha.bytes().all(|b| b.is_ascii_hexdigit()) {
        Ok(sha)
    } else {
        Err(format!("GET {url}: not a commit id"))
    }
}

/// Writes `bytes` to `path` through a temporary file beside it, renamed
/// into place.
fn write_whole(path: &Path, bytes: &[u8]) -> Result<(), String> {
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    std::fs::create_dir_all(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    let mut tmp =
        tempfile::NamedTempFile::new_in(dir).map_err(|e| format!("{}: {e}", dir.display()))?;
    std::io::Write::write_all(&mut tmp, bytes).map_err(|e| format!("{}: {e}", path.display()))?;
    tmp.as_file()
        .sync_all()
        .map_err(|e| format!("{}: {e}", path.display()))?;
    tmp.persist(path)
        .map_err(|e| format!("{}: {}", path.display(), e.error))?;
    Ok(())
}

/// An overlay file fetched: its name and bytes.
type OverlayFile = (String, Vec<u8>);

/// The overlay files of the Atlas CLI's folder at `git_ref`, each checked
/// to be an OpenAPI Overlay document: (name, bytes).
fn fetch_overlays(
    client: &reqwest::blocking::Client,
    options: &FetchOptions,
    git_ref: &str,
) -> Result<(Vec<OverlayFile>, String), String> {
    let (commit, note) = match resolve_commit(client, &options.api_url, CLI_REPO, git_ref) {
        Ok(sha) => (sha, String::new()),
        Err(why) => (git_ref.to_owned(), why),
    };
    let url = format!(
        "{}/repos/{CLI_REPO}/contents/{OVERLAYS_PATH}?ref={commit}",
        options.api_url
    );
    let listing = get(client, &url, "application/vnd.github+json")?;
    let entries: Vec<serde_json::Value> = serde_json::from_slice(&listing)
        .map_err(|e| format!("GET {url}: not a folder listing: {e}"))?;
    let mut files = Vec::new();
    for entry in entries {
        let name = entry["name"].as_str().unwrap_or_default();
        let is_file = entry["type"].as_str() == Some("file");
        let wanted = [".yaml", ".yml", ".json"]
            .iter()
            .any(|ext| name.ends_with(ext));
        if !is_file || !wanted || name.contains('/') || name.starts_with('.') {
            continue;
        }
        let file_url = format!(
            "{}/{CLI_REPO}/{commit}/{OVERLAYS_PATH}/{name}",
            options.raw_url
        );
        let body = get(client, &file_url, "*/*")?;
        if is_html(&body) {
            return Err(format!("GET {file_url}: got an HTML page, not an overlay"));
        }
        let value: serde_yaml::Value = serde_yaml::from_slice(&body)
            .map_err(|e| format!("GET {file_url}: not a whole YAML document: {e}"))?;
        if value.get("overlay").is_none() || value.get("actions").is_none() {
            return Err(format!(
                "GET {file_url}: not an OpenAPI Overlay document (no `overlay` and `actions`)"
            ));
        }
        files.push((name.to_owned(), body));
    }
    if files.is_empty() {
        return Err(format!("GET {url}: no overlay files in the folder"));
    }
    files.sort();
    Ok((files, note))
}

/// Replaces the folder `dir` with one holding `files`, built beside it and
/// renamed into place.
fn replace_dir(dir: &Path, files: &[OverlayFile]) -> Result<(), String> {
    let parent = dir.parent().unwrap_or(Path::new("."));
    std::fs::create_dir_all(parent).map_err(|e| format!("{}: {e}", parent.display()))?;
    let staging = tempfile::Builder::new()
        .prefix(".overlays-")
        .tempdir_in(parent)
        .map_err(|e| format!("{}: {e}", parent.display()))?;
    for (name, bytes) in files {
        std::fs::write(staging.path().join(name), bytes)
            .map_err(|e| format!("{}: {e}", staging.path().display()))?;
    }
    let old = parent.join(format!(
        ".{}.old",
        dir.file_name().unwrap_or_default().to_string_lossy()
    ));
    let _ = std::fs::remove_dir_all(&old);
    if dir.exists() {
        std::fs::rename(dir, &old).map_err(|e| format!("{}: {e}", dir.display()))?;
    }
    let staged = staging.keep();
    if let Err(e) = std::fs::rename(&staged, dir) {
        let _ = std::fs::rename(&old, dir);
        let _ = std::fs::remove_dir_all(&staged);
        return Err(format!("{}: {e}", dir.display()));
    }
    let _ = std::fs::remove_dir_all(&old);
    Ok(())
}

/// Fetches what `options` names; everything is downloaded and checked
/// before anything is written.
pub fn fetch(options: &FetchOptions) -> Result<Fetched, String> {
    if let Some(date) = &options.version {
        if !atlas_codegen::rules::is_date(date) {
            return Err(format!("--version {date:?}: expected a date, YYYY-MM-DD"));
        }
    }
    let pinned = match &options.sha256 {
        Some(hex) => {
            let hex = hex.trim().to_ascii_lowercase();
            if hex.len() != 64 || !hex.bytes().all(|b| b.is_ascii_hexdigit()) {
                return Err(format!("--sha256 {hex:?}: expected 64 hex digits"));
            }
            Some(hex)
        }
        None => None,
    };
    let client = http_client()?;
    let mut notes = Vec::new();
    let commit = match resolve_commit(&client, &options.api_url, SPEC_REPO, &options.git_ref) {
        Ok(sha) => Some(sha),
        Err(why) => {
            notes.push(format!(
                "note: the commit of {SPEC_REPO} {} is unknown ({why}); fetched by the ref itself",
                options.git_ref
            ));
            None
        }
    };
    let at = commit.as_deref().unwrap_or(&options.git_ref);
    let path = options.spec_path();
    let url = format!("{}/{SPEC_REPO}/{at}/{path}", options.raw_url);
    let body = get(
        &client,
        &url,
        "application/yaml, text/yaml, text/plain, */*",
    )?;
    let sha256 = hex::encode(Sha256::digest(&body));
    if let Some(expected) = &pinned {
        if expected != &sha256 {
            return Err(format!(
                "GET {url}: SHA-256 mismatch: expected {expected}, got {sha256}; nothing written"
            ));
        }
    }
    let xgen_sha = check_spec(&url, &body)?;
    let overlays = match &options.overlays {
        Some(git_ref) => {
            let (files, note) = fetch_overlays(&client, options, git_ref)?;
            if !note.is_empty() {
                notes.push(format!(
                    "note: the commit of {CLI_REPO} {git_ref} is unknown ({note}); fetched by the ref itself"
                ));
            }
            Some(files)
        }
        None => None,
    };
    let file_name = path.rsplit('/').next().unwrap_or("v2.yaml");
    let spec = options.out.join(file_name);
    write_whole(&spec, &body)?;
    let overlays = match overlays {
        Some(files) => {
            let dir = options.out.join("overlays");
            replace_dir(&dir, &files)?;
            Some((dir, files.into_iter().map(|(name, _)| name).collect()))
        }
        None => None,
    };
    Ok(Fetched {
        spec,
        url,
        commit,
        xgen_sha,
        sha256,
        bytes: body.len(),
        overlays,
        notes,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_follow_mongodb_openapi() {
        let mut options = FetchOptions::new("/x");
        assert_eq!(options.spec_path(), "openapi/v2.yaml");
        options.version = Some("2024-08-05".into());
        assert_eq!(options.spec_path(), "openapi/v2/openapi-2024-08-05.yaml");
    }

    #[test]
    fn html_is_told_from_yaml() {
        assert!(is_html(b"\n  <!DOCTYPE html><html>"));
        assert!(is_html(b"<html><body>Sign in</body></html>"));
        assert!(!is_html(b"openapi: 3.0.1\ninfo: {}"));
        assert!(check_spec("u", b"<!doctype html>")
            .unwrap_err()
            .contains("HTML page"));
        assert!(check_spec(
            "u",
            b"openapi: 3.1.0\ninfo: {title: t, version: '1'}\npaths: {}\n"
        )
        .unwrap_err()
        .contains("not an OpenAPI 3.0"));
        assert!(
            check_spec("u", b"openapi: 3.0.1\ninfo: {title: t, version: '1'\n")
                .unwrap_err()
                .contains("not a whole YAML")
        );
        let ok = b"openapi: 3.0.1\ninfo: {title: t, version: '1', x-xgen-sha: abc}\npaths: {}\n";
        assert_eq!(check_spec("u", ok), Ok(Some("abc".into())));
    }
}
