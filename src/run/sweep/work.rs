//! The sweep's pure work between its reads and its decisions: what was listed, grouped by
//! incident with each one's facts, and which items and closed incidents must still be read.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::engine::{Facts, REPLY_MARKER, is_ours, parse_item_marker, reminders};
use crate::event::{Comment, Issue};
use crate::incident::section::Body;
use crate::incident::{Incident, ItemState};

/// What the sweep read before deciding anything.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    /// The open incidents (moved into the work by [`prepare`]).
    pub incidents: Vec<Issue>,
    /// Closed incidents read because an open action item of theirs may be due
    /// ([`closed_to_read`]).
    pub closed: Vec<Issue>,
    /// The open action items.
    pub items: Vec<Issue>,
    /// Comments updated since `since`, with the issue each is on, least recently updated first.
    pub comments: Vec<(u64, Comment)>,
    /// The watermark as read (`None`: no label yet).
    pub mark: Option<DateTime<Utc>>,
    /// Where the comment list started.
    pub since: DateTime<Utc>,
}

/// One open incident, ready to decide.
#[derive(Debug, Clone)]
pub struct Work {
    pub issue: Issue,
    /// Its body, parsed once.
    pub body: Body,
    /// Its comments updated since the watermark.
    pub comments: Vec<Comment>,
    pub facts: Facts,
    /// Why it cannot be swept (a damaged body).
    pub problem: Option<String>,
}

impl Work {
    /// Its state (`None`: not declared yet, or damaged).
    pub fn incident(&self) -> Option<&Incident> {
        self.body.incident()
    }
}

/// The numbers of an incident's action items that have an issue.
pub(super) fn item_numbers(incident: Option<&Incident>) -> Vec<u64> {
    incident
        .map(|i| {
            i.action_items
                .iter()
                .filter_map(|item| item.number)
                .collect()
        })
        .unwrap_or_default()
}

/// Closed incidents that must be read: those of open action items past the due date their
/// issue shows that nothing touched in the current reminder window
/// ([`reminders::may_be_due`]). Once reminded, an item was touched: later sweeps of the
/// window read nothing for it.
pub fn closed_to_read(config: &Config, listed: &Listed, now: DateTime<Utc>) -> BTreeSet<u64> {
    let open: BTreeSet<u64> = listed.incidents.iter().map(|i| i.number).collect();
    listed
        .items
        .iter()
        .filter_map(|item| {
            let (incident, _) = parse_item_marker(item.body_text())?;
            let due = reminders::due_shown(item.body_text())?;
            (!open.contains(&incident) && reminders::may_be_due(config, due, item.updated_at, now))
                .then_some(incident)
        })
        .collect()
}

/// Numbers of items open in some incident's state whose live state is unknown: missing from
/// the open list.
pub fn missing_items(work: &[Work]) -> BTreeSet<u64> {
    work.iter()
        .filter_map(|one| {
            let known = one.facts.item_states.as_ref()?;
            let open = one.incident()?.action_items.iter().filter(move |item| {
                item.state == ItemState::Open
                    && item.number.is_some_and(|n| !known.contains_key(&n))
            });
            Some(open.filter_map(|item| item.number))
        })
        .flatten()
        .collect()
}

/// Groups what was listed by incident (oldest first), each body parsed once, with each one's
/// facts: the live states of its items the open list shows, and the keys of replies found on
/// its items among the recent comments (Firebreak's own: `bot` is its login). The incidents move out of `listed` into the work.
/// Pure: the sweep's work between its reads and its decisions.
pub fn prepare(listed: &mut Listed, bot: &str) -> Vec<Work> {
    let open: BTreeSet<u64> = listed.items.iter().map(|i| i.number).collect();
    let mut by_issue: BTreeMap<u64, Vec<&Comment>> = BTreeMap::new();
    for (number, comment) in &listed.comments {
        by_issue.entry(*number).or_default().push(comment);
    }
    let mut incidents: Vec<Issue> = std::mem::take(&mut listed.incidents);
    incidents.append(&mut listed.closed);
    incidents.sort_by_key(|i| i.number);
    incidents
        .into_iter()
        .map(|issue| {
            let body = Body::parse(issue.body_text());
            let problem = match &body.state {
                Some(Err(problem)) => Some(format!(
                    "the Firebreak section of its body is damaged ({problem}), so it was not swept; restore the section from the body's edit history"
                )),
                _ => None,
            };
            let numbers = item_numbers(body.incident());
            let facts = Facts {
                item_states: Some(
                    numbers
                        .iter()
                        .filter(|n| open.contains(n))
                        .map(|n| (*n, ItemState::Open))
                        .collect(),
                ),
                posted: numbers
                    .iter()
                    .filter_map(|n| by_issue.get(n))
                    .flatten()
                    .filter(|c| is_ours(bot, c))
                    .filter_map(|c| reply_key(c.body_text()))
                    .collect(),
                ..Facts::default()
            };
            Work {
                body,
                comments: by_issue
                    .get(&issue.number)
                    .map(|list| list.iter().map(|c| (*c).clone()).collect())
                    .unwrap_or_default(),
                facts,
                problem,
                issue,
            }
        })
        .collect()
}

/// The key a reply's marker names.
fn reply_key(body: &str) -> Option<String> {
    let start = body.find(REPLY_MARKER)? + REPLY_MARKER.len();
    let rest = &body[start..];
    Some(rest[..rest.find(" -->")?].to_string())
}
