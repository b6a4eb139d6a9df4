//! Slash commands: the language people use in incident comments.
//!
//! This module owns the grammar and nothing else. [`parse`] is pure — no I/O, no clock, no
//! configuration beyond the severity [`Vocabulary`] — and total: it never panics, and every
//! problem becomes a [`ParseError`] whose `Display` is the explanation a reply shows the user.
//! What a command *means* for an incident (who may run it, whether a downgrade has a reason,
//! what "`14:05` today" is in the configured zone, default priorities) is the engine's job.
//!
//! # Which lines are commands
//!
//! A command is a line whose first non-blank characters are `/name`, where the name matches
//! `[A-Za-z][A-Za-z0-9_-]*` and is followed by whitespace or the end of the line; so
//! `/usr/bin/env is broken` and `/ thing` are prose. Names are case-insensitive. Lines that
//! GitHub does not render as prose are never commands: fenced code (```` ``` ```` or `~~~`),
//! indented code, HTML comments (`<!-- … -->`, across lines too) and block quotes (`>`); see
//! the `scan` submodule for the exact rules. Only lines that themselves start with `>` are
//! quoted: a command typed on the line right under a quote still runs, although CommonMark
//! would render it as a lazy continuation of the quote. Each command takes only its own line.
//! Each command line gives one [`ParsedLine`], good or bad, so one mistake never stops the
//! other commands.
//!
//! # Grammar
//!
//! Arguments are separated by whitespace; free text (titles, reasons, notes, updates) is the
//! rest of the line as written, trimmed. A title may have at most [`TITLE_LIMIT`] characters,
//! other text [`TEXT_LIMIT`]. People are `@login` (GitHub login rules), or `me` / `@me` for the
//! comment's author; teams are refused.
//!
//! ```text
//! /incident [<severity>] [<title>]     severity: sevN, sev-N, or a configured name (not a bare N)
//! /sev <level> [<reason>]              level: N, sevN, sev-N, or a configured name; alias /severity
//! /status <status> [<note>]            investigating|identified|mitigated|monitoring|resolved
//! /ic <person>                         alias /commander
//! /comms <person>
//! /responder [add] <person>…           alias /responders; people separated by spaces or commas
//! /responder remove <person>…
//! /ack                                 alias /acknowledge; words after it are ignored
//! /impact <text>
//! /update [public] <text>              only the exact word `public` (or `public:`) publishes
//! /timeline [<time>] <text>            time: 14:05 | 2026-11-20 14:05 | 2026-11-20T14:05Z
//!                                            | 2026-11-20T14:05:00+01:00 | -20m -2h -1d -90s -1h30m
//! /action <title and options…>         alias /action-item; options anywhere, in any order:
//!                                        @owner | owner:@x   P0..P3   mitigate|prevent|detect|process
//!                                        due:YYYY-MM-DD | due:+7d | due:+2w | due:+36h
//!                                      other words are the title; "quoted text" is always title
//! /postmortem [start | owner <person> | public]   alias /pm
//! /help                                words after it are ignored
//! ```
//!
//! A severity, a status or a person may end in `:`, `,` or `.` (`/status resolved.`, `@bob,`).
//! The first token of `/timeline` is a time when it is meant as one — it starts with a digit
//! and holds a `:`, starts with `NNNN-NN-NN`, or is `-` and a digit — and must then be valid.

mod action;
mod error;
mod grammar;
mod scan;
mod time;
mod types;

#[cfg(test)]
mod tests;

pub use error::ParseError;
pub use types::{ActionSpec, DueSpec, PostmortemCommand, RoleTarget, TimeSpec};

use crate::incident::kinds::{ActionType, Status};

/// The most characters a title (`/incident`, `/action`) may have.
pub const TITLE_LIMIT: usize = 256;
/// The most characters any other text (reason, note, impact, update, timeline) may have.
pub const TEXT_LIMIT: usize = 4096;
/// The configured severity names, most severe first; a name's level is its index + 1.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Vocabulary {
    pub severities: Vec<String>,
}

impl Default for Vocabulary {
    /// `SEV1` … `SEV4`.
    fn default() -> Self {
        Vocabulary {
            severities: (1..=4).map(|level| format!("SEV{level}")).collect(),
        }
    }
}

