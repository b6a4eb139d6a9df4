//! The board in App mode: the installation's token (the App's organization Projects
//! permission) writes the board, in the run that handles the delivery, with no
//! `FIREBREAK_BOARD_TOKEN`.

use fake_github::payload;

use super::register;
use crate::support;

#[tokio::test]
async fn the_installation_token_adds_a_declared_incident_and_follows_its_severity() {
    let app = register("board");
    let repo = support::repo("app-board");
    app.install(&[&repo]);
    // A project number of this test's own on the shared GitHub.
    let number = app.id;
    repo.fake.add_project("acme", number, "Incidents");
    repo.fake.share_project("acme", number, &app.bot());
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak.yml",
        &format!(
            "board: {{ owner: acme, number: {number}, fields: {{ status: Incident status }} }}\n"
        ),
    );
    let server = app.serve(&[]);

    let n = repo.issue("alice", "Checkout errors", "");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident")
        .id;
    let event = payload::issue_comment(&repo.fake, &repo.name, n, c, "created");
    server.deliver("issue_comment", &event).await;
    server.wait_handled(1).await;
    let c = repo.fake.create_comment(&repo.name, n, "bob", "/sev 1").id;
    let event = payload::issue_comment(&repo.fake, &repo.name, n, c, "created");
    server.deliver("issue_comment", &event).await;
    server.wait_handled(2).await;

    let cards: Vec<_> = repo
        .fake
        .project_items("acme", number)
        .into_iter()
        .filter(|i| i.repo == repo.name)
        .collect();
    assert_eq!(cards.len(), 1, "{cards:?}\n{}", server.log());
    assert_eq!(cards[0].number, n);
    let values: Vec<(&str, &str)> = cards[0]
        .values
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    assert_eq!(
        values,
        [
            ("Incident status", "Investigating"),
            ("Kind", "Incident"),
            ("Severity", "SEV1"),
        ]
    );
    assert!(
        !server.log().contains("was not updated"),
        "{}",
        server.log()
    );
}
