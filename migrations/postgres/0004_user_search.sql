-- SQLite adds a trigram index for substring search on users here (same-named file); on
-- PostgreSQL the pg_trgm indexes of 0003 already serve those searches.
SELECT 1;
