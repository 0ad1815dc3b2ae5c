//! Which musl a binary embeds. musl leaves no version string in a static link, so the version
//! is bounded by every signal that has one, and the answer is the intersection:
//! - provenance: the toolchain that linked it and the musl that toolchain bundles
//!   (`data/musl-provenance.tsv` for rustc; the zig table's musl column for zig);
//! - data that changed between releases (`data/musl-signals.tsv`, generated from real musl
//!   builds by scripts/gen-musl-signatures.py): message tables, lookup tables.
//!
//! An exact version needs the signals to pin it; otherwise a range. Signals that contradict
//! each other give no version and a note, never a pick.

use std::sync::OnceLock;

use binsight_model::{Confidence, Evidence, LibcFamily, VersionRange};

use crate::{version, zig_releases, Context, Detector, Findings, Meter};

/// musl releases in order. The first stands for "1.1.24 or older"; the last is the newest
/// release the data knows (a newer musl would be reported as it: update the data then).
pub const RELEASES: &[&str] = &["1.1.24", "1.2.0", "1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"];

const SIGNALS: &str = include_str!("../data/musl-signals.tsv");
const PROVENANCE: &str = include_str!("../data/musl-provenance.tsv");
const PATCHES: &str = include_str!("../data/musl-patches.tsv");

/// A row of data/musl-patches.tsv: a fix a toolchain applies to the musl it bundles.
#[derive(Debug, Clone)]
pub struct PatchRow {
    pub toolchain: String,
    pub first: String,
    pub last: Option<String>,
    pub id: String,
    pub source: String,
}

pub fn patch_rows() -> &'static [PatchRow] {
    static P: OnceLock<Vec<PatchRow>> = OnceLock::new();
    P.get_or_init(|| {
        crate::tsv::rows(PATCHES)
            .filter_map(|(_, c)| {
                let [toolchain, first, last, id, source] = c[..] else { return None };
                Some(PatchRow {
                    toolchain: toolchain.into(),
                    first: first.into(),
                    last: (last != "-").then(|| last.to_string()),
                    id: id.into(),
                    source: source.into(),
                })
            })
            .collect()
    })
}

/// Inclusive range of indices into [`RELEASES`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Range {
    pub lo: usize,
    pub hi: usize,
}

impl Range {
    fn parse(lo: &str, hi: &str) -> Result<Option<Range>, String> {
        if lo == "-" || hi == "-" {
            return Ok(None);
        }
        let idx = |v: &str| RELEASES.iter().position(|r| *r == v).ok_or(format!("unknown musl release {v}"));
        let r = Range { lo: idx(lo)?, hi: idx(hi)? };
        if r.lo > r.hi {
            return Err(format!("empty range {lo}..{hi}"));
        }
        Ok(Some(r))
    }
    fn intersect(self, o: Range) -> Option<Range> {
        let r = Range { lo: self.lo.max(o.lo), hi: self.hi.min(o.hi) };
        (r.lo <= r.hi).then_some(r)
    }
    pub fn exact(self) -> bool {
        self.lo == self.hi && self.lo != 0
    }
    /// The versions this range allows, with open ends where it reaches past the releases
    /// binsight knows (`<=1.1.24`, `>=1.2.3`).
    pub fn to_versions(self) -> VersionRange {
        let (lo, hi) = (RELEASES[self.lo].to_string(), RELEASES[self.hi].to_string());
        match (self.lo, self.hi) {
            (0, _) => VersionRange { lo: None, hi: Some(hi) },
            (l, h) if l == h => VersionRange::exact(lo),
            (_, h) if h == RELEASES.len() - 1 => VersionRange { lo: Some(lo), hi: None },
            _ => VersionRange { lo: Some(lo), hi: Some(hi) },
        }
    }
    /// `1.2.3`, `>=1.2.4, <=1.2.5`, `<=1.1.24`, `>=1.2.3`.
    pub fn render(self) -> String {
        self.to_versions().to_string()
    }
    /// The release indices a [`VersionRange`] stands for; `None` when an end is not a musl
    /// release binsight knows.
    pub fn from_versions(v: &VersionRange) -> Option<Range> {
        let idx = |v: &str| RELEASES.iter().position(|r| *r == v);
        Some(Range {
            lo: v.lo.as_deref().map_or(Some(0), idx)?,
            hi: v.hi.as_deref().map_or(Some(RELEASES.len() - 1), idx)?,
        })
    }
}

