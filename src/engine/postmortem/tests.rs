//! Unit tests of the pure postmortem logic, with snapshots of every text it writes.

use chrono::{DateTime, Duration, Utc};

use super::*;
use crate::config::PrivatePattern;
use crate::incident::Status;
use crate::incident::{
    ActionItem, ActionType, Entry, EntryKind, ItemState, Postmortem, PullFacts, Stamped,
};
use crate::postmortem::{
    branch_name, file_path, incident_of_pull, may_name_incident, policy, public_path, pull_marker,
};
use crate::render::views::postmortem::{self as views, ChecklistView, GateView, PostmortemView};
use crate::render::{self as templates, names};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// A SEV2 incident as the engine leaves it after a real run: roles, impact, a severity change,
/// mitigated and resolved.
fn incident() -> Incident {
    let t0 = t("2026-11-20T10:00:00Z");
    let mut i = Incident::declare("Checkout errors in EU", 2, "alice", t0, chrono_tz::UTC);
    let entry = |m: i64, kind, by: &str, text: &str| {
        Entry::new(t0 + Duration::minutes(m), kind, by, text).with_key(format!("k{m}"))
    };
    i.timeline = vec![
        entry(0, EntryKind::Declared, "alice", "SEV3 by alice"),
        entry(4, EntryKind::Role, "bob", "Incident commander: bob"),
        entry(
            9,
            EntryKind::Severity,
            "bob",
            "Severity upgraded SEV3 → SEV2: all EU card payments fail",
        ),
        entry(
            12,
            EntryKind::Comment,
            "carol",
            "db-7.corp.acme is at 100% CPU | see @dave",
        ),
        entry(
            40,
            EntryKind::Status,
            "bob",
            "Status investigating → mitigated: traffic moved",
        ),
        entry(
            95,
            EntryKind::Status,
            "bob",
            "Status mitigated → resolved: node replaced",
        ),
    ];
    i.commander = Some("bob".into());
    i.comms = Some("carol".into());
    i.responders = vec!["dave".into()];
    i.acknowledged_at = Some(t0 + Duration::minutes(4));
    i.set_status(Status::Mitigated, t0 + Duration::minutes(40));
    i.set_status(Status::Resolved, t0 + Duration::minutes(95));
    i.impact = Some(Stamped {
        text: "EU card payments fail".into(),
        by: "bob".into(),
        at: t0 + Duration::minutes(9),
    });
    i
}

fn item(number: u64, owner: Option<&str>) -> ActionItem {
    ActionItem {
        key: format!("c{number}.1"),
        number: Some(number),
        title: format!("Alert on checkout errors {number}"),
        owner: owner.map(str::to_string),
        priority: 1,
        kind: ActionType::Detect,
        due: "2026-12-20".parse().unwrap(),
        state: ItemState::Open,
        by: "bob".into(),
        at: t("2026-11-20T11:00:00Z"),
    }
}

fn with_postmortem(mut i: Incident, facts: Option<PullFacts>) -> Incident {
    i.postmortem = Some(Postmortem {
        pull: Some(13),
        branch: Some("postmortem/12-checkout-errors-in-eu".into()),
        path: Some("docs/postmortems/2026-11-20-checkout-errors-in-eu.md".into()),
        due: Some("2026-11-27".parse().unwrap()),
        facts,
        ..Postmortem::default()
    });
    i
}

const URL: &str = "https://github.com/acme/shop/issues/12";

fn rendered(config: &Config, incident: &Incident) -> String {
    let view = PostmortemView::new(config, incident, 12, URL).unwrap();
    templates::render_overridable(config, names::POSTMORTEM, &view).unwrap()
}

