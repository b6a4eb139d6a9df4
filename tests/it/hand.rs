//! What people do to an incident's issue by hand — labels, assignees, closing, reopening,
//! retitling — is read from the issue's timeline by every run, so it is recorded once and in
//! order even when the run its event woke was cancelled (a workflow concurrency group), failed,
//! or came late. Each test makes the change in GitHub without delivering its event, then lets
//! an unrelated run find it.

use chrono::{Duration, Utc};
use fake_github::{Fault, FaultKind, payload};
use firebreak::incident::section::Body;
use firebreak::incident::{EntryKind, Incident, Status};

use crate::support::{self, Repo};

fn state(repo: &Repo, n: u64) -> Incident {
    Body::parse(&repo.body(n))
        .incident()
        .cloned()
        .expect("a state")
}

/// Entries whose text contains `needle`.
fn entries(repo: &Repo, n: u64, needle: &str) -> usize {
    state(repo, n)
        .timeline
        .iter()
        .filter(|e| e.text.contains(needle))
        .count()
}

#[tokio::test]
async fn a_severity_label_whose_run_was_cancelled_is_adopted_by_the_next_run() {
    let repo = support::repo("hand-missed-sev");
    let n = repo.incident("Checkout errors").await;
    // carol raises the severity by label; the workflow run for it never happens.
    repo.fake.label_issue(&repo.name, n, "sev:1", "carol");
    repo.comment(n, "bob", "Rolling back now").await;
    let incident = state(&repo, n);
    assert_eq!(incident.severity, 1);
    let entry = incident
        .timeline
        .iter()
        .find(|e| e.kind == EntryKind::Label)
        .expect("an entry for the label");
    assert_eq!(entry.by, "carol");
    assert!(entry.text.contains("SEV2 → SEV1"), "{}", entry.text);
    assert!(repo.labels(n).contains(&"sev:1".to_string()));
    assert!(!repo.labels(n).contains(&"sev:2".to_string()));
}

#[tokio::test]
async fn a_label_by_hand_and_a_later_command_leave_the_incident_where_the_later_one_put_it() {
    let t0 = Utc::now() - Duration::hours(2);
    let repo = support::isolated(&["hand-order"], t0).remove(0);
    let n = repo.incident("Search down").await;
    // 10:00 carol sets the status by label (its run is lost); 10:05 bob corrects it by command.
    repo.fake.set_now(t0 + Duration::minutes(10));
    repo.fake
        .add_label(&repo.name, "status:mitigated", "ededed", None);
    repo.fake
        .label_issue(&repo.name, n, "status:mitigated", "carol");
    repo.fake.set_now(t0 + Duration::minutes(15));
    repo.comment(n, "bob", "/status identified bad index").await;
    let incident = state(&repo, n);
    assert_eq!(incident.status, Status::Identified, "the later change wins");
    let people: Vec<&str> = incident
        .timeline
        .iter()
        .map(|e| e.by.as_str())
        .filter(|by| ["carol", "bob"].contains(by))
        .collect();
    assert_eq!(people, ["carol", "bob"], "in the order they happened");
    assert!(repo.labels(n).contains(&"status:identified".to_string()));
}

#[tokio::test]
async fn an_incident_label_whose_run_was_cancelled_declares_on_the_next_run() {
    let repo = support::repo("hand-missed-declare");
    let n = repo.issue("bob", "Payments timing out", "p99 is 30 s");
    repo.fake.add_label(&repo.name, "incident", "ededed", None);
    repo.fake.label_issue(&repo.name, n, "incident", "carol");
    // Someone comments; that run finds the label and who put it there.
    repo.comment(n, "bob", "Any news?").await;
    let incident = state(&repo, n);
    assert_eq!(incident.declared_by, "carol");
    assert_eq!(incident.severity, 2, "the default severity");
    assert!(repo.labels(n).contains(&"sev:2".to_string()));
}

#[tokio::test]
async fn the_reporters_close_whose_run_was_cancelled_is_undone_by_the_next_run() {
    let repo = support::repo("hand-missed-close");
    // mallory (no rights) reported it; alice declared it.
    let n = repo.issue("mallory", "Checkout is down", "I cannot pay.");
    repo.comment(n, "alice", "/incident sev2").await;
    repo.fake
        .set_issue_state(&repo.name, n, "closed", "mallory");
    repo.comment(n, "bob", "Still seeing errors").await;
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "open");
    assert_eq!(entries(&repo, n, "without the right"), 1);
    assert_eq!(state(&repo, n).status, Status::Investigating);
}

#[tokio::test]
async fn a_close_reopened_since_is_recorded_but_not_undone_twice() {
    let repo = support::repo("hand-close-reopened");
    let n = repo.issue("mallory", "Checkout is down", "I cannot pay.");
    repo.comment(n, "alice", "/incident sev2").await;
    // mallory closes, alice reopens by hand; neither run happens.
    repo.fake
        .set_issue_state(&repo.name, n, "closed", "mallory");
    repo.fake.set_issue_state(&repo.name, n, "open", "alice");
    repo.comment(n, "bob", "Still seeing errors").await;
    let issue = repo.fake.issue(&repo.name, n).unwrap();
    assert_eq!(issue.state, "open");
    assert_eq!(entries(&repo, n, "without the right"), 1);
    assert_eq!(entries(&repo, n, "Issue reopened"), 1);
}

