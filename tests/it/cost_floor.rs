//! What one event costs, counted at the in-memory GitHub, and the fall-back to REST when the
//! event's GraphQL read cannot be used. Runs load the configuration as a run without a checkout
//! does (`run::config::load_from_repository`), so the configuration files count too.

use chrono::{DateTime, Duration, Utc};
use fake_github::{Fault, FaultKind, payload};
use firebreak::event::Event;
use firebreak::run::{Mode, Outcome};

use crate::support::{self, Repo};

const T0: &str = "2026-11-20T10:00:00Z";

fn t0() -> DateTime<Utc> {
    T0.parse().unwrap()
}

/// A repository of its own (every request on its fake is this test's), with a configuration
/// file and a template override that only the repository holds.
fn setup(test: &str) -> Repo {
    let repo = support::isolated(&[test], t0()).remove(0);
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak.yml",
        "title_format: \"{severity} | {title}\"\n",
    );
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak/templates/checklist.md.hbs",
        "Our checklist: {{done}} of {{total}}\n\n{{#each checks}}\n- [{{#if done}}x{{else}} {{/if}}] {{{text}}}\n{{/each}}\n\n{{{marker}}}\n",
    );
    repo
}

/// Handles `issue_comment` for `comment` at `at`, with the configuration read from the
/// repository (no checkout).
async fn deliver(repo: &Repo, issue: u64, comment: u64, at: DateTime<Utc>) -> Outcome {
    deliver_action(repo, issue, comment, "created", at).await
}

/// Handles `issue_comment` with `action` for `comment` at `at`, as [`deliver`] does.
async fn deliver_action(
    repo: &Repo,
    issue: u64,
    comment: u64,
    action: &str,
    at: DateTime<Utc>,
) -> Outcome {
    repo.fake.set_now(at);
    let bytes = payload::issue_comment(&repo.fake, &repo.name, issue, comment, action);
    let event = Event::from_webhook("issue_comment", &bytes).unwrap();
    firebreak::dispatch::dispatch(&repo.client(), &event, at, Mode::Apply, |gh| {
        let gh = gh.clone();
        async move { firebreak::run::config::load_from_repository(&gh).await }
    })
    .await
    .expect("the run succeeds")
}

/// A person comments at `at`; the run handles it.
async fn say(repo: &Repo, issue: u64, who: &str, text: &str, at: DateTime<Utc>) -> u64 {
    repo.fake.set_now(at);
    let id = repo.fake.create_comment(&repo.name, issue, who, text).id;
    deliver(repo, issue, id, at).await;
    id
}

/// Requests since the last `clear_requests`, as `METHOD path`.
fn calls(repo: &Repo) -> Vec<String> {
    repo.fake
        .requests()
        .into_iter()
        .map(|r| format!("{} {}", r.method, r.path))
        .collect()
}

/// A SEV2 declared by alice's `/incident` comment, the request log cleared after.
async fn incident(repo: &Repo) -> u64 {
    let n = repo.issue("alice", "Checkout down", "What we see.");
    say(repo, n, "alice", "/incident", t0()).await;
    repo.fake.clear_requests();
    n
}

#[tokio::test]
async fn a_new_comment_without_checkout_costs_one_graphql_read_and_one_body_write() {
    let repo = setup("cost-comment");
    let n = incident(&repo).await;
    // The configuration came with the issue: its title format is applied.
    assert_eq!(
        repo.fake.issue(&repo.name, n).unwrap().title,
        "SEV2 | Checkout down"
    );
    say(
        &repo,
        n,
        "bob",
        "Rolling back the deploy",
        t0() + Duration::minutes(5),
    )
    .await;
    assert_eq!(
        calls(&repo),
        [
            "POST /graphql".to_string(),
            format!("PATCH /repos/{}/issues/{n}", repo.name)
        ]
    );
    assert!(repo.body(n).contains("Rolling back the deploy"));
}

#[tokio::test]
async fn a_redelivered_comment_costs_one_read_and_no_write() {
    let repo = setup("cost-redelivered");
    let n = incident(&repo).await;
    let at = t0() + Duration::minutes(5);
    let id = say(&repo, n, "bob", "Rolling back the deploy", at).await;
    let body = repo.body(n);
    repo.fake.clear_requests();
    deliver(&repo, n, id, at + Duration::minutes(1)).await;
    assert_eq!(calls(&repo), ["POST /graphql"]);
    assert_eq!(repo.body(n), body);
}

