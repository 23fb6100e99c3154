//! Kontrol's generated OpenAPI document against Konnect's specs: for every Konnect operation in
//! scope, the same method and path, the query parameters, the success status and the success
//! response's schema (property names, types, required fields). Every difference must be listed,
//! with its reason, in docs/COMPATIBILITY.md under "OpenAPI differences"; a listed difference
//! that no longer occurs fails too, so the list stays true.

use std::collections::{BTreeMap, BTreeSet};

use axum::http::StatusCode;
use serde_json::Value;

use crate::helpers::TestApp;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");

fn load_spec(name: &str) -> Value {
    let path = format!("{ROOT}/../shared/konnect-api/{name}");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_yaml::from_str(&text).expect("spec parses")
}

/// Follows local `$ref`s.
fn resolve<'a>(root: &'a Value, v: &'a Value) -> &'a Value {
    let mut cur = v;
    for _ in 0..16 {
        match cur.get("$ref").and_then(Value::as_str) {
            Some(r) if r.starts_with("#/") => {
                cur = r[2..]
                    .split('/')
                    .fold(root, |acc, seg| &acc[seg.replace("~1", "/").replace("~0", "~")]);
            }
            _ => break,
        }
    }
    cur
}

/// An object schema flattened through `allOf`: properties and required names.
fn flatten(root: &Value, v: &Value) -> (BTreeMap<String, Value>, BTreeSet<String>, Option<String>) {
    let v = resolve(root, v);
    let mut props = BTreeMap::new();
    let mut required = BTreeSet::new();
    let mut ty = type_of(v);
    if let Some(all) = v.get("allOf").and_then(Value::as_array) {
        for part in all {
            let (p, r, t) = flatten(root, part);
            props.extend(p);
            required.extend(r);
            ty = ty.or(t);
        }
    }
    if let Some(p) = v.get("properties").and_then(Value::as_object) {
        for (k, s) in p {
            props.insert(k.clone(), s.clone());
        }
    }
    if let Some(r) = v.get("required").and_then(Value::as_array) {
        required.extend(r.iter().filter_map(Value::as_str).map(str::to_string));
    }
    if ty.is_none() && !props.is_empty() {
        ty = Some("object".into());
    }
    (props, required, ty)
}

/// The JSON type, with `null` dropped from 3.1-style type lists and `integer` read as `number`.
fn type_of(v: &Value) -> Option<String> {
    let t = match v.get("type") {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .find(|t| *t != "null")
            .map(str::to_string),
        _ => None,
    }?;
    Some(if t == "integer" { "number".into() } else { t })
}

fn compare(
    theirs_root: &Value,
    theirs: &Value,
    ours_root: &Value,
    ours: &Value,
    at: &str,
    depth: usize,
    out: &mut Vec<String>,
) {
    if depth > 5 {
        return;
    }
    let t = resolve(theirs_root, theirs);
    if t.get("oneOf").is_some() || t.get("anyOf").is_some() {
        return;
    }
    let (tp, tr, tt) = flatten(theirs_root, theirs);
    let (op, or, ot) = flatten(ours_root, ours);
    let here = if at.is_empty() {
        "body".to_string()
    } else {
        at.to_string()
    };
    if let (Some(tt), Some(ot)) = (&tt, &ot) {
        if tt != ot {
            out.push(format!("{here}: type {ot}, Konnect {tt}"));
            return;
        }
    }
    if tt.as_deref() == Some("array") {
        let ti = &resolve(theirs_root, theirs)["items"];
        let oi = &resolve(ours_root, ours)["items"];
        if !ti.is_null() && !oi.is_null() {
            compare(theirs_root, ti, ours_root, oi, &format!("{here}[]"), depth + 1, out);
        }
        return;
    }
    if tp.is_empty() {
        return;
    }
    for (name, ts) in &tp {
        let path = if at.is_empty() {
            name.clone()
        } else {
            format!("{at}.{name}")
        };
        match op.get(name) {
            None => out.push(format!("{path}: missing")),
            Some(os) => compare(theirs_root, ts, ours_root, os, &path, depth + 1, out),
        }
    }
    for name in op.keys().filter(|k| !tp.contains_key(*k)) {
        let path = if at.is_empty() {
            name.clone()
        } else {
            format!("{at}.{name}")
        };
        out.push(format!("{path}: not in Konnect's schema"));
    }
    for name in tr.iter().filter(|r| !or.contains(*r) && op.contains_key(*r)) {
        let path = if at.is_empty() {
            name.clone()
        } else {
            format!("{at}.{name}")
        };
        out.push(format!("{path}: required by Konnect, optional here"));
    }
}

