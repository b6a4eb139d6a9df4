//! What a sweep costs, counted at the in-memory GitHub, and its comment watermark: it moves
//! only when comments pile up behind it, never past an incident that failed, and a sweep that
//! dies leaves it where it was.

use chrono::{DateTime, Duration, Utc};
use fake_github::{Fault, FaultKind};
use firebreak::config::Config;
use firebreak::engine::item_marker;
use firebreak::incident::section::{self, Body};
use firebreak::incident::{ActionItem, ActionType, Incident, ItemState, Status};
use firebreak::run::Mode;
use firebreak::run::sweep::{ADVANCE_AFTER, SLACK, WATERMARK_LABEL, parse_mark};

use crate::support::{self, Repo};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const T0: &str = "2026-11-20T10:00:00Z";

/// Incidents (and open action items) of the cost target.
const MANY: u64 = 1_000;

/// A quiet SEV3: acknowledged, mitigated, one open action item due in the future.
fn quiet(title: &str, item: u64, at: DateTime<Utc>) -> Incident {
    let mut incident = Incident::declare(title, 3, "alice", at, chrono_tz::UTC);
    incident.labels_ready = true;
    incident.acknowledge(at);
    incident.set_status(Status::Mitigated, at + Duration::minutes(30));
    incident.action_items.push(ActionItem {
        key: format!("c{item}.1"),
        number: Some(item),
        title: format!("Follow-up {item}"),
        owner: None,
        priority: 2,
        kind: ActionType::Prevent,
        due: "2027-03-01".parse().unwrap(),
        state: ItemState::Open,
        by: "alice".into(),
        at,
    });
    incident
}

/// `incidents` quiet incidents with one open action item each, seeded straight into the fake.
fn seed(repo: &Repo, incidents: u64) -> Vec<u64> {
    let config = &repo.config;
    let items: Vec<u64> = (0..incidents)
        .map(|i| {
            repo.fake
                .create_issue(
                    &repo.name,
                    "alice",
                    &format!("Follow-up {i}"),
                    &item_marker(0, &format!("c{i}.1")),
                    &["action-item", "priority:P2", "type:prevent"],
                )
                .number
        })
        .collect();
    items
        .iter()
        .zip(1..)
        .map(|(item, nth)| {
            let title = format!("Queue backlog {item}");
            let mut incident = quiet(&title, *item, t(T0));
            // Issues are numbered in order: a state names its issue.
            let number = items.len() as u64 + nth;
            incident.issue = Some(number);
            let created = repo
                .fake
                .create_issue(
                    &repo.name,
                    "alice",
                    &config.title_for(3, &title),
                    &section::compose("What we see.", "", &incident, ""),
                    &["incident", "sev:3", "status:mitigated"],
                )
                .number;
            assert_eq!(created, number);
            created
        })
        .collect()
}