#[tokio::test]
async fn each_hand_event_is_recorded_once_however_many_runs_read_it() {
    let repo = support::repo("hand-once");
    let n = repo.incident("Queue backlog").await;
    repo.fake
        .add_label(&repo.name, "team:payments", "ededed", None);
    repo.fake
        .label_issue(&repo.name, n, "team:payments", "carol");
    let labeled = payload::issues(
        &repo.fake,
        &repo.name,
        n,
        "labeled",
        "carol",
        Some("team:payments"),
        None,
    );
    repo.handle("issues", &labeled).await.unwrap();
    let body = repo.body(n);
    // The same delivery again, a late one, and an unrelated run: nothing more is written.
    repo.clear_requests();
    repo.handle("issues", &labeled).await.unwrap();
    repo.handle("issues", &labeled).await.unwrap();
    let writes: Vec<String> = repo
        .calls()
        .into_iter()
        .filter(|c| !c.starts_with("GET"))
        .collect();
    assert!(writes.is_empty(), "{writes:#?}");
    assert_eq!(repo.body(n), body);
    repo.comment(n, "bob", "Draining").await;
    assert_eq!(entries(&repo, n, "team:payments"), 1);
}

#[tokio::test]
async fn a_retitle_whose_run_was_cancelled_becomes_the_incidents_title() {
    let repo = support::repo("hand-missed-title");
    let n = repo.incident("Search slow").await;
    let title = repo.fake.issue(&repo.name, n).unwrap().title;
    let renamed = title.replace("Search slow", "Search down in eu-west");
    repo.fake.set_issue_title(&repo.name, n, &renamed, "carol");
    repo.comment(n, "bob", "Failing over").await;
    let incident = state(&repo, n);
    assert_eq!(incident.title, "Search down in eu-west");
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().title, renamed);
    assert_eq!(entries(&repo, n, "Title changed"), 1);
}

#[tokio::test]
async fn without_an_issue_timeline_the_event_that_woke_the_run_is_still_recorded() {
    let repo = support::isolated(&["hand-no-timeline"], Utc::now()).remove(0);
    let n = repo.incident("Login errors").await;
    // A GitHub that serves no issue timeline (404): comments are listed instead.
    repo.fake.inject(Fault {
        times: usize::MAX,
        ..Fault::once(
            &format!("{}/issues/{n}/timeline", repo.name),
            FaultKind::Status(404),
        )
    });
    repo.fake.label_issue(&repo.name, n, "sev:1", "carol");
    let labeled = payload::issues(
        &repo.fake,
        &repo.name,
        n,
        "labeled",
        "carol",
        Some("sev:1"),
        None,
    );
    repo.clear_requests();
    repo.handle("issues", &labeled).await.unwrap();
    assert_eq!(state(&repo, n).severity, 1);
    let calls = repo.calls();
    assert!(
        calls.contains(&format!("GET /repos/{}/issues/{n}/comments", repo.name)),
        "{calls:#?}"
    );
}

/// GitHub's times have whole seconds: the label, its run, the stale write and the next comment
/// land in one second or in several, and the next run must find the label either way.
#[tokio::test]
async fn a_hand_event_survives_a_run_that_wrote_the_body_from_an_older_read() {
    let start = Utc::now() - Duration::hours(1);
    // Seconds after `start` of: the label, its run, the stale write, the next comment.
    for steps in [
        [0, 0, 0, 0],
        [0, 0, 1, 1],
        [0, 1, 1, 2],
        [0, 1, 2, 3],
        [1, 1, 1, 1],
    ] {
        let repo = support::isolated(&["hand-stale"], start).remove(0);
        let at = |s: i64| start + Duration::seconds(s);
        let n = repo.incident("Cache stampede").await;
        let before = repo.body(n);
        repo.fake.set_now(at(steps[0]));
        repo.fake.label_issue(&repo.name, n, "sev:1", "carol");
        let labeled = payload::issues(
            &repo.fake,
            &repo.name,
            n,
            "labeled",
            "carol",
            Some("sev:1"),
            None,
        );
        repo.fake.set_now(at(steps[1]));
        repo.handle("issues", &labeled).await.unwrap();
        assert_eq!(state(&repo, n).severity, 1, "{steps:?}");
        // A concurrent run that listed the issue before carol's label writes the body it computed.
        repo.fake.set_now(at(steps[2]));
        repo.fake.edit_issue_body(&repo.name, n, &before);
        repo.fake.set_now(at(steps[3]));
        repo.comment(n, "bob", "Warming the cache").await;
        let incident = state(&repo, n);
        assert_eq!(incident.severity, 1, "{steps:?}");
        assert_eq!(entries(&repo, n, "SEV2 → SEV1"), 1, "{steps:?}");
        let labels = repo.fake.issue(&repo.name, n).unwrap().labels;
        assert!(labels.iter().any(|l| l == "sev:1"), "{steps:?}: {labels:?}");
    }
}

/// Once a run has recorded a person's change, later runs see from the GraphQL read that
/// nothing newer happened and do not list the issue's events again.
#[tokio::test]
async fn a_recorded_hand_event_is_not_listed_again_by_later_runs() {
    let repo = support::repo("hand-recorded");
    let n = repo.incident("Queue backlog").await;
    repo.fake.label_issue(&repo.name, n, "sev:1", "carol");
    let labeled = payload::issues(
        &repo.fake,
        &repo.name,
        n,
        "labeled",
        "carol",
        Some("sev:1"),
        None,
    );
    repo.handle("issues", &labeled).await.unwrap();
    repo.clear_requests();
    repo.comment(n, "bob", "Draining the queue").await;
    let timeline = format!("GET /repos/{}/issues/{n}/timeline", repo.name);
    let calls = repo.calls();
    assert!(
        !calls.iter().any(|c| c.starts_with(&timeline)),
        "{calls:#?}"
    );
    assert_eq!(entries(&repo, n, "Draining the queue"), 1);
}
