//! The load generator: a fixed number of keep-alive HTTP/1.1 connections, each sending its
//! next request as soon as the previous answer has been read (closed loop), for a fixed time.

use std::net::SocketAddr;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::Context;
use http_body_util::BodyExt;
use hyper::body::Bytes;
use hyper::client::conn::http1::SendRequest;
use hyper::{Method, Request, StatusCode};
use hyper_util::rt::TokioIo;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use uuid::Uuid;

use crate::seed::{email, email_fragment, BenchPrincipal, Seeded, LABEL_TEAMS, REGION};

/// What one operation of a scenario does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Health,
    GetUser,
    ListUsersContains,
    ListUsersExact,
    ListRuntimeGroupsByLabel,
    CreateTeam,
    AssignRole,
    CreateRevokeToken,
}

impl Op {
    pub const ALL: [Op; 8] = [
        Op::Health,
        Op::GetUser,
        Op::ListUsersContains,
        Op::ListUsersExact,
        Op::ListRuntimeGroupsByLabel,
        Op::CreateTeam,
        Op::AssignRole,
        Op::CreateRevokeToken,
    ];

    /// Short name (command line, JSON).
    pub fn key(self) -> &'static str {
        match self {
            Op::Health => "health",
            Op::GetUser => "get-user",
            Op::ListUsersContains => "list-users-contains",
            Op::ListUsersExact => "list-users-exact",
            Op::ListRuntimeGroupsByLabel => "list-rgs-label",
            Op::CreateTeam => "create-team",
            Op::AssignRole => "assign-role",
            Op::CreateRevokeToken => "create-revoke-token",
        }
    }

    /// What the table shows.
    pub fn title(self) -> &'static str {
        match self {
            Op::Health => "GET /health",
            Op::GetUser => "get user by id",
            Op::ListUsersContains => "list users, email contains",
            Op::ListUsersExact => "list users, email exact",
            Op::ListRuntimeGroupsByLabel => "list runtime groups by label",
            Op::CreateTeam => "create team",
            Op::AssignRole => "assign role to team",
            Op::CreateRevokeToken => "create + revoke token (2 requests)",
        }
    }

    pub fn is_read(self) -> bool {
        matches!(
            self,
            Op::Health | Op::GetUser | Op::ListUsersContains | Op::ListUsersExact | Op::ListRuntimeGroupsByLabel
        )
    }
}

/// Shared by every connection of a run.
pub struct Target {
    pub addr: SocketAddr,
    pub data: Arc<Seeded>,
    /// Hands out distinct (team, runtime group) pairs for role assignments, and unique names.
    pub counter: Arc<AtomicU64>,
}

#[derive(Default)]
pub struct Outcome {
    /// Latency of every operation that finished within the measured time, in microseconds.
    pub latencies_us: Vec<u32>,
    pub errors: u64,
    /// Operations that finished within the measured time (including errors).
    pub ops: u64,
    pub first_error: Option<String>,
    /// From the start to the end of the last operation.
    pub seconds: f64,
}

/// Longest an operation may take before it counts as an error.
const OP_TIMEOUT: Duration = Duration::from_secs(30);

