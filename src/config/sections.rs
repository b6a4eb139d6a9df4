//! The sections of the configuration, each a resolved, checked struct with its defaults:
//! severities and their postmortem policy, permissions, escalation, action items, postmortems,
//! reminders, follow-up, the board, reports.

use std::collections::BTreeMap;

use chrono::Duration;

use super::DEFAULT_REQUIRED_SECTIONS;
use crate::incident::kinds::ActionType;

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
    /// This severity's own escalation levels, instead of the top-level `escalation`
    /// (`escalation`; `[]`: nobody is mentioned). Default `None`: the top-level levels.
    pub escalation: Option<Vec<EscalationLevel>>,
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

/// Who declares an incident by opening an issue with the `incident` label or the incident
/// issue form (`declare`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct DeclareConfig {
    /// `open_to`. Default [`OpenTo::Permitted`].
    pub open_to: OpenTo,
}

/// Whose report declares an incident at once (`declare.open_to`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OpenTo {
    /// People who may run `/incident` (`permissions`); anyone else's report waits for a
    /// responder to confirm it with `/incident`.
    #[default]
    Permitted,
    /// Everyone who can open an issue (public repositories: anyone at all).
    Anyone,
}

impl OpenTo {
    pub const ALL: [OpenTo; 2] = [OpenTo::Permitted, OpenTo::Anyone];

    pub fn as_str(self) -> &'static str {
        match self {
            OpenTo::Permitted => "permitted",
            OpenTo::Anyone => "anyone",
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

/// Field names on the board (`board.fields`). Severity, Status, Priority and Kind are
/// single-select fields, Due a date field.
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
    /// Default `Kind`: incident, postmortem or action item.
    pub kind: String,
}

impl Default for BoardFields {
    fn default() -> Self {
        BoardFields {
            severity: "Severity".to_string(),
            status: "Status".to_string(),
            priority: "Priority".to_string(),
            due: "Due".to_string(),
            kind: "Kind".to_string(),
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
        escalation: None,
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
