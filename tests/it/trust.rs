//! Nobody without the right can forge, hijack or jam an incident. Each test plays a hostile
//! actor — an outsider reporting or editing an issue, another app commenting, a fork — and
//! checks that nothing changed that should not have, and that any reply is short and clear.

use fake_github::{UserKind, payload};
use firebreak::incident::section::Body;

use crate::support::{self, Repo, pull_payload};

/// The incident's state as the body holds it.
fn state(repo: &Repo, n: u64) -> firebreak::incident::Incident {
    Body::parse(&repo.body(n))
        .incident()
        .cloned()
        .expect("a state")
}

/// A SEV2 incident with bob as IC, requests forgotten.
async fn incident(repo: &Repo, title: &str) -> u64 {
    let n = repo.incident(title).await;
    repo.comment(n, "alice", "/ic @bob").await;
    repo.clear_requests();
    n
}

#[tokio::test]
async fn a_pull_request_from_a_fork_named_like_the_postmortem_branch_is_not_the_postmortem() {
    let repo = support::repo("trust-fork");
    let n = incident(&repo, "Checkout errors").await;
    // Before any draft exists, mallory opens a pull request from her fork on the branch the
    // postmortem would have, with the marker in its body, and it gets merged.
    let fork = format!("{}-fork", repo.name.replace("acme/", "mallory/"));
    repo.fake.add_repo(&fork);
    let branch = format!("postmortem/{n}-checkout-errors");
    repo.fake.create_branch(&repo.name, &branch, "main");
    repo.fake
        .put_file(&repo.name, &branch, "docs/postmortems/x.md", "all done");
    let pr = repo
        .fake
        .create_pull(
            &repo.name,
            "mallory",
            "Postmortem",
            &firebreak::postmortem::pull_marker(n),
            &branch,
            "main",
            false,
        )
        .number;
    repo.fake.set_pull_head_repo(&repo.name, pr, &fork);
    repo.fake.merge_pull(&repo.name, pr, "alice").unwrap();
    repo.clear_requests();

    repo.handle("pull_request", &pull_payload(&repo, pr, "closed", "alice"))
        .await
        .unwrap();

    let calls = repo.calls();
    assert!(
        calls.iter().all(|c| c.starts_with("GET ")),
        "nothing is written for a fork's pull request: {calls:#?}"
    );
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "open");
    assert!(state(&repo, n).postmortem.is_none_or(|p| p.pull.is_none()));
}

#[tokio::test]
async fn approvals_count_only_from_people_with_write_access_who_are_not_bots() {
    let repo = support::repo("trust-approvals");
    let n = incident(&repo, "Login failures").await;
    repo.comment(n, "bob", "/status mitigated").await;
    let pr = support::postmortem_pull(&repo, n);
    repo.fake.add_user("helper-app[bot]", UserKind::Bot);
    repo.fake.approve_pull(&repo.name, pr, "mallory");
    repo.fake.approve_pull(&repo.name, pr, "helper-app[bot]");
    repo.handle("pull_request_review", &review_payload(&repo, pr, "mallory"))
        .await
        .unwrap();
    let pm = state(&repo, n).postmortem.unwrap();
    let facts = pm.facts.unwrap();
    assert!(facts.approvers.is_empty(), "{:?}", facts.approvers);
    let approvals = pm.checklist.iter().find(|c| c.key == "approvals").unwrap();
    assert!(!approvals.done, "{}", approvals.text);

    // A reviewer with write access counts.
    repo.fake.approve_pull(&repo.name, pr, "carol");
    repo.handle("pull_request_review", &review_payload(&repo, pr, "carol"))
        .await
        .unwrap();
    let pm = state(&repo, n).postmortem.unwrap();
    assert_eq!(pm.facts.unwrap().approvers, ["carol"]);
}

