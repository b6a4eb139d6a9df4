//! The values that commands carry: statuses, people, times, action-item options.
//!
//! These are plain data with no behaviour beyond naming and parsing their own keywords, so the
//! engine, the incident state and the renderers can share them.

use std::fmt;
use std::str::FromStr;

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime};
use serde::{Deserialize, Serialize};

/// Where an incident is, in the order incidents normally move through them.
///
/// `Mitigated` means the impact stopped thanks to a workaround; `Resolved` means it is fixed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Status {
    Investigating,
    Identified,
    Mitigated,
    Monitoring,
    Resolved,
}

impl Status {
    /// Every status, in lifecycle order.
    pub const ALL: [Status; 5] = [
        Status::Investigating,
        Status::Identified,
        Status::Mitigated,
        Status::Monitoring,
        Status::Resolved,
    ];

    /// The lower-case keyword, as written in `/status` and in the `status:<status>` label.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Investigating => "investigating",
            Status::Identified => "identified",
            Status::Mitigated => "mitigated",
            Status::Monitoring => "monitoring",
            Status::Resolved => "resolved",
        }
    }
}

impl fmt::Display for Status {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for Status {
    type Err = UnknownKeyword;

    /// Case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Status::ALL
            .into_iter()
            .find(|status| status.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownKeyword::new("status", s))
    }
}

/// What an action item does about the incident (the `type:<type>` label).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ActionType {
    Mitigate,
    Prevent,
    Detect,
    Process,
}

impl ActionType {
    /// Every action type, in the order the spec lists them.
    pub const ALL: [ActionType; 4] = [
        ActionType::Mitigate,
        ActionType::Prevent,
        ActionType::Detect,
        ActionType::Process,
    ];

    /// The lower-case keyword, as written in `/action` and in the `type:<type>` label.
    pub fn as_str(self) -> &'static str {
        match self {
            ActionType::Mitigate => "mitigate",
            ActionType::Prevent => "prevent",
            ActionType::Detect => "detect",
            ActionType::Process => "process",
        }
    }
}

impl fmt::Display for ActionType {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for ActionType {
    type Err = UnknownKeyword;

    /// Case-insensitive.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        ActionType::ALL
            .into_iter()
            .find(|kind| kind.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| UnknownKeyword::new("action type", s))
    }
}

/// A keyword that is not one of the known values (from [`Status::from_str`] and
/// [`ActionType::from_str`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownKeyword {
    /// What was being parsed: `"status"`, `"action type"`.
    pub kind: &'static str,
    pub value: String,
}

impl UnknownKeyword {
    fn new(kind: &'static str, value: &str) -> Self {
        UnknownKeyword {
            kind,
            value: value.to_owned(),
        }
    }
}

impl fmt::Display for UnknownKeyword {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "unknown {} `{}`", self.kind, self.value)
    }
}

impl std::error::Error for UnknownKeyword {}

/// The person a role (or an action item, or a postmortem) goes to.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub enum RoleTarget {
    /// `me` or `@me`: the author of the comment.
    Me,
    /// `@login`, stored without the `@`, with the case as written.
    User(String),
}

impl RoleTarget {
    /// The login this target names, given the comment's author.
    pub fn resolve<'a>(&'a self, author: &'a str) -> &'a str {
        match self {
            RoleTarget::Me => author,
            RoleTarget::User(login) => login,
        }
    }
}

/// When a `/timeline` entry happened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TimeSpec {
    /// No time given: when the comment was written.
    Now,
    /// `14:05`, `9:05`: that time today, in the configured time zone.
    ClockTime { hour: u32, minute: u32 },
    /// `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`: an instant with its own offset.
    Absolute(DateTime<FixedOffset>),
    /// `2026-11-20 14:05`, `2026-11-20T14:05`: a wall-clock time in the configured time zone.
    LocalDateTime(NaiveDateTime),
    /// `-20m`, `-2h`, `-1d`, `-90s`, `-1h30m`: that long before the comment. Always positive.
    Ago(Duration),
}

/// When an action item is due.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DueSpec {
    /// `due:2026-12-01`.
    Date(NaiveDate),
    /// `due:+7d`, `due:+2w`, `due:+36h`: that long after the comment. Always positive.
    In(Duration),
}

/// A follow-up from `/action`. Options left out are `None`; defaults (priority, type, due date
/// from the priority's SLO) are policy and belong to the engine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionSpec {
    pub title: String,
    pub owner: Option<RoleTarget>,
    /// `P0`..`P3` → `0..=3`.
    pub priority: Option<u8>,
    pub kind: Option<ActionType>,
    pub due: Option<DueSpec>,
}

/// What `/postmortem` asks for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostmortemCommand {
    /// `/postmortem` (or `/postmortem start`): start one, even where the severity does not require it.
    Start,
    /// `/postmortem owner @x`.
    Owner(RoleTarget),
    /// `/postmortem public`: render and publish the public version.
    Public,
}
