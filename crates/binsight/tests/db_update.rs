//! `binsight db update` against a real HTTP server on loopback that serves OSV exports the way
//! OSV's bucket does (`<mirror>/<ecosystem>/all.zip`, `x-goog-hash: md5=…`), built from the
//! shared OSV snapshot; and against the ways a download goes wrong: truncated, corrupt, missing,
//! not a zip. A failed update must leave the previous database exactly as it was.

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use base64::Engine as _;
use md5::Digest as _;
use predicates::prelude::*;

const RECORDS: usize = 25;

fn export_zip() -> Vec<u8> {
    let osv = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../../shared/osv/crates.io");
    let mut files: Vec<PathBuf> = std::fs::read_dir(&osv)
        .unwrap_or_else(|e| panic!("OSV snapshot expected at {}: {e}", osv.display()))
        .flatten()
        .map(|e| e.path())
        .collect();
    files.sort();
    let mut z = zip::ZipWriter::new(std::io::Cursor::new(Vec::new()));
    for f in files.iter().take(RECORDS) {
        let name = f.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
        z.start_file(name, zip::write::SimpleFileOptions::default()).expect("zip entry");
        z.write_all(&std::fs::read(f).expect("read record")).expect("zip write");
    }
    z.finish().expect("zip").into_inner()
}

/// Serve forever on loopback: `/<case>/crates.io/all.zip`.
fn serve(zip: Vec<u8>) -> String {
    let l = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let addr = l.local_addr().expect("addr");
    std::thread::spawn(move || {
        for conn in l.incoming().flatten() {
            let mut r = BufReader::new(conn.try_clone().expect("clone"));
            let mut line = String::new();
            let _ = r.read_line(&mut line);
            let path = line.split_whitespace().nth(1).unwrap_or("").to_string();
            loop {
                let mut h = String::new();
                if r.read_line(&mut h).unwrap_or(0) == 0 || h == "\r\n" {
                    break;
                }
            }
            let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(&zip));
            let mut w = conn;
            let head = |len: usize, md5: &str| {
                format!("HTTP/1.1 200 OK\r\nContent-Length: {len}\r\nx-goog-hash: crc32c=AAAAAA==\r\nx-goog-hash: md5={md5}\r\nConnection: close\r\n\r\n")
            };
            let _ = match path.split('/').nth(1).unwrap_or("") {
                "good" => w.write_all(head(zip.len(), &md5).as_bytes()).and_then(|()| w.write_all(&zip)),
                // Promise the whole file, send half, hang up.
                "truncated" => {
                    w.write_all(head(zip.len(), &md5).as_bytes()).and_then(|()| w.write_all(&zip[..zip.len() / 2]))
                }
                // Same length, one byte flipped.
                "corrupt" => {
                    let mut bad = zip.clone();
                    let mid = bad.len() / 2;
                    bad[mid] ^= 0xff;
                    w.write_all(head(bad.len(), &md5).as_bytes()).and_then(|()| w.write_all(&bad))
                }
                "html" => {
                    let body = b"<html>maintenance</html>";
                    let md5 = base64::engine::general_purpose::STANDARD.encode(md5::Md5::digest(body));
                    w.write_all(head(body.len(), &md5).as_bytes()).and_then(|()| w.write_all(body))
                }
                _ => w.write_all(b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n"),
            };
        }
    });
    format!("http://{addr}")
}

fn db(data: &Path, args: &[&str]) -> assert_cmd::assert::Assert {
    Command::cargo_bin("binsight").expect("binary").env("BINSIGHT_DATA", data).arg("db").args(args).assert()
}

fn records_on_disk(data: &Path) -> Vec<String> {
    let mut v: Vec<String> = std::fs::read_dir(data.join("advisories/crates.io"))
        .map(|d| d.flatten().map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    v.sort();
    v
}

#[test]
fn update_downloads_checks_and_swaps_atomically() {
    let base = serve(export_zip());
    let data = tempfile::tempdir().expect("tmp");
    let d = data.path();

    db(d, &["update", "--source", "crates.io", "--mirror", &format!("{base}/good")]).success().stdout(
        predicate::str::contains(format!(
            "updated 'crates.io': {RECORDS} advisories from {base}/good/crates.io/all.zip"
        )),
    );
    let good = records_on_disk(d);
    assert_eq!(good.len(), RECORDS + 1, "records plus .meta.json: {good:?}");
    db(d, &["status"]).success().stdout(predicate::str::contains(format!("crates.io: {RECORDS} advisories")));

    for (case, why) in [
        ("truncated", "interrupted"),
        ("corrupt", "MD5 does not match"),
        ("html", "not a readable zip"),
        ("missing", "404"),
    ] {
        db(d, &["update", "--source", "crates.io", "--mirror", &format!("{base}/{case}")])
            .code(1)
            .stderr(predicate::str::contains(why).and(predicate::str::contains("unchanged")))
            // Errors name the URL, never the temporary download file.
            .stderr(predicate::str::contains(".download-").not())
            .stderr(predicate::str::contains(format!("{base}/{case}/crates.io/all.zip")));
        assert_eq!(records_on_disk(d), good, "{case}: the database changed");
        let leftovers: Vec<_> = std::fs::read_dir(d.join("advisories"))
            .expect("list")
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "crates.io")
            .collect();
        assert!(leftovers.is_empty(), "{case}: left behind {leftovers:?}");
    }
}

#[test]
fn an_unreachable_mirror_is_a_clear_error() {
    let data = tempfile::tempdir().expect("tmp");
    // A port nothing listens on: bind, learn the port, close.
    let port = TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("port");
    db(data.path(), &["update", "--mirror", &format!("http://127.0.0.1:{port}")])
        .code(1)
        .stderr(predicate::str::contains("db update crates.io").and(predicate::str::contains("db update Go")))
        .stderr(predicate::str::contains("binsight db import"));
}
