//! Firebreak beside the script a team would write instead, on the same event.
//!
//! The event: a new comment on a SEV2 incident with 60 comments, in a repository whose
//! configuration lives in `.github/firebreak.yml` and no checkout (Firebreak reads it through
//! the API, as a workflow without `actions/checkout` does). Both run as real processes against
//! the in-memory GitHub on loopback, alternately (the order swapped each round), with the same
//! environment a workflow step gets:
//!
//! - `firebreak action`: everything it does (commands, permissions, a fresh read of the issue,
//!   the timeline, overflow, labels).
//! - `node benches/versus/append-line.mjs`: an `actions/github-script`-style step (loads
//!   `@actions/github` and `@actions/core`, then one PATCH appending a line to the body; none of
//!   Firebreak's checks).
//!
//! Each process is measured from here: wall clock around the process, CPU (user + system)
//! from the rusage of waited children (microseconds), and peak resident memory as GNU time
//! (`/usr/bin/time`, Debian's `time` package) reports it for that one process. The report gives the median of each,
//! the requests each made per event, and Firebreak's ratio to the script (issue 17's target:
//! at most 0.2 for wall time and for memory).
//!
//! `cargo bench --bench versus_script` runs 20 rounds. Under `cargo test --all-targets` (no
//! `--bench` argument) it runs each program once, unmeasured, to prove both still work. The
//! Node libraries come from `FIREBREAK_CONFORMANCE_DIR` (scripts/conformance-setup installs
//! them); without it the script's side is skipped and said so.

use std::path::{Path, PathBuf};
use std::process::Command;

use fake_github::payload;
use fake_github::{FakeGitHub, UserKind};

const REPO: &str = "acme/versus";
/// An installation token, as the workflow's `GITHUB_TOKEN` is (`ghs_…`): Firebreak knows it acts as
/// `github-actions[bot]` without asking.
const TOKEN: &str = "ghs_versus";
const BINARY: &str = env!("CARGO_BIN_EXE_firebreak");
const ROUNDS: usize = 20;

fn main() {
    let measure = std::env::args().any(|a| a == "--bench");
    let node_modules = std::env::var_os("FIREBREAK_CONFORMANCE_DIR").map(PathBuf::from);
    let setup = Setup::new();
    let time = Path::new("/usr/bin/time");
    if measure && !time.exists() {
        eprintln!("versus_script: /usr/bin/time is needed to measure (apt-get install time)");
        std::process::exit(2);
    }
    let Some(node_modules) = node_modules else {
        eprintln!(
            "versus_script: FIREBREAK_CONFORMANCE_DIR is not set (run scripts/conformance-setup); \
             Firebreak alone runs once"
        );
        setup.run(&Program::Firebreak, &setup.new_event(), None);
        return;
    };
    let programs = [Program::Firebreak, Program::Script(node_modules)];
    if !measure {
        for program in &programs {
            setup.run(program, &setup.new_event(), None);
        }
        println!("versus_script: both programs handled an event (run with --bench to measure)");
        return;
    }
    let mut samples: [Vec<Sample>; 2] = [Vec::new(), Vec::new()];
    let mut requests = [0usize; 2];
    for round in 0..ROUNDS {
        let event = setup.new_event();
        let order: [usize; 2] = if round % 2 == 0 { [0, 1] } else { [1, 0] };
        for i in order {
            // Every request on this fake of its own, `POST /graphql` (not under the
            // repository's path) included.
            let before = setup.fake.requests().len();
            samples[i].push(
                setup
                    .run(&programs[i], &event, Some(time))
                    .expect("measured"),
            );
            requests[i] += setup.fake.requests().len() - before;
        }
    }
    let median = |i: usize, f: fn(&Sample) -> f64| {
        let mut v: Vec<f64> = samples[i].iter().map(f).collect();
        v.sort_by(f64::total_cmp);
        v[v.len() / 2]
    };
    println!(
        "versus_script: {ROUNDS} rounds, one new comment on a 60-comment incident, no checkout"
    );
    println!(
        "{:<34} {:>10} {:>10} {:>12} {:>10}",
        "", "wall ms", "cpu ms", "peak RSS MiB", "requests"
    );
    for (i, name) in ["firebreak action", "github-script-style node script"]
        .iter()
        .enumerate()
    {
        println!(
            "{:<34} {:>10.1} {:>10.1} {:>12.1} {:>10.1}",
            name,
            median(i, |s| s.wall_ms),
            median(i, |s| s.cpu_ms),
            median(i, |s| s.peak_kib) / 1024.0,
            requests[i] as f64 / ROUNDS as f64,
        );
    }
    println!(
        "ratio firebreak / script: wall {:.2}, cpu {:.2}, memory {:.2}",
        median(0, |s| s.wall_ms) / median(1, |s| s.wall_ms),
        median(0, |s| s.cpu_ms) / median(1, |s| s.cpu_ms),
        median(0, |s| s.peak_kib) / median(1, |s| s.peak_kib),
    );
}

