//! Checks on option values, run by clap as value parsers (a refused value is a usage error,
//! exit 2, with a message naming what is wrong and what would be accepted).

use std::path::{Path, PathBuf};

/// A byte size: plain bytes, or a whole number with K, M, G or T (binary: 1K = 1024; KiB,
/// MiB, GiB and TiB are accepted too). `10M`, `1G`, `512K`, `4096`.
pub fn size(s: &str) -> Result<u64, String> {
    let hint = "give bytes, or a whole number with K, M, G or T (binary units: 1K = 1024), e.g. 512K, 10M, 1G";
    let t = s.trim();
    let split = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (num, unit) = t.split_at(split);
    if num.is_empty() {
        return Err(format!("{s:?} is not a size: {hint}"));
    }
    let shift = match unit.to_ascii_lowercase().as_str() {
        "" | "b" => 0,
        "k" | "kib" => 10,
        "m" | "mib" => 20,
        "g" | "gib" => 30,
        "t" | "tib" => 40,
        "kb" | "mb" | "gb" | "tb" => {
            let (n, i) = (&unit[..1], format!("{}iB", &unit[..1]));
            return Err(format!("{s:?}: '{unit}' is ambiguous; write {num}{n} or {num}{i} (binary units: 1K = 1024)"));
        }
        _ => return Err(format!("{s:?} is not a size: unknown unit {unit:?}; {hint}")),
    };
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is too large"))?;
    match n.checked_mul(1 << shift) {
        Some(0) => Err(format!("{s:?}: the size must be at least 1 byte")),
        Some(v) => Ok(v),
        None => Err(format!("{s:?} is too large")),
    }
}

/// Operating systems and architectures as Go and OCI name them (`go tool dist list`).
const GOOS: [&str; 15] = [
    "aix",
    "android",
    "darwin",
    "dragonfly",
    "freebsd",
    "illumos",
    "ios",
    "js",
    "linux",
    "netbsd",
    "openbsd",
    "plan9",
    "solaris",
    "wasip1",
    "windows",
];
const GOARCH: [&str; 14] = [
    "386", "amd64", "arm", "arm64", "loong64", "mips", "mips64", "mips64le", "mipsle", "ppc64", "ppc64le", "riscv64",
    "s390x", "wasm",
];

/// Common names for an architecture that are not its OCI name: (name, OCI arch[/variant]).
const ARCH_ALIASES: [(&str, &str); 14] = [
    ("x86_64", "amd64"),
    ("x86-64", "amd64"),
    ("x64", "amd64"),
    ("aarch64", "arm64"),
    ("armv8", "arm64"),
    ("i386", "386"),
    ("i686", "386"),
    ("x86", "386"),
    ("armhf", "arm/v7"),
    ("armv7", "arm/v7"),
    ("armv7l", "arm/v7"),
    ("armel", "arm/v6"),
    ("ppc64el", "ppc64le"),
    ("loongarch64", "loong64"),
];

/// A duration in whole seconds, 1 to 86400 (one day): `30`, `30s`, `2m`.
pub fn seconds(s: &str) -> Result<u64, String> {
    let hint = "give whole seconds (30, 30s) or minutes (2m), from 1 s to one day";
    let t = s.trim();
    let (num, mul) = match t.strip_suffix('m') {
        Some(minutes) => (minutes, 60),
        None => (t.strip_suffix('s').unwrap_or(t), 1),
    };
    let n: u64 = num.parse().map_err(|_| format!("{s:?} is not a duration: {hint}"))?;
    match n.checked_mul(mul) {
        Some(v @ 1..=86_400) => Ok(v),
        _ => Err(format!("{s:?} is out of range: {hint}")),
    }
}

