//! `firebreak report [--since 90d] [--format markdown|json]`: reads the incidents of a period
//! with the issue list (label `incident`, open and closed, updated since the start, 100 a page)
//! and, when any has action items, the action items' list the same way — never one request per
//! incident — then builds the report ([`crate::report`]). It only reads. In a GitHub Actions
//! step the markdown also goes to the job summary (`GITHUB_STEP_SUMMARY`).

use chrono::{DateTime, Duration, Utc};

use crate::UsageError;
use crate::config::{Config, DURATION_HINT, parse_duration};
use crate::engine::{LABEL_ACTION_ITEM, LABEL_INCIDENT};
use crate::github::GitHub;
use crate::incident::section::Body;
use crate::report::{self, Input, Report};

/// The period `--since` asks for (`None`: `report.since` from the configuration).
pub fn parse_since(since: Option<&str>) -> Result<Option<Duration>, UsageError> {
    let Some(text) = since else {
        return Ok(None);
    };
    match parse_duration(text) {
        Some(d) if d > Duration::zero() => Ok(Some(d)),
        _ => Err(UsageError(format!(
            "--since: invalid period \"{text}\": {DURATION_HINT} (how far back from now, more than zero)"
        ))),
    }
}

/// Reads what the report needs and builds it.
pub async fn fetch(
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

/// The report as pretty JSON (every figure; times in UTC, durations in seconds).
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report serializes");
    text.push('\n');
    text
}