fn review_payload(repo: &Repo, pr: u64, reviewer: &str) -> Vec<u8> {
    serde_json::to_vec(&serde_json::json!({
        "action": "submitted",
        "review": { "id": 1, "state": "approved", "user": repo.fake.user_json(reviewer) },
        "pull_request": repo.fake.pull_json(&repo.name, pr),
        "repository": repo.fake.repo_json(&repo.name),
        "sender": repo.fake.user_json(reviewer),
    }))
    .unwrap()
}

#[tokio::test]
async fn another_apps_comment_cannot_forge_a_timeline_part_or_a_reply() {
    let repo = support::repo("trust-other-app");
    let n = incident(&repo, "Queue backlog").await;
    repo.fake.add_user("other-app[bot]", UserKind::Bot);
    // A timeline part full of invented entries, and the marker of the reply Firebreak would
    // post to alice's next comment.
    let forged_part = r#"<!-- firebreak:overflow {"part":1,"entries":[{"at":"2026-01-01T00:00:00Z","kind":"note","by":"alice","text":"All clear, close it"}]} -->"#;
    repo.fake
        .create_comment(&repo.name, n, "other-app[bot]", forged_part);
    let next = repo.fake.create_comment(&repo.name, n, "alice", "/sev 7");
    repo.fake.create_comment(
        &repo.name,
        n,
        "other-app[bot]",
        &firebreak::engine::reply_marker(&format!("c{}", next.id)),
    );
    repo.deliver_comment(n, next.id, "created").await.unwrap();

    let body = repo.body(n);
    assert!(!body.contains("All clear"), "the forged part is no part");
    assert!(!body.contains("Earlier entries are in comments"), "{body}");
    let replies = repo.bot_comments(n);
    assert!(
        replies.iter().any(|c| c.contains("/sev 7")),
        "Firebreak still answers alice's bad line: {replies:#?}"
    );
}

#[tokio::test]
async fn with_a_personal_token_firebreak_knows_its_own_comments() {
    let repo = support::repo("trust-pat");
    // Firebreak runs as a person's account ("ops-robot", a User) with a personal token.
    repo.fake.add_user("ops-robot", UserKind::User);
    repo.fake.set_permission(&repo.name, "ops-robot", "write");
    repo.fake.set_token("pat-ops", "ops-robot");
    let client =
        || firebreak::github::GitHub::with_token(&repo.api_url, "pat-ops", &repo.name).unwrap();
    let handle = |event: &'static str, payload: Vec<u8>| {
        let event = firebreak::event::Event::from_webhook(event, &payload).unwrap();
        let config = repo.config.clone();
        async move {
            firebreak::dispatch::dispatch(
                &client(),
                &event,
                chrono::Utc::now(),
                firebreak::run::Mode::Apply,
                |_| async move { Ok(config) },
            )
            .await
            .unwrap()
        }
    };
    let n = repo.issue("alice", "Queue backlog", "What we see.");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident\n/help");
    handle(
        "issue_comment",
        payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created"),
    )
    .await;
    let own: Vec<_> = repo
        .fake
        .comments(&repo.name, n)
        .into_iter()
        .filter(|c| c.author == "ops-robot")
        .collect();
    assert_eq!(own.len(), 1, "the help reply");
    // Its own reply (which lists every command, /incident included) is not a person's
    // comment: delivering it runs nothing and writes nothing.
    repo.clear_requests();
    let outcome = handle(
        "issue_comment",
        payload::issue_comment(&repo.fake, &repo.name, n, own[0].id, "created"),
    )
    .await;
    assert!(
        outcome.notes.iter().any(|n| n.contains("Firebreak itself")),
        "{:?}",
        outcome.notes
    );
    assert!(
        repo.calls().iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        repo.calls()
    );
    // A later person's comment: the help reply is recognised as Firebreak's (not a
    // person's comment with commands), so the timeline gains bob's comment only.
    let before = state(&repo, n).timeline.len();
    repo.fake.create_comment(&repo.name, n, "bob", "Looking");
    let c2 = repo
        .fake
        .create_comment(&repo.name, n, "bob", "Still looking");
    handle(
        "issue_comment",
        payload::issue_comment(&repo.fake, &repo.name, n, c2.id, "created"),
    )
    .await;
    let timeline = state(&repo, n).timeline;
    assert_eq!(timeline.len(), before + 2, "{timeline:#?}");
    assert!(
        timeline.iter().all(|e| e.by != "ops-robot"),
        "{timeline:#?}"
    );
    assert_eq!(
        repo.fake
            .comments(&repo.name, n)
            .iter()
            .filter(|c| c.author == "ops-robot")
            .count(),
        1,
        "no second help reply"
    );
}

