//! `.github/firebreak.yml`: the strict, fully documented configuration.
//!
//! The file is parsed in three steps:
//!
//! 1. serde-saphyr reads it into the `raw` DTOs, which refuse unknown keys and wrong types;
//! 2. `resolve` checks every value (durations, time zones, severities, priorities, handles,
//!    regexes …) and builds the [`Config`] the rest of Firebreak uses;
//! 3. whenever either step fails, `locate` finds the line, column and key path at fault, so
//!    that every [`ConfigError`] reads like
//!    `.github/firebreak.yml:7:18: severities[1].ack_timeout: invalid duration "5 mins": expected e.g. 30s, 5m, 4h, 2d`.
//!
//! An empty file, or a file of comments only, is the default configuration, which is the
//! behaviour the product specification describes. `docs/configuration.md` is the reference
//! for users; the doc comments here say the same, key by key.

mod duration;
mod errors;
mod locate;
mod raw;
mod resolve;
mod yaml_out;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;

pub use duration::{DURATION_HINT, format_duration, parse_duration};

/// Where the configuration lives in a repository.
pub const CONFIG_PATH: &str = ".github/firebreak.yml";

/// Every slash command, as `permissions.commands` keys name them.
pub const COMMANDS: &[&str] = &[
    "incident",
    "sev",
    "status",
    "ic",
    "comms",
    "responder",
    "ack",
    "impact",
    "update",
    "timeline",
    "action",
    "postmortem",
    "help",
];

/// GitHub's author associations, as `permissions.*.associations` take them.
pub const ASSOCIATIONS: &[&str] = &[
    "OWNER",
    "MEMBER",
    "COLLABORATOR",
    "CONTRIBUTOR",
    "FIRST_TIME_CONTRIBUTOR",
    "FIRST_TIMER",
    "MANNEQUIN",
    "NONE",
];

/// The postmortem sections that must have real content unless `postmortem.required_sections`
/// says otherwise (headings of the postmortem template).
pub const DEFAULT_REQUIRED_SECTIONS: &[&str] = &[
    "Executive summary",
    "Impact",
    "Trigger",
    "Root cause",
    "Detection",
    "Resolution and recovery",
    "Action items",
    "Lessons",
];

/// Placeholders `title_format` may use.
pub const TITLE_PLACEHOLDERS: &[&str] = &["{severity}", "{level}", "{title}"];

/// Why a configuration could not be loaded. Every variant names the file; [`ConfigError::Invalid`]
/// also names the line, column and key path at fault.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file does not exist. Callers decide whether that means the default configuration.
    #[error("{file}: no such file (`firebreak init` writes a starter configuration)")]
    NotFound {
        /// The file, as given.
        file: String,
    },
    /// The file exists but could not be read (permissions, not UTF-8, …).
    #[error("{file}: cannot read: {source}")]
    Read {
        /// The file, as given.
        file: String,
        /// What the operating system said.
        #[source]
        source: std::io::Error,
    },
    /// The file is not valid YAML, or a key or value is wrong.
    #[error(
        "{file}:{line}:{column}: {}{message}",
        if .path.is_empty() { String::new() } else { format!("{}: ", .path) }
    )]
    Invalid {
        /// The file, as given.
        file: String,
        /// 1-based line of the key or value at fault.
        line: usize,
        /// 1-based column of the key or value at fault.
        column: usize,
        /// Key path at fault, e.g. `severities[1].ack_timeout`; empty for the whole document
        /// (and for YAML syntax errors, and unknown top-level keys, whose message names the key).
        path: String,
        /// What is wrong and, where it helps, what would be right.
        message: String,
    },
}

impl ConfigError {
    /// The 1-based line at fault, if the error has one.
    pub fn line(&self) -> Option<usize> {
        match self {
            ConfigError::Invalid { line, .. } => Some(*line),
            _ => None,
        }
    }

    /// The key path at fault (`severities[1].ack_timeout`), if the error has one.
    pub fn key_path(&self) -> Option<&str> {
        match self {
            ConfigError::Invalid { path, .. } => Some(path),
            _ => None,
        }
    }
}

