//! `firebreak demo`: a whole SEV1 incident played against the in-memory GitHub, through the
//! same code paths as the Action (real HTTP, real payload shapes), written out as markdown.
//!
//! Webhook payloads come from GitHub's own examples (`@octokit/webhooks-examples`) with the
//! in-memory GitHub's current objects put in ([`fake_github::payload`]).

use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::event::Event;
use crate::github::{GitHub, RetryPolicy};
use crate::render::{self, names};
use fake_github::{FakeGitHub, UserKind, payload};

const REPO: &str = "acme/checkout";
const TOKEN: &str = "demo-token";
/// The board's token in the demo: alice's, with whom the project is shared.
const BOARD_TOKEN: &str = "demo-board-token";

struct Demo {
    fake: FakeGitHub,
    github: GitHub,
    config: Config,
    clock: DateTime<Utc>,
    issue: u64,
}

impl Demo {
    /// Someone comments `minutes` after the previous step; Firebreak handles the event.
    async fn say(&mut self, minutes: i64, author: &str, body: &str) -> anyhow::Result<()> {
        self.clock += Duration::minutes(minutes);
        self.fake.set_now(self.clock);
        let comment = self.fake.create_comment(REPO, self.issue, author, body);
        let payload = payload::issue_comment(&self.fake, REPO, self.issue, comment.id, "created");
        let event = Event::from_webhook("issue_comment", &payload)?;
        let config = self.config.clone();
        crate::dispatch::dispatch(
            &self.github,
            &event,
            self.clock,
            crate::run::Mode::Apply,
            |_| async move { Ok(config) },
        )
        .await
        .with_context(|| {
            format!(
                "handling {author}'s comment `{}`",
                body.lines().next().unwrap_or("")
            )
        })?;
        Ok(())
    }
}

