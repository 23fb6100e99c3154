use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn system_account_crud() {
    let app = TestApp::new().await;
    let (s, sa) = app
        .post(
            "/v3/system-accounts",
            json!({"name": "deployer", "description": "CI deploys"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(sa["konnect_managed"], false);
    let id = sa["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(
            "/v3/system-accounts",
            json!({"name": "deployer", "description": "again"}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "names are unique");
    let (s, e) = app.post("/v3/system-accounts", json!({"name": "x"})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "description");

    app.post(
        "/v3/system-accounts",
        json!({"name": "reporter", "description": "nightly reports"}),
    )
    .await;
    let (_, l) = app.get("/v3/system-accounts?filter[name][contains]=DEPLOY").await;
    assert_eq!(l["meta"]["page"]["total"], 1);
    let (_, l) = app
        .get("/v3/system-accounts?filter[description]=nightly%20reports")
        .await;
    assert_eq!(l["data"][0]["name"], "reporter");
    let (_, l) = app.get("/v3/system-accounts?filter[konnect_managed]=false").await;
    assert_eq!(l["meta"]["page"]["total"], 2);

    let (s, sa) = app
        .patch(&format!("/v3/system-accounts/{id}"), json!({"description": "changed"}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(sa["description"], "changed");
    assert_eq!(sa["name"], "deployer");
    let (s, _) = app
        .patch(&format!("/v3/system-accounts/{id}"), json!({"name": "reporter"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);

    let (s, _) = app.delete(&format!("/v3/system-accounts/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&format!("/v3/system-accounts/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn konnect_managed_accounts_are_read_only() {
    let app = TestApp::new().await;
    let (_, sa) = app
        .post(
            "/v3/system-accounts",
            json!({"name": "mesh", "description": "zone", "konnect_managed": true}),
        )
        .await;
    let id = sa["id"].as_str().unwrap();
    let (s, _) = app
        .patch(&format!("/v3/system-accounts/{id}"), json!({"name": "x"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app.delete(&format!("/v3/system-accounts/{id}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn system_account_tokens_authenticate_and_expire() {
    let app = TestApp::new().await;
    let (_, sa) = app
        .post("/v3/system-accounts", json!({"name": "ci", "description": "CI"}))
        .await;
    let id = sa["id"].as_str().unwrap().to_string();
    let expires = (app.clock.now() + chrono::TimeDelta::days(2)).to_rfc3339();
    let (s, t) = app
        .post(
            &format!("/v3/system-accounts/{id}/access-tokens"),
            json!({"name": "build", "expires_at": expires}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{t}");
    let secret = t["token"].as_str().unwrap().to_string();
    assert!(secret.starts_with("spat_"));
    let token_id = t["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(
            &format!("/v3/system-accounts/{id}/access-tokens"),
            json!({"name": "build", "expires_at": expires}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, e) = app
        .post(
            &format!("/v3/system-accounts/{id}/access-tokens"),
            json!({"name": "old", "expires_at": "2000-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "expires_at");
    let (s, _) = app
        .post(
            &format!("/v3/system-accounts/{id}/access-tokens"),
            json!({"name": "bad", "expires_at": "tomorrow"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, t2) = app
        .post(
            &format!("/v3/system-accounts/{id}/access-tokens"),
            json!({"name": "default expiry"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let exp = chrono::DateTime::parse_from_rfc3339(t2["expires_at"].as_str().unwrap()).unwrap();
    assert_eq!((exp.with_timezone(&chrono::Utc) - app.clock.now()).num_days(), 365);

    // The token works, but grants nothing until the account holds a role.
    let (s, _) = app.get_as(&secret, "/v3/roles").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get_as(&secret, "/v3/users").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.get_as(&secret, "/v3/users/me").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "system accounts have no user record");
    let (s, org) = app.get_as(&secret, "/v3/organizations/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(org["name"], "Test Org");

    // Through a team that holds Identity Admin.
    let (_, team) = app.post("/v3/teams", json!({"name": "identity admins"})).await;
    let team = team["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v3/teams/{team}/assigned-roles"),
        json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
    )
    .await;
    let (s, _) = app
        .post(&format!("/v3/teams/{team}/system-accounts"), json!({"id": id}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post(&format!("/v3/teams/{team}/system-accounts"), json!({"id": id}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app.get_as(&secret, "/v3/users").await;
    assert_eq!(s, StatusCode::OK);
    let (_, teams) = app.get(&format!("/v3/system-accounts/{id}/teams")).await;
    assert_eq!(teams["data"][0]["id"], team);
    let (_, members) = app
        .get(&format!("/v3/teams/{team}/system-accounts?filter[name]=ci"))
        .await;
    assert_eq!(members["meta"]["page"]["total"], 1);

    let (_, list) = app.get(&format!("/v3/system-accounts/{id}/access-tokens")).await;
    assert_eq!(list["meta"]["page"]["total"], 2);
    assert!(
        list["data"]
            .as_array()
            .unwrap()
            .iter()
            .all(|t| t.get("token").is_none()),
        "secrets are shown once"
    );
    let (_, build) = app
        .get(&format!("/v3/system-accounts/{id}/access-tokens?filter[name]=build"))
        .await;
    assert!(build["data"][0]["last_used_at"].is_string(), "use is recorded: {build}");
    let (s, t) = app
        .patch(
            &format!("/v3/system-accounts/{id}/access-tokens/{token_id}"),
            json!({"name": "renamed"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["name"], "renamed");
    let (_, t) = app
        .get(&format!("/v3/system-accounts/{id}/access-tokens/{token_id}"))
        .await;
    assert_eq!(t["name"], "renamed");

    app.clock.advance(chrono::TimeDelta::days(3));
    let (s, _) = app.get_as(&secret, "/v3/users").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED, "expired");

    let (s, _) = app
        .delete(&format!("/v3/system-accounts/{id}/access-tokens/{token_id}"))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.delete(&format!("/v3/teams/{team}/system-accounts/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.delete(&format!("/v3/teams/{team}/system-accounts/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
