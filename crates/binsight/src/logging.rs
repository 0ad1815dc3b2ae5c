//! `-v` / `--verbose`: debug logs on stderr, through `log` and env_logger.
//!
//! Off by default (stderr keeps only binsight's messages); `-v` turns on binsight's debug
//! records, `-vv` its trace records and the libraries' debug records. `BINSIGHT_LOG`, else
//! `RUST_LOG`, refines that with env_logger directives. Every record is passed through
//! [`binsight_report::sanitize`]: no control character from input data reaches the terminal.

use std::io::Write as _;
use std::time::Instant;

use log::LevelFilter;

/// Set up the logger for `-v` repeated `verbose` times; records show the time since `started`.
pub fn init(verbose: u8, started: Instant) {
    let mut b = env_logger::Builder::new();
    b.filter_level(LevelFilter::Off);
    match verbose {
        0 => {}
        1 => {
            b.filter_module("binsight", LevelFilter::Debug);
        }
        _ => {
            b.filter_level(LevelFilter::Debug).filter_module("binsight", LevelFilter::Trace);
        }
    }
    let refine =
        ["BINSIGHT_LOG", "RUST_LOG"].iter().find_map(|v| std::env::var(v).ok().filter(|s| !s.trim().is_empty()));
    if let Some(directives) = refine {
        b.parse_filters(&directives);
    }
    b.target(env_logger::Target::Stderr);
    b.format(move |buf, record| {
        writeln!(
            buf,
            "binsight: [{:8.3}s {:5} {}] {}",
            started.elapsed().as_secs_f64(),
            record.level(),
            record.target(),
            binsight_report::sanitize(&record.args().to_string())
        )
    });
    // Only fails if a logger is already set, which nothing else does.
    let _ = b.try_init();
}
