use axum::http::{Method, StatusCode};
use serde_json::json;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpListener;
use tokio::sync::mpsc;

use crate::helpers::{test_config, TestApp};
use kontrol::config::SmtpConfig;

/// A local SMTP sink: speaks enough SMTP for one client and hands each message's DATA over.
async fn smtp_sink() -> (u16, mpsc::UnboundedReceiver<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let port = listener.local_addr().unwrap().port();
    let (tx, rx) = mpsc::unbounded_channel();
    tokio::spawn(async move {
        while let Ok((sock, _)) = listener.accept().await {
            let tx = tx.clone();
            tokio::spawn(async move {
                let (r, mut w) = sock.into_split();
                let mut lines = BufReader::new(r).lines();
                w.write_all(b"220 sink ESMTP\r\n").await.ok()?;
                while let Ok(Some(line)) = lines.next_line().await {
                    let cmd = line.to_ascii_uppercase();
                    if cmd.starts_with("EHLO") || cmd.starts_with("HELO") {
                        w.write_all(b"250-sink\r\n250 8BITMIME\r\n").await.ok()?;
                    } else if cmd.starts_with("DATA") {
                        w.write_all(b"354 go ahead\r\n").await.ok()?;
                        let mut data = String::new();
                        while let Ok(Some(l)) = lines.next_line().await {
                            if l == "." {
                                break;
                            }
                            data.push_str(&l);
                            data.push('\n');
                        }
                        tx.send(data).ok()?;
                        w.write_all(b"250 queued\r\n").await.ok()?;
                    } else if cmd.starts_with("QUIT") {
                        w.write_all(b"221 bye\r\n").await.ok()?;
                        break;
                    } else {
                        w.write_all(b"250 ok\r\n").await.ok()?;
                    }
                }
                Some(())
            });
        }
    });
    (port, rx)
}

/// Pulls the invite secret out of an email body (quoted-printable line breaks undone).
fn token_from(mail: &str) -> String {
    let flat = mail.replace("=\n", "").replace("=3D", "=");
    let at = flat.find("token=").expect("link with token") + "token=".len();
    flat[at..at + 36].to_string()
}

async fn app_with_smtp() -> (TestApp, mpsc::UnboundedReceiver<String>) {
    let (port, rx) = smtp_sink().await;
    let mut cfg = test_config();
    cfg.smtp = Some(SmtpConfig {
        host: "127.0.0.1".into(),
        port,
        from: "kontrol@example.com".into(),
        username: None,
        password: None,
    });
    (TestApp::with_config(cfg).await, rx)
}