/// One data signal: where present it bounds the version to `present`; where its anchor is
/// present and it is not, to `absent`.
#[derive(Debug, Clone)]
pub struct Signal {
    pub id: String,
    pub anchor: Option<String>,
    pub present: Option<Range>,
    pub absent: Option<Range>,
    pub pattern: Vec<u8>,
}

pub fn parse_signals(text: &str) -> Result<Vec<Signal>, String> {
    let mut v = Vec::new();
    for (n, c) in crate::tsv::rows(text) {
        let [id, anchor, plo, phi, alo, ahi, pattern, _source] = c[..] else {
            return Err(format!("musl-signals line {}: want 8 columns", n));
        };
        let e = |e: String| format!("musl-signals line {}: {e}", n);
        v.push(Signal {
            id: id.into(),
            anchor: (anchor != "-").then(|| anchor.to_string()),
            present: Range::parse(plo, phi).map_err(e)?,
            absent: Range::parse(alo, ahi).map_err(e)?,
            pattern: crate::signatures::unescape(pattern).map_err(|x| format!("musl-signals line {}: {x}", n))?,
        });
    }
    Ok(v)
}

pub fn signals() -> &'static [Signal] {
    static S: OnceLock<Vec<Signal>> = OnceLock::new();
    #[allow(clippy::expect_used)] // compiled-in table, checked by a unit test
    S.get_or_init(|| parse_signals(SIGNALS).expect("data/musl-signals.tsv is valid"))
}

/// Toolchain → bundled musl. Columns: toolchain, first version, last version (`-`: open),
/// machines (`*` or comma list), musl_lo, musl_hi, source.
#[derive(Debug, Clone)]
pub struct Provenance {
    pub toolchain: String,
    pub first: String,
    pub last: Option<String>,
    pub machines: Option<Vec<String>>,
    pub range: Range,
    pub source: String,
}

pub fn parse_provenance(text: &str) -> Result<Vec<Provenance>, String> {
    let mut v = Vec::new();
    for (n, c) in crate::tsv::rows(text) {
        let [toolchain, first, last, machines, lo, hi, source] = c[..] else {
            return Err(format!("musl-provenance line {}: want 7 columns", n));
        };
        let range = Range::parse(lo, hi)
            .map_err(|e| format!("musl-provenance line {}: {e}", n))?
            .ok_or(format!("musl-provenance line {}: no range", n))?;
        v.push(Provenance {
            toolchain: toolchain.into(),
            first: first.into(),
            last: (last != "-").then(|| last.to_string()),
            machines: (machines != "*").then(|| machines.split(',').map(str::to_string).collect()),
            range,
            source: source.into(),
        });
    }
    Ok(v)
}

pub fn provenance() -> &'static [Provenance] {
    static P: OnceLock<Vec<Provenance>> = OnceLock::new();
    #[allow(clippy::expect_used)] // compiled-in table, checked by a unit test
    P.get_or_init(|| parse_provenance(PROVENANCE).expect("data/musl-provenance.tsv is valid"))
}

/// The musl a rustc release bundles for a target machine.
fn rustc_musl(rustc: &str, machine: &str) -> Option<&'static Provenance> {
    provenance().iter().find(|p| {
        p.toolchain == "rustc"
            && version::cmp(rustc, &p.first).is_ge()
            && p.last.as_deref().is_none_or(|l| version::cmp(rustc, l).is_le())
            && p.machines.as_ref().is_none_or(|m| m.iter().any(|x| x == machine))
    })
}

/// Options of the engine (the evaluation turns provenance off to measure the bytes alone, and
/// swaps in signal ranges learnt without one toolchain's builds).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Run the engine at all (off only to measure its cost).
    pub enabled: bool,
    pub provenance: bool,
    /// Signal table to use instead of the compiled-in one (same ids and patterns).
    pub signals: Option<&'static [Signal]>,
}

impl Default for Options {
    fn default() -> Self {
        Options { enabled: true, provenance: true, signals: None }
    }
}

pub struct MuslVersionDetector {
    pub options: Options,
}

