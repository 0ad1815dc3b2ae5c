//! Which files of an image or root filesystem the dynamic loader would load for a dynamic
//! binary: its `DT_NEEDED` libraries looked up the way `ld.so` does (`DT_RPATH` unless there is
//! a `DT_RUNPATH`, then `DT_RUNPATH`, then the directories of `/etc/ld.so.conf`, then the
//! standard ones; musl's loader: `/etc/ld-musl-ARCH.path` is not read, its default directories
//! are), and its `PT_INTERP` loader. Then the libraries' facts are brought into the binary's
//! report: the versions of the C libraries they carry (OpenSSL in `libcrypto.so.3`, zlib in
//! `libz.so.1`) and of the libc itself (musl's version in `ld-musl-x86_64.so.1`).
//!
//! The scans never follow a symbolic link to read a file, but they keep the image's links, and
//! the lookup goes through them as the loader would (`libz.so.1` → `libz.so.1.2.13`, a merged
//! `/usr`'s `/lib` → `usr/lib`), within [`MAX_HOPS`] and never above the root.

use std::collections::HashMap;

use binsight_model::{BinaryReport, Bundle, BundleVia, Component, ComponentKind, Evidence, LibcFamily};

/// Most `DT_NEEDED` entries followed per binary (a hostile file may list thousands).
const MAX_NEEDED: usize = 256;

/// The standard directories, in the loader's order, for a file's machine and libc.
fn default_dirs(machine: &str, musl: bool) -> Vec<String> {
    if musl {
        return ["/lib", "/usr/local/lib", "/usr/lib"].iter().map(|s| s.to_string()).collect();
    }
    let triplet = match machine {
        "x86_64" => Some("x86_64-linux-gnu"),
        "aarch64" => Some("aarch64-linux-gnu"),
        "arm" => Some("arm-linux-gnueabihf"),
        "i386" => Some("i386-linux-gnu"),
        "riscv64" => Some("riscv64-linux-gnu"),
        "ppc64le" | "powerpc64le" => Some("powerpc64le-linux-gnu"),
        "s390x" => Some("s390x-linux-gnu"),
        _ => None,
    };
    let mut v = Vec::new();
    if let Some(t) = triplet {
        v.push(format!("/lib/{t}"));
        v.push(format!("/usr/lib/{t}"));
    }
    for d in ["/lib64", "/usr/lib64", "/lib", "/usr/lib"] {
        v.push(d.to_string());
    }
    v
}

/// Directories listed by `/etc/ld.so.conf` text (one per line; `include` lines are expanded by
/// the caller, which has the files; comments and blank lines skipped).
pub fn ld_so_conf_dirs(text: &str) -> Vec<String> {
    text.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .filter(|l| l.starts_with('/'))
        .map(|l| l.trim_end_matches('/').to_string())
        .collect()
}

/// `$ORIGIN` (and `${ORIGIN}`) in a run path, from the binary's own directory.
fn expand_origin(dir: &str, binary: &str) -> String {
    let origin = binary.rsplit_once('/').map_or("/", |(d, _)| if d.is_empty() { "/" } else { d });
    dir.replace("${ORIGIN}", origin).replace("$ORIGIN", origin)
}

/// `a/b/../c` → `a/c`, `./` dropped; `None` when `..` would leave the root.
fn normalize(path: &str) -> Option<String> {
    let mut parts: Vec<&str> = Vec::new();
    for p in path.split('/') {
        match p {
            "" | "." => {}
            ".." => {
                parts.pop()?;
            }
            _ => parts.push(p),
        }
    }
    Some(format!("/{}", parts.join("/")))
}

/// Hops followed through symbolic links for one path (the kernel allows 40).
const MAX_HOPS: usize = 40;

/// The files and symbolic links of one image or root.
struct Tree<'f> {
    files: HashMap<&'f str, usize>,
    links: HashMap<&'f str, &'f str>,
}

