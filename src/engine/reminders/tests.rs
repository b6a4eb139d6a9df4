//! The reminders' windows, catch-up and texts, and how the decision plans them.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::config::{EscalationLevel, RemindersConfig};
use crate::engine::{self, ConfigAuthorizer, Facts, Listing, Trigger};
use crate::event::Issue;
use crate::incident::{ActionItem, ActionType, ItemState, Status, Update, section};
use crate::render;
use crate::render::views::postmortem::ReminderView;

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

const T0: &str = "2026-11-20T10:00:00Z";

/// Incident #7, open.
const OPEN: On = On {
    number: 7,
    closed: false,
};

/// A SEV1 declared by alice at 10:00 UTC (a Friday), nobody on it yet.
fn sev1() -> Incident {
    let mut incident = Incident::declare("Checkout down", 1, "alice", t(T0), chrono_tz::UTC);
    incident.issue = Some(7);
    incident
}

fn levels(config: &mut Config) {
    let level = |notify: &[&str], after: i64| EscalationLevel {
        notify: notify.iter().map(|s| s.to_string()).collect(),
        after: Duration::minutes(after),
    };
    config.escalation = vec![
        level(&["@oncall"], 0),
        level(&["@lead", "@oncall"], 10),
        level(&["@acme/sre"], 20),
    ];
}

fn at(m: i64) -> DateTime<Utc> {
    t(T0) + Duration::minutes(m)
}

/// `incident` after the reminder `d` was posted at `when`.
fn posted(mut incident: Incident, d: &Due, when: DateTime<Utc>) -> Incident {
    incident.reminded.insert(
        d.kind.clone(),
        Reminded {
            key: d.key.clone(),
            at: when,
        },
    );
    incident
}

fn only(config: &Config, incident: &Incident, now: DateTime<Utc>) -> Option<Due> {
    let mut all = due(config, OPEN, incident, now);
    assert!(all.len() <= 1, "{all:#?}");
    all.pop()
}

fn without_cadence(config: &mut Config) {
    for s in &mut config.severities {
        s.update_cadence = None;
    }
}

#[test]
fn escalation_waits_for_the_ack_timeout_then_goes_level_by_level_once_each() {
    let mut config = Config::default();
    levels(&mut config);
    without_cadence(&mut config);
    let i = sev1();
    assert!(only(&config, &i, at(4)).is_none(), "SEV1 acks within 5m");
    let one = only(&config, &i, at(5)).unwrap();
    assert_eq!(
        (one.key.as_str(), one.mentions.as_slice()),
        ("ack-1", &["oncall".to_string()][..])
    );
    let i = posted(i, &one, at(5));
    assert!(
        only(&config, &i, at(12)).is_none(),
        "level 1 is posted once"
    );
    let two = only(&config, &i, at(15)).unwrap();
    assert_eq!(two.key, "ack-2");
    assert_eq!(two.mentions, ["lead", "oncall"]);
    insta::assert_snapshot!("escalation_level_2", two.text);
    assert_eq!(
        two.entry,
        "Escalated to level 2 (@lead, @oncall): not acknowledged for 15m"
    );
    let i = posted(i, &two, at(15));
    let three = only(&config, &i, at(25)).unwrap();
    assert_eq!(three.mentions, ["acme/sre"]);
    let i = posted(i, &three, at(25));
    assert!(
        only(&config, &i, at(600)).is_none(),
        "the last level is the last"
    );
}

#[test]
fn a_late_sweep_mentions_every_level_it_skipped_in_one_comment() {
    let mut config = Config::default();
    levels(&mut config);
    without_cadence(&mut config);
    let late = only(&config, &sev1(), at(90)).unwrap();
    assert_eq!(late.key, "ack-3");
    assert_eq!(late.mentions, ["oncall", "lead", "acme/sre"]);
    insta::assert_snapshot!("escalation_caught_up", late.text);
}

#[test]
fn acknowledging_or_mitigating_stops_escalation() {
    let mut config = Config::default();
    levels(&mut config);
    without_cadence(&mut config);
    let mut acked = sev1();
    acked.acknowledge(at(7));
    assert!(only(&config, &acked, at(60)).is_none());
    let mut mitigated = sev1();
    mitigated.set_status(Status::Mitigated, at(3));
    assert!(only(&config, &mitigated, at(60)).is_none());
    let mut sev3 = sev1();
    sev3.severity = 3;
    assert!(
        only(&config, &sev3, at(600)).is_none(),
        "SEV3 has no ack timeout"
    );
}

