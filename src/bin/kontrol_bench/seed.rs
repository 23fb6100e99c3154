//! Seeds one organization through the store's bulk methods: users, teams with memberships and
//! roles, runtime groups with labels, and the benchmark's own principals with their tokens.

use std::time::Instant;

use anyhow::Context;
use chrono::{DateTime, TimeDelta, Utc};
use kontrol::auth::token::{self, TokenKind};
use kontrol::clock::Clock;
use kontrol::domain::ids::OrgId;
use kontrol::domain::labels::Labels;
use kontrol::domain::roles::ORG_ADMIN_TEAM;
use kontrol::store::{
    BulkMembership, BulkRoleAssignment, BulkRuntimeGroup, BulkTeam, BulkToken, BulkUser, PrincipalKind, Store,
};
use rand::{Rng, SeedableRng};
use uuid::Uuid;

pub const REGION: &str = "us";
/// Distinct values of the `team` label: a label query matches about 1 group in this many.
pub const LABEL_TEAMS: usize = 100;

const FIRST: [&str; 40] = [
    "james",
    "mary",
    "john",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "chris",
    "nancy",
    "daniel",
    "lisa",
    "matthew",
    "betty",
    "anthony",
    "margaret",
    "mark",
    "sandra",
    "donald",
    "ashley",
    "steven",
    "kim",
    "paul",
    "emily",
    "andrew",
    "donna",
    "joshua",
    "michelle",
];
const LAST: [&str; 40] = [
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
];
const DOMAINS: [&str; 8] = [
    "example.com",
    "acme.io",
    "initech.com",
    "globex.net",
    "umbrella.org",
    "hooli.com",
    "stark.dev",
    "wayne.co",
];
const ENVS: [&str; 4] = ["prod", "staging", "dev", "test"];

/// The email of seeded user `i` (deterministic, so requests can name users without storing emails).
pub fn email(i: usize) -> String {
    format!(
        "{}.{}.{}@{}",
        FIRST[i % FIRST.len()],
        LAST[(i / FIRST.len()) % LAST.len()],
        i,
        DOMAINS[i % DOMAINS.len()]
    )
}

/// A substring of user `i`'s email, as typed into a search box: `last.i` (also matches the
/// users whose number starts with `i` and share the last name).
pub fn email_fragment(i: usize) -> String {
    format!("{}.{}", LAST[(i / FIRST.len()) % LAST.len()], i)
}

fn full_name(i: usize) -> String {
    let cap = |s: &str| {
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
            .unwrap_or_default()
    };
    format!(
        "{} {}",
        cap(FIRST[i % FIRST.len()]),
        cap(LAST[(i / FIRST.len()) % LAST.len()])
    )
}

/// One benchmark principal: a user and a personal access token of theirs.
#[derive(Clone)]
pub struct BenchPrincipal {
    pub user: Uuid,
    pub token: String,
}

pub struct Seeded {
    pub users: Vec<Uuid>,
    pub teams: Vec<Uuid>,
    pub runtime_groups: Vec<Uuid>,
    /// Members of the Organization Admin team, one per connection.
    pub admins: Vec<BenchPrincipal>,
    /// Users whose only access is a role of their team, one per connection.
    pub team_members: Vec<BenchPrincipal>,
    pub memberships: usize,
    /// Personal access tokens of seeded users.
    pub tokens: usize,
    pub seconds: f64,
}

pub struct SeedPlan {
    pub users: usize,
    pub teams: usize,
    pub runtime_groups: usize,
    /// Principals of each kind (one per connection).
    pub principals: usize,
    pub regions: Vec<String>,
}

const BATCH: usize = 20_000;

