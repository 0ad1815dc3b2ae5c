//! binsight corpus fixture: the same pinned, vulnerable crates as `src/main.rs` (see
//! corpus/recipes/vuln.py), but this program calls NONE of the functions their advisories name
//! (RustSec `affects.functions`): a crate can be compiled in, at a vulnerable version, without
//! its vulnerable function being linked.
//!
//! - smallvec 1.6.0: `push`, `remove`, indexing; never `SmallVec::insert_many` (RUSTSEC-2021-0003).
//! - bumpalo 3.11.0: `Bump::new`, `alloc_str`, `collections::Vec::push` and iteration by reference
//!   through the slice (`.iter()`); never `Vec::into_iter` (RUSTSEC-2022-0078): no by-value
//!   `for x in v`, no `&v` in a `for` either.
//! - time 0.2.22: `OffsetDateTime::from_unix_timestamp`, `format`, `now_utc`; none of the
//!   local-offset functions of RUSTSEC-2020-0071 (`now_local`, `try_now_local`,
//!   `current_local_offset`, `local_offset_at`, `try_current_local_offset`,
//!   `try_local_offset_at`) nor the deprecated `OffsetDateTime::now`.
//! - thread_local 1.1.3: `ThreadLocal::get_or` and `iter` (RUSTSEC-2022-0006 names no function).
//!
//! The output is deterministic (no thread counts, no clock values):
//!
//!   vuln-rust-partial selftest      # exercise every crate, print a one-line JSON summary
//!   vuln-rust-partial [WORD…]       # the same on the given words

use std::sync::atomic::{AtomicUsize, Ordering};

use bumpalo::{collections::Vec as BumpVec, Bump};
use smallvec::SmallVec;
use thread_local::ThreadLocal;
use time::OffsetDateTime;

/// smallvec: push, index, remove (no insert_many).
fn smallvec_part(words: &[String]) -> (usize, usize, u64) {
    let mut v: SmallVec<[u64; 4]> = SmallVec::new();
    for w in words {
        v.push(w.len() as u64);
    }
    for w in words {
        v.push(w.bytes().map(u64::from).sum());
    }
    let first = v.remove(0); // words is never empty
    let spilled = v.spilled() as usize;
    (v.len(), spilled, first + v[v.len() - 1])
}

/// bumpalo: a bump-allocated Vec of bump-allocated strs, read by reference (no into_iter).
fn bumpalo_part(words: &[String]) -> (usize, usize) {
    let bump = Bump::new();
    let mut v = BumpVec::new_in(&bump);
    for w in words {
        let s: &str = bump.alloc_str(w);
        v.push(s);
    }
    let total: usize = v.iter().map(|s| s.len()).sum();
    (total, bump.allocated_bytes())
}

/// thread_local: per-thread counters, summed (the thread count is not printed: not deterministic).
fn thread_local_part(words: &[String]) -> usize {
    let tls: ThreadLocal<AtomicUsize> = ThreadLocal::new();
    std::thread::scope(|s| {
        for w in words {
            let tls = &tls;
            s.spawn(move || {
                tls.get_or(|| AtomicUsize::new(0)).fetch_add(w.len(), Ordering::Relaxed);
            });
        }
    });
    tls.iter().map(|c| c.load(Ordering::Relaxed)).sum()
}

/// time: UTC only (no local offset).
fn time_part(words: &[String]) -> (String, bool) {
    let secs = words.iter().map(|w| w.len() as i64).sum::<i64>() * 86_400 * 365;
    let at = OffsetDateTime::from_unix_timestamp(secs);
    let now = OffsetDateTime::now_utc();
    (at.format("%Y-%m-%d %H:%M:%S"), now.year() >= 2024)
}

fn main() {
    let mut words: Vec<String> = std::env::args().skip(1).collect();
    if words.is_empty() || words == ["selftest"] {
        words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta"].map(String::from).to_vec();
    }
    let (sv_len, sv_spilled, sv_sum) = smallvec_part(&words);
    let (bump_len, bump_bytes) = bumpalo_part(&words);
    let tl_total = thread_local_part(&words);
    let (when, recent) = time_part(&words);
    println!(
        "{{\"partial\":true,\"words\":{},\"smallvec\":[{sv_len},{sv_spilled},{sv_sum}],\"bumpalo\":[{bump_len},{}],\
         \"thread_local\":{tl_total},\"time\":[\"{when}\",{recent}]}}",
        words.len(),
        (bump_bytes > 0) as u8,
    );
}
