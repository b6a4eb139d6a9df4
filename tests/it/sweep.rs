//! `firebreak sweep` end to end, with a controlled clock, against the in-memory GitHub:
//! acknowledgement escalation level by level, the update cadence, the follow-up across a
//! weekend, postmortem and action-item reminders, a late sweep that catches up without a
//! flood, lost comments caught up, faults on one incident that leave the others swept, and
//! what a sweep costs.

use chrono::{DateTime, Duration, Utc};
use fake_github::{Fault, FaultKind, UserKind, payload};
use firebreak::config::Config;
use firebreak::incident::section::Body;
use firebreak::incident::{Incident, timeline::EntryKind};
use firebreak::run::{Mode, Outcome};

use crate::support::{self, Repo};

fn t(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

/// Friday 2026-11-20, 10:00 UTC.
const T0: &str = "2026-11-20T10:00:00Z";

fn at(minutes: i64) -> DateTime<Utc> {
    t(T0) + Duration::minutes(minutes)
}

/// A repository on a private in-memory GitHub whose clock stands at T0, with `config`.
fn repo(name: &str, config: &str) -> Repo {
    let mut repo = support::isolated(&[name], t(T0)).pop().unwrap();
    repo.config = Config::from_yaml(config, ".github/firebreak.yml").unwrap();
    for login in ["oncall", "sre-lead", "dave"] {
        repo.fake.add_user(login, UserKind::User);
    }
    repo
}

/// `who` comments `text` on `n` at `now`, and Firebreak handles the event.
async fn say(repo: &Repo, n: u64, who: &str, text: &str, now: DateTime<Utc>) -> u64 {
    repo.fake.set_now(now);
    let id = repo.fake.create_comment(&repo.name, n, who, text).id;
    let event = payload::issue_comment(&repo.fake, &repo.name, n, id, "created");
    repo.dispatch("issue_comment", &event, now, Mode::Apply)
        .await
        .unwrap();
    id
}

/// alice declares an incident with `command` (`/incident sev1`) at `now`.
async fn declare(repo: &Repo, command: &str, now: DateTime<Utc>) -> u64 {
    repo.fake.set_now(now);
    let n = repo.issue("carol", "Checkout down", "500s on /pay.");
    say(repo, n, "alice", command, now).await;
    n
}

/// The scheduled sweep at `now`; the requests log starts afresh.
async fn sweep(repo: &Repo, now: DateTime<Utc>) -> Outcome {
    repo.fake.set_now(now);
    repo.clear_requests();
    firebreak::run::sweep::sweep(&repo.client(), &repo.config, now, Mode::Apply)
        .await
        .unwrap()
}

/// Firebreak's comments on `n` that contain `needle`.
fn posted(repo: &Repo, n: u64, needle: &str) -> Vec<String> {
    repo.bot_comments(n)
        .into_iter()
        .filter(|c| c.contains(needle))
        .collect()
}

fn state(repo: &Repo, n: u64) -> Incident {
    Body::parse(&repo.body(n)).incident().unwrap().clone()
}

/// The texts of the incident's entries of `kind`.
fn entries(repo: &Repo, n: u64, kind: EntryKind) -> Vec<String> {
    state(repo, n)
        .timeline
        .into_iter()
        .filter(|e| e.kind == kind)
        .map(|e| e.text)
        .collect()
}

fn writes(repo: &Repo) -> Vec<String> {
    repo.calls()
        .into_iter()
        .filter(|c| !c.starts_with("GET "))
        .collect()
}

const ESCALATION: &str = r#"
severities:
  - { name: SEV1, ack_timeout: 5m }
  - { name: SEV2, ack_timeout: 15m }
escalation:
  - notify: ["@oncall"]
  - notify: ["@sre-lead", "@oncall"]
    after: 30m
"#;

#[tokio::test]
async fn an_unacknowledged_sev1_escalates_level_by_level_until_acknowledged() {
    let repo = repo("sweep-escalation", ESCALATION);
    let n = declare(&repo, "/incident sev1", at(0)).await;

    let first = sweep(&repo, at(20)).await;
    let level1 = posted(&repo, n, "escalation level");
    assert_eq!(level1.len(), 1, "{level1:#?}");
    assert!(
        level1[0].contains("@oncall — escalation level 1 of 2"),
        "{}",
        level1[0]
    );
    assert!(
        first
            .notes
            .iter()
            .any(|l| l.contains(&format!("#{n}: escalation: Escalated to level 1 (@oncall)"))),
        "the summary says what the sweep did: {:#?}",
        first.notes
    );
    assert!(
        first
            .due
            .iter()
            .any(|d| d == &format!("#{n}: escalation level 2 at 2026-11-20 10:35 UTC")),
        "and what falls due next: {:#?}",
        first.due
    );
    assert_eq!(
        entries(&repo, n, EntryKind::Escalation),
        ["Escalated to level 1 (@oncall): not acknowledged for 20m"]
    );

    for minute in [25, 34] {
        sweep(&repo, at(minute)).await;
        assert_eq!(writes(&repo), Vec::<String>::new(), "at +{minute}m");
        assert_eq!(posted(&repo, n, "escalation level").len(), 1);
    }

    sweep(&repo, at(36)).await;
    let levels = posted(&repo, n, "escalation level");
    assert_eq!(levels.len(), 2);
    assert!(
        levels[1].contains("@sre-lead @oncall — escalation level 2 of 2"),
        "{}",
        levels[1]
    );
    insta::with_settings!({ filters => vec![(r"acme/[a-z-]+-0", "acme/[repo]")] }, {
        insta::assert_snapshot!("escalation_level_2", levels[1]);
    });

    say(&repo, n, "bob", "/ack", at(40)).await;
    sweep(&repo, at(120)).await;
    assert_eq!(writes(&repo), Vec::<String>::new(), "acknowledged: silence");
    assert_eq!(entries(&repo, n, EntryKind::Escalation).len(), 2);
}

#[tokio::test]
async fn a_sweep_hours_late_posts_only_what_is_due_now_in_one_comment() {
    let repo = repo(
        "sweep-late",
        r#"
escalation:
  - notify: ["@oncall"]
  - notify: ["@sre-lead"]
    after: 10m
"#,
    );
    let n = declare(&repo, "/incident sev1", at(0)).await;
    sweep(&repo, at(180)).await;
    let comments = repo.bot_comments(n);
    let escalations = posted(&repo, n, "escalation level");
    let cadence = posted(&repo, n, "No stakeholder update");
    assert_eq!(escalations.len(), 1, "{comments:#?}");
    assert!(
        escalations[0].contains("@oncall @sre-lead — escalation level 2 of 2")
            && escalations[0].contains("Level 1 fell due earlier"),
        "{}",
        escalations[0]
    );
    assert_eq!(
        cadence.len(),
        1,
        "one update reminder, not twelve: {comments:#?}"
    );
    assert!(cadence[0].contains("for 3h 00m"), "{}", cadence[0]);
    // A second sweep right after changes nothing.
    sweep(&repo, at(181)).await;
    assert_eq!(writes(&repo), Vec::<String>::new());
}

#[tokio::test]
async fn the_update_cadence_reminds_the_ic_then_the_comms_lead_once_per_window() {
    // SEV2: updates every 30m.
    let repo = repo("sweep-cadence", "");
    let n = declare(&repo, "/incident sev2", at(0)).await;
    say(&repo, n, "alice", "/ic @bob", at(2)).await;

    sweep(&repo, at(29)).await;
    assert!(posted(&repo, n, "No stakeholder update").is_empty());
    sweep(&repo, at(31)).await;
    let first = posted(&repo, n, "No stakeholder update");
    assert_eq!(first.len(), 1);
    assert!(
        first[0].contains("@bob — SEV2 incidents owe stakeholders an update every 30m"),
        "{}",
        first[0]
    );

    say(&repo, n, "alice", "/comms @carol", at(35)).await;
    sweep(&repo, at(50)).await;
    assert_eq!(writes(&repo), Vec::<String>::new(), "same window");
    sweep(&repo, at(61)).await;
    let second = posted(&repo, n, "No stakeholder update");
    assert_eq!(second.len(), 2);
    assert!(second[1].contains("@carol —"), "{}", second[1]);

    say(
        &repo,
        n,
        "carol",
        "/update Rolled back; watching error rates",
        at(70),
    )
    .await;
    sweep(&repo, at(99)).await;
    assert_eq!(
        posted(&repo, n, "No stakeholder update").len(),
        2,
        "an update restarts the clock"
    );
    sweep(&repo, at(101)).await;
    let third = posted(&repo, n, "No stakeholder update");
    assert_eq!(third.len(), 3);
    assert!(
        third[2].contains("the last one was posted 2026-11-20 11:10 UTC"),
        "{}",
        third[2]
    );

    say(&repo, n, "bob", "/status mitigated traffic moved", at(110)).await;
    sweep(&repo, at(400)).await;
    assert_eq!(
        posted(&repo, n, "No stakeholder update").len(),
        3,
        "none once mitigated"
    );
    assert_eq!(entries(&repo, n, EntryKind::Reminder).len(), 3);
}

#[tokio::test]
async fn the_follow_up_comes_the_first_working_day_after_resolution_across_a_weekend() {
    let repo = repo("sweep-follow-up", "timezone: Europe/Berlin\n");
    // SEV3: no postmortem owed, nothing else due.
    let n = declare(&repo, "/incident sev3", at(0)).await;
    say(&repo, n, "alice", "/ic me", at(1)).await;
    say(
        &repo,
        n,
        "alice",
        "/action Alert on payment errors P2",
        at(2),
    )
    .await;
    say(
        &repo,
        n,
        "alice",
        "/action Shed load earlier @bob P1",
        at(3),
    )
    .await;
    // Friday 16:00 in Berlin.
    say(
        &repo,
        n,
        "alice",
        "/status resolved",
        t("2026-11-20T15:00:00Z"),
    )
    .await;

    for when in [
        "2026-11-21T10:00:00Z", // Saturday
        "2026-11-22T22:00:00Z", // Sunday, 23:00 in Berlin
        "2026-11-23T07:55:00Z", // Monday 08:55 in Berlin
    ] {
        sweep(&repo, t(when)).await;
        assert!(posted(&repo, n, "Follow-up").is_empty(), "{when}");
    }
    sweep(&repo, t("2026-11-23T08:05:00Z")).await;
    let asked = posted(&repo, n, "Follow-up");
    assert_eq!(asked.len(), 1);
    assert!(
        asked[0].contains("@alice — this incident was resolved 2026-11-20 16:00 CET"),
        "{}",
        asked[0]
    );
    assert!(
        asked[0].contains("Alert on payment errors"),
        "lists the item without an owner"
    );
    assert!(
        !asked[0].contains("Shed load earlier"),
        "not the one bob owns"
    );
    sweep(&repo, t("2026-11-24T08:05:00Z")).await;
    assert_eq!(posted(&repo, n, "Follow-up").len(), 1, "asked once");
    assert_eq!(writes(&repo), Vec::<String>::new());
}

#[tokio::test]
async fn a_postmortem_is_reminded_before_its_due_date_and_escalated_after_it() {
    let repo = repo(
        "sweep-postmortem",
        "reminders: { escalate_to: [\"@acme/eng-managers\"] }\n",
    );
    repo.fake.add_team_member("acme", "eng-managers", "dave");
    let n = declare(&repo, "/incident sev2", at(0)).await;
    say(&repo, n, "alice", "/ic @bob", at(1)).await;
    // Resolved Friday: 5 business days later is Friday 2026-11-27.
    say(&repo, n, "bob", "/status resolved", at(60)).await;
    assert_eq!(
        state(&repo, n).postmortem.unwrap().due.unwrap().to_string(),
        "2026-11-27"
    );

    sweep(&repo, t("2026-11-25T12:00:00Z")).await;
    assert!(
        posted(&repo, n, "postmortem").is_empty(),
        "{:#?}",
        repo.bot_comments(n)
    );
    sweep(&repo, t("2026-11-27T09:00:00Z")).await;
    let due = posted(&repo, n, "The postmortem is due 2026-11-27");
    assert_eq!(due.len(), 1);
    assert!(due[0].contains("@bob"), "{}", due[0]);
    sweep(&repo, t("2026-11-27T20:00:00Z")).await;
    assert_eq!(writes(&repo), Vec::<String>::new(), "once per window");

    sweep(&repo, t("2026-11-28T09:00:00Z")).await;
    assert_eq!(posted(&repo, n, "The postmortem is overdue").len(), 1);
    sweep(&repo, t("2026-11-30T09:00:00Z")).await;
    let escalated = posted(&repo, n, "Escalated: it is more than 2d past its due date");
    assert_eq!(escalated.len(), 1, "{:#?}", repo.bot_comments(n));
    assert!(
        escalated[0].contains("@bob @acme/eng-managers"),
        "{}",
        escalated[0]
    );
    assert_eq!(
        entries(&repo, n, EntryKind::Escalation),
        ["Escalated to @bob, @acme/eng-managers: the postmortem is overdue (due 2026-11-27)"]
    );
}

#[tokio::test]
async fn an_overdue_action_item_is_reminded_on_the_item_then_escalated_on_the_incident() {
    let repo = repo("sweep-items", "");
    let n = declare(&repo, "/incident sev3", at(0)).await;
    say(&repo, n, "alice", "/ic @bob", at(1)).await;
    say(
        &repo,
        n,
        "alice",
        "/action Add a canary @carol P1 due:2026-11-25",
        at(2),
    )
    .await;
    say(
        &repo,
        n,
        "alice",
        "/action Page on queue age @bob P1 due:2026-11-26",
        at(3),
    )
    .await;
    say(&repo, n, "bob", "/status mitigated", at(30)).await;
    let numbers: Vec<u64> = state(&repo, n)
        .action_items
        .iter()
        .map(|i| i.number.unwrap())
        .collect();
    let [canary, page] = numbers[..] else {
        panic!("{numbers:?}")
    };

    sweep(&repo, t("2026-11-25T23:00:00Z")).await;
    assert!(
        repo.bot_comments(canary).is_empty(),
        "due today is not overdue"
    );
    sweep(&repo, t("2026-11-26T06:00:00Z")).await;
    let reminded = repo.bot_comments(canary);
    assert_eq!(reminded.len(), 1);
    assert!(reminded[0].contains("This action item is overdue: it was due 2026-11-25"));
    assert!(reminded[0].contains("@carol —"), "{}", reminded[0]);
    assert_eq!(
        entries(&repo, n, EntryKind::Reminder),
        [format!(
            "Reminded @carol: action item #{canary} is overdue (due 2026-11-25)"
        )]
    );
    sweep(&repo, t("2026-11-26T18:00:00Z")).await;
    assert_eq!(writes(&repo), Vec::<String>::new(), "once per window");
    sweep(&repo, t("2026-11-27T06:00:00Z")).await;
    assert_eq!(repo.bot_comments(canary).len(), 2, "the next window");
    assert_eq!(repo.bot_comments(page).len(), 1);

    // Two days past due: escalated on the incident, to its IC.
    sweep(&repo, t("2026-11-28T06:00:00Z")).await;
    let escalated = posted(&repo, n, "Action items overdue by more than 2d");
    assert_eq!(escalated.len(), 1);
    assert!(
        escalated[0].contains("@bob — these action items"),
        "{}",
        escalated[0]
    );
    assert!(escalated[0].contains(&format!(
        "#{canary} Add a canary: due 2026-11-25, owner @carol"
    )));
    assert!(
        !escalated[0].contains(&format!("#{page}")),
        "not yet two days past due"
    );

    // Closed without an event: brought in line, and never reminded again.
    repo.fake
        .set_issue_state(&repo.name, canary, "closed", "carol");
    repo.fake
        .set_issue_state(&repo.name, page, "closed", "dave");
    sweep(&repo, t("2026-12-05T06:00:00Z")).await;
    assert!(repo.visible_section(n).contains("| closed |"));
    assert_eq!(repo.bot_comments(canary).len(), 2);
    assert_eq!(posted(&repo, n, "Action items overdue").len(), 1);
}

#[tokio::test]
async fn comments_whose_events_were_lost_are_caught_up_and_stop_the_escalation() {
    let repo = repo("sweep-lost", ESCALATION);
    let n = declare(&repo, "/incident sev1", at(0)).await;
    repo.fake.set_now(at(3));
    // Nobody handled these events.
    repo.fake
        .create_comment(&repo.name, n, "bob", "/ic me\nLooking at the load balancer");
    let other = declare(&repo, "/incident sev2", at(4)).await;
    sweep(&repo, at(20)).await;
    let after = state(&repo, n);
    assert_eq!(after.commander.as_deref(), Some("bob"));
    assert!(after.acknowledged_at.is_some());
    assert!(
        repo.visible_section(n)
            .contains("Looking at the load balancer")
    );
    assert!(
        posted(&repo, n, "escalation level").is_empty(),
        "acknowledged in the lost comment"
    );
    assert_eq!(posted(&repo, other, "escalation level").len(), 1);
    // Only the incidents with something to write (a comment to catch up, a level due) had
    // their conversations (comments and events) read.
    let listed: Vec<String> = repo
        .calls()
        .into_iter()
        .filter(|c| c.starts_with("GET ") && (c.ends_with("/comments") || c.ends_with("/timeline")))
        .collect();
    assert_eq!(
        listed,
        [
            format!("GET /repos/{}/issues/comments", repo.name),
            format!("GET /repos/{}/issues/{n}/timeline", repo.name),
            format!("GET /repos/{}/issues/{other}/timeline", repo.name),
        ]
    );
}

#[tokio::test]
async fn one_broken_incident_is_reported_and_the_others_are_swept() {
    let repo = repo("sweep-faults", ESCALATION);
    let damaged = declare(&repo, "/incident sev1", at(0)).await;
    let forbidden = declare(&repo, "/incident sev1", at(0)).await;
    let healthy = declare(&repo, "/incident sev1", at(0)).await;
    let body = repo.body(damaged).replace("\"version\"", "\"version");
    repo.fake.edit_issue_body(&repo.name, damaged, &body);
    repo.fake.inject(Fault {
        method: Some(http::Method::POST),
        path_contains: format!("/issues/{forbidden}/comments"),
        kind: FaultKind::Status(403),
        times: 1,
    });
    repo.fake.set_now(at(20));
    repo.clear_requests();
    let outcome = firebreak::run::sweep::sweep(&repo.client(), &repo.config, at(20), Mode::Apply)
        .await
        .unwrap();
    assert_eq!(outcome.failures.len(), 2, "{:#?}", outcome.failures);
    assert!(
        outcome.failures[0].starts_with(&format!(
            "#{damaged}: the Firebreak section of its body is damaged"
        )),
        "{}",
        outcome.failures[0]
    );
    assert!(
        outcome.failures[1].starts_with(&format!("#{forbidden}: replying on #{forbidden}"))
            && outcome.failures[1].contains("403"),
        "{}",
        outcome.failures[1]
    );
    assert_eq!(
        posted(&repo, healthy, "escalation level").len(),
        1,
        "the rest are swept"
    );
    assert_eq!(repo.body(damaged), body, "the damaged one is left alone");
    // The 403 was once: the next sweep escalates it.
    sweep(&repo, at(21)).await;
    assert_eq!(posted(&repo, forbidden, "escalation level").len(), 1);
}

#[tokio::test]
async fn someone_mentioned_who_does_not_exist_is_reported_after_the_others_are_told() {
    let repo = repo(
        "sweep-ghost",
        r#"
severities:
  - { name: SEV1, ack_timeout: 5m }
escalation:
  - notify: ["@oncall", "@ghost", "@acme/no-such-team"]
"#,
    );
    let n = declare(&repo, "/incident sev1", at(0)).await;
    let other = declare(&repo, "/incident sev1", at(0)).await;
    let outcome = sweep(&repo, at(10)).await;
    for issue in [n, other] {
        let posted = posted(&repo, issue, "escalation level 1");
        assert_eq!(posted.len(), 1, "posted all the same");
        assert!(posted[0].contains("@oncall"));
    }
    assert_eq!(outcome.failures.len(), 2, "{:#?}", outcome.failures);
    assert_eq!(
        outcome.failures[0],
        format!(
            "#{n}: the ack reminder mentions @ghost, @acme/no-such-team, which GitHub does not know (deleted, renamed, or a team the token cannot see); it was posted for the others"
        )
    );
    // Recorded: the next sweep neither posts it again nor fails again.
    let again = sweep(&repo, at(11)).await;
    assert!(again.failures.is_empty(), "{:#?}", again.failures);
    assert_eq!(writes(&repo), Vec::<String>::new());
}

#[tokio::test]
async fn a_quiet_sweep_reads_little_and_writes_nothing() {
    let repo = repo(
        "sweep-quiet",
        "permissions: { default: { teams: [acme/sre] } }\n",
    );
    for _ in 0..3 {
        let n = declare(&repo, "/incident sev3", at(0)).await;
        say(&repo, n, "alice", "/ic me", at(1)).await;
        say(&repo, n, "carol", "Lag is back to normal", at(2)).await;
    }
    // A resolved SEV2 whose postmortem draft is open, with an action item.
    let n = declare(&repo, "/incident sev2", at(0)).await;
    say(&repo, n, "alice", "/ic @bob", at(1)).await;
    say(&repo, n, "alice", "/action Add a canary @carol P1", at(2)).await;
    say(&repo, n, "bob", "/status resolved", at(20)).await;
    assert!(state(&repo, n).postmortem.unwrap().pull.is_some());
    let outcome = sweep(&repo, at(30)).await;
    assert!(outcome.failures.is_empty());
    assert_eq!(
        repo.calls(),
        [
            format!("GET /repos/{}/issues", repo.name),
            format!("GET /repos/{}/issues", repo.name),
            format!("GET /repos/{}/labels/firebreak%3Asweep", repo.name),
            format!("GET /repos/{}/issues/comments", repo.name),
        ],
        "no comment list per incident, no team lookup for their authors, no write"
    );
}

/// `firebreak action` on a `schedule` event, as Actions runs it: (exit code, stdout, summary).
fn action_on_schedule(repo: &Repo, config: &str) -> (Option<i32>, String, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join(".github")).unwrap();
    std::fs::write(dir.path().join(".github/firebreak.yml"), config).unwrap();
    let event = dir.path().join("event.json");
    let payload = serde_json::json!({
        "schedule": "*/10 * * * *",
        "repository": repo.fake.repo_json(&repo.name),
        "workflow": ".github/workflows/firebreak.yml",
    });
    std::fs::write(&event, serde_json::to_vec(&payload).unwrap()).unwrap();
    let summary = dir.path().join("summary");
    let output = std::process::Command::new(support::binary())
        .arg("action")
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", "schedule")
        .env("GITHUB_EVENT_PATH", &event)
        .env("GITHUB_REPOSITORY", &repo.name)
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", dir.path())
        .env("GITHUB_TOKEN", support::TOKEN)
        .output()
        .expect("the binary runs");
    (
        output.status.code(),
        String::from_utf8_lossy(&output.stdout).into_owned(),
        std::fs::read_to_string(summary).unwrap_or_default(),
    )
}

