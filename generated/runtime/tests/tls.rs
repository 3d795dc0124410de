//! TLS with a private CA, for real: an HTTPS server on loopback whose
//! certificate a CA of the test's own signed (`support/tls_server.rs`).
//! The default client refuses it and says it is a certificate problem,
//! once (retrying cannot help); trusting the CA's PEM through the builder,
//! or a caller's own `reqwest::Client` that trusts it, gets through. The
//! `ATLAS_CA_CERT` variable is tested in its own binary (`tls_env.rs`), so
//! that no other test sees it.

use std::sync::atomic::Ordering;

use atlas_admin_runtime::{ApiRequest, Auth, Error, StatusCode, Transport};
use serde_json::Value;

#[path = "support/tls_server.rs"]
mod tls_server;
use tls_server::{TlsServer, PAGE};

fn list_request() -> ApiRequest {
    ApiRequest::new(
        reqwest::Method::GET,
        "/api/atlas/v2/groups/{groupId}/backup/exportBuckets",
        &["32b6e34b3d91647abb20e7b8"],
        "application/vnd.atlas.2024-05-30+json",
    )
}

#[tokio::test]
async fn a_private_ca_is_refused_by_default_as_a_certificate_problem() {
    let server = TlsServer::start().await;
    let client = Transport::builder()
        .base_url(&server.base)
        .auth(Auth::bearer("t0k3n"))
        .build()
        .expect("client");
    let err = client
        .execute::<Value>(list_request())
        .await
        .expect_err("untrusted certificate");
    let Error::Communication { source, attempts } = &err else {
        panic!("{err:?}");
    };
    assert!(source.is_certificate(), "{err}");
    assert_eq!(*attempts, 1, "a certificate problem is not retried");
    let shown = err.to_string();
    assert!(
        shown.contains("certificate") && shown.contains("ATLAS_CA_CERT"),
        "{shown}"
    );
    println!("without the CA: {shown}");
    // The server sees the client's alert a moment later.
    for _ in 0..100 {
        if server.refused_handshakes.load(Ordering::SeqCst) > 0 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    assert_eq!(server.refused_handshakes.load(Ordering::SeqCst), 1);
    assert_eq!(server.requests.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn the_private_ca_given_to_the_builder_is_trusted() {
    let server = TlsServer::start().await;
    // As a user would: the PEM file their company hands out.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("company-ca.pem");
    std::fs::write(&path, &server.ca_pem).expect("PEM file");
    for base in [server.base.clone(), server.base_by_name()] {
        let client = Transport::builder()
            .base_url(&base)
            .auth(Auth::bearer("t0k3n"))
            .add_root_certificate_pem(std::fs::read(&path).expect("read PEM"))
            .build()
            .expect("client");
        let raw = client
            .execute::<Value>(list_request())
            .await
            .unwrap_or_else(|err| panic!("{base}: {err}"));
        assert_eq!(raw.status(), StatusCode::OK);
        assert_eq!(raw.body().as_ref(), PAGE.as_bytes());
    }
    assert_eq!(server.requests.load(Ordering::SeqCst), 2);
    assert_eq!(server.refused_handshakes.load(Ordering::SeqCst), 0);

    // A file that holds no certificate is an error when the client is
    // built, not a silently empty trust store.
    let err = Transport::builder()
        .base_url(&server.base)
        .add_root_certificate_pem(b"not a certificate".to_vec())
        .build()
        .expect_err("no certificate");
    assert!(err.message().contains("no PEM certificate"), "{err}");
}

#[tokio::test]
async fn a_callers_own_client_trusting_the_ca_is_used() {
    let server = TlsServer::start().await;
    let ca = reqwest::Certificate::from_pem(server.ca_pem.as_bytes()).expect("CA");
    let own = reqwest::Client::builder()
        .add_root_certificate(ca)
        .build()
        .expect("reqwest client");
    let client = Transport::builder()
        .base_url(&server.base)
        .http_client(own)
        .build()
        .expect("client");
    let raw = client
        .execute::<Value>(list_request())
        .await
        .expect("trusted by the caller's client");
    assert_eq!(raw.status(), StatusCode::OK);
}
