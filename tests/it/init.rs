//! `firebreak init` as a person runs it: the real binary in a fresh directory, what it prints
//! (files written or kept, the next two steps), and that a second run clobbers nothing.

use std::path::Path;
use std::process::Command;

use crate::support;

fn init(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(support::binary())
        .arg("init")
        .args(args)
        .current_dir(dir)
        .env_clear()
        .output()
        .expect("the binary runs");
    let mut text = String::from_utf8_lossy(&out.stdout).into_owned();
    text.push_str(&String::from_utf8_lossy(&out.stderr));
    (out.status.code().unwrap_or(-1), text)
}

#[test]
fn init_writes_three_files_and_prints_the_next_two_steps() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = init(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    for file in [
        ".github/firebreak.yml",
        ".github/workflows/firebreak.yml",
        ".github/ISSUE_TEMPLATE/incident.yml",
    ] {
        assert!(dir.path().join(file).is_file(), "{file}");
    }
    insta::assert_snapshot!("init_action", out);
}

#[test]
fn running_init_again_keeps_every_edited_file_and_names_it() {
    let dir = tempfile::tempdir().unwrap();
    init(dir.path(), &[]);
    let config = dir.path().join(".github/firebreak.yml");
    std::fs::write(&config, "timezone: Europe/Berlin\n").unwrap();
    let (code, out) = init(dir.path(), &[]);
    assert_eq!(code, 0, "{out}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        "timezone: Europe/Berlin\n"
    );
    assert!(!out.contains("wrote"), "{out}");
    insta::assert_snapshot!("init_again", out);
    let (_, forced) = init(dir.path(), &["--force"]);
    assert!(forced.contains("wrote .github/firebreak.yml"), "{forced}");
    assert_eq!(
        std::fs::read_to_string(&config).unwrap(),
        firebreak::init::STARTER_CONFIG
    );
}

#[test]
fn init_app_writes_no_workflow_and_says_what_the_app_needs() {
    let dir = tempfile::tempdir().unwrap();
    let (code, out) = init(dir.path(), &["--app"]);
    assert_eq!(code, 0, "{out}");
    assert!(!dir.path().join(".github/workflows/firebreak.yml").exists());
    assert!(dir.path().join(".github/firebreak.yml").is_file());
    insta::assert_snapshot!("init_app", out);
}

#[test]
fn init_into_another_directory_writes_there() {
    let dir = tempfile::tempdir().unwrap();
    let elsewhere = tempfile::tempdir().unwrap();
    let (code, out) = init(dir.path(), &[elsewhere.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}");
    assert!(elsewhere.path().join(".github/firebreak.yml").is_file());
    assert!(!dir.path().join(".github").exists());
}
