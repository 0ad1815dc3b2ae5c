//! Portability: will this binary run elsewhere? Static vs dynamic, the glibc floor and the
//! distros that meet it, the minimum kernel, and static glibc's hidden run-time needs (NSS).

use std::sync::OnceLock;

use binsight_model::{DistroRelease, ElfFacts, Evidence, Libc, LibcFamily, Linkage, Portability, PortabilityVerdict};

use crate::tsv::{self, TableError};
use crate::{symbols, version, Context, Detector, Meter, ReportDraft};

const DISTROS: &str = include_str!("../data/distros.tsv");
const KERNEL_FLOORS: &str = include_str!("../data/kernel-floors.tsv");

/// Parse `data/distros.tsv`: distro, release, libc family, libc version.
pub(crate) fn parse_distros(text: &str) -> Result<Vec<DistroRelease>, TableError> {
    tsv::load("distros.tsv", text, 4, |row| {
        Ok(DistroRelease {
            distro: row.required(0, "distro")?.into(),
            release: row.required(1, "release")?.into(),
            libc: format!("{} {}", row.required(2, "libc family")?, row.required(3, "libc version")?),
        })
    })
}

pub(crate) fn distros() -> &'static [DistroRelease] {
    static D: OnceLock<Vec<DistroRelease>> = OnceLock::new();
    tsv::compiled(&D, || parse_distros(DISTROS))
}

/// Oldest release of each distro whose libc `family` is at least `floor`.
pub(crate) fn meeting(family: &str, floor: &str) -> Vec<DistroRelease> {
    let mut out: Vec<DistroRelease> = Vec::new();
    for d in distros() {
        let Some((fam, ver)) = d.libc.split_once(' ') else {
            continue;
        };
        if fam == family && version::cmp(ver, floor).is_ge() && !out.iter().any(|o| o.distro == d.distro) {
            out.push(d.clone());
        }
    }
    out
}

/// Functions a static glibc binary can only run with the host's glibc shared objects: the
/// `nss` list of `data/symbols.tsv`. `dlopen` is not there: static glibc >= 2.34 links it into
/// every binary that uses stdio (its gconv loader), so the symbol alone does not show the
/// program calls it; see `DLOPEN_NOTE`.
fn nss_functions() -> impl Iterator<Item = &'static str> {
    symbols::list("nss")
}

const DLOPEN_NOTE: &str = "dlopen is linked (static glibc >= 2.34 always links it); if the program calls it, it needs shared objects built against this same glibc";

pub(crate) struct PortabilityDetector;

impl Detector for PortabilityDetector {
    fn name(&self) -> &'static str {
        "portability"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        let kernel_floor = toolchain_kernel_floor(out);
        let p = &mut out.portability;
        let family = out.libc.family;
        p.min_kernel = f.abi_tag.as_ref().map(|t| t.kernel.clone());
        if let Some(t) = &f.abi_tag {
            p.evidence.push(Evidence::new("abi-tag", format!("{} {}", t.os, t.kernel)).in_section(".note.ABI-tag"));
        }
        if p.min_kernel.is_none() {
            if let Some((k, why)) = kernel_floor {
                p.min_kernel = Some(k.into());
                p.evidence.push(Evidence::new("toolchain-kernel-floor", why));
            }
        }

        match f.linkage {
            Linkage::None => {
                p.verdict = PortabilityVerdict::Unknown;
                p.summary = "not a linked program".into();
            }
            Linkage::Dynamic => dynamic(p, f, family),
            Linkage::Static | Linkage::StaticPie => {
                if family == LibcFamily::Glibc && static_glibc(cx, p, &out.libc) {
                    return;
                }
                p.verdict = PortabilityVerdict::Portable;
                let caveat = if p.runtime_needs.is_empty() { "" } else { " (see runtime_needs)" };
                let what = match family {
                    LibcFamily::None => "Static, needs no C library",
                    LibcFamily::Unknown => "Static: needs no loader or shared library (C library not identified)",
                    _ => "Static: carries its C library",
                };
                p.summary = match &p.min_kernel {
                    Some(k) => format!("{what}; runs on Linux >= {k}{caveat}"),
                    None => format!("{what}; runs on any Linux kernel new enough{caveat}"),
                };
            }
        }
    }
}

