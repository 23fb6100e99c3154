use axum::http::StatusCode;
use serde_json::{json, Value};

use crate::helpers::TestApp;

async fn group(app: &TestApp, name: &str, cluster_type: &str) -> String {
    app.clock.advance(chrono::TimeDelta::seconds(1));
    let (s, g) = app
        .post(
            "/us/v2/runtime-groups",
            json!({"name": name, "cluster_type": cluster_type}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    g["id"].as_str().unwrap().to_string()
}

fn members(ids: &[&String]) -> Value {
    json!({"members": ids.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()})
}

#[tokio::test]
async fn memberships_add_remove_put_and_status() {
    let app = TestApp::new().await;
    let c = group(&app, "composite", "CLUSTER_TYPE_COMPOSITE").await;
    let a = group(&app, "a", "CLUSTER_TYPE_HYBRID").await;
    let b = group(&app, "b", "CLUSTER_TYPE_HYBRID").await;
    let base = format!("/us/v2/runtime-groups/{c}/composite-memberships");

    let (s, _) = app.post(&format!("{base}/add"), members(&[&a, &b])).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, l) = app.get(&base).await;
    assert_eq!(l["meta"]["page"]["total"], 2);
    assert_eq!(l["data"][0]["id"], a);
    let (_, st) = app
        .get(&format!("/us/v2/runtime-groups/{a}/composite-member-status"))
        .await;
    assert_eq!(st, json!({"is_member": true}));
    let (_, st) = app
        .get(&format!("/us/v2/runtime-groups/{c}/composite-member-status"))
        .await;
    assert_eq!(st, json!({"is_member": false}));
    let (s, st) = app.get(&format!("/us/v2/runtime-groups/{c}/composite-status")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(st["state"], "COMPOSITE_STATE_OK");
    assert_eq!(st["conflicts"], json!([]));
    let (_, st) = app.get(&format!("/us/v2/control-planes/{c}/group-status")).await;
    assert_eq!(st["state"], "OK");

    // Adding again is idempotent; removing takes effect.
    let (s, _) = app.post(&format!("{base}/add"), members(&[&a])).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.post(&format!("{base}/remove"), members(&[&a])).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, l) = app.get(&base).await;
    assert_eq!(l["meta"]["page"]["total"], 1);

    // PUT replaces; an empty list clears.
    let (s, _) = app.put(&base, members(&[&a])).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, l) = app.get(&base).await;
    assert_eq!(l["data"].as_array().unwrap().len(), 1);
    assert_eq!(l["data"][0]["id"], a);
    let (s, _) = app
        .put(
            &format!("/us/v2/control-planes/{c}/group-memberships"),
            json!({"members": []}),
        )
        .await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, l) = app.get(&base).await;
    assert_eq!(l["meta"]["page"]["total"], 0);

    // Each of the six membership routes does its own change, under both names.
    let ids = |l: &serde_json::Value| -> Vec<String> {
        let mut v: Vec<String> = l["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|g| g["id"].as_str().unwrap().to_string())
            .collect();
        v.sort();
        v
    };
    let both = {
        let mut v = vec![a.clone(), b.clone()];
        v.sort();
        v
    };
    for family in [
        format!("/us/v2/runtime-groups/{c}/composite-memberships"),
        format!("/us/v2/control-planes/{c}/group-memberships"),
    ] {
        assert_eq!(app.put(&family, members(&[&a])).await.0, StatusCode::NO_CONTENT);
        assert_eq!(ids(&app.get(&base).await.1), vec![a.clone()], "{family} put");
        let (s, _) = app.post(&format!("{family}/add"), members(&[&b])).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(ids(&app.get(&base).await.1), both, "{family}/add");
        let (s, _) = app.post(&format!("{family}/remove"), members(&[&a])).await;
        assert_eq!(s, StatusCode::NO_CONTENT);
        assert_eq!(ids(&app.get(&base).await.1), vec![b.clone()], "{family}/remove");
    }

    // Deleting a member removes its membership.
    app.post(&format!("{base}/add"), members(&[&a, &b])).await;
    app.delete(&format!("/us/v2/runtime-groups/{b}")).await;
    let (_, l) = app.get(&base).await;
    assert_eq!(l["meta"]["page"]["total"], 1);
}

