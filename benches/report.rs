//! `firebreak report` without the network: building the report from 5,000 incident issues as
//! the issue list returns them (each body parsed for its state, then every figure computed).
//! Issue #16 budgets this under 200 ms.
//!
//! Each body is a realistic one: the reporter's text, a rendered section of about 3 KB, and a
//! state with 24 timeline entries, two action items, a postmortem and two public updates.
//!
//! `cargo bench --bench report` (under `cargo test --all-targets` it runs once, as a test).

use chrono::{DateTime, Duration, Utc};
use criterion::{Criterion, criterion_group, criterion_main};
use firebreak::config::Config;
use firebreak::event::Issue;
use firebreak::incident::postmortem::{Postmortem, PullFacts};
use firebreak::incident::section::compose;
use firebreak::incident::{
    ActionItem, ActionType, Entry, EntryKind, Incident, ItemState, PublicUpdate, Status,
};
use firebreak::report::{self, Input};

const INCIDENTS: usize = 5_000;

fn incident(i: usize, now: DateTime<Utc>) -> Incident {
    let declared = now - Duration::minutes((i * 25) as i64);
    let mut inc = Incident::declare(
        &format!("Checkout errors in region {i}"),
        1 + (i % 4) as u8,
        "alice",
        declared,
        chrono_tz::UTC,
    );
    if i % 5 != 0 {
        inc.acknowledged_at = Some(declared + Duration::minutes((i % 40) as i64 + 1));
    }
    inc.set_status(Status::Mitigated, declared + Duration::minutes(90));
    if i % 3 != 0 {
        inc.set_status(Status::Resolved, declared + Duration::hours(5));
    }
    inc.commander = Some("bob".into());
    for k in 0..24 {
        inc.timeline.push(
            Entry::new(
                declared + Duration::minutes(k * 7),
                EntryKind::Comment,
                "carol",
                "Rolled back the deploy of the payment service; error rate is dropping",
            )
            .from_comment(1_000_000 + (i * 30 + k as usize) as u64, None),
        );
    }
    for k in 0..2 {
        inc.action_items.push(ActionItem {
            key: format!("c{i}.{k}"),
            number: Some((100_000 + i * 2 + k) as u64),
            title: "Alert on checkout error rate".into(),
            owner: Some("bob".into()),
            priority: (k % 4) as u8,
            kind: ActionType::Detect,
            due: (declared + Duration::days(30)).date_naive(),
            state: ItemState::Open,
            by: "bob".into(),
            at: declared + Duration::hours(6),
        });
    }
    for k in 0..2 {
        inc.public_updates.push(PublicUpdate {
            key: format!("c{}.1", 2_000_000 + i * 2 + k),
            at: declared + Duration::minutes(20 * (k as i64 + 1)),
            status: Status::Investigating,
            text: "We are investigating elevated checkout errors.".into(),
        });
    }
    inc.postmortem = Some(Postmortem {
        due: Some((declared + Duration::days(7)).date_naive()),
        facts: Some(PullFacts {
            state: "closed".into(),
            merged: i % 2 == 0,
            merged_at: (i % 2 == 0).then(|| declared + Duration::days(5)),
            ..PullFacts::default()
        }),
        ..Postmortem::default()
    });
    inc
}

fn issues(now: DateTime<Utc>) -> Vec<Issue> {
    let rendered = "| **Severity** | SEV1 |\n".repeat(140);
    (0..INCIDENTS)
        .map(|i| {
            let body = compose(
                "Customers see errors at checkout.",
                &rendered,
                &incident(i, now),
                "",
            );
            serde_json::from_value(serde_json::json!({
                "number": i + 1, "id": i + 1, "title": "t", "body": body,
                "state": if i % 3 == 0 { "open" } else { "closed" },
                "user": {"login": "alice", "id": 1, "type": "User"},
                "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z",
                "html_url": format!("https://github.com/acme/shop/issues/{}", i + 1),
            }))
            .expect("an issue")
        })
        .collect()
}

fn bench(c: &mut Criterion) {
    let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
    let incidents = issues(now);
    let bytes: usize = incidents.iter().map(|i| i.body_text().len()).sum();
    eprintln!(
        "report bench: {INCIDENTS} bodies, {:.1} MB in all",
        bytes as f64 / 1e6
    );
    let config = Config::default();
    let input = Input {
        config: &config,
        repository: "acme/shop",
        now,
        since: now - Duration::days(365),
        incidents: &incidents,
        items: &[],
    };
    let report = report::build(&input);
    assert_eq!(
        report.incidents.total as usize, INCIDENTS,
        "every incident is in the period"
    );
    c.bench_function("report_5000_incidents", |b| {
        b.iter(|| report::build(std::hint::black_box(&input)))
    });
}

criterion_group! {
    name = benches;
    config = Criterion::default().sample_size(10).measurement_time(std::time::Duration::from_secs(5));
    targets = bench
}
criterion_main!(benches);