#[tokio::test]
async fn a_plain_comment_on_a_plain_issue_costs_nothing() {
    let repo = setup("cost-plain");
    let n = repo.issue("alice", "Typo in the docs", "");
    say(&repo, n, "bob", "I can fix it", t0()).await;
    assert_eq!(calls(&repo), Vec::<String>::new());
}

#[tokio::test]
async fn configuration_read_with_the_issue_is_the_one_the_contents_api_gives() {
    let repo = setup("cost-config");
    let n = repo.issue("alice", "Checkout down", "");
    let client = repo.client();
    let read = firebreak::run::gather::first_read(&client, n)
        .await
        .expect("the GraphQL read answers");
    let files = read.files.clone().expect("the files came whole");
    assert_eq!(files.templates.len(), 1);
    let by_graphql =
        firebreak::run::config::load_from_repository(&client.clone().with_files(Some(files)))
            .await
            .unwrap();
    repo.fake.clear_requests();
    let by_rest = firebreak::run::config::load_from_repository(&client)
        .await
        .unwrap();
    assert!(!calls(&repo).is_empty(), "the REST load reads");
    assert_eq!(format!("{by_graphql:?}"), format!("{by_rest:?}"));
    assert_eq!(by_graphql.templates.len(), 1);
}

#[tokio::test]
async fn the_issue_read_by_graphql_is_the_one_rest_gives() {
    let repo = setup("cost-shapes");
    let n = incident(&repo).await;
    say(&repo, n, "bob", "First", t0() + Duration::minutes(1)).await;
    repo.fake
        .create_comment(&repo.name, n, support::BOT, "A note of Firebreak's");
    repo.fake
        .add_label(&repo.name, "customer-impact", "ededed", None);
    repo.fake
        .label_issue(&repo.name, n, "customer-impact", "carol");
    let client = repo.client();
    let read = firebreak::run::gather::first_read(&client, n)
        .await
        .unwrap();
    let rest = client.get_issue(n).await.unwrap();
    let comments = client.list_comments(n).await.unwrap();
    assert_eq!(read.issue.id, rest.id);
    assert_eq!(read.issue.node_id, rest.node_id);
    assert_eq!(read.issue.title, rest.title);
    assert_eq!(read.issue.body_text(), rest.body_text());
    assert_eq!(read.issue.state, rest.state);
    assert_eq!(read.issue.labels, rest.labels);
    assert_eq!(read.issue.assignees, rest.assignees);
    assert_eq!(read.issue.user, rest.user);
    assert_eq!(read.issue.author_association, rest.author_association);
    assert_eq!(read.issue.comments, rest.comments);
    assert_eq!(read.issue.created_at, rest.created_at);
    assert_eq!(read.issue.html_url, rest.html_url);
    assert!(read.complete);
    assert_eq!(read.comments.len(), comments.len());
    for (g, r) in read.comments.iter().zip(&comments) {
        assert_eq!(
            (g.id, g.body_text(), &g.user, g.created_at, g.updated_at),
            (r.id, r.body_text(), &r.user, r.created_at, r.updated_at)
        );
        assert_eq!(
            (&g.html_url, &g.author_association),
            (&r.html_url, &r.author_association)
        );
    }
    // Firebreak's own comments are the bot's, named as REST names it.
    assert!(read.comments.iter().any(|c| c.user.login == support::BOT));
}

/// The run after the GraphQL read failed: it falls back to REST, records the comment, and the
/// GraphQL request is in the log.
async fn falls_back(repo: &Repo, n: u64) {
    say(
        repo,
        n,
        "bob",
        "Rolling back the deploy",
        t0() + Duration::minutes(5),
    )
    .await;
    let calls = calls(repo);
    assert_eq!(calls[0], "POST /graphql", "{calls:?}");
    assert!(
        calls.contains(&format!("GET /repos/{}/issues/{n}", repo.name)),
        "the issue is read through REST: {calls:?}"
    );
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with(&format!("GET /repos/{}/issues/{n}/timeline", repo.name))),
        "{calls:?}"
    );
    assert!(
        calls.iter().any(|c| c.contains("/contents/.github")),
        "the configuration is read through REST: {calls:?}"
    );
    assert!(repo.body(n).contains("Rolling back the deploy"));
    assert_eq!(
        repo.fake.issue(&repo.name, n).unwrap().title,
        "SEV2 | Checkout down"
    );
}

