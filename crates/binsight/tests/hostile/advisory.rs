//! `binsight db import` of hostile OSV archives, and `--audit` over a hostile local database.
//! Each archive is generated here. A good record rides along in every archive: it must be
//! imported and then found by `inspect --audit` of binsight itself (which links serde_json).

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::harness::{self, Caps};

/// A record that says every serde_json is affected; `pad` bytes of `details` make it big.
fn record(id: &str, pad: usize) -> Vec<u8> {
    serde_json::json!({
        "id": id,
        "details": "x".repeat(pad),
        "affected": [{
            "package": {"ecosystem": "crates.io", "name": "serde_json"},
            "ranges": [{"type": "SEMVER", "events": [{"introduced": "0"}]}]
        }]
    })
    .to_string()
    .into_bytes()
}

/// Write a deflated zip of `(entry name, contents)` to `path`, one entry at a time.
fn write_zip(path: &Path, entries: impl IntoIterator<Item = (String, Vec<u8>)>) {
    let f = std::fs::File::create(path).expect("create zip");
    let mut z = zip::ZipWriter::new(std::io::BufWriter::new(f));
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    for (name, bytes) in entries {
        z.start_file(name, opts).expect("zip entry");
        z.write_all(&bytes).expect("zip write");
    }
    z.finish().expect("zip finish");
}

fn bin() -> &'static str {
    env!("CARGO_BIN_EXE_binsight")
}

struct Case {
    /// Holds `data/` (BINSIGHT_DATA) and the inputs; nothing else may appear in it.
    dir: tempfile::TempDir,
}

impl Case {
    fn new() -> Case {
        Case { dir: tempfile::tempdir().expect("tempdir") }
    }
    fn data(&self) -> PathBuf {
        self.dir.path().join("data")
    }
    fn input(&self, name: &str) -> PathBuf {
        self.dir.path().join(name)
    }
    fn run(&self, args: &[&str], caps: Caps) -> harness::Outcome {
        let data = self.data();
        let data = data.to_str().expect("utf-8 temp path");
        harness::run(args, &[("BINSIGHT_DATA", data)], caps)
    }
    /// Entries of `data/advisories/`: the sources, and no staging folder left behind.
    fn sources(&self) -> Vec<String> {
        let mut v: Vec<String> = std::fs::read_dir(self.data().join("advisories"))
            .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
            .unwrap_or_default();
        v.sort();
        v
    }
    /// Entries of the case's folder: only `data` and the inputs named.
    fn assert_only(&self, inputs: &[&str]) {
        let mut want: Vec<String> = inputs.iter().map(|s| s.to_string()).chain(["data".to_string()]).collect();
        want.sort();
        let mut got: Vec<String> = std::fs::read_dir(self.dir.path())
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        got.sort();
        assert_eq!(got, want, "something was written outside the database");
    }
    /// `inspect --audit` of binsight itself reports the good record.
    fn audit_finds(&self, id: &str, caps: Caps) -> harness::Outcome {
        let o = self.run(&["inspect", "--audit", bin()], caps);
        o.check(caps, &[0, 4]).stdout_has(id).no_control_chars();
        o
    }
}

/// 60 records of almost 1 MiB (60 MB inflated, ~60 KiB on disk) and 40 of 4 MiB (skipped):
/// the import holds one record at a time. Before: every record in memory (2.1 GB peak RSS
/// for 500 records of 4 MiB) and all of them accepted, so every `--audit` loaded them again.
#[test]
fn big_records_are_streamed_and_capped() {
    let c = Case::new();
    let zip = c.input("crates.io.zip");
    let near = (1 << 20) - 1000;
    let entries = (0..100).map(|i| {
        let id = format!("BIG-{i:03}");
        let pad = if i % 5 < 3 { near } else { 4 << 20 };
        (format!("{id}.json"), record(&id, pad))
    });
    write_zip(&zip, entries.chain([("GOOD-1.json".to_string(), record("HOSTILE-GOOD-1", 10))]));
    let caps = Caps { rss_mib: 48, secs: 60 };
    let o = c.run(&["db", "import", zip.to_str().expect("utf-8")], caps);
    o.check(caps, &[0])
        .stdout_has("imported 61 advisories as 'crates.io'")
        .stdout_has("(40 skipped)")
        .stderr_has("BIG-003.json: over the 1048576-byte limit for one advisory")
        .no_control_chars();
    assert_eq!(c.sources(), ["crates.io"]);
    // Loading 60 MB of records costs memory, but a bounded amount.
    c.audit_finds("HOSTILE-GOOD-1", Caps { rss_mib: 400, secs: 60 });
    c.assert_only(&["crates.io.zip"]);
}

