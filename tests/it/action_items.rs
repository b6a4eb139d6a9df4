//! Action items end to end: `/action` opens a labeled, assigned issue linked to its incident as
//! a sub-issue, exactly once whatever fails or repeats; bad input and the cap are refused with
//! a reply; the incident's list follows the items' state.

use chrono::{Days, Utc};
use fake_github::payload;
use fake_github::{Fault, FaultKind};
use firebreak::config::OpenCap;
use firebreak::incident::section::Body;
use firebreak::run::Mode;

use crate::support::{self, Repo};

/// [`support::stable`], plus due dates and item markers.
fn stable() -> insta::Settings {
    let mut s = support::stable();
    s.add_filter(r"\d{4}-\d{2}-\d{2}", "[date]");
    s.add_filter(r"action-item #\d+ c\d+\.\d+", "action-item #[n] [key]");
    s
}

/// Issues labeled `action-item` in the repository, lowest number first.
fn items(repo: &Repo) -> Vec<fake_github::IssueView> {
    repo.fake
        .issue_numbers(&repo.name)
        .into_iter()
        .filter_map(|n| repo.fake.issue(&repo.name, n))
        .filter(|i| i.labels.iter().any(|l| l == "action-item"))
        .collect()
}

fn creates(repo: &Repo) -> usize {
    repo.calls()
        .iter()
        .filter(|c| c.starts_with("POST ") && c.ends_with(&format!("{}/issues", repo.name)))
        .count()
}

fn today() -> chrono::NaiveDate {
    Utc::now().date_naive()
}

#[tokio::test]
async fn action_opens_a_labeled_assigned_issue_linked_as_a_sub_issue_and_listed_on_the_incident() {
    let repo = support::repo("action-full");
    let n = repo.incident("Checkout errors").await;
    let due = today() + Days::new(14);
    repo.comment(
        n,
        "alice",
        "/action Add a retry budget to the payment client @bob P1 detect due:+14d",
    )
    .await;

    let items = items(&repo);
    assert_eq!(items.len(), 1, "one issue opened");
    let item = &items[0];
    assert_eq!(item.title, "Add a retry budget to the payment client");
    let mut labels = item.labels.clone();
    labels.sort();
    assert_eq!(labels, ["action-item", "priority:P1", "type:detect"]);
    assert_eq!(item.assignees, ["bob"]);
    assert_eq!(
        item.parent,
        Some(n),
        "attached to the incident as a sub-issue"
    );
    let body = item.body.clone().unwrap_or_default();
    assert!(body.contains(&format!("#{n}")), "links back: {body}");
    assert!(body.contains(&due.to_string()), "due date: {body}");
    stable().bind(|| insta::assert_snapshot!("action_item_issue_body", body));

    let section = repo.visible_section(n);
    assert!(
        section.contains(&format!(
            "| #{} Add a retry budget to the payment client | @bob | P1 | detect | {due} | open |",
            item.number
        )),
        "{section}"
    );
    assert!(section.contains(&format!("**action item** Action item #{}", item.number)));
    stable().bind(|| insta::assert_snapshot!("action_item_section", section));
}

#[tokio::test]
async fn action_defaults_are_p2_prevent_no_owner_and_the_priority_slo() {
    let repo = support::repo("action-defaults");
    let n = repo.incident("Queue backlog").await;
    repo.comment(n, "alice", "/action Write the queue runbook")
        .await;
    let item = &items(&repo)[0];
    let mut labels = item.labels.clone();
    labels.sort();
    assert_eq!(labels, ["action-item", "priority:P2", "type:prevent"]);
    assert!(item.assignees.is_empty());
    let due = today() + Days::new(60);
    assert!(
        repo.visible_section(n).contains(&format!(
            "| #{} Write the queue runbook | — | P2 | prevent | {due} | open |",
            item.number
        )),
        "{}",
        repo.visible_section(n)
    );
}

