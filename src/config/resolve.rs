//! From the file as written ([`RawConfig`]) to the checked [`Config`]: defaults filled in,
//! every value parsed and cross-checked, every error pointing at its key.

use std::collections::BTreeMap;
use std::str::FromStr;

use chrono::Duration;

use super::errors::{invalid, suggest};
use super::locate::{Index, KeyPath};
use super::raw::{
    RawActionItems, RawAllow, RawBoard, RawConfig, RawPermissions, RawPostmortem, RawReminders,
    RawReport, RawSeverity, Setting,
};
use super::values::{is_login, is_team, regex_reason};
use super::{
    ASSOCIATIONS, ActionItemsConfig, ActionType, Allow, BoardConfig, BoardFields, COMMANDS, Config,
    ConfigError, DeclareConfig, DraftAt, EscalationLevel, FollowUpConfig, OpenCap, Permissions,
    PostmortemConfig, PostmortemPolicy, PrivatePattern, PublicPostmortemConfig, ReportConfig,
    SeverityConfig, default_severities, priority_name,
};

pub(super) type Result<T> = std::result::Result<T, ConfigError>;

/// Most severities a ladder may have (labels `sev:1` … `sev:9`).
const MAX_SEVERITIES: usize = 9;

/// Checks `raw` and builds the [`Config`]; errors are located through `index` and name `file`.
pub fn resolve(raw: RawConfig, index: &Index, file: &str) -> Result<Config> {
    let r = Resolver { index, file };
    let root = KeyPath::root();
    let defaults = Config::default();

    let timezone = match &raw.timezone {
        None => defaults.timezone,
        Some(name) => r.timezone(&root.key("timezone"), name)?,
    };
    let title_format = match raw.title_format {
        None => defaults.title_format,
        Some(format) => r.title_format(&root.key("title_format"), format)?,
    };
    let severities = match raw.severities {
        None => default_severities(),
        Some(list) => r.severities(&root.key("severities"), list)?,
    };
    let default_severity = match &raw.default_severity {
        // The second rung, as SEV2 is in the built-in ladder: when unsure, pick the higher one.
        None => {
            if severities.len() >= 2 {
                2
            } else {
                1
            }
        }
        Some(text) => r.severity_ref(&root.key("default_severity"), text, &severities)?,
    };
    let permissions = r.permissions(&root.key("permissions"), raw.permissions)?;
    let declare = DeclareConfig {
        open_to: match raw.declare.open_to {
            None => defaults.declare.open_to,
            Some(text) => r.open_to(&root.key("declare").key("open_to"), &text)?,
        },
    };
    let escalation = r.escalation(&root.key("escalation"), raw.escalation)?;
    let action_items = r.action_items(&root.key("action_items"), raw.action_items)?;
    let postmortem = r.postmortem(&root.key("postmortem"), raw.postmortem)?;
    let reminders = r.reminders(&root.key("reminders"), raw.reminders)?;
    let follow_up = FollowUpConfig {
        enabled: raw.follow_up.enabled.unwrap_or(defaults.follow_up.enabled),
    };
    let business_days = match raw.business_days {
        None => defaults.business_days,
        Some(days) => r.business_days(&root.key("business_days"), days)?,
    };
    let holidays = r.holidays(&root.key("holidays"), raw.holidays)?;
    let board = match raw.board {
        None => None,
        Some(board) => Some(r.board(&root.key("board"), board)?),
    };
    let report = r.report(&root.key("report"), raw.report)?;

    Ok(Config {
        timezone,
        title_format,
        default_severity,
        severities,
        permissions,
        declare,
        escalation,
        action_items,
        postmortem,
        reminders,
        follow_up,
        business_days,
        holidays,
        board,
        report,
        templates: Default::default(),
    })
}

pub(super) struct Resolver<'a> {
    index: &'a Index,
    file: &'a str,
}

