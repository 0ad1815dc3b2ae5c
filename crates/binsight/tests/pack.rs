//! `binsight pack` end to end with real peers: images written as OCI layouts and docker
//! archives are byte-for-byte reproducible; a multi-arch image built with `--cargo` is pushed to
//! a real registry (Debian's docker-registry), read back by skopeo, unpacked by umoci, and its
//! binaries run (x86_64 in a chroot of the unpacked root, aarch64 under qemu-aarch64-static) and
//! answer HTTP; `binsight scan` of the image finds the components its SBOM lists; the OpenVEX
//! attestation beside the SBOM is the document `binsight scan --audit` writes for the image, in
//! the layout trivy's `--vex oci` discovers; bad inputs and a push cut off halfway fail clearly
//! and leave nothing that looks complete.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;

use assert_cmd::Command;

use binsight_testkit::corpus::file as corpus_file;
use binsight_testkit::peers::{start_registry, tool};

/// Where no advisory data was imported: pack audits with the compiled-in snapshot and
/// binsight's own advisories only, whatever `db update` put on this machine.
const NO_DATA: &str = "/nonexistent/binsight-pack-test-data";

fn binsight() -> Command {
    let mut c = Command::cargo_bin("binsight").expect("binary");
    c.env_remove("SOURCE_DATE_EPOCH").env_remove("REGISTRY_AUTH_FILE").env_remove("XDG_RUNTIME_DIR");
    c.env("BINSIGHT_DATA", NO_DATA);
    c
}

/// (stdout, stderr, exit code)
fn run(c: &mut Command) -> (String, String, i32) {
    let o = c.output().expect("run binsight");
    (
        String::from_utf8_lossy(&o.stdout).into_owned(),
        String::from_utf8_lossy(&o.stderr).into_owned(),
        o.status.code().unwrap_or(-1),
    )
}

/// The digest `pack` printed for the whole image (stdout: `REF@DIGEST` per tag).
fn root_digest(stdout: &str) -> String {
    stdout.lines().last().and_then(|l| l.rsplit_once('@')).map(|(_, d)| d.to_string()).unwrap_or_default()
}

/// The first certificate of the host's CA bundle, as a PEM file of its own.
fn one_ca_cert() -> Vec<u8> {
    let all = std::fs::read_to_string("/etc/ssl/certs/ca-certificates.crt").expect("host CA bundle (ca-certificates)");
    let end = "-----END CERTIFICATE-----";
    let i = all.find(end).expect("a certificate") + end.len();
    let start = all.find("-----BEGIN CERTIFICATE-----").expect("a certificate");
    format!("{}\n", &all[start..i]).into_bytes()
}

