use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn predefined_roles_per_version() {
    let app = TestApp::new().await;
    let (bob, tok) = app.user("bob@example.com").await;
    let _ = bob;
    let (s, v2) = app.get_as(&tok, "/v2/roles").await;
    assert_eq!(s, StatusCode::OK, "any principal reads roles");
    assert_eq!(v2["runtime_groups"]["name"], "Runtime Groups");
    assert_eq!(v2["services"]["roles"]["publisher"]["name"], "Publisher");
    let (_, v3) = app.get("/v3/roles").await;
    assert_eq!(
        v3["control_planes"]["roles"]["certificate_admin"]["name"],
        "Certificate Admin"
    );
    assert_eq!(v3["identity"]["roles"]["admin"]["name"], "Admin");
    assert!(v3.get("runtime_groups").is_none());
}

#[tokio::test]
async fn assign_list_filter_and_remove_roles() {
    let app = TestApp::new().await;
    let (bob, _) = app.user("bob@example.com").await;
    let (_, t) = app.post("/v3/teams", json!({"name": "Devs"})).await;
    let team = t["id"].as_str().unwrap().to_string();
    let (_, sa) = app
        .post("/v3/system-accounts", json!({"name": "ci", "description": "CI"}))
        .await;
    let sa = sa["id"].as_str().unwrap().to_string();
    let cp = uuid::Uuid::new_v4().to_string();

    for base in [
        format!("/v3/users/{bob}"),
        format!("/v3/teams/{team}"),
        format!("/v3/system-accounts/{sa}"),
    ] {
        let body = json!({"role_name": "Viewer", "entity_type_name": "Control Planes", "entity_id": cp, "entity_region": "us"});
        let (s, r) = app.post(&format!("{base}/assigned-roles"), body.clone()).await;
        assert_eq!(s, StatusCode::CREATED, "{base}: {r}");
        assert_eq!(r["role_name"], "Viewer");
        assert_eq!(r["entity_id"], cp);
        assert_eq!(r["entity_region"], "us");
        let role_id = r["id"].as_str().unwrap().to_string();
        let (s, _) = app.post(&format!("{base}/assigned-roles"), body).await;
        assert_eq!(s, StatusCode::CONFLICT, "{base}");
        // Same role spelled with the v2 type name is the same assignment.
        let (s, _) = app
            .post(&format!("{base}/assigned-roles"), json!({"role_name": "Viewer", "entity_type_name": "Runtime Groups", "entity_id": cp, "entity_region": "us"}))
            .await;
        assert_eq!(s, StatusCode::CONFLICT, "{base}");
        let (s, _) = app
            .post(
                &format!("{base}/assigned-roles"),
                json!({"role_name": "Admin", "entity_type_name": "Identity", "entity_id": "*", "entity_region": "*"}),
            )
            .await;
        assert_eq!(s, StatusCode::CREATED);

        let (_, l) = app.get(&format!("{base}/assigned-roles")).await;
        assert_eq!(l["data"].as_array().unwrap().len(), 2);
        let (_, l) = app
            .get(&format!("{base}/assigned-roles?filter[role_name]=Viewer"))
            .await;
        assert_eq!(l["data"].as_array().unwrap().len(), 1);
        let (_, l) = app
            .get(&format!("{base}/assigned-roles?filter[entity_type_name]=Identity"))
            .await;
        assert_eq!(l["data"][0]["role_name"], "Admin");
        let (s, _) = app
            .get(&format!("{base}/assigned-roles?filter[role_name][contains]=V"))
            .await;
        assert_eq!(s, StatusCode::BAD_REQUEST);

        let (s, _) = app.delete(&format!("{base}/assigned-roles/{role_id}")).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        let (s, _) = app.delete(&format!("{base}/assigned-roles/{role_id}")).await;
        assert_eq!(s, StatusCode::NOT_FOUND);
    }
}

#[tokio::test]
async fn role_validation() {
    let app = TestApp::new().await;
    let (bob, _) = app.user("bob@example.com").await;
    let path = format!("/v3/users/{bob}/assigned-roles");
    let ok =
        json!({"role_name": "Viewer", "entity_type_name": "Control Planes", "entity_id": "*", "entity_region": "*"});
    for (field, value, rule) in [
        ("role_name", json!("Overlord"), "enum"),
        ("entity_type_name", json!("Spaceships"), "enum"),
        ("entity_id", json!("not-a-uuid"), "is_uuid"),
        ("entity_region", json!("mars"), "enum"),
        ("role_name", json!("Connector"), "enum"),
    ] {
        let mut body = ok.clone();
        body[field] = value;
        let (s, e) = app.post(&path, body).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{field}");
        assert_eq!(e["invalid_parameters"][0]["field"], field, "{e}");
        assert_eq!(e["invalid_parameters"][0]["rule"], rule, "{e}");
    }
    let (s, e) = app.post(&path, json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"].as_array().unwrap().len(), 4);
    let (s, _) = app
        .post(&format!("/v3/users/{}/assigned-roles", uuid::Uuid::new_v4()), ok)
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn entity_type_names_follow_the_version_and_filter_as_one_type() {
    let app = TestApp::new().await;
    let (bob, _) = app.user("bob@example.com").await;
    let base = format!("/users/{bob}/assigned-roles");
    let (s, r) = app
        .post(&format!("/v3{base}"), json!({"role_name": "Viewer", "entity_type_name": "Runtime Groups", "entity_id": "*", "entity_region": "us"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    assert_eq!(r["entity_type_name"], "Control Planes", "v3 speaks of control planes");
    let (_, l) = app.get(&format!("/v2{base}")).await;
    assert_eq!(l["data"][0]["entity_type_name"], "Runtime Groups");
    for name in ["Runtime%20Groups", "Control%20Planes"] {
        let (_, l) = app.get(&format!("/v3{base}?filter[entity_type_name]={name}")).await;
        assert_eq!(l["meta"]["page"]["total"], 1, "{name}");
    }
    let (_, l) = app.get(&format!("/v3{base}?filter[entity_type_name]=Identity")).await;
    assert_eq!(l["meta"]["page"]["total"], 0);
}