#[tokio::test]
async fn a_stranger_cannot_own_an_action_item_on_a_public_repository() {
    let repo = support::repo("trust-owner");
    let n = incident(&repo, "Queue backlog").await;
    // On a public repository GitHub says every user may read.
    let permission = repo.client().permission("mallory").await.unwrap();
    assert_eq!(permission, "read");
    repo.comment(n, "alice", "/action Rotate the keys @mallory P1")
        .await;
    assert!(
        repo.fake.issue_numbers(&repo.name).iter().all(|i| !repo
            .fake
            .issue(&repo.name, *i)
            .unwrap()
            .labels
            .contains(&"action-item".to_string())),
        "no action item is opened"
    );
    let reply = repo.bot_comments(n).pop().unwrap();
    assert!(
        reply.contains("mallory cannot be assigned issues in this repository"),
        "{reply}"
    );
    assert!(reply.len() < 1_000, "short: {reply}");
}

#[tokio::test]
async fn a_five_thousand_line_comment_runs_twenty_lines_and_gets_one_short_reply() {
    let repo = support::repo("trust-jam");
    let n = incident(&repo, "Queue backlog").await;
    let flood = "/x\n".repeat(5_000);
    repo.comment(n, "alice", &flood).await;
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1, "one reply");
    let reply = &replies[0];
    assert!(reply.len() < 3_000, "short: {} bytes", reply.len());
    assert!(
        reply.contains("…and 10 more lines that did not run either"),
        "{reply}"
    );
    assert!(
        reply.contains("4980 more command lines were not read: a comment runs at most 20"),
        "{reply}"
    );
    support::stable().bind(|| insta::assert_snapshot!("jam_reply", reply));
    // The incident goes on: the next comment is handled as usual.
    repo.comment(n, "bob", "/status identified").await;
    assert_eq!(state(&repo, n).status.as_str(), "identified");
}

#[tokio::test]
async fn an_outsider_gets_one_short_refusal_that_repeats_none_of_their_text() {
    let repo = support::repo("trust-outsider");
    let n = incident(&repo, "Queue backlog").await;
    let text =
        "/sev 1 <img src=x> @alice @bob\n/status resolved nothing to see\n/xyz-not-a-command\n"
            .repeat(200);
    let c = repo.comment(n, "mallory", &text).await;
    repo.deliver_comment(n, c, "created").await.unwrap();
    let replies = repo.bot_comments(n);
    assert_eq!(
        replies.len(),
        1,
        "one refusal, even delivered twice: {replies:#?}"
    );
    let reply = &replies[0];
    assert!(reply.len() < 600, "short: {reply}");
    for echoed in ["img", "&#64;alice", "@bob", "nothing to see", "xyz"] {
        assert!(!reply.contains(echoed), "{echoed} echoed: {reply}");
    }
    assert!(reply.contains("`/sev`, `/status`"), "{reply}");
    let incident = state(&repo, n);
    assert_eq!(
        (incident.severity, incident.status.as_str()),
        (2, "investigating")
    );
}

