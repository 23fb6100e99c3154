-- Label filters (labels=key:value) compare LOWER(value).
CREATE INDEX runtime_group_labels_key_lower_value ON runtime_group_labels (key, LOWER(value));

-- SQLite has no index for substring search (LOWER(col) LIKE '%…%'): filter[…][contains] on users
-- scans the organization's users; PostgreSQL serves it from trigram indexes (same-named file).
