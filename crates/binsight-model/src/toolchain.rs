//! The toolchains that built a binary: rustc, Go (with its build info), C compilers.

use serde::{Deserialize, Serialize};

use crate::{Confidence, Evidence};

/// The Rust compiler that built the binary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Rustc {
    /// `1.80.1`, or `None` when only an unknown commit was seen.
    pub version: Option<String>,
    /// Full or abbreviated commit hash of the compiler.
    pub commit: Option<String>,
    /// How sure the identification is.
    pub confidence: Confidence,
    /// What it was recognised by.
    pub evidence: Vec<Evidence>,
}

/// The Go toolchain that built the binary, with the build info it embedded.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Go {
    /// `go1.19.8`.
    pub version: String,
    /// How sure the identification is.
    pub confidence: Confidence,
    /// What it was recognised by.
    pub evidence: Vec<Evidence>,
    /// Main module path (`path` line of the build info), e.g. `github.com/x/tool/cmd/tool`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// Main module (`mod` line): path and version (`(devel)` for local builds).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub main: Option<GoModule>,
    /// Build settings (`build` lines), e.g. `CGO_ENABLED=0`, `GOARCH=amd64`, `-trimpath=true`,
    /// `vcs.revision=…`, in the order Go wrote them.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub settings: Vec<(String, String)>,
}

/// A Go module named in build info.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct GoModule {
    /// Module path (`golang.org/x/net`).
    pub path: String,
    /// Module version (`v0.23.0`, `(devel)`).
    pub version: String,
    /// Its `go.sum` hash (`h1:…`); `None` when the build info has none (replaced or local modules).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sum: Option<String>,
    /// The module that replaced it (`=>` line), if any.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replace: Option<Box<GoModule>>,
}

/// A C/C++ compiler or linker that left its mark in `.comment`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Compiler {
    /// `gcc`, `clang`, `zig`, `lld`, `gnu-ld`, `gold`, `mold`…
    pub name: String,
    /// Its version (`12.2.0`); `None` when the mark has none.
    pub version: Option<String>,
    /// Vendor string as found, e.g. `Debian 12.2.0-14+deb12u1`.
    #[serde(skip_serializing_if = "Option::is_none", default)]
    pub vendor: Option<String>,
    /// The `.comment` string it was read from.
    pub evidence: Vec<Evidence>,
}

/// Every toolchain that left a mark on the binary.
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct Toolchain {
    /// The Rust compiler; `None` when the binary shows no sign of Rust.
    pub rustc: Option<Rustc>,
    /// The Go toolchain; `None` when the binary is not a Go binary.
    pub go: Option<Go>,
    /// C/C++ compilers and linkers that left a mark (`.comment`), most specific first.
    pub cc: Vec<Compiler>,
}

/// Which toolchain brought a static binary's libc: the one rule the musl provenance, the
/// audit's fix and the DNS advice (`musl-rebuild.tsv`'s row order) follow.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum LibcLinker {
    /// zig linked it: zig brings its own musl whenever it links (Go cgo and cargo-zigbuild
    /// builds too, which may hold Rust code).
    Zig,
    /// rustc linked it with its self-contained musl.
    Rustc,
    /// Another or an unknown toolchain (a C compiler with the musl it was given).
    Other,
}

impl Toolchain {
    /// Which toolchain brought the libc (see [`LibcLinker`]).
    pub fn libc_linker(&self) -> LibcLinker {
        if self.cc.iter().any(|c| c.name == "zig") {
            LibcLinker::Zig
        } else if self.rustc.is_some() {
            LibcLinker::Rustc
        } else {
            LibcLinker::Other
        }
    }
}

/// The function names of a Go binary (its pclntab keeps every one, inlined ones too, stripped
/// or not), indexed for the advisory matcher's questions without the binary's bytes: is this
/// function, any instance of this generic function, or any function of this package linked?
///
/// Names are kept as 64-bit hashes (8 bytes each; a Go binary has up to ~100,000 names), so a
/// false "present" needs a hash collision with one of the binary's names: about 1 in 10^14
/// per question. Not serialised: it is working data between detection and the audit.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct GoFunctionIndex {
    exact: std::collections::HashSet<u64>,
    generic: std::collections::HashSet<u64>,
    packages: std::collections::HashSet<u64>,
}

impl GoFunctionIndex {
    /// Index the NUL-separated names in `table` (a `.gopclntab` section, or a whole file when
    /// the section is not found: everything that is not a `path.Name` string is ignored).
    pub fn from_name_table(table: &[u8]) -> GoFunctionIndex {
        let mut n = GoFunctionIndex::default();
        for s in table.split(|&b| b == 0).filter(|s| s.len() > 2) {
            // The package path ends at the first '.' after the last '/'.
            let tail = s.iter().rposition(|&b| b == b'/').map_or(0, |i| i + 1);
            let Some(dot) = s[tail..].iter().position(|&b| b == b'.').map(|d| tail + d) else { continue };
            n.packages.insert(name_hash(&s[..dot]));
            if let Some(br) = s.iter().position(|&b| b == b'[') {
                n.generic.insert(name_hash(&s[..br]));
            }
            n.exact.insert(name_hash(s));
        }
        n
    }

    /// Whether a candidate is among the names: `name\0` a whole function name, `name[` any
    /// instance of a generic function, `path.` any function of the package. Any other form
    /// is never present.
    pub fn present(&self, name: &str) -> bool {
        if let Some(k) = name.strip_suffix('\0') {
            self.exact.contains(&name_hash(k.as_bytes()))
        } else if let Some(k) = name.strip_suffix('[') {
            self.generic.contains(&name_hash(k.as_bytes()))
        } else if let Some(k) = name.strip_suffix('.') {
            self.packages.contains(&name_hash(k.as_bytes()))
        } else {
            false
        }
    }

    /// How many distinct function names were indexed.
    pub fn len(&self) -> usize {
        self.exact.len()
    }

    /// No function name was found.
    pub fn is_empty(&self) -> bool {
        self.exact.is_empty()
    }
}

/// A hash that is the same for the same bytes within one process (SipHash with fixed keys).
fn name_hash(bytes: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    bytes.hash(&mut h);
    h.finish()
}

#[cfg(test)]
mod tests {
    use super::GoFunctionIndex;

    #[test]
    fn names_generics_and_packages() {
        let t = b"\0net/http.(*Server).Serve\0golang.org/x/net/html.Parse\0main.F[...]\0x\0";
        let i = GoFunctionIndex::from_name_table(t);
        assert!(i.present("net/http.(*Server).Serve\0"));
        assert!(i.present("golang.org/x/net/html.Parse\0"));
        assert!(i.present("golang.org/x/net/html."));
        assert!(i.present("main.F["));
        assert!(!i.present("golang.org/x/net/html.Render\0"));
        assert!(!i.present("golang.org/x/net."), "a package is its whole path");
        assert!(!i.present("net/http.(*Server).Serve"), "no suffix: not a question");
        assert_eq!(i.len(), 3);
    }
}
