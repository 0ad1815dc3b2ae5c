//! What a binary was built from, as components with package URLs:
//! - Rust crates: cargo-auditable's `.dep-v0` (complete), else the crate source paths the
//!   compiler leaves behind (`…/registry/src/<registry>/<name>-<version>/…`; partial);
//! - Go modules: the build info (complete);
//! - the Rust or Go standard library (from the toolchain version) and a static binary's libc
//!   (from the libc identification), so their advisories can match.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use binsight_model::{Completeness, Component, ComponentKind, Evidence, VersionRange};

use crate::tsv::{self, TableError};
use crate::{Context, Detector, Meter, ReportDraft};

/// Largest decompressed `.dep-v0` JSON accepted (cargo-auditable's own default is 8 MiB).
const MAX_AUDIT_JSON: usize = 8 << 20;
/// Distinct crates recovered from paths, at most.
const MAX_PATH_CRATES: usize = 10_000;
/// Longest `name-version` directory name considered.
const MAX_DIR: usize = 256;

const LIBC_COMPONENTS: &str = include_str!("../data/libc-components.tsv");
const REGISTRIES: &str = include_str!("../data/cargo-registries.tsv");

/// A row of `data/libc-components.tsv`: how a C library is named as a component.
#[derive(Debug, Clone)]
pub struct LibcComponent {
    /// The libc family as the libc detector names it (`musl`).
    pub family: String,
    /// The component name, also its `pkg:generic` name.
    pub name: String,
    /// CPE `vendor:product`.
    pub cpe: String,
}

/// Parse `data/libc-components.tsv`; `Err` names the first bad row.
pub fn parse_libc_components(text: &str) -> Result<Vec<LibcComponent>, TableError> {
    tsv::load("libc-components.tsv", text, 4, |row| {
        row.required(3, "source")?;
        Ok(LibcComponent {
            family: row.required(0, "family")?.into(),
            name: row.required(1, "name")?.into(),
            cpe: row.required(2, "cpe")?.into(),
        })
    })
}

fn libc_components() -> &'static [LibcComponent] {
    static T: OnceLock<Vec<LibcComponent>> = OnceLock::new();
    tsv::compiled(&T, || parse_libc_components(LIBC_COMPONENTS))
}

/// A row of `data/cargo-registries.tsv`: registry directories of a known source.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Prefix of the directory name under `~/.cargo/registry/src/`.
    pub prefix: String,
    /// The source name reported for crates from such a directory (`crates.io`).
    pub source: String,
}

/// Parse `data/cargo-registries.tsv`; `Err` names the first bad row.
pub fn parse_registries(text: &str) -> Result<Vec<Registry>, TableError> {
    tsv::load("cargo-registries.tsv", text, 3, |row| {
        row.required(2, "source")?;
        Ok(Registry { prefix: row.required(0, "prefix")?.into(), source: row.required(1, "source name")?.into() })
    })
}

fn registries() -> &'static [Registry] {
    static T: OnceLock<Vec<Registry>> = OnceLock::new();
    tsv::compiled(&T, || parse_registries(REGISTRIES))
}

/// The components detector: lists what is linked in (libc, Go modules, Rust crates).
pub struct ComponentsDetector;

impl Detector for ComponentsDetector {
    fn name(&self) -> &'static str {
        "components"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter) {
        let mut comps = Vec::new();
        let mut completeness = Completeness::None;
        if let Some(rustc) = &out.toolchain.rustc {
            completeness = rust_components(cx, rustc, &mut out.unknowns, meter, &mut comps);
        }
        if let Some(go) = &out.toolchain.go {
            go_components(go, &out.go_modules, &mut comps);
            completeness = Completeness::Complete;
        }
        comps.extend(libc_component(cx, &out.libc));
        out.components = comps;
        out.completeness = completeness;
    }
}

/// Rust crates (cargo-auditable's list, else crate source paths) and the standard library;
/// the completeness of the crate list.
fn rust_components(
    cx: &Context<'_>,
    rustc: &binsight_model::Rustc,
    unknowns: &mut Vec<binsight_model::Unknown>,
    meter: &mut Meter,
    comps: &mut Vec<Component>,
) -> Completeness {
    let mut completeness = Completeness::None;
    match auditable(cx) {
        Some(Ok(c)) => {
            comps.extend(c);
            completeness = Completeness::Complete;
        }
        other => {
            if let Some(Err(e)) = other {
                unknowns.push(binsight_model::Unknown {
                    origin: "cargo-auditable".into(),
                    message: format!("{e}; falling back to crate source paths"),
                });
            }
            let c = crates_from_paths(cx.elf.data(), meter);
            if !c.is_empty() {
                completeness = Completeness::Partial;
            }
            comps.extend(c);
        }
    }
    if let Some(v) = &rustc.version {
        comps.push(Component {
            name: "rust-std".into(),
            version: Some(v.clone()),
            purl: Some(format!("pkg:generic/rust-std@{v}")),
            cpe: Some(format!("cpe:2.3:a:rust-lang:rust:{v}:*:*:*:*:*:*:*")),
            kind: ComponentKind::RustStd,
            found_by: "toolchain".into(),
            source: None,
            root: false,
            build_only: false,
            evidence: rustc.evidence.iter().take(2).cloned().collect(),
        });
    }
    completeness
}

