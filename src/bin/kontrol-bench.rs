//! `kontrol-bench`: how fast Kontrol is and how its cost grows with the data.
//!
//! For each size it creates a fresh database (a temporary SQLite file, or a new PostgreSQL
//! database), seeds one organization through the store's bulk methods, starts the real
//! `kontrol serve` next to this binary, and drives it over HTTP with a fixed number of
//! connections for a fixed time per operation, as an Organization Admin and as a user whose
//! access comes from a team role. Every run measures `GET /health` first: the other figures
//! are also given as a ratio to it. See docs/BENCHMARKS.md.

#[path = "kontrol_bench/load.rs"]
mod load;
#[path = "kontrol_bench/report.rs"]
mod report;
#[path = "kontrol_bench/seed.rs"]
mod seed;
#[path = "kontrol_bench/server.rs"]
mod server;

use std::path::PathBuf;
use std::sync::atomic::AtomicU64;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use clap::Parser;
use kontrol::store::{create_postgres_database, drop_postgres_database, Store};

use load::{Op, Target};
use report::{measure, size_name, Measured};
use seed::{BenchPrincipal, SeedPlan};
use server::Server;

#[derive(Parser, Debug)]
#[command(
    name = "kontrol-bench",
    about = "Load benchmark of kontrol serve (see docs/BENCHMARKS.md)"
)]
struct Args {
    /// `sqlite`, or the URL of a PostgreSQL database whose user may create databases
    /// (a fresh database is created per size and dropped afterwards).
    #[arg(long, default_value = "sqlite")]
    database: String,
    /// Numbers of users to seed, comma-separated (`1k`, `100k`, `1M`, or plain numbers).
    #[arg(long, value_delimiter = ',', default_value = "1k,100k,1M", value_parser = parse_size)]
    sizes: Vec<usize>,
    /// Seconds each operation is measured for.
    #[arg(long, default_value_t = 3.0)]
    duration: f64,
    /// Seconds of unmeasured load before each operation.
    #[arg(long, default_value_t = 1.0)]
    warmup: f64,
    /// Concurrent connections (also the number of principals of each kind).
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Measurement runs per size; tables show the median of each figure.
    #[arg(long, default_value_t = 3)]
    runs: usize,
    /// Teams to seed (each user is a member of two; each team has one role).
    #[arg(long, default_value_t = 10_000)]
    teams: usize,
    /// Runtime groups to seed (three labels each).
    #[arg(long, default_value_t = 10_000)]
    runtime_groups: usize,
    /// Operations to measure, comma-separated (default: all). `health` always runs.
    #[arg(long, value_delimiter = ',')]
    only: Vec<String>,
    /// Principals: `admin` (Organization Admin), `team` (access through a team role), or both.
    #[arg(long, value_delimiter = ',', default_value = "admin,team")]
    principals: Vec<String>,
    /// Threads of the load generator.
    #[arg(long, default_value_t = 1)]
    client_threads: usize,
    /// The `kontrol` binary to run (default: the one next to this binary).
    #[arg(long)]
    server: Option<PathBuf>,
    /// Also write every measurement and the medians as JSON to this file.
    #[arg(long)]
    json: Option<PathBuf>,
    /// Keep the databases (and print where they are) instead of deleting them.
    #[arg(long)]
    keep: bool,
    /// Seed, start the server, then wait this many seconds before measuring (for profiling).
    #[arg(long, default_value_t = 0.0)]
    pause: f64,
}

fn parse_size(s: &str) -> Result<usize, String> {
    let s = s.trim();
    let (num, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1_000),
        Some('m' | 'M') => (&s[..s.len() - 1], 1_000_000),
        _ => (s, 1),
    };
    num.parse::<usize>()
        .map(|n| n * mult)
        .map_err(|_| format!("invalid size {s:?}: use e.g. 1k, 100k, 1M"))
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    anyhow::ensure!(
        args.connections > 0 && args.runs > 0 && args.duration > 0.0,
        "nothing to measure"
    );
    let rt = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(args.client_threads.max(1))
        .enable_all()
        .build()?;
    rt.block_on(run(args))
}

/// One size's database: where it is and how to remove it.
enum Db {
    Sqlite { dir: PathBuf, url: String },
    Postgres { admin: String, name: String, url: String },
}

impl Db {
    async fn create(args: &Args, size: usize) -> anyhow::Result<Db> {
        let tag = format!("{}_{}", std::process::id(), size_name(size).to_lowercase());
        if args.database == "sqlite" {
            let dir = std::env::temp_dir().join(format!("kontrol-bench-{tag}"));
            std::fs::create_dir_all(&dir)?;
            let url = format!("sqlite://{}?mode=rwc", dir.join("bench.db").display());
            Ok(Db::Sqlite { dir, url })
        } else if args.database.starts_with("postgres:") || args.database.starts_with("postgresql:") {
            let name = format!("kontrol_bench_{tag}");
            let url = create_postgres_database(&args.database, &name)
                .await
                .context("creating the benchmark database")?;
            Ok(Db::Postgres {
                admin: args.database.clone(),
                name,
                url,
            })
        } else {
            anyhow::bail!("--database must be `sqlite` or a postgres:// URL");
        }
    }

