//! A plan: every GitHub write one run will make, decided before any is made.
//!
//! Some writes show what another write creates: an action item's issue number appears in the
//! incident body, the draft pull request's number in the body's postmortem block. The plan
//! names those by what creates them ([`Bindings`]); the apply step creates them first, binds
//! their numbers into the plan's incident ([`bind`]) and renders the texts that show them
//! ([`Doc`], [`BodyDraft`]). Everything else is rendered here, at decision time.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::facts::{ItemIssue, Need};
use crate::incident::timeline::Entry;
use crate::incident::timeline::EntryKind;
use crate::incident::{ActionItem, Incident};
use crate::render::PartLink;

/// Hidden marker ending every reply, naming the comment it answers, so a repeated run finds
/// its earlier reply instead of posting a second one.
pub const REPLY_MARKER: &str = "<!-- firebreak:reply ";

/// The longest reply Firebreak posts, in bytes: far under GitHub's 65,536 characters.
pub const REPLY_LIMIT: usize = 16_000;

pub fn reply_marker(key: &str) -> String {
    format!("{REPLY_MARKER}{key} -->")
}

/// Fields of an issue update; `None` leaves the field as it is.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct IssuePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `completed`, `not_planned`, `duplicate` or `reopened`; only with a state change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
}

impl IssuePatch {
    pub fn is_empty(&self) -> bool {
        self == &IssuePatch::default()
    }
}

/// A label definition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LabelSpec {
    pub name: String,
    pub color: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A new issue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
}

/// A comment to post, with the key its marker carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewComment {
    pub key: String,
    pub body: String,
    /// Where to post it when not on the plan's issue (a reply on the postmortem pull request).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub on: Option<u64>,
}

/// An action item's issue to open; its number is bound to `key` once it exists.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewItem {
    /// The command line that asked for it (`c<comment>.<line>`), also the hidden marker in the
    /// issue's body by which a retry finds it.
    pub key: String,
    /// Action items updated since then are searched for the marker when a create's outcome is
    /// unknown, and after every create (two runs may have opened it at once).
    pub since: chrono::DateTime<chrono::Utc>,
    pub issue: NewIssue,
}

/// An issue to attach to the incident as a sub-issue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Attach {
    /// An existing issue: its number and `id` (what the sub-issues endpoint takes).
    Issue { number: u64, id: u64 },
    /// The item opened by this plan under this key.
    NewItem(String),
}

/// A text written to GitHub: known when the plan was decided, or rendered by the apply step
/// once what it shows exists (an action item opened in the same run).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Doc {
    Text(String),
    /// The postmortem draft of incident `number`, from this incident (whole timeline).
    Postmortem {
        incident: Box<Incident>,
        number: u64,
        url: String,
    },
    /// `file` with its managed action-items table showing this incident's items.
    ItemsTable {
        file: String,
        incident: Box<Incident>,
    },
    /// The checklist comment of incident `number`.
    Checklist {
        incident: Box<Incident>,
        number: u64,
    },
}

/// The record comment: edited when `comment` is known, else posted.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct RecordWrite {
    pub comment: Option<u64>,
}

/// The postmortem's branch, created from `from` (a commit).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewBranch {
    pub name: String,
    pub from: String,
}

/// A file to write on a branch: created when `sha` is `None` (kept as it is if it already
/// exists), else updated from that blob.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileWrite {
    pub path: String,
    pub branch: String,
    pub content: Doc,
    pub message: String,
    pub sha: Option<String>,
}

/// A draft pull request to open (or to find, when one from `head` exists already).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewPull {
    pub title: String,
    pub head: String,
    pub base: String,
    pub body: String,
    pub draft: bool,
}

/// The checklist comment on the postmortem pull request: edited when `comment` is known,
/// else found by its marker or posted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChecklistWrite {
    /// The pull request; `None`: the one this plan opens.
    pub pull: Option<u64>,
    pub comment: Option<u64>,
    pub text: Doc,
}

/// The postmortem's writes, in the order they are applied.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct PostmortemWrites {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub branch: Option<NewBranch>,
    /// The draft, the action-items table, the index line, the public version.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub files: Vec<FileWrite>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub pull: Option<NewPull>,
    /// Labels for the pull request this plan opens.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub pull_labels: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub checklist: Option<ChecklistWrite>,
    /// A required postmortem's pull request closed unmerged, to reopen.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reopen_pull: Option<u64>,
}

impl PostmortemWrites {
    pub fn is_empty(&self) -> bool {
        self == &PostmortemWrites::default()
    }
}

