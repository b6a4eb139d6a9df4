//! Incident reports: how many incidents, how fast they were acknowledged, mitigated and
//! resolved, whether postmortems came on time and action items got done — from the incident
//! issues alone. Pure: the caller lists the issues (the report needs no per-issue read) and
//! passes `now`.
//!
//! [`build`] turns issues into a [`Report`], every number of which is in its JSON;
//! [`markdown`] renders it (tables and Mermaid charts GitHub draws) through the template
//! registry. What each figure counts is documented in `docs/reports.md`.

mod figures;
pub mod issue;
mod state;
pub mod stats;
mod view;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, NaiveDate, Utc};
use serde::Serialize;

use crate::config::Config;
use crate::event::Issue;
use crate::incident::{Incident, ItemState};

pub use stats::Stat;
pub use view::markdown;

/// How many of the slowest incidents the report lists.
pub const SLOWEST: usize = 5;

/// What a report is built from.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub config: &'a Config,
    /// `owner/name`.
    pub repository: &'a str,
    pub now: DateTime<Utc>,
    /// Start of the period: incidents declared at or after it are reported.
    pub since: DateTime<Utc>,
    /// Issues labeled `incident`, open and closed, updated since `since` (an incident declared
    /// in the period was updated in it), as the issue list gives them.
    pub incidents: &'a [Issue],
    /// Issues labeled `action-item`, open and closed, updated since `since`: their real state
    /// and closing time (the incident's state holds the state last seen).
    pub items: &'a [Issue],
}

/// The report: every figure, for the JSON output and the markdown.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Report {
    pub repository: String,
    pub generated_at: DateTime<Utc>,
    pub since: DateTime<Utc>,
    /// Time zone of the weeks and dates (the configured one).
    pub timezone: String,
    pub incidents: Incidents,
    /// Incidents declared in each week (Monday to Sunday, configured zone), oldest first,
    /// every week of the period listed, empty ones too.
    pub weeks: Vec<Week>,
    /// Time to acknowledge, mitigate and resolve, per severity (most severe first), then for
    /// all incidents together (`severity: "all"`).
    pub times: Vec<Times>,
    pub postmortems: Postmortems,
    pub action_items: ActionItems,
    /// The incidents that took longest to resolve (still open ones count until now).
    pub slowest: Vec<Slow>,
    /// Incident issues whose Firebreak state could not be read (left out of every figure).
    pub unreadable: Vec<u64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Incidents {
    pub total: u32,
    /// Not resolved yet.
    pub unresolved: u32,
    pub by_severity: Vec<SeverityCount>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SeverityCount {
    pub severity: String,
    pub level: u8,
    pub total: u32,
    pub unresolved: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Week {
    /// The Monday the week starts on.
    pub start: NaiveDate,
    pub total: u32,
    /// Severity name → incidents declared that week.
    pub by_severity: BTreeMap<String, u32>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Times {
    /// A severity's name, or `all`.
    pub severity: String,
    pub incidents: u32,
    /// Declared → acknowledged (first `/ic` or `/ack`): MTTA.
    pub acknowledge: Stat,
    /// Declared → mitigated (or resolved, which mitigates too): MTTM.
    pub mitigate: Stat,
    /// Declared → resolved: MTTR.
    pub resolve: Stat,
}

/// Postmortems of the period's incidents that owe one (required by the severity and past the
/// draft status, or started by hand): `owed = on_time + late + missing + pending`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Postmortems {
    pub owed: u32,
    /// Merged on or before the due date (or before a due date was set).
    pub on_time: u32,
    /// Merged after the due date.
    pub late: u32,
    /// Not merged, and the due date has passed.
    pub missing: u32,
    /// Not merged, not due yet (or no due date yet: the incident is not resolved).
    pub pending: u32,
}

/// Action items opened in the period (by any incident): `opened = done + open`.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct ActionItems {
    pub opened: u32,
    /// Their issue is closed.
    pub done: u32,
    pub open: u32,
    /// Open past their due date.
    pub overdue: u32,
    pub by_priority: Vec<PriorityItems>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PriorityItems {
    /// `P0` … `P3`.
    pub priority: String,
    pub opened: u32,
    pub done: u32,
    pub open: u32,
    pub overdue: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Slow {
    pub number: u64,
    pub url: String,
    pub record: String,
    pub title: String,
    pub severity: String,
    pub status: &'static str,
    pub declared_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    /// Declared → resolved, or → now while unresolved.
    pub seconds: i64,
}

/// An incident of the period with its issue.
struct Seen<'a> {
    issue: &'a Issue,
    incident: Incident,
}

/// Builds the report.
pub fn build(input: &Input<'_>) -> Report {
    let mut reported: Vec<Seen<'_>> = Vec::new();
    let mut earlier: Vec<Incident> = Vec::new();
    let mut unreadable = Vec::new();
    for issue in input.incidents {
        match state::read(issue.body_text()) {
            None => {}
            Some(Err(_)) => unreadable.push(issue.number),
            Some(Ok(incident)) if in_period(input, incident.declared_at) => {
                reported.push(Seen { issue, incident })
            }
            Some(Ok(incident)) => earlier.push(incident),
        }
    }
    reported.sort_by_key(|s| (s.incident.declared_at, s.issue.number));
    unreadable.sort_unstable();
    let items = item_states(input.items);
    let every = reported.iter().map(|s| &s.incident).chain(earlier.iter());
    Report {
        repository: input.repository.to_string(),
        generated_at: input.now,
        since: input.since,
        timezone: input.config.timezone.name().to_string(),
        incidents: figures::incidents(input, &reported),
        weeks: figures::weeks(input, &reported),
        times: figures::times(input, &reported),
        postmortems: figures::postmortems(input, &reported),
        action_items: figures::action_items(input, every, &items),
        slowest: figures::slowest(input, &reported),
        unreadable,
    }
}

fn in_period(input: &Input<'_>, at: DateTime<Utc>) -> bool {
    at >= input.since && at <= input.now
}

/// An action item's issue as listed: whether it is closed.
fn item_states(items: &[Issue]) -> BTreeMap<u64, ItemState> {
    items
        .iter()
        .map(|i| {
            let state = if i.state == "closed" {
                ItemState::Closed
            } else {
                ItemState::Open
            };
            (i.number, state)
        })
        .collect()
}

/// Non-negative seconds from `from` to `to` (a backdated acknowledgement counts as instant).
fn seconds(from: DateTime<Utc>, to: DateTime<Utc>) -> i64 {
    (to - from).max(Duration::zero()).num_seconds()
}

#[cfg(test)]
mod tests;
