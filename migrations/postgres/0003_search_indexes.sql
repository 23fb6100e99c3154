-- Substring search on users: filter[email][contains] and filter[full_name][contains] compile to
-- LOWER(col) LIKE '%…%', which only a trigram index can serve.
CREATE EXTENSION IF NOT EXISTS pg_trgm;
CREATE INDEX users_email_trgm ON users USING gin (LOWER(email) gin_trgm_ops);
CREATE INDEX users_full_name_trgm ON users USING gin (LOWER(full_name) gin_trgm_ops);

-- Label filters (labels=key:value) compare LOWER(value).
CREATE INDEX runtime_group_labels_key_lower_value ON runtime_group_labels (key, LOWER(value));
