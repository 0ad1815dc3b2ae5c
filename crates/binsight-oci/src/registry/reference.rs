//! Image references, `[HOST[:PORT]/]REPO[:TAG][@DIGEST]`, parsed by docker's grammar: a name
//! without a registry host (`alpine:3.20`) is on Docker Hub (`docker.io/library/alpine:3.20`,
//! served by `registry-1.docker.io`).

use crate::digest::{Algorithm, Digest};

/// Docker Hub's name in references (`docker.io/library/alpine`), as docker and syft write it.
pub const DOCKER_HUB: &str = "docker.io";
/// The host that serves Docker Hub's distribution API.
pub const DOCKER_HUB_API: &str = "registry-1.docker.io";
/// The key `docker login` stores Docker Hub credentials under (and hands to credential helpers).
pub const DOCKER_HUB_AUTH_KEY: &str = "https://index.docker.io/v1/";
/// Host names that mean Docker Hub, in references and in credential files.
pub(crate) const DOCKER_HUB_ALIASES: [&str; 3] = ["docker.io", "index.docker.io", "registry-1.docker.io"];

/// A parsed image reference, `[HOST[:PORT]/]REPO[:TAG][@DIGEST]`, normalised as docker does:
/// no host means Docker Hub (`docker.io`), whose one-component names get `library/`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Reference {
    /// `host` or `host:port` (lower-cased); `docker.io` for Docker Hub.
    pub host: String,
    /// The repository (`library/alpine` for Docker Hub's official images).
    pub repo: String,
    /// A tag, or a digest (`sha256:…`).
    pub reference: String,
}

impl Reference {
    /// Is this a Docker Hub reference?
    pub fn is_docker_hub(&self) -> bool {
        self.host == DOCKER_HUB
    }

    /// The host to connect to (`registry-1.docker.io` for Docker Hub).
    pub fn api_host(&self) -> &str {
        if self.is_docker_hub() {
            DOCKER_HUB_API
        } else {
            &self.host
        }
    }
}

impl std::fmt::Display for Reference {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let sep = if self.reference.contains(':') { '@' } else { ':' };
        write!(f, "{}/{}{sep}{}", self.host, self.repo, self.reference)
    }
}

/// Why a string is not an image reference.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum ReferenceError {
    /// Not of the form `[HOST[:PORT]/]REPO[:TAG|@DIGEST]`.
    #[error(
        "{input:?}: {why}; expected [HOST[:PORT]/]REPO[:TAG|@sha256:DIGEST], e.g. alpine:3.20 or ghcr.io/org/app:1"
    )]
    Syntax {
        /// The reference as given.
        input: String,
        /// What is wrong with it.
        why: String,
    },
    /// The repository has upper-case letters.
    #[error("{input:?}: repository name must be lowercase ({repo:?})")]
    Uppercase {
        /// The reference as given.
        input: String,
        /// The repository.
        repo: String,
    },
    /// The repository has characters or separators the distribution spec does not allow.
    #[error(
        "{input:?}: invalid repository name {repo:?}: components of lower-case letters and digits, \
         joined by '.', '_', '__' or '-'"
    )]
    Repo {
        /// The reference as given.
        input: String,
        /// The repository.
        repo: String,
    },
    /// The registry host is not a host name or address (with an optional port).
    #[error("{input:?}: invalid registry host {host:?}")]
    Host {
        /// The reference as given.
        input: String,
        /// The host part.
        host: String,
    },
    /// The tag is not a valid tag.
    #[error(
        "{input:?}: invalid tag {tag:?}: up to 128 letters, digits, '_', '.' and '-', not starting with '.' or '-'"
    )]
    Tag {
        /// The reference as given.
        input: String,
        /// The tag.
        tag: String,
    },
    /// The digest is not `sha256:` and 64 lower-case hex digits.
    #[error("{input:?}: invalid digest {digest:?} (expected sha256:<64 lower-case hex digits>)")]
    Digest {
        /// The reference as given.
        input: String,
        /// The digest part.
        digest: String,
    },
    /// The name is over 255 characters.
    #[error("{input:?}: the name is over 255 characters")]
    TooLong {
        /// The reference as given.
        input: String,
    },
}

/// One path component of a repository name, by docker's grammar:
/// `[a-z0-9]+((\.|_|__|-+)[a-z0-9]+)*`.
fn valid_component(c: &str) -> bool {
    let b = c.as_bytes();
    let alnum = |x: u8| x.is_ascii_lowercase() || x.is_ascii_digit();
    if b.is_empty() || !alnum(b[0]) || !alnum(b[b.len() - 1]) {
        return false;
    }
    let mut sep = String::new();
    for &x in b {
        if alnum(x) {
            if !(sep.is_empty() || sep == "." || sep == "_" || sep == "__" || sep.bytes().all(|s| s == b'-')) {
                return false;
            }
            sep.clear();
        } else if b"._-".contains(&x) {
            sep.push(x as char);
        } else {
            return false;
        }
    }
    true
}

