//! Hardening that stays honest for static binaries: where a stripped static file does not let
//! us tell (canary, FORTIFY), the answer is `unknown` with the reason, not "disabled".

use binsight_model::{Check, ElfFacts, ElfType, Evidence, LibcFamily, Linkage, Status};

use std::sync::OnceLock;

use crate::tsv::{self, TableError};
use crate::{symbols, Context, Detector, Meter, ReportDraft};

pub(crate) struct HardeningDetector;

impl Detector for HardeningDetector {
    fn name(&self) -> &'static str {
        "hardening"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        let s = Shape {
            is_static: f.linkage.is_static(),
            go_only: out.libc.family == LibcFamily::None && out.toolchain.go.is_some(),
            musl: out.libc.family == LibcFamily::Musl,
        };
        let h = &mut out.hardening;
        h.relro = relro(f, s.is_static);
        h.pie = pie(f);
        h.nx = nx(f);
        h.canary = canary(cx, &s);
        h.fortify = fortify(cx, &s);
        h.cfi = cfi(f);
    }
}

const EXEC_STACK: &str = include_str!("../data/exec-stack-arches.tsv");

/// A row of `data/exec-stack-arches.tsv`.
#[derive(Debug, Clone)]
pub(crate) struct ExecStackArch {
    pub machine: String,
    pub class: u8,
}

pub(crate) fn parse_exec_stack(text: &str) -> Result<Vec<ExecStackArch>, TableError> {
    tsv::load("exec-stack-arches.tsv", text, 3, |row| {
        row.required(2, "source")?;
        Ok(ExecStackArch { machine: row.required(0, "machine")?.into(), class: row.number(1, "class")? })
    })
}

/// Does the kernel map the stack executable for this file when it has no PT_GNU_STACK?
fn exec_stack_by_default(f: &ElfFacts) -> bool {
    static T: OnceLock<Vec<ExecStackArch>> = OnceLock::new();
    tsv::compiled(&T, || parse_exec_stack(EXEC_STACK)).iter().any(|a| a.class == f.class && a.machine == f.machine)
}

/// What the checks depend on beyond the ELF facts.
struct Shape {
    is_static: bool,
    /// Go code and no C library.
    go_only: bool,
    musl: bool,
}

/// RELRO: PT_GNU_RELRO, and BIND_NOW for the full kind.
fn relro(f: &ElfFacts, is_static: bool) -> Check {
    if matches!(f.elf_type, ElfType::Rel | ElfType::Core) {
        Check::new(Status::NotApplicable, "not a linked program")
    } else if !f.gnu_relro {
        Check::new(Status::Disabled, "no PT_GNU_RELRO segment")
    } else if f.bind_now {
        Check::new(Status::Enabled, "full RELRO: PT_GNU_RELRO and BIND_NOW")
            .with(Evidence::new("segment", "GNU_RELRO"))
            .with(Evidence::new("dynamic", "BIND_NOW").in_section(".dynamic"))
    } else if is_static {
        Check::new(Status::Enabled, "PT_GNU_RELRO in a static binary (no lazy binding to protect)")
            .with(Evidence::new("segment", "GNU_RELRO"))
    } else {
        Check::new(Status::Partial, "partial RELRO: PT_GNU_RELRO without BIND_NOW (GOT stays writable)")
            .with(Evidence::new("segment", "GNU_RELRO"))
    }
}

/// PIE: ET_DYN executables.
fn pie(f: &ElfFacts) -> Check {
    match (f.elf_type, f.shared_library) {
        (ElfType::Exec, _) => Check::new(Status::Disabled, "ET_EXEC: loaded at a fixed address"),
        (ElfType::Dyn, true) => Check::new(Status::NotApplicable, "shared library (always position independent)"),
        (ElfType::Dyn, false) => Check::new(
            Status::Enabled,
            if f.linkage == Linkage::StaticPie { "static-pie" } else { "ET_DYN executable" },
        ),
        _ => Check::new(Status::NotApplicable, "not a linked program"),
    }
}

/// NX: a non-executable PT_GNU_STACK.
fn nx(f: &ElfFacts) -> Check {
    match &f.gnu_stack {
        Some(fl) if fl.contains('X') => Check::new(Status::Disabled, "PT_GNU_STACK is executable")
            .with(Evidence::new("segment", format!("GNU_STACK {fl}"))),
        Some(fl) => Check::new(Status::Enabled, "PT_GNU_STACK is not executable")
            .with(Evidence::new("segment", format!("GNU_STACK {fl}"))),
        None if matches!(f.elf_type, ElfType::Rel | ElfType::Core) => {
            Check::new(Status::NotApplicable, "not a linked program")
        }
        None if exec_stack_by_default(f) => {
            Check::new(Status::Disabled, "no PT_GNU_STACK: the kernel maps the stack executable for this 32-bit arch")
        }
        None => Check::new(
            Status::Unknown,
            "no PT_GNU_STACK: stack permissions depend on the kernel's default for this arch",
        ),
    }
}