impl Vocabulary {
    /// The configured name of `level` (1-based).
    pub fn name(&self, level: u8) -> Option<&str> {
        let index = usize::from(level).checked_sub(1)?;
        self.severities.get(index).map(String::as_str)
    }
}

/// One command line of a comment and what it parsed to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ParsedLine {
    /// 1-based line number in the comment (`\n`, `\r\n` and `\r` end lines).
    pub line: usize,
    /// The command line as written, trimmed.
    pub text: String,
    pub result: Result<Command, ParseError>,
}

/// A command, as written; nothing here is checked against the incident.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/incident [sevN] [title…]`: declare this issue an incident.
    Incident {
        severity: Option<u8>,
        title: Option<String>,
    },
    /// `/sev N [reason]`: change severity (the engine refuses a downgrade without a reason).
    Severity { level: u8, reason: Option<String> },
    /// `/status S [note]`.
    Status {
        status: Status,
        note: Option<String>,
    },
    /// `/ic @user` or `/ic me`.
    Commander(RoleTarget),
    /// `/comms @user` or `/comms me`.
    Comms(RoleTarget),
    /// `/responder @a @b`: deduplicated, in the order written.
    Responders { add: Vec<RoleTarget> },
    /// `/responder remove @a @b`: deduplicated, in the order written.
    RemoveResponders { remove: Vec<RoleTarget> },
    /// `/ack`.
    Ack,
    /// `/impact <text>`.
    Impact { text: String },
    /// `/update [public] <text>`.
    Update { public: bool, text: String },
    /// `/timeline [time] <text>`.
    Timeline { at: TimeSpec, text: String },
    /// `/action <title> [@owner] [P0-P3] [type] [due:…]`.
    Action(ActionSpec),
    /// `/postmortem`, `/postmortem owner @x`, `/postmortem public`.
    Postmortem(PostmortemCommand),
    /// `/help`.
    Help,
}

impl Command {
    /// The canonical command name, as permissions and [`COMMANDS`] name it.
    pub fn name(&self) -> &'static str {
        match self {
            Command::Incident { .. } => "incident",
            Command::Severity { .. } => "sev",
            Command::Status { .. } => "status",
            Command::Commander(_) => "ic",
            Command::Comms(_) => "comms",
            Command::Responders { .. } | Command::RemoveResponders { .. } => "responder",
            Command::Ack => "ack",
            Command::Impact { .. } => "impact",
            Command::Update { .. } => "update",
            Command::Timeline { .. } => "timeline",
            Command::Action(_) => "action",
            Command::Postmortem(_) => "postmortem",
            Command::Help => "help",
        }
    }
}

/// One command's reference entry: for `/help`, the README and error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommandInfo {
    /// Canonical name, without `/`.
    pub name: &'static str,
    /// Other accepted names, without `/`.
    pub aliases: &'static [&'static str],
    pub usage: &'static str,
    pub summary: &'static str,
    /// A complete, valid command line.
    pub example: &'static str,
}

