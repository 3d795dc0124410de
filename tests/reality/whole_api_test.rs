//! The reality suite for a crate of the whole Atlas API (copied into the
//! crate `tests/tests/full_spec.rs` generates from the combined spec, with
//! the fixtures beside it in `tests/reality/`, and run there with the
//! `cli` feature): the documented cluster requests (`"crate": "combined"`)
//! are expressed by the typed request types and sent unchanged through the
//! library and through `atlas-api clusters createCluster --file`, and a
//! documented error keeps its code. A loopback server records what arrives.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpListener;
use std::sync::mpsc;

use atlas_admin_api::cli_runtime::{self as rt, profile};
use atlas_admin_api::models::{
    CloudRegionConfig20240805Request, ClusterDescription20240805Request,
};
use atlas_admin_api::{cli, Client};
use serde_json::Value;

const GROUP: &str = "68b48f4e7af6b0372e8d18f1";

fn fixtures(name: &str, list: &str) -> Vec<Value> {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/reality")
        .join(name);
    let doc: Value =
        serde_json::from_str(&std::fs::read_to_string(file).expect("fixture")).expect("JSON");
    doc[list].as_array().expect("list").clone()
}

fn combined_requests() -> Vec<Value> {
    fixtures("requests.json", "requests")
        .into_iter()
        .filter(|r| r["crate"] == "combined")
        .collect()
}

/// What one request brought: request line, content type, body.
struct Received {
    line: String,
    content_type: String,
    body: Vec<u8>,
}

/// A loopback server answering each of `answers` (status, body) to one
/// connection, in order, and handing what it received to the channel.
fn serve(answers: Vec<(u16, String)>) -> (String, mpsc::Receiver<Received>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let url = format!("http://{}", listener.local_addr().expect("addr"));
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        for (status, answer) in answers {
            let Ok((stream, _)) = listener.accept() else {
                return;
            };
            let mut reader = BufReader::new(stream.try_clone().expect("clone"));
            let mut line = String::new();
            reader.read_line(&mut line).expect("request line");
            let (mut length, mut content_type) = (0usize, String::new());
            loop {
                let mut header = String::new();
                reader.read_line(&mut header).expect("header");
                let header = header.trim_end();
                if header.is_empty() {
                    break;
                }
                if let Some((name, value)) = header.split_once(':') {
                    match name.to_ascii_lowercase().as_str() {
                        "content-length" => length = value.trim().parse().expect("length"),
                        "content-type" => content_type = value.trim().to_owned(),
                        _ => {}
                    }
                }
            }
            let mut body = vec![0; length];
            reader.read_exact(&mut body).expect("body");
            let mut stream = stream;
            let reply = format!(
                "HTTP/1.1 {status} X\r\ncontent-type: application/json\r\ncontent-length: {}\r\nconnection: close\r\n\r\n{answer}",
                answer.len()
            );
            stream.write_all(reply.as_bytes()).expect("reply");
            let _ = tx.send(Received {
                line: line.trim_end().to_owned(),
                content_type,
                body,
            });
        }
    });
    (url, rx)
}

#[test]
fn the_typed_cluster_request_expresses_analytics_read_only_nodes_and_auto_scaling_bounds() {
    for case in combined_requests() {
        let name = case["name"].as_str().expect("name");
        let body = &case["body"];
        let typed: ClusterDescription20240805Request =
            serde_json::from_value(body.clone()).unwrap_or_else(|e| panic!("{name}: {e}"));
        let region = &typed.replication_specs.as_ref().expect("replicationSpecs")[0]
            .region_configs
            .as_ref()
            .expect("regionConfigs")[0];
        let CloudRegionConfig20240805Request::Aws(aws) = region else {
            panic!("{name}: {region:?}")
        };
        assert!(aws.analytics_specs.is_some(), "{name}");
        assert!(aws.read_only_specs.is_some(), "{name}");
        let compute = aws
            .auto_scaling
            .as_ref()
            .and_then(|a| a.compute.as_ref())
            .expect("autoScaling.compute");
        assert_eq!(
            compute.max_instance_size.as_ref().map(|m| m.as_str()),
            Some("M60")
        );
        assert_eq!(
            compute.min_instance_size.as_ref().map(|m| m.as_str()),
            Some("M30")
        );
        // Nothing is lost: encoded again, it is the documented body.
        assert_eq!(
            &serde_json::to_value(&typed).expect("encodes"),
            body,
            "{name}"
        );
    }
}

