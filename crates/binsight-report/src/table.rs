//! The scan table: image headers, a summary, a row per binary, the advisory-data footer; fitted
//! to a width.
//!
//! Fitting, when the natural table is wider than the width: columns are cut to a cap each
//! (long cells end in `…`), then shrunk to a minimum in [`SHRINK_ORDER`], then dropped in
//! [`DROP_ORDER`] until the rest fits beside a PATH column of at least [`PATH_MIN`] columns.
//! PATH is last and takes the remaining width; a long path loses its middle (`/usr/…/lib/name`):
//! its first component stays when short, and as much of its end as fits. Summary, footer and
//! image lines are word-wrapped. With no width (`Style::width == None`) nothing is cut.
//! Every input-derived text is sanitized (control characters escaped) before it is measured.

use binsight_model::{Action, AdvisoryContext, BinaryReport, ImageInfo};

use crate::text::{count, severity_color, verdict_color, Style, Styled};
use crate::{conf, libc_short, linkage, sanitize, severity_text, toolchain_short, worst_finding};

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Col {
    Arch,
    Linkage,
    Libc,
    Toolchain,
    Portable,
    Comps,
    CLibs,
    Verdict,
    Worst,
}

struct Spec {
    col: Col,
    header: &'static str,
    right: bool,
    /// Widest the column gets when there is a width to fit.
    cap: usize,
    /// Narrowest it is shrunk to before columns are dropped.
    min: usize,
}

const SPECS: [Spec; 9] = [
    Spec { col: Col::Arch, header: "ARCH", right: false, cap: 12, min: 12 },
    Spec { col: Col::Linkage, header: "LINKAGE", right: false, cap: 10, min: 10 },
    Spec { col: Col::Libc, header: "LIBC", right: false, cap: 26, min: 14 },
    Spec { col: Col::Toolchain, header: "TOOLCHAIN", right: false, cap: 28, min: 12 },
    Spec { col: Col::Portable, header: "PORTABLE", right: false, cap: 14, min: 11 },
    Spec { col: Col::Comps, header: "COMPS", right: true, cap: 6, min: 6 },
    Spec { col: Col::CLibs, header: "C LIBS", right: true, cap: 6, min: 6 },
    Spec { col: Col::Verdict, header: "VERDICT", right: false, cap: 7, min: 7 },
    Spec { col: Col::Worst, header: "WORST FINDING", right: false, cap: 32, min: 19 },
];

/// Columns shrunk (to their minimum) first to last when the table is too wide.
pub const SHRINK_ORDER: [&str; 4] = ["PORTABLE", "WORST FINDING", "TOOLCHAIN", "LIBC"];
/// Columns dropped first to last when shrinking was not enough: C LIBS, COMPS, ARCH, LINKAGE,
/// PORTABLE, TOOLCHAIN, LIBC, WORST FINDING, VERDICT (what an audit is for goes last). PATH is
/// never dropped.
pub const DROP_ORDER: [&str; 9] =
    ["C LIBS", "COMPS", "ARCH", "LINKAGE", "PORTABLE", "TOOLCHAIN", "LIBC", "WORST FINDING", "VERDICT"];
/// The narrowest PATH column kept before other columns are dropped.
pub const PATH_MIN: usize = 30;
/// Spaces between columns.
const SEP: usize = 2;

fn spec(c: Col) -> &'static Spec {
    SPECS.iter().find(|s| s.col == c).unwrap_or(&SPECS[0])
}

fn cell(r: &BinaryReport, c: Col) -> Styled {
    match c {
        Col::Arch => Styled::plain(&sanitize(&r.elf.machine)),
        Col::Linkage => Styled::plain(linkage(r.elf.linkage)),
        Col::Libc => Styled::plain(&sanitize(&format!("{} ({})", libc_short(r), conf(r.libc.confidence)))),
        Col::Toolchain => Styled::plain(&sanitize(&toolchain_short(r))),
        Col::Portable => Styled::plain(&sanitize(&match r.portability.verdict {
            binsight_model::PortabilityVerdict::Portable => "yes".to_string(),
            binsight_model::PortabilityVerdict::NeedsHostLibc => match &r.portability.glibc_floor {
                Some(f) => format!("glibc>={f}"),
                None => "host libc".into(),
            },
            binsight_model::PortabilityVerdict::NotPortable => "NO (NSS)".into(),
            binsight_model::PortabilityVerdict::Unknown => "?".into(),
        })),
        Col::Comps => Styled::plain(&r.components.len().to_string()),
        // Bundled C libraries (OpenSSL, zlib…): their names are in the JSON and SBOMs.
        Col::CLibs => Styled::plain(
            &r.components.iter().filter(|c| c.kind == binsight_model::ComponentKind::CLibrary).count().to_string(),
        ),
        Col::Verdict => match &r.verdict {
            Some(v) => {
                let shown = if v.action == Action::Rebuild { "REBUILD" } else { v.action.as_str() };
                Styled::colored(shown, verdict_color(v.action))
            }
            None => Styled::plain("-"),
        },
        Col::Worst => match worst_finding(r) {
            Some(f) => {
                let id = f.aliases.iter().find(|a| a.starts_with("CVE-")).unwrap_or(&f.id);
                let sev = severity_text(f);
                let color = severity_color(f.severity);
                let mut s = Styled::plain(&sanitize(id));
                s.push(" ", None).push(sev, color);
                if f.applicability == binsight_model::Applicability::Unknown {
                    s.push(" (unknown)", None);
                }
                s
            }
            None => Styled::plain("-"),
        },
    }
}

