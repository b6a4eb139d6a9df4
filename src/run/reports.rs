//! Reads for reports, and the pinned report issue's refresh in the sweep.
//!
//! [`read_report`] reads the incidents of a period with the issue list (label `incident`, open
//! and closed, updated since the start, 100 a page) and, when any has action items, the action
//! items' list the same way — never one request per incident — and builds the report.
//!
//! [`refresh`] keeps the body of the issue named by `report.issue` as the latest report: one
//! read of that issue per sweep; when `report.refresh_every` has passed since the last
//! refresh, the report is built and the new body is a plan applied by [`super::apply`] (or
//! shown, in a dry run).

use chrono::{DateTime, Duration, Utc};

use super::{Mode, Outcome, apply};
use crate::UsageError;
use crate::config::Config;
use crate::engine::{LABEL_ACTION_ITEM, LABEL_INCIDENT, Plan};
use crate::github::GitHub;
use crate::incident::section::Body;
use crate::report::issue::{self, Refresh};
use crate::report::{self, Input, Report};

/// Reads what the report of the `period` before `now` needs and builds it.
pub async fn read_report(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    period: Duration,
) -> anyhow::Result<Report> {
    let since = now - period;
    let incidents = github
        .list_issues_since(LABEL_INCIDENT, "all", since)
        .await?;
    let any_items = incidents.iter().any(|i| {
        Body::parse(i.body_text())
            .incident()
            .is_some_and(|inc| !inc.action_items.is_empty())
    });
    let items = if any_items {
        github
            .list_issues_since(LABEL_ACTION_ITEM, "all", since)
            .await?
    } else {
        Vec::new()
    };
    Ok(report::build(&Input {
        config,
        repository: github.repo(),
        now,
        since,
        incidents: &incidents,
        items: &items,
    }))
}

/// The report issue's new body when a refresh is due (`report.issue` set); `Ok(None)` when
/// there is none or it is fresh (a note says until when).
pub async fn plan_refresh(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    notes: &mut Vec<String>,
) -> anyhow::Result<Option<Plan>> {
    let Some(number) = config.report.issue else {
        return Ok(None);
    };
    let existing = match github.get_issue(number).await {
        Ok(issue) => issue,
        Err(e) if e.is_not_found() => {
            return Err(UsageError(format!(
                "report.issue: #{number} does not exist in {}",
                github.repo()
            ))
            .into());
        }
        Err(e) => return Err(e.into()),
    };
    let body = existing.body_text();
    match issue::decide(config, number, body, existing.pull_request.is_some(), now) {
        Refresh::Refused(reason) => Err(UsageError(reason).into()),
        Refresh::Fresh { next } => {
            notes.push(format!(
                "the report in #{number} is fresh until {}",
                next.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
            ));
            Ok(None)
        }
        Refresh::Due => {
            let built = read_report(github, config, now, config.report.since).await?;
            let markdown = report::markdown(&built, config);
            let mut plan = Plan::new(number);
            plan.patch.body = Some(issue::compose(body, &markdown, now));
            plan.notes
                .push(format!("refreshed the report in #{number}"));
            Ok(Some(plan))
        }
    }
}

/// The sweep's step for the report issue: plans the refresh when due and applies it (a dry
/// run keeps the plan).
pub async fn refresh(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    mode: Mode,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome::default();
    let Some(plan) = plan_refresh(github, config, now, &mut outcome.notes).await? else {
        return Ok(outcome);
    };
    outcome.notes.extend(plan.notes.iter().cloned());
    match mode {
        Mode::DryRun => outcome.plans.push(plan),
        Mode::Apply => {
            let seen = apply::Seen {
                comments: &[],
                pull_comments: &[],
            };
            apply::apply(github, config, &seen, &plan).await?;
        }
    }
    Ok(outcome)
}
