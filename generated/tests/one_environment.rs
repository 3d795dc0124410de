//! One exported environment serves the library and the command line: with
//! only the Atlas CLI's `MONGODB_ATLAS_BASE_URL` and a service account
//! exported, `Client::from_env()` and `atlas-api` both reach the same
//! loopback server (a mock Atlas that accepts only that service account's
//! tokens). A file of its own: it sets the test process's environment.

use std::process::{Command, Stdio};

use atlas_admin_api::mock::{MockAtlas, MockServer, Stub};
use atlas_admin_api::Client;

const ID: &str = "mdb_sa_id_one_environment";
const SECRET: &str = "mdb_sa_sk_one_environment";
const GROUP: &str = "32b6e34b3d91647abb20e7b8";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn from_env_and_atlas_api_read_the_same_base_url() {
    let mock =
        MockAtlas::start_with(MockServer::builder().require_service_account(ID, SECRET)).await;
    let list = mock
        .list_export_buckets()
        .group_id(GROUP)
        .respond_with_pages(Vec::new())
        .times(2);
    let exported = [
        ("MONGODB_ATLAS_BASE_URL", mock.uri().to_owned()),
        ("MONGODB_ATLAS_CLIENT_ID", ID.to_owned()),
        ("MONGODB_ATLAS_CLIENT_SECRET", SECRET.to_owned()),
    ];

    // The library, in this process: nothing but the exported variables.
    for name in [
        "MONGODB_ATLAS_OPS_MANAGER_URL",
        "ATLAS_BASE_URL",
        "MONGODB_ATLAS_SERVICE",
        "MONGODB_ATLAS_PUBLIC_API_KEY",
        "MONGODB_ATLAS_PRIVATE_API_KEY",
        "MONGODB_ATLAS_PUBLIC_KEY",
        "MONGODB_ATLAS_PRIVATE_KEY",
    ] {
        std::env::remove_var(name);
    }
    for (name, value) in &exported {
        std::env::set_var(name, value);
    }
    let client = Client::from_env().expect("a client from the environment");
    let page = client
        .list_export_buckets()
        .group_id(GROUP)
        .send()
        .await
        .expect("the library reaches the mock");
    assert!(page.results.is_empty());

    // The command line, in a process holding the same variables only.
    let home = tempfile::tempdir().expect("a home");
    let mut command = Command::new(env!("CARGO_BIN_EXE_atlas-api"));
    command
        .args(["cloudBackups", "listExportBuckets", "--groupId", GROUP])
        .arg("--no-token-cache")
        .env_clear()
        .env("HOME", home.path())
        .env(
            "DBUS_SESSION_BUS_ADDRESS",
            "unix:path=/nonexistent/atlas-api-tests/bus",
        )
        .envs(exported.iter().map(|(k, v)| (*k, v.as_str())))
        .stdin(Stdio::null());
    let output = tokio::task::spawn_blocking(move || command.output().expect("atlas-api runs"))
        .await
        .expect("the waiting thread");
    assert!(
        output.status.success(),
        "atlas-api reaches the mock: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    let body: serde_json::Value = serde_json::from_slice(&output.stdout).expect("JSON on stdout");
    assert_eq!(body["results"], serde_json::json!([]));

    // Both requests reached this server, each with the service account's token.
    assert_eq!(list.calls(), 2);
    mock.verify();
}
