//! `binsight scan` of a container image built here from corpus binaries: a docker-archive with
//! two gzip layers, the upper one deleting a file of the lower one. Checks the paths, layers,
//! hashes and findings in the JSON, then validates the CycloneDX and SPDX written in the same
//! run with the official schemas and loads them into real consumers (scripts/validate-sbom.py,
//! run in the venv scripts/test.sh installs: BINSIGHT_SBOM_PYTHON).

use std::io::Write;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use sha2::{Digest, Sha256};

fn corpus_file(rel: &str) -> PathBuf {
    let p = binsight_corpus::corpus_dir().join(rel);
    assert!(p.is_file(), "{} missing: build the corpus (corpus/build)", p.display());
    p
}

fn hex(b: &[u8]) -> String {
    format!("{:x}", Sha256::digest(b))
}

/// A gzip layer holding `files` (image path → bytes); returns (blob, diff_id).
fn layer(files: &[(&str, Vec<u8>)]) -> (Vec<u8>, String) {
    let mut b = tar::Builder::new(Vec::new());
    for (p, data) in files {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o755);
        b.append_data(&mut h, p, data.as_slice()).expect("append");
    }
    let t = b.into_inner().expect("tar");
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    gz.write_all(&t).expect("gz");
    (gz.finish().expect("gz"), format!("sha256:{}", hex(&t)))
}

fn docker_archive(path: &Path, layers: &[(Vec<u8>, String)]) {
    let diff_ids: Vec<&String> = layers.iter().map(|l| &l.1).collect();
    let cfg = serde_json::to_vec(&serde_json::json!({
        "architecture": "amd64", "os": "linux", "config": {"Entrypoint": ["/app/vuln"]},
        "rootfs": {"type": "layers", "diff_ids": diff_ids}}))
    .expect("json");
    let cfg_name = format!("{}.json", hex(&cfg));
    let mut names = Vec::new();
    let mut b = tar::Builder::new(std::fs::File::create(path).expect("create"));
    let mut add = |name: &str, data: &[u8]| {
        let mut h = tar::Header::new_gnu();
        h.set_size(data.len() as u64);
        h.set_mode(0o644);
        b.append_data(&mut h, name, data).expect("append");
    };
    add(&cfg_name, &cfg);
    for (i, (blob, _)) in layers.iter().enumerate() {
        names.push(format!("{i}/layer.tar"));
        add(&names[i], blob);
    }
    let m = serde_json::json!([{"Config": cfg_name, "RepoTags": ["demo:1"], "Layers": names}]);
    add("manifest.json", &serde_json::to_vec(&m).expect("json"));
    b.finish().expect("finish");
}

