//! What a SOURCE argument of `scan` names: a directory, a file, an image (archive or layout)
//! or a registry reference, recognised by its scheme or, for a plain path, by its contents;
//! and the default sources (the directories on $PATH).

use std::path::PathBuf;

use anyhow::Result;
use binsight_source::image::{self, ImageKind};
use binsight_source::registry;

use crate::fail::{bail_usage, Mark as _};

/// What one SOURCE argument names.
#[derive(Debug, PartialEq, Eq)]
pub(super) enum Source {
    Dir(PathBuf),
    File(PathBuf),
    Image(PathBuf, ImageKind),
    Registry(registry::Reference),
    /// A path that cannot be scanned at all (missing, not a directory): (the argument, why).
    /// Reported like a file error, and the run exits 3.
    Unopenable(String, String),
}

/// The schemes a SOURCE may start with.
const SCHEMES: [&str; 6] = ["dir", "file", "docker-archive", "oci-dir", "oci-archive", "registry"];

/// The schemes an unknown `word:` probably meant: other tools' names for them, else typos.
fn suggest(word: &str) -> Vec<&'static str> {
    let w = word.to_ascii_lowercase().replace('_', "-");
    let alias: &[&'static str] = match w.as_str() {
        "oci" | "oci-layout" => &["oci-dir", "oci-archive"],
        "docker" | "docker-daemon" | "podman" | "containerd" | "containers-storage" => &["docker-archive", "registry"],
        "tar" | "archive" | "tarball" => &["docker-archive", "oci-archive"],
        "http" | "https" | "reg" | "oci-registry" => &["registry"],
        "directory" | "folder" | "path" | "rootfs" => &["dir"],
        _ => &[],
    };
    if !alias.is_empty() {
        return alias.to_vec();
    }
    let scored: Vec<(usize, &'static str)> = SCHEMES.iter().map(|k| (crate::config::distance(&w, k), *k)).collect();
    let best = scored.iter().map(|(d, _)| *d).min().unwrap_or(usize::MAX);
    scored.into_iter().filter(|(d, k)| *d == best && *d <= (k.len() / 3).max(2)).map(|(_, k)| k).collect()
}

