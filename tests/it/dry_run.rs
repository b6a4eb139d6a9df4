//! The plan is complete: for each kind of event, a dry run reads and decides but makes no write
//! (every request it sends is a GET), and applying the plan it printed makes exactly the writes
//! a normal run makes and leaves GitHub in the same state.
//!
//! Each scenario is played twice, on twin repositories set up the same way on an in-memory
//! GitHub whose clock stands still: one handles the event normally, the other dry-runs it and
//! then applies the dry run's plans through the apply step. Their write requests and their
//! issues are compared with comment ids and repository names blanked out.

use std::collections::BTreeMap;

use base64::Engine as _;
use chrono::{DateTime, Duration, Utc};
use fake_github::payload;
use firebreak::run::{Mode, Outcome, apply};
use serde_json::{Value, json};

use crate::support::{self, Repo};

#[derive(Debug, Clone, Copy)]
enum Kind {
    PlainComment,
    Commands,
    DeclareByComment,
    ActionItem,
    PostmortemDraft,
    CloseGate,
    Overflow,
    Merge,
    Refusal,
    Alert,
    Sweep,
    SweepReminders,
    HandLabel,
}

/// Sets `repo` up for `kind` and returns the event to handle at `now` (name, payload).
async fn prepare(kind: Kind, repo: &Repo, now: DateTime<Utc>) -> (&'static str, Vec<u8>) {
    let schedule = || -> (&'static str, Vec<u8>) {
        (
            "schedule",
            serde_json::to_vec(&json!({
                "schedule": "*/10 * * * *",
                "repository": repo.fake.repo_json(&repo.name),
                "workflow": ".github/workflows/firebreak.yml",
            }))
            .unwrap(),
        )
    };
    let comment = |n: u64, id: u64| -> (&'static str, Vec<u8>) {
        (
            "issue_comment",
            payload::issue_comment(&repo.fake, &repo.name, n, id, "created"),
        )
    };
    match kind {
        Kind::PlainComment => {
            let n = repo.incident("Queue backlog").await;
            let c = repo
                .fake
                .create_comment(&repo.name, n, "bob", "Lag is 40 s and growing");
            comment(n, c.id)
        }
        Kind::Commands => {
            let n = repo.incident("Queue backlog").await;
            let c = repo.fake.create_comment(
                &repo.name,
                n,
                "alice",
                "/sev 1 every region now\n/ic @bob\n/impact EU checkout fails\n/update Failing over",
            );
            comment(n, c.id)
        }
        Kind::DeclareByComment => {
            let n = repo.issue("carol", "Checkout errors", "500s since 14:00.");
            let c = repo
                .fake
                .create_comment(&repo.name, n, "alice", "/incident sev2");
            comment(n, c.id)
        }
        Kind::ActionItem => {
            let n = repo.incident("Queue backlog").await;
            let c = repo.fake.create_comment(
                &repo.name,
                n,
                "alice",
                "Follow-ups:\n/action Alert on queue age @bob P1 detect\n/action Document the failover",
            );
            comment(n, c.id)
        }
        Kind::PostmortemDraft => {
            let n = repo.incident("Checkout errors").await;
            repo.comment(n, "alice", "/ic @bob").await;
            let c = repo.fake.create_comment(
                &repo.name,
                n,
                "bob",
                "/status mitigated traffic moved\n/action Add a canary @carol P1",
            );
            comment(n, c.id)
        }
        Kind::CloseGate => {
            let n = repo.incident("Search down").await;
            repo.comment(n, "alice", "/ic @bob").await;
            repo.comment(n, "bob", "/status resolved").await;
            repo.fake.set_issue_state(&repo.name, n, "closed", "alice");
            (
                "issues",
                payload::issues(&repo.fake, &repo.name, n, "closed", "alice", None, None),
            )
        }
        Kind::Overflow => {
            let n = repo.incident("Long incident").await;
            let mut last = 0;
            for i in 0..110 {
                let text = format!(
                    "Observation {i}: {}",
                    "consumer lag keeps growing on every shard we look at ".repeat(6)
                );
                last = repo.fake.create_comment(&repo.name, n, "bob", &text).id;
            }
            comment(n, last)
        }
        Kind::Merge => {
            let n = repo.incident("Payments timeouts").await;
            repo.comment(n, "alice", "/ic @bob").await;
            repo.comment(n, "bob", "/status resolved node replaced")
                .await;
            let pr = support::postmortem_pull(repo, n);
            repo.fake.approve_pull(&repo.name, pr, "carol");
            repo.fake.mark_ready(&repo.name, pr);
            repo.fake.merge_pull(&repo.name, pr, "carol").unwrap();
            (
                "pull_request",
                support::pull_payload(repo, pr, "closed", "carol"),
            )
        }
        Kind::Refusal => {
            let n = repo.incident("Queue backlog").await;
            let c = repo
                .fake
                .create_comment(&repo.name, n, "mallory", "/sev 1 it is bad");
            comment(n, c.id)
        }
        Kind::Alert => (
            "repository_dispatch",
            serde_json::to_vec(&json!({
                "action": "incident",
                "branch": "main",
                "client_payload": {
                    "title": "Error rate above 5%",
                    "severity": "1",
                    "fingerprint": "err-rate",
                },
                "repository": repo.fake.repo_json(&repo.name),
                "sender": repo.fake.user_json("alice"),
                "installation": { "id": 1, "node_id": "MDIzOkludGVncmF0aW9uSW5zdGFsbGF0aW9uMQ==" },
            }))
            .unwrap(),
        ),
        Kind::Sweep => {
            let n = repo.incident("Queue backlog").await;
            // A comment whose event was lost.
            repo.fake
                .create_comment(&repo.name, n, "bob", "Rolled back the deploy");
            schedule()
        }
        Kind::SweepReminders => {
            // A SEV1 nobody acknowledged for an hour, with an item overdue since yesterday:
            // the sweep escalates, reminds the declarer of the update and the owner of the
            // item (on the item), and records each in the state and the timeline.
            repo.fake.set_now(now - Duration::days(3));
            let n = repo.issue("carol", "Checkout down", "500s on /pay.");
            repo.comment(n, "alice", "/incident sev1").await;
            let due = (now - Duration::days(2)).date_naive();
            repo.comment(
                n,
                "alice",
                &format!("/action Add a canary @bob P1 due:{due}"),
            )
            .await;
            repo.comment(n, "alice", "/ack").await;
            repo.fake.set_now(now - Duration::hours(1));
            let m = repo.issue("carol", "Search slow", "p99 at 4 s.");
            repo.comment(m, "alice", "/incident sev1").await;
            repo.fake.set_now(now);
            schedule()
        }
        Kind::HandLabel => {
            let n = repo.incident("Queue backlog").await;
            repo.fake.label_issue(&repo.name, n, "sev:1", "carol");
            (
                "issues",
                payload::issues(
                    &repo.fake,
                    &repo.name,
                    n,
                    "labeled",
                    "carol",
                    Some("sev:1"),
                    None,
                ),
            )
        }
    }
}