#[test]
fn image_scan_reports_layers_and_writes_valid_sboms() {
    let iconv = std::fs::read(corpus_file("rust/1.85.0/x86_64-musl/iconv")).expect("read");
    let vuln = std::fs::read(corpus_file("vuln/rust-1.95.0/x86_64-musl/vuln-rust.auditable")).expect("read");
    let hello = std::fs::read(corpus_file("rust/1.95.0/x86_64-musl/hello")).expect("read");
    let lower = layer(&[
        ("usr/bin/iconv185", iconv.clone()),
        ("usr/bin/deleted", hello.clone()),
        ("etc/motd", b"hello\n".to_vec()),
    ]);
    let upper = layer(&[("usr/bin/.wh.deleted", vec![]), ("app/vuln", vuln.clone())]);
    let t = tempfile::tempdir().expect("tmp");
    let img = t.path().join("demo.tar");
    docker_archive(&img, &[lower.clone(), upper.clone()]);
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/crates.io");
    let (cdx, spdx) = (t.path().join("sbom.cdx.json"), t.path().join("sbom.spdx.json"));
    let out = Command::cargo_bin("binsight")
        .expect("binary")
        .env("BINSIGHT_DATA", t.path().join("data"))
        .args(["scan", "--audit", "--advisories"])
        .arg(&osv)
        .arg(format!("docker-archive:{}", img.display()))
        .args(["-o", "json"])
        .arg(format!("-o=cyclonedx-json={}", cdx.display()))
        .arg(format!("-o=spdx-json={}", spdx.display()))
        .assert()
        .success()
        .get_output()
        .stdout
        .clone();
    let lines: Vec<serde_json::Value> =
        String::from_utf8_lossy(&out).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    let image = &lines[0]["image"];
    assert_eq!(image["tags"][0], "demo:1");
    assert_eq!(image["entrypoint"][0], "/app/vuln");
    assert_eq!(image["layers"][1]["digest"], upper.1);
    let reports = &lines[1..];
    let got: Vec<(&str, &str, &str)> = reports
        .iter()
        .map(|r| {
            (r["path"].as_str().unwrap_or(""), r["layer"].as_str().unwrap_or(""), r["sha256"].as_str().unwrap_or(""))
        })
        .collect();
    // The whited-out file is gone; each file names the layer that brought it and its own hash.
    assert_eq!(
        got,
        [
            ("/app/vuln", upper.1.as_str(), hex(&vuln).as_str()),
            ("/usr/bin/iconv185", lower.1.as_str(), hex(&iconv).as_str())
        ]
    );
    let findings = |i: usize| -> Vec<String> {
        reports[i]["findings"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|f| f["id"].as_str().map(str::to_string))
            .collect()
    };
    assert!(findings(0).contains(&"RUSTSEC-2021-0003".to_string()), "{:?}", findings(0));
    assert_eq!(reports[1]["verdict"]["fix"][0], "rebuild with Rust >= 1.95");

    // The SBOMs of the same run: valid, and they carry what the JSON said.
    let py = std::env::var_os("BINSIGHT_SBOM_PYTHON").unwrap_or_else(|| {
        panic!("BINSIGHT_SBOM_PYTHON is not set: run scripts/test.sh, which installs the validators")
    });
    let script = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../scripts/validate-sbom.py");
    for (kind, file) in [("cyclonedx", &cdx), ("spdx", &spdx)] {
        let o = std::process::Command::new(&py).arg(&script).arg(kind).arg(file).output().expect("run validator");
        let text = format!("{}{}", String::from_utf8_lossy(&o.stdout), String::from_utf8_lossy(&o.stderr));
        assert!(o.status.success(), "{kind} rejected: {text}");
        eprintln!("{text}");
    }
    let c: serde_json::Value = serde_json::from_slice(&std::fs::read(&cdx).expect("read")).expect("json");
    let comps = c["components"].as_array().expect("components");
    assert!(comps.iter().any(|x| x["purl"] == "pkg:cargo/smallvec@1.6.0"), "vulnerable crate by purl");
    assert!(comps.iter().any(|x| x["cpe"].as_str().is_some_and(|s| s.starts_with("cpe:2.3:a:musl-libc:musl:1.2.3"))));
    let app = comps.iter().find(|x| x["name"] == "vuln").expect("the binary");
    assert_eq!(app["hashes"][0]["content"], hex(&vuln));
    let dep = c["dependencies"].as_array().into_iter().flatten().find(|d| d["ref"] == app["bom-ref"]).expect("edges");
    assert!(dep["dependsOn"].as_array().is_some_and(|d| d.iter().any(|x| x == "pkg:cargo/smallvec@1.6.0")));
    let s: serde_json::Value = serde_json::from_slice(&std::fs::read(&spdx).expect("read")).expect("json");
    let rels = s["relationships"].as_array().expect("relationships");
    assert!(rels.iter().filter(|r| r["relationshipType"] == "STATIC_LINK").count() >= 8);
    assert!(rels.iter().any(|r| r["relationshipType"] == "CONTAINS" && r["spdxElementId"] == "SPDXRef-Image"));
}
