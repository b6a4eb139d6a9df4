//! The postmortem of an incident, as remembered in the incident's hidden state.
//!
//! GitHub holds the postmortem itself (a file on a branch, a pull request, its reviews); this
//! records where they are and what was last seen of them, so that a run woken by a comment can
//! re-evaluate the checklist without reading the pull request again, and so that a repeated run
//! finds what an earlier one created instead of creating it twice.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where an incident's postmortem stands.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct Postmortem {
    /// Started with `/postmortem` (needed for severities whose postmortem is optional).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub started: bool,
    /// Set with `/postmortem owner @x`; otherwise the incident commander owns it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub owner: Option<String>,
    /// The draft's branch and file, once chosen.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub branch: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub path: Option<String>,
    /// The pull request's number, once opened.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pull: Option<u64>,
    /// The bot's checklist comment on the pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checklist_comment: Option<u64>,
    /// Due date: business days after resolution, from the severity's policy.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// What was last read from the pull request.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub facts: Option<PullFacts>,
    /// The checklist as last posted on the pull request (and shown on the incident).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub checklist: Vec<Check>,
    /// The index (`docs/postmortems/README.md`) lists it.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub indexed: bool,
    /// Path of the published public version.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub public_path: Option<String>,
    /// When a closed-unmerged pull request was last answered (its `closed_at`), so a repeated
    /// event is answered once.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_answered: Option<DateTime<Utc>>,
}

/// What Firebreak last read from the postmortem pull request.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq)]
pub struct PullFacts {
    /// `open` or `closed`.
    pub state: String,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub merged: bool,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_at: Option<DateTime<Utc>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed_at: Option<DateTime<Utc>>,
    /// Who merged it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_by: Option<String>,
    /// Required sections still without real content (all of them if the file is missing).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub missing_sections: Vec<String>,
    /// Reviewers whose latest review approves, in the order they approved.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub approvers: Vec<String>,
}

/// One line of the checklist.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct Check {
    /// Stable identity (`section:Trigger`, `approvals`, `merged` …).
    pub key: String,
    /// The requirement, in words (markdown built by Firebreak, user text escaped).
    pub text: String,
    pub done: bool,
}
