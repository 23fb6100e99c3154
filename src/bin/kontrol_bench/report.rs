//! Figures: one `Measured` per (size, run, operation, principal); medians over runs; Markdown.

use std::collections::BTreeMap;
use std::fmt::Write;

use serde::Serialize;

use crate::load::{Op, Outcome};

#[derive(Debug, Clone, Serialize)]
pub struct Measured {
    pub size: usize,
    pub run: usize,
    pub op: &'static str,
    pub principal: &'static str,
    pub seconds: f64,
    pub ops: u64,
    pub errors: u64,
    pub rps: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    /// Peak resident memory of the server during this scenario (MiB).
    pub peak_rss_mib: f64,
    /// CPU time of the server process per operation (µs); excludes the database server.
    pub server_cpu_us_per_op: f64,
    /// This run's throughput divided by the same run's `GET /health` throughput.
    pub ratio_to_health: f64,
}

pub fn percentile(sorted: &[u32], p: f64) -> f64 {
    if sorted.is_empty() {
        return f64::NAN;
    }
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1] as f64 / 1000.0
}

#[allow(clippy::too_many_arguments)]
pub fn measure(
    size: usize,
    run: usize,
    op: Op,
    principal: &'static str,
    seconds: f64,
    mut o: Outcome,
    peak_rss_kib: u64,
    cpu_seconds: f64,
) -> Measured {
    o.latencies_us.sort_unstable();
    let l = &o.latencies_us;
    Measured {
        size,
        run,
        op: op.key(),
        principal,
        seconds,
        ops: o.ops,
        errors: o.errors,
        rps: o.ops as f64 / seconds,
        p50_ms: percentile(l, 50.0),
        p90_ms: percentile(l, 90.0),
        p99_ms: percentile(l, 99.0),
        max_ms: l.last().map_or(f64::NAN, |v| *v as f64 / 1000.0),
        peak_rss_mib: peak_rss_kib as f64 / 1024.0,
        server_cpu_us_per_op: if o.ops > 0 {
            cpu_seconds * 1e6 / o.ops as f64
        } else {
            f64::NAN
        },
        ratio_to_health: f64::NAN,
    }
}

pub fn median(mut v: Vec<f64>) -> f64 {
    v.retain(|x| !x.is_nan());
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_by(|a, b| a.total_cmp(b));
    let n = v.len();
    if n % 2 == 1 {
        v[n / 2]
    } else {
        (v[n / 2 - 1] + v[n / 2]) / 2.0
    }
}

/// Medians over runs of one (size, operation, principal).
#[derive(Debug, Clone, Serialize)]
pub struct Summary {
    pub size: usize,
    pub op: &'static str,
    pub title: &'static str,
    pub principal: &'static str,
    pub runs: usize,
    pub rps: f64,
    pub ratio_to_health: f64,
    pub p50_ms: f64,
    pub p90_ms: f64,
    pub p99_ms: f64,
    pub errors: u64,
    pub peak_rss_mib: f64,
    pub server_cpu_us_per_op: f64,
}

