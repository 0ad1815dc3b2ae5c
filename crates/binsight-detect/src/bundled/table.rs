//! The bundled-library tables: `data/c-libraries.tsv` (which libraries, how they are named,
//! what must be seen), `data/bundled-libraries.tsv` (their signatures), `data/sys-crates.tsv`
//! (which library version each `-sys`/`-src` crate version vendors) and
//! `data/sqlite-source-ids.tsv` (SQLite releases by the date of their source id).

use std::sync::OnceLock;

use crate::tsv::{self, Problem, TableError};

const LIBRARIES: &str = include_str!("../../data/c-libraries.tsv");
const SIGNATURES: &str = include_str!("../../data/bundled-libraries.tsv");
const SYS_CRATES: &str = include_str!("../../data/sys-crates.tsv");
const SQLITE_IDS: &str = include_str!("../../data/sqlite-source-ids.tsv");
const FUNCTIONS: &str = include_str!("../../data/c-library-functions.tsv");

/// A row of `data/c-library-functions.tsv`: a function an advisory names as vulnerable code.
#[derive(Debug, Clone)]
pub struct TrackedFunction {
    /// Library (a `c-libraries.tsv` name).
    pub library: String,
    /// The C function.
    pub function: String,
}

/// Parse `data/c-library-functions.tsv`.
pub fn parse_functions(text: &str) -> Result<Vec<TrackedFunction>, TableError> {
    tsv::load("c-library-functions.tsv", text, 3, |row| {
        row.required(2, "source")?;
        Ok(TrackedFunction {
            library: row.required(0, "library")?.into(),
            function: row.required(1, "function")?.into(),
        })
    })
}

/// The compiled-in `data/c-library-functions.tsv`.
pub fn tracked_functions() -> &'static [TrackedFunction] {
    static T: OnceLock<Vec<TrackedFunction>> = OnceLock::new();
    tsv::compiled(&T, || parse_functions(FUNCTIONS))
}

/// What must be seen, besides the library's code, before it is reported (`needs` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Needs {
    /// One of its version or identity rows.
    Version,
    /// A version or identity row, or two different code/symbol rows.
    Code,
    /// A version or identity row, or a crate that vendors it among the file's components.
    VersionOrCrate,
}

/// A row of `data/c-libraries.tsv`.
#[derive(Debug, Clone)]
pub struct Library {
    /// Component name, `pkg:generic` name, advisory ecosystem.
    pub name: String,
    /// NVD CPE `vendor:product`, when NVD has one.
    pub cpe: Option<String>,
    /// What must be seen before it is reported.
    pub needs: Needs,
    /// The Rust crates that vendor it.
    pub crates: Vec<String>,
}

/// How a version row's version is read (`extract` column).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Extract {
    /// Right after the pattern; at least this many dot-separated numbers.
    After(usize),
    /// The next NUL-terminated string after the pattern (which ends in NUL).
    Next,
    /// Group 1 of the regular expression in the pattern column.
    Regex,
    /// Group 1 is a SQLite source id's date and time, mapped by `sqlite-source-ids.tsv`.
    SqliteId,
    /// Not a version row.
    None,
}

/// What a row of `data/bundled-libraries.tsv` says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// The library's version data.
    Version,
    /// Names the library, no version.
    Identity,
    /// A string or table of its compiled code.
    Code,
    /// A function defined in `.symtab`.
    Symbol,
    /// When the library in `pattern` is found, this one is not reported.
    Unless,
}

/// A row of `data/bundled-libraries.tsv`.
#[derive(Debug, Clone)]
pub struct Row {
    /// Library (a `c-libraries.tsv` name).
    pub library: String,
    /// What the row says.
    pub role: Role,
    /// Stable name, used in evidence.
    pub id: String,
    /// Bytes searched for (a literal), or a regular expression, a symbol name or a library name.
    pub pattern: Vec<u8>,
    /// How a version is read at the match.
    pub extract: Extract,
}

impl Row {
    /// The pattern is a literal for the one-pass byte scanner.
    pub fn is_literal(&self) -> bool {
        matches!(self.role, Role::Version | Role::Identity | Role::Code)
            && !matches!(self.extract, Extract::Regex | Extract::SqliteId)
    }
}

/// A row of `data/sys-crates.tsv`.
#[derive(Debug, Clone)]
pub struct SysCrate {
    /// Library (a `c-libraries.tsv` name).
    pub library: String,
    /// Crate name.
    pub krate: String,
    /// Crate version, build metadata included (`300.0.10+3.0.6`).
    pub crate_version: String,
    /// The library version it vendors.
    pub library_version: String,
}

/// A row of `data/sqlite-source-ids.tsv`.
#[derive(Debug, Clone)]
pub struct SqliteRelease {
    /// `3.45.1`.
    pub version: String,
    /// The source id's date and time, `2024-01-30 16:01:20`.
    pub when: String,
}

const NEEDS: &str = "version, code, version-or-crate";
const ROLES: &str = "version, identity, code, symbol, unless";
const EXTRACTS: &str = "after, after3, next, regex, sqlite-id, -";