#[tokio::test]
async fn teams_are_asked_about_only_when_the_association_does_not_decide() {
    let mut repo = support::repo("trust-teams");
    repo.config = firebreak::config::Config::from_yaml(
        "permissions:\n  commands:\n    sev: { associations: [OWNER], teams: [acme/sre, acme/no-such-team] }\n",
        ".github/firebreak.yml",
    )
    .unwrap();
    repo.fake.add_team_member("acme", "sre", "carol");
    let n = incident(&repo, "Queue backlog").await;
    // Team look-ups are not about the repository: count them in the whole request log.
    let team_reads = |login: &str| {
        repo.fake
            .requests()
            .into_iter()
            .filter(|r| r.path.starts_with("/orgs/acme/teams/") && r.path.ends_with(login))
            .count()
    };

    // The default rule lets collaborators run /status: no team is asked about.
    repo.comment(n, "alice", "/status identified").await;
    assert_eq!(team_reads("/alice"), 0);
    assert_eq!(state(&repo, n).status.as_str(), "identified");

    // carol may raise the severity as a member of acme/sre.
    repo.comment(n, "carol", "/sev 1 every region").await;
    assert_eq!(state(&repo, n).severity, 1);
    assert_eq!(team_reads("/carol"), 1);

    // bob is in neither team, and one of them does not exist: refused, and the run goes on.
    repo.comment(n, "bob", "/sev 2 calmer now\nStill watching")
        .await;
    assert_eq!(state(&repo, n).severity, 1);
    assert_eq!(team_reads("/bob"), 2);
    let reply = repo.bot_comments(n).pop().unwrap();
    assert!(reply.contains("not allowed to run `/sev`"), "{reply}");
    assert!(
        repo.body(n).contains("Still watching"),
        "bob's comment is an entry"
    );
}

#[tokio::test]
async fn an_outsiders_form_report_waits_for_triage_until_a_responder_confirms_it() {
    let repo = support::repo("trust-form");
    repo.fake.add_label(&repo.name, "incident", "b60205", None);
    let n = repo
        .fake
        .create_issue(
            &repo.name,
            "mallory",
            "Everything is down",
            "### Severity\n\nSEV1 (Critical)\n\n### What happened\n\nNothing works.",
            &["incident"],
        )
        .number;
    // The form fires `opened` and `labeled`, both sent by the reporter.
    for (action, label) in [("opened", None), ("labeled", Some("incident"))] {
        let event = payload::issues(&repo.fake, &repo.name, n, action, "mallory", label, None);
        repo.handle("issues", &event).await.unwrap();
    }
    assert_eq!(repo.labels(n), ["incident"], "no severity or status label");
    assert!(
        Body::parse(&repo.body(n)).incident().is_none(),
        "not an incident"
    );
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1, "{replies:#?}");
    support::stable().bind(|| insta::assert_snapshot!("triage_reply", replies[0]));
    // A comment by the reporter changes nothing either.
    repo.comment(n, "mallory", "Please hurry").await;
    assert!(Body::parse(&repo.body(n)).incident().is_none());

    // A responder confirms: declared at the form's severity.
    repo.comment(n, "alice", "/incident").await;
    assert_eq!(state(&repo, n).severity, 1);
    assert!(repo.labels(n).contains(&"sev:1".to_string()));
}

/// An incident on an issue mallory (who may not declare) reported, declared by alice.
async fn reported_by_mallory(repo: &Repo) -> u64 {
    let n = repo.issue("mallory", "Checkout is down", "I cannot pay.");
    repo.comment(n, "alice", "/incident sev2").await;
    repo.comment(n, "alice", "/ic @bob").await;
    repo.clear_requests();
    n
}

/// The body with its hidden state rewritten by `forge`.
fn forged_body(
    repo: &Repo,
    n: u64,
    forge: impl FnOnce(&mut firebreak::incident::Incident),
) -> String {
    let body = repo.body(n);
    let parsed = Body::parse(&body);
    let mut incident = parsed.incident().unwrap().clone();
    forge(&mut incident);
    firebreak::incident::section::compose(&parsed.before, "## forged", &incident, &parsed.after)
}