fn purls_of_sbom(layout: &Path) -> Vec<String> {
    let idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index")).expect("json");
    let art = idx["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .find(|d| d["artifactType"] == "application/vnd.cyclonedx+json")
        .expect("SBOM artifact in the layout");
    let blob =
        |d: &str| std::fs::read(layout.join("blobs/sha256").join(d.trim_start_matches("sha256:"))).expect("blob");
    let m: serde_json::Value = serde_json::from_slice(&blob(art["digest"].as_str().unwrap_or(""))).expect("json");
    assert_eq!(m["subject"]["digest"], idx["manifests"][0]["digest"], "the SBOM names the image");
    let sbom: serde_json::Value =
        serde_json::from_slice(&blob(m["layers"][0]["digest"].as_str().unwrap_or(""))).expect("json");
    assert_eq!(sbom["bomFormat"], "CycloneDX");
    let mut v: Vec<String> = sbom["components"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|c| c["purl"].as_str().map(str::to_string))
        .collect();
    v.sort();
    v
}

#[test]
fn pack_is_reproducible_scannable_and_refuses_bad_binaries() {
    let hello = corpus_file("rust/1.95.0/x86_64-musl/hello");
    let t = tempfile::tempdir().expect("tmp");
    let pack = |dir: &str, epoch: &str, extra: &[&str]| {
        let mut c = binsight();
        c.env("SOURCE_DATE_EPOCH", epoch)
            .arg("pack")
            .arg(&hello)
            .args(["--tag", "demo/hello:1", "--oci-layout"])
            .arg(t.path().join(dir))
            .args(extra);
        let (out, err, code) = run(&mut c);
        assert_eq!(code, 0, "{err}");
        out
    };
    let a = pack("a", "1700000000", &["--tarball", t.path().join("a.tar").to_str().unwrap_or("")]);
    let b = pack("b", "1700000000", &["--tarball", t.path().join("b.tar").to_str().unwrap_or("")]);
    let c = pack("c", "1700000001", &[]);
    assert_eq!(root_digest(&a), root_digest(&b), "same inputs, same digest");
    assert!(root_digest(&a).starts_with("sha256:"));
    assert_ne!(root_digest(&a), root_digest(&c), "the epoch is in the image");
    assert_eq!(std::fs::read(t.path().join("a.tar")).ok(), std::fs::read(t.path().join("b.tar")).ok());
    eprintln!("reproducible: {} twice; {} with another SOURCE_DATE_EPOCH", root_digest(&a), root_digest(&c));

    // binsight's scan of the image finds what the attached SBOM lists.
    let sbom = purls_of_sbom(&t.path().join("a"));
    assert!(sbom.iter().any(|p| p.starts_with("pkg:generic/musl@")), "{sbom:?}");
    for src in [
        format!("oci-dir:{}", t.path().join("a").display()),
        format!("docker-archive:{}", t.path().join("a.tar").display()),
    ] {
        let (out, err, code) = run(binsight().args(["scan", "-q", "-o", "json", &src]));
        assert_eq!(code, 0, "{err}");
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines[0]["image"]["entrypoint"][0], "/app/hello");
        assert_eq!(lines[1]["path"], "/app/hello");
        let mut found: Vec<String> = lines[1]["components"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|c| c["purl"].as_str().map(str::to_string))
            .collect();
        found.sort();
        assert_eq!(found, sbom, "{src}");
    }

    // Optional base files: a given CA bundle, the host's /etc/services and zoneinfo.
    let ca = t.path().join("ca.pem");
    std::fs::write(&ca, one_ca_cert()).expect("write");
    pack("extras", "0", &["--ca-certs", ca.to_str().unwrap_or(""), "--services", "--tzdata"]);
    let lay = t.path().join("extras");
    let idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(lay.join("index.json")).expect("index")).expect("json");
    let blob = |d: &str| std::fs::read(lay.join("blobs/sha256").join(d.trim_start_matches("sha256:"))).expect("blob");
    let m: serde_json::Value =
        serde_json::from_slice(&blob(idx["manifests"][0]["digest"].as_str().unwrap_or(""))).expect("m");
    let base = blob(m["layers"][0]["digest"].as_str().unwrap_or(""));
    let mut files = std::collections::BTreeMap::new();
    for e in tar::Archive::new(flate2::read::GzDecoder::new(base.as_slice())).entries().expect("tar") {
        let mut e = e.expect("entry");
        let mut data = Vec::new();
        e.read_to_end(&mut data).expect("read");
        files.insert(e.path().expect("path").display().to_string(), (e.header().entry_type(), data));
    }
    assert_eq!(files["etc/ssl/certs/ca-certificates.crt"].1, std::fs::read(&ca).expect("ca"));
    assert_eq!(files["etc/services"].1, std::fs::read("/etc/services").expect("host /etc/services (netbase)"));
    let utc = &files["usr/share/zoneinfo/UTC"];
    assert!(utc.0.is_symlink() || utc.1 == std::fs::read("/usr/share/zoneinfo/UTC").expect("host tzdata"));
    assert_eq!(files["tmp/"].0, tar::EntryType::Directory);

    // Refused, each with the reason.
    let lay = t.path().join("refused");
    let layout = lay.to_str().unwrap_or("");
    let dynamic = corpus_file("rust/1.95.0/x86_64-gnu/hello");
    // An input that cannot be packed as it is: exit 3.
    let (_, err, code) = run(binsight().arg("pack").arg(&dynamic).args(["--tag", "x:1", "--oci-layout", layout]));
    assert_eq!(code, 3);
    assert!(err.contains("dynamically linked") && err.contains("--allow-dynamic"), "{err}");
    let (_, err, code) = run(binsight().args(["pack", "/etc/hostname", "--tag", "x:1", "--oci-layout", layout]));
    assert_eq!(code, 3);
    assert!(err.contains("not an ELF file"), "{err}");
    let (_, err, code) = run(binsight().args(["pack", "/nonexistent/app", "--tag", "x:1", "--oci-layout", layout]));
    assert_eq!(code, 3);
    assert!(err.contains("/nonexistent/app"), "{err}");
    let (_, err, code) = run(binsight().arg("pack").arg(&hello).args([
        "--tag",
        "x:1",
        "--platform",
        "linux/arm64",
        "--oci-layout",
        layout,
    ]));
    assert_eq!(code, 3);
    assert!(err.contains("not linux/arm64"), "{err}");
    assert!(!lay.exists(), "nothing written for refused input");
    // A layout that cannot be written leaves no partial directory behind: a run-time failure.
    std::fs::write(t.path().join("file"), b"x").expect("write");
    let (_, err, code) =
        run(binsight().arg("pack").arg(&hello).args(["--tag", "x:1", "--oci-layout"]).arg(t.path().join("file/sub")));
    assert_eq!(code, 1, "{err}");
    let left: Vec<String> = std::fs::read_dir(t.path())
        .expect("ls")
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.contains("partial"))
        .collect();
    assert!(left.is_empty(), "{left:?}");
}

