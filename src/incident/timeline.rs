//! Timeline entries: what happened, when, by whom, and where it came from.
//!
//! Every entry has a stable identity ([`Entry::id`]): the comment (and command line) it came
//! from, or a key for events made by hand. Inserting an entry whose identity is already present
//! replaces it, so processing the same comment twice — a duplicated event, two runs at once —
//! never yields two entries.

use std::cmp::Ordering;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// Longest excerpt of a comment kept in the timeline; the link leads to the rest.
pub const EXCERPT_CHARS: usize = 160;

/// Longest text of any entry (a command's argument can be a whole line): bounds what one
/// entry adds to the body or an overflow part, so the size limits hold whatever people write.
pub const TEXT_CHARS: usize = 1_000;

#[derive(Debug, Clone, Copy, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum EntryKind {
    Declared,
    Comment,
    Note,
    Severity,
    Status,
    Role,
    Acknowledged,
    Impact,
    Update,
    Label,
    Assignee,
    Closed,
    Reopened,
    ActionItem,
    Postmortem,
    Alert,
    /// A reminder the sweep posted (update cadence, follow-up, due dates).
    Reminder,
    /// An escalation the sweep posted (unacknowledged, overdue).
    Escalation,
}

impl EntryKind {
    /// The word shown in the timeline's "What" column.
    pub fn label(self) -> &'static str {
        match self {
            EntryKind::Declared => "declared",
            EntryKind::Comment => "comment",
            EntryKind::Note => "note",
            EntryKind::Severity => "severity",
            EntryKind::Status => "status",
            EntryKind::Role => "role",
            EntryKind::Acknowledged => "ack",
            EntryKind::Impact => "impact",
            EntryKind::Update => "update",
            EntryKind::Label => "label",
            EntryKind::Assignee => "assignee",
            EntryKind::Closed => "closed",
            EntryKind::Reopened => "reopened",
            EntryKind::ActionItem => "action item",
            EntryKind::Postmortem => "postmortem",
            EntryKind::Alert => "alert",
            EntryKind::Reminder => "reminder",
            EntryKind::Escalation => "escalation",
        }
    }
}

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Entry {
    pub at: DateTime<Utc>,
    pub kind: EntryKind,
    pub by: String,
    /// Plain text as written; escaped only when rendered.
    pub text: String,
    /// The comment this entry came from.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub comment: Option<u64>,
    /// The command's line in that comment (none for the comment's own entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub line: Option<usize>,
    /// The comment's `updated_at` when this entry was last synced (edits update the entry).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<DateTime<Utc>>,
    /// The pull request the comment is on, when it is not on the incident (`/action` on the
    /// postmortem pull request).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<u64>,
    /// Identity of an entry that did not come from a comment (events made by hand).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub key: Option<String>,
}

impl Entry {
    pub fn new(at: DateTime<Utc>, kind: EntryKind, by: &str, text: impl Into<String>) -> Entry {
        Entry {
            at,
            kind,
            by: by.to_string(),
            text: text.into(),
            comment: None,
            line: None,
            edited: None,
            pull: None,
            key: None,
        }
    }

    pub fn from_comment(mut self, comment: u64, line: Option<usize>) -> Entry {
        self.comment = Some(comment);
        self.line = line;
        self
    }

    pub fn with_key(mut self, key: impl Into<String>) -> Entry {
        self.key = Some(key.into());
        self
    }

    /// Stable identity: `c123`, `c123.4` (line 4 of comment 123), or `k:<key>`.
    pub fn id(&self) -> String {
        match (self.comment, self.line, &self.key) {
            (Some(c), Some(l), _) => format!("c{c}.{l}"),
            (Some(c), None, _) => format!("c{c}"),
            (None, _, Some(k)) => format!("k:{k}"),
            (None, _, None) => format!(
                "t:{}:{}:{}",
                self.at.timestamp(),
                self.kind.label(),
                self.by
            ),
        }
    }