#[test]
fn names_come_from_the_record_and_the_incident_number() {
    let config = Config::default();
    let i = incident();
    assert_eq!(
        file_path(&config, &i),
        "docs/postmortems/2026-11-20-checkout-errors-in-eu.md"
    );
    assert_eq!(
        branch_name(&config, 12, &i),
        "postmortem/12-checkout-errors-in-eu"
    );
    assert_eq!(
        public_path(&config, &i),
        "docs/postmortems/public/2026-11-20-checkout-errors-in-eu.md"
    );
}

#[test]
fn a_pull_request_names_its_incident_by_marker_or_branch() {
    let config = Config::default();
    let body = format!("text\n{}", pull_marker(12));
    assert_eq!(incident_of_pull(&config, &body, None), Some(12));
    assert_eq!(
        incident_of_pull(&config, "", Some("postmortem/7-db-down")),
        Some(7)
    );
    assert_eq!(incident_of_pull(&config, "", Some("feature/7-x")), None);
    assert!(may_name_incident("", Some("postmortem/7-db")));
    assert!(!may_name_incident("hello", Some("main")));
}

#[test]
fn policy_defaults_follow_the_spec() {
    let config = Config::default();
    let mut i = incident();
    for (sev, required, approvals) in [(1, true, 2), (2, true, 1), (3, false, 1), (4, false, 1)] {
        i.severity = sev;
        assert_eq!(
            crate::postmortem::required(&config, &i),
            required,
            "SEV{sev}"
        );
        assert_eq!(policy(&config, &i).approvals, approvals, "SEV{sev}");
        assert_eq!(policy(&config, &i).due_business_days, 5);
    }
}

#[test]
fn due_date_counts_business_days_after_resolution() {
    let config = Config::default();
    let mut i = incident();
    // Resolved on Friday 2026-11-20: five business days later is Friday 2026-11-27.
    assert_eq!(due_date(&config, &i), Some("2026-11-27".parse().unwrap()));
    i.resolved_at = None;
    assert_eq!(due_date(&config, &i), None);
}

#[test]
fn the_rendered_postmortem_is_pre_filled_and_every_section_starts_as_a_placeholder() {
    let config = Config::default();
    let mut i = with_postmortem(incident(), None);
    i.action_items.push(item(14, Some("dave")));
    let doc = rendered(&config, &i);
    insta::assert_snapshot!("postmortem_draft", doc);
    // Everything required is still a placeholder, except the action items (pre-filled).
    let missing = markdown::missing_sections(&doc, &config.postmortem.required_sections);
    assert_eq!(
        missing,
        [
            "Executive summary",
            "Impact",
            "Trigger",
            "Root cause",
            "Detection",
            "Resolution and recovery",
            "Lessons"
        ]
    );
    // Comment text cannot break the timeline table or mention anyone.
    assert!(doc.contains("db-7.corp.acme is at 100% CPU \\| see &#64;dave"));
}

#[test]
fn without_action_items_that_section_is_a_placeholder_too() {
    let config = Config::default();
    let doc = rendered(&config, &with_postmortem(incident(), None));
    assert!(
        markdown::missing_sections(&doc, &config.postmortem.required_sections)
            .contains(&"Action items".to_string())
    );
}

fn filled(doc: &str) -> String {
    doc.replace(
        "_TODO: What happened, in plain words._",
        "A bad node rejected payments.",
    )
    .replace(
        "_TODO: Our apology to customers: what it cost them, and that we are sorry._",
        "We are sorry: for 95 minutes you could not pay.",
    )
    .replace(
        "_TODO: Who was affected, how many, what they could not do, for how long._",
        "Every EU customer paying by card.",
    )
    .replace(
        "_TODO: The change or event that set it off._",
        "A kernel upgrade.",
    )
    .replace(
        "1. _TODO: Why did it happen?_",
        "1. The node ran out of CPU.",
    )
    .replace(
        "_TODO: How was it detected? How could we have found it sooner?_",
        "A customer told us; an error-rate alert would have.",
    )
    .replace(
        "_TODO: What stopped the impact, what fixed the cause, what recovery remained._",
        "Traffic moved, then the node was replaced.",
    )
    .replace(
        "_TODO: What we learned that others should know._",
        "Canary kernel upgrades.",
    )
}