#[tokio::test]
async fn an_outsider_rewriting_the_section_changes_nothing_and_is_named_in_the_timeline() {
    let repo = support::repo("trust-forge");
    let n = reported_by_mallory(&repo).await;
    let records = repo
        .bot_comments(n)
        .into_iter()
        .filter(|c| c.contains("firebreak:record"))
        .count();
    assert_eq!(records, 1, "the state is kept in a record comment");
    let labels = repo.labels(n);
    // mallory rewrites the state: resolved, SEV4, no commander, a postmortem merged on `main`.
    let forged = forged_body(&repo, n, |i| {
        i.severity = 4;
        i.status = firebreak::incident::Status::Resolved;
        i.commander = None;
        i.fingerprint = Some("alert-42".into());
        i.postmortem = Some(firebreak::incident::Postmortem {
            branch: Some("main".into()),
            pull: Some(1),
            ..Default::default()
        });
    });
    repo.fake.edit_issue_body(&repo.name, n, &forged);
    let edited = payload::issues(&repo.fake, &repo.name, n, "edited", "mallory", None, None);
    repo.handle("issues", &edited).await.unwrap();

    let incident = state(&repo, n);
    assert_eq!(incident.severity, 2);
    assert_eq!(incident.status.as_str(), "investigating");
    assert_eq!(incident.commander.as_deref(), Some("bob"));
    assert_eq!(incident.fingerprint, None);
    assert!(incident.postmortem.is_none());
    assert_eq!(repo.labels(n), labels, "labels unchanged");
    assert!(
        !repo.body(n).contains("## forged"),
        "the section is restored"
    );
    let entry = incident
        .timeline
        .iter()
        .find(|e| e.by == "mallory" && e.text.contains("without the right"))
        .expect("the timeline names who edited the section");
    assert!(
        entry.text.contains("restored from its record"),
        "{}",
        entry.text
    );
    let writes: Vec<String> = repo
        .calls()
        .into_iter()
        .filter(|c| !c.starts_with("GET "))
        .collect();
    assert!(
        writes
            .iter()
            .all(|w| !w.contains("/git/") && !w.contains("/contents/")),
        "nothing is written to a branch: {writes:#?}"
    );
    // mallory's own words outside the section stay hers to edit.
    let body = repo.body(n).replace("I cannot pay.", "I still cannot pay.");
    repo.fake.edit_issue_body(&repo.name, n, &body);
    let edited = payload::issues(&repo.fake, &repo.name, n, "edited", "mallory", None, None);
    repo.handle("issues", &edited).await.unwrap();
    assert!(repo.body(n).contains("I still cannot pay."));
    assert_eq!(
        state(&repo, n)
            .timeline
            .iter()
            .filter(|e| e.text.contains("without the right"))
            .count(),
        1,
        "an edit of her own text is no forgery"
    );
}

#[tokio::test]
async fn a_forged_section_is_restored_even_when_the_edit_event_was_lost() {
    let repo = support::repo("trust-forge-lost");
    let n = reported_by_mallory(&repo).await;
    let forged = forged_body(&repo, n, |i| i.severity = 4);
    repo.fake.edit_issue_body(&repo.name, n, &forged);
    // No `issues.edited` event: the next comment's run finds it.
    repo.comment(n, "bob", "Looking at the load balancer").await;
    assert_eq!(state(&repo, n).severity, 2);
    assert!(repo.labels(n).contains(&"sev:2".to_string()));
    assert!(repo.body(n).contains("Looking at the load balancer"));
}

#[tokio::test]
async fn a_new_issue_holding_a_copy_of_a_section_is_not_an_incident() {
    let repo = support::repo("trust-copy");
    let real = repo.incident("Checkout is down").await;
    let copy = repo.issue("mallory", "Checkout is down", &repo.body(real));
    let opened = payload::issues(
        &repo.fake, &repo.name, copy, "opened", "mallory", None, None,
    );
    repo.clear_requests();
    repo.handle("issues", &opened).await.unwrap();
    repo.comment(copy, "mallory", "Any news?").await;
    assert!(
        repo.calls().iter().all(|c| c.starts_with("GET ")),
        "nothing written for the copy: {:?}",
        repo.calls()
    );
    assert!(repo.labels(copy).is_empty());
}

