//! What a release is made of: `firebreak --version`, the version `action.yml` pins, and the
//! packaging script's refusal to build a tag that is not the crate's version.

use std::path::PathBuf;
use std::process::Command;

use crate::support;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

#[test]
fn version_names_the_crate_version_and_the_commit() {
    let out = Command::new(support::binary())
        .arg("--version")
        .output()
        .unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    let pattern = format!(
        r"^firebreak {} \(commit ([0-9a-f]{{7,40}}|unknown)\)\n$",
        regex::escape(env!("CARGO_PKG_VERSION"))
    );
    assert!(
        regex::Regex::new(&pattern).unwrap().is_match(&text),
        "{text:?} does not match {pattern}"
    );
}

#[test]
fn action_yml_pins_the_crate_version() {
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let pinned = action
        .lines()
        .find_map(|l| l.trim().strip_prefix("FIREBREAK_VERSION: "))
        .expect("the install step pins a version");
    assert_eq!(
        pinned.trim_matches('"'),
        env!("CARGO_PKG_VERSION"),
        "bump FIREBREAK_VERSION in action.yml with the crate's version"
    );
}

#[test]
fn release_build_refuses_a_tag_that_is_not_the_crate_version() {
    let out = Command::new("bash")
        .arg(root().join("scripts/release-build"))
        .arg("x86_64-unknown-linux-musl")
        .arg("v99.0.0")
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains(&format!(
            "tag v99.0.0 does not match the version {} in Cargo.toml",
            env!("CARGO_PKG_VERSION")
        )),
        "{stderr}"
    );
}