/// Parse `data/c-libraries.tsv`.
pub fn parse_libraries(text: &str) -> Result<Vec<Library>, TableError> {
    tsv::load("c-libraries.tsv", text, 5, |row| {
        row.required(4, "source")?;
        let needs = match row.required(2, "needs")? {
            "version" => Needs::Version,
            "code" => Needs::Code,
            "version-or-crate" => Needs::VersionOrCrate,
            t => return Err(row.error(Problem::Word { column: "needs", text: t.into(), allowed: NEEDS })),
        };
        Ok(Library {
            name: row.required(0, "library")?.into(),
            cpe: row.optional(1).map(str::to_string),
            needs,
            crates: row.optional(3).map(|c| c.split(',').map(str::to_string).collect()).unwrap_or_default(),
        })
    })
}

/// Parse `data/bundled-libraries.tsv`; every library must be in `libraries`.
pub fn parse_signatures(text: &str, libraries: &[Library]) -> Result<Vec<Row>, TableError> {
    let known = |n: &str| libraries.iter().any(|l| l.name == n);
    tsv::load("bundled-libraries.tsv", text, 5, |row| {
        let library = row.required(0, "library")?;
        if !known(library) {
            return Err(row.error(Problem::Word {
                column: "library",
                text: library.into(),
                allowed: "a library of c-libraries.tsv",
            }));
        }
        let role = match row.required(1, "role")? {
            "version" => Role::Version,
            "identity" => Role::Identity,
            "code" => Role::Code,
            "symbol" => Role::Symbol,
            "unless" => Role::Unless,
            t => return Err(row.error(Problem::Word { column: "role", text: t.into(), allowed: ROLES })),
        };
        let extract = match row.required(4, "extract")? {
            "after" => Extract::After(2),
            "after3" => Extract::After(3),
            "next" => Extract::Next,
            "regex" => Extract::Regex,
            "sqlite-id" => Extract::SqliteId,
            "-" => Extract::None,
            t => return Err(row.error(Problem::Word { column: "extract", text: t.into(), allowed: EXTRACTS })),
        };
        if (role == Role::Version) == (extract == Extract::None) {
            return Err(row.error(Problem::Word {
                column: "extract",
                text: row.text(4).into(),
                allowed: "a way to read the version on version rows, `-` on the others",
            }));
        }
        let pattern = match extract {
            Extract::Regex | Extract::SqliteId => {
                let p = row.required(3, "pattern")?;
                if regex::bytes::Regex::new(p).map_or(true, |r| r.captures_len() < 2) {
                    return Err(row.error(Problem::Text { column: "pattern", text: p.into() }));
                }
                p.as_bytes().to_vec()
            }
            _ => row.pattern(3)?,
        };
        if role == Role::Unless && !known(row.text(3)) {
            return Err(row.error(Problem::Word {
                column: "pattern",
                text: row.text(3).into(),
                allowed: "a library of c-libraries.tsv",
            }));
        }
        Ok(Row { library: library.into(), role, id: row.required(2, "id")?.into(), pattern, extract })
    })
}

/// Parse `data/sys-crates.tsv`.
pub fn parse_sys_crates(text: &str) -> Result<Vec<SysCrate>, TableError> {
    tsv::load("sys-crates.tsv", text, 5, |row| {
        row.required(4, "source")?;
        Ok(SysCrate {
            library: row.required(0, "library")?.into(),
            krate: row.required(1, "crate")?.into(),
            crate_version: row.required(2, "crate_version")?.into(),
            // A crate that vendors a development snapshot says so (`8.22.0-DEV`); the library's
            // own version text in a binary has no suffix, and the snapshot is that release's code.
            library_version: row.required(3, "library_version")?.trim_end_matches("-DEV").into(),
        })
    })
}

/// Parse `data/sqlite-source-ids.tsv`.
pub fn parse_sqlite_ids(text: &str) -> Result<Vec<SqliteRelease>, TableError> {
    tsv::load("sqlite-source-ids.tsv", text, 4, |row| {
        row.required(2, "source")?;
        let when = row.required(1, "source_id_prefix")?;
        if when.len() != 19 {
            return Err(row.error(Problem::Text { column: "source_id_prefix", text: when.into() }));
        }
        Ok(SqliteRelease { version: row.required(0, "version")?.into(), when: when.into() })
    })
}

/// The compiled-in `data/c-libraries.tsv`.
pub fn libraries() -> &'static [Library] {
    static T: OnceLock<Vec<Library>> = OnceLock::new();
    tsv::compiled(&T, || parse_libraries(LIBRARIES))
}

/// The compiled-in `data/bundled-libraries.tsv`.
pub fn signatures() -> &'static [Row] {
    static T: OnceLock<Vec<Row>> = OnceLock::new();
    tsv::compiled(&T, || parse_signatures(SIGNATURES, libraries()))
}

/// The compiled-in `data/sys-crates.tsv`.
pub fn sys_crates() -> &'static [SysCrate] {
    static T: OnceLock<Vec<SysCrate>> = OnceLock::new();
    tsv::compiled(&T, || parse_sys_crates(SYS_CRATES))
}

/// The compiled-in `data/sqlite-source-ids.tsv`.
pub fn sqlite_releases() -> &'static [SqliteRelease] {
    static T: OnceLock<Vec<SqliteRelease>> = OnceLock::new();
    tsv::compiled(&T, || parse_sqlite_ids(SQLITE_IDS))
}
