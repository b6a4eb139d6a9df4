//! The incident's views: its section in the issue body, the replies to commands, the
//! timeline's overflow parts and export, the job summary.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{EntryView, format_time};
use crate::config::Config;
use crate::incident::{ActionItem, Entry, Incident, human_duration};

#[derive(Debug, Serialize)]
pub struct Milestone {
    pub name: &'static str,
    pub at: Option<String>,
    /// Time since declaration.
    pub after: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct StampView {
    pub text: String,
    pub by: String,
    pub at: String,
    pub public: bool,
}

#[derive(Debug, Serialize)]
pub struct SectionView {
    pub title: String,
    pub record: String,
    pub severity: String,
    pub status: &'static str,
    pub commander: Option<String>,
    pub comms: Option<String>,
    pub responders: Vec<String>,
    pub declared_by: String,
    pub milestones: Vec<Milestone>,
    pub duration: Option<String>,
    pub impact: Option<StampView>,
    pub update: Option<StampView>,
    pub zone: String,
    pub entries: Vec<EntryView>,
    /// Links to overflow comments holding older entries, oldest first.
    pub overflow: Vec<PartLink>,
    pub action_items: Vec<ItemRow>,
    /// The postmortem's status and checklist (markdown built by Firebreak), once there is one.
    pub postmortem: Option<String>,
}

/// One action item in the incident's list.
#[derive(Debug, Serialize)]
pub struct ItemRow {
    pub number: Option<u64>,
    pub title: String,
    pub owner: Option<String>,
    pub priority: String,
    pub kind: &'static str,
    pub due: String,
    pub state: &'static str,
}

impl ItemRow {
    pub fn new(item: &ActionItem) -> ItemRow {
        ItemRow {
            number: item.number,
            title: item.title.clone(),
            owner: item.owner.clone(),
            priority: crate::config::priority_name(item.priority),
            kind: item.kind.as_str(),
            due: item.due.to_string(),
            state: item.state.as_str(),
        }
    }
}

/// A link from the body to an overflow part.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct PartLink {
    pub part: u32,
    /// The comment's URL (already safe: built by Firebreak from GitHub's issue URL).
    pub url: String,
}

impl SectionView {
    pub fn new(
        incident: &Incident,
        config: &Config,
        issue_url: &str,
        overflow: Vec<PartLink>,
    ) -> SectionView {
        let tz = config.timezone;
        let since =
            |at: Option<DateTime<Utc>>| at.map(|t| human_duration(t - incident.declared_at));
        let milestone = |name, at: Option<DateTime<Utc>>| Milestone {
            name,
            at: at.map(|t| format_time(t, tz)),
            after: since(at),
        };
        SectionView {
            title: incident.title.clone(),
            record: incident.record.clone(),
            severity: config.severity_label(incident.severity),
            status: incident.status.as_str(),
            commander: incident.commander.clone(),
            comms: incident.comms.clone(),
            responders: incident.responders.clone(),
            declared_by: incident.declared_by.clone(),
            milestones: vec![
                milestone("Declared", Some(incident.declared_at)),
                milestone("Acknowledged", incident.acknowledged_at),
                milestone("Mitigated", incident.mitigated_at),
                milestone("Resolved", incident.resolved_at),
            ],
            duration: since(incident.resolved_at),
            impact: incident.impact.as_ref().map(|s| StampView {
                text: s.text.clone(),
                by: s.by.clone(),
                at: format_time(s.at, tz),
                public: false,
            }),
            update: incident.update.as_ref().map(|u| StampView {
                text: u.text.clone(),
                by: u.by.clone(),
                at: format_time(u.at, tz),
                public: u.public,
            }),
            zone: tz.name().to_string(),
            entries: incident
                .timeline
                .iter()
                .map(|e| EntryView::new(e, tz, issue_url))
                .collect(),
            overflow,
            action_items: incident.action_items.iter().map(ItemRow::new).collect(),
            postmortem: super::postmortem::mirror(config, incident),
        }
    }
}

/// One failed command line and why.
#[derive(Debug, Serialize)]
pub struct Failure {
    /// The command line as a code span, escaped.
    pub line: String,
    /// Firebreak's explanation, escaped with [`crate::markdown::escape_prose`].
    pub reason: String,
}

/// Longest command line a failure reply quotes; the comment holds the rest.
const QUOTED_LINE_CHARS: usize = 120;
/// Longest reason a failure reply gives: the longest Firebreak writes (a usage with an example)
/// is about 450 characters; reasons also quote arguments, which can be long.
const REASON_CHARS: usize = 800;

