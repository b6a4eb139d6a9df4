//! The file as written: serde DTOs that mirror `.github/firebreak.yml` key for key.
//!
//! Every struct refuses unknown keys, and every key may be left out. Values that need checking
//! beyond their YAML type (durations, time zones, severities, priorities, handles, patterns)
//! are kept as text here and checked in `resolve`, which knows each key's path and so its line.
//! The meaning, unit and default of each key is documented on the resolved types in the parent
//! module and in `docs/configuration.md`.

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// A key whose explicit `null` means something else than leaving the key out.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub enum Setting<T> {
    /// The key is not in the file: use the default.
    #[default]
    Absent,
    /// The key is `null` (or `~`, or empty): switch the feature off.
    Null,
    /// The key has a value.
    Value(T),
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Setting<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(match Option::<T>::deserialize(deserializer)? {
            None => Setting::Null,
            Some(value) => Setting::Value(value),
        })
    }
}

/// The whole file.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawConfig {
    /// IANA time zone name. Default `UTC`.
    pub timezone: Option<String>,
    /// Incident title template. Default `[{severity}] {title}`.
    pub title_format: Option<String>,
    /// Severity name or level number. Default: the second severity.
    pub default_severity: Option<String>,
    /// Severity ladder, most severe first. Default SEV1..SEV4.
    pub severities: Option<Vec<RawSeverity>>,
    /// Who may run which command.
    pub permissions: RawPermissions,
    /// Who declares by opening an issue.
    pub declare: RawDeclare,
    /// Escalation levels for unacknowledged incidents. Default none.
    pub escalation: Vec<RawEscalationLevel>,
    /// Action-item defaults and cap.
    pub action_items: RawActionItems,
    /// Postmortem files, branches and the public version.
    pub postmortem: RawPostmortem,
    /// Reminders for postmortems and action items that fall due.
    pub reminders: RawReminders,
    /// The working-day-after question.
    pub follow_up: RawFollowUp,
    /// Working days. Default Mon..Fri.
    pub business_days: Option<Vec<String>>,
    /// Dates (`YYYY-MM-DD`) that are not working days. Default none.
    pub holidays: Vec<String>,
    /// Projects v2 board. Default none.
    pub board: Option<RawBoard>,
    /// Reports.
    pub report: RawReport,
}

/// One entry of `severities`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawSeverity {
    /// Short name, e.g. `SEV1`. Required.
    pub name: String,
    /// One line for people choosing a severity. Default empty.
    #[serde(default)]
    pub description: String,
    /// Duration, or null/`none`. Default none.
    #[serde(default)]
    pub ack_timeout: Option<String>,
    /// Duration, or null/`none`. Default none.
    #[serde(default)]
    pub update_cadence: Option<String>,
    /// Handles mentioned on declaration and resolution. Default none.
    #[serde(default)]
    pub notify: Vec<String>,
    /// This severity's own escalation levels. Default: the top-level `escalation`.
    #[serde(default)]
    pub escalation: Option<Vec<RawEscalationLevel>>,
    /// Postmortem policy. Default: optional.
    #[serde(default)]
    pub postmortem: RawPostmortemPolicy,
}

/// `severities[].postmortem`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPostmortemPolicy {
    /// Default false.
    pub required: bool,
    /// Business days. Default 5.
    pub due_business_days: Option<i64>,
    /// Count. Default 1.
    pub approvals: Option<i64>,
    /// Default false.
    pub public: bool,
}

/// `permissions`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPermissions {
    /// Rule for every command without its own.
    pub default: RawAllow,
    /// Rules by command name; omitted lists are taken from `default`.
    pub commands: BTreeMap<String, RawAllow>,
}

/// One permission rule.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawAllow {
    /// GitHub author associations.
    pub associations: Option<Vec<String>>,
    /// Logins.
    pub users: Option<Vec<String>>,
    /// `org/team-slug`.
    pub teams: Option<Vec<String>>,
}

