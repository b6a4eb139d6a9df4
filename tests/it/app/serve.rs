//! The App end to end: deliveries in, the pipeline's writes out, made as `<slug>[bot]`; ping,
//! ignored events, probes and metrics.

use fake_github::payload;

use super::{eventually, register};
use crate::support;

#[tokio::test]
async fn a_delivered_command_declares_the_incident_writing_as_the_apps_bot() {
    let app = register("declare");
    let repo = support::repo("app-declare");
    app.install(&[&repo]);
    let server = app.serve(&[]);
    let n = repo.issue("carol", "Checkout errors", "Customers report 500s.");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident sev1 Checkout down")
        .id;
    let delivered = server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    assert_eq!(delivered.status, 202, "{}", delivered.body);
    assert_eq!(delivered.body.trim(), "queued");
    server.wait_handled(1).await;

    assert_eq!(
        repo.labels(n),
        ["incident", "sev:1", "status:investigating"]
    );
    assert_eq!(
        repo.fake.issue(&repo.name, n).unwrap().title,
        "[SEV1] Checkout down"
    );
    let reactions = &repo.fake.comments(&repo.name, n)[0].reactions;
    assert_eq!(reactions.len(), 1);
    assert_eq!(reactions[0].user, app.bot(), "written as the App's bot");

    // A later comment reaches the timeline; the App's own writes do not wake it.
    let c2 = repo
        .fake
        .create_comment(&repo.name, n, "bob", "Rolled back the deploy")
        .id;
    server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c2, "created"),
        )
        .await;
    server.wait_handled(2).await;
    eventually("the comment is on the timeline", || {
        repo.body(n).contains("Rolled back the deploy")
    })
    .await;
}

#[tokio::test]
async fn ping_is_answered_and_events_firebreak_does_not_handle_are_acknowledged_and_ignored() {
    let app = register("ping");
    let repo = support::repo("app-ping");
    app.install(&[&repo]);
    let server = app.serve(&[]);
    let before = repo.requests().len();
    let ping = server
        .deliver("ping", br#"{"zen":"Design for failure.","hook_id":1}"#)
        .await;
    assert_eq!((ping.status, ping.body.trim()), (200, "pong"));
    let star = server
        .deliver(
            "star",
            br#"{"action":"created","repository":{"full_name":"acme/x"}}"#,
        )
        .await;
    assert_eq!(star.status, 202);
    assert_eq!(
        star.body.trim(),
        "ignored: Firebreak does not handle `other` events"
    );
    // A comment on a plain issue that declares nothing: the dispatcher's route says so from
    // the payload alone.
    let n = repo.issue("bob", "Typo", "");
    let c = repo.fake.create_comment(&repo.name, n, "bob", "fixed").id;
    let plain = server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    assert_eq!(plain.status, 202);
    assert!(plain.body.starts_with("ignored: "), "{}", plain.body);
    assert_eq!(
        repo.requests().len(),
        before,
        "nothing was read or written for them"
    );
    assert_eq!(
        server.metric("firebreak_deliveries_handled_total").await,
        0.0,
        "nothing was queued"
    );
}

#[tokio::test]
async fn probes_answer_and_metrics_count_deliveries_github_answers_and_the_rate_limit() {
    let app = register("probes");
    let repo = support::repo("app-probes");
    let installation = app.install(&[&repo]);
    let server = app.serve(&[]);
    assert_eq!(server.get("/healthz").await, (200, "ok\n".into()));
    let (status, text) = server.get("/readyz").await;
    assert_eq!(status, 200, "{text}");
    assert!(text.contains(&app.bot()), "{text}");

    let n = repo.incident("Queue backlog").await;
    let c = repo
        .fake
        .create_comment(&repo.name, n, "bob", "Consumers restarted")
        .id;
    server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    server.wait_handled(1).await;
    let (status, metrics) = server.get("/metrics").await;
    assert_eq!(status, 200);
    for series in [
        "firebreak_webhook_deliveries_total{event=\"issue_comment\",outcome=\"queued\"} 1",
        "firebreak_deliveries_handled_total{event=\"issue_comment\",outcome=\"done\"} 1",
        "firebreak_webhook_ack_seconds_count 1",
        "firebreak_delivery_handling_seconds_count 1",
        "firebreak_queue_depth 0",
        "firebreak_queue_in_flight 0",
    ] {
        assert!(
            metrics.lines().any(|l| l == series),
            "missing `{series}`:\n{metrics}"
        );
    }
    assert!(
        metrics.contains("firebreak_github_requests_total{status=\"200\"}"),
        "{metrics}"
    );
    let used = repo.fake.rate_limit_used(installation);
    assert!(used > 0);
    let remaining = format!(
        "firebreak_github_rate_limit_remaining{{installation=\"{installation}\"}} {}",
        5000 - used
    );
    assert!(
        metrics.lines().any(|l| l == remaining),
        "missing `{remaining}`:\n{metrics}"
    );
}

#[tokio::test]
async fn readyz_is_503_while_github_refuses_the_apps_jwt() {
    let app = register("unready");
    // An App id GitHub does not know: every JWT is refused.
    let server = app.serve(&[("FIREBREAK_APP_ID", "999999")]);
    assert_eq!(server.get("/healthz").await.0, 200, "the process is up");
    let (status, text) = server.get("/readyz").await;
    assert_eq!(status, 503, "{text}");
    assert!(text.contains("Integration not found"), "{text}");
}

#[tokio::test]
async fn a_job_that_meets_github_failing_is_tried_again_and_completes() {
    let app = register("retry");
    let repo = support::repo("app-retry");
    app.install(&[&repo]);
    let n = repo.incident("Flaky upstream").await;
    let server = app.serve(&[]);
    // Five 502s on the body write (every run makes it; the reads may be one GraphQL query on
    // a path shared by every test) exhaust the client's own retries (four attempts); the job
    // is tried again and succeeds.
    repo.fake.inject(fake_github::Fault {
        method: Some(http::Method::PATCH),
        path_contains: format!("/repos/{}/issues/{n}", repo.name),
        kind: fake_github::FaultKind::Status(502),
        times: 5,
    });
    let c = repo
        .fake
        .create_comment(&repo.name, n, "bob", "Upstream recovered")
        .id;
    server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    server.wait_handled(1).await;
    eventually("the comment is on the timeline", || {
        repo.body(n).contains("Upstream recovered")
    })
    .await;
    assert!(
        server.log().contains("handling failed; trying again in 2s"),
        "{}",
        server.log()
    );
    assert_eq!(
        server
            .metric("firebreak_deliveries_handled_total{event=\"issue_comment\",outcome=\"done\"}")
            .await,
        1.0
    );
}
