//! Pure types and rules: no I/O, no HTTP, no SQL.

pub mod certificate;
pub mod filter;
pub mod ids;
pub mod labels;
pub mod roles;
pub mod runtime_group;
pub mod time;
