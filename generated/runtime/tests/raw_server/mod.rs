//! A raw TCP server on loopback for the transport suites: each connection
//! goes to a handler on its own thread, which writes whatever bytes (and
//! pauses) the test needs; nothing in the way between it and the client.

use std::io::Read;
use std::net::{TcpListener, TcpStream};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// Starts a server; returns its base URL and the count of connections so
/// far. `behave` gets each connection and its number (0 for the first).
pub fn raw_server(
    behave: impl Fn(TcpStream, usize) + Send + Sync + 'static,
) -> (String, Arc<AtomicUsize>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let connections = Arc::new(AtomicUsize::new(0));
    let count = connections.clone();
    let behave = Arc::new(behave);
    std::thread::spawn(move || {
        for stream in listener.incoming().flatten() {
            let n = count.fetch_add(1, Ordering::SeqCst);
            let behave = behave.clone();
            std::thread::spawn(move || behave(stream, n));
        }
    });
    (base, connections)
}

/// Reads one request: headers, then `Content-Length` bytes of body; returns
/// the head (request line and headers) as text.
pub fn read_request(stream: &mut TcpStream) -> String {
    let _ = stream.set_read_timeout(Some(Duration::from_secs(2)));
    let mut data = Vec::new();
    let mut buf = [0u8; 4096];
    loop {
        let Ok(n) = stream.read(&mut buf) else {
            return String::new();
        };
        if n == 0 {
            return String::new();
        }
        data.extend_from_slice(&buf[..n]);
        let text = String::from_utf8_lossy(&data);
        if let Some(end) = text.find("\r\n\r\n") {
            let length = text[..end]
                .lines()
                .find_map(|l| {
                    let (k, v) = l.split_once(':')?;
                    k.eq_ignore_ascii_case("content-length")
                        .then(|| v.trim().parse::<usize>().ok())?
                })
                .unwrap_or(0);
            if data.len() >= end + 4 + length {
                return text[..end].to_owned();
            }
        }
    }
}
