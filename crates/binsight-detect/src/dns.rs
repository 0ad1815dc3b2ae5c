//! DNS: which resolver the binary carries and whether it survives large answers. musl before
//! 1.2.4 has no TCP fallback, so answers over 512 bytes (many A/AAAA records, long TXT/SRV,
//! DNSSEC) fail; the fix is a rebuild against a newer musl.

use std::sync::OnceLock;

use binsight_model::{Evidence, Fix, FixSubject, LibcFamily, Resolver};

use crate::musl::{first_with, Range, RELEASES};
use crate::tsv::{self, Problem, TableError};
use crate::{symbols, Context, Detector, Meter, ReportDraft};

const REBUILD: &str = include_str!("../data/musl-rebuild.tsv");

/// Index into the musl releases of the first with the TCP fallback (`data/musl-features.tsv`).
fn tcp_release() -> usize {
    first_with("dns-tcp-fallback")
}

pub(crate) struct DnsDetector;

/// What the file shows of a resolver.
struct Seen {
    evidence: Vec<Evidence>,
    /// The C library's resolver is linked (resolv.conf path or a resolver symbol).
    linked: bool,
    /// A Rust resolver crate is linked.
    rust_crate: bool,
}

impl Seen {
    fn of(cx: &Context<'_>) -> Seen {
        let mut ev = Vec::new();
        let conf = cx.hits.of("resolv-conf").first().copied();
        if let Some(off) = conf {
            ev.push(
                Evidence::new("resolv-conf", "/etc/resolv.conf")
                    .in_section(cx.elf.section_at(off).unwrap_or("?"))
                    .at(off),
            );
        }
        let sym = symbols::list("resolver").find(|s| cx.elf.mentions_symbol(s));
        if let Some(s) = sym {
            ev.push(Evidence::new("symbol", s));
        }
        for id in ["hickory-resolver", "trust-dns-resolver"] {
            if let Some(&off) = cx.hits.of(id).first() {
                ev.push(Evidence::new(id, format!("{id} crate paths")).at(off));
            }
        }
        let rust_crate = ev.iter().any(|e| e.signal.ends_with("-resolver"));
        Seen { evidence: ev, linked: conf.is_some() || sym.is_some(), rust_crate }
    }
}

impl Detector for DnsDetector {
    fn name(&self) -> &'static str {
        "dns"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        let is_static = f.linkage.is_static();
        let seen = Seen::of(cx);
        let crate_note = if seen.rust_crate {
            " A Rust resolver crate (hickory/trust-dns) is linked too and may do its own lookups."
        } else {
            ""
        };
        let (linked, rust_crate) = (seen.linked, seen.rust_crate);
        // Absence is only evidence where we could see it: symbols, or the resolv.conf path.
        let known_absent = !linked && (!f.stripped || is_static);
        out.dns.evidence = seen.evidence;
        if out.libc.family == LibcFamily::Musl && is_static && linked {
            static_musl(out, crate_note);
            return;
        }
        let tcp = RELEASES.get(tcp_release()).copied().unwrap_or("?");
        let dns = &mut out.dns;
        match out.libc.family {
            LibcFamily::Musl if !is_static => {
                dns.resolver = Resolver::Musl;
                dns.verdict = format!("uses the host's musl resolver: TCP fallback for large answers depends on the host (musl >= {tcp} has it).");
            }
            LibcFamily::Glibc if out.toolchain.go.is_some() && !is_static => {
                dns.resolver = Resolver::Go;
                dns.tcp_fallback = Some(true);
                dns.verdict = "Go with cgo: Go picks its own resolver or the host glibc's (cgo) at run time (GODEBUG=netdns); both fall back to TCP for large answers.".into();
            }
            LibcFamily::Glibc if linked || !is_static => {
                dns.resolver = Resolver::Glibc;
                dns.tcp_fallback = Some(true);
                dns.verdict = if is_static {
                    format!("links glibc's resolver statically: lookups load NSS modules (libnss_*.so.2) of the same glibc from the host at run time.{crate_note}")
                } else {
                    format!("uses the host glibc resolver (falls back to TCP for large answers).{crate_note}")
                };
            }
            LibcFamily::None if out.toolchain.go.is_some() => {
                dns.resolver = Resolver::Go;
                dns.tcp_fallback = Some(true);
                dns.verdict = "Go's own resolver (no C library): falls back to TCP for large answers.".into();
            }
            _ if rust_crate => {
                dns.resolver = Resolver::RustCrate;
                dns.verdict = "a Rust resolver crate (hickory/trust-dns) does its own lookups.".into();
            }
            _ if known_absent => {
                dns.resolver = Resolver::None;
                dns.verdict = "no DNS resolver linked.".into();
            }
            _ => {
                dns.resolver = Resolver::Unknown;
                dns.verdict = "cannot tell which resolver it uses.".into();
            }
        }
    }
}

