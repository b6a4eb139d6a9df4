//! Reminders and escalations: what the sweep says when nobody comments. One file per kind:
//! [`ack`] (no `/ic` or `/ack` past the ack timeout: the escalation levels, one by one),
//! [`cadence`] (no stakeholder update within the severity's cadence), [`follow_up`] (the
//! first working day after resolution), [`postmortem`] (due, overdue, escalated) and
//! [`items`] (action items past due, then escalated on the incident — or, once the incident is
//! closed, on the items themselves).
//!
//! Each reminder belongs to a window and carries a key naming it. The incident's state keeps
//! the latest key of each kind ([`Incident::reminded`]), so a sweep in the same window posts
//! nothing without reading a comment, and a sweep that ran late posts only the reminder due
//! now, never every missed one. Each one posted is also a timeline entry and a line of the job
//! summary; its reply carries the key as its marker too. Everyone it mentions is looked up
//! first ([`Need::Handle`]): one who does not exist is a problem the run reports, after the
//! others have been told.
//!
//! Only the sweep ([`super::Trigger::Sweep`]) decides reminders.

mod ack;
mod cadence;
mod follow_up;
mod items;
mod postmortem;
#[cfg(test)]
mod tests;

use chrono::{DateTime, NaiveDate, TimeZone as _, Utc};

use super::{Input, Need, Plan};
use crate::config::Config;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, Reminded};

pub use items::{due_shown, may_be_due};
pub use postmortem::postmortem;

/// Who reminders and escalations are by, in the timeline.
const BY: &str = "firebreak";

/// A reminder due now and not yet posted in its window.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Due {
    /// What it is about; the state remembers the latest key of each kind (`ack`, `cadence`,
    /// `follow-up`, `postmortem`, `item-<n>`, `items`).
    pub kind: String,
    /// Names its window: a key is posted once.
    pub key: String,
    /// Where it is posted: the incident (`None`) or an action item's issue.
    pub on: Option<u64>,
    /// The comment, rendered.
    pub text: String,
    /// Users and teams it mentions, without `@`.
    pub mentions: Vec<String>,
    /// Its timeline entry.
    pub entry_kind: EntryKind,
    pub entry: String,
}

/// The incident's issue, as the reminders need it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct On {
    pub number: u64,
    /// Closed: only its open action items are reminded (on the items themselves: nothing is
    /// posted on a closed incident).
    pub closed: bool,
}

/// Every reminder due at `now` that was not posted in its window yet.
pub fn due(config: &Config, on: On, incident: &Incident, now: DateTime<Utc>) -> Vec<Due> {
    let open = !on.closed;
    [
        ack::due(config, incident, now).filter(|_| open),
        cadence::due(config, incident, now).filter(|_| open),
        follow_up::due(config, incident, now).filter(|_| open),
        postmortem::due(config, incident, now).filter(|_| open),
    ]
    .into_iter()
    .flatten()
    .chain(items::due(config, on, incident, now))
    .filter(|d| {
        incident
            .reminded
            .get(&d.kind)
            .is_none_or(|posted| posted.key != d.key)
    })
    .collect()
}

/// The next reminder that falls due after `now`, and what it will be (for the job summary).
pub fn next(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    [
        ack::next(config, incident, now),
        cadence::next(config, incident, now),
        follow_up::next(config, incident, now),
        postmortem::next(config, incident, now),
        items::next(config, incident, now),
    ]
    .into_iter()
    .flatten()
    .filter(|(at, _)| *at > now)
    .min_by_key(|(at, _)| *at)
}

/// Plans the reminders due now: each is posted (unless the sweep found it posted already),
/// recorded in the state with its key, and entered in the timeline. Everyone mentioned is
/// looked up first.
pub(super) fn plan(input: &Input, incident: &mut Incident, plan: &mut Plan) {
    let on = On {
        number: input.issue.number,
        closed: input.issue.state == "closed",
    };
    let due = due(input.config, on, incident, input.now);
    let mut unknown = false;
    for handle in due.iter().flat_map(|d| &d.mentions) {
        if !input
            .facts
            .handles
            .contains_key(&handle.to_ascii_lowercase())
        {
            plan.need(Need::Handle(handle.clone()));
            unknown = true;
        }
    }
    if unknown {
        return;
    }
    for d in due {
        let missing: Vec<String> = d
            .mentions
            .iter()
            .filter(|h| input.facts.handles.get(&h.to_ascii_lowercase()) == Some(&false))
            .map(|h| format!("@{h}"))
            .collect();
        if !missing.is_empty() {
            plan.problems.push(format!(
                "the {} reminder mentions {}, which GitHub does not know (deleted, renamed, or a team the token cannot see); it was posted for the others",
                d.kind,
                missing.join(", ")
            ));
        }
        if !input.facts.posted.contains(&d.key) {
            plan.comment_on(d.on, d.key.clone(), d.text.clone());
        }
        plan.notes
            .push(format!("{}: {}", d.entry_kind.label(), d.entry));
        timeline::upsert(
            &mut incident.timeline,
            Entry::new(input.now, d.entry_kind, BY, d.entry)
                .with_key(format!("reminder:{}", d.key)),
        );
        incident.reminded.insert(
            d.kind,
            Reminded {
                key: d.key,
                at: input.now,
            },
        );
    }
}

/// `handle` without its `@`.
fn bare(handle: &str) -> String {
    handle.trim_start_matches('@').to_string()
}

/// Adds `handles` to `list`, each once (ignoring case).
fn add_all<'a>(list: &mut Vec<String>, handles: impl IntoIterator<Item = &'a String>) {
    for h in handles {
        let h = bare(h);
        if !h.is_empty() && !list.iter().any(|x| x.eq_ignore_ascii_case(&h)) {
            list.push(h);
        }
    }
}

/// The end of `date` in the configured zone: the instant a due date has passed.
fn end_of_day(config: &Config, date: NaiveDate) -> Option<DateTime<Utc>> {
    local(config, date.succ_opt()?, 0)
}

/// `hour`:00 on `date` in the configured zone (the earlier instant when clocks go back, the
/// hour after when they skip it).
fn local(config: &Config, date: NaiveDate, hour: u32) -> Option<DateTime<Utc>> {
    let naive = date.and_hms_opt(hour, 0, 0)?;
    let zoned = config
        .timezone
        .from_local_datetime(&naive)
        .earliest()
        .or_else(|| {
            config
                .timezone
                .from_local_datetime(&(naive + chrono::Duration::hours(1)))
                .earliest()
        })?;
    Some(zoned.with_timezone(&Utc))
}

/// The window `now` falls in, counting windows of `every` from `start` (0 is the first).
fn window(start: DateTime<Utc>, now: DateTime<Utc>, every: chrono::Duration) -> i64 {
    (now - start).num_seconds() / every.num_seconds().max(1)
}
