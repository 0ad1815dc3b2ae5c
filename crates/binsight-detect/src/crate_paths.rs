//! Rust crates named by the source paths a binary keeps (panic locations, debug info), in every
//! layout builders use: cargo's registry, the distributions' crate registries, vendored trees,
//! Nix (`data/crate-path-layouts.tsv`). Two SIMD substring passes over the file find them all.
//! Only crates whose code left a path behind are found: the list is `partial`.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use binsight_model::{Component, ComponentKind, Evidence};

use crate::tsv::{self, Problem, TableError};
use crate::Meter;

const LAYOUTS: &str = include_str!("../data/crate-path-layouts.tsv");
const REGISTRIES: &str = include_str!("../data/cargo-registries.tsv");
/// Distinct crates recovered from paths, at most.
const MAX_PATH_CRATES: usize = 10_000;
/// Longest directory name (registry index, `name-version`) considered.
const MAX_DIR: usize = 256;
/// Longest rest of a path (after the crate directory) looked at for its `.rs` ending.
const MAX_REST: usize = 512;

/// How a layout's paths name a crate after its marker.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Form {
    /// One directory (a registry index, named in `cargo-registries.tsv`), then `NAME-VERSION`.
    IndexThenNameVersion,
    /// `NAME-VERSION` right after the marker.
    NameVersion,
    /// `NAME-VERSION`, or `NAME` alone (no version known), in a path to a `.rs` file.
    NameVersionOrName,
}

/// A row of `data/crate-path-layouts.tsv`.
#[derive(Debug, Clone)]
pub struct Layout {
    /// The bytes right before the registry or crate directory.
    pub marker: String,
    /// How the directories after the marker name the crate.
    pub form: Form,
    /// The `source` reported for crates found so (`registry`: from `cargo-registries.tsv`).
    pub source: String,
}

/// Parse `data/crate-path-layouts.tsv`; `Err` names the first bad row.
pub fn parse_layouts(text: &str) -> Result<Vec<Layout>, TableError> {
    tsv::load("crate-path-layouts.tsv", text, 4, |row| {
        row.required(3, "who uses it")?;
        let form = match row.required(1, "form")? {
            "index-then-name-version" => Form::IndexThenNameVersion,
            "name-version" => Form::NameVersion,
            "name-version-or-name" => Form::NameVersionOrName,
            other => {
                return Err(row.error(Problem::Word {
                    column: "form",
                    text: other.into(),
                    allowed: "index-then-name-version, name-version, name-version-or-name",
                }))
            }
        };
        Ok(Layout { marker: row.required(0, "marker")?.into(), form, source: row.required(2, "source")?.into() })
    })
}

/// A row of `data/cargo-registries.tsv`: registry directories of a known source.
#[derive(Debug, Clone)]
pub struct Registry {
    /// Prefix of the directory name under `~/.cargo/registry/src/`.
    pub prefix: String,
    /// The source name reported for crates from such a directory (`crates.io`).
    pub source: String,
}

/// Parse `data/cargo-registries.tsv`; `Err` names the first bad row.
pub fn parse_registries(text: &str) -> Result<Vec<Registry>, TableError> {
    tsv::load("cargo-registries.tsv", text, 3, |row| {
        row.required(2, "source")?;
        Ok(Registry { prefix: row.required(0, "prefix")?.into(), source: row.required(1, "source name")?.into() })
    })
}

fn registries() -> &'static [Registry] {
    static T: OnceLock<Vec<Registry>> = OnceLock::new();
    tsv::compiled(&T, || parse_registries(REGISTRIES))
}

fn layouts() -> &'static [Layout] {
    static T: OnceLock<Vec<Layout>> = OnceLock::new();
    tsv::compiled(&T, || parse_layouts(LAYOUTS))
}

/// Substrings the markers share, each searched with one SIMD substring pass: `registry/` is in
/// cargo's and the distributions' markers, `vendor` in the vendored ones. (An Aho-Corasick
/// automaton over the markers cost more: their rarest bytes are common in binaries.)
const ANCHORS: [&str; 2] = ["registry/", "vendor"];

