use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn team_crud_and_labels_per_version() {
    let app = TestApp::new().await;
    let (s, t) = app
        .post(
            "/v3/teams",
            json!({"name": "IDM - Developers", "description": "The IDM team", "labels": {"env": "prod"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(t["system_team"], false);
    assert_eq!(t["labels"], json!({"env": "prod"}));
    let id = t["id"].as_str().unwrap().to_string();

    let (_, v2) = app.get(&format!("/v2/teams/{id}")).await;
    assert!(v2.get("labels").is_none(), "v2 teams have no labels: {v2}");
    assert_eq!(v2["name"], "IDM - Developers");

    let (s, t) = app
        .patch(
            &format!("/v3/teams/{id}"),
            json!({"description": "new", "labels": {"env": null, "tier": "gold"}}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(t["description"], "new");
    assert_eq!(t["labels"], json!({"tier": "gold"}));
    assert_eq!(t["name"], "IDM - Developers");

    // Names are not unique.
    let (s, t2) = app
        .post(
            "/v3/teams",
            json!({"name": "IDM - Developers", "description": "The IDM team"}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_ne!(t2["id"], id);
    let (_, l) = app.get("/v3/teams?filter[name]=IDM%20-%20Developers").await;
    assert_eq!(l["meta"]["page"]["total"], 2);
    let (_, l) = app.get("/v3/teams?filter[name][contains]=idm").await;
    assert_eq!(l["meta"]["page"]["total"], 2);

    let (s, _) = app.delete(&format!("/v3/teams/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&format!("/v3/teams/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn team_validation() {
    let app = TestApp::new().await;
    for (body, field) in [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "  "}), "name"),
        (json!({"name": "x".repeat(251)}), "name"),
        (json!({"name": "ok", "description": "d".repeat(251)}), "description"),
        (json!({"name": 5}), "name"),
        (json!({"name": "ok", "labels": {"kong-x": "v"}}), "labels.kong-x"),
        (json!({"name": "ok", "labels": {"k": "bad value"}}), "labels.k"),
    ] {
        let (s, e) = app.post("/v3/teams", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["invalid_parameters"][0]["field"], field, "{body}: {e}");
    }
    let (s, e) = app.post("/v3/teams", json!(["not", "an", "object"])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "body");
}

#[tokio::test]
async fn system_teams_exist_and_cannot_be_modified() {
    let app = TestApp::new().await;
    let (_, l) = app.get("/v3/teams?filter[system_team]=true&page[size]=100").await;
    let names: Vec<&str> = l["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|t| t["name"].as_str().unwrap())
        .collect();
    for n in [
        "Organization Admin",
        "Organization Admin (Read Only)",
        "Runtime Admin",
        "Portal Admin",
    ] {
        assert!(names.contains(&n), "{n} in {names:?}");
    }
    let admin_team = app.system_team("Organization Admin").await;
    for (s, e) in [
        app.patch(&format!("/v3/teams/{admin_team}"), json!({"name": "x"}))
            .await,
        app.delete(&format!("/v3/teams/{admin_team}")).await,
        app.post(
            &format!("/v3/teams/{admin_team}/assigned-roles"),
            json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
        )
        .await,
    ] {
        assert_eq!(s, StatusCode::BAD_REQUEST);
        assert_eq!(
            e["invalid_parameters"][0],
            json!({"field": "teamID", "rule": "invalid", "source": "path", "reason": "system teams cannot be modified"})
        );
    }
    // Membership of a system team can be edited.
    let (bob, _) = app.user("bob@example.com").await;
    let (s, _) = app
        .post(&format!("/v3/teams/{admin_team}/users"), json!({"id": bob}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    // The Runtime Admin team carries its role.
    let rt = app.system_team("Runtime Admin").await;
    let (_, roles) = app.get(&format!("/v3/teams/{rt}/assigned-roles")).await;
    assert_eq!(roles["data"][0]["role_name"], "Admin");
    assert_eq!(roles["data"][0]["entity_id"], "*");
}

#[tokio::test]
async fn team_membership() {
    let app = TestApp::new().await;
    let (bob, _) = app.user("bob@example.com").await;
    let (carol, _) = app.user("carol@example.com").await;
    let (_, t) = app.post("/v3/teams", json!({"name": "Devs"})).await;
    let team = t["id"].as_str().unwrap();

    let (s, body) = app.post(&format!("/v3/teams/{team}/users"), json!({"id": bob})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(body.is_null(), "201 without a body");
    let (s, _) = app.post(&format!("/v3/teams/{team}/users"), json!({"id": bob})).await;
    assert_eq!(s, StatusCode::CONFLICT);
    app.post(&format!("/v3/teams/{team}/users"), json!({"id": carol})).await;

    let (_, m) = app.get(&format!("/v3/teams/{team}/users")).await;
    assert_eq!(m["meta"]["page"]["total"], 2);
    let (_, m) = app
        .get(&format!("/v3/teams/{team}/users?filter[email][contains]=carol"))
        .await;
    assert_eq!(m["meta"]["page"]["total"], 1);
    assert_eq!(m["data"][0]["id"], carol);
    let (_, ut) = app.get(&format!("/v3/users/{bob}/teams")).await;
    assert_eq!(ut["data"][0]["name"], "Devs");
    let (_, ut) = app.get(&format!("/v3/users/{bob}/teams?filter[name]=Nope")).await;
    assert_eq!(ut["meta"]["page"]["total"], 0);

    let (s, _) = app.delete(&format!("/v3/teams/{team}/users/{bob}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.delete(&format!("/v3/teams/{team}/users/{bob}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, m) = app.get(&format!("/v3/teams/{team}/users")).await;
    assert_eq!(m["meta"]["page"]["total"], 1);

    let missing = uuid::Uuid::new_v4();
    let (s, _) = app
        .post(&format!("/v3/teams/{team}/users"), json!({"id": missing}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post(&format!("/v3/teams/{missing}/users"), json!({"id": bob}))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = app
        .post(&format!("/v3/teams/{team}/users"), json!({"id": "nope"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "id");
    let (s, _) = app.post(&format!("/v3/teams/{team}/users"), json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
