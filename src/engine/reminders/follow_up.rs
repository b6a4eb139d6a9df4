//! The follow-up: the first working day after resolution (configured zone, `business_days`
//! and `holidays`), from [`FOLLOW_UP_HOUR`], one comment asks whether permanent fixes are
//! needed and lists the open action items that have no owner. Once per incident; not when it
//! relapsed (its status is no longer resolved) or `follow_up.enabled` is off.

use chrono::{DateTime, Utc};

use super::{Due, local};
use crate::config::Config;
use crate::engine::declare::DEFAULT_DECLARER;
use crate::incident::{EntryKind, Incident, ItemState, Status};
use crate::render::views::format_time;
use crate::render::views::reminders::{FollowUpView, ItemLineView};
use crate::render::{self, names};

const KIND: &str = "follow-up";

/// The hour of the working day (configured zone) from which the follow-up is asked: the start
/// of most teams' day, so the question waits in the morning instead of pinging at midnight.
pub const FOLLOW_UP_HOUR: u32 = 9;

/// When the follow-up is due, while it is owed.
fn at(config: &Config, incident: &Incident) -> Option<DateTime<Utc>> {
    if !config.follow_up.enabled || incident.status != Status::Resolved {
        return None;
    }
    let resolved = incident.resolved_at?;
    let day = resolved.with_timezone(&config.timezone).date_naive();
    local(config, config.add_business_days(day, 1), FOLLOW_UP_HOUR)
}

pub(super) fn due(config: &Config, incident: &Incident, now: DateTime<Utc>) -> Option<Due> {
    if now < at(config, incident)? || incident.reminded.contains_key(KIND) {
        return None;
    }
    let who = incident.commander.clone().or_else(|| {
        (incident.declared_by != DEFAULT_DECLARER).then(|| incident.declared_by.clone())
    });
    let mentions: Vec<String> = who.into_iter().collect();
    let unowned: Vec<ItemLineView> = incident
        .action_items
        .iter()
        .filter(|i| i.state == ItemState::Open && i.owner.is_none())
        .filter_map(|i| {
            Some(ItemLineView {
                number: i.number?,
                title: i.title.clone(),
                due: i.due.to_string(),
                owner: None,
            })
        })
        .collect();
    let view = FollowUpView {
        record: incident.record.clone(),
        resolved: format_time(incident.resolved_at?, config.timezone),
        mentions: mentions.clone(),
        unowned: unowned.clone(),
    };
    let entry = match unowned.len() {
        0 => "Follow-up: are permanent fixes needed?".to_string(),
        n => format!(
            "Follow-up: are permanent fixes needed? {n} action item{} without an owner",
            if n == 1 { "" } else { "s" }
        ),
    };
    Some(Due {
        kind: KIND.into(),
        key: KIND.into(),
        on: None,
        text: render::render(names::FOLLOW_UP, &view),
        mentions,
        entry_kind: EntryKind::Reminder,
        entry,
    })
}

pub(super) fn next(
    config: &Config,
    incident: &Incident,
    _now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    if incident.reminded.contains_key(KIND) {
        return None;
    }
    Some((at(config, incident)?, "follow-up".to_string()))
}
