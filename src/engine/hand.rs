//! What people do to the issue by hand — labels, assignees, closing, reopening, editing —
//! and to its action items (closing, reopening): each becomes a timeline entry, and a severity
//! or status label set by hand is adopted as the new severity or status.

use super::commands::direction;
use super::{Cx, HandEvent, HandKind, ItemEvent, labels};

use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, ItemState, Status};

/// Label, assignee, close and reopen events made by a person become entries. A severity or
/// status label set by hand is adopted as the new severity or status. The issue's author can
/// retitle, close and reopen their issue without any right on the repository: when they may
/// not change the incident, what they did is undone and said so.
pub(super) fn hand_event(cx: &mut Cx, incident: &mut Incident, hand: &HandEvent) {
    if hand.sender.is_bot() || super::is_ours_login(cx.input.bot, &hand.sender.login) {
        return;
    }
    let config = cx.input.config;
    let by = hand.sender.login.as_str();
    let trusted = super::trust::sender_trusted(cx, by);
    let (key, text) = match &hand.kind {
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
                    (format!("label+{lower}@{}", hand.at.timestamp()), text)
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
                incident.set_status(status, hand.at);
                (
                    format!("label+{lower}@{}", hand.at.timestamp()),
                    format!(
                        "Status {} → {} by hand (label `{name}`)",
                        from.as_str(),
                        status.as_str()
                    ),
                )
            } else if lower == labels::LABEL_INCIDENT {
                return;
            } else {
                (
                    format!("label+{lower}@{}", hand.at.timestamp()),
                    format!("Label `{name}` added"),
                )
            }
        }
        HandKind::Unlabeled(name) => {
            let lower = name.to_ascii_lowercase();
            // Removing one of the state labels is undone by the next render; no entry.
            if lower.starts_with(labels::SEVERITY_PREFIX)
                || lower.starts_with(labels::STATUS_PREFIX)
                || lower == labels::LABEL_INCIDENT
            {
                return;
            }
            (
                format!("label-{lower}@{}", hand.at.timestamp()),
                format!("Label `{name}` removed"),
            )
        }
        HandKind::Assigned(login) => (
            format!("assign+{login}@{}", hand.at.timestamp()),
            format!("{login} assigned"),
        ),
        HandKind::Unassigned(login) => (
            format!("assign-{login}@{}", hand.at.timestamp()),
            format!("{login} unassigned"),
        ),
        HandKind::Closed if !trusted => {
            cx.plan.patch.state = Some("open".into());
            (
                format!("closed@{}", hand.at.timestamp()),
                "Closed the issue without the right to change this incident; reopened".to_string(),
            )
        }
        HandKind::Closed => (
            format!("closed@{}", hand.at.timestamp()),
            "Issue closed".to_string(),
        ),
        HandKind::Reopened if !trusted => {
            cx.plan.patch.state = Some("closed".into());
            (
                format!("reopened@{}", hand.at.timestamp()),
                "Reopened the issue without the right to change this incident; closed again"
                    .to_string(),
            )
        }
        HandKind::Reopened => (
            format!("reopened@{}", hand.at.timestamp()),
            "Issue reopened".to_string(),
        ),
        HandKind::Edited => {
            let title = super::declare::strip_severity_prefix(config, &cx.input.issue.title);
            if title == incident.title {
                return;
            }
            if !trusted {
                // The plan sets the incident's title back.
                (
                    format!("title@{}", hand.at.timestamp()),
                    format!(
                        "Retitled the issue \"{title}\" without the right to change this incident; the title was restored"
                    ),
                )
            } else {
                incident.title = title.clone();
                (
                    format!("title@{}", hand.at.timestamp()),
                    format!("Title changed to \"{title}\""),
                )
            }
        }
    };
    let kind = match hand.kind {
        HandKind::Labeled(_) | HandKind::Unlabeled(_) => EntryKind::Label,
        HandKind::Assigned(_) | HandKind::Unassigned(_) => EntryKind::Assignee,
        HandKind::Closed => EntryKind::Closed,
        HandKind::Reopened => EntryKind::Reopened,
        HandKind::Edited => EntryKind::Note,
    };
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(hand.at, kind, by, text).with_key(key),
    );
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
