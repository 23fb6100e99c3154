CREATE TABLE runtime_groups (
    id BLOB PRIMARY KEY NOT NULL,
    org_id BLOB NOT NULL REFERENCES organizations(id) ON DELETE CASCADE,
    region TEXT NOT NULL,
    name TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    cluster_type TEXT NOT NULL,
    auth_type TEXT NOT NULL,
    cloud_gateway BOOLEAN NOT NULL DEFAULT FALSE,
    proxy_urls TEXT NOT NULL DEFAULT '[]',
    labels TEXT NOT NULL DEFAULT '{}',
    endpoint_prefix TEXT NOT NULL,
    is_default BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (org_id, region, name)
);
CREATE INDEX runtime_groups_org_region_created ON runtime_groups (org_id, region, created_at, id);

CREATE TABLE runtime_group_labels (
    runtime_group_id BLOB NOT NULL REFERENCES runtime_groups(id) ON DELETE CASCADE,
    key TEXT NOT NULL,
    value TEXT NOT NULL,
    PRIMARY KEY (runtime_group_id, key)
);
CREATE INDEX runtime_group_labels_key_value ON runtime_group_labels (key, value);

CREATE TABLE composite_memberships (
    composite_id BLOB NOT NULL REFERENCES runtime_groups(id) ON DELETE CASCADE,
    member_id BLOB NOT NULL REFERENCES runtime_groups(id) ON DELETE CASCADE,
    created_at TEXT NOT NULL,
    PRIMARY KEY (composite_id, member_id)
);
CREATE INDEX composite_memberships_member ON composite_memberships (member_id);

CREATE TABLE dp_client_certificates (
    id BLOB PRIMARY KEY NOT NULL,
    runtime_group_id BLOB NOT NULL REFERENCES runtime_groups(id) ON DELETE CASCADE,
    cert TEXT NOT NULL,
    fingerprint TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (runtime_group_id, fingerprint)
);

CREATE TABLE dp_nodes (
    id TEXT NOT NULL,
    runtime_group_id BLOB NOT NULL REFERENCES runtime_groups(id) ON DELETE CASCADE,
    version TEXT NOT NULL DEFAULT '',
    hostname TEXT NOT NULL DEFAULT '',
    type TEXT NOT NULL DEFAULT 'kong-proxy',
    config_hash TEXT NOT NULL DEFAULT '',
    compatibility_state TEXT NOT NULL DEFAULT 'COMPATIBILITY_STATE_FULLY_COMPATIBLE',
    last_ping BIGINT NOT NULL DEFAULT 0,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (runtime_group_id, id)
);
