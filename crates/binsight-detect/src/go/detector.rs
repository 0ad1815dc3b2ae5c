//! The Go detector: the toolchain version, main module, settings and dependencies from the
//! build info. Runs right after the toolchain detector (libc and components read its answer).

use binsight_model::{Confidence, Evidence, Go, Unknown};

use super::{buildinfo, modinfo};
use crate::{Context, Detector, Meter, ReportDraft};

/// The Go detector: toolchain version, main module, settings and dependencies.
pub struct GoDetector;

impl Detector for GoDetector {
    fn name(&self) -> &'static str {
        "go"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter) {
        let Some(bi) = buildinfo::read(cx) else {
            without_build_info(cx, out, meter);
            return;
        };
        let info = modinfo::parse_modinfo(bi.modinfo.as_deref().unwrap_or(""));
        let v = bi.version;
        out.toolchain.go = Some(Go {
            version: v.clone(),
            confidence: Confidence::Exact,
            evidence: vec![Evidence::new("go-buildinfo", format!("build info states {v}"))
                .in_section(cx.elf.section_at(bi.offset).unwrap_or("?"))
                .at(bi.offset)],
            path: info.path,
            main: info.main,
            settings: info.settings,
        });
        out.go_modules = info.deps;
        if info.truncated {
            out.unknowns.push(Unknown {
                origin: "go-buildinfo".into(),
                message: "Go module info is malformed or over its limits; the module list is cut".into(),
            });
        }
    }
}

/// Longest Go version string taken from the runtime's data (`go1.26.5`).
const MAX_RUNTIME_VERSION: usize = 24;

/// A Go binary without build info (it has a `.gopclntab` section, but some builds leave the
/// build-info blob out): the version from the runtime's own `runtime.buildVersion` string
/// (`go1.26.5`, stored without a terminator; one distinct such string in `.rodata`, else
/// none), said as likely; otherwise an unknown saying why there is no Go version.
fn without_build_info(cx: &Context<'_>, out: &mut ReportDraft, meter: &mut Meter) {
    if cx.elf.section(".gopclntab").is_none() {
        return;
    }
    let found = cx.elf.section(".rodata").map(|(sec, bytes)| (sec.offset, runtime_versions(bytes, meter)));
    match found {
        Some((base, v)) if v.len() == 1 => {
            let (version, off) = v.into_iter().next().unwrap_or_default();
            out.toolchain.go = Some(Go {
                confidence: Confidence::Likely,
                evidence: vec![Evidence::new(
                    "go-runtime-version",
                    format!("no build info; the runtime's version string is {version}"),
                )
                .in_section(".rodata")
                .at(base + off)],
                version,
                path: None,
                main: None,
                settings: Vec::new(),
            });
            out.unknowns.push(Unknown {
                origin: "go-buildinfo".into(),
                message: "a Go binary without build info: no module list (the version is the runtime's string)".into(),
            });
        }
        Some((_, v)) => out.unknowns.push(Unknown {
            origin: "go-buildinfo".into(),
            message: format!(
                "a Go binary (it has a .gopclntab) without build info: the Go version is not known ({} candidate version strings)",
                v.len()
            ),
        }),
        None => out.unknowns.push(Unknown {
            origin: "go-buildinfo".into(),
            message: "a Go binary (it has a .gopclntab) without build info or .rodata: the Go version is not known".into(),
        }),
    }
}

/// The distinct `goX.Y[.Z]` strings in `rodata` that stand alone (not inside a longer word), with
/// the offset of the first of each; at most a few, charged to `meter`.
fn runtime_versions(rodata: &[u8], meter: &mut Meter) -> Vec<(String, u64)> {
    let mut found: Vec<(String, u64)> = Vec::new();
    for at in memchr::memmem::find_iter(rodata, b"go1.") {
        if meter.work(MAX_RUNTIME_VERSION as u64).is_err() || found.len() > 4 {
            break;
        }
        if at > 0 && (rodata[at - 1].is_ascii_alphanumeric() || rodata[at - 1] == b'.' || rodata[at - 1] == b'/') {
            continue;
        }
        let tail = &rodata[at + 2..];
        let end = tail.iter().take(MAX_RUNTIME_VERSION).position(|b| !(b.is_ascii_digit() || *b == b'.')).unwrap_or(0);
        let v = std::str::from_utf8(&tail[..end]).unwrap_or("").trim_end_matches('.');
        // The next byte ends the string: not a letter (`go1.2x`), not an underscore.
        let next = tail.get(end).copied().unwrap_or(0);
        if next.is_ascii_alphabetic() || next == b'_' || v.split('.').count() < 2 || v.split('.').any(str::is_empty) {
            continue;
        }
        let v = format!("go{v}");
        if !found.iter().any(|(x, _)| *x == v) {
            found.push((v, at as u64));
        }
    }
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn runtime_version_strings_are_read_strictly() {
        let m = &mut Meter::new(crate::Budget::default());
        let v = runtime_versions(b"\x00\x00go1.26.5\x00\x00\x8f\xf9", m);
        assert_eq!(v, [("go1.26.5".to_string(), 2)]);
        assert!(runtime_versions(b"xgo1.26.5 ergo1.2 go1.x go1.26beta1 /usr/lib/go1.26.5/", m).is_empty());
        assert_eq!(runtime_versions(b"go1.22.1\0go1.26.5\0", m).len(), 2);
    }
}