/// One entry of 256 MiB of spaces deflates to ~256 KiB: it is refused after reading 1 MiB.
#[test]
fn a_zip_bomb_entry_is_skipped_and_the_rest_imported() {
    let c = Case::new();
    let zip = c.input("bomb.zip");
    let f = std::fs::File::create(&zip).expect("create");
    let mut z = zip::ZipWriter::new(f);
    let opts =
        zip::write::SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated).large_file(true);
    z.start_file("bomb.json", opts).expect("entry");
    let chunk = vec![b' '; 1 << 20];
    for _ in 0..256 {
        z.write_all(&chunk).expect("write");
    }
    z.start_file("good.json", opts).expect("entry");
    z.write_all(&record("HOSTILE-GOOD-1", 0)).expect("write");
    z.finish().expect("finish");
    let caps = Caps { rss_mib: 40, secs: 20 };
    c.run(&["db", "import", "--name", "crates.io", zip.to_str().expect("utf-8")], caps)
        .check(caps, &[0])
        .stderr_has("bomb.zip/bomb.json: over the 1048576-byte limit")
        .stdout_has("imported 1 advisory as 'crates.io'");
    c.audit_finds("HOSTILE-GOOD-1", Caps { rss_mib: 300, secs: 60 });
}

/// Before: a 300-character id aborted the whole import ("File name too long") and left
/// `.crates.io.importing-PID` behind; a record with id `.meta` was written over the source's
/// `.meta.json` and silently lost.
#[test]
fn bad_ids_and_entry_names_are_skipped_or_stored_safely() {
    let c = Case::new();
    let zip = c.input("crates.io.zip");
    let entries = vec![
        ("long.json".to_string(), record(&"A".repeat(300), 0)),
        ("meta.json".to_string(), record(".meta", 0)),
        ("../../../escape.json".to_string(), record("../../../ESCAPE-1", 0)),
        ("/abs/x.json".to_string(), record("/tmp/ABS-1", 0)),
        ("esc\u{1b}[31m.json".to_string(), record("RED\u{1b}[31m", 0)),
        ("bad.json".to_string(), b"{\"id\": ".to_vec()),
        ("dup.json".to_string(), record("HOSTILE-GOOD-1", 0)),
        ("good.json".to_string(), record("HOSTILE-GOOD-1", 0)),
    ];
    write_zip(&zip, entries);
    let caps = Caps { rss_mib: 40, secs: 20 };
    let o = c.run(&["db", "import", zip.to_str().expect("utf-8")], caps);
    o.check(caps, &[0])
        .stdout_has("imported 4 advisories as 'crates.io'")
        .stdout_has("(4 skipped)")
        .stderr_has("long.json: id of 300 bytes is over the 128-byte limit")
        .stderr_has("esc\\u{1b}[31m.json: id holds control characters")
        .stderr_has("bad.json: not a valid OSV record")
        .stderr_has("good.json: duplicate id 'HOSTILE-GOOD-1'")
        .no_control_chars();
    assert_eq!(c.sources(), ["crates.io"], "a staging folder was left behind");
    c.assert_only(&["crates.io.zip"]);
    // The store's own metadata survived the `.meta` record, and that record is kept.
    let caps = Caps { rss_mib: 200, secs: 30 };
    c.run(&["db", "status"], caps).check(caps, &[0]).stdout_has("crates.io: 4 advisories (crates.io)");
    let o = c.audit_finds("HOSTILE-GOOD-1", caps);
    for id in [".meta", "../../../ESCAPE-1", "/tmp/ABS-1"] {
        o.stdout_has(id);
    }
}

/// Before: `db import` of a FIFO named `*.zip` waited for a writer forever.
#[test]
fn a_fifo_or_device_is_refused_at_once() {
    let c = Case::new();
    let fifo = c.input("export.zip");
    assert!(std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo").success());
    let caps = Caps { rss_mib: 40, secs: 5 };
    for p in [fifo.to_str().expect("utf-8"), "/dev/zero"] {
        c.run(&["db", "import", "--name", "crates.io", p], caps)
            .check(caps, &[3])
            .stderr_has("not a regular file")
            .stderr_has(p);
    }
    assert!(c.sources().is_empty());
}

/// A database written by an older binsight or by hand, with huge records: `--audit` skips
/// them unread (naming each file and what to do) instead of loading gigabytes. Before: 2.2 GB
/// peak RSS and 7.8 s for 500 records of 4 MiB.
#[test]
fn audit_startup_is_bounded_over_a_hostile_database() {
    let c = Case::new();
    let dir = c.data().join("advisories/crates.io");
    std::fs::create_dir_all(&dir).expect("mkdir");
    std::fs::write(
        dir.join(".meta.json"),
        br#"{"name":"crates.io","origin":"by hand","imported_at":1787270400,"records":41,"skipped":0}"#,
    )
    .expect("write");
    for i in 0..40 {
        std::fs::write(dir.join(format!("HUGE-{i:02}.json")), record(&format!("HUGE-{i:02}"), 8 << 20)).expect("write");
    }
    std::fs::write(dir.join("GOOD-1.json"), record("HOSTILE-GOOD-1", 0)).expect("write");
    let caps = Caps { rss_mib: 200, secs: 30 };
    let o = c.audit_finds("HOSTILE-GOOD-1", caps);
    o.stderr_has("HUGE-00.json: 8388") // 8 MiB plus the rest of the record
        .stderr_has("over the 1048576-byte limit for one advisory")
        .stderr_has("binsight db import")
        .stderr_has("20 more files skipped");
}
