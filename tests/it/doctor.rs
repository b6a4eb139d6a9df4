//! `firebreak doctor` end to end: the real binary against the in-memory GitHub, one broken
//! setup per check, asserting the line (and the fix) it prints and the exit code.

use std::path::Path;
use std::process::Command;

use fake_github::{BranchProtection, UserKind};
use firebreak::config::Config;
use firebreak::init::{ISSUE_FORM, ISSUE_FORM_PATH, STARTER_CONFIG, WORKFLOW, WORKFLOW_PATH};

use crate::support::{self, Repo, TOKEN};

/// What one doctor run printed.
struct Run {
    code: i32,
    stdout: String,
    stderr: String,
}

impl Run {
    /// The line of `check`, which must be there exactly once.
    fn line(&self, check: &str) -> &str {
        let found: Vec<&str> = self
            .stdout
            .lines()
            .filter(|l| l[5..].trim_start().starts_with(&format!("{check}:")))
            .collect();
        assert_eq!(found.len(), 1, "one `{check}` line in:\n{}", self.stdout);
        found[0]
    }
}

/// Runs `firebreak doctor` for `repo` as the workflow would: token and repository from the
/// environment, `cwd` as the checkout.
fn doctor_in(repo: &Repo, token: &str, cwd: &Path, env: &[(&str, &str)], args: &[&str]) -> Run {
    let out = Command::new(support::binary())
        .arg("doctor")
        .args(args)
        .current_dir(cwd)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_GRAPHQL_URL", repo.fake.graphql_url())
        .env("GITHUB_REPOSITORY", &repo.name)
        .env("FIREBREAK_TOKEN", token)
        .envs(env.iter().copied())
        .output()
        .expect("the binary runs");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&out.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

/// Runs the doctor from an empty directory: every file comes through the contents API.
fn doctor(repo: &Repo, token: &str) -> Run {
    let empty = tempfile::tempdir().unwrap();
    doctor_in(repo, token, empty.path(), &[], &[])
}

/// A repository set up as `firebreak init` and a first run leave it: config, workflow and
/// issue form on the default branch, every label present.
fn set_up(test: &str) -> Repo {
    let repo = support::repo(test);
    for (path, text) in [
        (firebreak::config::CONFIG_PATH, STARTER_CONFIG),
        (WORKFLOW_PATH, WORKFLOW),
        (ISSUE_FORM_PATH, ISSUE_FORM),
    ] {
        repo.fake.put_file(&repo.name, "main", path, text);
    }
    for label in firebreak::engine::all_labels(&Config::default()) {
        repo.fake.add_label(
            &repo.name,
            &label.name,
            &label.color,
            label.description.as_deref(),
        );
    }
    repo
}

#[test]
fn a_repository_set_up_by_init_passes_every_check_and_exits_0() {
    let repo = set_up("doctor-healthy");
    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 0, "{}{}", run.stdout, run.stderr);
    assert!(!run.stdout.contains("fix:"), "{}", run.stdout);
    support::stable().bind(|| insta::assert_snapshot!("doctor_healthy", run.stdout));
}

