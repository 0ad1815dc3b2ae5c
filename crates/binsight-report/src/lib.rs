//! Renderers: human text (inspect blocks, scan table) and JSON lines. More formats (CycloneDX,
//! SPDX, SARIF) come with their issues.

use std::fmt::Write as _;

pub mod sbom;

use binsight_model::{
    AdvisoryContext, Applicability, BinaryReport, Check, Confidence, FileError, ImageInfo, Linkage, Status,
    SCHEMA_VERSION,
};

/// Text taken from input data made safe for a terminal: control characters (ESC, CR, BEL…)
/// are shown as `\u{..}` escapes, never sent raw.
pub fn sanitize(s: &str) -> std::borrow::Cow<'_, str> {
    if !s.chars().any(char::is_control) {
        return std::borrow::Cow::Borrowed(s);
    }
    std::borrow::Cow::Owned(
        s.chars().map(|c| if c.is_control() { c.escape_unicode().to_string() } else { c.to_string() }).collect(),
    )
}

/// A finding's severity as shown: `low`…`critical`, or `unrated` when the advisory gives none.
pub fn severity_text(f: &binsight_model::Finding) -> &str {
    f.severity.as_deref().unwrap_or("unrated")
}

/// One report as one JSON line (no trailing newline).
pub fn json_line(r: &BinaryReport) -> String {
    // Serialising plain data with string keys cannot fail.
    serde_json::to_string(r).unwrap_or_else(|e| format!("{{\"error\":\"serialise: {e}\"}}"))
}

/// A per-file error as one JSON line.
pub fn json_error_line(path: &str, error: &str, layer: Option<&str>) -> String {
    let e = FileError {
        schema_version: SCHEMA_VERSION,
        path: path.into(),
        error: error.into(),
        layer: layer.map(str::to_string),
    };
    serde_json::to_string(&e).unwrap_or_default()
}

fn linkage(l: Linkage) -> &'static str {
    match l {
        Linkage::Static => "static",
        Linkage::StaticPie => "static-pie",
        Linkage::Dynamic => "dynamic",
        Linkage::None => "none",
    }
}

fn conf(c: Confidence) -> &'static str {
    match c {
        Confidence::Exact => "exact",
        Confidence::Likely => "likely",
        Confidence::Partial => "partial",
        Confidence::Unknown => "unknown",
    }
}

fn status(s: Status) -> &'static str {
    match s {
        Status::Enabled => "yes",
        Status::Partial => "partial",
        Status::Disabled => "no",
        Status::Unknown => "unknown",
        Status::NotApplicable => "n/a",
    }
}

/// `musl 1.2.3` / `glibc` / `unknown`.
pub fn libc_short(r: &BinaryReport) -> String {
    match &r.libc.version {
        Some(v) => format!("{} {v}", r.libc.family.as_str()),
        None => r.libc.family.as_str().to_string(),
    }
}

/// `rustc 1.80.1`, `go1.19.8`, `gcc 12.2.0`… most specific first, comma separated.
pub fn toolchain_short(r: &BinaryReport) -> String {
    let mut v = Vec::new();
    if let Some(rc) = &r.toolchain.rustc {
        v.push(match (&rc.version, &rc.commit) {
            (Some(ver), _) => format!("rustc {ver}"),
            (None, Some(c)) => format!("rustc @{}", &c[..c.len().min(9)]),
            _ => "rustc".into(),
        });
    }
    if let Some(go) = &r.toolchain.go {
        v.push(go.version.clone());
    }
    for c in &r.toolchain.cc {
        if c.name == "lld" || c.name == "gnu-ld" {
            continue;
        }
        let s = match &c.version {
            Some(ver) => format!("{} {ver}", c.name),
            None => c.name.clone(),
        };
        if !v.contains(&s) {
            v.push(s);
        }
    }
    if v.is_empty() {
        "-".into()
    } else {
        v.join(", ")
    }
}

fn check_line(out: &mut String, name: &str, c: &Check) {
    let _ = writeln!(out, "    {name:<9} {:<8} {}", status(c.status), c.reason);
}

