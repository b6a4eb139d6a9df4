//! `firebreak action` as a real process, driven only through the Action environment
//! (SPEC §8): outputs, job summary, annotations and exit codes.

use std::path::Path;
use std::process::Output;

use crate::support::{self, Repo, TOKEN};
use fake_github::payload;

struct Run {
    output: Output,
    outputs: String,
    summary: String,
}

impl Run {
    /// Fails the test with the process's stderr unless it exited 0.
    fn assert_success(&self) {
        assert!(
            self.output.status.success(),
            "{}",
            String::from_utf8_lossy(&self.output.stderr)
        );
    }
}

fn run_action(repo: &Repo, event: &str, payload: &[u8], workspace: &Path) -> Run {
    run_action_with(repo, event, payload, workspace, &[])
}

fn run_action_with(
    repo: &Repo,
    event: &str,
    payload: &[u8],
    workspace: &Path,
    args: &[&str],
) -> Run {
    let dir = tempfile::tempdir().unwrap();
    let event_path = dir.path().join("event.json");
    std::fs::write(&event_path, payload).unwrap();
    let out = dir.path().join("output");
    let summary = dir.path().join("summary");
    let output = std::process::Command::new(support::binary())
        .arg("action")
        .args(args)
        .env_clear()
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_EVENT_NAME", event)
        .env("GITHUB_EVENT_PATH", &event_path)
        .env("GITHUB_REPOSITORY", &repo.name)
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_GRAPHQL_URL", repo.fake.graphql_url())
        .env("GITHUB_SERVER_URL", "https://github.com")
        .env("GITHUB_OUTPUT", &out)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_TOKEN", TOKEN)
        .output()
        .expect("the binary runs");
    Run {
        output,
        outputs: std::fs::read_to_string(out).unwrap_or_default(),
        summary: std::fs::read_to_string(summary).unwrap_or_default(),
    }
}

fn workspace_with_config(config: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    if let Some(text) = config {
        std::fs::create_dir_all(dir.path().join(".github")).unwrap();
        std::fs::write(dir.path().join(".github/firebreak.yml"), text).unwrap();
    }
    dir
}

#[tokio::test]
async fn action_process_declares_and_writes_outputs_and_summary() {
    let repo = support::repo("process");
    let n = repo.issue("alice", "Disk full on db-3", "");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident sev1 Disk full on db-3");
    let ws = workspace_with_config(Some("timezone: Europe/Berlin\n"));
    let run = run_action(
        &repo,
        "issue_comment",
        &payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created"),
        ws.path(),
    );
    run.assert_success();
    assert_eq!(
        run.outputs,
        format!("incident-number={n}\nseverity=SEV1\nstatus=investigating\n")
    );
    assert!(
        run.summary.contains(&format!("#{n}")) && run.summary.contains("SEV1"),
        "{}",
        run.summary
    );
    assert!(
        repo.body(n).contains("Time (Europe/Berlin)"),
        "config read from the checkout"
    );
    // The config came from the checkout: no contents API call.
    assert!(!repo.calls().iter().any(|c| c.contains("/contents/")));
}

#[tokio::test]
async fn config_without_checkout_is_read_through_the_contents_api() {
    let repo = support::repo("contents-config");
    repo.fake.put_file(
        &repo.name,
        "main",
        ".github/firebreak.yml",
        "title_format: \"{severity} | {title}\"\n",
    );
    let n = repo.issue("alice", "Broken", "");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident sev3");
    let ws = workspace_with_config(None);
    let run = run_action(
        &repo,
        "issue_comment",
        &payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created"),
        ws.path(),
    );
    run.assert_success();
    assert_eq!(
        repo.fake.issue(&repo.name, n).unwrap().title,
        "SEV3 | Broken"
    );
}