#[tokio::test]
async fn the_scheduled_action_summarises_the_sweep_annotates_each_failure_and_exits_1() {
    // The process reads the real clock: the incidents were declared 20 minutes ago.
    let start = Utc::now() - Duration::minutes(20);
    let mut repo = support::isolated(&["sweep-process"], start).pop().unwrap();
    repo.config = Config::from_yaml(ESCALATION, ".github/firebreak.yml").unwrap();
    repo.fake.add_user("oncall", UserKind::User);
    repo.fake.add_user("sre-lead", UserKind::User);
    let healthy = declare(&repo, "/incident sev1", start).await;
    let damaged = declare(&repo, "/incident sev1", start).await;
    let body = repo.body(damaged).replace("\"severity\"", "\"severity");
    repo.fake.edit_issue_body(&repo.name, damaged, &body);
    repo.fake.clear_now();

    let (code, stdout, summary) = action_on_schedule(&repo, ESCALATION);
    assert_eq!(code, Some(1), "{stdout}");
    assert!(
        stdout.contains(&format!(
            "::error::#{damaged}: the Firebreak section of its body is damaged"
        )),
        "{stdout}"
    );
    assert_eq!(posted(&repo, healthy, "escalation level 1").len(), 1);
    let summary = regex::Regex::new(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC")
        .unwrap()
        .replace_all(&summary, "[time]")
        .into_owned();
    let summary = regex::Regex::new(r"acme/sweep-process-0|line \d+ column \d+|for \d+m")
        .unwrap()
        .replace_all(&summary, "[..]")
        .into_owned();
    insta::assert_snapshot!("scheduled_job_summary", summary);
}

#[test]
fn a_misconfigured_escalation_policy_is_a_usage_error_naming_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("firebreak.yml");
    std::fs::write(
        &config,
        "severities:\n  - name: SEV1\n    escalation:\n      - notify: [\"@oncall\"]\n",
    )
    .unwrap();
    let output = std::process::Command::new(support::binary())
        .args(["sweep", "--repo", "acme/app", "--config"])
        .arg(&config)
        .env_clear()
        .env("FIREBREAK_TOKEN", "unused")
        .env("GITHUB_API_URL", "http://127.0.0.1:9")
        .output()
        .expect("the binary runs");
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains(&format!(
            "{}:3:5: severities[0].escalation: SEV1 has no `ack_timeout`, so it never escalates",
            config.display()
        )),
        "{stderr}"
    );
}

