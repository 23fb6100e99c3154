//! Kontrol's own OpenAPI document, generated from the route table: every route is registered
//! through an [`ApiRoute`], which carries both the handler and what the document says about it,
//! so the document covers exactly what is served.

use std::borrow::Cow;

use axum::http::Method;
use axum::routing::MethodRouter;
use axum::Router;
use serde_json::{json, Map, Value};
use utoipa::openapi::{RefOr, Schema};
use utoipa::ToSchema;

use crate::state::AppState;

type Schemas = Vec<(String, RefOr<Schema>)>;
type SchemaFn = fn(&mut Schemas) -> Value;

/// A named schema, registered in `components` and referenced.
pub fn named<T: ToSchema>(out: &mut Schemas) -> Value {
    T::schemas(out);
    out.push((T::name().into_owned(), T::schema()));
    json!({ "$ref": format!("#/components/schemas/{}", T::name()) })
}

/// An inline schema (collections and one-off shapes); what it refers to is registered.
pub fn inline<T: ToSchema>(out: &mut Schemas) -> Value {
    T::schemas(out);
    serde_json::to_value(T::schema()).unwrap_or(Value::Null)
}

/// One operation: method, path (relative to its API's base), documentation and handler.
pub struct ApiRoute {
    pub method: Method,
    pub path: Cow<'static, str>,
    pub operation_id: Cow<'static, str>,
    pub summary: &'static str,
    pub success: u16,
    pub query: Vec<&'static str>,
    pub request: Option<SchemaFn>,
    pub response: Option<SchemaFn>,
    pub public: bool,
    pub handler: MethodRouter<AppState>,
}

impl ApiRoute {
    pub fn new(
        method: Method,
        path: impl Into<Cow<'static, str>>,
        operation_id: impl Into<Cow<'static, str>>,
        summary: &'static str,
        success: u16,
        handler: MethodRouter<AppState>,
    ) -> ApiRoute {
        ApiRoute {
            method,
            path: path.into(),
            operation_id: operation_id.into(),
            summary,
            success,
            query: vec![],
            request: None,
            response: None,
            public: false,
            handler,
        }
    }
    pub fn query(mut self, params: &[&'static str]) -> Self {
        self.query.extend_from_slice(params);
        self
    }
    pub fn request(mut self, f: SchemaFn) -> Self {
        self.request = Some(f);
        self
    }
    pub fn response(mut self, f: SchemaFn) -> Self {
        self.response = Some(f);
        self
    }
    pub fn public(mut self) -> Self {
        self.public = true;
        self
    }
}

/// Builds the router of a family of routes.
pub fn router_of(routes: Vec<ApiRoute>) -> Router<AppState> {
    routes
        .into_iter()
        .fold(Router::new(), |r, route| r.route(&route.path, route.handler))
}

/// `page[size]` and `page[number]`.
pub const PAGE: [&str; 2] = ["page[size]", "page[number]"];

/// A family of routes mounted under some prefixes (`/v2`, `/v3`).
pub struct Family {
    pub prefixes: &'static [&'static str],
    pub tag: &'static str,
    pub routes: Vec<ApiRoute>,
}