#[test]
fn without_levels_one_notice_mentions_nobody() {
    let mut config = Config::default();
    without_cadence(&mut config);
    let notice = only(&config, &sev1(), at(6)).unwrap();
    assert_eq!(notice.key, "ack-notice");
    assert!(notice.mentions.is_empty());
    insta::assert_snapshot!("escalation_notice", notice.text);
    let i = posted(sev1(), &notice, at(6));
    assert!(only(&config, &i, at(60)).is_none());
}

#[test]
fn a_severity_with_its_own_levels_uses_them() {
    let mut config = Config::default();
    levels(&mut config);
    without_cadence(&mut config);
    config.severities[0].escalation = Some(vec![EscalationLevel {
        notify: vec!["@sev1-pager".into()],
        after: Duration::zero(),
    }]);
    let d = only(&config, &sev1(), at(30)).unwrap();
    assert_eq!(
        (d.key.as_str(), d.mentions.as_slice()),
        ("ack-1", &["sev1-pager".to_string()][..])
    );
}

#[test]
fn update_cadence_reminds_comms_once_per_window_until_mitigated() {
    let config = Config::default();
    let mut i = sev1();
    i.acknowledge(at(1));
    i.commander = Some("bob".into());
    assert!(only(&config, &i, at(14)).is_none());
    let first = only(&config, &i, at(15)).unwrap();
    assert_eq!(
        first.mentions,
        ["bob"],
        "the IC while there is no comms lead"
    );
    i.comms = Some("carol".into());
    let again = only(&config, &i, at(29)).unwrap();
    assert_eq!(again.key, first.key, "same window");
    assert_eq!(again.mentions, ["carol"], "the comms lead owes updates");
    let i = posted(i, &first, at(15));
    assert!(only(&config, &i, at(29)).is_none());
    let second = only(&config, &i, at(31)).unwrap();
    assert_ne!(second.key, first.key);
    insta::assert_snapshot!("update_reminder", second.text);
    // An update restarts the clock.
    let mut updated = posted(i, &second, at(31));
    updated.update = Some(Update {
        text: "Rolling back".into(),
        by: "carol".into(),
        at: at(40),
        public: false,
    });
    assert!(only(&config, &updated, at(54)).is_none());
    assert!(only(&config, &updated, at(55)).is_some());
    updated.set_status(Status::Mitigated, at(50));
    assert!(only(&config, &updated, at(300)).is_none());
}

#[test]
fn a_late_sweep_posts_only_the_current_cadence_window() {
    let config = Config::default();
    let mut i = sev1();
    i.acknowledge(at(1));
    let late = due(&config, OPEN, &i, at(200));
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].key, format!("cadence-{}-13", t(T0).timestamp()));
    assert_eq!(late[0].mentions, ["alice"], "the declarer, with no roles");
}

fn resolved_friday(config: &mut Config) -> Incident {
    config.timezone = chrono_tz::Europe::Berlin;
    let mut i = sev1();
    i.acknowledge(at(1));
    i.commander = Some("bob".into());
    // Friday 16:00 in Berlin.
    i.set_status(Status::Resolved, t("2026-11-20T15:00:00Z"));
    i
}

#[test]
fn the_follow_up_waits_for_the_next_working_day_morning() {
    let mut config = Config::default();
    let i = resolved_friday(&mut config);
    for weekend in [
        "2026-11-21T12:00:00Z",
        "2026-11-22T23:00:00Z",
        "2026-11-23T07:59:00Z",
    ] {
        assert!(only(&config, &i, t(weekend)).is_none(), "{weekend}");
    }
    // Monday 09:00 in Berlin.
    let monday = only(&config, &i, t("2026-11-23T08:00:00Z")).unwrap();
    assert_eq!(monday.key, "follow-up");
    assert_eq!(monday.mentions, ["bob"]);
    let i = posted(i, &monday, t("2026-11-23T08:00:00Z"));
    assert!(
        only(&config, &i, t("2026-11-24T08:00:00Z")).is_none(),
        "asked once"
    );
}

#[test]
fn the_follow_up_skips_holidays_and_lists_items_without_an_owner() {
    let mut config = Config::default();
    let mut i = resolved_friday(&mut config);
    config.holidays = vec!["2026-11-23".parse().unwrap()];
    i.action_items = vec![
        item(41, None, "2026-12-20", ItemState::Open),
        item(42, Some("carol"), "2026-12-20", ItemState::Open),
        item(43, None, "2026-12-20", ItemState::Closed),
    ];
    assert!(only(&config, &i, t("2026-11-23T12:00:00Z")).is_none());
    let tuesday = only(&config, &i, t("2026-11-24T08:00:00Z")).unwrap();
    insta::assert_snapshot!("follow_up", tuesday.text);
    config.follow_up.enabled = false;
    assert!(only(&config, &i, t("2026-11-24T08:00:00Z")).is_none());
}