/// Applies a dry run's plans, as the apply step would have right after deciding them.
async fn apply_plans(repo: &Repo, outcome: &Outcome) {
    let client = repo.client();
    for plan in &outcome.plans {
        let comments = match plan.issue {
            0 => Vec::new(),
            n => client.list_comments(n).await.unwrap(),
        };
        let pull_comments = match plan.postmortem.checklist.as_ref().and_then(|c| c.pull) {
            Some(pr) => client.list_comments(pr).await.unwrap(),
            None => Vec::new(),
        };
        let seen = apply::Seen {
            bot: support::BOT,
            comments: &comments,
            pull_comments: &pull_comments,
        };
        apply::apply(&client, &repo.config, &seen, plan)
            .await
            .unwrap();
    }
}

/// Blanks out what differs between twin repositories: their names, comment and issue ids,
/// times, the commit a branch starts from.
fn normalize(text: &str) -> String {
    let rules = [
        (r"acme/dry-[ab]-0", "acme/[repo]"),
        (
            r"firebreak:reply [a-z-]*c?\d+(\.\d+)?",
            "firebreak:reply [key]",
        ),
        (
            r"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2})?(\.\d+)?(Z|\+00:00| UTC)?",
            "[time]",
        ),
        (r"\d{4}-\d{2}-\d{2}", "[date]"),
        (r"\b\d+(d \d+h|h \d{2}m|m)\b", "[duration]"),
        (r"issuecomment-\d+", "issuecomment-[id]"),
        (r"\bc\d{3,}(\.\d+)?\b", "c[id]"),
        (
            r#"(comment|checklist_comment|sub_issue_id|last_event|id)(\\*)"\s*:\s*\d{3,}"#,
            "$1$2\":[id]",
        ),
        (r"\bE_[A-Za-z0-9_-]+", "[node]"),
        (r"\b[0-9a-f]{40}\b", "[sha]"),
        (r"comment \d{3,}", "comment [id]"),
        (r"/comments/\d+", "/comments/[id]"),
        (r"@\d{10,}", "@[ms]"),
    ];
    let mut out = text.to_string();
    for (pattern, replacement) in rules {
        out = regex::Regex::new(pattern)
            .unwrap()
            .replace_all(&out, replacement)
            .into_owned();
    }
    out
}

/// The writes since the last `clear_requests`: method, path and body, file contents decoded.
fn writes(repo: &Repo, skip: usize) -> Vec<String> {
    repo.requests()
        .into_iter()
        .skip(skip)
        .filter(|r| r.method != http::Method::GET)
        .map(|r| {
            let mut body = r.body.clone();
            if r.path.contains("/contents/")
                && let Some(content) = body.get("content").and_then(Value::as_str)
            {
                let decoded = base64::engine::general_purpose::STANDARD
                    .decode(content)
                    .unwrap();
                body["content"] = String::from_utf8(decoded).unwrap().into();
            }
            normalize(&format!("{} {} {}", r.method, r.path, body))
        })
        .collect()
}

