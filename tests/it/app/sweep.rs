//! The sweep on the App's timer: across every installation and repository, only those with
//! open incidents are swept, and asking a repository costs no rate limit when nothing changed.

use std::time::Duration;

use super::{eventually, register};
use crate::support;

#[tokio::test]
async fn the_timer_sweeps_repositories_with_open_incidents_and_asks_the_others_for_free() {
    let app = register("sweep");
    let busy = support::repo("app-sweep-busy");
    let quiet = support::repo("app-sweep-quiet");
    let other = support::repo("app-sweep-other-installation");
    app.install(&[&busy, &quiet]);
    app.install(&[&other]);
    let n = busy.incident("Queue backlog").await;
    let m = other.incident("Cache misses").await;
    // Comments whose deliveries never came.
    busy.fake
        .create_comment(&busy.name, n, "bob", "never delivered here");
    other
        .fake
        .create_comment(&other.name, m, "carol", "never delivered there");
    let quiet_from = quiet.requests().len();

    let server = app.serve(&[("FIREBREAK_SWEEP_INTERVAL", "1s")]);
    eventually("the sweep catches up both incidents", || {
        busy.body(n).contains("never delivered here")
            && other.body(m).contains("never delivered there")
    })
    .await;
    tokio::time::sleep(Duration::from_millis(2500)).await;
    assert!(
        server
            .metric("firebreak_sweep_rounds_total{outcome=\"done\"}")
            .await
            >= 2.0
    );

    // The quiet repository was only asked whether it has open incidents: 200 once, then 304.
    let asked: Vec<(u16, String)> = quiet
        .requests()
        .into_iter()
        .skip(quiet_from)
        .map(|r| (r.status, format!("{} {}?{}", r.method, r.path, r.query)))
        .collect();
    assert!(asked.len() >= 2, "{asked:?}");
    assert!(
        asked
            .iter()
            .all(|(_, call)| call.ends_with("/issues?state=open&labels=incident&per_page=1")),
        "{asked:?}"
    );
    assert_eq!(asked[0].0, 200, "{asked:?}");
    assert!(
        asked[1..].iter().all(|(status, _)| *status == 304),
        "{asked:?}"
    );
}