impl Failure {
    pub fn new(line: &str, reason: &str) -> Failure {
        let line = crate::incident::timeline::cut(&line.replace('`', "'"), QUOTED_LINE_CHARS);
        Failure {
            line: crate::markdown::escape_prose(&format!("`{line}`")),
            reason: crate::markdown::escape_prose(&crate::incident::timeline::cut(
                reason,
                REASON_CHARS,
            )),
        }
    }
}

#[derive(Debug, Serialize)]
pub struct FailuresView {
    pub author: String,
    /// The first failures, at most [`FailuresView::LISTED`].
    pub failures: Vec<Failure>,
    /// Failures beyond those listed.
    pub more: usize,
    /// Command lines beyond the most a comment runs, not read at all.
    pub unread: usize,
    /// The most command lines a comment runs.
    pub limit: usize,
    /// Some other command of the comment ran.
    pub others_ran: bool,
}

impl FailuresView {
    /// Failures a reply lists by line: one comment cannot make a reply longer than a screen.
    pub const LISTED: usize = 10;

    pub fn new(
        author: &str,
        mut failures: Vec<Failure>,
        unread: usize,
        limit: usize,
        others_ran: bool,
    ) -> FailuresView {
        let more = failures.len().saturating_sub(Self::LISTED);
        failures.truncate(Self::LISTED);
        FailuresView {
            author: author.to_string(),
            failures,
            more,
            unread,
            limit,
            others_ran,
        }
    }
}

/// An entry from outside the issue (an alert firing again), as its carrier comment says it.
#[derive(Debug, Serialize)]
pub struct CarriedView {
    pub text: String,
    pub by: String,
    pub time: String,
}

/// The description's link to the reporter's text moved to a comment.
#[derive(Debug, Serialize)]
pub struct MovedReportView {
    pub url: String,
    pub chars: usize,
}

/// The words above the reporter's moved text.
#[derive(Debug, Serialize)]
pub struct MovedReportCommentView {
    /// The text was longer than a comment holds.
    pub cut: bool,
    pub kept: usize,
}

#[derive(Debug, Serialize)]
pub struct RefusedView {
    pub author: String,
    pub commands: Vec<String>,
    pub who: String,
}

#[derive(Debug, Serialize)]
pub struct ResolutionView {
    /// `mitigated` or `resolved`.
    pub outcome: &'static str,
    pub title: String,
    pub severity: String,
    pub by: String,
    pub note: Option<String>,
    pub mentions: Vec<String>,
    pub duration: String,
    /// Whether a postmortem is owed (markdown built by Firebreak).
    pub postmortem: Option<String>,
}

#[derive(Debug, Serialize)]
pub struct UpdateView {
    pub title: String,
    pub severity: String,
    pub status: &'static str,
    pub by: String,
    pub at: String,
    pub text: String,
    pub public: bool,
    pub impact: Option<String>,
}

/// Usage and summary, already escaped for a table cell ([`crate::markdown::escape_cell_prose`]).
#[derive(Debug, Serialize)]
pub struct HelpRow {
    pub usage: String,
    pub summary: String,
}

#[derive(Debug, Serialize)]
pub struct HelpView {
    pub commands: Vec<HelpRow>,
    pub severities: Vec<String>,
    pub statuses: Vec<&'static str>,
}

#[derive(Debug, Serialize)]
pub struct SummaryView {
    pub repo: String,
    pub event: String,
    pub issue: Option<u64>,
    pub severity: Option<String>,
    pub status: Option<&'static str>,
    pub lines: Vec<String>,
}

/// One overflow part of a timeline.
#[derive(Debug, Serialize)]
pub struct OverflowView {
    pub page: u32,
    pub record: String,
    pub zone: String,
    /// The incident issue, for the way back.
    pub issue_url: String,
    pub entries: Vec<EntryView>,
}

impl OverflowView {
    pub fn new(
        page: u32,
        incident: &Incident,
        entries: &[Entry],
        config: &Config,
        issue_url: &str,
    ) -> OverflowView {
        let tz = config.timezone;
        OverflowView {
            page,
            record: incident.record.clone(),
            zone: tz.name().to_string(),
            issue_url: issue_url.to_string(),
            entries: entries
                .iter()
                .map(|e| EntryView::new(e, tz, issue_url))
                .collect(),
        }
    }
}

/// A comment that duplicated an overflow part, once retired.
#[derive(Debug, Serialize)]
pub struct RetiredPartView {
    pub part: u32,
    /// The surviving part.
    pub url: Option<String>,
}

/// A whole timeline (body and overflow), for `firebreak timeline`.
#[derive(Debug, Serialize)]
pub struct TimelineView {
    pub title: String,
    pub record: String,
    pub severity: String,
    pub status: &'static str,
    pub issue_url: String,
    pub zone: String,
    pub entries: Vec<EntryView>,
}
