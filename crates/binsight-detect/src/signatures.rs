//! Byte signatures (data/libc-signatures.tsv), matched in one Aho-Corasick pass over the file.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

const TABLE: &str = include_str!("../data/libc-signatures.tsv");
/// Offsets kept per signature (enough for evidence and for scanning candidates).
const MAX_OFFSETS: usize = 64;

#[derive(Debug, Clone)]
pub struct Signature {
    pub id: String,
    pub family: String,
    pub weight: u8,
    pub pattern: Vec<u8>,
}

/// Where each signature matched: `offsets[i]` for `signatures()[i]`, ascending, capped.
#[derive(Debug, Default)]
pub struct Hits {
    offsets: Vec<Vec<u64>>,
}

impl Hits {
    /// (signature, first offsets) for each signature of `family` that matched.
    pub fn family<'s>(&'s self, family: &'s str) -> impl Iterator<Item = (&'static Signature, &'s [u64])> + 's {
        signatures()
            .iter()
            .zip(&self.offsets)
            .filter(move |(s, o)| s.family == family && !o.is_empty())
            .map(|(s, o)| (s, o.as_slice()))
    }
    /// Offsets where the signature `id` matched.
    pub fn of(&self, id: &str) -> &[u64] {
        signatures().iter().position(|s| s.id == id).map(|i| self.offsets[i].as_slice()).unwrap_or(&[])
    }
}

pub(crate) fn unescape(s: &str) -> Result<Vec<u8>, String> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] != b'\\' {
            out.push(b[i]);
            i += 1;
            continue;
        }
        match b.get(i + 1) {
            Some(b'0') => out.push(0),
            Some(b't') => out.push(b'\t'),
            Some(b'\\') => out.push(b'\\'),
            Some(b'x') => {
                let h = s.get(i + 2..i + 4).ok_or("short \\x escape")?;
                out.push(u8::from_str_radix(h, 16).map_err(|e| e.to_string())?);
                i += 2;
            }
            _ => return Err(format!("bad escape in {s:?}")),
        }
        i += 2;
    }
    Ok(out)
}

/// Parse a signature table (the compiled-in one, or a test's).
pub fn parse_table(text: &str) -> Result<Vec<Signature>, String> {
    let mut v = Vec::new();
    for (n, cols) in crate::tsv::rows(text) {
        let [id, family, weight, pattern] = cols[..] else {
            return Err(format!("line {}: want 4 tab-separated columns", n));
        };
        let weight = weight.parse().map_err(|_| format!("line {}: bad weight", n))?;
        let pattern = unescape(pattern).map_err(|e| format!("line {}: {e}", n))?;
        v.push(Signature { id: id.into(), family: family.into(), weight, pattern });
    }
    Ok(v)
}

/// Every pattern matched in the one pass: the libc-family table, then the musl-version signals
/// (family `musl-version`, weight 0: they bound a version, they do not vote for a family).
pub fn signatures() -> &'static [Signature] {
    static S: OnceLock<Vec<Signature>> = OnceLock::new();
    #[allow(clippy::expect_used)] // the compiled-in table is checked by a unit test
    S.get_or_init(|| {
        let mut v = parse_table(TABLE).expect("data/libc-signatures.tsv is valid");
        v.extend(crate::musl_version::signals().iter().map(|m| Signature {
            id: m.id.clone(),
            family: "musl-version".into(),
            weight: 0,
            pattern: m.pattern.clone(),
        }));
        v
    })
}

fn automaton() -> &'static AhoCorasick {
    static A: OnceLock<AhoCorasick> = OnceLock::new();
    #[allow(clippy::expect_used)] // a handful of short literal patterns always build
    A.get_or_init(|| AhoCorasick::new(signatures().iter().map(|s| &s.pattern)).expect("signature automaton builds"))
}

/// One pass over `data` for every signature.
pub fn scan(data: &[u8]) -> Hits {
    let sigs = signatures();
    let mut offsets = vec![Vec::new(); sigs.len()];
    for m in automaton().find_overlapping_iter(data) {
        let o = &mut offsets[m.pattern().as_usize()];
        if o.len() < MAX_OFFSETS {
            o.push(m.start() as u64);
        }
    }
    Hits { offsets }
}