impl Detector for MuslVersionDetector {
    fn name(&self) -> &'static str {
        "musl-version"
    }
    fn run(&self, cx: &Context<'_>, out: &mut Findings, meter: &mut Meter) {
        if !self.options.enabled || out.libc.family != LibcFamily::Musl {
            return;
        }
        // Dynamic musl binaries use the host's musl: nothing in the file bounds it.
        if cx.elf.facts.interpreter.is_some() || !cx.elf.facts.needed.is_empty() {
            return;
        }
        let mut bounds: Vec<(Range, Evidence)> = Vec::new();
        let at = |off: u64, id: &str, detail: String| {
            Evidence::new(id, detail).in_section(cx.elf.section_at(off).unwrap_or("?")).at(off)
        };
        for s in self.options.signals.unwrap_or(signals()) {
            let hit = cx.hits.of(&s.id).first().copied();
            match (hit, s.present, s.absent) {
                (Some(off), Some(r), _) => {
                    bounds.push((r, at(off, &s.id, format!("present: musl {}", r.render()))));
                }
                (None, _, Some(r)) => {
                    let Some(anchor) = &s.anchor else { continue };
                    if let Some(&off) = cx.hits.of(anchor).first() {
                        let detail = format!("absent beside {anchor}: musl {}", r.render());
                        bounds.push((r, at(off, &format!("{}-absent", s.id), detail)));
                    }
                }
                _ => {}
            }
        }
        // Code: the resolver's answer-buffer size, looked for only where the resolver is linked
        // (its resolv.conf path or musl's resolver messages are there).
        let resolver = !cx.hits.of("resolv-conf").is_empty() || !cx.hits.of("musl-gai-noname").is_empty();
        if resolver && matches!(cx.elf.facts.machine.as_str(), "x86_64" | "aarch64") {
            let code: Vec<(u64, &[u8])> = cx
                .elf
                .facts
                .sections
                .iter()
                .filter(|s| s.flags & 0x4 != 0) // SHF_EXECINSTR
                .filter_map(|s| Some((s.offset, cx.elf.section_bytes(s)?)))
                .collect();
            if let Some(f) = crate::musl_code::find(&cx.elf.facts.machine, &code, meter) {
                let detail = format!(
                    "resolver answer buffer is {} bytes (lookup_name.c ABUF_SIZE): musl {}",
                    f.abuf.value,
                    f.abuf.range.render()
                );
                bounds.push((f.abuf.range, at(f.offset, "musl-resolver-abuf", detail)));
            }
        }
        if self.options.provenance {
            let machine = cx.elf.facts.machine.as_str();
            if let Some(v) = out.toolchain.rustc.as_ref().and_then(|r| r.version.as_deref()) {
                if let Some(p) = rustc_musl(v, machine) {
                    let detail = format!("rustc {v} for {machine} bundles musl {} ({})", p.range.render(), p.source);
                    bounds.push((p.range, Evidence::new("rustc-bundled-musl", detail)));
                }
            }
            for c in out.toolchain.cc.iter().filter(|c| c.name == "zig") {
                let Some(v) = &c.version else { continue };
                let Some(r) = zig_releases::releases().iter().find(|r| &r.version == v) else { continue };
                let Ok(Some(range)) = Range::parse(&r.musl, &r.musl) else { continue };
                let detail = format!("zig {v} bundles musl {} (its lib/libc/musl/src/internal/version.h)", r.musl);
                bounds.push((range, Evidence::new("zig-bundled-musl", detail).in_section(".comment")));
            }
        }
        if bounds.is_empty() {
            return;
        }
        let mut acc = Range { lo: 0, hi: RELEASES.len() - 1 };
        for (r, _) in &bounds {
            match acc.intersect(*r) {
                Some(x) => acc = x,
                None => {
                    out.unknowns.push(binsight_model::Unknown {
                        origin: "musl-version".into(),
                        message: "musl version signals contradict each other (a patched musl, or two musl builds in one file); see libc.version_evidence".into(),
                    });
                    out.libc.version_evidence = bounds.into_iter().map(|(_, e)| e).collect();
                    return;
                }
            }
        }
        // Fixes the toolchain applied to the musl it bundles (only when that musl is the one found).
        if self.options.provenance {
            let bundled = |sig: &str| bounds.iter().any(|(_, e)| e.signal == sig);
            if let (true, Some(v)) =
                (bundled("rustc-bundled-musl"), out.toolchain.rustc.as_ref().and_then(|r| r.version.as_deref()))
            {
                for p in patch_rows() {
                    let applies = p.toolchain == "rustc"
                        && version::cmp(v, &p.first).is_ge()
                        && p.last.as_deref().is_none_or(|l| version::cmp(v, l).is_le());
                    if applies {
                        let ev = Evidence::new("rustc-musl-patch", format!("rustc {v}: {}", p.source));
                        out.libc.patches.push(binsight_model::Patch { id: p.id.clone(), evidence: ev });
                    }
                }
            }
            if bundled("zig-bundled-musl") {
                for c in out.toolchain.cc.iter().filter(|c| c.name == "zig") {
                    let Some(r) =
                        c.version.as_ref().and_then(|v| zig_releases::releases().iter().find(|r| &r.version == v))
                    else {
                        continue;
                    };
                    for id in &r.musl_patches {
                        let ev = Evidence::new(
                            "zig-musl-patch",
                            format!("zig {} ships musl with the {id} fix in its sources", r.version),
                        );
                        out.libc.patches.push(binsight_model::Patch { id: id.clone(), evidence: ev });
                    }
                }
            }
        }
        let strong = bounds.len() >= 2 || bounds.iter().any(|(_, e)| e.signal.ends_with("bundled-musl"));
        out.libc.version = Some(acc.to_versions());
        out.libc.version_confidence = match (acc.exact(), strong) {
            (_, false) => Confidence::Partial,
            _ => Confidence::Likely,
        };
        out.libc.version_evidence = bounds.into_iter().map(|(_, e)| e).collect();
    }
}