/// The whole configuration, resolved and checked. `Config::default()` is what an empty (or
/// missing) `.github/firebreak.yml` means.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// Time zone in which times are shown and `/timeline HH:MM` is read (`timezone`, an IANA
    /// name). Default `UTC`.
    pub timezone: Tz,
    /// Incident title template (`title_format`); `{severity}` is the severity name, `{level}`
    /// its number, `{title}` the title. Default `[{severity}] {title}`.
    pub title_format: String,
    /// Severity level (1-based) used when none is given (`default_severity`, a name or
    /// number). Default 2 (`SEV2`): when unsure, pick the higher one.
    pub default_severity: u8,
    /// The severity ladder, most severe first; level N is `severities[N-1]` and its label is
    /// `sev:N`. Default SEV1 … SEV4 as in the specification.
    pub severities: Vec<SeverityConfig>,
    /// Who may run which command. Default: author association OWNER, MEMBER or COLLABORATOR
    /// for every command.
    pub permissions: Permissions,
    /// Levels mentioned one by one while an incident stays unacknowledged past its severity's
    /// `ack_timeout`. Default none (the reminder then mentions nobody extra).
    pub escalation: Vec<EscalationLevel>,
    /// Action-item defaults and the open-item cap.
    pub action_items: ActionItemsConfig,
    /// Where postmortems go and how the public version is made.
    pub postmortem: PostmortemConfig,
    /// Reminders before and after postmortem and action-item due dates.
    pub reminders: RemindersConfig,
    /// The question asked the working day after resolution.
    pub follow_up: FollowUpConfig,
    /// Working days, for postmortem due dates and the follow-up. Default Monday to Friday.
    pub business_days: Vec<Weekday>,
    /// Dates that are not working days even on a business day. Default none.
    pub holidays: Vec<NaiveDate>,
    /// The Projects v2 board kept in step, if any. Default none (no board).
    pub board: Option<BoardConfig>,
    /// `firebreak report` defaults and the pinned report issue.
    pub report: ReportConfig,
    /// Template overrides by template file name (`postmortem.md.hbs` …), read next to the
    /// configuration from `.github/firebreak/templates/` (not a YAML key; see
    /// `crate::postmortem::templates`). Default none: the built-in templates.
    pub templates: BTreeMap<String, String>,
}

/// One rung of the severity ladder (`severities[]`).
#[derive(Debug, Clone, PartialEq)]
pub struct SeverityConfig {
    /// Short name used in titles, commands and the issue form, e.g. `SEV1` (`name`, required;
    /// unique, no spaces, not a bare number).
    pub name: String,
    /// One line that helps people choose (`description`). Default empty.
    pub description: String,
    /// How long an incident may stay without `/ic` or `/ack` before escalation starts
    /// (`ack_timeout`, a duration). `None` (null or `none`): no acknowledgement escalation.
    /// Built-in: SEV1 5m, SEV2 15m, SEV3/SEV4 none.
    pub ack_timeout: Option<Duration>,
    /// How often stakeholders expect an `/update` (`update_cadence`, a duration); the comms
    /// lead (or IC) is reminded when it lapses. `None`: no reminder. Built-in: SEV1 15m,
    /// SEV2 30m, SEV3 4h, SEV4 none.
    pub update_cadence: Option<Duration>,
    /// Users or teams (`@login`, `@org/team`) mentioned when an incident of this severity is
    /// declared or resolved (`notify`). Default none.
    pub notify: Vec<String>,
    /// What postmortem this severity owes (`postmortem`).
    pub postmortem: PostmortemPolicy,
}

/// The postmortem a severity owes (`severities[].postmortem`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PostmortemPolicy {
    /// A postmortem is required: the draft opens by itself, the checklist needs at least one
    /// action item, and the incident cannot stay closed until it merges (`required`).
    /// Default false (`/postmortem` still starts one). Built-in: SEV1 and SEV2 true.
    pub required: bool,
    /// Business days after resolution until it is due (`due_business_days`). Default 5.
    pub due_business_days: u32,
    /// Approving reviews needed, by someone other than the owner (`approvals`). Default 1;
    /// built-in SEV1: 2.
    pub approvals: u32,
    /// A public version is owed: the checklist gains "public version published" (`public`).
    /// Default false.
    pub public: bool,
}

