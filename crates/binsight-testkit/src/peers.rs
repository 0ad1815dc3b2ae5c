//! Peers the tests check binsight against: a real registry on loopback (Debian's
//! docker-registry with htpasswd auth) and skopeo; the tools are found by their variables.

use std::path::{Path, PathBuf};

/// The path of a peer tool: `$env`, else `default`; panics naming the Debian `package` to install
/// when it is not a file.
pub fn tool(env: &str, default: &str, package: &str) -> PathBuf {
    let p = std::env::var_os(env).map(PathBuf::from).unwrap_or_else(|| PathBuf::from(default));
    assert!(p.is_file(), "{} not found (set {env}); scripts/test.sh installs Debian's {package}", p.display());
    p
}

/// A registry process on a free loopback port, stopped on drop.
pub struct Registry {
    /// The `docker-registry` process.
    pub child: std::process::Child,
    /// `127.0.0.1:PORT`, where it listens.
    pub addr: String,
}

impl Drop for Registry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Start `docker-registry` with its data, config and log in `dir`, accepting `user`/`password`
/// (htpasswd), and wait until it listens (panics when it exits or does not listen within 10 s).
pub fn start_registry(dir: &Path, user: &str, password: &str) -> Registry {
    let bin = tool("BINSIGHT_DOCKER_REGISTRY", "/usr/bin/docker-registry", "docker-registry");
    let hash = bcrypt::hash(password, 5).expect("bcrypt");
    std::fs::write(dir.join("htpasswd"), format!("{user}:{hash}\n")).expect("htpasswd");
    // Ask the kernel for a free port, then hand it to the registry.
    let port = std::net::TcpListener::bind("127.0.0.1:0").expect("bind").local_addr().expect("addr").port();
    let addr = format!("127.0.0.1:{port}");
    let config = format!(
        "version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: {data}\n\
         http:\n  addr: {addr}\nauth:\n  htpasswd:\n    realm: binsight-test\n    path: {pw}\n",
        data = dir.join("data").display(),
        pw = dir.join("htpasswd").display()
    );
    std::fs::write(dir.join("config.yml"), config).expect("config");
    let log = std::fs::File::create(dir.join("registry.log")).expect("log");
    let child = std::process::Command::new(bin)
        .arg("serve")
        .arg(dir.join("config.yml"))
        .stdout(log.try_clone().expect("log"))
        .stderr(log)
        .spawn()
        .expect("start docker-registry");
    let mut reg = Registry { child, addr };
    for _ in 0..200 {
        if std::net::TcpStream::connect(&reg.addr).is_ok() {
            return reg;
        }
        if let Ok(Some(st)) = reg.child.try_wait() {
            panic!(
                "docker-registry exited ({st}): {}",
                std::fs::read_to_string(dir.join("registry.log")).unwrap_or_default()
            );
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    let _ = reg.child.kill();
    panic!("docker-registry did not listen on {} within 10 s", reg.addr);
}

/// Push the docker archive `archive` to `dest` (`HOST/REPO:TAG`) with skopeo (TLS not verified: the
/// test registry is plain HTTP), with `creds` (`user:password`) and `extra` arguments; panics when
/// skopeo fails.
pub fn skopeo_push(archive: &Path, dest: &str, creds: &str, extra: &[&str]) {
    let skopeo = tool("BINSIGHT_SKOPEO", "/usr/bin/skopeo", "skopeo");
    let o = std::process::Command::new(skopeo)
        .args(["copy", "--quiet", "--dest-tls-verify=false", "--dest-creds", creds])
        .args(extra)
        .arg(format!("docker-archive:{}", archive.display()))
        .arg(format!("docker://{dest}"))
        .output()
        .expect("run skopeo");
    assert!(o.status.success(), "skopeo copy to {dest} failed: {}", String::from_utf8_lossy(&o.stderr));
}
