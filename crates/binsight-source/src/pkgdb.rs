//! The package database of an image or root filesystem: dpkg's `status` (and distroless
//! `status.d/`), its `info/*.list` file lists, apk's `installed`, and `/etc/os-release` for the
//! package URLs. Which package installed a file, and what that package says it links
//! statically (`Built-Using`, `Static-Built-Using`, `X-Cargo-Built-Using`).
//!
//! Every file is untrusted: each is read whole only under [`MAX_DB_FILE`], all of them under
//! [`MAX_DB_TOTAL`], at most [`MAX_DB_FILES`] files; a line or stanza that does not parse is
//! skipped, never an error for the rest.

use std::collections::HashMap;
use std::path::Path;

use binsight_model::{BinaryReport, BuiltUsing, OsPackage, PackageManager};

/// Largest package-database file read (dpkg's status of a full distribution is a few MiB).
pub const MAX_DB_FILE: u64 = 32 << 20;
/// Bytes of package-database files read per image or root, at most.
pub const MAX_DB_TOTAL: u64 = 256 << 20;
/// Package-database files read per image or root, at most (one `.list` per package).
pub const MAX_DB_FILES: usize = 50_000;
/// Packages kept, at most.
const MAX_PACKAGES: usize = 100_000;
/// Files attributed, at most.
const MAX_OWNED_FILES: usize = 5_000_000;

/// Is `path` (absolute, inside the image or root) a file of a package database binsight reads?
pub fn is_db_file(path: &str) -> bool {
    path == "/var/lib/dpkg/status"
        || path == "/lib/apk/db/installed"
        || path == "/etc/os-release"
        || path == "/usr/lib/os-release"
        || (path.starts_with("/var/lib/dpkg/status.d/") && !path[23..].contains('/'))
        || (path.starts_with("/var/lib/dpkg/info/") && path.ends_with(".list") && !path[19..].contains('/'))
        // Not a package database, but read with it: where the loader looks for libraries
        // (crate::loader).
        || path == "/etc/ld.so.conf"
        || (path.starts_with("/etc/ld.so.conf.d/") && path.ends_with(".conf") && !path[18..].contains('/'))
}

/// The packages of one image or root and the files each installed.
#[derive(Debug, Default)]
pub struct PackageDb {
    packages: Vec<OsPackage>,
    /// File path → index in `packages`.
    owners: HashMap<String, usize>,
    /// Files of the database that could not be used, with why.
    pub problems: Vec<String>,
}

impl PackageDb {
    /// Build from the database files of an image (path inside the image, bytes), as
    /// [`is_db_file`] picked them.
    pub fn from_files(files: &[(String, Vec<u8>)]) -> PackageDb {
        let text = |p: &str| files.iter().find(|(f, _)| f == p).map(|(_, b)| String::from_utf8_lossy(b));
        let os = text("/etc/os-release").or_else(|| text("/usr/lib/os-release")).map(|t| os_release(&t));
        let mut db = PackageDb::default();
        if let Some(t) = text("/var/lib/dpkg/status") {
            db.add_dpkg(&t, None, os.as_ref());
        }
        for (p, b) in files.iter().filter(|(p, _)| p.starts_with("/var/lib/dpkg/status.d/")) {
            let t = String::from_utf8_lossy(b);
            if p.ends_with(".md5sums") {
                continue;
            }
            // Distroless: one stanza per file; its files are in NAME.md5sums beside it.
            let sums =
                files.iter().find(|(f, _)| *f == format!("{p}.md5sums")).map(|(_, b)| String::from_utf8_lossy(b));
            db.add_dpkg(&t, sums.as_deref(), os.as_ref());
        }
        for (p, b) in files.iter().filter(|(p, _)| p.starts_with("/var/lib/dpkg/info/")) {
            let base = &p["/var/lib/dpkg/info/".len()..p.len() - ".list".len()];
            let name = base.split(':').next().unwrap_or(base);
            let Some(i) = db.packages.iter().position(|x| x.manager == PackageManager::Dpkg && x.name == name) else {
                continue;
            };
            for line in String::from_utf8_lossy(b).lines() {
                db.own(line.trim(), i);
            }
        }
        if let Some(t) = text("/lib/apk/db/installed") {
            db.add_apk(&t, os.as_ref());
        }
        db
    }

