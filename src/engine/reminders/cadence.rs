//! Update cadence: with no stakeholder `/update` within the severity's `update_cadence` (since
//! the last update, or the declaration), the comms lead is reminded — or the incident
//! commander, or the declarer — once per cadence window, until the incident is mitigated.

use chrono::{DateTime, Duration, Utc};

use super::{Due, window};
use crate::config::Config;
use crate::engine::declare::DEFAULT_DECLARER;
use crate::incident::{EntryKind, Incident, Status, human_duration};
use crate::render::views::format_time;
use crate::render::views::reminders::UpdateReminderView;
use crate::render::{self, names};

const KIND: &str = "cadence";

/// Since when updates are owed, and how often, while they are.
fn policy(config: &Config, incident: &Incident) -> Option<(DateTime<Utc>, Duration)> {
    if incident.status >= Status::Mitigated {
        return None;
    }
    let cadence = config.severity(incident.severity)?.update_cadence?;
    let since = incident
        .update
        .as_ref()
        .map_or(incident.declared_at, |u| u.at.max(incident.declared_at));
    Some((since, cadence))
}

/// Who owes the update.
fn owner(incident: &Incident) -> Option<String> {
    incident
        .comms
        .clone()
        .or_else(|| incident.commander.clone())
        .or_else(|| {
            (incident.declared_by != DEFAULT_DECLARER).then(|| incident.declared_by.clone())
        })
}

pub(super) fn due(config: &Config, incident: &Incident, now: DateTime<Utc>) -> Option<Due> {
    let (since, cadence) = policy(config, incident)?;
    let n = window(since, now, cadence);
    if n < 1 {
        return None;
    }
    let mentions: Vec<String> = owner(incident).into_iter().collect();
    let waited = human_duration(now - since);
    let every = crate::config::format_duration(cadence);
    let view = UpdateReminderView {
        severity: config.severity_name(incident.severity),
        waited: waited.clone(),
        cadence: every.clone(),
        last: incident
            .update
            .as_ref()
            .map(|u| format_time(u.at, config.timezone)),
        mentions: mentions.clone(),
    };
    let who = match mentions.first() {
        Some(m) => format!("Reminded @{m}"),
        None => "Reminder".to_string(),
    };
    Some(Due {
        kind: KIND.into(),
        key: format!("cadence-{}-{n}", since.timestamp()),
        on: None,
        text: render::render(names::UPDATE_REMINDER, &view),
        mentions,
        entry_kind: EntryKind::Reminder,
        entry: format!("{who}: no stakeholder update for {waited} (one is owed every {every})"),
    })
}

pub(super) fn next(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let (since, cadence) = policy(config, incident)?;
    let n = window(since, now, cadence).max(0);
    Some((
        since + cadence * (n as i32 + 1),
        "update reminder".to_string(),
    ))
}
