//! The incident domain: what an incident is, independent of GitHub and of the clock.
//!
//! [`Incident`] is the whole state of one incident. It lives, serialized, inside the bot-owned
//! section of the issue body ([`section`]) — GitHub is the only store. Everything here is pure:
//! functions take `now` (or the time of the comment that caused a change) as a parameter.

pub mod carried;
pub mod kinds;
pub mod moved;
pub mod parts;
pub mod postmortem;
pub mod record;
pub mod section;
pub mod timeline;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

pub use kinds::{ActionType, Status};
pub use postmortem::{Check, Postmortem, PullFacts};
pub use timeline::{Entry, EntryKind};

/// Version of the serialized state; bumped on incompatible changes.
pub const STATE_VERSION: u32 = 1;

/// Who said what, when.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Stamped {
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The latest stakeholder update.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Update {
    pub text: String,
    pub by: String,
    pub at: DateTime<Utc>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub public: bool,
}

/// A reminder or escalation the sweep posted: the window it belongs to, and when.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Reminded {
    /// Names the window (`ack-2`, `cadence-1795600800-3`, `item-41-0`): a reminder whose key
    /// is recorded is never posted again.
    pub key: String,
    pub at: DateTime<Utc>,
}

/// A stakeholder update marked public (`/update public`), kept for the public status output:
/// the state keeps every one, not only the latest, so the status page needs no other read.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PublicUpdate {
    /// The command line that posted it (`c<comment>.<line>`): processing the same comment
    /// again replaces it instead of adding a second one.
    pub key: String,
    pub at: DateTime<Utc>,
    /// The incident's status when it was posted.
    #[serde(with = "status_serde")]
    pub status: Status,
    /// As written, cut to [`timeline::TEXT_CHARS`] like a timeline entry.
    pub text: String,
}

/// Whether an action item's issue is open or closed, as last seen.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "lowercase")]
pub enum ItemState {
    Open,
    Closed,
}

impl ItemState {
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Open => "open",
            ItemState::Closed => "closed",
        }
    }
}

/// A follow-up opened by `/action`: its own issue, linked to the incident as a sub-issue.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct ActionItem {
    /// The command line that asked for it (`c<comment>.<line>`): its identity, also written
    /// as a hidden marker into the item's issue so a retry finds it instead of opening another.
    pub key: String,
    /// The item's issue number, once created.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub number: Option<u64>,
    pub title: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// 0 … 3 for P0 … P3.
    pub priority: u8,
    pub kind: ActionType,
    pub due: NaiveDate,
    pub state: ItemState,
    /// Who asked for it, and when.
    pub by: String,
    pub at: DateTime<Utc>,
}

/// One incident, as stored in the hidden state of its issue body.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Incident {
    pub version: u32,
    /// The issue this state belongs to: a copy of a section in another issue is no incident
    /// there. `None` in states written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub issue: Option<u64>,
    /// `YYYY-MM-DD HH:MM <slug>`: names the incident on the board, in files and reports.
    pub record: String,
    /// The title without the severity prefix.
    pub title: String,
    /// 1-based severity level (1 = most severe).
    pub severity: u8,
    #[serde(with = "status_serde")]
    pub status: Status,
    pub declared_at: DateTime<Utc>,
    pub declared_by: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub acknowledged_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub identified_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mitigated_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub resolved_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub commander: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comms: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub responders: Vec<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub impact: Option<Stamped>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub update: Option<Update>,
    /// Every public update, oldest first (states written before this field have none; their
    /// public updates are read from the timeline).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub public_updates: Vec<PublicUpdate>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub fingerprint: Option<String>,
    /// Firebreak's labels exist in the repository (checked once per incident).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub labels_ready: bool,
    /// The newest of the issue's events (labels, assignees, state, title; by id) already
    /// recorded: the timeline is read past it, so every event is recorded once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event: Option<u64>,
    /// The global id (REST `node_id`, GraphQL `id`) of the newest event a person made on the
    /// issue, as of the last run that listed its events: a run whose GraphQL read shows a
    /// newer one (or not this one) lists the events.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_event_node: Option<String>,
    /// Follow-ups opened with `/action`, in the order they were asked for.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub action_items: Vec<ActionItem>,
    /// The postmortem, once one is owed or started (see [`postmortem`]).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub postmortem: Option<Postmortem>,
    /// The latest reminder of each kind the sweep posted (`ack`, `cadence`, `follow-up`,
    /// `postmortem`, `item-<n>`, `items`), so a sweep in the same window posts nothing, without
    /// reading a single comment.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub reminded: BTreeMap<String, Reminded>,
    /// Entries still in the body, oldest first. Older ones live in overflow comments.
    #[serde(default)]
    pub timeline: Vec<Entry>,
}

