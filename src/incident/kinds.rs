//! The domain's keywords: incident statuses, action-item types and priorities. Plain data that
//! names and parses itself, shared by the command parser, the configuration, the engine and
//! the renderers; it depends on nothing else in Firebreak.

use std::fmt;
use std::str::FromStr;

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

/// Reads `P0` … `P3` (any case) as 0 … 3.
pub fn parse_priority(text: &str) -> Option<u8> {
    let text = text.trim();
    let digit = text.strip_prefix(['P', 'p'])?;
    match digit {
        "0" => Some(0),
        "1" => Some(1),
        "2" => Some(2),
        "3" => Some(3),
        _ => None,
    }
}

/// `P0` … `P3`.
pub fn priority_name(priority: u8) -> String {
    format!("P{priority}")
}
