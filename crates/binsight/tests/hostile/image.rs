//! Images built to cost far more than their size, and sources that would hang: each is
//! bounded, says what it refused, and the rest of the run is reported.

use crate::gen;
use crate::harness::{self, Caps};

fn args(v: &[&str], paths: &[&std::path::Path]) -> Vec<String> {
    v.iter().map(|s| s.to_string()).chain(paths.iter().map(|p| p.display().to_string())).collect()
}

use binsight_testkit::cli::json_lines;

/// GNU long name and PAX records of 200 MiB (zeros, so the layer is small): once read whole
/// (a 1 GiB long name aborted at 2.7 GB), now refused at 64 KiB with an entry error; the entry
/// after them is reported.
#[test]
fn huge_long_name_and_pax_header() {
    let d = tempfile::tempdir().expect("tmp");
    let layout = d.path().join("img");
    let big = 200u64 << 20;
    let layer = gen::put_gzip_blob(&layout, |w| {
        for kind in [b'L', b'x'] {
            w.write_all(&gen::tar_header(kind, "././@LongLink", big)).expect("w");
            let zeros = vec![0u8; 1 << 20];
            for _ in 0..big >> 20 {
                w.write_all(&zeros).expect("w");
            }
            let mut f = Vec::new();
            gen::tar_file(&mut f, if kind == b'L' { "victim" } else { "victim2" }, &gen::good_elf_bytes());
            w.write_all(&f).expect("w");
        }
        let mut f = Vec::new();
        gen::tar_file(&mut f, "after", &gen::good_elf_bytes());
        f.extend([0u8; 1024]);
        w.write_all(&f).expect("w");
    });
    gen::oci_layout(&layout, &[layer]);
    let caps = Caps { rss_mib: 100, secs: 60 };
    let o = harness::run(args(&["scan", "-q", "-o", "json"], &[&layout]), &[], caps);
    o.check(caps, &[1]);
    let lines = json_lines(&o.stdout);
    assert!(lines.iter().any(|v| v["path"] == "/after"), "{}", o.stdout);
    assert!(o.stderr.contains("GNU long name of 209715200 bytes, over the 65536-byte cap"), "{}", o.stderr);
    assert!(o.stderr.contains("PAX header of 209715200 bytes, over the 65536-byte cap"), "{}", o.stderr);
}

/// One layer listed 100,000 times (a small archive; once 27 s and 1.2 GB): refused by the layer
/// cap in a moment. At the cap (1,000 times) the blob is read once.
#[test]
fn one_layer_listed_many_times() {
    let d = tempfile::tempdir().expect("tmp");
    let mut tar = Vec::new();
    gen::tar_file(&mut tar, "bin/app", &gen::good_elf_bytes());
    tar.extend([0u8; 1024]);
    let many = d.path().join("many");
    let l = gen::put_blob(&many, &tar);
    gen::oci_layout(&many, &vec![l.clone(); 100_000]);
    let at_cap = d.path().join("cap");
    gen::put_blob(&at_cap, &tar);
    gen::oci_layout(&at_cap, &vec![l; 1000]);
    // Parsing the 100,000-entry manifest (10 MB of JSON) is most of the memory.
    let caps = Caps { rss_mib: 250, secs: 30 };
    let o = harness::run(args(&["scan", "-q", "-o", "json"], &[&many, &at_cap]), &[], caps);
    o.check(caps, &[3]).stderr_has("lists 100000 layers, over the cap of 1000");
    let lines = json_lines(&o.stdout);
    let apps = lines.iter().filter(|v| v["path"] == "/bin/app").count();
    assert_eq!(apps, 1, "the image at the cap is reported, its file once: {}", o.stdout);
}