/// A registry host by docker's grammar: DNS-like components (or `[IPv6]`), an optional port.
fn valid_host(h: &str) -> bool {
    let port_ok = |p: &str| !p.is_empty() && p.len() <= 5 && p.bytes().all(|b| b.is_ascii_digit());
    if let Some(rest) = h.strip_prefix('[') {
        let Some((ip, tail)) = rest.split_once(']') else { return false };
        return ip.parse::<std::net::Ipv6Addr>().is_ok()
            && (tail.is_empty() || tail.strip_prefix(':').is_some_and(port_ok));
    }
    let (name, port) = h.split_once(':').map_or((h, None), |(n, p)| (n, Some(p)));
    port.is_none_or(port_ok)
        && name.split('.').all(|c| {
            !c.is_empty()
                && c.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-')
                && !c.starts_with('-')
                && !c.ends_with('-')
        })
}

fn valid_tag(t: &str) -> bool {
    !t.is_empty()
        && t.len() <= 128
        && t.bytes().next().is_some_and(|b| b.is_ascii_alphanumeric() || b == b'_')
        && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}

/// Parse `[HOST[:PORT]/]REPO[:TAG][@sha256:HEX]` by docker's reference grammar: the first
/// component is a host only if it holds '.' or ':' or is `localhost`; otherwise the image is on
/// Docker Hub (`docker.io`, also spelt `index.docker.io` or `registry-1.docker.io`), where a
/// one-component name means `library/NAME`. The tag defaults to `latest`; with both a tag and a
/// digest, the digest is what is pulled.
pub fn parse_reference(s: &str) -> Result<Reference, ReferenceError> {
    let syntax = |why: &str| ReferenceError::Syntax { input: s.to_string(), why: why.to_string() };
    if s.is_empty() {
        return Err(syntax("empty reference"));
    }
    let (name, digest) = match s.split_once('@') {
        Some((n, d)) => (n, Some(d)),
        None => (s, None),
    };
    // The tag is after the last ':' of the last path component.
    let last = name.rfind('/').map_or(0, |i| i + 1);
    let (name, tag) = match name[last..].rfind(':') {
        Some(i) => (&name[..last + i], Some(&name[last + i + 1..])),
        None => (name, None),
    };
    if name.is_empty() {
        return Err(syntax("no repository name"));
    }
    if name.len() > 255 {
        return Err(ReferenceError::TooLong { input: s.to_string() });
    }
    let (host, repo) = match name.split_once('/') {
        Some((h, r)) if h.contains('.') || h.contains(':') || h == "localhost" => (h, r),
        _ => (DOCKER_HUB, name),
    };
    if !valid_host(host) {
        return Err(ReferenceError::Host { input: s.to_string(), host: host.to_string() });
    }
    let host = host.to_ascii_lowercase();
    let hub = DOCKER_HUB_ALIASES.contains(&host.as_str());
    if repo.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err(ReferenceError::Uppercase { input: s.to_string(), repo: repo.to_string() });
    }
    if repo.is_empty() || !repo.split('/').all(valid_component) {
        return Err(ReferenceError::Repo { input: s.to_string(), repo: repo.to_string() });
    }
    let reference = match (tag, digest) {
        (Some(t), _) if !valid_tag(t) => return Err(ReferenceError::Tag { input: s.to_string(), tag: t.to_string() }),
        (_, Some(d)) if Digest::parse(d).map_or(true, |x| x.algorithm() != Algorithm::Sha256) => {
            return Err(ReferenceError::Digest { input: s.to_string(), digest: d.to_string() })
        }
        (_, Some(d)) => d.to_string(),
        (Some(t), None) => t.to_string(),
        (None, None) => "latest".to_string(),
    };
    let (host, repo) = if hub {
        let repo = if repo.contains('/') { repo.to_string() } else { format!("library/{repo}") };
        (DOCKER_HUB.to_string(), repo)
    } else {
        (host, repo.to_string())
    };
    Ok(Reference { host, repo, reference })
}