    /// Read the database files of a root filesystem at `root` (a directory scan), bounded like
    /// an image's. `None` when it has none.
    pub fn from_root(root: &Path) -> Option<PackageDb> {
        let mut files = Vec::new();
        let mut total = 0u64;
        let mut problems = Vec::new();
        let mut take = |rel: String, files: &mut Vec<(String, Vec<u8>)>| {
            if files.len() >= MAX_DB_FILES || total >= MAX_DB_TOTAL {
                return;
            }
            let path = root.join(rel.trim_start_matches('/'));
            let limits = crate::Limits { max_file_size: MAX_DB_FILE.min(MAX_DB_TOTAL - total) };
            match crate::read_file(&path, &limits) {
                Ok(b) => {
                    total += b.len() as u64;
                    files.push((rel, b));
                }
                Err(crate::SourceError::Io { ref source, .. }) if source.kind() == std::io::ErrorKind::NotFound => {}
                // os-release is often a symlink (not followed): the other one is read.
                Err(_) if rel.ends_with("os-release") => {}
                Err(e) => problems.push(e.to_string()),
            }
        };
        for f in ["/var/lib/dpkg/status", "/lib/apk/db/installed", "/etc/os-release", "/usr/lib/os-release"] {
            take(f.to_string(), &mut files);
        }
        for dir in ["/var/lib/dpkg/status.d", "/var/lib/dpkg/info"] {
            let Ok(rd) = std::fs::read_dir(root.join(dir.trim_start_matches('/'))) else { continue };
            let mut names: Vec<String> = rd.flatten().filter_map(|e| e.file_name().into_string().ok()).collect();
            names.sort();
            for n in names {
                let rel = format!("{dir}/{n}");
                if is_db_file(&rel) {
                    take(rel, &mut files);
                }
            }
        }
        let has_db = files.iter().any(|(p, _)| p != "/etc/os-release" && p != "/usr/lib/os-release");
        if !has_db {
            return None;
        }
        let mut db = PackageDb::from_files(&files);
        db.problems.extend(problems);
        Some(db)
    }

    /// The package that installed `path` (absolute, inside the image or root).
    pub fn owner(&self, path: &str) -> Option<&OsPackage> {
        self.owners.get(path).and_then(|&i| self.packages.get(i))
    }

    /// How many packages it lists.
    pub fn len(&self) -> usize {
        self.packages.len()
    }

    /// It lists no package.
    pub fn is_empty(&self) -> bool {
        self.packages.is_empty()
    }

    fn own(&mut self, path: &str, i: usize) {
        if path.starts_with('/') && self.owners.len() < MAX_OWNED_FILES {
            self.owners.insert(path.to_string(), i);
        }
    }

    /// dpkg stanzas (`status`, or one `status.d/` file with its `.md5sums`).
    fn add_dpkg(&mut self, text: &str, md5sums: Option<&str>, os: Option<&(String, String)>) {
        for stanza in stanzas(text) {
            if self.packages.len() >= MAX_PACKAGES {
                break;
            }
            let get = |k: &str| stanza.iter().find(|(f, _)| f.eq_ignore_ascii_case(k)).map(|(_, v)| v.as_str());
            let (Some(name), Some(version)) = (get("Package"), get("Version")) else { continue };
            // dpkg keeps removed-but-configured packages in status: only installed ones count.
            if get("Status").is_some_and(|s| !s.ends_with(" installed")) {
                continue;
            }
            if !is_package_token(name) || !is_package_token(version) {
                continue;
            }
            let source =
                get("Source").map(|s| s.split_whitespace().next().unwrap_or(s).to_string()).filter(|s| s != name);
            let arch = get("Architecture").filter(|a| is_package_token(a));
            let mut built_using = Vec::new();
            for field in ["Built-Using", "Static-Built-Using", "X-Cargo-Built-Using"] {
                if let Some(v) = get(field) {
                    built_using.extend(relations(v, field));
                }
            }
            let purl = os.map(|(id, _)| {
                let mut p = format!("pkg:deb/{id}/{name}@{}", purl_escape(version));
                if let Some(a) = arch {
                    p.push_str(&format!("?arch={a}"));
                }
                p
            });
            self.packages.push(OsPackage {
                manager: PackageManager::Dpkg,
                name: name.to_string(),
                version: version.to_string(),
                source,
                purl,
                built_using,
            });
            let i = self.packages.len() - 1;
            for line in md5sums.unwrap_or("").lines() {
                // "<md5>  usr/bin/tool"
                if let Some((_, p)) = line.split_once("  ") {
                    self.own(&format!("/{}", p.trim()), i);
                }
            }
        }
    }