#[tokio::test]
async fn due_dates_follow_the_configured_slo_per_priority_and_me_means_the_author() {
    let mut repo = support::repo("action-slo");
    repo.config.action_items.due_days = [1, 2, 3, 4];
    repo.config.action_items.open_cap = None;
    let n = repo.incident("Slow search").await;
    repo.comment(
        n,
        "carol",
        "/action Page the search team P0 mitigate owner:me\n/action Dashboards P3 process",
    )
    .await;
    let section = repo.visible_section(n);
    let items = items(&repo);
    assert_eq!(items.len(), 2);
    assert_eq!(items[0].assignees, ["carol"]);
    for (item, days, rest) in [
        (&items[0], 1, "@carol | P0 | mitigate"),
        (&items[1], 4, "— | P3 | process"),
    ] {
        let due = today() + Days::new(days);
        let row = format!(
            "| #{} {} | {rest} | {due} | open |",
            item.number, item.title
        );
        assert!(section.contains(&row), "{row}\n{section}");
    }
}

#[tokio::test]
async fn bad_owner_priority_and_due_dates_are_refused_with_one_reply_and_nothing_is_created() {
    let repo = support::repo("action-bad");
    let n = repo.incident("Disk full").await;
    let past = today() - Days::new(3);
    repo.comment(
        n,
        "alice",
        &format!(
            "/action Rotate logs @mallory\n/action Rotate logs @nobody-here\n/action Rotate logs P7\n/action Rotate logs type:security\n/action Rotate logs due:{past}\n/action Rotate logs due:tomorrow\n/action"
        ),
    )
    .await;
    assert!(items(&repo).is_empty(), "nothing created");
    let replies = repo.bot_comments(n);
    assert_eq!(replies.len(), 1, "{replies:#?}");
    let reply = &replies[0];
    assert!(
        reply.contains("mallory cannot be assigned issues in this repository"),
        "{reply}"
    );
    assert!(
        reply.contains("nobody-here cannot be assigned issues in this repository"),
        "{reply}"
    );
    assert!(reply.contains("P7"), "{reply}");
    assert!(reply.contains("type:security"), "{reply}");
    assert!(reply.contains("is in the past"), "{reply}");
    assert!(reply.contains("due:tomorrow"), "{reply}");
    stable().bind(|| insta::assert_snapshot!("action_bad_input_reply", reply));
    // The refusals are not timeline entries of their own; the incident is unchanged otherwise.
    assert!(!repo.visible_section(n).contains("### Action items"));
}

#[tokio::test]
async fn open_p0_p1_items_over_the_cap_refuse_more_with_a_reply_naming_them() {
    let mut repo = support::repo("action-cap");
    repo.config.action_items.open_cap = Some(OpenCap {
        limit: 2,
        priorities: vec![0, 1],
        per_label: None,
    });
    let n = repo.incident("Payment outage").await;
    repo.comment(n, "alice", "/action First fix P0\n/action Second fix P1")
        .await;
    assert_eq!(items(&repo).len(), 2);
    repo.comment(n, "alice", "/action Third fix P1\n/action Later cleanup P2")
        .await;
    let titles: Vec<String> = items(&repo).into_iter().map(|i| i.title).collect();
    assert_eq!(titles, ["First fix", "Second fix", "Later cleanup"]);
    let replies = repo.bot_comments(n);
    let reply = replies.last().unwrap();
    assert!(
        reply.contains("First fix") && reply.contains("Second fix"),
        "{reply}"
    );
    stable().bind(|| insta::assert_snapshot!("action_cap_reply", reply));

    // Closing one makes room again.
    let first = items(&repo)[0].number;
    repo.fake
        .set_issue_state(&repo.name, first, "closed", "bob");
    repo.comment(n, "alice", "/action Third fix P1").await;
    assert_eq!(items(&repo).len(), 4);
}