/// Is `v` a variant of `arch` (OCI image-index platform variants)?
fn known_variant(arch: &str, v: &str) -> bool {
    let arm64 = |v: &str| {
        v.strip_prefix("v8").or_else(|| v.strip_prefix("v9")).is_some_and(|rest| {
            rest.is_empty() || rest.strip_prefix('.').is_some_and(|m| m.len() == 1 && m.as_bytes()[0].is_ascii_digit())
        })
    };
    match arch {
        "arm" => ["v5", "v6", "v7", "v8"].contains(&v),
        "arm64" => arm64(v),
        "amd64" => ["v1", "v2", "v3", "v4"].contains(&v),
        "386" => ["sse2", "softfloat"].contains(&v),
        "riscv64" => ["rva20u64", "rva22u64", "rva23u64"].contains(&v),
        _ => false,
    }
}

/// `OS/ARCH[/VARIANT]` with a known OS and architecture (lower-cased): `linux/amd64`,
/// `linux/arm64/v8`, `linux/arm/v7`.
pub fn platform(s: &str) -> Result<String, String> {
    let lower = s.to_ascii_lowercase();
    let parts: Vec<&str> = lower.split('/').collect();
    let (os, arch, variant) = match parts.as_slice() {
        [os, arch] => (*os, *arch, None),
        [os, arch, v] => (*os, *arch, Some(*v)),
        _ => return Err(format!("{s:?}: expected OS/ARCH[/VARIANT], e.g. linux/amd64 or linux/arm/v7")),
    };
    if !GOOS.contains(&os) {
        let hint = match os {
            "macos" | "osx" => " (did you mean darwin?)",
            "win" | "win32" | "win64" => " (did you mean windows?)",
            _ => "",
        };
        return Err(format!("{s:?}: unknown OS {os:?}{hint}; one of {}", GOOS.join(", ")));
    }
    if !GOARCH.contains(&arch) {
        let hint = ARCH_ALIASES
            .iter()
            .find(|(a, _)| *a == arch)
            .map(|(_, oci)| format!(" (did you mean {os}/{oci}?)"))
            .unwrap_or_default();
        return Err(format!("{s:?}: unknown architecture {arch:?}{hint}; one of {}", GOARCH.join(", ")));
    }
    match variant {
        None => Ok(format!("{os}/{arch}")),
        Some(v) if known_variant(arch, v) => Ok(format!("{os}/{arch}/{v}")),
        Some(v) => Err(format!(
            "{s:?}: unknown variant {v:?} of {arch} (arm: v5-v8; arm64: v8, v8.N, v9, v9.N; amd64: v1-v4; \
             other architectures have none)"
        )),
    }
}

/// An advisory source `db update` can fetch (case-insensitive; given in its canonical spelling).
pub fn db_source(s: &str) -> Result<String, String> {
    let known = binsight_advisory::update::DEFAULT_SOURCES;
    if let Some(k) = known.iter().find(|k| k.eq_ignore_ascii_case(s)) {
        return Ok(k.to_string());
    }
    let hint = match s.to_ascii_lowercase().as_str() {
        "crates" | "cargo" | "rust" | "rustsec" | "crates-io" | "cratesio" => " (did you mean crates.io?)",
        "golang" | "go.dev" | "govulndb" => " (did you mean Go?)",
        _ => "",
    };
    Err(format!(
        "unknown source {s:?}{hint}: binsight matches components against {} advisories; other OSV data can be \
         added with `binsight db import`",
        known.join(" and ")
    ))
}

/// An image name to tag a packed image with: docker's reference grammar, a tag but no digest
/// (the digest is the image's own). `:latest` is added when no tag is given.
pub fn image_tag(s: &str) -> Result<String, String> {
    if s.contains('@') {
        return Err(format!("{s:?}: give NAME:TAG; the digest is computed from the image"));
    }
    binsight_source::registry::parse_reference(s).map_err(|e| e.to_string())?;
    let last = &s[s.rfind('/').map_or(0, |i| i + 1)..];
    Ok(if last.contains(':') { s.to_string() } else { format!("{s}:latest") })
}

