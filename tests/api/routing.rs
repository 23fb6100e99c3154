use axum::body::Body;
use axum::http::{Request, StatusCode};

use crate::helpers::TestApp;

fn with_host(app: &TestApp, host: &str, path: &str) -> Request<Body> {
    Request::builder()
        .uri(path)
        .header("host", host)
        .header("authorization", format!("Bearer {}", app.admin))
        .body(Body::empty())
        .unwrap()
}

#[tokio::test]
async fn global_base_urls() {
    let app = TestApp::new().await;
    for (host, path) in [
        ("localhost:8080", "/v3/users/me"),
        ("global.api.example.com", "/v3/users/me"),
        ("global.kontrol.internal:8443", "/v2/users/me"),
        ("anything.example.com", "/global/v3/users/me"),
        ("localhost", "/global/v2/organizations/me"),
    ] {
        let (s, _) = app.send(with_host(&app, host, path)).await;
        assert_eq!(s, StatusCode::OK, "{host}{path}");
    }
}

#[tokio::test]
async fn identity_is_not_served_regionally() {
    let app = TestApp::new().await;
    for (host, path) in [
        ("us.api.example.com", "/v3/users/me"),
        ("localhost", "/eu/v2/users"),
        ("localhost", "/us/v3/teams"),
    ] {
        let (s, _) = app.send(with_host(&app, host, path)).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{host}{path}");
    }
    let (s, e) = app.send(with_host(&app, "localhost", "/mars/v2/runtime-groups")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert!(e["detail"].as_str().unwrap().contains("mars"));
}

#[tokio::test]
async fn health_needs_no_token() {
    let app = TestApp::new().await;
    let (s, b) = app
        .send(Request::builder().uri("/health").body(Body::empty()).unwrap())
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(b["status"], "ok");
}

#[tokio::test]
async fn trailing_slashes_and_long_uris() {
    let app = TestApp::new().await;
    for path in [
        "/v2/users/",
        "/v3/teams/",
        "/us/v2/runtime-groups/",
        "/global/v2/users/",
    ] {
        let (s, _) = app.send(with_host(&app, "localhost", path)).await;
        assert_eq!(s, StatusCode::OK, "{path}");
    }
    let long = format!("/v3/users?filter[email]={}", "a".repeat(20_000));
    let (s, e) = app.send(with_host(&app, "localhost", &long)).await;
    assert_eq!(s, StatusCode::URI_TOO_LONG);
    assert_eq!(e["title"], "URI Too Long");
}
