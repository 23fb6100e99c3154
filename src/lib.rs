//! Kontrol: a self-hosted server that speaks the Kong Konnect platform APIs.

pub mod api;
pub mod auth;
pub mod bootstrap;
pub mod cli;
pub mod clock;
pub mod config;
pub mod domain;
pub mod error;
pub mod http;
pub mod mail;
pub mod server;
pub mod state;
pub mod store;

pub use http::app;
