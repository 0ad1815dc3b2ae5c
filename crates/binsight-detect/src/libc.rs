//! libc family: what the dynamic loader, DT_NEEDED and symbol versions state (exact), else
//! what the bytes carry (signature tables: musl's strerror and resolver messages, glibc's
//! tunables and fatal-error strings, Go's build info for libc-free binaries).
//! Conflicting evidence gives `unknown`, never a guess.

use binsight_model::{Confidence, Evidence, LibcFamily};

use std::sync::OnceLock;

use crate::tsv::{self, Problem, TableError};
use crate::{Context, Detector, Meter, ReportDraft};

pub(crate) struct LibcDetector;

/// Families a signature can vote for.
const FAMILIES: [(LibcFamily, &str); 4] = [
    (LibcFamily::Musl, "musl"),
    (LibcFamily::Glibc, "glibc"),
    (LibcFamily::Uclibc, "uclibc"),
    (LibcFamily::Bionic, "bionic"),
];

const LOADERS: &str = include_str!("../data/libc-loaders.tsv");

/// Which name a row of `data/libc-loaders.tsv` matches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Named {
    /// The basename of PT_INTERP.
    InterpreterBase,
    /// The whole PT_INTERP path.
    Interpreter,
    /// A DT_NEEDED entry.
    Needed,
}

/// A row of `data/libc-loaders.tsv`: a name (or name prefix) that states a C library.
#[derive(Debug, Clone)]
pub(crate) struct LoaderName {
    pub what: Named,
    pub prefix: bool,
    pub name: String,
    pub family: LibcFamily,
}

impl LoaderName {
    fn matches(&self, what: Named, name: &str) -> bool {
        self.what == what && if self.prefix { name.starts_with(&self.name) } else { name == self.name }
    }
}

pub(crate) fn parse_loaders(text: &str) -> Result<Vec<LoaderName>, TableError> {
    tsv::load("libc-loaders.tsv", text, 5, |row| {
        row.required(4, "source")?;
        let word = |i: usize, column: &'static str, allowed: &'static str| {
            let t = row.text(i);
            allowed
                .split(" | ")
                .position(|a| a == t)
                .ok_or_else(|| row.error(Problem::Word { column, text: t.into(), allowed }))
        };
        let what = [Named::InterpreterBase, Named::Interpreter, Named::Needed]
            [word(0, "what", "interpreter-base | interpreter | needed")?];
        let prefix = word(1, "match", "exact | prefix")? == 1;
        let family = row.text(3);
        let family = FAMILIES
            .iter()
            .find(|(_, k)| *k == family)
            .map(|(f, _)| *f)
            .ok_or_else(|| row.error(Problem::Text { column: "family", text: family.into() }))?;
        Ok(LoaderName { what, prefix, name: row.required(2, "name")?.into(), family })
    })
}

fn loaders() -> &'static [LoaderName] {
    static L: OnceLock<Vec<LoaderName>> = OnceLock::new();
    tsv::compiled(&L, || parse_loaders(LOADERS))
}

/// Loader (PT_INTERP) → family: the first row matching its basename or its whole path.
fn interp_family(interp: &str) -> Option<LibcFamily> {
    let base = interp.rsplit('/').next().unwrap_or(interp);
    loaders()
        .iter()
        .find(|l| l.matches(Named::InterpreterBase, base) || l.matches(Named::Interpreter, interp))
        .map(|l| l.family)
}

/// DT_NEEDED name → family.
fn needed_family(lib: &str) -> Option<LibcFamily> {
    loaders().iter().find(|l| l.matches(Named::Needed, lib)).map(|l| l.family)
}

/// What the file states: loader, needed libraries, symbol versions.
fn stated(f: &binsight_model::ElfFacts) -> Vec<(LibcFamily, Evidence)> {
    let mut stated: Vec<(LibcFamily, Evidence)> = Vec::new();
    if let Some(i) = &f.interpreter {
        if let Some(fam) = interp_family(i) {
            stated.push((fam, Evidence::new("interpreter", i.clone()).in_section(".interp")));
        }
    }
    for n in &f.needed {
        if let Some(fam) = needed_family(n) {
            stated.push((fam, Evidence::new("needed", n.clone()).in_section(".dynamic")));
        }
    }
    if let Some(v) = f.version_needs.iter().flat_map(|n| &n.versions).find(|v| v.starts_with("GLIBC_2")) {
        stated.push((LibcFamily::Glibc, Evidence::new("verneed", v.clone()).in_section(".gnu.version_r")));
    }
    // A bionic binary names plain "libc.so" with the bionic linker.
    if f.needed.iter().any(|n| n == "libc.so") && stated.iter().any(|(fam, _)| *fam == LibcFamily::Bionic) {
        stated.push((LibcFamily::Bionic, Evidence::new("needed", "libc.so").in_section(".dynamic")));
    }
    stated
}

/// A family the byte signatures vote for: its score, and the evidence.
type Scored = (LibcFamily, u32, bool, Vec<Evidence>);