fn item(number: u64, owner: Option<&str>, due: &str, state: ItemState) -> ActionItem {
    ActionItem {
        key: format!("c{number}.1"),
        number: Some(number),
        title: format!("Alert on queue depth {number}"),
        owner: owner.map(str::to_string),
        priority: 1,
        kind: ActionType::Detect,
        due: due.parse().unwrap(),
        state,
        by: "alice".into(),
        at: t(T0),
    }
}

/// A mitigated incident (nothing else due) with two items due 2026-11-25.
fn with_items() -> Incident {
    let mut i = sev1();
    i.acknowledge(at(1));
    i.commander = Some("bob".into());
    i.set_status(Status::Mitigated, at(30));
    i.action_items = vec![
        item(41, Some("carol"), "2026-11-25", ItemState::Open),
        item(42, None, "2026-11-25", ItemState::Open),
        item(43, Some("dave"), "2026-11-25", ItemState::Closed),
    ];
    i
}

#[test]
fn overdue_items_are_reminded_on_the_item_once_per_window() {
    let config = Config::default();
    let i = with_items();
    assert!(due(&config, OPEN, &i, t("2026-11-25T23:59:00Z")).is_empty());
    let first = due(&config, OPEN, &i, t("2026-11-26T00:00:00Z"));
    let on: Vec<_> = first.iter().map(|d| (d.on, d.key.as_str())).collect();
    assert_eq!(on, [(Some(41), "item-41-0"), (Some(42), "item-42-0")]);
    assert_eq!(first[0].mentions, ["carol"]);
    assert_eq!(first[1].mentions, ["bob"], "no owner: the IC finds one");
    insta::assert_snapshot!("item_reminder", first[0].text);
    insta::assert_snapshot!("item_reminder_no_owner", first[1].text);
    let mut i = i;
    for d in &first {
        i = posted(i, d, t("2026-11-26T00:00:00Z"));
    }
    assert!(due(&config, OPEN, &i, t("2026-11-26T20:00:00Z")).is_empty());
    let next = due(&config, OPEN, &i, t("2026-11-27T01:00:00Z"));
    assert_eq!(next.len(), 2);
    assert_eq!(next[0].key, "item-41-1");
}

#[test]
fn items_past_the_grace_period_escalate_on_the_incident_in_one_comment() {
    let config = Config {
        reminders: RemindersConfig {
            escalate_to: vec!["@acme/eng-managers".into()],
            ..RemindersConfig::default()
        },
        ..Config::default()
    };
    let i = with_items();
    let late = due(&config, OPEN, &i, t("2026-11-28T03:00:00Z"));
    assert_eq!(late.len(), 1, "{late:#?}");
    let esc = &late[0];
    assert_eq!((esc.on, esc.key.as_str()), (None, "items-41.2-42.2"));
    assert_eq!(esc.mentions, ["acme/eng-managers", "carol"]);
    insta::assert_snapshot!("item_escalation", esc.text);
    let mut i = posted(i, esc, t("2026-11-28T03:00:00Z"));
    // Closing one does not post the list again; the next window does.
    i.action_items[1].state = ItemState::Closed;
    assert!(due(&config, OPEN, &i, t("2026-11-28T20:00:00Z")).is_empty());
    let next = due(&config, OPEN, &i, t("2026-11-29T00:30:00Z"));
    assert_eq!(next[0].key, "items-41.3");
}

#[test]
fn next_says_what_falls_due_after_now() {
    let mut config = Config::default();
    levels(&mut config);
    let i = sev1();
    assert_eq!(
        next(&config, &i, at(1)),
        Some((at(5), "escalation level 1".into()))
    );
    let one = only_kind(&config, &i, at(6), "ack");
    let i = posted(i, &one, at(6));
    assert_eq!(
        next(&config, &i, at(6)),
        Some((at(15), "escalation level 2".into())),
        "before the update reminder at 10:15"
    );
}

fn only_kind(config: &Config, incident: &Incident, now: DateTime<Utc>, kind: &str) -> Due {
    due(config, OPEN, incident, now)
        .into_iter()
        .find(|d| d.kind == kind)
        .unwrap()
}

#[test]
fn the_postmortem_reminder_view_keeps_its_template() {
    let view = ReminderView {
        due: "2026-11-27".into(),
        overdue: false,
        escalated: false,
        after: "2d".into(),
        pull: Some(12),
        done: 3,
        total: 9,
        mentions: vec!["bob".into()],
    };
    insta::assert_snapshot!(
        render::render(crate::render::names::REMINDER, &view),
        @r"
    ### ⏰ The postmortem is due 2026-11-27

    #12 has 3 of 9 checklist items done. @bob
    "
    );
}

