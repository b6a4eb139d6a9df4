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
    let payload = fake_github::payload::issue_comment(&repo.fake, &repo.name, n, c, "deleted");
    repo.fake.delete_comment(&repo.name, c);
    repo.handle("issue_comment", &payload).await.unwrap();
    assert_eq!(entry_count(&repo.body(n), "db-1"), 0);
}

#[tokio::test]
async fn a_commands_only_comment_edited_to_add_prose_gains_its_own_entry_once() {
    let repo = support::repo("edit-adds-prose");
    let n = repo.incident("Edits").await;
    let c = repo.comment(n, "bob", "/ack").await;
    repo.fake
        .edit_comment(&repo.name, c, "/ack\nLooking at the load balancer now");
    repo.deliver_comment(n, c, "edited").await.unwrap();
    repo.deliver_comment(n, c, "edited").await.unwrap();
    let body = repo.body(n);
    assert_eq!(
        entry_count(&body, "Looking at the load balancer now"),
        1,
        "{body}"
    );
    assert_eq!(
        entry_count(&body, "Acknowledged"),
        1,
        "the command did not run again"
    );
}

/// One run per comment, all started at once, each from a payload read before any of them
/// wrote; every run must succeed.
pub(crate) async fn run_at_once(repo: &support::Repo, n: u64, comments: &[u64]) {
    let payloads: Vec<Vec<u8>> = comments
        .iter()
        .map(|id| fake_github::payload::issue_comment(&repo.fake, &repo.name, n, *id, "created"))
        .collect();
    let mut handles = Vec::new();
    for payload in payloads {
        let event = firebreak::event::Event::from_webhook("issue_comment", &payload).unwrap();
        let client = repo.client();
        let config = repo.config.clone();
        handles.push(tokio::spawn(async move {
            firebreak::dispatch::dispatch(
                &client,
                &event,
                chrono::Utc::now(),
                firebreak::run::Mode::Apply,
                |_| async move { Ok(config) },
            )
            .await
        }));
    }
    for h in handles {
        h.await.unwrap().unwrap();
    }
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
    run_at_once(&repo, n, &ids).await;
    let body = repo.body(n);
    for i in 0..6 {
        assert_eq!(
            entry_count(&body, &format!("observation number {i}")),
            1,
            "entry {i} in {body}"
        );
    }
}

// ---- Overflow: the body stays under GitHub's limit, nothing is dropped. ----

const OVERFLOW_MARKER: &str = "<!-- firebreak:overflow ";

/// A comment long enough that its excerpt is cut, starting with a unique tag.
fn long_comment(i: usize) -> String {
    format!(
        "obs-{i:03} {}\n\nsecond paragraph",
        "the queue depth keeps growing on every shard ".repeat(8)
    )
}

/// The bot's overflow parts on the issue, oldest first.
fn parts(repo: &support::Repo, n: u64) -> Vec<fake_github::CommentView> {
    repo.fake
        .comments(&repo.name, n)
        .into_iter()
        .filter(|c| c.author == support::BOT && c.body.contains(OVERFLOW_MARKER))
        .collect()
}

/// Timeline rows a person can find: the body's and every part's.
fn rows_everywhere(repo: &support::Repo, n: u64) -> Vec<String> {
    let mut texts = vec![repo.body(n)];
    texts.extend(parts(repo, n).into_iter().map(|c| c.body));
    texts
        .iter()
        .flat_map(|t| t.lines())
        .filter(|l| l.starts_with("| 20"))
        .map(str::to_string)
        .collect()
}

fn rows_with(rows: &[String], needle: &str) -> usize {
    rows.iter().filter(|r| r.contains(needle)).count()
}

