//! What a registry answers: arbitrary bytes as a `WWW-Authenticate` challenge
//! (`binsight_source::registry::parse_challenge`) and as a manifest or index JSON
//! (`binsight_source::image::read_answer`, the checks a scan applies before fetching anything).
#![no_main]

use binsight_source::image::{read_answer, Answer};
use binsight_source::registry::parse_challenge;
use libfuzzer_sys::fuzz_target;

fn valid_digest(d: &str) -> bool {
    let hex = |h: &str, n: usize| h.len() == n && h.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b));
    d.strip_prefix("sha256:").is_some_and(|h| hex(h, 64)) || d.strip_prefix("sha512:").is_some_and(|h| hex(h, 128))
}

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let (scheme, params) = parse_challenge(&text);
    // Bounded: never more parameters than characters, nothing longer than the input.
    assert!(params.len() <= text.len());
    assert!(scheme.len() <= text.len());
    for platform in [None, Some("linux/arm64")] {
        match read_answer(data, platform) {
            // Whatever is fetched next is named by a valid digest, never by a path or URL.
            Ok(Answer::Index { digest, .. }) => assert!(valid_digest(&digest.to_string())),
            Ok(Answer::Manifest { config, layers }) => {
                assert!(valid_digest(&config.to_string()));
                assert!(layers.iter().all(|(d, _)| valid_digest(&d.to_string())));
            }
            Err(e) => assert!(!e.to_string().is_empty()),
        }
    }
});