/// 100,000 hard links to one ELF file (once 69 s and 1.3 GB): links resolve by hash, and
/// at most 10,000 are reported, with one line saying how many more there are.
#[test]
fn a_hundred_thousand_hard_links() {
    let d = tempfile::tempdir().expect("tmp");
    let layout = d.path().join("img");
    let layer = gen::put_gzip_blob(&layout, |w| {
        let mut t = Vec::new();
        gen::tar_file(&mut t, "bin/app", &gen::good_elf_bytes());
        for i in 0..100_000 {
            gen::tar_link(&mut t, &format!("l/{i}"), "bin/app");
        }
        t.extend([0u8; 1024]);
        w.write_all(&t).expect("w");
    });
    gen::oci_layout(&layout, &[layer]);
    let caps = Caps { rss_mib: 600, secs: 120 };
    let o = harness::run(args(&["scan", "-q", "-o", "json"], &[&layout]), &[], caps);
    o.check(caps, &[1]).stderr_has("90000 more hard links to ELF files not reported (over the cap of 10000");
    assert_eq!(o.stdout.lines().filter(|l| l.contains("\"path\":\"/l/")).count(), 10_000);
}

/// 300,000 symbolic links with 100-byte targets, some in loops (kept for the loader's lookup of
/// shared libraries): at most 100,000 links and 8 MiB of them per layer are kept, a loop is
/// given up after 40 hops, and the ELF file after them is reported.
#[test]
fn three_hundred_thousand_symlinks() {
    let d = tempfile::tempdir().expect("tmp");
    let layout = d.path().join("img");
    let layer = gen::put_gzip_blob(&layout, |w| {
        let mut t = Vec::new();
        let long = "x".repeat(90);
        for i in 0..300_000 {
            let target = if i % 2 == 0 { format!("{long}/{i}") } else { format!("s/{}", i - 1) };
            binsight_testkit::rawtar::tar_symlink(&mut t, &format!("s/{i}"), &target);
            if t.len() > 1 << 20 {
                w.write_all(&t).expect("w");
                t.clear();
            }
        }
        binsight_testkit::rawtar::tar_symlink(&mut t, "lib/x86_64-linux-gnu", "lib/x86_64-linux-gnu");
        gen::tar_file(&mut t, "bin/app", &gen::good_elf_bytes());
        t.extend([0u8; 1024]);
        w.write_all(&t).expect("w");
    });
    gen::oci_layout(&layout, &[layer]);
    let caps = Caps { rss_mib: 200, secs: 60 };
    let o = harness::run(args(&["scan", "-q", "-o", "json"], &[&layout]), &[], caps);
    o.check(caps, &[0]);
    assert!(json_lines(&o.stdout).iter().any(|v| v["path"] == "/bin/app"), "{}", o.stdout);
}

/// 2,000 files nested 5,000 directories deep across 3 layers, with whiteouts above them (once
/// 47 s): paths past 256 levels are skipped with an error; squashing is linear.
#[test]
fn deep_paths_across_layers() {
    let d = tempfile::tempdir().expect("tmp");
    let layout = d.path().join("img");
    let mut layers = Vec::new();
    for layer in 0..3 {
        layers.push(gen::put_gzip_blob(&layout, |w| {
            let mut t = Vec::new();
            for f in 0..700 {
                let name = format!("{}f{layer}-{f}", "d/".repeat(5000));
                gen::tar_long_name(&mut t, &name);
                gen::tar_file(&mut t, "x", b"not an ELF file");
                // Shallow ones too, deleted by the layer above.
                gen::tar_file(&mut t, &format!("s/{layer}/f{f}"), b"data");
                if layer > 0 {
                    gen::tar_file(&mut t, &format!("s/{}/.wh.f{f}", layer - 1), b"");
                }
            }
            gen::tar_file(&mut t, &format!("ok{layer}"), &gen::good_elf_bytes());
            t.extend([0u8; 1024]);
            w.write_all(&t).expect("w");
        }));
    }
    gen::oci_layout(&layout, &layers);
    let caps = Caps { rss_mib: 200, secs: 60 };
    let o = harness::run(args(&["scan", "-q", "-o", "json"], &[&layout]), &[], caps);
    o.check(caps, &[1]).stderr_has("nested 5000 levels deep, over the cap of 256; skipped");
    let lines = json_lines(&o.stdout);
    for k in 0..3 {
        assert!(lines.iter().any(|v| v["path"] == format!("/ok{k}")), "{}", o.stdout);
    }
}

