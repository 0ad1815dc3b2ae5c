//! What a binary was built from, as components with package URLs:
//! - Rust crates: cargo-auditable's `.dep-v0` (complete), else the crate source paths the
//!   compiler leaves behind in any layout builders use ([`crate::crate_paths`]; partial);
//! - Go modules: the build info (complete when it has module lines), else the pclntab's package
//!   names (partial, no versions);
//! - the Rust or Go standard library (from the toolchain version) and a static binary's libc
//!   (from the libc identification), so their advisories can match.

use std::sync::OnceLock;

use binsight_model::{Completeness, Component, ComponentKind, Evidence, VersionRange};

use crate::tsv::{self, TableError};
use crate::{Context, Detector, Meter, ReportDraft};

/// Largest decompressed `.dep-v0` JSON accepted (cargo-auditable's own default is 8 MiB).
const MAX_AUDIT_JSON: usize = 8 << 20;

const LIBC_COMPONENTS: &str = include_str!("../data/libc-components.tsv");

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
            let cut = out.unknowns.iter().any(|u| u.origin == "go-buildinfo");
            let mut unknowns = Vec::new();
            completeness = go_components(cx, go, &out.go_modules, cut, meter, &mut unknowns, &mut comps);
            out.unknowns.extend(unknowns);
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
            let c =
                crate::crate_paths::crates_from_paths_except(cx.elf.data(), &crate::no_signature_ranges(cx.elf), meter);
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
            bundle: None,
            evidence: rustc.evidence.iter().take(2).cloned().collect(),
        });
    }
    completeness
}

/// Go modules (main and dependencies) and the standard library; the completeness of the module
/// list. Only a module-mode build (a `mod` line) lists every module, and only when its module
/// info was read whole (`cut` says it was not); without module lines (GOPATH builds) the
/// modules come from the pclntab's package names, without versions.
fn go_components(
    cx: &Context<'_>,
    go: &binsight_model::Go,
    modules: &[binsight_model::GoModule],
    cut: bool,
    meter: &mut Meter,
    unknowns: &mut Vec<binsight_model::Unknown>,
    comps: &mut Vec<Component>,
) -> Completeness {
    let ev = go.evidence.first().cloned().unwrap_or_else(|| Evidence::new("go-buildinfo", ""));
    let completeness = match &go.main {
        Some(main) => {
            comps.push(go_component(main, true, &ev));
            for m in modules {
                comps.push(go_component(m, false, &ev));
            }
            if cut {
                Completeness::Partial
            } else {
                Completeness::Complete
            }
        }
        None => {
            let found = go_modules_from_pclntab(cx, go, meter, comps);
            unknowns.push(binsight_model::Unknown {
                origin: "go-modules".into(),
                message: format!(
                    "{}: {}",
                    if go.evidence.iter().any(|e| e.signal == "go-runtime-version") {
                        "there is no build info"
                    } else {
                        "the build info lists no modules (a GOPATH build, or a toolchain before modules)"
                    },
                    if found == 0 {
                        "no module could be named from the pclntab either".to_string()
                    } else {
                        format!("{found} modules named from the pclntab's package names and source paths")
                    }
                ),
            });
            if found == 0 {
                Completeness::None
            } else {
                Completeness::Partial
            }
        }
    };
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
        bundle: None,
        evidence: vec![ev],
    });
    completeness
}

/// Modules named by the package paths of the pclntab's function names (the `.gopclntab`
/// section; none without it), as versionless components; the module of the main package is the
/// root. When no package of the pclntab is in it (a module whose only package is `main`, whose
/// functions are named `main.*`), the root comes from the build info's `path` line by its
/// host's layout. Returns how many non-root modules were found.
fn go_modules_from_pclntab(
    cx: &Context<'_>,
    go: &binsight_model::Go,
    meter: &mut Meter,
    comps: &mut Vec<Component>,
) -> usize {
    let Some((sec, names)) = cx.elf.section(".gopclntab") else { return 0 };
    let main = go.path.as_deref().unwrap_or("");
    let mut found = 0;
    let mut has_root = false;
    for m in crate::go::packages::modules_from_function_names(names, meter) {
        let root = main == m.path || main.starts_with(&format!("{}/", m.path));
        found += usize::from(!root);
        has_root |= root;
        let how = if m.guessed {
            "module path guessed: the path its packages share"
        } else {
            "module path by its host's layout"
        };
        comps.push(Component {
            purl: Some(match &m.version {
                Some(v) => format!("pkg:golang/{}@{v}", m.path),
                None => format!("pkg:golang/{}", m.path),
            }),
            evidence: vec![Evidence::new(
                "go-package",
                format!("{} package(s) in the pclntab, e.g. {}; {how}", m.packages, m.example),
            )
            .in_section(".gopclntab")
            .at(sec.offset)],
            name: m.path,
            version: m.version,
            cpe: None,
            kind: ComponentKind::GoModule,
            found_by: "go-pclntab".into(),
            source: None,
            root,
            build_only: false,
            bundle: None,
        });
    }
    if !has_root {
        comps.extend(root_from_main_package(main, go));
    }
    found
}

/// The root module of a build without module lines, from the build info's `path` line (the
/// main package: `github.com/containers/skopeo/cmd/skopeo`) by its host's layout; `None` when
/// there is no such line, it is no package path (`command-line-arguments`, odd bytes) or its
/// host is not in `data/go-module-hosts.tsv` (no guess from one path).
pub(crate) fn root_from_main_package(main: &str, go: &binsight_model::Go) -> Option<Component> {
    let host = main.split('/').next()?;
    let clean = main.bytes().all(|b| b.is_ascii_graphic() && !b"\"\\@%".contains(&b));
    if !clean || !host.contains('.') || !main.contains('/') {
        return None;
    }
    let path = crate::go::packages::module_by_host(main)?;
    let mut evidence = Evidence::new(
        "go-buildinfo",
        format!("main package {main} (build info `path`); module path by its host's layout"),
    );
    if let Some(e) = go.evidence.iter().find(|e| e.signal == "go-buildinfo") {
        evidence.section = e.section.clone();
        evidence.offset = e.offset;
    }
    Some(Component {
        purl: Some(format!("pkg:golang/{path}")),
        evidence: vec![evidence],
        name: path,
        version: None,
        cpe: None,
        kind: ComponentKind::GoModule,
        found_by: "go-buildinfo".into(),
        source: None,
        root: true,
        build_only: false,
        bundle: None,
    })
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
        bundle: None,
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
        bundle: None,
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
                bundle: None,
                evidence: vec![Evidence::new("cargo-auditable", "dependency list in .dep-v0")
                    .in_section(".dep-v0")
                    .at(off)],
            }
        })
        .collect();
    Some(Ok(comps))
}
