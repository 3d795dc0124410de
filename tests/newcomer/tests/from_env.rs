//! `Client::from_env` as a newcomer uses it: credentials and the base URL
//! from the environment (one test in this binary, as it sets variables).

use atlas_admin_api::Client;
use serde_json::json;
use wiremock::matchers::{header, method, path};
use wiremock::{Mock, MockServer, ResponseTemplate};

#[tokio::test]
async fn from_env_reads_the_service_account_and_the_base_url() {
    let server = MockServer::start().await;
    Mock::given(method("POST"))
        .and(path("/api/oauth/token"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "access_token": "tok", "token_type": "Bearer", "expires_in": 3600
        })))
        .expect(1)
        .mount(&server)
        .await;
    Mock::given(method("GET"))
        .and(header("authorization", "Bearer tok"))
        .respond_with(ResponseTemplate::new(200).set_body_json(json!({
            "results": [], "totalCount": 0
        })))
        .expect(1)
        .mount(&server)
        .await;
    // The Atlas CLI's names of the endpoint win over the alias this test sets.
    for name in [
        "MONGODB_ATLAS_PUBLIC_KEY",
        "MONGODB_ATLAS_PRIVATE_KEY",
        "MONGODB_ATLAS_OPS_MANAGER_URL",
        "MONGODB_ATLAS_BASE_URL",
        "MONGODB_ATLAS_SERVICE",
    ] {
        std::env::remove_var(name);
    }
    let missing = Client::from_env().expect_err("no credentials yet");
    assert!(
        missing.to_string().contains("MONGODB_ATLAS_CLIENT_ID"),
        "{missing}"
    );
    std::env::set_var("MONGODB_ATLAS_CLIENT_ID", "mdb_sa_id_newcomer");
    std::env::set_var("MONGODB_ATLAS_CLIENT_SECRET", "mdb_sa_sk_newcomer");
    // The deprecated alias of MONGODB_ATLAS_BASE_URL, still read
    // (generated/tests/one_environment.rs exports the Atlas CLI's name).
    std::env::set_var("ATLAS_BASE_URL", server.uri());
    let client = Client::from_env().expect("configured");
    let page = client
        .list_export_buckets()
        .group_id("32b6e34b3d91647abb20e7b8")
        .send()
        .await
        .expect("listed");
    assert_eq!(page.results.len(), 0);
}