impl Tree<'_> {
    /// `path` with every symbolic link along it (directories too: a merged `/usr`'s
    /// `/lib` → `usr/lib`) replaced by its target; `None` past [`MAX_HOPS`] or the root.
    fn resolve(&self, path: &str) -> Option<String> {
        let mut path = normalize(path)?;
        let mut hops = 0;
        'again: loop {
            let parts: Vec<&str> = path.split('/').filter(|p| !p.is_empty()).collect();
            for k in 1..=parts.len() {
                let prefix = format!("/{}", parts[..k].join("/"));
                if let Some(t) = self.links.get(prefix.as_str()) {
                    hops += 1;
                    if hops > MAX_HOPS {
                        return None;
                    }
                    let base = if t.starts_with('/') {
                        (*t).to_string()
                    } else {
                        format!("/{}/{t}", parts[..k - 1].join("/"))
                    };
                    let rest = parts[k..].join("/");
                    path = normalize(&format!("{base}/{rest}"))?;
                    continue 'again;
                }
            }
            return Some(path);
        }
    }

    /// The file `path` names, through symbolic links: its path (as the scan reported it) and
    /// index, and whether a link was followed.
    fn lookup(&self, path: &str) -> Option<(String, usize, bool)> {
        let direct = normalize(path)?;
        if let Some(i) = self.files.get(direct.as_str()) {
            return Some((direct, *i, false));
        }
        let real = self.resolve(&direct)?;
        self.files.get(real.as_str()).map(|i| (real, *i, true))
    }
}

/// Where `name` would be loaded from for `r`: the file's path and index, and whether a
/// symbolic link was followed.
fn find_library(r: &BinaryReport, name: &str, tree: &Tree<'_>, conf: &[String]) -> Option<(String, usize, bool)> {
    if name.contains('/') {
        return tree.lookup(&expand_origin(name, &r.path));
    }
    let elf = &r.elf;
    let musl = r.libc.family == LibcFamily::Musl;
    let mut dirs: Vec<String> = Vec::new();
    if elf.runpath.is_empty() {
        dirs.extend(elf.rpath.iter().flat_map(|p| p.split(':')).map(|d| expand_origin(d, &r.path)));
    }
    dirs.extend(elf.runpath.iter().flat_map(|p| p.split(':')).map(|d| expand_origin(d, &r.path)));
    if !musl {
        dirs.extend(conf.iter().cloned());
    }
    dirs.extend(default_dirs(&elf.machine, musl));
    dirs.iter().filter(|d| !d.is_empty()).find_map(|d| tree.lookup(&format!("{d}/{name}")))
}

/// What a dynamic binary gets from the shared libraries it loads.
#[derive(Default)]
struct Loaded {
    /// Their C libraries, as components of the binary.
    components: Vec<Component>,
    /// The libc's exact version, from the libc file it loads, when its own data left it open.
    libc: Option<(binsight_model::VersionRange, Evidence)>,
}

/// For every dynamic binary of `reports` (the files of one image or root, paths absolute in
/// it), the C libraries and libc version of the shared libraries the loader would load for it,
/// added to its components and libc. Returns the indexes of the reports that changed (to be
/// audited again). `symlinks` are the image's symbolic links (path, target as written); `conf`
/// is `/etc/ld.so.conf`'s directories, when the image has it.
pub fn resolve_shared_libraries(
    reports: &mut [&mut BinaryReport],
    symlinks: &[(String, String)],
    conf: &[String],
) -> Vec<usize> {
    let paths: Vec<String> = reports.iter().map(|r| r.path.clone()).collect();
    let tree = Tree {
        files: paths.iter().enumerate().map(|(i, p)| (p.as_str(), i)).collect(),
        links: symlinks.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect(),
    };
    let all: Vec<&BinaryReport> = reports.iter().map(|r| &**r).collect();
    let adds: Vec<(usize, Loaded)> = (0..all.len()).filter_map(|i| Some((i, loads(i, &all, &tree, conf)?))).collect();
    let mut changed = Vec::new();
    for (i, l) in adds {
        let r = &mut *reports[i];
        r.components.extend(l.components);
        if let Some((v, ev)) = l.libc {
            r.libc.version = Some(v);
            r.libc.version_evidence.push(ev);
        }
        changed.push(i);
    }
    changed
}

