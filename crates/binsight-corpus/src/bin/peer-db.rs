//! `peer-db KIND OSV_DIR OUT_DIR`: write the OSV records binsight reads in a peer's own database
//! layout, so the peer and binsight match against the same data (the agreement tests and
//! `scripts/bench/run.sh`):
//! - `rustsec OSV/crates.io OUT`: a RustSec advisory database (`cargo audit bin --db OUT --no-fetch`);
//! - `govulncheck OSV/Go OUT`: a Go vulnerability database (`govulncheck -db file://OUT`);
//! - `osv-scanner OSV OUT`: osv-scanner's offline database of crates.io and Go
//!   (`OSV_SCANNER_LOCAL_DB_CACHE_DIRECTORY=OUT osv-scanner scan source --offline`).

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [kind, osv, out] = args.as_slice() else {
        anyhow::bail!("usage: peer-db rustsec|govulncheck|osv-scanner OSV_DIR OUT_DIR")
    };
    let (osv, out) = (std::path::Path::new(osv), std::path::Path::new(out));
    match kind.as_str() {
        "rustsec" => {
            let w = binsight_corpus::rustsec::write_db(osv, out)?;
            for (f, why) in &w.skipped {
                eprintln!("skipped {f}: {why}");
            }
            println!("{} advisories written to {}, {} skipped", w.advisories, out.display(), w.skipped.len());
        }
        "govulncheck" => {
            let w = binsight_corpus::govulndb::write_db(osv, out)?;
            println!("{} records of {} modules written to {}", w.entries, w.modules, out.display());
        }
        "osv-scanner" => {
            let n = binsight_corpus::osvscanner::write_db(osv, &["crates.io", "Go"], out)?;
            println!("{n} records written to {}", out.display());
        }
        _ => anyhow::bail!("unknown KIND {kind:?}: rustsec, govulncheck or osv-scanner"),
    }
    Ok(())
}