#[tokio::test]
async fn a_graphql_outage_after_retries_falls_back_to_rest() {
    let repo = setup("cost-outage");
    let n = incident(&repo).await;
    for _ in 0..3 {
        repo.fake
            .inject(Fault::once("/graphql", FaultKind::Status(502)));
    }
    falls_back(&repo, n).await;
    let graphql = calls(&repo)
        .iter()
        .filter(|c| *c == "POST /graphql")
        .count();
    assert_eq!(graphql, 3, "three attempts, then REST");
}

#[tokio::test]
async fn an_exhausted_graphql_budget_falls_back_to_rest() {
    let repo = setup("cost-rate-limited");
    let n = incident(&repo).await;
    repo.fake.set_graphql_limit(0);
    falls_back(&repo, n).await;
}

#[tokio::test]
async fn errors_beside_the_data_fall_back_to_rest() {
    let repo = setup("cost-partial");
    let n = incident(&repo).await;
    repo.fake
        .fail_graphql_field("IssueComment", "body", Some("FORBIDDEN"));
    falls_back(&repo, n).await;
}

#[tokio::test]
async fn a_schema_without_a_field_falls_back_to_rest() {
    let repo = setup("cost-ghes");
    let n = incident(&repo).await;
    repo.fake.fail_graphql_field("Issue", "closedAt", None);
    falls_back(&repo, n).await;
}

#[tokio::test]
async fn a_change_made_by_hand_after_the_body_was_written_is_read_from_the_rest_timeline() {
    let repo = setup("cost-hand");
    let n = incident(&repo).await;
    // Carol labels the issue; the run for that event never came.
    repo.fake.set_now(t0() + Duration::minutes(2));
    repo.fake
        .add_label(&repo.name, "customer-impact", "ededed", None);
    repo.fake
        .label_issue(&repo.name, n, "customer-impact", "carol");
    repo.fake.clear_requests();
    say(&repo, n, "bob", "Rolling back", t0() + Duration::minutes(5)).await;
    let listed = calls(&repo);
    assert!(
        listed
            .iter()
            .any(|c| c.starts_with(&format!("GET /repos/{}/issues/{n}/timeline", repo.name))),
        "{listed:?}"
    );
    let body = repo.body(n);
    assert!(body.contains("customer-impact"), "{body}");
    assert!(body.contains("Rolling back"), "{body}");
    // Recorded: the next comment needs no listing.
    repo.fake.clear_requests();
    say(&repo, n, "bob", "Done", t0() + Duration::minutes(9)).await;
    assert_eq!(calls(&repo).len(), 2, "{:?}", calls(&repo));
}

#[tokio::test]
async fn an_incident_with_more_comments_than_one_page_is_listed_through_rest() {
    let repo = setup("cost-long");
    let n = incident(&repo).await;
    for i in 0..120 {
        repo.fake
            .create_comment(&repo.name, n, "bob", &format!("note {i}"));
    }
    repo.fake.clear_requests();
    say(&repo, n, "bob", "Last one", t0() + Duration::minutes(5)).await;
    let calls = calls(&repo);
    assert_eq!(calls[0], "POST /graphql");
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with(&format!("GET /repos/{}/issues/{n}/timeline", repo.name))),
        "{calls:?}"
    );
    // Every comment is recorded (in the body or its overflow parts).
    let mut written = repo.body(n);
    for part in repo.bot_comments(n) {
        written.push_str(&part);
    }
    for text in ["note 0", "note 119", "Last one"] {
        assert!(written.contains(text), "{text} is missing");
    }
}

