//! Incidents end to end: real payload shapes, real HTTP, the in-memory GitHub (behind Prism
//! when the conformance lane is on).

use crate::support::{self, BOT, stable};
use fake_github::payload;

#[tokio::test]
async fn incident_command_declares_labels_titles_and_writes_the_section() {
    let repo = support::repo("declare");
    let n = repo.issue(
        "carol",
        "Checkout errors",
        "Customers report 500s.\n\n| a | b |",
    );
    repo.comment(n, "alice", "/incident sev1 Checkout down in EU")
        .await;

    let issue = repo.fake.issue(&repo.name, n).unwrap();
    assert_eq!(issue.title, "[SEV1] Checkout down in EU");
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:1", "status:investigating"]
    );
    assert_eq!(issue.author, "carol", "the reporter keeps authorship");
    let body = repo.body(n);
    assert!(
        body.starts_with("Customers report 500s.\n\n| a | b |"),
        "reporter text kept: {body}"
    );
    // Missing labels were created with fixed colors and descriptions.
    let labels = repo.fake.labels(&repo.name);
    let sev1 = labels.iter().find(|l| l.name == "sev:1").unwrap();
    assert_eq!(sev1.color, "b60205");
    assert!(sev1.description.as_deref().unwrap().starts_with("SEV1"));
    stable().bind(|| insta::assert_snapshot!("declared_section", repo.visible_section(n)));
}

#[tokio::test]
async fn issue_form_severity_is_read_from_the_form_body() {
    let repo = support::repo("form");
    let body = "### Severity\n\nSEV3 (Minor)\n\n### What is happening?\n\nSlow dashboards";
    let n = repo
        .fake
        .create_issue(&repo.name, "bob", "Dashboards slow", body, &["incident"])
        .number;
    let payload = payload::issues(&repo.fake, &repo.name, n, "opened", "bob", None, None);
    repo.handle("issues", &payload).await.unwrap();
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:3", "status:investigating"]
    );
    assert_eq!(
        repo.fake.issue(&repo.name, n).unwrap().title,
        "[SEV3] Dashboards slow"
    );
}

#[tokio::test]
async fn no_severity_means_the_configured_default_sev2() {
    let repo = support::repo("default-sev");
    let n = repo.incident("Queue backlog").await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:2", "status:investigating"]
    );
}

#[tokio::test]
async fn upgrade_is_recorded_with_from_to_and_reason() {
    let repo = support::repo("sev-up");
    let n = repo.incident("Login failures").await;
    repo.comment(n, "bob", "/sev 1 all regions affected").await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:1", "status:investigating"]
    );
    assert!(
        repo.body(n)
            .contains("Severity upgraded SEV2 → SEV1: all regions affected")
    );
    // A label swap is one add and one remove.
    let calls = repo.calls();
    assert!(
        calls.contains(&format!("POST /repos/{}/issues/{n}/labels", repo.name)),
        "{calls:?}"
    );
    assert!(
        calls.contains(&format!(
            "DELETE /repos/{}/issues/{n}/labels/sev%3A2",
            repo.name
        )),
        "{calls:?}"
    );
}

#[tokio::test]
async fn downgrade_without_reason_is_refused_and_explained() {
    let repo = support::repo("sev-down");
    let n = repo.incident("Login failures").await;
    repo.comment(n, "bob", "/sev 3").await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:2", "status:investigating"]
    );
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1);
    stable().bind(|| insta::assert_snapshot!("downgrade_refused", replies[0]));
    repo.comment(n, "bob", "/sev 3 only internal tools affected")
        .await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:3", "status:investigating"]
    );
    assert!(
        repo.body(n)
            .contains("Severity downgraded SEV2 → SEV3: only internal tools affected")
    );
}

#[tokio::test]
async fn mitigated_and_resolved_notices_say_which_and_mention_the_roles() {
    let repo = support::repo("resolve");
    let n = repo.incident("Payments timeouts").await;
    repo.comment(n, "alice", "/ic @bob\n/comms @carol").await;
    repo.comment(n, "bob", "/status mitigated traffic drained to us-east")
        .await;
    assert_eq!(
        repo.labels(n),
        [
            "incident",
            "postmortem:required",
            "sev:2",
            "status:mitigated"
        ]
    );
    repo.comment(n, "bob", "/status resolved bad node replaced")
        .await;
    assert_eq!(
        repo.labels(n),
        [
            "incident",
            "postmortem:required",
            "sev:2",
            "status:resolved"
        ]
    );
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 2, "{replies:#?}");
    assert!(replies[0].contains("Mitigated") && replies[0].contains("not resolved"));
    assert!(replies[1].contains("Resolved: the cause is fixed"));
    for reply in &replies {
        assert!(
            reply.contains("@bob") && reply.contains("@carol") && reply.contains("@alice"),
            "{reply}"
        );
    }
    stable().bind(|| {
        insta::assert_snapshot!("mitigated_notice", replies[0]);
        insta::assert_snapshot!("resolved_notice", replies[1]);
    });
}

