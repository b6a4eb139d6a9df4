//! The scheduled sweep. Today it reconciles every open incident, so comments whose events
//! were cancelled, lost or never delivered still reach the timeline even when a scheduled run
//! is the only one, and action items closed or reopened unseen are brought in line. Reminders, escalation and the board build on this loop.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::engine::{Facts, LABEL_INCIDENT, Trigger};
use crate::github::GitHub;
use crate::runner::{self, Outcome};

pub async fn reconcile_open_incidents(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let open = github.list_issues(LABEL_INCIDENT, "open").await?;
    // Action items closed or reopened while no run saw it: read every item's state once.
    let has_items = open.iter().any(|i| {
        crate::incident::section::Body::parse(i.body_text())
            .incident()
            .is_some_and(|inc| !inc.action_items.is_empty())
    });
    let facts = Facts {
        item_states: if has_items {
            Some(crate::action_items::states(github).await?)
        } else {
            None
        },
        ..Facts::default()
    };
    let mut outcome = Outcome::default();
    for issue in &open {
        let one = runner::run_issue_with(
            github,
            config,
            issue,
            Trigger::Reconcile,
            now,
            facts.clone(),
        )
        .await?;
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
