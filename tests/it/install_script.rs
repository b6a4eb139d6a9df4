//! The action's install script (`scripts/action-install.sh`, run by `action.yml`) against a
//! local directory standing in for a release, with the sums pinned into a copy of
//! `action.yml` by `scripts/pin-action-sums`, as the release workflow does.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

const VERSION: &str = "0.2.0";
const LINUX_X64: &str = "x86_64-unknown-linux-musl";

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A stand-in release: `firebreak-<VERSION>-<target>.tar.gz` holding a `firebreak` that prints
/// `marker` for `--version`, and the SHA256SUMS file the release workflow writes.
struct Release {
    dir: tempfile::TempDir,
}

impl Release {
    fn new(targets: &[&str], marker: &str) -> Release {
        let dir = tempfile::tempdir().unwrap();
        let mut sums = String::new();
        for target in targets {
            let stage = dir.path().join(format!("stage-{target}"));
            let inner = stage.join(format!("firebreak-{VERSION}-{target}"));
            std::fs::create_dir_all(&inner).unwrap();
            let bin = inner.join("firebreak");
            std::fs::write(&bin, format!("#!/bin/sh\necho '{marker}'\n")).unwrap();
            run(Command::new("chmod").arg("0755").arg(&bin));
            let archive = format!("firebreak-{VERSION}-{target}.tar.gz");
            run(Command::new("tar")
                .arg("-czf")
                .arg(dir.path().join(&archive))
                .arg("-C")
                .arg(&stage)
                .arg(format!("firebreak-{VERSION}-{target}")));
            let out = run(Command::new("sha256sum")
                .arg(&archive)
                .current_dir(dir.path()));
            sums.push_str(&String::from_utf8(out.stdout).unwrap());
        }
        std::fs::write(dir.path().join("SHA256SUMS"), sums).unwrap();
        Release { dir }
    }

    fn path(&self) -> &Path {
        self.dir.path()
    }

    fn archive(&self, target: &str) -> PathBuf {
        self.path()
            .join(format!("firebreak-{VERSION}-{target}.tar.gz"))
    }
}