#[tokio::test]
async fn items_of_a_closed_incident_are_reminded_on_the_items_and_it_is_read_only_when_due() {
    let repo = repo("sweep-closed", "");
    let n = declare(&repo, "/incident sev3", at(0)).await;
    say(&repo, n, "alice", "/ic @bob", at(1)).await;
    say(
        &repo,
        n,
        "alice",
        "/action Add a canary @carol P1 due:2026-11-25",
        at(2),
    )
    .await;
    say(&repo, n, "bob", "/status resolved", at(30)).await;
    repo.fake.set_now(at(31));
    repo.fake.set_issue_state(&repo.name, n, "closed", "bob");
    let closed = payload::issues(&repo.fake, &repo.name, n, "closed", "bob", None, None);
    repo.dispatch("issues", &closed, at(31), Mode::Apply)
        .await
        .unwrap();
    let item = state(&repo, n).action_items[0].number.unwrap();
    let read_incident = |repo: &Repo| {
        repo.calls()
            .contains(&format!("GET /repos/{}/issues/{n}", repo.name))
    };
    let on_incident = repo.bot_comments(n).len();

    sweep(&repo, t("2026-11-25T12:00:00Z")).await;
    assert!(
        !read_incident(&repo),
        "nothing due: the closed incident is not read"
    );
    sweep(&repo, t("2026-11-26T06:00:00Z")).await;
    assert!(read_incident(&repo));
    let reminded = repo.bot_comments(item);
    assert_eq!(reminded.len(), 1);
    assert!(
        reminded[0].contains("@carol — close it when the work is done"),
        "{}",
        reminded[0]
    );
    assert_eq!(
        entries(&repo, n, EntryKind::Reminder),
        [format!(
            "Reminded @carol: action item #{item} is overdue (due 2026-11-25)"
        )],
        "recorded in the closed incident's timeline"
    );
    sweep(&repo, t("2026-11-26T20:00:00Z")).await;
    assert!(
        !read_incident(&repo),
        "reminded in this window: not read again"
    );
    assert_eq!(writes(&repo), Vec::<String>::new());

    sweep(&repo, t("2026-11-28T06:00:00Z")).await;
    let escalated = repo.bot_comments(item);
    assert_eq!(escalated.len(), 2);
    assert!(
        escalated[1].contains("@carol @bob — close it")
            && escalated[1].contains("the incident is closed, so this reminder is escalated here"),
        "{}",
        escalated[1]
    );
    assert_eq!(
        repo.bot_comments(n).len(),
        on_incident,
        "nothing posted on the closed incident"
    );
    assert_eq!(repo.fake.issue(&repo.name, n).unwrap().state, "closed");
}

