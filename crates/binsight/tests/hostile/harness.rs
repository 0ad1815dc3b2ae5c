//! Runs `binsight` as a user would, under hard limits, and measures what it cost.
//!
//! - Memory: `prlimit --data` (heap and private writable mappings) stops a runaway allocation
//!   with an abort the test sees; peak RSS is `VmHWM` polled from `/proc/PID/status` every 5 ms
//!   (a run that ends before the first poll shows 0; the `--data` limit still bounds it).
//! - Time: a deadline after which the process is killed (and the case fails).
//! - stdin is closed, `CI=true`, colours off: what a script sees.
//! - `BINSIGHT_HOSTILE_BIN=PATH` runs another binsight binary (a release build, an older one).
#![allow(dead_code)]

use std::ffi::OsStr;
use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// What one case may cost.
#[derive(Clone, Copy, Debug)]
pub struct Caps {
    /// Peak resident memory, MiB (also the `prlimit --data` hard limit, with headroom).
    pub rss_mib: u64,
    /// Wall-clock time, seconds (the process is killed after twice this).
    pub secs: u64,
}

/// What a run did.
#[derive(Debug)]
pub struct Outcome {
    pub args: Vec<String>,
    /// Exit code; `None` when killed by a signal (abort, OOM kill, our deadline).
    pub code: Option<i32>,
    pub signal: Option<i32>,
    pub stdout: String,
    pub stderr: String,
    pub peak_rss_kib: u64,
    pub elapsed: Duration,
    pub timed_out: bool,
}

/// The binary under test: this build's, or `BINSIGHT_HOSTILE_BIN` (to measure a release build
/// or an older one against the same cases).
fn bin() -> std::path::PathBuf {
    std::env::var_os("BINSIGHT_HOSTILE_BIN").map_or_else(|| env!("CARGO_BIN_EXE_binsight").into(), Into::into)
}

fn prlimit() -> &'static str {
    // util-linux (Essential in Debian) ships it.
    for p in ["/usr/bin/prlimit", "/bin/prlimit"] {
        if Path::new(p).is_file() {
            return p;
        }
    }
    panic!("prlimit not found: Debian's util-linux (Essential) provides it");
}

fn vm_hwm_kib(pid: u32) -> Option<u64> {
    let s = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Run `binsight ARGS` with `env` under `caps`.
pub fn run<I, S>(args: I, env: &[(&str, &str)], caps: Caps) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    run_in(None, args, env, caps)
}

/// [`run`] in the working directory `cwd` (None: the test's own).
pub fn run_in<I, S>(cwd: Option<&Path>, args: I, env: &[(&str, &str)], caps: Caps) -> Outcome
where
    I: IntoIterator<Item = S>,
    S: AsRef<OsStr>,
{
    let args: Vec<std::ffi::OsString> = args.into_iter().map(|a| a.as_ref().to_os_string()).collect();
    // Headroom over the RSS cap for the allocator's untouched reservations; RSS is checked
    // separately and exactly.
    let data = (caps.rss_mib * 2 + 256) << 20;
    let mut cmd = Command::new(prlimit());
    cmd.arg(format!("--data={data}")).arg("--").arg(bin()).args(&args);
    cmd.env("CI", "true").env("NO_COLOR", "1").env_remove("BINSIGHT_CONFIG");
    for (k, v) in env {
        cmd.env(k, v);
    }
    if let Some(d) = cwd {
        cmd.current_dir(d);
    }
    cmd.stdin(Stdio::null()).stdout(Stdio::piped()).stderr(Stdio::piped());
    let start = Instant::now();
    let mut child = cmd.spawn().expect("run binsight under prlimit");
    let pid = child.id();
    // Drain both pipes on threads so a chatty child never blocks.
    let mut out = child.stdout.take().expect("stdout");
    let mut err = child.stderr.take().expect("stderr");
    let t_out = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = out.read_to_end(&mut v);
        v
    });
    let t_err = std::thread::spawn(move || {
        let mut v = Vec::new();
        let _ = err.read_to_end(&mut v);
        v
    });
    let deadline = Duration::from_secs(caps.secs * 2 + 5);
    let mut peak = 0;
    let mut timed_out = false;
    let status = loop {
        if let Some(k) = vm_hwm_kib(pid) {
            peak = peak.max(k);
        }
        match child.try_wait().expect("wait") {
            Some(st) => break st,
            None if start.elapsed() > deadline => {
                timed_out = true;
                let _ = child.kill();
                break child.wait().expect("wait");
            }
            None => std::thread::sleep(Duration::from_millis(5)),
        }
    };
    let elapsed = start.elapsed();
    use std::os::unix::process::ExitStatusExt;
    Outcome {
        args: args.iter().map(|a| a.to_string_lossy().into_owned()).collect(),
        code: status.code(),
        signal: status.signal(),
        stdout: String::from_utf8_lossy(&t_out.join().expect("stdout thread")).into_owned(),
        stderr: String::from_utf8_lossy(&t_err.join().expect("stderr thread")).into_owned(),
        peak_rss_kib: peak,
        elapsed,
        timed_out,
    }
}

impl Outcome {
    /// No signal, no deadline, exit code one of `codes`, within `caps`; prints the cost (shown
    /// with `--nocapture`, and in the failure message).
    pub fn check(&self, caps: Caps, codes: &[i32]) -> &Self {
        let summary = format!(
            "binsight {}: exit {:?} signal {:?} in {:.2}s, peak RSS {} MiB (caps {} MiB, {} s)\n--- stderr:\n{}",
            self.args.join(" "),
            self.code,
            self.signal,
            self.elapsed.as_secs_f64(),
            self.peak_rss_kib / 1024,
            caps.rss_mib,
            caps.secs,
            tail(&self.stderr, 3000)
        );
        eprintln!("{}", summary.lines().next().unwrap_or(""));
        assert!(!self.timed_out, "killed at the deadline: {summary}");
        assert!(self.signal.is_none(), "killed by a signal: {summary}");
        assert!(self.code.is_some_and(|c| codes.contains(&c)), "exit code not in {codes:?}: {summary}");
        assert!(self.peak_rss_kib / 1024 <= caps.rss_mib, "over the RSS cap: {summary}");
        assert!(self.elapsed <= Duration::from_secs(caps.secs), "over the time cap: {summary}");
        self
    }

    pub fn stderr_has(&self, needle: &str) -> &Self {
        assert!(self.stderr.contains(needle), "stderr lacks {needle:?}:\n{}", tail(&self.stderr, 3000));
        self
    }

    pub fn stdout_has(&self, needle: &str) -> &Self {
        assert!(self.stdout.contains(needle), "stdout lacks {needle:?}:\n{}", tail(&self.stdout, 3000));
        self
    }

    /// Neither stream holds a control character other than newline and tab.
    pub fn no_control_chars(&self) -> &Self {
        for (name, s) in [("stdout", &self.stdout), ("stderr", &self.stderr)] {
            if let Some(c) = s.chars().find(|c| c.is_control() && *c != '\n' && *c != '\t') {
                panic!("{name} holds control character {c:?}:\n{}", s.escape_debug());
            }
        }
        self
    }
}

fn tail(s: &str, n: usize) -> &str {
    let mut i = s.len().saturating_sub(n);
    while !s.is_char_boundary(i) {
        i += 1;
    }
    &s[i..]
}