/// Which columns to show and how wide, and the PATH column's width (`None`: unlimited).
fn layout(natural: &[(Col, usize)], width: Option<usize>, path_natural: usize) -> (Vec<(Col, usize)>, Option<usize>) {
    let Some(w) = width else {
        return (natural.to_vec(), None);
    };
    let path_need = PATH_MIN.min(path_natural.max("PATH".len()));
    for dropped in 0..=DROP_ORDER.len() {
        let mut cols: Vec<(Col, usize)> =
            natural.iter().copied().filter(|(c, _)| !DROP_ORDER[..dropped].contains(&spec(*c).header)).collect();
        let used = |cols: &[(Col, usize)]| cols.iter().map(|(_, w)| w + SEP).sum::<usize>();
        for name in SHRINK_ORDER {
            let total = used(&cols) + path_need;
            if total <= w {
                break;
            }
            if let Some((c, cw)) = cols.iter_mut().find(|(c, _)| spec(*c).header == name) {
                let cut = cw.saturating_sub(spec(*c).min).min(total - w);
                *cw -= cut;
            }
        }
        if used(&cols) + path_need <= w {
            let rest = w - used(&cols);
            return (cols, Some(rest));
        }
    }
    (Vec::new(), Some(w))
}

fn push_wrapped(out: &mut Vec<Styled>, line: &Styled, style: &Style) {
    out.extend(line.wrap(style.width));
}

/// A few lines about a scanned image, before the summary.
fn image_lines(out: &mut Vec<Styled>, i: &ImageInfo, style: &Style) {
    let name = i.tags.first().cloned().unwrap_or_else(|| i.source.clone());
    let mut lines = vec![format!("image {name} ({}, {})", i.kind, i.platform), format!("  id {}", i.config_digest)];
    if let Some(m) = &i.manifest_digest {
        lines.push(format!("  manifest {m}"));
    }
    if !i.entrypoint.is_empty() || !i.cmd.is_empty() {
        lines.push(format!("  entrypoint {:?} cmd {:?}", i.entrypoint, i.cmd));
    }
    let size: u64 = i.layers.iter().map(|l| l.size).sum();
    lines.push(format!("  {}, {:.1} MB", count(i.layers.len(), "layer", "layers"), size as f64 / 1e6));
    if !i.other_platforms.is_empty() {
        lines.push(format!("  also in the image (not scanned; use --platform): {}", i.other_platforms.join(", ")));
    }
    for l in lines {
        push_wrapped(out, &Styled::plain(&sanitize(&l)), style);
    }
}