/// A FIFO named as a source (plain, `docker-archive:`, `oci-archive:`) once hung forever: it is
/// refused before being opened, and the good file in the same run is reported.
#[test]
fn fifo_sources_do_not_hang() {
    let d = tempfile::tempdir().expect("tmp");
    let fifo = d.path().join("fifo");
    let st = std::process::Command::new("mkfifo").arg(&fifo).status().expect("mkfifo (coreutils)");
    assert!(st.success());
    let good = d.path().join("good");
    gen::good_elf(&good);
    let caps = Caps { rss_mib: 100, secs: 20 };
    let f = fifo.display().to_string();
    for src in [f.clone(), format!("docker-archive:{f}"), format!("oci-archive:{f}"), format!("file:{f}")] {
        let o = harness::run(args(&["scan", "-q", "-o", "json", &src], &[&good]), &[], caps);
        o.check(caps, &[3]).stderr_has("not a regular file");
        assert!(o.stdout.contains("/good\""), "{src}: the good file is reported: {}", o.stdout);
    }
    let o = harness::run(args(&["inspect"], &[&fifo, &good]), &[], caps);
    o.check(caps, &[1, 3]).stderr_has("not a regular file");
}

/// A layer whose blob does not match its digest contributes no file (not in JSON, not in the
/// SBOM); the error names the image as its path and says why, once.
#[test]
fn tampered_layer_is_left_out() {
    let d = tempfile::tempdir().expect("tmp");
    let layout = d.path().join("img");
    let mut good = Vec::new();
    gen::tar_file(&mut good, "good/app", &gen::good_elf_bytes());
    good.extend([0u8; 1024]);
    let mut evil = Vec::new();
    gen::tar_file(&mut evil, "evil/app", &gen::good_elf_bytes());
    evil.extend([0u8; 1024]);
    let g = gen::put_blob(&layout, &good);
    let e = gen::put_blob(&layout, &evil);
    // Same length, one byte changed in the padding: the manifest's digest no longer matches.
    let p = layout.join("blobs/sha256").join(e.0.trim_start_matches("sha256:"));
    let mut b = std::fs::read(&p).expect("read");
    let n = b.len();
    b[n - 1] ^= 1;
    std::fs::write(&p, b).expect("write");
    gen::oci_layout(&layout, &[g, e.clone()]);
    let sbom = d.path().join("sbom.json");
    let caps = Caps { rss_mib: 100, secs: 30 };
    let spec = format!("cyclonedx-json={}", sbom.display());
    let o = harness::run(args(&["scan", "-q", "-o", "json", "-o", &spec], &[&layout]), &[], caps);
    o.check(caps, &[1]);
    let lines = json_lines(&o.stdout);
    assert!(lines.iter().any(|v| v["path"] == "/good/app"));
    assert!(!o.stdout.contains("/evil/app"), "{}", o.stdout);
    assert!(!std::fs::read_to_string(&sbom).expect("sbom").contains("evil"), "SBOM lists the tampered layer's file");
    let errs: Vec<&serde_json::Value> = lines.iter().filter(|v| v.get("error").is_some()).collect();
    assert_eq!(errs.len(), 1, "one error for one cause: {errs:?}");
    assert_eq!(errs[0]["path"], layout.display().to_string(), "{errs:?}");
    assert!(errs[0]["error"]
        .as_str()
        .is_some_and(|m| m.contains("does not match its digest") && m.contains("not reported")));
}
