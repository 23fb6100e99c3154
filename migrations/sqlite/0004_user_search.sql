-- Substring search on users (filter[email][contains], filter[full_name][contains]) from a
-- trigram index: an FTS5 table over users' email and full_name, keyed by the users' rowid and
-- kept in step by triggers. The store narrows a search with it and still applies the exact
-- LOWER(col) LIKE condition, so results are the same as a scan. PostgreSQL serves the same
-- searches from its pg_trgm indexes (0003); its 0004 is empty.
CREATE VIRTUAL TABLE users_search USING fts5(
    email, full_name,
    content = 'users', content_rowid = 'rowid',
    tokenize = 'trigram'
);
INSERT INTO users_search (users_search) VALUES ('rebuild');

CREATE TRIGGER users_search_insert AFTER INSERT ON users BEGIN
    INSERT INTO users_search (rowid, email, full_name) VALUES (new.rowid, new.email, new.full_name);
END;
CREATE TRIGGER users_search_delete AFTER DELETE ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, full_name)
        VALUES ('delete', old.rowid, old.email, old.full_name);
END;
CREATE TRIGGER users_search_update AFTER UPDATE OF email, full_name ON users BEGIN
    INSERT INTO users_search (users_search, rowid, email, full_name)
        VALUES ('delete', old.rowid, old.email, old.full_name);
    INSERT INTO users_search (rowid, email, full_name) VALUES (new.rowid, new.email, new.full_name);
END;