/// Creates `count` long comments, delivering the event of every `batch`-th only (the runs
/// catch up on the others).
async fn long_comments(repo: &support::Repo, n: u64, range: std::ops::Range<usize>, batch: usize) {
    let authors = ["alice", "bob", "carol"];
    let mut last = None;
    for i in range.clone() {
        let id = repo
            .fake
            .create_comment(&repo.name, n, authors[i % 3], &long_comment(i))
            .id;
        last = Some(id);
        if (i + 1 - range.start) % batch == 0 {
            repo.deliver_comment(n, id, "created").await.unwrap();
            last = None;
        }
    }
    if let Some(id) = last {
        repo.deliver_comment(n, id, "created").await.unwrap();
    }
}

fn assert_every_comment_once(repo: &support::Repo, n: u64, range: std::ops::Range<usize>) {
    let rows = rows_everywhere(repo, n);
    for i in range {
        let tag = format!("obs-{i:03} ");
        assert_eq!(rows_with(&rows, &tag), 1, "{tag} in body and parts");
    }
}

fn assert_under_github_limit(repo: &support::Repo, n: u64) {
    let body = repo.body(n);
    assert!(
        body.chars().count() < 65_536,
        "body has {} chars",
        body.chars().count()
    );
    for part in parts(repo, n) {
        assert!(
            part.body.chars().count() < 65_536,
            "part {} too long",
            part.id
        );
    }
}

#[tokio::test]
async fn four_hundred_long_comments_keep_the_body_under_the_limit_and_every_comment_findable() {
    let repo = support::repo("overflow-400");
    let n = repo.incident("Long incident").await;
    long_comments(&repo, n, 0..400, 50).await;

    assert_under_github_limit(&repo, n);
    assert_every_comment_once(&repo, n, 0..400);
    let parts = parts(&repo, n);
    assert!(parts.len() >= 2, "{} parts", parts.len());
    let body = repo.body(n);
    for (i, part) in parts.iter().enumerate() {
        // Linked from the body, numbered in order, one state marker each, at the end.
        assert!(
            body.contains(&format!("[part {}](", i + 1))
                && body.contains(&format!("#issuecomment-{})", part.id)),
            "part {} is linked: {body}",
            part.id
        );
        assert_eq!(part.body.matches(OVERFLOW_MARKER).count(), 1);
        assert!(
            part.body
                .lines()
                .last()
                .unwrap()
                .starts_with(OVERFLOW_MARKER)
        );
    }
    // The oldest entries moved; the declaration is in part 1, the newest comment in the body.
    assert!(parts[0].body.contains("**declared**"));
    assert!(body.contains("obs-399 "));

    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]");
    settings.add_filter(r"\[time\] [a-z0-9-]+`", "[time] [slug]`");
    settings.add_filter(
        r"http://127\.0\.0\.1:\d+/acme/[a-z0-9_-]+-\d+",
        "[repo-url]",
    );
    settings.add_filter(r"issues/\d+", "issues/[n]");
    settings.add_filter(r"issuecomment-\d+", "issuecomment-[id]");
    let links = body
        .lines()
        .find(|l| l.starts_with("Earlier entries"))
        .unwrap();
    let first_link = &links[..=links.find(')').unwrap()];
    let head: Vec<&str> = parts[0].body.lines().take(7).collect();
    settings.bind(|| {
        insta::assert_snapshot!("overflow_link_in_body", first_link);
        insta::assert_snapshot!("overflow_part_head", head.join("\n"));
    });
}