impl Default for PostmortemPolicy {
    fn default() -> Self {
        PostmortemPolicy {
            required: false,
            due_business_days: 5,
            approvals: 1,
            public: false,
        }
    }
}

/// Who may run commands (`permissions`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Permissions {
    /// The rule for every command without its own (`permissions.default`). Default:
    /// associations OWNER, MEMBER, COLLABORATOR; no extra users or teams.
    pub default: Allow,
    /// Rules by command name (`permissions.commands.<command>`); a list left out of a rule is
    /// taken from `default`. Default none.
    pub commands: BTreeMap<String, Allow>,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            default: Allow {
                associations: ["OWNER", "MEMBER", "COLLABORATOR"]
                    .map(String::from)
                    .to_vec(),
                users: Vec::new(),
                teams: Vec::new(),
            },
            commands: BTreeMap::new(),
        }
    }
}

/// One permission rule: anyone matching any of the three lists may run the command.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Allow {
    /// GitHub author associations, upper case (`associations`), e.g. `MEMBER`.
    pub associations: Vec<String>,
    /// Logins without `@` (`users`).
    pub users: Vec<String>,
    /// Teams as `org/team-slug`, without `@` (`teams`).
    pub teams: Vec<String>,
}

impl Allow {
    /// Whether `login`, whose author association is `association`, may run the command.
    /// `in_team("org/slug")` is asked only when the associations and users do not already
    /// decide, and only for the teams of this rule.
    pub fn permits(
        &self,
        login: &str,
        association: &str,
        mut in_team: impl FnMut(&str) -> bool,
    ) -> bool {
        let login = login.trim_start_matches('@');
        self.associations
            .iter()
            .any(|a| a.eq_ignore_ascii_case(association))
            || self.users.iter().any(|u| u.eq_ignore_ascii_case(login))
            || self.teams.iter().any(|t| in_team(t))
    }
}

/// One escalation level (`escalation[]`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EscalationLevel {
    /// Users and teams mentioned, each as `@login` or `@org/team` (`notify`, required).
    pub notify: Vec<String>,
    /// How long after the ack timeout expired this level is mentioned, counted from the expiry
    /// and not from the previous level (`after`, a duration; never less than the previous
    /// level's). Default `0m`.
    pub after: Duration,
}

pub use crate::incident::kinds::{ActionType, parse_priority, priority_name};

/// Action-item defaults (`action_items`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ActionItemsConfig {
    /// Priority when `/action` names none, 0 … 3 for P0 … P3 (`default_priority`). Default P2.
    pub default_priority: u8,
    /// Type when `/action` names none (`default_type`). Default `prevent`.
    pub default_type: ActionType,
    /// Days from creation to the due date, by priority P0 … P3 (`due_days`). Default 7, 30,
    /// 60, 90.
    pub due_days: [u32; 4],
    /// The cap on open items (`open_cap`); `None` (null) means no cap. Default: at most 10
    /// open P0/P1 items per `team:*` label.
    pub open_cap: Option<OpenCap>,
}

impl Default for ActionItemsConfig {
    fn default() -> Self {
        ActionItemsConfig {
            default_priority: 2,
            default_type: ActionType::Prevent,
            due_days: [7, 30, 60, 90],
            open_cap: Some(OpenCap::default()),
        }
    }
}

/// The cap on open action items (`action_items.open_cap`): `/action` is refused with a reply
/// while `limit` items of the counted priorities are open.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenCap {
    /// Most open items allowed, at least 1 (`limit`; null switches the cap off). Default 10.
    pub limit: u32,
    /// Priorities counted, 0 … 3 (`priorities`). Default P0 and P1.
    pub priorities: Vec<u8>,
    /// Label pattern ending in `*` whose matching labels split the count by team, e.g.
    /// `team:*` (`per_label`); items with no matching label are counted together. `None`
    /// (null): one count for the whole repository. Default `team:*`.
    pub per_label: Option<String>,
}

impl Default for OpenCap {
    fn default() -> Self {
        OpenCap {
            limit: 10,
            priorities: vec![0, 1],
            per_label: Some("team:*".to_string()),
        }
    }
}

