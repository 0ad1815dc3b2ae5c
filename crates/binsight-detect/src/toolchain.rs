//! Toolchain: rustc (`.comment`, `/rustc/<commit>/` paths, the LLVM producer string, distro std
//! source paths), C compilers and linkers
//! (`.comment`), zig (its bundled clang's stamp). Go is the [`crate::go`] detector's.

use binsight_model::{Compiler, Confidence, Evidence, Rustc};

use crate::{rust_releases, Context, Detector, Meter, ReportDraft};

pub(crate) struct ToolchainDetector;

impl Detector for ToolchainDetector {
    fn name(&self) -> &'static str {
        "toolchain"
    }
    fn run(&self, cx: &Context<'_>, out: &mut ReportDraft, _meter: &mut Meter) {
        let comments = cx.elf.comment_strings();
        let mut rustc: Option<Rustc> = None;
        // Real files carry a handful; a hostile .comment of distinct strings made the compiler
        // lookup below quadratic.
        for (off, s) in comments.take(MAX_COMMENTS) {
            if let Some(r) = parse_rustc_comment(s) {
                let ev = Evidence::new("comment", s).in_section(".comment").at(off);
                match &mut rustc {
                    None => {
                        rustc = Some(Rustc {
                            version: Some(r.0),
                            commit: r.1,
                            confidence: Confidence::Exact,
                            evidence: vec![ev],
                        })
                    }
                    Some(x) => x.evidence.push(ev),
                }
            } else if let Some(c) = parse_cc_comment(s) {
                let ev = Evidence::new("comment", s).in_section(".comment").at(off);
                // zig's bundled clang names zig-bootstrap: the compiler the user ran was zig.
                if let Some((zig, how)) = zig_from_clang(s, c.1.as_deref()) {
                    let zev = Evidence::new("zig-release-table", how).in_section(".comment").at(off);
                    add_compiler(&mut out.toolchain.cc, "zig".into(), zig, None, zev);
                }
                add_compiler(&mut out.toolchain.cc, c.0, c.1, c.2, ev);
            }
        }
        // Compiler paths: full commit, and a version when .comment was stripped.
        if let Some((commit, off)) = rustc_path_commit(cx) {
            let ev = Evidence::new("rustc-path", format!("/rustc/{commit}/"))
                .at(off)
                .in_section(cx.elf.section_at(off).unwrap_or("?"));
            let rel = rust_releases::by_commit(&commit);
            match &mut rustc {
                Some(r) => {
                    // The comment has an abbreviated hash; the path has the full one.
                    if r.commit.as_deref().is_none_or(|c| commit.starts_with(c)) {
                        r.commit = Some(commit);
                    }
                    r.evidence.push(ev);
                }
                None => {
                    rustc = Some(match rel {
                        Some(rel) => Rustc {
                            version: Some(rel.version.clone()),
                            commit: Some(commit),
                            confidence: Confidence::Likely,
                            evidence: vec![ev, Evidence::new("rust-release-table", format!("commit is Rust {} ({})", rel.version, rel.date))],
                        },
                        // A nightly/beta or a release newer than the table: say the commit only.
                        None => Rustc {
                            version: None,
                            commit: Some(commit),
                            confidence: Confidence::Partial,
                            evidence: vec![ev, Evidence::new("rust-release-table", "commit is not a stable release in the table (nightly, beta, custom, or newer than the table)")],
                        },
                    });
                }
            }
        }
        if rustc.as_ref().is_none_or(|r| r.version.is_none()) {
            if let Some((version, commit, confidence, ev)) = rustc_version_from_strings(cx) {
                let r = rustc.get_or_insert_with(|| Rustc {
                    version: None,
                    commit: None,
                    confidence,
                    evidence: Vec::new(),
                });
                r.version = Some(version);
                r.confidence = confidence;
                if r.commit.is_none() {
                    r.commit = commit;
                }
                r.evidence.insert(0, ev);
            }
        }
        out.toolchain.rustc = rustc;
    }
}

/// Longest string read at a rustc signature (a producer string or a path).
const MAX_RUSTC_STRING: usize = 200;

