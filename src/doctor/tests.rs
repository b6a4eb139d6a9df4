use super::*;
use crate::config::Config;
use crate::init::{ISSUE_FORM, WORKFLOW};

fn verdicts(findings: &[Finding]) -> Vec<(Verdict, &str)> {
    findings
        .iter()
        .map(|f| (f.verdict, f.check.as_str()))
        .collect()
}

#[test]
fn the_workflow_init_writes_passes_both_workflow_checks() {
    let findings = workflow::check(".github/workflows/firebreak.yml", WORKFLOW)
        .expect("init's workflow runs Firebreak");
    assert_eq!(
        verdicts(&findings),
        [
            (Verdict::Ok, "workflow triggers"),
            (Verdict::Ok, "workflow permissions")
        ],
        "{findings:#?}"
    );
}

#[test]
fn a_workflow_without_firebreak_is_not_checked() {
    let text = "on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: cargo test\n";
    assert_eq!(workflow::check("ci.yml", text), None);
}

#[test]
fn missing_events_and_types_are_named_with_what_they_are_for() {
    let text = "on:\n  issues:\n    types: [opened]\n  issue_comment:\npermissions: write-all\njobs:\n  f:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: firebreak-dev/firebreak@v1\n";
    let findings = workflow::check("w.yml", text).unwrap();
    let triggers = &findings[0];
    assert_eq!(triggers.verdict, Verdict::Fix);
    for needle in [
        "issues types edited, labeled, unlabeled, closed, reopened, assigned, unassigned",
        "pull_request (postmortem drafts and their merge)",
        "pull_request_review (postmortem approvals)",
        "schedule (the sweep",
    ] {
        assert!(triggers.text.contains(needle), "{}", triggers.text);
    }
    assert!(!triggers.text.contains("issue_comment"), "all types: fine");
    assert_eq!(findings[1].verdict, Verdict::Ok, "write-all grants all");
}

#[test]
fn a_job_permissions_block_replaces_the_workflows() {
    let text = "on: [issues, issue_comment, pull_request, pull_request_review, schedule]\npermissions:\n  issues: write\n  pull-requests: write\n  contents: write\njobs:\n  f:\n    runs-on: ubuntu-latest\n    permissions:\n      issues: write\n    steps:\n      - run: firebreak action\n";
    let findings = workflow::check("w.yml", text).unwrap();
    assert_eq!(findings[0].verdict, Verdict::Ok, "{findings:#?}");
    let permissions = &findings[1];
    assert_eq!(permissions.verdict, Verdict::Fix);
    assert!(
        permissions.text.starts_with(
            "job `f` in w.yml lacks pull-requests: write (postmortem drafts and checklists), contents: write (postmortem files and the index)"
        ),
        "{}",
        permissions.text
    );
}

#[test]
fn no_permissions_at_all_means_the_repository_default() {
    let text = "on: [issues]\njobs:\n  f:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: acme/firebreak@0123456789abcdef0123456789abcdef01234567\n";
    let findings = workflow::check("w.yml", text).unwrap();
    assert_eq!(findings[1].verdict, Verdict::Fix);
    assert!(
        findings[1]
            .text
            .contains("repository's default token permissions")
    );
}

#[test]
fn the_issue_form_init_writes_passes() {
    let finding = form::check("f.yml", Some(ISSUE_FORM), &Config::default());
    assert_eq!(finding.verdict, Verdict::Ok, "{finding:?}");
}

#[test]
fn an_issue_form_offering_unknown_severities_is_a_fix() {
    let form = ISSUE_FORM.replace("- SEV4", "- Catastrophic");
    let finding = form::check("f.yml", Some(&form), &Config::default());
    assert_eq!(finding.verdict, Verdict::Fix);
    assert!(
        finding.text.contains("offers Catastrophic"),
        "{}",
        finding.text
    );
}

#[test]
fn an_issue_form_without_the_incident_label_is_a_fix() {
    let form = ISSUE_FORM.replace("labels: [incident]", "labels: [bug]");
    let finding = form::check("f.yml", Some(&form), &Config::default());
    assert_eq!(finding.verdict, Verdict::Fix);
    assert!(
        finding.text.contains("labels: [incident]"),
        "{}",
        finding.text
    );
}

#[test]
fn the_report_ends_with_a_count_only_when_healthy() {
    let mut report = Report {
        repo: "a/b".into(),
        findings: vec![Finding::ok("token", "fine"), Finding::skip("x", "unknown")],
    };
    assert!(report.result().is_ok());
    assert!(
        report
            .render()
            .ends_with("All 1 checks passed; 1 could not be checked (skip:).\n")
    );
    report.findings.push(Finding::fix("labels", "missing"));
    let err = report.result().unwrap_err();
    assert_eq!(
        err.to_string(),
        "1 of 3 checks need a fix (the lines starting with `fix:`)"
    );
}

#[test]
fn this_repositorys_own_workflow_runs_firebreak_with_what_it_needs() {
    let text = include_str!("../../.github/workflows/firebreak.yml");
    let findings = workflow::check(".github/workflows/firebreak.yml", text)
        .expect("`uses: ./` runs the action of the repository");
    assert_eq!(
        verdicts(&findings),
        [
            (Verdict::Ok, "workflow triggers"),
            (Verdict::Ok, "workflow permissions")
        ],
        "{findings:#?}"
    );
}