#[tokio::test]
async fn an_outsiders_report_confirmed_by_a_responder_escalates_from_its_record_not_its_body() {
    let repo = repo("sweep-record", ESCALATION);
    repo.fake.set_now(at(0));
    // mallory may not declare: the state lives in Firebreak's record comment.
    let n = repo.issue("mallory", "Checkout down", "I cannot pay.");
    say(&repo, n, "alice", "/incident sev1", at(0)).await;
    assert_eq!(posted(&repo, n, "firebreak:record").len(), 1);
    // Every comment up to two minutes in is behind the watermark: the record is not listed.
    let mark = firebreak::run::sweep::watermark_label(at(2));
    repo.fake.add_label(
        &repo.name,
        &mark.name,
        &mark.color,
        mark.description.as_deref(),
    );
    // mallory rewrites the section (its run was lost): acknowledged, with her in command.
    repo.fake.set_now(at(3));
    let body = repo.body(n);
    let parsed = Body::parse(&body);
    let mut forged = parsed.incident().unwrap().clone();
    forged.acknowledge(at(3));
    forged.commander = Some("mallory".into());
    let forged = firebreak::incident::section::compose(&parsed.before, "", &forged, &parsed.after);
    repo.fake.edit_issue_body(&repo.name, n, &forged);

    let first = sweep(&repo, at(20)).await;
    assert!(first.failures.is_empty(), "{:#?}", first.failures);
    assert_eq!(
        posted(&repo, n, "escalation level").len(),
        1,
        "from the record"
    );
    assert!(
        repo.calls()
            .contains(&format!("GET /repos/{}/issues/{n}/timeline", repo.name)),
        "its conversation was read in full"
    );
    let after = state(&repo, n);
    assert_eq!(
        after.commander, None,
        "the section is restored from the record"
    );
    assert_eq!(after.acknowledged_at, None);

    // The record, updated by the sweep, is now among the recent comments: nothing new.
    sweep(&repo, at(25)).await;
    assert_eq!(writes(&repo), Vec::<String>::new());
    assert_eq!(posted(&repo, n, "escalation level").len(), 1);
}

