//! `ATLAS_CA_CERT`: the PEM file it names is trusted by every client the
//! builder makes. Alone in its binary (and one test), since it sets a
//! process-wide variable.

use atlas_admin_runtime::{ApiRequest, Error, StatusCode, Transport, ENV_CA_CERT};
use serde_json::Value;

#[path = "support/tls_server.rs"]
mod tls_server;
use tls_server::TlsServer;

#[tokio::test]
async fn the_ca_named_by_atlas_ca_cert_is_trusted() {
    let server = TlsServer::start().await;
    let request = || {
        ApiRequest::new(
            reqwest::Method::GET,
            "/api/atlas/v2/groups/{groupId}/backup/exportBuckets",
            &["32b6e34b3d91647abb20e7b8"],
            "application/vnd.atlas.2024-05-30+json",
        )
    };
    let client = || Transport::builder().base_url(&server.base).build();

    // Unset: refused.
    std::env::remove_var(ENV_CA_CERT);
    let err = client()
        .expect("client")
        .execute::<Value>(request())
        .await
        .expect_err("untrusted");
    assert!(
        matches!(&err, Error::Communication { source, .. } if source.is_certificate()),
        "{err}"
    );

    // Set: trusted.
    let dir = tempfile::tempdir().expect("dir");
    let path = dir.path().join("ca.pem");
    std::fs::write(&path, &server.ca_pem).expect("PEM file");
    std::env::set_var(ENV_CA_CERT, &path);
    let raw = client()
        .expect("client")
        .execute::<Value>(request())
        .await
        .expect("trusted through ATLAS_CA_CERT");
    assert_eq!(raw.status(), StatusCode::OK);

    // A file that is not there: the error names the variable.
    std::env::set_var(ENV_CA_CERT, dir.path().join("missing.pem"));
    let err = client().expect_err("missing file");
    assert!(err.message().contains("ATLAS_CA_CERT="), "{err}");
    std::env::remove_var(ENV_CA_CERT);
}
