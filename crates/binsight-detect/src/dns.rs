//! DNS: which resolver the binary carries and whether it survives large answers. musl before
//! 1.2.4 has no TCP fallback, so answers over 512 bytes (many A/AAAA records, long TXT/SRV,
//! DNSSEC) fail; the fix is a rebuild against a newer musl.

use binsight_model::{Evidence, Fix, FixSubject, LibcFamily, Resolver};

use crate::musl_version::{Range, RELEASES};
use crate::{Context, Detector, Findings, Meter};

/// Index of musl 1.2.4 in [`RELEASES`]: the first release with the TCP fallback.
fn tcp_release() -> usize {
    RELEASES.iter().position(|r| *r == "1.2.4").unwrap_or(RELEASES.len())
}

pub struct DnsDetector;

impl Detector for DnsDetector {
    fn name(&self) -> &'static str {
        "dns"
    }
    fn run(&self, cx: &Context<'_>, out: &mut Findings, _meter: &mut Meter) {
        let f = &cx.elf.facts;
        let is_static = f.linkage.is_static();
        let mut ev = Vec::new();
        let conf = cx.hits.of("resolv-conf").first().copied();
        if let Some(off) = conf {
            ev.push(
                Evidence::new("resolv-conf", "/etc/resolv.conf")
                    .in_section(cx.elf.section_at(off).unwrap_or("?"))
                    .at(off),
            );
        }
        let sym = ["getaddrinfo", "gethostbyname", "res_query", "res_search", "__res_msend"]
            .into_iter()
            .find(|s| cx.elf.mentions_symbol(s));
        if let Some(s) = sym {
            ev.push(Evidence::new("symbol", s));
        }
        for id in ["hickory-resolver", "trust-dns-resolver"] {
            if let Some(&off) = cx.hits.of(id).first() {
                ev.push(Evidence::new(id, format!("{id} crate paths")).at(off));
            }
        }
        let rust_crate = ev.iter().any(|e| e.signal.ends_with("-resolver"));
        let crate_note = if rust_crate {
            " A Rust resolver crate (hickory/trust-dns) is linked too and may do its own lookups."
        } else {
            ""
        };
        let linked = conf.is_some() || sym.is_some();
        // Absence is only evidence where we could see it: symbols, or the resolv.conf path.
        let known_absent = !linked && (!f.stripped || is_static);

        let advice = rebuild_advice(out);
        let dns = &mut out.dns;
        dns.evidence = ev;
        match out.libc.family {
            LibcFamily::Musl if is_static && linked => {
                dns.resolver = Resolver::Musl;
                let range = out.libc.version.as_ref().and_then(Range::from_versions);
                let t = tcp_release();
                match range {
                    Some(r) if r.hi < t => {
                        dns.tcp_fallback = Some(false);
                        let v = out.libc.version.as_ref().map(ToString::to_string).unwrap_or_default();
                        dns.verdict = format!("links musl {v}'s resolver, which has no TCP fallback: DNS answers over 512 bytes (many A/AAAA records, long TXT/SRV, DNSSEC) fail.{crate_note}");
                        dns.fix = Some(advice);
                    }
                    Some(r) if r.lo >= t => {
                        dns.tcp_fallback = Some(true);
                        dns.verdict = format!(
                            "links musl {}'s resolver, which falls back to TCP for large answers.{crate_note}",
                            out.libc.version.as_ref().map(ToString::to_string).unwrap_or_default()
                        );
                    }
                    _ => {
                        dns.tcp_fallback = None;
                        dns.verdict = format!("links musl's resolver; its version does not tell whether it falls back to TCP for answers over 512 bytes (musl < 1.2.4 does not).{crate_note}");
                    }
                }
            }
            LibcFamily::Musl if !is_static => {
                dns.resolver = Resolver::Musl;
                dns.verdict = "uses the host's musl resolver: TCP fallback for large answers depends on the host (musl >= 1.2.4 has it).".into();
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

/// How to get a musl with the TCP fallback, for the toolchain that built this binary.
fn rebuild_advice(out: &Findings) -> Fix {
    if out.toolchain.rustc.is_some() {
        return Fix::at_least(FixSubject::Rust, "1.93").with_note("its *-linux-musl targets bundle musl 1.2.5");
    }
    if out.toolchain.cc.iter().any(|c| c.name == "zig") {
        return Fix::at_least(FixSubject::Zig, "0.11").with_note("bundles musl >= 1.2.4");
    }
    Fix::at_least(FixSubject::Musl, "1.2.4")
}