/// A static binary that links musl's resolver: whether it has the TCP fallback follows from
/// the musl version found, and without it the fix is a rebuild.
fn static_musl(out: &mut ReportDraft, crate_note: &str) {
    let advice = rebuild_advice(out);
    let t = tcp_release();
    let tcp = RELEASES.get(t).copied().unwrap_or("?");
    let range = out.libc.version.as_ref().and_then(Range::from_versions);
    let v = out.libc.version.as_ref().map(ToString::to_string).unwrap_or_default();
    let dns = &mut out.dns;
    dns.resolver = Resolver::Musl;
    match range {
        Some(r) if r.hi < t => {
            dns.tcp_fallback = Some(false);
            dns.verdict = format!("links musl {v}'s resolver, which has no TCP fallback: DNS answers over 512 bytes (many A/AAAA records, long TXT/SRV, DNSSEC) fail.{crate_note}");
            dns.fix = Some(advice);
        }
        Some(r) if r.lo >= t => {
            dns.tcp_fallback = Some(true);
            dns.verdict = format!("links musl {v}'s resolver, which falls back to TCP for large answers.{crate_note}");
        }
        _ => {
            dns.tcp_fallback = None;
            dns.verdict = format!("links musl's resolver; its version does not tell whether it falls back to TCP for answers over 512 bytes (musl < {tcp} does not).{crate_note}");
        }
    }
}

/// A row of `data/musl-rebuild.tsv`: the fix for binaries of `toolchain` (`None`: any).
#[derive(Debug, Clone)]
pub(crate) struct Rebuild {
    pub toolchain: Option<String>,
    pub fix: Fix,
}

pub(crate) fn parse_rebuild(text: &str) -> Result<Vec<Rebuild>, TableError> {
    tsv::load("musl-rebuild.tsv", text, 3, |row| {
        row.required(2, "source")?;
        let fix = row.required(1, "fix")?;
        Ok(Rebuild {
            toolchain: row.optional(0).map(str::to_string),
            fix: fix.parse().map_err(|_| row.error(Problem::Text { column: "fix", text: fix.into() }))?,
        })
    })
}

fn rebuild_table() -> &'static [Rebuild] {
    static T: OnceLock<Vec<Rebuild>> = OnceLock::new();
    tsv::compiled(&T, || parse_rebuild(REBUILD))
}

/// How to get a musl with the TCP fallback, for the toolchain that built this binary.
fn rebuild_advice(out: &ReportDraft) -> Fix {
    let built_with = |t: &str| match t {
        "rustc" => out.toolchain.rustc.is_some(),
        _ => out.toolchain.cc.iter().any(|c| c.name == t),
    };
    rebuild_table()
        .iter()
        .find(|r| r.toolchain.as_deref().is_none_or(built_with))
        // The table ends with a row for any toolchain (checked by a unit test).
        .map_or_else(|| Fix::no_release(FixSubject::Musl), |r| r.fix.clone())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rebuild_table_ends_with_a_row_for_any_toolchain() {
        assert!(rebuild_table().last().is_some_and(|r| r.toolchain.is_none()));
        assert_eq!(RELEASES[tcp_release()], "1.2.4");
    }

    /// The advice reads as it did when it was code.
    #[test]
    fn rebuild_advice_by_toolchain() {
        let mut out = crate::empty_draft();
        assert_eq!(rebuild_advice(&out).to_string(), "rebuild against musl >= 1.2.4");
        out.toolchain.cc.push(binsight_model::Compiler {
            name: "zig".into(),
            version: None,
            vendor: None,
            evidence: vec![],
        });
        assert_eq!(rebuild_advice(&out).to_string(), "rebuild with zig >= 0.11 (bundles musl >= 1.2.4)");
        out.toolchain.rustc = Some(binsight_model::Rustc {
            version: None,
            commit: None,
            confidence: binsight_model::Confidence::Unknown,
            evidence: vec![],
        });
        // zig linked it (a Rust library in a zig-linked Go cgo binary, cargo-zigbuild): zig's musl.
        assert_eq!(rebuild_advice(&out).to_string(), "rebuild with zig >= 0.11 (bundles musl >= 1.2.4)");
        out.toolchain.cc.clear();
        assert_eq!(
            rebuild_advice(&out).to_string(),
            "rebuild with Rust >= 1.93 (its *-linux-musl targets bundle musl 1.2.5)"
        );
    }
}
