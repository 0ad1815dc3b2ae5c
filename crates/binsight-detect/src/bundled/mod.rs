//! C libraries compiled into a file besides its libc: OpenSSL, zlib, SQLite, curl… (the
//! libraries of `data/c-libraries.tsv`), each a [`ComponentKind::CLibrary`] component.
//!
//! A library is reported only when its *code* is in the file: a string or table of its
//! compiled objects (an error-message table, an assertion's source path) or a function it
//! defines in `.symtab`. A version string alone never makes it "bundled": a program that
//! prints `OPENSSL_VERSION_TEXT` against a shared libssl, or a message naming "zlib 1.3.1",
//! carries the text and none of the code. The version comes from the library's own data
//! (`OpenSSL 3.0.13 30 Jan 2024`, zlib's copyright string, SQLite's source id); when the file
//! holds none, from the `-sys` crate that vendored it (cargo-auditable data or source paths,
//! `data/sys-crates.tsv`). Two different versions of one library in one file give no version
//! (unknown beats wrong); the evidence lists both.
//!
//! The literal signatures are matched in the one pass over the file every detector shares
//! ([`crate::scanner`]); the few regular expressions (SQLite's source id, PCRE2's and bzip2's
//! dated versions) run only over files in which that library's code was found.

pub mod table;

use binsight_model::{Bundle, BundleVia, Component, ComponentKind, Confidence, Evidence, Unknown};

use crate::{Context, Detector, Meter, ReportDraft};
use table::{Extract, Library, Needs, Role, Row};

/// Longest version text read at a match.
const MAX_VERSION: usize = 32;
/// How far past a `next` anchor the next string may start (alignment padding).
const MAX_PAD: usize = 16;
/// Versions kept per library (a hostile file could hold thousands of version strings).
const MAX_CANDIDATES: usize = 8;

/// The bundled-libraries detector. Runs after [`crate::components`]: it reads the crate and
/// module list to say how a library got in, and appends its components to it.
pub(crate) struct BundledDetector;

impl Detector for BundledDetector {
    fn name(&self) -> &'static str {
        "bundled"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter) {
        let mut found: Vec<Found<'_>> = Vec::new();
        for lib in table::libraries() {
            if let Some(f) = find(cx, lib, &out.components, meter) {
                found.push(f);
            }
            if meter.exceeded().is_some() {
                break;
            }
        }
        let names: Vec<&str> = found.iter().map(|f| f.lib.name.as_str()).collect();
        found.retain(|f| {
            !rows_of(&f.lib.name).any(|r| r.role == Role::Unless && names.iter().any(|n| n.as_bytes() == r.pattern))
        });
        for f in found {
            let mut c = component(f, &out.components, &mut out.unknowns);
            if let Some(b) = c.bundle.as_mut() {
                b.linked_functions = linked_functions(cx, &c.name);
            }
            out.components.push(c);
        }
    }
}

/// Whether the file defines each function of `library` that advisories name: exported, or
/// defined in `.symtab` (unstripped); a shared library exports every public function it has,
/// so one it does not export is absent; a stripped executable says nothing either way.
fn linked_functions(cx: &Context<'_>, library: &str) -> Vec<binsight_model::LinkedFunction> {
    let f = &cx.elf.facts;
    table::tracked_functions()
        .iter()
        .filter(|t| t.library == library)
        .map(|t| {
            let name = t.function.as_str();
            let present = if cx.elf.exports(name) {
                Some(true)
            } else if !f.stripped {
                Some(cx.elf.has_symbol(name) && !cx.elf.imports(name))
            } else if f.shared_library {
                Some(false)
            } else {
                None
            };
            binsight_model::LinkedFunction { name: t.function.clone(), present }
        })
        .collect()
}

/// What was seen of one library.
struct Found<'a> {
    lib: &'a Library,
    /// Distinct versions read from the library's own data, each with its evidence.
    versions: Vec<(String, Evidence)>,
    /// Code, symbol and identity evidence.
    code: Vec<Evidence>,
}

fn rows_of(library: &str) -> impl Iterator<Item = &'static Row> + '_ {
    table::signatures().iter().filter(move |r| r.library == library)
}

