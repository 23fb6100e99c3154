use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn personal_access_token_lifecycle() {
    let app = TestApp::new().await;
    let (bob, bob_tok) = app.user("bob@example.com").await;
    let base = format!("/v3/users/{bob}/access-tokens");
    let (s, t) = app
        .post_as(&bob_tok, &base, json!({"name": "laptop", "ttl_seconds": 86400}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let secret = t["konnect_token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("kpat_"));
    assert_eq!(t["state"], "ACTIVE");
    assert_eq!(t["user_id"], bob);
    let id = t["id"].as_str().unwrap().to_string();

    let (s, me) = app.get_as(&secret, "/v3/users/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["id"], bob);

    let (s, l) = app.get_as(&bob_tok, &base).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["meta"]["page"]["total"], 2);
    assert!(l["data"]
        .as_array()
        .unwrap()
        .iter()
        .all(|t| t.get("konnect_token").is_none()));
    let (s, g) = app.get_as(&bob_tok, &format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert!(g["last_used_at"].is_string(), "use is recorded: {g}");

    let (s, r) = app.patch_as(&bob_tok, &format!("{base}/{id}/revoke"), json!({})).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(r["state"], "REVOKED");
    assert_eq!(r["revoked_by"], bob);
    let (s, _) = app.get_as(&secret, "/v3/users/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "revoked tokens stop working");

    // Admins may list and revoke, but not create, another user's tokens.
    let (s, _) = app.get(&base).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.post(&base, json!({"name": "sneaky", "ttl_seconds": 86400})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // Other users may do nothing with them.
    let (_, carol_tok) = app.user("carol@example.com").await;
    let (s, _) = app.get_as(&carol_tok, &base).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.delete_as(&carol_tok, &format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (s, _) = app.delete(&format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_as(&bob_tok, &format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn pat_rules() {
    let app = TestApp::new().await;
    let base = format!("/v3/users/{}/access-tokens", app.admin_id);
    for (body, field) in [
        (json!({"name": "x", "ttl_seconds": 86399}), "ttl_seconds"),
        (json!({"name": "x", "ttl_seconds": 31536001}), "ttl_seconds"),
        (json!({"name": "x"}), "ttl_seconds"),
        (json!({"ttl_seconds": 86400}), "name"),
        (json!({"name": "-bad", "ttl_seconds": 86400}), "name"),
        (json!({"name": "x", "ttl_seconds": "soon"}), "ttl_seconds"),
    ] {
        let (s, e) = app.post(&base, body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["invalid_parameters"][0]["field"], field, "{body}: {e}");
    }
    // The bootstrap token counts; nine more reach the cap of ten.
    for i in 0..9 {
        let (s, _) = app
            .post(&base, json!({"name": format!("t{i}"), "ttl_seconds": 86400}))
            .await;
        assert_eq!(s, StatusCode::CREATED, "token {i}");
    }
    let (s, e) = app.post(&base, json!({"name": "eleventh", "ttl_seconds": 86400})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["detail"].as_str().unwrap().contains("10"), "{e}");

    // Expiry.
    let (_, t) = {
        // Free a slot by revoking one.
        let (_, l) = app.get(&format!("{base}?filter[name]=t0")).await;
        let id = l["data"][0]["id"].as_str().unwrap().to_string();
        app.patch(&format!("{base}/{id}/revoke"), json!({})).await;
        app.post(&base, json!({"name": "short", "ttl_seconds": 86400})).await
    };
    let secret = t["konnect_token"].as_str().unwrap().to_string();
    let (s, _) = app.get_as(&secret, "/v3/users/me").await;
    assert_eq!(s, StatusCode::OK);
    app.clock.advance(chrono::TimeDelta::seconds(86401));
    let (s, _) = app.get_as(&secret, "/v3/users/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, l) = app.get(&format!("{base}?filter[name]=short")).await;
    assert_eq!(l["data"][0]["state"], "EXPIRED");
}

#[tokio::test]
async fn bad_credentials_are_401() {
    let app = TestApp::new().await;
    for auth in [
        None,
        Some("Bearer".to_string()),
        Some("Bearer kpat_nope".to_string()),
        Some(format!("Bearer kpat_{}", "a".repeat(48))),
        Some(format!("Bearer spat_{}", "a".repeat(48))),
        Some(format!("Basic {}", app.admin)),
        Some(app.admin.clone()),
    ] {
        let mut req = axum::http::Request::builder().uri("/v3/users");
        if let Some(a) = &auth {
            req = req.header("authorization", a);
        }
        let (s, e) = app.send(req.body(axum::body::Body::empty()).unwrap()).await;
        assert_eq!(s, StatusCode::UNAUTHORIZED, "{auth:?}");
        assert_eq!(e["title"], "Unauthenticated");
        assert_eq!(e["detail"], "A valid token is required");
    }
    // A kpat_ secret presented as spat_ is not accepted.
    let swapped = app.admin.replacen("kpat_", "spat_", 1);
    let (s, _) = app.get_as(&swapped, "/v3/users").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
}

/// Authenticated principals are reused for `auth_cache_ttl_ms`; a write through the API
/// discards them at once, a change made by another process is seen once the time is up.
#[tokio::test]
async fn principal_cache_is_bounded_by_writes_and_time() {
    use kontrol::domain::ids::TokenId;
    use kontrol::store::PrincipalKind;

    let app = TestApp::with_config(kontrol::config::Config {
        auth_cache_ttl_ms: 300,
        ..crate::helpers::test_config()
    })
    .await;
    let (bob, bob_tok) = app.user("bob@example.com").await;
    let bob_id: uuid::Uuid = bob.parse().unwrap();

    // A role granted through the API counts for the next request.
    let (s, _) = app.get_as(&bob_tok, "/v3/teams").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, r) = app
        .post(
            &format!("/v3/users/{bob}/assigned-roles"),
            json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{r}");
    let (s, _) = app.get_as(&bob_tok, "/v3/teams").await;
    assert_eq!(s, StatusCode::OK);

    // And removed through the API, it is gone for the next request.
    let role = r["id"].as_str().unwrap();
    let (s, _) = app.delete(&format!("/v3/users/{bob}/assigned-roles/{role}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_as(&bob_tok, "/v3/teams").await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // A token revoked through the API is refused at once.
    let base = format!("/v3/users/{bob}/access-tokens");
    let (_, t) = app
        .post_as(&bob_tok, &base, json!({"name": "a", "ttl_seconds": 86400}))
        .await;
    let a = t["konnect_token"].as_str().unwrap().to_string();
    assert_eq!(app.get_as(&a, "/v3/users/me").await.0, StatusCode::OK);
    let (s, _) = app
        .patch_as(
            &bob_tok,
            &format!("{base}/{}/revoke", t["id"].as_str().unwrap()),
            json!({}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(app.get_as(&a, "/v3/users/me").await.0, StatusCode::UNAUTHORIZED);

    // Revoked by another process sharing the database: refused once the time to live is up.
    let (_, t) = app
        .post_as(&bob_tok, &base, json!({"name": "b", "ttl_seconds": 86400}))
        .await;
    let b = t["konnect_token"].as_str().unwrap().to_string();
    let b_id = TokenId(t["id"].as_str().unwrap().parse().unwrap());
    assert_eq!(app.get_as(&b, "/v3/users/me").await.0, StatusCode::OK);
    let now = app.clock.now();
    app.store
        .revoke_token(app.org, PrincipalKind::User, bob_id, b_id, bob_id, now)
        .await
        .unwrap()
        .unwrap();
    // Generous slack over the 300 ms: this asserts a bound, not a speed.
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(3);
    while app.get_as(&b, "/v3/users/me").await.0 != StatusCode::UNAUTHORIZED {
        assert!(
            std::time::Instant::now() < deadline,
            "revoked token still accepted after 3 s"
        );
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
}
