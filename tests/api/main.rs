//! The one integration-test binary: every suite runs on SQLite, and on PostgreSQL when
//! `KONTROL_TEST_DATABASE_URL` is set.

mod helpers;

mod errors;
mod invites;
mod rbac;
mod roles;
mod routing;
mod settings;
mod smoke;
mod store;
mod system_accounts;
mod teams;
mod tokens;
mod users;