fn run(command: &mut Command) -> Output {
    let out = command.output().expect("the command starts");
    assert!(
        out.status.success(),
        "{command:?} failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// The install step's `env` in an `action.yml`.
fn install_env(action_yml: &str) -> Value {
    let action: Value = serde_saphyr::from_str(action_yml).expect("action.yml is YAML");
    action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|step| step["id"] == "install")
        .expect("an install step")["env"]
        .clone()
}

/// A copy of the repository's `action.yml` with `release` pinned by `scripts/pin-action-sums`.
fn pinned_action(release: &Release) -> String {
    let copy = release.path().join("action.yml");
    std::fs::copy(root().join("action.yml"), &copy).unwrap();
    run(Command::new("bash")
        .arg(root().join("scripts/pin-action-sums"))
        .arg(VERSION)
        .arg(release.path().join("SHA256SUMS"))
        .arg(&copy));
    std::fs::read_to_string(copy).unwrap()
}

struct Install {
    output: Output,
    runner_temp: tempfile::TempDir,
    github_output: PathBuf,
}

impl Install {
    fn stdout(&self) -> String {
        String::from_utf8_lossy(&self.output.stdout).into_owned()
    }

    /// What a person reads in the step's log, with the machine's paths replaced.
    fn log(&self) -> String {
        let text = format!(
            "{}{}",
            self.stdout(),
            String::from_utf8_lossy(&self.output.stderr)
        );
        text.replace(
            &self.runner_temp.path().display().to_string(),
            "[RUNNER_TEMP]",
        )
    }

    fn installed(&self) -> Option<PathBuf> {
        let text = std::fs::read_to_string(&self.github_output).unwrap_or_default();
        text.lines()
            .find_map(|l| l.strip_prefix("path="))
            .map(PathBuf::from)
    }
}

/// Runs the install script as the install step of `action_yml` would, on `os`/`arch`, with
/// `release_url` standing in for the release and `path_prefix` first on PATH.
fn install(
    action_yml: &str,
    os: &str,
    arch: &str,
    release_url: &str,
    path_prefix: Option<&Path>,
) -> Install {
    let env = install_env(action_yml);
    let runner_temp = tempfile::tempdir().unwrap();
    let github_output = runner_temp.path().join("github_output");
    let mut path = std::env::var("PATH").unwrap_or_default();
    if let Some(prefix) = path_prefix {
        path = format!("{}:{path}", prefix.display());
    }
    let output = Command::new("bash")
        .arg(root().join("scripts/action-install.sh"))
        .env_clear()
        .env("PATH", path)
        .env("HOME", runner_temp.path())
        .env(
            "FIREBREAK_VERSION",
            env["FIREBREAK_VERSION"].as_str().unwrap(),
        )
        .env(
            "FIREBREAK_SHA256SUMS",
            env["FIREBREAK_SHA256SUMS"].as_str().unwrap(),
        )
        .env("FIREBREAK_RELEASE_URL", release_url)
        .env("FIREBREAK_ACTION_REPOSITORY", "firebreak-dev/firebreak")
        .env("GITHUB_ACTION_PATH", root())
        .env("GITHUB_SERVER_URL", "https://ghes.example.com")
        .env("RUNNER_OS", os)
        .env("RUNNER_ARCH", arch)
        .env("RUNNER_TEMP", runner_temp.path())
        .env("GITHUB_OUTPUT", &github_output)
        .output()
        .expect("bash runs");
    Install {
        output,
        runner_temp,
        github_output,
    }
}

#[test]
fn matching_checksum_installs_the_binary_and_outputs_its_path() {
    let release = Release::new(&[LINUX_X64], "firebreak 0.2.0 (commit stand-in)");
    let action = pinned_action(&release);
    // A file:// URL goes through curl, like the real download.
    let url = format!("file://{}", release.path().display());
    let run = install(&action, "Linux", "X64", &url, None);
    assert!(run.output.status.success(), "{}", run.log());
    let bin = run.installed().expect("path= in GITHUB_OUTPUT");
    assert!(bin.starts_with(run.runner_temp.path()), "{}", bin.display());
    let version = Command::new(&bin).arg("--version").output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&version.stdout).trim(),
        "firebreak 0.2.0 (commit stand-in)"
    );
    let log = run
        .log()
        .replace(&release.path().display().to_string(), "[RELEASE]");
    let log = regex::Regex::new("[0-9a-f]{64}")
        .unwrap()
        .replace_all(&log, "[sha256]");
    insta::assert_snapshot!("install_checksum_match", log);
}

#[test]
fn a_directory_stands_in_for_the_release_url() {
    let release = Release::new(&[LINUX_X64, "aarch64-unknown-linux-musl"], "arm build");
    let action = pinned_action(&release);
    let run = install(
        &action,
        "Linux",
        "ARM64",
        &release.path().display().to_string(),
        None,
    );
    assert!(run.output.status.success(), "{}", run.log());
    assert!(run.stdout().contains("arm build"), "{}", run.log());
}

#[test]
fn checksum_mismatch_is_refused_and_nothing_is_installed() {
    let release = Release::new(&[LINUX_X64], "genuine");
    let action = pinned_action(&release);
    // Someone replaces the archive after the release was pinned.
    let tampered = Release::new(&[LINUX_X64], "tampered");
    std::fs::copy(tampered.archive(LINUX_X64), release.archive(LINUX_X64)).unwrap();
    let run = install(
        &action,
        "Linux",
        "X64",
        &release.path().display().to_string(),
        None,
    );
    assert_eq!(run.output.status.code(), Some(1), "{}", run.log());
    assert_eq!(run.installed(), None);
    assert!(!run.log().contains("tampered"), "the binary never ran");
    let pinned = std::fs::read_to_string(release.path().join("SHA256SUMS")).unwrap();
    let expected = pinned.split_whitespace().next().unwrap();
    assert!(
        run.stdout().contains(&format!(
            "::error::checksum mismatch for firebreak-0.2.0-x86_64-unknown-linux-musl.tar.gz: action.yml pins {expected}, the download has "
        )),
        "{}",
        run.log()
    );
    let log = run
        .log()
        .replace(&release.path().display().to_string(), "[RELEASE]");
    let log = regex::Regex::new("[0-9a-f]{64}")
        .unwrap()
        .replace_all(&log, "[sha256]");
    insta::assert_snapshot!("install_checksum_mismatch", log);
}

