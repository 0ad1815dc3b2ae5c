//! The package database of an image and of a root filesystem: the docker-archive and rootfs the
//! corpus builds from Debian bookworm .debs with a dpkg database written from their control
//! fields (corpus/recipes/debian.py; `truth.json` beside them says which package installed each
//! ELF file and what its control fields list). The corpus must be built (scripts/test.sh).

use std::collections::BTreeSet;
use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn image_dir() -> PathBuf {
    let d = binsight_testkit::corpus::dir().join("debian/image");
    assert!(d.join("truth.json").is_file(), "{}: missing; build the corpus (corpus/build debian)", d.display());
    d
}

fn scan(source: &str) -> Vec<Value> {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv");
    let data = tempfile::tempdir().expect("tmp");
    let out = Command::cargo_bin("binsight")
        .expect("binary")
        .env("BINSIGHT_DATA", data.path())
        .args(["scan", "--audit", "--advisories"])
        .arg(&osv)
        .arg(source)
        .args(["-o", "json"])
        .assert()
        .get_output()
        .clone();
    assert!(out.status.code().is_some_and(|c| c == 0 || c == 4), "{}", String::from_utf8_lossy(&out.stderr));
    binsight_testkit::cli::json_lines(&out.stdout).into_iter().filter(|r| r.get("elf").is_some()).collect()
}

/// Debian's `rust-NAME` → the crate name as crates.io compares it (`-` and `_` alike), with
/// the semver suffix dropped when it is the version's major (`rust-clap-2` at 2.34.0).
fn debian_crate(pkg: &str, version: &str) -> (String, String) {
    let upstream = version.split_once(':').map_or(version, |(_, v)| v);
    let upstream = upstream.rsplit_once('-').map_or(upstream, |(u, _)| u);
    let upstream = upstream.split("+dfsg").next().unwrap_or(upstream).to_string();
    let name = pkg.trim_start_matches("rust-");
    let mut parts = upstream.split('.');
    let (major, minor) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let suffix = if major == "0" { format!("-0.{minor}") } else { format!("-{major}") };
    (name.strip_suffix(&suffix).unwrap_or(name).to_string(), upstream)
}

fn check(reports: &[Value], strip: &str) {
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(image_dir().join("truth.json")).expect("truth")).expect("json");
    let files = truth["files"].as_object().expect("files");
    assert_eq!(reports.len(), files.len(), "one report per ELF file");
    for r in reports {
        let path = r["path"].as_str().expect("path").strip_prefix(strip).expect("under the root").to_string();
        let pkg_name = files[&path].as_str().expect("owner");
        let t = &truth["packages"][pkg_name];
        // Attributed to the package that installed it, at its version.
        assert_eq!(r["package"]["name"], pkg_name, "{path}");
        assert_eq!(r["package"]["version"], t["version"], "{path}");
        assert_eq!(r["package"]["manager"], "dpkg", "{path}");
        // Every rust-* entry of X-Cargo-Built-Using is a crate of the report (100%).
        let crates: BTreeSet<(String, String)> = r["components"]
            .as_array()
            .expect("components")
            .iter()
            .filter(|c| c["kind"] == "rust-crate")
            .map(|c| {
                let n = c["name"].as_str().unwrap_or("").to_ascii_lowercase().replace('_', "-");
                (n, c["version"].as_str().unwrap_or("").to_string())
            })
            .collect();
        let want: Vec<(String, String)> = t["x_cargo_built_using"]
            .as_array()
            .expect("list")
            .iter()
            .filter_map(|e| Some(debian_crate(e["package"].as_str()?, e["version"].as_str()?)))
            .collect();
        for w in &want {
            assert!(crates.contains(w), "{path}: {w:?} of X-Cargo-Built-Using not listed");
        }
        // A static glibc named in Built-Using: its exact version.
        let glibc = t["built_using"].as_array().expect("list").iter().find(|e| e["package"] == "glibc");
        if let Some(g) = glibc {
            let v = g["version"].as_str().expect("v");
            assert_eq!(r["libc"]["version"], v.split('-').next().expect("upstream"), "{path}");
            assert_eq!(r["libc"]["version_confidence"], "exact", "{path}");
        }
        // A Go build without module lines is never complete.
        if r["toolchain"]["go"].is_object() {
            assert_ne!(r["components_completeness"], "complete", "{path}");
        }
        // A file to rebuild is fixed by its package's update first.
        if r["verdict"]["action"] == "rebuild" {
            let first = r["verdict"]["fix"][0].as_str().expect("fix");
            assert!(first.starts_with(&format!("update package {pkg_name} ")), "{path}: {first}");
        }
    }
}

#[test]
fn an_images_dpkg_database_attributes_its_binaries_and_their_built_using() {
    let img = image_dir().join("docker-archive.tar");
    let reports = scan(&format!("docker-archive:{}", img.display()));
    check(&reports, "");
    // The Rust programs' crates come to 100% of X-Cargo-Built-Using with the database (the
    // bytes alone show 41-77%), and some of them have advisories to match.
    assert!(reports.iter().any(|r| r["verdict"]["action"] == "rebuild"), "some package must be rebuilt");
}

#[test]
fn a_root_filesystems_dpkg_database_does_the_same() {
    let root = image_dir().join("rootfs");
    let reports = scan(&root.display().to_string());
    check(&reports, &root.display().to_string());
}