/// Plays the incident and writes one markdown file per issue into `out`.
pub async fn run(out: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let fake = FakeGitHub::start().await?;
    fake.add_repo(REPO);
    fake.add_user("firebreak[bot]", UserKind::Bot);
    fake.set_token(TOKEN, "firebreak[bot]");
    fake.add_user("mallory", UserKind::User);
    for (login, permission) in [
        ("alice", "admin"),
        ("bob", "write"),
        ("carol", "write"),
        ("dave", "write"),
    ] {
        fake.add_user(login, UserKind::User);
        fake.set_permission(REPO, login, permission);
    }
    let mut clock: DateTime<Utc> = "2026-11-20T14:02:00Z".parse().expect("valid time");
    fake.set_now(clock);
    let issue = fake.create_issue(
        REPO,
        "dave",
        "Checkout returns 500 for EU customers",
        "Since ~14:00 UTC the checkout API answers 500 for a large share of EU requests.\n\nDashboards: payments / checkout-eu.",
        &[],
    );
    clock += Duration::minutes(1);
    let github = GitHub::with_token(&fake.url(), TOKEN, REPO)?
        .with_identity("firebreak[bot]")
        .with_retry(RetryPolicy {
            attempts: 2,
            base: std::time::Duration::from_millis(10),
        });
    let mut demo = Demo {
        fake: fake.clone(),
        github,
        config: Config::default(),
        clock,
        issue: issue.number,
    };

    demo.say(
        0,
        "dave",
        "/incident sev2 Checkout returns 500 for EU customers",
    )
    .await?;
    demo.say(2, "alice", "/ic me\n/responder @bob @carol")
        .await?;
    demo.say(3, "carol", "Error rate on checkout-eu is 35%. payments-db primary in eu-west-1 shows replication lag and connection resets.").await?;
    demo.say(
        1,
        "alice",
        "/sev 1 checkout is failing for all EU customers, not a subset\n/comms @dave",
    )
    .await?;
    demo.say(
        1,
        "dave",
        "/impact About 35% of EU checkout attempts fail with HTTP 500; no data loss.",
    )
    .await?;
    demo.say(2, "bob", "/timeline -25m Deploy 2026.11.20-3 of payments-db config rolled out\nThat deploy changed the connection pool size, likely trigger.").await?;
    demo.say(
        1,
        "dave",
        "/update We are failing payments-db over to the replica. Next update in 15 minutes.",
    )
    .await?;
    demo.say(
        4,
        "bob",
        "/status identified connection pool exhaustion after the config deploy",
    )
    .await?;
    demo.say(
        6,
        "bob",
        "/status mitigated failed over to the replica; error rate back under 0.1%",
    )
    .await?;
    demo.say(
        1,
        "dave",
        "/update public Checkout is working again for EU customers. We are monitoring.",
    )
    .await?;
    demo.say(3, "mallory", "/sev 4").await?;
    demo.say(
        5,
        "alice",
        "Follow-ups so this does not page us again:\n/action Alert on payments-db connection pool saturation @bob P1 detect\n/action Canary config deploys for payments-db @carol P1 prevent due:+14d",
    )
    .await?;
    demo.say(15, "alice", "/status monitoring").await?;
    demo.say(
        30,
        "alice",
        "/status resolved pool size reverted and primary rebuilt",
    )
    .await?;

    std::fs::create_dir_all(out).with_context(|| format!("creating {}", out.display()))?;
    let mut written = Vec::new();
    for number in fake.issue_numbers(REPO) {
        let path = out.join(format!("issue-{number}.md"));
        std::fs::write(&path, issue_markdown(&fake, number))
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    // The postmortem draft, as the file on its branch.
    let state = fake.issue(REPO, issue.number).and_then(|i| {
        crate::incident::section::Body::parse(&i.body.unwrap_or_default())
            .incident()
            .cloned()
    });
    if let Some(pm) = state.and_then(|i| i.postmortem)
        && let (Some(branch), Some(file)) = (pm.branch, pm.path)
        && let Some(text) = fake.file(REPO, &branch, &file)
    {
        let path = out.join("postmortem-draft.md");
        std::fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    let path = out.join("board.md");
    std::fs::write(&path, board(&fake, &demo.github).await?)
        .with_context(|| format!("writing {}", path.display()))?;
    written.push(path);
    Ok(written)
}

/// The incident, its postmortem and its action items on a Projects board: `firebreak board
/// sync` with alice's token creates the fields and adds the cards; the board as a table.
async fn board(fake: &FakeGitHub, github: &GitHub) -> anyhow::Result<String> {
    fake.add_user("acme", UserKind::Organization);
    fake.add_project("acme", 1, "Incidents");
    fake.share_project("acme", 1, "alice");
    fake.set_token(BOARD_TOKEN, "alice");
    let mut config = Config::default();
    let mut board = crate::config::BoardConfig {
        owner: "acme".into(),
        number: 1,
        fields: Default::default(),
    };
    // A new project's own Status field holds Todo / In Progress / Done: Firebreak's statuses
    // go in a field of their own, which the sync creates.
    board.fields.status = "Incident status".into();
    config.board = Some(board);
    let client = GitHub::with_token(&fake.url(), BOARD_TOKEN, REPO)?;
    crate::run::board::sync(github, Some(&client), &config, crate::run::Mode::Apply).await?;
    crate::run::board::table(github, &client, &config).await
}

#[derive(Serialize)]
struct DemoComment {
    author: String,
    at: String,
    reactions: String,
    body: String,
}

#[derive(Serialize)]
struct DemoIssue {
    number: u64,
    title: String,
    state: String,
    labels: Vec<String>,
    assignees: Vec<String>,
    body: String,
    comments: Vec<DemoComment>,
}

/// An issue as a person would see it on GitHub, as markdown.
pub fn issue_markdown(fake: &FakeGitHub, number: u64) -> String {
    let issue = fake.issue(REPO, number).expect("issue exists");
    let comments = fake
        .comments(REPO, number)
        .into_iter()
        .map(|c| DemoComment {
            author: c.author,
            at: render::format_time(c.created_at, chrono_tz::UTC),
            reactions: c
                .reactions
                .iter()
                .map(|r| format!(":{}: by {}", r.content, r.user))
                .collect::<Vec<_>>()
                .join(", "),
            body: c.body,
        })
        .collect();
    render::render(
        names::DEMO_ISSUE,
        &DemoIssue {
            number,
            title: issue.title,
            state: issue.state,
            labels: issue.labels,
            assignees: issue.assignees,
            body: issue.body.unwrap_or_default(),
            comments,
        },
    )
}
