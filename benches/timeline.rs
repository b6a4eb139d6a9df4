//! Rendering and reconciling a 1,000-entry timeline: `engine::decide` over an incident whose
//! 1,000 comments fill the body and a dozen overflow parts. One new comment is what a run
//! usually meets; nothing new is a redelivered event. Issue #3 budgets this under 10 ms.
//!
//! `cargo bench --bench timeline` (under `cargo test --all-targets` it runs once, as a test).

use chrono::{DateTime, Duration, Utc};
use std::collections::BTreeSet;

use criterion::{Criterion, criterion_group, criterion_main};
use firebreak::config::Config;
use firebreak::engine::{self, Authorizer, Facts, Input, Plan, Trigger};
use firebreak::event::{Comment, Issue, User};

struct AllowAll;

impl Authorizer for AllowAll {
    fn permits(&self, _: &str, _: &str, _: &str) -> bool {
        true
    }
    fn who(&self, _: &str) -> String {
        "Everyone".into()
    }
}

struct World {
    config: Config,
    issue: Issue,
    comments: Vec<Comment>,
    clock: DateTime<Utc>,
}

impl World {
    fn new() -> World {
        let clock: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().unwrap();
        let issue = serde_json::from_value(serde_json::json!({
            "number": 1, "id": 1, "title": "Queue backlog", "body": "What we see.",
            "state": "open", "user": {"login": "alice", "type": "User"},
            "created_at": clock, "updated_at": clock,
            "html_url": "https://github.com/acme/app/issues/1",
        }))
        .unwrap();
        World {
            config: Config::default(),
            issue,
            comments: Vec::new(),
            clock,
        }
    }

    fn add(&mut self, login: &str, body: &str) {
        self.clock += Duration::seconds(20);
        let id = 1_000_000 + self.comments.len() as u64;
        self.comments.push(Comment {
            id,
            body: Some(body.into()),
            user: User {
                login: login.into(),
                id: 7,
                kind: if login.ends_with("[bot]") {
                    "Bot"
                } else {
                    "User"
                }
                .into(),
            },
            created_at: self.clock,
            updated_at: self.clock,
            html_url: format!("{}#issuecomment-{id}", self.issue.html_url),
            author_association: "MEMBER".into(),
        });
    }

    fn decide(&self) -> Plan {
        engine::decide(&Input {
            config: &self.config,
            now: self.clock,
            issue: &self.issue,
            comments: &self.comments,
            events: Some(&[]),
            trigger: Trigger::Reconcile,
            authorizer: &AllowAll,
            // As the gather step reads it: the repository has Firebreak's labels.
            facts: &Facts {
                labels: Some(BTreeSet::new()),
                ..Facts::default()
            },
            pull: None,
            pull_comments: &[],
            limits: engine::Limits::GITHUB,
            bot: "firebreak[bot]",
        })
    }

    /// Applies plans (parts and body; labels and replies do not matter here) until settled.
    fn settle(&mut self) {
        for _ in 0..10 {
            let plan = self.decide();
            if plan.body.is_none() && plan.overflow.is_empty() {
                return;
            }
            let mut created = Vec::new();
            for part in &plan.overflow.create {
                self.add("firebreak[bot]", &part.body);
                created.push(self.comments.last().unwrap().id);
            }
            for part in &plan.overflow.update {
                let id = part.comment.unwrap();
                let c = self.comments.iter_mut().find(|c| c.id == id).unwrap();
                c.body = Some(part.body.clone());
            }
            let body = match (&plan.body, &plan.incident) {
                (Some(draft), Some(incident)) => Some(engine::docs::body(
                    &self.config,
                    draft,
                    incident,
                    &Default::default(),
                    &created,
                    None,
                )),
                _ => None,
            };
            if let Some(body) = body {
                self.issue.body = Some(body);
            }
        }
        panic!("the timeline did not settle");
    }
}

/// An incident whose timeline holds 1,000 entries (the declaration and 999 comments).
fn thousand() -> World {
    let mut world = World::new();
    world.add("alice", "/incident sev1 Queue backlog");
    for i in 1..1_000 {
        let who = ["alice", "bob", "carol"][i % 3];
        world.add(
            who,
            &format!(
                "Observation {i}: consumer lag on shard {} is {} s and growing",
                i % 16,
                i * 3
            ),
        );
    }
    world.settle();
    world
}

fn bench(c: &mut Criterion) {
    let settled = thousand();
    let parts = settled
        .comments
        .iter()
        .filter(|c| c.user.login.ends_with("[bot]"))
        .count();
    assert!(parts >= 5, "the timeline overflows into parts ({parts})");

    c.bench_function("timeline_1000_entries_nothing_new", |b| {
        b.iter(|| {
            let plan = settled.decide();
            assert!(plan.body.is_none() && plan.overflow.is_empty());
            plan
        })
    });

    let mut one_more = thousand();
    one_more.add("bob", "Lag is back under 5 s after the rollback");
    c.bench_function("timeline_1000_entries_one_new_comment", |b| {
        b.iter(|| {
            let plan = one_more.decide();
            assert!(plan.body.is_some());
            plan
        })
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