#[test]
fn checklist_ticks_sections_items_owner_approvals_and_merge() {
    let config = Config::default();
    let base = with_postmortem(incident(), None);
    let draft = rendered(&config, &base);
    let facts = |doc: &str, approvers: &[&str], merged: bool| PullFacts {
        state: if merged { "closed" } else { "open" }.into(),
        merged,
        missing_sections: markdown::missing_sections(doc, &config.postmortem.required_sections),
        approvers: approvers.iter().map(|s| s.to_string()).collect(),
        ..PullFacts::default()
    };
    let done = |i: &Incident| -> Vec<String> {
        checklist::evaluate(&config, i)
            .into_iter()
            .filter(|c| c.done)
            .map(|c| c.key)
            .collect()
    };

    // The draft: only the owner (the IC) and "every item complete" (none yet) hold.
    let i = with_postmortem(incident(), Some(facts(&draft, &[], false)));
    assert_eq!(done(&i), ["action-items-complete", "owner"]);

    // Written, one item without an owner, the owner's own approval does not count.
    let mut i = with_postmortem(incident(), Some(facts(&filled(&draft), &["bob"], false)));
    i.action_items.push(item(14, None));
    let checks = checklist::evaluate(&config, &i);
    let keys: Vec<&str> = checks
        .iter()
        .filter(|c| !c.done)
        .map(|c| c.key.as_str())
        .collect();
    assert_eq!(
        keys,
        [
            "section:Action items",
            "action-items-complete",
            "approvals",
            "merged"
        ]
    );

    // Items complete (the table in the file now lists them), approved by carol, merged.
    i.action_items[0].owner = Some("dave".into());
    let doc = rendered(&config, &i);
    i.postmortem.as_mut().unwrap().facts = Some(facts(&filled(&doc), &["bob", "carol"], true));
    assert!(checklist::evaluate(&config, &i).iter().all(|c| c.done));

    // /postmortem owner carol: now carol's approval is the owner's and does not count.
    i.postmortem.as_mut().unwrap().owner = Some("carol".into());
    i.postmortem.as_mut().unwrap().facts = Some(facts(&filled(&doc), &["carol"], true));
    assert!(!done(&i).contains(&"approvals".to_string()));
}

#[test]
fn sev1_needs_two_approvals_and_optional_needs_no_items() {
    let config = Config::default();
    let mut i = with_postmortem(
        incident(),
        Some(PullFacts {
            approvers: vec!["carol".into()],
            ..PullFacts::default()
        }),
    );
    i.severity = 1;
    let approvals = checklist::evaluate(&config, &i)
        .into_iter()
        .find(|c| c.key == "approvals")
        .unwrap();
    assert!(!approvals.done);
    assert_eq!(
        approvals.text,
        "2 approving reviews by someone other than the owner (1 so far: @carol)"
    );
    i.severity = 4;
    assert!(
        !checklist::evaluate(&config, &i)
            .iter()
            .any(|c| c.key == "action-items")
    );
}

#[test]
fn checklist_comment_and_incident_mirror_snapshots() {
    let config = Config::default();
    let mut i = with_postmortem(
        incident(),
        Some(PullFacts {
            state: "open".into(),
            missing_sections: vec!["Trigger".into(), "Lessons".into()],
            approvers: vec!["carol".into()],
            ..PullFacts::default()
        }),
    );
    i.action_items.push(item(14, None));
    let checks = checklist::evaluate(&config, &i);
    i.postmortem.as_mut().unwrap().checklist = checks;
    let comment = templates::render(names::CHECKLIST, &ChecklistView::new(&config, &i, 12));
    insta::assert_snapshot!("checklist_comment", comment);
    insta::assert_snapshot!("checklist_mirror", views::mirror(&config, &i).unwrap());
}