#[tokio::test]
async fn the_reporter_closing_retitling_or_reopening_the_incident_is_undone() {
    let repo = support::repo("trust-close");
    let n = reported_by_mallory(&repo).await;
    repo.fake
        .set_issue_state(&repo.name, n, "closed", "mallory");
    let closed = payload::issues(&repo.fake, &repo.name, n, "closed", "mallory", None, None);
    repo.handle("issues", &closed).await.unwrap();
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "open");
    let title = repo.fake.issue(&repo.name, n).unwrap().title;
    repo.fake
        .set_issue_title(&repo.name, n, "[SEV4] nothing to see", "mallory");
    let edited = payload::issues(&repo.fake, &repo.name, n, "edited", "mallory", None, None);
    repo.handle("issues", &edited).await.unwrap();
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().title, title);
    let timeline = state(&repo, n).timeline;
    for text in ["Closed the issue without the right", "Retitled the issue"] {
        assert!(
            timeline
                .iter()
                .any(|e| e.by == "mallory" && e.text.starts_with(text)),
            "{text}: {timeline:#?}"
        );
    }
    // alice may close it (as a SEV3 it owes no postmortem); mallory reopening it is undone.
    repo.comment(n, "alice", "/sev 3 one region only").await;
    repo.fake.set_issue_state(&repo.name, n, "closed", "alice");
    let closed = payload::issues(&repo.fake, &repo.name, n, "closed", "alice", None, None);
    repo.handle("issues", &closed).await.unwrap();
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "closed");
    repo.fake.set_issue_state(&repo.name, n, "open", "mallory");
    let reopened = payload::issues(&repo.fake, &repo.name, n, "reopened", "mallory", None, None);
    repo.handle("issues", &reopened).await.unwrap();
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "closed");
}

#[tokio::test]
async fn an_incident_without_a_record_is_adopted_only_when_its_declaration_is_proven() {
    let repo = support::repo("trust-adopt");
    let n = repo.issue("mallory", "Checkout is down", "I cannot pay.");
    let declaring = repo.comment(n, "alice", "/incident sev2").await;
    let record = repo
        .fake
        .comments(&repo.name, n)
        .into_iter()
        .find(|c| c.body.contains("firebreak:record"))
        .unwrap();
    support::stable().bind(|| {
        insta::assert_snapshot!(
            "record_comment",
            regex::Regex::new(r"firebreak:record #\d+ \{.*\} -->")
                .unwrap()
                .replace(&record.body, "firebreak:record #[n] {…} -->")
        )
    });
    // As an incident from before records existed: its state only in the body.
    repo.fake.delete_comment(&repo.name, record.id);
    repo.comment(n, "bob", "Looking").await;
    let records: Vec<_> = repo
        .bot_comments(n)
        .into_iter()
        .filter(|c| c.contains("firebreak:record"))
        .collect();
    assert_eq!(
        records.len(),
        1,
        "adopted: alice's /incident is still there"
    );
    assert!(state(&repo, n).timeline.iter().any(|e| e.text == "Looking"));

    // Without a provable declaration (the declaring comment is gone) it is no incident.
    let record = repo
        .fake
        .comments(&repo.name, n)
        .into_iter()
        .find(|c| c.body.contains("firebreak:record"))
        .unwrap();
    repo.fake.delete_comment(&repo.name, record.id);
    repo.fake.delete_comment(&repo.name, declaring);
    repo.clear_requests();
    repo.comment(n, "bob", "Still looking").await;
    assert!(
        repo.calls().iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        repo.calls()
    );
}

/// A report as long as GitHub lets an issue body be: a pasted log, with a mention and a
/// marker look-alike in it.
fn long_report() -> String {
    let mut text = String::from("Checkout fails for everyone. @alice please look.\n\n");
    text.push_str("<!-- firebreak:overflow {\"part\":1,\"entries\":[]} -->\n");
    let line = "2026-11-20T10:00:00Z ERROR payment gateway timed out after 30s (attempt 3 of 3)\n";
    while text.len() + line.len() < 64_000 {
        text.push_str(line);
    }
    text
}

fn moved_reports(repo: &Repo, n: u64) -> Vec<String> {
    repo.bot_comments(n)
        .into_iter()
        .filter(|c| c.contains(firebreak::incident::moved::MARKER))
        .collect()
}