/// The issue body to write. When nothing in it waits for the apply step, `text` is the whole
/// body; otherwise it is composed there, once the numbers and comment ids it shows are known:
/// `rendered` is then the section when only new overflow parts' links wait (it holds the
/// placeholders of [`super::overflow`]), else the section is rendered there too.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BodyDraft {
    pub before: String,
    pub after: String,
    pub issue_url: String,
    /// The body's links to the timeline's overflow parts.
    pub links: Vec<PartLink>,
    #[serde(skip)]
    pub rendered: Option<String>,
    #[serde(skip)]
    pub text: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct Plan {
    /// The incident issue; 0 while the plan opens it ([`Plan::open`]).
    pub issue: u64,
    /// The incident issue to open (`firebreak declare`, an alert): title, body and labels.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub open: Option<NewIssue>,
    /// The incident as it will be after the plan; `None` when the issue is not an incident.
    #[serde(skip)]
    pub incident: Option<Incident>,
    /// Its severity's configured name (`SEV1`), for reports.
    #[serde(skip)]
    pub severity_name: Option<String>,
    /// Firebreak's labels the repository lacks.
    pub create_labels: Vec<LabelSpec>,
    pub add_labels: Vec<String>,
    pub remove_labels: Vec<String>,
    pub add_assignees: Vec<String>,
    pub remove_assignees: Vec<String>,
    /// Action items' issues to open, in the order they were asked for.
    pub items: Vec<NewItem>,
    /// Issues to attach to the incident as sub-issues.
    pub attach: Vec<Attach>,
    pub postmortem: PostmortemWrites,
    /// Replies (each carries a marker naming what it answers, so it is posted once).
    pub comments: Vec<NewComment>,
    /// (comment id, reaction content).
    pub reactions: Vec<(u64, &'static str)>,
    /// Overflow comments holding the timeline's oldest entries.
    pub overflow: Writes,
    /// The record comment to write, when the state is kept in one
    /// ([`crate::incident::record`]); rendered by the apply step from the plan's incident.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub record: Option<RecordWrite>,
    /// The comment to post holding the reporter's text, moved out of the description
    /// ([`crate::incident::moved`]); the description links it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub moved_report: Option<String>,
    /// Title and state, written with the body, last: the body is the commit point of a run.
    pub patch: IssuePatch,
    /// The body, when it changes.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<BodyDraft>,
    /// What happened, in words, for the job summary and logs.
    pub notes: Vec<String>,
    /// What could not be done (a configured branch that does not exist): the run applies the
    /// rest and then fails, naming them.
    pub problems: Vec<String>,
    /// Facts the engine needs before it can decide: the gather step reads them and the engine
    /// decides again; a plan with needs is never applied.
    #[serde(skip)]
    pub needs: Vec<Need>,
}

impl Plan {
    pub fn new(issue: u64) -> Plan {
        Plan {
            issue,
            ..Plan::default()
        }
    }

    pub fn comment(&mut self, key: impl Into<String>, body: String) {
        self.comment_on(None, key, body);
    }

    /// A reply on issue or pull request `on` (`None`: the plan's issue). Replies are bounded
    /// where they are built; this bound is the last guard, so GitHub never refuses one.
    pub fn comment_on(&mut self, on: Option<u64>, key: impl Into<String>, body: String) {
        let key = key.into();
        let mut body = body.trim_end().to_string();
        if body.len() > REPLY_LIMIT {
            let mut cut = REPLY_LIMIT;
            while !body.is_char_boundary(cut) {
                cut -= 1;
            }
            body.truncate(cut);
            body.push_str("\n\n_(cut: the rest was too long for one reply)_");
        }
        let body = format!("{body}\n\n{}", reply_marker(&key));
        self.comments.push(NewComment { key, body, on });
    }

    pub fn react(&mut self, comment: u64, content: &'static str) {
        if !self.reactions.contains(&(comment, content)) {
            self.reactions.push((comment, content));
        }
    }

    pub fn need(&mut self, need: Need) {
        if !self.needs.contains(&need) {
            self.needs.push(need);
        }
    }

    /// Something apply creates will show in the texts: they are rendered after it exists.
    pub fn has_pending(&self) -> bool {
        !self.items.is_empty() || self.postmortem.pull.is_some()
    }

    /// Nothing to write.
    pub fn is_empty(&self) -> bool {
        self.open.is_none()
            && self.create_labels.is_empty()
            && self.add_labels.is_empty()
            && self.remove_labels.is_empty()
            && self.add_assignees.is_empty()
            && self.remove_assignees.is_empty()
            && self.items.is_empty()
            && self.attach.is_empty()
            && self.postmortem.is_empty()
            && self.comments.is_empty()
            && self.reactions.is_empty()
            && self.overflow.is_empty()
            && self.record.is_none()
            && self.moved_report.is_none()
            && self.patch.is_empty()
            && self.body.is_none()
    }
}

/// What the apply step created, by what the plan calls it.
#[derive(Debug, Clone, Default)]
pub struct Bindings {
    /// Action items' issues, by key.
    pub items: BTreeMap<String, ItemIssue>,
    /// The draft pull request.
    pub pull: Option<u64>,
    /// The checklist comment on it.
    pub checklist: Option<u64>,
}

/// The timeline text of an action item (its number once it has one).
pub fn item_entry_text(item: &ActionItem) -> String {
    let number = match item.number {
        Some(n) => format!(" #{n}"),
        None => " (new)".to_string(),
    };
    format!(
        "Action item{number}: {} ({}, {}, {}, due {})",
        item.title,
        crate::incident::kinds::priority_name(item.priority),
        item.kind.as_str(),
        item.owner.as_deref().unwrap_or("no owner"),
        item.due
    )
}

/// The timeline text of the draft's opening.
pub fn draft_entry_text(pull: Option<u64>, path: &str) -> String {
    match pull {
        Some(n) => format!("Postmortem draft opened: #{n} (`{path}`)"),
        None => format!("Postmortem draft opened (`{path}`)"),
    }
}

/// The key of the timeline entry that records the draft's opening.
pub const DRAFT_ENTRY: &str = "postmortem-draft";

/// Writes what apply created into an incident of the plan: items' numbers and states, the
/// draft's number and checklist comment, and the timeline texts that show them.
pub fn bind(incident: &mut Incident, bindings: &Bindings) {
    for item in &mut incident.action_items {
        if let Some(opened) = bindings.items.get(&item.key) {
            item.number = Some(opened.number);
            item.state = opened.state;
            let text = item_entry_text(item);
            let line = item_line(&item.key);
            for entry in incident.timeline.iter_mut().filter(|e| {
                e.kind == EntryKind::ActionItem && (e.comment, e.line) == line && line.0.is_some()
            }) {
                entry.text = text.clone();
            }
        }
    }
    if let Some(pm) = incident.postmortem.as_mut() {
        if let Some(n) = bindings.pull {
            pm.pull = Some(n);
            let path = pm.path.clone().unwrap_or_default();
            for entry in incident
                .timeline
                .iter_mut()
                .filter(|e| e.key.as_deref() == Some(DRAFT_ENTRY))
            {
                entry.text = draft_entry_text(Some(n), &path);
            }
        }
        if let Some(id) = bindings.checklist {
            pm.checklist_comment = Some(id);
        }
    }
}

/// The (comment, line) of an item key `c<comment>.<line>`.
fn item_line(key: &str) -> (Option<u64>, Option<usize>) {
    let Some((comment, line)) = key.strip_prefix('c').and_then(|k| k.split_once('.')) else {
        return (None, None);
    };
    (comment.parse().ok(), line.parse().ok())
}

/// A part to open, or (with its comment) to rewrite. Its entries are kept beside its text so
/// the apply step can render it again when it shows an action item opened in the same run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartWrite {
    /// The comment holding the part; `None` for a part to open.
    pub comment: Option<u64>,
    pub part: u32,
    pub body: String,
    #[serde(skip)]
    pub entries: Vec<Entry>,
}

