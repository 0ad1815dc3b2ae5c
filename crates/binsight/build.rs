//! Records the git commit binsight is built from, for `binsight version`: `git rev-parse
//! --short=12 HEAD`, plus `-dirty` when tracked files differ from it, when the source is this
//! project's git checkout and git runs; `$BINSIGHT_BUILD_COMMIT` when set (builds from a source
//! tarball); "unknown" otherwise. Never fails the build.

use std::path::{Path, PathBuf};
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=BINSIGHT_BUILD_COMMIT");
    let commit = std::env::var("BINSIGHT_BUILD_COMMIT")
        .ok()
        .filter(|c| !c.trim().is_empty())
        .map(|c| c.trim().to_string())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_string());
    println!("cargo:rustc-env=BINSIGHT_GIT_COMMIT={commit}");
}

/// Trimmed stdout of a successful `git -C dir ARGS`, else None.
fn git(dir: &Path, args: &[&str]) -> Option<String> {
    let out = Command::new("git").arg("-C").arg(dir).args(args).output().ok()?;
    if !out.status.success() {
        return None;
    }
    Some(String::from_utf8(out.stdout).ok()?.trim().to_string())
}

fn git_commit() -> Option<String> {
    let manifest = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR")?);
    // crates/binsight → the workspace root; a git repository around a copy of binsight (vendored,
    // unpacked from a registry) is someone else's and its commit says nothing about ours.
    let workspace = manifest.parent()?.parent()?;
    let top = git(&manifest, &["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != workspace.canonicalize().ok()? {
        return None;
    }
    let hash = git(&manifest, &["rev-parse", "--short=12", "HEAD"])?;
    // Run again when HEAD moves, the branch it names moves, or the index changes (worktrees
    // included: --git-path resolves the real locations). Only existing files: a missing one
    // would make cargo run this script on every build.
    let mut watch = vec!["HEAD".to_string(), "index".to_string(), "packed-refs".to_string()];
    if let Some(r) = git(&manifest, &["symbolic-ref", "-q", "HEAD"]) {
        watch.push(r);
    }
    for w in &watch {
        if let Some(p) = git(&manifest, &["rev-parse", "--git-path", w]) {
            let p = manifest.join(p);
            if p.exists() {
                println!("cargo:rerun-if-changed={}", p.display());
            }
        }
    }
    let dirty = git(workspace, &["status", "--porcelain", "--untracked-files=no"]).is_some_and(|s| !s.is_empty());
    Some(if dirty { format!("{hash}-dirty") } else { hash })
}
