//! Coalescing under a burst: deliveries whose work a job already waiting for their issue will
//! do keep no job of their own (answered 202, counted `coalesced`), and still every one of them
//! reaches the timeline; alerts, whose payload is their only record, each keep their job.

use std::time::Duration;

use fake_github::{Fault, FaultKind, payload};
use firebreak::incident::section::Body;

use super::{Server, register};
use crate::support;

/// Sends every payload at once; answers each delivery's (status, body).
async fn burst(
    server: &Server,
    app: &super::App,
    event: &str,
    payloads: Vec<Vec<u8>>,
) -> Vec<(u16, String)> {
    let mut sends = Vec::new();
    for body in payloads {
        let (fake, url, app_id, event) = (
            app.fake.clone(),
            server.webhook(),
            app.id,
            event.to_string(),
        );
        sends.push(tokio::spawn(async move {
            let delivered = fake.deliver(app_id, &url, &event, &body).await;
            (delivered.status, delivered.body)
        }));
    }
    let mut answers = Vec::new();
    for send in sends {
        answers.push(send.await.unwrap());
    }
    answers
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_comments_on_a_busy_issue_runs_twice_and_records_every_comment_once() {
    let app = register("coalesce-comments");
    let repo = support::repo("app-coalesce-comments");
    app.install(&[&repo]);
    let n = repo.incident("Payments failing").await;
    let server = app.serve(&[]);

    // The first run is held up at its first read of the issue, so the burst arrives while it
    // runs: the first delivery after it waits, and the rest are that waiting job's work.
    repo.fake.inject(Fault {
        method: Some(http::Method::GET),
        path_contains: format!("/repos/{}/issues/{n}", repo.name),
        kind: FaultKind::Delay(Duration::from_secs(3)),
        times: 1,
    });
    let first = repo
        .fake
        .create_comment(&repo.name, n, "alice", "Observation 0: error rate 12%")
        .id;
    let delivered = server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, first, "created"),
        )
        .await;
    assert_eq!((delivered.status, delivered.body.trim()), (202, "queued"));
    let start = std::time::Instant::now();
    while server.metric("firebreak_queue_in_flight").await != 1.0 {
        assert!(
            start.elapsed() < super::PATIENCE,
            "the first run never started"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }

    const BURST: usize = 30;
    let payloads: Vec<Vec<u8>> = (1..=BURST)
        .map(|i| {
            let who = ["alice", "bob", "carol"][i % 3];
            let text = format!("Observation {i}: error rate {}%", 12 + i);
            let c = repo.fake.create_comment(&repo.name, n, who, &text).id;
            payload::issue_comment(&repo.fake, &repo.name, n, c, "created")
        })
        .collect();
    let answers = burst(&server, &app, "issue_comment", payloads).await;
    assert!(
        answers.iter().all(|(status, _)| *status == 202),
        "every delivery accepted, none refused: {answers:?}"
    );
    let queued = answers.iter().filter(|(_, b)| b.trim() == "queued").count();
    assert_eq!(
        queued, 1,
        "one job waits behind the running one: {answers:?}"
    );
    server.wait_handled(BURST + 1).await;

    let handled = server.metric("firebreak_deliveries_handled_total").await;
    let coalesced = server
        .series(
            "firebreak_webhook_deliveries_total",
            "outcome=\"coalesced\"",
        )
        .await;
    assert_eq!(
        (handled, coalesced),
        (2.0, (BURST - 1) as f64),
        "two runs for {} deliveries",
        BURST + 1
    );
    let body = repo.body(n);
    let incident = Body::parse(&body).incident().cloned().expect("an incident");
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
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn a_burst_of_alerts_keeps_a_job_for_each_and_records_every_one() {
    let app = register("coalesce-alerts");
    let repo = support::repo("app-coalesce-alerts");
    app.install(&[&repo]);
    let server = app.serve(&[]);
    let alert = |title: &str| {
        serde_json::to_vec(&serde_json::json!({
            "action": "incident",
            "repository": { "full_name": repo.name },
            "client_payload": { "title": title, "severity": "2", "fingerprint": "api-5xx" },
        }))
        .unwrap()
    };
    let declared = server
        .deliver("repository_dispatch", &alert("5xx above 1% on api"))
        .await;
    assert_eq!(declared.status, 202, "{}", declared.body);
    server.wait_handled(1).await;

    const BURST: usize = 8;
    let titles: Vec<String> = (0..BURST)
        .map(|i| format!("5xx above {}% on api", 2 + i))
        .collect();
    let answers = burst(
        &server,
        &app,
        "repository_dispatch",
        titles.iter().map(|t| alert(t)).collect(),
    )
    .await;
    assert!(
        answers
            .iter()
            .all(|(s, b)| *s == 202 && b.trim() == "queued"),
        "each alert is queued: {answers:?}"
    );
    server.wait_handled(BURST + 1).await;
    assert_eq!(
        server.metric("firebreak_deliveries_handled_total").await,
        (BURST + 1) as f64
    );

    let incidents: Vec<u64> = repo
        .fake
        .issue_numbers(&repo.name)
        .into_iter()
        .filter(|i| {
            repo.fake
                .issue(&repo.name, *i)
                .is_some_and(|i| i.labels.contains(&"incident".to_string()))
        })
        .collect();
    assert_eq!(incidents.len(), 1, "one incident for the fingerprint");
    let body = repo.body(incidents[0]);
    let incident = Body::parse(&body).incident().cloned().expect("an incident");
    for title in &titles {
        let entries = incident
            .timeline
            .iter()
            .filter(|e| e.text == format!("Alert fired again: {title}"))
            .count();
        assert_eq!(entries, 1, "`{title}`:\n{body}");
    }
}
