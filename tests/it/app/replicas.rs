//! Replicas share nothing: two `firebreak serve` processes get the same deliveries, and, at the
//! same time, different deliveries for the same issue; the result has every comment on the
//! timeline exactly once, one action item, and no reply twice.

use std::collections::BTreeMap;

use fake_github::payload;

use super::register;
use crate::support;

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn two_replicas_given_the_same_and_different_deliveries_record_each_comment_once() {
    let app = register("replicas");
    let repo = support::repo("app-replicas");
    app.install(&[&repo]);
    let n = repo.incident("Payments failing").await;
    let a = app.serve(&[]);
    let b = app.serve(&[]);

    let texts: Vec<String> = (0..12)
        .map(|i| match i {
            3 => "/action \"Add a payments canary\" @bob P1".to_string(),
            5 => "/help".to_string(),
            _ => format!("Observation {i}: error rate {}%", 10 + i),
        })
        .collect();
    let payloads: Vec<Vec<u8>> = texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let who = ["alice", "bob", "carol"][i % 3];
            let c = repo.fake.create_comment(&repo.name, n, who, text).id;
            payload::issue_comment(&repo.fake, &repo.name, n, c, "created")
        })
        .collect();

    // The first six go to both replicas (the same delivery, the same id); the other six are
    // split between them; all at once.
    let mut sends = Vec::new();
    for (i, body) in payloads.iter().enumerate() {
        let guid = format!("replicas-{}-{i}", app.id);
        let targets: Vec<&super::Server> = match i {
            0..6 => vec![&a, &b],
            _ if i % 2 == 0 => vec![&a],
            _ => vec![&b],
        };
        for server in targets {
            let (fake, url, guid, body) = (
                app.fake.clone(),
                server.webhook(),
                guid.clone(),
                body.clone(),
            );
            let app_id = app.id;
            sends.push(tokio::spawn(async move {
                fake.deliver_with_guid(app_id, &url, "issue_comment", &body, &guid)
                    .await
                    .status
            }));
        }
    }
    for send in sends {
        assert_eq!(send.await.unwrap(), 202);
    }
    // A repeated delivery to the same replica is dropped there.
    let again = app
        .fake
        .deliver_with_guid(
            app.id,
            &a.webhook(),
            "issue_comment",
            &payloads[0],
            &format!("replicas-{}-0", app.id),
        )
        .await;
    assert_eq!(
        (again.status, again.body.trim()),
        (200, "duplicate delivery: already queued")
    );

    a.wait_handled(9).await;
    b.wait_handled(9).await;
    let body = repo.body(n);
    let incident = firebreak::incident::section::Body::parse(&body)
        .incident()
        .cloned()
        .expect("an incident");
    for comment in repo.fake.comments(&repo.name, n) {
        if comment.author.ends_with("[bot]") {
            continue;
        }
        let entries = incident
            .timeline
            .iter()
            .filter(|e| e.comment == Some(comment.id))
            .count();
        assert_eq!(
            entries, 1,
            "comment {} ({}) has {entries} timeline entries:\n{body}",
            comment.id, comment.body
        );
    }
    // Two runs may open the same action item at once; the higher number is closed as a
    // duplicate (apply's lowest-number rule), so one stays open and is the one listed.
    let items: Vec<_> = repo
        .fake
        .issue_numbers(&repo.name)
        .into_iter()
        .filter_map(|i| repo.fake.issue(&repo.name, i))
        .filter(|i| i.labels.contains(&"action-item".to_string()))
        .collect();
    let open: Vec<u64> = items
        .iter()
        .filter(|i| i.state == "open")
        .map(|i| i.number)
        .collect();
    assert_eq!(open.len(), 1, "one open action item: {items:?}");
    assert!(
        items
            .iter()
            .all(|i| i.state == "open" || i.state_reason.as_deref() == Some("duplicate")),
        "{items:?}"
    );
    assert_eq!(incident.action_items.len(), 1);
    assert_eq!(incident.action_items[0].number, Some(open[0]));

    let mut replies: BTreeMap<String, usize> = BTreeMap::new();
    for comment in repo.fake.comments(&repo.name, n) {
        if comment.author.ends_with("[bot]") {
            *replies.entry(comment.body).or_default() += 1;
        }
    }
    assert!(
        replies.values().all(|count| *count == 1),
        "a reply was posted twice: {replies:#?}"
    );
    assert!(
        replies.keys().any(|r| r.contains("/incident")),
        "the /help reply was posted: {replies:#?}"
    );
    // Both replicas wrote; each wrote as the App.
    for comment in repo.fake.comments(&repo.name, n) {
        assert!(
            !comment.author.ends_with("[bot]")
                || comment.author == app.bot()
                || comment.author == support::BOT,
            "{}",
            comment.author
        );
    }
}

/// The rule that keeps replies single across replicas, on its own: runs that all decided to
/// post the same reply leave exactly one (the oldest).
#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn runs_that_post_the_same_reply_at_once_leave_the_oldest() {
    let repo = support::repo("app-reply-race");
    let n = repo.incident("Search degraded").await;
    for round in 0..4 {
        let c = repo
            .fake
            .create_comment(&repo.name, n, "bob", &format!("/help\nround {round}"))
            .id;
        // Each run's reply is held up long enough for the others to decide it too.
        repo.fake.inject(fake_github::Fault {
            method: Some(http::Method::POST),
            path_contains: format!("/repos/{}/issues/{n}/comments", repo.name),
            kind: fake_github::FaultKind::Delay(std::time::Duration::from_millis(300)),
            times: 3,
        });
        crate::timeline::run_at_once(&repo, n, &[c, c, c]).await;
        let marker = format!("firebreak:reply help-{c} ");
        let replies = repo
            .bot_comments(n)
            .into_iter()
            .filter(|b| b.contains(&marker))
            .count();
        assert_eq!(replies, 1, "round {round}: {replies} replies");
    }
}
