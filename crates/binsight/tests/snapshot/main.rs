//! Whole-output snapshots of the real `binsight` binary: reports of corpus binaries in every
//! format, an image scan, and every user-facing error message. Recorded against the code as it
//! is, they must keep passing through any refactoring that claims to change no behaviour.
//!
//! Review or update: `cargo insta review -p binsight --test snapshot` (or run with
//! `INSTA_UPDATE=always` and read `git diff`); with `CI=true` nothing is written and any
//! difference fails. What is filtered and why: `binsight_testkit::filters`.

mod common;
mod errors;
mod image;
mod meta;
mod reports;
