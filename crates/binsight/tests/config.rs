//! Configuration: the config file, BINSIGHT_* variables, their precedence, the generated docs
//! table, `version`, `completion` and `-v`.

use std::path::{Path, PathBuf};

use assert_cmd::Command;

/// A place to run in: an empty working directory and config directory, no advisory data, and
/// none of the caller's BINSIGHT_* or log variables.
struct Env {
    cwd: tempfile::TempDir,
    xdg: tempfile::TempDir,
    data: tempfile::TempDir,
}

impl Env {
    fn new() -> Env {
        Env {
            cwd: tempfile::tempdir().expect("tmp"),
            xdg: tempfile::tempdir().expect("tmp"),
            data: tempfile::tempdir().expect("tmp"),
        }
    }
    fn bin(&self) -> Command {
        let mut c = Command::cargo_bin("binsight").expect("binary built");
        for (k, _) in std::env::vars_os() {
            if k.to_string_lossy().starts_with("BINSIGHT_") {
                c.env_remove(&k);
            }
        }
        c.env_remove("RUST_LOG")
            .env("BINSIGHT_DATA", self.data.path())
            .env("XDG_CONFIG_HOME", self.xdg.path())
            .current_dir(self.cwd.path());
        c
    }
    /// Write `binsight.toml` in the working directory.
    fn cwd_config(&self, text: &str) -> PathBuf {
        let p = self.cwd.path().join("binsight.toml");
        std::fs::write(&p, text).expect("write");
        p
    }
}

/// This test binary: a real dynamic ELF.
use binsight_testkit::cli::this_exe as some_elf;

fn is_json_lines(out: &[u8]) -> bool {
    let text = String::from_utf8_lossy(out);
    !text.trim().is_empty() && text.lines().all(|l| serde_json::from_str::<serde_json::Value>(l).is_ok())
}

fn stdout_of(c: &mut Command) -> Vec<u8> {
    c.assert().success().get_output().stdout.clone()
}

fn stderr_of(c: &mut Command, code: i32) -> String {
    String::from_utf8_lossy(&c.assert().code(code).get_output().stderr).into_owned()
}

#[test]
fn a_config_file_in_the_working_directory_is_applied() {
    let e = Env::new();
    // Without it: the table.
    assert!(!is_json_lines(&stdout_of(e.bin().arg("inspect").arg(some_elf()))));
    e.cwd_config("output = \"json\"\n");
    assert!(is_json_lines(&stdout_of(e.bin().arg("inspect").arg(some_elf()))));
}

#[test]
fn the_xdg_config_file_is_found() {
    let e = Env::new();
    let dir = e.xdg.path().join("binsight");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::write(dir.join("config.toml"), "output = \"json\"\n").expect("write");
    assert!(is_json_lines(&stdout_of(e.bin().arg("inspect").arg(some_elf()))));
    // A file in the working directory comes first, and only one file is read.
    e.cwd_config("[inspect]\noutput = \"table\"\n");
    assert!(!is_json_lines(&stdout_of(e.bin().arg("inspect").arg(some_elf()))));
}

#[test]
fn config_flag_wins_over_the_working_directory_and_must_exist() {
    let e = Env::new();
    // The working directory's file is not read at all when --config names another.
    e.cwd_config("this-key-is-unknown = 1\n");
    let other = e.data.path().join("other.toml");
    std::fs::write(&other, "output = \"json\"\n").expect("write");
    assert!(is_json_lines(&stdout_of(e.bin().arg("--config").arg(&other).arg("inspect").arg(some_elf()))));
    // After the subcommand too (a global option), and as BINSIGHT_CONFIG.
    assert!(is_json_lines(&stdout_of(
        e.bin().arg("inspect").arg(format!("--config={}", other.display())).arg(some_elf())
    )));
    assert!(is_json_lines(&stdout_of(e.bin().env("BINSIGHT_CONFIG", &other).arg("inspect").arg(some_elf()))));
    // A missing --config file is an error naming it; a missing default file is fine.
    let missing = e.data.path().join("missing.toml");
    let err = stderr_of(e.bin().arg("--config").arg(&missing).arg("inspect").arg(some_elf()), 2);
    assert!(err.contains(&missing.display().to_string()) && err.contains("No such file"), "{err}");
    std::fs::remove_file(e.cwd.path().join("binsight.toml")).expect("rm");
    e.bin().arg("inspect").arg(some_elf()).assert().success();
}