#[tokio::test]
async fn composite_rules() {
    let app = TestApp::new().await;
    let c = group(&app, "composite", "CLUSTER_TYPE_COMPOSITE").await;
    let c2 = group(&app, "composite2", "CLUSTER_TYPE_COMPOSITE").await;
    let kic = group(&app, "kic", "CLUSTER_TYPE_K8S_INGRESS_CONTROLLER").await;
    let h = group(&app, "h", "CLUSTER_TYPE_HYBRID").await;
    let base = format!("/us/v2/runtime-groups/{c}/composite-memberships");
    let missing = uuid::Uuid::new_v4().to_string();
    let eu = {
        let (_, g) = app.post("/eu/v2/runtime-groups", json!({"name": "eu-member"})).await;
        g["id"].as_str().unwrap().to_string()
    };
    for (m, rule) in [
        (&c2, "invalid"),
        (&kic, "invalid"),
        (&missing, "missing_reference"),
        (&eu, "missing_reference"),
        (&c, "invalid"),
    ] {
        let (s, e) = app.post(&format!("{base}/add"), members(&[m])).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{m}");
        assert_eq!(e["invalid_parameters"][0]["field"], "members[0].id");
        assert_eq!(e["invalid_parameters"][0]["rule"], rule, "{e}");
    }
    let (s, e) = app
        .post(&format!("{base}/add"), json!({"members": [{"id": "nope"}]}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["rule"], "is_uuid");
    let (s, _) = app.post(&format!("{base}/add"), json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    // Only composites have members.
    let (s, _) = app
        .post(
            &format!("/us/v2/runtime-groups/{h}/composite-memberships/add"),
            members(&[&h]),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app.get(&format!("/us/v2/runtime-groups/{h}/composite-status")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    // At most 50 per call.
    let many: Vec<String> = (0..51).map(|_| uuid::Uuid::new_v4().to_string()).collect();
    let (s, e) = app
        .post(
            &format!("{base}/add"),
            json!({"members": many.iter().map(|i| json!({"id": i})).collect::<Vec<_>>()}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["rule"], "invalid");

    // A group belongs to at most 5 composites.
    let mut comps = vec![];
    for i in 0..5 {
        comps.push(group(&app, &format!("c{i}"), "CLUSTER_TYPE_CONTROL_PLANE_GROUP").await);
    }
    for comp in &comps {
        let (s, _) = app
            .post(
                &format!("/us/v2/runtime-groups/{comp}/composite-memberships/add"),
                members(&[&h]),
            )
            .await;
        assert_eq!(s, StatusCode::NO_CONTENT);
    }
    let (s, e) = app.post(&format!("{base}/add"), members(&[&h])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(
        e["invalid_parameters"][0]["reason"].as_str().unwrap().contains('5'),
        "{e}"
    );

    // Groups with connected nodes cannot join.
    let n = group(&app, "with-node", "CLUSTER_TYPE_HYBRID").await;
    app.store
        .upsert_node(
            kontrol::domain::ids::RuntimeGroupId(n.parse().unwrap()),
            "node-1",
            "3.4.0",
            "dp1",
            "abc",
            app.clock.now(),
        )
        .await
        .unwrap();
    let (s, _) = app.post(&format!("{base}/add"), members(&[&n])).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn group_memberships_cursor_pages() {
    let app = TestApp::new().await;
    let c = group(&app, "grp", "CLUSTER_TYPE_CONTROL_PLANE_GROUP").await;
    let mut ids = vec![];
    for i in 0..5 {
        ids.push(group(&app, &format!("m{i}"), "CLUSTER_TYPE_CONTROL_PLANE").await);
    }
    let refs: Vec<&String> = ids.iter().collect();
    app.post(
        &format!("/us/v2/control-planes/{c}/group-memberships/add"),
        members(&refs),
    )
    .await;
    let (s, p1) = app
        .get(&format!("/us/v2/control-planes/{c}/group-memberships?page[size]=2"))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(p1["meta"]["page"]["size"], 2);
    assert_eq!(p1["meta"]["page"]["total"], 5);
    assert_eq!(p1["data"][0]["config"]["cluster_type"], "CLUSTER_TYPE_CONTROL_PLANE");
    let mut seen: Vec<String> = p1["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect();
    let mut next = p1["meta"]["page"]["next"].as_str().unwrap().to_string();
    loop {
        assert!(
            next.starts_with("/us/v2/control-planes/"),
            "the link keeps the region prefix: {next}"
        );
        let (_, p) = app.get(&next).await;
        assert!(p["meta"]["page"]["total"].is_null(), "total only on the first page");
        seen.extend(
            p["data"]
                .as_array()
                .unwrap()
                .iter()
                .map(|g| g["id"].as_str().unwrap().to_string()),
        );
        match p["meta"]["page"]["next"].as_str() {
            Some(n) => next = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, ids);
    let (s, _) = app
        .get(&format!(
            "/us/v2/control-planes/{c}/group-memberships?page[after]=garbage"
        ))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