/// `--ca-certs`: a PEM file holding at least one certificate, or `none`.
#[derive(Clone, Debug)]
pub enum CaCerts {
    None,
    /// The bundle's bytes, checked.
    Bundle(Vec<u8>),
}

/// Largest CA bundle read.
pub const MAX_CA_BUNDLE: u64 = 16 << 20;

/// `--ca-certs`: `none`, or a PEM bundle read and checked now ([`read_ca_bundle`]).
pub fn ca_certs(s: &str) -> Result<CaCerts, CaBundleError> {
    if s == "none" {
        return Ok(CaCerts::None);
    }
    read_ca_bundle(Path::new(s)).map(CaCerts::Bundle)
}

/// Why a CA bundle is refused; the message names the file.
#[derive(Debug)]
pub enum CaBundleError {
    /// It cannot be read (the reader's message names it).
    Read(binsight_source::SourceError),
    /// A PEM section is damaged, or a certificate is not X.509.
    Damaged { path: PathBuf, why: PemError },
    /// It holds no PEM certificate.
    NoCertificate { path: PathBuf },
}

impl std::fmt::Display for CaBundleError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            CaBundleError::Read(e) => write!(f, "{e}"),
            CaBundleError::Damaged { path, why } => write!(f, "{}: {why}", path.display()),
            CaBundleError::NoCertificate { path } => write!(
                f,
                "{}: holds no PEM certificate (-----BEGIN CERTIFICATE-----); give a PEM CA bundle, or --ca-certs none",
                path.display()
            ),
        }
    }
}

// No `source()`: the message already holds the cause.
impl std::error::Error for CaBundleError {}

/// Read a CA bundle and check it holds PEM certificates.
pub fn read_ca_bundle(p: &Path) -> Result<Vec<u8>, CaBundleError> {
    let bytes = binsight_source::read_file(p, &binsight_source::Limits { max_file_size: MAX_CA_BUNDLE })
        .map_err(CaBundleError::Read)?;
    let n = pem_certificates(&bytes).map_err(|why| CaBundleError::Damaged { path: p.to_path_buf(), why })?;
    if n == 0 {
        return Err(CaBundleError::NoCertificate { path: p.to_path_buf() });
    }
    Ok(bytes)
}

/// A damaged certificate in a PEM bundle.
#[derive(Debug)]
pub enum PemError {
    /// The PEM framing or its base64 is broken.
    NotPem(rustls_pki_types::pem::Error),
    /// Certificate number `n` (from 1) is not a DER SEQUENCE.
    NotX509 { n: usize },
}

impl std::fmt::Display for PemError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            PemError::NotPem(e) => write!(f, "not a valid PEM file ({e})"),
            PemError::NotX509 { n } => write!(f, "certificate {n} is not DER-encoded X.509"),
        }
    }
}

/// The number of PEM certificates in `bytes` (other PEM sections and text between them are
/// passed over); a damaged one is an error.
pub fn pem_certificates(bytes: &[u8]) -> Result<usize, PemError> {
    use rustls_pki_types::pem::PemObject as _;
    let mut n = 0;
    for c in rustls_pki_types::CertificateDer::pem_slice_iter(bytes) {
        let c = c.map_err(PemError::NotPem)?;
        // An X.509 certificate is a DER SEQUENCE.
        if c.first() != Some(&0x30) {
            return Err(PemError::NotX509 { n: n + 1 });
        }
        n += 1;
    }
    Ok(n)
}

