//! The workflow check: which workflow runs Firebreak, on which events, with which
//! permissions. Pure: workflow text in, findings out.

use serde_json::Value;

use super::Finding;

/// Events Firebreak needs, the activity types it handles, and what goes missing without them.
pub const TRIGGERS: &[(&str, &[&str], &str)] = &[
    (
        "issues",
        &[
            "opened",
            "edited",
            "labeled",
            "unlabeled",
            "closed",
            "reopened",
            "assigned",
            "unassigned",
        ],
        "declaring by label or issue form, hand-made changes",
    ),
    (
        "issue_comment",
        &["created", "edited", "deleted"],
        "slash commands and the timeline",
    ),
    (
        "pull_request",
        &["opened", "edited", "synchronize", "closed", "reopened"],
        "postmortem drafts and their merge",
    ),
    (
        "pull_request_review",
        &["submitted", "dismissed"],
        "postmortem approvals",
    ),
    (
        "schedule",
        &[],
        "the sweep: lost events caught up, due-date reminders",
    ),
];

/// Permissions the workflow's token needs, and what for.
pub const PERMISSIONS: &[(&str, &str)] = &[
    ("issues", "incidents, labels, comments"),
    ("pull-requests", "postmortem drafts and checklists"),
    ("contents", "postmortem files and the index"),
];

/// Whether a workflow step runs Firebreak: the action (`<owner>/firebreak@<ref>`, or `./` in
/// Firebreak's own repository) or the binary (`firebreak action`).
fn runs_firebreak(step: &Value) -> bool {
    let uses = step.get("uses").and_then(Value::as_str).unwrap_or("");
    let run = step.get("run").and_then(Value::as_str).unwrap_or("");
    let action = uses
        .split('@')
        .next()
        .is_some_and(|name| name.rsplit('/').next() == Some("firebreak") && name.contains('/'));
    action || matches!(uses.trim_end_matches('/'), "." | "$") || run.contains("firebreak action")
}

/// The jobs of a workflow that run Firebreak, by name.
fn firebreak_jobs(workflow: &Value) -> Vec<(&str, &Value)> {
    let Some(jobs) = workflow.get("jobs").and_then(Value::as_object) else {
        return Vec::new();
    };
    jobs.iter()
        .filter(|(_, job)| {
            job.get("steps")
                .and_then(Value::as_array)
                .is_some_and(|steps| steps.iter().any(runs_firebreak))
        })
        .map(|(name, job)| (name.as_str(), job))
        .collect()
}

/// Findings for one workflow file, or `None` when it does not run Firebreak.
pub fn check(path: &str, text: &str) -> Option<Vec<Finding>> {
    let workflow: Value = match serde_saphyr::from_str(text) {
        Ok(v) => v,
        Err(e) if text.contains("firebreak") => {
            let first = e.to_string();
            let first = first.lines().next().unwrap_or("");
            return Some(vec![Finding::fix(
                "workflow",
                format!(
                    "{path} is not valid YAML ({first}); GitHub will not run it. Fix the file, then run `actionlint {path}`"
                ),
            )]);
        }
        Err(_) => return None,
    };
    let jobs = firebreak_jobs(&workflow);
    if jobs.is_empty() {
        return None;
    }
    let mut findings = vec![triggers(path, &workflow)];
    for (name, job) in jobs {
        findings.push(permissions(path, name, &workflow, job));
    }
    Some(findings)
}

/// The events of `on:` with their activity types (`None`: every type).
fn events(workflow: &Value) -> Vec<(String, Option<Vec<String>>)> {
    // YAML 1.1 readers turn `on` into `true`; serde-saphyr reads YAML 1.2, but accept both.
    let on = workflow
        .get("on")
        .or_else(|| workflow.get("true"))
        .cloned()
        .unwrap_or(Value::Null);
    match on {
        Value::String(event) => vec![(event, None)],
        Value::Array(list) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|e| (e.to_string(), None))
            .collect(),
        Value::Object(map) => map
            .into_iter()
            .map(|(event, config)| {
                let types = match config.get("types") {
                    Some(Value::Array(types)) => Some(
                        types
                            .iter()
                            .filter_map(Value::as_str)
                            .map(str::to_string)
                            .collect(),
                    ),
                    Some(Value::String(one)) => Some(vec![one.clone()]),
                    _ => None,
                };
                (event, types)
            })
            .collect(),
        _ => Vec::new(),
    }
}

fn triggers(path: &str, workflow: &Value) -> Finding {
    let events = events(workflow);
    let mut missing = Vec::new();
    for (event, types, why) in TRIGGERS {
        match events.iter().find(|(e, _)| e == event) {
            None => missing.push(format!("{event} ({why})")),
            Some((_, Some(listed))) => {
                let absent: Vec<&str> = types
                    .iter()
                    .copied()
                    .filter(|t| !listed.iter().any(|l| l == t))
                    .collect();
                if !absent.is_empty() {
                    missing.push(format!("{event} types {} ({why})", absent.join(", ")));
                }
            }
            Some((_, None)) => {}
        }
    }
    if missing.is_empty() {
        let names: Vec<&str> = TRIGGERS.iter().map(|(e, _, _)| *e).collect();
        Finding::ok(
            "workflow triggers",
            format!("{path} runs on {}", names.join(", ")),
        )
    } else {
        Finding::fix(
            "workflow triggers",
            format!(
                "{path} does not run on {}. Fix: add them under `on:` as in the workflow `firebreak init` writes",
                missing.join("; ")
            ),
        )
    }
}

fn permissions(path: &str, job_name: &str, workflow: &Value, job: &Value) -> Finding {
    let check = "workflow permissions";
    let fix_block = "`permissions: { issues: write, pull-requests: write, contents: write }`";
    // A job's `permissions` replaces the workflow's entirely.
    let (granted, level) = match (job.get("permissions"), workflow.get("permissions")) {
        (Some(p), _) => (p, format!("job `{job_name}`")),
        (None, Some(p)) => (p, "the workflow".to_string()),
        (None, None) => {
            return Finding::fix(
                check,
                format!(
                    "{path} sets no permissions, so job `{job_name}` gets the repository's default token permissions (read-only in most organizations). Fix: add {fix_block} to the job"
                ),
            );
        }
    };
    let needs: Vec<&str> = match granted {
        Value::String(all) if all == "write-all" => Vec::new(),
        Value::Object(map) => PERMISSIONS
            .iter()
            .map(|(name, _)| *name)
            .filter(|name| map.get(*name).and_then(Value::as_str) != Some("write"))
            .collect(),
        _ => PERMISSIONS.iter().map(|(name, _)| *name).collect(),
    };
    if needs.is_empty() {
        return Finding::ok(
            check,
            format!("{level} in {path} grants issues, pull-requests and contents write"),
        );
    }
    let why: Vec<String> = needs
        .iter()
        .map(|name| {
            let what = PERMISSIONS
                .iter()
                .find(|(n, _)| n == name)
                .map_or("", |(_, w)| *w);
            format!("{name}: write ({what})")
        })
        .collect();
    Finding::fix(
        check,
        format!(
            "{level} in {path} lacks {}. Fix: set {fix_block} on job `{job_name}`",
            why.join(", ")
        ),
    )
}