/// Per anchor (a marker without one is its own anchor): its finder, and the layouts whose
/// marker holds it with the anchor's offset in that marker.
type Anchor = (memchr::memmem::Finder<'static>, Vec<(usize, usize)>);

fn anchors() -> &'static [Anchor] {
    static A: OnceLock<Vec<Anchor>> = OnceLock::new();
    A.get_or_init(|| {
        let mut out: Vec<(&'static str, Vec<(usize, usize)>)> = Vec::new();
        for (li, l) in layouts().iter().enumerate() {
            let (anchor, at) =
                ANCHORS.iter().find_map(|a| l.marker.find(a).map(|i| (*a, i))).unwrap_or((l.marker.as_str(), 0));
            match out.iter_mut().find(|(a, _)| *a == anchor) {
                Some((_, v)) => v.push((li, at)),
                None => out.push((anchor, vec![(li, at)])),
            }
        }
        out.into_iter().map(|(a, v)| (memchr::memmem::Finder::new(a.as_bytes()), v)).collect()
    })
}

/// `name-version` → (name, version): the first split whose right side is a full semver
/// (crate names may contain `-` and digits, e.g. `md-5-0.10.6`).
pub(crate) fn split_name_version(dir: &str) -> Option<(&str, String)> {
    for (i, _) in dir.match_indices('-') {
        let (name, ver) = (&dir[..i], &dir[i + 1..]);
        if name.is_empty() || !ver.starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        if let Ok(v) = semver::Version::parse(ver) {
            return is_crate_name(name).then(|| (name, v.to_string()));
        }
    }
    None
}

/// Could `name` be a crate's name (ASCII letters, digits, `_`, `-`; not starting with `-`)?
fn is_crate_name(name: &str) -> bool {
    !name.is_empty()
        && !name.starts_with('-')
        && name.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')
}

/// The next path component of `rest` (up to `/` or `\`, at most [`MAX_DIR`] bytes), as UTF-8,
/// and what follows its separator. `None` when there is no separator in reach.
fn component(rest: &[u8]) -> Option<(&str, &[u8])> {
    let end = rest.iter().take(MAX_DIR).position(|b| *b == b'/' || *b == b'\\')?;
    Some((std::str::from_utf8(&rest[..end]).ok()?, &rest[end + 1..]))
}

/// Does the path continuing in `rest` end in a Rust source file (`….rs` before a byte that
/// cannot be in a path)? Keeps C sources in vendored trees (`vendor/zlib-1.2.13/inflate.c`)
/// from being taken for crates.
fn is_rust_source(rest: &[u8]) -> bool {
    let end = rest.iter().take(MAX_REST).position(|b| *b < 0x21 || *b >= 0x7f).unwrap_or(rest.len().min(MAX_REST));
    rest[..end].ends_with(b".rs")
}

/// The byte ranges of a `len`-byte file outside `skip` (offset, length), in order.
fn gaps(len: usize, skip: &[(u64, u64)]) -> Vec<(usize, usize)> {
    let mut skip: Vec<(usize, usize)> = skip
        .iter()
        .filter_map(|&(o, n)| {
            let a = usize::try_from(o).ok()?.min(len);
            Some((a, a.saturating_add(usize::try_from(n).ok()?).min(len)))
        })
        .collect();
    skip.sort_unstable();
    let (mut out, mut at) = (Vec::new(), 0);
    for (a, b) in skip {
        if a > at {
            out.push((at, a));
        }
        at = at.max(b);
    }
    if at < len {
        out.push((at, len));
    }
    out
}

/// Does the path that ends at `before` (right before a `vendor/` marker) lie in a rustc source
/// tree (`/usr/src/rustc-1.63.0/`, `…/rustc-1.75.0-src/`, `/rustc/<commit>/`)? The crates
/// vendored there are the standard library's own dependencies (hashbrown, miniz_oxide,
/// rustc-demangle…): they come and go with rust-std, not with the program's Cargo.lock.
fn in_rustc_source(before: &[u8]) -> bool {
    let Some(tail) = before.strip_suffix(b"/") else { return false };
    let start = tail.len().saturating_sub(MAX_DIR);
    let tail = &tail[start..];
    let dir = tail.rsplit(|b| *b == b'/').next().unwrap_or_default();
    if dir.starts_with(b"rustc-") {
        return true;
    }
    // /rustc/<40 hex>/vendor/
    let parent = tail.len().checked_sub(dir.len() + 1).map(|n| &tail[..n]);
    dir.len() == 40 && dir.iter().all(u8::is_ascii_hexdigit) && parent.is_some_and(|p| p.ends_with(b"/rustc"))
}

/// One crate a path names.
struct Found {
    name: String,
    version: Option<String>,
    source: String,
    marker: &'static str,
}

/// The crate the path after a `layout` marker names; `None` when it names none.
fn read_path(layout: &'static Layout, rest: &[u8]) -> Option<Found> {
    let (source, rest) = match layout.form {
        Form::IndexThenNameVersion => {
            let (index, rest) = component(rest)?;
            let source =
                registries().iter().find(|r| index.starts_with(&r.prefix)).map_or(&layout.source, |r| &r.source);
            (source, rest)
        }
        _ => (&layout.source, rest),
    };
    let (dir, after) = component(rest)?;
    let (name, version) = match split_name_version(dir) {
        Some((n, v)) => (n, Some(v)),
        None if layout.form == Form::NameVersionOrName && after.starts_with(b"src/") && is_crate_name(dir) => {
            (dir, None)
        }
        None => return None,
    };
    if layout.form == Form::NameVersionOrName && !is_rust_source(after) {
        return None;
    }
    Some(Found { name: name.to_string(), version, source: source.clone(), marker: &layout.marker })
}

/// Crates named by source paths in the file, one component per (name, version), with the first
/// path as evidence. Charges `meter` for each path looked at (a file of nothing but markers
/// would otherwise cost a semver parse every few bytes); stops with what it has when it runs
/// out.
pub fn crates_from_paths(data: &[u8], meter: &mut Meter) -> Vec<Component> {
    crates_from_paths_except(data, &[], meter)
}

/// [`crates_from_paths`], not looking in the byte ranges `skip` (offset, length): machine code
/// and unwind tables, which hold no paths and are half of a binary.
pub fn crates_from_paths_except(data: &[u8], skip: &[(u64, u64)], meter: &mut Meter) -> Vec<Component> {
    let rows = layouts();
    let mut found: BTreeMap<(String, Option<String>), (Found, u64)> = BTreeMap::new();
    let gaps = gaps(data.len(), skip);
    let hits = |finder: &'static memchr::memmem::Finder<'static>| {
        gaps.iter().flat_map(move |&(a, b)| finder.find_iter(&data[a..b]).map(move |h| a + h))
    };
    'anchors: for (finder, users) in anchors() {
        for hit in hits(finder) {
            if meter.work(2 * MAX_DIR as u64).is_err() || found.len() >= MAX_PATH_CRATES {
                break 'anchors;
            }
            for &(li, at) in users {
                let layout = &rows[li];
                let Some(start) = hit.checked_sub(at) else { continue };
                let end = start + layout.marker.len();
                if data.get(start..end) != Some(layout.marker.as_bytes()) {
                    continue;
                }
                if layout.form == Form::NameVersionOrName && in_rustc_source(&data[..start]) {
                    continue;
                }
                let Some(f) = read_path(layout, &data[end..]) else { continue };
                // The first path in the file is the evidence, whichever anchor found it.
                let e = found.entry((f.name.clone(), f.version.clone())).or_insert((f, start as u64));
                e.1 = e.1.min(start as u64);
                break;
            }
        }
    }
    // A crate seen with a version is not listed again without one.
    let versioned: std::collections::BTreeSet<String> =
        found.keys().filter(|(_, v)| v.is_some()).map(|(n, _)| n.clone()).collect();
    found
        .into_values()
        .filter(|(f, _)| f.version.is_some() || !versioned.contains(&f.name))
        .map(|(f, off)| {
            let dir = match &f.version {
                Some(v) => format!("{}-{v}", f.name),
                None => f.name.clone(),
            };
            let shown = if f.marker == "registry/src/" { "registry/src/…/" } else { f.marker };
            Component {
                purl: Some(match &f.version {
                    Some(v) => format!("pkg:cargo/{}@{v}", f.name),
                    None => format!("pkg:cargo/{}", f.name),
                }),
                evidence: vec![Evidence::new("crate-source-path", format!("{shown}{dir}/")).at(off)],
                name: f.name,
                version: f.version,
                cpe: None,
                kind: ComponentKind::RustCrate,
                found_by: "panic-path".into(),
                source: Some(f.source),
                root: false,
                build_only: false,
                bundle: None,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(data: &[u8]) -> Vec<(String, Option<String>, Option<String>)> {
        crates_from_paths(data, &mut Meter::new(crate::Budget::default()))
            .into_iter()
            .map(|c| (c.name, c.version, c.source))
            .collect()
    }

    fn t(n: &str, v: Option<&str>, s: &str) -> (String, Option<String>, Option<String>) {
        (n.into(), v.map(Into::into), Some(s.into()))
    }

    #[test]
    fn names_and_versions_split_right() {
        assert_eq!(split_name_version("serde-1.0.200"), Some(("serde", "1.0.200".into())));
        assert_eq!(split_name_version("md-5-0.10.6"), Some(("md-5", "0.10.6".into())));
        assert_eq!(split_name_version("windows-sys-0.52.0"), Some(("windows-sys", "0.52.0".into())));
        assert_eq!(split_name_version("foo-1.0.0-beta.2"), Some(("foo", "1.0.0-beta.2".into())));
        assert_eq!(split_name_version("nover"), None);
        assert_eq!(split_name_version("bad name-1.0.0"), None);
    }

    #[test]
    fn cargo_registry_paths_are_found_and_deduplicated() {
        let data = b"xx/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/de.rs\0\
            /cargo/registry/src/index.crates.io-6f17d22bba15001f/serde-1.0.200/src/ser.rs\0\
            /c/registry/src/my-registry-0123456789abcdef/md-5-0.10.6/src/lib.rs\0\
            /c/registry/src/x/notacrate/src/lib.rs\0/c/registry/src/";
        assert_eq!(found(data), [t("md-5", Some("0.10.6"), "registry"), t("serde", Some("1.0.200"), "crates.io")]);
        let c = crates_from_paths(data, &mut Meter::new(crate::Budget::default()));
        assert_eq!(c[1].purl.as_deref(), Some("pkg:cargo/serde@1.0.200"));
    }

    #[test]
    fn distro_vendor_and_nix_layouts_are_found() {
        // Paths as Debian's ripgrep, `cargo vendor` (plain and --versioned-dirs) and Nix leave them.
        let data = b"/usr/share/cargo/registry/aho-corasick-0.7.19/src/dfa.rs\0\
            /usr/share/cargo/registry/encoding_rs-0.8.31/src/lib.rs\0\
            /build/app/vendor/memchr/src/memchr/x86/mod.rs\0\
            /build/app/vendor/regex-syntax-0.6.27/src/ast/parse.rs\0\
            /nix/store/0123abcd-cargo-vendor-dir/itoa-1.0.9/src/lib.rs\0\
            /build/app-vendor.tar.gz/ryu/src/pretty/mod.rs\0";
        assert_eq!(
            found(data),
            [
                t("aho-corasick", Some("0.7.19"), "distro"),
                t("encoding_rs", Some("0.8.31"), "distro"),
                t("itoa", Some("1.0.9"), "vendored"),
                t("memchr", None, "vendored"),
                t("regex-syntax", Some("0.6.27"), "vendored"),
                t("ryu", None, "vendored"),
            ]
        );
        let c = crates_from_paths(data, &mut Meter::new(crate::Budget::default()));
        assert_eq!(c[3].purl.as_deref(), Some("pkg:cargo/memchr"));
    }

    #[test]
    fn vendored_c_and_go_trees_are_not_crates() {
        let data = b"/build/app/vendor/zlib-1.2.13/inflate.c\0\
            /build/app/vendor/curl/src/tool_main.c\0\
            /go/src/app/vendor/golang.org/x/net/http2/frame.go\0\
            vendor/github.com/pkg/sftp/client.go\0";
        assert_eq!(found(data), []);
    }

    #[test]
    fn the_standard_librarys_vendored_crates_are_not_the_programs() {
        let data = b"/usr/src/rustc-1.63.0/vendor/hashbrown/src/raw/mod.rs\0\
            /usr/src/rustc-1.63.0/vendor/miniz_oxide-0.4.0/src/inflate/core.rs\0\
            /builddir/build/BUILD/rustc-1.75.0-src/vendor/gimli/src/read/line.rs\0\
            /rustc/0123456789abcdef0123456789abcdef01234567/vendor/addr2line/src/lib.rs\0\
            /build/app/vendor/memchr/src/lib.rs\0";
        assert_eq!(found(data), [t("memchr", None, "vendored")]);
    }

    #[test]
    fn a_crate_seen_with_a_version_is_not_listed_again_without_one() {
        let data = b"/v/vendor/memchr/src/lib.rs\0/usr/share/cargo/registry/memchr-2.5.0/src/lib.rs\0";
        assert_eq!(found(data), [t("memchr", Some("2.5.0"), "distro")]);
    }

    #[test]
    fn skipped_ranges_are_not_searched() {
        let data = b"XXXXXXXXXX/usr/share/cargo/registry/memchr-2.5.0/src/lib.rs\0/usr/share/cargo/registry/itoa-1.0.9/src/lib.rs\0";
        let m = &mut Meter::new(crate::Budget::default());
        let all = crates_from_paths_except(data, &[], m);
        assert_eq!(all.len(), 2);
        let some = crates_from_paths_except(data, &[(10, 40), (0, 3)], m);
        assert_eq!(some.iter().map(|c| c.name.as_str()).collect::<Vec<_>>(), ["itoa"]);
        assert_eq!(gaps(10, &[(2, 3), (4, 2), (20, 5)]), [(0, 2), (6, 10)]);
        assert_eq!(gaps(10, &[(0, u64::MAX)]), []);
    }

    #[test]
    fn weird_bytes_in_paths_are_skipped() {
        let mut data = Vec::new();
        for bad in [
            &b"registry/src/r/\xff\xfe-1.0.0/x"[..], // not UTF-8
            b"registry/src/r/a b-1.0.0/x",           // space in the name
            b"registry/src/r/evil\n-1.0.0/x",        // control character
            b"registry/src/r/x-1.0/x",               // not semver
            b"registry/src/r/-1.0.0/x",              // no name
            b"registry/src/\xff/ok-1.0.0/x",         // registry dir not UTF-8
            b"/usr/share/cargo/registry/-x-1.0.0/a.rs",
            b"vendor/\x1b[31m/src/a.rs",
        ] {
            data.extend_from_slice(bad);
            data.push(0);
        }
        // A long run without '/' after a marker is not followed for ever.
        data.extend_from_slice(b"registry/src/");
        data.extend(std::iter::repeat_n(b'a', 100_000));
        data.extend_from_slice(b"vendor/");
        data.extend(std::iter::repeat_n(b'a', 100_000));
        assert_eq!(found(&data), []);
    }

    #[test]
    fn a_file_of_markers_stops_at_its_budget() {
        let data: Vec<u8> = std::iter::repeat_n(&b"vendor/"[..], 2_000_000).flatten().copied().collect();
        let mut meter = Meter::new(crate::Budget { work: 1_000_000, ..crate::Budget::default() });
        assert_eq!(crates_from_paths(&data, &mut meter), []);
        assert!(meter.exceeded().is_some());
    }
}