impl Incident {
    /// A freshly declared incident.
    pub fn declare(
        title: &str,
        severity: u8,
        by: &str,
        at: DateTime<Utc>,
        tz: chrono_tz::Tz,
    ) -> Incident {
        Incident {
            version: STATE_VERSION,
            issue: None,
            record: record_name(at, title, tz),
            title: title.to_string(),
            severity,
            status: Status::Investigating,
            declared_at: at,
            declared_by: by.to_string(),
            acknowledged_at: None,
            identified_at: None,
            mitigated_at: None,
            resolved_at: None,
            commander: None,
            comms: None,
            responders: Vec::new(),
            impact: None,
            update: None,
            public_updates: Vec::new(),
            fingerprint: None,
            labels_ready: false,
            last_event: None,
            last_event_node: None,
            action_items: Vec::new(),
            postmortem: None,
            reminded: BTreeMap::new(),
            timeline: Vec::new(),
        }
    }

    /// Everyone holding a role, each once, IC first.
    pub fn role_holders(&self) -> Vec<String> {
        let mut seen = BTreeSet::new();
        self.commander
            .iter()
            .chain(self.comms.iter())
            .chain(self.responders.iter())
            .filter(|l| seen.insert(l.to_ascii_lowercase()))
            .cloned()
            .collect()
    }

    /// Moves the status, stamping the first time each milestone is reached. Moving back
    /// (e.g. resolved → investigating on a relapse) keeps the earlier stamps.
    pub fn set_status(&mut self, status: Status, at: DateTime<Utc>) {
        self.status = status;
        let stamp = |slot: &mut Option<DateTime<Utc>>| {
            slot.get_or_insert(at);
        };
        match status {
            Status::Investigating => {}
            Status::Identified => stamp(&mut self.identified_at),
            Status::Mitigated => stamp(&mut self.mitigated_at),
            Status::Monitoring => stamp(&mut self.mitigated_at),
            Status::Resolved => {
                stamp(&mut self.mitigated_at);
                stamp(&mut self.resolved_at);
            }
        }
    }

    /// The first `/ic` or `/ack` acknowledges the incident (and stops escalation).
    pub fn acknowledge(&mut self, at: DateTime<Utc>) -> bool {
        if self.acknowledged_at.is_none() {
            self.acknowledged_at = Some(at);
            true
        } else {
            false
        }
    }

    /// Records a public update (replacing one with the same key), oldest first.
    pub fn add_public_update(&mut self, update: PublicUpdate) {
        let update = PublicUpdate {
            text: timeline::cut(&update.text, timeline::TEXT_CHARS),
            ..update
        };
        match self.public_updates.iter_mut().find(|u| u.key == update.key) {
            Some(existing) => *existing = update,
            None => self.public_updates.push(update),
        }
        self.public_updates
            .sort_by(|a, b| a.at.cmp(&b.at).then(a.key.cmp(&b.key)));
    }

    /// Comment ids that already have an entry in the body part of the timeline.
    pub fn seen_comments(&self) -> BTreeSet<u64> {
        self.timeline.iter().filter_map(|e| e.comment).collect()
    }
}

