//! Images built here, byte by byte, in each container format: layers in gzip, zstd and plain
//! tar; whiteouts and opaque directories; and the hostile cases (escaping names, a bomb layer,
//! a truncated layer, a missing blob, a digest that does not match, a digest that is a path).
//! The analysis callback records what it is given, so what the scan hands over is checked
//! exactly; the ELF files are stand-ins (the magic and a marker), as the reader only routes bytes.

use std::io::Write;
use std::path::Path;

use binsight_source::image::{self, ImageKind, ImageLimits, Progress};
use serde_json::json;

use binsight_testkit::image::{digest, fake_elf as elf, gzip, layer_tar, tar_dir, Entry as E, Layer};

fn zstd(b: &[u8]) -> Vec<u8> {
    zstd::stream::encode_all(b, 3).expect("zstd")
}

/// The three-layer image every format test uses, as (compressed blob, diff_id) pairs.
fn standard_layers() -> Vec<Layer> {
    let l1 = layer_tar(&[
        E::Dir("bin"),
        E::File("bin/a", elf("a-old")),
        E::File("bin/b", elf("b")),
        E::File("etc/hosts", b"127.0.0.1 localhost\n".to_vec()),
        E::Dir("opt/d"),
        E::File("opt/d/e", elf("e")),
        E::File("usr/lib/keep", elf("keep")),
        E::Symlink("usr/bin/link", "../../bin/a"),
        E::Fifo("run/fifo"),
    ]);
    let l2 =
        layer_tar(&[E::File("bin/.wh.b", vec![]), E::File("opt/d/.wh..wh..opq", vec![]), E::File("opt/d/f", elf("f"))]);
    let l3 = layer_tar(&[E::File("./bin/a", elf("a-new"))]);
    vec![(gzip(&l1), digest(&l1)), (zstd(&l2), digest(&l2)), (l3.clone(), digest(&l3))]
}

/// The image config's `config` of every test image.
fn config() -> serde_json::Value {
    json!({"Entrypoint": ["/bin/a"], "Cmd": ["--serve"]})
}

/// An OCI layout at `root`; returns the manifest digest.
fn oci_dir(root: &Path, layers: &[Layer]) -> String {
    binsight_testkit::image::oci_dir(root, layers, config(), "test:1")
}

/// A `docker save` archive (layer tars by directory name, as classic docker writes them).
fn docker_archive(path: &Path, layers: &[Layer]) {
    binsight_testkit::image::docker_archive(path, layers, config(), "test:1")
}

type Seen = Vec<(String, String, String)>;

fn run(path: &Path, kind: ImageKind, limits: &ImageLimits) -> (image::ImageScan<String>, Seen) {
    let progress = Progress::default();
    let s =
        image::scan(path, kind, None, limits, &progress, |p, b| format!("{p}={}", String::from_utf8_lossy(&b[4..])))
            .unwrap_or_else(|e| panic!("{e}"));
    let seen = s.files.iter().map(|f| (f.path.clone(), f.layer.clone(), f.result.clone())).collect();
    (s, seen)
}

fn expected(layers: &[String]) -> Seen {
    vec![
        ("/bin/a".into(), layers[2].clone(), "/bin/a=a-new".into()),
        ("/opt/d/f".into(), layers[1].clone(), "/opt/d/f=f".into()),
        ("/usr/lib/keep".into(), layers[0].clone(), "/usr/lib/keep=keep".into()),
    ]
}

#[test]
fn oci_layout_whiteouts_opaque_dirs_and_three_compressions() {
    let t = tempfile::tempdir().expect("tmp");
    let layers = standard_layers();
    let md = oci_dir(&t.path().join("oci"), &layers);
    assert_eq!(image::detect(&t.path().join("oci")), Some(ImageKind::OciDir));
    let (s, seen) = run(&t.path().join("oci"), ImageKind::OciDir, &ImageLimits::default());
    let blob_digests: Vec<String> = layers.iter().map(|l| digest(&l.0)).collect();
    assert_eq!(seen, expected(&blob_digests));
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.non_elf, 1, "/etc/hosts");
    assert_eq!(s.info.manifest_digest.as_deref(), Some(md.as_str()));
    assert_eq!(s.info.platform, "linux/amd64");
    assert_eq!(
        (s.info.entrypoint.clone(), s.info.cmd.clone()),
        (vec!["/bin/a".to_string()], vec!["--serve".to_string()])
    );
    assert_eq!(s.info.tags, ["test:1"]);
    let comp: Vec<&str> = s.info.layers.iter().map(|l| l.compression.as_str()).collect();
    assert_eq!(comp, ["gzip", "zstd", "tar"]);
}

