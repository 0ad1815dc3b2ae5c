//! `binsight scan` of a container image built here from corpus binaries: a docker-archive with
//! two gzip layers, the upper one deleting a file of the lower one. Checks the paths, layers,
//! hashes and findings in the JSON, then validates the CycloneDX and SPDX written in the same
//! run with the official schemas and loads them into real consumers (scripts/validate-sbom.py,
//! run in the venv scripts/test.sh installs: BINSIGHT_SBOM_PYTHON).

use std::path::{Path, PathBuf};

use assert_cmd::Command;
use binsight_testkit::corpus::file as corpus_file;
use binsight_testkit::image::{files_tar, gzip_layer, layer_tar, sha256_hex as hex, Entry, Layer};
use binsight_testkit::peers::{skopeo_push, start_registry, tool};

/// A gzip layer holding `files`; returns (blob, diff_id).
fn layer(files: &[(&str, Vec<u8>)]) -> Layer {
    gzip_layer(&files_tar(files))
}

/// (path, layer, sha256) of each report line.
fn path_layer_sha(reports: &[serde_json::Value]) -> Vec<(&str, &str, &str)> {
    fn s<'a>(r: &'a serde_json::Value, k: &str) -> &'a str {
        r[k].as_str().unwrap_or("")
    }
    reports.iter().map(|r| (s(r, "path"), s(r, "layer"), s(r, "sha256"))).collect()
}

