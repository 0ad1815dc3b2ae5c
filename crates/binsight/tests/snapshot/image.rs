//! `scan` of a container image built here from corpus binaries: a docker-archive of two layers,
//! the upper one deleting a file of the lower one. Deterministic bytes (mtime 0, sorted JSON),
//! so its digests are the same on every machine and stay visible. The layers are plain tars:
//! gzip output differs between flate2 backends, and a digest must not change with one.

use binsight_testkit::corpus;
use binsight_testkit::image::{docker_archive, files_tar, plain_layer};

use crate::common::{binsight, filters, snap};

#[test]
fn image_scan_json_and_table() {
    let b = binsight();
    let lower = plain_layer(&files_tar(&[
        ("usr/bin/hello", corpus::read("c/gcc-musl-1.2.5/x86_64-static/hello")),
        ("usr/bin/deleted", corpus::read("c/gcc-glibc-2.36/x86_64-dynamic/dns")),
        ("etc/motd", b"hello\n".to_vec()),
    ]));
    let upper = plain_layer(&files_tar(&[
        ("usr/bin/.wh.deleted", vec![]),
        ("app/vuln", corpus::read("vuln/rust-1.95.0/x86_64-musl/vuln-rust.auditable")),
    ]));
    docker_archive(
        &b.home().join("demo.tar"),
        &[lower, upper],
        serde_json::json!({"Entrypoint": ["/app/vuln"]}),
        "demo:1",
    );
    let json = b.run(["scan", "--audit", "--sort", "-o", "json", "docker-archive:demo.tar"]).pretty();
    snap!(filters(&b), "image-scan-json", json.snapshot());
    let mut c = b.cmd();
    c.env("COLUMNS", "120").args(["scan", "--audit", "demo.tar"]);
    let table = binsight_testkit::cli::run(&mut c);
    snap!(filters(&b), "image-scan-table", table.snapshot());
}
