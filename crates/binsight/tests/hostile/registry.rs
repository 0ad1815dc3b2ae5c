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
    let t = tempfile::tempdir().expect("tmp");
    let auth = auth_file(t.path(), &reg.host(), USER, PASSWORD);
    let empty = t.path().join("docker");
    let o = harness::run(
        ["scan", "-q", "-o", "json", &format!("registry:{}/app:1", reg.host()), GOOD],
        &[
            ("REGISTRY_AUTH_FILE", auth.to_str().expect("utf-8")),
            ("DOCKER_CONFIG", empty.to_str().expect("utf-8")),
            ("XDG_RUNTIME_DIR", empty.to_str().expect("utf-8")),
        ],
        caps,
    );
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

/// A layer blob dripping a byte every half second: below the minimum rate (10 KiB/s over a
/// minute by default), so the transfer ends with an error that names the blob.
#[test]
fn a_dripping_blob_ends_at_the_minimum_rate() {
    let caps = Caps { rss_mib: 300, secs: 100 };
    let img = image(&empty_tar(), Some(1 << 20), None);
    let layer = img.layer_digest.clone();
    let reg = registry("127.0.0.1", img, None, |_, out| server::drip(out, 1 << 20, Duration::from_millis(500)));
    let o = scan(&reg, caps);
    let s = said(&o);
    assert!(s.contains(&layer) && s.contains("minimum rate"), "{s}");
}
