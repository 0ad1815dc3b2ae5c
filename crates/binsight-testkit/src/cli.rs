//! The `binsight` binary, run as a script would run it on any machine: an environment cleared
//! but for `PATH`, an empty advisory database, no config file, no colour, and fixed
//! `SOURCE_DATE_EPOCH`; its whole output (exit code, stdout, stderr) as one text.
//!
//! The binary's path comes from the test (`env!("CARGO_BIN_EXE_binsight")`, only known in the
//! `binsight` crate's tests).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// `SOURCE_DATE_EPOCH` of hermetic runs: 2024-01-02T03:04:05Z (SBOM timestamps).
pub const SOURCE_DATE_EPOCH: &str = "1704164645";

/// A hermetic home for `binsight` runs: its own empty data, config and cache directories,
/// removed on drop.
pub struct Binsight {
    bin: PathBuf,
    home: tempfile::TempDir,
}

impl Binsight {
    /// Runs of the binary at `bin` in a new empty home (panics when no temporary directory can be
    /// made).
    pub fn new(bin: impl Into<PathBuf>) -> Binsight {
        Binsight { bin: bin.into(), home: tempfile::tempdir().expect("tempdir") }
    }

    /// The temporary home (`HOME`; data, config and cache directories are under it).
    pub fn home(&self) -> &Path {
        self.home.path()
    }

    /// A command for the binary: environment cleared but for `PATH`; `HOME` and the XDG
    /// directories in the temporary home (so no config file and an empty advisory database),
    /// `NO_COLOR=1`, `CI=true`, no `COLUMNS` (messages on one line), `SOURCE_DATE_EPOCH` fixed,
    /// stdin closed, the working directory the temporary home.
    pub fn cmd(&self) -> Command {
        let h = self.home.path();
        let mut c = Command::new(&self.bin);
        c.env_clear();
        if let Some(p) = std::env::var_os("PATH") {
            c.env("PATH", p);
        }
        c.env("HOME", h)
            .env("XDG_CONFIG_HOME", h.join("config"))
            .env("XDG_DATA_HOME", h.join("data"))
            .env("XDG_CACHE_HOME", h.join("cache"))
            .env("BINSIGHT_DATA", h.join("data/binsight"))
            .env("NO_COLOR", "1")
            .env("CI", "true")
            .env("LC_ALL", "C")
            .env("SOURCE_DATE_EPOCH", SOURCE_DATE_EPOCH)
            .current_dir(h)
            .stdin(Stdio::null());
        c
    }

    /// Run with `args` (see [`Binsight::cmd`]).
    pub fn run<I, S>(&self, args: I) -> Output
    where
        I: IntoIterator<Item = S>,
        S: AsRef<OsStr>,
    {
        run(self.cmd().args(args))
    }
}

/// The running test binary itself: a real ELF (dynamic, glibc) built by the toolchain running
/// the tests, for cases that need any ELF file.
pub fn this_exe() -> PathBuf {
    std::env::current_exe().expect("current exe")
}

/// JSON lines (binsight's `-o json`), each parsed; a line that is not JSON fails the test.
pub fn json_lines(out: impl AsRef<[u8]>) -> Vec<serde_json::Value> {
    String::from_utf8_lossy(out.as_ref())
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("not JSON: {e}: {l}")))
        .collect()
}

/// What a run printed and how it ended.
#[derive(Debug)]
pub struct Output {
    /// Exit code (`None`: killed by a signal).
    pub code: Option<i32>,
    /// Standard output, as text (invalid UTF-8 replaced).
    pub stdout: String,
    /// Standard error, as text (invalid UTF-8 replaced).
    pub stderr: String,
}

/// Run `c` to the end.
pub fn run(c: &mut Command) -> Output {
    let o = c.output().unwrap_or_else(|e| panic!("running {c:?}: {e}"));
    Output {
        code: o.status.code(),
        stdout: String::from_utf8_lossy(&o.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&o.stderr).into_owned(),
    }
}

impl Output {
    /// stdout's JSON lines re-indented (see [`pretty_json_lines`]).
    pub fn pretty(mut self) -> Output {
        self.stdout = pretty_json_lines(&self.stdout);
        self
    }

    /// The whole output as one text for a snapshot: the exit code, then stdout and stderr
    /// (each section present even when empty, so a new line on either shows).
    pub fn snapshot(&self) -> String {
        let code = self.code.map_or_else(|| "killed by a signal".to_string(), |c| c.to_string());
        format!("exit code: {code}\n----- stdout -----\n{}----- stderr -----\n{}", self.stdout, self.stderr)
    }
}

/// Compact JSON lines re-indented for review (two spaces per level), token by token: key order,
/// spelling and escapes stay exactly as written. Lines that are not JSON objects or arrays,
/// and text already spread over lines, pass through as they are.
pub fn pretty_json_lines(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    for line in text.split_inclusive('\n') {
        let body = line.trim_end_matches('\n');
        if body.starts_with('{') || body.starts_with('[') {
            out.push_str(&reindent(body));
            out.push('\n');
        } else {
            out.push_str(line);
        }
    }
    out
}

fn reindent(json: &str) -> String {
    let mut out = String::with_capacity(json.len() * 2);
    let (mut depth, mut in_str, mut escaped) = (0usize, false, false);
    let mut chars = json.chars().peekable();
    let newline = |out: &mut String, depth: usize| {
        out.push('\n');
        out.push_str(&"  ".repeat(depth));
    };
    while let Some(c) = chars.next() {
        if in_str {
            out.push(c);
            match (escaped, c) {
                (true, _) => escaped = false,
                (false, '\\') => escaped = true,
                (false, '"') => in_str = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_str = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // Empty containers stay on one line.
                if matches!(chars.peek(), Some('}' | ']')) {
                    out.push(chars.next().unwrap_or(' '));
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c => out.push(c),
        }
    }
    out
}