/// A dynamic binary: it needs the host's loader and libraries, and for glibc a version floor.
fn dynamic(p: &mut Portability, f: &ElfFacts, family: LibcFamily) {
    p.verdict = PortabilityVerdict::NeedsHostLibc;
    p.runtime_needs = f.needed.clone();
    if let Some(i) = &f.interpreter {
        p.runtime_needs.insert(0, i.clone());
    }
    let floor = f
        .version_needs
        .iter()
        .flat_map(|n| &n.versions)
        .filter_map(|v| v.strip_prefix("GLIBC_"))
        .filter(|v| version::parse(v).is_some())
        .max_by(|a, b| version::cmp(a, b))
        .map(str::to_string);
    match (family, floor) {
        (LibcFamily::Glibc, Some(floor)) => {
            p.evidence.push(Evidence::new("verneed", format!("GLIBC_{floor}")).in_section(".gnu.version_r"));
            p.distros = meeting("glibc", &floor);
            p.summary = format!("Dynamic: needs glibc >= {floor} on the host ({})", distro_list(&p.distros));
            p.glibc_floor = Some(floor);
        }
        (LibcFamily::Musl, _) => {
            p.distros = distros().iter().filter(|d| d.libc.starts_with("musl")).cloned().collect();
            p.summary = "Dynamic: needs musl's loader and libc on the host (Alpine and other musl distros)".into();
        }
        (fam, _) => {
            p.summary =
                format!("Dynamic: needs the host's {} C library and {} shared libraries", fam.as_str(), f.needed.len());
        }
    }
}

/// A static glibc binary: NSS and iconv load shared objects of the same glibc from the host.
/// `true` when that settles the verdict.
fn static_glibc(cx: &Context<'_>, p: &mut Portability, libc: &Libc) -> bool {
    let f = &cx.elf.facts;
    let used: Vec<&str> = nss_functions().filter(|s| cx.elf.mentions_symbol(s)).collect();
    let nss_strings: Vec<u64> =
        ["nss-nsswitch", "nss-module"].iter().flat_map(|id| cx.hits.of(id).first().copied()).collect();
    if !used.is_empty() || !nss_strings.is_empty() {
        p.verdict = PortabilityVerdict::NotPortable;
        let what = if used.is_empty() { "NSS (name service switch) code".to_string() } else { used.join(", ") };
        let ver = libc.version.as_ref().map_or_else(|| "the same glibc version".into(), ToString::to_string);
        p.summary = format!(
            "NOT portable despite static linking: it links {what}, which load glibc's shared NSS modules (libnss_*.so.2) of {ver} from the host at run time; on another host, user/host lookups fail or crash"
        );
        p.runtime_needs.push(format!("libnss_*.so.2 and /etc/nsswitch.conf from {ver}"));
        for s in &used {
            p.evidence.push(Evidence::new("symbol", *s));
        }
        for off in nss_strings {
            p.evidence.push(
                Evidence::new("nss-string", "NSS module loader strings")
                    .in_section(cx.elf.section_at(off).unwrap_or("?"))
                    .at(off),
            );
        }
        return true;
    }
    if cx.elf.has_symbol("dlopen") {
        p.runtime_needs.push(DLOPEN_NOTE.into());
        p.evidence.push(Evidence::new("symbol", "dlopen"));
    }
    if f.stripped {
        // Every static glibc carries the gconv machinery iconv_open drives (printf needs it), so
        // without symbols nothing tells whether the program calls iconv_open, which loads the
        // host's gconv modules: a static libarchive is such a program (corpus group `bundled`).
        p.verdict = PortabilityVerdict::Unknown;
        p.summary = "Static glibc binary with no NSS loader strings: portable to Linux kernels new enough unless it calls iconv_open or dlopen, which a stripped file does not show".into();
        p.runtime_needs.push("if it calls iconv_open: the host's gconv modules of the same glibc".into());
        return true;
    }
    false
}