#[tokio::test]
async fn bad_config_exits_2_naming_file_line_and_key_and_writes_nothing() {
    let repo = support::repo("bad-config");
    let n = repo.issue("alice", "Broken", "");
    let c = repo
        .fake
        .create_comment(&repo.name, n, "alice", "/incident");
    repo.clear_requests();
    let ws = workspace_with_config(Some("timezone: UTC\nseverites: []\n"));
    let run = run_action(
        &repo,
        "issue_comment",
        &payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created"),
        ws.path(),
    );
    assert_eq!(run.output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(
        stderr.contains("firebreak.yml:2") && stderr.contains("severites"),
        "{stderr}"
    );
    let stdout = String::from_utf8_lossy(&run.output.stdout);
    assert!(stdout.contains("::error::"), "{stdout}");
    assert!(repo.calls().is_empty(), "{:?}", repo.calls());
}

#[tokio::test]
async fn malformed_payload_exits_2_and_writes_nothing() {
    let repo = support::repo("malformed");
    let ws = workspace_with_config(None);
    repo.clear_requests();
    let run = run_action(
        &repo,
        "issue_comment",
        br#"{"action":"created","issue":{"number":"one"}}"#,
        ws.path(),
    );
    assert_eq!(run.output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&run.output.stderr);
    assert!(stderr.contains("malformed at `"), "{stderr}");
    assert!(repo.calls().is_empty());
}

#[tokio::test]
async fn missing_environment_exits_2_naming_the_variable() {
    let output = std::process::Command::new(support::binary())
        .arg("action")
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(output.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&output.stderr).contains("GITHUB_EVENT_NAME"));
}

#[tokio::test]
async fn github_failure_exits_1_and_a_rerun_completes_without_duplicates() {
    let repo = support::repo("rerun");
    let n = repo.incident("Flaky").await;
    let c = repo.fake.create_comment(&repo.name, n, "bob", "/sev 4");
    // The reply is created but GitHub answers 502: the run fails loudly.
    repo.fake.inject(fake_github::Fault {
        method: Some(http::Method::POST),
        path_contains: format!("/repos/{}/issues/{n}/comments", repo.name),
        kind: fake_github::FaultKind::ApplyThenStatus(502),
        times: 1,
    });
    let ws = workspace_with_config(None);
    let payload = payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created");
    let run = run_action(&repo, "issue_comment", &payload, ws.path());
    assert_eq!(
        run.output.status.code(),
        Some(1),
        "{}",
        String::from_utf8_lossy(&run.output.stderr)
    );
    let run = run_action(&repo, "issue_comment", &payload, ws.path());
    run.assert_success();
    assert_eq!(
        repo.bot_comments(n).len(),
        1,
        "the rerun found the reply by its marker"
    );
    assert!(repo.body(n).contains("/sev 4"), "the comment has its entry");
}

#[tokio::test]
async fn action_process_opens_an_action_item_exits_1_on_an_ambiguous_create_and_the_rerun_completes()
 {
    let repo = support::repo("process-action");
    let n = repo.incident("Queue stuck").await;
    let c = repo.fake.create_comment(
        &repo.name,
        n,
        "alice",
        "/action Alert on queue age @bob P1 detect",
    );
    let event = payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created");
    let ws = workspace_with_config(None);
    repo.fake.inject(fake_github::Fault {
        method: Some(http::Method::POST),
        path_contains: format!("{}/issues", repo.name),
        kind: fake_github::FaultKind::Status(502),
        times: 1,
    });
    let failed = run_action(&repo, "issue_comment", &event, ws.path());
    assert_eq!(failed.output.status.code(), Some(1));
    let stdout = String::from_utf8_lossy(&failed.output.stdout);
    assert!(
        stdout.contains("::error::") && stdout.contains("re-run to finish"),
        "{stdout}"
    );

    let rerun = run_action(&repo, "issue_comment", &event, ws.path());
    rerun.assert_success();
    let items: Vec<_> = repo
        .fake
        .issue_numbers(&repo.name)
        .into_iter()
        .filter_map(|i| repo.fake.issue(&repo.name, i))
        .filter(|i| i.labels.iter().any(|l| l == "action-item"))
        .collect();
    assert_eq!(items.len(), 1, "{items:#?}");
    assert_eq!(items[0].parent, Some(n));
    assert!(
        rerun
            .summary
            .contains(&format!("opened action item #{}", items[0].number)),
        "{}",
        rerun.summary
    );
}

