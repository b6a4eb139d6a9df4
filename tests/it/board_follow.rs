//! The board in the same run as the change that causes it, driven as a workflow drives it:
//! `firebreak action` as a process with the event, the workspace's configuration and
//! `FIREBREAK_BOARD_TOKEN`. Each test counts the board's GraphQL requests at the in-memory
//! GitHub: one read and one write per change, nothing for a comment that changes no card.

use std::process::Output;

use fake_github::payload;

use crate::board::{Setup, setup, values};
use crate::support::{self, TOKEN};

/// The statuses an incident and an action item can show, on a field of Firebreak's own name.
const STATUSES: &[&str] = &[
    "Investigating",
    "Identified",
    "Mitigated",
    "Monitoring",
    "Resolved",
    "Todo",
    "Done",
];

/// A board with every field and option Firebreak needs.
fn board(test: &str) -> Setup {
    let mut s = setup(test);
    s.add_fields();
    s.repo.fake.add_project_field(
        "acme",
        s.number,
        "Incident status",
        "SINGLE_SELECT",
        STATUSES,
    );
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    s
}

/// `firebreak action` for `event` with `payload`, the board's token given or not.
fn action(s: &Setup, event: &str, payload: &[u8], board_token: Option<&str>) -> Output {
    let dir = tempfile::tempdir().unwrap();
    let event_path = dir.path().join("event.json");
    std::fs::write(&event_path, payload).unwrap();
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    std::fs::write(
        dir.path().join(".github/firebreak.yml"),
        format!(
            "board: {{ owner: acme, number: {}, fields: {{ status: Incident status }} }}\n",
            s.number
        ),
    )
    .unwrap();
    let mut command = std::process::Command::new(support::binary());
    command
        .arg("action")
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", &s.repo.name)
        .env("GITHUB_API_URL", &s.repo.api_url)
        .env("GITHUB_GRAPHQL_URL", s.repo.fake.graphql_url())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_WORKSPACE", dir.path())
        .env("GITHUB_TOKEN", TOKEN);
    if let Some(token) = board_token {
        command.env("FIREBREAK_BOARD_TOKEN", token);
    }
    command.output().expect("the binary runs")
}

/// A comment by `who` and the action run for it, with the board's token.
fn say(s: &Setup, n: u64, who: &str, text: &str) -> Output {
    let id = s.repo.fake.create_comment(&s.repo.name, n, who, text).id;
    let event = payload::issue_comment(&s.repo.fake, &s.repo.name, n, id, "created");
    let out = action(s, "issue_comment", &event, Some(&s.token));
    assert_success(&out);
    out
}

