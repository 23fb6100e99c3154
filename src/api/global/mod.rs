//! The Identity Management API, served on the global base URL under `/v2` and `/v3`.

mod dto;
mod invites;
mod roles;
mod settings;
mod system_accounts;
mod teams;
mod tokens;
mod users;

pub use invites::valid_email;

use axum::routing::{get, patch, post};
use axum::Router;

use crate::state::AppState;

pub fn router() -> Router<AppState> {
    Router::new()
        // users
        .route("/users", get(users::list_users))
        .route(
            "/users/{userId}",
            get(users::get_user)
                .patch(users::update_user)
                .delete(users::delete_user),
        )
        .route("/users/{userId}/teams", get(users::list_user_teams))
        .route(
            "/users/{userId}/assigned-roles",
            get(roles::list_user_roles).post(roles::users_assign_role),
        )
        .route(
            "/users/{userId}/assigned-roles/{roleId}",
            axum::routing::delete(roles::users_remove_role),
        )
        .route(
            "/users/{userId}/access-tokens/{tokenId}",
            get(tokens::get_personal_access_token)
                .patch(tokens::update_personal_access_token)
                .delete(tokens::delete_personal_access_token),
        )
        .route(
            "/users/{userId}/access-tokens/{tokenId}/revoke",
            patch(tokens::revoke_personal_access_token),
        )
        // the same routes, with password authentication allowed
        .merge(password_routes())
        // invites
        .route("/invites", post(invites::invite_user))
        .route("/accept-invite", post(invites::accept_invite))
        // teams
        .route("/teams", get(teams::list_teams).post(teams::create_team))
        .route(
            "/teams/{teamId}",
            get(teams::get_team)
                .patch(teams::update_team)
                .delete(teams::delete_team),
        )
        .route(
            "/teams/{teamId}/users",
            get(teams::list_team_users).post(teams::add_user_to_team),
        )
        .route(
            "/teams/{teamId}/users/{userId}",
            axum::routing::delete(teams::remove_user_from_team),
        )
        .route(
            "/teams/{teamId}/assigned-roles",
            get(roles::list_team_roles).post(roles::teams_assign_role),
        )
        .route(
            "/teams/{teamId}/assigned-roles/{roleId}",
            axum::routing::delete(roles::teams_remove_role),
        )
        .route(
            "/teams/{teamId}/system-accounts",
            get(teams::list_team_system_accounts).post(teams::add_system_account_to_team),
        )
        .route(
            "/teams/{teamId}/system-accounts/{accountId}",
            axum::routing::delete(teams::remove_system_account_from_team),
        )
        // roles
        .route("/roles", get(roles::get_predefined_roles))
        // system accounts
        .route(
            "/system-accounts",
            get(system_accounts::list_system_accounts).post(system_accounts::create_system_account),
        )
        .route(
            "/system-accounts/{accountId}",
            get(system_accounts::get_system_account)
                .patch(system_accounts::update_system_account)
                .delete(system_accounts::delete_system_account),
        )
        .route(
            "/system-accounts/{accountId}/access-tokens",
            get(system_accounts::list_system_account_tokens).post(system_accounts::create_system_account_token),
        )
        .route(
            "/system-accounts/{accountId}/access-tokens/{tokenId}",
            get(system_accounts::get_system_account_token)
                .patch(system_accounts::update_system_account_token)
                .delete(system_accounts::delete_system_account_token),
        )
        .route(
            "/system-accounts/{accountId}/assigned-roles",
            get(roles::list_system_account_roles).post(roles::system_accounts_assign_role),
        )
        .route(
            "/system-accounts/{accountId}/assigned-roles/{roleId}",
            axum::routing::delete(roles::system_accounts_remove_role),
        )
        .route(
            "/system-accounts/{accountId}/teams",
            get(system_accounts::list_system_account_teams),
        )
        // authentication settings and identity providers
        .route(
            "/authentication-settings",
            get(settings::get_authentication_settings).patch(settings::update_authentication_settings),
        )
        .route(
            "/identity-provider",
            get(settings::get_idp_configuration).patch(settings::update_idp_configuration),
        )
        .route(
            "/identity-provider/team-mappings",
            get(settings::get_idp_team_mappings).put(settings::update_idp_team_mappings),
        )
        .route(
            "/identity-provider/team-group-mappings",
            get(settings::get_team_group_mappings).patch(settings::patch_team_group_mappings),
        )
        .route(
            "/identity-providers",
            get(settings::get_identity_providers).post(settings::create_identity_provider),
        )
        .route(
            "/identity-providers/{id}",
            get(settings::get_identity_provider)
                .patch(settings::update_identity_provider)
                .delete(settings::delete_identity_provider),
        )
        .route(
            "/organizations/impersonation",
            get(settings::get_impersonation_settings).patch(settings::update_impersonation_settings),
        )
        .route("/organizations/me", get(settings::get_organizations_me))
}

/// `/users/me` and creating or listing one's personal access tokens also accept
/// `Authorization: Basic` (email and password), see `auth::PasswordLogin`.
fn password_routes() -> Router<AppState> {
    Router::new()
        .route("/users/me", get(users::get_users_me))
        .route(
            "/users/{userId}/access-tokens",
            get(tokens::list_personal_access_tokens).post(tokens::create_personal_access_token),
        )
        .layer(axum::Extension(crate::auth::PasswordLogin))
}
