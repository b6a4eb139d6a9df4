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
mod sections;
mod values;
pub use values::MAX_DAYS;
mod yaml_out;

#[cfg(test)]
mod tests;

use std::collections::BTreeMap;
use std::path::Path;

use chrono::{Datelike, Duration, NaiveDate, Weekday};
use chrono_tz::Tz;

pub use crate::incident::kinds::{ActionType, parse_priority, priority_name};
pub use duration::{DURATION_HINT, format_duration, parse_duration};
pub use sections::*;

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
    /// Who declares by opening an issue. Default: people who may run `/incident`.
    pub declare: DeclareConfig,
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

impl Default for Config {
    fn default() -> Self {
        Config {
            timezone: Tz::UTC,
            title_format: "[{severity}] {title}".to_string(),
            default_severity: 2,
            severities: default_severities(),
            permissions: Permissions::default(),
            declare: DeclareConfig::default(),
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
                    return date
                        .checked_add_signed(Duration::days(i64::from(days)))
                        .unwrap_or(date);
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