#[tokio::test]
async fn invite_by_email_and_accept() {
    let (app, mut inbox) = app_with_smtp().await;
    let (s, body) = app
        .post("/v2/invites", json!({"email": "New.Person@Example.com"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(body.is_null());
    let mail = inbox.recv().await.expect("an email");
    assert!(mail.contains("new.person@example.com"), "{mail}");
    let token = token_from(&mail);

    let (_, users) = app.get("/v3/users?filter[email]=new.person@example.com").await;
    assert_eq!(users["data"][0]["active"], false);
    let user_id = users["data"][0]["id"].as_str().unwrap().to_string();

    // Weak password, missing name.
    let (s, e) = app
        .call(
            Method::POST,
            "/v2/accept-invite",
            None,
            Some(json!({"token": token, "password": "weak"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> = e["invalid_parameters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p["field"].as_str().unwrap())
        .collect();
    assert!(fields.contains(&"full_name") && fields.contains(&"password"), "{e}");

    let accept =
        json!({"token": token, "password": "TestPassword123!!", "full_name": "New Person", "preferred_name": "Newbie"});
    let (s, _) = app
        .call(Method::POST, "/v2/accept-invite", None, Some(accept.clone()))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, u) = app.get(&format!("/v3/users/{user_id}")).await;
    assert_eq!(u["active"], true);
    assert_eq!(u["full_name"], "New Person");
    assert_eq!(u["preferred_name"], "Newbie");
    let hash = app
        .store
        .user_password_hash(app.org, kontrol::domain::ids::UserId(user_id.parse().unwrap()))
        .await
        .unwrap()
        .unwrap();
    assert!(hash.starts_with("$argon2id$"), "argon2id hash stored");
    assert!(kontrol::auth::password::verify("TestPassword123!!", &hash));

    // The new user signs in with email and password to mint a first token.
    use base64::Engine;
    let basic = |pw: &str| {
        format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode(format!("new.person@example.com:{pw}"))
        )
    };
    let req = |auth: String, method: Method, path: &str, body: Option<serde_json::Value>| {
        let mut r = axum::http::Request::builder()
            .method(method)
            .uri(path)
            .header("authorization", auth);
        if body.is_some() {
            r = r.header("content-type", "application/json");
        }
        r.body(axum::body::Body::from(body.map(|b| b.to_string()).unwrap_or_default()))
            .unwrap()
    };
    let (s, me) = app
        .send(req(basic("TestPassword123!!"), Method::GET, "/v3/users/me", None))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["id"], user_id);
    let (s, _) = app.send(req(basic("wrong"), Method::GET, "/v3/users/me", None)).await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (s, t) = app
        .send(req(
            basic("TestPassword123!!"),
            Method::POST,
            &format!("/v3/users/{user_id}/access-tokens"),
            Some(json!({"name": "first", "ttl_seconds": 86400})),
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let pat = t["konnect_token"].as_str().unwrap().to_string();
    let (s, _) = app.get_as(&pat, "/v3/users/me").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .send(req(basic("TestPassword123!!"), Method::GET, "/v3/roles", None))
        .await;
    assert_eq!(
        s,
        StatusCode::UNAUTHORIZED,
        "passwords only work for the sign-in routes"
    );

    // One-time.
    let (s, _) = app.call(Method::POST, "/v2/accept-invite", None, Some(accept)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // An active user cannot be invited again.
    let (s, e) = app
        .post("/v3/invites", json!({"email": "new.person@example.com"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    assert_eq!(e["detail"], "User is already active");
}

#[tokio::test]
async fn invites_expire_and_reinvites_work() {
    let (app, mut inbox) = app_with_smtp().await;
    app.post("/v3/invites", json!({"email": "late@example.com"})).await;
    let first = token_from(&inbox.recv().await.unwrap());
    app.clock.advance(chrono::TimeDelta::hours(73));
    let accept = |t: &str| json!({"token": t, "password": "TestPassword123!!", "full_name": "Late"});
    let (s, e) = app
        .call(Method::POST, "/v2/accept-invite", None, Some(accept(&first)))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "token");
    // Re-inviting an inactive user sends a fresh link.
    let (s, _) = app.post("/v3/invites", json!({"email": "late@example.com"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let second = token_from(&inbox.recv().await.unwrap());
    let (s, _) = app
        .call(Method::POST, "/v2/accept-invite", None, Some(accept(&second)))
        .await;
    assert_eq!(s, StatusCode::ACCEPTED);
    let (_, users) = app.get("/v3/users?filter[email]=late@example.com").await;
    assert_eq!(users["meta"]["page"]["total"], 1, "no duplicate user");
}

#[tokio::test]
async fn invite_validation_and_no_smtp() {
    let app = TestApp::new().await;
    for body in [json!({}), json!({"email": "not-an-email"}), json!({"email": 42})] {
        let (s, e) = app.post("/v3/invites", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["invalid_parameters"][0]["field"], "email");
    }
    // Without SMTP the invite is still created (the link goes to the log).
    let (s, _) = app.post("/v3/invites", json!({"email": "quiet@example.com"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .call(
            Method::POST,
            "/v2/accept-invite",
            None,
            Some(json!({"token": uuid::Uuid::new_v4(), "password": "TestPassword123!!", "full_name": "X"})),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (_, tok) = app.user("plain@example.com").await;
    let (s, _) = app
        .post_as(&tok, "/v3/invites", json!({"email": "x@example.com"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}
