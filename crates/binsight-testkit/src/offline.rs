//! Go peers (govulncheck, syft, osv-scanner: built by `scripts/peers.sh`) run so they cannot
//! reach the network: nothing inherited from the environment, their home, config and caches in
//! a directory of the test's, every fetch they could make switched off, and any HTTP(S) request
//! sent to a [`Tripwire`] that counts it (a test asserts the count stays 0).

use std::io::ErrorKind;
use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// The peer binary named by the environment variable `var` (`scripts/test.sh` sets it);
/// panics, naming the command that builds it, when it is unset or missing.
pub fn peer(var: &str, name: &str) -> PathBuf {
    let p = PathBuf::from(std::env::var_os(var).unwrap_or_else(|| {
        panic!("{var} is not set: run scripts/test.sh (it builds {name}: scripts/peers.sh {name})")
    }));
    assert!(p.is_file(), "{} is missing: run scripts/test.sh (or scripts/peers.sh {name})", p.display());
    p
}

/// A loopback listener that counts the connections made to it: the peers' HTTP(S) proxy, so a
/// request they make lands here instead of leaving the machine.
pub struct Tripwire {
    addr: String,
    hits: Arc<AtomicUsize>,
    stop: Arc<AtomicBool>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Tripwire {
    /// Listen on a free loopback port.
    pub fn new() -> Tripwire {
        let l = TcpListener::bind("127.0.0.1:0").expect("bind");
        l.set_nonblocking(true).expect("nonblocking");
        let addr = format!("http://{}", l.local_addr().expect("addr"));
        let (hits, stop) = (Arc::new(AtomicUsize::new(0)), Arc::new(AtomicBool::new(false)));
        let (h, s) = (hits.clone(), stop.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::Relaxed) {
                match l.accept() {
                    Ok(_) => {
                        h.fetch_add(1, Ordering::Relaxed);
                    }
                    Err(e) if e.kind() == ErrorKind::WouldBlock => std::thread::sleep(Duration::from_millis(20)),
                    Err(e) => panic!("tripwire accept: {e}"),
                }
            }
        });
        Tripwire { addr, hits, stop, thread: Some(thread) }
    }

    /// The proxy URL to give the peers (`http://127.0.0.1:PORT`).
    pub fn addr(&self) -> &str {
        &self.addr
    }

    /// Connections made so far.
    pub fn hits(&self) -> usize {
        self.hits.load(Ordering::Relaxed)
    }
}

impl Default for Tripwire {
    fn default() -> Self {
        Tripwire::new()
    }
}

impl Drop for Tripwire {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// A peer's command: nothing inherited, its home (config, cache) in `home`, the fetches syft
/// and the Go tooling could make switched off, requests to `proxy` (a [`Tripwire`]).
pub fn command(tool: &Path, home: &Path, proxy: &str) -> Command {
    let mut c = Command::new(tool);
    c.env_clear()
        .env("HOME", home)
        .env("XDG_CONFIG_HOME", home.join("config"))
        .env("XDG_CACHE_HOME", home.join("cache"))
        .env("SYFT_CACHE_DIR", home.join("cache/syft"))
        .env("SYFT_CHECK_FOR_APP_UPDATE", "false")
        .env("SYFT_GOLANG_SEARCH_REMOTE_LICENSES", "false")
        .env("SYFT_GOLANG_SEARCH_LOCAL_MOD_CACHE_LICENSES", "false")
        .env("SYFT_GOLANG_USE_PACKAGES_LIB", "false")
        .env("SYFT_GOLANG_PROXY", "off")
        .env("SYFT_JAVA_USE_NETWORK", "false")
        .env("SYFT_JAVASCRIPT_SEARCH_REMOTE_LICENSES", "false")
        .env("SYFT_PYTHON_SEARCH_REMOTE_LICENSES", "false")
        .env("GOPROXY", "off")
        .env("HTTP_PROXY", proxy)
        .env("HTTPS_PROXY", proxy)
        .env("http_proxy", proxy)
        .env("https_proxy", proxy)
        .current_dir(home);
    c
}
