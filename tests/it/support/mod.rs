//! Shared test harness: one in-memory GitHub per test process, behind Prism when the
//! conformance lane is on (see CONFORMANCE.md), and one repository per test.

pub mod prism;

use std::path::PathBuf;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use chrono::Utc;
use fake_github::payload;
use fake_github::{FakeGitHub, RequestRecord, UserKind};
use firebreak::config::Config;
use firebreak::event::Event;
use firebreak::github::{GitHub, RetryPolicy};
use firebreak::run::{Mode, Outcome};

pub struct Harness {
    /// The in-memory GitHub (seed and inspect it directly).
    pub fake: FakeGitHub,
    /// Where clients should send REST calls: Prism in front of `fake` when the conformance lane
    /// is on, else `fake.url()`. GraphQL goes to `fake.graphql_url()` (Prism has no `/graphql`).
    pub api_url: String,
}

/// The shared harness, started on first use.
pub fn github() -> &'static Harness {
    static HARNESS: OnceLock<Harness> = OnceLock::new();
    HARNESS.get_or_init(|| {
        let fake = FakeGitHub::start_background("127.0.0.1:0").expect("start the fake GitHub");
        fake.add_user(BOT, UserKind::Bot);
        fake.set_token(TOKEN, BOT);
        let api_url = prism::start(&fake.url()).unwrap_or_else(|| fake.url());
        Harness { fake, api_url }
    })
}

pub const TOKEN: &str = "test-token";
pub const BOT: &str = "firebreak-test[bot]";

/// A fresh repository for one test: alice (admin), bob and carol (write), mallory (none).
pub struct Repo {
    pub name: String,
    pub fake: FakeGitHub,
    pub api_url: String,
    pub config: Config,
}

/// Repositories named `names` on an in-memory GitHub of their own (not the shared one, and not
/// behind Prism), whose clock stands still at `now`: runs on them see the same times.
pub fn isolated(names: &[&str], now: chrono::DateTime<Utc>) -> Vec<Repo> {
    let fake = FakeGitHub::start_background("127.0.0.1:0").expect("start a fake GitHub");
    fake.add_user(BOT, UserKind::Bot);
    fake.set_token(TOKEN, BOT);
    fake.set_now(now);
    names
        .iter()
        .map(|test| {
            let name = format!("acme/{test}-0");
            seed(&fake, &name);
            Repo {
                name,
                fake: fake.clone(),
                api_url: fake.url(),
                config: Config::default(),
            }
        })
        .collect()
}

/// A repository with alice (admin), bob and carol (write), mallory (none).
fn seed(fake: &FakeGitHub, name: &str) {
    fake.add_repo(name);
    for (login, permission) in [("alice", "admin"), ("bob", "write"), ("carol", "write")] {
        fake.add_user(login, UserKind::User);
        fake.set_permission(name, login, permission);
    }
    fake.add_user("mallory", UserKind::User);
}

pub fn repo(test: &str) -> Repo {
    static COUNTER: AtomicUsize = AtomicUsize::new(0);
    let h = github();
    let name = format!("acme/{test}-{}", COUNTER.fetch_add(1, Ordering::SeqCst));
    seed(&h.fake, &name);
    Repo {
        name,
        fake: h.fake.clone(),
        api_url: h.api_url.clone(),
        config: Config::default(),
    }
}

impl Repo {
    pub fn client(&self) -> GitHub {
        GitHub::with_token(&self.api_url, TOKEN, &self.name)
            .unwrap()
            .with_graphql_url(&self.fake.graphql_url())
            .unwrap()
            .with_identity(BOT)
            .with_retry(RetryPolicy {
                attempts: 3,
                base: std::time::Duration::from_millis(5),
            })
    }

    /// Handles an event through the Action's entry point (library call, real HTTP).
    pub async fn handle(&self, event_name: &str, payload: &[u8]) -> anyhow::Result<Outcome> {
        let event = Event::from_webhook(event_name, payload)?;
        let config = self.config.clone();
        firebreak::dispatch::dispatch(
            &self.client(),
            &event,
            Utc::now(),
            Mode::Apply,
            |_| async move { Ok(config) },
        )
        .await
    }

    /// Handles an event through the dispatcher at `now`, applying or only planning.
    pub async fn dispatch(
        &self,
        event_name: &str,
        payload: &[u8],
        now: chrono::DateTime<Utc>,
        mode: Mode,
    ) -> anyhow::Result<Outcome> {
        let event = Event::from_webhook(event_name, payload)?;
        let config = self.config.clone();
        firebreak::dispatch::dispatch(
            &self.client(),
            &event,
            now,
            mode,
            |_| async move { Ok(config) },
        )
        .await
    }