/// The range a rendered version stands for (for callers that compare versions).
pub fn parse_rendered(s: &str) -> Option<Range> {
    let idx = |v: &str| RELEASES.iter().position(|r| *r == v.trim());
    if let Some(hi) = s.strip_prefix("<=") {
        return Some(Range { lo: 0, hi: idx(hi)? });
    }
    if let Some(rest) = s.strip_prefix(">=") {
        return match rest.split_once(", <=") {
            Some((lo, hi)) => Some(Range { lo: idx(lo)?, hi: idx(hi)? }),
            None => Some(Range { lo: idx(rest)?, hi: RELEASES.len() - 1 }),
        };
    }
    let i = idx(s)?;
    Some(Range { lo: i, hi: i })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tables_parse_and_ranges_render() {
        assert!(signals().len() >= 4);
        assert!(provenance().iter().any(|p| p.toolchain == "rustc"));
        let r = |lo, hi| Range { lo, hi };
        assert_eq!(r(4, 4).render(), "1.2.3");
        assert_eq!(r(5, 6).render(), ">=1.2.4");
        assert_eq!(r(3, 5).render(), ">=1.2.2, <=1.2.4");
        assert_eq!(r(0, 0).render(), "<=1.1.24");
        assert_eq!(r(3, 6).render(), ">=1.2.2");
        for s in ["1.2.3", ">=1.2.2, <=1.2.4", "<=1.1.24", ">=1.2.2"] {
            assert_eq!(parse_rendered(s).map(Range::render).as_deref(), Some(s));
        }
        assert_eq!(r(2, 5).intersect(r(5, 6)), Some(r(5, 5)));
        assert_eq!(r(2, 4).intersect(r(5, 6)), None);
    }

    #[test]
    fn rust_provenance() {
        assert_eq!(rustc_musl("1.69.0", "x86_64").map(|p| p.range.render()).as_deref(), Some("<=1.1.24"));
        assert_eq!(rustc_musl("1.80.1", "x86_64").map(|p| p.range.render()).as_deref(), Some("1.2.3"));
        assert_eq!(rustc_musl("1.93.0", "aarch64").map(|p| p.range.render()).as_deref(), Some("1.2.5"));
    }
}

#[cfg(test)]
mod patch_tests {
    use super::*;

    #[test]
    fn patch_rows_parse_and_start_at_verified_releases() {
        let rows = patch_rows();
        assert!(rows.iter().any(|r| r.toolchain == "rustc" && r.first == "1.93.0" && r.id == "CVE-2025-26519"));
        assert!(rows.iter().filter(|r| r.first == "1.95.0").count() >= 2);
        // 1.71-1.92 bundles are claimed unpatched (scripts/check-rust-musl-patches.py).
        assert!(!rows.iter().any(|r| version::cmp(&r.first, "1.93.0").is_lt()));
    }
}