#[test]
fn docker_archive_and_oci_archive_give_the_same_files() {
    let t = tempfile::tempdir().expect("tmp");
    let layers = standard_layers();
    let diff_ids: Vec<String> = layers.iter().map(|l| l.1.clone()).collect();
    let da = t.path().join("img.tar");
    docker_archive(&da, &layers);
    assert_eq!(image::detect(&da), Some(ImageKind::DockerArchive));
    let (s, seen) = run(&da, ImageKind::DockerArchive, &ImageLimits::default());
    assert_eq!(seen, expected(&diff_ids), "docker-archive names layers by diff_id");
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.info.tags, ["test:1"]);

    oci_dir(&t.path().join("oci"), &layers);
    let oa = t.path().join("oci.tar");
    tar_dir(&t.path().join("oci"), &oa);
    assert_eq!(image::detect(&oa), Some(ImageKind::OciArchive));
    let (_, seen) = run(&oa, ImageKind::OciArchive, &ImageLimits::default());
    let blob_digests: Vec<String> = layers.iter().map(|l| digest(&l.0)).collect();
    assert_eq!(seen, expected(&blob_digests));
}

#[test]
fn hostile_entries_are_errors_and_the_rest_is_scanned() {
    let t = tempfile::tempdir().expect("tmp");
    let l = layer_tar(&[
        E::RawName(b"../escape", elf("x")),
        E::RawName(b"/abs/olute", elf("y")),
        E::File("ok/bin", elf("ok")),
        E::Fifo("dev/fifo"),
    ]);
    oci_dir(&t.path().join("oci"), &[(gzip(&l), digest(&l))]);
    let (s, seen) = run(&t.path().join("oci"), ImageKind::OciDir, &ImageLimits::default());
    assert_eq!(seen.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["/ok/bin"]);
    let reasons: Vec<String> = s.errors.iter().map(|e| format!("{}: {}", e.path, e.reason)).collect();
    assert_eq!(reasons.len(), 2, "{reasons:?}");
    assert!(reasons[0].starts_with("../escape: path with '..'"), "{reasons:?}");
    assert!(reasons[1].starts_with("/abs/olute: absolute path"), "{reasons:?}");
}

#[test]
fn a_gzip_bomb_layer_is_stopped() {
    let t = tempfile::tempdir().expect("tmp");
    // 64 MiB of zeros inside one tar entry compresses to ~64 KiB: ratio ~1000.
    let l = layer_tar(&[E::File("ok/bin", elf("ok")), E::File("zeros", vec![0u8; 64 << 20])]);
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
    e.write_all(&l).expect("gz");
    oci_dir(&t.path().join("oci"), &[(e.finish().expect("gz"), digest(&l))]);
    let limits = ImageLimits { ratio_floor: 4 << 20, ..ImageLimits::default() };
    let (s, seen) = run(&t.path().join("oci"), ImageKind::OciDir, &limits);
    assert_eq!(seen.len(), 1, "the file before the bomb is still reported");
    assert!(s.errors.iter().any(|e| e.reason.contains("decompression bomb")), "{:?}", s.errors);
}