    fn order(&self, other: &Entry) -> Ordering {
        (self.at, self.comment.unwrap_or(0), self.line.unwrap_or(0))
            .cmp(&(
                other.at,
                other.comment.unwrap_or(0),
                other.line.unwrap_or(0),
            ))
            .then_with(|| self.id().cmp(&other.id()))
    }
}

/// Inserts or replaces `entry` (by identity), keeping the timeline ordered by time; text past
/// [`TEXT_CHARS`] is cut. Returns whether anything changed.
pub fn upsert(timeline: &mut Vec<Entry>, mut entry: Entry) -> bool {
    if entry.text.len() > TEXT_CHARS {
        entry.text = cut(&entry.text, TEXT_CHARS);
    }
    let id = entry.id();
    if let Some(existing) = timeline.iter_mut().find(|e| e.id() == id) {
        if *existing == entry {
            return false;
        }
        *existing = entry;
    } else {
        timeline.push(entry);
    }
    sort(timeline);
    true
}

/// Orders entries by time; entries of one comment keep their line order.
pub fn sort(timeline: &mut [Entry]) {
    timeline.sort_by(|a, b| a.order(b));
}

/// Removes every entry of `comment` that is the comment's own (not its commands' effects).
pub fn remove_comment(timeline: &mut Vec<Entry>, comment: u64) -> bool {
    let before = timeline.len();
    timeline.retain(|e| !(e.comment == Some(comment) && e.line.is_none()));
    before != timeline.len()
}

/// The first line of prose in a comment (command lines, quotes and blank lines skipped),
/// cut to [`EXCERPT_CHARS`] with an ellipsis.
pub fn excerpt(body: &str) -> String {
    let mut in_fence = false;
    let line = body
        .lines()
        .map(str::trim)
        .find(|l| {
            if l.starts_with("```") || l.starts_with("~~~") {
                in_fence = !in_fence;
                return false;
            }
            !in_fence && !l.is_empty() && !l.starts_with('>') && !l.starts_with("<!--")
        })
        .unwrap_or("");
    cut(line, EXCERPT_CHARS)
}

/// At most `max` characters, with `…` when cut.
pub fn cut(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_string();
    }
    let mut out: String = text.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn backdated_entry_sorts_into_place() {
        let mut t = vec![];
        upsert(
            &mut t,
            Entry::new(at("2026-11-20T10:00:00Z"), EntryKind::Declared, "a", "x"),
        );
        upsert(
            &mut t,
            Entry::new(at("2026-11-20T12:00:00Z"), EntryKind::Comment, "b", "y")
                .from_comment(2, None),
        );
        upsert(
            &mut t,
            Entry::new(at("2026-11-20T09:00:00Z"), EntryKind::Note, "c", "z")
                .from_comment(3, Some(1)),
        );
        let order: Vec<_> = t.iter().map(|e| e.text.as_str()).collect();
        assert_eq!(order, ["z", "x", "y"]);
    }

    #[test]
    fn same_comment_twice_is_one_entry() {
        let mut t = vec![];
        let e = Entry::new(at("2026-11-20T10:00:00Z"), EntryKind::Comment, "a", "x")
            .from_comment(7, None);
        assert!(upsert(&mut t, e.clone()));
        assert!(!upsert(&mut t, e));
        assert_eq!(t.len(), 1);
    }

    #[test]
    fn entry_text_is_capped() {
        let mut t = vec![];
        let e = Entry::new(
            at("2026-11-20T10:00:00Z"),
            EntryKind::Impact,
            "a",
            "é".repeat(3_000),
        );
        upsert(&mut t, e);
        assert_eq!(t[0].text.chars().count(), TEXT_CHARS);
        assert!(t[0].text.ends_with('…'));
    }

    #[test]
    fn excerpt_skips_quotes_fences_and_blank_lines() {
        assert_eq!(
            excerpt("\n> quoted\n```\ncode\n```\n  Real text here\nmore"),
            "Real text here"
        );
        let long = "x".repeat(500);
        assert_eq!(excerpt(&long).chars().count(), EXCERPT_CHARS);
        assert!(excerpt(&long).ends_with('…'));
    }
}
