//! Which musl a static binary embeds. musl leaves no version string in a static link, so the
//! version is bounded by every signal that has one, and the answer is the intersection:
//! - provenance: the toolchain that linked it and the musl that toolchain bundles
//!   (`data/musl-provenance.tsv` for rustc; the zig table's musl column for zig);
//! - data that changed between releases (`data/musl-signals.tsv`, generated from real musl
//!   builds by scripts/gen-musl-signatures.py): message tables, lookup tables;
//! - code: the resolver's answer-buffer size (`data/musl-code-signals.tsv`).
//!
//! An exact version needs the signals to pin it; otherwise a range. Signals that contradict
//! each other give no version and a note, never a pick.
//!
//! Layers, lowest first: [`releases`] (the release list, [`Range`], features by release),
//! [`signals`] (the data tables), [`code`] (the code-shape signal), [`detector`].

pub mod code;
pub mod detector;
pub mod releases;
pub mod signals;

pub use detector::{MuslVersionDetector, Options};
pub use releases::{first_with, parse_rendered, Range, RELEASES};
pub use signals::{parse_provenance, parse_signals, patch_rows, provenance, signals, PatchRow, Provenance, Signal};