pub async fn seed(store: &Store, plan: &SeedPlan) -> anyhow::Result<Seeded> {
    let started = Instant::now();
    let clock = Clock::system();
    let now = clock.now();
    let b = kontrol::bootstrap::bootstrap(store, &clock, &plan.regions, "Bench", "owner@bench.local")
        .await
        .context("creating the organization")?;
    let org = b.org_id;
    let mut rng = rand::rngs::StdRng::seed_from_u64(0x6b6f6e74);
    // Rows are spread over the last 30 days, oldest first.
    let base = now - TimeDelta::days(30);
    let step =
        |i: usize, n: usize| base + TimeDelta::microseconds((i as i64) * (29 * 86_400_000_000 / n.max(1) as i64));

    // users
    let mut users = Vec::with_capacity(plan.users);
    let mut batch = Vec::with_capacity(BATCH);
    for i in 0..plan.users {
        let id = Uuid::new_v4();
        users.push(id);
        batch.push(BulkUser {
            id,
            email: email(i),
            full_name: full_name(i),
            active: i % 10 != 0,
            created_at: step(i, plan.users),
        });
        if batch.len() == BATCH || i + 1 == plan.users {
            store.bulk_insert_users(org, &batch).await.context("inserting users")?;
            batch.clear();
            if (i + 1) % 200_000 == 0 {
                eprintln!("  {} users ({:.0} s)", i + 1, started.elapsed().as_secs_f64());
            }
        }
    }

    // runtime groups with labels
    let mut runtime_groups = Vec::with_capacity(plan.runtime_groups);
    let mut rgs = Vec::with_capacity(plan.runtime_groups);
    for i in 0..plan.runtime_groups {
        let id = Uuid::new_v4();
        runtime_groups.push(id);
        let mut labels = Labels::new();
        labels.insert("env".into(), ENVS[i % ENVS.len()].into());
        labels.insert("team".into(), format!("t{:02}", i % LABEL_TEAMS));
        labels.insert("tier".into(), (i % 7).to_string());
        rgs.push(BulkRuntimeGroup {
            id,
            name: format!("rg-{i:05}"),
            description: String::new(),
            cluster_type: "CLUSTER_TYPE_HYBRID".into(),
            auth_type: "pinned_client_certs".into(),
            labels,
            endpoint_prefix: format!("{:010x}", rng.gen::<u64>() & 0xff_ffff_ffff),
            created_at: step(i, plan.runtime_groups),
        });
    }
    for part in rgs.chunks(BATCH) {
        store
            .bulk_insert_runtime_groups(org, REGION, part)
            .await
            .context("inserting runtime groups")?;
    }
    drop(rgs);

    // teams, each with a Viewer role on one runtime group
    let mut teams = Vec::with_capacity(plan.teams);
    let mut rows = Vec::with_capacity(plan.teams);
    let mut roles = Vec::with_capacity(plan.teams);
    for t in 0..plan.teams {
        let id = Uuid::new_v4();
        teams.push(id);
        rows.push(BulkTeam {
            id,
            name: format!("Team {t:05}"),
            description: "seeded".into(),
            labels_json: "{}".into(),
            created_at: step(t, plan.teams),
        });
        if !runtime_groups.is_empty() {
            roles.push(BulkRoleAssignment {
                id: Uuid::new_v4(),
                principal_kind: PrincipalKind::Team,
                principal_id: id,
                role_name: "Viewer".into(),
                entity_type_name: "Control Planes".into(),
                entity_type_key: "control_planes".into(),
                entity_id: runtime_groups[t % runtime_groups.len()].to_string(),
                entity_region: REGION.into(),
                created_at: step(t, plan.teams),
            });
        }
    }
    for part in rows.chunks(BATCH) {
        store.bulk_insert_teams(org, part).await.context("inserting teams")?;
    }
    for part in roles.chunks(BATCH) {
        store
            .bulk_insert_role_assignments(org, part)
            .await
            .context("inserting role assignments")?;
    }
    drop((rows, roles));

    // memberships: every user in two teams
    let mut memberships = 0;
    if !teams.is_empty() {
        let mut batch = Vec::with_capacity(BATCH);
        for (i, user) in users.iter().enumerate() {
            let a = i % teams.len();
            let b = (i.wrapping_mul(7919) + 13) % teams.len();
            for t in if a == b { vec![a] } else { vec![a, b] } {
                batch.push(BulkMembership {
                    team_id: teams[t],
                    user_id: *user,
                    created_at: now,
                });
            }
            if batch.len() >= BATCH || i + 1 == users.len() {
                memberships += batch.len();
                store
                    .bulk_insert_team_users(&batch)
                    .await
                    .context("inserting memberships")?;
                batch.clear();
            }
        }
    }

    // every tenth user has a personal access token
    let mut tokens = 0;
    let mut batch = Vec::with_capacity(BATCH);
    for (i, user) in users.iter().enumerate().step_by(10) {
        batch.push(BulkToken {
            id: Uuid::new_v4(),
            owner_kind: PrincipalKind::User,
            owner_id: *user,
            name: "laptop".into(),
            token_hash: token::hash(&token::generate(TokenKind::Personal)),
            expires_at: Some(now + TimeDelta::days(90)),
            created_at: step(i, plan.users),
        });
        if batch.len() >= BATCH || i + 10 >= users.len() {
            tokens += batch.len();
            store
                .bulk_insert_tokens(org, &batch)
                .await
                .context("inserting tokens")?;
            batch.clear();
        }
    }

    // the benchmark's principals
    let admin_team = store
        .find_system_team(org, ORG_ADMIN_TEAM)
        .await?
        .context("no Organization Admin team")?;
    let role_team = Uuid::new_v4();
    store
        .bulk_insert_teams(
            org,
            &[BulkTeam {
                id: role_team,
                name: "Bench operators".into(),
                description: "identity and control-plane admins through a team role".into(),
                labels_json: "{}".into(),
                created_at: now,
            }],
        )
        .await?;
    let role = |name: &str, key: &str| BulkRoleAssignment {
        id: Uuid::new_v4(),
        principal_kind: PrincipalKind::Team,
        principal_id: role_team,
        role_name: "Admin".into(),
        entity_type_name: name.into(),
        entity_type_key: key.into(),
        entity_id: "*".into(),
        entity_region: "*".into(),
        created_at: now,
    };
    store
        .bulk_insert_role_assignments(
            org,
            &[role("Identity", "identity"), role("Control Planes", "control_planes")],
        )
        .await?;
    let admins = principals(store, org, "admin", admin_team.id, plan.principals, now).await?;
    let team_members = principals(store, org, "member", role_team, plan.principals, now).await?;

    store.analyze().await.context("analyzing")?;
    Ok(Seeded {
        users,
        teams,
        runtime_groups,
        admins,
        team_members,
        memberships,
        tokens,
        seconds: started.elapsed().as_secs_f64(),
    })
}

