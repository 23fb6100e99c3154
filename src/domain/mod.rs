//! Pure types and rules: no I/O, no HTTP, no SQL.

pub mod filter;
pub mod ids;
pub mod labels;
pub mod roles;
pub mod time;
