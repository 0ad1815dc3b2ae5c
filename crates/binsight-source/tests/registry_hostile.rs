//! The registry client against a hostile registry (see `binsight_testkit::hostile_registry`):
//! credentials stay with the registry, blobs that drip or never end stop with an error naming
//! them, and descriptors whose digest is not a digest are refused.

use std::time::{Duration, Instant};

use binsight_source::image::{self, ImageLimits, ImageScan, ImageSource, Progress};
use binsight_source::registry::{parse_reference, RegistryOptions};
use binsight_testkit::hostile_registry::{
    auth_file, basic, drip, empty_tar, endless, greedy_host, image, redirect, registry, serve, Server,
};

const USER: &str = "alice";
const PASSWORD: &str = "s3cret";

fn options(reg: &Server, dir: &std::path::Path) -> RegistryOptions {
    RegistryOptions { auth_files: Some(vec![auth_file(dir, &reg.host(), USER, PASSWORD)]), ..Default::default() }
}

fn pull(reg: &Server, opts: &RegistryOptions, limits: &ImageLimits) -> Result<ImageScan<()>, String> {
    let r = parse_reference(&format!("{}/app:1", reg.host())).expect("reference");
    image::scan_source(&ImageSource::Registry(r, opts.clone()), None, limits, &Progress::default(), |_, _, _| ())
        .map_err(|e| e.to_string())
}

/// The scan's errors as text (the image itself is read; its layer failed).
fn layer_errors(s: &ImageScan<()>) -> String {
    s.errors.iter().map(|e| format!("{}: {}\n", e.layer.as_deref().unwrap_or(""), e.reason)).collect()
}

#[test]
fn a_401_after_a_redirect_to_another_host_gets_no_credentials() {
    let t = tempfile::tempdir().expect("tmp");
    for scheme in ["http", "https"] {
        let greedy = greedy_host("127.0.0.2", scheme);
        let to = format!("http://{}/blob", greedy.host());
        let img = image(&empty_tar(), Some(1024), None);
        let reg = registry("127.0.0.1", img, Some(basic(USER, PASSWORD)), move |_, out| redirect(out, &to));
        let s = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect("the image is read");
        assert!(greedy.authorizations().is_empty(), "{scheme} realm: the other host got {:?}", greedy.authorizations());
        assert!(!greedy.hits().is_empty(), "the redirect was not followed");
        assert_eq!(greedy.hits().len(), 1, "only the blob was asked for, never the realm: {:?}", greedy.hits());
        let e = layer_errors(&s);
        assert!(
            e.contains(&format!("refused to send the credentials for {} to {}", reg.host(), greedy.host()))
                && e.contains("the 401 came from a host the registry redirected to"),
            "{e}"
        );
    }
}

/// A redirect to a host that serves the blob: followed, without the registry's credentials.
#[test]
fn blobs_follow_redirects_without_credentials() {
    let t = tempfile::tempdir().expect("tmp");
    let cdn = serve("127.0.0.2", |_, out| {
        let _ = out.respond(200, &[], &empty_tar());
    });
    let to = format!("http://{}/blob?sig=1", cdn.host());
    let reg =
        registry("127.0.0.1", image(&empty_tar(), Some(1024), None), Some(basic(USER, PASSWORD)), move |_, out| {
            redirect(out, &to)
        });
    let s = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect("pull");
    assert!(s.errors.is_empty(), "{}", layer_errors(&s));
    assert_eq!(cdn.hits().len(), 1);
    assert!(cdn.authorizations().is_empty(), "{:?}", cdn.authorizations());
    // The registry itself got its credentials (it asks for them).
    assert!(reg.authorizations().contains(&basic(USER, PASSWORD)));
}