#[tokio::test]
async fn roles_become_assignees_and_removed_responders_are_unassigned() {
    let repo = support::repo("roles");
    let n = repo.incident("Cache stampede").await;
    repo.comment(n, "bob", "/ic me\n/responder @carol @alice")
        .await;
    let mut assignees = repo.fake.issue(&repo.name, n).unwrap().assignees;
    assignees.sort();
    assert_eq!(assignees, ["alice", "bob", "carol"]);
    assert!(repo.body(n).contains("| **Incident commander** | @bob |"));
    assert!(
        repo.body(n).contains("Acknowledged by bob")
            || repo.body(n).contains("acknowledged by bob")
    );
    repo.comment(n, "bob", "/responder remove @carol").await;
    let mut assignees = repo.fake.issue(&repo.name, n).unwrap().assignees;
    assignees.sort();
    assert_eq!(assignees, ["alice", "bob"]);
}

#[tokio::test]
async fn impact_and_update_land_in_the_body_and_the_update_is_posted() {
    let repo = support::repo("impact");
    let n = repo.incident("Search degraded").await;
    repo.comment(n, "alice", "/impact 20% of searches time out")
        .await;
    repo.comment(n, "alice", "/update public Fix is rolling out")
        .await;
    let body = repo.body(n);
    assert!(body.contains("20% of searches time out"));
    assert!(body.contains("Fix is rolling out") && body.contains("public update by alice"));
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1);
    stable().bind(|| insta::assert_snapshot!("public_update", replies[0]));
}

#[tokio::test]
async fn one_bad_line_does_not_stop_the_others_and_gets_one_reply() {
    let repo = support::repo("mixed");
    let n = repo.incident("Mixed").await;
    let c = repo
        .comment(
            n,
            "bob",
            "/ack\n/stauts mitigated\n/impact API errors\n/sev 9 why not",
        )
        .await;
    assert!(repo.body(n).contains("API errors"), "the valid lines ran");
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1, "{replies:#?}");
    assert!(
        replies[0].contains("Did you mean `/status`?"),
        "{}",
        replies[0]
    );
    stable().bind(|| insta::assert_snapshot!("mixed_failures", replies[0]));
    let reactions = &repo
        .fake
        .comments(&repo.name, n)
        .into_iter()
        .find(|x| x.id == c)
        .unwrap()
        .reactions;
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].content, "+1");
}

#[tokio::test]
async fn help_lists_every_command() {
    let repo = support::repo("help");
    let n = repo.incident("Help").await;
    repo.comment(n, "bob", "/help").await;
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1);
    for command in firebreak::command::COMMANDS {
        assert!(
            replies[0].contains(&format!("/{}", command.name)),
            "{} missing",
            command.name
        );
    }
    stable().bind(|| insta::assert_snapshot!("help", replies[0]));
}

#[tokio::test]
async fn outsider_commands_are_refused_politely_and_change_nothing() {
    let repo = support::repo("refused");
    let n = repo.incident("Outsider").await;
    let before = repo.body(n);
    repo.comment(n, "mallory", "/sev 1 this is bad\n/ic me")
        .await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:2", "status:investigating"]
    );
    assert!(repo.fake.issue(&repo.name, n).unwrap().assignees.is_empty());
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1);
    stable().bind(|| insta::assert_snapshot!("refused", replies[0]));
    // The comment itself is still a timeline entry; nothing else changed.
    assert!(repo.body(n).contains("/sev 1 this is bad"));
    assert_ne!(before, repo.body(n));
}

#[tokio::test]
async fn outsider_cannot_declare() {
    let repo = support::repo("refused-declare");
    let n = repo.issue("mallory", "Hello", "");
    repo.comment(n, "mallory", "/incident sev1").await;
    assert!(repo.labels(n).is_empty());
    assert_eq!(repo.bot_comments(n).len(), 1);
}

#[tokio::test]
async fn commands_in_code_blocks_and_quotes_are_ignored() {
    let repo = support::repo("code");
    let n = repo.incident("Code").await;
    repo.comment(
        n,
        "bob",
        "Try this:\n```\n/sev 1 not really\n```\n> /status resolved\n",
    )
    .await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:2", "status:investigating"]
    );
    assert!(repo.bot_comments(n).is_empty());
}