#[tokio::test]
async fn a_change_made_by_hand_reads_the_issue_by_graphql_and_its_events_through_rest() {
    let repo = setup("cost-hand-event");
    let n = incident(&repo).await;
    let at = t0() + Duration::minutes(3);
    repo.fake.set_now(at);
    repo.fake
        .add_label(&repo.name, "customer-impact", "ededed", None);
    repo.fake
        .label_issue(&repo.name, n, "customer-impact", "carol");
    repo.fake.clear_requests();
    let bytes = payload::issues(
        &repo.fake,
        &repo.name,
        n,
        "labeled",
        "carol",
        Some("customer-impact"),
        None,
    );
    let event = Event::from_webhook("issues", &bytes).unwrap();
    firebreak::dispatch::dispatch(&repo.client(), &event, at, Mode::Apply, |gh| {
        let gh = gh.clone();
        async move { firebreak::run::config::load_from_repository(&gh).await }
    })
    .await
    .unwrap();
    // The event's id is the mark the state keeps: the REST timeline lists it. Nothing else is
    // read (the configuration came with the issue).
    assert_eq!(
        calls(&repo),
        [
            "POST /graphql".to_string(),
            format!("GET /repos/{}/issues/{n}/timeline", repo.name),
            format!("PATCH /repos/{}/issues/{n}", repo.name),
        ]
    );
    assert!(repo.body(n).contains("customer-impact"));
}

/// Comments of the big incident: more than twenty pages of REST listing.
const BIG: usize = 2_000;

/// The comments of the big incident arrive in bursts of this many, each burst handled by one
/// run, so Firebreak's overflow parts sit among people's comments as they do on a real issue.
const BURST: usize = 97;

/// An incident with [`BIG`] recorded comments (their entries mostly in overflow parts), the
/// request log cleared after.
async fn big_incident(repo: &Repo) -> u64 {
    let n = incident(repo).await;
    let mut at = t0();
    let mut made = 0;
    while made < BIG {
        at += Duration::minutes(1);
        repo.fake.set_now(at);
        let mut last = 0;
        for _ in 0..BURST.min(BIG - made) {
            last = repo
                .fake
                .create_comment(&repo.name, n, "bob", &format!("note {made}"))
                .id;
            made += 1;
        }
        deliver(repo, n, last, at).await;
    }
    repo.fake.clear_requests();
    n
}

/// The minute after the big incident's last burst.
fn after_big() -> DateTime<Utc> {
    t0() + Duration::minutes(BIG.div_ceil(BURST) as i64 + 1)
}

/// Every timeline entry of issue `n`: the body's state and every overflow part's.
fn entries(repo: &Repo, n: u64) -> Vec<firebreak::incident::Entry> {
    let body = firebreak::incident::section::Body::parse(&repo.body(n));
    let mut all = body.incident().expect("an incident").timeline.clone();
    for part in repo.bot_comments(n) {
        if let Some(state) = firebreak::incident::parts::parse(&part) {
            all.extend(state.expect("a part that parses").entries);
        }
    }
    all
}

/// How many entries each person's comment of `n` has (a note's prose, the declaration's line).
fn entries_per_comment(repo: &Repo, n: u64) -> Vec<(u64, usize)> {
    let all = entries(repo, n);
    repo.fake
        .comments(&repo.name, n)
        .into_iter()
        .filter(|c| c.author != support::BOT)
        .map(|c| {
            let own = all.iter().filter(|e| e.comment == Some(c.id)).count();
            (c.id, own)
        })
        .collect()
}

/// The body and Firebreak's comments, with the fake's address taken out (two fakes listen on
/// two ports).
fn written(repo: &Repo, n: u64) -> Vec<String> {
    let host = repo.fake.url().trim_end_matches('/').to_string();
    std::iter::once(repo.body(n))
        .chain(repo.bot_comments(n))
        .map(|text| text.replace(&host, "HOST"))
        .collect()
}