/// Go modules (main and dependencies) and the standard library.
fn go_components(go: &binsight_model::Go, modules: &[binsight_model::GoModule], comps: &mut Vec<Component>) {
    let ev = go.evidence.first().cloned().unwrap_or_else(|| Evidence::new("go-buildinfo", ""));
    if let Some(main) = &go.main {
        comps.push(go_component(main, true, &ev));
    }
    for m in modules {
        comps.push(go_component(m, false, &ev));
    }
    let v = go.version.trim_start_matches("go");
    let v = v.split(|c: char| c.is_whitespace() || c == '-').next().unwrap_or(v);
    comps.push(Component {
        name: "stdlib".into(),
        version: Some(format!("v{v}")),
        purl: Some(format!("pkg:golang/stdlib@v{v}")),
        cpe: None,
        kind: ComponentKind::GoStdlib,
        found_by: "go-buildinfo".into(),
        source: None,
        root: false,
        build_only: false,
        evidence: vec![ev],
    });
}

/// The libc a static binary carries (only an exact version goes into purl/CPE).
fn libc_component(cx: &Context<'_>, libc: &binsight_model::Libc) -> Option<Component> {
    if !cx.elf.facts.linkage.is_static() {
        return None;
    }
    let row = libc_components().iter().find(|r| r.family == libc.family.as_str())?;
    let (name, cpe_vendor) = (row.name.as_str(), row.cpe.as_str());
    // Only an exact version goes into purl/CPE; a range stays in the evidence.
    let exact = libc.version.as_ref().and_then(VersionRange::as_exact).map(str::to_string);
    let mut evidence = libc.version_evidence.clone();
    if let Some(r) = libc.version.as_ref().filter(|_| exact.is_none()) {
        evidence.push(Evidence::new("version-range", format!("{name} {r}")));
    }
    Some(Component {
        name: name.into(),
        version: exact.clone(),
        purl: Some(match &exact {
            Some(v) => format!("pkg:generic/{name}@{v}"),
            None => format!("pkg:generic/{name}"),
        }),
        cpe: exact.map(|v| format!("cpe:2.3:a:{cpe_vendor}:{v}:*:*:*:*:*:*:*")),
        kind: ComponentKind::Libc,
        found_by: "libc-detector".into(),
        source: None,
        root: false,
        build_only: false,
        evidence,
    })
}

fn go_component(m: &binsight_model::GoModule, root: bool, ev: &Evidence) -> Component {
    // A replaced module is built from its replacement: report that one.
    let used = m.replace.as_deref().unwrap_or(m);
    let version = Some(used.version.clone()).filter(|v| !v.is_empty() && v != "(devel)");
    let local = used.path.starts_with('.') || used.path.starts_with('/');
    let purl = (!local).then(|| match &version {
        Some(v) => format!("pkg:golang/{}@{v}", used.path),
        None => format!("pkg:golang/{}", used.path),
    });
    let mut evidence = vec![ev.clone()];
    if m.replace.is_some() {
        evidence
            .push(Evidence::new("go-replace", format!("{} {} => {} {}", m.path, m.version, used.path, used.version)));
    }
    Component {
        name: used.path.clone(),
        version,
        purl,
        cpe: None,
        kind: ComponentKind::GoModule,
        found_by: "go-buildinfo".into(),
        source: used.sum.clone().or_else(|| local.then(|| "local".to_string())),
        root,
        build_only: false,
        evidence,
    }
}

/// cargo-auditable's data is there but cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum AuditableError {
    /// Not zlib, over its size limit, malformed JSON or a dependency cycle (the crate's error).
    #[error("cargo-auditable data unreadable: {0}")]
    Unreadable(#[from] auditable_info::Error),
}

/// cargo-auditable's dependency list; `None` without a `.dep-v0` section, `Some(Err)` when it
/// is there but unreadable.
fn auditable(cx: &Context<'_>) -> Option<Result<Vec<Component>, AuditableError>> {
    let (sec, _) = cx.elf.section(".dep-v0")?;
    let off = sec.offset;
    let info = match auditable_info::audit_info_from_slice(cx.elf.data(), MAX_AUDIT_JSON) {
        Ok(i) => i,
        Err(e) => return Some(Err(e.into())),
    };
    let comps = info
        .packages
        .iter()
        .map(|p| {
            let version = p.version.to_string();
            Component {
                name: p.name.clone(),
                purl: Some(format!("pkg:cargo/{}@{version}", p.name)),
                version: Some(version),
                cpe: None,
                kind: ComponentKind::RustCrate,
                found_by: "cargo-auditable".into(),
                source: Some(format!("{:?}", p.source).to_ascii_lowercase().replace("cratesio", "crates.io")),
                root: p.root,
                build_only: matches!(p.kind, auditable_serde::DependencyKind::Build),
                evidence: vec![Evidence::new("cargo-auditable", "dependency list in .dep-v0")
                    .in_section(".dep-v0")
                    .at(off)],
            }
        })
        .collect();
    Some(Ok(comps))
}

