//! The scheduled sweep. Today it reconciles every open incident, so comments whose events
//! were cancelled, lost or never delivered still reach the timeline even when a scheduled run
//! is the only one. Reminders, escalation and the board build on this loop.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::engine::{LABEL_INCIDENT, Trigger};
use crate::github::GitHub;
use crate::runner::{self, Outcome};

pub async fn reconcile_open_incidents(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let open = github.list_issues(LABEL_INCIDENT, "open").await?;
    let mut outcome = Outcome::default();
    for issue in &open {
        let one = runner::run_issue(github, config, issue, Trigger::Reconcile, now).await?;
        outcome.notes.extend(
            one.notes
                .into_iter()
                .map(|n| format!("#{}: {n}", issue.number)),
        );
    }
    outcome
        .notes
        .push(format!("swept {} open incident(s)", open.len()));
    Ok(outcome)
}