#[tokio::test]
async fn edits_and_deletions_reach_entries_in_overflow_and_cost_one_part_write() {
    let repo = support::repo("overflow-edit");
    let n = repo.incident("Edits in overflow").await;
    long_comments(&repo, n, 0..150, 50).await;
    let ids: Vec<u64> = repo
        .fake
        .comments(&repo.name, n)
        .into_iter()
        .filter(|c| c.body.starts_with("obs-"))
        .map(|c| c.id)
        .collect();
    let part = parts(&repo, n)[0].clone();
    assert!(part.body.contains("obs-003 ") && part.body.contains("obs-004 "));
    let body_before = repo.body(n);

    // Edit: only the part that holds the entry is rewritten; the body is untouched.
    repo.fake
        .edit_comment(&repo.name, ids[3], "obs-003 turned out to be a red herring");
    repo.clear_requests();
    repo.deliver_comment(n, ids[3], "edited").await.unwrap();
    let writes: Vec<String> = repo
        .calls()
        .into_iter()
        .filter(|c| !c.starts_with("GET"))
        .collect();
    assert_eq!(
        writes,
        [format!(
            "PATCH /repos/{}/issues/comments/{}",
            repo.name, part.id
        )],
        "one part rewritten, nothing else"
    );
    assert_eq!(repo.body(n), body_before);
    let rows = rows_everywhere(&repo, n);
    assert_eq!(
        rows_with(&rows, "obs-003 turned out to be a red herring"),
        1
    );
    assert_eq!(rows_with(&rows, "obs-003 "), 1);

    // The same edit delivered again writes nothing.
    repo.clear_requests();
    repo.deliver_comment(n, ids[3], "edited").await.unwrap();
    assert!(
        repo.calls().iter().all(|c| c.starts_with("GET")),
        "{:?}",
        repo.calls()
    );

    // Delete: the entry leaves its part.
    let payload = fake_github::payload::issue_comment(&repo.fake, &repo.name, n, ids[4], "deleted");
    repo.fake.delete_comment(&repo.name, ids[4]);
    repo.handle("issue_comment", &payload).await.unwrap();
    let rows = rows_everywhere(&repo, n);
    assert_eq!(rows_with(&rows, "obs-004 "), 0);
    for i in (0..150).filter(|&i| i != 4) {
        assert_eq!(rows_with(&rows, &format!("obs-{i:03} ")), 1, "obs-{i:03}");
    }
    assert_eq!(repo.body(n), body_before, "the body did not change");
}

#[tokio::test]
async fn with_overflow_a_new_comment_costs_one_read_and_one_patch_and_a_repeat_costs_no_write() {
    let repo = support::repo("overflow-budget");
    let n = repo.incident("Budget with overflow").await;
    long_comments(&repo, n, 0..150, 50).await;
    assert!(!parts(&repo, n).is_empty(), "overflow exists");
    assert!(
        repo.body(n).len() < 40_000,
        "precondition: the next comment does not reach the high-water mark"
    );
    assert!(
        repo.fake.comments(&repo.name, n).len() > 100,
        "more than one page"
    );

    repo.clear_requests();
    let c = repo
        .comment(n, "bob", "obs-999 a plain new observation")
        .await;
    // The newest page (GraphQL, not counted here) proves nothing older is unseen: no listing,
    // one PATCH of the body, no part rewritten.
    assert_eq!(
        repo.calls(),
        [format!("PATCH /repos/{}/issues/{n}", repo.name)],
    );
    assert_eq!(rows_with(&rows_everywhere(&repo, n), "obs-999 "), 1);

    repo.clear_requests();
    repo.deliver_comment(n, c, "created").await.unwrap();
    assert_eq!(
        repo.calls(),
        Vec::<String>::new(),
        "a repeat writes nothing"
    );
}