/// Every issue and pull request of `repo`: title, state, labels, assignees, body, comments.
fn state(repo: &Repo) -> BTreeMap<u64, String> {
    repo.fake
        .issue_numbers(&repo.name)
        .into_iter()
        .map(|n| {
            let issue = repo.fake.issue(&repo.name, n).unwrap();
            let mut labels = issue.labels.clone();
            labels.sort();
            let comments: Vec<String> = repo
                .fake
                .comments(&repo.name, n)
                .into_iter()
                .map(|c| format!("{}: {}", c.author, c.body))
                .collect();
            let text = format!(
                "{} [{}] labels {labels:?} assignees {:?} parent {:?}\n{}\n{}",
                issue.title,
                issue.state,
                issue.assignees,
                issue.parent,
                issue.body.unwrap_or_default(),
                comments.join("\n---\n")
            );
            (n, normalize(&text))
        })
        .collect()
}

/// Fails naming the first entry that differs, and where in it.
fn same<K: Ord + std::fmt::Debug>(
    kind: Kind,
    what: &str,
    normal: &BTreeMap<K, String>,
    dry: &BTreeMap<K, String>,
) {
    let keys: Vec<&K> = normal.keys().chain(dry.keys()).collect();
    for key in keys {
        let (a, b) = (normal.get(key), dry.get(key));
        if a == b {
            continue;
        }
        let (a, b) = (a.map_or("", String::as_str), b.map_or("", String::as_str));
        let at = a
            .char_indices()
            .zip(b.chars())
            .find(|((_, x), y)| x != y)
            .map_or(a.len().min(b.len()), |((i, _), _)| i);
        let around = |s: &str| {
            s.get(at.saturating_sub(80)..(at + 120).min(s.len()))
                .unwrap_or(s)
                .to_string()
        };
        panic!(
            "{kind:?}: {what} differ at {key:?}:\n  normal run: …{}…\n  plan applied: …{}…",
            around(a),
            around(b)
        );
    }
}

async fn plan_is_complete(kind: Kind) {
    let now = Utc::now();
    let [normal, dry] = <[Repo; 2]>::try_from(support::isolated(&["dry-a", "dry-b"], now))
        .unwrap_or_else(|_| unreachable!("two repositories"));
    let (event, normal_payload) = prepare(kind, &normal, now).await;
    let (_, dry_payload) = prepare(kind, &dry, now).await;
    let (normal_start, dry_start) = (normal.requests().len(), dry.requests().len());

    normal
        .dispatch(event, &normal_payload, now, Mode::Apply)
        .await
        .unwrap();
    let outcome = dry
        .dispatch(event, &dry_payload, now, Mode::DryRun)
        .await
        .unwrap();
    assert_eq!(
        writes(&dry, dry_start),
        Vec::<String>::new(),
        "{kind:?}: the dry run wrote"
    );
    assert!(
        !outcome.plans.iter().all(|p| p.is_empty()),
        "{kind:?}: the dry run planned nothing: {:?}",
        outcome.notes
    );
    apply_plans(&dry, &outcome).await;

    let (normal_writes, dry_writes) = (writes(&normal, normal_start), writes(&dry, dry_start));
    if matches!(kind, Kind::SweepReminders) {
        // The escalation and the update reminder on the unacknowledged one, the overdue
        // reminder on the other's item: all three are in the plan.
        for text in [
            "not acknowledged for",
            "No stakeholder update for",
            "This action item is overdue",
        ] {
            assert!(
                normal_writes
                    .iter()
                    .any(|w| w.contains("/comments {") && w.contains(text)),
                "no {text:?}: {normal_writes:#?}"
            );
        }
    }
    assert!(
        !normal_writes.is_empty(),
        "{kind:?}: the normal run wrote nothing"
    );
    same(
        kind,
        "writes",
        &normal_writes.into_iter().enumerate().collect(),
        &dry_writes.into_iter().enumerate().collect(),
    );
    same(kind, "issues", &state(&normal), &state(&dry));
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_plain_comment() {
    plan_is_complete(Kind::PlainComment).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_comment_of_commands() {
    plan_is_complete(Kind::Commands).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_declaration_by_comment() {
    plan_is_complete(Kind::DeclareByComment).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_action_items() {
    plan_is_complete(Kind::ActionItem).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_postmortem_draft_with_an_action_item() {
    plan_is_complete(Kind::PostmortemDraft).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_the_close_gate() {
    plan_is_complete(Kind::CloseGate).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_timeline_overflowing_into_parts() {
    plan_is_complete(Kind::Overflow).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_merged_postmortem() {
    plan_is_complete(Kind::Merge).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_refusal() {
    plan_is_complete(Kind::Refusal).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_an_alert_declaring_an_incident() {
    plan_is_complete(Kind::Alert).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_the_sweep() {
    plan_is_complete(Kind::Sweep).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_sweep_with_reminders_and_escalations() {
    plan_is_complete(Kind::SweepReminders).await;
}

#[tokio::test]
async fn dry_run_plan_is_complete_for_a_severity_label_added_by_hand() {
    plan_is_complete(Kind::HandLabel).await;
}
