//! `firebreak action` handling one event, and where its time goes. Issue #2 budgets what the
//! process spends outside the network (start-up, parse, decide, render) under 50 ms.
//!
//! - `action_in_process_one_comment`: everything the process does for a new comment on an
//!   incident with 60 comments except HTTP: parse the webhook payload, load the starter config
//!   from YAML, decide (reconcile every comment, render the body).
//! - `action_process_start`: starting the binary and exiting (`firebreak --version`).
//! - `action_process_one_comment`: the real binary handling a new comment end to end against
//!   the in-memory GitHub on loopback (config from the workspace, one listing, one reaction-free
//!   PATCH): wall clock with the network included, so an upper bound of the budgeted figure.
//!
//! `cargo bench --bench action` (under `cargo test --all-targets` each runs once, as a test).

use std::process::Command;
use std::time::Duration;

use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use fake_github::payload;
use fake_github::{FakeGitHub, UserKind};
use firebreak::config::Config;
use firebreak::engine::{self, Authorizer, Input, Trigger};
use firebreak::event::{Comment, Event};

const REPO: &str = "acme/bench";
const TOKEN: &str = "bench-token";
const BINARY: &str = env!("CARGO_BIN_EXE_firebreak");

struct AllowAll;

impl Authorizer for AllowAll {
    fn permits(&self, _: &str, _: &str, _: &str) -> bool {
        true
    }
    fn who(&self, _: &str) -> String {
        "Everyone".into()
    }
}

/// The fake with an incident of 60 comments, declared and reconciled by the real binary.
struct Setup {
    fake: FakeGitHub,
    issue: u64,
    workspace: tempfile::TempDir,
    events: tempfile::TempDir,
}

impl Setup {
    fn new() -> Setup {
        let fake = FakeGitHub::start_background("127.0.0.1:0").expect("start the fake");
        fake.add_user("firebreak[bot]", UserKind::Bot);
        fake.set_token(TOKEN, "firebreak[bot]");
        fake.add_repo(REPO);
        for login in ["alice", "bob", "carol"] {
            fake.add_user(login, UserKind::User);
            fake.set_permission(REPO, login, "write");
        }
        let issue = fake
            .create_issue(REPO, "alice", "Queue backlog", "Consumers lag.", &[])
            .number;
        let workspace = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(workspace.path().join(".github")).unwrap();
        std::fs::write(
            workspace.path().join(".github/firebreak.yml"),
            firebreak::init::STARTER_CONFIG,
        )
        .unwrap();
        let setup = Setup {
            fake,
            issue,
            workspace,
            events: tempfile::tempdir().unwrap(),
        };
        let declared = setup.comment("alice", "/incident sev2 Queue backlog");
        setup.run(&setup.event(declared));
        for i in 1..60 {
            let who = ["alice", "bob", "carol"][i % 3];
            setup.comment(
                who,
                &format!("Observation {i}: lag on shard {} growing", i % 16),
            );
        }
        let last = setup.comment("bob", "Observation 60");
        setup.run(&setup.event(last));
        setup
    }

    fn comment(&self, who: &str, body: &str) -> u64 {
        self.fake.create_comment(REPO, self.issue, who, body).id
    }

    /// The payload of `comment`'s creation, written to a file.
    fn event(&self, comment: u64) -> std::path::PathBuf {
        let path = self.events.path().join(format!("{comment}.json"));
        let bytes = payload::issue_comment(&self.fake, REPO, self.issue, comment, "created");
        std::fs::write(&path, bytes).unwrap();
        path
    }

    fn run(&self, event: &std::path::Path) {
        let output = Command::new(BINARY)
            .arg("action")
            .env_clear()
            .env("GITHUB_EVENT_NAME", "issue_comment")
            .env("GITHUB_EVENT_PATH", event)
            .env("GITHUB_REPOSITORY", REPO)
            .env("GITHUB_API_URL", self.fake.url())
            .env("GITHUB_WORKSPACE", self.workspace.path())
            .env("GITHUB_TOKEN", TOKEN)
            .output()
            .expect("the binary runs");
        assert!(
            output.status.success(),
            "{}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn comments(&self) -> Vec<Comment> {
        self.fake
            .comments(REPO, self.issue)
            .iter()
            .map(|c| serde_json::from_value(self.fake.comment_json(REPO, c.id)).unwrap())
            .collect()
    }
}

fn bench(c: &mut Criterion) {
    let setup = Setup::new();

    // In process: the payload and the listed comments are what the network would bring.
    let new = setup.comment("carol", "Lag is back under 5 s after the rollback");
    let bytes = payload::issue_comment(&setup.fake, REPO, setup.issue, new, "created");
    let comments = setup.comments();
    c.bench_function("action_in_process_one_comment", |b| {
        b.iter(|| {
            let event = Event::from_webhook("issue_comment", &bytes).unwrap();
            let Event::IssueComment { issue, .. } = &event else {
                unreachable!("an issue_comment payload")
            };
            let config =
                Config::from_yaml(firebreak::init::STARTER_CONFIG, ".github/firebreak.yml")
                    .unwrap();
            let plan = engine::decide(&Input {
                config: &config,
                now: chrono::Utc::now(),
                issue,
                comments: &comments,
                events: Some(&[]),
                trigger: Trigger::Reconcile,
                authorizer: &AllowAll,
                facts: &Default::default(),
                pull: None,
                pull_comments: &[],
                limits: engine::Limits::GITHUB,
                bot: "firebreak[bot]",
            });
            assert!(plan.body.is_some(), "the new comment is written");
            plan
        })
    });
    setup.run(&setup.event(new));

    let mut processes = c.benchmark_group("action_process");
    processes
        .sample_size(10)
        .warm_up_time(Duration::from_secs(1))
        .measurement_time(Duration::from_secs(4));
    processes.bench_function("start", |b| {
        b.iter(|| {
            let status = Command::new(BINARY)
                .arg("--version")
                .output()
                .unwrap()
                .status;
            assert!(status.success());
        })
    });
    processes.bench_function("one_comment", |b| {
        b.iter_batched(
            || setup.event(setup.comment("bob", "Still watching shard 3")),
            |event| setup.run(&event),
            BatchSize::PerIteration,
        )
    });
    processes.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