    /// A person comments; Firebreak handles the `issue_comment.created` event.
    pub async fn comment(&self, issue: u64, author: &str, body: &str) -> u64 {
        let id = self.fake.create_comment(&self.name, issue, author, body).id;
        self.deliver_comment(issue, id, "created")
            .await
            .expect("the run succeeds");
        id
    }

    pub async fn deliver_comment(
        &self,
        issue: u64,
        comment: u64,
        action: &str,
    ) -> anyhow::Result<Outcome> {
        let payload = payload::issue_comment(&self.fake, &self.name, issue, comment, action);
        self.handle("issue_comment", &payload).await
    }

    /// An issue opened by `author`, not yet an incident.
    pub fn issue(&self, author: &str, title: &str, body: &str) -> u64 {
        self.fake
            .create_issue(&self.name, author, title, body, &[])
            .number
    }

    /// A declared SEV2 incident (declared by alice, who is allowed), requests log cleared.
    pub async fn incident(&self, title: &str) -> u64 {
        let n = self.issue("alice", title, "What we see.");
        self.comment(n, "alice", "/incident").await;
        self.clear_requests();
        n
    }

    pub fn body(&self, issue: u64) -> String {
        self.fake
            .issue(&self.name, issue)
            .unwrap()
            .body
            .unwrap_or_default()
    }

    pub fn labels(&self, issue: u64) -> Vec<String> {
        let mut labels = self.fake.issue(&self.name, issue).unwrap().labels;
        labels.sort();
        labels
    }

    pub fn bot_comments(&self, issue: u64) -> Vec<String> {
        self.fake
            .comments(&self.name, issue)
            .into_iter()
            .filter(|c| c.author == BOT)
            .map(|c| c.body)
            .collect()
    }

    pub fn requests(&self) -> Vec<RequestRecord> {
        self.fake.requests_for(&self.name)
    }

    pub fn clear_requests(&self) {
        // Other tests share the fake: only forget this repository's requests by remembering
        // how many there were.
        CLEARED.with(|c| {
            c.borrow_mut()
                .insert(self.name.clone(), self.fake.requests_for(&self.name).len())
        });
    }

    /// Requests since the last `clear_requests`, as `METHOD path` strings.
    pub fn calls(&self) -> Vec<String> {
        let skip = CLEARED.with(|c| c.borrow().get(&self.name).copied().unwrap_or(0));
        self.requests()
            .into_iter()
            .skip(skip)
            .map(|r| format!("{} {}", r.method, r.path))
            .collect()
    }

    /// The section of the body a person reads (without the hidden state line).
    pub fn visible_section(&self, issue: u64) -> String {
        let body = self.body(issue);
        body.lines()
            .filter(|l| !l.starts_with("<!-- firebreak:state"))
            .collect::<Vec<_>>()
            .join("\n")
    }
}

thread_local! {
    static CLEARED: std::cell::RefCell<std::collections::HashMap<String, usize>> = Default::default();
}

/// Snapshot settings: times, durations, ids and repository names vary run to run.
pub fn stable() -> insta::Settings {
    let mut s = insta::Settings::clone_current();
    s.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}( UTC)?", "[time]");
    s.add_filter(r"due \d{4}-\d{2}-\d{2}", "due [date]");
    s.add_filter(r"the draft is #\d+", "the draft is #[n]");
    s.add_filter(r"\(\+\d+(d|h|m)[^)]*\)", "(+[duration])");
    s.add_filter(r"after \d+(d \d+h|h \d+m|m)", "after [duration]");
    s.add_filter(r"\[time\] [a-z0-9-]+`", "[time] [slug]`");
    s.add_filter(r"acme/[a-z0-9_-]+-\d+", "acme/[repo]");
    s.add_filter(r"issuecomment-\d+", "issuecomment-[id]");
    s.add_filter(
        r"firebreak:reply [a-z-]*c?\d+(\.\d+)?",
        "firebreak:reply [key]",
    );
    s.add_filter(r"http://127\.0\.0\.1:\d+", "[server]");
    s
}

/// The postmortem pull request the incident's state records.
pub fn postmortem_pull(repo: &Repo, n: u64) -> u64 {
    firebreak::incident::section::Body::parse(&repo.body(n))
        .incident()
        .and_then(|i| i.postmortem.as_ref()?.pull)
        .expect("a postmortem pull request")
}

/// A `pull_request` event about `pr`.
pub fn pull_payload(repo: &Repo, pr: u64, action: &str, sender: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "action": action,
        "number": pr,
        "pull_request": repo.fake.pull_json(&repo.name, pr),
        "repository": repo.fake.repo_json(&repo.name),
        "sender": repo.fake.user_json(sender),
    }))
    .unwrap()
}

/// Path of the built binary.
pub fn binary() -> PathBuf {
    PathBuf::from(env!("CARGO_BIN_EXE_firebreak"))
}