/// An issue holding `incident` in its body.
fn issue(incident: &Incident) -> Issue {
    let body = section::compose("What we see.", "", incident, "");
    serde_json::from_value(serde_json::json!({
        "number": 7, "id": 7007, "title": "[SEV1] Checkout down", "body": body,
        "state": "open", "labels": [{"name": "incident"}, {"name": "sev:1"}, {"name": "status:investigating"}],
        "assignees": [], "user": {"login": "alice", "type": "User"}, "author_association": "MEMBER",
        "comments": 1,
        "created_at": T0, "updated_at": T0,
        "html_url": "https://github.com/acme/app/issues/7"
    }))
    .unwrap()
}

fn decide(incident: &Incident, listing: Listing, facts: &Facts, now: DateTime<Utc>) -> Plan {
    let config = Config::default();
    let issue = issue(incident);
    let authorizer = ConfigAuthorizer::new(&config, facts);
    engine::decide(&engine::Input {
        config: &config,
        now,
        issue: &issue,
        comments: &[],
        listing,
        parsed: None,
        events: None,
        trigger: Trigger::Sweep,
        authorizer: &authorizer,
        facts,
        pull: None,
        pull_comments: &[],
        limits: engine::Limits::GITHUB,
        bot: "firebreak[bot]",
    })
}

/// Labels ready, as after the first real run.
fn settled() -> Incident {
    let mut i = sev1();
    i.labels_ready = true;
    i
}

#[test]
fn the_sweep_decides_from_the_state_alone_only_that_nothing_is_due() {
    let facts = Facts::default();
    let quiet = decide(&settled(), Listing::Recent, &facts, at(2));
    assert!(quiet.is_empty() && quiet.needs.is_empty(), "{quiet:#?}");
    let due = decide(&settled(), Listing::Recent, &facts, at(6));
    assert_eq!(
        due.needs,
        [Need::Comments],
        "anything to write lists every comment first"
    );
    assert!(due.comments.is_empty());
}

#[test]
fn a_due_reminder_is_posted_recorded_and_entered_in_the_timeline() {
    let facts = Facts::default();
    let plan = decide(&settled(), Listing::All, &facts, at(6));
    assert!(plan.needs.is_empty(), "{:?}", plan.needs);
    assert_eq!(plan.comments.len(), 1);
    assert!(
        plan.comments[0]
            .body
            .ends_with("<!-- firebreak:reply ack-notice -->")
    );
    let after = plan.incident.as_ref().unwrap();
    assert_eq!(after.reminded["ack"].key, "ack-notice");
    let entry = after.timeline.last().unwrap();
    assert_eq!(
        (entry.kind, entry.by.as_str(), entry.key.as_deref()),
        (
            EntryKind::Escalation,
            "firebreak",
            Some("reminder:ack-notice")
        )
    );
    // The next sweep in the same window reads the state and has nothing to do.
    let again = decide(after, Listing::Recent, &facts, at(7));
    assert!(again.is_empty() && again.needs.is_empty(), "{again:#?}");
}

#[test]
fn everyone_mentioned_is_looked_up_and_a_missing_one_is_a_problem() {
    let mut config = Config::default();
    levels(&mut config);
    let i = settled();
    let issue = issue(&i);
    let mut facts = Facts::default();
    let run = |facts: &Facts| {
        let authorizer = ConfigAuthorizer::new(&config, facts);
        engine::decide(&engine::Input {
            config: &config,
            now: at(6),
            issue: &issue,
            comments: &[],
            listing: Listing::All,
            parsed: None,
            events: None,
            trigger: Trigger::Sweep,
            authorizer: &authorizer,
            facts,
            pull: None,
            pull_comments: &[],
            limits: engine::Limits::GITHUB,
            bot: "firebreak[bot]",
        })
    };
    assert_eq!(run(&facts).needs, [Need::Handle("oncall".into())]);
    facts.handles.insert("oncall".into(), false);
    let plan = run(&facts);
    assert_eq!(plan.comments.len(), 1, "posted all the same");
    assert_eq!(
        plan.problems,
        [
            "the ack reminder mentions @oncall, which GitHub does not know (deleted, renamed, or a team the token cannot see); it was posted for the others"
        ]
    );
    // Found posted on an item by the sweep: recorded, not posted again.
    facts.handles.insert("oncall".into(), true);
    facts.posted.insert("ack-1".into());
    let plan = run(&facts);
    assert!(plan.comments.is_empty() && plan.problems.is_empty());
    assert_eq!(plan.incident.unwrap().reminded["ack"].key, "ack-1");
}

