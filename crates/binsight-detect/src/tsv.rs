//! The one loader of the data tables under `data/`: tab-separated, `#` comment lines and blank
//! lines ignored, every other line a row of exactly the table's column count.
//!
//! The loader is strict: a row that does not parse is a [`TableError`] naming the table, the
//! line and the problem, never a row silently left out. The compiled-in tables are loaded once
//! ([`compiled`]) and checked by a unit test that loads every file of `data/`.

use std::fmt;
use std::sync::OnceLock;

/// A row of a data table that does not parse.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("data/{table} line {line}: {problem}")]
pub struct TableError {
    /// File name of the table under `data/` (`musl-signals.tsv`).
    pub table: &'static str,
    /// 1-based line number in that file.
    pub line: usize,
    /// What is wrong with that row.
    pub problem: Problem,
}

/// What is wrong with a row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// The row has `got` tab-separated columns; the table has `want`.
    Columns {
        /// Columns the table has.
        want: usize,
        /// Columns the row has.
        got: usize,
    },
    /// A column that must not be empty is.
    Empty {
        /// The column's name.
        column: &'static str,
    },
    /// A column is not a number of the right kind.
    Number {
        /// The column's name.
        column: &'static str,
        /// What it holds.
        text: String,
    },
    /// A byte pattern has a bad `\` escape.
    Escape {
        /// The pattern as written.
        pattern: String,
    },
    /// A commit column is not 40 hex digits.
    Commit {
        /// What the column holds.
        text: String,
    },
    /// A version that is not a musl release binsight knows.
    UnknownMusl {
        /// The version as written.
        version: String,
    },
    /// A range whose low end is above its high end.
    EmptyRange {
        /// The low end as written.
        lo: String,
        /// The high end as written.
        hi: String,
    },
    /// A range column is `-` where the table needs one.
    NoRange,
    /// A value outside the words this column allows.
    Word {
        /// The column's name.
        column: &'static str,
        /// What it holds.
        text: String,
        /// The words it allows.
        allowed: &'static str,
    },
    /// A column that must hold a sentence of a known shape does not (a fix, a family).
    Text {
        /// The column's name.
        column: &'static str,
        /// What it holds.
        text: String,
    },
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Problem::Columns { want, got } => write!(f, "want {want} tab-separated columns, found {got}"),
            Problem::Empty { column } => write!(f, "{column} is empty"),
            Problem::Number { column, text } => write!(f, "{column} {text:?} is not a number"),
            Problem::Escape { pattern } => write!(f, "bad escape in pattern {pattern:?}"),
            Problem::Commit { text } => write!(f, "commit {text:?} is not 40 hex digits"),
            Problem::UnknownMusl { version } => write!(f, "unknown musl release {version}"),
            Problem::EmptyRange { lo, hi } => write!(f, "empty range {lo}..{hi}"),
            Problem::NoRange => f.write_str("no range"),
            Problem::Word { column, text, allowed } => write!(f, "{column} {text:?} is not one of {allowed}"),
            Problem::Text { column, text } => write!(f, "{column} {text:?} does not parse"),
        }
    }
}

/// One data row: its columns, and where it is for errors.
pub(crate) struct Row<'t> {
    table: &'static str,
    line: usize,
    cols: Vec<&'t str>,
}

impl<'t> Row<'t> {
    /// An error about this row.
    pub(crate) fn error(&self, problem: Problem) -> TableError {
        TableError { table: self.table, line: self.line, problem }
    }

    /// Column `i` as it is (the loader checked the count, so every index below it exists).
    pub(crate) fn text(&self, i: usize) -> &'t str {
        self.cols.get(i).copied().unwrap_or_default()
    }

    /// Column `i`, which must not be empty.
    pub(crate) fn required(&self, i: usize, column: &'static str) -> Result<&'t str, TableError> {
        let t = self.text(i);
        if t.is_empty() {
            return Err(self.error(Problem::Empty { column }));
        }
        Ok(t)
    }

    /// Column `i`, `None` where it is `-` (the tables' "none").
    pub(crate) fn optional(&self, i: usize) -> Option<&'t str> {
        Some(self.text(i)).filter(|t| *t != "-")
    }

    /// Column `i` as a number.
    pub(crate) fn number<T: std::str::FromStr>(&self, i: usize, column: &'static str) -> Result<T, TableError> {
        let t = self.text(i);
        t.parse().map_err(|_| self.error(Problem::Number { column, text: t.into() }))
    }

    /// Column `i` as a byte pattern (`\0`, `\t`, `\\`, `\xNN` escapes).
    pub(crate) fn pattern(&self, i: usize) -> Result<Vec<u8>, TableError> {
        let t = self.text(i);
        unescape(t).ok_or_else(|| self.error(Problem::Escape { pattern: t.into() }))
    }

    /// Column `i` as a full commit hash (40 hex digits), lower-cased; `-` is `None`.
    pub(crate) fn commit(&self, i: usize) -> Result<Option<String>, TableError> {
        let Some(c) = self.optional(i) else { return Ok(None) };
        if c.len() != 40 || !c.bytes().all(|b| b.is_ascii_hexdigit()) {
            return Err(self.error(Problem::Commit { text: c.into() }));
        }
        Ok(Some(c.to_ascii_lowercase()))
    }
}

/// Every row of `text` (the contents of `data/{table}`), each with exactly `columns` columns,
/// parsed by `parse`. The first row that does not parse is the error.
pub(crate) fn load<T>(
    table: &'static str,
    text: &str,
    columns: usize,
    mut parse: impl FnMut(&Row<'_>) -> Result<T, TableError>,
) -> Result<Vec<T>, TableError> {
    let mut out = Vec::new();
    for (n, l) in text.lines().enumerate() {
        if l.starts_with('#') || l.trim().is_empty() {
            continue;
        }
        let row = Row { table, line: n + 1, cols: l.split('\t').collect() };
        if row.cols.len() != columns {
            return Err(row.error(Problem::Columns { want: columns, got: row.cols.len() }));
        }
        out.push(parse(&row)?);
    }
    Ok(out)
}

/// A compiled-in table, loaded on first use. A bad row is a bug in the build, caught by the
/// unit test that loads every table (`tests::every_table_loads`).
pub(crate) fn compiled<T>(cell: &'static OnceLock<Vec<T>>, load: fn() -> Result<Vec<T>, TableError>) -> &'static [T] {
    #[allow(clippy::panic)] // compiled-in data, checked by a unit test
    cell.get_or_init(|| load().unwrap_or_else(|e| panic!("{e}")))
}

/// `\0`, `\t`, `\\` and `\xNN` escapes → bytes; `None` on any other escape.
pub(crate) fn unescape(s: &str) -> Option<Vec<u8>> {
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
                let h = s.get(i + 2..i + 4)?;
                out.push(u8::from_str_radix(h, 16).ok()?);
                i += 2;
            }
            _ => return None,
        }
        i += 2;
    }
    Some(out)
}
