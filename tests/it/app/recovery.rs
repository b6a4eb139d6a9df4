//! Lost deliveries are recovered: GitHub does not redeliver a failed delivery by itself, so the
//! App lists its delivery log and asks for each failed one once.

use std::time::Duration;

use fake_github::payload;

use super::{eventually, register};
use crate::support;

/// An endpoint that answers 503 to everything (a proxy in front of a stopped App).
async fn unavailable() -> String {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/webhook", listener.local_addr().unwrap());
    tokio::spawn(async move {
        use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};
        while let Ok((mut stream, _)) = listener.accept().await {
            tokio::spawn(async move {
                let mut buf = vec![0; 64 * 1024];
                let _ = stream.read(&mut buf).await;
                let _ = stream
                    .write_all(b"HTTP/1.1 503 Service Unavailable\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
                    .await;
            });
        }
    });
    url
}

#[tokio::test]
async fn failed_deliveries_are_redelivered_once_each_and_handled() {
    let app = register("recovery");
    let repo = support::repo("app-recovery");
    app.install(&[&repo]);
    let n = repo.incident("Checkout errors").await;
    let comment = |text: &str| {
        let c = repo.fake.create_comment(&repo.name, n, "bob", text).id;
        payload::issue_comment(&repo.fake, &repo.name, n, c, "created")
    };

    // While the App is down: one delivery finds nobody listening, one a 503.
    let nobody = "http://127.0.0.1:9/webhook";
    let lost = app
        .fake
        .deliver(app.id, nobody, "issue_comment", &comment("lost while down"))
        .await;
    assert_eq!(lost.status, 0);
    let refused = app
        .fake
        .deliver(
            app.id,
            &unavailable().await,
            "issue_comment",
            &comment("refused while down"),
        )
        .await;
    assert_eq!(refused.status, 503);

    let server = app.serve(&[("FIREBREAK_REDELIVERY_INTERVAL", "1s")]);
    app.fake.set_hook_url(app.id, &server.webhook());
    let ok = server
        .deliver("issue_comment", &comment("delivered normally"))
        .await;
    assert_eq!(ok.status, 202);

    eventually("the lost deliveries are recovered", || {
        let body = repo.body(n);
        body.contains("lost while down") && body.contains("refused while down")
    })
    .await;
    // Several more rounds: nothing is asked twice.
    tokio::time::sleep(Duration::from_millis(3500)).await;
    let log = app.fake.deliveries();
    let of = |guid: &str| {
        log.iter()
            .filter(|(g, _, _)| g == guid)
            .map(|(_, status, redelivery)| (*status, *redelivery))
            .collect::<Vec<_>>()
    };
    assert_eq!(of(&lost.guid), [(0, false), (202, true)], "{log:?}");
    assert_eq!(of(&refused.guid), [(503, false), (202, true)], "{log:?}");
    assert_eq!(of(&ok.guid), [(202, false)], "{log:?}");
    assert_eq!(
        server
            .metric("firebreak_redeliveries_requested_total")
            .await,
        2.0
    );
    assert!(
        server
            .log()
            .contains("asked GitHub to redeliver a failed delivery")
    );
}