/// Does `w` look like a scheme name (a word, not part of a path)?
fn scheme_like(w: &str) -> bool {
    w.bytes().next().is_some_and(|b| b.is_ascii_alphabetic())
        && w.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// What the SOURCE argument `s` names; a mistyped or foreign scheme, or a bad registry
/// reference, is a usage error.
pub(super) fn classify_source(s: &str) -> Result<Source> {
    if let Some((scheme, rest)) = s.split_once(':') {
        let p = PathBuf::from(rest);
        if SCHEMES.contains(&scheme) && rest.is_empty() {
            bail_usage!("{s}: give what to scan after '{scheme}:'");
        }
        match scheme {
            "dir" => return Ok(Source::Dir(p)),
            "file" => return Ok(Source::File(p)),
            "docker-archive" => return Ok(Source::Image(p, ImageKind::DockerArchive)),
            "oci-dir" => return Ok(Source::Image(p, ImageKind::OciDir)),
            "oci-archive" => return Ok(Source::Image(p, ImageKind::OciArchive)),
            "registry" => {
                let rest = rest.strip_prefix("//").unwrap_or(rest);
                return registry::parse_reference(rest)
                    .map(Source::Registry)
                    .map_err(|e| anyhow::anyhow!("{e}"))
                    .usage();
            }
            // An existing path that happens to hold ':' is a path; any other `word:` is a
            // mistyped or foreign scheme, refused rather than read as a path that is not there.
            w if scheme_like(w) && std::fs::symlink_metadata(s).is_err() => {
                return Err(unknown_scheme(s, w, rest));
            }
            _ => {}
        }
    }
    let p = PathBuf::from(s);
    let m = match std::fs::metadata(&p) {
        Ok(m) => m,
        Err(e) => return Ok(unopenable(&p, &e)),
    };
    if !m.is_file() && !m.is_dir() {
        return Ok(not_regular(&p));
    }
    Ok(match image::detect(&p) {
        Some(kind) => Source::Image(p, kind),
        None if m.is_dir() => Source::Dir(p),
        None => Source::File(p),
    })
}

/// The usage error for `s`, a SOURCE starting with `w:`, an unknown scheme: what it probably
/// meant, the schemes, and how to name a path holding ':'.
fn unknown_scheme(s: &str, w: &str, rest: &str) -> anyhow::Error {
    let meant = suggest(w);
    let example = if meant.contains(&"registry") {
        format!(", e.g. registry:{}", rest.trim_start_matches('/'))
    } else {
        String::new()
    };
    let meant = match meant.as_slice() {
        [] => String::new(),
        [one] => format!(" (did you mean {one}:{example}?)"),
        [init @ .., last] => format!(
            " (did you mean {} or {last}:{example}?)",
            init.iter().map(|m| format!("{m}:")).collect::<Vec<_>>().join(", ")
        ),
    };
    crate::fail::usage(anyhow::anyhow!(
        "{s}: unknown source scheme '{w}:'{meant}; schemes: {}. To scan a path holding ':', \
         write ./{s}, dir:{s} or file:{s}",
        SCHEMES.iter().map(|k| format!("{k}:")).collect::<Vec<_>>().join(" ")
    ))
}

/// A path source that is not there (or a `dir:` that is not a directory) becomes `Unopenable`.
pub(super) fn check_path(s: Source) -> Source {
    let d = match &s {
        Source::Dir(d) | Source::File(d) | Source::Image(d, _) => d,
        _ => return s,
    };
    match std::fs::metadata(d) {
        Err(e) => unopenable(d, &e),
        Ok(m) if !m.is_file() && !m.is_dir() => not_regular(d),
        Ok(m) if matches!(s, Source::Dir(_)) && !m.is_dir() => Source::Unopenable(
            d.display().to_string(),
            format!("{}: not a directory; scan file:{} for a single file", d.display(), d.display()),
        ),
        Ok(_) => s,
    }
}

/// A FIFO, socket or device named as a source: refused before it is opened (opening a FIFO
/// waits for a writer forever).
fn not_regular(p: &std::path::Path) -> Source {
    Source::Unopenable(
        p.display().to_string(),
        format!(
            "{}: not a regular file or directory (a FIFO, socket or device); binsight scans files, directories and image archives",
            p.display()
        ),
    )
}

/// A path source that cannot be opened: the error, with a hint when it is not there.
fn unopenable(p: &std::path::Path, e: &std::io::Error) -> Source {
    let hint = if e.kind() == std::io::ErrorKind::NotFound { " (check the path)" } else { "" };
    Source::Unopenable(p.display().to_string(), format!("{}: cannot scan: {e}{hint}", p.display()))
}

/// The default scan target: the directories on $PATH that exist, without duplicates.
pub(super) fn default_dirs() -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = Vec::new();
    for d in std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()) {
        let real = std::fs::canonicalize(&d).unwrap_or(d.clone());
        if real.is_dir() && !v.iter().any(|x| std::fs::canonicalize(x).ok().as_ref() == Some(&real)) {
            v.push(d);
        }
    }
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn schemes_and_plain_paths() {
        assert_eq!(
            classify_source("docker-archive:/x/img.tar").ok(),
            Some(Source::Image("/x/img.tar".into(), ImageKind::DockerArchive))
        );
        assert_eq!(classify_source("oci-dir:o").ok(), Some(Source::Image("o".into(), ImageKind::OciDir)));
        assert_eq!(classify_source("dir:/usr/bin").ok(), Some(Source::Dir("/usr/bin".into())));
        assert!(
            matches!(classify_source("registry:localhost:5000/x:1"), Ok(Source::Registry(r)) if r.reference == "1")
        );
        let here = env!("CARGO_MANIFEST_DIR");
        assert_eq!(classify_source(here).ok(), Some(Source::Dir(here.into())));
        // A missing path is a source that cannot be opened (exit 3), not a usage error.
        assert!(matches!(classify_source("/definitely/not/here"), Ok(Source::Unopenable(..))));
        assert!(matches!(check_path(Source::Dir("/definitely/not/here".into())), Source::Unopenable(..)));
        assert!(
            matches!(check_path(Source::Dir(concat!(env!("CARGO_MANIFEST_DIR"), "/Cargo.toml").into())), Source::Unopenable(_, why) if why.contains("not a directory"))
        );
    }

    /// docker's normalisation: no registry host means Docker Hub.
    #[test]
    fn registry_references_without_a_host_are_docker_hub() {
        for (arg, repo, tag) in [
            ("registry:alpine", "library/alpine", "latest"),
            ("registry:library/alpine:3.20", "library/alpine", "3.20"),
            ("registry:alpine:3", "library/alpine", "3"),
            ("registry://docker.io/bitnami/redis:7", "bitnami/redis", "7"),
        ] {
            let Ok(Source::Registry(r)) = classify_source(arg) else { panic!("{arg}") };
            assert_eq!((r.host.as_str(), r.repo.as_str(), r.reference.as_str()), ("docker.io", repo, tag), "{arg}");
            assert_eq!(r.api_host(), "registry-1.docker.io");
        }
        let e = classify_source("registry:Alpine").expect_err("upper case");
        assert_eq!(crate::fail::code(&e), crate::EXIT_USAGE);
        assert!(e.to_string().contains("lowercase"), "{e}");
    }

    #[test]
    fn unknown_schemes_are_refused_with_a_suggestion() {
        for (arg, meant) in [
            ("dockerarchive:img.tar", "did you mean docker-archive:?"),
            ("docker-archve:img.tar", "did you mean docker-archive:?"),
            ("oci:layout", "did you mean oci-dir: or oci-archive:?"),
            ("oci_dir:layout", "did you mean oci-dir:?"),
            ("docker:alpine", "did you mean docker-archive: or registry:, e.g. registry:alpine?"),
            ("podman:alpine", "did you mean docker-archive: or registry:"),
            ("regsitry:alpine", "did you mean registry:"),
            ("directory:/usr", "did you mean dir:?"),
            ("zzz:thing", "unknown source scheme 'zzz:'; schemes:"),
        ] {
            let e = classify_source(arg).expect_err(arg);
            let msg = format!("{e:#}");
            assert_eq!(crate::fail::code(&e), crate::EXIT_USAGE, "{arg}");
            assert!(msg.contains(meant), "{arg}: {msg}");
            assert!(msg.contains("schemes: dir: file: docker-archive: oci-dir: oci-archive: registry:"), "{msg}");
            assert!(msg.contains(&format!("./{arg}")), "how to force a path: {msg}");
        }
        assert_eq!(suggest("frobnicate"), Vec::<&str>::new());
        // A scheme with nothing after it.
        assert_eq!(crate::fail::code(&classify_source("dir:").expect_err("empty")), crate::EXIT_USAGE);
    }
}
