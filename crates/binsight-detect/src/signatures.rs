//! The byte-signature scanner: every pattern of a list matched in one Aho-Corasick pass over a
//! file. The list is the caller's ([`Scanner::new`]); this module also reads the libc-family
//! table (`data/libc-signatures.tsv`, [`table`]), one of the lists a caller may pass.

use std::sync::OnceLock;

use aho_corasick::AhoCorasick;

use crate::tsv::{self, TableError};

const TABLE: &str = include_str!("../data/libc-signatures.tsv");
/// Offsets kept per signature (enough for evidence and for scanning candidates).
const MAX_OFFSETS: usize = 64;

/// A byte signature (a row of `data/libc-signatures.tsv`, or a musl version signal).
#[derive(Debug, Clone)]
pub struct Signature {
    /// The signature's name, used in evidence.
    pub id: String,
    /// What its presence points to (`musl`, `glibc`, `go`, `musl-version`).
    pub family: String,
    /// How much a hit counts towards its family (2 or more: a strong sign alone; 0: it
    /// bounds a version and names no family).
    pub weight: u8,
    /// The bytes searched for.
    pub pattern: Vec<u8>,
}

/// Parse a signature table (the compiled-in one, or a test's): id, family, weight, pattern.
pub fn parse_table(text: &str) -> Result<Vec<Signature>, TableError> {
    tsv::load("libc-signatures.tsv", text, 4, |row| {
        Ok(Signature {
            id: row.required(0, "id")?.into(),
            family: row.required(1, "family")?.into(),
            weight: row.number(2, "weight")?,
            pattern: row.pattern(3)?,
        })
    })
}

/// The compiled-in `data/libc-signatures.tsv`.
pub fn table() -> &'static [Signature] {
    static S: OnceLock<Vec<Signature>> = OnceLock::new();
    tsv::compiled(&S, || parse_table(TABLE))
}

/// A list of signatures and the automaton that finds them all in one pass.
pub struct Scanner {
    patterns: Vec<Signature>,
    automaton: AhoCorasick,
}

impl Scanner {
    /// A scanner for `patterns`. `Err` when the automaton cannot be built (patterns far beyond
    /// the few dozen short ones binsight has).
    pub fn new(patterns: Vec<Signature>) -> Result<Scanner, aho_corasick::BuildError> {
        // A full DFA: a few dozen short patterns make a small table, and overlapping search over
        // every byte of every file is the hottest loop of a scan (several times faster than the
        // NFA).
        let automaton = AhoCorasick::builder()
            .kind(Some(aho_corasick::AhoCorasickKind::DFA))
            .build(patterns.iter().map(|s| &s.pattern))?;
        Ok(Scanner { patterns, automaton })
    }

    /// The signatures this scanner looks for, in the order it was given them.
    pub fn patterns(&self) -> &[Signature] {
        &self.patterns
    }

    /// One pass over all of `data` for every signature.
    pub fn scan(&self, data: &[u8]) -> Hits<'_> {
        self.scan_except(data, &[])
    }

    /// One pass over `data` for every signature, skipping the byte ranges `skip` (start,
    /// length): the executable sections, which hold machine code and none of these strings or
    /// tables and are half of a typical binary. Offsets stay file offsets.
    pub fn scan_except(&self, data: &[u8], skip: &[(u64, u64)]) -> Hits<'_> {
        let mut offsets = vec![Vec::new(); self.patterns.len()];
        for (a, b) in outside(data.len() as u64, skip) {
            let (Ok(a), Ok(b)) = (usize::try_from(a), usize::try_from(b)) else { continue };
            let Some(part) = data.get(a..b) else { continue };
            for m in self.automaton.find_overlapping_iter(part) {
                let o = &mut offsets[m.pattern().as_usize()];
                if o.len() < MAX_OFFSETS {
                    o.push((a + m.start()) as u64);
                }
            }
        }
        Hits { patterns: &self.patterns, offsets }
    }
}

/// The (start, end) ranges of `0..len` outside the `skip` ranges (start, length), in order.
pub(crate) fn outside(len: u64, skip: &[(u64, u64)]) -> Vec<(u64, u64)> {
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
    ranges
}

/// Where each signature of a [`Scanner`] matched: `offsets[i]` for its `patterns()[i]`,
/// ascending, capped.
#[derive(Debug)]
pub struct Hits<'p> {
    patterns: &'p [Signature],
    offsets: Vec<Vec<u64>>,
}

impl<'p> Hits<'p> {
    /// (signature, first offsets) for each signature of `family` that matched.
    pub fn family<'s>(&'s self, family: &'s str) -> impl Iterator<Item = (&'p Signature, &'s [u64])> + 's {
        self.patterns
            .iter()
            .zip(&self.offsets)
            .filter(move |(s, o)| s.family == family && !o.is_empty())
            .map(|(s, o)| (s, o.as_slice()))
    }
    /// Offsets where the signature `id` matched (empty when it did not, or is not in the list).
    pub fn of(&self, id: &str) -> &[u64] {
        self.patterns.iter().position(|s| s.id == id).map(|i| self.offsets[i].as_slice()).unwrap_or(&[])
    }
}