/// What `all[i]` gets from the files its `DT_NEEDED` entries and `PT_INTERP` resolve to;
/// `None` when nothing (a static file, nothing resolved, nothing to add).
fn loads(i: usize, all: &[&BinaryReport], tree: &Tree<'_>, conf: &[String]) -> Option<Loaded> {
    let r = all[i];
    if r.elf.linkage.is_static() {
        return None;
    }
    let mut out = Loaded::default();
    let interp = r.elf.interpreter.iter().map(|p| (p.as_str(), true));
    for (name, is_interp) in r.elf.needed.iter().take(MAX_NEEDED).map(|n| (n.as_str(), false)).chain(interp) {
        let Some((path, j, linked)) = find_library(r, name, tree, conf) else { continue };
        if j == i {
            continue;
        }
        let lib = all[j];
        let how = format!(
            "{} {name} → {path}{}",
            if is_interp { "PT_INTERP" } else { "DT_NEEDED" },
            if linked { " (through symbolic links)" } else { "" }
        );
        for c in lib.components.iter().filter(|c| c.kind == ComponentKind::CLibrary) {
            let known = |x: &Component| x.name == c.name;
            if !out.components.iter().any(known) && !r.components.iter().any(known) {
                out.components.push(loaded(c, &path, lib, &how));
            }
        }
        let exact = r.libc.version.as_ref().and_then(|v| v.as_exact());
        if exact.is_none() && lib.libc.family == r.libc.family && r.libc.family != LibcFamily::Unknown {
            if let Some(v) = lib.libc.version.as_ref().filter(|v| v.as_exact().is_some()) {
                let ev = Evidence::new("loaded-libc", format!("{how}: {} {v}", lib.libc.family.as_str()));
                out.libc = Some((v.clone(), ev));
            }
        }
    }
    (!out.components.is_empty() || out.libc.is_some()).then_some(out)
}

/// `c` (found in the shared library `lib` at `path`) as a component of a binary that loads it.
fn loaded(c: &Component, path: &str, lib: &BinaryReport, how: &str) -> Component {
    let mut evidence = vec![Evidence::new(
        "loaded-library",
        format!("{how}, which carries {} {}", c.name, c.version.as_deref().unwrap_or("(version unknown)")),
    )];
    evidence.extend(c.evidence.iter().take(2).cloned());
    Component {
        found_by: "dt-needed".into(),
        evidence,
        bundle: Some(Bundle {
            confidence: c.bundle.as_ref().map_or(binsight_model::Confidence::Partial, |b| b.confidence),
            via: BundleVia::SharedLibrary,
            via_purl: None,
            crate_coordinates: c.bundle.as_ref().map(|b| b.crate_coordinates.clone()).unwrap_or_default(),
            loaded_from: Some(path.to_string()),
            package: lib.package.as_ref().map(|p| p.name.clone()),
            // A function the shared library lacks is not linked for this program either; one
            // it has may or may not be reached by it (not known from here).
            linked_functions: c
                .bundle
                .iter()
                .flat_map(|b| &b.linked_functions)
                .map(|f| binsight_model::LinkedFunction {
                    name: f.name.clone(),
                    present: (f.present == Some(false)).then_some(false),
                })
                .collect(),
        }),
        ..c.clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths() {
        assert_eq!(expand_origin("$ORIGIN/../lib", "/opt/app/bin/app"), "/opt/app/bin/../lib");
        assert_eq!(normalize("/opt/app/bin/../lib/libx.so").as_deref(), Some("/opt/app/lib/libx.so"));
        assert_eq!(normalize("/../../etc/passwd"), None);
        assert_eq!(ld_so_conf_dirs("# c\ninclude /etc/ld.so.conf.d/*.conf\n/usr/local/lib/\n"), ["/usr/local/lib"]);
        assert_eq!(default_dirs("x86_64", false)[0], "/lib/x86_64-linux-gnu");
        assert_eq!(default_dirs("x86_64", true), ["/lib", "/usr/local/lib", "/usr/lib"]);
        let links = [("/lib", "usr/lib"), ("/usr/lib/x/libz.so.1", "libz.so.1.2.13"), ("/loop", "/loop")];
        let tree = Tree {
            files: [("/usr/lib/x/libz.so.1.2.13", 0)].into_iter().collect(),
            links: links.into_iter().collect(),
        };
        assert_eq!(tree.lookup("/lib/x/libz.so.1"), Some(("/usr/lib/x/libz.so.1.2.13".into(), 0, true)));
        assert_eq!(tree.lookup("/loop/x"), None);
    }
}
