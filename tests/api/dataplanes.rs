use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;
use kontrol::domain::ids::RuntimeGroupId;

fn fixture(name: &str) -> String {
    std::fs::read_to_string(format!("{}/tests/fixtures/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

async fn group(app: &TestApp) -> String {
    let (_, g) = app.post("/us/v2/runtime-groups", json!({"name": "dp"})).await;
    g["id"].as_str().unwrap().to_string()
}

#[tokio::test]
async fn pin_list_get_delete_certificates() {
    let app = TestApp::new().await;
    let g = group(&app).await;
    let base = format!("/us/v2/runtime-groups/{g}/dp-client-certificates");
    let cert = fixture("dp-cert-1.pem");
    let (s, c) = app.post(&base, json!({"cert": cert})).await;
    assert_eq!(s, StatusCode::CREATED, "{c}");
    let id = c["item"]["id"].as_str().unwrap().to_string();
    assert!(c["item"]["cert"].as_str().unwrap().contains("BEGIN CERTIFICATE"));
    assert!(c["item"]["created_at"].is_i64(), "integer timestamps: {c}");
    let (s, _) = app.post(&base, json!({"cert": cert})).await;
    assert_eq!(s, StatusCode::CONFLICT, "pinned twice");
    let (s, _) = app
        .post(
            &format!("/us/v2/control-planes/{g}/dp-client-certificates"),
            json!({"cert": fixture("dp-cert-2.pem")}),
        )
        .await;
    assert_eq!(s, StatusCode::CREATED);

    let (_, l) = app.get(&base).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 2);
    assert_eq!(l["page"]["total_count"], 2);
    let (_, l) = app.get(&format!("{base}?page_size=1&page_number=2")).await;
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let (s, one) = app.get(&format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(one["item"]["id"], id);
    let (s, _) = app.delete(&format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&format!("{base}/{id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    // Another group does not see it.
    let (_, other) = app.post("/us/v2/runtime-groups", json!({"name": "other"})).await;
    let (_, l) = app
        .get(&format!(
            "/us/v2/runtime-groups/{}/dp-client-certificates",
            other["id"].as_str().unwrap()
        ))
        .await;
    assert_eq!(l["page"]["total_count"], 0);
}

#[tokio::test]
async fn bad_certificates_are_400() {
    let app = TestApp::new().await;
    let g = group(&app).await;
    let base = format!("/us/v2/runtime-groups/{g}/dp-client-certificates");
    for (cert, needle) in [
        ("garbage".to_string(), "PEM"),
        (fixture("dp-key-1.pem"), "private key"),
        (fixture("dp-cert-expired.pem"), "expired"),
        (fixture("dp-cert-future.pem"), "not valid before"),
        (
            "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n".to_string(),
            "X.509",
        ),
        (String::new(), "blank"),
        (
            format!("{}{}", fixture("dp-cert-1.pem"), fixture("dp-cert-2.pem")),
            "exactly one",
        ),
    ] {
        let (s, e) = app.post(&base, json!({"cert": cert})).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{needle}");
        assert_eq!(e["invalid_parameters"][0]["field"], "cert");
        assert!(
            e["invalid_parameters"][0]["reason"].as_str().unwrap().contains(needle),
            "{needle}: {e}"
        );
    }
    let (s, _) = app.post(&base, json!({})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}

#[tokio::test]
async fn nodes_eol_and_config_hash() {
    let app = TestApp::new().await;
    let g = group(&app).await;
    let base = format!("/us/v2/runtime-groups/{g}");
    let (s, l) = app.get(&format!("{base}/nodes")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l, json!({"items": [], "page": {"total_count": 0}}));
    let (_, h) = app.get(&format!("{base}/expected-config-hash")).await;
    assert_eq!(h["expected_hash"], "00000000000000000000000000000000");
    assert!(h["created_at"].is_i64());

    let rg = RuntimeGroupId(g.parse().unwrap());
    app.store
        .upsert_node(rg, "node-new", "3.6.1", "dp-a", "abc", app.clock.now())
        .await
        .unwrap();
    app.store
        .upsert_node(rg, "node-old", "2.8.4", "dp-b", "def", app.clock.now())
        .await
        .unwrap();
    let (_, l) = app.get(&format!("/us/v2/control-planes/{g}/nodes?page_size=1")).await;
    assert_eq!(l["page"]["total_count"], 2);
    assert_eq!(l["items"].as_array().unwrap().len(), 1);
    let (_, n) = app.get(&format!("{base}/nodes/node-new")).await;
    assert_eq!(n["item"]["hostname"], "dp-a");
    assert_eq!(n["item"]["version"], "3.6.1");
    let (_, eol) = app.get(&format!("{base}/nodes/eol")).await;
    assert_eq!(eol["items"].as_array().unwrap().len(), 1);
    assert_eq!(eol["items"][0]["node_id"], "node-old");
    let (s, _) = app.delete(&format!("{base}/nodes/node-old")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&format!("{base}/nodes/node-old")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.get(&format!("{base}/nodes?page_size=0")).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    let (s, _) = app
        .get(&format!("/us/v2/runtime-groups/{}/nodes", uuid::Uuid::new_v4()))
        .await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}