#[tokio::test]
async fn the_cap_counts_per_team_label_inherited_from_the_incident() {
    let mut repo = support::repo("action-cap-team");
    repo.config.action_items.open_cap = Some(OpenCap {
        limit: 1,
        priorities: vec![0, 1],
        per_label: Some("team:*".into()),
    });
    let payments = repo.incident("Payments down").await;
    repo.fake
        .add_label(&repo.name, "team:payments", "ededed", None);
    add_label(&repo, payments, "team:payments").await;
    let search = repo.incident("Search down").await;
    repo.fake
        .add_label(&repo.name, "team:search", "ededed", None);
    add_label(&repo, search, "team:search").await;

    repo.comment(payments, "alice", "/action Payments fix P1")
        .await;
    let first = &items(&repo)[0];
    assert!(first.labels.contains(&"team:payments".to_string()));
    repo.comment(payments, "alice", "/action Another payments fix P1")
        .await;
    repo.comment(search, "alice", "/action Search fix P1").await;
    let titles: Vec<String> = items(&repo).into_iter().map(|i| i.title).collect();
    assert_eq!(titles, ["Payments fix", "Search fix"]);
    let reply = repo.bot_comments(payments).pop().unwrap();
    assert!(reply.contains("for `team:payments`"), "{reply}");
}

/// Adds a label by hand and delivers the `issues.labeled` event.
async fn add_label(repo: &Repo, issue: u64, label: &str) {
    let mut labels = repo.fake.issue(&repo.name, issue).unwrap().labels;
    labels.push(label.to_string());
    let client = reqwest::Client::new();
    client
        .post(format!(
            "{}/repos/{}/issues/{issue}/labels",
            repo.fake.url(),
            repo.name
        ))
        .bearer_auth(support::TOKEN)
        .json(&serde_json::json!({ "labels": [label] }))
        .send()
        .await
        .unwrap()
        .error_for_status()
        .unwrap();
    let payload = payload::issues(
        &repo.fake,
        &repo.name,
        issue,
        "labeled",
        "alice",
        Some(label),
        None,
    );
    repo.handle("issues", &payload).await.unwrap();
}

#[tokio::test]
async fn closing_and_reopening_an_item_updates_the_incident_list_and_timeline() {
    let repo = support::repo("action-sync");
    let n = repo.incident("Cache stampede").await;
    repo.comment(n, "alice", "/action Add jitter to cache expiry @bob")
        .await;
    let item = items(&repo)[0].number;

    repo.fake.set_issue_state(&repo.name, item, "closed", "bob");
    let closed = payload::issues(&repo.fake, &repo.name, item, "closed", "bob", None, None);
    repo.handle("issues", &closed).await.unwrap();
    let section = repo.visible_section(n);
    assert!(section.contains("| prevent |"), "{section}");
    assert!(
        section.contains(&format!(
            "| #{item} Add jitter to cache expiry | @bob | P2 | prevent |"
        )) && section.contains("| closed |"),
        "{section}"
    );
    assert!(
        section.contains(&format!("Action item #{item} closed")),
        "{section}"
    );

    // A duplicated delivery changes nothing.
    repo.clear_requests();
    repo.handle("issues", &closed).await.unwrap();
    assert!(
        !repo.calls().iter().any(|c| c.starts_with("PATCH")),
        "{:?}",
        repo.calls()
    );

    repo.fake.set_issue_state(&repo.name, item, "open", "bob");
    let reopened = payload::issues(&repo.fake, &repo.name, item, "reopened", "bob", None, None);
    repo.handle("issues", &reopened).await.unwrap();
    let section = repo.visible_section(n);
    assert!(section.contains("| open |"), "{section}");
    assert!(
        section.contains(&format!("Action item #{item} reopened")),
        "{section}"
    );
}

#[tokio::test]
async fn the_sweep_brings_items_closed_without_an_event_in_line() {
    let repo = support::repo("action-sweep");
    let n = repo.incident("Replica lag").await;
    repo.comment(n, "alice", "/action Alert on replica lag detect")
        .await;
    let item = items(&repo)[0].number;
    repo.fake
        .set_issue_state(&repo.name, item, "closed", "carol");
    let outcome =
        firebreak::run::sweep::sweep(&repo.client(), &repo.config, Utc::now(), Mode::Apply)
            .await
            .unwrap();
    assert!(outcome.notes.iter().any(|n| n.contains("swept")));
    assert!(repo.visible_section(n).contains("| closed |"));
}