fn assert_success(out: &Output) {
    assert!(
        out.status.success(),
        "{}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// The board's requests since the last clear, by operation: (reads of cards, adds, value
/// writes, whole-board reads).
fn board_requests(s: &Setup) -> (usize, usize, usize, usize) {
    let ops: Vec<String> = s
        .graphql_requests()
        .iter()
        .filter_map(|b| b["query"].as_str().map(str::to_string))
        .collect();
    let count = |head: &str| ops.iter().filter(|q| q.starts_with(head)).count();
    (
        count("query BoardCards"),
        count("mutation AddBoardItems"),
        count("mutation SetBoardValues"),
        count("query BoardPage"),
    )
}

/// This repository's card for `number`, if it is on the board.
fn card(s: &Setup, number: u64) -> Option<Vec<(String, String)>> {
    s.cards()
        .into_iter()
        .find(|(n, _)| *n == number)
        .map(|(_, v)| v)
}

/// An issue declared an incident by alice's `/incident`, through the action.
fn declare(s: &Setup, title: &str) -> u64 {
    let n = s.repo.issue("alice", title, "What we see.");
    say(s, n, "alice", "/incident");
    n
}

#[tokio::test]
async fn declaring_adds_the_incident_card_with_one_read_one_add_and_one_write() {
    let s = board("follow-declare");
    s.clear();
    let n = declare(&s, "Checkout down");
    assert_eq!(
        card(&s, n),
        Some(values(&[
            ("Incident status", "Investigating"),
            ("Kind", "Incident"),
            ("Severity", "SEV2"),
        ]))
    );
    assert_eq!(board_requests(&s), (1, 1, 1, 0));
}

#[tokio::test]
async fn a_severity_change_costs_one_read_and_one_write_and_mitigating_adds_the_postmortem_card() {
    let s = board("follow-sev");
    let n = declare(&s, "Payments failing");
    s.clear();
    let out = say(&s, n, "bob", "/sev 1");
    assert_eq!(board_requests(&s), (1, 0, 1, 0));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains(&format!("#{n} Severity: SEV1")), "{stdout}");
    // Mitigating a SEV1 opens its postmortem's draft pull request: its card comes in the
    // same run, added with the incident's change in one request.
    s.clear();
    say(&s, n, "bob", "/status mitigated failed over");
    assert_eq!(board_requests(&s), (1, 1, 1, 0));
    assert_eq!(
        card(&s, n),
        Some(values(&[
            ("Incident status", "Mitigated"),
            ("Kind", "Incident"),
            ("Severity", "SEV1"),
        ]))
    );
    let pull = support::postmortem_pull(&s.repo, n);
    let pm = card(&s, pull).expect("the postmortem's card");
    assert!(pm.contains(&("Kind".into(), "Postmortem".into())), "{pm:?}");
    assert!(pm.contains(&("Severity".into(), "SEV1".into())), "{pm:?}");
}

#[tokio::test]
async fn a_comment_that_changes_no_card_makes_no_board_request() {
    let s = board("follow-quiet");
    let n = declare(&s, "Search slow");
    s.clear();
    say(&s, n, "bob", "Looking at the slow query log");
    say(&s, n, "bob", "/ic bob");
    assert_eq!(board_requests(&s), (0, 0, 0, 0));
}

#[tokio::test]
async fn an_action_item_gets_its_card_and_closing_it_marks_the_card_done() {
    let s = board("follow-item");
    let n = declare(&s, "Queue backlog");
    s.clear();
    say(
        &s,
        n,
        "bob",
        "/action Alert on queue depth P1 detect due:2031-05-06",
    );
    assert_eq!(board_requests(&s), (1, 1, 1, 0));
    let item = s
        .cards()
        .into_iter()
        .map(|(number, _)| number)
        .find(|number| *number != n)
        .expect("the action item's card");
    assert_eq!(
        card(&s, item),
        Some(values(&[
            ("Due", "2031-05-06"),
            ("Incident status", "Todo"),
            ("Kind", "Action item"),
            ("Priority", "P1"),
        ]))
    );
    // bob closes the item's issue: the run for that event marks its card done.
    s.repo
        .fake
        .set_issue_state(&s.repo.name, item, "closed", "bob");
    let closed = payload::issues(
        &s.repo.fake,
        &s.repo.name,
        item,
        "closed",
        "bob",
        None,
        None,
    );
    s.clear();
    assert_success(&action(&s, "issues", &closed, Some(&s.token)));
    assert_eq!(board_requests(&s), (1, 0, 1, 0));
    let values = card(&s, item).unwrap();
    assert!(
        values.contains(&("Incident status".into(), "Done".into())),
        "{values:?}"
    );
}

#[tokio::test]
async fn a_card_deleted_by_hand_is_not_added_back_by_a_change() {
    let s = board("follow-deleted");
    let n = declare(&s, "Mail delayed");
    let name = s.repo.name.clone();
    s.repo.fake.remove_project_item("acme", s.number, &name, n);
    s.clear();
    say(&s, n, "bob", "/sev 1");
    assert_eq!(board_requests(&s), (1, 0, 0, 0));
    assert_eq!(card(&s, n), None, "only `board sync` adds it back");
    // The explicit sync does.
    s.sync().await;
    assert!(card(&s, n).is_some());
}

#[tokio::test]
async fn without_a_board_token_the_run_warns_once_and_does_everything_else() {
    let s = board("follow-no-token");
    let n = s.repo.issue("alice", "Login errors", "What we see.");
    let id = s
        .repo
        .fake
        .create_comment(&s.repo.name, n, "alice", "/incident sev1")
        .id;
    let event = payload::issue_comment(&s.repo.fake, &s.repo.name, n, id, "created");
    s.clear();
    let out = action(&s, "issue_comment", &event, None);
    assert_success(&out);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::warning::"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(warnings[0].contains("FIREBREAK_BOARD_TOKEN"), "{stdout}");
    assert_eq!(board_requests(&s), (0, 0, 0, 0));
    let labels = s.repo.fake.issue(&s.repo.name, n).unwrap().labels;
    assert!(labels.iter().any(|l| l == "sev:1"), "{labels:?}");
    // The workflow's token is never used for the board.
    let out = action(&s, "issue_comment", &event, Some(TOKEN));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
}

#[tokio::test]
async fn a_lost_answer_to_an_add_fails_the_run_after_the_incident_is_handled_and_sync_adds_once() {
    let s = board("follow-502");
    let n = s.repo.issue("alice", "Webhooks late", "What we see.");
    s.repo
        .fake
        .fail_next_mutation("addProjectV2ItemById", 502, true);
    let id = s
        .repo
        .fake
        .create_comment(&s.repo.name, n, "alice", "/incident")
        .id;
    let event = payload::issue_comment(&s.repo.fake, &s.repo.name, n, id, "created");
    let out = action(&s, "issue_comment", &event, Some(&s.token));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(out.status.code(), Some(1), "{stdout}");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error::"))
        .collect();
    assert_eq!(errors.len(), 2, "{stdout}");
    assert!(
        errors[0].starts_with("::error::the board: adding #"),
        "{stdout}"
    );
    assert_eq!(
        errors[1],
        format!("::error::#{n} was handled, but 1 step(s) after it failed (above)")
    );
    // The incident itself was handled.
    let labels = s.repo.fake.issue(&s.repo.name, n).unwrap().labels;
    assert!(labels.iter().any(|l| l == "incident"), "{labels:?}");
    // The add happened; GitHub's answer was lost. Sync reads before it adds: one card.
    let synced = s.sync().await;
    assert!(synced.plan.adds.is_empty(), "{}", synced.text);
    assert_eq!(s.cards().len(), 1);
    assert_eq!(
        card(&s, n),
        Some(values(&[
            ("Incident status", "Investigating"),
            ("Kind", "Incident"),
            ("Severity", "SEV2"),
        ]))
    );
}
