//! The real binary: bootstrap, serve over TCP, answer with the printed token, stop on SIGTERM.

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use crate::helpers::TestDb;

fn http(port: u16, method: &str, path: &str, token: &str, body: Option<&str>) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
    let body = body.unwrap_or("");
    write!(
        s,
        "{method} {path} HTTP/1.1\r\nHost: localhost\r\nAuthorization: Bearer {token}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut out = String::new();
    s.read_to_string(&mut out).unwrap();
    let status = out.split(' ').nth(1).unwrap().parse().unwrap();
    (status, out)
}

#[tokio::test]
async fn binary_bootstraps_serves_and_stops() {
    let db = TestDb::new().await;
    let bin = env!("CARGO_BIN_EXE_kontrol");
    let out = Command::new(bin)
        .args([
            "bootstrap",
            "--database",
            &db.url,
            "--org",
            "Smoke",
            "--email",
            "ops@example.com",
        ])
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let token = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();
    assert!(token.starts_with("kpat_"), "{token}");
    // Idempotent: a second run makes no duplicates and prints a fresh token.
    let out2 = Command::new(bin)
        .args([
            "bootstrap",
            "--database",
            &db.url,
            "--org",
            "Smoke",
            "--email",
            "ops@example.com",
        ])
        .output()
        .unwrap();
    let token2 = String::from_utf8(out2.stdout)
        .unwrap()
        .lines()
        .last()
        .unwrap()
        .trim()
        .to_string();
    assert_ne!(token, token2);

    let port = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().port()
    };
    let mut child = Command::new(bin)
        .args(["serve", "--listen", &format!("127.0.0.1:{port}"), "--database", &db.url])
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        for line in BufReader::new(stderr).lines().map_while(Result::ok) {
            if line.contains("listening") {
                let _ = tx.send(());
            }
        }
    });
    let started = Instant::now();
    rx.recv_timeout(Duration::from_secs(60))
        .expect("server started listening");
    assert!(started.elapsed() < Duration::from_secs(60));

    let (s, body) = http(port, "GET", "/v3/users", &token2, None);
    assert_eq!(s, 200, "{body}");
    assert_eq!(body.matches("ops@example.com").count(), 1, "one admin user: {body}");
    let (s, body) = http(port, "POST", "/v3/teams", &token, Some(r#"{"name":"smoke team"}"#));
    assert_eq!(s, 201, "{body}");
    let (s, _) = http(port, "GET", "/v3/users", "kpat_wrong", None);
    assert_eq!(s, 401);

    // A client stalled half-way through its headers neither keeps its connection forever nor
    // holds up a stop.
    let mut stalled = TcpStream::connect(("127.0.0.1", port)).unwrap();
    stalled
        .write_all(b"GET /v3/users HTTP/1.1\r\nHost: localhost\r\n")
        .unwrap();

    // SIGTERM stops it cleanly.
    let pid = child.id().to_string();
    Command::new("kill").args(["-TERM", &pid]).status().unwrap();
    let deadline = Instant::now() + Duration::from_secs(20);
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            assert!(status.success(), "exit status {status}");
            break;
        }
        assert!(Instant::now() < deadline, "server did not stop on SIGTERM");
        let _ = &stalled;
        std::thread::sleep(Duration::from_millis(50));
    }
}