#[test]
fn a_token_whose_account_can_only_read_gets_a_fix_and_exit_1() {
    let repo = set_up("doctor-read-token");
    repo.fake.add_user("rita", UserKind::User);
    repo.fake.set_token("rita-token", "rita");
    repo.fake.set_permission(&repo.name, "rita", "read");
    let run = doctor(&repo, "rita-token");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line = run.line("token");
    assert!(line.starts_with("fix:"), "{line}");
    assert!(
        line.contains("its account has only read access to")
            && line.contains("Fix: give the account write access"),
        "{line}"
    );
    assert!(
        run.stderr
            .contains("checks need a fix (the lines starting with `fix:`)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_classic_token_without_the_repo_scope_gets_a_fix_though_its_account_may_write() {
    let repo = set_up("doctor-classic-token");
    repo.fake.set_token("classic-token", "carol");
    repo.fake
        .set_token_scopes("classic-token", &["read:org", "gist"]);
    let run = doctor(&repo, "classic-token");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.line("token"),
        format!(
            "fix:  token: it is a classic token with the scopes [read:org, gist], without `repo` or `public_repo`, so GitHub refuses its writes to {}. Fix: give it the repo scope (`gh auth refresh --scopes repo` for the GitHub CLI's token) or use a fine-grained token",
            repo.name
        )
    );
    // With the scope, the same token passes.
    repo.fake
        .set_token_scopes("classic-token", &["repo", "read:org"]);
    let run = doctor(&repo, "classic-token");
    assert!(run.line("token").starts_with("ok"), "{}", run.stdout);
}

#[test]
fn a_repository_the_token_cannot_see_is_a_token_fix_and_the_rest_is_skipped() {
    let repo = set_up("doctor-no-repo");
    let empty = tempfile::tempdir().unwrap();
    let run = doctor_in(
        &repo,
        TOKEN,
        empty.path(),
        &[],
        &["--repo", "acme/does-not-exist"],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line = run.line("token");
    assert!(
        line.starts_with("fix:  token: the token cannot see acme/does-not-exist (GitHub answered 404). Fix: check --repo or GITHUB_REPOSITORY"),
        "{line}"
    );
    for check in ["labels", "workflow", "issue form", "branch protection"] {
        assert!(run.line(check).starts_with("skip:"), "{}", run.stdout);
    }
    support::stable().bind(|| insta::assert_snapshot!("doctor_no_repo", run.stdout));
}

#[test]
fn missing_labels_are_named_with_the_command_that_creates_them() {
    let repo = support::repo("doctor-labels");
    for (path, text) in [(WORKFLOW_PATH, WORKFLOW), (ISSUE_FORM_PATH, ISSUE_FORM)] {
        repo.fake.put_file(&repo.name, "main", path, text);
    }
    repo.fake.add_label(&repo.name, "incident", "b60205", None);
    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 1);
    let line = run.line("labels");
    assert!(
        line.starts_with("fix:  labels: 20 of 21 are missing: sev:1, sev:2"),
        "{line}"
    );
    assert!(
        line.contains(r#"gh label create "sev:1" --color b60205 --description "SEV1: Critical"#),
        "{line}"
    );
    assert!(!line.contains("missing: incident"), "{line}");
}

#[test]
fn a_broken_config_is_named_by_file_line_and_key() {
    let repo = set_up("doctor-config");
    let broken = STARTER_CONFIG.replace("ack_timeout: 5m ", "ack_timeout: 5 mins");
    repo.fake
        .put_file(&repo.name, "main", firebreak::config::CONFIG_PATH, &broken);
    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 1);
    let line = run.line("config");
    assert!(
        regex::Regex::new(r"^fix:  config: \.github/firebreak\.yml:\d+:\d+: severities\[0\]\.ack_timeout: invalid duration")
            .unwrap()
            .is_match(line),
        "{line}"
    );
    assert!(line.contains("Fix: correct it (`firebreak config check` checks a file)"));
}

#[test]
fn a_workflow_missing_the_schedule_and_write_permissions_gets_two_fixes() {
    let repo = set_up("doctor-workflow");
    let broken = WORKFLOW
        .replace("  schedule:\n", "")
        .replace("    - cron: \"*/10 * * * *\"\n", "")
        .replace("contents: write        #", "contents: read         #");
    assert_ne!(broken, WORKFLOW);
    // Read from the checkout: the file there wins over the default branch.
    let checkout = tempfile::tempdir().unwrap();
    let path = checkout.path().join(WORKFLOW_PATH);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(&path, broken).unwrap();
    let run = doctor_in(&repo, TOKEN, checkout.path(), &[], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let triggers = run.line("workflow triggers");
    assert!(
        triggers.starts_with("fix:  workflow triggers: .github/workflows/firebreak.yml does not run on schedule (the sweep: lost events caught up, due-date reminders). Fix: add them under `on:`"),
        "{triggers}"
    );
    let permissions = run.line("workflow permissions");
    assert!(
        permissions.starts_with("fix:  workflow permissions: job `firebreak` in .github/workflows/firebreak.yml lacks contents: write (postmortem files and the index). Fix: set `permissions: { issues: write, pull-requests: write, contents: write }`"),
        "{permissions}"
    );
}

#[test]
fn no_workflow_running_firebreak_is_a_fix() {
    let repo = set_up("doctor-no-workflow");
    repo.fake.put_file(
        &repo.name,
        "main",
        WORKFLOW_PATH,
        "on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: make\n",
    );
    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 1);
    assert_eq!(
        run.line("workflow"),
        "fix:  workflow: no workflow in .github/workflows (default branch) runs Firebreak, so no event reaches it. Fix: `firebreak init` writes .github/workflows/firebreak.yml; commit it to the default branch"
    );
}

#[test]
fn a_missing_issue_form_is_a_fix() {
    let repo = support::repo("doctor-form");
    repo.fake
        .put_file(&repo.name, "main", WORKFLOW_PATH, WORKFLOW);
    for label in firebreak::engine::all_labels(&Config::default()) {
        repo.fake
            .add_label(&repo.name, &label.name, &label.color, None);
    }
    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.line("issue form"),
        "fix:  issue form: there is no .github/ISSUE_TEMPLATE/incident.yml, so people declare incidents only with `/incident`. Fix: `firebreak init` writes one; commit it to the default branch"
    );
    assert!(run.line("config").starts_with("ok"), "no config is fine");
}