#[tokio::test]
async fn a_hand_change_whose_run_was_lost_is_recorded_once_by_the_sweep_and_not_again_later() {
    let repo = repo("sweep-hand", ESCALATION);
    let n = declare(&repo, "/incident sev2", at(0)).await;
    // alice raises it to SEV1 by hand; that event's run was lost.
    repo.fake.set_now(at(3));
    repo.fake.label_issue(&repo.name, n, "sev:1", "alice");

    let swept = sweep(&repo, at(20)).await;
    assert!(swept.failures.is_empty(), "{:#?}", swept.failures);
    assert_eq!(
        state(&repo, n).severity,
        1,
        "the label change is in the state"
    );
    assert_eq!(entries(&repo, n, EntryKind::Label).len(), 1);
    assert_eq!(posted(&repo, n, "escalation level").len(), 1);

    // The next run on the issue reads its timeline again: the change is not entered twice.
    say(&repo, n, "bob", "/ack", at(21)).await;
    let after = state(&repo, n);
    assert!(after.acknowledged_at.is_some());
    assert_eq!(entries(&repo, n, EntryKind::Label).len(), 1);
}

/// Escalation levels of their own for SEV1, naming a deleted user and a team that does not
/// exist.
const GHOSTS: &str = r#"
severities:
  - name: SEV1
    ack_timeout: 5m
    escalation:
      - notify: ["@oncall", "@ghost", "@acme/no-such-team"]
  - { name: SEV2, ack_timeout: 15m }