/// Start a server binary, send one GET, return the body; the server is killed afterwards.
fn http_get_from(mut cmd: std::process::Command, port: u16) -> String {
    let mut child = cmd.stdout(Stdio::piped()).stderr(Stdio::piped()).spawn().expect("start server");
    let mut line = String::new();
    let mut out = BufReader::new(child.stdout.take().expect("stdout"));
    let _ = out.read_line(&mut line);
    let mut body = String::new();
    if line.contains("listening") {
        if let Ok(mut s) = std::net::TcpStream::connect(("127.0.0.1", port)) {
            let _ = s.write_all(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n");
            let _ = s.read_to_string(&mut body);
        }
    }
    let _ = child.kill();
    let mut err = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut err);
    }
    let _ = child.wait();
    assert!(body.contains("200 OK"), "no HTTP answer (first line {line:?}, stderr {err:?})");
    body.lines().last().unwrap_or("").to_string()
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port()
}

/// `skopeo copy` one platform of the image to an OCI layout and `umoci unpack` it; the rootfs.
fn unpack(reference: &str, creds: &str, arch: &str, dir: &Path) -> PathBuf {
    let skopeo = tool("BINSIGHT_SKOPEO", "/usr/bin/skopeo", "skopeo");
    let umoci = tool("BINSIGHT_UMOCI", "/usr/bin/umoci", "umoci");
    let oci = dir.join(format!("oci-{arch}"));
    let o = std::process::Command::new(skopeo)
        .args(["copy", "--quiet", "--src-tls-verify=false", "--src-creds", creds, "--override-arch", arch])
        .arg(format!("docker://{reference}"))
        .arg(format!("oci:{}:img", oci.display()))
        .output()
        .expect("skopeo");
    assert!(o.status.success(), "skopeo copy {arch}: {}", String::from_utf8_lossy(&o.stderr));
    let bundle = dir.join(format!("bundle-{arch}"));
    let o = std::process::Command::new(umoci)
        .args(["unpack", "--rootless", "--image"])
        .arg(format!("{}:img", oci.display()))
        .arg(&bundle)
        .output()
        .expect("umoci");
    assert!(o.status.success(), "umoci unpack {arch}: {}", String::from_utf8_lossy(&o.stderr));
    bundle.join("rootfs")
}