/// The first lines: how many binaries, of which kinds, and the verdicts with the commonest fixes.
fn summary_lines(out: &mut Vec<Styled>, reports: &[BinaryReport], audit: bool, style: &Style) {
    let n = |f: &dyn Fn(&BinaryReport) -> bool| reports.iter().filter(|r| f(r)).count();
    let statics = n(&|r| r.elf.linkage.is_static());
    let musl = n(&|r| r.libc.family == binsight_model::LibcFamily::Musl);
    let glibc = n(&|r| r.libc.family == binsight_model::LibcFamily::Glibc);
    let first = format!(
        "{}: {statics} static, {} dynamic; libc: {musl} musl, {glibc} glibc, {} other or none",
        count(reports.len(), "ELF file", "ELF files"),
        reports.len() - statics,
        reports.len() - musl - glibc
    );
    push_wrapped(out, &Styled::plain(&first), style);
    let partial: Vec<&BinaryReport> = reports.iter().filter(|r| !r.partial.is_empty()).collect();
    if !partial.is_empty() {
        let mut line = format!(
            "partial: {} ran out of a detector's budget (answers incomplete; raise --max-detector-work/-memory):",
            count(partial.len(), "file", "files")
        );
        for r in partial.iter().take(5) {
            let who: Vec<&str> = r.partial.iter().map(|p| p.detector.as_str()).collect();
            line.push_str(&format!(" {} ({});", sanitize(&r.path), sanitize(&who.join(", "))));
        }
        push_wrapped(out, &Styled::plain(line.trim_end_matches(';')), style);
    }
    if audit {
        let v = |a: Action| n(&|r| r.verdict.as_ref().is_some_and(|v| v.action == a));
        let mut line = Styled::plain("verdicts: ");
        for (i, (action, shown)) in
            [(Action::Rebuild, "REBUILD"), (Action::Unknown, "unknown"), (Action::Ok, "ok")].into_iter().enumerate()
        {
            if i > 0 {
                line.push(", ", None);
            }
            let k = v(action);
            line.push(&format!("{k} {shown}"), if k > 0 { verdict_color(action) } else { None });
        }
        push_wrapped(out, &line, style);
        let mut fixes: Vec<(String, usize)> = Vec::new();
        for r in reports {
            for f in r.verdict.iter().flat_map(|v| &v.fix) {
                let f = f.to_string();
                match fixes.iter_mut().find(|x| x.0 == f) {
                    Some(x) => x.1 += 1,
                    None => fixes.push((f, 1)),
                }
            }
        }
        fixes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (f, k) in fixes.iter().take(5) {
            let l = format!("  {}  ({})", sanitize(f), count(*k, "binary", "binaries"));
            push_wrapped(out, &Styled::plain(&l), style);
        }
        suppressed_lines(out, reports, style);
    }
    out.push(Styled::new());
}

/// How many findings VEX statements and ignore entries took out (not in the verdicts above),
/// and with `--show-suppressed` each of them.
fn suppressed_lines(out: &mut Vec<Styled>, reports: &[BinaryReport], style: &Style) {
    let total: usize = reports.iter().map(|r| r.suppressed.len()).sum();
    if total == 0 {
        return;
    }
    let binaries = reports.iter().filter(|r| !r.suppressed.is_empty()).count();
    let hint = if style.show_suppressed { "" } else { "; --show-suppressed lists them" };
    let l = format!(
        "suppressed: {} in {} (VEX or ignore entries: not in the verdicts{hint})",
        count(total, "finding", "findings"),
        count(binaries, "binary", "binaries")
    );
    push_wrapped(out, &Styled::plain(&l), style);
    if !style.show_suppressed {
        return;
    }
    for r in reports {
        for s in &r.suppressed {
            let (f, by) = (&s.finding, &s.by);
            let just = by.justification.as_ref().map(|j| format!(": {j}")).unwrap_or_default();
            let l = format!(
                "  {} in {} {} ({}) by {} {} ({}{just})",
                f.id, f.component, f.installed, r.path, by.source, by.file, by.status
            );
            push_wrapped(out, &Styled::plain(&sanitize(&l)), style);
        }
    }
}