#[test]
fn an_item_shows_its_due_date_in_its_table() {
    let body = "Follow-up from incident #7.\n\n| | |\n|---|---|\n| **Owner** | @carol |\n| **Due** | 2026-11-25 |\n";
    assert_eq!(due_shown(body), Some("2026-11-25".parse().unwrap()));
    assert_eq!(due_shown("| **Due** | soon |"), None);
    assert_eq!(
        due_shown("> | **Due** | 2026-11-25 |"),
        None,
        "a quote is not the table"
    );
}

#[test]
fn an_item_may_be_due_when_past_due_and_untouched_in_the_window() {
    let config = Config::default();
    let due = "2026-11-25".parse().unwrap();
    let before = t("2026-11-20T00:00:00Z");
    assert!(
        !may_be_due(&config, due, before, t("2026-11-25T23:00:00Z")),
        "not yet"
    );
    assert!(may_be_due(&config, due, before, t("2026-11-26T01:00:00Z")));
    // Reminded (or touched) at 02:00: not again until the next day's window.
    let touched = t("2026-11-26T02:00:00Z");
    assert!(!may_be_due(
        &config,
        due,
        touched,
        t("2026-11-26T23:00:00Z")
    ));
    assert!(may_be_due(&config, due, touched, t("2026-11-27T00:30:00Z")));
}

#[test]
fn a_closed_incident_gets_only_item_reminders_escalated_on_the_items() {
    let config = Config::default();
    let mut i = with_items();
    // Everything else would be due by now on an open incident.
    i.status = Status::Resolved;
    i.resolved_at = Some(at(60));
    let closed = On {
        number: 7,
        closed: true,
    };
    let reminded = due(&config, closed, &i, t("2026-11-26T06:00:00Z"));
    let keys: Vec<_> = reminded.iter().map(|d| (d.on, d.key.as_str())).collect();
    assert_eq!(keys, [(Some(41), "item-41-0"), (Some(42), "item-42-0")]);
    let late = due(&config, closed, &i, t("2026-11-28T06:00:00Z"));
    let keys: Vec<_> = late.iter().map(|d| (d.on, d.key.as_str())).collect();
    assert_eq!(
        keys,
        [(Some(41), "item-41-e2"), (Some(42), "item-42-e2")],
        "escalated on the items, not on the closed incident"
    );
    assert_eq!(late[0].mentions, ["carol", "bob"]);
    assert_eq!(late[0].entry_kind, EntryKind::Escalation);
    insta::assert_snapshot!("item_escalated_on_the_item", late[0].text);
}

#[test]
fn a_recent_listing_without_the_record_is_read_in_full_when_the_author_may_not_declare() {
    // mallory (who may not declare) reported #7; alice declared it with `/incident sev1`. Its
    // state lives in Firebreak's record comment, which the sweep's recent comments lack; the
    // body, which mallory can edit, says it is acknowledged. The declaration is among the
    // recent comments (alice edited it), so the body's state could be "proven".
    let config = Config::default();
    let mut state = sev1();
    state.timeline.push(
        crate::incident::Entry::new(
            t(T0),
            crate::incident::EntryKind::Declared,
            "alice",
            "Declared SEV1",
        )
        .from_comment(70, Some(1)),
    );
    state.acknowledge(t(T0) + Duration::minutes(1));
    let mut issue = issue(&state);
    issue.user.login = "mallory".into();
    issue.author_association = "NONE".into();
    let declaration: crate::event::Comment = serde_json::from_value(serde_json::json!({
        "id": 70, "body": "/incident sev1", "user": {"login": "alice", "type": "User"},
        "author_association": "MEMBER", "created_at": T0, "updated_at": "2026-11-20T10:30:00Z",
    }))
    .unwrap();
    let comments = [declaration];
    let facts = Facts::default();
    let authorizer = ConfigAuthorizer::new(&config, &facts);
    let decide = |listing| {
        engine::decide(&engine::Input {
            config: &config,
            now: t(T0) + Duration::hours(1),
            issue: &issue,
            comments: &comments,
            listing,
            parsed: None,
            events: None,
            trigger: Trigger::Sweep,
            authorizer: &authorizer,
            facts: &facts,
            pull: None,
            pull_comments: &[],
            limits: engine::Limits::GITHUB,
            bot: "firebreak[bot]",
        })
    };
    let plan = decide(Listing::Recent);
    assert_eq!(plan.needs, [Need::Comments], "{plan:#?}");
    assert!(plan.comments.is_empty() && plan.body.is_none());
}
