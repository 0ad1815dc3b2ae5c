//! binsight's crate findings against `cargo audit bin`, on the same binaries and the same data:
//! the crates.io OSV snapshot in ../shared/osv, written back into RustSec's database layout for
//! cargo-audit. `scripts/test.sh` installs the pinned cargo-audit and sets
//! `BINSIGHT_CARGO_AUDIT`; without it this test fails.
//!
//! Compared: (advisory id, crate, version) over vulnerabilities and informational warnings.
//! Left out, on purpose: binsight's musl and Rust std findings (cargo-audit does not look at
//! the libc or the standard library), and yanked-crate warnings (an online check).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use binsight_advisory::Database;
use binsight_corpus::{corpus_dir, load_manifest};

type Key = (String, String, String);

/// What cargo-audit says; `None` when it refuses the binary ("No dependency information found").
fn cargo_audit(tool: &Path, db: &Path, bin: &Path) -> Option<BTreeSet<Key>> {
    let out = Command::new(tool)
        .args(["audit", "--db"])
        .arg(db)
        .args(["--no-fetch", "--no-yanked", "--json", "bin"])
        .arg(bin)
        .output()
        .unwrap_or_else(|e| panic!("running {}: {e}", tool.display()));
    let stderr = String::from_utf8_lossy(&out.stderr);
    if out.stdout.is_empty() {
        assert!(
            stderr.contains("No dependency information found"),
            "cargo-audit failed on {}: {stderr}",
            bin.display()
        );
        return None;
    }
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("cargo-audit JSON: {e}"));
    let key = |x: &serde_json::Value| -> Option<Key> {
        Some((
            x["advisory"]["id"].as_str()?.to_string(),
            x["package"]["name"].as_str()?.to_string(),
            x["package"]["version"].as_str()?.to_string(),
        ))
    };
    let mut s: BTreeSet<Key> = v["vulnerabilities"]["list"].as_array().into_iter().flatten().filter_map(key).collect();
    for list in v["warnings"].as_object().into_iter().flat_map(|o| o.values()) {
        s.extend(list.as_array().into_iter().flatten().filter_map(key));
    }
    Some(s)
}

#[test]
fn crate_findings_agree_with_cargo_audit_bin() {
    let tool = PathBuf::from(std::env::var_os("BINSIGHT_CARGO_AUDIT").unwrap_or_else(|| {
        panic!("BINSIGHT_CARGO_AUDIT is not set: run scripts/test.sh, which installs the pinned cargo-audit")
    }));
    assert!(tool.is_file(), "{} is missing: run scripts/test.sh", tool.display());
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/crates.io");
    let rustsec = tempfile::tempdir().expect("tempdir");
    let written = binsight_corpus::rustsec::write_db(&osv, rustsec.path()).unwrap_or_else(|e| panic!("{e:#}"));
    assert!(written.advisories > 1000 && written.skipped.is_empty(), "{written:?}");
    let (db, _) = Database::load(&[&osv]);

    let dir = corpus_dir();
    let m = load_manifest(&dir).unwrap_or_else(|e| panic!("{e:#}"));
    let rust: Vec<_> =
        m.fixtures.iter().filter(|f| f.truth.get("toolchain").and_then(|t| t.as_str()) == Some("rustc")).collect();
    assert!(rust.len() >= 60, "only {} Rust fixtures: rebuild the corpus", rust.len());
    let (mut compared, mut with_findings, mut refused) = (0, 0, 0);
    let mut differences = Vec::new();
    for f in rust {
        let path = dir.join(&f.path);
        let data = std::fs::read(&path).expect("read fixture");
        let mut r = binsight_detect::analyze_file(&f.path, &data, &Default::default()).expect("analyse");
        binsight_advisory::audit(&mut r, &db);
        let mut ours: BTreeSet<Key> = r
            .findings
            .iter()
            .flatten()
            .filter(|x| r.components.iter().any(|c| c.kind.as_str() == "rust-crate" && c.name == x.component))
            .map(|x| (x.id.clone(), x.component.clone(), x.installed.clone()))
            .collect();
        ours.extend(vendored_library_findings(&r, &db));
        match cargo_audit(&tool, rustsec.path(), &path) {
            Some(theirs) => {
                compared += 1;
                with_findings += usize::from(!theirs.is_empty());
                if theirs != ours {
                    differences.push(format!(
                        "{}: only cargo-audit {:?}; only binsight {:?}",
                        f.id,
                        theirs.difference(&ours).collect::<Vec<_>>(),
                        ours.difference(&theirs).collect::<Vec<_>>()
                    ));
                }
            }
            // cargo-audit finds no crate list in small programs; binsight must not invent one.
            // Explained: cargo-audit's fallback reads only cargo's own `registry/src/` paths, so
            // a distro-built binary's crates (Debian's /usr/share/cargo/registry, vendored
            // trees) are binsight's alone; tests/distro.rs checks them against the package.
            None => {
                refused += 1;
                let crates: Vec<_> =
                    r.components.iter().filter(|c| c.kind.as_str() == "rust-crate" && !c.root).collect();
                let other_layouts = crates.iter().all(|c| matches!(c.source.as_deref(), Some("distro" | "vendored")));
                if !crates.is_empty() && other_layouts {
                    eprintln!("{}: {} crates from layouts cargo-audit does not read (explained)", f.id, crates.len());
                    continue;
                }
                let crates = crates.len();
                if crates != 0 || !ours.is_empty() {
                    differences.push(format!("{}: cargo-audit sees no crates, binsight {crates}", f.id));
                }
            }
        }
    }
    eprintln!("compared {compared} binaries ({with_findings} with findings), {refused} refused by cargo-audit");
    assert!(differences.is_empty(), "{}", differences.join("\n"));
    // Not vacuous: the vulnerable-crate fixtures and the real-world tools have findings.
    assert!(with_findings >= 8, "only {with_findings} binaries with findings");
}

/// cargo-audit files a vendored C library's advisories under the crate that vendors it
/// (`openssl-src`); binsight files them under the library (`openssl 1.1.1q`), under its own
/// record when it has one for the same CVE. As cargo-audit keys: each RustSec advisory of that
/// crate at its version that binsight reported on the library, by id or by a shared alias.
fn vendored_library_findings(r: &binsight_model::BinaryReport, db: &Database) -> Vec<Key> {
    let mut out = Vec::new();
    for c in r.components.iter().filter(|c| c.kind.as_str() == "c-library") {
        let via = c.bundle.as_ref().and_then(|b| b.via_purl.as_deref());
        let Some(krate) = via.and_then(|p| p.strip_prefix("pkg:cargo/")).and_then(|p| p.split('@').next()) else {
            continue;
        };
        let Some(version) = r
            .components
            .iter()
            .find(|x| x.kind.as_str() == "rust-crate" && x.name == krate)
            .and_then(|x| x.version.clone())
        else {
            continue;
        };
        for m in db.query("crates.io", krate, &version) {
            let a = m.advisory;
            let reported =
                r.findings.iter().flatten().any(|f| {
                    f.component == c.name && (f.id == a.id || f.aliases.iter().any(|x| a.aliases.contains(x)))
                });
            if reported {
                out.push((a.id.clone(), krate.to_string(), version.clone()));
            }
        }
    }
    out
}