/// The whole scan table, each line at most `style.width` columns, coloured when `style.color`.
pub fn scan_table(
    reports: &[BinaryReport],
    images: &[ImageInfo],
    audit: bool,
    ctx: &AdvisoryContext,
    style: &Style,
) -> String {
    let mut lines: Vec<Styled> = Vec::new();
    for i in images {
        image_lines(&mut lines, i, style);
    }
    summary_lines(&mut lines, reports, audit, style);
    if !reports.is_empty() {
        let cols: Vec<Col> =
            SPECS.iter().map(|s| s.col).filter(|c| audit || !matches!(c, Col::Verdict | Col::Worst)).collect();
        let cells: Vec<Vec<Styled>> = reports.iter().map(|r| cols.iter().map(|&c| cell(r, c)).collect()).collect();
        let paths: Vec<Styled> = reports.iter().map(|r| Styled::plain(&sanitize(&r.path))).collect();
        let natural: Vec<(Col, usize)> = cols
            .iter()
            .enumerate()
            .map(|(k, &c)| {
                let widest = cells.iter().map(|row| row[k].width()).max().unwrap_or(0).max(spec(c).header.len());
                (c, if style.width.is_some() { widest.min(spec(c).cap) } else { widest })
            })
            .collect();
        let path_natural = paths.iter().map(Styled::width).max().unwrap_or(0);
        let (shown, path_w) = layout(&natural, style.width, path_natural);
        let row = |cells: &dyn Fn(usize, Col) -> Styled, path: Styled| {
            let mut l = Styled::new();
            for &(c, w) in &shown {
                let k = cols.iter().position(|x| *x == c).unwrap_or(0);
                l.append(&cells(k, c).truncate_end(w).pad(w, spec(c).right));
                l.push(&" ".repeat(SEP), None);
            }
            l.append(&match path_w {
                Some(w) => path.truncate_path(w),
                None => path,
            });
            l
        };
        lines.push(row(&|_, c| Styled::plain(spec(c).header), Styled::plain("PATH")));
        for (i, r) in cells.iter().enumerate() {
            lines.push(row(&|k, _| r[k].clone(), paths[i].clone()));
        }
    }
    if audit {
        if let Some(u) = ctx.used_summary() {
            lines.push(Styled::new());
            let l = format!("advisory data: {u} (embedded snapshot {})", ctx.snapshot_date);
            push_wrapped(&mut lines, &Styled::plain(&sanitize(&l)), style);
        }
    }
    let mut o = String::new();
    for l in lines {
        o.push_str(&l.render(style.color));
        o.push('\n');
    }
    o
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_summary_and_footer_lines_fit_and_are_sanitized() {
        let digest = format!("sha256:{}", "ab".repeat(32));
        let image = ImageInfo {
            source: "docker-archive:/tmp/x.tar".into(),
            kind: "docker-archive".into(),
            manifest_digest: Some(digest.clone()),
            config_digest: digest.clone(),
            tags: vec![format!("registry.example.com/{}/\x1b[31mevil:1", "team/".repeat(20))],
            platform: "linux/amd64".into(),
            entrypoint: vec!["/app/server".into(), "--listen".into(), "0.0.0.0:8080".repeat(5)],
            layers: vec![binsight_model::LayerInfo { size: 1_000_000, ..Default::default() }],
            other_platforms: (0..12).map(|i| format!("linux/arch{i}")).collect(),
            ..Default::default()
        };
        let ctx = AdvisoryContext {
            snapshot_date: "2026-01-01".into(),
            used: Some(
                ["crates.io", "Go", "PyPI", "npm", "Maven", "NuGet"]
                    .iter()
                    .map(|e| binsight_model::AdvisoryData {
                        ecosystem: e.to_string(),
                        source: format!("imported {e} mirror"),
                        date: Some("2026-01-02".into()),
                    })
                    .collect(),
            ),
        };
        for w in [40, 80, 200] {
            let style = Style { width: Some(w), color: false, show_suppressed: false };
            let t = scan_table(&[], std::slice::from_ref(&image), true, &ctx, &style);
            for l in t.lines() {
                assert!(crate::text::width(l) <= w, "{w}: {l:?} ({})", crate::text::width(l));
            }
            assert!(!t.contains('\x1b'), "{t}");
            assert!(t.contains("\\x1b[31mevil"), "{t}");
            assert!(t.contains("1 layer,") && t.contains("0 ELF files:"), "{t}");
            // Wrapped, not cut: every word of the digest and the footer is still there.
            let joined: String = t.split_whitespace().collect();
            assert!(joined.contains(&digest), "{t}");
            assert!(joined.contains("NuGet:importedNuGetmirror2026-01-02"), "{t}");
        }
        let unlimited = scan_table(&[], &[image], true, &ctx, &Style::default());
        assert!(unlimited.lines().any(|l| l.contains(&format!("  manifest {digest}"))), "{unlimited}");
    }

    #[test]
    fn layout_fits_or_drops_in_order() {
        let natural: Vec<(Col, usize)> = SPECS.iter().map(|s| (s.col, s.cap)).collect();
        let (cols, path) = layout(&natural, None, 100);
        assert_eq!((cols.len(), path), (SPECS.len(), None));
        for w in [1, 10, 30, 40, 60, 80, 120, 200, 400] {
            let (cols, path) = layout(&natural, Some(w), 100);
            let used: usize = cols.iter().map(|(_, cw)| cw + SEP).sum::<usize>() + path.unwrap_or(0);
            assert_eq!(used, w, "the path takes the rest at {w}");
            // The columns kept are exactly those not yet dropped, in order.
            let kept: Vec<&str> = cols.iter().map(|(c, _)| spec(*c).header).collect();
            let dropped = SPECS.len() - kept.len();
            assert!(DROP_ORDER[dropped..].iter().all(|h| kept.contains(h)), "{w}: {kept:?}");
            for (c, cw) in &cols {
                assert!(*cw >= spec(*c).min, "{w}: {c:?} {cw}");
            }
        }
        // Wide enough: nothing dropped or shrunk.
        let (cols, _) = layout(&natural, Some(400), 100);
        assert_eq!(cols, natural);
    }
}
