//! Installation tokens: minted once and shared, replaced before they expire, and renewed once
//! when GitHub refuses one (revoked or expired).

use fake_github::payload;

use super::{Server, eventually, register};
use crate::support::{self, Repo};

/// Delivers a new comment on incident `n` and waits until it is on the timeline.
async fn comment(server: &Server, repo: &Repo, n: u64, text: &str, handled: usize) {
    let c = repo.fake.create_comment(&repo.name, n, "bob", text).id;
    let delivered = server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    assert_eq!(delivered.status, 202, "{}", delivered.body);
    server.wait_handled(handled).await;
    eventually(&format!("`{text}` is on the timeline"), || {
        repo.body(n).contains(text)
    })
    .await;
}

#[tokio::test]
async fn one_token_serves_every_delivery_of_an_installation() {
    let app = register("token-shared");
    let repo = support::repo("app-token-shared");
    let installation = app.install(&[&repo]);
    let n = repo.incident("Cache stampede").await;
    let server = app.serve(&[]);
    let before = app.fake.tokens_minted(installation);
    for (i, text) in ["first note", "second note", "third note"]
        .iter()
        .enumerate()
    {
        comment(&server, &repo, n, text, i + 1).await;
    }
    assert_eq!(
        app.fake.tokens_minted(installation) - before,
        1,
        "minted once, then reused"
    );
}

#[tokio::test]
async fn a_token_close_to_expiry_is_replaced_before_use() {
    let app = register("token-expiring");
    let repo = support::repo("app-token-expiring");
    let installation = app.install(&[&repo]);
    let n = repo.incident("Replica lag").await;
    // Tokens that live four seconds: replaced when two are left.
    app.fake
        .set_token_lifetime(installation, chrono::Duration::seconds(4));
    let server = app.serve(&[]);
    let before = app.fake.tokens_minted(installation);
    comment(&server, &repo, n, "first note", 1).await;
    assert_eq!(
        app.fake.tokens_minted(installation) - before,
        1,
        "every request of the job used one token"
    );
    tokio::time::sleep(std::time::Duration::from_secs(3)).await;
    let from = repo.requests().len();
    comment(&server, &repo, n, "second note", 2).await;
    assert_eq!(
        app.fake.tokens_minted(installation) - before,
        2,
        "the token was replaced before it expired"
    );
    assert!(
        repo.requests().iter().skip(from).all(|r| r.status != 401),
        "no request carried an expired token"
    );
}

#[tokio::test]
async fn a_revoked_token_is_renewed_once_and_the_request_repeated() {
    let app = register("token-revoked");
    let repo = support::repo("app-token-revoked");
    let installation = app.install(&[&repo]);
    let n = repo.incident("Queue backlog").await;
    let server = app.serve(&[]);
    comment(&server, &repo, n, "first note", 1).await;
    let minted = app.fake.tokens_minted(installation);
    app.fake.revoke_tokens(installation);
    let before = app.fake.requests().len();
    comment(&server, &repo, n, "second note", 2).await;
    assert_eq!(
        app.fake.tokens_minted(installation) - minted,
        1,
        "renewed once"
    );
    // This repository's requests and GraphQL's (no other test revokes tokens: a 401 there is
    // this test's).
    let statuses: Vec<String> = app
        .fake
        .requests()
        .iter()
        .skip(before)
        .filter(|r| r.path.contains(&repo.name) || r.path == "/graphql")
        .map(|r| format!("{} {}", r.status, r.path))
        .collect();
    assert_eq!(
        statuses.iter().filter(|s| s.starts_with("401")).count(),
        1,
        "one request was refused, then repeated with the new token: {statuses:?}"
    );
    assert!(
        server
            .log()
            .contains("GitHub refused the credential; renewing it once"),
        "{}",
        server.log()
    );
}

/// Mint requests made for `installation` so far (whatever GitHub answered).
fn mint_requests(app: &super::App, installation: u64) -> usize {
    let path = format!("/app/installations/{installation}/access_tokens");
    app.fake
        .requests()
        .iter()
        .filter(|r| r.method == http::Method::POST && r.path == path)
        .count()
}

#[tokio::test]
async fn a_flood_for_a_deleted_installation_asks_github_once_until_it_is_installed_again() {
    let app = register("token-gone");
    let repo = support::repo("app-token-gone");
    let installation = app.install(&[&repo]);
    let n = repo.incident("Cert expired").await;
    let server = app.serve(&[]);
    app.fake.uninstall(installation);
    const FLOOD: usize = 12;
    for i in 0..FLOOD {
        let c = repo
            .fake
            .create_comment(&repo.name, n, "bob", &format!("note {i}"))
            .id;
        // GitHub still names the installation in deliveries sent as it goes.
        let mut body: serde_json::Value = serde_json::from_slice(&payload::issue_comment(
            &repo.fake, &repo.name, n, c, "created",
        ))
        .unwrap();
        body["installation"] = serde_json::json!({ "id": installation });
        let delivered = server
            .deliver("issue_comment", &serde_json::to_vec(&body).unwrap())
            .await;
        assert_eq!(delivered.status, 202, "{}", delivered.body);
        // Each delivery is its own job: none waits long enough to absorb the next.
        server.wait_handled(i + 1).await;
    }
    assert_eq!(
        server.metric("firebreak_deliveries_handled_total").await,
        FLOOD as f64
    );
    assert_eq!(
        mint_requests(&app, installation),
        1,
        "GitHub's 404 stands for a minute: one mint request for {FLOOD} jobs"
    );
    server.wait_log("not asked again yet").await;

    // Installed again: the `installation` event ends the wait at once.
    app.fake
        .install(app.id, installation, "acme", &[repo.name.as_str()]);
    let created = server
        .deliver(
            "installation",
            &serde_json::to_vec(&serde_json::json!({
                "action": "created",
                "installation": { "id": installation },
            }))
            .unwrap(),
        )
        .await;
    assert_eq!(created.status, 202, "{}", created.body);
    comment(&server, &repo, n, "back online", FLOOD + 1).await;
    assert_eq!(mint_requests(&app, installation), 2);
}