/// When the draft postmortem pull request opens (`postmortem.open_draft_at`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DraftAt {
    /// At `mitigated`, or at `resolved` if the incident skips `mitigated`.
    Mitigated,
    /// Only at `resolved`.
    Resolved,
}

impl DraftAt {
    /// The status name.
    pub fn as_str(self) -> &'static str {
        match self {
            DraftAt::Mitigated => "mitigated",
            DraftAt::Resolved => "resolved",
        }
    }
}

/// Postmortem files and branches (`postmortem`).
#[derive(Debug, Clone, PartialEq)]
pub struct PostmortemConfig {
    /// Repository directory of postmortem files `<YYYY-MM-DD>-<slug>.md` (`directory`).
    /// Default `docs/postmortems`.
    pub directory: String,
    /// The postmortem index that gains a line on merge (`index`). Default
    /// `<directory>/README.md`.
    pub index: String,
    /// Repository path of a custom postmortem template (`template`). Default `None`: the
    /// built-in template.
    pub template: Option<String>,
    /// Prefix of the draft pull request's branch (`branch_prefix`). Default `postmortem/`.
    pub branch_prefix: String,
    /// Branch the pull request targets (`base_branch`). Default `None`: the repository's
    /// default branch.
    pub base_branch: Option<String>,
    /// When the draft opens for a required postmortem (`open_draft_at`). Default `mitigated`.
    pub open_draft_at: DraftAt,
    /// Section headings that must have real content before the checklist is met
    /// (`required_sections`). Default [`DEFAULT_REQUIRED_SECTIONS`].
    pub required_sections: Vec<String>,
    /// The public version (`public`).
    pub public: PublicPostmortemConfig,
}

impl Default for PostmortemConfig {
    fn default() -> Self {
        PostmortemConfig {
            directory: "docs/postmortems".to_string(),
            index: "docs/postmortems/README.md".to_string(),
            template: None,
            branch_prefix: "postmortem/".to_string(),
            base_branch: None,
            open_draft_at: DraftAt::Mitigated,
            required_sections: DEFAULT_REQUIRED_SECTIONS
                .iter()
                .map(|s| s.to_string())
                .collect(),
            public: PublicPostmortemConfig::default(),
        }
    }
}

/// The redacted public postmortem (`postmortem.public`).
#[derive(Debug, Clone, PartialEq)]
pub struct PublicPostmortemConfig {
    /// Repository directory of public postmortems (`directory`). Default
    /// `<postmortem.directory>/public`.
    pub directory: String,
    /// Repository path of a custom public template (`template`). Default `None`: built-in
    /// (summary, impact, timeline and actions only).
    pub template: Option<String>,
    /// Render the public version when the postmortem pull request merges, for severities whose
    /// policy has `public: true` (`on_merge`). Default false: only `/postmortem public` does.
    pub on_merge: bool,
    /// Regular expressions (Rust `regex` syntax) redacted from the public version on top of
    /// @mentions, people's names and e-mail addresses, e.g. internal host names or ticket URLs
    /// (`private_patterns`). Publishing is refused while any still matches. Default none.
    pub private_patterns: Vec<PrivatePattern>,
    /// Text that replaces each redacted match (`replacement`). Default `[redacted]`.
    pub replacement: String,
}

impl Default for PublicPostmortemConfig {
    fn default() -> Self {
        PublicPostmortemConfig {
            directory: "docs/postmortems/public".to_string(),
            template: None,
            on_merge: false,
            private_patterns: Vec::new(),
            replacement: "[redacted]".to_string(),
        }
    }
}

/// A compiled `private_patterns` entry; two are equal when their source text is.
#[derive(Debug, Clone)]
pub struct PrivatePattern {
    source: String,
    regex: regex::Regex,
}

impl PrivatePattern {
    /// Compiles `source`.
    pub fn new(source: &str) -> Result<Self, regex::Error> {
        Ok(PrivatePattern {
            source: source.to_string(),
            regex: regex::Regex::new(source)?,
        })
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }

    /// The compiled pattern.
    pub fn regex(&self) -> &regex::Regex {
        &self.regex
    }
}