#[test]
fn pack_cargo_multiarch_push_unpack_and_run() {
    let t = tempfile::tempdir().expect("tmp");
    let (user, password) = ("packer", "pack-secret");
    let creds = format!("{user}:{password}");
    let reg = start_registry(t.path(), user, password);
    let dc = t.path().join("docker");
    std::fs::create_dir_all(&dc).expect("mkdir");
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(&creds);
    std::fs::write(dc.join("config.json"), format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.addr))
        .expect("config");
    let fixture = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/tiny-http");
    // Built fixtures live in the cache beside the corpus, so CI reruns are quick.
    let target_dir = binsight_corpus::corpus_dir().with_file_name("pack-fixture-target");
    let reference = format!("{}/demo/tiny-http:1", reg.addr);
    let layout = t.path().join("layout");
    let (out, err, code) = run(binsight()
        .current_dir(&fixture)
        .env("DOCKER_CONFIG", &dc)
        .env("CARGO_TARGET_DIR", &target_dir)
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["pack", "--cargo", "--target", "x86_64-unknown-linux-musl,aarch64-unknown-linux-musl", "--push"])
        .args(["--tag", &reference, "--oci-layout"])
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    eprintln!("{out}{err}");
    let digest = root_digest(&out);
    // stdout is REF@DIGEST, as ko prints it; the details went to stderr.
    assert_eq!(out, format!("{reference}@{digest}\n"));
    assert!(digest.starts_with("sha256:") && err.contains("linux/arm64: manifest"), "{err}");

    // skopeo reads the index the registry now serves: two platforms, the digest pack printed.
    let skopeo = tool("BINSIGHT_SKOPEO", "/usr/bin/skopeo", "skopeo");
    let o = std::process::Command::new(&skopeo)
        .args(["inspect", "--raw", "--tls-verify=false", "--creds", &creds])
        .arg(format!("docker://{reference}"))
        .output()
        .expect("skopeo");
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    assert_eq!(digest, format!("sha256:{:x}", <sha2::Sha256 as sha2::Digest>::digest(&o.stdout)));
    let idx: serde_json::Value = serde_json::from_slice(&o.stdout).expect("index");
    let archs: Vec<&str> = idx["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .filter_map(|m| m["platform"]["architecture"].as_str())
        .collect();
    assert_eq!(archs, ["amd64", "arm64"]);

    // Unpacked by umoci, each binary runs and answers HTTP, on its own architecture.
    let root = unpack(&reference, &creds, "amd64", t.path());
    for f in ["etc/passwd", "etc/group", "etc/ssl/certs/ca-certificates.crt"] {
        assert!(root.join(f).is_file(), "{f} in the image");
    }
    let port = free_port();
    let mut chroot = std::process::Command::new("chroot");
    chroot.arg(&root).arg("/app/tiny-http").arg(format!("127.0.0.1:{port}"));
    assert_eq!(http_get_from(chroot, port), "hello from tiny-http on x86_64");
    let root = unpack(&reference, &creds, "arm64", t.path());
    let qemu = tool("BINSIGHT_QEMU_AARCH64", "/usr/bin/qemu-aarch64-static", "qemu-user-static");
    let port = free_port();
    let mut q = std::process::Command::new(qemu);
    q.arg(root.join("app/tiny-http")).arg(format!("127.0.0.1:{port}"));
    assert_eq!(http_get_from(q, port), "hello from tiny-http on aarch64");

    // binsight reads the pushed image back, per platform.
    for (platform, machine) in [("linux/amd64", "x86_64"), ("linux/arm64", "aarch64")] {
        let (out, err, code) = run(binsight()
            .env("DOCKER_CONFIG", &dc)
            .args(["scan", "-q", "-o", "json", "--platform", platform])
            .arg(format!("registry:{reference}")));
        assert_eq!(code, 0, "{err}");
        let lines: Vec<serde_json::Value> = out.lines().map(|l| serde_json::from_str(l).expect("json")).collect();
        assert_eq!(lines[0]["image"]["platform"], platform);
        assert_eq!(lines[1]["elf"]["machine"], machine);
        assert_eq!(lines[1]["libc"]["family"], "musl");
    }

    // Bad credentials, and a registry that is not there: clear errors.
    let bad = t.path().join("bad");
    std::fs::create_dir_all(&bad).expect("mkdir");
    let wrong = base64::engine::general_purpose::STANDARD.encode(format!("{user}:nope"));
    std::fs::write(bad.join("config.json"), format!(r#"{{"auths":{{"{}":{{"auth":"{wrong}"}}}}}}"#, reg.addr))
        .expect("config");
    let hello = corpus_file("rust/1.95.0/x86_64-musl/hello");
    let (_, err, code) = run(binsight().env("DOCKER_CONFIG", &bad).arg("pack").arg(&hello).args([
        "--push",
        "--tag",
        &format!("{}/demo/other:1", reg.addr),
    ]));
    assert_eq!(code, 1, "a refused push is a run-time failure");
    assert!(err.contains("HTTP 401"), "{err}");
    let closed = free_port();
    let (_, err, code) = run(binsight().env("DOCKER_CONFIG", &dc).arg("pack").arg(&hello).args([
        "--push",
        "--tag",
        &format!("127.0.0.1:{closed}/demo/x:1"),
    ]));
    assert_eq!(code, 1);
    assert!(err.contains(&format!("127.0.0.1:{closed}")) && err.to_lowercase().contains("connect"), "{err}");
}

/// A registry that accepts the first blob upload and hangs up in the middle of the second.
fn flaky_registry() -> (String, std::sync::Arc<std::sync::Mutex<Vec<String>>>) {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    let log = std::sync::Arc::new(std::sync::Mutex::new(Vec::new()));
    let seen = log.clone();
    std::thread::spawn(move || {
        let mut puts = 0;
        for conn in l.incoming().flatten() {
            let mut r = BufReader::new(conn.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let mut len = 0usize;
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some(v) = h.to_ascii_lowercase().strip_prefix("content-length:") {
                    len = v.trim().parse().unwrap_or(0);
                }
            }
            seen.lock().map(|mut s| s.push(line.trim().to_string())).ok();
            let mut w = conn;
            let method = line.split(' ').next().unwrap_or("");
            let reply = match method {
                "HEAD" => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                "POST" => "HTTP/1.1 202 Accepted\r\nLocation: /v2/demo/x/blobs/uploads/u1\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
                "PUT" => {
                    puts += 1;
                    if puts == 2 {
                        // Read half the body, then drop the connection.
                        let mut half = vec![0u8; len / 2];
                        let _ = r.read_exact(&mut half);
                        continue;
                    }
                    let mut body = vec![0u8; len];
                    let _ = r.read_exact(&mut body);
                    "HTTP/1.1 201 Created\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string()
                }
                _ => "HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_string(),
            };
            let _ = w.write_all(reply.as_bytes());
        }
    });
    (addr, log)
}

#[test]
fn a_push_cut_off_halfway_fails_and_never_tags() {
    let (addr, log) = flaky_registry();
    let hello = corpus_file("rust/1.95.0/x86_64-musl/hello");
    let t = tempfile::tempdir().expect("tmp");
    let (_, err, code) = run(binsight().env("DOCKER_CONFIG", t.path()).arg("pack").arg(&hello).args([
        "--push",
        "--tag",
        &format!("{addr}/demo/x:1"),
    ]));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains("uploading blob"), "{err}");
    let log = log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(!log.iter().any(|l| l.contains("/manifests/")), "no manifest, no tag after a failed upload: {log:?}");
}

/// A static musl C program of the corpus (built first, so usable early).
fn static_hello() -> PathBuf {
    corpus_file("c/gcc-musl-1.2.5/x86_64-static/hello")
}

/// stdout is one `REF@DIGEST` line per tag (ko's convention), the digest the one the layout
/// names; an existing --tarball is replaced only with --force; errors name the user's path.
#[test]
fn pack_prints_ref_at_digest_per_tag_and_never_overwrites_without_force() {
    let hello = static_hello();
    let t = tempfile::tempdir().expect("tmp");
    let (tar, layout) = (t.path().join("img.tar"), t.path().join("layout"));
    let (out, err, code) = run(binsight()
        .arg("pack")
        .arg(&hello)
        .args(["--tag", "demo/hello:1", "--tag", "demo/hello,ghcr.io/org/hello:2", "--tarball"])
        .arg(&tar)
        .arg("--oci-layout")
        .arg(&layout));
    assert_eq!(code, 0, "{err}");
    let idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index")).expect("json");
    let digest = idx["manifests"][0]["digest"].as_str().expect("digest").to_string();
    assert_eq!(
        out,
        format!("demo/hello:1@{digest}\ndemo/hello:latest@{digest}\nghcr.io/org/hello:2@{digest}\n"),
        "stderr: {err}"
    );
    assert!(err.contains("wrote OCI layout") && err.contains("bytes compressed"), "details on stderr: {err}");
    let names: Vec<&str> = idx["manifests"]
        .as_array()
        .expect("manifests")
        .iter()
        .filter_map(|d| d["annotations"]["org.opencontainers.image.ref.name"].as_str())
        .collect();
    assert_eq!(names, ["demo/hello:1", "demo/hello:latest", "ghcr.io/org/hello:2"]);

    // The tarball is there: refused without --force (before anything is built), kept as it was.
    let before = std::fs::read(&tar).expect("tar");
    let (out, err, code) =
        run(binsight().arg("pack").arg(&hello).args(["--tag", "demo/other:1", "--tarball"]).arg(&tar));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains(&format!("--tarball {}: exists", tar.display())) && err.contains("--force"), "{err}");
    assert!(out.is_empty(), "{out}");
    assert_eq!(std::fs::read(&tar).expect("tar"), before, "unchanged");
    let (_, err, code) =
        run(binsight().arg("pack").arg(&hello).args(["--tag", "demo/other:1", "--force", "--tarball"]).arg(&tar));
    assert_eq!(code, 0, "{err}");
    assert_ne!(std::fs::read(&tar).expect("tar"), before, "replaced with --force");
    let (_, err, code) = run(binsight().arg("pack").arg(&hello).args(["--tag", "x:1", "--oci-layout"]).arg(&layout));
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("exists and is not empty") && err.contains("--force"), "{err}");

    // A write failure is a run-time failure (1) and names the path given, not a staging file.
    let nowhere = t.path().join("no/such/dir/img.tar");
    let (_, err, code) = run(binsight().arg("pack").arg(&hello).args(["--tag", "x:1", "--tarball"]).arg(&nowhere));
    assert_eq!(code, 1, "{err}");
    assert!(err.contains(&nowhere.display().to_string()) && !err.contains("partial"), "{err}");
}