/// `YYYY-MM-DD HH:MM <slug>` in the configured zone.
pub fn record_name(at: DateTime<Utc>, title: &str, tz: chrono_tz::Tz) -> String {
    format!(
        "{} {}",
        at.with_timezone(&tz).format("%Y-%m-%d %H:%M"),
        slug(title)
    )
}

/// Lower-case ASCII words joined by `-`, at most 60 characters: safe in file names, branch
/// names and URLs.
pub fn slug(title: &str) -> String {
    let mut out = String::new();
    for word in title
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        if out.len() + word.len() + 1 > 60 {
            break;
        }
        if !out.is_empty() {
            out.push('-');
        }
        out.push_str(&word.to_ascii_lowercase());
    }
    if out.is_empty() {
        out.push_str("incident");
    }
    out
}

/// A human duration: `42m`, `3h 05m`, `2d 4h`.
pub fn human_duration(d: chrono::Duration) -> String {
    let mins = d.num_minutes().max(0);
    let (days, hours, minutes) = (mins / 1440, (mins % 1440) / 60, mins % 60);
    match (days, hours) {
        (0, 0) => format!("{minutes}m"),
        (0, _) => format!("{hours}h {minutes:02}m"),
        _ => format!("{days}d {hours}h"),
    }
}

mod status_serde {
    use super::Status;
    use serde::{Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(status: &Status, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(status.as_str())
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
        let text = String::deserialize(d)?;
        text.parse()
            .map_err(|_| serde::de::Error::custom(format!("unknown status `{text}`")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slug_keeps_ascii_words_and_caps_length() {
        assert_eq!(
            slug("Database down: EU (primary)!"),
            "database-down-eu-primary"
        );
        assert_eq!(slug("🔥🔥"), "incident");
        assert!(slug(&"word ".repeat(40)).len() <= 60);
    }

    #[test]
    fn record_name_uses_the_configured_zone() {
        let at = "2026-11-20T23:30:00Z".parse().unwrap();
        assert_eq!(
            record_name(at, "Checkout errors", chrono_tz::Europe::Berlin),
            "2026-11-21 00:30 checkout-errors"
        );
    }

    #[test]
    fn resolving_stamps_mitigation_too_and_relapse_keeps_stamps() {
        let t0 = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut inc = Incident::declare("x", 1, "a", t0, chrono_tz::UTC);
        let t1 = "2026-11-20T11:00:00Z".parse().unwrap();
        inc.set_status(Status::Resolved, t1);
        assert_eq!(inc.mitigated_at, Some(t1));
        inc.set_status(Status::Investigating, t0);
        assert_eq!(inc.resolved_at, Some(t1));
    }

    #[test]
    fn a_public_update_processed_twice_is_kept_once_in_time_order() {
        let t0 = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut inc = Incident::declare("x", 1, "a", t0, chrono_tz::UTC);
        let update = |key: &str, at: &str, text: &str| PublicUpdate {
            key: key.into(),
            at: at.parse().unwrap(),
            status: Status::Investigating,
            text: text.into(),
        };
        inc.add_public_update(update("c2.1", "2026-11-20T11:00:00Z", "second"));
        inc.add_public_update(update("c1.1", "2026-11-20T10:30:00Z", "first"));
        inc.add_public_update(update("c2.1", "2026-11-20T11:00:00Z", "second"));
        let texts: Vec<_> = inc.public_updates.iter().map(|u| u.text.as_str()).collect();
        assert_eq!(texts, ["first", "second"]);
        inc.add_public_update(update("c3.1", "2026-11-20T12:00:00Z", &"é".repeat(3_000)));
        assert_eq!(
            inc.public_updates[2].text.chars().count(),
            timeline::TEXT_CHARS
        );
    }

    #[test]
    fn human_durations() {
        assert_eq!(human_duration(chrono::Duration::minutes(42)), "42m");
        assert_eq!(human_duration(chrono::Duration::minutes(185)), "3h 05m");
        assert_eq!(human_duration(chrono::Duration::minutes(60 * 50)), "2d 2h");
    }
}