#[test]
fn a_default_branch_requiring_reviews_blocks_the_postmortem_index() {
    let repo = set_up("doctor-protected");
    repo.fake.protect_branch(
        &repo.name,
        "main",
        Some(BranchProtection {
            required_approving_reviews: Some(1),
            required_status_checks: vec!["ci".into()],
            ..BranchProtection::default()
        }),
    );
    // alice is an admin: her token may read the rules.
    repo.fake.set_token("alice-token", "alice");
    let run = doctor(&repo, "alice-token");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.line("branch protection"),
        "fix:  branch protection: main requires pull request reviews and status checks, so the commit that adds a merged postmortem to docs/postmortems/README.md is refused. Fix: let the token's account or app bypass these rules (\"Allow specified actors to bypass\" in the branch protection, or a ruleset bypass actor)"
    );
}

#[test]
fn protection_rules_the_token_may_not_read_are_skipped_with_what_to_check() {
    let repo = set_up("doctor-protected-unreadable");
    repo.fake.protect_branch(
        &repo.name,
        "main",
        Some(BranchProtection {
            required_approving_reviews: Some(1),
            ..BranchProtection::default()
        }),
    );
    // The bot token (like the workflow's GITHUB_TOKEN) lacks the administration permission.
    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 0, "a skip alone is not a failure: {}", run.stdout);
    assert_eq!(
        run.line("branch protection"),
        "skip: branch protection: main is protected and its rules need admin rights to read (GitHub answered 403); check by hand that the token's account or app may push to main, or adding merged postmortems to docs/postmortems/README.md will be refused"
    );
    assert!(
        run.stdout
            .ends_with("All 7 checks passed; 1 could not be checked (skip:).\n"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_configured_board_needs_a_board_token_that_reaches_it() {
    let repo = set_up("doctor-board");
    let number = 3;
    repo.fake.add_user("acme", UserKind::Organization);
    repo.fake.add_project("acme", number, "Incidents");
    repo.fake.share_project("acme", number, "alice");
    repo.fake.set_token("board-alice", "alice");
    repo.fake.set_token("board-mallory", "mallory");
    repo.fake.set_token("ghs_workflow", "github-actions[bot]");
    let config = STARTER_CONFIG.replace("board: null", "board: { owner: acme, number: 3 }");
    assert_ne!(config, STARTER_CONFIG);
    repo.fake
        .put_file(&repo.name, "main", firebreak::config::CONFIG_PATH, &config);

    let run = doctor(&repo, TOKEN);
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert_eq!(
        run.line("board token"),
        "fix:  board token: board: names project 3 of acme, but FIREBREAK_BOARD_TOKEN is not set. Fix: create a fine-grained token with Projects read and write on acme and pass it to the workflow step as FIREBREAK_BOARD_TOKEN (the action's board-token input); the workflow's GITHUB_TOKEN cannot reach Projects"
    );

    let empty = tempfile::tempdir().unwrap();
    let with = |token: &str| {
        doctor_in(
            &repo,
            TOKEN,
            empty.path(),
            &[("FIREBREAK_BOARD_TOKEN", token)],
            &[],
        )
    };
    let run = with("board-alice");
    assert_eq!(run.code, 0, "{}", run.stdout);
    assert_eq!(
        run.line("board token"),
        "ok    board token: FIREBREAK_BOARD_TOKEN reaches project 3 of acme (3 fields, 0 items)"
    );
    assert!(
        !run.stdout.contains("board-alice"),
        "the token is never printed"
    );

    // The project is not shared with mallory: GitHub does not say it exists.
    let run = with("board-mallory");
    assert_eq!(run.code, 1, "{}", run.stdout);
    let line = run.line("board token");
    assert!(
        line.starts_with("fix:  board token: FIREBREAK_BOARD_TOKEN cannot reach project 3 of acme: GitHub answered NOT_FOUND"),
        "{line}"
    );
    assert!(line.ends_with("Fix: check board.owner and board.number, and that the project is shared with the token's owner"), "{line}");

    // The workflow's own token is refused as GitHub refuses it.
    let run = with("ghs_workflow");
    assert_eq!(run.code, 1, "{}", run.stdout);
    assert!(
        run.line("board token")
            .contains("GitHub answered FORBIDDEN"),
        "{}",
        run.stdout
    );
}

#[test]
fn without_a_token_the_doctor_is_a_usage_error() {
    let repo = support::repo("doctor-usage");
    let out = Command::new(support::binary())
        .arg("doctor")
        .env_clear()
        .env("GITHUB_REPOSITORY", &repo.name)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr).trim(),
        "firebreak: no token: set FIREBREAK_TOKEN or GITHUB_TOKEN"
    );
}