impl Resolver<'_> {
    /// An error about the value at `path`.
    pub(super) fn err(&self, path: &KeyPath, message: impl Into<String>) -> ConfigError {
        invalid(self.file, self.index.value_pos(path), path, message.into())
    }

    /// An error about the key at `path` itself (its name).
    pub(super) fn key_err(&self, path: &KeyPath, message: impl Into<String>) -> ConfigError {
        invalid(self.file, self.index.key_pos(path), path, message.into())
    }

    fn severities(&self, path: &KeyPath, list: Vec<RawSeverity>) -> Result<Vec<SeverityConfig>> {
        if list.is_empty() {
            return Err(self.err(path, "at least one severity is needed"));
        }
        if list.len() > MAX_SEVERITIES {
            return Err(self.err(
                path,
                format!(
                    "at most {MAX_SEVERITIES} severities are supported, found {}",
                    list.len()
                ),
            ));
        }
        let mut out: Vec<SeverityConfig> = Vec::with_capacity(list.len());
        for (i, raw) in list.into_iter().enumerate() {
            let at = path.index(i);
            let name = raw.name.trim().to_string();
            let name_path = at.key("name");
            if name.is_empty() {
                return Err(self.err(&name_path, "must not be empty"));
            }
            if name.chars().any(char::is_whitespace) {
                return Err(self.err(
                    &name_path,
                    format!(
                        "\"{name}\" has a space; a name is typed in commands like `/incident {}`",
                        name.replace(char::is_whitespace, "-")
                    ),
                ));
            }
            if name.chars().all(|c| c.is_ascii_digit()) {
                return Err(self.err(
                    &name_path,
                    format!("\"{name}\" is a bare number, which commands read as a level; use e.g. SEV{name}"),
                ));
            }
            if let Some(first) = out.iter().position(|s| s.name.eq_ignore_ascii_case(&name)) {
                return Err(self.err(
                    &name_path,
                    format!("duplicate severity name `{name}` (also severities[{first}])"),
                ));
            }
            let ack_timeout =
                self.optional_duration(&at.key("ack_timeout"), raw.ack_timeout.as_deref())?;
            let update_cadence =
                self.optional_duration(&at.key("update_cadence"), raw.update_cadence.as_deref())?;
            let notify = self.handles(&at.key("notify"), raw.notify)?;
            let escalation = match raw.escalation {
                None => None,
                Some(levels) => {
                    let path = at.key("escalation");
                    if ack_timeout.is_none() && !levels.is_empty() {
                        return Err(self.key_err(
                            &path,
                            format!("{name} has no `ack_timeout`, so it never escalates; set one, or remove these levels"),
                        ));
                    }
                    Some(self.escalation(&path, levels)?)
                }
            };
            let pm_path = at.key("postmortem");
            let defaults = PostmortemPolicy::default();
            let postmortem = PostmortemPolicy {
                required: raw.postmortem.required,
                due_business_days: self.days(
                    &pm_path.key("due_business_days"),
                    raw.postmortem.due_business_days,
                    defaults.due_business_days,
                    1,
                )?,
                approvals: self.count(
                    &pm_path.key("approvals"),
                    raw.postmortem.approvals,
                    defaults.approvals,
                    0,
                )?,
                public: raw.postmortem.public,
            };
            out.push(SeverityConfig {
                name,
                description: raw.description.trim().to_string(),
                ack_timeout,
                update_cadence,
                notify,
                escalation,
                postmortem,
            });
        }
        Ok(out)
    }

    /// A severity given by name or level number, checked against `severities`.
    fn severity_ref(
        &self,
        path: &KeyPath,
        text: &str,
        severities: &[SeverityConfig],
    ) -> Result<u8> {
        let probe = Config {
            severities: severities.to_vec(),
            ..Config::default()
        };
        probe.level_of(text).ok_or_else(|| {
            // No "did you mean": SEV5 is one letter from SEV1, which is a bad guess.
            let names: Vec<&str> = severities.iter().map(|s| s.name.as_str()).collect();
            self.err(
                path,
                format!(
                    "unknown severity `{text}`; configured: {} (or a level 1-{})",
                    names.join(", "),
                    names.len()
                ),
            )
        })
    }

    fn permissions(&self, path: &KeyPath, raw: RawPermissions) -> Result<Permissions> {
        let builtin = Permissions::default().default;
        let default = self.allow(&path.key("default"), raw.default, &builtin)?;
        let mut commands = BTreeMap::new();
        for (name, rule) in raw.commands {
            let at = path.key("commands").key(&name);
            let command = name.trim().trim_start_matches('/').to_ascii_lowercase();
            if !COMMANDS.contains(&command.as_str()) {
                let hint = match suggest(&command, COMMANDS.iter().copied()) {
                    Some(best) => format!(" (did you mean `{best}`?)"),
                    None => format!("; commands are {}", COMMANDS.join(", ")),
                };
                return Err(self.key_err(&at, format!("unknown command `{name}`{hint}")));
            }
            let rule = self.allow(&at, rule, &default)?;
            if commands.insert(command.clone(), rule).is_some() {
                return Err(self.key_err(&at, format!("command `{command}` has two rules")));
            }
        }
        Ok(Permissions { default, commands })
    }

    /// A rule; lists left out are `inherit`'s.
    fn allow(&self, path: &KeyPath, raw: RawAllow, inherit: &Allow) -> Result<Allow> {
        let associations = match raw.associations {
            None => inherit.associations.clone(),
            Some(list) => {
                let mut out = Vec::new();
                for (i, a) in list.iter().enumerate() {
                    let upper = a.trim().to_ascii_uppercase();
                    if !ASSOCIATIONS.contains(&upper.as_str()) {
                        let hint = match suggest(&upper, ASSOCIATIONS.iter().copied()) {
                            Some(best) => format!(" (did you mean `{best}`?)"),
                            None => format!("; one of {}", ASSOCIATIONS.join(", ")),
                        };
                        return Err(self.err(
                            &path.key("associations").index(i),
                            format!("unknown author association `{a}`{hint}"),
                        ));
                    }
                    if !out.contains(&upper) {
                        out.push(upper);
                    }
                }
                out
            }
        };
        let users = match raw.users {
            None => inherit.users.clone(),
            Some(list) => {
                let mut out = Vec::new();
                for (i, user) in list.iter().enumerate() {
                    let login = user.trim().trim_start_matches('@');
                    if !is_login(login) {
                        return Err(self.err(
                            &path.key("users").index(i),
                            format!("\"{user}\" is not a GitHub login"),
                        ));
                    }
                    out.push(login.to_string());
                }
                out
            }
        };
        let teams = match raw.teams {
            None => inherit.teams.clone(),
            Some(list) => {
                let mut out = Vec::new();
                for (i, team) in list.iter().enumerate() {
                    let name = team.trim().trim_start_matches('@');
                    if !is_team(name) {
                        return Err(self.err(
                            &path.key("teams").index(i),
                            format!("\"{team}\" is not a team; write it as org/team-slug"),
                        ));
                    }
                    out.push(name.to_string());
                }
                out
            }
        };
        Ok(Allow {
            associations,
            users,
            teams,
        })
    }

    pub(super) fn escalation(
        &self,
        path: &KeyPath,
        raw: Vec<super::raw::RawEscalationLevel>,
    ) -> Result<Vec<EscalationLevel>> {
        let mut out: Vec<EscalationLevel> = Vec::new();
        for (i, level) in raw.into_iter().enumerate() {
            let at = path.index(i);
            if level.notify.is_empty() {
                return Err(self.err(
                    &at.key("notify"),
                    "name at least one user or team to notify",
                ));
            }
            let notify = self.handles(&at.key("notify"), level.notify)?;
            let after = match &level.after {
                None => Duration::zero(),
                Some(text) => self.duration(&at.key("after"), text)?,
            };
            let previous = out.last().map(|l| l.after).unwrap_or(after);
            if after < previous {
                return Err(self.err(
                    &at.key("after"),
                    format!(
                        "{} is earlier than the previous level's {}; `after` counts from the ack timeout, so levels must not go back in time",
                        super::format_duration(after),
                        super::format_duration(previous)
                    ),
                ));
            }
            out.push(EscalationLevel { notify, after });
        }
        Ok(out)
    }

    fn action_items(&self, path: &KeyPath, raw: RawActionItems) -> Result<ActionItemsConfig> {
        let defaults = ActionItemsConfig::default();
        let default_priority = match &raw.default_priority {
            None => defaults.default_priority,
            Some(text) => self.priority(&path.key("default_priority"), text)?,
        };
        let default_type = match &raw.default_type {
            None => defaults.default_type,
            Some(text) => ActionType::from_str(text.trim()).map_err(|_| {
                self.err(
                    &path.key("default_type"),
                    format!("unknown action-item type `{text}`; use mitigate, prevent, detect or process"),
                )
            })?,
        };
        let due = path.key("due_days");
        let d = raw.due_days;
        let mut due_days = defaults.due_days;
        for (p, value) in [d.P0, d.P1, d.P2, d.P3].into_iter().enumerate() {
            due_days[p] = self.days(&due.key(&priority_name(p as u8)), value, due_days[p], 1)?;
        }
        let cap_path = path.key("open_cap");
        let open_cap = match raw.open_cap {
            Setting::Absent => defaults.open_cap,
            Setting::Null => None,
            Setting::Value(cap) => {
                let builtin = OpenCap::default();
                let limit = match cap.limit {
                    Setting::Absent => Some(builtin.limit),
                    Setting::Null => None,
                    Setting::Value(n) if n < 1 => {
                        return Err(self.err(
                            &cap_path.key("limit"),
                            format!("must be 1 or more, found {n}; use null for no cap"),
                        ));
                    }
                    Setting::Value(n) => Some(u32::try_from(n).map_err(|_| {
                        self.err(&cap_path.key("limit"), format!("{n} is too large"))
                    })?),
                };
                let priorities = match cap.priorities {
                    None => builtin.priorities,
                    Some(list) => {
                        let at = cap_path.key("priorities");
                        if list.is_empty() {
                            return Err(self.err(
                                &at,
                                "name at least one priority, or set `limit: null` for no cap",
                            ));
                        }
                        let mut out = Vec::new();
                        for (i, text) in list.iter().enumerate() {
                            let p = self.priority(&at.index(i), text)?;
                            if !out.contains(&p) {
                                out.push(p);
                            }
                        }
                        out.sort_unstable();
                        out
                    }
                };
                let per_label = match cap.per_label {
                    Setting::Absent => builtin.per_label,
                    Setting::Null => None,
                    Setting::Value(pattern) => {
                        let pattern = pattern.trim().to_string();
                        let prefix = pattern.strip_suffix('*').unwrap_or("");
                        if prefix.is_empty() || prefix.contains('*') {
                            return Err(self.err(
                                &cap_path.key("per_label"),
                                format!("\"{pattern}\" is not a label pattern; write a label prefix followed by `*`, e.g. team:*"),
                            ));
                        }
                        Some(pattern)
                    }
                };
                limit.map(|limit| OpenCap {
                    limit,
                    priorities,
                    per_label,
                })
            }
        };
        Ok(ActionItemsConfig {
            default_priority,
            default_type,
            due_days,
            open_cap,
        })
    }

    fn postmortem(&self, path: &KeyPath, raw: RawPostmortem) -> Result<PostmortemConfig> {
        let defaults = PostmortemConfig::default();
        let directory = match &raw.directory {
            None => defaults.directory,
            Some(dir) => self.repo_path(&path.key("directory"), dir)?,
        };
        let index = match &raw.index {
            None => format!("{directory}/README.md"),
            Some(file) => self.repo_path(&path.key("index"), file)?,
        };
        let template = match &raw.template {
            None => None,
            Some(file) => Some(self.repo_path(&path.key("template"), file)?),
        };
        let branch_prefix = match &raw.branch_prefix {
            None => defaults.branch_prefix,
            Some(prefix) => self.branch_name(&path.key("branch_prefix"), prefix, true)?,
        };
        let base_branch = match &raw.base_branch {
            None => None,
            Some(branch) => Some(self.branch_name(&path.key("base_branch"), branch, false)?),
        };
        let open_draft_at = match raw.open_draft_at.as_deref().map(str::trim) {
            None => defaults.open_draft_at,
            Some(s) if s.eq_ignore_ascii_case("mitigated") => DraftAt::Mitigated,
            Some(s) if s.eq_ignore_ascii_case("resolved") => DraftAt::Resolved,
            Some(s) => {
                return Err(self.err(
                    &path.key("open_draft_at"),
                    format!("unknown status `{s}`; use mitigated or resolved"),
                ));
            }
        };
        let required_sections = match raw.required_sections {
            None => defaults.required_sections,
            Some(list) => {
                let at = path.key("required_sections");
                let mut out: Vec<String> = Vec::new();
                for (i, heading) in list.iter().enumerate() {
                    let heading = heading.trim().trim_start_matches('#').trim();
                    if heading.is_empty() {
                        return Err(self.err(&at.index(i), "a section heading must not be empty"));
                    }
                    if out.iter().any(|h| h.eq_ignore_ascii_case(heading)) {
                        return Err(self.err(
                            &at.index(i),
                            format!("section \"{heading}\" is listed twice"),
                        ));
                    }
                    out.push(heading.to_string());
                }
                out
            }
        };
        let pub_path = path.key("public");
        let public_raw = raw.public;
        let public = PublicPostmortemConfig {
            directory: match &public_raw.directory {
                None => format!("{directory}/public"),
                Some(dir) => self.repo_path(&pub_path.key("directory"), dir)?,
            },
            template: match &public_raw.template {
                None => None,
                Some(file) => Some(self.repo_path(&pub_path.key("template"), file)?),
            },
            on_merge: public_raw.on_merge,
            private_patterns: public_raw
                .private_patterns
                .iter()
                .enumerate()
                .map(|(i, pattern)| {
                    let at = pub_path.key("private_patterns").index(i);
                    if pattern.is_empty() {
                        return Err(self.err(&at, "an empty pattern would match everywhere"));
                    }
                    PrivatePattern::new(pattern).map_err(|e| {
                        let reason = regex_reason(&e);
                        self.err(&at, format!("invalid regex \"{pattern}\": {reason}"))
                    })
                })
                .collect::<Result<_>>()?,
            replacement: public_raw
                .replacement
                .unwrap_or_else(|| PublicPostmortemConfig::default().replacement),
        };
        Ok(PostmortemConfig {
            directory,
            index,
            template,
            branch_prefix,
            base_branch,
            open_draft_at,
            required_sections,
            public,
        })
    }

    fn reminders(&self, path: &KeyPath, raw: RawReminders) -> Result<super::RemindersConfig> {
        let defaults = super::RemindersConfig::default();
        Ok(super::RemindersConfig {
            before_due: match &raw.before_due {
                None => defaults.before_due,
                Some(text) => self.duration(&path.key("before_due"), text)?,
            },
            repeat_every: match &raw.repeat_every {
                None => defaults.repeat_every,
                Some(text) => self.positive_duration(&path.key("repeat_every"), text)?,
            },
            escalate_after: match &raw.escalate_after {
                Setting::Absent => defaults.escalate_after,
                Setting::Null => None,
                Setting::Value(text) => {
                    self.optional_duration(&path.key("escalate_after"), Some(text))?
                }
            },
            escalate_to: self.handles(&path.key("escalate_to"), raw.escalate_to)?,
        })
    }

    fn board(&self, path: &KeyPath, raw: RawBoard) -> Result<BoardConfig> {
        let owner = raw.owner.trim().trim_start_matches('@').to_string();
        if !is_login(&owner) {
            return Err(self.err(
                &path.key("owner"),
                format!("\"{}\" is not an organization or user login", raw.owner),
            ));
        }
        if raw.number == 0 {
            return Err(self.err(&path.key("number"), "project numbers start at 1"));
        }
        let defaults = BoardFields::default();
        let fields_path = path.key("fields");
        let field = |key: &str, value: Option<String>, default: String| -> Result<String> {
            match value {
                None => Ok(default),
                Some(name) if name.trim().is_empty() => {
                    Err(self.err(&fields_path.key(key), "a field name must not be empty"))
                }
                Some(name) => Ok(name.trim().to_string()),
            }
        };
        let f = raw.fields;
        Ok(BoardConfig {
            owner,
            number: raw.number,
            fields: BoardFields {
                severity: field("severity", f.severity, defaults.severity)?,
                status: field("status", f.status, defaults.status)?,
                priority: field("priority", f.priority, defaults.priority)?,
                due: field("due", f.due, defaults.due)?,
                kind: field("kind", f.kind, defaults.kind)?,
            },
        })
    }

    fn report(&self, path: &KeyPath, raw: RawReport) -> Result<ReportConfig> {
        let defaults = ReportConfig::default();
        if raw.issue == Some(0) {
            return Err(self.err(&path.key("issue"), "issue numbers start at 1"));
        }
        Ok(ReportConfig {
            issue: raw.issue,
            since: match &raw.since {
                None => defaults.since,
                Some(text) => self.bounded_duration(&path.key("since"), text)?,
            },
            refresh_every: match &raw.refresh_every {
                None => defaults.refresh_every,
                Some(text) => self.bounded_duration(&path.key("refresh_every"), text)?,
            },
        })
    }
}