/// The human-readable block `inspect` prints for one file.
pub fn inspect_text(r: &BinaryReport) -> String {
    let e = &r.elf;
    let mut o = String::new();
    let _ = writeln!(o, "{}", r.path);
    let _ = writeln!(
        o,
        "  ELF       {} {}-bit {}-endian {}{}, {} bytes",
        e.machine,
        e.class,
        match e.endian {
            binsight_model::Endian::Little => "little",
            binsight_model::Endian::Big => "big",
        },
        linkage(e.linkage),
        if e.shared_library { " shared library" } else { "" },
        r.size
    );
    if let Some(i) = &e.interpreter {
        let _ = writeln!(o, "  loader    {i}");
    }
    if !e.needed.is_empty() {
        let _ = writeln!(o, "  needs     {}", e.needed.join(" "));
    }
    let _ = writeln!(
        o,
        "  symbols   {}{}{}",
        if e.stripped { "stripped" } else { "not stripped" },
        if e.debug_info { ", debug info" } else { "" },
        e.build_id.as_ref().map(|b| format!(", build-id {b}")).unwrap_or_default()
    );
    let _ = writeln!(o, "  libc      {} ({})", r.libc.family.as_str(), conf(r.libc.confidence));
    for ev in r.libc.evidence.iter().take(4) {
        let loc = match (&ev.section, ev.offset) {
            (Some(s), Some(off)) => format!(" [{s} @ {off:#x}]"),
            (Some(s), None) => format!(" [{s}]"),
            (None, Some(off)) => format!(" [@ {off:#x}]"),
            (None, None) => String::new(),
        };
        let _ = writeln!(o, "            · {}: {}{loc}", ev.signal, ev.detail);
    }
    if r.libc.version.is_some() {
        let v = r.libc.version.as_deref().unwrap_or_default();
        let _ = writeln!(o, "  version   {v} ({})", conf(r.libc.version_confidence));
        for ev in &r.libc.version_evidence {
            let _ = writeln!(o, "            · {}: {}", ev.signal, ev.detail);
        }
        for p in &r.libc.patches {
            let _ = writeln!(o, "  patched   {} ({})", p.id, p.evidence.detail);
        }
    }
    let _ = writeln!(o, "  toolchain {}", toolchain_short(r));
    if let Some(rc) = &r.toolchain.rustc {
        if let Some(c) = &rc.commit {
            let _ = writeln!(o, "            · rustc commit {c} ({})", conf(rc.confidence));
        }
    }
    if let Some(go) = &r.toolchain.go {
        if let Some(p) = &go.path {
            let _ = writeln!(o, "            · go main package {p}");
        }
        let settings: Vec<String> = go
            .settings
            .iter()
            .filter(|(k, _)| k != "DefaultGODEBUG")
            .take(10)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !settings.is_empty() {
            let _ = writeln!(o, "            · go build {}", settings.join(" "));
        }
    }
    if !r.components.is_empty() {
        let langs = r.components.iter().filter(|c| c.kind == "rust-crate" || c.kind == "go-module").count();
        let how = match r.components_completeness {
            binsight_model::Completeness::Complete => "complete list",
            binsight_model::Completeness::Partial => "PARTIAL: recovered from source paths, more may be linked",
            binsight_model::Completeness::None => "no package list",
        };
        let _ = writeln!(
            o,
            "  packages  {langs} crates/modules ({how}), {} components in all (-o json lists them)",
            r.components.len()
        );
    }
    let _ = writeln!(o, "  dns       {} resolver: {}", r.dns.resolver, r.dns.verdict);
    if let Some(fix) = &r.dns.fix {
        let _ = writeln!(o, "            fix: {fix}");
    }
    if let Some(v) = &r.verdict {
        let _ = writeln!(o, "  verdict   {}", v.action.to_uppercase());
        for f in r.findings.iter().flatten() {
            let app = match f.applicability {
                binsight_model::Applicability::Affected => "affected",
                binsight_model::Applicability::NotLinked => "not linked",
                binsight_model::Applicability::Unknown => "unknown",
            };
            let aka = if f.aliases.is_empty() { String::new() } else { format!(" ({})", f.aliases.join(", ")) };
            let sev = if f.informational.is_some() { String::new() } else { format!(", {}", severity_text(f)) };
            let warn = f.informational.as_deref().map(|k| format!(" [warning: {k}]")).unwrap_or_default();
            let _ = writeln!(o, "            · {}{aka} in {} {}: {app}{sev}{warn}", f.id, f.component, f.installed);
        }
        for x in &v.fix {
            let _ = writeln!(o, "            fix: {x}");
        }
        for x in &v.reasons {
            let _ = writeln!(o, "            why: {x}");
        }
        if !v.data.is_empty() {
            let ctx = AdvisoryContext { snapshot_date: String::new(), used: Some(v.data.clone()) };
            let _ = writeln!(o, "            data: {}", ctx.used_summary().unwrap_or_default());
        }
    }
    let _ = writeln!(o, "  portable  {}", r.portability.summary);
    if let Some(k) = &r.portability.min_kernel {
        let _ = writeln!(o, "            · minimum kernel {k}");
    }
    let _ = writeln!(o, "  hardening");
    let h = &r.hardening;
    check_line(&mut o, "RELRO", &h.relro);
    check_line(&mut o, "PIE", &h.pie);
    check_line(&mut o, "NX", &h.nx);
    check_line(&mut o, "canary", &h.canary);
    check_line(&mut o, "FORTIFY", &h.fortify);
    check_line(&mut o, "CET/BTI", &h.cfi);
    for u in &r.unknowns {
        let _ = writeln!(o, "  note      {}: {}", u.origin, u.message);
    }
    o
}

