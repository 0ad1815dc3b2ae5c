//! What to do about a binary, and the advisory data that decision rests on.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

names! {
    /// What to do about a binary.
    pub enum Action ("verdict action") {
        /// A vulnerability's code is in the binary: rebuild it with the fixes.
        Rebuild => "rebuild",
        /// No known vulnerability applies.
        Ok => "ok",
        /// Something could not be checked (see the reasons).
        Unknown => "unknown",
    }
}

/// What a [`Fix`] updates: a toolchain to rebuild with, or a package to update.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum FixSubject {
    /// Update this Rust crate (by name), then rebuild.
    Crate(String),
    /// Update this Go module (by path), then rebuild.
    Module(String),
    /// Rebuild with a newer Rust toolchain (which brings its standard library and, for
    /// `*-linux-musl`, its bundled musl).
    Rust,
    /// Rebuild with a newer Go release.
    Go,
    /// Rebuild with a newer zig (which bundles musl for `zig cc`).
    Zig,
    /// Rebuild against a newer musl.
    Musl,
    /// Update this distribution package (by name): its distribution rebuilds it with the fix.
    OsPackage(String),
    /// Rebuild against a newer release of this C library (by name, not `musl`: see
    /// [`FixSubject::Musl`]), e.g. one a C program links from a static `.a`.
    Library(String),
}

impl FixSubject {
    /// How the subject is named in a sentence (`Rust`, `crate foo`).
    fn noun(&self) -> String {
        match self {
            FixSubject::Crate(n) => format!("crate {n}"),
            FixSubject::Module(n) => format!("module {n}"),
            FixSubject::Rust => "Rust".into(),
            FixSubject::Go => "Go".into(),
            FixSubject::Zig => "zig".into(),
            FixSubject::Musl => "musl".into(),
            FixSubject::OsPackage(n) => format!("package {n}"),
            FixSubject::Library(n) => n.clone(),
        }
    }
}

/// One thing to do to get a fix into a binary: `subject` at `at_least` (or, with no fixed
/// release, a way around it). Shown and serialised as one sentence, e.g.
/// `update crate time to >= 0.2.23 then rebuild`, `rebuild with Rust >= 1.93 (its
/// *-linux-musl targets bundle musl 1.2.5)`; that sentence parses back to the same `Fix`.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Fix {
    /// What to update or rebuild with.
    pub subject: FixSubject,
    /// The lowest version that fixes it; `None` when there is no fixed release.
    pub at_least: Option<String>,
    /// Why that version, when it is not obvious (shown in parentheses).
    pub note: Option<String>,
}

impl Fix {
    /// `subject` at `at_least` or later (no note).
    pub fn at_least(subject: FixSubject, version: impl Into<String>) -> Fix {
        Fix { subject, at_least: Some(version.into()), note: None }
    }

    /// `subject` with no fixed release.
    pub fn no_release(subject: FixSubject) -> Fix {
        Fix { subject, at_least: None, note: None }
    }

    /// The same fix with a note in parentheses.
    pub fn with_note(mut self, note: impl Into<String>) -> Fix {
        self.note = Some(note.into());
        self
    }
}

impl fmt::Display for Fix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let noun = self.subject.noun();
        match (&self.subject, &self.at_least) {
            (FixSubject::Crate(_) | FixSubject::Module(_), Some(v)) => {
                write!(f, "update {noun} to >= {v} then rebuild")?
            }
            (FixSubject::Crate(_) | FixSubject::Module(_), None) => {
                write!(f, "remove or replace {noun} (no fixed release), then rebuild")?;
            }
            (FixSubject::OsPackage(_), Some(v)) => write!(f, "update {noun} to >= {v}")?,
            (FixSubject::OsPackage(_), None) => {
                write!(f, "update {noun} once its distribution rebuilds it with the fix")?
            }
            (FixSubject::Musl, Some(v)) => write!(f, "rebuild against musl >= {v}")?,
            (FixSubject::Library(n), Some(v)) => write!(f, "rebuild against {n} >= {v}")?,
            (FixSubject::Library(n), None) => write!(f, "rebuild against a {n} release that fixes it")?,
            (FixSubject::Musl, None) => f.write_str("rebuild against a musl with the upstream fix applied")?,
            (_, Some(v)) => write!(f, "rebuild with {noun} >= {v}")?,
            (_, None) => write!(f, "rebuild with a {noun} release that fixes it")?,
        }
        match &self.note {
            Some(n) => write!(f, " ({n})"),
            None => Ok(()),
        }
    }
}