/// A `cargo` that records its arguments and installs a stand-in binary where
/// `cargo install --root R` would.
fn stub_cargo() -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let record = dir.path().join("cargo-args");
    let script = format!(
        r#"#!/bin/sh
printf '%s\n' "$@" > '{}'
root=""
while [ $# -gt 0 ]; do
  if [ "$1" = "--root" ]; then root="$2"; fi
  shift
done
mkdir -p "$root/bin"
printf '#!/bin/sh\necho "firebreak built from source"\n' > "$root/bin/firebreak"
chmod 0755 "$root/bin/firebreak"
"#,
        record.display()
    );
    let cargo = dir.path().join("cargo");
    std::fs::write(&cargo, script).unwrap();
    run(Command::new("chmod").arg("0755").arg(&cargo));
    (dir, record)
}

#[test]
fn unknown_platform_builds_from_the_actions_source_with_cargo_install_locked() {
    let release = Release::new(&[LINUX_X64], "prebuilt");
    let action = pinned_action(&release);
    let (stub, record) = stub_cargo();
    let run = install(
        &action,
        "Linux",
        "ARM",
        &release.path().display().to_string(),
        Some(stub.path()),
    );
    assert!(run.output.status.success(), "{}", run.log());
    let args = std::fs::read_to_string(&record).expect("cargo was run");
    let dir = run.runner_temp.path().join("firebreak-0.2.0");
    assert_eq!(
        args.lines().collect::<Vec<_>>(),
        [
            "install",
            "--locked",
            "--path",
            &root().display().to_string(),
            "--root",
            &dir.display().to_string(),
            "--bin",
            "firebreak",
        ]
    );
    assert_eq!(run.installed(), Some(dir.join("firebreak")));
    assert!(run.stdout().contains("firebreak built from source"));
    insta::assert_snapshot!("install_unknown_platform", run.log());
}

#[test]
fn the_committed_action_without_pinned_sums_builds_from_source() {
    // action.yml on an untagged commit pins no sums: never download unverified bytes.
    let action = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let (stub, record) = stub_cargo();
    let run = install(
        &action,
        "Linux",
        "X64",
        "/nonexistent-release",
        Some(stub.path()),
    );
    assert!(run.output.status.success(), "{}", run.log());
    assert!(record.exists(), "cargo install ran");
    assert!(
        run.stdout()
            .contains("action.yml pins no SHA-256 sum for firebreak-"),
        "{}",
        run.log()
    );
}

#[test]
fn fallback_without_cargo_fails_with_what_to_install() {
    let release = Release::new(&[LINUX_X64], "prebuilt");
    let action = pinned_action(&release);
    // A PATH with the basic tools but no cargo.
    let tools = tempfile::tempdir().unwrap();
    for tool in ["bash", "awk", "mkdir", "dirname", "cut", "printf"] {
        if let Ok(path) = which(tool) {
            std::os::unix::fs::symlink(path, tools.path().join(tool)).unwrap();
        }
    }
    let env = install_env(&action);
    let runner_temp = tempfile::tempdir().unwrap();
    let out = Command::new(which("bash").unwrap())
        .arg(root().join("scripts/action-install.sh"))
        .env_clear()
        .env("PATH", tools.path())
        .env(
            "FIREBREAK_VERSION",
            env["FIREBREAK_VERSION"].as_str().unwrap(),
        )
        .env(
            "FIREBREAK_SHA256SUMS",
            env["FIREBREAK_SHA256SUMS"].as_str().unwrap(),
        )
        .env("GITHUB_ACTION_PATH", root())
        .env("RUNNER_OS", "FreeBSD")
        .env("RUNNER_ARCH", "X64")
        .env("RUNNER_TEMP", runner_temp.path())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        stdout.contains(
            "::error::cannot build firebreak: cargo is not on PATH; install a Rust toolchain"
        ),
        "{stdout}"
    );
}

