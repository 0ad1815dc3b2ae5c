//! OSV advisory data: parse it (bounded, per-file errors), index it by package, and tell which
//! versions a record affects. Applicability, verdicts and the embedded database come next
//! (issue 5); this is their foundation.

pub mod audit;
pub mod db;
pub mod osv;
pub mod range;
pub mod store;
pub mod update;

pub use audit::{audit, audit_binary, embedded, with_embedded};
pub use db::{Database, LoadWarning};
pub use osv::Advisory;