#[test]
fn precedence_is_command_line_then_environment_then_file() {
    let e = Env::new();
    e.cwd_config("output = \"table\"\n");
    // The environment overrides the file.
    assert!(is_json_lines(&stdout_of(e.bin().env("BINSIGHT_OUTPUT", "json").arg("inspect").arg(some_elf()))));
    // The command line overrides the environment.
    let out = stdout_of(e.bin().env("BINSIGHT_OUTPUT", "json").args(["inspect", "-o", "table"]).arg(some_elf()));
    assert!(!is_json_lines(&out) && String::from_utf8_lossy(&out).contains("glibc"));
    // An empty variable counts as unset.
    assert!(!is_json_lines(&stdout_of(e.bin().env("BINSIGHT_OUTPUT", "").arg("inspect").arg(some_elf()))));
    // A command's table wins over the top level, and applies to that command only.
    e.cwd_config("output = \"table\"\n[inspect]\noutput = \"json\"\n");
    assert!(is_json_lines(&stdout_of(e.bin().arg("inspect").arg(some_elf()))));
    e.cwd_config("[scan]\noutput = \"json\"\n");
    assert!(!is_json_lines(&stdout_of(e.bin().arg("inspect").arg(some_elf()))));
}

#[test]
fn integers_and_arrays_from_the_file_and_the_environment() {
    let e = Env::new();
    let sarif = e.data.path().join("out.sarif");
    e.cwd_config(&format!("[inspect]\noutput = [\"json\", \"sarif={}\"]\nmax-file-size = 1000\n", sarif.display()));
    let out = e.bin().arg("inspect").arg(some_elf()).assert().code(1).get_output().clone();
    assert!(String::from_utf8_lossy(&out.stderr).contains("over the 1000-byte limit"));
    assert!(is_json_lines(&out.stdout));
    assert!(sarif.is_file(), "the second -o of the array was written");
    // The variable overrides the file's integer.
    e.bin().env("BINSIGHT_MAX_FILE_SIZE", "1073741824").arg("inspect").arg(some_elf()).assert().success();
    // A list from the environment: comma-separated.
    let sarif2 = e.data.path().join("env.sarif");
    std::fs::remove_file(e.cwd.path().join("binsight.toml")).expect("rm");
    let out = stdout_of(
        e.bin().env("BINSIGHT_OUTPUT", format!("json,sarif={}", sarif2.display())).arg("inspect").arg(some_elf()),
    );
    assert!(is_json_lines(&out) && sarif2.is_file());
}

