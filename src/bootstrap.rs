//! Creating an organization, its predefined teams and a first admin with a token.

use chrono::TimeDelta;

use crate::api::global::valid_email;
use crate::auth::token::{self, TokenKind};
use crate::clock::Clock;
use crate::domain::ids::{OrgId, TeamId, UserId};
use crate::domain::roles::ORG_ADMIN_TEAM;
use crate::store::{PrincipalKind, Store};

pub const DEFAULT_ORG: &str = "Kontrol";
pub const DEFAULT_EMAIL: &str = "admin@kontrol.local";

pub struct Bootstrapped {
    pub org_id: OrgId,
    pub org_created: bool,
    pub user_id: UserId,
    pub token: String,
}

/// Idempotent: the organization and user are created only when missing; every call issues a
/// fresh personal access token valid for one year. Every organization gets a `default`
/// runtime group in each region.
pub async fn bootstrap(
    store: &Store,
    clock: &Clock,
    regions: &[String],
    org_name: &str,
    email: &str,
) -> anyhow::Result<Bootstrapped> {
    let org_name = org_name.trim();
    anyhow::ensure!(
        !org_name.is_empty() && org_name.len() <= 250,
        "the organization name must be 1 to 250 characters"
    );
    let email = email.trim().to_lowercase();
    anyhow::ensure!(valid_email(&email), "{email:?} is not a valid email address");
    let now = clock.now();
    let (org, org_created) = store.ensure_org(org_name, now).await?;
    store.ensure_default_runtime_groups(regions, now).await?;
    let org_id = OrgId(org.id);
    let user = match store.find_user_by_email(org_id, &email).await? {
        Some(u) => u,
        None => {
            store
                .insert_user(org_id, &email, "Administrator", true, None, now)
                .await?
        }
    };
    let team = store
        .find_system_team(org_id, ORG_ADMIN_TEAM)
        .await?
        .ok_or_else(|| anyhow::anyhow!("organization {org_name:?} has no Organization Admin team"))?;
    store.add_team_user(TeamId(team.id), UserId(user.id), now).await?;
    store.set_org_owner(org_id, user.id).await?;
    let secret = token::generate(TokenKind::Personal);
    let name = format!("bootstrap {}", now.format("%Y-%m-%d %H.%M.%S"));
    store
        .insert_token(
            org_id,
            PrincipalKind::User,
            user.id,
            &name,
            &token::hash(&secret),
            Some(now + TimeDelta::days(365)),
            now,
        )
        .await?;
    Ok(Bootstrapped {
        org_id,
        org_created,
        user_id: UserId(user.id),
        token: secret,
    })
}