#[tokio::test]
async fn a_report_too_long_to_share_the_description_moves_to_one_comment_linked_from_it() {
    let repo = support::repo("trust-long-report");
    let report = long_report();
    let n = repo.issue("mallory", "Checkout is down", &report);
    repo.comment(n, "alice", "/incident sev2").await;
    repo.comment(n, "alice", "/ic @bob").await;

    let body = repo.body(n);
    assert!(body.chars().count() <= 65_536, "{} characters", body.len());
    assert_eq!(state(&repo, n).commander.as_deref(), Some("bob"));
    let moved = moved_reports(&repo, n);
    assert_eq!(moved.len(), 1, "one comment holds the report");
    let line = body.lines().next().unwrap();
    support::stable().bind(|| insta::assert_snapshot!("moved_report_line", line));
    let id = repo.fake.comments(&repo.name, n);
    let moved_id = id
        .iter()
        .find(|c| c.body.contains(firebreak::incident::moved::MARKER))
        .unwrap()
        .id;
    assert!(
        line.contains(&format!("#issuecomment-{moved_id}")),
        "{line}"
    );
    // Exactly as written, inside a fence: the log lines, the mention unrendered; the marker
    // look-alike defused so it forges no timeline part.
    let comment = &moved[0];
    assert!(comment.contains(&report.lines().nth(3).unwrap().to_string()));
    assert!(!comment.contains("<!-- firebreak:overflow"));
    let head: String = comment.lines().take(4).collect::<Vec<_>>().join("\n");
    support::stable().bind(|| insta::assert_snapshot!("moved_report_comment_head", head));

    // Later runs link the same comment and post no other.
    repo.comment(n, "bob", "/status identified").await;
    repo.comment(n, "carol", "Gateway team is on it").await;
    assert_eq!(moved_reports(&repo, n).len(), 1);
    assert_eq!(repo.body(n).lines().next().unwrap(), line);
    assert_eq!(state(&repo, n).status.as_str(), "identified");
}

#[tokio::test]
async fn fifty_long_action_items_a_long_report_impact_and_update_keep_the_description_under_the_limit()
 {
    let repo = support::repo("trust-full-body");
    let n = repo.issue("mallory", "Checkout is down", &long_report());
    repo.comment(n, "alice", "/incident sev2").await;
    let long = |what: &str| format!("{what} {}", "words that go on and on ".repeat(160));
    repo.comment(
        n,
        "alice",
        &format!("/impact {}", long("Customers cannot pay:")),
    )
    .await;
    repo.comment(
        n,
        "alice",
        &format!("/update {}", long("We are rerouting:")),
    )
    .await;
    let title = |i: usize| {
        format!(
            "Item {i:02} {}",
            "make the gateway retry budget visible ".repeat(8)
        )
    };
    for batch in 0..3 {
        let lines: Vec<String> = (batch * 20..(batch * 20 + 20).min(51))
            .map(|i| format!("/action {} @bob P2", &title(i)[..250]))
            .collect();
        repo.comment(n, "alice", &lines.join("\n")).await;
    }
    let incident = state(&repo, n);
    assert_eq!(
        incident.action_items.len(),
        50,
        "the fifty-first is refused"
    );
    let body = repo.body(n);
    assert!(
        body.chars().count() <= 65_536,
        "{} characters",
        body.chars().count()
    );
    let replies = repo.bot_comments(n);
    let refusal = replies
        .iter()
        .find(|r| r.contains("already lists 50 action items"))
        .expect("the fifty-first is refused with a reply");
    assert!(refusal.len() < 3_000);
    support::stable().bind(|| insta::assert_snapshot!("fifty_first_item_refused", refusal));
    // Every comment is still in the timeline, in the body or its parts.
    let comments = repo.fake.comments(&repo.name, n).len();
    assert!(comments > 0);
    repo.comment(n, "carol", "Still here").await;
    assert!(repo.body(n).chars().count() <= 65_536);
}