    fn url(&self) -> &str {
        match self {
            Db::Sqlite { url, .. } | Db::Postgres { url, .. } => url,
        }
    }

    fn dir(&self) -> PathBuf {
        match self {
            Db::Sqlite { dir, .. } => dir.clone(),
            Db::Postgres { name, .. } => std::env::temp_dir().join(format!("kontrol-bench-{name}")),
        }
    }

    async fn remove(self, keep: bool) -> anyhow::Result<()> {
        if keep {
            eprintln!("kept database {}", kontrol::config::redact_url(self.url()));
            return Ok(());
        }
        match self {
            Db::Sqlite { dir, .. } => std::fs::remove_dir_all(dir)?,
            Db::Postgres { admin, name, .. } => {
                drop_postgres_database(&admin, &name).await?;
                let _ = std::fs::remove_dir_all(std::env::temp_dir().join(format!("kontrol-bench-{name}")));
            }
        }
        Ok(())
    }
}

fn machine() -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|m| {
            m.lines()
                .next()
                .and_then(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
        })
        .map_or_else(|| "?".into(), |kib| format!("{:.0} GiB", kib as f64 / 1024.0 / 1024.0));
    let kernel = std::fs::read_to_string("/proc/sys/kernel/osrelease").unwrap_or_default();
    format!("{cpu}, {cores} cores, {mem} RAM, Linux {}", kernel.trim())
}

async fn run(args: Args) -> anyhow::Result<()> {
    let binary = match &args.server {
        Some(p) => p.clone(),
        None => std::env::current_exe()?
            .parent()
            .context("no directory for the kontrol binary")?
            .join("kontrol"),
    };
    anyhow::ensure!(
        binary.exists(),
        "{} not found: build both binaries with `cargo build --release --bins`",
        binary.display()
    );
    let backend = if args.database == "sqlite" {
        "SQLite"
    } else {
        "PostgreSQL"
    };
    let ops: Vec<Op> = Op::ALL
        .into_iter()
        .filter(|o| *o == Op::Health || args.only.is_empty() || args.only.iter().any(|k| k == o.key()))
        .collect();
    for k in &args.only {
        anyhow::ensure!(Op::ALL.iter().any(|o| o.key() == k), "unknown operation {k:?}");
    }
    for p in &args.principals {
        anyhow::ensure!(
            p == "admin" || p == "team",
            "unknown principal {p:?}: use admin or team"
        );
    }
    let duration = Duration::from_secs_f64(args.duration);
    let warmup = Duration::from_secs_f64(args.warmup);
    eprintln!(
        "kontrol-bench: {backend}, sizes {:?}, {} connections, {} s per operation, {} run(s); {}",
        args.sizes.iter().map(|s| size_name(*s)).collect::<Vec<_>>(),
        args.connections,
        args.duration,
        args.runs,
        machine()
    );
    let mut all: Vec<Measured> = Vec::new();
    let mut seeding = Vec::new();
    let mut versions: Vec<String> = Vec::new();
    for &size in &args.sizes {
        let db = Db::create(&args, size).await?;
        let result = bench_size(&args, size, &db, &binary, &ops, duration, warmup).await;
        let removed = db.remove(args.keep).await;
        let (measured, note, version) = result?;
        removed?;
        if !versions.contains(&version) {
            versions.push(version);
        }
        all.extend(measured);
        seeding.push((size, note));
    }
    let summaries = report::summarize(&all);
    let command: Vec<String> = std::env::args()
        .enumerate()
        .map(|(i, a)| {
            if i == 0 {
                "kontrol-bench".to_string()
            } else {
                kontrol::config::redact_url(&a).to_string()
            }
        })
        .collect();
    let mut md = format!(
        "`{}` on {}. Machine: {}. {} connections, {} s per operation after {} s of warm-up, \
         median of {} run(s).\n\n",
        command.join(" "),
        versions.join(", "),
        machine(),
        args.connections,
        args.duration,
        args.warmup,
        args.runs
    );
    md.push_str(&report::markdown(backend, &summaries, &seeding));
    println!("{md}");
    if let Some(path) = &args.json {
        let doc = serde_json::json!({
            "backend": backend,
            "machine": machine(),
            "database": versions,
            "connections": args.connections,
            "duration_s": args.duration,
            "runs": args.runs,
            "seeding": seeding,
            "summaries": summaries,
            "measurements": all,
        });
        std::fs::write(path, serde_json::to_string_pretty(&doc)?)?;
    }
    Ok(())
}