#[test]
fn gate_and_notice_snapshots() {
    let config = Config::default();
    let mut i = with_postmortem(incident(), None);
    i.postmortem.as_mut().unwrap().checklist = checklist::evaluate(&config, &i);
    let missing = checklist::missing(&i.postmortem.as_ref().unwrap().checklist, true);
    let gate = |reason, no_draft| {
        templates::render(
            names::GATE,
            &GateView {
                reason,
                pull: Some(13),
                reopened_pull: reason == "pull-closed",
                missing: missing.clone(),
                no_draft,
                draft_at: "mitigated",
            },
        )
    };
    insta::assert_snapshot!("gate_incident_closed", gate("incident-closed", false));
    insta::assert_snapshot!("gate_pull_closed", gate("pull-closed", false));
    insta::assert_snapshot!("gate_no_draft", gate("incident-closed", true));
    insta::assert_snapshot!("notice_required", notice(&config, &i));
    i.severity = 4;
    i.postmortem = None;
    insta::assert_snapshot!("notice_optional", notice(&config, &i));
}

fn public_config() -> Config {
    let mut config = Config::default();
    config.postmortem.public.private_patterns = vec![
        PrivatePattern::new(r"[a-z0-9-]+\.corp\.acme").unwrap(),
        PrivatePattern::new(r"https://jira\.acme\.internal/[^\s)]+").unwrap(),
    ];
    config
}

#[test]
fn the_public_version_redacts_names_mentions_emails_and_private_patterns() {
    let config = public_config();
    let mut i = with_postmortem(incident(), None);
    i.action_items.push(item(14, Some("dave")));
    i.action_items[0].title = "Page bob when db-7.corp.acme is hot".into();
    let doc = filled(&rendered(&config, &i)).replace(
        "A bad node rejected payments.",
        "Carol saw db-7.corp.acme reject payments (https://jira.acme.internal/browse/OPS-7); @dave and dave@acme.com fixed it.",
    );
    let public = public::build(&config, &i, &doc, &["erin".to_string()]).unwrap();
    for planted in [
        "carol",
        "Carol",
        "dave",
        "bob",
        "alice",
        "corp.acme",
        "jira.acme",
        "@acme.com",
    ] {
        assert!(
            !public.text.contains(planted),
            "{planted} leaked:\n{}",
            public.text
        );
    }
    assert!(
        public
            .text
            .contains("We are sorry: for 95 minutes you could not pay.")
    );
    assert!(!public.text.contains("Incident commander"), "no roles");
    insta::assert_snapshot!("public_postmortem", public.text);
}

#[test]
fn the_public_version_is_refused_while_a_pattern_is_left_and_says_where() {
    let config = public_config();
    let i = with_postmortem(incident(), None);
    let doc = filled(&rendered(&config, &i)).replace(
        "Every EU customer paying by card.",
        "Every EU customer paying by card; status on db-7.corp&#46;acme.",
    );
    let refusal = public::build(&config, &i, &doc, &[]).unwrap_err();
    assert!(refusal.problems.is_empty());
    assert_eq!(refusal.leaks.len(), 1, "{:?}", refusal.leaks);
    assert_eq!(refusal.leaks[0].section, "Impact");
    let view = views::PublishedView {
        published: false,
        path: public_path(&config, &i),
        branch: "postmortem/12-x".into(),
        pull: Some(13),
        redactions: 0,
        problems: refusal.problems,
        leaks: refusal.leaks,
    };
    insta::assert_snapshot!("public_refused", templates::render(names::PUBLISHED, &view));
}

#[test]
fn an_unwritten_summary_is_not_published() {
    let config = public_config();
    let i = with_postmortem(incident(), None);
    let refusal = public::build(&config, &i, &rendered(&config, &i), &[]).unwrap_err();
    assert_eq!(refusal.problems.len(), 2);
}

