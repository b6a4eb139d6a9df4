//! What people do to the issue by hand — labels, assignees, closing, reopening, editing —
//! and to its action items (closing, reopening): each becomes a timeline entry, and a severity
//! or status label set by hand is adopted as the new severity or status.

use chrono::{DateTime, Utc};

use super::commands::direction;
use super::{Cx, HandEvent, HandKind, ItemEvent, labels};
use crate::event::IssueEvent;

use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, ItemState, Status};

/// The event that woke the run, when the issue's events could not be listed with its
/// comments (otherwise [`issue_event`] records it with the others).
pub(super) fn hand_event(cx: &mut Cx, incident: &mut Incident, hand: &HandEvent) {
    if !cx.input.is_person_user(&hand.sender) {
        return;
    }
    record(cx, incident, &hand.kind, &hand.sender.login, hand.at);
}

/// One of the issue's events, from its timeline, not yet recorded.
pub(super) fn issue_event(cx: &mut Cx, incident: &mut Incident, event: &IssueEvent) {
    let Some(actor) = event.actor.as_ref().filter(|a| cx.input.is_person_user(a)) else {
        return;
    };
    if let Some(kind) = hand_kind(event) {
        record(cx, incident, &kind, &actor.login, event.created_at);
    }
}

/// What an issue event did, when it is a change Firebreak records.
fn hand_kind(event: &IssueEvent) -> Option<HandKind> {
    let label = || event.label.as_ref().map(|l| l.name.clone());
    let assignee = || event.assignee.as_ref().map(|u| u.login.clone());
    match event.event.as_str() {
        "labeled" => label().map(HandKind::Labeled),
        "unlabeled" => label().map(HandKind::Unlabeled),
        "assigned" => assignee().map(HandKind::Assigned),
        "unassigned" => assignee().map(HandKind::Unassigned),
        "closed" => Some(HandKind::Closed),
        "reopened" => Some(HandKind::Reopened),
        "renamed" => event
            .rename
            .as_ref()
            .map(|r| HandKind::Renamed(r.to.clone())),
        _ => None,
    }
}

/// Label, assignee, close, reopen and retitle done by a person (`by`, at `at`) become entries.
/// A severity or status label set by hand is adopted as the new severity or status. The
/// issue's author can retitle, close and reopen their issue without any right on the
/// repository: when they may not change the incident, what they did is undone (when it still
/// stands) and said so.
fn record(cx: &mut Cx, incident: &mut Incident, kind: &HandKind, by: &str, at: DateTime<Utc>) {
    let config = cx.input.config;
    let state = cx.input.issue.state.as_str();
    let trusted = super::trust::sender_trusted(cx, by);
    let (key, text) = match kind {
        HandKind::Labeled(name) => {
            let lower = name.to_ascii_lowercase();
            if let Some(level) = lower
                .strip_prefix(labels::SEVERITY_PREFIX)
                .and_then(|l| l.parse::<u8>().ok())
            {
                if config.severity(level).is_some() && level != incident.severity {
                    let from = incident.severity;
                    incident.severity = level;
                    let text = format!(
                        "Severity {} {} → {} by hand (label `{name}`)",
                        direction(from, level),
                        config.severity_name(from),
                        config.severity_name(level)
                    );
                    (format!("label+{lower}@{}", at.timestamp()), text)
                } else {
                    return;
                }
            } else if let Some(status) = lower
                .strip_prefix(labels::STATUS_PREFIX)
                .and_then(|s| s.parse::<Status>().ok())
            {
                if status == incident.status {
                    return;
                }
                let from = incident.status;
                incident.set_status(status, at);
                (
                    format!("label+{lower}@{}", at.timestamp()),
                    format!(
                        "Status {} → {} by hand (label `{name}`)",
                        from.as_str(),
                        status.as_str()
                    ),
                )
            } else {
                match plain(kind, at) {
                    Some(entry) => entry,
                    None => return,
                }
            }
        }
        HandKind::Unlabeled(_) | HandKind::Assigned(_) | HandKind::Unassigned(_) => {
            match plain(kind, at) {
                Some(entry) => entry,
                // Removing one of the state labels is undone by the next render; no entry.
                None => return,
            }
        }
        HandKind::Closed if !trusted => {
            if state == "closed" {
                cx.plan.patch.state = Some("open".into());
            }
            (
                format!("closed@{}", at.timestamp()),
                "Closed the issue without the right to change this incident; reopened".to_string(),
            )
        }
        HandKind::Closed => (
            format!("closed@{}", at.timestamp()),
            "Issue closed".to_string(),
        ),
        HandKind::Reopened if !trusted => {
            if state == "open" {
                cx.plan.patch.state = Some("closed".into());
            }
            (
                format!("reopened@{}", at.timestamp()),
                "Reopened the issue without the right to change this incident; closed again"
                    .to_string(),
            )
        }
        HandKind::Reopened => (
            format!("reopened@{}", at.timestamp()),
            "Issue reopened".to_string(),
        ),
        HandKind::Edited | HandKind::Renamed(_) => {
            let to = match kind {
                HandKind::Renamed(to) => to,
                _ => &cx.input.issue.title,
            };
            let title = super::declare::strip_severity_prefix(config, to);
            if title == incident.title {
                return;
            }
            if !trusted {
                // The plan sets the incident's title back.
                (
                    format!("title@{}", at.timestamp()),
                    format!(
                        "Retitled the issue \"{title}\" without the right to change this incident; the title was restored"
                    ),
                )
            } else {
                incident.title = title.clone();
                (
                    format!("title@{}", at.timestamp()),
                    format!("Title changed to \"{title}\""),
                )
            }
        }
    };
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(at, entry_kind(kind), by, text).with_key(key),
    );
}

