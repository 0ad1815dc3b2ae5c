//! Which exit code an error ends the run with. Usage errors (bad arguments, flags or option
//! values: exit 2) and sources that cannot be opened at all (exit 3) are marked where they are
//! found; any other error is a failure at run time (exit 1: an output that cannot be written,
//! a push the registry refuses, …).

use crate::{EXIT_SOME_FAILED, EXIT_SOURCE, EXIT_USAGE};

/// An error with the exit code it calls for.
#[derive(Debug)]
pub struct Fail {
    pub code: u8,
    error: anyhow::Error,
}

impl std::fmt::Display for Fail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:#}", self.error)
    }
}

impl std::error::Error for Fail {}

/// Bad arguments, flags or option values: exit 2.
pub fn usage(e: impl Into<anyhow::Error>) -> anyhow::Error {
    Fail { code: EXIT_USAGE, error: e.into() }.into()
}

/// A source (or pack input) that cannot be opened or used at all: exit 3.
pub fn source(e: impl Into<anyhow::Error>) -> anyhow::Error {
    Fail { code: EXIT_SOURCE, error: e.into() }.into()
}

/// The exit code for an error that ends the run: the innermost mark, else 1 (run time).
pub fn code(e: &anyhow::Error) -> u8 {
    e.chain().find_map(|c| c.downcast_ref::<Fail>()).map_or(EXIT_SOME_FAILED, |f| f.code)
}

/// A `db import` error: the source given is missing or holds no OSV data (3), or the database
/// cannot be written (1).
pub fn import(e: binsight_advisory::store::StoreError, from: &std::path::Path) -> anyhow::Error {
    use binsight_advisory::store::StoreError;
    let from_source = match &e {
        StoreError::Empty(..) | StoreError::NotOsv(_) | StoreError::NotRegular(_) => true,
        StoreError::Io { path, .. } => path.starts_with(from),
    };
    if from_source {
        source(e)
    } else {
        e.into()
    }
}

/// `result.usage()?` / `result.source()?`: mark an error where it is found.
pub trait Mark<T> {
    /// Mark the error as a usage error (exit 2).
    fn usage(self) -> anyhow::Result<T>;
    /// Mark the error as a source that cannot be opened (exit 3).
    fn source(self) -> anyhow::Result<T>;
}

impl<T, E: Into<anyhow::Error>> Mark<T> for Result<T, E> {
    fn usage(self) -> anyhow::Result<T> {
        self.map_err(usage)
    }
    fn source(self) -> anyhow::Result<T> {
        self.map_err(source)
    }
}

/// `bail!` for usage errors.
macro_rules! bail_usage {
    ($($t:tt)*) => {
        return Err($crate::fail::usage(anyhow::anyhow!($($t)*)))
    };
}
pub(crate) use bail_usage;

#[cfg(test)]
mod tests {
    use super::*;
    use anyhow::Context as _;

    #[test]
    fn codes_survive_context() {
        let e = Err::<(), _>(usage(anyhow::anyhow!("bad flag"))).context("while parsing").expect_err("err");
        assert_eq!(code(&e), EXIT_USAGE);
        assert_eq!(format!("{e:#}"), "while parsing: bad flag");
        assert_eq!(code(&source(anyhow::anyhow!("gone"))), EXIT_SOURCE);
        assert_eq!(code(&anyhow::anyhow!("disk full")), EXIT_SOME_FAILED);
        let io = std::fs::read("/definitely/not/here").source().expect_err("missing");
        assert_eq!(code(&io), EXIT_SOURCE);
    }
}