    /// apk's `installed`: blocks of `K:value` lines; `F:` a directory, `R:` a file in it.
    fn add_apk(&mut self, text: &str, os: Option<&(String, String)>) {
        for block in text.split("\n\n") {
            if self.packages.len() >= MAX_PACKAGES {
                break;
            }
            let (mut name, mut version, mut origin, mut arch) = (None, None, None, None);
            let mut files = Vec::new();
            let mut dir = String::new();
            for line in block.lines() {
                let Some((k, v)) = line.split_once(':') else { continue };
                match k {
                    "P" => name = Some(v),
                    "V" => version = Some(v),
                    "o" => origin = Some(v),
                    "A" => arch = Some(v),
                    "F" => dir = v.to_string(),
                    "R" => files.push(format!("/{dir}/{v}").replace("//", "/")),
                    _ => {}
                }
            }
            let (Some(name), Some(version)) = (name, version) else { continue };
            if !is_package_token(name) || !is_package_token(version) {
                continue;
            }
            let purl = os.map(|(id, _)| {
                let mut p = format!("pkg:apk/{id}/{name}@{}", purl_escape(version));
                if let Some(a) = arch.filter(|a| is_package_token(a)) {
                    p.push_str(&format!("?arch={a}"));
                }
                p
            });
            self.packages.push(OsPackage {
                manager: PackageManager::Apk,
                name: name.to_string(),
                version: version.to_string(),
                source: origin.filter(|o| *o != name && is_package_token(o)).map(str::to_string),
                purl,
                built_using: Vec::new(),
            });
            let i = self.packages.len() - 1;
            for f in files {
                self.own(&f, i);
            }
        }
    }
}