#[test]
fn unknown_keys_are_refused_naming_the_file_the_key_and_the_valid_keys() {
    let e = Env::new();
    e.cwd_config("[scan]\nmax-fil-size = 10\n");
    // Refused whichever command runs.
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("binsight.toml") && err.contains("unknown key `scan.max-fil-size`"), "{err}");
    assert!(err.contains("did you mean `max-file-size`?"), "{err}");
    assert!(err.contains("valid keys in [scan]:") && err.contains("max-layer-size"), "{err}");
    e.cwd_config("outptu = \"json\"\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("unknown key `outptu` (did you mean `output`?)") && err.contains("[scan]"), "{err}");
    e.cwd_config("scan = \"json\"\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("`scan` is a command: give its options as a table, [scan]"), "{err}");
    // Nothing like any key: no suggestion, still the list.
    e.cwd_config("[pack]\nzzzzzzzz = true\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("`pack.zzzzzzzz`;") && err.contains("allow-dynamic"), "{err}");
}

#[test]
fn bad_values_are_refused_naming_where_they_came_from() {
    let e = Env::new();
    let file = e.cwd_config("fail-on = \"severe\"\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains(&format!("config file {}", file.file_name().expect("name").to_string_lossy())), "{err}");
    assert!(err.contains("`fail-on`") && err.contains("severe") && err.contains("possible values"), "{err}");
    e.cwd_config("[scan]\nquiet = \"yes\"\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("`scan.quiet`") && err.contains("expected true or false"), "{err}");
    e.cwd_config("max-file-size = [1, 2]\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("`max-file-size`") && err.contains("not an array"), "{err}");
    e.cwd_config("output = [\n");
    let err = stderr_of(e.bin().arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("binsight.toml: not valid TOML") && err.contains("line 1"), "{err}");
    std::fs::remove_file(e.cwd.path().join("binsight.toml")).expect("rm");
    let err = stderr_of(e.bin().env("BINSIGHT_MAX_FILE_SIZE", "lots").arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("environment variable BINSIGHT_MAX_FILE_SIZE") && err.contains("lots"), "{err}");
    let err = stderr_of(e.bin().env("BINSIGHT_FAIL_ON", "severe").arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("BINSIGHT_FAIL_ON") && err.contains("possible values"), "{err}");
    // A variable of another command's option is not read.
    e.bin().env("BINSIGHT_USER", "alice").arg("inspect").arg(some_elf()).assert().success();
}

#[test]
fn boolean_variables_take_true_false_1_0() {
    let e = Env::new();
    let verdict = |v: &str| {
        let out = stdout_of(e.bin().env("BINSIGHT_AUDIT", v).args(["inspect", "-o", "json"]).arg(some_elf()));
        let r: serde_json::Value = serde_json::from_slice(&out).expect("json");
        r.get("verdict").is_some()
    };
    assert!(verdict("true"));
    assert!(verdict("1"));
    assert!(!verdict("false"));
    assert!(!verdict("0"));
    let err = stderr_of(e.bin().env("BINSIGHT_AUDIT", "maybe").arg("inspect").arg(some_elf()), 2);
    assert!(err.contains("BINSIGHT_AUDIT") && err.contains("true, false, 1 or 0"), "{err}");
    // The file's boolean, overridden by the variable.
    e.cwd_config("audit = true\n");
    assert!(!verdict("0"));
    let out = stdout_of(e.bin().args(["inspect", "-o", "json"]).arg(some_elf()));
    assert!(serde_json::from_slice::<serde_json::Value>(&out).expect("json").get("verdict").is_some());
}

#[test]
fn a_configured_option_does_not_demand_the_option_it_refines() {
    // fail-on-unrated needs --fail-on on the command line, but as a setting it just waits for one.
    let e = Env::new();
    e.cwd_config("fail-on-unrated = true\n");
    e.bin().arg("inspect").arg(some_elf()).assert().success();
    e.bin().args(["inspect", "--fail-on-unrated"]).arg(some_elf()).assert().code(2);
}

#[test]
fn the_old_mirror_variable_still_works_and_is_the_mirror_option() {
    let e = Env::new();
    let port = std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    let url = format!("http://127.0.0.1:{port}/from-env");
    let err = stderr_of(e.bin().env("BINSIGHT_OSV_MIRROR", &url).args(["-v", "db", "update", "--source", "Go"]), 1);
    assert!(err.contains("--mirror = \"http://127.0.0.1") && err.contains("from BINSIGHT_OSV_MIRROR"), "{err}");
    e.cwd_config(&format!("[db.update]\nmirror = \"http://127.0.0.1:{port}/from-file\"\n"));
    let err = stderr_of(e.bin().args(["-v", "db", "update", "--source", "Go"]), 1);
    assert!(err.contains("from-file") && err.contains("`db.update.mirror`"), "{err}");
}

fn docs_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../docs/configuration.md")
}

#[test]
fn docs_table_is_up_to_date() {
    let e = Env::new();
    let want = String::from_utf8(stdout_of(e.bin().arg("help-config"))).expect("utf-8");
    assert!(want.contains("| `--max-file-size` | `inspect`, `scan` | `BINSIGHT_MAX_FILE_SIZE` | `max-file-size` |"));
    assert!(want.contains("`BINSIGHT_OSV_MIRROR`"));
    let path = docs_path();
    if std::env::var_os("BINSIGHT_BLESS").is_some_and(|v| v == "1") {
        std::fs::write(&path, &want).expect("write docs/configuration.md");
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/configuration.md is out of date with the options: regenerate it with \
         `BINSIGHT_BLESS=1 cargo test -p binsight --test config docs_table` and commit it"
    );
}

#[test]
fn version_names_the_commit_the_snapshot_date_and_the_schema() {
    let e = Env::new();
    let v: serde_json::Value =
        serde_json::from_slice(&stdout_of(e.bin().args(["version", "-o", "json"]))).expect("one JSON object");
    assert_eq!(v["version"], env!("CARGO_PKG_VERSION"));
    assert_eq!(v["schema_version"], binsight_model::SCHEMA_VERSION);
    let date = v["advisory_snapshot_date"].as_str().expect("date");
    assert_eq!(date.len(), 10, "{date}");
    assert!(date.chars().enumerate().all(|(i, c)| if i == 4 || i == 7 { c == '-' } else { c.is_ascii_digit() }));
    assert_eq!(date, binsight_advisory::snapshot::info().date);
    // The commit: what git says, when this is a git checkout with git available.
    let commit = v["commit"].as_str().expect("commit");
    let dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let git = |args: &[&str]| {
        std::process::Command::new("git")
            .arg("-C")
            .arg(dir)
            .args(args)
            .output()
            .ok()
            .filter(|o| o.status.success())
            .map(|o| String::from_utf8_lossy(&o.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"]).map(PathBuf::from).and_then(|p| p.canonicalize().ok());
    let ours = dir.join("../..").canonicalize().ok();
    match git(&["rev-parse", "--short=12", "HEAD"]) {
        Some(hash) if top.is_some() && top == ours && std::env::var_os("BINSIGHT_BUILD_COMMIT").is_none() => {
            assert_eq!(hash.len(), 12);
            assert!(commit == hash || commit == format!("{hash}-dirty"), "built from {commit}, git says {hash}");
        }
        _ => assert!(!commit.is_empty()),
    }
    // The text form says the same.
    let text = String::from_utf8(stdout_of(e.bin().arg("version"))).expect("utf-8");
    assert!(text.starts_with(&format!("binsight {}\n", env!("CARGO_PKG_VERSION"))), "{text}");
    for want in [commit, date, &format!("JSON schema        {}", binsight_model::SCHEMA_VERSION)] {
        assert!(text.contains(want), "{want}: {text}");
    }
    // --version still works, and a broken config file does not stop `version`.
    e.cwd_config("not toml [");
    e.bin().arg("--version").assert().success().stdout(format!("binsight {}\n", env!("CARGO_PKG_VERSION")));
    e.bin().arg("version").assert().success();
}

#[test]
fn completion_scripts_for_every_shell() {
    let e = Env::new();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = String::from_utf8(stdout_of(e.bin().args(["completion", shell]))).expect("utf-8");
        assert!(out.len() > 500 && out.contains("scan") && out.contains("max-file-size"), "{shell}: {out}");
    }
    e.bin().args(["completion", "tcsh"]).assert().code(2);
}

#[test]
fn verbose_logs_go_to_stderr_only() {
    let e = Env::new();
    e.cwd_config("[inspect]\noutput = \"json\"\n");
    let quiet = e.bin().arg("inspect").arg(some_elf()).assert().success().get_output().clone();
    assert!(quiet.stderr.is_empty(), "{}", String::from_utf8_lossy(&quiet.stderr));
    let loud = e.bin().args(["inspect", "-v", "--audit"]).arg(some_elf()).assert().success().get_output().clone();
    let err = String::from_utf8_lossy(&loud.stderr);
    // Same stdout as without -v but for the audit's additions: every line is still a report.
    assert!(is_json_lines(&loud.stdout));
    assert_eq!(String::from_utf8_lossy(&loud.stdout).lines().count(), 1);
    for want in [
        "DEBUG",
        "reading binsight.toml (in the working directory)",
        "--output = \"json\" from ",
        "advisory data loaded",
        "snapshot: ",
        "finished in",
    ] {
        assert!(err.contains(want), "{want}: {err}");
    }
    // -v changes nothing on stdout.
    let plain = stdout_of(e.bin().args(["inspect", "-v"]).arg(some_elf()));
    assert_eq!(plain, quiet.stdout);
    // From the environment too, and BINSIGHT_LOG refines it.
    let err = stderr_of(e.bin().env("BINSIGHT_VERBOSE", "1").arg("inspect").arg(some_elf()), 0);
    assert!(err.contains("DEBUG"), "{err}");
    let err = stderr_of(e.bin().env("BINSIGHT_LOG", "binsight::config=off").args(["-v", "inspect"]).arg(some_elf()), 0);
    assert!(!err.contains("binsight::config") && err.contains("finished in"), "{err}");
    // -vv: trace level allowed (no trace records required), still nothing on stdout.
    assert_eq!(stdout_of(e.bin().args(["-vv", "inspect"]).arg(some_elf())), quiet.stdout);
}

#[test]
fn logs_never_print_control_characters_from_paths() {
    let e = Env::new();
    let dir = e.data.path().join("evil\x1b[31mdir\nname");
    std::fs::create_dir(&dir).expect("mkdir");
    std::fs::copy(some_elf(), dir.join("tool")).expect("copy");
    let out = e.bin().args(["-v", "scan", "-q", "-o", "json"]).arg(&dir).assert().success().get_output().clone();
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("source recognised: Dir("), "{err}");
    assert!(!err.contains('\x1b'), "{err:?}");
    assert!(err.lines().all(|l| l.starts_with("binsight: ")), "{err:?}");
}

/// Run as an unprivileged user (setpriv, as in cli.rs), since root reads anything: a default
/// location this user cannot look into is no config file; a file that is there but unreadable
/// is an error.
#[test]
fn an_unreachable_default_location_is_skipped_but_an_unreadable_file_is_refused() {
    use std::os::unix::fs::PermissionsExt as _;
    let e = Env::new();
    let elf = e.cwd.path().join("tool");
    std::fs::copy(some_elf(), &elf).expect("copy");
    let private = e.xdg.path().join("private");
    std::fs::create_dir_all(private.join("binsight")).expect("mkdir");
    std::fs::write(private.join("binsight/config.toml"), "output = \"json\"\n").expect("write");
    let mode = |p: &Path, m: u32| std::fs::set_permissions(p, std::fs::Permissions::from_mode(m)).expect("chmod");
    mode(&private, 0o700);
    for p in [e.cwd.path(), e.xdg.path(), e.data.path(), elf.as_path()] {
        mode(p, 0o755);
    }
    let is_root =
        std::process::Command::new("id").arg("-u").output().map(|o| o.stdout.starts_with(b"0")).unwrap_or(false);
    let run = |xdg: &Path| {
        let mut c = std::process::Command::new("setpriv");
        if is_root {
            c.args(["--reuid", "65534", "--regid", "65534", "--clear-groups"]);
        }
        c.arg(assert_cmd::cargo::cargo_bin("binsight"))
            .arg("inspect")
            .arg(&elf)
            .env("XDG_CONFIG_HOME", xdg)
            .env("BINSIGHT_DATA", e.data.path())
            .env_remove("RUST_LOG")
            .current_dir(e.cwd.path())
            .output()
            .expect("setpriv")
    };
    if is_root {
        mode(&private, 0o700);
    } else {
        mode(&private, 0o000);
    }
    let out = run(&private);
    assert_eq!(out.status.code(), Some(0), "{}", String::from_utf8_lossy(&out.stderr));
    assert!(!is_json_lines(&out.stdout), "the file it cannot reach was not read");
    let cwd_file = e.cwd.path().join("binsight.toml");
    std::fs::write(&cwd_file, "output = \"json\"\n").expect("write");
    mode(&cwd_file, 0o000);
    let out = run(e.xdg.path());
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("binsight.toml: cannot read it: Permission denied"), "{err}");
    mode(&private, 0o755);
}