fn which(tool: &str) -> Result<PathBuf, ()> {
    let out = Command::new("sh")
        .arg("-c")
        .arg(format!("command -v {tool}"))
        .output()
        .map_err(drop)?;
    let path = String::from_utf8_lossy(&out.stdout).trim().to_string();
    if out.status.success() && !path.is_empty() {
        Ok(PathBuf::from(path))
    } else {
        Err(())
    }
}

#[test]
fn pinning_writes_the_version_and_this_versions_sums_only() {
    let release = Release::new(&[LINUX_X64, "x86_64-apple-darwin"], "x");
    // An older release's line in the same file is left out.
    let mut sums = std::fs::read_to_string(release.path().join("SHA256SUMS")).unwrap();
    sums.push_str(&format!(
        "{}  firebreak-0.1.0-x86_64-unknown-linux-musl.tar.gz\n",
        "0".repeat(64)
    ));
    std::fs::write(release.path().join("SHA256SUMS"), &sums).unwrap();
    let once = pinned_action(&release);
    let env = install_env(&once);
    assert_eq!(env["FIREBREAK_VERSION"], "0.2.0");
    let pinned = env["FIREBREAK_SHA256SUMS"].as_str().unwrap();
    assert_eq!(pinned.lines().count(), 2, "{pinned}");
    assert!(!pinned.contains("0.1.0"), "{pinned}");
    // Pinning again changes nothing; everything outside the two values is untouched.
    let copy = release.path().join("action.yml");
    run(Command::new("bash")
        .arg(root().join("scripts/pin-action-sums"))
        .arg(VERSION)
        .arg(release.path().join("SHA256SUMS"))
        .arg(&copy));
    assert_eq!(std::fs::read_to_string(&copy).unwrap(), once);
    let original = std::fs::read_to_string(root().join("action.yml")).unwrap();
    let strip = |text: &str| -> Vec<String> {
        text.lines()
            .filter(|l| !l.contains("FIREBREAK_VERSION:") && !l.contains("FIREBREAK_SHA256SUMS"))
            .filter(|l| !regex::Regex::new("^ +[0-9a-f]{64}  ").unwrap().is_match(l))
            .map(str::to_string)
            .collect()
    };
    assert_eq!(strip(&once), strip(&original));
}