#[tokio::test]
async fn hostile_text_in_overflow_parts_cannot_forge_state_break_rows_or_mention() {
    let repo = support::repo("overflow-hostile");
    let n = repo.incident("Hostile overflow").await;
    let hostile = [
        "obs-h00 <!-- firebreak:overflow {\"part\":1,\"entries\":[]} --> | a | b | @alice",
        "obs-h01 --> <!-- firebreak:end --> <img src=x onerror=alert(1)> @acme/sre **x**",
        "obs-h02 </details> | `|` \\| [link](javascript:alert(1)) # not a heading",
    ];
    for (i, text) in hostile.iter().enumerate() {
        repo.fake.create_comment(&repo.name, n, "bob", text);
        // A person's comment that looks like a part must stay a person's comment.
        if i == 0 {
            repo.fake.create_comment(
                &repo.name,
                n,
                "mallory",
                "<!-- firebreak:overflow {\"part\":1,\"entries\":[{\"at\":\"2020-01-01T00:00:00Z\",\"kind\":\"comment\",\"by\":\"ceo\",\"text\":\"forged entry\"}]} -->",
            );
        }
    }
    long_comments(&repo, n, 0..120, 60).await;
    let parts = parts(&repo, n);
    assert!(!parts.is_empty());
    let first = &parts[0].body;
    for tag in ["obs-h00", "obs-h01", "obs-h02"] {
        assert!(first.contains(tag), "{tag} moved to part 1: {first}");
    }
    for part in &parts {
        assert_eq!(part.body.matches("<!--").count(), 1, "{}", part.body);
        let visible: String = part
            .body
            .lines()
            .filter(|l| !l.starts_with(OVERFLOW_MARKER))
            .collect();
        assert!(
            !visible.contains("@alice") && !visible.contains("@acme"),
            "{visible}"
        );
        assert!(!visible.contains("<img") && !visible.contains("</details>"));
        for row in part.body.lines().filter(|l| l.starts_with("| 20")) {
            assert_eq!(row.replace("\\|", "").matches('|').count(), 4, "{row}");
        }
    }
    let rows = rows_everywhere(&repo, n);
    assert!(
        !rows.iter().any(|r| r.contains("| ceo |")),
        "no forged entry: {rows:#?}"
    );
    assert_eq!(
        parts
            .iter()
            .filter(|p| p.body.contains("\"part\":1,"))
            .count(),
        1
    );
    // The next run still reads the body and the parts.
    repo.comment(n, "bob", "/sev 1 still fine").await;
    assert_eq!(
        repo.labels(n),
        ["incident", "sev:1", "status:investigating"]
    );
    assert_every_comment_once(&repo, n, 0..120);
    for tag in ["obs-h00", "obs-h01", "obs-h02"] {
        assert_eq!(rows_with(&rows_everywhere(&repo, n), tag), 1, "{tag}");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 4)]
async fn concurrent_runs_that_open_the_same_part_converge_to_one() {
    let repo = support::repo("overflow-concurrent");
    let n = repo.incident("Concurrent overflow").await;
    let ids: Vec<u64> = (0..110)
        .map(|i| {
            repo.fake
                .create_comment(
                    &repo.name,
                    n,
                    ["alice", "bob", "carol"][i % 3],
                    &long_comment(i),
                )
                .id
        })
        .collect();
    // Six runs woken by six comments, all seeing the body before any run wrote: each wants to
    // open part 1.
    run_at_once(&repo, n, &ids[104..]).await;
    assert_every_comment_once(&repo, n, 0..110);
    assert_under_github_limit(&repo, n);
    let parts = parts(&repo, n);
    let mut numbers: Vec<String> = parts
        .iter()
        .map(|p| {
            let line = p.body.lines().last().unwrap();
            line[..line.find(",\"entries\"").unwrap()].to_string()
        })
        .collect();
    let count = numbers.len();
    numbers.dedup();
    assert_eq!(numbers.len(), count, "one live comment per part number");
    let body = repo.body(n);
    for part in &parts {
        assert!(
            body.contains(&format!("#issuecomment-{})", part.id)),
            "{body}"
        );
    }
}

// ---- `firebreak timeline` ----

fn timeline_process(
    repo: &support::Repo,
    args: &[&str],
    token: Option<&str>,
) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = std::process::Command::new(support::binary());
    cmd.arg("timeline")
        .args(args)
        .current_dir(dir.path())
        .env_clear()
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_REPOSITORY", &repo.name);
    if let Some(token) = token {
        cmd.env("FIREBREAK_TOKEN", token);
    }
    cmd.output().expect("the binary runs")
}