impl PartialEq for PrivatePattern {
    fn eq(&self, other: &Self) -> bool {
        self.source == other.source
    }
}

/// Reminders for postmortems and action items that fall due (`reminders`). A reminder is
/// posted once per window, never on every sweep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RemindersConfig {
    /// How long before the due date the owner is first reminded (`before_due`, a duration).
    /// Default `1d`.
    pub before_due: Duration,
    /// The window: the same reminder is not posted again within it (`repeat_every`, a
    /// duration). Default `1d`.
    pub repeat_every: Duration,
    /// How long past the due date reminders start to mention `escalate_to` too
    /// (`escalate_after`, a duration). `None` (null): never escalate. Default `2d`.
    pub escalate_after: Option<Duration>,
    /// Users and teams (`@login`, `@org/team`) mentioned once a reminder escalates
    /// (`escalate_to`). Default none: the incident commander.
    pub escalate_to: Vec<String>,
}

impl Default for RemindersConfig {
    fn default() -> Self {
        RemindersConfig {
            before_due: Duration::days(1),
            repeat_every: Duration::days(1),
            escalate_after: Some(Duration::days(2)),
            escalate_to: Vec::new(),
        }
    }
}

/// The follow-up question (`follow_up`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FollowUpConfig {
    /// Ask, the working day after resolution, whether permanent fixes are needed (`enabled`).
    /// Default true.
    pub enabled: bool,
}

impl Default for FollowUpConfig {
    fn default() -> Self {
        FollowUpConfig { enabled: true }
    }
}

/// The Projects v2 board (`board`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardConfig {
    /// Login of the organization or user that owns the project (`owner`, required).
    pub owner: String,
    /// The project number, as in `…/projects/3` (`number`, required, at least 1).
    pub number: u64,
    /// Names of the board's fields (`fields`).
    pub fields: BoardFields,
}

/// Field names on the board (`board.fields`). Severity, Status and Priority are single-select
/// fields, Due a date field.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardFields {
    /// Default `Severity`.
    pub severity: String,
    /// Default `Status`.
    pub status: String,
    /// Default `Priority`.
    pub priority: String,
    /// Default `Due`.
    pub due: String,
}

impl Default for BoardFields {
    fn default() -> Self {
        BoardFields {
            severity: "Severity".to_string(),
            status: "Status".to_string(),
            priority: "Priority".to_string(),
            due: "Due".to_string(),
        }
    }
}

/// Reports (`report`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReportConfig {
    /// Number of a pinned issue whose body the sweep keeps as the latest report (`issue`).
    /// Default `None`: no report issue.
    pub issue: Option<u64>,
    /// Period `firebreak report` covers when `--since` is not given (`since`, a duration).
    /// Default `90d`.
    pub since: Duration,
    /// How often the sweep refreshes the report issue (`refresh_every`, a duration).
    /// Default `1d`.
    pub refresh_every: Duration,
}

impl Default for ReportConfig {
    fn default() -> Self {
        ReportConfig {
            issue: None,
            since: Duration::days(90),
            refresh_every: Duration::days(1),
        }
    }
}

/// The built-in severity ladder of the specification.
pub fn default_severities() -> Vec<SeverityConfig> {
    let sev = |name: &str,
               description: &str,
               ack: Option<i64>,
               cadence: Option<i64>,
               postmortem: PostmortemPolicy| SeverityConfig {
        name: name.to_string(),
        description: description.to_string(),
        ack_timeout: ack.map(Duration::minutes),
        update_cadence: cadence.map(Duration::minutes),
        notify: Vec::new(),
        postmortem,
    };
    let required = |approvals| PostmortemPolicy {
        required: true,
        approvals,
        ..PostmortemPolicy::default()
    };
    vec![
        sev(
            "SEV1",
            "Critical: customer-facing outage, data loss or security breach",
            Some(5),
            Some(15),
            required(2),
        ),
        sev(
            "SEV2",
            "Major: a core feature is degraded for many customers",
            Some(15),
            Some(30),
            required(1),
        ),
        sev(
            "SEV3",
            "Minor: limited impact, a workaround exists",
            None,
            Some(240),
            PostmortemPolicy::default(),
        ),
        sev(
            "SEV4",
            "Low: cosmetic or internal, no customer impact",
            None,
            None,
            PostmortemPolicy::default(),
        ),
    ]
}