#[tokio::test]
async fn the_same_comment_delivered_twice_opens_one_issue() {
    let repo = support::repo("action-dup");
    let n = repo.incident("Login loop").await;
    let id = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/action Fix the redirect loop P1")
        .id;
    let (a, b) = tokio::join!(
        repo.deliver_comment(n, id, "created"),
        repo.deliver_comment(n, id, "created")
    );
    a.unwrap();
    b.unwrap();
    repo.deliver_comment(n, id, "created").await.unwrap();
    let open: Vec<_> = items(&repo)
        .into_iter()
        .filter(|i| i.state == "open")
        .collect();
    assert_eq!(open.len(), 1, "exactly one open item: {open:#?}");
    let state = repo.body(n);
    assert_eq!(
        state
            .matches(&format!("#{} Fix the redirect loop", open[0].number))
            .count(),
        1
    );
}

#[tokio::test]
async fn one_action_costs_one_create_one_link_one_patch() {
    let repo = support::repo("action-budget");
    let n = repo.incident("Budget").await;
    repo.comment(n, "alice", "/action Warm up the pool @bob P2")
        .await;
    let calls = repo.calls();
    let writes: Vec<&String> = calls.iter().filter(|c| !c.starts_with("GET")).collect();
    let count = |prefix: &str| writes.iter().filter(|c| c.starts_with(prefix)).count();
    assert_eq!(creates(&repo), 1, "{writes:#?}");
    assert_eq!(
        writes.iter().filter(|c| c.ends_with("/sub_issues")).count(),
        1,
        "{writes:#?}"
    );
    assert_eq!(count("PATCH"), 1, "{writes:#?}");
    // Beyond those: the success reaction on the comment, nothing else.
    assert_eq!(writes.len(), 4, "{writes:#?}");
}

/// Makes the next issue create of `repo` fail with `kind` (faults are shared by every test of
/// the process, so they are scoped by path and fire once; never cleared).
fn fault_on_create(repo: &Repo, kind: FaultKind) {
    repo.fake.inject(Fault {
        method: Some(http::Method::POST),
        path_contains: format!("{}/issues", repo.name),
        kind,
        times: 1,
    });
}

const SHED_LOAD: &str = "/action Shed load earlier P1";

/// Runs `/action` with `fault` on the create; then a re-run (the next event, or the sweep),
/// which must complete it. Returns the first run's result.
async fn action_with_fault(repo: &Repo, n: u64, fault: FaultKind) -> anyhow::Result<()> {
    fault_on_create(repo, fault);
    let id = repo
        .fake
        .create_comment(&repo.name, n, "alice", SHED_LOAD)
        .id;
    let result = repo.deliver_comment(n, id, "created").await.map(drop);
    repo.deliver_comment(n, id, "created").await.unwrap();
    result
}

fn assert_one_item_listed(repo: &Repo, n: u64) {
    let all = items(repo);
    assert_eq!(all.len(), 1, "exactly one issue: {all:#?}");
    assert_eq!(all[0].parent, Some(n));
    assert_eq!(
        repo.body(n)
            .matches(&format!("#{} Shed load earlier", all[0].number))
            .count(),
        1
    );
}

#[tokio::test]
async fn a_502_before_the_create_fails_loudly_and_the_rerun_opens_exactly_one() {
    let repo = support::repo("action-502-before");
    let n = repo.incident("Fault before").await;
    let result = action_with_fault(&repo, n, FaultKind::Status(502)).await;
    let error = format!("{:#}", result.unwrap_err());
    assert!(error.contains("re-run to finish"), "{error}");
    assert_one_item_listed(&repo, n);
}

#[tokio::test]
async fn a_create_that_succeeds_but_answers_502_is_found_not_repeated() {
    let repo = support::repo("action-502-after");
    let n = repo.incident("Fault after").await;
    action_with_fault(&repo, n, FaultKind::ApplyThenStatus(502))
        .await
        .unwrap();
    assert_one_item_listed(&repo, n);
}

#[tokio::test]
async fn a_429_with_retry_after_is_waited_out_and_opens_exactly_one() {
    let repo = support::repo("action-429");
    let n = repo.incident("Rate limited").await;
    action_with_fault(
        &repo,
        n,
        FaultKind::RateLimit {
            status: 429,
            retry_after_secs: 1,
        },
    )
    .await
    .unwrap();
    assert_one_item_listed(&repo, n);
}

