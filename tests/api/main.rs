//! The one integration-test binary: every suite runs on SQLite, and on PostgreSQL when
//! `KONTROL_TEST_DATABASE_URL` is set.

mod helpers;

mod composites;
mod dataplanes;
mod errors;
mod invites;
mod openapi;
mod rbac;
mod regional_rbac;
mod roles;
mod routing;
mod runtime_groups;
mod settings;
mod smoke;
mod store;
mod system_accounts;
mod teams;
mod tokens;
mod users;
