//! The sweep's work besides the network, over 1,000 open incidents with nothing due: group
//! what was listed by incident, parsing each body once (`run::sweep::prepare`: 1,000
//! incidents, 1,000 open action items, 200 recent comments), then decide each one from its
//! body's state and its recent comments (`engine::decide`, `Listing::Recent`) and find what
//! falls due next (`engine::reminders::next`). Issue #12 budgets this under 100 ms.
//!
//! `cargo bench --bench sweep` (under `cargo test --all-targets` it runs once, as a test).

use chrono::{DateTime, Duration, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use firebreak::config::Config;
use firebreak::engine::{self, ConfigAuthorizer, Input, Listing, Trigger, reminders};
use firebreak::event::{Comment, Issue, User};
use firebreak::incident::section;
use firebreak::incident::{ActionItem, ActionType, Entry, EntryKind, Incident, ItemState, Status};
use firebreak::run::sweep::{Listed, prepare};

/// Firebreak's login.
const BOT: &str = "firebreak[bot]";
/// Open incidents (and open action items) swept.
const INCIDENTS: u64 = 1_000;
/// Comments updated since the watermark, spread over the incidents.
const RECENT: u64 = 200;

fn t0() -> DateTime<Utc> {
    "2026-11-20T10:00:00Z".parse().unwrap()
}

fn issue(value: serde_json::Value) -> Issue {
    serde_json::from_value(value).unwrap()
}

/// Incident `n` as a real run leaves it: acknowledged, roles, an impact, an update, a
/// mitigation, one open action item (#`item`), twenty timeline entries with comments.
fn incident(config: &Config, n: u64, item: u64) -> (Incident, Vec<String>) {
    let at = t0() + Duration::minutes(n as i64);
    let mut i = Incident::declare(
        &format!("Queue backlog {n}"),
        3,
        "alice",
        at,
        config.timezone,
    );
    i.labels_ready = true;
    i.acknowledge(at + Duration::minutes(2));
    i.commander = Some("bob".into());
    i.set_status(Status::Mitigated, at + Duration::minutes(40));
    i.update = Some(firebreak::incident::Update {
        text: "Consumers caught up; watching lag".into(),
        by: "bob".into(),
        at: at + Duration::minutes(39),
        public: false,
    });
    for e in 0..20u64 {
        i.timeline.push(
            Entry::new(
                at + Duration::minutes(e as i64),
                EntryKind::Comment,
                ["alice", "bob", "carol"][(e % 3) as usize],
                format!(
                    "Observation {e}: consumer lag on shard {} is {} s",
                    e % 16,
                    e * 3
                ),
            )
            .from_comment(n * 100 + e, None),
        );
    }
    i.action_items.push(ActionItem {
        key: format!("c{}.1", n * 100),
        number: Some(item),
        title: format!("Alert on consumer lag {n}"),
        owner: Some("carol".into()),
        priority: 1,
        kind: ActionType::Detect,
        due: "2027-02-01".parse().unwrap(),
        state: ItemState::Open,
        by: "alice".into(),
        at,
    });
    (
        i,
        vec!["incident".into(), "sev:3".into(), "status:mitigated".into()],
    )
}

fn listed(config: &Config) -> Listed {
    let url = "https://github.com/acme/app/issues";
    let items = (0..INCIDENTS)
        .map(|n| {
            issue(serde_json::json!({
                "number": n + 1, "id": n + 1, "title": format!("Alert on consumer lag {n}"),
                "body": engine::item_marker(INCIDENTS + n + 1, &format!("c{}.1", n * 100)),
                "state": "open", "labels": [{"name": "action-item"}],
                "user": {"login": "firebreak[bot]", "type": "Bot"},
                "created_at": t0(), "updated_at": t0(), "html_url": format!("{url}/{}", n + 1),
            }))
        })
        .collect();
    let incidents = (0..INCIDENTS)
        .map(|n| {
            let number = INCIDENTS + n + 1;
            let (mut state, labels) = incident(config, n, n + 1);
            state.issue = Some(number);
            let html = format!("{url}/{number}");
            let rendered = engine::docs::section(config, &state, &html, &[]);
            let body = section::compose("What we see: consumer lag.", &rendered, &state, "");
            issue(serde_json::json!({
                "number": number, "id": number, "title": config.title_for(3, &state.title),
                "body": body, "state": "open",
                "labels": labels.iter().map(|l| serde_json::json!({"name": l})).collect::<Vec<_>>(),
                "assignees": [{"login": "bob", "type": "User"}],
                "user": {"login": "alice", "type": "User"}, "author_association": "MEMBER",
                "comments": 20,
                "created_at": t0(), "updated_at": t0(), "html_url": html,
            }))
        })
        .collect();
    // Recent comments: ones the incidents' timelines already hold (their events were handled).
    let comments = (0..RECENT)
        .map(|c| {
            let n = c * (INCIDENTS / RECENT);
            let id = n * 100 + 19;
            let at = t0() + Duration::minutes(n as i64 + 19);
            let comment = Comment {
                id,
                body: Some("Observation 19: consumer lag on shard 3 is 57 s".to_string()),
                user: User {
                    login: ["alice", "bob", "carol"][(19 % 3) as usize].into(),
                    id: 7,
                    kind: "User".into(),
                },
                created_at: at,
                updated_at: at,
                html_url: String::new(),
                author_association: "MEMBER".into(),
            };
            (INCIDENTS + n + 1, comment)
        })
        .collect();
    Listed {
        incidents,
        closed: Vec::new(),
        items,
        comments,
        mark: Some(t0()),
        since: t0(),
    }
}

/// What the sweep does between its reads and its writes; returns how many incidents have
/// something to write.
fn sweep(config: &Config, mut listed: Listed, now: DateTime<Utc>) -> usize {
    let work = prepare(&mut listed, BOT);
    let mut due = 0;
    for one in &work {
        let authorizer = ConfigAuthorizer::new(config, &one.facts);
        let plan = engine::decide(&Input {
            config,
            now,
            issue: &one.issue,
            comments: &one.comments,
            listing: Listing::Recent,
            parsed: Some(&one.body),
            events: None,
            trigger: Trigger::Sweep,
            authorizer: &authorizer,
            facts: &one.facts,
            pull: None,
            pull_comments: &[],
            limits: engine::Limits::GITHUB,
            bot: BOT,
        });
        if let Some(incident) = one.incident() {
            std::hint::black_box(reminders::next(config, incident, now));
        }
        due += usize::from(!plan.is_empty() || !plan.needs.is_empty());
    }
    due
}

fn bench(c: &mut Criterion) {
    let config = Config::default();
    let listed = listed(&config);
    let now = t0() + Duration::days(1);
    assert_eq!(sweep(&config, listed.clone(), now), 0, "nothing is due");
    // What was listed arrives owned from the HTTP answers: its copy is set-up, not measured.
    c.bench_function("sweep_1000_incidents_nothing_due", |b| {
        b.iter_batched(
            || listed.clone(),
            |listed| sweep(&config, listed, now),
            BatchSize::LargeInput,
        )
    });
}

criterion_group!(benches, bench);
criterion_main!(benches);