#[tokio::test]
async fn timeline_command_prints_body_and_overflow_entries_as_markdown_and_json() {
    let repo = support::repo("timeline-cmd");
    let n = repo.incident("Export").await;
    long_comments(&repo, n, 0..120, 60).await;
    repo.comment(n, "bob", "/timeline -2d obs-bd backdated deploy")
        .await;
    assert!(!parts(&repo, n).is_empty(), "some entries are in overflow");

    let out = timeline_process(&repo, &[&n.to_string()], Some(support::TOKEN));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let markdown = String::from_utf8(out.stdout).unwrap();
    let rows: Vec<String> = markdown
        .lines()
        .filter(|l| l.starts_with("| 20"))
        .map(str::to_string)
        .collect();
    for i in 0..120 {
        assert_eq!(rows_with(&rows, &format!("obs-{i:03} ")), 1, "obs-{i:03}");
    }
    assert!(
        rows[0].contains("obs-bd backdated deploy"),
        "oldest first: {}",
        rows[0]
    );
    assert_eq!(rows.len(), rows_everywhere(&repo, n).len());

    let out = timeline_process(
        &repo,
        &[&n.to_string(), "--format", "json", "--repo", &repo.name],
        Some(support::TOKEN),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["issue"], n);
    let entries = json["entries"].as_array().unwrap();
    assert_eq!(entries.len(), rows.len());
    let times: Vec<&str> = entries.iter().map(|e| e["at"].as_str().unwrap()).collect();
    assert!(times.windows(2).all(|w| w[0] <= w[1]), "ordered by time");
    let obs_5 = entries
        .iter()
        .find(|e| e["text"].as_str().unwrap().starts_with("obs-005 "))
        .unwrap();
    assert_eq!(obs_5["kind"], "comment");
    assert_eq!(obs_5["by"], "carol");
    assert!(
        obs_5["url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("#issuecomment-{}", obs_5["comment"]))
    );
}

#[tokio::test]
async fn timeline_command_output_for_a_small_incident() {
    let repo = support::repo("timeline-small");
    let n = repo.incident("Small export").await;
    repo.comment(n, "bob", "Error rate is up | see <b>graph</b> @carol")
        .await;
    repo.comment(n, "alice", "/sev 1 customers affected").await;
    let out = timeline_process(&repo, &[&n.to_string()], Some(support::TOKEN));
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", "[time]");
    settings.add_filter(r"\[time\] [a-z0-9-]+`", "[time] [slug]`");
    settings.add_filter(
        r"http://127\.0\.0\.1:\d+/acme/[a-z0-9_-]+-\d+",
        "[repo-url]",
    );
    settings.add_filter(r"issues/\d+", "issues/[n]");
    settings.add_filter(r"issuecomment-\d+", "issuecomment-[id]");
    settings.bind(|| {
        insta::assert_snapshot!(
            "timeline_command_markdown",
            String::from_utf8(out.stdout).unwrap()
        )
    });
}

#[tokio::test]
async fn timeline_command_exit_codes() {
    let repo = support::repo("timeline-exit");
    let plain = repo.issue("bob", "Not an incident", "");
    let code = |args: &[&str], token| timeline_process(&repo, args, token).status.code();
    // Usage: not an incident, no token, not a number.
    assert_eq!(code(&[&plain.to_string()], Some(support::TOKEN)), Some(2));
    assert_eq!(code(&[&plain.to_string()], None), Some(2));
    assert_eq!(code(&["abc"], Some(support::TOKEN)), Some(2));
    // GitHub failure: no such issue.
    assert_eq!(code(&["99999"], Some(support::TOKEN)), Some(1));
    let out = timeline_process(&repo, &[&plain.to_string()], Some(support::TOKEN));
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("is not an incident"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[tokio::test]
async fn an_alert_firing_again_is_an_entry_and_keeps_the_overflow_links() {
    let repo = support::repo("alert-again");
    let dispatch = |title: &str| {
        serde_json::to_vec(&serde_json::json!({
            "action": "incident",
            "repository": {"full_name": repo.name},
            "client_payload": {"title": title, "severity": "1", "fingerprint": "db-3-disk"},
        }))
        .unwrap()
    };
    let first = repo
        .handle("repository_dispatch", &dispatch("Disk full on db-3"))
        .await
        .unwrap();
    let n = first.issue.unwrap();
    long_comments(&repo, n, 0..100, 50).await;
    let parts_before = parts(&repo, n);
    assert!(!parts_before.is_empty());
    let again = repo
        .handle("repository_dispatch", &dispatch("Disk 99% on db-3"))
        .await
        .unwrap();
    assert_eq!(again.issue, Some(n), "the same incident, no duplicate");
    let body = repo.body(n);
    assert_eq!(
        entry_count(&body, "Alert fired again: Disk 99% on db-3"),
        1,
        "{body}"
    );
    for part in &parts_before {
        assert!(
            body.contains(&format!("#issuecomment-{})", part.id)),
            "link kept"
        );
    }
    assert_every_comment_once(&repo, n, 0..100);
}

#[tokio::test]
async fn a_postmortem_drafted_after_overflow_holds_the_whole_timeline_and_the_body_keeps_its_links()
{
    let repo = support::repo("overflow-postmortem");
    let n = repo.incident("Long incident with a postmortem").await;
    long_comments(&repo, n, 0..300, 100).await;
    assert!(!parts(&repo, n).is_empty(), "the timeline overflowed");

    repo.comment(n, "alice", "/ic @bob").await;
    repo.comment(n, "bob", "/status mitigated").await;

    let state = firebreak::incident::section::Body::parse(&repo.body(n))
        .incident()
        .cloned()
        .unwrap();
    let pm = state.postmortem.expect("a postmortem");
    let file = repo
        .fake
        .file(
            &repo.name,
            pm.branch.as_deref().unwrap(),
            pm.path.as_deref().unwrap(),
        )
        .expect("the draft file");
    for i in [0, 150, 299] {
        let tag = format!("obs-{i:03} ");
        assert!(file.contains(&tag), "{tag} is in the draft");
    }
    let body = repo.body(n);
    assert!(body.contains("[part 1]("), "the body still links its parts");
    assert!(body.contains("### Postmortem"), "and mirrors the checklist");
    assert_under_github_limit(&repo, n);
    assert_every_comment_once(&repo, n, 0..300);
}

#[tokio::test]
async fn an_alert_entry_survives_a_run_that_wrote_the_body_from_an_older_read() {
    let repo = support::repo("alert-stale");
    let dispatch = |title: &str| {
        serde_json::to_vec(&serde_json::json!({
            "action": "incident",
            "repository": {"full_name": repo.name},
            "client_payload": {"title": title, "severity": "2", "fingerprint": "api-5xx"},
        }))
        .unwrap()
    };
    let n = repo
        .handle("repository_dispatch", &dispatch("5xx above 2% on api"))
        .await
        .unwrap()
        .issue
        .unwrap();
    let before_alert = repo.body(n);
    repo.handle("repository_dispatch", &dispatch("5xx above 5% on api"))
        .await
        .unwrap();
    // The alert says so where people look, once.
    let carriers: Vec<String> = repo
        .bot_comments(n)
        .into_iter()
        .filter(|c| c.contains("Alert fired again"))
        .collect();
    assert_eq!(carriers.len(), 1, "{carriers:#?}");
    let visible = carriers[0].lines().next().unwrap_or_default();
    support::stable().bind(|| insta::assert_snapshot!("alert_again_comment", visible));
    // A concurrent run that read the issue before the alert writes the body it computed.
    repo.fake.edit_issue_body(&repo.name, n, &before_alert);
    assert_eq!(entry_count(&repo.body(n), "5xx above 5%"), 0);
    // The next run, whatever woke it, puts the entry back.
    repo.comment(n, "bob", "Scaling the pool").await;
    assert_eq!(
        entry_count(&repo.body(n), "Alert fired again: 5xx above 5% on api"),
        1
    );
    let carriers = repo
        .bot_comments(n)
        .into_iter()
        .filter(|c| c.contains("Alert fired again"))
        .count();
    assert_eq!(carriers, 1, "no second comment");
}