/// Bad option values are usage errors (2) with a message saying what is wrong; an input that
/// cannot be read is 3.
#[test]
fn pack_checks_its_options() {
    let hello = static_hello();
    let t = tempfile::tempdir().expect("tmp");
    let layout = t.path().join("l");
    let not_pem = t.path().join("ca.txt");
    std::fs::write(&not_pem, "not a certificate\n").expect("write");
    let cases: Vec<(Vec<String>, &str)> = vec![
        (vec!["--tag".into(), "Demo/Hello:1".into()], "repository name must be lowercase"),
        (vec!["--tag".into(), "demo/hello:1.0+build".into()], "invalid tag"),
        (vec!["--tag".into(), format!("demo/hello:{}", "x".repeat(129))], "invalid tag"),
        (vec!["--tag".into(), format!("demo/hello@sha256:{}", "a".repeat(64))], "the digest is computed"),
        (
            vec!["--tag".into(), "x:1".into(), "--ca-certs".into(), not_pem.display().to_string()],
            "holds no PEM certificate",
        ),
        (
            vec!["--tag".into(), "x:1".into(), "--ca-certs".into(), t.path().join("gone.pem").display().to_string()],
            "gone.pem",
        ),
        (vec!["--tag".into(), "x:1".into(), "--platform".into(), "linux/aarch64".into()], "did you mean linux/arm64?"),
    ];
    for (args, why) in cases {
        let (_, err, code) = run(binsight().arg("pack").arg(&hello).args(&args).arg("--oci-layout").arg(&layout));
        assert_eq!(code, 2, "{args:?}: {err}");
        assert!(err.contains(why), "{args:?}: {err}");
        if why.contains("PEM") {
            assert!(err.contains(&not_pem.display().to_string()), "names the file: {err}");
        }
    }
    assert!(!layout.exists(), "nothing written");
    // A real PEM bundle is accepted; `none` too.
    let pem = t.path().join("ca.pem");
    std::fs::write(&pem, one_ca_cert()).expect("write");
    for ca in [pem.display().to_string(), "none".to_string()] {
        let dir = t.path().join(format!("ok-{}", ca.len()));
        let (_, err, code) =
            run(binsight().arg("pack").arg(&hello).args(["--tag", "x:1", "--ca-certs", &ca, "--oci-layout"]).arg(&dir));
        assert_eq!(code, 0, "{ca}: {err}");
    }
    // The BINARY is not there: 3.
    let (_, err, code) =
        run(binsight().args(["pack", "/nonexistent/app", "--tag", "x:1", "--oci-layout"]).arg(&layout));
    assert_eq!(code, 3, "{err}");
}

