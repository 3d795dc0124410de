//! An HTTPS server on loopback whose certificate a private CA signed, as a
//! company's Ops Manager or TLS-inspecting proxy presents one: `rcgen`
//! makes the CA and a leaf for `127.0.0.1` and `localhost`, `tokio-rustls`
//! serves it. Every request is answered `200` with an empty page of
//! results, whatever it asks. Shared by the runtime's TLS suites and the
//! `atlas-api` suite (`generated/tests/cli.rs`).

#![allow(dead_code)]

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use rcgen::{
    BasicConstraints, CertificateParams, DnType, ExtendedKeyUsagePurpose, IsCa, KeyPair,
    KeyUsagePurpose,
};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;
use tokio_rustls::rustls::pki_types::{CertificateDer, PrivateKeyDer, PrivatePkcs8KeyDer};
use tokio_rustls::rustls::ServerConfig;
use tokio_rustls::TlsAcceptor;

/// The body of every answer: an empty page, as a list operation answers.
pub const PAGE: &str = r#"{"results":[],"totalCount":0}"#;

/// A running server: its base URL, the CA's certificate (PEM) that
/// clients must trust, and counts of what happened.
pub struct TlsServer {
    /// `https://127.0.0.1:PORT`.
    pub base: String,
    /// The private CA's certificate, PEM.
    pub ca_pem: String,
    /// Requests answered (after a handshake that succeeded).
    pub requests: Arc<AtomicUsize>,
    /// Handshakes the client broke off (it did not trust the certificate).
    pub refused_handshakes: Arc<AtomicUsize>,
}

impl TlsServer {
    /// Starts the server on an ephemeral port of 127.0.0.1.
    pub async fn start() -> TlsServer {
        let mut ca = CertificateParams::new(Vec::<String>::new()).expect("CA params");
        ca.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
        ca.distinguished_name
            .push(DnType::CommonName, "atlas-admin-api test CA");
        ca.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        let ca_key = KeyPair::generate().expect("CA key");
        let ca_cert = ca.self_signed(&ca_key).expect("CA certificate");

        let mut leaf = CertificateParams::new(vec!["127.0.0.1".to_owned(), "localhost".to_owned()])
            .expect("leaf params");
        leaf.distinguished_name
            .push(DnType::CommonName, "localhost");
        leaf.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
        let leaf_key = KeyPair::generate().expect("leaf key");
        let leaf_cert = leaf
            .signed_by(&leaf_key, &ca_cert, &ca_key)
            .expect("leaf certificate");

        let provider = Arc::new(tokio_rustls::rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("protocol versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![CertificateDer::from(leaf_cert.der().to_vec())],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(leaf_key.serialize_der())),
            )
            .expect("server config");
        let acceptor = TlsAcceptor::from(Arc::new(config));
        let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
        let base = format!("https://{}", listener.local_addr().expect("addr"));
        let requests = Arc::new(AtomicUsize::new(0));
        let refused_handshakes = Arc::new(AtomicUsize::new(0));
        let (answered, refused) = (requests.clone(), refused_handshakes.clone());
        tokio::spawn(async move {
            while let Ok((tcp, _)) = listener.accept().await {
                let (acceptor, answered, refused) =
                    (acceptor.clone(), answered.clone(), refused.clone());
                tokio::spawn(async move {
                    let Ok(mut tls) = acceptor.accept(tcp).await else {
                        refused.fetch_add(1, Ordering::SeqCst);
                        return;
                    };
                    // One request per connection: read its head, answer, close.
                    let mut head = Vec::new();
                    let mut buf = [0u8; 4096];
                    while !head.windows(4).any(|w| w == b"\r\n\r\n") {
                        match tls.read(&mut buf).await {
                            Ok(0) | Err(_) => return,
                            Ok(n) => head.extend_from_slice(&buf[..n]),
                        }
                    }
                    answered.fetch_add(1, Ordering::SeqCst);
                    let answer = format!(
                        "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{PAGE}",
                        PAGE.len()
                    );
                    let _ = tls.write_all(answer.as_bytes()).await;
                    let _ = tls.shutdown().await;
                });
            }
        });
        TlsServer {
            base,
            ca_pem: ca_cert.pem(),
            requests,
            refused_handshakes,
        }
    }

    /// The same server by name (`https://localhost:PORT`).
    pub fn base_by_name(&self) -> String {
        self.base.replace("127.0.0.1", "localhost")
    }
}
