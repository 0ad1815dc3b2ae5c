//! The glibc version of a static glibc binary: exact from the version string glibc's own
//! programs and banner carry (`(Debian GLIBC 2.36-9+deb12u14)`, `stable release version 2.36`),
//! else the range the set of tunables brackets (glibc links its whole tunables table into every
//! static program; `data/glibc-tunables.tsv`, generated from several releases' amd64 libc.a, so
//! x86_64 only: other architectures link other sets). A dynamic
//! binary's glibc is the host's at run time: it gets no version here.

use std::collections::BTreeSet;
use std::sync::OnceLock;

use binsight_model::{Confidence, Evidence, LibcFamily, VersionRange};

use crate::tsv::{self, TableError};
use crate::{version, Context, Detector, Meter, ReportDraft};

const TUNABLES: &str = include_str!("../data/glibc-tunables.tsv");
/// Tunable names read from one file, at most (a release has about 45).
const MAX_TUNABLES: usize = 1_000;
/// Fewer tunable names than this: the table is not linked (or the names are quoted text).
const MIN_TUNABLES: usize = 10;
/// The architecture whose libc.a the tunables table was generated from.
const TABLE_MACHINE: &str = "x86_64";
/// Longest version-string tail read.
const MAX_VERSION_TEXT: usize = 64;

/// `data/glibc-tunables.tsv`: the releases it was made from, and each tunable's first and last.
#[derive(Debug, Clone, Default)]
pub struct TunableTable {
    /// The releases the table was generated from, oldest first.
    pub releases: Vec<String>,
    /// (tunable, first release that has it, last release that has it; `None`: the newest has it).
    pub tunables: Vec<(String, String, Option<String>)>,
}

/// Parse `data/glibc-tunables.tsv` (a `releases` row, then one row per tunable); `Err` names
/// the first bad row.
pub fn parse_tunables(text: &str) -> Result<TunableTable, TableError> {
    let mut t = TunableTable::default();
    let rows = tsv::load("glibc-tunables.tsv", text, 3, |row| {
        let name = row.required(0, "tunable")?;
        let first = row.required(1, "first release")?;
        Ok((name.to_string(), first.to_string(), row.optional(2).map(str::to_string)))
    })?;
    for (name, first, last) in rows {
        if name == "releases" {
            t.releases = first.split(',').map(str::to_string).collect();
        } else {
            t.tunables.push((name, first, last));
        }
    }
    Ok(t)
}

impl TunableTable {
    /// Rows of the table file: the `releases` row (when there is one) and one per tunable.
    pub fn len(&self) -> usize {
        self.tunables.len() + usize::from(!self.releases.is_empty())
    }

    /// No rows at all.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

fn table() -> &'static TunableTable {
    static T: OnceLock<Vec<TunableTable>> = OnceLock::new();
    &tsv::compiled(&T, || parse_tunables(TUNABLES).map(|t| vec![t]))[0]
}

/// The glibc version detector (runs after the libc detector, on static glibc binaries only).
pub(crate) struct GlibcVersionDetector;

impl Detector for GlibcVersionDetector {
    fn name(&self) -> &'static str {
        "glibc-version"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter) {
        let libc = &mut out.libc;
        if libc.family != LibcFamily::Glibc || libc.version.is_some() || !cx.elf.facts.linkage.is_static() {
            return;
        }
        let data = cx.elf.data();
        if let Some((v, ev)) = version_string(cx, data, meter) {
            libc.version = Some(VersionRange::exact(v));
            libc.version_confidence = Confidence::Exact;
            libc.version_evidence.push(ev);
            return;
        }
        // The table was made from amd64's libc.a: other architectures link other sets (aarch64's
        // static programs carry 28 names where x86_64's carry 37), so absences there mean nothing.
        if cx.elf.facts.machine != TABLE_MACHINE {
            return;
        }
        let names = tunable_names(data, meter);
        if let Some((range, detail)) = bracket(table(), &names) {
            libc.version = Some(range);
            libc.version_confidence = Confidence::Likely;
            libc.version_evidence.push(Evidence::new("glibc-tunables", detail));
        }
    }
}

