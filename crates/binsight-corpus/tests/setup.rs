//! The setup contract: every Debian package the tests and the corpus use is named in
//! scripts/debian-packages.txt (which scripts/test.sh installs), so a fresh machine gets it —
//! nothing may arrive only as another package's *recommendation*, or because someone once
//! installed it by hand. The tools are found where the tests find them, and the package that
//! owns each is asked of dpkg, not assumed.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

fn repo() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

fn listed() -> BTreeSet<String> {
    let text =
        std::fs::read_to_string(repo().join("scripts/debian-packages.txt")).expect("scripts/debian-packages.txt");
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| !l.is_empty())
        .map(|l| l.split_whitespace().next().unwrap_or("").to_string())
        .collect()
}

fn dpkg_query(args: &[&str]) -> Option<String> {
    let o = Command::new("dpkg-query").args(args).output().ok()?;
    o.status.success().then(|| String::from_utf8_lossy(&o.stdout).trim().to_string())
}

/// Packages every Debian root has (debootstrap's minbase installs the Essential and required ones).
fn in_every_root(pkg: &str) -> bool {
    let f = dpkg_query(&["-W", "-f", "${Essential} ${Priority}", pkg]).unwrap_or_default();
    f.starts_with("yes") || f.ends_with("required")
}

/// The listed packages and everything they hard-depend on (Depends and Pre-Depends, never
/// Recommends), as dpkg records them for the installed packages.
fn dependency_closure(roots: &BTreeSet<String>) -> BTreeSet<String> {
    // One dpkg-query for every installed package: name -> its dependencies.
    let all = dpkg_query(&["-W", "-f", "${Package}\t${Status}\t${Depends}, ${Pre-Depends}\n"]).unwrap_or_default();
    let deps: std::collections::BTreeMap<&str, &str> = all
        .lines()
        .filter_map(|l| {
            let mut it = l.splitn(3, '\t');
            let (name, status, deps) = (it.next()?, it.next()?, it.next()?);
            status.ends_with(" installed").then_some((name, deps))
        })
        .collect();
    let mut seen: BTreeSet<String> = BTreeSet::new();
    let mut todo: Vec<String> = roots.iter().cloned().collect();
    while let Some(p) = todo.pop() {
        if !seen.insert(p.clone()) {
            continue;
        }
        for alt in deps.get(p.as_str()).copied().unwrap_or("").split(',').flat_map(|d| d.split('|')) {
            // "libc6 (>= 2.34)", "python3:any"
            let name = alt.split_whitespace().next().unwrap_or("").split(':').next().unwrap_or("");
            if deps.contains_key(name) {
                todo.push(name.to_string());
            }
        }
    }
    seen
}

/// The packages that own `path` (the link itself first, then its target; a diverted file names
/// the diverting package too).
fn owner(path: &Path) -> Vec<String> {
    let real = std::fs::canonicalize(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    for p in [path, real.as_path()] {
        let o = Command::new("dpkg").arg("-S").arg(p).output().expect("dpkg -S");
        let text = String::from_utf8_lossy(&o.stdout);
        // "pkg: /usr/bin/x" or "diversion by pkg from: /usr/bin/x" lines.
        if let Some(line) = text.lines().find(|l| !l.starts_with("diversion")) {
            return line.split(':').next().unwrap_or("").split(',').map(|p| p.trim().to_string()).collect();
        }
    }
    panic!("{} belongs to no Debian package: install it from a package and name that package", path.display())
}

fn which(tool: &str) -> std::path::PathBuf {
    let path = std::env::var_os("PATH").expect("PATH");
    std::env::split_paths(&path).map(|d| d.join(tool)).find(|p| p.is_file()).unwrap_or_else(|| {
        panic!("{tool} not on PATH: run scripts/test.sh, which installs scripts/debian-packages.txt")
    })
}

#[test]
fn every_listed_package_is_installed() {
    let pkgs = listed();
    assert!(pkgs.len() > 10, "{pkgs:?}");
    let missing: Vec<&String> = pkgs
        .iter()
        .filter(|p| !dpkg_query(&["-W", "-f", "${Status}", p]).is_some_and(|s| s.ends_with(" installed")))
        .collect();
    assert!(
        missing.is_empty(),
        "not installed: {missing:?}: scripts/test.sh installs them (apt-get install -y --no-install-recommends ...)"
    );
}

#[test]
fn every_tool_the_tests_and_recipes_run_comes_from_a_listed_package() {
    let pkgs = dependency_closure(&listed());
    // What the corpus recipes (corpus/recipes/c.py) and the integration tests execute.
    let tools = [
        "gcc",
        "musl-gcc",
        "aarch64-linux-gnu-gcc",
        "arm-linux-gnueabihf-gcc",
        "strip",
        "x86_64-linux-gnu-strip",
        "aarch64-linux-gnu-strip",
        "arm-linux-gnueabihf-strip",
        "docker-registry",
        "skopeo",
        "umoci",
        "qemu-aarch64-static",
        "setpriv",
        "chroot",
        "dpkg-deb",
        "apt-get",
        "git",
    ];
    let mut bad = Vec::new();
    for t in tools {
        let owners = owner(&which(t));
        if !owners.iter().any(|p| pkgs.contains(p) || in_every_root(p)) {
            bad.push(format!("{t} (from {})", owners.join(", ")));
        }
    }
    assert!(
        bad.is_empty(),
        "tools from packages that scripts/debian-packages.txt neither names nor depends on: {bad:?}"
    );
}

#[test]
fn the_cross_c_libraries_are_named_not_left_to_recommends() {
    let pkgs = listed();
    // The cross gccs only *recommend* these: without them a fresh machine cannot link (issue 12).
    for p in ["libc6-dev-arm64-cross", "libc6-dev-armhf-cross", "binutils-multiarch"] {
        assert!(pkgs.contains(p), "{p} missing from scripts/debian-packages.txt");
    }
    // And the corpus recipe's own list is a subset of the file.
    let c = std::fs::read_to_string(repo().join("corpus/recipes/c.py")).expect("c.py");
    let start = c.find("APT_PACKAGES = [").expect("APT_PACKAGES in c.py");
    let end = start + c[start..].find(']').expect("end of APT_PACKAGES");
    for name in c[start..end].split('"').skip(1).step_by(2) {
        assert!(pkgs.contains(name), "c.py installs {name}, which scripts/debian-packages.txt does not name");
    }
}