async fn connect(addr: SocketAddr) -> anyhow::Result<SendRequest<String>> {
    let stream = tokio::net::TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

pub struct Client {
    addr: SocketAddr,
    host: String,
    sender: SendRequest<String>,
    auth: Option<String>,
}

impl Client {
    /// A connection to `addr`, sending `Authorization: Bearer <token>` when a token is given.
    pub async fn new(addr: SocketAddr, token: Option<&str>) -> anyhow::Result<Client> {
        Ok(Client {
            addr,
            host: addr.to_string(),
            sender: connect(addr).await?,
            auth: token.map(|t| format!("Bearer {t}")),
        })
    }

    /// Replaces the connection (after a request was abandoned on it).
    async fn reconnect(&mut self) -> anyhow::Result<()> {
        self.sender = connect(self.addr).await?;
        Ok(())
    }

    pub async fn call(
        &mut self,
        method: Method,
        path: &str,
        body: Option<String>,
    ) -> anyhow::Result<(StatusCode, Bytes)> {
        let mut req = Request::builder()
            .method(method)
            .uri(path)
            .header(hyper::header::HOST, &self.host);
        if let Some(a) = &self.auth {
            req = req.header(hyper::header::AUTHORIZATION, a);
        }
        let req = match body {
            Some(b) => req.header(hyper::header::CONTENT_TYPE, "application/json").body(b)?,
            None => req.body(String::new())?,
        };
        if self.sender.ready().await.is_err() {
            // The server closed the connection (it never should under this load); reconnect.
            self.sender = connect(self.addr).await?;
        }
        let resp = self.sender.send_request(req).await?;
        let status = resp.status();
        let body = resp.into_body().collect().await?.to_bytes();
        Ok((status, body))
    }
}

fn expect(status: StatusCode, want: StatusCode, body: &Bytes) -> anyhow::Result<()> {
    anyhow::ensure!(
        status == want,
        "status {status} (wanted {want}): {}",
        String::from_utf8_lossy(&body[..body.len().min(300)])
    );
    Ok(())
}

fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// One operation; `n` numbers the operations of this connection.
async fn one(
    op: Op,
    c: &mut Client,
    me: &BenchPrincipal,
    t: &Target,
    rng: &mut StdRng,
    n: u64,
    conn: usize,
) -> anyhow::Result<()> {
    let d = &t.data;
    let user_index = |rng: &mut StdRng| rng.gen_range(0..d.users.len().max(1));
    match op {
        Op::Health => {
            let (s, b) = c.call(Method::GET, "/health", None).await?;
            expect(s, StatusCode::OK, &b)
        }
        Op::GetUser => {
            let id = d.users[user_index(rng)];
            let (s, b) = c.call(Method::GET, &format!("/v3/users/{id}"), None).await?;
            expect(s, StatusCode::OK, &b)
        }
        Op::ListUsersContains => {
            let q = enc(&email_fragment(user_index(rng)));
            let path = format!("/v3/users?filter%5Bemail%5D%5Bcontains%5D={q}&page%5Bsize%5D=100");
            let (s, b) = c.call(Method::GET, &path, None).await?;
            expect(s, StatusCode::OK, &b)
        }
        Op::ListUsersExact => {
            let q = enc(&email(user_index(rng)));
            let path = format!("/v3/users?filter%5Bemail%5D={q}&page%5Bsize%5D=100");
            let (s, b) = c.call(Method::GET, &path, None).await?;
            expect(s, StatusCode::OK, &b)
        }
        Op::ListRuntimeGroupsByLabel => {
            let label = format!("team:t{:02}", rng.gen_range(0..LABEL_TEAMS));
            let path = format!("/v2/runtime-groups?labels={}&page%5Bsize%5D=100", enc(&label));
            let (s, b) = c.call(Method::GET, &path, None).await?;
            expect(s, StatusCode::OK, &b)
        }
        Op::CreateTeam => {
            let body = serde_json::json!({"name": format!("bench team {conn}-{n}"), "description": "load"}).to_string();
            let (s, b) = c.call(Method::POST, "/v3/teams", Some(body)).await?;
            expect(s, StatusCode::CREATED, &b)
        }
        Op::AssignRole => {
            anyhow::ensure!(!d.teams.is_empty() && !d.runtime_groups.is_empty(), "nothing to assign");
            // A pair no earlier request used: (k mod teams, k div teams).
            let k = t.counter.fetch_add(1, Ordering::Relaxed) as usize;
            let team = d.teams[k % d.teams.len()];
            let rg = d.runtime_groups[(k / d.teams.len()) % d.runtime_groups.len()];
            let body = serde_json::json!({
                "role_name": "Admin",
                "entity_type_name": "Control Planes",
                "entity_id": rg.to_string(),
                "entity_region": REGION,
            })
            .to_string();
            let (s, b) = c
                .call(Method::POST, &format!("/v3/teams/{team}/assigned-roles"), Some(body))
                .await?;
            expect(s, StatusCode::CREATED, &b)
        }
        Op::CreateRevokeToken => {
            let me = me.user;
            let body = serde_json::json!({"name": format!("bench {conn} {n}"), "ttl_seconds": 86_400}).to_string();
            let (s, b) = c
                .call(Method::POST, &format!("/v3/users/{me}/access-tokens"), Some(body))
                .await?;
            expect(s, StatusCode::CREATED, &b)?;
            let v: serde_json::Value = serde_json::from_slice(&b)?;
            let id: Uuid = v["id"].as_str().context("no token id")?.parse()?;
            let (s, b) = c
                .call(
                    Method::PATCH,
                    &format!("/v3/users/{me}/access-tokens/{id}/revoke"),
                    None,
                )
                .await?;
            expect(s, StatusCode::OK, &b)
        }
    }
}

/// Runs `op` on `principals.len()` connections (connection `i` authenticates as
/// `principals[i]`), starting operations for `duration`. Connections are opened before the
/// clock starts.
pub async fn run(
    op: Op,
    t: Arc<Target>,
    principals: &[BenchPrincipal],
    duration: Duration,
    seed: u64,
) -> anyhow::Result<Outcome> {
    let mut clients = Vec::with_capacity(principals.len());
    for p in principals {
        let token = (op != Op::Health).then_some(p.token.as_str());
        clients.push(Client::new(t.addr, token).await?);
    }
    let start = Instant::now() + Duration::from_millis(20);
    let deadline = start + duration;
    let mut tasks = Vec::new();
    for (conn, (mut c, me)) in clients.into_iter().zip(principals.iter().cloned()).enumerate() {
        let t = t.clone();
        tasks.push(tokio::spawn(async move {
            let mut rng = StdRng::seed_from_u64(seed ^ ((conn as u64) << 32));
            let mut out = Outcome::default();
            tokio::time::sleep_until(start.into()).await;
            let mut n = 0u64;
            let mut last = start;
            // Operations started before the deadline all count, however long they take (up to
            // OP_TIMEOUT); throughput is measured up to the last one's end.
            while Instant::now() < deadline {
                let t0 = Instant::now();
                let res = match tokio::time::timeout(OP_TIMEOUT, one(op, &mut c, &me, &t, &mut rng, n, conn)).await {
                    Ok(r) => r,
                    Err(_) => {
                        // The connection still has a request in flight: start a new one.
                        let _ = c.reconnect().await;
                        Err(anyhow::anyhow!("no answer within {OP_TIMEOUT:?}"))
                    }
                };
                n += 1;
                last = Instant::now();
                out.ops += 1;
                out.latencies_us
                    .push((last - t0).as_micros().min(u32::MAX as u128) as u32);
                if let Err(e) = res {
                    out.errors += 1;
                    if out.first_error.is_none() {
                        out.first_error = Some(format!("{e:#}"));
                    }
                }
            }
            out.seconds = (last - start).as_secs_f64();
            out
        }));
    }
    let mut total = Outcome::default();
    for task in tasks {
        let o = task.await?;
        total.latencies_us.extend(o.latencies_us);
        total.errors += o.errors;
        total.ops += o.ops;
        total.seconds = total.seconds.max(o.seconds);
        if total.first_error.is_none() {
            total.first_error = o.first_error;
        }
    }
    Ok(total)
}