/// Record that `pkg` installed the file of `report`, and add what its control fields say the
/// file links statically: each `rust-NAME (= V)` of `X-Cargo-Built-Using` as crate NAME V (the
/// crate the paths already showed gets the field as evidence; crates.io treats `-` and `_`
/// alike, and a Debian semver suffix such as `rust-clap-2` is dropped when it is the version's
/// major), `golang-*` entries as evidence on the Go module they name (Debian's naming habit;
/// no version is set: Debian's versions are not Go's), and `glibc (= V)` as a static glibc's
/// exact version. Returns whether components were added (an audit must then run again).
pub fn attribute(report: &mut BinaryReport, pkg: &OsPackage) -> bool {
    use binsight_model::{Component, ComponentKind, Confidence, Evidence, LibcFamily, VersionRange};
    let (mut added, mut crates) = (false, false);
    for b in &pkg.built_using {
        let ev = Evidence::new(
            "package-built-using",
            format!(
                "{}: {} (= {}) of {} package {} {}",
                b.field, b.package, b.version, pkg.manager, pkg.name, pkg.version
            ),
        );
        let upstream = debian_upstream(&b.version);
        if let Some(name) = b.package.strip_prefix("rust-").map(|n| crate_name(n, &upstream)) {
            let same = |c: &Component| {
                c.kind == ComponentKind::RustCrate
                    && c.name.to_ascii_lowercase().replace('_', "-") == name
                    && c.version.as_deref() == Some(upstream.as_str())
            };
            match report.components.iter_mut().find(|c| same(c)) {
                Some(c) => c.evidence.push(ev),
                None => {
                    report.components.push(Component {
                        purl: Some(format!("pkg:cargo/{name}@{upstream}")),
                        name,
                        version: Some(upstream.clone()),
                        cpe: None,
                        kind: ComponentKind::RustCrate,
                        found_by: "package-built-using".into(),
                        source: Some("distro".into()),
                        root: false,
                        build_only: false,
                        bundle: None,
                        evidence: vec![ev],
                    });
                    (added, crates) = (true, true);
                }
            }
        } else if b.package.starts_with("golang-") {
            if let Some(c) = report
                .components
                .iter_mut()
                .find(|c| c.kind == ComponentKind::GoModule && debian_go_name(&c.name) == b.package)
            {
                c.evidence.push(ev);
            }
        } else if b.package == "glibc" && report.libc.family == LibcFamily::Glibc && report.elf.linkage.is_static() {
            let exact = VersionRange::exact(upstream.clone());
            if report.libc.version.as_ref() != Some(&exact) {
                report.libc.version = Some(exact);
                report.libc.version_confidence = Confidence::Exact;
                report.libc.version_evidence.insert(0, ev.clone());
                if let Some(c) =
                    report.components.iter_mut().find(|c| c.kind == ComponentKind::Libc && c.name == "glibc")
                {
                    c.version = Some(upstream.clone());
                    c.purl = Some(format!("pkg:generic/glibc@{upstream}"));
                    c.cpe = Some(format!("cpe:2.3:a:gnu:glibc:{upstream}:*:*:*:*:*:*:*"));
                    c.evidence.push(ev);
                }
                added = true;
            }
        }
    }
    report.package = Some(pkg.clone());
    if crates && report.components_completeness == binsight_model::Completeness::None {
        report.components_completeness = binsight_model::Completeness::Partial;
    }
    added
}

/// Debian version → upstream: no epoch, no revision, no `+dfsg`/`+ds` repack suffix.
fn debian_upstream(v: &str) -> String {
    let v = v.split_once(':').map_or(v, |(_, r)| r);
    let v = v.rsplit_once('-').map_or(v, |(u, _)| u);
    let cut = ["+dfsg", "+ds"].iter().filter_map(|m| v.find(m)).min().unwrap_or(v.len());
    v[..cut].to_string()
}

/// `clap-2` at 2.34.0 → `clap`; `cfg-if-0.1` at 0.1.10 → `cfg-if`; `sha-1` at 0.10.1 → `sha-1`
/// (the suffix is Debian's semver suffix only when it is the version's major, or `0.minor`).
fn crate_name(deb: &str, version: &str) -> String {
    let mut parts = version.split('.');
    let (major, minor) = (parts.next().unwrap_or(""), parts.next().unwrap_or(""));
    let suffix = if major == "0" { format!("-0.{minor}") } else { format!("-{major}") };
    deb.strip_suffix(&suffix).filter(|n| !n.is_empty()).unwrap_or(deb).to_string()
}

/// The source package name Debian's Go team gives a module path (`github.com/pkg/sftp` →
/// `golang-github-pkg-sftp`; `golang.org/x/net` → `golang-golang-x-net`; `google.golang.org/grpc`
/// → `golang-google-grpc`; `gopkg.in/yaml.v3` → `golang-gopkg-yaml.v3`): a naming habit, which
/// not every package follows.
pub fn debian_go_name(module: &str) -> String {
    let m = module.to_ascii_lowercase();
    let hosts = [
        ("github.com/", "github/"),
        ("golang.org/x/", "golang-x/"),
        ("google.golang.org/", "google/"),
        ("gopkg.in/", "gopkg/"),
    ];
    let m = hosts.iter().find_map(|(from, to)| m.strip_prefix(from).map(|rest| format!("{to}{rest}"))).unwrap_or(m);
    format!("golang-{}", m.replace('/', "-"))
}

