//! Command line: `kontrol serve | bootstrap | migrate`.

use clap::{Parser, Subcommand};

#[derive(Parser, Debug)]
#[command(
    name = "kontrol",
    version,
    about = "A self-hosted server that speaks the Kong Konnect platform APIs"
)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Subcommand, Debug)]
pub enum Command {
    /// Run the HTTP server (global and regional APIs).
    Serve {
        /// Address to listen on [env: KONTROL_LISTEN] [default: 127.0.0.1:8080]
        #[arg(long)]
        listen: Option<String>,
        /// Database URL: sqlite://file.db?mode=rwc or postgres://… [env: KONTROL_DATABASE_URL]
        #[arg(long)]
        database: Option<String>,
    },
    /// Create an organization (if missing) and an admin user, and print a new token for them.
    Bootstrap {
        /// Database URL [env: KONTROL_DATABASE_URL]
        #[arg(long)]
        database: Option<String>,
        /// Organization name
        #[arg(long, default_value = crate::bootstrap::DEFAULT_ORG)]
        org: String,
        /// Email of the admin user
        #[arg(long, default_value = crate::bootstrap::DEFAULT_EMAIL)]
        email: String,
    },
    /// Print Kontrol's OpenAPI document (JSON) and exit.
    Openapi,
    /// Apply database migrations and exit.
    Migrate {
        #[arg(long)]
        database: Option<String>,
    },
}
