//! `registry:` sources served by a hostile registry on loopback (plain HTTP, as binsight speaks
//! to loopback registries): credentials must never reach a host the registry redirects to, nor
//! cross the network in clear text to another host; a blob that drips or never ends must stop
//! with an error naming it. Each run also scans a good file, which must still be reported.

use std::time::Duration;

use crate::harness::{self, Caps};

use binsight_testkit::hostile_registry as server;
use binsight_testkit::hostile_registry::{auth_file, basic, empty_tar, greedy_host, image, redirect, registry, Server};

const GOOD: &str = "/usr/bin/true";
const USER: &str = "alice";
const PASSWORD: &str = "s3cret-registry-password";

/// `binsight scan -q -o json registry:HOST/app:1 GOOD` with credentials for `reg` only.
fn scan(reg: &Server, caps: Caps) -> harness::Outcome {
    scan_with(reg, caps, &[])
}

/// [`scan`] with more environment (binsight options as `BINSIGHT_*` variables).
fn scan_with(reg: &Server, caps: Caps, env: &[(&str, &str)]) -> harness::Outcome {
    let t = tempfile::tempdir().expect("tmp");
    let auth = auth_file(t.path(), &reg.host(), USER, PASSWORD);
    let empty = t.path().join("docker");
    let mut all = vec![
        ("REGISTRY_AUTH_FILE", auth.to_str().expect("utf-8")),
        ("DOCKER_CONFIG", empty.to_str().expect("utf-8")),
        ("XDG_RUNTIME_DIR", empty.to_str().expect("utf-8")),
    ];
    all.extend_from_slice(env);
    let o = harness::run(["scan", "-q", "-o", "json", &format!("registry:{}/app:1", reg.host()), GOOD], &all, caps);
    o.check(caps, &[0, 1, 3]).no_control_chars();
    // The good input of the same run is still reported.
    o.stdout_has(&format!("\"path\":\"{GOOD}\""));
    o
}

/// Both outputs, for messages that may be a JSON error line or a stderr line.
fn said(o: &harness::Outcome) -> String {
    format!("{}\n{}", o.stdout, o.stderr)
}

/// A layer blob redirected to another host that answers 401 with a Bearer realm on itself:
/// the registry's credentials must not be sent there (nor anything derived from them).
#[test]
fn credentials_never_follow_a_redirect_to_another_host() {
    let caps = Caps { rss_mib: 300, secs: 30 };
    let greedy = greedy_host("127.0.0.2", "http");
    let to = format!("http://{}/blob", greedy.host());
    let reg =
        registry("127.0.0.1", image(&empty_tar(), Some(1024), None), Some(basic(USER, PASSWORD)), move |_, out| {
            redirect(out, &to)
        });
    let o = scan(&reg, caps);
    assert!(greedy.authorizations().is_empty(), "the other host was sent {:?}", greedy.authorizations());
    assert!(!greedy.hits().is_empty(), "the redirect was never followed");
    assert!(reg.authorizations().iter().any(|a| a == &basic(USER, PASSWORD)), "the registry never got its login");
    let s = said(&o);
    assert!(s.contains(&format!("refused to send the credentials for {} to {}", reg.host(), greedy.host())), "{s}");
    assert!(s.contains("redirected to"), "{s}");
}

/// The registry's own challenge names a plain-HTTP token realm on another host: credentials
/// would cross in clear text, so none are sent.
#[test]
fn credentials_never_go_to_a_plain_http_realm_on_another_host() {
    let caps = Caps { rss_mib: 300, secs: 30 };
    let greedy = greedy_host("127.0.0.2", "http");
    let realm = format!(r#"Bearer realm="http://{}/token",service="reg""#, greedy.host());
    let reg = server::serve("127.0.0.1", move |_, out| {
        let _ = out.respond(401, &[("WWW-Authenticate", realm.clone())], b"");
    });
    let o = scan(&reg, caps);
    assert!(greedy.hits().is_empty(), "the plain-HTTP realm was asked: {:?}", greedy.hits());
    let s = said(&o);
    assert!(s.contains("plain HTTP") && s.contains(&greedy.host()), "{s}");
}

/// A layer blob sent chunked and endless while the manifest declares 1024 bytes: read no
/// further than declared, and say so.
#[test]
fn an_endless_blob_stops_at_its_declared_size() {
    let caps = Caps { rss_mib: 300, secs: 30 };
    let reg = registry("127.0.0.1", image(&empty_tar(), Some(1024), None), None, |_, out| server::endless(out));
    let o = scan(&reg, caps);
    let s = said(&o);
    assert!(s.contains("more than the 1024 bytes"), "{s}");
    // Whatever the server pushed before the connection closed, far from gigabytes.
    assert!(reg.sent() < 256 << 20, "the server sent {} bytes", reg.sent());
}

/// A layer blob dripping a byte every half second: below the minimum rate (10 KiB/s by
/// default), so the transfer ends with an error that names the blob once the window the rate is
/// averaged over has passed (60 s by default; 4 s here, set as a user would, through
/// `BINSIGHT_REGISTRY_WINDOW`, so the test does not wait a minute).
#[test]
fn a_dripping_blob_ends_at_the_minimum_rate() {
    let caps = Caps { rss_mib: 300, secs: 40 };
    let img = image(&empty_tar(), Some(1 << 20), None);
    let layer = img.layer_digest.clone();
    let reg = registry("127.0.0.1", img, None, |_, out| server::drip(out, 1 << 20, Duration::from_millis(500)));
    let o = scan_with(&reg, caps, &[("BINSIGHT_REGISTRY_WINDOW", "4s")]);
    let s = said(&o);
    assert!(s.contains(&layer) && s.contains("minimum rate"), "{s}");
    // Ended by the 4 s window, not by the 60 s default or the blob's deadline.
    assert!(o.elapsed < Duration::from_secs(30), "took {:?}", o.elapsed);
}

/// An 8 KiB layer sent at 1 KiB/s fails the default minimum rate (10 KiB/s) but passes a
/// lowered one (`--registry-min-rate 512`, for a slow link): the scan then reads it whole.
#[test]
fn a_lowered_minimum_rate_accepts_a_slow_blob() {
    let caps = Caps { rss_mib: 300, secs: 60 };
    let tar = vec![0u8; 8 << 10]; // an empty tar (zero blocks) of 8 KiB
    let slow = |env: &[(&str, &str)]| {
        let img = image(&tar, None, None);
        let layer = img.layer_digest.clone();
        let body = tar.clone();
        let reg = registry("127.0.0.1", img, None, move |_, out| {
            server::drip_body(out, &body, 256, Duration::from_millis(250))
        });
        let o = scan_with(&reg, caps, env);
        (layer, said(&o), o.code)
    };
    let window = ("BINSIGHT_REGISTRY_WINDOW", "2s");
    let (layer, s, _) = slow(&[window]);
    assert!(s.contains(&layer) && s.contains("minimum rate"), "8 KiB at 1 KiB/s, default rate: {s}");
    let (layer, s, code) = slow(&[window, ("BINSIGHT_REGISTRY_MIN_RATE", "512")]);
    // Read whole: the image's report lists the layer, and nothing failed.
    assert!(!s.contains("minimum rate") && s.contains(&layer), "rate lowered to 512 B/s: {s}");
    assert_eq!(code, Some(0), "{s}");
}