pub(crate) fn is_loopback(host: &str) -> bool {
    let h = host.strip_prefix('[').and_then(|h| h.split_once(']')).map_or_else(
        || {
            host.rsplit_once(':')
                .map_or(host, |(h, port)| if port.bytes().all(|b| b.is_ascii_digit()) { h } else { host })
        },
        |(h, _)| h,
    );
    h == "localhost" || h == "::1" || h.parse::<std::net::Ipv4Addr>().is_ok_and(|a| a.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn references() {
        let r = parse_reference("127.0.0.1:5000/bin/app:1.2").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str(), r.reference.as_str()), ("127.0.0.1:5000", "bin/app", "1.2"));
        let r = parse_reference("registry.example/app").expect("parse");
        assert_eq!(r.reference, "latest");
        let d = format!("sha256:{}", "a".repeat(64));
        let r = parse_reference(&format!("localhost/app@{d}")).expect("parse");
        assert_eq!(r.reference, d);
        assert_eq!(r.to_string(), format!("localhost/app@{d}"));
        // A tag and a digest: the digest is what is pulled.
        assert_eq!(parse_reference(&format!("localhost/app:1@{d}")).expect("parse").reference, d);
        let r = parse_reference("[::1]:5000/app:2").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("[::1]:5000", "app"));
        assert_eq!(parse_reference("a.b/x__y/z-_-q").ok(), None, "'-_-' is not a separator");
        assert!(parse_reference("a.b/x__y/z--q.r_s").is_ok());
        assert!(parse_reference(&format!("a.b/x:{}", "t".repeat(128))).is_ok());
        for bad in [
            "",
            "host.example/",
            "host.example/a/../b:1",
            "h.x/a@sha256:12",
            "h.x/a@md5:0123",
            "h.x/a_/b",
            "h.x/a___b",
            "h.x/.a",
            "-h.x/a",
            "h.x:port/a",
            "h.x/a:-1",
            "h.x/a:.1",
            "h.x/a:1:2",
            "h x/a",
        ] {
            assert!(parse_reference(bad).is_err(), "{bad} should be refused");
        }
        assert!(matches!(parse_reference(&format!("a.b/x:{}", "t".repeat(129))), Err(ReferenceError::Tag { .. })));
        assert!(matches!(parse_reference(&format!("a.b/{}", "x".repeat(260))), Err(ReferenceError::TooLong { .. })));
        let e = parse_reference("ghcr.io/Org/App:1").expect_err("upper case");
        assert!(e.to_string().contains("must be lowercase"), "{e}");
    }

    /// Docker's normalisation: no host means Docker Hub, one-component names are `library/`.
    #[test]
    fn docker_hub_references() {
        let hub = |s: &str| {
            let r = parse_reference(s).unwrap_or_else(|e| panic!("{s}: {e}"));
            (r.host.clone(), r.repo.clone(), r.reference.clone(), r.api_host().to_string(), r.to_string())
        };
        let lib = |tag: &str| {
            (
                "docker.io".to_string(),
                "library/alpine".to_string(),
                tag.to_string(),
                "registry-1.docker.io".to_string(),
                format!("docker.io/library/alpine:{tag}"),
            )
        };
        assert_eq!(hub("alpine"), lib("latest"));
        assert_eq!(hub("alpine:3.20"), lib("3.20"));
        assert_eq!(hub("library/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("docker.io/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("docker.io/library/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("index.docker.io/alpine:3.20"), lib("3.20"));
        assert_eq!(hub("registry-1.docker.io/library/alpine:3.20"), lib("3.20"));
        let r = parse_reference("bitnami/redis:7").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("docker.io", "bitnami/redis"));
        assert!(r.is_docker_hub());
        // The first component is a host only with '.' or ':', or as `localhost`.
        let r = parse_reference("localhost/app").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str(), r.api_host()), ("localhost", "app", "localhost"));
        let r = parse_reference("myhost:5000/app").expect("parse");
        assert_eq!(r.host, "myhost:5000");
        let r = parse_reference("org/team/app").expect("parse");
        assert_eq!((r.host.as_str(), r.repo.as_str()), ("docker.io", "org/team/app"));
        // No '/': `localhost:5000` is the image `localhost` with the tag `5000`, as in docker.
        let r = parse_reference("localhost:5000").expect("parse");
        assert_eq!(
            (r.host.as_str(), r.repo.as_str(), r.reference.as_str()),
            ("docker.io", "library/localhost", "5000")
        );
        assert!(!parse_reference("ghcr.io/org/app").expect("parse").is_docker_hub());
        let e = parse_reference("Alpine").expect_err("upper case");
        assert!(matches!(e, ReferenceError::Uppercase { .. }), "{e}");
    }

    #[test]
    fn loopback_hosts() {
        for h in ["localhost", "localhost:5000", "127.0.0.1:5000", "127.1.2.3", "[::1]:5000"] {
            assert!(is_loopback(h), "{h}");
        }
        for h in ["registry.example", "10.0.0.1:5000", "localhost.example"] {
            assert!(!is_loopback(h), "{h}");
        }
    }
}