/// Every command, in the order `/help` lists them.
pub const COMMANDS: &[CommandInfo] = &[
    CommandInfo {
        name: "incident",
        aliases: &[],
        usage: "/incident [sevN] [title]",
        summary: "Declare this issue an incident. Without a severity it gets the configured \
                  default; without a title it keeps the issue's.",
        example: "/incident sev1 Checkout returns 500s",
    },
    CommandInfo {
        name: "sev",
        aliases: &["severity"],
        usage: "/sev <level> <reason>",
        summary: "Change the severity (`2`, `sev2` or a configured name). A downgrade needs a \
                  reason.",
        example: "/sev 2 only EU customers are affected",
    },
    CommandInfo {
        name: "status",
        aliases: &[],
        usage: "/status <investigating|identified|mitigated|monitoring|resolved> [note]",
        summary: "Move the incident on. `mitigated`: impact stopped by a workaround; \
                  `resolved`: fixed.",
        example: "/status mitigated rolled back deploy 4812",
    },
    CommandInfo {
        name: "ic",
        aliases: &["commander"],
        usage: "/ic <@user|me>",
        summary: "Name the incident commander. The first `/ic` acknowledges the incident.",
        example: "/ic me",
    },
    CommandInfo {
        name: "comms",
        aliases: &[],
        usage: "/comms <@user|me>",
        summary: "Name the communications lead, who owes stakeholder updates.",
        example: "/comms @alice",
    },
    CommandInfo {
        name: "responder",
        aliases: &["responders"],
        usage: "/responder [remove] <@user|me>…",
        summary: "Add people to the responders, or remove them.",
        example: "/responder @alice @bob",
    },
    CommandInfo {
        name: "ack",
        aliases: &["acknowledge"],
        usage: "/ack",
        summary: "Acknowledge the incident: stops the escalation.",
        example: "/ack",
    },
    CommandInfo {
        name: "impact",
        aliases: &[],
        usage: "/impact <text>",
        summary: "Set the current impact statement.",
        example: "/impact 30% of EU checkouts fail",
    },
    CommandInfo {
        name: "update",
        aliases: &[],
        usage: "/update [public] <text>",
        summary: "Post a stakeholder update; with `public`, also for the public status output.",
        example: "/update public A fix is rolling out; next update in 30 minutes.",
    },
    CommandInfo {
        name: "timeline",
        aliases: &[],
        usage: "/timeline [time] <text>",
        summary: "Add a timeline entry, backdated with `14:05`, `2026-11-20 14:05`, \
                  `2026-11-20T14:05Z` or `-20m`.",
        example: "/timeline 14:05 deploy 4812 started",
    },
    CommandInfo {
        name: "action",
        aliases: &["action-item"],
        usage: "/action <title> [@owner] [P0-P3] [mitigate|prevent|detect|process] \
                [due:YYYY-MM-DD|due:+7d]",
        summary: "Open a follow-up action item. Options may come anywhere; put the title in \
                  double quotes if it contains one of their words.",
        example: "/action Add a retry budget to the payment client @alice P1 prevent due:+14d",
    },
    CommandInfo {
        name: "postmortem",
        aliases: &["pm"],
        usage: "/postmortem [owner <@user|me>|public]",
        summary: "Start the postmortem, hand it to an owner, or publish the public version.",
        example: "/postmortem owner @alice",
    },
    CommandInfo {
        name: "help",
        aliases: &[],
        usage: "/help",
        summary: "List these commands.",
        example: "/help",
    },
];

/// The command called `name` (canonical or alias, case-insensitive, without `/`).
pub fn info(name: &str) -> Option<&'static CommandInfo> {
    COMMANDS.iter().find(|info| {
        info.name.eq_ignore_ascii_case(name)
            || info
                .aliases
                .iter()
                .any(|alias| alias.eq_ignore_ascii_case(name))
    })
}

/// Finds and parses every command in a comment body, in order.
pub fn parse(body: &str, vocab: &Vocabulary) -> Vec<ParsedLine> {
    scan::candidates(body)
        .into_iter()
        .filter_map(|candidate| {
            let (name, args) = scan::command_name(candidate.visible.trim_start())?;
            let result = match info(name) {
                Some(info) => grammar::parse_args(info.name, args, vocab),
                None => Err(ParseError::UnknownCommand {
                    name: name.to_owned(),
                    suggestion: suggest(name),
                }),
            };
            Some(ParsedLine {
                line: candidate.line,
                text: candidate.raw.trim().to_owned(),
                result,
            })
        })
        .collect()
}

/// The command or alias closest to an unknown `name`.
fn suggest(name: &str) -> Option<&'static str> {
    let names = COMMANDS
        .iter()
        .flat_map(|info| std::iter::once(&info.name).chain(info.aliases));
    grammar::closest(name, names.copied())
}

/// The command reference as a Markdown table (`command | usage | what it does`).
pub fn reference_table() -> String {
    let mut table = String::from("| command | usage | what it does |\n|---|---|---|\n");
    for info in COMMANDS {
        let mut names = format!("`/{}`", info.name);
        for alias in info.aliases {
            names.push_str(&format!(" (`/{alias}`)"));
        }
        table.push_str(&format!(
            "| {names} | `{}` | {} |\n",
            info.usage.replace('|', "\\|"),
            info.summary.replace('|', "\\|"),
        ));
    }
    table
}