#[tokio::test]
async fn bot_comments_are_not_entries_and_cost_no_call() {
    let repo = support::repo("bots");
    let n = repo.incident("Bots").await;
    let before = repo.body(n);
    let c = repo
        .fake
        .create_comment(&repo.name, n, BOT, "/sev 1 I am a bot")
        .id;
    repo.deliver_comment(n, c, "created").await.unwrap();
    assert_eq!(repo.body(n), before);
    assert!(repo.calls().is_empty(), "{:?}", repo.calls());
}

#[tokio::test]
async fn plain_comment_on_a_plain_issue_costs_no_call() {
    let repo = support::repo("plain");
    let n = repo.issue("bob", "Feature request", "");
    repo.clear_requests();
    repo.comment(n, "bob", "I'd love dark mode").await;
    assert!(repo.calls().is_empty(), "{:?}", repo.calls());
}

#[tokio::test]
async fn hostile_text_cannot_forge_state_break_layout_or_mention() {
    let repo = support::repo("hostile");
    let n = repo.incident("Hostile").await;
    let evil = "<!-- firebreak:end --> <!-- firebreak:state {\"severity\":4} --> | a | b |\n@alice @acme/sre <img src=x> **bold** [x](javascript:alert(1))";
    repo.comment(n, "bob", evil).await;
    repo.comment(n, "bob", &format!("/impact {evil}")).await;
    let body = repo.body(n);
    let visible = repo.visible_section(n);
    assert_eq!(body.matches("<!-- firebreak:state").count(), 1, "{body}");
    assert_eq!(body.matches("<!-- firebreak:end -->").count(), 1, "{body}");
    assert!(
        !visible.contains("@alice") && !visible.contains("@acme"),
        "no mention from comment text: {visible}"
    );
    assert!(!visible.contains("<img"));
    // Every timeline row still has exactly three cells.
    let rows: Vec<&str> = body.lines().filter(|l| l.starts_with("| 20")).collect();
    assert!(!rows.is_empty());
    for row in rows {
        let cells = row.replace("\\|", "").matches('|').count();
        assert_eq!(cells, 4, "{row}");
    }
    // And the next run still reads its state.
    repo.comment(n, "bob", "/sev 1 still fine").await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:1", "status:investigating"]
    );
}

#[tokio::test]
async fn hand_added_labels_survive_firebreak_changes() {
    let repo = support::repo("hand-labels");
    let n = repo.incident("Labels").await;
    repo.fake
        .add_label(&repo.name, "team:payments", "ededed", None);
    let payload = {
        // A person adds a label by hand.
        repo.fake
            .label_issue(&repo.name, n, "team:payments", "carol");
        payload::issues(
            &repo.fake,
            &repo.name,
            n,
            "labeled",
            "carol",
            Some("team:payments"),
            None,
        )
    };
    repo.handle("issues", &payload).await.unwrap();
    repo.comment(n, "bob", "/sev 1 bigger than we thought")
        .await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:1", "status:investigating", "team:payments"]
    );
    assert!(
        repo.body(n).contains("Label \\`team:payments\\` added")
            || repo.body(n).contains("team:payments")
    );
}

#[tokio::test]
async fn one_command_on_an_existing_incident_costs_two_reads_and_minimal_writes() {
    let repo = support::repo("budget");
    let n = repo.incident("Budget").await;
    repo.comment(n, "bob", "/status identified bad deploy")
        .await;
    let calls = repo.calls();
    let reads: Vec<_> = calls.iter().filter(|c| c.starts_with("GET")).collect();
    // The issue as it is now (an event's payload can be older than the last run's writes) and
    // its comments come in one GraphQL query (`POST /graphql`, not under the repository): no
    // REST read.
    assert!(reads.is_empty(), "{calls:#?}");
    // One label add, one label remove, one reaction, one body PATCH.
    assert_eq!(calls.len(), 4, "{calls:#?}");
    assert_eq!(calls.iter().filter(|c| c.starts_with("PATCH")).count(), 1);
}

#[tokio::test]
async fn redelivering_the_same_event_changes_nothing_and_posts_nothing() {
    let repo = support::repo("redeliver");
    let n = repo.incident("Twice").await;
    let c = repo.comment(n, "bob", "/sev 3").await; // refused downgrade: a reply
    let body = repo.body(n);
    repo.clear_requests();
    repo.deliver_comment(n, c, "created").await.unwrap();
    assert_eq!(repo.body(n), body);
    assert_eq!(repo.bot_comments(n).len(), 1, "no second reply");
    let calls = repo.calls();
    assert_eq!(
        calls,
        Vec::<String>::new(),
        "the issue and its comments read in one GraphQL query, nothing written"
    );
}