/// One entry of `escalation`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawEscalationLevel {
    /// Handles to mention. Required.
    pub notify: Vec<String>,
    /// Duration after the ack timeout expires. Default `0m`.
    #[serde(default)]
    pub after: Option<String>,
}

/// `action_items`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawActionItems {
    /// `P0`..`P3`. Default `P2`.
    pub default_priority: Option<String>,
    /// `mitigate`, `prevent`, `detect` or `process`. Default `prevent`.
    pub default_type: Option<String>,
    /// Days until due by priority.
    pub due_days: RawDueDays,
    /// Cap on open items. Default 10 open P0/P1 per `team:*` label.
    pub open_cap: Setting<RawOpenCap>,
}

/// `action_items.due_days`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
#[allow(non_snake_case)]
pub struct RawDueDays {
    /// Days. Default 7.
    pub P0: Option<i64>,
    /// Days. Default 30.
    pub P1: Option<i64>,
    /// Days. Default 60.
    pub P2: Option<i64>,
    /// Days. Default 90.
    pub P3: Option<i64>,
}

/// `action_items.open_cap`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawOpenCap {
    /// Count, or null for no cap. Default 10.
    pub limit: Setting<i64>,
    /// Priorities counted. Default `[P0, P1]`.
    pub priorities: Option<Vec<String>>,
    /// Label pattern such as `team:*`, or null to count across the repository.
    pub per_label: Setting<String>,
}

/// `postmortem`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPostmortem {
    /// Directory. Default `docs/postmortems`.
    pub directory: Option<String>,
    /// Index file. Default `<directory>/README.md`.
    pub index: Option<String>,
    /// Template path in the repository. Default built-in.
    pub template: Option<String>,
    /// Branch name prefix. Default `postmortem/`.
    pub branch_prefix: Option<String>,
    /// Base branch. Default the repository's default branch.
    pub base_branch: Option<String>,
    /// `mitigated` or `resolved`. Default `mitigated`.
    pub open_draft_at: Option<String>,
    /// Section headings that must have real content.
    pub required_sections: Option<Vec<String>>,
    /// The public version.
    pub public: RawPublicPostmortem,
}

/// `postmortem.public`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawPublicPostmortem {
    /// Directory. Default `<postmortem.directory>/public`.
    pub directory: Option<String>,
    /// Template path in the repository. Default built-in.
    pub template: Option<String>,
    /// Publish on merge. Default false.
    pub on_merge: bool,
    /// Regexes redacted from the public version. Default none.
    pub private_patterns: Vec<String>,
    /// Replacement text. Default `[redacted]`.
    pub replacement: Option<String>,
}

/// `reminders`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawReminders {
    /// Duration. Default `1d`.
    pub before_due: Option<String>,
    /// Duration. Default `1d`.
    pub repeat_every: Option<String>,
    /// Duration, or null to never escalate. Default `2d`.
    pub escalate_after: Setting<String>,
    /// Handles. Default none.
    pub escalate_to: Vec<String>,
}

/// `declare`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawDeclare {
    /// `permitted` or `anyone`. Default `permitted`.
    pub open_to: Option<String>,
}

/// `follow_up`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawFollowUp {
    /// Default true.
    pub enabled: Option<bool>,
}

/// `board`.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawBoard {
    /// Organization or user login. Required.
    pub owner: String,
    /// Project number. Required.
    pub number: u64,
    /// Field names on the board.
    #[serde(default)]
    pub fields: RawBoardFields,
}

/// `board.fields`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawBoardFields {
    /// Default `Severity`.
    pub severity: Option<String>,
    /// Default `Status`.
    pub status: Option<String>,
    /// Default `Priority`.
    pub priority: Option<String>,
    /// Default `Due`.
    pub due: Option<String>,
    /// Default `Kind`.
    pub kind: Option<String>,
}

/// `report`.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct RawReport {
    /// Issue number. Default none.
    pub issue: Option<u64>,
    /// Duration. Default `90d`.
    pub since: Option<String>,
    /// Duration. Default `1d`.
    pub refresh_every: Option<String>,
}