/// A sentence that is not one [`Fix`] writes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NotAFix(pub String);

impl fmt::Display for NotAFix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "not a fix binsight writes: {:?}", self.0)
    }
}

impl std::error::Error for NotAFix {}

impl FromStr for Fix {
    type Err = NotAFix;
    fn from_str(s: &str) -> Result<Fix, NotAFix> {
        let err = || NotAFix(s.to_string());
        // An optional trailing " (note)" after a version or a release phrase.
        let (body, note) = match s.strip_suffix(')').and_then(|x| x.rsplit_once(" (")) {
            Some((b, n)) if !b.ends_with("(no fixed release), then rebuild") && !b.is_empty() => {
                (b, Some(n.to_string()))
            }
            _ => (s, None),
        };
        let package = |rest: &str, make: fn(String) -> FixSubject| -> Option<Fix> {
            if let Some((name, v)) = rest.strip_suffix(" then rebuild").and_then(|r| r.split_once(" to >= ")) {
                return Some(Fix::at_least(make(name.into()), v));
            }
            let name = rest.strip_suffix(" (no fixed release), then rebuild")?;
            Some(Fix::no_release(make(name.into())))
        };
        let tool = |name: &str| match name {
            "Rust" => Some(FixSubject::Rust),
            "Go" => Some(FixSubject::Go),
            "zig" => Some(FixSubject::Zig),
            _ => None,
        };
        let fix = if let Some(rest) = body.strip_prefix("update package ") {
            match rest.split_once(" to >= ") {
                Some((name, v)) => Some(Fix::at_least(FixSubject::OsPackage(name.into()), v)),
                None => rest
                    .strip_suffix(" once its distribution rebuilds it with the fix")
                    .map(|name| Fix::no_release(FixSubject::OsPackage(name.into()))),
            }
        } else if let Some(rest) = body.strip_prefix("update crate ") {
            package(rest, FixSubject::Crate)
        } else if let Some(rest) = body.strip_prefix("update module ") {
            package(rest, FixSubject::Module)
        } else if let Some(rest) = body.strip_prefix("remove or replace crate ") {
            package(rest, FixSubject::Crate)
        } else if let Some(rest) = body.strip_prefix("remove or replace module ") {
            package(rest, FixSubject::Module)
        } else if let Some(v) = body.strip_prefix("rebuild against musl >= ") {
            Some(Fix::at_least(FixSubject::Musl, v))
        } else if body == "rebuild against a musl with the upstream fix applied" {
            Some(Fix::no_release(FixSubject::Musl))
        } else if let Some(rest) = body.strip_prefix("rebuild against a ") {
            rest.strip_suffix(" release that fixes it")
                .filter(|n| !n.is_empty() && !n.contains(' ') && *n != "musl")
                .map(|n| Fix::no_release(FixSubject::Library(n.into())))
        } else if let Some(rest) = body.strip_prefix("rebuild against ") {
            rest.split_once(" >= ")
                .filter(|(n, _)| !n.is_empty() && !n.contains(' ') && *n != "musl")
                .map(|(n, v)| Fix::at_least(FixSubject::Library(n.into()), v))
        } else if let Some(rest) = body.strip_prefix("rebuild with a ") {
            rest.strip_suffix(" release that fixes it").and_then(tool).map(Fix::no_release)
        } else if let Some(rest) = body.strip_prefix("rebuild with ") {
            rest.split_once(" >= ").and_then(|(t, v)| Some(Fix::at_least(tool(t)?, v)))
        } else {
            None
        };
        let mut fix =
            fix.filter(|f| f.at_least.as_deref().is_none_or(|v| !v.is_empty() && !v.contains(' '))).ok_or_else(err)?;
        fix.note = note;
        Ok(fix)
    }
}

serde_as_text!(Fix);

