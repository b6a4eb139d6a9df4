//! Each repository's configuration is read once, then revalidated before each use with a
//! conditional request (a 304 costs no rate limit), and read again when it changed.

use fake_github::payload;

use super::{Server, eventually, register};
use crate::support::{self, Repo};

/// Declares an incident on a new issue through the App; answers the issue number.
async fn declare(server: &Server, repo: &Repo, title: &str, handled: usize) -> u64 {
    let n = repo.issue("alice", title, "");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident")
        .id;
    server
        .deliver(
            "issue_comment",
            &payload::issue_comment(&repo.fake, &repo.name, n, c, "created"),
        )
        .await;
    server.wait_handled(handled).await;
    n
}

/// `(status, path)` of the contents reads since request `from`.
fn contents_reads(repo: &Repo, from: usize) -> Vec<(u16, String)> {
    repo.requests()
        .into_iter()
        .skip(from)
        .filter(|r| r.method == http::Method::GET && r.path.contains("/contents/"))
        .map(|r| {
            let path = r.path.split("/contents/").nth(1).unwrap_or("").to_string();
            (r.status, path.replace("%2F", "/"))
        })
        .collect()
}

#[tokio::test]
async fn the_configuration_is_read_once_then_revalidated_and_read_again_when_it_changes() {
    let app = register("config");
    let repo = support::repo("app-config");
    app.install(&[&repo]);
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak.yml",
        "title_format: \"{severity} | {title}\"\n",
    );
    let server = app.serve(&[]);

    let from = repo.requests().len();
    let first = declare(&server, &repo, "Checkout errors", 1).await;
    assert_eq!(
        repo.fake.issue(&repo.name, first).unwrap().title,
        "SEV2 | Checkout errors"
    );
    assert_eq!(
        contents_reads(&repo, from),
        [(200, ".github".to_string())],
        "the listing that validates; the configuration and the override directory came with the \
         issue (one GraphQL read)"
    );

    let from = repo.requests().len();
    let second = declare(&server, &repo, "Search down", 2).await;
    assert_eq!(
        repo.fake.issue(&repo.name, second).unwrap().title,
        "SEV2 | Search down"
    );
    assert_eq!(
        contents_reads(&repo, from),
        [(304, ".github".to_string())],
        "one conditional request, answered 304, and nothing read again"
    );
    assert!(
        server
            .metric("firebreak_github_requests_total{status=\"304\"}")
            .await
            >= 1.0
    );

    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak.yml",
        "title_format: \"{title} ({severity})\"\n",
    );
    let from = repo.requests().len();
    let third = declare(&server, &repo, "Login slow", 3).await;
    eventually("the new title format is used", || {
        repo.fake.issue(&repo.name, third).unwrap().title == "Login slow (SEV2)"
    })
    .await;
    let reads = contents_reads(&repo, from);
    assert_eq!(reads[0], (200, ".github".to_string()), "changed: {reads:?}");
    assert!(
        reads.iter().all(|(_, path)| path == ".github"),
        "only listings: the new configuration came with the issue: {reads:?}"
    );
}

#[tokio::test]
async fn a_broken_configuration_is_logged_with_file_line_and_key_and_nothing_is_written() {
    let app = register("config-broken");
    let repo = support::repo("app-config-broken");
    app.install(&[&repo]);
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak.yml",
        "title_fromat: x\n",
    );
    let server = app.serve(&[]);
    let from = repo.requests().len();
    let n = declare(&server, &repo, "Checkout errors", 1).await;
    server.wait_log(".github/firebreak.yml:1").await;
    assert!(server.log().contains("title_fromat"), "{}", server.log());
    assert!(
        server.log().contains("outcome=\"rejected\""),
        "{}",
        server.log()
    );
    assert_eq!(super::writes(&repo, from), Vec::<String>::new());
    assert!(!repo.labels(n).contains(&"incident".to_string()));
}