escalation:
  - notify: ["@oncall"]
"#;

#[tokio::test]
async fn the_sweep_command_annotates_each_failed_incident_sweeps_the_rest_and_exits_1() {
    // The process reads the real clock: the incidents were declared 20 minutes ago.
    let start = Utc::now() - Duration::minutes(20);
    let mut repo = support::isolated(&["sweep-command"], start).pop().unwrap();
    repo.config = Config::from_yaml(GHOSTS, ".github/firebreak.yml").unwrap();
    repo.fake.add_user("oncall", UserKind::User);
    let healthy = declare(&repo, "/incident sev2", start).await;
    let damaged = declare(&repo, "/incident sev2", start).await;
    let forbidden = declare(&repo, "/incident sev2", start).await;
    let ghosts = declare(&repo, "/incident sev1", start).await;
    let body = repo.body(damaged).replace("\"severity\"", "\"severity");
    repo.fake.edit_issue_body(&repo.name, damaged, &body);
    repo.fake.inject(Fault {
        method: None,
        path_contains: format!("/issues/{forbidden}/"),
        kind: FaultKind::Status(403),
        times: 100,
    });
    repo.fake.clear_now();

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("firebreak.yml"), GHOSTS).unwrap();
    let output = std::process::Command::new(support::binary())
        .args(["sweep", "--config", "firebreak.yml", "--repo", &repo.name])
        .current_dir(dir.path())
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_TOKEN", support::TOKEN)
        .output()
        .expect("the binary runs");
    let stdout = String::from_utf8_lossy(&output.stdout);
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(1), "{stdout}\n{stderr}");
    let errors: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::error::#"))
        .collect();
    assert_eq!(errors.len(), 3, "one per incident that failed: {stdout}");
    assert!(stdout.contains("::error::3 issue(s) could not be handled; the others were"));
    for (n, what) in [
        (damaged, "the Firebreak section of its body is damaged"),
        (forbidden, "403"),
        (
            ghosts,
            "@ghost, @acme/no-such-team, which GitHub does not know",
        ),
    ] {
        assert!(
            errors
                .iter()
                .any(|e| e.starts_with(&format!("::error::#{n}: ")) && e.contains(what)),
            "#{n}: {what}\n{stdout}"
        );
    }
    // The others were swept: the healthy one escalated, the ghosts' level went to @oncall.
    assert_eq!(posted(&repo, healthy, "escalation level 1").len(), 1);
    let told = posted(&repo, ghosts, "escalation level 1");
    assert_eq!(told.len(), 1, "{stdout}");
    assert!(told[0].contains("@oncall"));
    assert!(posted(&repo, damaged, "escalation level").is_empty());
    repo.fake.clear_faults();
    assert!(posted(&repo, forbidden, "escalation level").is_empty());
}
