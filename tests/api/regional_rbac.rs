use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn assign(app: &TestApp, user: &str, role: &str, id: &str, region: &str) {
    let (s, e) = app
        .post(
            &format!("/v3/users/{user}/assigned-roles"),
            json!({"role_name": role, "entity_type_name": "Control Planes", "entity_id": id, "entity_region": region}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{e}");
}

fn names(v: &Value) -> Vec<String> {
    let mut n: Vec<String> = v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect();
    n.sort();
    n
}

#[tokio::test]
async fn visibility_and_permissions_per_group() {
    let app = TestApp::new().await;
    let mk = |name: &'static str| {
        let app = &app;
        async move {
            let (_, g) = app.post("/us/v2/runtime-groups", json!({"name": name})).await;
            g["id"].as_str().unwrap().to_string()
        }
    };
    let g1 = mk("one").await;
    let g2 = mk("two").await;
    let (bob, tok) = app.user("bob@example.com").await;

    // No roles: an empty list, 404 on everything, no creation.
    let (s, l) = app.get_as(&tok, "/us/v2/runtime-groups").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["meta"]["page"]["total"], 0);
    let (s, _) = app.get_as(&tok, &format!("/us/v2/runtime-groups/{g1}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post_as(&tok, "/us/v2/runtime-groups", json!({"name": "mine"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Viewer on g1: sees g1 only, cannot change it, cannot see g2.
    assert_eq!(
        names(&app.get_as(&tok, "/us/v2/runtime-groups").await.1),
        Vec::<String>::new()
    );
    assign(&app, &bob, "Viewer", &g1, "us").await;
    let (_, l) = app.get_as(&tok, "/us/v2/runtime-groups").await;
    assert_eq!(names(&l), vec!["one"]);
    assert_eq!(l["meta"]["page"]["total"], 1, "totals count only visible groups");
    let (s, _) = app.get_as(&tok, &format!("/us/v2/runtime-groups/{g1}/nodes")).await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .patch_as(
            &tok,
            &format!("/us/v2/runtime-groups/{g1}"),
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app.delete_as(&tok, &format!("/us/v2/runtime-groups/{g1}")).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, _) = app
        .patch_as(
            &tok,
            &format!("/us/v2/runtime-groups/{g2}"),
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get_as(&tok, &format!("/eu/v2/runtime-groups/{g1}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = app.get_as(&tok, "/eu/v2/runtime-groups").await;
    assert_eq!(l["meta"]["page"]["total"], 0, "a region without roles lists nothing");

    // Certificate Admin on g1: may pin, still not update.
    assign(&app, &bob, "Certificate Admin", &g1, "us").await;
    let cert = std::fs::read_to_string(format!("{}/tests/fixtures/dp-cert-1.pem", env!("CARGO_MANIFEST_DIR"))).unwrap();
    let (s, _) = app
        .post_as(
            &tok,
            &format!("/us/v2/runtime-groups/{g1}/dp-client-certificates"),
            json!({"cert": cert}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let (s, _) = app
        .patch_as(
            &tok,
            &format!("/us/v2/runtime-groups/{g1}"),
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);

    // Admin on every group in every region.
    assign(&app, &bob, "Admin", "*", "*").await;
    let (_, l) = app.get_as(&tok, "/us/v2/runtime-groups").await;
    assert_eq!(names(&l), vec!["default", "one", "two"]);
    let (s, _) = app
        .patch_as(
            &tok,
            &format!("/us/v2/runtime-groups/{g2}"),
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (s, _) = app
        .post_as(&tok, "/eu/v2/runtime-groups", json!({"name": "bob's"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
}

#[tokio::test]
async fn creator_becomes_admin_of_what_it_creates() {
    let app = TestApp::new().await;
    let (_, existing) = app.post("/us/v2/runtime-groups", json!({"name": "existing"})).await;
    let existing = existing["id"].as_str().unwrap().to_string();
    let (carol, tok) = app.user("carol@example.com").await;
    assign(&app, &carol, "Creator", "*", "us").await;
    let (s, _) = app
        .post_as(&tok, "/eu/v2/runtime-groups", json!({"name": "wrong region"}))
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
    let (s, g) = app
        .post_as(&tok, "/us/v2/control-planes", json!({"name": "carol's"}))
        .await;
    assert_eq!(s, StatusCode::CREATED);
    let id = g["id"].as_str().unwrap();
    let (s, _) = app
        .patch_as(
            &tok,
            &format!("/us/v2/control-planes/{id}"),
            json!({"description": "mine"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, l) = app.get_as(&tok, "/us/v2/control-planes").await;
    assert_eq!(names(&l), vec!["carol's"], "Creator grants nothing on existing groups");
    let (s, _) = app.get_as(&tok, &format!("/us/v2/control-planes/{existing}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, roles) = app
        .get(&format!("/v3/users/{carol}/assigned-roles?filter[role_name]=Admin"))
        .await;
    assert_eq!(roles["data"][0]["entity_id"], id);
    assert_eq!(roles["data"][0]["entity_region"], "us");
    // Deleting the group removes the grant.
    let (s, _) = app.delete_as(&tok, &format!("/us/v2/control-planes/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, roles) = app
        .get(&format!("/v3/users/{carol}/assigned-roles?filter[role_name]=Admin"))
        .await;
    assert_eq!(roles["meta"]["page"]["total"], 0);
}

#[tokio::test]
async fn teams_system_accounts_and_predefined_teams() {
    let app = TestApp::new().await;
    let (_, g) = app.post("/us/v2/runtime-groups", json!({"name": "g"})).await;
    let g = g["id"].as_str().unwrap().to_string();
    // A system account with Viewer through a team.
    let (_, sa) = app
        .post("/v3/system-accounts", json!({"name": "ci", "description": "CI"}))
        .await;
    let sa = sa["id"].as_str().unwrap().to_string();
    let (_, t) = app
        .post(
            &format!("/v3/system-accounts/{sa}/access-tokens"),
            json!({"name": "t", "expires_at": "2030-01-01T00:00:00Z"}),
        )
        .await;
    let spat = t["token"].as_str().unwrap().to_string();
    let (_, team) = app.post("/v3/teams", json!({"name": "viewers"})).await;
    let team = team["id"].as_str().unwrap().to_string();
    app.post(
        &format!("/v3/teams/{team}/assigned-roles"),
        json!({"role_name": "Viewer", "entity_type_name": "Runtime Groups", "entity_id": g, "entity_region": "*"}),
    )
    .await;
    let (s, _) = app.get_as(&spat, &format!("/us/v2/runtime-groups/{g}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    app.post(&format!("/v3/teams/{team}/system-accounts"), json!({"id": sa}))
        .await;
    let (s, _) = app.get_as(&spat, &format!("/us/v2/runtime-groups/{g}")).await;
    assert_eq!(s, StatusCode::OK, "spat tokens work on regional APIs");

    // Runtime Admin and Organization Admin (Read Only) predefined teams.
    let (dan, dan_tok) = app.user("dan@example.com").await;
    let rt = app.system_team("Runtime Admin").await;
    app.post(&format!("/v3/teams/{rt}/users"), json!({"id": dan})).await;
    let (s, _) = app.delete_as(&dan_tok, &format!("/us/v2/runtime-groups/{g}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_as(&dan_tok, "/v3/users").await;
    assert_eq!(s, StatusCode::FORBIDDEN, "Runtime Admin grants nothing on identity");

    let (eve, eve_tok) = app.user("eve@example.com").await;
    let ro = app.system_team("Organization Admin (Read Only)").await;
    app.post(&format!("/v3/teams/{ro}/users"), json!({"id": eve})).await;
    let (_, l) = app.get_as(&eve_tok, "/au/v2/runtime-groups").await;
    assert_eq!(l["meta"]["page"]["total"], 1);
    let id = l["data"][0]["id"].as_str().unwrap();
    let (s, _) = app
        .patch_as(
            &eve_tok,
            &format!("/au/v2/runtime-groups/{id}"),
            json!({"description": "x"}),
        )
        .await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn composite_members_are_listed_only_when_readable() {
    let app = TestApp::new().await;
    let (_, c) = app
        .post(
            "/us/v2/runtime-groups",
            json!({"name": "c", "cluster_type": "CLUSTER_TYPE_COMPOSITE"}),
        )
        .await;
    let c = c["id"].as_str().unwrap().to_string();
    let (_, m1) = app.post("/us/v2/runtime-groups", json!({"name": "m1"})).await;
    let (_, m2) = app.post("/us/v2/runtime-groups", json!({"name": "m2"})).await;
    let (m1, m2) = (
        m1["id"].as_str().unwrap().to_string(),
        m2["id"].as_str().unwrap().to_string(),
    );
    app.post(
        &format!("/us/v2/runtime-groups/{c}/composite-memberships/add"),
        json!({"members": [{"id": m1}, {"id": m2}]}),
    )
    .await;
    let (bob, tok) = app.user("bob@example.com").await;
    assign(&app, &bob, "Viewer", &c, "us").await;
    let (s, l) = app
        .get_as(&tok, &format!("/us/v2/runtime-groups/{c}/composite-memberships"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["meta"]["page"]["total"], 0, "members bob cannot read stay hidden");
    assign(&app, &bob, "Viewer", &m1, "us").await;
    let (_, l) = app
        .get_as(&tok, &format!("/us/v2/control-planes/{c}/group-memberships"))
        .await;
    assert_eq!(l["meta"]["page"]["total"], 1);
    assert_eq!(l["data"][0]["id"], m1);
    let (_, l) = app
        .get(&format!("/us/v2/runtime-groups/{c}/composite-memberships"))
        .await;
    assert_eq!(l["meta"]["page"]["total"], 2, "the admin sees both");
    let _ = m2;
}
