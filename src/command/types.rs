//! The values that commands carry: people, times, action-item options. The domain's own
//! keywords (statuses, action types, priorities) live in [`crate::incident::kinds`].

use chrono::{DateTime, Duration, FixedOffset, NaiveDate, NaiveDateTime};

use crate::incident::kinds::ActionType;

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
