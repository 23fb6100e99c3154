use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::json;

use crate::helpers::TestApp;

fn raw(app: &TestApp, method: Method, path: &str, ct: Option<&str>, body: impl Into<Body>) -> Request<Body> {
    let mut r = Request::builder()
        .method(method)
        .uri(path)
        .header("authorization", format!("Bearer {}", app.admin));
    if let Some(ct) = ct {
        r = r.header("content-type", ct);
    }
    r.body(body.into()).unwrap()
}

#[tokio::test]
async fn malformed_bodies_are_400s() {
    let app = TestApp::new().await;
    for body in [
        "{",
        "not json",
        "[1,2",
        "{\"name\": \"a\",}",
        "\"a string\"",
        "null",
        "42",
    ] {
        let (s, e) = app
            .send(raw(&app, Method::POST, "/v3/teams", Some("application/json"), body))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["invalid_parameters"][0]["field"], "body", "{body}: {e}");
    }
    let (s, e) = app
        .send(raw(
            &app,
            Method::POST,
            "/v3/teams",
            Some("application/json"),
            r#"{"name": ["a"]}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(
        e["invalid_parameters"][0],
        json!({"field": "name", "rule": "is_string", "source": "body", "reason": "invalid type: sequence, expected a string"})
    );
    let (s, _) = app
        .send(raw(
            &app,
            Method::POST,
            "/v3/teams",
            Some("text/plain"),
            r#"{"name": "a"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    // curl's default content type with a JSON body is accepted, and so is a real form.
    let (s, _) = app
        .send(raw(
            &app,
            Method::POST,
            "/v3/teams",
            Some("application/x-www-form-urlencoded"),
            r#"{"name": "a"}"#,
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, t) = app
        .send(raw(
            &app,
            Method::POST,
            "/v3/teams",
            Some("application/x-www-form-urlencoded"),
            "name=Form+Team&description=d",
        ))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t["name"], "Form Team");
    let big = format!(r#"{{"name": "{}"}}"#, "x".repeat(2 * 1024 * 1024));
    let (s, _) = app
        .send(raw(&app, Method::POST, "/v3/teams", Some("application/json"), big))
        .await;
    assert_eq!(s, StatusCode::PAYLOAD_TOO_LARGE);
    let (s, _) = app
        .send(raw(
            &app,
            Method::POST,
            "/v3/teams",
            Some("application/json"),
            vec![0xff, 0xfe, 0x00],
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn paths_and_methods() {
    let app = TestApp::new().await;
    for path in [
        "/v3/teams/not-a-uuid",
        "/v3/users/123",
        "/v2/system-accounts/x/access-tokens",
    ] {
        let (s, _) = app.get(path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}: a malformed id names nothing");
    }
    let (s, e) = app.get(&format!("/v3/teams/{}", uuid::Uuid::new_v4())).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["detail"], "The requested team was not found");
    let (s, _) = app.get("/v3/nothing-here").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get("/").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .call(Method::PUT, "/v3/users", Some(&app.admin.clone()), Some(json!({})))
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
    let (s, _) = app
        .call(Method::DELETE, "/v3/roles", Some(&app.admin.clone()), None)
        .await;
    assert_eq!(s, StatusCode::METHOD_NOT_ALLOWED);
}

#[tokio::test]
async fn explicit_nulls_and_empty_bodies() {
    let app = TestApp::new().await;
    for body in [json!({"name": null}), json!({"name": "x", "description": null})] {
        let (s, e) = app.post("/v3/teams", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert!(
            e["invalid_parameters"][0]["reason"].as_str().unwrap().contains("null"),
            "{e}"
        );
    }
    let (s, _) = app
        .patch("/v3/organizations/impersonation", json!({"enabled": null}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, e) = app
        .send(raw(&app, Method::PATCH, "/v3/authentication-settings", None, ""))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "body");
    // Repeated parameters are reported once; a repeated single-valued parameter is a 400.
    let (s, e) = app.get("/v3/users?page[size]=x&page[size]=x").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"].as_array().unwrap().len(), 1);
    let (s, _) = app.get("/us/v2/runtime-groups?sort=name&sort=bogus").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn problem_bodies_carry_trace_ids() {
    let app = TestApp::new().await;
    let (_, e) = app.get("/v3/teams?filter[bogus]=1").await;
    assert!(e["instance"].as_str().unwrap().starts_with("konnect:trace:"));
    assert_eq!(e["title"], "Bad Request");
    assert_eq!(e["type"], "https://httpstatuses.com/400");
    let (_, e2) = app.get("/v3/teams?filter[bogus]=1").await;
    assert_ne!(e["instance"], e2["instance"]);
}