/// `--push` with two tags: both land in the registry and each gets its `REF@DIGEST` line.
#[test]
fn pack_push_prints_one_ref_at_digest_line_per_tag() {
    let t = tempfile::tempdir().expect("tmp");
    let (user, password) = ("packer", "pack-secret");
    let reg = start_registry(t.path(), user, password);
    let dc = t.path().join("docker");
    std::fs::create_dir_all(&dc).expect("mkdir");
    use base64::Engine as _;
    let auth = base64::engine::general_purpose::STANDARD.encode(format!("{user}:{password}"));
    std::fs::write(dc.join("config.json"), format!(r#"{{"auths":{{"{}":{{"auth":"{auth}"}}}}}}"#, reg.addr))
        .expect("config");
    let (a, b) = (format!("{}/demo/hello:1", reg.addr), format!("{}/demo/hello:stable", reg.addr));
    let (out, err, code) = run(binsight()
        .env("DOCKER_CONFIG", &dc)
        .arg("pack")
        .arg(static_hello())
        .args(["--push", "--quiet", "--tag", &a, "--tag", &b]));
    assert_eq!(code, 0, "{err}");
    let digest = root_digest(&out);
    assert_eq!(out, format!("{a}@{digest}\n{b}@{digest}\n"), "{err}");
    let skopeo = tool("BINSIGHT_SKOPEO", "/usr/bin/skopeo", "skopeo");
    for r in [&a, &b] {
        let o = std::process::Command::new(&skopeo)
            .args(["inspect", "--raw", "--tls-verify=false", "--creds", &format!("{user}:{password}")])
            .arg(format!("docker://{r}"))
            .output()
            .expect("skopeo");
        assert!(o.status.success(), "{r}: {}", String::from_utf8_lossy(&o.stderr));
        assert_eq!(digest, format!("sha256:{:x}", <sha2::Sha256 as sha2::Digest>::digest(&o.stdout)), "{r}");
    }
    // distribution 2.x has no referrers API: the referrers tag lists the SBOM and the VEX (the
    // musl 1.2.5 program has findings), the VEX with its predicate type.
    let fallback = format!("{}/demo/hello:sha256-{}", reg.addr, digest.trim_start_matches("sha256:"));
    let o = std::process::Command::new(&skopeo)
        .args(["inspect", "--raw", "--tls-verify=false", "--creds", &format!("{user}:{password}")])
        .arg(format!("docker://{fallback}"))
        .output()
        .expect("skopeo");
    assert!(o.status.success(), "{fallback}: {}", String::from_utf8_lossy(&o.stderr));
    let idx: serde_json::Value = serde_json::from_slice(&o.stdout).expect("referrers index");
    let entries = idx["manifests"].as_array().cloned().unwrap_or_default();
    let types: Vec<&str> = entries.iter().filter_map(|d| d["artifactType"].as_str()).collect();
    assert_eq!(types, ["application/vnd.cyclonedx+json", IN_TOTO], "{idx:#}");
    assert_eq!(entries[1]["annotations"]["in-toto.io/predicate-type"], OPENVEX, "{idx:#}");
    assert!(err.contains(&format!("VEX {}", entries[1]["digest"].as_str().unwrap_or("-"))), "{err}");
    // The attestation is there by digest, about this image.
    let vex = format!("{}/demo/hello@{}", reg.addr, entries[1]["digest"].as_str().unwrap_or(""));
    let o = std::process::Command::new(&skopeo)
        .args(["inspect", "--raw", "--tls-verify=false", "--creds", &format!("{user}:{password}")])
        .arg(format!("docker://{vex}"))
        .output()
        .expect("skopeo");
    assert!(o.status.success(), "{vex}: {}", String::from_utf8_lossy(&o.stderr));
    let m: serde_json::Value = serde_json::from_slice(&o.stdout).expect("attestation manifest");
    assert_eq!(
        (&m["artifactType"], &m["subject"]["digest"]),
        (&serde_json::json!(IN_TOTO), &serde_json::json!(digest))
    );
}

/// The artifact type (and layer media type) of an in-toto attestation.
const IN_TOTO: &str = "application/vnd.in-toto+json";
/// The predicate type of an OpenVEX 0.2.0 document.
const OPENVEX: &str = "https://openvex.dev/ns/v0.2.0";

/// A blob of an OCI layout, as JSON.
fn layout_json(layout: &Path, digest: &str) -> serde_json::Value {
    let p = layout.join("blobs/sha256").join(digest.trim_start_matches("sha256:"));
    serde_json::from_slice(&std::fs::read(&p).expect("blob")).expect("json blob")
}

/// The VEX attestation of a one-platform layout as trivy finds it, checked on the way: the
/// referrer of the image manifest (`index.json`'s first entry) of type in-toto, annotated with
/// the OpenVEX predicate type, one in-toto layer. (index.json, the attestation's digest, the
/// in-toto statement); `None` without one.
fn vex_attestation(layout: &Path) -> Option<(serde_json::Value, String, serde_json::Value)> {
    let idx: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).expect("index")).expect("json");
    let image = idx["manifests"][0]["digest"].as_str().expect("image digest").to_string();
    let entries = idx["manifests"].as_array().cloned().unwrap_or_default();
    let refs: Vec<&serde_json::Value> = entries.iter().filter(|d| d["artifactType"] == IN_TOTO).collect();
    let [entry] = refs.as_slice() else {
        assert!(refs.is_empty(), "at most one in-toto referrer: {idx:#}");
        return None;
    };
    assert_eq!(entry["annotations"]["in-toto.io/predicate-type"], OPENVEX, "{idx:#}");
    let digest = entry["digest"].as_str().expect("digest").to_string();
    let m = layout_json(layout, &digest);
    assert_eq!(m["artifactType"], IN_TOTO, "{m:#}");
    assert_eq!(m["subject"]["digest"], image.as_str(), "{m:#}");
    assert_eq!(m["config"]["mediaType"], "application/vnd.oci.empty.v1+json", "{m:#}");
    assert_eq!(m["annotations"], entry["annotations"], "the index lists the manifest's annotations");
    let layers = m["layers"].as_array().cloned().unwrap_or_default();
    assert_eq!(layers.len(), 1, "trivy reads single-layer attestations: {m:#}");
    assert_eq!(layers[0]["mediaType"], IN_TOTO, "{m:#}");
    let statement = layout_json(layout, layers[0]["digest"].as_str().expect("layer digest"));
    assert_eq!(statement["_type"], "https://in-toto.io/Statement/v1");
    assert_eq!(statement["predicateType"], OPENVEX);
    assert_eq!(statement["subject"][0]["digest"]["sha256"], image.trim_start_matches("sha256:"), "{statement:#}");
    Some((idx, digest, statement))
}