/// Writes to the timeline's overflow comments ([`super::overflow`]), beside the plan's body.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Writes {
    /// Parts to open, before the body (its links need their ids).
    pub create: Vec<PartWrite>,
    /// Parts whose content changed.
    pub update: Vec<PartWrite>,
    /// (comment, new text) of duplicated parts (two runs opened the same one), rewritten after
    /// the body into a note without state, so they are no longer parts; their entries are in
    /// the body or the surviving part. Not deleted: the run's check that no comment arrived
    /// while it wrote counts comments, and a deletion would hide an arrival from another run.
    pub retire: Vec<(u64, String)>,
}

impl Writes {
    pub fn is_empty(&self) -> bool {
        self.create.is_empty() && self.update.is_empty() && self.retire.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::{ActionType, Entry, ItemState};

    #[test]
    fn binding_an_item_sets_its_number_and_its_entry_text() {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut incident = Incident::declare("x", 1, "a", at, chrono_tz::UTC);
        let item = ActionItem {
            key: "c7.2".into(),
            number: None,
            title: "Fix it".into(),
            owner: None,
            priority: 1,
            kind: ActionType::Prevent,
            due: "2026-12-01".parse().unwrap(),
            state: ItemState::Open,
            by: "a".into(),
            at,
        };
        incident.timeline.push(
            Entry::new(at, EntryKind::ActionItem, "a", item_entry_text(&item))
                .from_comment(7, Some(2)),
        );
        incident.action_items.push(item);
        let mut bindings = Bindings::default();
        bindings.items.insert(
            "c7.2".into(),
            ItemIssue {
                number: 41,
                id: 9041,
                state: ItemState::Open,
            },
        );
        assert!(
            incident.timeline[0]
                .text
                .starts_with("Action item (new): Fix it")
        );
        bind(&mut incident, &bindings);
        assert_eq!(incident.action_items[0].number, Some(41));
        assert_eq!(
            incident.timeline[0].text,
            "Action item #41: Fix it (P1, prevent, no owner, due 2026-12-01)"
        );
    }
}