#[tokio::test]
async fn documented_cluster_requests_are_sent_unchanged_by_the_library() {
    for case in combined_requests() {
        let name = case["name"].as_str().expect("name");
        let body = case["body"].clone();
        let (url, received) = serve(vec![(201, r#"{"name": "analytics0"}"#.to_owned()); 2]);
        let client = Client::builder().base_url(&url).build().expect("client");
        // As raw JSON (checked, then sent as given) ...
        client
            .create_cluster()
            .group_id(GROUP)
            .raw_body(body.clone())
            .strict_body(true)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        // ... and typed.
        let typed: ClusterDescription20240805Request =
            serde_json::from_value(body.clone()).expect("typed");
        client
            .create_cluster()
            .group_id(GROUP)
            .body(typed)
            .send()
            .await
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        for _ in 0..2 {
            let got = received.recv().expect("a request");
            assert_eq!(
                got.line,
                format!("POST /api/atlas/v2/groups/{GROUP}/clusters HTTP/1.1"),
                "{name}"
            );
            assert_eq!(
                got.content_type, "application/vnd.atlas.2024-10-23+json",
                "{name}"
            );
            let sent: Value = serde_json::from_slice(&got.body).expect("JSON");
            assert_eq!(sent, body, "{name}: sent unchanged");
        }
    }
}

#[tokio::test]
async fn documented_cluster_requests_are_sent_unchanged_by_atlas_api_create_cluster() {
    for case in combined_requests() {
        let name = case["name"].as_str().expect("name");
        let body = case["body"].clone();
        let dir = std::env::temp_dir().join(format!("atlas-reality-{}", std::process::id()));
        std::fs::create_dir_all(&dir).expect("dir");
        let file = dir.join(format!("{name}.json"));
        std::fs::write(&file, body.to_string()).expect("write");
        let (url, received) = serve(vec![(201, r#"{"name": "analytics0"}"#.to_owned())]);
        let file_arg = file.to_string_lossy().into_owned();
        let args = [
            "atlas-api",
            "clusters",
            "createCluster",
            "--groupId",
            GROUP,
            "--file",
            &file_arg,
            "--base-url",
            &url,
            "--no-auth",
            "--strict",
        ];
        let matches = cli::command()
            .try_get_matches_from(args)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let options = profile::Options {
            profile: None,
            base_url: Some(url.clone()),
            no_auth: true,
            no_token_cache: true,
        };
        let keyring = profile::os_keyring();
        let settings = profile::resolve(&options, &|_| None, keyring.as_ref()).expect("settings");
        let prepared = rt::prepare(&matches, cli::TAGS, &settings, false).expect("prepared");
        let client = Client::builder().base_url(&url).build().expect("client");
        rt::execute(&client, &prepared)
            .await
            .unwrap_or_else(|e| panic!("{name}: {}", e.message));
        let got = received.recv().expect("a request");
        assert_eq!(
            got.content_type, "application/vnd.atlas.2024-10-23+json",
            "{name}"
        );
        let sent: Value = serde_json::from_slice(&got.body).expect("JSON");
        assert_eq!(sent, body, "{name}: sent unchanged");
        let _ = std::fs::remove_dir_all(&dir);
    }
}

#[tokio::test]
async fn a_documented_error_keeps_its_code() {
    for case in fixtures("errors.json", "errors") {
        let name = case["name"].as_str().expect("name");
        let body = &case["body"];
        let status = u16::try_from(case["status"].as_u64().expect("status")).expect("u16");
        let (url, _received) = serve(vec![(status, body.to_string())]);
        let client = Client::builder()
            .base_url(&url)
            .retry(atlas_admin_api::RetryPolicy::none())
            .build()
            .expect("client");
        let err = client
            .get_cluster()
            .group_id(GROUP)
            .cluster_name("my-cluster")
            .send()
            .await
            .expect_err(name);
        let code = body["errorCode"].as_str().expect("code");
        assert!(err.is_error_code(code), "{name}: {err}");
        assert_eq!(
            err.parameters(),
            body["parameters"]
                .as_array()
                .expect("parameters")
                .as_slice(),
            "{name}"
        );
    }
}