/// A row of `data/kernel-floors.tsv`: from toolchain version `first` (`None`: any) on, its
/// binaries need Linux >= `kernel`.
#[derive(Debug, Clone)]
pub(crate) struct KernelFloor {
    pub toolchain: String,
    pub first: Option<String>,
    pub kernel: String,
    pub note: String,
}

pub(crate) fn parse_kernel_floors(text: &str) -> Result<Vec<KernelFloor>, TableError> {
    tsv::load("kernel-floors.tsv", text, 5, |row| {
        row.required(4, "source")?;
        Ok(KernelFloor {
            toolchain: row.required(0, "toolchain")?.into(),
            first: row.optional(1).map(str::to_string),
            kernel: row.required(2, "kernel")?.into(),
            note: row.required(3, "note")?.into(),
        })
    })
}

fn kernel_floors() -> &'static [KernelFloor] {
    static K: OnceLock<Vec<KernelFloor>> = OnceLock::new();
    tsv::compiled(&K, || parse_kernel_floors(KERNEL_FLOORS))
}

/// The kernel floor of `toolchain` at version `v`: the first row it reaches.
fn kernel_floor(toolchain: &str, v: &str) -> Option<&'static KernelFloor> {
    kernel_floors()
        .iter()
        .filter(|k| k.toolchain == toolchain)
        .find(|k| k.first.as_deref().is_none_or(|first| version::cmp(v, first).is_ge()))
}

/// Documented kernel floors of toolchains whose binaries carry no ABI tag.
fn toolchain_kernel_floor(out: &ReportDraft) -> Option<(&'static str, String)> {
    if let Some(v) = out.toolchain.rustc.as_ref().and_then(|r| r.version.as_deref()) {
        return kernel_floor("rustc", v).map(|k| (k.kernel.as_str(), format!("Rust {v}: {}", k.note)));
    }
    if let Some(go) = &out.toolchain.go {
        let v = go.version.trim_start_matches("go");
        let v = v.split(|c: char| !(c.is_ascii_digit() || c == '.')).next().unwrap_or(v);
        if version::parse(v).is_some() {
            return kernel_floor("go", v).map(|k| (k.kernel.as_str(), format!("{}: {}", go.version, k.note)));
        }
    }
    None
}

fn distro_list(d: &[DistroRelease]) -> String {
    if d.is_empty() {
        return "no tracked distro release ships it yet".into();
    }
    d.iter()
        .map(|r| format!("{} {}+", r.distro, r.release.split(' ').next().unwrap_or(&r.release)))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn floors_pick_oldest_release_per_distro() {
        let m = meeting("glibc", "2.34");
        let names: Vec<String> = m.iter().map(|d| format!("{} {}", d.distro, d.release)).collect();
        assert!(names.contains(&"Debian 12 (bookworm)".to_string()), "{names:?}");
        assert!(names.contains(&"RHEL/Alma 9".to_string()), "{names:?}");
        assert!(names.contains(&"Ubuntu 22.04 LTS".to_string()), "{names:?}");
        assert!(!names.iter().any(|n| n.starts_with("Alpine")));
        assert!(meeting("glibc", "9.99").is_empty());
    }

    /// The lists and floors read as they did when they were code.
    #[test]
    fn nss_list_and_kernel_floors() {
        let nss: Vec<&str> = nss_functions().collect();
        assert_eq!(nss.len(), 19);
        assert_eq!((nss[0], nss[17], nss[18]), ("getaddrinfo", "getnameinfo", "iconv_open"));
        let floor = |t: &str, v: &str| kernel_floor(t, v).map(|k| (k.kernel.as_str(), k.note.as_str()));
        assert_eq!(floor("rustc", "1.64.0"), Some(("3.2", "std requires Linux >= 3.2 since Rust 1.64")));
        assert_eq!(floor("rustc", "1.63.0"), Some(("2.6.32", "std requires Linux >= 2.6.32 before Rust 1.64")));
        assert_eq!(floor("go", "1.24"), Some(("3.2", "Go 1.24+ requires Linux >= 3.2")));
        assert_eq!(floor("go", "1.23.4"), Some(("2.6.32", "Go before 1.24 requires Linux >= 2.6.32")));
    }
}
