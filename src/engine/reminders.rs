//! Reminders: what is due, and when to say so. Each reminder belongs to a window and carries
//! a key naming it, so a run in the same window finds it posted and a late run posts only the
//! one due now, never every missed one.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::incident::Incident;
use crate::postmortem;
use crate::render::views::postmortem::ReminderView;

/// The reminder due at `now`, if any, with its key: one per `reminders.repeat_every` window
/// from `before_due` ahead of the due date (the end of that day, in the configured zone), so a
/// run in the same window finds it posted and a late sweep posts only the current one. Past
/// due by `escalate_after`, it also mentions `escalate_to` (default: the incident commander).
pub fn postmortem(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(String, ReminderView)> {
    use chrono::TimeZone as _;
    let pm = incident.postmortem.as_ref()?;
    let due = pm.due?;
    if pm.facts.as_ref().is_some_and(|f| f.merged) {
        return None;
    }
    let r = &config.reminders;
    let end_of_day = due.succ_opt()?.and_hms_opt(0, 0, 0)?;
    let deadline = config
        .timezone
        .from_local_datetime(&end_of_day)
        .earliest()?
        .with_timezone(&Utc);
    let first = deadline - r.before_due;
    if now < first {
        return None;
    }
    let window = (now - first).num_seconds() / r.repeat_every.num_seconds().max(1);
    let overdue = now >= deadline;
    let escalated = r
        .escalate_after
        .is_some_and(|after| now >= deadline + after);
    let mut mentions: Vec<String> = postmortem::owner(incident).into_iter().collect();
    if escalated {
        let extra: Vec<String> = if r.escalate_to.is_empty() {
            incident.commander.iter().cloned().collect()
        } else {
            r.escalate_to
                .iter()
                .map(|h| h.trim_start_matches('@').to_string())
                .collect()
        };
        for m in extra {
            if !mentions.iter().any(|x| x.eq_ignore_ascii_case(&m)) {
                mentions.push(m);
            }
        }
    }
    let done = pm.checklist.iter().filter(|c| c.done).count();
    Some((
        format!("pm-due-{due}-{window}"),
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