/// Header of the scan table (with a VERDICT column when auditing).
pub fn scan_header(audit: bool) -> String {
    let v = if audit { format!("{:<9} {:<28} ", "VERDICT", "WORST FINDING") } else { String::new() };
    format!(
        "{:<10} {:<10} {:<18} {:<28} {:<16} {:>5} {v}PATH",
        "ARCH", "LINKAGE", "LIBC", "TOOLCHAIN", "PORTABLE", "COMPS"
    )
}

fn severity_rank(s: Option<&str>) -> u8 {
    match s {
        Some("critical") => 4,
        Some("high") => 3,
        Some("medium") => 2,
        Some("low") => 1,
        _ => 0,
    }
}

/// The finding that matters most: affected before unknown, then by severity.
fn worst_finding(r: &BinaryReport) -> String {
    let rank = |f: &binsight_model::Finding| {
        let app = match f.applicability {
            Applicability::Affected if f.informational.is_none() => 2,
            Applicability::Unknown if f.informational.is_none() => 1,
            _ => 0,
        };
        (app, severity_rank(f.severity.as_deref()))
    };
    match r.findings.iter().flatten().filter(|f| rank(f).0 > 0).max_by_key(|f| rank(f)) {
        Some(f) => {
            let id = f.aliases.iter().find(|a| a.starts_with("CVE-")).unwrap_or(&f.id);
            let sev = severity_text(f);
            let q = if f.applicability == Applicability::Unknown { " (unknown)" } else { "" };
            format!("{id} {sev}{q}")
        }
        None => "-".into(),
    }
}

/// One scan table row.
pub fn scan_row(r: &BinaryReport) -> String {
    let portable = match r.portability.verdict {
        binsight_model::PortabilityVerdict::Portable => "yes".to_string(),
        binsight_model::PortabilityVerdict::NeedsHostLibc => match &r.portability.glibc_floor {
            Some(f) => format!("glibc>={f}"),
            None => "host libc".into(),
        },
        binsight_model::PortabilityVerdict::NotPortable => "NO (NSS)".into(),
        binsight_model::PortabilityVerdict::Unknown => "?".into(),
    };
    let libc = format!("{} ({})", libc_short(r), conf(r.libc.confidence));
    let verdict = r.verdict.as_ref().map(|v| format!("{:<9} {:<28} ", v.action, worst_finding(r))).unwrap_or_default();
    format!(
        "{:<10} {:<10} {:<18} {:<28} {:<16} {:>5} {verdict}{}",
        r.elf.machine,
        linkage(r.elf.linkage),
        libc,
        toolchain_short(r),
        portable,
        r.components.len(),
        r.path
    )
}

/// The scan table's first lines: how many binaries, of which kinds, and the verdicts.
pub fn scan_summary(reports: &[BinaryReport], audit: bool) -> String {
    let mut o = String::new();
    let count = |f: &dyn Fn(&BinaryReport) -> bool| reports.iter().filter(|r| f(r)).count();
    let statics = count(&|r| matches!(r.elf.linkage, Linkage::Static | Linkage::StaticPie));
    let musl = count(&|r| r.libc.family == binsight_model::LibcFamily::Musl);
    let glibc = count(&|r| r.libc.family == binsight_model::LibcFamily::Glibc);
    let _ = writeln!(
        o,
        "{} ELF files: {statics} static, {} dynamic; libc: {musl} musl, {glibc} glibc, {} other or none",
        reports.len(),
        reports.len() - statics,
        reports.len() - musl - glibc
    );
    if audit {
        let v = |a: &str| count(&|r| r.verdict.as_ref().is_some_and(|v| v.action == a));
        let _ = writeln!(o, "verdicts: {} REBUILD, {} unknown, {} ok", v("rebuild"), v("unknown"), v("ok"));
        let mut fixes: Vec<(String, usize)> = Vec::new();
        for r in reports {
            for f in r.verdict.iter().flat_map(|v| &v.fix) {
                match fixes.iter_mut().find(|x| &x.0 == f) {
                    Some(x) => x.1 += 1,
                    None => fixes.push((f.clone(), 1)),
                }
            }
        }
        fixes.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
        for (f, n) in fixes.iter().take(5) {
            let _ = writeln!(o, "  {f}  ({n} binaries)");
        }
    }
    o.push('\n');
    o
}