/// A docker-archive tagged `demo:1` whose entrypoint is /app/vuln.
fn docker_archive(path: &Path, layers: &[Layer]) {
    binsight_testkit::image::docker_archive(path, layers, serde_json::json!({"Entrypoint": ["/app/vuln"]}), "demo:1")
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
    let got = path_layer_sha(reports);
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
    use binsight_testkit::validate::{check, Kind};
    for (kind, file) in [(Kind::CycloneDx, &cdx), (Kind::Spdx, &spdx)] {
        match check(kind, file) {
            Ok(text) => eprintln!("{text}"),
            Err(text) => panic!("{kind:?} rejected: {text}"),
        }
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

// ---------------------------------------------------------------------------------------------
// registry: a real registry on loopback (Debian's docker-registry, htpasswd auth), filled
// with skopeo from docker-archives built here.

/// The manifest as the registry serves it, read by skopeo (not by the tool under test).
fn skopeo_manifest(reference: &str, creds: &str) -> Vec<u8> {
    let skopeo = tool("BINSIGHT_SKOPEO", "/usr/bin/skopeo", "skopeo");
    let o = std::process::Command::new(skopeo)
        .args(["inspect", "--raw", "--tls-verify=false", "--creds", creds])
        .arg(format!("docker://{reference}"))
        .output()
        .expect("run skopeo");
    assert!(o.status.success(), "skopeo inspect {reference}: {}", String::from_utf8_lossy(&o.stderr));
    o.stdout
}

fn scan_json(args: &[String], docker_config: &Path) -> (Vec<serde_json::Value>, String, i32) {
    let o = Command::cargo_bin("binsight")
        .expect("binary")
        .env("DOCKER_CONFIG", docker_config)
        .env_remove("REGISTRY_AUTH_FILE")
        .env_remove("XDG_RUNTIME_DIR")
        .args(["scan", "-q", "-o", "json"])
        .args(args)
        .output()
        .expect("run binsight");
    let lines =
        String::from_utf8_lossy(&o.stdout).lines().map(|l| serde_json::from_str(l).expect("JSON line")).collect();
    (lines, String::from_utf8_lossy(&o.stderr).into_owned(), o.status.code().unwrap_or(-1))
}

#[test]
fn registry_pull_over_the_distribution_api() {
    let iconv = std::fs::read(corpus_file("rust/1.85.0/x86_64-musl/iconv")).expect("read");
    let hello = std::fs::read(corpus_file("rust/1.95.0/x86_64-musl/hello")).expect("read");
    let t = tempfile::tempdir().expect("tmp");
    let (user, password) = ("binsight", "correct horse battery staple");
    let reg = start_registry(t.path(), user, password);
    let creds = format!("{user}:{password}");

    // Image 1: two gzip layers; the lower one has a hard link, the upper one deletes the
    // link's target name, so the binary stays visible under the link only.
    let lower = gzip_layer(&layer_tar(&[
        Entry::File("usr/bin/iconv185", iconv.clone()),
        Entry::File("usr/bin/hello", hello.clone()),
        Entry::Link("usr/local/bin/iconv-link", "usr/bin/iconv185"),
    ]));
    let upper = layer(&[("usr/bin/.wh.iconv185", vec![]), ("etc/motd", b"hi\n".to_vec())]);
    let gz_img = t.path().join("gz.tar");
    docker_archive(&gz_img, &[lower.clone(), upper.clone()]);
    skopeo_push(&gz_img, &format!("{}/bin/demo:gzip", reg.addr), &creds, &[]);

    // Image 2: a plain layer, pushed as OCI with zstd compression.
    let plain = files_tar(&[("opt/hello", hello.clone())]);
    let zst_img = t.path().join("plain.tar");
    let plain_layer = (plain.clone(), format!("sha256:{}", hex(&plain)));
    docker_archive(&zst_img, &[plain_layer]);
    skopeo_push(
        &zst_img,
        &format!("{}/bin/demo:zstd", reg.addr),
        &creds,
        &["--format", "oci", "--dest-compress-format", "zstd"],
    );

    // Credentials the way `docker login` stores them.
    let dc = t.path().join("docker");
    std::fs::create_dir_all(&dc).expect("mkdir");
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(&creds);
    std::fs::write(dc.join("config.json"), format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.addr))
        .expect("config");

    let (lines, err, code) = scan_json(&[format!("registry:{}/bin/demo:gzip", reg.addr)], &dc);
    assert_eq!(code, 0, "{err}");
    let image = &lines[0]["image"];
    assert_eq!(image["kind"], "registry");
    assert_eq!(image["entrypoint"][0], "/app/vuln");
    // skopeo recompresses on push: the layer digests are the registry's, as skopeo reads them.
    let raw = skopeo_manifest(&format!("{}/bin/demo:gzip", reg.addr), &creds);
    assert_eq!(image["manifest_digest"], format!("sha256:{}", hex(&raw)));
    let m: serde_json::Value = serde_json::from_slice(&raw).expect("manifest");
    let blob_digests: Vec<String> = m["layers"]
        .as_array()
        .expect("layers")
        .iter()
        .filter_map(|l| l["digest"].as_str().map(str::to_string))
        .collect();
    assert_eq!(blob_digests.len(), 2);
    let layer_digests: Vec<&str> =
        image["layers"].as_array().expect("layers").iter().filter_map(|l| l["digest"].as_str()).collect();
    assert_eq!(layer_digests, blob_digests);
    let got = path_layer_sha(&lines[1..]);
    assert_eq!(
        got,
        [
            ("/usr/bin/hello", blob_digests[0].as_str(), hex(&hello).as_str()),
            ("/usr/local/bin/iconv-link", blob_digests[0].as_str(), hex(&iconv).as_str()),
        ]
    );
    let manifest = image["manifest_digest"].as_str().expect("manifest digest").to_string();

    // The same image by digest.
    let (lines, err, code) = scan_json(&[format!("registry:{}/bin/demo@{manifest}", reg.addr)], &dc);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines.len(), 3, "{lines:?}");

    // zstd layers, OCI manifest.
    let (lines, err, code) = scan_json(&[format!("registry:{}/bin/demo:zstd", reg.addr)], &dc);
    assert_eq!(code, 0, "{err}");
    assert_eq!(lines[0]["image"]["layers"][0]["compression"], "zstd", "{}", lines[0]);
    assert_eq!(lines[1]["path"], "/opt/hello");
    assert_eq!(lines[1]["sha256"], hex(&hello));

    // Without credentials, with wrong ones, and a tag that is not there: one clear error each,
    // and exit 3 (the source could not be opened).
    let empty = t.path().join("no-docker-config");
    let (_, err, code) = scan_json(&[format!("registry:{}/bin/demo:gzip", reg.addr)], &empty);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("no credentials") && err.contains("docker login"), "{err}");
    let bad = t.path().join("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    let wrong = base64::engine::general_purpose::STANDARD.encode(format!("{user}:wrong"));
    std::fs::write(bad.join("config.json"), format!(r#"{{"auths":{{"{}":{{"auth":"{wrong}"}}}}}}"#, reg.addr))
        .expect("config");
    let (_, err, code) = scan_json(&[format!("registry:{}/bin/demo:gzip", reg.addr)], &bad);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("HTTP 401") && err.contains("config.json"), "{err}");
    let (_, err, code) = scan_json(&[format!("registry:{}/bin/demo:missing", reg.addr)], &dc);
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("not found (HTTP 404)"), "{err}");
}
