//! What musl-version identification costs on top of `inspect` (a benchmark, not a test):
//!
//! ```text
//! cargo run --release -p binsight-corpus --bin bench-musl -- FILE [RUNS]
//! ```
//!
//! Reads FILE once, then times parse + analyze RUNS times (default 15) with the engine on and
//! off, interleaved, and prints the medians and the overhead.

use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};

fn main() -> Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args.first().context("usage: bench-musl FILE [RUNS]")?;
    let runs: usize = args.get(1).map(|r| r.parse()).transpose()?.unwrap_or(15);
    let data = std::fs::read(path).with_context(|| format!("reading {path}"))?;
    // The detectors alone: no hash, no Go function index.
    let mut on = binsight_detect::Options { hash: false, go_functions: false, ..Default::default() };
    let mut off = on;
    off.musl.enabled = false;
    on.musl.enabled = true;
    let time = |o: &binsight_detect::Options| -> Result<Duration> {
        let t = Instant::now();
        let r = binsight_detect::analyze_file(path, &data, o).map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
        std::hint::black_box(r);
        Ok(t.elapsed())
    };
    let (mut a, mut b) = (Vec::new(), Vec::new());
    for _ in 0..runs {
        a.push(time(&off)?);
        b.push(time(&on)?);
    }
    a.sort();
    b.sort();
    let (ma, mb) = (a[runs / 2], b[runs / 2]);
    println!(
        "{path}: {:.1} MB; inspect without musl version {:.1} ms, with {:.1} ms (median of {runs}): +{:.1}%",
        data.len() as f64 / 1e6,
        ma.as_secs_f64() * 1e3,
        mb.as_secs_f64() * 1e3,
        100.0 * (mb.as_secs_f64() / ma.as_secs_f64() - 1.0)
    );
    Ok(())
}