fn query_params(root: &Value, path_item: &Value, op: &Value) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for list in [&path_item["parameters"], &op["parameters"]] {
        for p in list.as_array().into_iter().flatten() {
            let p = resolve(root, p);
            if p["in"] == "query" {
                let name = p["name"].as_str().unwrap_or_default();
                if name == "filter" {
                    // A deepObject: each property is sent as filter[prop] or filter[prop][op].
                    let schema = resolve(root, &p["schema"]);
                    let (props, _, _) = flatten(root, schema);
                    for (prop, s) in props {
                        let s = resolve(root, &s);
                        let variants: Vec<&Value> = s
                            .get("oneOf")
                            .and_then(Value::as_array)
                            .map(|a| a.iter().collect())
                            .unwrap_or_else(|| vec![s]);
                        for v in variants {
                            let v = resolve(root, v);
                            if let Some(ops) = v.get("properties").and_then(Value::as_object) {
                                for o in ops.keys() {
                                    out.insert(format!("filter[{prop}][{o}]"));
                                }
                            } else {
                                out.insert(format!("filter[{prop}]"));
                            }
                        }
                    }
                } else if name == "page" && p.get("style").and_then(Value::as_str) == Some("deepObject") {
                    let (props, _, _) = flatten(root, resolve(root, &p["schema"]));
                    for prop in props.keys() {
                        out.insert(format!("page[{prop}]"));
                    }
                } else {
                    out.insert(name.to_string());
                }
            }
        }
    }
    out
}

fn template(path: &str) -> String {
    path.split('/')
        .map(|seg| if seg.starts_with('{') { "{}" } else { seg })
        .collect::<Vec<_>>()
        .join("/")
}

/// Every difference between Kontrol's document and one Konnect spec.
fn differences(ours: &Value, spec_name: &str, short: &str, prefix: &str, in_scope: fn(&str) -> bool) -> Vec<String> {
    let theirs = load_spec(spec_name);
    let mut out = Vec::new();
    for (path, item) in theirs["paths"].as_object().expect("paths") {
        if !in_scope(path) {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            if !["get", "post", "put", "patch", "delete"].contains(&method.as_str()) {
                continue;
            }
            let id = op["operationId"].as_str().unwrap_or(path);
            let key = format!("{short} {id}");
            // Path parameter names do not matter (`{runtimeGroupId}` is Kontrol's `{id}`).
            let our_path = ours["paths"]
                .as_object()
                .unwrap()
                .keys()
                .find(|k| template(k) == template(&format!("{prefix}{path}")))
                .cloned()
                .unwrap_or_default();
            let Some(our_op) = ours["paths"].get(&our_path).and_then(|p| p.get(method.as_str())) else {
                out.push(format!("{key}: {} {path} not served", method.to_uppercase()));
                continue;
            };
            let our_item = &ours["paths"][&our_path];
            let tq = query_params(&theirs, item, op);
            let oq = query_params(ours, our_item, our_op);
            for q in tq.difference(&oq) {
                out.push(format!("{key}: query {q} not accepted"));
            }
            for q in oq.difference(&tq) {
                out.push(format!("{key}: query {q} extra"));
            }
            let their_success: Vec<&String> = op["responses"]
                .as_object()
                .map(|r| r.keys().filter(|k| k.starts_with('2')).collect())
                .unwrap_or_default();
            let our_success: Vec<&String> = our_op["responses"]
                .as_object()
                .map(|r| r.keys().filter(|k| k.starts_with('2')).collect())
                .unwrap_or_default();
            let Some(code) = our_success.first() else {
                out.push(format!("{key}: no success response"));
                continue;
            };
            if !their_success.contains(code) {
                out.push(format!("{key}: success {code}, Konnect {their_success:?}"));
                continue;
            }
            let their_resp = resolve(&theirs, &op["responses"][code.as_str()]);
            let their_schema = &their_resp["content"]["application/json"]["schema"];
            let our_schema = &our_op["responses"][code.as_str()]["content"]["application/json"]["schema"];
            match (their_schema.is_null(), our_schema.is_null()) {
                (true, true) => {}
                (false, true) => out.push(format!("{key}: response body missing")),
                (true, false) => out.push(format!("{key}: response body not in Konnect's spec")),
                (false, false) => {
                    let mut diffs = Vec::new();
                    compare(&theirs, their_schema, ours, our_schema, "", 0, &mut diffs);
                    out.extend(diffs.into_iter().map(|d| format!("{key}: response {d}")));
                }
            }
        }
    }
    out
}