#[test]
fn truncated_layer_missing_blob_and_bad_digest() {
    let t = tempfile::tempdir().expect("tmp");
    let big =
        layer_tar(&[E::File("a/first", elf("1")), E::File("a/pad", vec![7u8; 1 << 20]), E::File("a/last", elf("2"))]);
    let gz = gzip(&big);
    let root = t.path().join("oci");
    oci_dir(&root, &[(gz.clone(), digest(&big)), (gzip(&layer_tar(&[E::File("b/x", elf("x"))])), String::new())]);
    // Truncate the first layer in place (its digest no longer matches either).
    let p1 = root.join("blobs/sha256").join(digest(&gz).trim_start_matches("sha256:"));
    std::fs::write(&p1, &gz[..gz.len() / 2]).expect("truncate");
    let (s, seen) = run(&root, ImageKind::OciDir, &ImageLimits::default());
    let paths: Vec<&str> = seen.iter().map(|x| x.0.as_str()).collect();
    // A blob that fails its checks contributes nothing: only the intact layer is reported.
    assert_eq!(paths, ["/b/x"], "the intact layer only");
    let why: Vec<&str> = s.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(why.len() == 1 && why[0].contains("damaged") && why[0].ends_with("its files are not reported"), "{why:?}");

    // The second layer's blob goes missing.
    let l2 = &s.info.layers[1].digest;
    std::fs::remove_file(root.join("blobs/sha256").join(l2.trim_start_matches("sha256:"))).expect("rm");
    let (s, _) = run(&root, ImageKind::OciDir, &ImageLimits::default());
    assert!(s.errors.iter().any(|e| e.layer.as_deref() == Some(l2) && e.reason.contains("missing")), "{:?}", s.errors);

    // Same length, different bytes: the digest check catches it.
    let t2 = tempfile::tempdir().expect("tmp");
    let l = layer_tar(&[E::File("c/x", elf("x"))]);
    let blob = l.clone();
    let root2 = t2.path().join("oci");
    oci_dir(&root2, &[(blob.clone(), digest(&l))]);
    let mut evil = blob;
    let n = evil.len();
    evil[n - 1] ^= 1; // in the trailing zero padding
    std::fs::write(root2.join("blobs/sha256").join(digest(&l).trim_start_matches("sha256:")), &evil).expect("write");
    let (s, seen) = run(&root2, ImageKind::OciDir, &ImageLimits::default());
    assert!(seen.is_empty(), "a layer that fails its digest check contributes no file: {seen:?}");
    let why: Vec<&str> = s.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(
        why.len() == 1
            && why[0].contains("does not match its digest")
            && why[0].ends_with("its files are not reported"),
        "{why:?}"
    );
}

#[test]
fn a_digest_that_is_a_path_is_refused() {
    let t = tempfile::tempdir().expect("tmp");
    let root = t.path().join("oci");
    std::fs::create_dir_all(&root).expect("mkdir");
    std::fs::write(root.join("oci-layout"), b"{}").expect("write");
    let idx = json!({"manifests": [{"digest": "sha256:../../../../etc/passwd"}]});
    std::fs::write(root.join("index.json"), serde_json::to_vec(&idx).expect("json")).expect("write");
    let progress = Progress::default();
    let e = image::scan(&root, ImageKind::OciDir, None, &ImageLimits::default(), &progress, |_, _| ())
        .expect_err("must refuse");
    assert!(e.to_string().contains("not a valid digest"), "{e}");
}

// ---------------------------------------------------------------------------------------------
// registry: an OCI layout served over the distribution API by a small loopback server that
// demands a Bearer token from its own token endpoint (the flow public registries use), plus
// the ways a registry goes wrong. The real-registry test (Debian's docker-registry, filled by
// skopeo) is in the binsight crate's tests/image_scan.rs.

const TOKEN: &str = "tok-5f2a";