/// `2.36` or `2.36.1` at the start of `s`, as glibc numbers its releases.
fn leading_version(s: &[u8]) -> Option<String> {
    let end = s.iter().take(MAX_VERSION_TEXT).position(|b| !(b.is_ascii_digit() || *b == b'.')).unwrap_or(0);
    let v = std::str::from_utf8(&s[..end]).ok()?.trim_end_matches('.');
    let parts = version::parse(v)?;
    (parts.len() >= 2 && parts.len() <= 3 && parts[0] == 2 && parts[1] < 1000).then(|| v.to_string())
}

/// The version glibc's banner or its programs state: `stable release version 2.36`, or the
/// package version `(Debian GLIBC 2.36-9+deb12u14)` / `(Ubuntu GLIBC 2.35-0ubuntu3.1)`.
fn version_string(cx: &Context<'_>, data: &[u8], meter: &mut Meter) -> Option<(String, Evidence)> {
    for marker in [&b"release version 2."[..], b" GLIBC 2."] {
        for at in memchr::memmem::find_iter(data, marker) {
            if meter.work(MAX_VERSION_TEXT as u64).is_err() {
                return None;
            }
            let start = at + marker.len() - 2;
            let Some(v) = leading_version(&data[start..]) else { continue };
            let end = (start + MAX_VERSION_TEXT).min(data.len());
            let shown: String =
                String::from_utf8_lossy(&data[at..end]).chars().take_while(|c| !c.is_control() && *c != ')').collect();
            let ev = Evidence::new("glibc-version-string", shown.trim().to_string())
                .in_section(cx.elf.section_at(at as u64).unwrap_or("?"))
                .at(at as u64);
            return Some((v, ev));
        }
    }
    None
}

/// The `glibc.NAMESPACE.NAME` strings in the file (NUL-terminated, at most [`MAX_TUNABLES`]).
fn tunable_names(data: &[u8], meter: &mut Meter) -> BTreeSet<String> {
    let mut names = BTreeSet::new();
    for at in memchr::memmem::find_iter(data, b"glibc.") {
        if meter.work(64).is_err() || names.len() >= MAX_TUNABLES {
            break;
        }
        if at > 0 && (data[at - 1].is_ascii_alphanumeric() || data[at - 1] == b'_' || data[at - 1] == b'.') {
            continue;
        }
        let rest = &data[at..];
        let Some(end) = rest.iter().take(64).position(|b| *b == 0) else { continue };
        let Ok(s) = std::str::from_utf8(&rest[..end]) else { continue };
        let parts: Vec<&str> = s.split('.').collect();
        let ok =
            |p: &str| !p.is_empty() && p.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_');
        if parts.len() == 3 && ok(parts[1]) && ok(parts[2]) {
            names.insert(s.to_string());
        }
    }
    names
}

/// `2.41` → `2.40`; `None` for `x.0`.
fn minor_before(v: &str) -> Option<String> {
    let p = version::parse(v)?;
    let m = p.get(1)?.checked_sub(1)?;
    Some(format!("{}.{m}", p[0]))
}

/// `2.31` → `2.32`.
fn minor_after(v: &str) -> Option<String> {
    let p = version::parse(v)?;
    Some(format!("{}.{}", p[0], p.get(1)?.checked_add(1)?))
}

/// A version bound and why.
type Bound = (String, String);

