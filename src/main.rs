use std::net::SocketAddr;

use anyhow::Context;
use clap::Parser;
use kontrol::cli::{Cli, Command};
use kontrol::clock::Clock;
use kontrol::config::Config;
use kontrol::state::AppState;
use kontrol::store::Store;
use tracing_subscriber::EnvFilter;

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    tracing_subscriber::fmt()
        .with_env_filter(EnvFilter::try_from_env("KONTROL_LOG").unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn")))
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .init();
    let cli = Cli::parse();
    if let Command::Openapi = cli.command {
        println!("{}", serde_json::to_string_pretty(kontrol::http::openapi_document())?);
        return Ok(());
    }
    let mut config = Config::load().context("loading configuration")?;
    match cli.command {
        Command::Serve { listen, database } => {
            if let Some(l) = listen {
                config.listen = l;
            }
            if let Some(d) = database {
                config.database_url = d;
            }
            serve(config).await
        }
        Command::Bootstrap { database, org, email } => {
            if let Some(d) = database {
                config.database_url = d;
            }
            let store = Store::connect(&config.database_url).await?;
            let b = kontrol::bootstrap::bootstrap(&store, &Clock::system(), &config.regions, &org, &email).await?;
            eprintln!(
                "organization {org:?} {} ({}); admin {email} ({})",
                if b.org_created { "created" } else { "already existed" },
                b.org_id,
                b.user_id
            );
            println!("{}", b.token);
            store.close().await;
            Ok(())
        }
        Command::Openapi => Ok(()),
        Command::Migrate { database } => {
            if let Some(d) = database {
                config.database_url = d;
            }
            let store = Store::connect(&config.database_url).await?;
            eprintln!("migrations applied");
            store.close().await;
            Ok(())
        }
    }
}

async fn serve(config: Config) -> anyhow::Result<()> {
    let addr: SocketAddr = config
        .listen
        .parse()
        .with_context(|| format!("invalid listen address {:?}", config.listen))?;
    tracing::info!(?config, "starting kontrol");
    let store = Store::connect(&config.database_url)
        .await
        .context("opening the database")?;
    let clock = Clock::system();
    if store.count_orgs().await? == 0 {
        let b = kontrol::bootstrap::bootstrap(
            &store,
            &clock,
            &config.regions,
            kontrol::bootstrap::DEFAULT_ORG,
            kontrol::bootstrap::DEFAULT_EMAIL,
        )
        .await?;
        println!(
            "Created organization {:?} with admin {}. Admin token (shown once):\n\n    {}\n\nUse it as: curl -H 'Authorization: Bearer {}' http://{}/v3/users/me\n",
            kontrol::bootstrap::DEFAULT_ORG,
            kontrol::bootstrap::DEFAULT_EMAIL,
            b.token,
            b.token,
            addr
        );
    }
    // Regions may have been added to the configuration since the organizations were created.
    store
        .ensure_default_runtime_groups(&config.regions, clock.now())
        .await?;
    let state = AppState::new(store.clone(), clock, config);
    let app = kontrol::app(state);
    let listener = tokio::net::TcpListener::bind(addr)
        .await
        .with_context(|| format!("binding {addr}"))?;
    tracing::info!(%addr, "listening");
    kontrol::server::serve(listener, app, shutdown_signal()).await?;
    store.close().await;
    tracing::info!("stopped");
    Ok(())
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        if let Ok(mut s) = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            s.recv().await;
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        _ = ctrl_c => {},
        _ = term => {},
    }
}
