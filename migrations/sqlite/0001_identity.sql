CREATE TABLE organizations (
    id BLOB PRIMARY KEY NOT NULL,
    name TEXT NOT NULL UNIQUE,
    owner_id BLOB,
    login_path TEXT NOT NULL DEFAULT '',
    state TEXT NOT NULL DEFAULT 'active',
    retention_period_days INTEGER NOT NULL DEFAULT 90,
    basic_auth_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    oidc_auth_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    saml_auth_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    idp_mapping_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    konnect_mapping_enabled BOOLEAN NOT NULL DEFAULT TRUE,
    impersonation_enabled BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

CREATE TABLE users (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    email TEXT NOT NULL,
    full_name TEXT NOT NULL DEFAULT '',
    preferred_name TEXT NOT NULL DEFAULT '',
    active BOOLEAN NOT NULL DEFAULT FALSE,
    password_hash TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, email)
);
CREATE INDEX users_org_created ON users (org_id, created_at, id);
CREATE INDEX users_org_full_name ON users (org_id, full_name);

CREATE TABLE invites (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    token_hash TEXT NOT NULL UNIQUE,
    expires_at TEXT NOT NULL,
    accepted_at TEXT,
    created_at TEXT NOT NULL
);
CREATE INDEX invites_user ON invites (user_id);

CREATE TABLE teams (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    system_team BOOLEAN NOT NULL DEFAULT FALSE,
    system_key TEXT,
    labels TEXT NOT NULL DEFAULT '{}',
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, system_key)
);
CREATE INDEX teams_org_created ON teams (org_id, created_at, id);
CREATE INDEX teams_org_name ON teams (org_id, name);

CREATE TABLE system_accounts (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    konnect_managed BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, name)
);

CREATE TABLE team_users (
    team_id BLOB NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    user_id BLOB NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, user_id)
);
CREATE INDEX team_users_user ON team_users (user_id);

CREATE TABLE team_system_accounts (
    team_id BLOB NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    system_account_id BLOB NOT NULL REFERENCES system_accounts(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (team_id, system_account_id)
);
CREATE INDEX team_system_accounts_sa ON team_system_accounts (system_account_id);

CREATE TABLE role_assignments (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    principal_kind TEXT NOT NULL,
    principal_id BLOB NOT NULL,
    role_name TEXT NOT NULL,
    entity_type_name TEXT NOT NULL,
    entity_type_key TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    entity_region TEXT NOT NULL,
    created_at TEXT NOT NULL,
    UNIQUE (principal_kind, principal_id, role_name, entity_type_key, entity_id, entity_region)
);
CREATE INDEX role_assignments_principal ON role_assignments (principal_id);

CREATE TABLE access_tokens (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    owner_kind TEXT NOT NULL,
    owner_id BLOB NOT NULL,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    expires_at TEXT,
    last_used_at TEXT,
    revoked_at TEXT,
    revoked_by BLOB
);
CREATE INDEX access_tokens_owner ON access_tokens (owner_id, created_at);

CREATE TABLE identity_providers (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    type TEXT NOT NULL,
    enabled BOOLEAN NOT NULL DEFAULT FALSE,
    login_path TEXT NOT NULL,
    config TEXT NOT NULL,
    client_secret TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, type)
);
CREATE UNIQUE INDEX identity_providers_login_path ON identity_providers (login_path);

CREATE TABLE idp_team_mappings (
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    group_name TEXT NOT NULL,
    team_id BLOB NOT NULL REFERENCES teams(id) ON DELETE CASCADE,
    PRIMARY KEY (org_id, group_name, team_id)
);
