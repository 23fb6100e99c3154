use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn authentication_settings() {
    let app = TestApp::new().await;
    let (s, a) = app.get("/v3/authentication-settings").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(
        a,
        json!({"basic_auth_enabled": true, "oidc_auth_enabled": false, "saml_auth_enabled": false, "idp_mapping_enabled": false, "konnect_mapping_enabled": true})
    );
    let (s, a) = app
        .patch("/v2/authentication-settings", json!({"idp_mapping_enabled": true}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(a["idp_mapping_enabled"], true);
    let (_, a) = app.get("/v3/authentication-settings").await;
    assert_eq!(a["idp_mapping_enabled"], true, "persisted");

    let (s, e) = app
        .patch("/v3/authentication-settings", json!({"basic_auth_enabled": false}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "at least one scheme stays on");
    assert_eq!(e["invalid_parameters"].as_array().unwrap().len(), 3);
    let (s, e) = app
        .patch("/v3/authentication-settings", json!({"oidc_auth_enabled": true}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "OIDC needs a provider");
    assert_eq!(e["invalid_parameters"][0]["field"], "oidc_auth_enabled");
    let (s, _) = app
        .patch("/v3/authentication-settings", json!({"basic_auth_enabled": "yes"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    app.patch("/v2/identity-provider", json!({"issuer": "https://idp.example.com/oauth2", "client_id": "cid", "client_secret": "s3cret", "login_path": "test-org"})).await;
    let (s, a) = app
        .patch(
            "/v3/authentication-settings",
            json!({"oidc_auth_enabled": true, "basic_auth_enabled": false}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{a}");
    assert_eq!(a["oidc_auth_enabled"], true);
}

#[tokio::test]
async fn v2_identity_provider() {
    let app = TestApp::new().await;
    let (s, _) = app.get("/v2/identity-provider").await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, e) = app
        .patch(
            "/v2/identity-provider",
            json!({"issuer": "not a url", "client_id": "c", "login_path": "acme"}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "issuer");
    let (s, idp) = app.patch("/v2/identity-provider", json!({"issuer": "https://idp.example.com/oauth2", "client_id": "cid", "client_secret": "s3cret", "login_path": "acme"})).await;
    assert_eq!(s, StatusCode::OK, "{idp}");
    assert_eq!(idp["issuer"], "https://idp.example.com/oauth2");
    assert_eq!(idp["scopes"], json!(["email", "openid", "profile"]));
    assert_eq!(
        idp["claim_mappings"],
        json!({"name": "name", "email": "email", "groups": "groups"})
    );
    assert!(!idp.to_string().contains("s3cret"), "the secret is never returned");
    let (_, idp) = app
        .patch("/v2/identity-provider", json!({"scopes": ["openid", "email"]}))
        .await;
    assert_eq!(idp["scopes"], json!(["openid", "email"]));
    assert_eq!(idp["client_id"], "cid");
    let (_, got) = app.get("/v2/identity-provider").await;
    assert_eq!(got, idp);
    let (_, org) = app.get("/v3/organizations/me").await;
    assert_eq!(org["login_path"], "acme");
    // The same provider shows in the v3 collection.
    let (_, list) = app.get("/v3/identity-providers?filter[type]=oidc").await;
    assert_eq!(list[0]["config"]["issuer_url"], "https://idp.example.com/oauth2");
}

#[tokio::test]
async fn v3_identity_providers() {
    let app = TestApp::new().await;
    let (s, l) = app.get("/v3/identity-providers").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(l, json!([]));
    let (s, saml) = app.post("/v3/identity-providers", json!({"type": "saml", "login_path": "acme-saml", "config": {"idp_metadata_url": "https://mocksaml.com/api/saml/metadata"}})).await;
    assert_eq!(s, StatusCode::CREATED, "{saml}");
    assert_eq!(saml["enabled"], false);
    assert!(saml["config"]["sp_metadata_url"]
        .as_str()
        .unwrap()
        .contains("acme-saml"));
    assert!(saml["config"]["callback_url"].is_string());
    let saml_id = saml["id"].as_str().unwrap().to_string();
    let (s, _) = app
        .post(
            "/v3/identity-providers",
            json!({"type": "saml", "login_path": "other", "config": {"idp_metadata_xml": "<x/>"}}),
        )
        .await;
    assert_eq!(s, StatusCode::CONFLICT, "one provider per type");
    let (s, _) = app.post("/v3/identity-providers", json!({"type": "oidc", "login_path": "acme-saml", "config": {"issuer_url": "https://a.example.com", "client_id": "c"}})).await;
    assert_eq!(s, StatusCode::CONFLICT, "login paths are unique");
    let (s, oidc) = app.post("/v3/identity-providers", json!({"type": "oidc", "login_path": "acme-oidc", "config": {"issuer_url": "https://a.example.com", "client_id": "c", "client_secret": "x"}})).await;
    assert_eq!(s, StatusCode::CREATED);
    let oidc_id = oidc["id"].as_str().unwrap().to_string();

    for (body, field) in [
        (json!({"login_path": "x", "config": {}}), "type"),
        (json!({"type": "ldap", "login_path": "x", "config": {}}), "type"),
        (
            json!({"type": "oidc", "login_path": "y", "config": {"client_id": "c"}}),
            "config.issuer_url",
        ),
        (
            json!({"type": "saml", "login_path": "y", "config": {"client_id": "c"}}),
            "config.client_id",
        ),
    ] {
        let (s, e) = app.post("/v3/identity-providers", body.clone()).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{body}");
        assert_eq!(e["invalid_parameters"][0]["field"], field, "{e}");
    }

    // Enabling one disables the other.
    let (s, _) = app
        .patch(&format!("/v3/identity-providers/{saml_id}"), json!({"enabled": true}))
        .await;
    assert_eq!(s, StatusCode::OK);
    let (_, o) = app
        .patch(
            &format!("/v3/identity-providers/{oidc_id}"),
            json!({"enabled": true, "config": {"client_id": "c2"}}),
        )
        .await;
    assert_eq!(o["enabled"], true);
    assert_eq!(o["config"]["client_id"], "c2");
    assert_eq!(o["config"]["issuer_url"], "https://a.example.com");
    let (_, sm) = app.get(&format!("/v3/identity-providers/{saml_id}")).await;
    assert_eq!(sm["enabled"], false);
    let (_, l) = app.get("/v3/identity-providers?filter[type]=saml").await;
    assert_eq!(l.as_array().unwrap().len(), 1);

    let (s, _) = app.delete(&format!("/v3/identity-providers/{saml_id}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&format!("/v3/identity-providers/{saml_id}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn team_mappings() {
    let app = TestApp::new().await;
    let (_, t1) = app.post("/v3/teams", json!({"name": "Devs"})).await;
    let (_, t2) = app.post("/v3/teams", json!({"name": "Ops"})).await;
    let (t1, t2) = (
        t1["id"].as_str().unwrap().to_string(),
        t2["id"].as_str().unwrap().to_string(),
    );

    let (s, _) = app.get("/v3/identity-provider/team-mappings").await;
    assert_eq!(s, StatusCode::PRECONDITION_FAILED, "needs an IdP");
    let (s, _) = app
        .patch(
            "/v3/identity-provider/team-group-mappings",
            json!({"data": [{"team_id": t1, "groups": ["g"]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);

    app.patch(
        "/v2/identity-provider",
        json!({"issuer": "https://idp.example.com", "client_id": "c", "login_path": "acme"}),
    )
    .await;
    let (s, r) = app
        .put(
            "/v3/identity-provider/team-mappings",
            json!({"mappings": [{"group": "Engineers", "team_ids": [t1, t2]}, {"group": "SRE", "team_ids": [t2]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK, "{r}");
    assert_eq!(r["data"].as_array().unwrap().len(), 2);
    let (_, m) = app.get("/v3/identity-provider/team-mappings?page[size]=1").await;
    assert_eq!(m["meta"]["page"], json!({"number": 1, "size": 1, "total": 2}));
    assert_eq!(m["data"][0]["group"], "Engineers");
    assert_eq!(m["data"][0]["team_ids"].as_array().unwrap().len(), 2);

    let (_, g) = app.get("/v3/identity-provider/team-group-mappings").await;
    let ops = g["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["team_id"] == t2)
        .unwrap();
    assert_eq!(ops["groups"], json!(["Engineers", "SRE"]));

    let (s, g) = app
        .patch(
            "/v3/identity-provider/team-group-mappings",
            json!({"data": [{"team_id": t2, "groups": ["Oncall"]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    let ops = g["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["team_id"] == t2)
        .unwrap();
    assert_eq!(ops["groups"], json!(["Oncall"]));
    let dev = g["data"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["team_id"] == t1)
        .unwrap();
    assert_eq!(dev["groups"], json!(["Engineers"]), "other teams untouched");

    let (s, e) = app
        .put(
            "/v3/identity-provider/team-mappings",
            json!({"mappings": [{"group": "X", "team_ids": [uuid::Uuid::new_v4()]}]}),
        )
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["rule"], "missing_reference");
    // Deleting a team removes its mappings.
    app.delete(&format!("/v3/teams/{t1}")).await;
    let (_, m) = app.get("/v3/identity-provider/team-mappings").await;
    assert_eq!(m["meta"]["page"]["total"], 1);
}

#[tokio::test]
async fn impersonation() {
    let app = TestApp::new().await;
    let (_, i) = app.get("/v3/organizations/impersonation").await;
    assert_eq!(i, json!({"enabled": false}));
    let (s, i) = app
        .patch("/v3/organizations/impersonation", json!({"enabled": true}))
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(i, json!({"enabled": true}));
    let (_, i) = app.get("/v3/organizations/impersonation").await;
    assert_eq!(i, json!({"enabled": true}));
    let (s, _) = app
        .patch("/v3/organizations/impersonation", json!({"enabled": "sure"}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
}