/// The registry's own challenge naming a plain-HTTP realm on another host: refused, nothing sent.
/// The same on the registry's own host (another port) is how loopback setups run: answered.
#[test]
fn plain_http_realms_only_on_the_registry_host() {
    let t = tempfile::tempdir().expect("tmp");
    let greedy = greedy_host("127.0.0.2", "http");
    let realm = format!(r#"Bearer realm="http://{}/token""#, greedy.host());
    let reg = serve("127.0.0.1", move |_, out| {
        let _ = out.respond(401, &[("WWW-Authenticate", realm.clone())], b"");
    });
    let e = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect_err("refused");
    assert!(greedy.hits().is_empty(), "{:?}", greedy.hits());
    assert!(e.contains("plain HTTP") && e.contains("refused to send the credentials"), "{e}");

    // Token server on 127.0.0.1 too: the credentials go there, the token to the registry.
    let tokens = serve("127.0.0.1", |_, out| {
        let _ = out.respond(200, &[], br#"{"token":"t0k"}"#);
    });
    let realm = format!(r#"Bearer realm="http://{}/token""#, tokens.host());
    let img = image(&empty_tar(), Some(1024), None);
    let inner = registry("127.0.0.1", img, None, |_, out| {
        let _ = out.respond(200, &[], &empty_tar());
    });
    let inner_host = inner.host();
    let reg = serve("127.0.0.1", move |hit, out| {
        if hit.authorization.as_deref() != Some("Bearer t0k") {
            let _ = out.respond(401, &[("WWW-Authenticate", realm.clone())], b"");
        } else {
            // Same-host redirect to the real content (another port: another origin, no token).
            redirect(out, &format!("http://{inner_host}{}", hit.path));
        }
    });
    let s = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect("pull");
    assert!(s.errors.is_empty(), "{}", layer_errors(&s));
    assert_eq!(tokens.authorizations(), vec![basic(USER, PASSWORD)]);
    assert!(inner.authorizations().is_empty(), "{:?}", inner.authorizations());
}

/// A blob that drips a byte every 100 ms, with a 1 KiB/s floor over 1 s windows: the transfer
/// ends with an error naming the blob within a few seconds.
#[test]
fn a_dripping_blob_ends_at_the_minimum_rate() {
    let t = tempfile::tempdir().expect("tmp");
    let img = image(&empty_tar(), Some(1 << 20), None);
    let layer = img.layer_digest.clone();
    let metadata = (img.manifest.len() + img.config.len()) as u64;
    let reg = registry("127.0.0.1", img, None, |_, out| drip(out, 1 << 20, Duration::from_millis(100)));
    let opts = RegistryOptions { min_rate: 1024, rate_window: Duration::from_secs(1), ..options(&reg, t.path()) };
    let start = Instant::now();
    let s = pull(&reg, &opts, &ImageLimits::default()).expect("the image is read");
    let took = start.elapsed();
    let e = layer_errors(&s);
    assert!(e.contains(&format!("blob {layer}")) && e.contains("below the minimum rate of 1024 B/s"), "{e}");
    assert!(took < Duration::from_secs(5), "took {took:?}");
    let dripped = reg.sent() - metadata;
    assert!(dripped < 40, "{dripped} bytes dripped");
    assert_eq!(s.errors.iter().filter(|x| x.reason.contains("minimum rate")).count(), 1, "{e}");
}

/// A server that sends headers and then nothing: the read waits one window, no more.
#[test]
fn a_stalled_blob_ends_after_one_window() {
    let t = tempfile::tempdir().expect("tmp");
    let reg = registry("127.0.0.1", image(&empty_tar(), Some(4096), None), None, |_, out| {
        let _ = out.head(200, &[("Content-Length", "4096".into())]);
        std::thread::sleep(Duration::from_secs(20));
    });
    let opts = RegistryOptions { min_rate: 1024, rate_window: Duration::from_secs(1), ..options(&reg, t.path()) };
    let start = Instant::now();
    let s = pull(&reg, &opts, &ImageLimits::default()).expect("the image is read");
    assert!(start.elapsed() < Duration::from_secs(5), "took {:?}", start.elapsed());
    let e = layer_errors(&s);
    assert!(e.contains("blob sha256:") && e.contains("timeout"), "{e}");
}

/// A manifest that drips: the metadata deadline ends it.
#[test]
fn a_dripping_manifest_ends_at_the_metadata_deadline() {
    let t = tempfile::tempdir().expect("tmp");
    let reg = serve("127.0.0.1", |_, out| drip(out, 4096, Duration::from_millis(100)));
    let opts = RegistryOptions { metadata_deadline: Duration::from_secs(2), ..options(&reg, t.path()) };
    let start = Instant::now();
    let e = pull(&reg, &opts, &ImageLimits::default()).expect_err("too slow");
    assert!(start.elapsed() < Duration::from_secs(6), "took {:?}", start.elapsed());
    assert!(e.contains("manifest 1") && e.contains("2 s"), "{e}");
}

/// An endless chunked blob: read up to its declared size, then an error naming it; without a
/// declared size, up to the layer size limit.
#[test]
fn an_endless_blob_is_read_no_further_than_declared() {
    let t = tempfile::tempdir().expect("tmp");
    let img = image(&empty_tar(), Some(1024), None);
    let layer = img.layer_digest.clone();
    let reg = registry("127.0.0.1", img, None, |_, out| endless(out));
    let start = Instant::now();
    let s = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect("the image is read");
    let e = layer_errors(&s);
    assert!(
        e.contains(&format!("blob {layer}: the registry sent more than the 1024 bytes the manifest declares")),
        "{e}"
    );
    assert!(start.elapsed() < Duration::from_secs(10), "took {:?}", start.elapsed());

    let reg = registry("127.0.0.1", image(&empty_tar(), None, None), None, |_, out| endless(out));
    let limits = ImageLimits { max_layer_size: 4 << 20, ..Default::default() };
    let s = pull(&reg, &options(&reg, t.path()), &limits).expect("the image is read");
    let e = layer_errors(&s);
    assert!(e.contains("more than the 4194304-byte limit (raise it with --max-layer-size"), "{e}");

    // A Content-Length over the declared size is refused before any byte is read.
    let reg = registry("127.0.0.1", image(&empty_tar(), Some(1024), None), None, |_, out| {
        let _ = out.respond(200, &[], &[0u8; 4096]);
    });
    let s = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect("the image is read");
    let e = layer_errors(&s);
    assert!(e.contains("states 4096 bytes, more than the 1024 bytes the manifest declares"), "{e}");
}

/// Layer and config descriptors whose digest is not a digest are refused, never fetched.
#[test]
fn descriptors_with_invalid_digests_are_refused() {
    let t = tempfile::tempdir().expect("tmp");
    for bad in ["../../v2/_catalog", "sha256:abc", "md5:0123", "", "sha256:../../x"] {
        let reg = registry("127.0.0.1", image(&empty_tar(), Some(1024), Some(bad)), None, |_, out| {
            let _ = out.respond(200, &[], &empty_tar());
        });
        let e = pull(&reg, &options(&reg, t.path()), &ImageLimits::default()).expect_err(bad);
        assert!(e.contains("layer 1 has digest") && e.contains("not a valid digest"), "{bad}: {e}");
        assert!(!reg.hits().iter().any(|h| h.path.contains("/blobs/") && !h.path.contains("sha256:")), "{bad}");
    }
    // The same rule for answers read on their own (the fuzzing entry).
    let index = br#"{"manifests":[{"digest":"index.json"}]}"#;
    let e = image::read_answer(index, None).expect_err("index");
    assert!(matches!(e, image::Problem::InvalidDigest { .. }) && e.to_string().contains("not a valid digest"), "{e}");
}