/// `name-version` → (name, version): the first split whose right side is a full semver
/// (crate names may contain `-` and digits, e.g. `md-5-0.10.6`).
fn split_name_version(dir: &str) -> Option<(&str, String)> {
    for (i, _) in dir.match_indices('-') {
        let (name, ver) = (&dir[..i], &dir[i + 1..]);
        if name.is_empty() || !ver.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if let Ok(v) = semver::Version::parse(ver) {
            let ok_name = name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-');
            return ok_name.then(|| (name, v.to_string()));
        }
    }
    None
}

/// Crates named by `…/registry/src/<registry dir>/<name>-<version>/` paths in the file.
/// Charges `meter` for each path looked at (a file of nothing but `registry/src/` would
/// otherwise cost a semver parse per 13 bytes); stops with what it has when it runs out.
pub fn crates_from_paths(data: &[u8], meter: &mut Meter) -> Vec<Component> {
    let mut found: BTreeMap<(String, String), (String, u64)> = BTreeMap::new();
    for at in memchr::memmem::find_iter(data, b"registry/src/") {
        if meter.work(2 * MAX_DIR as u64).is_err() {
            break;
        }
        let rest = &data[at + "registry/src/".len()..];
        let Some(slash) = rest.iter().take(MAX_DIR).position(|b| *b == b'/') else { continue };
        let registry = &rest[..slash];
        let rest = &rest[slash + 1..];
        let Some(end) = rest.iter().take(MAX_DIR).position(|b| *b == b'/' || *b == b'\\') else { continue };
        let (Ok(registry), Ok(dir)) = (std::str::from_utf8(registry), std::str::from_utf8(&rest[..end])) else {
            continue;
        };
        let Some((name, version)) = split_name_version(dir) else { continue };
        let source = registries().iter().find(|r| registry.starts_with(&r.prefix)).map_or("registry", |r| &r.source);
        if found.len() >= MAX_PATH_CRATES {
            break;
        }
        found.entry((name.to_string(), version)).or_insert((source.to_string(), at as u64));
    }
    found
        .into_iter()
        .map(|((name, version), (source, off))| Component {
            purl: Some(format!("pkg:cargo/{name}@{version}")),
            evidence: vec![Evidence::new("crate-source-path", format!("registry/src/…/{name}-{version}/")).at(off)],
            name,
            version: Some(version),
            cpe: None,
            kind: ComponentKind::RustCrate,
            found_by: "panic-path".into(),
            source: Some(source),
            root: false,
            build_only: false,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_versions_split_right() {
        assert_eq!(split_name_version("serde-1.0.200"), Some(("serde", "1.0.200".into())));
        assert_eq!(split_name_version("md-5-0.10.6"), Some(("md-5", "0.10.6".into())));
        assert_eq!(split_name_version("windows-sys-0.52.0"), Some(("windows-sys", "0.52.0".into())));
        assert_eq!(split_name_version("foo-1.0.0-beta.2"), Some(("foo", "1.0.0-beta.2".into())));
        assert_eq!(split_name_version("nover"), None);
        assert_eq!(split_name_version("bad name-1.0.0"), None);
    }

    #[test]
    fn crate_paths_are_found_and_deduplicated() {
        let data = b"xx/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/de.rs\0\
            /cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/ser.rs\0\
            /c/registry/src/my-registry-0123456789abcdef/md-5-0.10.6/src/lib.rs\0\
            /c/registry/src/x/notacrate/src/lib.rs\0/c/registry/src/";
        let c = crates_from_paths(data, &mut Meter::new(crate::Budget::default()));
        let names: Vec<(String, Option<String>, Option<String>)> =
            c.iter().map(|c| (c.name.clone(), c.version.clone(), c.source.clone())).collect();
        assert_eq!(
            names,
            [
                ("md-5".into(), Some("0.10.6".into()), Some("registry".into())),
                ("serde".into(), Some("1.0.200".into()), Some("crates.io".into())),
            ]
        );
        assert_eq!(c[1].purl.as_deref(), Some("pkg:cargo/serde@1.0.200"));
    }

    #[test]
    fn weird_bytes_in_paths_are_skipped() {
        let mut data = Vec::new();
        for bad in [
            &b"registry/src/r/\xff\xfe-1.0.0/x"[..], // not UTF-8
            b"registry/src/r/a b-1.0.0/x",           // space in the name
            b"registry/src/r/evil\n-1.0.0/x",        // control character
            b"registry/src/r/x-1.0/x",               // not semver
            b"registry/src/r/-1.0.0/x",              // no name
            b"registry/src/\xff/ok-1.0.0/x",         // registry dir not UTF-8
        ] {
            data.extend_from_slice(bad);
            data.push(0);
        }
        // A long run without '/' after the prefix is not followed for ever.
        data.extend_from_slice(b"registry/src/");
        data.extend(std::iter::repeat_n(b'a', 100_000));
        assert!(crates_from_paths(&data, &mut Meter::new(crate::Budget::default())).is_empty());
    }
}
