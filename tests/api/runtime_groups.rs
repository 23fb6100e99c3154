use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use serde_json::{json, Value};

use crate::helpers::TestApp;

fn ids(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["id"].as_str().unwrap().to_string())
        .collect()
}

fn names(v: &Value) -> Vec<String> {
    v["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|g| g["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn create_get_update_delete() {
    let app = TestApp::new().await;
    let body = json!({
        "name": "Test Runtime Group",
        "description": "A test runtime group for exploration.",
        "cluster_type": "CLUSTER_TYPE_HYBRID",
        "auth_type": "pki_client_certs",
        "cloud_gateway": false,
        "proxy_urls": [{"host": "example.com", "port": 443, "protocol": "https"}],
        "labels": {"env": "test"}
    });
    let (s, g) = app.post("/us/v2/runtime-groups", body.clone()).await;
    assert_eq!(s, StatusCode::CREATED, "{g}");
    let id = g["id"].as_str().unwrap().to_string();
    assert_eq!(g["config"]["cluster_type"], "CLUSTER_TYPE_HYBRID");
    assert_eq!(g["config"]["auth_type"], "pki_client_certs");
    assert_eq!(g["config"]["cloud_gateway"], false);
    assert_eq!(g["config"]["proxy_urls"], body["proxy_urls"]);
    assert_eq!(g["labels"], json!({"env": "test"}));
    let cp = g["config"]["control_plane_endpoint"].as_str().unwrap();
    let tp = g["config"]["telemetry_endpoint"].as_str().unwrap();
    assert!(cp.starts_with("https://") && cp.contains(".us.cp."), "{cp}");
    assert!(tp.contains(".us.tp."), "{tp}");
    assert!(url::Url::parse(cp).is_ok());

    let (s, got) = app.get(&format!("/us/v2/runtime-groups/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(got, g, "GET returns what create returned");
    // The same data through the later name.
    let (s, cpv) = app.get(&format!("/us/v2/control-planes/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(cpv["name"], "Test Runtime Group");
    assert_eq!(cpv["config"]["cluster_type"], "CLUSTER_TYPE_HYBRID");

    let (s, _) = app
        .post("/us/v2/runtime-groups", json!({"name": "Test Runtime Group"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT);
    let (s, _) = app
        .post("/us/v2/control-planes", json!({"name": "Test Runtime Group"}))
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one namespace for both names");

    let (s, u) = app.patch(&format!("/us/v2/runtime-groups/{id}"), json!({"description": "changed", "labels": {"env": null, "team": "core"}, "auth_type": "pinned_client_certs"})).await;
    assert_eq!(s, StatusCode::OK, "{u}");
    assert_eq!(u["description"], "changed");
    assert_eq!(u["labels"], json!({"team": "core"}));
    assert_eq!(u["config"]["auth_type"], "pinned_client_certs");
    assert_eq!(
        u["config"]["control_plane_endpoint"],
        g["config"]["control_plane_endpoint"]
    );
    let (s, e) = app
        .patch(
            &format!("/us/v2/runtime-groups/{id}"),
            json!({"cluster_type": "CLUSTER_TYPE_COMPOSITE"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "cluster_type is immutable");
    assert_eq!(e["invalid_parameters"][0]["rule"], "unknown_property");

    let (s, _) = app.delete(&format!("/us/v2/runtime-groups/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, e) = app.get(&format!("/us/v2/runtime-groups/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    assert_eq!(e["detail"], "The requested runtime group was not found.");
}

#[tokio::test]
async fn validation() {
    let app = TestApp::new().await;
    for (body, field, rule) in [
        (json!({}), "name", "required"),
        (json!({"name": ""}), "name", "required"),
        (json!({"name": "x", "id": "abc"}), "id", "unknown_property"),
        (
            json!({"name": "x", "cluster_type": "CLUSTER_TYPE_NOPE"}),
            "cluster_type",
            "enum",
        ),
        (json!({"name": "x", "auth_type": "password"}), "auth_type", "enum"),
        (
            json!({"name": "x", "labels": {"kong.io": "x"}}),
            "labels.kong.io",
            "is_label",
        ),
        (json!({"name": "x", "labels": {"_a": "x"}}), "labels._a", "is_label"),
        (
            json!({"name": "x", "labels": {"ok": "not ok"}}),
            "labels.ok",
            "is_label",
        ),
        (
            json!({"name": "x", "proxy_urls": [{"host": "h", "port": 70000, "protocol": "https"}]}),
            "proxy_urls[0].port",
            "invalid",
        ),
        (
            json!({"name": "x", "proxy_urls": [{"host": "h", "port": 1, "protocol": "gopher"}]}),
            "proxy_urls[0].protocol",
            "enum",
        ),
        (
            json!({"name": "x", "cloud_gateway": "yes"}),
            "cloud_gateway",
            "is_boolean",
        ),
    ] {
        let (s, e) = app.post("/us/v2/runtime-groups", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["invalid_parameters"][0]["field"], field, "{body}: {e}");
        assert_eq!(e["invalid_parameters"][0]["rule"], rule, "{body}: {e}");
    }
    let many: serde_json::Map<String, Value> = (0..51).map(|i| (format!("k{i}"), json!("v"))).collect();
    let (s, _) = app
        .post("/us/v2/runtime-groups", json!({"name": "x", "labels": many}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, e) = app
        .post(
            "/us/v2/runtime-groups",
            json!({"name": "x", "proxy_urls": [{"host": "h", "port": 1}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "{e}");
}

#[tokio::test]
async fn cluster_type_names_per_family() {
    let app = TestApp::new().await;
    let (_, a) = app
        .post(
            "/us/v2/control-planes",
            json!({"name": "cp", "cluster_type": "CLUSTER_TYPE_CONTROL_PLANE"}),
        )
        .await;
    assert_eq!(a["config"]["cluster_type"], "CLUSTER_TYPE_CONTROL_PLANE");
    let (_, b) = app
        .post(
            "/us/v2/control-planes",
            json!({"name": "grp", "cluster_type": "CLUSTER_TYPE_CONTROL_PLANE_GROUP"}),
        )
        .await;
    let (_, c) = app
        .post(
            "/us/v2/runtime-groups",
            json!({"name": "comp", "cluster_type": "CLUSTER_TYPE_COMPOSITE"}),
        )
        .await;
    let (_, d) = app.post("/us/v2/control-planes", json!({"name": "plain"})).await;
    assert_eq!(
        d["config"]["cluster_type"], "CLUSTER_TYPE_CONTROL_PLANE",
        "control planes default to CONTROL_PLANE"
    );
    let get = |base: &str, g: &Value| format!("/us/v2/{base}/{}", g["id"].as_str().unwrap());
    assert_eq!(
        app.get(&get("runtime-groups", &a)).await.1["config"]["cluster_type"],
        "CLUSTER_TYPE_HYBRID"
    );
    assert_eq!(
        app.get(&get("runtime-groups", &b)).await.1["config"]["cluster_type"],
        "CLUSTER_TYPE_COMPOSITE"
    );
    assert_eq!(
        app.get(&get("control-planes", &c)).await.1["config"]["cluster_type"],
        "CLUSTER_TYPE_CONTROL_PLANE_GROUP"
    );

    let (_, l) = app
        .get("/us/v2/runtime-groups?filter[cluster_type]=CLUSTER_TYPE_COMPOSITE")
        .await;
    assert_eq!(l["meta"]["page"]["total"], 2, "both spellings match");
    let (_, l) = app
        .get("/us/v2/control-planes?filter[cluster_type][neq]=CLUSTER_TYPE_CONTROL_PLANE_GROUP")
        .await;
    assert_eq!(l["meta"]["page"]["total"], 3, "default + cp + plain");
    let (_, l) = app
        .get("/us/v2/control-planes?filter[cluster_type][eq]=CLUSTER_TYPE_HYBRID")
        .await;
    assert_eq!(l["meta"]["page"]["total"], 3);
}

#[tokio::test]
async fn list_filters_sort_and_pages() {
    let app = TestApp::new().await;
    let mut created = vec![];
    for (i, (name, labels)) in [
        ("alpha", json!({"env": "prod", "team": "a"})),
        ("beta", json!({"env": "dev"})),
        ("gamma", json!({"env": "PROD"})),
        ("Alphabet", json!({})),
    ]
    .into_iter()
    .enumerate()
    {
        app.clock.advance(chrono::TimeDelta::seconds(1 + i as i64));
        let (s, g) = app
            .post("/us/v2/runtime-groups", json!({"name": name, "labels": labels}))
            .await;
        assert_eq!(s, StatusCode::CREATED);
        created.push(g["id"].as_str().unwrap().to_string());
    }
    let (_, all) = app.get("/us/v2/runtime-groups").await;
    assert_eq!(all["meta"]["page"]["total"], 5, "four and the default group");
    assert!(names(&all).contains(&"default".to_string()));

    let (_, l) = app.get("/us/v2/runtime-groups?filter[name]=alpha").await;
    assert_eq!(names(&l), vec!["alpha"]);
    let (_, l) = app.get("/us/v2/runtime-groups?filter[name][eq]=alpha").await;
    assert_eq!(names(&l), vec!["alpha"]);
    let (_, l) = app
        .get("/us/v2/runtime-groups?filter[name][contains]=ALPHA&sort=name")
        .await;
    assert_eq!(names(&l), vec!["Alphabet", "alpha"]);
    let (_, l) = app
        .get("/us/v2/runtime-groups?filter[name][neq]=default&sort=created_at%20desc")
        .await;
    assert_eq!(names(&l), vec!["Alphabet", "gamma", "beta", "alpha"]);
    let (_, l) = app
        .get(&format!("/us/v2/runtime-groups?filter[id]={}", created[1]))
        .await;
    assert_eq!(ids(&l), vec![created[1].clone()]);
    let (_, l) = app
        .get(&format!(
            "/us/v2/runtime-groups?filter[id][oeq]={},{}&sort=created_at",
            created[0], created[2]
        ))
        .await;
    assert_eq!(ids(&l), vec![created[0].clone(), created[2].clone()]);
    let (_, l) = app.get("/us/v2/runtime-groups?labels=env:prod&sort=name").await;
    assert_eq!(
        names(&l),
        vec!["alpha", "gamma"],
        "label values match case-insensitively"
    );
    let (_, l) = app.get("/us/v2/runtime-groups?labels=env:prod,team").await;
    assert_eq!(names(&l), vec!["alpha"]);
    let (_, l) = app.get("/us/v2/runtime-groups?labels=env").await;
    assert_eq!(l["meta"]["page"]["total"], 3);
    let (_, l) = app.get("/us/v2/runtime-groups?filter[cloud_gateway]=false").await;
    assert_eq!(l["meta"]["page"]["total"], 5);

    let (_, p2) = app
        .get("/us/v2/runtime-groups?page[size]=2&page[number]=2&sort=name")
        .await;
    assert_eq!(p2["meta"]["page"], json!({"number": 2, "size": 2, "total": 5}));
    assert_eq!(names(&p2), vec!["beta", "default"]);

    for bad in [
        "sort=password",
        "labels=:x",
        "filter[name][oeq]=a",
        "filter[description]=x",
        "page[size]=1000",
        "filter[cloud_gateway]=maybe",
    ] {
        let (s, _) = app.get(&format!("/us/v2/runtime-groups?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
    }
}

#[tokio::test]
async fn default_group_exists_and_cannot_be_deleted() {
    let app = TestApp::new().await;
    for region in ["us", "eu", "au", "me", "in"] {
        let (_, l) = app
            .get(&format!("/{region}/v2/runtime-groups?filter[name]=default"))
            .await;
        assert_eq!(l["meta"]["page"]["total"], 1, "{region}");
    }
    let (_, l) = app.get("/us/v2/runtime-groups?filter[name]=default").await;
    let id = l["data"][0]["id"].as_str().unwrap();
    let (s, e) = app.delete(&format!("/us/v2/runtime-groups/{id}")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert!(e["detail"].as_str().unwrap().contains("default"));
    let (s, _) = app
        .patch(&format!("/us/v2/runtime-groups/{id}"), json!({"name": "renamed"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .patch(
            &format!("/us/v2/runtime-groups/{id}"),
            json!({"description": "the default"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
}

#[tokio::test]
async fn regions_and_organizations_are_isolated() {
    let app = TestApp::new().await;
    let (_, us) = app.post("/us/v2/runtime-groups", json!({"name": "shared-name"})).await;
    let us_id = us["id"].as_str().unwrap().to_string();
    // The same name is free in another region.
    let (s, eu) = app.post("/eu/v2/runtime-groups", json!({"name": "shared-name"})).await;
    assert_eq!(s, StatusCode::CREATED);
    assert!(eu["config"]["control_plane_endpoint"]
        .as_str()
        .unwrap()
        .contains(".eu.cp."));
    let (s, _) = app.get(&format!("/eu/v2/runtime-groups/{us_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not reachable from another region");
    let (s, _) = app.delete(&format!("/eu/v2/control-planes/{us_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (_, l) = app.get("/eu/v2/runtime-groups").await;
    assert_eq!(l["meta"]["page"]["total"], 2, "eu: default + its own");

    // Host-based regions and the plain-localhost default region.
    let req = |host: &str, path: &str| {
        Request::builder()
            .method(Method::GET)
            .uri(path)
            .header("host", host)
            .header("authorization", format!("Bearer {}", app.admin))
            .body(Body::empty())
            .unwrap()
    };
    let (s, g) = app
        .send(req("us.api.example.com", &format!("/v2/runtime-groups/{us_id}")))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(g["id"], us_id);
    let (s, _) = app
        .send(req("eu.api.example.com", &format!("/v2/runtime-groups/{us_id}")))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .send(req("localhost:8080", &format!("/v2/control-planes/{us_id}")))
        .await;
    assert_eq!(s, StatusCode::OK, "plain localhost is the first region");
    let (s, _) = app.send(req("global.api.example.com", "/v2/runtime-groups")).await;
    assert_eq!(s, StatusCode::NOT_FOUND, "not on the global API");
    let (s, _) = app.get("/global/v2/control-planes").await;
    assert_eq!(s, StatusCode::NOT_FOUND);

    // Another organization sees none of it.
    let other = kontrol::bootstrap::bootstrap(&app.store, &app.clock, &app.regions, "Other Org", "o@example.com")
        .await
        .unwrap();
    let (_, l) = app.get_as(&other.token, "/us/v2/runtime-groups").await;
    assert_eq!(names(&l), vec!["default"]);
    let (s, _) = app
        .get_as(&other.token, &format!("/us/v2/runtime-groups/{us_id}"))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app
        .post_as(&other.token, "/us/v2/runtime-groups", json!({"name": "shared-name"}))
        .await;
    assert_eq!(s, StatusCode::CREATED, "names are unique per organization");
}

#[tokio::test]
async fn legacy_deck_listing() {
    let app = TestApp::new().await;
    for i in 0..3 {
        app.post("/us/v2/runtime-groups", json!({"name": format!("g{i}")}))
            .await;
    }
    let (s, l) = app.get("/konnect-api/api/runtime_groups?page=1&size=3").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l["page"], 1);
    assert_eq!(l["pageCount"], 2);
    assert_eq!(l["data"].as_array().unwrap().len(), 3);
    let (_, l) = app.get("/us/konnect-api/api/runtime_groups?page=2&size=3").await;
    assert_eq!(l["data"].as_array().unwrap().len(), 1);
    let (s, _) = app.get("/konnect-api/api/runtime_groups?size=1000").await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