/// deb822 stanzas: (field, value) pairs, continuation lines joined with a space.
fn stanzas(text: &str) -> impl Iterator<Item = Vec<(String, String)>> + '_ {
    text.split("\n\n").map(|block| {
        let mut fields: Vec<(String, String)> = Vec::new();
        for line in block.lines() {
            if line.starts_with([' ', '\t']) {
                if let Some((_, v)) = fields.last_mut() {
                    if v.len() < 1 << 20 {
                        v.push(' ');
                        v.push_str(line.trim());
                    }
                }
            } else if let Some((k, v)) = line.split_once(':') {
                fields.push((k.trim().to_string(), v.trim().to_string()));
            }
        }
        fields
    })
}

/// `a (= 1.0-1), b (= 2)` → entries; entries without an exact version are left out.
fn relations(value: &str, field: &str) -> Vec<BuiltUsing> {
    value
        .split(',')
        .filter_map(|part| {
            let (name, rest) = part.trim().split_once(' ')?;
            let v = rest.trim().strip_prefix('(')?.strip_suffix(')')?.trim().strip_prefix('=')?.trim();
            (is_package_token(name) && is_package_token(v)).then(|| BuiltUsing {
                package: name.to_string(),
                version: v.to_string(),
                field: field.to_string(),
            })
        })
        .collect()
}

/// A package name or version as Debian and Alpine write them: printable ASCII, no spaces, at
/// most 256 bytes (anything else is not used: it would reach terminals and SBOMs).
fn is_package_token(s: &str) -> bool {
    !s.is_empty() && s.len() <= 256 && s.bytes().all(|b| b.is_ascii_graphic() && b != b'"' && b != b'\\')
}

/// A version inside a purl: `+`, `:`, `~` and `%` percent-encoded.
fn purl_escape(v: &str) -> String {
    v.replace('%', "%25").replace('+', "%2B").replace(':', "%3A").replace('~', "%7E")
}

/// `/etc/os-release` → (ID, VERSION_ID), ID as a purl namespace (`debian`, `alpine`).
fn os_release(text: &str) -> (String, String) {
    let get = |k: &str| {
        text.lines()
            .find_map(|l| l.strip_prefix(k)?.strip_prefix('='))
            .map(|v| v.trim().trim_matches('"').to_string())
            .filter(|v| v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'.' || b == b'-' || b == b'_'))
            .unwrap_or_default()
    };
    let id = get("ID");
    (if id.is_empty() { "linux".into() } else { id }, get("VERSION_ID"))
}

#[cfg(test)]
mod tests {
    use super::*;

    const STATUS: &str = "Package: ripgrep\nStatus: install ok installed\nArchitecture: amd64\n\
        Source: rust-ripgrep\nVersion: 13.0.0-4+b2\nBuilt-Using: rustc (= 1.63.0+dfsg1-2)\n\
        X-Cargo-Built-Using: rust-aho-corasick (= 0.7.19-1), rust-clap-2 (= 2.34.0-3),\n rust-memchr (= 2.5.0-1)\n\
        Description: fast\n search\n\n\
        Package: gone\nStatus: deinstall ok config-files\nVersion: 1.0\n\n\
        Package: evil\x1b[31m\nStatus: install ok installed\nVersion: 1\n";

    fn files(extra: &[(&str, &str)]) -> Vec<(String, Vec<u8>)> {
        let mut v = vec![
            ("/var/lib/dpkg/status".to_string(), STATUS.as_bytes().to_vec()),
            ("/etc/os-release".to_string(), b"ID=debian\nVERSION_ID=\"12\"\n".to_vec()),
            ("/var/lib/dpkg/info/ripgrep.list".to_string(), b"/.\n/usr/bin\n/usr/bin/rg\n".to_vec()),
        ];
        v.extend(extra.iter().map(|(p, b)| (p.to_string(), b.as_bytes().to_vec())));
        v
    }