pub fn summarize(all: &[Measured]) -> Vec<Summary> {
    let mut groups: BTreeMap<(usize, usize, &'static str), Vec<&Measured>> = BTreeMap::new();
    for m in all {
        let order =
            Op::ALL.iter().position(|o| o.key() == m.op).unwrap_or(99) * 2 + usize::from(m.principal != "admin");
        groups.entry((m.size, order, m.principal)).or_default().push(m);
    }
    groups
        .into_values()
        .map(|ms| {
            let col = |f: fn(&Measured) -> f64| median(ms.iter().map(|m| f(m)).collect());
            let op = Op::ALL
                .iter()
                .find(|o| o.key() == ms[0].op)
                .copied()
                .unwrap_or(Op::Health);
            Summary {
                size: ms[0].size,
                op: ms[0].op,
                title: op.title(),
                principal: ms[0].principal,
                runs: ms.len(),
                rps: col(|m| m.rps),
                ratio_to_health: col(|m| m.ratio_to_health),
                p50_ms: col(|m| m.p50_ms),
                p90_ms: col(|m| m.p90_ms),
                p99_ms: col(|m| m.p99_ms),
                errors: ms.iter().map(|m| m.errors).sum(),
                peak_rss_mib: ms.iter().map(|m| m.peak_rss_mib).fold(0.0, f64::max),
                server_cpu_us_per_op: col(|m| m.server_cpu_us_per_op),
            }
        })
        .collect()
}

pub fn size_name(n: usize) -> String {
    if n >= 1_000_000 && n.is_multiple_of(1_000_000) {
        format!("{}M", n / 1_000_000)
    } else if n >= 1_000 && n.is_multiple_of(1_000) {
        format!("{}k", n / 1_000)
    } else {
        n.to_string()
    }
}

fn f(v: f64, digits: usize) -> String {
    if v.is_nan() {
        "–".into()
    } else {
        format!("{v:.digits$}")
    }
}

/// Per-size tables, then how each figure moves across sizes.
pub fn markdown(backend: &str, summaries: &[Summary], seeding: &[(usize, String)]) -> String {
    let mut out = String::new();
    let sizes: Vec<usize> = {
        let mut s: Vec<usize> = summaries.iter().map(|s| s.size).collect();
        s.dedup();
        s
    };
    for &size in &sizes {
        let _ = writeln!(out, "#### {backend}, {} users\n", size_name(size));
        if let Some((_, note)) = seeding.iter().find(|(s, _)| *s == size) {
            let _ = writeln!(out, "{note}\n");
        }
        let _ = writeln!(
            out,
            "| operation | principal | req/s | × /health | p50 ms | p90 ms | p99 ms | errors | server CPU µs/op | peak RSS MiB |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|---:|---:|---:|");
        for s in summaries.iter().filter(|s| s.size == size) {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} | {} | {} | {} | {} | {} | {} |",
                s.title,
                s.principal,
                f(s.rps, 0),
                f(s.ratio_to_health, 2),
                f(s.p50_ms, 2),
                f(s.p90_ms, 2),
                f(s.p99_ms, 2),
                s.errors,
                f(s.server_cpu_us_per_op, 0),
                f(s.peak_rss_mib, 1),
            );
        }
        out.push('\n');
    }
    if sizes.len() > 1 {
        let names: Vec<String> = sizes.iter().map(|s| size_name(*s)).collect();
        let _ = writeln!(
            out,
            "#### {backend}, from {} to {} users\n",
            names[0],
            names[names.len() - 1]
        );
        let _ = writeln!(
            out,
            "× /health and p99 ms at each size; *growth* is how much more an operation costs at the largest \
             size than at the smallest, relative to the same run's `/health` (1.00 = no growth).\n"
        );
        let _ = write!(out, "| operation | principal |");
        for n in &names {
            let _ = write!(out, " × /health {n} |");
        }
        for n in &names {
            let _ = write!(out, " p99 ms {n} |");
        }
        let _ = writeln!(out, " growth |");
        let _ = writeln!(out, "|---|---|{}---:|", "---:|".repeat(names.len() * 2));
        let first = sizes[0];
        let last = sizes[sizes.len() - 1];
        for s in summaries.iter().filter(|s| s.size == first && s.op != "health") {
            let row: Vec<&Summary> = sizes
                .iter()
                .filter_map(|&n| {
                    summaries
                        .iter()
                        .find(|x| x.size == n && x.op == s.op && x.principal == s.principal)
                })
                .collect();
            let _ = write!(out, "| {} | {} |", s.title, s.principal);
            for r in &row {
                let _ = write!(out, " {} |", f(r.ratio_to_health, 2));
            }
            for r in &row {
                let _ = write!(out, " {} |", f(r.p99_ms, 1));
            }
            let growth = row
                .iter()
                .find(|r| r.size == last)
                .map_or(f64::NAN, |l| s.ratio_to_health / l.ratio_to_health);
            let _ = writeln!(out, " {} |", f(growth, 2));
        }
        out.push('\n');
    }
    out
}