/// The library's evidence in this file, when its code is there and what it `needs` is seen.
fn find<'a>(cx: &Context<'_>, lib: &'a Library, comps: &[Component], meter: &mut Meter) -> Option<Found<'a>> {
    let mut code = Vec::new();
    let mut identity = Vec::new();
    for r in rows_of(&lib.name) {
        match r.role {
            Role::Code | Role::Identity => {
                if let Some(&off) = cx.hits.of(&crate::bundled_signature_id(r)).first() {
                    let ev = evidence(cx, r, off, String::from_utf8_lossy(&r.pattern).trim_end_matches('\0'));
                    if r.role == Role::Identity {
                        identity.push(ev)
                    } else {
                        code.push(ev)
                    }
                }
            }
            Role::Symbol => {
                let name = String::from_utf8_lossy(&r.pattern);
                if !cx.elf.facts.stripped && cx.elf.has_symbol(&name) && !cx.elf.imports(&name) {
                    code.push(Evidence::new(&r.id, format!("defines {name}")).in_section(".symtab"));
                }
            }
            Role::Version | Role::Unless => {}
        }
    }
    if code.is_empty() {
        return None;
    }
    let mut versions: Vec<(String, Evidence)> = Vec::new();
    for r in rows_of(&lib.name).filter(|r| r.role == Role::Version) {
        for (v, ev) in read_versions(cx, r, meter) {
            if versions.len() < MAX_CANDIDATES && !versions.iter().any(|(x, _)| *x == v) {
                versions.push((v, ev));
            }
        }
    }
    let enough = !identity.is_empty()
        || !versions.is_empty()
        || match lib.needs {
            Needs::Code => code.len() >= 2,
            Needs::VersionOrCrate => {
                via(lib, comps).is_some_and(|v| v.kind == BundleVia::RustCrate)
                    || code.iter().any(|e| e.section.as_deref() == Some(".symtab"))
            }
            Needs::Version => false,
        };
    code.extend(identity);
    enough.then_some(Found { lib, versions, code })
}

fn evidence(cx: &Context<'_>, r: &Row, off: u64, detail: &str) -> Evidence {
    let ev = Evidence::new(&r.id, printable(detail)).at(off);
    match cx.elf.section_at(off) {
        Some(s) => ev.in_section(s),
        None => ev,
    }
}

/// `s` with control characters and other non-printing bytes as `\xNN` (evidence is shown to
/// people; renderers sanitize again).
fn printable(s: &str) -> String {
    s.chars().map(|c| if c.is_control() { format!("\\x{:02x}", u32::from(c)) } else { c.to_string() }).collect()
}

/// Versions a version row reads in this file, with their evidence.
fn read_versions(cx: &Context<'_>, r: &Row, meter: &mut Meter) -> Vec<(String, Evidence)> {
    let data = cx.elf.data();
    match r.extract {
        Extract::After(_) | Extract::Next => {
            let mut out = Vec::new();
            for &off in cx.hits.of(&crate::bundled_signature_id(r)) {
                let Ok(start) = usize::try_from(off) else { continue };
                let at = start.saturating_add(r.pattern.len());
                let v = match r.extract {
                    Extract::After(min) => version_at(data, at, min),
                    _ => next_string(data, at).filter(|v| is_version(v, 2)),
                };
                if let Some(v) = v {
                    let anchor = String::from_utf8_lossy(&r.pattern);
                    let shown = match r.extract {
                        Extract::Next => format!("{} {v}", anchor.trim_end_matches('\0')),
                        _ => format!("{anchor}{v}"),
                    };
                    out.push((v, evidence(cx, r, off, &shown)));
                }
            }
            out
        }
        Extract::Regex | Extract::SqliteId => regex_versions(cx, r, meter),
        Extract::None => vec![],
    }
}

