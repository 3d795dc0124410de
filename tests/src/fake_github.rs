//! GitHub as `cargo xtask spec fetch` sees it, on loopback: the raw files
//! of mongodb/openapi and of the Atlas CLI's overlays folder
//! (`/<owner>/<repo>/<commit>/<path>`), a ref's commit
//! (`/repos/<owner>/<repo>/commits/<ref>`) and a folder's listing
//! (`/repos/<owner>/<repo>/contents/<path>?ref=<commit>`), as
//! raw.githubusercontent.com and api.github.com answer them. Files come from
//! the test (a spec written for it, or the upstream ones of
//! `ATLAS_SPECS_DIR`). Some refs misbehave on purpose: `html` answers an
//! HTML page, `cut` a body shorter than its `Content-Length`, `gone` 404.

use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Mutex};

/// The commit every good ref of mongodb/openapi names.
pub const SPEC_COMMIT: &str = "1111111111111111111111111111111111111111";
/// The commit every good ref of the Atlas CLI names.
pub const CLI_COMMIT: &str = "2222222222222222222222222222222222222222";

/// A running fake; it stops when the test process ends.
pub struct FakeGitHub {
    /// `http://127.0.0.1:<port>`.
    pub url: String,
    /// Every request path, in order.
    pub requests: Arc<Mutex<Vec<String>>>,
}

/// What the fake serves: the files of mongodb/openapi by path
/// (`openapi/v2.yaml`), and the overlay files by name.
#[derive(Clone, Default)]
pub struct Files {
    /// mongodb/openapi files, by path.
    pub spec: BTreeMap<String, Vec<u8>>,
    /// Files of the Atlas CLI's overlays folder, by name.
    pub overlays: BTreeMap<String, Vec<u8>>,
}

impl FakeGitHub {
    /// Starts serving `files` on an ephemeral loopback port.
    pub fn start(files: Files) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
        let url = format!("http://{}", listener.local_addr().expect("address"));
        let requests = Arc::new(Mutex::new(Vec::new()));
        let seen = requests.clone();
        let files = Arc::new(files);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let files = files.clone();
                let seen = seen.clone();
                std::thread::spawn(move || serve(stream, &files, &seen));
            }
        });
        Self { url, requests }
    }
}

fn respond(stream: &mut TcpStream, status: &str, content_type: &str, body: &[u8], cut: bool) {
    let length = if cut { body.len() * 2 } else { body.len() };
    let head = format!(
        "HTTP/1.1 {status}\r\nContent-Type: {content_type}\r\nContent-Length: {length}\r\nConnection: close\r\n\r\n"
    );
    let _ = stream.write_all(head.as_bytes());
    let _ = stream.write_all(body);
    let _ = stream.flush();
}

fn serve(mut stream: TcpStream, files: &Files, seen: &Mutex<Vec<String>>) {
    let mut reader = BufReader::new(stream.try_clone().expect("clone"));
    let mut line = String::new();
    if reader.read_line(&mut line).is_err() {
        return;
    }
    // The rest of the head.
    loop {
        let mut header = String::new();
        match reader.read_line(&mut header) {
            Ok(0) | Err(_) => break,
            Ok(_) if header == "\r\n" => break,
            Ok(_) => {}
        }
    }
    let target = line.split_whitespace().nth(1).unwrap_or("/").to_owned();
    seen.lock().expect("lock").push(target.clone());
    let (path, query) = target.split_once('?').unwrap_or((&target, ""));
    let parts: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let not_found = |stream: &mut TcpStream| {
        respond(
            stream,
            "404 Not Found",
            "text/plain",
            b"404: Not Found",
            false,
        )
    };
    match parts.as_slice() {
        ["repos", "mongodb", repo, "commits", git_ref] => {
            let commit = match (*repo, *git_ref) {
                (_, "gone") => return not_found(&mut stream),
                // The ref names a commit only the raw host knows.
                ("openapi", "html" | "cut") => git_ref.to_string(),
                ("openapi", _) => SPEC_COMMIT.to_owned(),
                ("mongodb-atlas-cli", _) => CLI_COMMIT.to_owned(),
                _ => return not_found(&mut stream),
            };
            if commit.len() != 40 {
                // GitHub answers a bad ref with 422; the fetch goes on by ref.
                return respond(
                    &mut stream,
                    "422 Unprocessable Entity",
                    "application/json",
                    b"{}",
                    false,
                );
            }
            respond(
                &mut stream,
                "200 OK",
                "application/vnd.github.sha",
                commit.as_bytes(),
                false,
            )
        }
        ["repos", "mongodb", "mongodb-atlas-cli", "contents", rest @ ..] => {
            let folder = rest.join("/");
            if folder != "tools/internal/specs/overlays" || query != format!("ref={CLI_COMMIT}") {
                return not_found(&mut stream);
            }
            let listing: Vec<serde_json::Value> = files
                .overlays
                .keys()
                .map(|name| {
                    serde_json::json!({
                        "name": name,
                        "path": format!("{folder}/{name}"),
                        "type": "file",
                        "download_url": format!("https://raw.githubusercontent.com/mongodb/mongodb-atlas-cli/{CLI_COMMIT}/{folder}/{name}"),
                    })
                })
                .chain(std::iter::once(serde_json::json!({
                    "name": "README.md", "path": format!("{folder}/README.md"), "type": "file"
                })))
                .collect();
            let body = serde_json::to_vec(&listing).expect("json");
            respond(&mut stream, "200 OK", "application/json", &body, false)
        }
        ["mongodb", "openapi", git_ref, rest @ ..] => {
            let file = rest.join("/");
            match (*git_ref, files.spec.get(&file)) {
                ("html", _) => respond(
                    &mut stream,
                    "200 OK",
                    "text/html",
                    b"<!DOCTYPE html><html><body>Sign in to GitHub</body></html>",
                    false,
                ),
                ("cut", Some(body)) => {
                    respond(&mut stream, "200 OK", "text/plain", body, true);
                }
                (SPEC_COMMIT, Some(body)) => {
                    respond(&mut stream, "200 OK", "text/plain", body, false)
                }
                _ => not_found(&mut stream),
            }
        }
        ["mongodb", "mongodb-atlas-cli", CLI_COMMIT, rest @ ..] => {
            let file = rest.join("/");
            match file
                .strip_prefix("tools/internal/specs/overlays/")
                .and_then(|name| files.overlays.get(name))
            {
                Some(body) => respond(&mut stream, "200 OK", "text/plain", body, false),
                None => not_found(&mut stream),
            }
        }
        _ => not_found(&mut stream),
    }
}
