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
use crate::event::Issue;
use crate::github::GitHub;
use crate::incident::record;
use crate::incident::section::{self, Body};
use crate::report::issue::{self, Refresh};
use crate::report::{self, Input, Report};

/// The incident issues as their believed states say (the engine's rule, `engine::trust`): a
/// body's state is believed when the issue's author may declare incidents (by association or
/// login; teams are not looked up) or is Firebreak, and when it names this issue. Any other
/// issue carrying a section is read from Firebreak's record comment — one comment list per
/// such issue, none for the usual incident declared by a member — its body replaced by a
/// section holding the record's state; without a record it is left out. So nobody can put
/// words on the status page or in a report by editing their own issue's description.
pub async fn believed(
    github: &GitHub,
    config: &Config,
    issues: Vec<Issue>,
) -> anyhow::Result<Vec<Issue>> {
    let rule = config.allowed("incident");
    let mut bot: Option<String> = None;
    let mut out = Vec::with_capacity(issues.len());
    for mut issue in issues {
        let number = issue.number;
        let Some(state) = section::state_json(issue.body_text()) else {
            continue;
        };
        let copied = state
            .ok()
            .and_then(|json| serde_json::from_str::<IssueOnly>(json).ok())
            .and_then(|s| s.issue)
            .is_some_and(|n| n != number);
        if copied {
            continue;
        }
        let author = issue.user.login.clone();
        if rule.permits(&author, &issue.author_association, |_| false) {
            out.push(issue);
            continue;
        }
        // Who Firebreak is, asked only now (it may cost a request, once).
        let bot = match &bot {
            Some(bot) => bot.clone(),
            None => bot.insert(github.identity().await.to_string()).clone(),
        };
        if crate::engine::is_ours_login(&bot, &author) {
            out.push(issue);
            continue;
        }
        let comments = github.list_comments(number).await?;
        let recorded = comments
            .iter()
            .filter(|c| crate::engine::is_ours_login(&bot, &c.user.login))
            .find_map(|c| record::parse(c.body_text(), number));
        if let Some(Ok(state)) = recorded {
            issue.body = Some(section::compose("", "", &state, ""));
            out.push(issue);
        }
    }
    Ok(out)
}

/// The one field [`believed`] reads of every state before deciding whom to believe.
#[derive(serde::Deserialize)]
struct IssueOnly {
    #[serde(default)]
    issue: Option<u64>,
}

/// Reads what the report of the `period` before `now` needs and builds it.
pub async fn read_report(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    period: Duration,
) -> anyhow::Result<Report> {
    let since = now - period;
    let listed = github
        .list_issues_since(LABEL_INCIDENT, "all", since)
        .await?;
    let incidents = believed(github, config, listed).await?;
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
                bot: "",
                comments: &[],
                pull_comments: &[],
            };
            apply::apply(github, config, &seen, &plan).await?;
        }
    }
    Ok(outcome)
}