async fn sweep(repo: &Repo, now: DateTime<Utc>) -> firebreak::run::Outcome {
    repo.fake.set_now(now);
    repo.clear_requests();
    firebreak::run::sweep::sweep(&repo.client(), &repo.config, now, Mode::Apply)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_sweep_over_a_thousand_quiet_incidents_and_items_costs_few_reads_and_no_write() {
    let repo = support::isolated(&["sweep-cost"], t(T0)).pop().unwrap();
    seed(&repo, MANY);
    let outcome = sweep(&repo, t("2026-11-21T10:00:00Z")).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    let calls = repo.calls();
    let reads = calls.iter().filter(|c| c.starts_with("GET ")).count();
    let writes: Vec<&String> = calls.iter().filter(|c| !c.starts_with("GET ")).collect();
    assert_eq!(writes, Vec::<&String>::new());
    // 10 pages of incidents, 10 of items, the watermark, one page of comments.
    assert_eq!(reads, 22, "{calls:#?}");
    assert!(reads <= 25);
    assert!(outcome.notes.last().unwrap().starts_with(&format!(
        "swept {MANY} open incident(s), 0 with something to do"
    )));
}

/// Declares `n` acknowledged SEV3 incidents by comment at T0 (nothing falls due for hours).
async fn declare_quiet(repo: &Repo, n: usize) -> Vec<u64> {
    repo.fake.set_now(t(T0));
    let mut incidents = Vec::new();
    for i in 0..n {
        let issue = repo.issue("alice", &format!("Lag {i}"), "");
        let id = repo
            .fake
            .create_comment(&repo.name, issue, "alice", "/incident sev3\n/ack")
            .id;
        repo.deliver_comment(issue, id, "created").await.unwrap();
        incidents.push(issue);
    }
    incidents
}

/// bob comments on `issue` once a minute from `from`, `count` times; each is handled.
async fn observe(repo: &Repo, issue: u64, from: DateTime<Utc>, count: i64) -> DateTime<Utc> {
    let mut last = from;
    for c in 0..count {
        last = from + Duration::minutes(c);
        repo.fake.set_now(last);
        let id = repo
            .fake
            .create_comment(&repo.name, issue, "bob", &format!("Observation {c}"))
            .id;
        repo.deliver_comment(issue, id, "created").await.unwrap();
    }
    last
}

fn mark(repo: &Repo) -> Option<DateTime<Utc>> {
    repo.fake
        .labels(&repo.name)
        .into_iter()
        .find(|l| l.name == WATERMARK_LABEL)
        .and_then(|l| parse_mark(l.description.as_deref().unwrap_or("")))
}

fn writes(repo: &Repo) -> Vec<String> {
    repo.calls()
        .into_iter()
        .filter(|c| !c.starts_with("GET "))
        .collect()
}

#[tokio::test]
async fn the_watermark_moves_once_comments_pile_up_and_the_next_sweep_reads_from_it() {
    let repo = support::isolated(&["sweep-mark"], t(T0)).pop().unwrap();
    let incidents = declare_quiet(&repo, 3).await;
    // Three declarations and 46 comments: one short of moving it.
    let from = t("2026-11-20T10:10:00Z");
    observe(&repo, incidents[0], from, ADVANCE_AFTER as i64 - 4).await;
    sweep(&repo, t("2026-11-20T12:00:00Z")).await;
    assert_eq!(
        mark(&repo),
        None,
        "below {ADVANCE_AFTER} comments it stays put"
    );
    assert_eq!(writes(&repo), Vec::<String>::new());
    let newest = observe(&repo, incidents[1], t("2026-11-20T11:30:00Z"), 1).await;
    sweep(&repo, t("2026-11-20T12:00:00Z")).await;
    assert_eq!(mark(&repo), Some(newest - SLACK));
    assert_eq!(writes(&repo), [format!("POST /repos/{}/labels", repo.name)]);
    // The next sweep lists from it.
    sweep(&repo, t("2026-11-20T12:10:00Z")).await;
    let listed = repo
        .requests()
        .into_iter()
        .rev()
        .find(|r| r.path.ends_with("/issues/comments"))
        .unwrap();
    assert!(
        listed.query.contains("since=2026-11-20T11%3A25%3A00Z"),
        "{}",
        listed.query
    );
}

#[tokio::test]
async fn a_failed_incident_holds_the_watermark_and_its_lost_comment_is_caught_up_later() {
    let mut repo = support::isolated(&["sweep-held"], t(T0)).pop().unwrap();
    repo.config = Config::default();
    let incidents = declare_quiet(&repo, 2).await;
    let (lost_on, busy) = (incidents[0], incidents[1]);
    observe(&repo, busy, t("2026-11-20T10:10:00Z"), 60).await;
    sweep(&repo, t("2026-11-20T12:00:00Z")).await;
    assert_eq!(mark(&repo), Some(t("2026-11-20T11:04:00Z")));

    observe(&repo, busy, t("2026-11-20T12:00:00Z"), 60).await;
    // A comment whose event was lost; writing its incident fails this time.
    repo.fake.set_now(t("2026-11-20T12:30:00Z"));
    repo.fake
        .create_comment(&repo.name, lost_on, "carol", "Found the bad deploy");
    repo.fake.inject(Fault {
        method: Some(http::Method::PATCH),
        path_contains: format!("/issues/{lost_on}"),
        kind: FaultKind::Status(502),
        times: 8,
    });
    let outcome = sweep(&repo, t("2026-11-20T13:30:00Z")).await;
    assert_eq!(outcome.failures.len(), 1, "{:#?}", outcome.failures);
    assert!(outcome.failures[0].starts_with(&format!("#{lost_on}: ")));
    assert_eq!(
        mark(&repo),
        Some(t("2026-11-20T12:25:00Z")),
        "not past the failed incident's comment (less the slack), though newer ones were read"
    );
    repo.fake.clear_faults();
    let outcome = sweep(&repo, t("2026-11-20T13:40:00Z")).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    let body = Body::parse(&repo.body(lost_on));
    assert!(
        body.incident()
            .unwrap()
            .timeline
            .iter()
            .any(|e| e.text == "Found the bad deploy"),
        "caught up by the next sweep"
    );
}

#[tokio::test]
async fn team_memberships_deciding_whether_authors_may_declare_are_read_once_per_sweep() {
    let mut repo = support::isolated(&["sweep-teams"], t(T0)).pop().unwrap();
    // Only owners and the SRE team may declare: bob, a collaborator, is in it.
    repo.config = Config::from_yaml(
        "permissions:\n  commands:\n    incident: { associations: [OWNER], teams: [acme/sre] }\n",
        ".github/firebreak.yml",
    )
    .unwrap();
    repo.fake.add_team_member("acme", "sre", "bob");
    repo.fake.set_now(t(T0));
    let mut incidents = Vec::new();
    for i in 0..4 {
        let issue = repo.issue("bob", &format!("Lag {i}"), "");
        let id = repo
            .fake
            .create_comment(&repo.name, issue, "bob", "/incident sev3\n/ack")
            .id;
        repo.deliver_comment(issue, id, "created").await.unwrap();
        incidents.push(issue);
    }
    for n in &incidents {
        assert!(
            Body::parse(&repo.body(*n)).incident().is_some(),
            "#{n} declared"
        );
    }
    repo.fake.clear_requests();
    let outcome = sweep(&repo, t("2026-11-20T10:30:00Z")).await;
    assert!(outcome.failures.is_empty(), "{:#?}", outcome.failures);
    let calls = repo.calls();
    // Team look-ups are not about the repository: counted in the whole request log (this
    // GitHub serves only this test).
    let team_reads = repo
        .fake
        .requests()
        .into_iter()
        .filter(|r| r.path == "/orgs/acme/teams/sre/memberships/bob")
        .count();
    assert_eq!(team_reads, 1, "one look-up for four incidents");
    assert_eq!(writes(&repo), Vec::<String>::new());
    assert!(
        calls.iter().all(|c| !c.ends_with("/timeline")),
        "their bodies are believed: {calls:#?}"
    );
}