/// The version token at `at`: digits and dots, then at most two lower-case letters (OpenSSL
/// 1.1.1w, 1.1.1zh), ending at a byte that is not alphanumeric; `min` dot-separated numbers at least.
fn version_at(data: &[u8], at: usize, min: usize) -> Option<String> {
    let tail = data.get(at..at.saturating_add(MAX_VERSION).min(data.len()))?;
    let mut n = tail.iter().take_while(|b| b.is_ascii_digit() || **b == b'.').count();
    while n > 0 && tail[n - 1] == b'.' {
        n -= 1;
    }
    // OpenSSL's letter releases: 1.1.1w, and the extended-support 1.1.1zh.
    let letters = tail[n..].iter().take_while(|b| b.is_ascii_lowercase()).count();
    if letters > 2 || tail.get(n + letters).is_some_and(u8::is_ascii_alphanumeric) {
        return None;
    }
    n += letters;
    let v = std::str::from_utf8(&tail[..n]).ok()?;
    is_version(v, min).then(|| v.to_string())
}

/// `v` is numbers separated by single dots (at least `min`), up to two letters at the end.
fn is_version(v: &str, min: usize) -> bool {
    let core = v.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if v.len() - core.len() > 2 {
        return false;
    }
    let parts: Vec<&str> = core.split('.').collect();
    parts.len() >= min
        && parts.len() <= 4
        && parts.iter().all(|p| !p.is_empty() && p.len() <= 4 && p.bytes().all(|b| b.is_ascii_digit()))
}

/// The NUL-terminated string starting at `at` or after up to [`MAX_PAD`] NULs.
fn next_string(data: &[u8], at: usize) -> Option<String> {
    let tail = data.get(at..)?;
    let skip = tail.iter().take(MAX_PAD).take_while(|b| **b == 0).count();
    let s = tail.get(skip..)?;
    let end = s.iter().take(MAX_VERSION).position(|b| *b == 0)?;
    std::str::from_utf8(&s[..end]).ok().map(str::to_string)
}

/// Versions from a regular-expression row, over the bytes outside machine code.
fn regex_versions(cx: &Context<'_>, r: &Row, meter: &mut Meter) -> Vec<(String, Evidence)> {
    let Ok(re) = regex::bytes::Regex::new(&String::from_utf8_lossy(&r.pattern)) else { return vec![] };
    let data = cx.elf.data();
    let mut out = Vec::new();
    for (a, b) in crate::signatures::outside(data.len() as u64, &crate::no_signature_ranges(cx.elf)) {
        let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else { continue };
        let Some(part) = data.get(a..b) else { continue };
        if meter.work(part.len() as u64).is_err() {
            return out;
        }
        for c in re.captures_iter(part).take(MAX_CANDIDATES) {
            let (Some(all), Some(g)) = (c.get(0), c.get(1)) else { continue };
            let text = String::from_utf8_lossy(g.as_bytes()).into_owned();
            let shown = String::from_utf8_lossy(all.as_bytes()).trim_matches('\0').to_string();
            let off = (a + all.start()) as u64;
            let v = match r.extract {
                Extract::SqliteId => {
                    table::sqlite_releases().iter().find(|s| s.when == text).map(|s| s.version.clone())
                }
                _ => Some(text.clone()),
            };
            match v {
                Some(v) => out.push((v, evidence(cx, r, off, &shown))),
                // A source id of a release the table does not list: evidence without a version.
                None => out.push((String::new(), evidence(cx, r, off, &format!("{shown} (release not in the table)")))),
            }
        }
    }
    out
}

/// A `-sys`/`-src` crate (or Go module) of this file that vendors `lib`, with the library
/// version it vendors when known.
struct Via {
    kind: BundleVia,
    purl: Option<String>,
    library_version: Option<String>,
    shown: String,
}

fn via(lib: &Library, comps: &[Component]) -> Option<Via> {
    for c in comps {
        if c.kind == ComponentKind::RustCrate && lib.crates.contains(&c.name) {
            let version = c.version.as_deref();
            let library_version = version.and_then(|v| crate_library_version(&lib.name, &c.name, v));
            return Some(Via {
                kind: BundleVia::RustCrate,
                purl: c.purl.as_ref().map(|p| p.replace('+', "%2B")),
                library_version,
                shown: format!("{} {}", c.name, version.unwrap_or("(version unknown)")),
            });
        }
        if c.kind == ComponentKind::GoModule && lib.name == "sqlite" && c.name == "github.com/mattn/go-sqlite3" {
            return Some(Via {
                kind: BundleVia::GoModule,
                purl: c.purl.clone(),
                library_version: None,
                shown: format!("{} {}", c.name, c.version.as_deref().unwrap_or("(version unknown)")),
            });
        }
    }
    None
}

