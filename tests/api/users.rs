use axum::http::StatusCode;
use serde_json::json;

use crate::helpers::TestApp;

#[tokio::test]
async fn list_get_update_delete_users() {
    let app = TestApp::new().await;
    let (bob, _) = app.user("bob@example.com").await;
    let (s, list) = app.get("/v3/users").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(list["meta"]["page"], json!({"number": 1, "size": 10, "total": 2}));
    assert_eq!(list["data"].as_array().unwrap().len(), 2);

    let (s, u) = app.get(&format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(u["email"], "bob@example.com");
    assert_eq!(u["active"], true);
    assert_eq!(u["inferred_region"], "us");
    let (_, u2) = app.get(&format!("/v2/users/{bob}")).await;
    assert!(u2.get("inferred_region").is_none(), "v2 has no inferred_region: {u2}");

    let (s, u) = app
        .patch(
            &format!("/v3/users/{bob}"),
            json!({"full_name": "Bob Builder", "preferred_name": "Bob"}),
        )
        .await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(u["full_name"], "Bob Builder");
    assert_eq!(u["preferred_name"], "Bob");
    let (_, u) = app.get(&format!("/v3/users/{bob}")).await;
    assert_eq!(u["full_name"], "Bob Builder", "update persisted");

    let (s, e) = app.patch(&format!("/v3/users/{bob}"), json!({"full_name": ""})).await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["field"], "full_name");
    let (s, e) = app
        .patch(&format!("/v3/users/{bob}"), json!({"preferred_name": "x".repeat(251)}))
        .await;
    assert_eq!(s, StatusCode::BAD_REQUEST);
    assert_eq!(e["invalid_parameters"][0]["rule"], "max_length");

    let (s, _) = app.delete(&format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get(&format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
    let (s, _) = app.delete(&format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn user_filters() {
    let app = TestApp::new().await;
    let (alice, _) = app.user("alice@corp.io").await;
    app.user("carol@corp.io").await;
    app.user("dave@other.org").await;
    app.patch(&format!("/v3/users/{alice}"), json!({"full_name": "Alice Liddell"}))
        .await;

    let count = |v: &serde_json::Value| v["meta"]["page"]["total"].as_i64().unwrap();
    let (_, r) = app.get("/v3/users?filter[email][contains]=CORP").await;
    assert_eq!(count(&r), 2);
    let (_, r) = app.get("/v3/users?filter[email]=carol@corp.io").await;
    assert_eq!(count(&r), 1);
    assert_eq!(r["data"][0]["email"], "carol@corp.io");
    let (_, r) = app.get("/v3/users?filter[email]=Carol@Corp.io").await;
    assert_eq!(count(&r), 1, "emails match case-insensitively");
    let (_, r) = app.get("/v3/users?filter[email]=carol").await;
    assert_eq!(count(&r), 0, "plain filter is exact");
    let (_, r) = app.get("/v3/users?filter[full_name][contains]=liddell").await;
    assert_eq!(r["data"][0]["id"], alice);
    let (_, r) = app.get(&format!("/v3/users?filter[id]={alice}")).await;
    assert_eq!(count(&r), 1);
    let (_, r) = app.get("/v3/users?filter[id]=nope").await;
    assert_eq!(count(&r), 0);
    let (_, r) = app
        .get("/v3/users?filter[active]=true&filter[email][contains]=corp")
        .await;
    assert_eq!(count(&r), 2);
    let (_, r) = app.get("/v3/users?filter[active]=false").await;
    assert_eq!(count(&r), 0);
    let (_, r) = app.get("/v3/users?filter[email][contains]=%25").await;
    assert_eq!(count(&r), 0, "LIKE wildcards are literal");

    for bad in [
        "filter[name]=x",
        "filter[email][neq]=x",
        "filter[active]=maybe",
        "filter[id][contains]=a",
    ] {
        let (s, e) = app.get(&format!("/v3/users?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert!(
            e["invalid_parameters"][0]["field"].as_str().unwrap().contains('['),
            "{e}"
        );
    }
}

#[tokio::test]
async fn pagination() {
    let app = TestApp::new().await;
    for i in 0..12 {
        app.user(&format!("u{i:02}@example.com")).await;
    }
    let (_, p1) = app.get("/v3/users?page[size]=5&page[number]=1").await;
    let (_, p3) = app.get("/v3/users?page[size]=5&page[number]=3").await;
    assert_eq!(p1["meta"]["page"], json!({"number": 1, "size": 5, "total": 13}));
    assert_eq!(p1["data"].as_array().unwrap().len(), 5);
    assert_eq!(p3["data"].as_array().unwrap().len(), 3);
    let (_, p9) = app.get("/v3/users?page[size]=5&page[number]=9").await;
    assert_eq!(p9["data"].as_array().unwrap().len(), 0);
    let mut seen = std::collections::HashSet::new();
    for n in 1..=3 {
        let (_, p) = app.get(&format!("/v3/users?page[size]=5&page[number]={n}")).await;
        for u in p["data"].as_array().unwrap() {
            assert!(seen.insert(u["id"].as_str().unwrap().to_string()), "pages overlap");
        }
    }
    assert_eq!(seen.len(), 13);
    for bad in [
        "page[size]=0",
        "page[size]=-3",
        "page[size]=101",
        "page[number]=0",
        "page[size]=ten",
    ] {
        let (s, e) = app.get(&format!("/v3/users?{bad}")).await;
        assert_eq!(s, StatusCode::BAD_REQUEST, "{bad}");
        assert!(e["invalid_parameters"][0]["field"]
            .as_str()
            .unwrap()
            .starts_with("page["));
    }
    let (s, _) = app.get("/v3/users?page[size]=&page[number]=").await;
    assert_eq!(s, StatusCode::OK, "empty values are allowed");
}

#[tokio::test]
async fn me_and_organization() {
    let app = TestApp::new().await;
    let (s, me) = app.get("/v3/users/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["email"], "admin@example.com");
    let (s, org) = app.get("/v2/organizations/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(org["name"], "Test Org");
    assert_eq!(org["owner_id"], me["id"]);
    assert_eq!(org["state"], "active");
    assert!(org["retention_period_days"].is_number());

    let (bob, tok) = app.user("bob@example.com").await;
    let (s, me) = app.get_as(&tok, "/v3/users/me").await;
    assert_eq!(s, StatusCode::OK);
    assert_eq!(me["id"], bob);
    let (s, _) = app.get_as(&tok, &format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::OK, "a user reads their own record");
    let (s, _) = app.get_as(&tok, &format!("/v3/users/{}", app.admin_id)).await;
    assert_eq!(s, StatusCode::FORBIDDEN);
}

#[tokio::test]
async fn deleting_a_user_revokes_their_tokens_and_memberships() {
    let app = TestApp::new().await;
    let (bob, tok) = app.user("bob@example.com").await;
    let (_, team) = app.post("/v3/teams", json!({"name": "T"})).await;
    let team = team["id"].as_str().unwrap();
    app.post(&format!("/v3/teams/{team}/users"), json!({"id": bob})).await;
    let (s, _) = app.delete(&format!("/v3/users/{bob}")).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (s, _) = app.get_as(&tok, "/v3/users/me").await;
    assert_eq!(s, StatusCode::UNAUTHORIZED);
    let (_, members) = app.get(&format!("/v3/teams/{team}/users")).await;
    assert_eq!(members["meta"]["page"]["total"], 0);
    let (s, _) = app.delete(&format!("/v3/users/{}", app.admin_id)).await;
    assert_eq!(s, StatusCode::BAD_REQUEST, "no self-deletion");
}

/// `contains` finds the same users whichever way the database answers it (SQLite narrows
/// patterns of three or more characters with its trigram index, shorter ones and wildcards
/// scan), and follows renames and deletions.
#[tokio::test]
async fn substring_search_follows_changes() {
    let app = TestApp::new().await;
    let mut ids = vec![];
    for i in 0..5 {
        ids.push(app.user(&format!("member{i}@search.example")).await.0);
    }
    let (under, _) = app.user("a_b@x.io").await;
    app.user("axb@x.io").await;
    let (zoe, _) = app.user("zoe@x.io").await;
    app.patch(&format!("/v3/users/{zoe}"), json!({"full_name": "Zoë Liddell"}))
        .await;

    let found = |r: &serde_json::Value| -> (i64, Vec<String>) {
        let ids = r["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|u| u["id"].as_str().unwrap().to_string())
            .collect();
        (r["meta"]["page"]["total"].as_i64().unwrap(), ids)
    };
    let search = |q: &str| format!("/v3/users?filter[{q}&page[size]=2");

    // Counted across pages, from the index.
    let (_, r) = app.get(&search("email][contains]=SEARCH.EX")).await;
    assert_eq!(found(&r).0, 5);
    assert_eq!(found(&r).1.len(), 2);
    let mut all = vec![];
    for n in 1..=3 {
        let (_, r) = app
            .get(&format!("{}&page[number]={n}", search("email][contains]=search.ex")))
            .await;
        all.extend(found(&r).1);
    }
    all.sort();
    let mut want = ids.clone();
    want.sort();
    assert_eq!(all, want);
    // Two characters: no trigram, same answer.
    let (_, r) = app.get(&search("email][contains]=r3")).await;
    assert_eq!(found(&r), (1, vec![ids[3].clone()]));
    // Wildcards are literal.
    let (_, r) = app.get(&search("email][contains]=a_b")).await;
    assert_eq!(found(&r), (1, vec![under.clone()]));
    // Non-ASCII, three characters.
    let (_, r) = app.get(&search("full_name][contains]=zoë")).await;
    assert_eq!(found(&r), (1, vec![zoe.clone()]));

    // A rename moves the user from one search to the other.
    app.patch(&format!("/v3/users/{zoe}"), json!({"full_name": "Zoë Kingsleigh"}))
        .await;
    let (_, r) = app.get(&search("full_name][contains]=liddell")).await;
    assert_eq!(found(&r).0, 0);
    let (_, r) = app.get(&search("full_name][contains]=kingsleigh")).await;
    assert_eq!(found(&r), (1, vec![zoe.clone()]));

    // A deleted user is gone from every search.
    let (s, _) = app.delete(&format!("/v3/users/{}", ids[0])).await;
    assert_eq!(s, StatusCode::NO_CONTENT);
    let (_, r) = app.get(&search("email][contains]=member0")).await;
    assert_eq!(found(&r).0, 0);
    let (_, r) = app.get(&search("email][contains]=search.example")).await;
    assert_eq!(found(&r).0, 4);

    // The same search inside a team.
    let (_, team) = app.post("/v3/teams", json!({"name": "searchers"})).await;
    let team = team["id"].as_str().unwrap();
    for u in [&ids[1], &zoe] {
        let (s, _) = app.post(&format!("/v3/teams/{team}/users"), json!({"id": u})).await;
        assert_eq!(s, StatusCode::CREATED);
    }
    let (_, r) = app
        .get(&format!(
            "/v3/teams/{team}/users?filter[email][contains]=search.example"
        ))
        .await;
    assert_eq!(found(&r), (1, vec![ids[1].clone()]));
}