#[tokio::test]
async fn a_new_comment_on_a_two_thousand_comment_incident_is_decided_from_the_newest_page() {
    let repo = setup("cost-big");
    let n = big_incident(&repo).await;
    let parts = repo.bot_comments(n).len();
    assert!(parts > 5, "the timeline overflows into parts: {parts}");
    say(&repo, n, "carol", "Error rate back to normal", after_big()).await;
    let made = calls(&repo);
    assert!(made.len() <= 3, "{} requests: {made:?}", made.len());
    assert_eq!(
        made,
        [
            "POST /graphql".to_string(),
            format!("PATCH /repos/{}/issues/{n}", repo.name)
        ]
    );
    assert_eq!(repo.bot_comments(n).len(), parts, "no part was written");
    let counts = entries_per_comment(&repo, n);
    assert_eq!(
        counts.len(),
        BIG + 2,
        "alice's declaration, the notes, carol's"
    );
    assert!(
        counts.iter().all(|(_, count)| *count == 1),
        "every comment once: {:?}",
        counts.iter().filter(|(_, c)| *c != 1).collect::<Vec<_>>()
    );

    // The same history on a GitHub without GraphQL: the whole REST listing writes the same.
    let rest = setup("cost-big");
    let m = big_incident(&rest).await;
    rest.fake.set_graphql_limit(0);
    say(&rest, m, "carol", "Error rate back to normal", after_big()).await;
    assert!(
        calls(&rest)
            .iter()
            .any(|c| c.starts_with(&format!("GET /repos/{}/issues/{m}/timeline", rest.name))),
        "the comparison run lists the whole timeline"
    );
    let (paged, listed) = (written(&repo, n), written(&rest, m));
    assert_eq!(paged.len(), listed.len(), "as many of Firebreak's comments");
    for (i, (paged, listed)) in paged.iter().zip(&listed).enumerate() {
        assert!(paged == listed, "text {i} (0: the body) differs");
    }
}

#[tokio::test]
async fn an_edit_of_an_old_comment_on_a_two_thousand_comment_incident_lists_every_comment() {
    let repo = setup("cost-big-edit");
    let n = big_incident(&repo).await;
    let old = repo.fake.comments(&repo.name, n)[5].clone();
    assert_eq!(
        old.body, "note 4",
        "an old comment, far from the newest page"
    );
    let at = after_big();
    repo.fake.set_now(at);
    repo.fake.edit_comment(
        &repo.name,
        old.id,
        "note 4, corrected: the cache, not the database",
    );
    deliver_action(&repo, n, old.id, "edited", at).await;
    let calls = calls(&repo);
    assert_eq!(calls[0], "POST /graphql");
    assert!(
        calls
            .iter()
            .any(|c| c.starts_with(&format!("GET /repos/{}/issues/{n}/timeline", repo.name))),
        "{calls:?}"
    );
    let edited: Vec<_> = entries(&repo, n)
        .into_iter()
        .filter(|e| e.comment == Some(old.id))
        .collect();
    assert_eq!(edited.len(), 1, "{edited:?}");
    assert!(
        edited[0].text.contains("the cache, not the database"),
        "{edited:?}"
    );
}

#[tokio::test]
async fn a_recorded_comment_deleted_without_its_event_is_caught_by_listing_every_comment() {
    let repo = setup("cost-page-deleted");
    let n = incident(&repo).await;
    for burst in 0..2 {
        let at = t0() + Duration::minutes(burst + 1);
        repo.fake.set_now(at);
        let mut last = 0;
        for i in 0..75 {
            last = repo
                .fake
                .create_comment(&repo.name, n, "bob", &format!("note {burst}-{i}"))
                .id;
        }
        deliver(&repo, n, last, at).await;
    }
    let gone = repo
        .fake
        .comments(&repo.name, n)
        .into_iter()
        .find(|c| c.body == "note 1-70")
        .unwrap();
    assert!(entries(&repo, n).iter().any(|e| e.comment == Some(gone.id)));
    // Deleted, and its delivery lost: the next run's page shows a recorded comment missing.
    repo.fake.delete_comment(&repo.name, gone.id);
    repo.fake.clear_requests();
    say(&repo, n, "carol", "Next", t0() + Duration::minutes(5)).await;
    assert!(
        calls(&repo)
            .iter()
            .any(|c| c.starts_with(&format!("GET /repos/{}/issues/{n}/timeline", repo.name))),
        "{:?}",
        calls(&repo)
    );
    assert!(
        !entries(&repo, n).iter().any(|e| e.comment == Some(gone.id)),
        "the deleted comment's entry is gone"
    );
    assert!(entries_per_comment(&repo, n).iter().all(|(_, c)| *c == 1));
}
