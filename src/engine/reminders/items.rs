//! Action items past due: once its due date has passed (the end of that day, configured zone),
//! an open item's owner is reminded on the item, once per `reminders.repeat_every` window (no
//! owner: the incident commander, to find one). Past due by `reminders.escalate_after`, the
//! item is escalated on the incident instead, to `reminders.escalate_to` (default: the
//! incident commander), in one comment per window listing every escalated item — or, when the
//! incident is closed (nothing is posted on it), on the item itself.
//!
//! Items usually fall due long after their incident closed. The sweep lists open items, not
//! closed incidents: [`may_be_due`] tells from an item's issue alone — the due date it shows
//! ([`due_shown`]) and when it was last updated — whether its closed incident must be read.

use chrono::{DateTime, NaiveDate, Utc};

use super::{Due, On, add_all, end_of_day, window};
use crate::config::Config;
use crate::incident::{ActionItem, EntryKind, Incident, ItemState};
use crate::render::views::reminders::{ItemEscalationView, ItemLineView, ItemReminderView};
use crate::render::{self, names};

/// The kind of the escalation comment listing every item escalated on the incident.
const ESCALATED: &str = "items";

/// The due date an action item's issue shows: its `| **Due** | 2026-12-01 |` row, which
/// Firebreak writes when it opens the item.
pub fn due_shown(body: &str) -> Option<NaiveDate> {
    body.lines().find_map(|line| {
        let rest = line.trim().strip_prefix("| **Due** | ")?;
        rest.split(|c: char| c == '|' || c.is_whitespace())
            .next()?
            .parse()
            .ok()
    })
}

/// Whether an open item due on `due`, last updated at `updated`, may owe a reminder at `now`:
/// it is past due and nothing — no reminder, no person — touched it in the current window.
/// Posting a reminder updates the item, so a sweep later in the window passes it by unread.
pub fn may_be_due(
    config: &Config,
    due: NaiveDate,
    updated: DateTime<Utc>,
    now: DateTime<Utc>,
) -> bool {
    let Some(deadline) = end_of_day(config, due) else {
        return false;
    };
    if now < deadline {
        return false;
    }
    let every = config.reminders.repeat_every;
    updated < deadline + every * window(deadline, now, every) as i32
}

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

/// `@a, @b`.
fn handles(list: &[String]) -> String {
    list.iter()
        .map(|m| format!("@{m}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `reminders.escalate_to`, else the incident commander.
fn escalation_targets(config: &Config, incident: &Incident) -> Vec<String> {
    let mut targets = Vec::new();
    if config.reminders.escalate_to.is_empty() {
        add_all(&mut targets, incident.commander.iter());
    } else {
        add_all(&mut targets, config.reminders.escalate_to.iter());
    }
    targets
}

/// The reminders of the items of the incident `on`.
pub(super) fn due(config: &Config, on: On, incident: &Incident, now: DateTime<Utc>) -> Vec<Due> {
    let r = &config.reminders;
    let mut out = Vec::new();
    let mut escalated: Vec<(&ActionItem, u64, i64)> = Vec::new();
    for (item, number, deadline) in overdue_candidates(config, incident) {
        if now < deadline {
            continue;
        }
        let n = window(deadline, now, r.repeat_every);
        let escalate = r
            .escalate_after
            .is_some_and(|after| now >= deadline + after);
        if escalate && !on.closed {
            escalated.push((item, number, n));
            continue;
        }
        out.push(on_the_item(config, on, incident, item, number, n, escalate));
    }
    if let Some(due) = on_the_incident(config, incident, &escalated) {
        out.push(due);
    }
    out
}

/// The reminder on the item itself (escalated there when the incident is closed).
fn on_the_item(
    config: &Config,
    on: On,
    incident: &Incident,
    item: &ActionItem,
    number: u64,
    window: i64,
    escalate: bool,
) -> Due {
    let r = &config.reminders;
    let mut mentions = Vec::new();
    let finder = incident
        .commander
        .iter()
        .take(usize::from(item.owner.is_none()));
    add_all(&mut mentions, item.owner.iter().chain(finder));
    if escalate {
        add_all(&mut mentions, escalation_targets(config, incident).iter());
    }
    let view = ItemReminderView {
        incident: on.number,
        due: item.due.to_string(),
        mentions: mentions.clone(),
        has_owner: item.owner.is_some(),
        every: crate::config::format_duration(r.repeat_every),
        escalate_after: r.escalate_after.map(crate::config::format_duration),
        incident_open: !on.closed,
        escalated: escalate,
    };
    let what = format!("action item #{number} is overdue (due {})", item.due);
    let (entry_kind, entry) = match (escalate, mentions.is_empty()) {
        (true, _) => (
            EntryKind::Escalation,
            format!("Escalated to {}: {what}", handles(&mentions)),
        ),
        (false, false) => (
            EntryKind::Reminder,
            format!("Reminded {}: {what}", handles(&mentions)),
        ),
        (false, true) => (EntryKind::Reminder, format!("Reminder: {what}")),
    };
    Due {
        kind: format!("item-{number}"),
        key: format!("item-{number}-{}{window}", if escalate { "e" } else { "" }),
        on: Some(number),
        text: render::render(names::ITEM_REMINDER, &view),
        mentions,
        entry_kind,
        entry,
    }
}

/// One comment on the incident listing every item past the grace period, posted when one of
/// them enters a new window — not when one leaves the list (closed).
fn on_the_incident(
    config: &Config,
    incident: &Incident,
    escalated: &[(&ActionItem, u64, i64)],
) -> Option<Due> {
    if escalated.is_empty() {
        return None;
    }
    let key = format!(
        "items-{}",
        escalated
            .iter()
            .map(|(_, number, n)| format!("{number}.{n}"))
            .collect::<Vec<_>>()
            .join("-")
    );
    let posted = incident
        .reminded
        .get(ESCALATED)
        .map(|r| pairs(&r.key))
        .unwrap_or_default();
    if pairs(&key).iter().all(|p| posted.contains(p)) {
        return None;
    }
    let mentions = escalation_targets(config, incident);
    let mut everyone = mentions.clone();
    let owners: Vec<String> = escalated
        .iter()
        .filter_map(|(i, _, _)| i.owner.clone())
        .collect();
    add_all(&mut everyone, owners.iter());
    let after = config
        .reminders
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
        format!(" to {}", handles(&mentions))
    };
    Some(Due {
        kind: ESCALATED.into(),
        key,
        on: None,
        text: render::render(names::ITEM_ESCALATION, &view),
        mentions: everyone,
        entry_kind: EntryKind::Escalation,
        entry: format!("Escalated{to}: action items {numbers} overdue by more than {after}"),
    })
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