/// What to do about a binary.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct Verdict {
    /// Rebuild, nothing to do, or cannot tell (the reasons say what is missing).
    pub action: Action,
    /// Why, one plain sentence each.
    pub reasons: Vec<String>,
    /// The concrete fixes: at most one per subject (toolchain, crate, module), each the
    /// highest version any finding needs.
    pub fix: Vec<Fix>,
    /// The advisory data the verdict was decided with, for each ecosystem the binary's
    /// components belong to that has data (those without are named in `reasons`).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub data: Vec<AdvisoryData>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_fix_sentence_parses_back() {
        let fixes = [
            Fix::at_least(FixSubject::Crate("time".into()), "0.2.23"),
            Fix::no_release(FixSubject::Crate("atty".into())),
            Fix::at_least(FixSubject::Module("golang.org/x/net".into()), "v0.23.0"),
            Fix::no_release(FixSubject::Module("example.com/m".into())),
            Fix::at_least(FixSubject::Go, "1.22.5"),
            Fix::no_release(FixSubject::Go),
            Fix::at_least(FixSubject::Rust, "1.93"),
            Fix::at_least(FixSubject::Rust, "1.93").with_note("its *-linux-musl targets bundle musl 1.2.5"),
            Fix::no_release(FixSubject::Rust),
            Fix::at_least(FixSubject::Zig, "0.11").with_note("bundles musl >= 1.2.4"),
            Fix::at_least(FixSubject::Musl, "1.2.4"),
            Fix::no_release(FixSubject::Musl),
            Fix::no_release(FixSubject::OsPackage("ripgrep".into())).with_note("installed by dpkg ripgrep 13.0.0-4+b2"),
            Fix::at_least(FixSubject::OsPackage("libssl3".into()), "3.0.15-1~deb12u1"),
            Fix::at_least(FixSubject::Library("openssl".into()), "3.0.8"),
            Fix::at_least(FixSubject::Library("zlib".into()), "1.2.12").with_note("vendored by crate libz-sys"),
            Fix::no_release(FixSubject::Library("xz".into())),
            Fix::at_least(FixSubject::Crate("openssl-src".into()), "300.0.12").with_note("bundles openssl 3.0.8"),
        ];
        for f in fixes {
            let text = f.to_string();
            assert_eq!(text.parse::<Fix>(), Ok(f.clone()), "{text}");
            let json = serde_json::to_string(&f).expect("serialises");
            assert_eq!(serde_json::from_str::<Fix>(&json).expect("parses"), f);
        }
        assert_eq!(
            Fix::at_least(FixSubject::Crate("time".into()), "0.2.23").to_string(),
            "update crate time to >= 0.2.23 then rebuild"
        );
        assert_eq!(Fix::no_release(FixSubject::Rust).to_string(), "rebuild with a Rust release that fixes it");
        for bad in
            ["", "rebuild", "rebuild with Rust >= ", "update crate x to >= 1 2 then rebuild", "rebuild with cobol >= 1"]
        {
            assert!(bad.parse::<Fix>().is_err(), "{bad}");
        }
    }

    #[test]
    fn actions_have_one_spelling() {
        for a in Action::ALL {
            assert_eq!(a.as_str().parse::<Action>(), Ok(*a));
            assert_eq!(serde_json::to_string(a).expect("serialises"), format!("\"{a}\""));
        }
        assert!("Rebuild".parse::<Action>().is_err());
    }
}

/// What a run's outputs say about advisory data: the date of the snapshot compiled into
/// binsight, and, when the run audited, the data it used (every source of the database).
#[derive(Serialize, Deserialize, Clone, Debug, Default, PartialEq, Eq)]
pub struct AdvisoryContext {
    /// `YYYY-MM-DD`: what the embedded OSV snapshot is as of.
    pub snapshot_date: String,
    /// `None` without `--audit`.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub used: Option<Vec<AdvisoryData>>,
}

impl AdvisoryContext {
    /// One line: "crates.io, Go: snapshot 2026-08-21; musl, rust-toolchain: binsight 2026-11-24".
    pub fn used_summary(&self) -> Option<String> {
        let used = self.used.as_ref()?;
        // Group ecosystems by source and date, in first-seen order.
        let mut groups: Vec<(&str, Option<&str>, Vec<&str>)> = Vec::new();
        for d in used {
            let (src, date) = (d.source.as_str(), d.date.as_deref());
            match groups.iter_mut().find(|g| g.0 == src && g.1 == date) {
                Some(g) => g.2.push(&d.ecosystem),
                None => groups.push((src, date, vec![&d.ecosystem])),
            }
        }
        let parts: Vec<String> = groups
            .into_iter()
            .map(|(src, date, ecos)| format!("{}: {src} {}", ecos.join(", "), date.unwrap_or("(undated)")))
            .collect();
        Some(parts.join("; "))
    }
}

/// Advisory data used for one ecosystem: where it came from and what day it is as of.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
pub struct AdvisoryData {
    /// OSV ecosystem: `crates.io`, `Go`, `musl`, `rust-toolchain`.
    pub ecosystem: String,
    /// `snapshot` (compiled in), `binsight` (built-in), `db:NAME` (imported), `dir:PATH`.
    pub source: String,
    /// `YYYY-MM-DD`, when known.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub date: Option<String>,
}