/// Stack canary: the stack protector's symbols (`canary` list of `data/symbols.tsv`).
fn canary(cx: &Context<'_>, shape: &Shape) -> Check {
    let f = &cx.elf.facts;
    let (is_static, go_only) = (shape.is_static, shape.go_only);
    let stripped_static = is_static && f.stripped;
    let canary_sym = symbols::list("canary").find(|s| cx.elf.mentions_symbol(s));
    if go_only {
        Check::new(Status::NotApplicable, "Go code checks stack bounds in every function prologue; it has no canaries")
    } else if let Some(s) = canary_sym {
        let ev = Evidence::new("symbol", s);
        if is_static {
            Check::new(Status::Partial, format!("{s} is linked: at least some code is protected (in a static binary that may be only the C library's)")).with(ev)
        } else {
            Check::new(Status::Enabled, format!("imports {s}")).with(ev.in_section(".dynsym"))
        }
    } else if stripped_static {
        Check::new(Status::Unknown, "stripped static binary: no symbols to show whether __stack_chk_fail is linked")
    } else if is_static {
        Check::new(Status::Disabled, "no __stack_chk_fail in the symbol table")
    } else {
        Check::new(Status::Disabled, "does not import __stack_chk_fail")
    }
}

/// FORTIFY: *_chk functions from the C library.
fn fortify(cx: &Context<'_>, shape: &Shape) -> Check {
    let f = &cx.elf.facts;
    let (is_static, go_only) = (shape.is_static, shape.go_only);
    let stripped_static = is_static && f.stripped;
    // Borrowed names: a hostile string table can make many long distinct ones (suffixes of
    // one string), so only the few shown are copied.
    let fortified: Vec<&[u8]> = {
        let mut v: Vec<&[u8]> = cx
            .elf
            .symbol_names()
            .filter(|n| n.starts_with(b"__") && n.ends_with(b"_chk") && !n.starts_with(b"__stack_chk"))
            .collect();
        v.sort_unstable();
        v.dedup();
        v
    };
    if go_only {
        Check::new(Status::NotApplicable, "Go code does not use the C library's string functions")
    } else if !fortified.is_empty() {
        let shown = fortified.iter().take(5).map(|n| String::from_utf8_lossy(n)).collect::<Vec<_>>().join(", ");
        let status = if is_static { Status::Partial } else { Status::Enabled };
        let mut c = Check::new(status, format!("{} fortified function(s): {shown}", fortified.len()));
        c.evidence.push(Evidence::new("symbol", shown));
        c
    } else if shape.musl {
        Check::new(Status::Unknown, "musl has no *_chk functions; header-only fortification leaves no trace")
    } else if stripped_static {
        Check::new(Status::Unknown, "stripped static binary: no symbols to show *_chk functions")
    } else {
        Check::new(Status::Disabled, "no *_chk functions used")
    }
}

/// Control-flow protection from .note.gnu.property.
fn cfi(f: &ElfFacts) -> Check {
    let p = &f.gnu_property;
    let mut c = match f.machine.as_str() {
        "x86_64" | "i386" => match (p.x86_ibt, p.x86_shstk) {
            (true, true) => Check::new(Status::Enabled, "CET: IBT and SHSTK marked"),
            (true, false) => Check::new(Status::Partial, "CET: IBT only"),
            (false, true) => Check::new(Status::Partial, "CET: SHSTK only"),
            (false, false) => Check::new(Status::Disabled, "no CET (IBT/SHSTK) property"),
        },
        "aarch64" => match (p.aarch64_bti, p.aarch64_pac) {
            (true, true) => Check::new(Status::Enabled, "BTI and PAC marked"),
            (true, false) => Check::new(Status::Enabled, "BTI marked"),
            (false, true) => Check::new(Status::Partial, "PAC only"),
            (false, false) => Check::new(Status::Disabled, "no BTI/PAC property"),
        },
        _ => Check::new(Status::NotApplicable, format!("no ELF-marked control-flow protection on {}", f.machine)),
    };
    if matches!(c.status, Status::Enabled | Status::Partial) {
        c.evidence.push(Evidence::new("gnu-property", format!("{p:?}")).in_section(".note.gnu.property"));
    }
    c
}