fn error_response(status: u16) -> Value {
    let reason = match status {
        400 => "Bad Request",
        401 => "Unauthenticated",
        403 => "Forbidden",
        404 => "Not Found",
        409 => "Conflict",
        _ => "Error",
    };
    json!({"description": reason, "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}})
}

fn param_schema(name: &str) -> Value {
    if matches!(
        name,
        "page[size]" | "page[number]" | "page_size" | "page_number" | "page" | "size"
    ) {
        json!({"type": "integer", "minimum": 1})
    } else {
        json!({"type": "string"})
    }
}

/// The whole document.
pub fn document(families: &[Family]) -> Value {
    let mut schemas: Schemas = Vec::new();
    let mut paths: Map<String, Value> = Map::new();
    for family in families {
        for prefix in family.prefixes {
            for r in &family.routes {
                let path = format!("{prefix}{}", r.path);
                let mut op = Map::new();
                op.insert(
                    "operationId".into(),
                    json!(format!("{}{}", r.operation_id, version_suffix(prefix, family))),
                );
                op.insert("summary".into(), json!(r.summary));
                op.insert("tags".into(), json!([family.tag]));
                let mut params: Vec<Value> = path_params(&path)
                    .into_iter()
                    .map(|p| json!({"name": p, "in": "path", "required": true, "schema": {"type": "string"}}))
                    .collect();
                params.extend(
                    r.query
                        .iter()
                        .map(|q| json!({"name": q, "in": "query", "required": false, "schema": param_schema(q)})),
                );
                if !params.is_empty() {
                    op.insert("parameters".into(), Value::Array(params));
                }
                if let Some(f) = r.request {
                    op.insert(
                        "requestBody".into(),
                        json!({"required": true, "content": {"application/json": {"schema": f(&mut schemas)}}}),
                    );
                }
                let mut responses = Map::new();
                let success = match r.response {
                    Some(f) => {
                        json!({"description": "Success", "content": {"application/json": {"schema": f(&mut schemas)}}})
                    }
                    None => json!({"description": "Success"}),
                };
                responses.insert(r.success.to_string(), success);
                let mut errors = vec![400, 404];
                if !r.public {
                    errors.extend([401, 403]);
                }
                if matches!(r.method, Method::POST | Method::PUT | Method::PATCH) {
                    errors.push(409);
                }
                for s in errors {
                    responses.insert(s.to_string(), error_response(s));
                }
                op.insert("responses".into(), Value::Object(responses));
                if r.public {
                    op.insert("security".into(), json!([]));
                }
                let item = paths.entry(path).or_insert_with(|| json!({}));
                item[r.method.as_str().to_ascii_lowercase()] = Value::Object(op);
            }
        }
    }
    let mut components = Map::new();
    for (name, schema) in schemas {
        components
            .entry(name)
            .or_insert_with(|| serde_json::to_value(schema).unwrap_or(Value::Null));
    }
    components.insert(
        "Problem".into(),
        json!({
            "type": "object",
            "required": ["status", "title", "instance", "detail"],
            "properties": {
                "status": {"type": "integer"},
                "title": {"type": "string"},
                "type": {"type": "string"},
                "instance": {"type": "string"},
                "detail": {"type": "string"},
                "invalid_parameters": {"type": "array", "items": {"type": "object", "required": ["field", "reason"],
                    "properties": {"field": {"type": "string"}, "rule": {"type": "string"}, "source": {"type": "string"},
                        "reason": {"type": "string"}, "minimum": {"type": "integer"}, "maximum": {"type": "integer"},
                        "choices": {"type": "array", "items": {}}}}}
            }
        }),
    );
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "Kontrol",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "Kontrol serves the Kong Konnect platform APIs: the global Identity API (/v2, /v3) and the regional Runtime Groups / Control Planes APIs (/v2 on a regional base URL).",
        },
        "servers": [
            {"url": "/", "description": "global API on a global.* host or plain host; regional API of the first region on a plain host"},
            {"url": "/global", "description": "global API by path prefix"},
            {"url": "/{region}", "description": "regional API by path prefix", "variables": {"region": {"default": "us"}}},
        ],
        "security": [{"personalAccessToken": []}, {"systemAccountAccessToken": []}],
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "personalAccessToken": {"type": "http", "scheme": "bearer", "bearerFormat": "Token",
                    "description": "A user's personal access token, `kpat_…`."},
                "systemAccountAccessToken": {"type": "http", "scheme": "bearer", "bearerFormat": "Token",
                    "description": "A system account's access token, `spat_…`."},
            }
        }
    })
}

/// Operation ids are unique per document; routes served under both `/v2` and `/v3` get a
/// `-v2` suffix on their `/v2` copy.
fn version_suffix(prefix: &str, family: &Family) -> &'static str {
    if family.prefixes.len() > 1 && prefix == "/v2" {
        "-v2"
    } else {
        ""
    }
}

fn path_params(path: &str) -> Vec<String> {
    path.split('/')
        .filter_map(|seg| seg.strip_prefix('{').and_then(|s| s.strip_suffix('}')))
        .map(str::to_string)
        .collect()
}