/// Serve `root` (an OCI layout) as repository `demo/*`; tags: `1` → index.json, `multi` →
/// `multi`. Repository `demo/short` cuts the blob `damaged` in half; `demo/evil` flips a byte
/// of it past its first 512.
fn serve_registry(root: std::path::PathBuf, multi: Vec<u8>, basic: String, damaged: String) -> String {
    use std::io::{BufRead, BufReader};
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let addr = l.local_addr().expect("addr").to_string();
    let realm = format!("http://{addr}/token");
    std::thread::spawn(move || {
        for conn in l.incoming().flatten() {
            let mut r = BufReader::new(conn.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let target = line.split_whitespace().nth(1).unwrap_or("").to_string();
            let mut auth = String::new();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
                if let Some(v) = h.strip_prefix("authorization: ").or(h.strip_prefix("Authorization: ")) {
                    auth = v.trim().to_string();
                }
            }
            let mut w = conn;
            let reply = |w: &mut std::net::TcpStream, status: &str, extra: &str, body: &[u8], send: usize| {
                let head =
                    format!("HTTP/1.1 {status}\r\nContent-Length: {}\r\n{extra}Connection: close\r\n\r\n", body.len());
                let _ = w.write_all(head.as_bytes()).and_then(|()| w.write_all(&body[..send.min(body.len())]));
            };
            if let Some(q) = target.strip_prefix("/token?") {
                if auth == basic && q.contains("scope=repository%3Ademo%2F") && q.contains("service=mock") {
                    let body = format!(r#"{{"token":"{TOKEN}"}}"#);
                    reply(&mut w, "200 OK", "", body.as_bytes(), usize::MAX);
                } else {
                    reply(&mut w, "401 Unauthorized", "", b"{}", usize::MAX);
                }
                continue;
            }
            let Some(rest) = target.strip_prefix("/v2/") else {
                reply(&mut w, "404 Not Found", "", b"", 0);
                continue;
            };
            if auth != format!("Bearer {TOKEN}") {
                let repo = rest.split("/manifests/").next().unwrap_or("").split("/blobs/").next().unwrap_or("");
                let ch = format!(
                    "WWW-Authenticate: Bearer realm=\"{realm}\",service=\"mock\",scope=\"repository:{repo}:pull\"\r\n"
                );
                reply(&mut w, "401 Unauthorized", &ch, b"{}", usize::MAX);
                continue;
            }
            let (repo, kind, reference) = match rest.split_once("/manifests/") {
                Some((repo, r)) => (repo, "manifests", r),
                None => match rest.split_once("/blobs/") {
                    Some((repo, r)) => (repo, "blobs", r),
                    None => ("", "", ""),
                },
            };
            let body = match (kind, reference) {
                ("manifests", "1") => std::fs::read(root.join("index.json")).ok(),
                ("manifests", "multi") => Some(multi.clone()),
                (_, d) => d
                    .strip_prefix("sha256:")
                    .filter(|h| h.bytes().all(|b| b.is_ascii_hexdigit()))
                    .and_then(|h| std::fs::read(root.join("blobs/sha256").join(h)).ok()),
            };
            let Some(mut body) = body.filter(|_| repo.starts_with("demo/")) else {
                reply(&mut w, "404 Not Found", "", b"{}", usize::MAX);
                continue;
            };
            let ctype = if kind == "manifests" {
                "Content-Type: application/vnd.oci.image.index.v1+json\r\n"
            } else {
                "Content-Type: application/octet-stream\r\n"
            };
            let mut send = body.len();
            if reference == damaged && repo == "demo/short" {
                send /= 2;
            }
            if reference == damaged && repo == "demo/evil" && body.len() > 600 {
                body[600] ^= 1;
            }
            reply(&mut w, "200 OK", ctype, &body, send);
        }
    });
    addr
}

#[test]
fn registry_bearer_tokens_platforms_and_broken_blobs() {
    use base64::Engine as _;
    use binsight_source::image::ImageSource;
    use binsight_source::registry::{parse_reference, RegistryOptions};
    let t = tempfile::tempdir().expect("tmp");
    let root = t.path().join("oci");
    let layers = standard_layers();
    let md = oci_dir(&root, &layers);
    let msize = std::fs::metadata(root.join("blobs/sha256").join(md.trim_start_matches("sha256:"))).expect("m").len();
    let multi = serde_json::to_vec(&json!({"schemaVersion": 2, "manifests": [
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": msize,
         "platform": {"os": "linux", "architecture": "arm64", "variant": "v8"}},
        {"mediaType": "application/vnd.oci.image.manifest.v1+json", "digest": md, "size": msize,
         "platform": {"os": "linux", "architecture": "amd64"}}]}))
    .expect("json");
    let creds = "reader:s3cret";
    let b64 = base64::engine::general_purpose::STANDARD.encode(creds);
    // The plain-tar layer is damaged in the broken repositories: a flipped byte in its zero
    // padding leaves the tar readable, so only the digest check can notice.
    let damaged = digest(&layers[2].0);
    let addr = serve_registry(root.clone(), multi, format!("Basic {b64}"), damaged.clone());
    let auth = t.path().join("auth.json");
    std::fs::write(&auth, format!(r#"{{"auths":{{"{addr}":{{"auth":"{b64}"}}}}}}"#)).expect("auth");
    let opts = RegistryOptions { plain_http: false, auth_files: Some(vec![auth.clone()]), ..Default::default() };
    let pull = |reference: &str, platform: Option<&str>, opts: &RegistryOptions| {
        let r = parse_reference(&format!("{addr}/{reference}")).expect("reference");
        image::scan_source(
            &ImageSource::Registry(r, opts.clone()),
            platform,
            &ImageLimits::default(),
            &Progress::default(),
            |_, p, b| format!("{p}={}", String::from_utf8_lossy(&b[4..])),
        )
    };
    let blob_digests: Vec<String> = layers.iter().map(|l| digest(&l.0)).collect();

    // Token from the realm (Basic credentials), then the index, manifest, config and layers.
    let s = pull("demo/app:1", None, &opts).unwrap_or_else(|e| panic!("{e}"));
    let seen: Seen = s.files.iter().map(|f| (f.path.clone(), f.layer.clone(), f.result.clone())).collect();
    assert_eq!(seen, expected(&blob_digests));
    assert!(s.errors.is_empty(), "{:?}", s.errors);
    assert_eq!(s.info.manifest_digest.as_deref(), Some(md.as_str()));
    assert_eq!(s.info.entrypoint, ["/bin/a"]);
    let comp: Vec<&str> = s.info.layers.iter().map(|l| l.compression.as_str()).collect();
    assert_eq!(comp, ["gzip", "zstd", "tar"]);

    // A multi-platform index: the host's platform by default, the other one listed.
    let s = pull("demo/app:multi", Some("linux/amd64"), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.files.len(), 3);
    assert_eq!(s.info.other_platforms, ["linux/arm64/v8"]);
    // `linux/arm64` is the `linux/arm64/v8` entry, as docker matches it.
    let s = pull("demo/app:multi", Some("linux/arm64"), &opts).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(s.info.other_platforms, ["linux/amd64"]);
    let e = pull("demo/app:multi", Some("linux/s390x"), &opts).expect_err("no such platform");
    assert!(e.to_string().contains("linux/arm64/v8, linux/amd64"), "{e}");

    // No credentials: the token server refuses, and the error says how to log in.
    let none =
        RegistryOptions { plain_http: false, auth_files: Some(vec![t.path().join("none.json")]), ..Default::default() };
    let e = pull("demo/app:1", None, &none).expect_err("must need a login");
    assert!(e.to_string().contains("docker login") && e.to_string().contains("HTTP 401"), "{e}");

    // A blob cut short, and one with a flipped byte: per-layer errors, the scan completes.
    let s = pull("demo/short:1", None, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(!s.errors.is_empty(), "a short blob must be an error");
    assert!(s.errors.iter().all(|e| e.layer.as_deref() == Some(damaged.as_str())), "{:?}", s.errors);
    assert_eq!(s.files.len(), 3, "the other layers are reported");
    let s = pull("demo/evil:1", None, &opts).unwrap_or_else(|e| panic!("{e}"));
    assert!(s.errors.iter().any(|e| e.reason.contains("does not match its digest")), "{:?}", s.errors);

    // An unknown tag.
    let e = pull("demo/app:2", None, &opts).expect_err("no such tag");
    assert!(e.to_string().contains("not found (HTTP 404)"), "{e}");
}

/// A raw tar entry of any type and size claim, data as given (padded to 512).
fn raw_entry(out: &mut Vec<u8>, kind: u8, name: &[u8], size: u64, data: &[u8]) {
    let mut h = tar::Header::new_gnu();
    h.as_old_mut().name[..name.len()].copy_from_slice(name);
    h.set_mode(0o644);
    h.set_size(size);
    h.set_entry_type(tar::EntryType::new(kind));
    h.set_cksum();
    out.extend_from_slice(h.as_bytes());
    out.extend_from_slice(data);
    out.resize(out.len().div_ceil(512) * 512, 0);
}

fn pax_record(key: &str, value: &[u8]) -> Vec<u8> {
    // "LEN key=value\n", LEN counting itself.
    let body = [b" ", key.as_bytes(), b"=", value, b"\n"].concat();
    let mut len = body.len() + 1;
    while format!("{len}").len() + body.len() != len {
        len += 1;
    }
    [format!("{len}").into_bytes(), body].concat()
}

/// GNU long names and PAX paths name entries; a record over the cap skips only the entry it
/// describes (with an error naming the cap), and the rest of the layer is read.
#[test]
fn long_names_and_pax_headers_are_capped() {
    let t = tempfile::tempdir().expect("tmp");
    let long = format!("deep/{}/bin", "d".repeat(300));
    let mut l = Vec::new();
    raw_entry(&mut l, b'L', b"././@LongLink", long.len() as u64 + 1, format!("{long}\0").as_bytes());
    raw_entry(&mut l, b'0', b"short-name", 8, &elf("long"));
    let pax = pax_record("path", b"pax/named/bin");
    raw_entry(&mut l, b'x', b"PaxHeaders/x", pax.len() as u64, &pax);
    raw_entry(&mut l, b'0', b"header-name", 7, &elf("pax"));
    // A 4 KiB long name under a 1 KiB cap: its entry is skipped.
    let huge = "h".repeat(4096);
    raw_entry(&mut l, b'L', b"././@LongLink", huge.len() as u64, huge.as_bytes());
    raw_entry(&mut l, b'0', b"victim", 7, &elf("vic"));
    let big_pax = pax_record("comment", &vec![b'c'; 4096]);
    raw_entry(&mut l, b'x', b"PaxHeaders/y", big_pax.len() as u64, &big_pax);
    raw_entry(&mut l, b'0', b"victim2", 7, &elf("vi2"));
    raw_entry(&mut l, b'0', b"after", 9, &elf("after"));
    l.extend([0u8; 1024]);
    oci_dir(&t.path().join("oci"), &[(gzip(&l), digest(&l))]);
    let limits = ImageLimits { max_tar_extension: 1024, ..ImageLimits::default() };
    let (s, seen) = run(&t.path().join("oci"), ImageKind::OciDir, &limits);
    let paths: Vec<&str> = seen.iter().map(|x| x.0.as_str()).collect();
    assert_eq!(paths, ["/after", &format!("/{long}"), "/pax/named/bin"]);
    let why: Vec<String> = s.errors.iter().map(|e| format!("{}: {}", e.path, e.reason)).collect();
    assert_eq!(why.len(), 2, "{why:?}");
    assert!(why[0].starts_with("victim: GNU long name of 4096 bytes, over the 1024-byte cap"), "{why:?}");
    assert!(why[1].starts_with("victim2: PAX header of"), "{why:?}");
}

/// A PAX size record that disagrees with the header would desynchronise the stream: the layer
/// stops there, with what came before reported (its blob digest matches).
#[test]
fn pax_size_disagreeing_with_the_header_stops_the_layer() {
    let t = tempfile::tempdir().expect("tmp");
    let mut l = Vec::new();
    raw_entry(&mut l, b'0', b"first", 7, &elf("one"));
    let pax = pax_record("size", b"100000");
    raw_entry(&mut l, b'x', b"PaxHeaders/z", pax.len() as u64, &pax);
    raw_entry(&mut l, b'0', b"liar", 7, &elf("lie"));
    l.extend([0u8; 1024]);
    oci_dir(&t.path().join("oci"), &[(gzip(&l), digest(&l))]);
    let (s, seen) = run(&t.path().join("oci"), ImageKind::OciDir, &ImageLimits::default());
    assert_eq!(seen.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["/first"]);
    assert!(s.errors.iter().any(|e| e.reason.contains("PAX size record disagrees")), "{:?}", s.errors);
}

/// The same blob listed many times is read once; too many layers is refused; paths nested
/// past the cap are skipped; hard links resolve through links and report the target's result.
#[test]
fn repeated_layers_depth_and_hard_links() {
    let t = tempfile::tempdir().expect("tmp");
    let l = layer_tar(&[E::File("bin/app", elf("app"))]);
    let layer = (gzip(&l), digest(&l));
    let root = t.path().join("oci");
    oci_dir(&root, &vec![layer.clone(); 50]);
    let progress = Progress::default();
    let s = image::scan(&root, ImageKind::OciDir, None, &ImageLimits::default(), &progress, |p, _| p.to_string())
        .expect("scan");
    assert_eq!(s.files.len(), 1);
    assert_eq!(progress.files.load(std::sync::atomic::Ordering::Relaxed), 1, "analysed once");
    assert_eq!(s.info.layers.iter().filter(|x| x.entries > 0).count(), 1, "read once");
    let limits = ImageLimits { max_layers: 49, ..ImageLimits::default() };
    let e = image::scan(&root, ImageKind::OciDir, None, &limits, &progress, |_, _| ()).expect_err("over the cap");
    assert!(e.to_string().contains("lists 50 layers, over the cap of 49"), "{e}");

    // Depth: a path 300 directories deep is skipped; a shallow one beside it is reported.
    let deep = format!("{}x", "d/".repeat(300));
    let mut raw = Vec::new();
    raw_entry(&mut raw, b'L', b"././@LongLink", deep.len() as u64, deep.as_bytes());
    raw_entry(&mut raw, b'0', b"x", 7, &elf("dee"));
    raw_entry(&mut raw, b'0', b"ok", 6, &elf("ok"));
    // Hard links: c -> b -> ok (a link to a link) and a link to nothing ELF.
    let mut link = |name: &str, target: &str| {
        let mut h = tar::Header::new_gnu();
        h.set_entry_type(tar::EntryType::Link);
        h.set_size(0);
        h.set_path(name).expect("name");
        h.set_link_name(target).expect("link");
        h.set_cksum();
        raw.extend_from_slice(h.as_bytes());
    };
    link("b", "ok");
    link("c", "b");
    link("none", "missing");
    raw.extend([0u8; 1024]);
    let root = t.path().join("oci2");
    oci_dir(&root, &[(gzip(&raw), digest(&raw))]);
    let (s, seen) = run(&root, ImageKind::OciDir, &ImageLimits::default());
    assert_eq!(
        seen.iter().map(|x| (x.0.as_str(), x.2.as_str())).collect::<Vec<_>>(),
        [("/b", "/ok=ok"), ("/c", "/ok=ok"), ("/ok", "/ok=ok")]
    );
    assert!(
        s.errors.iter().any(|e| e.reason.contains("nested 300 levels deep, over the cap of 256")),
        "{:?}",
        s.errors
    );
    let limits = ImageLimits { max_link_reports: 1, ..ImageLimits::default() };
    let (s, seen) = run(&root, ImageKind::OciDir, &limits);
    assert_eq!(seen.len(), 2);
    assert!(s.errors.iter().any(|e| e.reason.starts_with("1 more hard links")), "{:?}", s.errors);
}

/// Docker archives: each layer is checked against the config's diff_id; one that does not
/// match contributes no files.
#[test]
fn docker_archive_diff_ids_are_checked() {
    let t = tempfile::tempdir().expect("tmp");
    let a = layer_tar(&[E::File("a/bin", elf("a"))]);
    let b = layer_tar(&[E::File("b/bin", elf("b"))]);
    let p = t.path().join("img.tar");
    docker_archive(&p, &[(a.clone(), digest(&a)), (b.clone(), digest(&a))]);
    let (s, seen) = run(&p, ImageKind::DockerArchive, &ImageLimits::default());
    assert_eq!(seen.iter().map(|x| x.0.as_str()).collect::<Vec<_>>(), ["/a/bin"]);
    let why: Vec<&str> = s.errors.iter().map(|e| e.reason.as_str()).collect();
    assert!(why.len() == 1 && why[0].contains("does not match its diff_id"), "{why:?}");
}
