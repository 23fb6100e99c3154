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

use axum::http::Method;
use axum::routing::{delete, get, patch, post, put};
use axum::{Extension, Router};

use crate::auth::PasswordLogin;
use crate::http::openapi::{inline, named, router_of, ApiRoute, PAGE};
use crate::http::query::Paginated;
use crate::state::AppState;
use dto::{AssignedRole, PersonalAccessToken, SystemAccount, SystemAccountAccessToken, Team, User};

const USER_FILTERS: [&str; 8] = [
    "filter[id]",
    "filter[email]",
    "filter[email][contains]",
    "filter[full_name]",
    "filter[full_name][contains]",
    "filter[active]",
    "page[size]",
    "page[number]",
];
const NAME_FILTERS: [&str; 2] = ["filter[name]", "filter[name][contains]"];
const ROLE_FILTERS: [&str; 4] = [
    "filter[role_name]",
    "filter[entity_type_name]",
    "page[size]",
    "page[number]",
];

pub fn router() -> Router<AppState> {
    router_of(routes())
}

/// Every identity operation: handler and documentation in one place.
pub fn routes() -> Vec<ApiRoute> {
    use Method as M;
    let r = ApiRoute::new;
    // `/users/me` and a user's own tokens also accept a password (see `auth::PasswordLogin`).
    let pw = |m: axum::routing::MethodRouter<AppState>| m.layer(Extension(PasswordLogin));
    vec![
        // users
        r(
            M::GET,
            "/users",
            "list-users",
            "List Users",
            200,
            get(users::list_users),
        )
        .query(&USER_FILTERS)
        .response(inline::<Paginated<User>>),
        r(
            M::GET,
            "/users/me",
            "get-users-me",
            "Retrieve My User Account",
            200,
            pw(get(users::get_users_me)),
        )
        .response(named::<User>),
        r(
            M::GET,
            "/users/{userId}",
            "get-user",
            "Fetch User",
            200,
            get(users::get_user),
        )
        .response(named::<User>),
        r(
            M::PATCH,
            "/users/{userId}",
            "update-user",
            "Update User",
            200,
            patch(users::update_user),
        )
        .request(inline::<users::UpdateUserRequest>)
        .response(named::<User>),
        r(
            M::DELETE,
            "/users/{userId}",
            "delete-user",
            "Delete User",
            204,
            delete(users::delete_user),
        ),
        r(
            M::GET,
            "/users/{userId}/teams",
            "list-user-teams",
            "List User Teams",
            200,
            get(users::list_user_teams),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .response(inline::<Paginated<Team>>),
        r(
            M::GET,
            "/users/{userId}/assigned-roles",
            "list-user-roles",
            "List User Roles",
            200,
            get(roles::list_user_roles),
        )
        .query(&ROLE_FILTERS)
        .response(inline::<Paginated<AssignedRole>>),
        r(
            M::POST,
            "/users/{userId}/assigned-roles",
            "users-assign-role",
            "Assign Role",
            201,
            post(roles::users_assign_role),
        )
        .request(inline::<roles::AssignRoleRequest>)
        .response(named::<AssignedRole>),
        r(
            M::DELETE,
            "/users/{userId}/assigned-roles/{roleId}",
            "users-remove-role",
            "Remove Role",
            204,
            delete(roles::users_remove_role),
        ),
        // personal access tokens
        r(
            M::GET,
            "/users/{userId}/access-tokens",
            "list-personal-access-tokens",
            "List Personal Access Tokens",
            200,
            pw(get(tokens::list_personal_access_tokens)),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .response(inline::<Paginated<PersonalAccessToken>>),
        r(
            M::POST,
            "/users/{userId}/access-tokens",
            "create-personal-access-token",
            "Create Personal Access Token",
            201,
            pw(post(tokens::create_personal_access_token)),
        )
        .request(inline::<tokens::CreatePatRequest>)
        .response(named::<PersonalAccessToken>),
        r(
            M::GET,
            "/users/{userId}/access-tokens/{tokenId}",
            "get-personal-access-token",
            "Fetch Personal Access Token",
            200,
            get(tokens::get_personal_access_token),
        )
        .response(named::<PersonalAccessToken>),
        r(
            M::PATCH,
            "/users/{userId}/access-tokens/{tokenId}",
            "update-personal-access-token",
            "Update Personal Access Token",
            200,
            patch(tokens::update_personal_access_token),
        )
        .request(inline::<tokens::UpdatePatRequest>)
        .response(named::<PersonalAccessToken>),
        r(
            M::DELETE,
            "/users/{userId}/access-tokens/{tokenId}",
            "delete-personal-access-token",
            "Delete Personal Access Token",
            204,
            delete(tokens::delete_personal_access_token),
        ),
        r(
            M::PATCH,
            "/users/{userId}/access-tokens/{tokenId}/revoke",
            "revoke-personal-access-token",
            "Revoke Personal Access Token",
            200,
            patch(tokens::revoke_personal_access_token),
        )
        .response(named::<PersonalAccessToken>),
        // invites
        r(
            M::POST,
            "/invites",
            "invite-user",
            "Invite User",
            201,
            post(invites::invite_user),
        )
        .request(inline::<invites::InviteUserRequest>),
        r(
            M::POST,
            "/accept-invite",
            "accept-invite",
            "Accept Invite",
            202,
            post(invites::accept_invite),
        )
        .request(inline::<invites::AcceptInviteRequest>)
        .public(),
        // teams
        r(
            M::GET,
            "/teams",
            "list-teams",
            "List Teams",
            200,
            get(teams::list_teams),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .response(inline::<Paginated<Team>>),
        r(
            M::POST,
            "/teams",
            "create-team",
            "Create Team",
            201,
            post(teams::create_team),
        )
        .request(inline::<teams::CreateTeamRequest>)
        .response(named::<Team>),
        r(
            M::GET,
            "/teams/{teamId}",
            "get-team",
            "Fetch Team",
            200,
            get(teams::get_team),
        )
        .response(named::<Team>),
        r(
            M::PATCH,
            "/teams/{teamId}",
            "update-team",
            "Update Team",
            200,
            patch(teams::update_team),
        )
        .request(inline::<teams::UpdateTeamRequest>)
        .response(named::<Team>),
        r(
            M::DELETE,
            "/teams/{teamId}",
            "delete-team",
            "Delete Team",
            204,
            delete(teams::delete_team),
        ),
        r(
            M::GET,
            "/teams/{teamId}/users",
            "list-team-users",
            "List Team Users",
            200,
            get(teams::list_team_users),
        )
        .query(&USER_FILTERS)
        .response(inline::<Paginated<User>>),
        r(
            M::POST,
            "/teams/{teamId}/users",
            "add-user-to-team",
            "Add User",
            201,
            post(teams::add_user_to_team),
        )
        .request(inline::<teams::MemberRequest>),
        r(
            M::DELETE,
            "/teams/{teamId}/users/{userId}",
            "remove-user-from-team",
            "Remove User",
            204,
            delete(teams::remove_user_from_team),
        ),
        r(
            M::GET,
            "/teams/{teamId}/assigned-roles",
            "list-team-roles",
            "List Team Roles",
            200,
            get(roles::list_team_roles),
        )
        .query(&ROLE_FILTERS)
        .response(inline::<Paginated<AssignedRole>>),
        r(
            M::POST,
            "/teams/{teamId}/assigned-roles",
            "teams-assign-role",
            "Assign Team Role",
            201,
            post(roles::teams_assign_role),
        )
        .request(inline::<roles::AssignRoleRequest>)
        .response(named::<AssignedRole>),
        r(
            M::DELETE,
            "/teams/{teamId}/assigned-roles/{roleId}",
            "teams-remove-role",
            "Remove Team Role",
            204,
            delete(roles::teams_remove_role),
        ),
        r(
            M::GET,
            "/teams/{teamId}/system-accounts",
            "get-teams-teamId-system-accounts",
            "List System Accounts on a Team",
            200,
            get(teams::list_team_system_accounts),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .response(inline::<Paginated<SystemAccount>>),
        r(
            M::POST,
            "/teams/{teamId}/system-accounts",
            "post-teams-teamId-system-accounts",
            "Add System Account to a Team",
            201,
            post(teams::add_system_account_to_team),
        )
        .request(inline::<teams::MemberRequest>),
        r(
            M::DELETE,
            "/teams/{teamId}/system-accounts/{accountId}",
            "delete-teams-teamId-system-accounts-accountId",
            "Remove System Account From Team",
            204,
            delete(teams::remove_system_account_from_team),
        ),
        // roles
        r(
            M::GET,
            "/roles",
            "get-predefined-roles",
            "Get Predefined Roles",
            200,
            get(roles::get_predefined_roles),
        )
        .response(named::<roles::Roles>),
        // system accounts
        r(
            M::GET,
            "/system-accounts",
            "get-system-accounts",
            "List System Accounts",
            200,
            get(system_accounts::list_system_accounts),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .query(&[
            "filter[description]",
            "filter[description][contains]",
            "filter[konnect_managed]",
        ])
        .response(inline::<Paginated<SystemAccount>>),
        r(
            M::POST,
            "/system-accounts",
            "post-system-accounts",
            "Create System Account",
            201,
            post(system_accounts::create_system_account),
        )
        .request(inline::<system_accounts::CreateSystemAccountRequest>)
        .response(named::<SystemAccount>),
        r(
            M::GET,
            "/system-accounts/{accountId}",
            "get-system-accounts-id",
            "Fetch System Account",
            200,
            get(system_accounts::get_system_account),
        )
        .response(named::<SystemAccount>),
        r(
            M::PATCH,
            "/system-accounts/{accountId}",
            "patch-system-accounts-id",
            "Update System Account",
            200,
            patch(system_accounts::update_system_account),
        )
        .request(inline::<system_accounts::UpdateSystemAccountRequest>)
        .response(named::<SystemAccount>),
        r(
            M::DELETE,
            "/system-accounts/{accountId}",
            "delete-system-accounts-id",
            "Delete System Account",
            204,
            delete(system_accounts::delete_system_account),
        ),
        r(
            M::GET,
            "/system-accounts/{accountId}/access-tokens",
            "get-system-account-id-access-tokens",
            "List System Account Access Tokens",
            200,
            get(system_accounts::list_system_account_tokens),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .response(inline::<Paginated<SystemAccountAccessToken>>),
        r(
            M::POST,
            "/system-accounts/{accountId}/access-tokens",
            "post-system-accounts-id-access-tokens",
            "Create System Account Access Token",
            201,
            post(system_accounts::create_system_account_token),
        )
        .request(inline::<system_accounts::CreateTokenRequest>)
        .response(named::<dto::SystemAccountAccessTokenCreated>),
        r(
            M::GET,
            "/system-accounts/{accountId}/access-tokens/{tokenId}",
            "get-system-accounts-id-access-tokens-id",
            "Fetch System Account Access Token",
            200,
            get(system_accounts::get_system_account_token),
        )
        .response(named::<SystemAccountAccessToken>),
        r(
            M::PATCH,
            "/system-accounts/{accountId}/access-tokens/{tokenId}",
            "patch-system-accounts-id-access-tokens-id",
            "Update System Account Access Token",
            200,
            patch(system_accounts::update_system_account_token),
        )
        .request(inline::<system_accounts::RenameTokenRequest>)
        .response(named::<SystemAccountAccessToken>),
        r(
            M::DELETE,
            "/system-accounts/{accountId}/access-tokens/{tokenId}",
            "delete-system-accounts-id-access-tokens-id",
            "Delete System Account Access Token",
            204,
            delete(system_accounts::delete_system_account_token),
        ),
        r(
            M::GET,
            "/system-accounts/{accountId}/assigned-roles",
            "get-system-accounts-accountId-assigned-roles",
            "Fetch Assigned Roles for System Account",
            200,
            get(roles::list_system_account_roles),
        )
        .query(&ROLE_FILTERS)
        .response(inline::<Paginated<AssignedRole>>),
        r(
            M::POST,
            "/system-accounts/{accountId}/assigned-roles",
            "post-system-accounts-accountId-assigned-roles",
            "Create Assigned Role for System Account",
            201,
            post(roles::system_accounts_assign_role),
        )
        .request(inline::<roles::AssignRoleRequest>)
        .response(named::<AssignedRole>),
        r(
            M::DELETE,
            "/system-accounts/{accountId}/assigned-roles/{roleId}",
            "delete-system-accounts-accountId-assigned-roles-roleId",
            "Delete Assigned Role from System Account",
            204,
            delete(roles::system_accounts_remove_role),
        ),
        r(
            M::GET,
            "/system-accounts/{accountId}/teams",
            "get-system-accounts-accountId-teams",
            "List Teams for a System Account",
            200,
            get(system_accounts::list_system_account_teams),
        )
        .query(&PAGE)
        .query(&NAME_FILTERS)
        .response(inline::<Paginated<Team>>),
        // authentication settings and identity providers
        r(
            M::GET,
            "/authentication-settings",
            "get-authentication-settings",
            "Get Auth Settings",
            200,
            get(settings::get_authentication_settings),
        )
        .response(named::<settings::AuthenticationSettings>),
        r(
            M::PATCH,
            "/authentication-settings",
            "update-authentication-settings",
            "Update Auth Settings",
            200,
            patch(settings::update_authentication_settings),
        )
        .request(inline::<settings::AuthenticationSettings>)
        .response(named::<settings::AuthenticationSettings>),
        r(
            M::GET,
            "/identity-provider",
            "get-idp-configuration",
            "Fetch IdP Configuration",
            200,
            get(settings::get_idp_configuration),
        )
        .response(named::<settings::IdP>),
        r(
            M::PATCH,
            "/identity-provider",
            "update-idp-configuration",
            "Update IdP Configuration",
            200,
            patch(settings::update_idp_configuration),
        )
        .request(inline::<settings::UpdateIdpConfigurationRequest>)
        .response(named::<settings::IdP>),
        r(
            M::GET,
            "/identity-provider/team-mappings",
            "get-idp-team-mappings",
            "Fetch Team Mapping",
            200,
            get(settings::get_idp_team_mappings),
        )
        .query(&PAGE)
        .response(inline::<settings::TeamMappingResponse>),
        r(
            M::PUT,
            "/identity-provider/team-mappings",
            "update-idp-team-mappings",
            "Update Team Mappings",
            200,
            put(settings::update_idp_team_mappings),
        )
        .request(inline::<settings::UpdateTeamMappingsRequest>)
        .response(inline::<settings::TeamMappingCollection>),
        r(
            M::GET,
            "/identity-provider/team-group-mappings",
            "get-team-group-mappings",
            "Fetch Team Group Mappings",
            200,
            get(settings::get_team_group_mappings),
        )
        .query(&PAGE)
        .response(inline::<settings::TeamGroupMappingCollection>),
        r(
            M::PATCH,
            "/identity-provider/team-group-mappings",
            "patch-team-group-mappings",
            "Patch Mappings by Team ID",
            200,
            patch(settings::patch_team_group_mappings),
        )
        .request(inline::<settings::PatchTeamGroupMappingsRequest>)
        .response(inline::<settings::TeamGroupMappingCollection>),
        r(
            M::GET,
            "/identity-providers",
            "get-identity-providers",
            "Retrieve Identity Providers",
            200,
            get(settings::get_identity_providers),
        )
        .query(&["filter[type]"])
        .response(inline::<Vec<settings::IdentityProvider>>),
        r(
            M::POST,
            "/identity-providers",
            "create-identity-provider",
            "Create Identity Provider",
            201,
            post(settings::create_identity_provider),
        )
        .request(inline::<settings::CreateIdentityProviderRequest>)
        .response(named::<settings::IdentityProvider>),
        r(
            M::GET,
            "/identity-providers/{id}",
            "get-identity-provider",
            "Get Identity Provider",
            200,
            get(settings::get_identity_provider),
        )
        .response(named::<settings::IdentityProvider>),
        r(
            M::PATCH,
            "/identity-providers/{id}",
            "update-identity-provider",
            "Update Identity Provider",
            200,
            patch(settings::update_identity_provider),
        )
        .request(inline::<settings::UpdateIdentityProviderRequest>)
        .response(named::<settings::IdentityProvider>),
        r(
            M::DELETE,
            "/identity-providers/{id}",
            "delete-identity-provider",
            "Delete Identity Provider",
            204,
            delete(settings::delete_identity_provider),
        ),
        r(
            M::GET,
            "/organizations/impersonation",
            "get-impersonation-settings",
            "Get Impersonation Settings",
            200,
            get(settings::get_impersonation_settings),
        )
        .response(inline::<settings::ImpersonationSettings>),
        r(
            M::PATCH,
            "/organizations/impersonation",
            "update-impersonation-settings",
            "Update Impersonation Settings",
            200,
            patch(settings::update_impersonation_settings),
        )
        .request(inline::<settings::ImpersonationRequest>)
        .response(inline::<settings::ImpersonationSettings>),
        r(
            M::GET,
            "/organizations/me",
            "get-organizations-me",
            "Retrieve My Organization",
            200,
            get(settings::get_organizations_me),
        )
        .response(named::<settings::MeOrganization>),
    ]
}
