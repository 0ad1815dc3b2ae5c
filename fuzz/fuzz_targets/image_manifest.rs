//! Image metadata on arbitrary bytes: index.json / manifest.json, manifests, nested indexes
//! and configs. The input is split at 0xFF 0xFF into up to 8 documents; `@1`…`@7` in a
//! document become the sha256 digest of that later document (so the fuzzer can build chains
//! the reader follows). Document 0 is the root of an OCI archive, then of a docker archive;
//! the others are blobs. No panic, no unbounded work.
#![no_main]

#[path = "common/oci.rs"]
mod oci;

use binsight_source::image::ImageKind;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let mut docs: Vec<Vec<u8>> = data.split(|b| *b == 0xff).filter(|d| !d.is_empty()).take(8).map(<[u8]>::to_vec).collect();
    if docs.is_empty() {
        return;
    }
    // Later documents first, so each `@N` names a final document.
    let mut digests = vec![String::new(); docs.len()];
    for i in (0..docs.len()).rev() {
        let mut d = docs[i].clone();
        for (j, digest) in digests.iter().enumerate().skip(i + 1) {
            let pat = format!("@{j}");
            d = String::from_utf8_lossy(&d).replace(&pat, digest).into_bytes();
        }
        digests[i] = oci::sha256(&d);
        docs[i] = d;
    }
    let blobs = || {
        docs.iter().zip(&digests).skip(1).map(|(d, g)| (format!("blobs/sha256/{}", g.trim_start_matches("sha256:")), d.clone()))
    };
    let mut oci_members: Vec<(String, Vec<u8>)> = vec![
        ("oci-layout".into(), br#"{"imageLayoutVersion":"1.0.0"}"#.to_vec()),
        ("index.json".into(), docs[0].clone()),
    ];
    oci_members.extend(blobs());
    oci::scan(&oci_members, ImageKind::OciArchive);
    let mut docker_members: Vec<(String, Vec<u8>)> = vec![("manifest.json".into(), docs[0].clone())];
    docker_members.extend(blobs());
    docker_members.extend(docs.iter().zip(&digests).skip(1).map(|(d, g)| (format!("{}.json", g.trim_start_matches("sha256:")), d.clone())));
    oci::scan(&docker_members, ImageKind::DockerArchive);
});