/// rustc's version where `.comment` and `/rustc/<commit>/` paths do not say it: the LLVM
/// producer string (`rustc version 1.72.0-nightly (839e9a6e1 2023-07-02)`, in debug info or a
/// copy of `.comment`; exact), or the standard library's source path in a distribution's rustc
/// (`/usr/src/rustc-1.63.0/` of Debian and Ubuntu, `/builddir/build/BUILD/rustc-1.75.0-src/` of
/// Fedora; likely: it names the source the std was built from, which is the compiler's).
fn rustc_version_from_strings(cx: &Context<'_>) -> Option<(String, Option<String>, Confidence, Evidence)> {
    let data = cx.elf.data();
    let at = |off: u64| -> Option<&str> {
        let start = usize::try_from(off).ok()?;
        let bytes = data.get(start..)?;
        let end = bytes.iter().take(MAX_RUSTC_STRING).position(|b| *b == 0 || *b == b')').unwrap_or(0);
        std::str::from_utf8(&bytes[..end]).ok()
    };
    let evidence = |id: &str, text: String, off: u64| {
        Evidence::new(id, text).at(off).in_section(cx.elf.section_at(off).unwrap_or("?"))
    };
    for &off in cx.hits.of("rustc-producer") {
        let Some(s) = at(off) else { continue };
        if let Some((version, commit)) = parse_rustc_comment(&format!("{s})")).filter(|(v, _)| is_rust_version(v)) {
            return Some((version, commit, Confidence::Exact, evidence("rustc-producer", format!("{s})"), off)));
        }
    }
    for (sig, prefix, suffix) in
        [("rustc-src-debian", "/usr/src/rustc-", "/"), ("rustc-src-fedora", "/BUILD/rustc-", "-src/")]
    {
        for &off in cx.hits.of(sig) {
            let Some(s) = at(off) else { continue };
            let Some(v) = s.strip_prefix(prefix).and_then(|r| r.split_once(suffix)).map(|(v, _)| v) else { continue };
            if is_rust_version(v) {
                let shown = format!("{prefix}{v}{suffix}");
                return Some((v.to_string(), None, Confidence::Likely, evidence("rustc-source-path", shown, off)));
            }
        }
    }
    None
}

/// `1.63.0`, `1.72.0-nightly`, `1.80.0-beta.3`: a Rust version as rustc prints it.
fn is_rust_version(v: &str) -> bool {
    semver::Version::parse(v).is_ok_and(|s| s.major == 1 && s.build.is_empty()) && v.len() <= 40
}

/// `.comment` strings read (linkers merge duplicates: real files have a few dozen at most).
const MAX_COMMENTS: usize = 256;

fn add_compiler(cc: &mut Vec<Compiler>, name: String, version: Option<String>, vendor: Option<String>, ev: Evidence) {
    match cc.iter_mut().find(|x| x.name == name && x.version == version) {
        Some(x) => x.evidence.push(ev),
        None => cc.push(Compiler { name, version, vendor, evidence: vec![ev] }),
    }
}

/// A clang stamp of zig's bundled clang → (zig version if known, how it was decided).
fn zig_from_clang(comment: &str, clang_version: Option<&str>) -> Option<(Option<String>, String)> {
    let i = comment.find("ziglang/zig-bootstrap")?;
    let commit =
        comment[i..].split(|c: char| !c.is_ascii_hexdigit()).find(|w| w.len() == 40).map(str::to_ascii_lowercase);
    let table = crate::zig_releases::releases();
    if let Some(c) = &commit {
        if let Some(r) = table.iter().find(|r| r.commit.as_deref() == Some(c.as_str())) {
            return Some((Some(r.version.clone()), format!("zig-bootstrap commit {c} is zig {}", r.version)));
        }
    }
    // Unknown commit: the bundled clang version may still name one release.
    let by_clang: Vec<_> = table.iter().filter(|r| Some(r.clang.as_str()) == clang_version).collect();
    match by_clang.as_slice() {
        [r] => Some((Some(r.version.clone()), format!("clang {} is bundled by zig {} only", r.clang, r.version))),
        _ => Some((None, "zig-bootstrap clang of a zig release not in the table".into())),
    }
}

/// `rustc version 1.80.1 (3f5fd8dd4 2024-08-06)` → (version, short commit).
fn parse_rustc_comment(s: &str) -> Option<(String, Option<String>)> {
    let rest = s.strip_prefix("rustc version ")?;
    let mut parts = rest.split_whitespace();
    let version = parts.next()?.to_string();
    let commit = parts
        .next()
        .map(|c| c.trim_start_matches('('))
        .filter(|c| c.len() >= 7 && c.bytes().all(|b| b.is_ascii_hexdigit()))
        .map(str::to_string);
    Some((version, commit))
}

