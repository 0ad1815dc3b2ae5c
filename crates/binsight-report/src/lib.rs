//! Renderers: human text (inspect blocks, scan table), JSON lines, SARIF, CycloneDX and SPDX.

#![warn(missing_docs, unreachable_pub)]

pub mod openvex;
pub mod sbom;
pub mod table;
pub mod text;

pub use table::scan_table;
pub use text::{sanitize, Style};

use binsight_model::{
    AdvisoryContext, Applicability, BinaryReport, Check, ComponentKind, Confidence, FileError, Linkage, Status,
    SCHEMA_VERSION,
};

/// A finding's severity as shown: `low`…`critical`, or `unrated` when the advisory gives none.
pub fn severity_text(f: &binsight_model::Finding) -> &'static str {
    binsight_model::Severity::text(f.severity)
}

/// `s` percent-encoded: every byte but the unreserved characters (RFC 3986) and those of `keep`.
pub(crate) fn percent_encode(s: &str, keep: &[u8]) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) || keep.contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

/// A verdict's fixes as one line, `; ` between them.
pub fn join_fixes(fixes: &[binsight_model::Fix]) -> String {
    fixes.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
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

/// `writeln!` for human text built from input: the line is sanitized (control characters in
/// names, strings or paths escaped) before it is added.
macro_rules! safe_line {
    ($out:expr, $($arg:tt)*) => {{
        let l = format!($($arg)*);
        $out.push_str(&sanitize(&l));
        $out.push('\n');
    }};
}

fn check_line(out: &mut String, name: &str, c: &Check) {
    safe_line!(out, "    {name:<9} {:<8} {}", status(c.status), c.reason);
}

/// The human-readable block `inspect` prints for one file (plain: no colour).
pub fn inspect_text(r: &BinaryReport) -> String {
    inspect_text_styled(r, &Style::default())
}

/// [`inspect_text`], with the verdict and severities coloured when `style.color`. Every line is
/// sanitized: control characters from the file (names, strings, paths) are escaped.
pub fn inspect_text_styled(r: &BinaryReport, style: &Style) -> String {
    let mut o = String::new();
    inspect_elf(&mut o, r);
    inspect_libc(&mut o, r);
    inspect_toolchain(&mut o, r);
    inspect_c_libraries(&mut o, r);
    safe_line!(o, "  dns       {} resolver: {}", r.dns.resolver, r.dns.verdict);
    if let Some(fix) = &r.dns.fix {
        safe_line!(o, "            fix: {fix}");
    }
    if let Some(v) = &r.verdict {
        inspect_verdict(&mut o, r, v, style);
    }
    safe_line!(o, "  portable  {}", r.portability.summary);
    if let Some(k) = &r.portability.min_kernel {
        safe_line!(o, "            · minimum kernel {k}");
    }
    safe_line!(o, "  hardening");
    let h = &r.hardening;
    check_line(&mut o, "RELRO", &h.relro);
    check_line(&mut o, "PIE", &h.pie);
    check_line(&mut o, "NX", &h.nx);
    check_line(&mut o, "canary", &h.canary);
    check_line(&mut o, "FORTIFY", &h.fortify);
    check_line(&mut o, "CET/BTI", &h.cfi);
    for u in &r.unknowns {
        safe_line!(o, "  note      {}: {}", u.origin, u.message);
    }
    o
}

/// The file, its ELF header facts and symbols.
fn inspect_elf(o: &mut String, r: &BinaryReport) {
    let e = &r.elf;
    safe_line!(o, "{}", r.path);
    safe_line!(
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
        safe_line!(o, "  loader    {i}");
    }
    if !e.needed.is_empty() {
        safe_line!(o, "  needs     {}", e.needed.join(" "));
    }
    safe_line!(
        o,
        "  symbols   {}{}{}",
        if e.stripped { "stripped" } else { "not stripped" },
        if e.debug_info { ", debug info" } else { "" },
        e.build_id.as_ref().map(|b| format!(", build-id {b}")).unwrap_or_default()
    );
}

/// The C library, its version and the evidence of both.
fn inspect_libc(o: &mut String, r: &BinaryReport) {
    safe_line!(o, "  libc      {} ({})", r.libc.family.as_str(), conf(r.libc.confidence));
    for ev in r.libc.evidence.iter().take(4) {
        let loc = match (&ev.section, ev.offset) {
            (Some(s), Some(off)) => format!(" [{s} @ {off:#x}]"),
            (Some(s), None) => format!(" [{s}]"),
            (None, Some(off)) => format!(" [@ {off:#x}]"),
            (None, None) => String::new(),
        };
        safe_line!(o, "            · {}: {}{loc}", ev.signal, ev.detail);
    }
    if r.libc.version.is_some() {
        let v = r.libc.version.as_ref().map(ToString::to_string).unwrap_or_default();
        safe_line!(o, "  version   {v} ({})", conf(r.libc.version_confidence));
        for ev in &r.libc.version_evidence {
            safe_line!(o, "            · {}: {}", ev.signal, ev.detail);
        }
        for p in &r.libc.patches {
            safe_line!(o, "  patched   {} ({})", p.id, p.evidence.detail);
        }
    }
}

/// The C libraries compiled in (or, in an image, loaded from shared libraries), one line each:
/// name, version or "version unknown", confidence, and how it got there.
fn inspect_c_libraries(o: &mut String, r: &BinaryReport) {
    let libs: Vec<_> = r.components.iter().filter(|c| c.kind == binsight_model::ComponentKind::CLibrary).collect();
    for (i, c) in libs.iter().enumerate() {
        let head = if i == 0 { "  c libs    " } else { "            " };
        let version = c.version.as_ref().map_or_else(String::new, |v| format!(" {v}"));
        let (conf_text, how) = match &c.bundle {
            Some(b) => {
                let how = match (b.via, &b.via_purl, &b.loaded_from) {
                    (_, _, Some(f)) => format!(", loaded from {f}"),
                    (_, Some(p), None) => format!(", via {p}"),
                    _ => String::new(),
                };
                (conf(b.confidence), how)
            }
            None => ("unknown", String::new()),
        };
        let unknown = if c.version.is_none() { ", version unknown" } else { "" };
        safe_line!(o, "{head}{}{version} ({conf_text}{unknown}{how})", c.name);
    }
}

/// The toolchains and the package list.
fn inspect_toolchain(o: &mut String, r: &BinaryReport) {
    if let Some(p) = &r.package {
        let from = p.source.as_deref().map(|s| format!(", source {s}")).unwrap_or_default();
        safe_line!(o, "  package   {} {} ({}{from})", p.name, p.version, p.manager);
        if !p.built_using.is_empty() {
            safe_line!(o, "            · {} packages built in statically (Built-Using fields)", p.built_using.len());
        }
    }
    safe_line!(o, "  toolchain {}", toolchain_short(r));
    if let Some(rc) = &r.toolchain.rustc {
        if let Some(c) = &rc.commit {
            safe_line!(o, "            · rustc commit {c} ({})", conf(rc.confidence));
        }
    }
    if let Some(go) = &r.toolchain.go {
        if let Some(p) = &go.path {
            safe_line!(o, "            · go main package {p}");
        }
        let settings: Vec<String> = go
            .settings
            .iter()
            .filter(|(k, _)| k != "DefaultGODEBUG")
            .take(10)
            .map(|(k, v)| format!("{k}={v}"))
            .collect();
        if !settings.is_empty() {
            safe_line!(o, "            · go build {}", settings.join(" "));
        }
    }
    if !r.components.is_empty() {
        let langs = r
            .components
            .iter()
            .filter(|c| matches!(c.kind, ComponentKind::RustCrate | ComponentKind::GoModule))
            .count();
        let how = match r.components_completeness {
            binsight_model::Completeness::Complete => "complete list",
            binsight_model::Completeness::Partial => "PARTIAL: recovered from source paths, more may be linked",
            binsight_model::Completeness::None => "no package list",
        };
        safe_line!(
            o,
            "  packages  {} ({how}), {} in all (-o json lists them)",
            text::count(langs, "crate/module", "crates/modules"),
            text::count(r.components.len(), "component", "components")
        );
    }
}

/// The verdict, each finding, the fixes and why.
fn inspect_verdict(o: &mut String, r: &BinaryReport, v: &binsight_model::Verdict, style: &Style) {
    let mut l = text::Styled::plain("  verdict   ");
    l.push(&sanitize(&v.action.as_str().to_uppercase()), text::verdict_color(v.action));
    o.push_str(&l.render(style.color));
    o.push('\n');
    for f in r.findings.iter().flatten() {
        inspect_finding(o, f, style);
    }
    match (r.suppressed.len(), style.show_suppressed) {
        (0, _) => {}
        (n, false) => safe_line!(
            o,
            "            suppressed: {} (by VEX or ignore entries; --show-suppressed lists them)",
            text::count(n, "finding", "findings")
        ),
        (_, true) => {
            for s in &r.suppressed {
                inspect_finding(o, &s.finding, style);
                let by = &s.by;
                let just = by.justification.as_ref().map(|j| format!(": {j}")).unwrap_or_default();
                let author = by.author.as_ref().map(|a| format!(", by {a}")).unwrap_or_default();
                safe_line!(
                    o,
                    "              suppressed by {} {} ({}{just}{author}), {}",
                    by.source,
                    by.file,
                    by.status,
                    by.statement
                );
                if let Some(n) = &by.note {
                    safe_line!(o, "              {n}");
                }
            }
        }
    }
    for x in &v.fix {
        safe_line!(o, "            fix: {x}");
    }
    for x in &v.reasons {
        safe_line!(o, "            why: {x}");
    }
    if !v.data.is_empty() {
        let ctx = AdvisoryContext { snapshot_date: String::new(), used: Some(v.data.clone()) };
        safe_line!(o, "            data: {}", ctx.used_summary().unwrap_or_default());
    }
}

/// One finding's line of an inspect block.
fn inspect_finding(o: &mut String, f: &binsight_model::Finding, style: &Style) {
    let app = match f.applicability {
        Applicability::Affected => "affected",
        Applicability::NotLinked => "not linked",
        Applicability::Unknown => "unknown",
        Applicability::Fixed => "fixed in this build",
    };
    let aka = if f.aliases.is_empty() { String::new() } else { format!(" ({})", f.aliases.join(", ")) };
    let warn = f.informational.as_ref().map(|k| format!(" [warning: {k}]")).unwrap_or_default();
    let head = format!("            · {}{aka} in {} {}: {app}", f.id, f.component, f.installed);
    let mut l = text::Styled::plain(&sanitize(&head));
    if f.informational.is_none() {
        l.push(", ", None).push(severity_text(f), text::severity_color(f.severity));
    }
    l.push(&sanitize(&warn), None);
    o.push_str(&l.render(style.color));
    o.push('\n');
}

/// The finding that matters most: affected before unknown, then by severity.
fn worst_finding(r: &BinaryReport) -> Option<&binsight_model::Finding> {
    let rank = |f: &binsight_model::Finding| {
        let app = match f.applicability {
            Applicability::Affected if f.informational.is_none() => 2,
            Applicability::Unknown if f.informational.is_none() => 1,
            _ => 0,
        };
        // An unrated finding ranks with `none`: below `low`.
        (app, f.severity.unwrap_or(binsight_model::Severity::None))
    };
    r.findings.iter().flatten().filter(|f| rank(f).0 > 0).max_by_key(|f| rank(f))
}

/// A SARIF 2.1.0 log of the audit findings of `reports` (one run; a rule per advisory).
/// Findings whose code is in the binary are `error`, undecided ones `warning`, findings whose
/// code is not linked (or fixed by a backport) `note`. Suppressed findings (`--vex`, ignore
/// entries) are results too, with a SARIF `suppressions` entry saying by what.
pub fn sarif(reports: &[BinaryReport], ctx: &AdvisoryContext) -> String {
    use serde_json::json;
    let mut rules: Vec<serde_json::Value> = Vec::new();
    let mut rule_ids: Vec<String> = Vec::new();
    let mut results = Vec::new();
    for r in reports {
        let suppressed = r.suppressed.iter().map(|s| (&s.finding, Some(&s.by)));
        for (f, by) in r.findings.iter().flatten().map(|f| (f, None)).chain(suppressed) {
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
                binsight_model::Applicability::NotLinked | binsight_model::Applicability::Fixed => "note",
            };
            let app = match f.applicability {
                binsight_model::Applicability::Affected => "the vulnerable code is in the binary",
                binsight_model::Applicability::Unknown => "cannot tell whether the vulnerable code is in the binary",
                binsight_model::Applicability::NotLinked => "the vulnerable code is not linked",
                binsight_model::Applicability::Fixed => "this build carries the fix (a backport)",
            };
            let fix = r.verdict.as_ref().map(|v| join_fixes(&v.fix)).filter(|s| !s.is_empty());
            let message = match fix {
                Some(fx) if level == "error" => {
                    format!("{} {} has {}: {app}. Fix: {fx}.", f.component, f.installed, f.id)
                }
                _ => format!("{} {} has {}: {app}.", f.component, f.installed, f.id),
            };
            let mut result = json!({
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
            });
            // A finding a VEX statement or ignore entry suppressed: SARIF's own suppression
            // (code-scanning UIs show it dismissed).
            if let Some(by) = by {
                let why = [Some(by.status.as_str()), by.justification.as_deref(), by.note.as_deref()];
                let why: Vec<&str> = why.into_iter().flatten().collect();
                result["suppressions"] = json!([{
                    "kind": "external",
                    "status": "accepted",
                    "justification": format!("{} {}: {}", by.source, by.file, why.join("; ")),
                }]);
            }
            results.push(result);
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

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// Every character [`text::is_unsafe`] names: C0, DEL, C1, bidi controls, line separators.
    fn all_unsafe() -> String {
        let mut s: String = (0u32..0x20).chain([0x7f]).chain(0x80..0xa0).filter_map(char::from_u32).collect();
        s.push_str("\u{061c}\u{200e}\u{200f}\u{202a}\u{202b}\u{202c}\u{202d}\u{202e}");
        s.push_str("\u{2066}\u{2067}\u{2068}\u{2069}\u{2028}\u{2029}");
        s
    }

    /// A report whose every free-text field holds `p` (enums keep valid values).
    fn poisoned(p: &str) -> BinaryReport {
        let ev = json!([{"signal": p, "section": p, "offset": 1, "detail": p}]);
        let check = json!({"status": "partial", "reason": p, "evidence": ev});
        // Typed fields take hostile text only where their syntax lets it in: a version with no
        // whitespace, a fix naming a crate, an unknown informational kind.
        let version: String = p.chars().filter(|c| !c.is_whitespace()).collect();
        let fix = format!("update crate {p} to >= 1 then rebuild");
        let v = json!({
            "schema_version": 1, "path": format!("dir/{p}/name"), "size": 1, "sha256": p, "layer": p,
            "elf": {
                "machine": p, "class": 64, "endian": "little", "type": "exec", "linkage": "dynamic",
                "shared_library": false, "entry": 0, "interpreter": p, "needed": [p, p], "soname": p,
                "rpath": [p], "runpath": [p], "bind_now": false, "dt_flags": 0, "dt_flags_1": 0,
                "textrel": false, "build_id": p, "abi_tag": {"os": p, "kernel": p},
                "gnu_property": {"x86_ibt": false, "x86_shstk": false, "aarch64_bti": false, "aarch64_pac": false},
                "version_needs": [{"file": p, "versions": [p]}], "stripped": true, "debug_info": false,
                "separate_debug": false, "gnu_stack": p, "gnu_relro": false, "segments": [],
                "section_count": 0, "symbols": 0, "dynamic_symbols": 0, "warnings": [p],
            },
            "libc": {
                "family": "musl", "version": version, "confidence": "likely", "evidence": ev,
                "version_confidence": "likely", "version_evidence": ev,
                "patches": [{"id": p, "evidence": ev[0]}],
            },
            "toolchain": {
                "rustc": {"version": p, "commit": p, "confidence": "exact", "evidence": ev},
                "go": {"version": p, "confidence": "exact", "evidence": ev, "path": p, "settings": [[p, p]]},
                "cc": [{"name": p, "version": p, "vendor": p, "evidence": ev}],
            },
            "hardening": {"relro": check, "pie": check, "nx": check, "canary": check, "fortify": check, "cfi": check},
            "portability": {
                "verdict": "needs-host-libc", "summary": p, "glibc_floor": p,
                "distros": [{"distro": p, "release": p, "libc": p}], "min_kernel": p, "runtime_needs": [p],
            },
            "dns": {"resolver": "musl", "tcp_fallback": null, "verdict": p, "fix": fix},
            "components": [{"name": p, "version": p, "purl": p, "kind": "rust-crate", "found_by": p, "evidence": ev}],
            "components_completeness": "partial",
            "findings": [{
                "id": p, "aliases": ["CVE-1", p], "summary": p, "component": p, "installed": p, "fixed": [p],
                "severity": "critical", "applicability": "affected", "evidence": ev,
            }, {
                "id": p, "aliases": [p], "summary": p, "component": p, "installed": p, "fixed": [p],
                "severity": "high", "applicability": "unknown", "evidence": ev, "informational": p,
            }],
            "verdict": {"action": "rebuild", "reasons": [p], "fix": [fix], "data": [{"ecosystem": p, "source": p, "date": p}]},
            "unknowns": [{"origin": p, "message": p}],
        });
        serde_json::from_value(v).expect("a report")
    }

    /// Our own colour codes out, then nothing unsafe may be left but the line breaks.
    fn assert_clean(what: &str, out: &str) {
        let mut s = out.to_string();
        for code in ["\x1b[0m", "\x1b[31m", "\x1b[1;31m", "\x1b[33m", "\x1b[32m", "\x1b[2m"] {
            s = s.replace(code, "");
        }
        if let Some(c) = s.chars().find(|&c| c != '\n' && text::is_unsafe(c)) {
            panic!("{what}: raw {c:?} in {s:?}");
        }
    }

    #[test]
    fn sanitize_escapes_every_unsafe_char_visibly() {
        assert_eq!(sanitize("plain /usr/bin/ls é 日本"), "plain /usr/bin/ls é 日本");
        assert!(matches!(sanitize("plain"), std::borrow::Cow::Borrowed(_)));
        assert_eq!(sanitize("a\nb\tc\rd\x1b[2J\x07\x7f\u{9b}"), "a\\nb\\tc\\rd\\x1b[2J\\x07\\x7f\\x9b");
        assert_eq!(sanitize("x\u{202e}y\u{2066}z"), "x\\u{202e}y\\u{2066}z");
        let all = all_unsafe();
        let s = sanitize(&all);
        assert!(!s.chars().any(text::is_unsafe), "{s:?}");
        // One visible escape per character, each starting with a backslash.
        assert_eq!(s.matches('\\').count(), all.chars().count());
        assert_eq!(text::sanitize_lines("one\x1b\ntwo\u{202e}"), "one\\x1b\ntwo\\u{202e}");
    }

    #[test]
    fn every_renderer_escapes_every_unsafe_char() {
        let p = format!("a{}z", all_unsafe());
        let r = poisoned(&p);
        let image = binsight_model::ImageInfo {
            source: p.clone(),
            kind: p.clone(),
            manifest_digest: Some(p.clone()),
            config_digest: p.clone(),
            tags: vec![p.clone()],
            platform: p.clone(),
            entrypoint: vec![p.clone()],
            cmd: vec![p.clone()],
            layers: vec![],
            other_platforms: vec![p.clone()],
        };
        let ctx = AdvisoryContext {
            snapshot_date: p.clone(),
            used: Some(vec![binsight_model::AdvisoryData {
                ecosystem: p.clone(),
                source: p.clone(),
                date: Some(p.clone()),
            }]),
        };
        for color in [false, true] {
            for width in [None, Some(40), Some(80), Some(200)] {
                let style = Style { width, color, show_suppressed: false };
                let block = inspect_text_styled(&r, &style);
                assert_clean("inspect", &block);
                assert!(block.starts_with("dir/a\\x00\\x01"), "{block}");
                assert!(block.contains("\\x1b\\x1c") && block.contains("\\u{202e}"), "{block}");
                let table = scan_table(std::slice::from_ref(&r), std::slice::from_ref(&image), true, &ctx, &style);
                assert_clean("scan table", &table);
                // One header and one row per report: a newline in the data forges no row.
                let rows = table.lines().filter(|l| l.contains("dir/a") || l.contains("…")).count();
                assert!(table.lines().any(|l| l.contains("PATH")), "{table}");
                assert!(rows >= 1, "{table}");
                let two = scan_table(&[r.clone(), r.clone()], &[], false, &ctx, &style);
                let after_header = two.lines().skip_while(|l| !l.contains("PATH")).count();
                assert_eq!(after_header, 3, "header and two rows: {two}");
            }
        }
        // Machine outputs keep the exact data.
        let line = json_line(&r);
        let back: BinaryReport = serde_json::from_str(&line).expect("json");
        assert_eq!(back.path, r.path);
        let e: serde_json::Value = serde_json::from_str(&json_error_line(&p, &p, None)).expect("json");
        assert_eq!(e["error"], p.as_str());
    }
}
