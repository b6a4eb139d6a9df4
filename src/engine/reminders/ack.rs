//! Acknowledgement escalation: an incident with no `/ic` or `/ack` past its severity's
//! `ack_timeout` (counted from the declaration) mentions the escalation levels one by one,
//! each `after` its own delay past the timeout. The first `/ic` or `/ack` stops it, and so does
//! mitigation. A sweep that ran late mentions, in one comment, the level due now and every
//! earlier level it skipped. With no levels configured, one notice says nobody has taken
//! command, mentioning nobody.

use chrono::{DateTime, Utc};

use super::{Due, add_all};
use crate::config::{Config, EscalationLevel};
use crate::incident::{Incident, Status, human_duration};
use crate::render::views::reminders::EscalationView;
use crate::render::{self, names};

const KIND: &str = "ack";
/// The key of the notice posted when no levels are configured.
const NOTICE: &str = "ack-notice";

/// When the timeout expired and the levels, while the incident still escalates.
fn policy<'c>(
    config: &'c Config,
    incident: &Incident,
) -> Option<(DateTime<Utc>, &'c [EscalationLevel])> {
    if incident.acknowledged_at.is_some() || incident.status >= Status::Mitigated {
        return None;
    }
    let timeout = config.severity(incident.severity)?.ack_timeout?;
    Some((
        incident.declared_at + timeout,
        config.escalation_for(incident.severity),
    ))
}

/// Levels already mentioned (the state's latest key).
fn posted(incident: &Incident) -> (usize, bool) {
    match incident.reminded.get(KIND).map(|r| r.key.as_str()) {
        Some(NOTICE) => (0, true),
        Some(key) => (
            key.strip_prefix("ack-")
                .and_then(|n| n.parse().ok())
                .unwrap_or(0),
            false,
        ),
        None => (0, false),
    }
}

pub(super) fn due(config: &Config, incident: &Incident, now: DateTime<Utc>) -> Option<Due> {
    let (expiry, levels) = policy(config, incident)?;
    if now < expiry {
        return None;
    }
    let (done, noticed) = posted(incident);
    let severity = config.severity_name(incident.severity);
    let waited = human_duration(now - incident.declared_at);
    if levels.is_empty() {
        if noticed {
            return None;
        }
        let view = EscalationView {
            severity: severity.clone(),
            waited: waited.clone(),
            level: 0,
            levels: 0,
            mentions: Vec::new(),
            caught_up: None,
        };
        return Some(Due {
            kind: KIND.into(),
            key: NOTICE.into(),
            on: None,
            text: render::render(names::ESCALATION, &view),
            mentions: Vec::new(),
            entry_kind: crate::incident::EntryKind::Escalation,
            entry: format!("Not acknowledged for {waited}; no escalation levels are configured"),
        });
    }
    let reached = levels.iter().rposition(|l| now >= expiry + l.after)? + 1;
    if done >= reached {
        return None;
    }
    let mut mentions = Vec::new();
    add_all(
        &mut mentions,
        levels[done..reached].iter().flat_map(|l| &l.notify),
    );
    let skipped: Vec<String> = (done + 1..reached).map(|l| l.to_string()).collect();
    let caught_up = match skipped.as_slice() {
        [] => None,
        [one] => Some(format!("Level {one}")),
        [rest @ .., last] => Some(format!("Levels {} and {last}", rest.join(", "))),
    };
    let view = EscalationView {
        severity,
        waited: waited.clone(),
        level: reached,
        levels: levels.len(),
        mentions: mentions.clone(),
        caught_up,
    };
    let who = mentions
        .iter()
        .map(|m| format!("@{m}"))
        .collect::<Vec<_>>()
        .join(", ");
    Some(Due {
        kind: KIND.into(),
        key: format!("ack-{reached}"),
        on: None,
        text: render::render(names::ESCALATION, &view),
        mentions,
        entry_kind: crate::incident::EntryKind::Escalation,
        entry: format!("Escalated to level {reached} ({who}): not acknowledged for {waited}"),
    })
}

pub(super) fn next(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let (expiry, levels) = policy(config, incident)?;
    let (done, noticed) = posted(incident);
    if levels.is_empty() {
        return (!noticed).then(|| (expiry, "not-acknowledged notice".to_string()));
    }
    let reached = levels
        .iter()
        .rposition(|l| now >= expiry + l.after)
        .map_or(0, |i| i + 1);
    let next = done.max(reached);
    let level = levels.get(next)?;
    Some((
        expiry + level.after,
        format!("escalation level {}", next + 1),
    ))
}