#[test]
fn a_broken_override_is_an_error_naming_the_file() {
    let config = Config::default();
    let mut overrides = std::collections::BTreeMap::new();
    overrides.insert(
        names::CHECKLIST.to_string(),
        "{{#each checks}}oops".to_string(),
    );
    let err = templates::check_overrides(&config, &overrides).unwrap_err();
    assert!(
        err.to_string()
            .starts_with(".github/firebreak/templates/checklist.md.hbs: line "),
        "{err}"
    );
    overrides.insert(
        names::CHECKLIST.to_string(),
        "{{no_such_field}}".to_string(),
    );
    let err = templates::check_overrides(&config, &overrides).unwrap_err();
    assert!(err.to_string().contains("cannot be rendered"), "{err}");
    let mut overrides = std::collections::BTreeMap::new();
    overrides.insert("postmortm.md.hbs".to_string(), "x".to_string());
    let err = templates::check_overrides(&config, &overrides).unwrap_err();
    assert!(
        err.to_string().contains("not a Firebreak template"),
        "{err}"
    );
}

#[test]
fn an_override_replaces_one_template_and_leaves_the_others() {
    let mut config = Config::default();
    config.templates.insert(
        names::CHECKLIST.to_string(),
        "Our list for #{{number}}: {{done}}/{{total}}\n{{{marker}}}".to_string(),
    );
    templates::check_overrides(&config, &config.templates.clone()).unwrap();
    let i = with_postmortem(incident(), None);
    let text = templates::render_overridable(
        &config,
        names::CHECKLIST,
        &ChecklistView::new(&config, &i, 12),
    )
    .unwrap();
    assert!(text.starts_with("Our list for #12: 0/0"), "{text}");
    assert!(rendered(&config, &i).starts_with("# Postmortem: "));
}

#[test]
fn every_built_in_template_renders_its_sample() {
    let config = Config::default();
    for name in templates::overridable() {
        views::sample_render(&config, name).unwrap_or_else(|e| panic!("{name}: {e}"));
    }
}

#[test]
fn reminders_come_once_per_window_before_due_then_escalate_after_it() {
    let config = Config::default();
    let mut i = with_postmortem(incident(), None);
    i.postmortem.as_mut().unwrap().checklist = checklist::evaluate(&config, &i);
    // Due 2026-11-27 (end of day, UTC); reminders start one day before.
    assert!(crate::engine::reminders::postmortem(&config, &i, t("2026-11-26T23:59:00Z")).is_none());
    let (k1, v1) =
        crate::engine::reminders::postmortem(&config, &i, t("2026-11-27T00:00:00Z")).unwrap();
    let (k1b, _) =
        crate::engine::reminders::postmortem(&config, &i, t("2026-11-27T18:00:00Z")).unwrap();
    assert_eq!(k1, k1b, "one reminder per window");
    assert!(!v1.overdue && !v1.escalated);
    assert_eq!(v1.mentions, ["bob"]);
    let (k2, v2) =
        crate::engine::reminders::postmortem(&config, &i, t("2026-11-28T09:00:00Z")).unwrap();
    assert_ne!(k1, k2);
    assert!(v2.overdue && !v2.escalated);
    // Owner carol; two days past due the IC is mentioned too.
    i.postmortem.as_mut().unwrap().owner = Some("carol".into());
    let (_, v3) =
        crate::engine::reminders::postmortem(&config, &i, t("2026-11-30T01:00:00Z")).unwrap();
    assert!(v3.escalated);
    assert_eq!(v3.mentions, ["carol", "bob"]);
    insta::assert_snapshot!(
        "reminder_escalated",
        templates::render(names::REMINDER, &v3)
    );
    // Merged: no more reminders.
    i.postmortem.as_mut().unwrap().facts = Some(PullFacts {
        merged: true,
        ..PullFacts::default()
    });
    assert!(crate::engine::reminders::postmortem(&config, &i, t("2026-12-30T01:00:00Z")).is_none());
}
