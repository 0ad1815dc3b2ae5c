//! Dynamic binaries in an image get the C libraries of the shared libraries the loader would
//! load for them from the same image: the docker-archive the corpus builds from Debian bookworm
//! runtime .debs (libssl3, zlib1g, libsqlite3-0, libzstd1, liblzma5, their sonames symbolic
//! links as the .debs ship them, a dpkg database and `/etc/ld.so.conf`) and five programs linked
//! against them (corpus/recipes/bundled.py; `truth.json` beside it says which file each
//! `DT_NEEDED` entry resolves to, which package installed it, and the library version of that
//! package). The corpus must be built (scripts/test.sh).

use std::path::PathBuf;

use assert_cmd::Command;
use serde_json::Value;

fn image_dir() -> PathBuf {
    let d = binsight_testkit::corpus::dir().join("bundled/image");
    assert!(d.join("truth.json").is_file(), "{}: missing; build the corpus (corpus/build bundled)", d.display());
    d
}

fn scan(source: &std::path::Path) -> Vec<Value> {
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

#[test]
fn dynamic_binaries_get_the_versions_of_the_libraries_they_load() {
    let dir = image_dir();
    let truth: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("truth.json")).expect("truth")).expect("json");
    let reports = scan(&dir.join("docker-archive.tar"));
    let consumers = truth["consumers"].as_array().expect("consumers");
    assert!(consumers.len() >= 5);
    let mut checked = 0;
    for c in consumers {
        let path = c["path"].as_str().expect("path");
        let r = reports.iter().find(|r| r["path"] == path).unwrap_or_else(|| panic!("{path} not reported"));
        let comps = r["components"].as_array().expect("components");
        for load in c["loads"].as_array().expect("loads") {
            let lib = load["library"].as_str().expect("library");
            let found = comps
                .iter()
                .find(|x| x["kind"] == "c-library" && x["name"] == lib)
                .unwrap_or_else(|| panic!("{path}: {lib} (loaded from {}) not among its components", load["target"]));
            let b = &found["bundle"];
            assert_eq!(b["via"], "shared-library", "{path}: {lib}");
            assert_eq!(b["package"], load["package"], "{path}: {lib}");
            // Where the library's version is its own data: the version of the loaded file's
            // package; else no version (never another one).
            if !found["version"].is_null() {
                assert_eq!(found["version"], load["version"], "{path}: {lib}");
            }
            // One of the files this library's DT_NEEDED entries resolve to (symbolic links
            // followed to the real file).
            let targets: Vec<&Value> = c["loads"]
                .as_array()
                .expect("loads")
                .iter()
                .filter(|l| l["library"] == lib)
                .map(|l| &l["target"])
                .collect();
            assert!(targets.contains(&&b["loaded_from"]), "{path}: {lib} from {} not in {targets:?}", b["loaded_from"]);
            checked += 1;
        }
        // The program itself carries none of the code.
        assert!(
            comps.iter().all(|x| x["kind"] != "c-library" || x["bundle"]["via"] == "shared-library"),
            "{path}: a C library reported as compiled in"
        );
    }
    assert!(checked >= 5, "checked {checked} loaded libraries");
    // A vulnerable function the loaded library does not export is not linked for its users:
    // minizip's zipOpenNewFileInZip4_64 (CVE-2023-45853) is not in Debian's libz.so.1.
    let zlib_user = reports.iter().find(|r| r["path"] == "/usr/local/bin/bundled-neg-dynamic-zlib").expect("zlib user");
    let minizip = zlib_user["findings"]
        .as_array()
        .expect("findings")
        .iter()
        .find(|f| f["aliases"].as_array().is_some_and(|a| a.iter().any(|x| x == "CVE-2023-45853")))
        .expect("CVE-2023-45853 matched (zlib 1.2.13 < 1.3.1)");
    assert_eq!(minizip["applicability"], "not-linked", "{minizip}");
}