/// `.comment` strings of C toolchains → (name, version, vendor).
pub(crate) fn parse_cc_comment(s: &str) -> Option<(String, Option<String>, Option<String>)> {
    // GCC: (Debian 12.2.0-14+deb12u1) 12.2.0   |   GCC: (GNU) 9.4.0   |  GCC: (Alpine 13.2.1_git…) 13.2.1…
    if let Some(rest) = s.strip_prefix("GCC: ") {
        let (vendor, tail) = match rest.strip_prefix('(').and_then(|r| r.split_once(") ")) {
            Some((v, t)) => (Some(v.to_string()).filter(|v| v != "GNU"), t),
            None => (None, rest),
        };
        let version = tail.split_whitespace().next().map(str::to_string);
        return Some(("gcc".into(), version, vendor));
    }
    // clang version 16.0.6 (…)  |  Ubuntu clang version 14.0.0-1ubuntu1  | Apple…
    if let Some(i) = s.find("clang version ") {
        let version = s[i + 14..].split_whitespace().next().map(str::to_string);
        let vendor = Some(s[..i].trim().to_string()).filter(|v| !v.is_empty());
        return Some(("clang".into(), version, vendor));
    }
    // Linker: LLD 17.0.6  |  Linker: LLD 17.0.6 (compatible with GNU linkers)
    if let Some(rest) = s.strip_prefix("Linker: ") {
        let mut it = rest.split_whitespace();
        let name = it.next()?.to_ascii_lowercase();
        let name = if name == "lld" { "lld".to_string() } else { name };
        return Some((name, it.next().map(str::to_string), None));
    }
    // mold 2.4.0 (…)
    if let Some(rest) = s.strip_prefix("mold ") {
        return Some(("mold".into(), rest.split_whitespace().next().map(str::to_string), None));
    }
    // zig 0.11.0 (zig's own .comment, when present)
    if let Some(rest) = s.strip_prefix("zig ") {
        return Some(("zig".into(), rest.split_whitespace().next().map(str::to_string), None));
    }
    None
}

/// First `/rustc/<40 hex>/` in the file, with its offset.
fn rustc_path_commit(cx: &Context<'_>) -> Option<(String, u64)> {
    let data = cx.elf.data();
    cx.hits.of("rustc-path").iter().find_map(|&off| {
        let start = usize::try_from(off).ok()? + "/rustc/".len();
        let hash = data.get(start..start + 41)?;
        (hash[40] == b'/' && hash[..40].iter().all(|b| b.is_ascii_hexdigit() && !b.is_ascii_uppercase()))
            .then(|| (String::from_utf8_lossy(&hash[..40]).into_owned(), off))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn comments() {
        assert_eq!(
            parse_rustc_comment("rustc version 1.80.1 (3f5fd8dd4 2024-08-06)"),
            Some(("1.80.1".into(), Some("3f5fd8dd4".into())))
        );
        assert_eq!(
            parse_cc_comment("GCC: (Debian 12.2.0-14+deb12u1) 12.2.0"),
            Some(("gcc".into(), Some("12.2.0".into()), Some("Debian 12.2.0-14+deb12u1".into())))
        );
        assert_eq!(parse_cc_comment("GCC: (GNU) 9.4.0"), Some(("gcc".into(), Some("9.4.0".into()), None)));
        assert_eq!(
            parse_cc_comment("Ubuntu clang version 14.0.0-1ubuntu1"),
            Some(("clang".into(), Some("14.0.0-1ubuntu1".into()), Some("Ubuntu".into())))
        );
        assert_eq!(parse_cc_comment("Linker: LLD 17.0.6"), Some(("lld".into(), Some("17.0.6".into()), None)));
        assert_eq!(parse_cc_comment("something else"), None);
        assert!(is_rust_version("1.63.0") && is_rust_version("1.72.0-nightly") && is_rust_version("1.80.0-beta.3"));
        assert!(!is_rust_version("2.0.0") && !is_rust_version("1.63") && !is_rust_version("1.63.0+x"));
    }
}