/// A static x86_64 executable with no libc and nothing else: `exit(0)` (nothing to audit).
fn tiny_static_elf() -> Vec<u8> {
    let (base, entry) = (0x40_0000u64, 0x40_0078u64);
    let code = [0x31, 0xff, 0xb8, 0x3c, 0, 0, 0, 0x0f, 0x05]; // xor edi,edi; mov eax,60; syscall
    let size = 64 + 56 + code.len() as u64;
    let mut e = b"\x7fELF\x02\x01\x01".to_vec();
    e.resize(16, 0);
    e.extend(2u16.to_le_bytes()); // ET_EXEC
    e.extend(0x3eu16.to_le_bytes()); // x86-64
    e.extend(1u32.to_le_bytes());
    e.extend(entry.to_le_bytes());
    e.extend(64u64.to_le_bytes()); // program headers right after this header
    e.extend(0u64.to_le_bytes()); // no sections
    e.extend(0u32.to_le_bytes());
    for h in [64u16, 56, 1, 0, 0, 0] {
        e.extend(h.to_le_bytes());
    }
    e.extend(1u32.to_le_bytes()); // PT_LOAD
    e.extend(5u32.to_le_bytes()); // R+X
    for v in [0, base, base, size, size, 0x1000] {
        e.extend(v.to_le_bytes());
    }
    e.extend(code);
    e
}

