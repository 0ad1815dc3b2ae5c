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
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let Some(bi) = buildinfo::read(cx) else { return };
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