/// The library version a crate version vendors: `data/sys-crates.tsv`, else the version in its
/// build metadata (`0.4.80+curl-8.12.1` → `8.12.1`).
pub fn crate_library_version(library: &str, krate: &str, version: &str) -> Option<String> {
    if let Some(r) =
        table::sys_crates().iter().find(|r| r.library == library && r.krate == krate && r.crate_version == version)
    {
        return Some(r.library_version.clone());
    }
    let meta = version.split_once('+')?.1;
    let start = meta.find(|c: char| c.is_ascii_digit())?;
    let v = &meta[start..];
    is_version(v, 2).then(|| v.to_string())
}

/// The `-src`/`-sys` crate versions that vendor `library` at `version`, as purls.
pub fn crate_coordinates(library: &str, version: &str) -> Vec<String> {
    table::sys_crates()
        .iter()
        .filter(|r| r.library == library && r.library_version == version)
        .map(|r| format!("pkg:cargo/{}@{}", r.krate, r.crate_version.replace('+', "%2B")))
        .collect()
}

/// The component for what was found: the version from the library's data, else the crate's.
fn component(f: Found<'_>, comps: &[Component], unknowns: &mut Vec<Unknown>) -> Component {
    let name = f.lib.name.clone();
    let via = via(f.lib, comps);
    let mut evidence = f.code;
    let own: Vec<&str> = f.versions.iter().map(|(v, _)| v.as_str()).filter(|v| !v.is_empty()).collect();
    evidence.extend(f.versions.iter().map(|(_, e)| e.clone()));
    let (version, confidence) = match (own.as_slice(), via.as_ref().and_then(|v| v.library_version.clone())) {
        ([one], from_crate) => {
            if let Some(c) = from_crate.filter(|c| c != one) {
                unknowns.push(Unknown {
                    origin: "bundled".into(),
                    message: format!(
                        "{name}: the file's own version data says {one}, its crate {} says {c}; reporting {one}",
                        via.as_ref().map_or("", |v| v.shown.as_str())
                    ),
                });
            }
            (Some((*one).to_string()), Confidence::Exact)
        }
        ([], Some(c)) => (Some(c), Confidence::Likely),
        ([], None) => (None, Confidence::Partial),
        (many, _) => {
            unknowns.push(Unknown {
                origin: "bundled".into(),
                message: format!("{name}: the file holds version data of {}; version left unknown", many.join(" and ")),
            });
            (None, Confidence::Partial)
        }
    };
    if let Some(v) = &via {
        evidence.push(Evidence::new(
            "bundled-via",
            match &v.library_version {
                Some(lv) => format!("{} vendors {name} {lv}", v.shown),
                None => format!("{} vendors {name}", v.shown),
            },
        ));
    }
    let crate_coordinates = version.as_deref().map(|v| crate_coordinates(&name, v)).unwrap_or_default();
    Component {
        purl: Some(match &version {
            Some(v) => format!("pkg:generic/{name}@{v}"),
            None => format!("pkg:generic/{name}"),
        }),
        cpe: f.lib.cpe.as_ref().zip(version.as_ref()).map(|(c, v)| format!("cpe:2.3:a:{c}:{v}:*:*:*:*:*:*:*")),
        name,
        version,
        kind: ComponentKind::CLibrary,
        found_by: "bundled-detector".into(),
        source: None,
        root: false,
        build_only: false,
        evidence,
        bundle: Some(Bundle {
            confidence,
            via: via.as_ref().map_or(BundleVia::Unknown, |v| v.kind),
            via_purl: via.and_then(|v| v.purl),
            crate_coordinates,
            loaded_from: None,
            package: None,
            linked_functions: vec![],
        }),
    }
}

#[cfg(test)]
mod tests;
