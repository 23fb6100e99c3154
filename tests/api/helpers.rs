//! `TestApp`: the router driven in process over a fresh database per test (SQLite by default,
//! PostgreSQL when `KONTROL_TEST_DATABASE_URL` is set).

use axum::body::Body;
use axum::http::{Method, Request, StatusCode};
use axum::Router;
use chrono::{TimeZone, Utc};
use http_body_util::BodyExt;
use kontrol::clock::Clock;
use kontrol::config::Config;
use kontrol::domain::ids::OrgId;
use kontrol::state::AppState;
use kontrol::store::Store;
use serde_json::Value;
use tower::ServiceExt;

/// A database that exists for one test.
pub struct TestDb {
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    Postgres { admin_url: String, name: String },
}

impl TestDb {
    pub async fn new() -> TestDb {
        match std::env::var("KONTROL_TEST_DATABASE_URL") {
            Ok(base) if !base.is_empty() => {
                let name = format!("kontrol_test_{}", uuid::Uuid::new_v4().simple());
                let opts: sqlx::postgres::PgConnectOptions = base.parse().expect("postgres url");
                let mut conn = sqlx::ConnectOptions::connect(&opts)
                    .await
                    .expect("connect to KONTROL_TEST_DATABASE_URL");
                sqlx::query(&format!("CREATE DATABASE {name}"))
                    .execute(&mut conn)
                    .await
                    .expect("create test database");
                let mut url = url::Url::parse(&base).expect("database url");
                url.set_path(&format!("/{name}"));
                TestDb {
                    url: url.to_string(),
                    cleanup: Cleanup::Postgres { admin_url: base, name },
                }
            }
            _ => {
                let path = std::env::temp_dir().join(format!("kontrol-test-{}.db", uuid::Uuid::new_v4().simple()));
                TestDb {
                    url: format!("sqlite://{}?mode=rwc", path.display()),
                    cleanup: Cleanup::File(path),
                }
            }
        }
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(p) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
                }
            }
            Cleanup::Postgres { admin_url, name } => {
                let (admin_url, name) = (admin_url.clone(), name.clone());
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread()
                        .enable_all()
                        .build()
                        .ok()?;
                    rt.block_on(async {
                        use sqlx::ConnectOptions;
                        let opts: sqlx::postgres::PgConnectOptions = admin_url.parse().ok()?;
                        let mut conn = opts.connect().await.ok()?;
                        sqlx::query(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
                            .execute(&mut conn)
                            .await
                            .ok()
                    })
                })
                .join();
            }
        }
    }
}

pub struct TestApp {
    pub router: Router,
    pub store: Store,
    pub clock: Clock,
    pub org: OrgId,
    pub admin_id: uuid::Uuid,
    pub admin: String,
    pub regions: Vec<String>,
    _db: TestDb,
}

pub fn test_config() -> Config {
    Config {
        fast_password_hashing: true,
        ..Config::default()
    }
}

impl TestApp {
    pub async fn new() -> TestApp {
        Self::with_config(test_config()).await
    }

    pub async fn with_config(config: Config) -> TestApp {
        let db = TestDb::new().await;
        let store = Store::connect(&db.url).await.expect("store");
        let clock = Clock::manual(Utc.with_ymd_and_hms(2026, 1, 15, 12, 0, 0).unwrap());
        let b = kontrol::bootstrap::bootstrap(&store, &clock, &config.regions, "Test Org", "admin@example.com")
            .await
            .expect("bootstrap");
        let regions = config.regions.clone();
        let state = AppState::new(store.clone(), clock.clone(), config);
        TestApp {
            router: kontrol::app(state),

            store,
            clock,
            org: b.org_id,
            admin_id: b.user_id.0,
            admin: b.token,
            regions,
            _db: db,
        }
    }

    /// A full request; returns the status and the JSON body (`Null` when empty).
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<Value>,
    ) -> (StatusCode, Value) {
        let mut req = Request::builder().method(method).uri(path);
        if let Some(t) = token {
            req = req.header("authorization", format!("Bearer {t}"));
        }
        let body = match body {
            Some(v) => {
                req = req.header("content-type", "application/json");
                Body::from(v.to_string())
            }
            None => Body::empty(),
        };
        self.send(req.body(body).unwrap()).await
    }

    pub async fn send(&self, req: Request<Body>) -> (StatusCode, Value) {
        let resp = self.router.clone().oneshot(req).await.expect("infallible");
        let status = resp.status();
        let ct = resp
            .headers()
            .get("content-type")
            .map(|v| v.to_str().unwrap().to_string());
        let bytes = resp.into_body().collect().await.unwrap().to_bytes();
        let value = if bytes.is_empty() {
            Value::Null
        } else {
            serde_json::from_slice(&bytes).unwrap_or_else(|_| Value::String(String::from_utf8_lossy(&bytes).into()))
        };
        if status.is_client_error() || status.is_server_error() {
            assert_eq!(
                ct.as_deref(),
                Some("application/problem+json"),
                "error without problem+json: {status} {value}"
            );
            assert_eq!(value["status"], status.as_u16(), "{value}");
            assert!(
                value["title"].is_string() && value["detail"].is_string() && value["instance"].is_string(),
                "{value}"
            );
            if status == StatusCode::BAD_REQUEST {
                assert!(
                    value["invalid_parameters"].as_array().is_some_and(|a| !a.is_empty()),
                    "{value}"
                );
            }
        }
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "server error: {value}");
        (status, value)
    }

    pub async fn get(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(&self.admin.clone()), None).await
    }
    pub async fn post(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(&self.admin.clone()), Some(body))
            .await
    }
    pub async fn patch(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(&self.admin.clone()), Some(body))
            .await
    }
    pub async fn put(&self, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PUT, path, Some(&self.admin.clone()), Some(body))
            .await
    }
    pub async fn delete(&self, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(&self.admin.clone()), None).await
    }

    pub async fn get_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::GET, path, Some(token), None).await
    }
    pub async fn post_as(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch_as(&self, token: &str, path: &str, body: Value) -> (StatusCode, Value) {
        self.call(Method::PATCH, path, Some(token), Some(body)).await
    }
    pub async fn delete_as(&self, token: &str, path: &str) -> (StatusCode, Value) {
        self.call(Method::DELETE, path, Some(token), None).await
    }

    /// An active user of the test organization with a personal access token: (user id, token).
    pub async fn user(&self, email: &str) -> (String, String) {
        use kontrol::auth::token::{generate, hash, TokenKind};
        use kontrol::store::PrincipalKind;
        let now = self.clock.now();
        let u = self
            .store
            .insert_user(self.org, email, "Test User", true, None, now)
            .await
            .unwrap();
        let secret = generate(TokenKind::Personal);
        self.store
            .insert_token(
                self.org,
                PrincipalKind::User,
                u.id,
                "test",
                &hash(&secret),
                Some(now + chrono::TimeDelta::days(30)),
                now,
            )
            .await
            .unwrap();
        (u.id.to_string(), secret)
    }

    /// Id of a predefined team by name.
    pub async fn system_team(&self, name: &str) -> String {
        let (_, body) = self
            .get(&format!("/v3/teams?filter[name]={}&page[size]=100", urlencode(name)))
            .await;
        body["data"]
            .as_array()
            .unwrap()
            .iter()
            .find(|t| t["name"] == name && t["system_team"] == true)
            .expect(name)["id"]
            .as_str()
            .unwrap()
            .to_string()
    }
}

pub fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