enum Program {
    Firebreak,
    /// The script, with the directory holding its `node_modules`.
    Script(PathBuf),
}

/// One process's figures, as GNU time reports them.
struct Sample {
    wall_ms: f64,
    cpu_ms: f64,
    peak_kib: f64,
}

struct Setup {
    fake: FakeGitHub,
    issue: u64,
    events: tempfile::TempDir,
    script: PathBuf,
}

impl Setup {
    /// A SEV2 declared by the real binary, 60 comments reconciled, the configuration in the
    /// repository (not in a checkout).
    fn new() -> Setup {
        let fake = FakeGitHub::start_background("127.0.0.1:0").expect("start the fake");
        fake.add_repo(REPO);
        fake.set_token(TOKEN, "github-actions[bot]");
        for login in ["alice", "bob", "carol"] {
            fake.add_user(login, UserKind::User);
            fake.set_permission(REPO, login, "write");
        }
        fake.put_file(
            REPO,
            "main",
            ".github/firebreak.yml",
            firebreak::init::STARTER_CONFIG,
        );
        let issue = fake
            .create_issue(REPO, "alice", "Queue backlog", "Consumers lag.", &[])
            .number;
        let setup = Setup {
            fake,
            issue,
            events: tempfile::tempdir().expect("a temporary directory"),
            script: PathBuf::from(env!("CARGO_MANIFEST_DIR"))
                .join("benches/versus/append-line.mjs"),
        };
        let declared = setup.comment("alice", "/incident sev2 Queue backlog");
        setup.run(&Program::Firebreak, &setup.event(declared), None);
        for i in 1..60 {
            let who = ["alice", "bob", "carol"][i % 3];
            setup.comment(
                who,
                &format!("Observation {i}: lag on shard {} growing", i % 16),
            );
        }
        let last = setup.comment("bob", "Observation 60");
        setup.run(&Program::Firebreak, &setup.event(last), None);
        setup
    }

    fn comment(&self, who: &str, body: &str) -> u64 {
        self.fake.create_comment(REPO, self.issue, who, body).id
    }

    fn new_event(&self) -> PathBuf {
        self.event(self.comment("carol", "Lag is back under 5 s after the rollback"))
    }

    /// The payload of `comment`'s creation, written to a file.
    fn event(&self, comment: u64) -> PathBuf {
        let path = self.events.path().join(format!("{comment}.json"));
        let bytes = payload::issue_comment(&self.fake, REPO, self.issue, comment, "created");
        std::fs::write(&path, bytes).expect("write the event");
        path
    }

    /// Run `program` on `event` with a workflow step's environment; measured through GNU
    /// `time` when given.
    fn run(&self, program: &Program, event: &Path, time: Option<&Path>) -> Option<Sample> {
        let figures = self.events.path().join("time.txt");
        let mut command = match time {
            Some(time) => {
                let mut c = Command::new(time);
                c.arg("-f").arg("%M").arg("-o").arg(&figures);
                c
            }
            None => Command::new(match program {
                Program::Firebreak => BINARY,
                Program::Script(_) => "node",
            }),
        };
        if time.is_some() {
            command.arg(match program {
                Program::Firebreak => BINARY,
                Program::Script(_) => "node",
            });
        }
        match program {
            Program::Firebreak => command.arg("action"),
            Program::Script(dir) => command
                .arg(&self.script)
                .env("FIREBREAK_CONFORMANCE_DIR", dir),
        };
        let cpu_before = children_cpu();
        let started = std::time::Instant::now();
        let output = command
            .env_remove("GITHUB_WORKSPACE")
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_EVENT_NAME", "issue_comment")
            .env("GITHUB_EVENT_PATH", event)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_API_URL", self.fake.url())
            .env("GITHUB_GRAPHQL_URL", self.fake.graphql_url())
            .env("GITHUB_TOKEN", TOKEN)
            .output()
            .expect("the program runs");
        let wall = started.elapsed();
        let cpu = children_cpu() - cpu_before;
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
        let text = std::fs::read_to_string(&figures)
            .ok()
            .filter(|_| time.is_some())?;
        let peak: f64 = text
            .lines()
            .last()
            .and_then(|l| l.trim().parse().ok())
            .unwrap_or_else(|| panic!("GNU time printed {text:?}"));
        Some(Sample {
            wall_ms: wall.as_secs_f64() * 1000.0,
            cpu_ms: cpu.as_secs_f64() * 1000.0,
            peak_kib: peak,
        })
    }
}

/// CPU time (user + system) of every child process waited for so far, descendants included.
fn children_cpu() -> std::time::Duration {
    use nix::sys::resource::{UsageWho, getrusage};
    let usage = getrusage(UsageWho::RUSAGE_CHILDREN).expect("getrusage");
    let micros = |t: nix::sys::time::TimeVal| {
        std::time::Duration::from_secs(t.tv_sec() as u64)
            + std::time::Duration::from_micros(t.tv_usec() as u64)
    };
    micros(usage.user_time()) + micros(usage.system_time())
}
