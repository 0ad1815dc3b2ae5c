//! Content digests (`sha256:<64 hex>`, `sha512:<128 hex>`), checked when parsed: a digest names
//! what is fetched (a path under `blobs/`, a registry URL), so nothing else may pass for one.

use std::fmt;
use std::str::FromStr;

use sha2::Digest as _;

/// A digest algorithm binsight accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Algorithm {
    /// `sha256`: 64 hex digits.
    Sha256,
    /// `sha512`: 128 hex digits.
    Sha512,
}

impl Algorithm {
    /// The algorithm's name as digests spell it (`sha256`).
    pub fn name(self) -> &'static str {
        match self {
            Algorithm::Sha256 => "sha256",
            Algorithm::Sha512 => "sha512",
        }
    }

    /// Hex digits of an encoded digest of this algorithm.
    pub fn hex_len(self) -> usize {
        match self {
            Algorithm::Sha256 => 64,
            Algorithm::Sha512 => 128,
        }
    }
}

/// A valid digest: an algorithm and its lower-case hex encoding of the right length.
/// Displays, parses and serialises as the string `sha256:…`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Digest {
    algorithm: Algorithm,
    hex: String,
}

/// Why a string is not a digest; `input` is the string as given.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{input:?}: not a valid digest")]
pub struct DigestError {
    /// The text as given.
    pub input: String,
}

impl Digest {
    /// The SHA-256 digest of `bytes`.
    pub fn sha256(bytes: &[u8]) -> Digest {
        Digest { algorithm: Algorithm::Sha256, hex: format!("{:x}", sha2::Sha256::digest(bytes)) }
    }

    /// A finished SHA-256 hash as a digest.
    pub fn from_sha256(hash: sha2::Sha256) -> Digest {
        Digest { algorithm: Algorithm::Sha256, hex: format!("{:x}", hash.finalize()) }
    }

    /// Parse `alg:hex`. `Err` unless the algorithm is `sha256` (64 lower-case hex digits) or
    /// `sha512` (128).
    pub fn parse(s: &str) -> Result<Digest, DigestError> {
        let bad = || DigestError { input: s.to_string() };
        let (alg, hex) = s.split_once(':').ok_or_else(bad)?;
        let algorithm = match alg {
            "sha256" => Algorithm::Sha256,
            "sha512" => Algorithm::Sha512,
            _ => return Err(bad()),
        };
        if hex.len() != algorithm.hex_len() || !hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)) {
            return Err(bad());
        }
        Ok(Digest { algorithm, hex: hex.to_string() })
    }

    /// Its algorithm.
    pub fn algorithm(&self) -> Algorithm {
        self.algorithm
    }

    /// The lower-case hex encoding, without the algorithm.
    pub fn hex(&self) -> &str {
        &self.hex
    }

    /// Where an OCI layout keeps this blob: `blobs/<alg>/<hex>`.
    pub fn blob_path(&self) -> String {
        format!("blobs/{}/{}", self.algorithm.name(), self.hex)
    }

    /// Does `bytes` hash to this digest? Always `true` for algorithms binsight does not hash
    /// (sha512: named and fetched, not checked).
    pub fn matches(&self, bytes: &[u8]) -> bool {
        match self.algorithm {
            Algorithm::Sha256 => Digest::sha256(bytes) == *self,
            Algorithm::Sha512 => true,
        }
    }
}

impl fmt::Display for Digest {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.algorithm.name(), self.hex)
    }
}

impl FromStr for Digest {
    type Err = DigestError;
    fn from_str(s: &str) -> Result<Digest, DigestError> {
        Digest::parse(s)
    }
}

impl serde::Serialize for Digest {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for Digest {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Digest, D::Error> {
        let s = String::deserialize(d)?;
        Digest::parse(&s).map_err(serde::de::Error::custom)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_only_valid_digests() {
        let d = format!("sha256:{}", "a".repeat(64));
        let p: Digest = d.parse().expect("valid");
        assert_eq!((p.to_string(), p.algorithm(), p.hex().len()), (d.clone(), Algorithm::Sha256, 64));
        assert_eq!(p.blob_path(), format!("blobs/sha256/{}", "a".repeat(64)));
        assert!(Digest::parse(&format!("sha512:{}", "0".repeat(128))).is_ok());
        for bad in [
            String::new(),
            "sha256:".into(),
            format!("sha256:{}", "A".repeat(64)),
            format!("sha256:{}", "a".repeat(63)),
            format!("sha512:{}", "a".repeat(64)),
            format!("md5:{}", "a".repeat(32)),
            format!("sha256:{}/..", "a".repeat(61)),
        ] {
            assert!(Digest::parse(&bad).is_err(), "{bad}");
        }
        let j = serde_json::to_string(&p).expect("ser");
        assert_eq!(j, format!("\"{d}\""));
        assert_eq!(serde_json::from_str::<Digest>(&j).expect("de"), p);
        assert!(serde_json::from_str::<Digest>("\"sha256:12\"").is_err());
        assert!(Digest::sha256(b"{}").matches(b"{}") && !Digest::sha256(b"{}").matches(b"[]"));
    }
}
