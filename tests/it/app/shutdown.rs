//! SIGTERM: the server stops accepting, drains what it queued within the deadline, exits 0.

use std::time::Duration;

use fake_github::{Fault, FaultKind, payload};

use super::register;
use crate::support::{self, Repo};

/// Slows every read of the issue's timeline (comments and events), so queued jobs are still
/// waiting at SIGTERM. The fault matches this repository only and is left in place: clearing
/// faults would clear those of other tests sharing the in-memory GitHub.
fn slow_down(repo: &Repo, n: u64, delay: Duration) {
    // The body write: every run makes it (its reads may be one GraphQL query, shared by all).
    repo.fake.inject(Fault {
        method: Some(http::Method::PATCH),
        path_contains: format!("/repos/{}/issues/{n}", repo.name),
        kind: FaultKind::Delay(delay),
        times: 100,
    });
}

#[tokio::test]
async fn sigterm_stops_accepting_drains_the_queue_and_exits_0() {
    let app = register("drain");
    let repo = support::repo("app-drain");
    app.install(&[&repo]);
    let n = repo.incident("Slow storage").await;
    let mut server = app.serve(&[]);
    slow_down(&repo, n, Duration::from_millis(400));
    let texts = [
        "first queued note",
        "second queued note",
        "third queued note",
    ];
    for text in texts {
        let c = repo.fake.create_comment(&repo.name, n, "bob", text).id;
        let delivered = server
            .deliver(
                "issue_comment",
                &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
            )
            .await;
        assert_eq!(delivered.status, 202);
    }
    server.signal_term();
    server
        .wait_log("stopping: no new connections; draining the queue")
        .await;
    let c = repo
        .fake
        .create_comment(&repo.name, n, "bob", "too late")
        .id;
    let late = server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    assert_ne!(
        late.status, 202,
        "a delivery after SIGTERM is not taken: {late:?}"
    );
    let status = tokio::task::spawn_blocking(move || {
        let status = server.wait_exit();
        (status, server.log())
    })
    .await
    .unwrap();
    assert!(
        status.0.success(),
        "exit {:?}; log:\n{}",
        status.0,
        status.1
    );
    assert!(status.1.contains("drained; exiting"), "{}", status.1);
    let body = repo.body(n);
    for text in texts {
        assert!(
            body.contains(text),
            "`{text}` was handled before exiting:\n{body}"
        );
    }
}

#[tokio::test]
async fn past_the_drain_deadline_the_process_still_exits_0_saying_what_was_left() {
    let app = register("deadline");
    let repo = support::repo("app-deadline");
    app.install(&[&repo]);
    let n = repo.incident("Slow storage").await;
    let mut server = app.serve(&[("FIREBREAK_DRAIN_TIMEOUT", "1s")]);
    slow_down(&repo, n, Duration::from_secs(3));
    for text in ["slow one", "slow two"] {
        let c = repo.fake.create_comment(&repo.name, n, "bob", text).id;
        server
            .deliver(
                "issue_comment",
                &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
            )
            .await;
    }
    let started = std::time::Instant::now();
    let (status, log) = tokio::task::spawn_blocking(move || {
        let status = server.terminate();
        (status, server.log())
    })
    .await
    .unwrap();
    assert!(status.success(), "exit {status:?}; log:\n{log}");
    assert!(
        started.elapsed() < Duration::from_secs(3),
        "the deadline bounded the wait: {:?}",
        started.elapsed()
    );
    assert!(
        log.contains("the drain deadline passed with deliveries unhandled"),
        "{log}"
    );
}