fn listed_differences() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(format!("{ROOT}/docs/COMPATIBILITY.md")).unwrap();
    let section = doc.split("## OpenAPI differences").nth(1).unwrap_or("");
    let section = section.split("\n## ").next().unwrap_or("");
    section
        .lines()
        .filter_map(|l| l.trim().strip_prefix("- `"))
        .filter_map(|l| l.split('`').next())
        .map(str::to_string)
        .collect()
}

#[test]
fn every_difference_from_konnects_specs_is_listed() {
    let ours = kontrol::http::openapi_document().clone();
    let mut found = Vec::new();
    found.extend(differences(&ours, "identity-v2.yaml", "identity-v2", "/v2", |_| true));
    found.extend(differences(&ours, "identity-v3.yaml", "identity-v3", "/v3", |_| true));
    found.extend(differences(
        &ours,
        "runtime-groups-v2.yaml",
        "runtime-groups-v2",
        "/v2",
        |_| true,
    ));
    found.extend(differences(
        &ours,
        "control-planes-v2.yaml",
        "control-planes-v2",
        "/v2",
        |_| true,
    ));
    found.extend(differences(
        &ours,
        "runtime-groups-config-v2.yaml",
        "runtime-groups-config-v2",
        "/v2",
        |p| {
            !p.contains("core-entities")
                && (p.contains("dp-client-certificates") || p.contains("/nodes") || p.ends_with("expected-config-hash"))
        },
    ));
    let found: BTreeSet<String> = found.into_iter().collect();
    let listed = listed_differences();
    let unlisted: Vec<&String> = found.difference(&listed).collect();
    let stale: Vec<&String> = listed.difference(&found).collect();
    assert!(
        unlisted.is_empty() && stale.is_empty(),
        "OpenAPI differences not listed in docs/COMPATIBILITY.md:\n{}\n\nlisted but no longer found:\n{}",
        unlisted
            .iter()
            .map(|d| format!("- `{d}`"))
            .collect::<Vec<_>>()
            .join("\n"),
        stale.iter().map(|d| format!("- `{d}`")).collect::<Vec<_>>().join("\n"),
    );
}

#[tokio::test]
async fn the_document_is_served_and_covers_the_routes() {
    let app = TestApp::new().await;
    for path in ["/v2/openapi.json", "/global/v2/openapi.json", "/eu/v2/openapi.json"] {
        let req = axum::http::Request::builder()
            .uri(path)
            .body(axum::body::Body::empty())
            .unwrap();
        let (s, doc) = app.send(req).await;
        assert_eq!(s, StatusCode::OK, "{path}");
        assert_eq!(doc["openapi"], "3.1.0");
        assert!(doc["components"]["securitySchemes"]["personalAccessToken"].is_object());
        assert!(doc["components"]["securitySchemes"]["systemAccountAccessToken"].is_object());
    }
    let doc = kontrol::http::openapi_document();
    let paths = doc["paths"].as_object().unwrap();
    for (path, methods) in [
        ("/v3/users", &["get"][..]),
        ("/v2/teams/{teamId}", &["get", "patch", "delete"][..]),
        ("/v3/users/{userId}/access-tokens/{tokenId}/revoke", &["patch"][..]),
        ("/v2/control-planes/{id}/group-memberships", &["get", "put"][..]),
        ("/v2/runtime-groups/{id}/dp-client-certificates", &["get", "post"][..]),
        ("/konnect-api/api/runtime_groups", &["get"][..]),
    ] {
        for m in methods {
            assert!(paths.get(path).and_then(|p| p.get(*m)).is_some(), "{m} {path}");
        }
    }
    // Operation ids are unique.
    let mut ids = BTreeSet::new();
    for item in paths.values() {
        for op in item.as_object().unwrap().values() {
            assert!(ids.insert(op["operationId"].as_str().unwrap().to_string()), "{op}");
        }
    }
}
