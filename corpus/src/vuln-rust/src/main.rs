//! binsight corpus fixture: a tiny program whose committed Cargo.lock pins crate versions that
//! RustSec advisories mark vulnerable (audit ground truth; see corpus/recipes/vuln.py).
//! Each pinned crate is called on data known only at run time, through the very API its
//! advisory names where there is one, so its code (and the panic paths inside it) is linked in.
//! Nothing here triggers the flaws: inputs are well-formed (exact size hints, no aliasing).
//!
//!   vuln-rust selftest      # exercise every crate, print a one-line JSON summary
//!   vuln-rust [WORD…]       # the same on the given words

use std::sync::atomic::{AtomicUsize, Ordering};

use bumpalo::{collections::Vec as BumpVec, Bump};
use smallvec::SmallVec;
use thread_local::ThreadLocal;
use time::{OffsetDateTime, UtcOffset};

/// smallvec 1.6.0: `SmallVec::insert_many` (RUSTSEC-2021-0003), plus indexing and `remove`.
fn smallvec_part(words: &[String]) -> (usize, usize, u64) {
    let mut v: SmallVec<[u64; 4]> = SmallVec::new();
    for w in words {
        v.push(w.len() as u64);
    }
    let extra: Vec<u64> = words.iter().map(|w| w.bytes().map(u64::from).sum()).collect();
    let at = v.len() / 2;
    v.insert_many(at, extra);
    let first = v.remove(0); // panics on an empty vec: never, words is never empty
    let spilled = v.spilled() as usize;
    (v.len(), spilled, first + v[v.len() - 1])
}

/// bumpalo 3.11.0: `bumpalo::collections::Vec::into_iter` (RUSTSEC-2022-0078).
fn bumpalo_part(words: &[String]) -> (usize, usize) {
    let bump = Bump::new();
    let mut v = BumpVec::new_in(&bump);
    for w in words {
        let s: &str = bump.alloc_str(w);
        v.push(s);
    }
    let joined: usize = v.into_iter().map(|s| s.len()).sum();
    (joined, bump.allocated_bytes())
}

/// thread_local 1.1.3: `ThreadLocal::iter` from several threads (RUSTSEC-2022-0006).
fn thread_local_part(words: &[String]) -> (usize, usize) {
    let tls: ThreadLocal<AtomicUsize> = ThreadLocal::new();
    std::thread::scope(|s| {
        for w in words {
            let tls = &tls;
            s.spawn(move || {
                tls.get_or(|| AtomicUsize::new(0)).fetch_add(w.len(), Ordering::Relaxed);
            });
        }
    });
    let total = tls.iter().map(|c| c.load(Ordering::Relaxed)).sum();
    (tls.iter().count(), total)
}

/// time 0.2.22: `UtcOffset::try_local_offset_at` / `OffsetDateTime::try_now_local`
/// (RUSTSEC-2020-0071, localtime_r), plus formatting.
fn time_part(words: &[String]) -> (String, bool, String) {
    let secs = words.iter().map(|w| w.len() as i64).sum::<i64>() * 86_400 * 365;
    let at = OffsetDateTime::from_unix_timestamp(secs);
    let local = UtcOffset::try_local_offset_at(at).is_ok() && OffsetDateTime::try_now_local().is_ok();
    let now = OffsetDateTime::now_utc();
    (at.format("%Y-%m-%d %H:%M:%S"), local, now.year().to_string())
}

fn main() {
    let mut words: Vec<String> = std::env::args().skip(1).collect();
    if words.is_empty() || words == ["selftest"] {
        words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"].map(String::from).to_vec();
    }
    let (sv_len, sv_spilled, sv_sum) = smallvec_part(&words);
    let (bump_len, bump_bytes) = bumpalo_part(&words);
    let (tl_threads, tl_total) = thread_local_part(&words);
    let (when, local_ok, year) = time_part(&words);
    println!(
        "{{\"words\":{},\"smallvec\":[{sv_len},{sv_spilled},{sv_sum}],\"bumpalo\":[{bump_len},{}],\
         \"thread_local\":[{tl_threads},{tl_total}],\"time\":[\"{when}\",{local_ok},{}]}}",
        words.len(),
        (bump_bytes > 0) as u8,
        year.len() >= 4,
    );
}