/// The action's step timed on a fresh runner layout, against local stand-ins: the release is a
/// directory holding the real release binary's archive (pinned into a copy of `action.yml`),
/// GitHub is the in-memory fake. Each round starts from an empty `RUNNER_TEMP`: install
/// (copy, verify, unpack), `firebreak --version`, and `firebreak action` for a new comment on
/// an incident. `scripts/measure-action-step` builds the release binary and runs this with
/// `FIREBREAK_MEASURE_BIN` set; the README quotes what it prints.
#[test]
#[ignore = "a measurement: run by scripts/measure-action-step with a release binary"]
fn measure_the_action_step() {
    use std::time::{Duration, Instant};

    let bin = PathBuf::from(
        std::env::var("FIREBREAK_MEASURE_BIN").expect("FIREBREAK_MEASURE_BIN: a release binary"),
    );
    let rounds: usize = std::env::var("FIREBREAK_MEASURE_ROUNDS")
        .ok()
        .and_then(|r| r.parse().ok())
        .unwrap_or(20);
    // The release: the binary packaged as scripts/release-build does.
    let release = tempfile::tempdir().unwrap();
    let name = format!("firebreak-{VERSION}-{LINUX_X64}");
    let stage = release.path().join("stage").join(&name);
    std::fs::create_dir_all(&stage).unwrap();
    std::fs::copy(&bin, stage.join("firebreak")).unwrap();
    let archive = format!("{name}.tar.gz");
    run(Command::new("tar")
        .arg("-czf")
        .arg(release.path().join(&archive))
        .arg("-C")
        .arg(release.path().join("stage"))
        .arg(&name));
    let sums = run(Command::new("sha256sum")
        .arg(&archive)
        .current_dir(release.path()));
    std::fs::write(release.path().join("SHA256SUMS"), sums.stdout).unwrap();
    let size = std::fs::metadata(release.path().join(&archive))
        .unwrap()
        .len();
    let stand_in = Release { dir: release };
    let action = pinned_action(&stand_in);
    let env = install_env(&action);

    // GitHub: an incident with a few comments, and a new comment to handle each round.
    let fake = fake_github::FakeGitHub::start_background("127.0.0.1:0").unwrap();
    let repo = "acme/measure";
    fake.add_user("firebreak[bot]", fake_github::UserKind::Bot);
    fake.set_token("measure-token", "firebreak[bot]");
    fake.add_repo(repo);
    fake.add_user("alice", fake_github::UserKind::User);
    fake.set_permission(repo, "alice", "write");
    let issue = fake
        .create_issue(repo, "alice", "Queue backlog", "Consumers lag.", &[])
        .number;
    let workspace = tempfile::tempdir().unwrap();
    let events = tempfile::tempdir().unwrap();
    let action_run = |bin: &Path, comment: u64| -> Duration {
        let event = events.path().join(format!("{comment}.json"));
        let payload = fake_github::payload::issue_comment(&fake, repo, issue, comment, "created");
        std::fs::write(&event, payload).unwrap();
        let start = Instant::now();
        let out = Command::new(bin)
            .arg("action")
            .env_clear()
            .env("GITHUB_EVENT_NAME", "issue_comment")
            .env("GITHUB_EVENT_PATH", &event)
            .env("GITHUB_REPOSITORY", repo)
            .env("GITHUB_API_URL", fake.url())
            .env("GITHUB_WORKSPACE", workspace.path())
            .env("GITHUB_TOKEN", "measure-token")
            .output()
            .unwrap();
        let took = start.elapsed();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        took
    };
    let declared = fake
        .create_comment(repo, issue, "alice", "/incident sev2")
        .id;
    action_run(&bin, declared);

    let mut install = Vec::new();
    let mut version = Vec::new();
    let mut handle = Vec::new();
    for round in 0..rounds {
        let runner_temp = tempfile::tempdir().unwrap();
        let start = Instant::now();
        let out = Command::new("bash")
            .arg(root().join("scripts/action-install.sh"))
            .env_clear()
            .env("PATH", std::env::var("PATH").unwrap_or_default())
            .env(
                "FIREBREAK_VERSION",
                env["FIREBREAK_VERSION"].as_str().unwrap(),
            )
            .env(
                "FIREBREAK_SHA256SUMS",
                env["FIREBREAK_SHA256SUMS"].as_str().unwrap(),
            )
            .env("FIREBREAK_RELEASE_URL", stand_in.path())
            .env("RUNNER_OS", "Linux")
            .env("RUNNER_ARCH", "X64")
            .env("RUNNER_TEMP", runner_temp.path())
            .output()
            .unwrap();
        install.push(start.elapsed());
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stdout)
        );
        let installed = runner_temp.path().join("firebreak-0.2.0/firebreak");
        let start = Instant::now();
        run(Command::new(&installed).arg("--version"));
        version.push(start.elapsed());
        let comment = fake
            .create_comment(repo, issue, "alice", &format!("Observation {round}"))
            .id;
        handle.push(action_run(&installed, comment));
        assert!(
            fake.comments(repo, issue).len() > round + 1,
            "the comment is there"
        );
    }
    let summary = |name: &str, mut times: Vec<Duration>| {
        times.sort();
        let ms = |d: Duration| d.as_secs_f64() * 1000.0;
        println!(
            "{name:<40} median {:7.1} ms   min {:7.1} ms   max {:7.1} ms",
            ms(times[times.len() / 2]),
            ms(times[0]),
            ms(times[times.len() - 1])
        );
    };
    println!(
        "action step on a local stand-in, {rounds} rounds, archive {:.2} MB:",
        size as f64 / 1e6
    );
    let total: Vec<Duration> = (0..rounds)
        .map(|i| install[i] + version[i] + handle[i])
        .collect();
    summary("install (copy, verify, unpack)", install);
    summary("firebreak --version", version);
    summary("firebreak action (one new comment)", handle);
    summary("whole step", total);
}
