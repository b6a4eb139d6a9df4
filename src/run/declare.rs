//! Declaring from outside an issue: `firebreak declare` and `repository_dispatch` of type
//! `incident` (alert hooks). An open incident with the same fingerprint gets a timeline entry
//! instead of a duplicate; otherwise a new incident issue is opened.

use chrono::{DateTime, Utc};

use super::{Mode, Outcome, Start, apply, gather, run_issue};
use crate::config::Config;
use crate::engine::declare::{self as decision, Request};
use crate::engine::{Facts, LABEL_INCIDENT, Trigger};
use crate::event::Issue;
use crate::github::GitHub;
use crate::incident::section::Body;

/// Opens the incident (or records a repeat of an open one with the same fingerprint).
pub async fn declare(
    github: &GitHub,
    config: &Config,
    request: &Request,
    now: DateTime<Utc>,
    mode: Mode,
) -> anyhow::Result<Outcome> {
    let severity =
        decision::severity_of(config, request.severity.as_deref()).map_err(crate::UsageError)?;
    if let Some(fingerprint) = &request.fingerprint
        && let Some(existing) = find_by_fingerprint(github, fingerprint).await?
    {
        // Through the run, like every other change: the timeline may overflow, and comments
        // not yet seen are caught up on the way.
        let trigger = Trigger::Entry(request.repeat_entry(now));
        let outcome = run_issue(
            github,
            config,
            Start::Fresh(existing.clone()),
            trigger,
            now,
            mode,
            Facts::default(),
        )
        .await?;
        let mut notes = vec![format!(
            "#{} already tracks fingerprint `{fingerprint}`: added a timeline entry",
            existing.number
        )];
        notes.extend(outcome.notes);
        return Ok(Outcome { notes, ..outcome });
    }
    let mut facts = Facts::default();
    let plan = loop {
        let plan = decision::open(config, request, severity, &facts, now);
        if plan.needs.is_empty() {
            break plan;
        }
        gather::resolve(github, 0, &plan.needs, &mut facts).await?;
    };
    let mut outcome = Outcome::default();
    outcome.record(&plan);
    if mode == Mode::DryRun {
        outcome.plans.push(plan);
        return Ok(outcome);
    }
    let seen = apply::Seen {
        bot: "",
        comments: &[],
        pull_comments: &[],
    };
    let applied = apply::apply(github, config, &seen, &plan).await?;
    let opened = applied.opened.expect("a declaration's plan opens an issue");
    outcome.issue = Some(opened.number);
    outcome.notes = vec![format!(
        "declared #{} `{}`",
        opened.number,
        plan.incident
            .as_ref()
            .map(|i| i.record.as_str())
            .unwrap_or("")
    )];
    if let Some(incident) = &plan.incident {
        let token = super::board::token_from_env();
        super::board::follow::follow(
            github,
            config,
            token.as_deref(),
            opened.number,
            None,
            incident,
            &mut outcome,
        )
        .await;
    }
    Ok(outcome)
}

/// The open incident carrying `fingerprint`. Listed, not searched: search lags writes.
async fn find_by_fingerprint(github: &GitHub, fingerprint: &str) -> anyhow::Result<Option<Issue>> {
    let open = github.list_issues(LABEL_INCIDENT, "open").await?;
    Ok(open.into_iter().find(|issue| {
        Body::parse(issue.body_text())
            .incident()
            .is_some_and(|i| i.fingerprint.as_deref() == Some(fingerprint))
    }))
}