impl Default for Config {
    fn default() -> Self {
        Config {
            timezone: Tz::UTC,
            title_format: "[{severity}] {title}".to_string(),
            default_severity: 2,
            severities: default_severities(),
            permissions: Permissions::default(),
            escalation: Vec::new(),
            action_items: ActionItemsConfig::default(),
            postmortem: PostmortemConfig::default(),
            reminders: RemindersConfig::default(),
            follow_up: FollowUpConfig::default(),
            business_days: vec![
                Weekday::Mon,
                Weekday::Tue,
                Weekday::Wed,
                Weekday::Thu,
                Weekday::Fri,
            ],
            holidays: Vec::new(),
            board: None,
            report: ReportConfig::default(),
            templates: BTreeMap::new(),
        }
    }
}

impl Config {
    /// Parses and checks the text of a configuration file; `file` is used only in error
    /// messages. Empty text (or comments only) is [`Config::default`].
    pub fn from_yaml(text: &str, file: &str) -> Result<Config, ConfigError> {
        let raw: Option<raw::RawConfig> =
            serde_saphyr::from_str(text).map_err(|e| errors::from_yaml_error(&e, text, file))?;
        let index = locate::Index::build(text).unwrap_or_default();
        resolve::resolve(raw.unwrap_or_default(), &index, file)
    }