fn entry_kind(kind: &HandKind) -> EntryKind {
    match kind {
        HandKind::Labeled(_) | HandKind::Unlabeled(_) => EntryKind::Label,
        HandKind::Assigned(_) | HandKind::Unassigned(_) => EntryKind::Assignee,
        HandKind::Closed => EntryKind::Closed,
        HandKind::Reopened => EntryKind::Reopened,
        HandKind::Edited | HandKind::Renamed(_) => EntryKind::Note,
    }
}

/// The key and text of a change whose entry depends on nothing but the change: a label that
/// is not one of Firebreak's state labels, added or removed; an assignee added or removed.
fn plain(kind: &HandKind, at: DateTime<Utc>) -> Option<(String, String)> {
    let state_label = |lower: &str| {
        lower.starts_with(labels::SEVERITY_PREFIX)
            || lower.starts_with(labels::STATUS_PREFIX)
            || lower == labels::LABEL_INCIDENT
    };
    let t = at.timestamp();
    match kind {
        HandKind::Labeled(name) => {
            let lower = name.to_ascii_lowercase();
            (!state_label(&lower)).then(|| {
                (
                    format!("label+{lower}@{t}"),
                    format!("Label `{name}` added"),
                )
            })
        }
        HandKind::Unlabeled(name) => {
            let lower = name.to_ascii_lowercase();
            (!state_label(&lower)).then(|| {
                (
                    format!("label-{lower}@{t}"),
                    format!("Label `{name}` removed"),
                )
            })
        }
        HandKind::Assigned(login) => {
            Some((format!("assign+{login}@{t}"), format!("{login} assigned")))
        }
        HandKind::Unassigned(login) => {
            Some((format!("assign-{login}@{t}"), format!("{login} unassigned")))
        }
        _ => None,
    }
}

/// Events recorded before (at or below `last_event`) whose entries are gone: two runs that
/// rewrote the same timeline part at once can lose one, and the mark keeps the event from
/// being recorded again. A change whose entry depends on nothing but the change (a plain
/// label, an assignee) gets its entry back; nothing else about the incident changes.
pub(super) fn restore_entries<'a>(
    cx: &Cx,
    incident: &mut Incident,
    events: impl Iterator<Item = &'a IssueEvent>,
) {
    let mut present: Option<std::collections::HashSet<String>> = None;
    for event in events {
        let Some(actor) = event.actor.as_ref().filter(|a| cx.input.is_person_user(a)) else {
            continue;
        };
        let Some(kind) = hand_kind(event) else {
            continue;
        };
        let Some((key, text)) = plain(&kind, event.created_at) else {
            continue;
        };
        // The entries' ids, gathered once and only when some event could need its entry back.
        let present =
            present.get_or_insert_with(|| incident.timeline.iter().map(|e| e.id()).collect());
        if present.insert(format!("k:{key}")) {
            timeline::upsert(
                &mut incident.timeline,
                Entry::new(event.created_at, entry_kind(&kind), &actor.login, text).with_key(key),
            );
        }
    }
}

/// An action item's issue was closed or reopened: its row follows, with a timeline entry.
pub(super) fn item_event(incident: &mut Incident, event: &ItemEvent) {
    let Some(item) = incident
        .action_items
        .iter_mut()
        .find(|i| i.number == Some(event.number))
    else {
        return;
    };
    if item.state == event.state {
        return;
    }
    item.state = event.state;
    let verb = match event.state {
        ItemState::Open => "reopened",
        ItemState::Closed => "closed",
    };
    let text = format!("Action item #{} {verb}: {}", event.number, item.title);
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(event.at, EntryKind::ActionItem, &event.by, text).with_key(format!(
            "item#{}-{}@{}",
            event.number,
            event.state.as_str(),
            event.at.timestamp()
        )),
    );
}
