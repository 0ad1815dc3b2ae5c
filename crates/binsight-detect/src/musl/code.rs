//! Code signals for the musl version: immediates that changed in the resolver, found by
//! instruction shape per architecture (no disassembler; fixed encodings only).
//!
//! musl's `name_from_dns` (src/network/lookup_name.c) keeps `qbuf[2][280]` and
//! `abuf[2][ABUF_SIZE]` on its stack, and ABUF_SIZE changed: 512 up to 1.2.3, 768 in 1.2.4,
//! 4800 in 1.2.5 (`data/musl-code-signals.tsv`). Every compiler seen (gcc for Debian's and
//! Rust's musl, clang for zig's) addresses `qbuf[1]` as `qbuf[0] + 280` and `abuf[1]` as
//! `abuf[0] + ABUF_SIZE` (or passes ABUF_SIZE as an argument) within a few instructions, so the
//! signal is: a +280 step and a +ABUF_SIZE step close together in executable code. Only one
//! ABUF_SIZE value may be seen; two different ones give no signal.

use std::sync::OnceLock;

use super::releases::{parse_rendered, Range};
use crate::tsv::{self, Problem, TableError};
use crate::Meter;

const TABLE: &str = include_str!("../../data/musl-code-signals.tsv");

/// Bytes of code searched around a +280 step for the ABUF_SIZE step, per architecture. On the
/// corpus the two steps sit within 0x30 bytes on x86_64 (gcc and clang) and within 0x70 on
/// aarch64 (gcc's argument set-up is further away); wider windows let unrelated Rust code in
/// large binaries add a second, coincidental size, which cancels the signal.
const WINDOW_X86_64: usize = 64;
const WINDOW_AARCH64: usize = 128;
/// The qbuf step: sizeof qbuf[0].
const QBUF: u32 = 280;

/// A row of `data/musl-code-signals.tsv`: an `ABUF_SIZE` value and the releases that use it.
#[derive(Debug, Clone)]
pub struct AbufSize {
    /// `ABUF_SIZE` in bytes.
    pub value: u32,
    /// The releases whose `name_from_dns` uses that size.
    pub range: Range,
}

/// Parse `data/musl-code-signals.tsv`: id, value, musl_lo, musl_hi (as rendered ranges:
/// `<=1.1.24`), source.
pub fn parse_abuf_sizes(text: &str) -> Result<Vec<AbufSize>, TableError> {
    tsv::load("musl-code-signals.tsv", text, 5, |row| {
        let end = |i: usize| {
            parse_rendered(row.text(i)).ok_or_else(|| row.error(Problem::UnknownMusl { version: row.text(i).into() }))
        };
        Ok(AbufSize { value: row.number(1, "value")?, range: Range { lo: end(2)?.lo, hi: end(3)?.hi } })
    })
}

/// The compiled-in `data/musl-code-signals.tsv`.
pub fn abuf_sizes() -> &'static [AbufSize] {
    static T: OnceLock<Vec<AbufSize>> = OnceLock::new();
    tsv::compiled(&T, || parse_abuf_sizes(TABLE))
}

/// A found ABUF_SIZE and the file offset of the instruction that shows it.
pub struct Found {
    /// The table row whose value was found.
    pub abuf: &'static AbufSize,
    /// File offset of the instruction that carries it.
    pub offset: u64,
}

/// One immediate-bearing instruction: its offset in `code` and the value it carries.
type Imm = (usize, u32);

/// x86_64: `lea disp(%rsp), reg` (REX.W 8D /r with SIB base rsp) → displacement; and
/// `mov $imm32, %r9d` (41 B9 id: the 6th argument) → immediate.
fn x86_64_imms(code: &[u8]) -> (Vec<Imm>, Vec<Imm>) {
    let (mut leas, mut movs) = (Vec::new(), Vec::new());
    // Jump between opcode bytes with SIMD search instead of looking at every byte.
    for j in memchr::memchr2_iter(0x8d, 0xb9, code) {
        let Some(i) = j.checked_sub(1) else { continue };
        let Some(w) = code.get(i..i + 8) else { break };
        let (rex, op, modrm, sib) = (w[0], w[1], w[2], w[3]);
        if op == 0x8d && (rex == 0x48 || rex == 0x4c) && sib == 0x24 && modrm & 0x07 == 0x04 {
            match modrm & 0xc0 {
                0x80 => leas.push((i, u32::from_le_bytes([w[4], w[5], w[6], w[7]]))),
                0x40 => leas.push((i, u32::from(w[4]))),
                _ => {}
            }
        } else if op == 0xb9 && rex == 0x41 {
            movs.push((i, u32::from_le_bytes([w[2], w[3], w[4], w[5]])));
        }
    }
    (leas, movs)
}

