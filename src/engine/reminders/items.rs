//! Action items past due: once its due date has passed (the end of that day, configured zone),
//! an open item's owner is reminded on the item, once per `reminders.repeat_every` window (no
//! owner: the incident commander, to find one). Past due by `reminders.escalate_after`, the
//! item is escalated on the incident instead, to `reminders.escalate_to` (default: the
//! incident commander), in one comment per window listing every escalated item.

use chrono::{DateTime, Utc};

use super::{Due, add_all, end_of_day, window};
use crate::config::Config;
use crate::incident::{ActionItem, EntryKind, Incident, ItemState};
use crate::render::views::reminders::{ItemEscalationView, ItemLineView, ItemReminderView};
use crate::render::{self, names};

/// The kind of the escalation comment listing every item escalated on the incident.
const ESCALATED: &str = "items";

/// Open items with an issue, each with its deadline.
fn overdue_candidates<'a>(
    config: &'a Config,
    incident: &'a Incident,
) -> impl Iterator<Item = (&'a ActionItem, u64, DateTime<Utc>)> + 'a {
    incident.action_items.iter().filter_map(move |item| {
        let number = item.number?;
        (item.state == ItemState::Open).then_some(())?;
        Some((item, number, end_of_day(config, item.due)?))
    })
}

fn line(item: &ActionItem, number: u64) -> ItemLineView {
    ItemLineView {
        number,
        title: item.title.clone(),
        due: item.due.to_string(),
        owner: item.owner.clone(),
    }
}

/// `(item, window)` pairs of a key `items-41.3-42.0`.
fn pairs(key: &str) -> Vec<String> {
    key.strip_prefix("items-")
        .map(|rest| rest.split('-').map(str::to_string).collect())
        .unwrap_or_default()
}

/// `issue` is the incident's number (the item's reminder names it).
pub(super) fn due(
    config: &Config,
    issue: u64,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Vec<Due> {
    let r = &config.reminders;
    let every = crate::config::format_duration(r.repeat_every);
    let mut out = Vec::new();
    let mut escalated: Vec<(&ActionItem, u64, i64)> = Vec::new();
    for (item, number, deadline) in overdue_candidates(config, incident) {
        if now < deadline {
            continue;
        }
        let n = window(deadline, now, r.repeat_every);
        if r.escalate_after
            .is_some_and(|after| now >= deadline + after)
        {
            escalated.push((item, number, n));
            continue;
        }
        let mut mentions = Vec::new();
        add_all(
            &mut mentions,
            item.owner.iter().chain(
                incident
                    .commander
                    .iter()
                    .take(usize::from(item.owner.is_none())),
            ),
        );
        let view = ItemReminderView {
            incident: issue,
            due: item.due.to_string(),
            mentions: mentions.clone(),
            has_owner: item.owner.is_some(),
            every: every.clone(),
            escalate_after: r.escalate_after.map(crate::config::format_duration),
        };
        let who = match mentions.first() {
            Some(m) => format!("Reminded @{m}"),
            None => "Reminder".to_string(),
        };
        out.push(Due {
            kind: format!("item-{number}"),
            key: format!("item-{number}-{n}"),
            on: Some(number),
            text: render::render(names::ITEM_REMINDER, &view),
            mentions,
            entry_kind: EntryKind::Reminder,
            entry: format!("{who}: action item #{number} is overdue (due {})", item.due),
        });
    }
    if !escalated.is_empty() {
        let key = format!(
            "items-{}",
            escalated
                .iter()
                .map(|(_, number, n)| format!("{number}.{n}"))
                .collect::<Vec<_>>()
                .join("-")
        );
        // Posted when an item enters a new window, not when one leaves the list (closed).
        let posted = incident
            .reminded
            .get(ESCALATED)
            .map(|r| pairs(&r.key))
            .unwrap_or_default();
        if pairs(&key).iter().any(|p| !posted.contains(p)) {
            let mut mentions = Vec::new();
            if r.escalate_to.is_empty() {
                add_all(&mut mentions, incident.commander.iter());
            } else {
                add_all(&mut mentions, r.escalate_to.iter());
            }
            let owners: Vec<String> = escalated
                .iter()
                .filter_map(|(i, _, _)| i.owner.clone())
                .collect();
            let mut everyone = mentions.clone();
            add_all(&mut everyone, owners.iter());
            let after = r
                .escalate_after
                .map(crate::config::format_duration)
                .unwrap_or_default();
            let view = ItemEscalationView {
                record: incident.record.clone(),
                after: after.clone(),
                mentions: mentions.clone(),
                items: escalated
                    .iter()
                    .map(|(i, number, _)| line(i, *number))
                    .collect(),
            };
            let numbers = escalated
                .iter()
                .map(|(_, number, _)| format!("#{number}"))
                .collect::<Vec<_>>()
                .join(", ");
            let to = if mentions.is_empty() {
                String::new()
            } else {
                format!(
                    " to {}",
                    mentions
                        .iter()
                        .map(|m| format!("@{m}"))
                        .collect::<Vec<_>>()
                        .join(", ")
                )
            };
            out.push(Due {
                kind: ESCALATED.into(),
                key,
                on: None,
                text: render::render(names::ITEM_ESCALATION, &view),
                mentions: everyone,
                entry_kind: EntryKind::Escalation,
                entry: format!(
                    "Escalated{to}: action items {numbers} overdue by more than {after}"
                ),
            });
        }
    }
    out
}

pub(super) fn next(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(DateTime<Utc>, String)> {
    let every = config.reminders.repeat_every;
    overdue_candidates(config, incident)
        .map(|(_, number, deadline)| {
            let at = if now < deadline {
                deadline
            } else {
                deadline + every * (window(deadline, now, every) as i32 + 1)
            };
            (at, format!("action item #{number} overdue reminder"))
        })
        .min_by_key(|(at, _)| *at)
}