/// `n` active users in `team`, each with a personal access token valid for a year.
async fn principals(
    store: &Store,
    org: OrgId,
    kind: &str,
    team: Uuid,
    n: usize,
    now: DateTime<Utc>,
) -> anyhow::Result<Vec<BenchPrincipal>> {
    let mut users = Vec::new();
    let mut members = Vec::new();
    let mut tokens = Vec::new();
    let mut out = Vec::new();
    for c in 0..n {
        let id = Uuid::new_v4();
        users.push(BulkUser {
            id,
            email: format!("bench-{kind}-{c}@bench.local"),
            full_name: format!("Bench {kind} {c}"),
            active: true,
            created_at: now,
        });
        members.push(BulkMembership {
            team_id: team,
            user_id: id,
            created_at: now,
        });
        let secret = token::generate(TokenKind::Personal);
        tokens.push(BulkToken {
            id: Uuid::new_v4(),
            owner_kind: PrincipalKind::User,
            owner_id: id,
            name: "bench".into(),
            token_hash: token::hash(&secret),
            expires_at: Some(now + TimeDelta::days(365)),
            created_at: now,
        });
        out.push(BenchPrincipal {
            user: id,
            token: secret,
        });
    }
    store.bulk_insert_users(org, &users).await?;
    store.bulk_insert_team_users(&members).await?;
    store.bulk_insert_tokens(org, &tokens).await?;
    Ok(out)
}