/// Two `-o FORMAT=FILE` naming the same file would overwrite each other: refused. Paths are
/// compared canonicalised (the file if it exists, else its directory).
pub fn distinct_outputs(specs: &[crate::output::Spec]) -> anyhow::Result<()> {
    let key = |f: &Path| -> PathBuf {
        if let Ok(c) = std::fs::canonicalize(f) {
            return c;
        }
        let parent = f.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
        match (std::fs::canonicalize(parent), f.file_name()) {
            (Ok(d), Some(n)) => d.join(n),
            _ => f.to_path_buf(),
        }
    };
    let mut seen: Vec<(PathBuf, &Path)> = Vec::new();
    for f in specs.iter().filter_map(|s| s.file.as_deref()) {
        let k = key(f);
        if let Some((_, first)) = seen.iter().find(|(s, _)| *s == k) {
            anyhow::bail!(
                "-o: {} and {} are the same file; give each output its own file",
                first.display(),
                f.display()
            );
        }
        seen.push((k, f));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        for (s, v) in [("30", 30), ("30s", 30), ("2m", 120), (" 1 ", 1), ("1440m", 86_400)] {
            assert_eq!(seconds(s), Ok(v), "{s}");
        }
        for bad in ["", "0", "-1", "1.5", "s", "m", "1h", "86401", "1441m", "99999999999999999999m"] {
            assert!(seconds(bad).is_err(), "{bad:?} accepted");
        }
    }

    #[test]
    fn sizes() {
        for (s, v) in [
            ("4096", 4096),
            ("1", 1),
            ("512K", 512 << 10),
            ("512k", 512 << 10),
            ("10M", 10 << 20),
            ("10MiB", 10 << 20),
            ("1G", 1 << 30),
            ("1g", 1 << 30),
            ("64G", 64 << 30),
            ("2T", 2 << 40),
            ("100B", 100),
        ] {
            assert_eq!(size(s), Ok(v), "{s}");
        }
        for (s, why) in [
            ("", "not a size"),
            ("M", "not a size"),
            ("ten", "not a size"),
            ("1.5G", "unknown unit"),
            ("10X", "unknown unit"),
            ("-1", "not a size"),
            ("10MB", "ambiguous"),
            ("0", "at least 1 byte"),
            ("0K", "at least 1 byte"),
            ("99999999999999999999", "too large"),
            ("16777216T", "too large"),
        ] {
            let e = size(s).expect_err(s);
            assert!(e.contains(why), "{s}: {e}");
        }
    }

    #[test]
    fn platforms() {
        for (s, v) in [
            ("linux/amd64", "linux/amd64"),
            ("Linux/AMD64", "linux/amd64"),
            ("linux/arm64/v8", "linux/arm64/v8"),
            ("linux/arm64/v8.2", "linux/arm64/v8.2"),
            ("linux/arm/v7", "linux/arm/v7"),
            ("linux/riscv64", "linux/riscv64"),
            ("windows/amd64", "windows/amd64"),
            ("linux/amd64/v3", "linux/amd64/v3"),
        ] {
            assert_eq!(platform(s).as_deref(), Ok(v), "{s}");
        }
        for (s, why) in [
            ("linux", "expected OS/ARCH"),
            ("linux/amd64/v2/x", "expected OS/ARCH"),
            ("linux/x86_64", "did you mean linux/amd64?"),
            ("linux/aarch64", "did you mean linux/arm64?"),
            ("linux/armhf", "did you mean linux/arm/v7?"),
            ("macos/arm64", "did you mean darwin?"),
            ("beos/amd64", "unknown OS"),
            ("linux/arm/v9", "unknown variant"),
            ("linux/s390x/v1", "unknown variant"),
            ("linux//", "unknown architecture"),
        ] {
            let e = platform(s).expect_err(s);
            assert!(e.contains(why), "{s}: {e}");
        }
    }

    #[test]
    fn db_sources() {
        assert_eq!(db_source("crates.io").as_deref(), Ok("crates.io"));
        assert_eq!(db_source("go").as_deref(), Ok("Go"));
        assert_eq!(db_source("CRATES.IO").as_deref(), Ok("crates.io"));
        let e = db_source("npm").expect_err("npm");
        assert!(e.contains("crates.io and Go") && e.contains("db import"), "{e}");
        assert!(db_source("golang").is_err_and(|e| e.contains("did you mean Go?")));
    }

    #[test]
    fn image_tags() {
        assert_eq!(image_tag("demo/hello:1").as_deref(), Ok("demo/hello:1"));
        assert_eq!(image_tag("localhost:5000/app").as_deref(), Ok("localhost:5000/app:latest"));
        assert_eq!(image_tag("x").as_deref(), Ok("x:latest"));
        for (s, why) in [
            ("Demo/hello:1", "must be lowercase"),
            ("demo/hello:-x", "invalid tag"),
            ("demo/hello:1@sha256:00", "digest is computed"),
            ("demo//hello", "invalid repository name"),
            ("host.example:port/app:1", "invalid registry host"),
        ] {
            let e = image_tag(s).expect_err(s);
            assert!(e.contains(why), "{s}: {e}");
        }
        let long = format!("demo/hello:{}", "a".repeat(129));
        assert!(image_tag(&long).is_err_and(|e| e.contains("invalid tag")));
    }

    #[test]
    fn ca_bundles() {
        let t = tempfile::tempdir().expect("tmp");
        let f = t.path().join("ca.pem");
        // A self-signed certificate's DER starts with a SEQUENCE; only the framing is checked.
        std::fs::write(&f, "# comment\n-----BEGIN CERTIFICATE-----\nMAA=\n-----END CERTIFICATE-----\n").expect("w");
        assert!(matches!(ca_certs(&f.display().to_string()), Ok(CaCerts::Bundle(..))));
        assert!(matches!(ca_certs("none"), Ok(CaCerts::None)));
        for (body, why) in [
            ("just text\n", "holds no PEM certificate"),
            ("-----BEGIN PRIVATE KEY-----\nMAA=\n-----END PRIVATE KEY-----\n", "holds no PEM certificate"),
            ("-----BEGIN CERTIFICATE-----\nMAA=\n", "not a valid PEM file"),
            ("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n", "not a valid PEM file"),
            ("-----BEGIN CERTIFICATE-----\ndGVzdA==\n-----END CERTIFICATE-----\n", "not DER-encoded X.509"),
        ] {
            std::fs::write(&f, body).expect("w");
            let e = ca_certs(&f.display().to_string()).expect_err(body).to_string();
            assert!(e.contains(why) && e.contains(&f.display().to_string()), "{body}: {e}");
        }
        let e = ca_certs(&t.path().join("missing.pem").display().to_string()).expect_err("missing").to_string();
        assert!(e.contains("missing.pem"), "{e}");
    }

    #[test]
    fn outputs_to_the_same_file_are_refused() {
        use crate::output::parse_spec;
        let t = tempfile::tempdir().expect("tmp");
        let a = t.path().join("a");
        let spec = |s: String| parse_spec(&s).expect("spec");
        let two = |x: String, y: String| distinct_outputs(&[spec(x), spec(y)]);
        assert!(two(format!("json={}", a.display()), format!("sarif={}", t.path().join("b").display())).is_ok());
        let e = two(format!("json={}", a.display()), format!("sarif={}", a.display())).expect_err("same");
        assert!(e.to_string().contains("same file"), "{e}");
        // The same file by another spelling: through `..`, and through a symlink once it exists.
        let sub = t.path().join("sub");
        std::fs::create_dir(&sub).expect("mkdir");
        let dotted = sub.join("..").join("a");
        assert!(two(format!("json={}", a.display()), format!("sarif={}", dotted.display())).is_err());
        std::fs::write(&a, "").expect("w");
        std::os::unix::fs::symlink(&a, t.path().join("link")).expect("symlink");
        let link = t.path().join("link");
        assert!(two(format!("json={}", a.display()), format!("spdx-json={}", link.display())).is_err());
        assert!(distinct_outputs(&[spec("json".into()), spec("table".into())]).is_ok());
    }
}