#[allow(clippy::too_many_arguments)]
async fn bench_size(
    args: &Args,
    size: usize,
    db: &Db,
    binary: &std::path::Path,
    ops: &[Op],
    duration: Duration,
    warmup: Duration,
) -> anyhow::Result<(Vec<Measured>, String, String)> {
    eprintln!("== {} users: seeding", size_name(size));
    let store = Store::connect(db.url()).await?;
    let plan = SeedPlan {
        users: size,
        teams: args.teams,
        runtime_groups: args.runtime_groups,
        principals: args.connections,
        regions: kontrol::config::Config::default().regions,
    };
    let seeded = seed::seed(&store, &plan).await?;
    let version = store.server_version().await?;
    store.close().await;
    let note = format!(
        "Seeded in {:.1} s: {} users ({} with a token), {} teams, {} memberships, {} runtime groups with \
         3 labels each, 2 × {} benchmark principals.",
        seeded.seconds,
        size,
        seeded.tokens,
        seeded.teams.len(),
        seeded.memberships,
        seeded.runtime_groups.len(),
        args.connections
    );
    eprintln!("   {note}");
    let admins = seeded.admins.clone();
    let members = seeded.team_members.clone();
    std::fs::create_dir_all(db.dir())?;
    let server = Server::start(binary, db.url(), &db.dir()).await?;
    eprintln!("   serving on {} (pid {})", server.addr, server.pid());
    if args.pause > 0.0 {
        eprintln!("   pausing {} s", args.pause);
        tokio::time::sleep(Duration::from_secs_f64(args.pause)).await;
    }
    let target = Arc::new(Target {
        addr: server.addr,
        data: Arc::new(seeded),
        counter: Arc::new(AtomicU64::new(0)),
    });
    let mut out = Vec::new();
    let result = async {
        for run in 1..=args.runs {
            let mut health_rps = f64::NAN;
            // Reads first, then writes, so that reads of both principals see the same data.
            let mut plan: Vec<(Op, &'static str)> = vec![(Op::Health, "none")];
            for read in [true, false] {
                for p in ["admin", "team"] {
                    if !args.principals.iter().any(|x| x == p) {
                        continue;
                    }
                    for op in ops.iter().filter(|o| **o != Op::Health && o.is_read() == read) {
                        plan.push((*op, p));
                    }
                }
            }
            for (op, who) in plan {
                let principals: &[BenchPrincipal] = if who == "team" { &members } else { &admins };
                let seed = (run as u64) << 16 | op as u64;
                if !warmup.is_zero() {
                    load::run(op, target.clone(), principals, warmup, seed ^ 0xffff).await?;
                }
                let reset = server.reset_peak_rss();
                let cpu0 = server.cpu_seconds().unwrap_or(f64::NAN);
                let sampler = rss_sampler(server.pid());
                let outcome = load::run(op, target.clone(), principals, duration, seed).await?;
                let cpu = server.cpu_seconds().unwrap_or(f64::NAN) - cpu0;
                let sampled = sampler.stop().await;
                let hwm = match server.rss_kib() {
                    Some((_, hwm)) if reset => hwm,
                    _ => 0,
                };
                let first_error = outcome.first_error.clone();
                let seconds = outcome.seconds;
                let mut m = measure(size, run, op, who, seconds, outcome, hwm.max(sampled), cpu);
                if op == Op::Health {
                    health_rps = m.rps;
                }
                m.ratio_to_health = m.rps / health_rps;
                eprintln!(
                    "   run {run} {:<22} {:<5} {:>8.0} req/s ×{:.2}  p50 {:>7.2} ms  p99 {:>7.2} ms  errors {}  rss {:.1} MiB",
                    op.key(),
                    who,
                    m.rps,
                    m.ratio_to_health,
                    m.p50_ms,
                    m.p99_ms,
                    m.errors,
                    m.peak_rss_mib
                );
                if let Some(e) = first_error {
                    eprintln!("     first error: {e}");
                }
                out.push(m);
            }
        }
        anyhow::Ok(())
    }
    .await;
    let log = server.log.clone();
    server.stop()?;
    if let Err(e) = result {
        return Err(e.context(format!("server log: {}", log.display())));
    }
    Ok((out, note, version))
}

/// Samples the server's resident memory every 50 ms until stopped; the maximum in KiB.
struct RssSampler {
    stop: tokio::sync::oneshot::Sender<()>,
    task: tokio::task::JoinHandle<u64>,
}

fn rss_sampler(pid: u32) -> RssSampler {
    let (stop, mut rx) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(async move {
        let mut max = 0;
        loop {
            if let Ok(s) = std::fs::read_to_string(format!("/proc/{pid}/status")) {
                if let Some(kib) = s
                    .lines()
                    .find(|l| l.starts_with("VmRSS:"))
                    .and_then(|l| l.split_whitespace().nth(1))
                    .and_then(|v| v.parse::<u64>().ok())
                {
                    max = max.max(kib);
                }
            }
            tokio::select! {
                _ = &mut rx => return max,
                _ = tokio::time::sleep(Duration::from_millis(50)) => {}
            }
        }
    });
    RssSampler { stop, task }
}

impl RssSampler {
    async fn stop(self) -> u64 {
        let _ = self.stop.send(());
        self.task.await.unwrap_or(0)
    }
}
