//! The scheduled sweep: every open incident is reconciled, so comments whose events were
//! cancelled, lost or never delivered still reach the timeline even when a scheduled run is the
//! only one, action items closed or reopened unseen are brought in line, and reminders fall due.

use chrono::{DateTime, Utc};

use super::{Mode, Outcome, Start, run_issue};
use crate::config::Config;
use crate::engine::{Facts, ItemIssue, LABEL_ACTION_ITEM, LABEL_INCIDENT, Trigger};
use crate::github::GitHub;
use crate::incident::section::Body;

pub async fn sweep(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    mode: Mode,
) -> anyhow::Result<Outcome> {
    let open = github.list_issues(LABEL_INCIDENT, "open").await?;
    // Action items closed or reopened while no run saw it: read every item's state once.
    let has_items = open.iter().any(|i| {
        Body::parse(i.body_text())
            .incident()
            .is_some_and(|inc| !inc.action_items.is_empty())
    });
    let facts = Facts {
        item_states: if has_items {
            Some(
                github
                    .list_issues(LABEL_ACTION_ITEM, "all")
                    .await?
                    .iter()
                    .map(|i| (i.number, ItemIssue::of(i).state))
                    .collect(),
            )
        } else {
            None
        },
        ..Facts::default()
    };
    let mut outcome = Outcome::default();
    for issue in &open {
        let one = run_issue(
            github,
            config,
            Start::Fresh(issue.clone()),
            Trigger::Reconcile,
            now,
            mode,
            facts.clone(),
        )
        .await?;
        outcome.notes.extend(
            one.notes
                .into_iter()
                .map(|n| format!("#{}: {n}", issue.number)),
        );
        outcome.plans.extend(one.plans);
    }
    outcome
        .notes
        .push(format!("swept {} open incident(s)", open.len()));
    // The pinned report issue (`report.issue`), when its refresh is due.
    let report = super::reports::refresh(github, config, now, mode).await?;
    outcome.notes.extend(report.notes);
    outcome.plans.extend(report.plans);
    Ok(outcome)
}
