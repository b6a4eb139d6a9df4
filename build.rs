//! Build script: records the commit the binary is built from, for `firebreak --version`.
//!
//! `FIREBREAK_COMMIT` in the environment wins (a release build that knows its commit, or a
//! packager); otherwise `git rev-parse` in the source tree; otherwise (a source tarball,
//! `cargo install` from a crate, no git) the commit is `unknown`.

use std::path::Path;
use std::process::Command;

fn main() {
    println!("cargo:rerun-if-env-changed=FIREBREAK_COMMIT");
    let commit = std::env::var("FIREBREAK_COMMIT")
        .ok()
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty())
        .or_else(git_commit)
        .unwrap_or_else(|| "unknown".to_string());
    let version = std::env::var("CARGO_PKG_VERSION").unwrap_or_default();
    println!("cargo:rustc-env=FIREBREAK_COMMIT={commit}");
    println!("cargo:rustc-env=FIREBREAK_LONG_VERSION={version} (commit {commit})");
}

/// The short commit of `HEAD`, when the sources are a git checkout of this package (not a
/// parent repository that happens to contain them).
fn git_commit() -> Option<String> {
    let manifest_dir = std::env::var("CARGO_MANIFEST_DIR").ok()?;
    let git = |args: &[&str]| -> Option<String> {
        let out = Command::new("git")
            .args(args)
            .current_dir(&manifest_dir)
            .output()
            .ok()?;
        out.status
            .success()
            .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
    };
    let top = git(&["rev-parse", "--show-toplevel"])?;
    if Path::new(&top).canonicalize().ok()? != Path::new(&manifest_dir).canonicalize().ok()? {
        return None;
    }
    // Rebuild when HEAD moves: HEAD itself, the branch it points to, and packed refs.
    for file in ["HEAD", "packed-refs"] {
        if let Some(path) = git(&["rev-parse", "--git-path", file]) {
            println!(
                "cargo:rerun-if-changed={}",
                Path::new(&manifest_dir).join(path).display()
            );
        }
    }
    if let Some(branch) = git(&["symbolic-ref", "-q", "HEAD"])
        && let Some(path) = git(&["rev-parse", "--git-path", &branch])
    {
        println!(
            "cargo:rerun-if-changed={}",
            Path::new(&manifest_dir).join(path).display()
        );
    }
    git(&["rev-parse", "--short=12", "HEAD"]).filter(|c| !c.is_empty())
}