    /// Reads and checks the file at `path` (named in messages as given). A missing file is
    /// [`ConfigError::NotFound`]; callers that want the default then use [`Config::default`].
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        let file = path.display().to_string();
        let text = match std::fs::read_to_string(path) {
            Ok(text) => text,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(ConfigError::NotFound { file });
            }
            Err(source) => return Err(ConfigError::Read { file, source }),
        };
        Config::from_yaml(&text, &file)
    }

    /// The severity at `level` (1-based).
    pub fn severity(&self, level: u8) -> Option<&SeverityConfig> {
        self.severities.get(usize::from(level).checked_sub(1)?)
    }

    /// The name with its description: `SEV1 (Critical)`.
    pub fn severity_label(&self, level: u8) -> String {
        match self.severity(level) {
            Some(s) if !s.description.is_empty() => format!("{} ({})", s.name, s.description),
            Some(s) => s.name.clone(),
            None => format!("SEV{level}"),
        }
    }

    /// The default severity's settings.
    pub fn default_severity_config(&self) -> &SeverityConfig {
        self.severity(self.default_severity)
            .unwrap_or(&self.severities[0])
    }

    /// The severity names, most severe first.
    pub fn severity_names(&self) -> Vec<String> {
        self.severities.iter().map(|s| s.name.clone()).collect()
    }

    /// The name of the severity at `level`, or `SEV<level>` if there is none.
    pub fn severity_name(&self, level: u8) -> String {
        self.severity(level)
            .map(|s| s.name.clone())
            .unwrap_or_else(|| format!("SEV{level}"))
    }

    /// The level (1-based) that `name_or_number` means: a severity name in any case (`SEV2`,
    /// `sev2`), a level number (`2`), or `sev`/`sev:`/`sev-` followed by a level number
    /// (`sev:2`, also when the severities have other names).
    pub fn level_of(&self, name_or_number: &str) -> Option<u8> {
        let text = name_or_number.trim();
        if let Some(i) = self
            .severities
            .iter()
            .position(|s| s.name.eq_ignore_ascii_case(text))
        {
            return u8::try_from(i + 1).ok();
        }
        let lower = text.to_ascii_lowercase();
        let number = lower
            .strip_prefix("sev")
            .map(|rest| rest.trim_start_matches([':', '-']))
            .unwrap_or(&lower);
        let level: u8 = number.parse().ok()?;
        (level >= 1 && usize::from(level) <= self.severities.len()).then_some(level)
    }

    /// The permission rule for `command` (without the slash): its own rule, or the default.
    pub fn allowed(&self, command: &str) -> &Allow {
        let command = command.trim_start_matches('/');
        self.permissions
            .commands
            .get(&command.to_ascii_lowercase())
            .unwrap_or(&self.permissions.default)
    }

    /// The issue title for an incident at `level` titled `title`, per `title_format`.
    pub fn title_for(&self, level: u8, title: &str) -> String {
        self.title_format
            .replace("{severity}", &self.severity_name(level))
            .replace("{level}", &level.to_string())
            .replace("{title}", title.trim())
    }

    /// Days from creation to due date for an action item of `priority` (0 … 3); priorities
    /// past P3 are treated as P3.
    pub fn due_days(&self, priority: u8) -> u32 {
        self.action_items.due_days[usize::from(priority.min(3))]
    }

    /// Whether `date` is a working day: one of `business_days` and not a holiday.
    pub fn is_business_day(&self, date: NaiveDate) -> bool {
        self.business_days.contains(&date.weekday()) && !self.holidays.contains(&date)
    }

    /// The date `days` working days after `date` (`date` itself does not count); with no
    /// working day in sight (an empty week) it falls back to calendar days.
    pub fn add_business_days(&self, date: NaiveDate, days: u32) -> NaiveDate {
        let mut current = date;
        let mut left = days;
        let mut idle = 0;
        while left > 0 {
            current = current.succ_opt().unwrap_or(current);
            if self.is_business_day(current) {
                left -= 1;
                idle = 0;
            } else {
                idle += 1;
                if idle > 366 {
                    return date + Duration::days(i64::from(days));
                }
            }
        }
        current
    }

    /// The configuration as YAML, every key written out, which [`Config::from_yaml`] reads
    /// back to an equal `Config`.
    pub fn to_yaml(&self) -> String {
        yaml_out::to_yaml(self)
    }

    /// A one-paragraph summary for people: severities with their ack timeout, update cadence
    /// and postmortem policy, the default severity, escalation, the cap and the board.
    pub fn summary(&self) -> String {
        let severities = self
            .severities
            .iter()
            .map(|s| {
                let mut parts = Vec::new();
                if let Some(ack) = s.ack_timeout {
                    parts.push(format!("ack within {}", format_duration(ack)));
                }
                if let Some(cadence) = s.update_cadence {
                    parts.push(format!("updates every {}", format_duration(cadence)));
                }
                let pm = &s.postmortem;
                if pm.required {
                    parts.push(format!(
                        "postmortem required within {} business day{} with {} approval{}{}",
                        pm.due_business_days,
                        plural(pm.due_business_days),
                        pm.approvals,
                        plural(pm.approvals),
                        if pm.public {
                            " and a public version"
                        } else {
                            ""
                        }
                    ));
                } else {
                    parts.push("postmortem optional".to_string());
                }
                format!("{} ({})", s.name, parts.join(", "))
            })
            .collect::<Vec<_>>()
            .join("; ");
        let escalation = match self.escalation.len() {
            0 => "no escalation levels".to_string(),
            n => format!("{n} escalation level{}", plural(n as u32)),
        };
        let cap = match &self.action_items.open_cap {
            None => "no cap on open action items".to_string(),
            Some(cap) => format!(
                "at most {} open {} action items{}",
                cap.limit,
                cap.priorities
                    .iter()
                    .map(|p| priority_name(*p))
                    .collect::<Vec<_>>()
                    .join("/"),
                match &cap.per_label {
                    Some(label) => format!(" per `{label}` label"),
                    None => String::new(),
                }
            ),
        };
        let board = match &self.board {
            Some(b) => format!("board on ({} project {})", b.owner, b.number),
            None => "board off".to_string(),
        };
        format!(
            "{} severities, most severe first: {severities}. Default severity {}. Time zone {}; {}; {cap}; {board}.",
            self.severities.len(),
            self.severity_name(self.default_severity),
            self.timezone.name(),
            escalation,
        )
    }
}

fn plural(n: u32) -> &'static str {
    if n == 1 { "" } else { "s" }
}

/// `firebreak config check`: loads the file at `path` and, if it is valid, says in one
/// paragraph what it configures.
pub fn check(path: &Path) -> Result<String, ConfigError> {
    let config = Config::load(path)?;
    Ok(format!("{} is valid. {}", path.display(), config.summary()))
}