/// The table's last line: which advisory data the verdicts were decided with.
pub fn scan_footer(ctx: &AdvisoryContext) -> String {
    match ctx.used_summary() {
        Some(u) => format!("\nadvisory data: {u} (embedded snapshot {})\n", ctx.snapshot_date),
        None => String::new(),
    }
}

/// A few lines about a scanned image, before its rows.
pub fn image_header(i: &ImageInfo) -> String {
    let mut o = String::new();
    let name = i.tags.first().cloned().unwrap_or_else(|| i.source.clone());
    let _ = writeln!(o, "image {name} ({}, {})", i.kind, i.platform);
    let _ = writeln!(o, "  id {}", i.config_digest);
    if let Some(m) = &i.manifest_digest {
        let _ = writeln!(o, "  manifest {m}");
    }
    if !i.entrypoint.is_empty() || !i.cmd.is_empty() {
        let _ = writeln!(o, "  entrypoint {:?} cmd {:?}", i.entrypoint, i.cmd);
    }
    let size: u64 = i.layers.iter().map(|l| l.size).sum();
    let _ = writeln!(o, "  {} layers, {:.1} MB", i.layers.len(), size as f64 / 1e6);
    if !i.other_platforms.is_empty() {
        let _ = writeln!(o, "  also in the image (not scanned; use --platform): {}", i.other_platforms.join(", "));
    }
    o
}

/// A SARIF 2.1.0 log of the audit findings of `reports` (one run; a rule per advisory).
/// Findings whose code is in the binary are `error`, undecided ones `warning`, findings whose
/// code is not linked `note`.
pub fn sarif(reports: &[BinaryReport], ctx: &AdvisoryContext) -> String {
    use serde_json::json;
    let mut rules: Vec<serde_json::Value> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for r in reports {
        for f in r.findings.iter().flatten() {
            if !rule_ids.contains(&f.id) {
                rule_ids.push(f.id.clone());
                let text = f.summary.clone().unwrap_or_else(|| f.id.clone());
                rules.push(json!({
                    "id": f.id,
                    "name": f.id.replace(['-', '.'], ""),
                    "shortDescription": {"text": text},
                    "fullDescription": {"text": format!("{text} (aliases: {})", if f.aliases.is_empty() { "none".to_string() } else { f.aliases.join(", ") })},
                    "help": {"text": format!("Known vulnerability {} in {}. Fixed in: {}.", f.id, f.component,
                        if f.fixed.is_empty() { "no release".to_string() } else { f.fixed.join(", ") })},
                    "properties": {"tags": ["security", "vulnerability"]},
                }));
            }
            let level = match f.applicability {
                _ if f.informational.is_some() => "note",
                binsight_model::Applicability::Affected => "error",
                binsight_model::Applicability::Unknown => "warning",
                binsight_model::Applicability::NotLinked => "note",
            };
            let app = match f.applicability {
                binsight_model::Applicability::Affected => "the vulnerable code is in the binary",
                binsight_model::Applicability::Unknown => "cannot tell whether the vulnerable code is in the binary",
                binsight_model::Applicability::NotLinked => "the vulnerable code is not linked",
            };
            let fix = r.verdict.as_ref().map(|v| v.fix.join("; ")).filter(|s| !s.is_empty());
            let message = match fix {
                Some(fx) if level == "error" => {
                    format!("{} {} has {}: {app}. Fix: {fx}.", f.component, f.installed, f.id)
                }
                _ => format!("{} {} has {}: {app}.", f.component, f.installed, f.id),
            };
            results.push(json!({
                "ruleId": f.id,
                "ruleIndex": rule_ids.iter().position(|x| x == &f.id).unwrap_or(0),
                "level": level,
                "message": {"text": message},
                "locations": [{"physicalLocation": {
                    "artifactLocation": {"uri": uri_of(&r.path)},
                    // The finding is about the whole binary.
                    "region": {"byteOffset": 0, "byteLength": r.size},
                }}],
                "properties": {"component": f.component, "installed": f.installed, "aliases": f.aliases,
                    "severity": severity_text(f)},
            }));
        }
    }
    let log = json!({
        "$schema": "https://json.schemastore.org/sarif-2.1.0.json",
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "binsight",
                "version": env!("CARGO_PKG_VERSION"),
                "semanticVersion": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "results": results,
            "properties": {
                "advisorySnapshotDate": ctx.snapshot_date,
                "advisoryData": ctx.used.clone().unwrap_or_default(),
            },
        }],
    });
    serde_json::to_string_pretty(&log).unwrap_or_default()
}

/// A path as a URI reference: absolute paths as `file://` URIs, others relative; bytes outside
/// the unreserved set percent-encoded.
fn uri_of(path: &str) -> String {
    let mut out = String::new();
    if path.starts_with('/') {
        out.push_str("file://");
    }
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}
