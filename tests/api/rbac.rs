use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn plain_users_only_act_on_themselves() {
    let app = TestApp::new().await;
    let (bob, tok) = app.user("bob@example.com").await;
    for path in [
        "/v3/users",
        "/v3/teams",
        "/v3/system-accounts",
        "/v3/authentication-settings",
        "/v3/identity-providers",
    ] {
        let (s, e) = app.get_as(&tok, path).await;
        assert_eq!(s, StatusCode::FORBIDDEN, "{path}");
        assert_eq!(e["title"], "Forbidden");
        assert_eq!(e["detail"], "You do not have permission to perform this action");
    }
    let (s, _) = app.post_as(&tok, "/v3/teams", json!({"name": "mine"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post_as(
            &tok,
            &format!("/v3/users/{bob}/assigned-roles"),
            json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN, "no self-granting");
    for path in ["/v3/users/me", "/v3/organizations/me", "/v3/roles"] {
        let (s, _) = app.get_as(&tok, path).await;
        assert_eq!(s, StatusCode::OK, "{path}");
    }
    let (s, _) = app.get_as(&tok, &format!("/v3/users/{bob}/teams")).await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn read_only_admins_read_and_identity_admins_write() {
    let app = TestApp::new().await;
    let (ro, ro_tok) = app.user("ro@example.com").await;
    let ro_team = app.system_team("Organization Admin (Read Only)").await;
    app.post(&format!("/v3/teams/{ro_team}/users"), json!({"id": ro})).await;
    let (s, _) = app.get_as(&ro_tok, "/v3/users").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.get_as(&ro_tok, "/v3/authentication-settings").await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app.post_as(&ro_tok, "/v3/teams", json!({"name": "x"})).await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    let (ia, ia_tok) = app.user("ia@example.com").await;
    let (s, _) = app.get_as(&ia_tok, "/v3/users").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    app.post(
        &format!("/v3/users/{ia}/assigned-roles"),
        json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
    )
    .await;
    let (s, t) = app
        .post_as(&ia_tok, "/v3/teams", json!({"name": "made by identity admin"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app.post_as(&ia_tok, &format!("/v3/users/{ro}/assigned-roles"), json!({"role_name": "Viewer", "entity_type_name": "Control Planes", "entity_id": "*", "entity_region": "us"})).await;
    assert_eq!(
        s,
        StatusCode::FORBIDDEN,
        "an Identity Admin cannot hand out runtime-group roles it lacks"
    );
    let (s, _) = app
        .post_as(
            &ia_tok,
            &format!("/v3/users/{ro}/assigned-roles"),
            json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "but may hand out what it holds");
    let (s, _) = app
        .delete_as(&ia_tok, &format!("/v3/teams/{}", t["id"].as_str().unwrap()))
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);

    // Removing the role takes effect on the next request.
    let (_, roles) = app.get(&format!("/v3/users/{ia}/assigned-roles")).await;
    let rid = roles["data"][0]["id"].as_str().unwrap();
    app.delete(&format!("/v3/users/{ia}/assigned-roles/{rid}")).await;
    let (s, _) = app.get_as(&ia_tok, "/v3/users").await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn organizations_are_isolated() {
    let app = TestApp::new().await;
    let other = kontrol::bootstrap::bootstrap(&app.store, &app.clock, &app.regions, "Other Org", "admin@example.com")
        .await
        .unwrap();
    let (_, team) = app.post("/v3/teams", json!({"name": "Ours"})).await;
    let team = team["id"].as_str().unwrap().to_string();
    let (bob, _) = app.user("bob@example.com").await;

    let (s, l) = app.get_as(&other.token, "/v3/users").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["meta"]["page"]["total"], 1, "only the other org's admin");
    let (_, l) = app.get_as(&other.token, "/v3/teams?filter[name]=Ours").await;
    assert_eq!(l["meta"]["page"]["total"], 0);
    for path in [
        format!("/v3/teams/{team}"),
        format!("/v3/users/{bob}"),
        format!("/v3/teams/{team}/users"),
    ] {
        let (s, _) = app.get_as(&other.token, &path).await;
        assert_eq!(s, StatusCode::NOT_FOUND, "{path}");
    }
    let (s, _) = app
        .patch_as(&other.token, &format!("/v3/teams/{team}"), json!({"name": "stolen"}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.delete_as(&other.token, &format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let other_team = {
        let (_, t) = app.post_as(&other.token, "/v3/teams", json!({"name": "Theirs"})).await;
        t["id"].as_str().unwrap().to_string()
    };
    let (s, _) = app
        .post_as(
            &other.token,
            &format!("/v3/teams/{other_team}/users"),
            json!({"id": bob}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND, "cannot add another org's user");
    let (_, org) = app.get_as(&other.token, "/v3/organizations/me").await;
    assert_eq!(org["name"], "Other Org");
    let (_, t) = app.get(&format!("/v3/teams/{team}")).await;
    assert_eq!(t["name"], "Ours");
}

#[tokio::test]
async fn nobody_hands_out_more_than_they_hold() {
    let app = TestApp::new().await;
    let (ia, ia_tok) = app.user("ia@example.com").await;
    app.post(
        &format!("/v3/users/{ia}/assigned-roles"),
        json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
    )
    .await;
    let org_admin_team = app.system_team("Organization Admin").await;
    let runtime_admin_team = app.system_team("Runtime Admin").await;
    let ro_team = app.system_team("Organization Admin (Read Only)").await;
    for team in [&org_admin_team, &runtime_admin_team, &ro_team] {
        let (s, _) = app
            .post_as(&ia_tok, &format!("/v3/teams/{team}/users"), json!({"id": ia}))
            .await;
        assert_eq!(s, StatusCode::FORBIDDEN, "joining {team}");
    }
    // A system account in Organization Admin: an Identity Admin may not mint its tokens.
    let (_, sa) = app
        .post(
            "/v3/system-accounts",
            json!({"name": "root-bot", "description": "powerful"}),
        )
        .await;
    let sa = sa["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v3/teams/{org_admin_team}/system-accounts"),
        json!({"id": sa}),
    )
    .await;
    let (s, _) = app
        .post_as(
            &ia_tok,
            &format!("/v3/system-accounts/{sa}/access-tokens"),
            json!({"name": "steal", "expires_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .post_as(
            &ia_tok,
            &format!("/v3/system-accounts/{sa}/assigned-roles"),
            json!({"role_name": "Admin", "entity_type_name": "Runtime Groups", "entity_id": "*", "entity_region": "*"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    // A custom team holding a runtime-group role is out of reach too; a plain team is not.
    let (_, t) = app.post("/v3/teams", json!({"name": "cp admins"})).await;
    let t = t["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v3/teams/{t}/assigned-roles"),
        json!({"role_name": "Admin", "entity_type_name": "Control Planes", "entity_id": "*", "entity_region": "*"}),
    )
    .await;
    let (s, _) = app
        .post_as(&ia_tok, &format!("/v3/teams/{t}/users"), json!({"id": ia}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, plain) = app.post_as(&ia_tok, "/v3/teams", json!({"name": "plain"})).await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .post_as(
            &ia_tok,
            &format!("/v3/teams/{}/users", plain["id"].as_str().unwrap()),
            json!({"id": ia}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // The Organization Admin may do all of it.
    let (s, _) = app
        .post(&format!("/v3/teams/{runtime_admin_team}/users"), json!({"id": ia}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn the_last_organization_admin_stays() {
    let app = TestApp::new().await;
    let team = app.system_team("Organization Admin").await;
    let (s, e) = app.delete(&format!("/v3/teams/{team}/users/{}", app.admin_id)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
    let (bob, _) = app.user("bob@example.com").await;
    app.post(&format!("/v3/teams/{team}/users"), json!({"id": bob})).await;
    let (s, _) = app.delete(&format!("/v3/teams/{team}/users/{}", app.admin_id)).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
}
