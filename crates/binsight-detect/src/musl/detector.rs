//! The musl-version detector: intersects the bounds of every signal that has one (data
//! signals, the resolver's code shape, the bundling toolchain) and lists the fixes the
//! toolchain applied to the musl it bundles.

use binsight_model::{Confidence, Evidence, LibcFamily, Patch, Unknown};

use super::code;
use super::releases::Range;
use super::signals::{rustc_musl, rustc_patches, signals, Signal};
use crate::{zig_releases, Context, Detector, Meter, ReportDraft};

/// Options of the engine (the evaluation turns provenance off to measure the bytes alone, and
/// swaps in signal ranges learnt without one toolchain's builds).
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Run the engine at all (off only to measure its cost).
    pub enabled: bool,
    /// Also bound the version by what the toolchain that built the file bundles
    /// (`data/musl-provenance.tsv`).
    pub provenance: bool,
    /// Signal table to use instead of the compiled-in one (same ids and patterns).
    pub signals: Option<&'static [Signal]>,
}

impl Default for Options {
    fn default() -> Self {
        Options { enabled: true, provenance: true, signals: None }
    }
}

/// The musl version detector: bounds the version of a static musl from its bytes and code.
pub struct MuslVersionDetector {
    /// How the engine runs.
    pub options: Options,
}

/// A bound on the version and the evidence for it.
type Bound = (Range, Evidence);

impl Detector for MuslVersionDetector {
    fn name(&self) -> &'static str {
        "musl-version"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter) {
        if !self.options.enabled || out.libc.family != LibcFamily::Musl {
            return;
        }
        // Dynamic musl binaries use the host's musl: nothing in the file bounds it.
        if cx.elf.facts.interpreter.is_some() || !cx.elf.facts.needed.is_empty() {
            return;
        }
        let mut bounds = data_bounds(cx, self.options.signals.unwrap_or(signals()));
        bounds.extend(code_bound(cx, meter));
        if self.options.provenance {
            bounds.extend(provenance_bounds(cx, out));
        }
        if bounds.is_empty() {
            return;
        }
        let Some(acc) = bounds.iter().try_fold(Range::all(), |acc, (r, _)| acc.intersect(*r)) else {
            out.unknowns.push(Unknown {
                origin: "musl-version".into(),
                message: "musl version signals contradict each other (a patched musl, or two musl builds in one file); see libc.version_evidence".into(),
            });
            out.libc.version_evidence = bounds.into_iter().map(|(_, e)| e).collect();
            return;
        };
        // Fixes the toolchain applied to the musl it bundles (only when that musl is the one found).
        if self.options.provenance {
            add_patches(out, &bounds);
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

/// Evidence at file offset `off`, in the section that holds it.
fn at(cx: &Context<'_>, off: u64, id: &str, detail: String) -> Evidence {
    Evidence::new(id, detail).in_section(cx.elf.section_at(off).unwrap_or("?")).at(off)
}

/// The bounds of the data signals: present ones, and absent ones whose anchor is present.
fn data_bounds(cx: &Context<'_>, signals: &[Signal]) -> Vec<Bound> {
    let mut bounds = Vec::new();
    for s in signals {
        let hit = cx.hits.of(&s.id).first().copied();
        match (hit, s.present, s.absent) {
            (Some(off), Some(r), _) => {
                bounds.push((r, at(cx, off, &s.id, format!("present: musl {}", r.render()))));
            }
            (None, _, Some(r)) => {
                let Some(anchor) = &s.anchor else { continue };
                if let Some(&off) = cx.hits.of(anchor).first() {
                    let detail = format!("absent beside {anchor}: musl {}", r.render());
                    bounds.push((r, at(cx, off, &format!("{}-absent", s.id), detail)));
                }
            }
            _ => {}
        }
    }
    bounds
}

/// Code: the resolver's answer-buffer size, looked for only where the resolver is linked (its
/// resolv.conf path or musl's resolver messages are there).
fn code_bound(cx: &Context<'_>, meter: &mut Meter) -> Option<Bound> {
    let resolver = !cx.hits.of("resolv-conf").is_empty() || !cx.hits.of("musl-gai-noname").is_empty();
    if !resolver || !matches!(cx.elf.facts.machine.as_str(), "x86_64" | "aarch64") {
        return None;
    }
    let text: Vec<(u64, &[u8])> = cx.elf.executable_sections().collect();
    let f = code::find(&cx.elf.facts.machine, &text, meter)?;
    let detail = format!(
        "resolver answer buffer is {} bytes (lookup_name.c ABUF_SIZE): musl {}",
        f.abuf.value,
        f.abuf.range.render()
    );
    Some((f.abuf.range, at(cx, f.offset, "musl-resolver-abuf", detail)))
}

/// Provenance: the musl the toolchain that linked the file bundles.
fn provenance_bounds(cx: &Context<'_>, out: &ReportDraft) -> Vec<Bound> {
    let mut bounds = Vec::new();
    let machine = cx.elf.facts.machine.as_str();
    // rustc's bundled musl only when rustc brought the libc (`Toolchain::libc_linker`).
    let rustc_linked = out.toolchain.libc_linker() == binsight_model::LibcLinker::Rustc;
    if let (true, Some(v)) = (rustc_linked, out.toolchain.rustc.as_ref().and_then(|r| r.version.as_deref())) {
        if let Some(p) = rustc_musl(v, machine) {
            let detail = format!("rustc {v} for {machine} bundles musl {} ({})", p.range.render(), p.source);
            bounds.push((p.range, Evidence::new("rustc-bundled-musl", detail)));
        }
    }
    for c in out.toolchain.cc.iter().filter(|c| c.name == "zig") {
        let Some(v) = &c.version else { continue };
        let Some(r) = zig_releases::by_version(v) else { continue };
        let Some(range) = Range::of_release(&r.musl) else { continue };
        let detail = format!("zig {v} bundles musl {} (its lib/libc/musl/src/internal/version.h)", r.musl);
        bounds.push((range, Evidence::new("zig-bundled-musl", detail).in_section(".comment")));
    }
    bounds
}

/// The fixes of the toolchain whose bundled musl is among the `bounds`.
fn add_patches(out: &mut ReportDraft, bounds: &[Bound]) {
    let bundled = |sig: &str| bounds.iter().any(|(_, e)| e.signal == sig);
    if let (true, Some(v)) =
        (bundled("rustc-bundled-musl"), out.toolchain.rustc.as_ref().and_then(|r| r.version.as_deref()))
    {
        for p in rustc_patches(v) {
            let ev = Evidence::new("rustc-musl-patch", format!("rustc {v}: {}", p.source));
            out.libc.patches.push(Patch { id: p.id.clone(), evidence: ev });
        }
    }
    if bundled("zig-bundled-musl") {
        for c in out.toolchain.cc.iter().filter(|c| c.name == "zig") {
            let Some(r) = c.version.as_deref().and_then(zig_releases::by_version) else { continue };
            for id in &r.musl_patches {
                let ev = Evidence::new(
                    "zig-musl-patch",
                    format!("zig {} ships musl with the {id} fix in its sources", r.version),
                );
                out.libc.patches.push(Patch { id: id.clone(), evidence: ev });
            }
        }
    }
}
