use chrono::{DateTime, NaiveDate, Utc};

use super::*;
use crate::incident::postmortem::{Postmortem, PullFacts};
use crate::incident::section::compose;
use crate::incident::{ActionItem, ActionType, Status};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn issue(number: u64, state: &str, body: &str) -> Issue {
    serde_json::from_value(serde_json::json!({
        "number": number, "id": number, "title": "t", "body": body, "state": state,
        "user": {"login": "alice", "id": 1, "type": "User"},
        "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z",
        "html_url": format!("https://github.com/acme/shop/issues/{number}"),
    }))
    .unwrap()
}

fn incident(number: u64, severity: u8, declared: &str, f: impl FnOnce(&mut Incident)) -> Issue {
    let mut inc = Incident::declare(
        "Checkout down",
        severity,
        "alice",
        at(declared),
        chrono_tz::UTC,
    );
    f(&mut inc);
    issue(number, "open", &compose("", "x", &inc, ""))
}

fn report(incidents: &[Issue], items: &[Issue], now: &str) -> Report {
    let config = Config::default();
    build(&Input {
        config: &config,
        repository: "acme/shop",
        now: at(now),
        since: at(now) - Duration::days(90),
        incidents,
        items,
    })
}

#[test]
fn an_incident_never_acknowledged_is_counted_missing_not_as_zero() {
    let incidents = [
        incident(1, 1, "2026-11-10T10:00:00Z", |i| {
            i.acknowledged_at = Some(at("2026-11-10T10:04:00Z"));
        }),
        incident(2, 1, "2026-11-11T10:00:00Z", |_| {}),
    ];
    let r = report(&incidents, &[], "2026-11-20T00:00:00Z");
    let sev1 = &r.times[0];
    assert_eq!(sev1.severity, "SEV1");
    assert_eq!(sev1.acknowledge.measured, 1);
    assert_eq!(sev1.acknowledge.missing, 1);
    assert_eq!(sev1.acknowledge.median_seconds, Some(240));
    let text = markdown(&r, &Config::default());
    assert!(text.contains("4m / 4m · 1 not acknowledged"), "{text}");
}

#[test]
fn incidents_declared_before_the_period_are_left_out_but_their_new_items_count() {
    let old = incident(1, 2, "2026-01-01T10:00:00Z", |i| {
        i.action_items.push(ActionItem {
            key: "c1.1".into(),
            number: Some(9),
            title: "Add an alert".into(),
            owner: None,
            priority: 1,
            kind: ActionType::Detect,
            due: NaiveDate::from_ymd_opt(2026, 11, 15).unwrap(),
            state: ItemState::Closed,
            by: "bob".into(),
            at: at("2026-11-01T09:00:00Z"),
        });
    });
    // The item's issue was reopened since the incident last saw it: the list wins.
    let r = report(&[old], &[issue(9, "open", "")], "2026-11-20T00:00:00Z");
    assert_eq!(r.incidents.total, 0);
    assert_eq!(r.action_items.opened, 1);
    assert_eq!(r.action_items.open, 1);
    assert_eq!(r.action_items.overdue, 1);
    assert_eq!(r.action_items.by_priority[1].overdue, 1);
}

#[test]
fn postmortems_are_on_time_late_missing_or_pending() {
    let resolved = |i: &mut Incident, day: &str| {
        i.set_status(Status::Resolved, at(&format!("{day}T12:00:00Z")));
    };
    let merged = |i: &mut Incident, due: &str, when: Option<&str>| {
        i.postmortem = Some(Postmortem {
            due: Some(due.parse().unwrap()),
            facts: when.map(|w| PullFacts {
                state: "closed".into(),
                merged: true,
                merged_at: Some(at(w)),
                ..PullFacts::default()
            }),
            ..Postmortem::default()
        });
    };
    let incidents = [
        incident(1, 1, "2026-11-02T10:00:00Z", |i| {
            resolved(i, "2026-11-02");
            merged(i, "2026-11-09", Some("2026-11-09T20:00:00Z"));
        }),
        incident(2, 1, "2026-11-03T10:00:00Z", |i| {
            resolved(i, "2026-11-03");
            merged(i, "2026-11-10", Some("2026-11-12T08:00:00Z"));
        }),
        incident(3, 2, "2026-11-04T10:00:00Z", |i| {
            resolved(i, "2026-11-04");
            merged(i, "2026-11-11", None);
        }),
        incident(4, 2, "2026-11-18T10:00:00Z", |i| resolved(i, "2026-11-18")),
        // SEV3 owes none; SEV2 still investigating owes none yet.
        incident(5, 3, "2026-11-05T10:00:00Z", |i| resolved(i, "2026-11-05")),
        incident(6, 2, "2026-11-19T10:00:00Z", |_| {}),
    ];
    let r = report(&incidents, &[], "2026-11-20T00:00:00Z");
    assert_eq!(
        r.postmortems,
        Postmortems {
            owed: 4,
            on_time: 1,
            late: 1,
            missing: 1,
            pending: 1
        }
    );
}

#[test]
fn every_week_of_the_period_is_listed_and_counts_by_severity() {
    let incidents = [
        incident(1, 1, "2026-11-16T00:30:00Z", |_| {}),
        incident(2, 2, "2026-11-22T23:00:00Z", |_| {}),
        incident(3, 2, "2026-11-23T01:00:00Z", |_| {}),
    ];
    let r = report(&incidents, &[], "2026-11-24T00:00:00Z");
    // 90 days back from Tuesday 2026-11-24 is Wednesday 2026-08-26: weeks from Monday 08-24.
    assert_eq!(r.weeks.first().unwrap().start.to_string(), "2026-08-24");
    assert_eq!(r.weeks.last().unwrap().start.to_string(), "2026-11-23");
    assert_eq!(r.weeks.len(), 14);
    let week = |d: &str| r.weeks.iter().find(|w| w.start.to_string() == d).unwrap();
    assert_eq!(week("2026-11-16").total, 2);
    assert_eq!(week("2026-11-16").by_severity["SEV1"], 1);
    assert_eq!(week("2026-11-16").by_severity["SEV2"], 1);
    assert_eq!(week("2026-11-23").total, 1);
    assert_eq!(r.weeks.iter().map(|w| w.total).sum::<u32>(), 3);
}

#[test]
fn a_damaged_state_is_reported_apart_and_a_plain_issue_ignored() {
    let damaged = issue(
        7,
        "open",
        "<!-- firebreak:begin (managed by Firebreak: edits inside are overwritten) -->\n<!-- firebreak:state {oops -->\n<!-- firebreak:end -->",
    );
    let r = report(
        &[damaged, issue(8, "open", "no section")],
        &[],
        "2026-11-20T00:00:00Z",
    );
    assert_eq!(r.unreadable, [7]);
    assert_eq!(r.incidents.total, 0);
}

#[test]
fn charts_leave_out_severities_without_a_time() {
    let incidents = [
        incident(1, 1, "2026-11-10T10:00:00Z", |i| {
            i.acknowledged_at = Some(at("2026-11-10T10:10:00Z"));
        }),
        incident(2, 2, "2026-11-10T10:00:00Z", |_| {}),
    ];
    let text = markdown(
        &report(&incidents, &[], "2026-11-20T00:00:00Z"),
        &Config::default(),
    );
    assert!(
        text.contains("title \"Median time to acknowledge (minutes)\"\n    x-axis [\"SEV1\"]"),
        "{text}"
    );
    assert!(!text.contains("Median time to resolve ("), "{text}");
}
