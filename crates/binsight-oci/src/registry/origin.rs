//! Origins (scheme, host, port: what credentials are bound to) and redirect targets.

/// Redirects followed for one request (blobs are often redirected once, to a CDN).
pub const MAX_REDIRECTS: usize = 5;

/// Where a URL points: scheme, host and port (what credentials are bound to).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// `http` or `https`.
    pub scheme: String,
    /// Lower-cased; IPv6 addresses in brackets.
    pub host: String,
    /// The port (the scheme's default when the URL names none).
    pub port: u16,
}

impl Origin {
    /// The origin of an absolute `http`/`https` URL.
    pub fn of(url: &str) -> Option<Origin> {
        let u: ureq::http::Uri = url.parse().ok()?;
        let scheme = u.scheme_str()?.to_ascii_lowercase();
        let default = match scheme.as_str() {
            "http" => 80,
            "https" => 443,
            _ => return None,
        };
        let host = u.host().filter(|h| !h.is_empty())?.to_ascii_lowercase();
        Some(Origin { port: u.port_u16().unwrap_or(default), scheme, host })
    }

    /// Is it plain HTTP?
    pub fn plain(&self) -> bool {
        self.scheme == "http"
    }
}

impl std::fmt::Display for Origin {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let default = if self.plain() { 80 } else { 443 };
        if self.port == default {
            write!(f, "{}", self.host)
        } else {
            write!(f, "{}:{}", self.host, self.port)
        }
    }
}

/// Resolve a `Location` header against the URL that answered it.
pub(crate) fn resolve_location(base: &str, loc: &str) -> Option<String> {
    let lower = loc.get(..8).unwrap_or(loc).to_ascii_lowercase();
    if lower.starts_with("http://") || lower.starts_with("https://") {
        return Some(loc.to_string());
    }
    let o = Origin::of(base)?;
    let scheme_end = base.find("://")? + 3;
    let path_start = base[scheme_end..].find('/').map_or(base.len(), |i| scheme_end + i);
    if let Some(rest) = loc.strip_prefix("//") {
        return Some(format!("{}://{rest}", o.scheme));
    }
    if loc.starts_with('/') {
        return Some(format!("{}{loc}", &base[..path_start]));
    }
    let path_end = base.find(['?', '#']).unwrap_or(base.len());
    let dir_end = base[..path_end].rfind('/').filter(|i| *i >= path_start)?;
    Some(format!("{}{loc}", &base[..=dir_end]))
}