/// What the bytes carry: each family with a strong signature, scored.
fn scored(cx: &Context<'_>) -> Vec<Scored> {
    let mut scored: Vec<Scored> = Vec::new();
    for (fam, key) in FAMILIES {
        let mut score = 0;
        let mut strong = false;
        let mut ev = Vec::new();
        for (sig, offs) in cx.hits.family(key) {
            score += u32::from(sig.weight);
            strong |= sig.weight >= 2;
            let off = offs[0];
            ev.push(
                Evidence::new(&sig.id, String::from_utf8_lossy(&sig.pattern).trim_end_matches('\0').to_string())
                    .in_section(cx.elf.section_at(off).unwrap_or("?"))
                    .at(off),
            );
        }
        if strong {
            scored.push((fam, score, strong, ev));
        }
    }
    scored
}

impl Detector for LibcDetector {
    fn name(&self) -> &'static str {
        "libc"
    }

    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        let stated = stated(f);
        let mut scored = scored(cx);

        let libc = &mut out.libc;
        let stated_families: Vec<LibcFamily> = dedup(stated.iter().map(|(f, _)| *f));
        match stated_families.as_slice() {
            [fam] => {
                libc.family = *fam;
                libc.confidence = Confidence::Exact;
                libc.evidence = stated.into_iter().map(|(_, e)| e).collect();
                // Byte signatures of the same family only add evidence.
                if let Some((_, _, _, ev)) = scored.into_iter().find(|(f, ..)| f == fam) {
                    libc.evidence.extend(ev);
                }
                return;
            }
            [] => {}
            _ => {
                libc.family = LibcFamily::Unknown;
                libc.confidence = Confidence::Unknown;
                libc.evidence = stated.into_iter().map(|(_, e)| e).collect();
                out.unknowns.push(unknown("loader, DT_NEEDED and symbol versions name different C libraries"));
                return;
            }
        }

        // Nothing stated (static, or a dynamic file that names no libc).
        match scored.len() {
            1 => {
                let Some((fam, score, _, ev)) = scored.pop() else {
                    return;
                };
                libc.family = fam;
                // Two or more signals that agree (or one strong and a supporting one).
                libc.confidence = if score >= 3 { Confidence::Likely } else { Confidence::Partial };
                libc.evidence = ev;
            }
            0 => {
                let libc_free = f.interpreter.is_none() && f.needed.is_empty() && f.linkage.is_static();
                if let (Some(go), true) = (&out.toolchain.go, libc_free) {
                    libc.family = LibcFamily::None;
                    libc.confidence = Confidence::Likely;
                    libc.evidence = go.evidence.clone();
                    libc.evidence.push(Evidence::new(
                        "no-libc",
                        "Go binary with no loader, no DT_NEEDED and no C library signature (CGO_ENABLED=0)",
                    ));
                } else {
                    libc.evidence.clear();
                }
            }
            _ => {
                libc.family = LibcFamily::Unknown;
                libc.confidence = Confidence::Unknown;
                let names: Vec<&str> = scored.iter().map(|(f, ..)| f.as_str()).collect();
                libc.evidence = scored.into_iter().flat_map(|(.., ev)| ev).collect();
                out.unknowns.push(unknown(&format!("signatures of several C libraries found ({})", names.join(", "))));
            }
        }
    }
}

fn unknown(msg: &str) -> binsight_model::Unknown {
    binsight_model::Unknown { origin: "libc".into(), message: msg.into() }
}

fn dedup(it: impl Iterator<Item = LibcFamily>) -> Vec<LibcFamily> {
    let mut v: Vec<LibcFamily> = Vec::new();
    for f in it {
        if !v.contains(&f) {
            v.push(f);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loader_names() {
        assert_eq!(interp_family("/lib/ld-musl-x86_64.so.1"), Some(LibcFamily::Musl));
        assert_eq!(interp_family("/lib64/ld-linux-x86-64.so.2"), Some(LibcFamily::Glibc));
        assert_eq!(interp_family("/lib/ld-linux-aarch64.so.1"), Some(LibcFamily::Glibc));
        assert_eq!(interp_family("/lib64/ld64.so.2"), Some(LibcFamily::Glibc));
        assert_eq!(interp_family("/system/bin/linker64"), Some(LibcFamily::Bionic));
        assert_eq!(interp_family("/lib/ld-uClibc.so.0"), Some(LibcFamily::Uclibc));
        assert_eq!(interp_family("/lib/ld.so.1"), Some(LibcFamily::Glibc));
        assert_eq!(interp_family("/system/bin/linker"), Some(LibcFamily::Bionic));
        assert_eq!(interp_family("/other/bin/linker64"), None);
        assert_eq!(interp_family("/opt/weird/loader"), None);
    }

    #[test]
    fn needed_names() {
        assert_eq!(needed_family("libc.so.6"), Some(LibcFamily::Glibc));
        assert_eq!(needed_family("libc.musl-x86_64.so.1"), Some(LibcFamily::Musl));
        assert_eq!(needed_family("libc.so.6.1"), Some(LibcFamily::Glibc));
        assert_eq!(needed_family("libc.so.0"), Some(LibcFamily::Uclibc));
        assert_eq!(needed_family("libc.so.60"), None);
        assert_eq!(needed_family("libm.so.6"), None);
    }
}
