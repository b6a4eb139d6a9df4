//! The timeline: every comment becomes exactly one entry, whatever the delivery order.

use crate::support;

fn entry_count(body: &str, needle: &str) -> usize {
    body.lines()
        .filter(|l| l.starts_with("| 20") && l.contains(needle))
        .count()
}

#[tokio::test]
async fn missed_events_are_caught_up_by_the_next_run() {
    let repo = support::repo("missed");
    let n = repo.incident("Missed").await;
    let first = repo
        .fake
        .create_comment(&repo.name, n, "bob", "first observation");
    let _second = repo
        .fake
        .create_comment(&repo.name, n, "carol", "second observation");
    let third = repo
        .fake
        .create_comment(&repo.name, n, "alice", "third observation");
    // Only the third event is delivered.
    repo.deliver_comment(n, third.id, "created").await.unwrap();
    let body = repo.body(n);
    for text in [
        "first observation",
        "second observation",
        "third observation",
    ] {
        assert_eq!(entry_count(&body, text), 1, "{text} in {body}");
    }
    // Delivering the first one late changes nothing.
    let before = repo.body(n);
    repo.deliver_comment(n, first.id, "created").await.unwrap();
    assert_eq!(repo.body(n), before);
}

#[tokio::test]
async fn backdated_timeline_entries_sort_into_place() {
    let repo = support::repo("backdated");
    let n = repo.incident("Backdated").await;
    repo.comment(n, "bob", "now-ish observation").await;
    repo.comment(n, "bob", "/timeline -3h deploy 42 went out")
        .await;
    let body = repo.body(n);
    let deploy = body.find("deploy 42 went out").unwrap();
    let declared = body.find("**declared**").unwrap();
    assert!(
        deploy < declared,
        "the backdated entry comes before the declaration"
    );
}

#[tokio::test]
async fn edited_comment_updates_its_entry_and_deleted_comment_removes_it() {
    let repo = support::repo("edit-delete");
    let n = repo.incident("Edits").await;
    let c = repo.comment(n, "bob", "db-1 looks fine").await;
    repo.fake.edit_comment(&repo.name, c, "db-1 is NOT fine");
    repo.deliver_comment(n, c, "edited").await.unwrap();
    let body = repo.body(n);
    assert_eq!(entry_count(&body, "db-1 is NOT fine"), 1, "{body}");
    assert_eq!(entry_count(&body, "db-1 looks fine"), 0);
    let payload = firebreak::demo::payload::issue_comment(&repo.fake, &repo.name, n, c, "deleted");
    repo.fake.delete_comment(&repo.name, c);
    repo.handle("issue_comment", &payload).await.unwrap();
    assert_eq!(entry_count(&repo.body(n), "db-1"), 0);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn six_concurrent_runs_converge_to_every_entry_exactly_once() {
    let repo = support::repo("concurrent");
    let n = repo.incident("Concurrent").await;
    let ids: Vec<u64> = (0..6)
        .map(|i| {
            repo.fake
                .create_comment(
                    &repo.name,
                    n,
                    ["alice", "bob", "carol"][i % 3],
                    &format!("observation number {i}"),
                )
                .id
        })
        .collect();
    // All six payloads carry the body as it was before any run wrote.
    let payloads: Vec<Vec<u8>> = ids
        .iter()
        .map(|id| {
            firebreak::demo::payload::issue_comment(&repo.fake, &repo.name, n, *id, "created")
        })
        .collect();
    let mut handles = Vec::new();
    for payload in payloads {
        let event = firebreak::event::Event::from_webhook("issue_comment", &payload).unwrap();
        let client = repo.client();
        let config = repo.config.clone();
        handles.push(tokio::spawn(async move {
            firebreak::action::handle(&client, &event, chrono::Utc::now(), |_| async move {
                Ok(config)
            })
            .await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
    let body = repo.body(n);
    for i in 0..6 {
        assert_eq!(
            entry_count(&body, &format!("observation number {i}")),
            1,
            "entry {i} in {body}"
        );
    }
}