#[tokio::test]
async fn action_dry_run_prints_every_planned_write_and_makes_none() {
    let repo = support::repo("process-dry");
    let n = repo.incident("Queue stuck").await;
    let c = repo.fake.create_comment(
        &repo.name,
        n,
        "alice",
        "/sev 1 all regions\n/ic @bob\n/action Alert on queue age @carol P1 detect",
    );
    let event = payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created");
    let ws = workspace_with_config(None);
    repo.clear_requests();
    let body = repo.body(n);

    let markdown = run_action_with(&repo, "issue_comment", &event, ws.path(), &["--dry-run"]);
    markdown.assert_success();
    let json = run_action_with(
        &repo,
        "issue_comment",
        &event,
        ws.path(),
        &["--dry-run", "--format", "json"],
    );
    json.assert_success();

    assert!(
        repo.calls().iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        repo.calls()
    );
    assert_eq!(repo.body(n), body, "nothing was written");
    assert!(
        markdown.outputs.is_empty() && markdown.summary.is_empty(),
        "a dry run writes no outputs"
    );
    let report: serde_json::Value = serde_json::from_slice(&json.output.stdout).unwrap();
    let ops: Vec<&str> = report["plans"][0]["writes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|w| w["op"].as_str().unwrap())
        .collect();
    assert_eq!(
        ops,
        [
            "add_labels",
            "remove_label",
            "assign",
            "open_action_item",
            "attach_sub_issue",
            "react",
            "edit_issue"
        ]
    );
    let mut settings = support::stable();
    settings.add_filter(r"\bc\d+\.(\d+)\b", "c[id].$1");
    settings.add_filter(r"comment \d+", "comment [id]");
    settings.bind(|| {
        insta::assert_snapshot!(
            "action_dry_run",
            String::from_utf8_lossy(&markdown.output.stdout)
        );
    });
}

#[tokio::test]
async fn sweep_and_declare_dry_runs_write_nothing() {
    let repo = support::repo("process-dry-sweep");
    let n = repo.incident("Queue stuck").await;
    repo.fake
        .create_comment(&repo.name, n, "bob", "A comment whose event was lost");
    repo.clear_requests();
    let cli = |args: &[&str]| {
        std::process::Command::new(support::binary())
            .args(args)
            .env_clear()
            .env("GITHUB_REPOSITORY", &repo.name)
            .env("GITHUB_API_URL", &repo.api_url)
            .env("FIREBREAK_TOKEN", TOKEN)
            .current_dir(std::env::temp_dir())
            .output()
            .expect("the binary runs")
    };
    let sweep = cli(&["sweep", "--dry-run"]);
    assert!(
        sweep.status.success(),
        "{}",
        String::from_utf8_lossy(&sweep.stderr)
    );
    let sweep = String::from_utf8_lossy(&sweep.stdout);
    assert!(sweep.contains(&format!("### #{n}")), "{sweep}");
    assert!(sweep.contains("write #1: body"), "{sweep}");
    let declare = cli(&[
        "declare",
        "--dry-run",
        "--format",
        "json",
        "--title",
        "Error rate above 5%",
        "--sev",
        "1",
    ]);
    assert!(
        declare.status.success(),
        "{}",
        String::from_utf8_lossy(&declare.stderr)
    );
    let report: serde_json::Value = serde_json::from_slice(&declare.stdout).unwrap();
    assert_eq!(report["plans"][0]["writes"][0]["op"], "open_incident");
    assert_eq!(
        report["plans"][0]["writes"][0]["title"],
        "[SEV1] Error rate above 5%"
    );
    assert!(
        repo.calls().iter().all(|c| c.starts_with("GET ")),
        "{:?}",
        repo.calls()
    );
    assert_eq!(repo.fake.issue_numbers(&repo.name), [n]);
}

#[tokio::test]
async fn no_text_people_wrote_forms_a_workflow_command_in_the_actions_log() {
    let repo = support::repo("process-commands");
    let n = repo.incident("Queue stuck").await;
    // Comments whose lines would be workflow commands, by a responder and by an outsider.
    let lines = "::stop-commands::pwned\n  ::add-mask::secret\n/sev 1 ::error::x\n::error::fake";
    let ws = workspace_with_config(None);
    for author in ["alice", "mallory"] {
        let c = repo.fake.create_comment(&repo.name, n, author, lines);
        let event = payload::issue_comment(&repo.fake, &repo.name, n, c.id, "created");
        for args in [&["--dry-run"][..], &["--dry-run", "--format", "json"], &[]] {
            let run = run_action_with(&repo, "issue_comment", &event, ws.path(), args);
            run.assert_success();
            let stdout = String::from_utf8_lossy(&run.output.stdout);
            let stderr = String::from_utf8_lossy(&run.output.stderr);
            for line in stdout.lines().chain(stderr.lines()) {
                assert!(
                    !line.trim_start().starts_with("::"),
                    "a workflow command ({author}, {args:?}): {line}"
                );
            }
        }
    }
}
