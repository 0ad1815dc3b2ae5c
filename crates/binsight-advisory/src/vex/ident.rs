//! How a VEX document names a product, normalised so that two spellings of the same name
//! compare equal.

use std::str::FromStr as _;

/// One name of a product or subcomponent.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Ident {
    /// A file's SHA-256, lower-case hex (`sha256:HEX`, a bare 64-digit hex, a `sha-256` hash).
    Sha256(String),
    /// A container image by digest, lower-case hex (`pkg:oci/NAME@sha256:HEX`, whatever its
    /// qualifiers).
    Image(String),
    /// A package: its purl without qualifiers or subpath, percent-decoded (`pkg:cargo/time@0.1.45`).
    Purl(String),
    /// A path (`/usr/bin/x`, or as a directory scan shows it; binsight's `binary:PATH` bom-refs).
    Path(String),
    /// Anything else, as written (an `@id`, a CPE, a bom-ref binsight does not write).
    Other(String),
}

impl Ident {
    /// The name `s` stands for. A CycloneDX BOM-link (`urn:cdx:SERIAL/VERSION#REF`) stands for
    /// its `REF`.
    pub fn parse(s: &str) -> Ident {
        let s = s.trim();
        if let Some((_, fragment)) = s.strip_prefix("urn:cdx:").and_then(|r| r.split_once('#')) {
            return Ident::parse(&percent_decode(fragment));
        }
        if let Some(hex) = sha256_hex(s) {
            return Ident::Sha256(hex);
        }
        if s.starts_with("pkg:") {
            return purl(s).unwrap_or_else(|| Ident::Other(s.to_string()));
        }
        if let Some(path) = s.strip_prefix("binary:") {
            // binsight's bom-ref of the n-th binary at one path: `binary:PATH#n`.
            let path = match path.rsplit_once('#') {
                Some((p, n)) if !n.is_empty() && n.bytes().all(|b| b.is_ascii_digit()) => p,
                _ => path,
            };
            return Ident::Path(path.to_string());
        }
        if s.starts_with('/') {
            return Ident::Path(s.to_string());
        }
        Ident::Other(s.to_string())
    }

    /// A `sha-256` (or `sha256`) hash value of a document: [`Ident::Sha256`] when it is one.
    pub fn hash(alg: &str, value: &str) -> Option<Ident> {
        let alg = alg.to_ascii_lowercase().replace('-', "");
        (alg == "sha256").then(|| sha256_hex(value)).flatten().map(Ident::Sha256)
    }
}

/// `sha256:HEX` or a bare 64-digit hex as lower-case hex.
fn sha256_hex(s: &str) -> Option<String> {
    let hex = s.strip_prefix("sha256:").unwrap_or(s);
    (hex.len() == 64 && hex.bytes().all(|b| b.is_ascii_hexdigit())).then(|| hex.to_ascii_lowercase())
}

/// A purl: an image by its digest, any other package without qualifiers or subpath.
fn purl(s: &str) -> Option<Ident> {
    let p = packageurl::PackageUrl::from_str(s).ok()?;
    let ty = p.ty().to_ascii_lowercase();
    let version = p.version().map(percent_decode);
    if ty == "oci" {
        return version.as_deref().and_then(sha256_hex).map(Ident::Image);
    }
    // A file named by its checksum (`?checksum=sha256:HEX`, binsight's binaries) is that file.
    let checksum = p.qualifiers().iter().find(|(k, _)| k.as_ref() == "checksum").map(|(_, v)| percent_decode(v));
    if let Some(hex) =
        checksum.iter().flat_map(|c| c.split(',')).find_map(|c| c.strip_prefix("sha256:").and_then(sha256_hex))
    {
        return Some(Ident::Sha256(hex));
    }
    let mut out = format!("pkg:{ty}/");
    if let Some(ns) = p.namespace() {
        out.push_str(&percent_decode(ns));
        out.push('/');
    }
    out.push_str(&percent_decode(p.name()));
    if let Some(v) = version {
        out.push('@');
        out.push_str(&v);
    }
    Some(Ident::Purl(out))
}

/// `%XX` escapes decoded (invalid ones kept as written).
fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (b[i], b.get(i + 1).copied().and_then(hex), b.get(i + 2).copied().and_then(hex)) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_of_one_name_compare_equal() {
        let h = "AB".repeat(32);
        let lower = h.to_ascii_lowercase();
        assert_eq!(Ident::parse(&format!("sha256:{h}")), Ident::Sha256(lower.clone()));
        assert_eq!(Ident::parse(&h), Ident::Sha256(lower.clone()));
        assert_eq!(Ident::hash("SHA-256", &h), Some(Ident::Sha256(lower.clone())));
        assert_eq!(Ident::hash("sha-512", &h), None);
        assert_eq!(
            Ident::parse(&format!("pkg:oci/app@sha256%3A{h}?repository_url=example.test/org/app&tag=1")),
            Ident::Image(lower.clone())
        );
        assert_eq!(Ident::parse("pkg:oci/app?repository_url=x"), Ident::Other("pkg:oci/app?repository_url=x".into()));
        assert_eq!(
            Ident::parse("pkg:cargo/openssl-src@111.22.0%2B1.1.1q?checksum=x"),
            Ident::Purl("pkg:cargo/openssl-src@111.22.0+1.1.1q".into())
        );
        assert_eq!(
            Ident::parse("pkg:golang/github.com/mattn/go-sqlite3@v1.14.17"),
            Ident::Purl("pkg:golang/github.com/mattn/go-sqlite3@v1.14.17".into())
        );
        assert_eq!(
            Ident::parse(&format!("pkg:generic/tool?checksum=sha1:ab,sha256:{h}#usr/bin/tool")),
            Ident::Sha256(lower.clone())
        );
        assert_eq!(Ident::parse("binary:bin/tool#2"), Ident::Path("bin/tool".into()));
        assert_eq!(Ident::parse("binary:a#b"), Ident::Path("a#b".into()));
        assert_eq!(
            Ident::parse("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#binary:%2Fapp%2Ftool"),
            Ident::Path("/app/tool".into())
        );
        assert_eq!(
            Ident::parse("urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:cargo/time@0.1.45"),
            Ident::Purl("pkg:cargo/time@0.1.45".into())
        );
        assert_eq!(Ident::parse("/usr/bin/x"), Ident::Path("/usr/bin/x".into()));
        assert_eq!(Ident::parse("cpe:2.3:a:x"), Ident::Other("cpe:2.3:a:x".into()));
        assert_eq!(percent_decode("%zz%2"), "%zz%2");
    }
}