/// aarch64: `add Xd, Xn, #imm12` and `movz Wd, #imm16` (4-byte aligned, little endian).
fn aarch64_imms(code: &[u8]) -> (Vec<Imm>, Vec<Imm>) {
    let (mut adds, mut movs) = (Vec::new(), Vec::new());
    for (k, w) in code.chunks_exact(4).enumerate() {
        let insn = u32::from_le_bytes([w[0], w[1], w[2], w[3]]);
        if insn & 0xffc0_0000 == 0x9100_0000 {
            adds.push((k * 4, (insn >> 10) & 0xfff));
        } else if insn & 0xffe0_0000 == 0x5280_0000 {
            movs.push((k * 4, (insn >> 5) & 0xffff));
        }
    }
    (adds, movs)
}

/// Code is searched in blocks of this many bytes, each with `2 * window` bytes of context on
/// both sides: the candidate lists never outgrow one block, whatever the section's size (a
/// 400 MiB section of nothing but `lea disp(%rsp)` once made them take gigabytes).
const BLOCK: usize = 1 << 20;

/// Search executable bytes of one machine for the ABUF_SIZE signal. `sections` are
/// (file offset, bytes) of executable code. Charges `meter` about one unit per byte searched
/// and per candidate compared, and holds one block's candidate lists; `None` when there is no
/// signal, two different sizes, or the meter ran out (then `meter.exceeded()` says so).
pub fn find(machine: &str, sections: &[(u64, &[u8])], meter: &mut Meter) -> Option<Found> {
    let window = match machine {
        "x86_64" => WINDOW_X86_64,
        "aarch64" => WINDOW_AARCH64,
        _ => return None,
    };
    let sizes = abuf_sizes();
    let mut found: Option<(&'static AbufSize, u64)> = None;
    for (base, code) in sections {
        let mut start = 0;
        while start < code.len() {
            let lo = start.saturating_sub(2 * window);
            let hi = code.len().min(start + BLOCK + 2 * window);
            let owned = (start - lo)..(start + BLOCK - lo);
            let block = &code[lo..hi];
            meter.work(block.len() as u64).ok()?;
            let (steps, movs) = match machine {
                "x86_64" => x86_64_imms(block),
                _ => aarch64_imms(block),
            };
            let held = ((steps.capacity() + movs.capacity()) * std::mem::size_of::<Imm>()) as u64;
            meter.hold(held).ok()?;
            let hits = near_steps(&steps, &movs, sizes, machine == "x86_64", window, owned, meter);
            meter.release(held);
            for (pos, a) in hits? {
                match found {
                    Some((prev, _)) if prev.value != a.value => return None, // two sizes: no signal
                    Some(_) => {}
                    None => found = Some((a, base + (lo + pos) as u64)),
                }
            }
            start += BLOCK;
        }
    }
    found.map(|(abuf, offset)| Found { abuf, offset })
}

/// The entries of a position-sorted list that lie in [lo, hi].
fn window(v: &[Imm], lo: usize, hi: usize) -> &[Imm] {
    let a = v.partition_point(|&(p, _)| p < lo);
    let b = v.partition_point(|&(p, _)| p <= hi);
    &v[a..b]
}

/// Positions (in `owned`) where a +280 step has an ABUF_SIZE step within `window_bytes`.
/// `steps` are stack displacements (x86_64: compare pairs) or add immediates (aarch64: the
/// immediate is the step); `movs` are immediates loaded into registers (the size argument).
/// `None` when `meter` runs out.
fn near_steps(
    steps: &[Imm],
    movs: &[Imm],
    sizes: &'static [AbufSize],
    pairs: bool,
    window_bytes: usize,
    owned: std::ops::Range<usize>,
    meter: &mut Meter,
) -> Option<Vec<(usize, &'static AbufSize)>> {
    let mut out = Vec::new();
    // Anchors: where a +280 step happens (each position once).
    let mut anchors: Vec<usize> = Vec::new();
    for (i, &(p, d)) in steps.iter().enumerate() {
        if !owned.contains(&p) {
            continue;
        }
        let near = steps[i + 1..].iter().take_while(|&&(q, _)| q - p <= window_bytes);
        meter.work(1).ok()?;
        let step = if pairs {
            let mut k = 0;
            let hit = near.inspect(|_| k += 1).any(|&(_, e)| e.abs_diff(d) == QBUF);
            meter.work(k).ok()?;
            hit
        } else {
            d == QBUF
        };
        if step {
            anchors.push(p);
        }
    }
    // Both lists are in code order: a window is a slice found by binary search.
    for a in anchors {
        let lo = a.saturating_sub(window_bytes);
        let hi = a + window_bytes;
        let w = window(steps, lo, hi);
        let m = window(movs, lo, hi);
        let cost = if pairs { w.len() * w.len() } else { w.len() } + m.len();
        meter.work((cost * sizes.len()) as u64).ok()?;
        for s in sizes {
            let by_step = if pairs {
                w.iter().any(|(_, d)| w.iter().any(|(_, e)| e.wrapping_sub(*d) == s.value))
            } else {
                w.iter().any(|&(_, v)| v == s.value)
            };
            if by_step || m.iter().any(|&(_, v)| v == s.value) {
                out.push((a, s));
            }
        }
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Budget;

    fn meter() -> Meter {
        Meter::new(Budget::default())
    }

    /// lea 0x1b0(%rsp),%rax; lea 0x2c8(%rsp),%rax; lea 0x3e0(%rsp),%rax; lea 0x16a0(%rsp),%rax:
    /// musl 1.2.5's two buffers (+280, +4800).
    fn signal_1_2_5() -> Vec<u8> {
        let mut code = Vec::new();
        for d in [0x1b0u32, 0x2c8, 0x3e0, 0x16a0] {
            code.extend([0x48, 0x8d, 0x84, 0x24]);
            code.extend(d.to_le_bytes());
        }
        code
    }

    /// The signal is found wherever it sits relative to the search blocks, once.
    #[test]
    fn signal_across_block_boundaries() {
        for at in [0, BLOCK - 20, BLOCK - 8, BLOCK, BLOCK + 3, 3 * BLOCK - 16] {
            let mut code = vec![0x90; 3 * BLOCK + 64];
            let sig = signal_1_2_5();
            code[at..at + sig.len()].copy_from_slice(&sig);
            let f = find("x86_64", &[(0x400, &code)], &mut meter()).unwrap_or_else(|| panic!("not found at {at}"));
            assert_eq!((f.abuf.value, f.offset), (4800, 0x400 + at as u64), "at {at}");
        }
    }

    /// A section of nothing but `lea disp(%rsp)` with +280 steps everywhere: memory stays at
    /// one block's lists, and a small work budget stops the search with a reason.
    #[test]
    fn hostile_code_is_bounded() {
        let mut code = Vec::with_capacity(4 * BLOCK);
        let mut d = 0x100u32;
        while code.len() + 8 <= 4 * BLOCK {
            code.extend([0x48, 0x8d, 0x84, 0x24]);
            code.extend(d.to_le_bytes());
            d = if d > 0x10000 { 0x100 } else { d + 280 };
        }
        let mut m = meter();
        let _ = find("x86_64", &[(0, &code)], &mut m);
        assert!(m.exceeded().is_none(), "{:?}", m.exceeded());
        assert!(m.peak() <= 8 * BLOCK as u64, "held {} bytes for a {}-byte section", m.peak(), code.len());
        let mut m = Meter::new(Budget { work: 1 << 20, memory: 64 << 20 });
        assert!(find("x86_64", &[(0, &code)], &mut m).is_none());
        assert!(m.exceeded().is_some_and(|w| w.contains("work budget")), "{:?}", m.exceeded());
        let mut m = Meter::new(Budget { work: 1 << 40, memory: 1 << 10 });
        assert!(find("x86_64", &[(0, &code)], &mut m).is_none());
        assert!(m.exceeded().is_some_and(|w| w.contains("memory budget")), "{:?}", m.exceeded());
    }

    #[test]
    fn table_parses() {
        let v: Vec<u32> = abuf_sizes().iter().map(|a| a.value).collect();
        assert_eq!(v, [512, 768, 4800]);
    }

    #[test]
    fn x86_64_lea_pairs() {
        // lea 0x1b0(%rsp),%rax; lea 0x2c8(%rsp),%rax; lea 0x3e0(%rsp),%rax; lea 0x16a0(%rsp),%rax
        let mut code = vec![0x90; 16];
        for d in [0x1b0u32, 0x2c8, 0x3e0, 0x16a0] {
            code.extend([0x48, 0x8d, 0x84, 0x24]);
            code.extend(d.to_le_bytes());
        }
        code.extend([0x90; 16]);
        let f = find("x86_64", &[(0x1000, &code)], &mut meter()).expect("found");
        assert_eq!(f.abuf.value, 4800);
        // Two different sizes near each other: no signal.
        code.extend([0x48, 0x8d, 0x84, 0x24]);
        code.extend((0x3e0u32 + 0x200).to_le_bytes());
        assert!(find("x86_64", &[(0, &code)], &mut meter()).is_none());
        // No +280 step: nothing.
        assert!(
            find("x86_64", &[(0, &[0x48, 0x8d, 0x84, 0x24, 0xc0, 0x12, 0, 0, 0x90, 0x90][..])], &mut meter()).is_none()
        );
    }

    #[test]
    fn aarch64_add_and_movz() {
        // add x9, x19, #0x118 ; mov w10, #0x12c0
        let code: Vec<u8> = [0x9104_6269u32, 0x5282_580a].iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(find("aarch64", &[(0, &code)], &mut meter()).map(|f| f.abuf.value), Some(4800));
        // add x8, x9, #0x118 ; add x10, x9, #0x200
        let code: Vec<u8> = [0x9104_6128u32, 0x9108_012a].iter().flat_map(|w| w.to_le_bytes()).collect();
        assert_eq!(find("aarch64", &[(0, &code)], &mut meter()).map(|f| f.abuf.value), Some(512));
    }
}
