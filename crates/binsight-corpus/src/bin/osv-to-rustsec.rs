//! `osv-to-rustsec OSV_DIR OUT_DIR`: write crates.io OSV records as a RustSec advisory
//! database, for running `cargo audit bin --db OUT_DIR --no-fetch` on binsight's data.

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [osv, out] = args.as_slice() else { anyhow::bail!("usage: osv-to-rustsec OSV_DIR OUT_DIR") };
    let w = binsight_corpus::rustsec::write_db(osv.as_ref(), out.as_ref())?;
    for (f, why) in &w.skipped {
        eprintln!("skipped {f}: {why}");
    }
    println!("{} advisories written to {out}, {} skipped", w.advisories, w.skipped.len());
    Ok(())
}