/// The OpenVEX document of the audit rides along as an in-toto attestation of the image
/// manifest (the layout trivy's `--vex oci` discovers, as Docker Scout publishes it): for a
/// musl 1.2.3 program that calls iconv, CVE-2025-26519 is `affected` for the image, with the
/// binary as a subcomponent; the document is the one `binsight scan --audit -o openvex` writes
/// for the image; reproducible; none with --no-vex, none when the audit finds nothing.
#[test]
fn pack_attaches_the_audits_openvex_as_an_in_toto_attestation() {
    let iconv = binsight_testkit::corpus::fixture("rust-1.85.0-x86_64-musl-iconv");
    let sha = format!("{:x}", <sha2::Sha256 as sha2::Digest>::digest(std::fs::read(&iconv).expect("fixture")));
    let t = tempfile::tempdir().expect("tmp");
    let pack = |bin: &Path, dir: &str, extra: &[&str]| {
        let mut c = binsight();
        c.env("SOURCE_DATE_EPOCH", "1700000000")
            .arg("pack")
            .arg(bin)
            .args(["--tag", "example.test/org/iconv:1", "--oci-layout"])
            .arg(t.path().join(dir))
            .args(extra);
        let (out, err, code) = run(&mut c);
        assert_eq!(code, 0, "{err}");
        (root_digest(&out), err)
    };
    let tar = |n: &str| t.path().join(n).display().to_string();
    let (image, err) = pack(&iconv, "a", &["--tarball", &tar("a.tar")]);
    let layout = t.path().join("a");
    let (idx, vex_digest, statement) = vex_attestation(&layout).expect("a VEX attestation");
    eprintln!("index.json: {idx:#}");
    eprintln!("statement: {}", &statement.to_string()[..600]);
    assert_eq!(idx["manifests"][0]["digest"], image.as_str());
    assert_eq!(statement["subject"][0]["name"], "example.test/org/iconv");
    // What pack says: the audit's verdict, and the attestation's digest beside the SBOM's.
    assert!(err.contains(": audit: rebuild (") && err.contains("CVE-2025-26519"), "{err}");
    assert!(err.contains(&format!(", VEX {vex_digest}\n")), "{err}");

    // The predicate: an OpenVEX document naming the image by the manifest it is attached to,
    // the binary (by its SHA-256) a subcomponent; the iconv CVE affects it.
    let doc = &statement["predicate"];
    assert_eq!((&doc["@context"], &doc["author"]), (&serde_json::json!(OPENVEX), &serde_json::json!("binsight")));
    assert_eq!(doc["timestamp"], "2023-11-14T22:13:20Z", "the pack's SOURCE_DATE_EPOCH");
    let hex = image.trim_start_matches("sha256:");
    let product = format!("pkg:oci/iconv@sha256%3A{hex}?repository_url=example.test/org/iconv");
    let statements = doc["statements"].as_array().cloned().unwrap_or_default();
    assert!(!statements.is_empty());
    for s in &statements {
        let p = &s["products"][0];
        assert_eq!(
            (&p["@id"], &p["hashes"]["sha-256"]),
            (&serde_json::json!(product), &serde_json::json!(hex)),
            "{s:#}"
        );
        assert_eq!(p["subcomponents"][0]["hashes"]["sha-256"], sha.as_str(), "{s:#}");
    }
    let cve: Vec<&serde_json::Value> =
        statements.iter().filter(|s| s["vulnerability"]["name"] == "CVE-2025-26519").collect();
    assert_eq!(cve.len(), 1, "{doc:#}");
    assert_eq!(cve[0]["status"], "affected", "{:#}", cve[0]);

    // It validates against the OpenVEX 0.2.0 schema, and go-vex (trivy's and grype's VEX
    // library) loads it and matches the image and binary.
    let v = t.path().join("predicate.json");
    std::fs::write(&v, doc.to_string()).expect("write");
    binsight_testkit::validate::assert_valid(binsight_testkit::validate::Kind::OpenVex, &v);
    let binary_purl = cve[0]["products"][0]["subcomponents"][0]["@id"].clone();
    let expect = serde_json::json!([{"vulnerability": "CVE-2025-26519", "product": product,
        "subcomponents": [binary_purl], "status": "affected"}]);
    let (ok, out) = binsight_testkit::vexcheck::run_vexcheck(&v, &expect);
    assert!(ok && out.contains("1 expectations matched, 0 failed"), "{out}");

    // It is the document binsight's own scan of the packed image writes.
    let scanned = t.path().join("scan.openvex.json");
    let (_, err, code) = run(binsight()
        .env("SOURCE_DATE_EPOCH", "1700000000")
        .args(["scan", "--audit", "-q", "-o"])
        .arg(format!("openvex={}", scanned.display()))
        .arg(format!("oci-dir:{}", layout.display())));
    assert_eq!(code, 0, "{err}");
    let scanned: serde_json::Value = serde_json::from_slice(&std::fs::read(&scanned).expect("openvex")).expect("json");
    assert_eq!(&scanned, doc);

    // Reproducible: the same inputs give the same bytes, attestation included.
    let (again, _) = pack(&iconv, "b", &["--tarball", &tar("b.tar")]);
    assert_eq!(again, image);
    assert_eq!(vex_attestation(&t.path().join("b")).map(|v| v.1), Some(vex_digest.clone()));
    let read = |n: &str| std::fs::read(t.path().join(n)).expect("read");
    assert_eq!(read("a/index.json"), read("b/index.json"));
    assert!(read("a.tar") == read("b.tar"), "the docker archives are identical");
    // The docker archive holds the layout, attestation included.
    let mut archived = Vec::new();
    for e in tar::Archive::new(read("a.tar").as_slice()).entries().expect("tar") {
        let mut e = e.expect("entry");
        if e.path().expect("path").to_str() == Some("index.json") {
            e.read_to_end(&mut archived).expect("read");
        }
    }
    assert_eq!(archived, read("a/index.json"));

    // --no-vex: no attestation, the same image.
    let (same, err) = pack(&iconv, "no-vex", &["--no-vex"]);
    assert_eq!(same, image, "the VEX is no part of the image");
    assert!(vex_attestation(&t.path().join("no-vex")).is_none());
    assert!(err.contains(", no VEX\n"), "{err}");

    // A program with nothing to audit: no VEX (OpenVEX needs a statement), and pack says so.
    let tiny = t.path().join("tiny");
    std::fs::write(&tiny, tiny_static_elf()).expect("write");
    let (_, err) = pack(&tiny, "tiny-image", &[]);
    assert!(vex_attestation(&t.path().join("tiny-image")).is_none());
    assert!(err.contains("tiny: audit: ok (no findings)") && err.contains(", no VEX: no findings\n"), "{err}");
}