/// The range of releases a set of tunable names allows, with how it was decided; `None` when
/// the names are too few to be the table, or say nothing, or contradict each other. The `cpu`
/// namespace differs per architecture and is not used.
pub fn bracket(t: &TunableTable, names: &BTreeSet<String>) -> Option<(VersionRange, String)> {
    if names.len() < MIN_TUNABLES || t.releases.is_empty() {
        return None;
    }
    let prev = |r: &str| t.releases.iter().position(|x| x == r).and_then(|i| i.checked_sub(1)).map(|i| &t.releases[i]);
    let next = |r: &str| t.releases.iter().position(|x| x == r).and_then(|i| t.releases.get(i + 1));
    // Each bound: the version, and the tunable that set it.
    let (mut lo, mut hi): (Option<Bound>, Option<Bound>) = (None, None);
    let mut raise = |v: Option<String>, why: String| {
        if let Some(v) = v {
            if lo.as_ref().is_none_or(|(l, _)| version::cmp(&v, l).is_gt()) {
                lo = Some((v, why));
            }
        }
    };
    let mut lower = |v: Option<String>, why: String| {
        if let Some(v) = v {
            if hi.as_ref().is_none_or(|(h, _)| version::cmp(&v, h).is_lt()) {
                hi = Some((v, why));
            }
        }
    };
    for (name, first, last) in t.tunables.iter().filter(|(n, ..)| !n.starts_with("glibc.cpu.")) {
        if names.contains(name) {
            // Added after the release before `first`; removed before the release after `last`.
            if let Some(p) = prev(first) {
                raise(minor_after(p), format!("has {name} (not in {p})"));
            }
            if let Some(n) = last.as_deref().and_then(next) {
                lower(minor_before(n), format!("has {name} (gone by {n})"));
            }
        } else if last.is_none() && prev(first).is_some() {
            // A tunable the newer releases have and this one lacks: older than `first`.
            lower(minor_before(first), format!("lacks {name} (in {first})"));
        }
    }
    if lo.is_none() && hi.is_none() {
        return None;
    }
    if let (Some((l, _)), Some((h, _))) = (&lo, &hi) {
        if version::cmp(l, h).is_gt() {
            return None;
        }
    }
    let why: Vec<String> = [&lo, &hi].into_iter().flatten().map(|(_, w)| w.clone()).collect();
    let detail = format!("{} tunables; {} (table of glibc {})", names.len(), why.join("; "), t.releases.join(", "));
    Some((VersionRange { lo: lo.map(|(v, _)| v), hi: hi.map(|(v, _)| v) }, detail))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(names: &[&str]) -> BTreeSet<String> {
        names.iter().map(|s| s.to_string()).collect()
    }

    /// Every generic tunable release `r` of the table has.
    fn release_set(t: &TunableTable, r: &str) -> BTreeSet<String> {
        let cmp = version::cmp;
        t.tunables
            .iter()
            .filter(|(_, first, last)| cmp(first, r).is_le() && last.as_deref().is_none_or(|l| cmp(r, l).is_le()))
            .map(|(n, ..)| n.clone())
            .collect()
    }

    #[test]
    fn tunable_sets_bracket_the_release() {
        let t = table();
        assert_eq!(t.releases, ["2.31", "2.36", "2.41"]);
        let cases = [("2.31", "<=2.35"), ("2.36", ">=2.32, <=2.40"), ("2.41", ">=2.37")];
        for (release, want) in cases {
            let (r, why) = bracket(t, &release_set(t, release)).expect("a range");
            assert_eq!(r.to_string(), want, "{release}: {why}");
        }
        let (_, why) = bracket(t, &release_set(t, "2.36")).expect("a range");
        assert!(why.contains("has glibc.") && why.contains("(not in 2.31)") && why.contains("(in 2.41)"), "{why}");
        // Too few names: nothing said. Names of no release's set: nothing said either.
        let few: BTreeSet<String> = release_set(t, "2.36").into_iter().take(5).collect();
        assert!(bracket(t, &few).is_none());
    }

    #[test]
    fn version_strings_are_read_strictly() {
        assert_eq!(leading_version(b"2.36-9+deb12u14)"), Some("2.36".into()));
        assert_eq!(leading_version(b"2.36\0"), Some("2.36".into()));
        assert_eq!(leading_version(b"2.35.1 "), Some("2.35.1".into()));
        assert_eq!(leading_version(b"2.x"), None);
        assert_eq!(leading_version(b"3.1"), None);
        assert_eq!(minor_before("2.41").as_deref(), Some("2.40"));
        assert_eq!(minor_after("2.31").as_deref(), Some("2.32"));
    }

    #[test]
    fn names_are_read_from_bytes_and_bounded() {
        let data = b"\0glibc.malloc.check\0xglibc.malloc.fake\0glibc.rtld.nns\0glibc.\x1b[1m.x\0glibc.a.b";
        let got = tunable_names(data, &mut Meter::new(crate::Budget::default()));
        assert_eq!(got, set(&["glibc.malloc.check", "glibc.rtld.nns"]));
        let flood: Vec<u8> = (0..5000).flat_map(|i| format!("\0glibc.x.n{i}").into_bytes()).chain([0]).collect();
        assert_eq!(tunable_names(&flood, &mut Meter::new(crate::Budget::default())).len(), MAX_TUNABLES);
    }
}
