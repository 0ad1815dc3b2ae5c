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
    // A full DFA: a few dozen short patterns make a small table, and overlapping search over
    // every byte of every file is the hottest loop of a scan (several times faster than the NFA).
    A.get_or_init(|| {
        AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(signatures().iter().map(|s| &s.pattern))
            .expect("signature automaton builds")
    })
}

/// One pass over all of `data` for every signature.
#[cfg(test)]
pub fn scan(data: &[u8]) -> Hits {
    scan_except(data, &[])
}

/// One pass over `data` for every signature, skipping the byte ranges `skip` (start, length):
/// the executable sections, which hold machine code and none of these strings or tables and
/// are half of a typical binary. Offsets stay file offsets.
pub fn scan_except(data: &[u8], skip: &[(u64, u64)]) -> Hits {
    let sigs = signatures();
    let mut offsets = vec![Vec::new(); sigs.len()];
    let len = data.len() as u64;
    let mut holes: Vec<(u64, u64)> =
        skip.iter().map(|&(o, n)| (o.min(len), o.saturating_add(n).min(len))).filter(|(a, b)| a < b).collect();
    holes.sort_unstable();
    let mut at = 0u64;
    let mut ranges = Vec::new();
    for (a, b) in holes {
        if a > at {
            ranges.push((at, a));
        }
        at = at.max(b);
    }
    ranges.push((at, len));
    for (a, b) in ranges {
        let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else { continue };
        let Some(part) = data.get(a..b) else { continue };
        for m in automaton().find_overlapping_iter(part) {
            let o = &mut offsets[m.pattern().as_usize()];
            if o.len() < MAX_OFFSETS {
                o.push((a + m.start()) as u64);
            }
        }
    }
    Hits { offsets }
}
