//! Shared by the image fuzz targets: an OCI archive or docker archive written to a temporary
//! file (in /dev/shm when there is one) from fuzzer-chosen members, then scanned with small
//! limits. Whatever the members hold, the scan must return `Ok` or `Err`, never panic, and
//! never report a file from a layer whose digest it could not check.

use std::io::Write;

use binsight_source::image::{self, ImageKind, ImageLimits, Progress};
use sha2::{Digest, Sha256};

pub fn sha256(b: &[u8]) -> String {
    format!("sha256:{:x}", Sha256::digest(b))
}

/// Small caps so a run stays fast: the same code paths as the defaults.
pub fn limits() -> ImageLimits {
    ImageLimits {
        max_file_size: 1 << 20,
        max_layer_size: 8 << 20,
        ratio_floor: 1 << 20,
        max_ratio: 50,
        max_json: 256 << 10,
        in_flight: 4 << 20,
        max_layers: 16,
        max_tar_extension: 4 << 10,
        max_path_depth: 32,
        max_link_reports: 64,
    }
}

/// Write `members` as a tar archive and scan it as `kind`.
pub fn scan(members: &[(String, Vec<u8>)], kind: ImageKind) {
    let dir = if std::path::Path::new("/dev/shm").is_dir() { "/dev/shm" } else { "/tmp" };
    let mut f = tempfile::NamedTempFile::new_in(dir).expect("temp file");
    {
        let mut b = tar::Builder::new(f.as_file_mut());
        for (name, data) in members {
            let mut h = tar::Header::new_gnu();
            h.set_size(data.len() as u64);
            h.set_mode(0o644);
            b.append_data(&mut h, name, data.as_slice()).expect("append");
        }
        b.finish().expect("finish");
    }
    f.flush().expect("flush");
    let progress = Progress::default();
    let _ = image::scan(f.path(), kind, Some("linux/amd64"), &limits(), &progress, |p, b| {
        assert!(p.starts_with('/'), "image paths are absolute: {p}");
        b.len()
    });
}