#[tokio::test]
async fn a_create_that_times_out_fails_loudly_and_the_rerun_finds_it() {
    let repo = support::repo("action-timeout");
    let n = repo.incident("Slow create").await;
    fault_on_create(
        &repo,
        FaultKind::Delay(std::time::Duration::from_millis(1500)),
    );
    let id = repo
        .fake
        .create_comment(&repo.name, n, "alice", SHED_LOAD)
        .id;
    let payload = payload::issue_comment(&repo.fake, &repo.name, n, id, "created");
    let event = firebreak::event::Event::from_webhook("issue_comment", &payload).unwrap();
    let impatient = repo
        .client()
        .with_request_timeout(std::time::Duration::from_millis(300));
    let config = repo.config.clone();
    let result = firebreak::dispatch::dispatch(
        &impatient,
        &event,
        Utc::now(),
        Mode::Apply,
        |_| async move { Ok(config) },
    )
    .await;
    assert!(
        result.is_err(),
        "a timed-out create fails the run loudly: {result:?} {:?}",
        repo.calls()
    );
    // The slow create lands meanwhile; the re-run finds it instead of opening another.
    tokio::time::sleep(std::time::Duration::from_millis(1600)).await;
    repo.deliver_comment(n, id, "created").await.unwrap();
    assert_one_item_listed(&repo, n);
}

#[tokio::test]
async fn action_on_the_postmortem_pull_request_opens_the_item_on_the_incident_and_replies_there() {
    let repo = support::repo("action-on-pr");
    let n = repo.incident("Card payments fail").await;
    repo.comment(n, "alice", "/ic @bob").await;
    repo.comment(n, "bob", "/status mitigated").await;
    let pr = Body::parse(&repo.body(n))
        .incident()
        .and_then(|i| i.postmortem.as_ref()?.pull)
        .expect("a postmortem pull request");

    // Other bots' commands on the pull request are left alone.
    let id = repo
        .fake
        .create_comment(
            &repo.name,
            pr,
            "alice",
            "Good catch in the review.\n/lgtm\n/action Add a circuit breaker to the card client @carol P1",
        )
        .id;
    repo.deliver_comment(pr, id, "created").await.unwrap();
    repo.deliver_comment(pr, id, "created").await.unwrap();

    let all = items(&repo);
    assert_eq!(all.len(), 1, "one item, whatever the redelivery: {all:#?}");
    let item = &all[0];
    assert_eq!(item.parent, Some(n), "attached to the incident");
    assert_eq!(item.assignees, ["carol"]);
    let body = item.body.clone().unwrap_or_default();
    assert!(
        body.contains(&format!("| **Postmortem** | #{pr} |")),
        "{body}"
    );
    assert!(
        body.contains(&format!("/pull/{pr}#issuecomment-{id}")),
        "{body}"
    );
    let section = repo.visible_section(n);
    assert!(
        section.contains(&format!(
            "| #{} Add a circuit breaker to the card client | @carol | P1 |",
            item.number
        )),
        "{section}"
    );
    assert!(
        section.contains(&format!("/pull/{pr}#issuecomment-{id})")),
        "the timeline links to the comment on the pull request: {section}"
    );
    let reactions = repo.fake.comments(&repo.name, pr);
    let reacted = reactions.iter().find(|c| c.id == id).unwrap();
    assert!(reacted.reactions.iter().any(|r| r.content == "+1"));
    assert!(
        repo.bot_comments(pr)
            .iter()
            .all(|c| !c.contains("did not run")),
        "no reply for /lgtm"
    );

    // A bad line on the pull request is answered on the pull request.
    let bad = repo
        .fake
        .create_comment(&repo.name, pr, "alice", "/action Fix it @mallory")
        .id;
    let before = repo.bot_comments(n).len();
    repo.deliver_comment(pr, bad, "created").await.unwrap();
    let replies = repo.bot_comments(pr);
    assert!(
        replies
            .iter()
            .any(|c| c.contains("mallory cannot be assigned issues in this repository")),
        "{replies:#?}"
    );
    assert_eq!(
        repo.bot_comments(n).len(),
        before,
        "nothing on the incident"
    );
    assert_eq!(items(&repo).len(), 1);
}