    #[test]
    fn dpkg_status_and_lists_attribute_files() {
        let db = PackageDb::from_files(&files(&[]));
        assert_eq!(db.len(), 1, "removed and malformed packages are left out");
        let p = db.owner("/usr/bin/rg").expect("owned");
        assert_eq!((p.name.as_str(), p.version.as_str()), ("ripgrep", "13.0.0-4+b2"));
        assert_eq!(p.source.as_deref(), Some("rust-ripgrep"));
        assert_eq!(p.purl.as_deref(), Some("pkg:deb/debian/ripgrep@13.0.0-4%2Bb2?arch=amd64"));
        let bu: Vec<(&str, &str, &str)> =
            p.built_using.iter().map(|b| (b.package.as_str(), b.version.as_str(), b.field.as_str())).collect();
        assert_eq!(
            bu,
            [
                ("rustc", "1.63.0+dfsg1-2", "Built-Using"),
                ("rust-aho-corasick", "0.7.19-1", "X-Cargo-Built-Using"),
                ("rust-clap-2", "2.34.0-3", "X-Cargo-Built-Using"),
                ("rust-memchr", "2.5.0-1", "X-Cargo-Built-Using"),
            ]
        );
        assert!(db.owner("/usr/bin/other").is_none());
    }

    #[test]
    fn distroless_status_d_and_apk_are_read() {
        let db = PackageDb::from_files(&[
            ("/var/lib/dpkg/status.d/base".into(), b"Package: base-files\nVersion: 12.4\nArchitecture: amd64\n".to_vec()),
            ("/var/lib/dpkg/status.d/base.md5sums".into(), b"0123  usr/lib/os-release\nabcd  etc/issue\n".to_vec()),
            (
                "/lib/apk/db/installed".into(),
                b"C:Q1x\nP:musl\nV:1.2.5-r1\nA:x86_64\no:musl\nF:lib\nR:ld-musl-x86_64.so.1\n\nP:busybox\nV:1.36.1-r2\nF:bin\nR:busybox\n"
                    .to_vec(),
            ),
        ]);
        assert_eq!(db.owner("/etc/issue").map(|p| p.name.as_str()), Some("base-files"));
        assert_eq!(db.owner("/lib/ld-musl-x86_64.so.1").map(|p| p.version.as_str()), Some("1.2.5-r1"));
        assert_eq!(db.owner("/bin/busybox").map(|p| p.manager), Some(PackageManager::Apk));
        assert_eq!(db.owner("/bin/busybox").and_then(|p| p.purl.clone()), None, "no os-release: no namespace");
    }

    #[test]
    fn which_files_are_read() {
        for p in [
            "/var/lib/dpkg/status",
            "/var/lib/dpkg/info/libc6:amd64.list",
            "/var/lib/dpkg/status.d/x",
            "/lib/apk/db/installed",
        ] {
            assert!(is_db_file(p), "{p}");
        }
        for p in
            ["/var/lib/dpkg/info/x.md5sums", "/var/lib/dpkg/info/a/b.list", "/var/lib/dpkg/status-old", "/usr/bin/rg"]
        {
            assert!(!is_db_file(p), "{p}");
        }
    }

    #[test]
    fn debian_names_map_to_crates() {
        assert_eq!(crate_name("clap-2", "2.34.0"), "clap");
        assert_eq!(crate_name("cfg-if-0.1", "0.1.10"), "cfg-if");
        assert_eq!(crate_name("sha-1", "0.10.1"), "sha-1");
        assert_eq!(crate_name("aho-corasick", "0.7.19"), "aho-corasick");
        assert_eq!(debian_upstream("1:1.2.13.dfsg-1"), "1.2.13.dfsg");
        assert_eq!(debian_upstream("1.63.0+dfsg1-2"), "1.63.0");
        assert_eq!(debian_upstream("2.36-9+deb12u14"), "2.36");
        assert_eq!(debian_go_name("github.com/pkg/sftp"), "golang-github-pkg-sftp");
        assert_eq!(debian_go_name("golang.org/x/net"), "golang-golang-x-net");
    }

    #[test]
    fn relations_keep_exact_versions_only() {
        let r = relations("a (= 1.0-1), b (>= 2), c, d\x1b (= 1)", "Built-Using");
        assert_eq!(r.len(), 1);
        assert_eq!(r[0].package, "a");
    }
}
