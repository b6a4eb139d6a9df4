//! The postmortem's reminders: from `reminders.before_due` ahead of its due date (the end of
//! that day, configured zone), once per `reminders.repeat_every` window, the owner is reminded;
//! past due it says overdue, and `escalate_after` past due it also mentions `escalate_to`
//! (default: the incident commander). None once the postmortem has merged.

use chrono::{DateTime, Utc};

use super::{Due, end_of_day, window};
use crate::config::Config;
use crate::incident::{EntryKind, Incident};
use crate::postmortem;
use crate::render::views::postmortem::ReminderView;
use crate::render::{self, names};

const KIND: &str = "postmortem";

/// The due date's deadline and when reminders start, while the postmortem is owed.
fn policy(
    config: &Config,
    incident: &Incident,
) -> Option<(chrono::NaiveDate, DateTime<Utc>, DateTime<Utc>)> {
    let pm = incident.postmortem.as_ref()?;
    let due = pm.due?;
    if pm.facts.as_ref().is_some_and(|f| f.merged) {
        return None;
    }
    let deadline = end_of_day(config, due)?;
    Some((due, deadline, deadline - config.reminders.before_due))
}

/// The reminder due at `now`, if any, with its key: one per `reminders.repeat_every` window,
/// so a run in the same window finds it posted and a late sweep posts only the current one.
pub fn postmortem(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(String, ReminderView)> {
    let (due, deadline, first) = policy(config, incident)?;
    if now < first {
        return None;
    }
    let r = &config.reminders;
    let n = window(first, now, r.repeat_every);
    let overdue = now >= deadline;
    let escalated = r
        .escalate_after
        .is_some_and(|after| now >= deadline + after);
    let mut mentions: Vec<String> = postmortem::owner(incident).into_iter().collect();
    if escalated {
        let extra: Vec<String> = if r.escalate_to.is_empty() {
            incident.commander.iter().cloned().collect()
        } else {
            r.escalate_to.clone()
        };
        super::add_all(&mut mentions, &extra);
    }
    let pm = incident.postmortem.as_ref()?;
    let done = pm.checklist.iter().filter(|c| c.done).count();
    Some((
        format!("pm-due-{due}-{n}"),
        ReminderView {
            due: due.to_string(),
            overdue,
            escalated,
            after: r
                .escalate_after
                .map(crate::config::format_duration)
                .unwrap_or_default(),
            pull: pm.pull,
            done,
            total: pm.checklist.len(),
            mentions,
        },
    ))
}

pub(super) fn due(config: &Config, incident: &Incident, now: DateTime<Utc>) -> Option<Due> {
    let (key, view) = postmortem(config, incident, now)?;
    let who = view
        .mentions
        .iter()
        .map(|m| format!("@{m}"))
        .collect::<Vec<_>>()
        .join(", ");
    let (entry_kind, entry) = match (view.escalated, view.overdue) {
        (true, _) => (
            EntryKind::Escalation,
            format!(
                "Escalated to {who}: the postmortem is overdue (due {})",
                view.due
            ),
        ),
        (false, true) => (
            EntryKind::Reminder,
            format!(
                "Reminded {who}: the postmortem is overdue (due {})",
                view.due
            ),
        ),
        (false, false) => (
            EntryKind::Reminder,
            format!("Reminded {who}: the postmortem is due {}", view.due),
        ),
    };
    Some(Due {
        kind: KIND.into(),
        key,
        on: None,
        text: render::render_or_built_in(config, names::REMINDER, &view),
        mentions: view.mentions,
        entry_kind,
        entry,
    })
}

pub(super) fn next(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let (_, deadline, first) = policy(config, incident)?;
    if now < first {
        return Some((first, "postmortem reminder".into()));
    }
    let every = config.reminders.repeat_every;
    let n = window(first, now, every);
    let at = first + every * (n as i32 + 1);
    let what = if at >= deadline {
        "postmortem overdue reminder"
    } else {
        "postmortem reminder"
    };
    Some((at, what.into()))
}
