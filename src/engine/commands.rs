//! Running commands and folding comments and hand-made events into the incident.
//!
//! One `command_<name>` function per [`Command`] variant, dispatched by an exhaustive match.
//! A command either changes the incident (and returns the timeline text describing the
//! change) or fails with a reason written for the person who typed it.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::{HandEvent, HandKind, Input, Plan, Trigger, comment_entry, labels, vocabulary};
use crate::command::{self, Command, ParsedLine, RoleTarget, TimeSpec};
use crate::event::Comment;
use crate::incident::Status;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, Stamped, Update, human_duration};
use crate::render::{self, names};

/// Success reaction on a comment whose commands all ran.
pub const DONE: &str = "+1";

/// A timeline entry a command asks for; `at` overrides the comment's time (`/timeline`).
pub struct Noted {
    pub(super) kind: EntryKind,
    pub(super) text: String,
    pub(super) at: Option<DateTime<Utc>>,
}

pub(super) fn noted(kind: EntryKind, text: impl Into<String>) -> Noted {
    Noted {
        kind,
        text: text.into(),
        at: None,
    }
}

/// The outcome of one command: timeline entries, or a reason it failed.
pub(super) type Outcome = Result<Vec<Noted>, String>;

pub struct Run<'i, 'p> {
    input: &'i Input<'i>,
    plan: &'p mut Plan,
    /// The comment that declared the incident in this run: its other lines still run.
    declared_now: Option<u64>,
}

impl<'i, 'p> Run<'i, 'p> {
    pub fn new(input: &'i Input<'i>, plan: &'p mut Plan) -> Self {
        Run {
            input,
            plan,
            declared_now: None,
        }
    }

    /// A new incident, when this issue is being declared: opened or labeled with the incident
    /// label, or a person's `/incident` comment.
    pub fn declaration(&mut self) -> Option<Incident> {
        let Input {
            config,
            issue,
            comments,
            trigger,
            authorizer,
            ..
        } = self.input;
        let labeled = issue.has_label(labels::LABEL_INCIDENT)
            && matches!(
                trigger,
                Trigger::Opened
                    | Trigger::Hand(HandEvent {
                        kind: HandKind::Labeled(_),
                        ..
                    })
            );
        if labeled {
            let severity =
                super::form_severity(config, issue.body_text()).unwrap_or(config.default_severity);
            let (by, at) = match trigger {
                Trigger::Hand(hand) => (hand.sender.login.clone(), hand.at),
                _ => (issue.user.login.clone(), issue.created_at),
            };
            let title = strip_severity_prefix(config, &issue.title);
            let entry = Entry::new(at, EntryKind::Declared, &by, "").with_key("declared");
            return Some(self.declared(&title, severity, entry));
        }
        let vocab = vocabulary(config);
        for comment in comments.iter().filter(|c| !c.user.is_bot()) {
            for line in command::parse(comment.body_text(), &vocab) {
                let Ok(Command::Incident { severity, title }) = &line.result else {
                    continue;
                };
                if !authorizer.allowed(comment, "incident") {
                    self.refuse(comment, vec!["incident".to_string()]);
                    return None;
                }
                let severity = severity.unwrap_or(config.default_severity);
                let title = title
                    .clone()
                    .unwrap_or_else(|| strip_severity_prefix(config, &issue.title));
                let entry = Entry::new(
                    comment.created_at,
                    EntryKind::Declared,
                    &comment.user.login,
                    "",
                )
                .from_comment(comment.id, Some(line.line));
                let incident = self.declared(&title, severity, entry);
                self.plan.react(comment.id, DONE);
                self.declared_now = Some(comment.id);
                return Some(incident);
            }
        }
        None
    }

    /// A new incident, declared by `entry`'s author at its time; the entry's text is set here.
    fn declared(&mut self, title: &str, severity: u8, mut entry: Entry) -> Incident {
        let config = self.input.config;
        let name = config.severity_name(severity);
        let mut incident = Incident::declare(title, severity, &entry.by, entry.at, config.timezone);
        entry.text = format!("{name} by {}", entry.by);
        timeline::upsert(&mut incident.timeline, entry);
        self.plan
            .notes
            .push(format!("declared #{} as {name}", self.input.issue.number));
        incident
    }

    /// Processes every person's comment without an entry, updates edited ones, drops deleted
    /// ones.
    pub fn reconcile_comments(&mut self, incident: &mut Incident) {
        let comments = self.input.comments;
        let listed: BTreeSet<u64> = comments.iter().map(|c| c.id).collect();
        // Deleted comments: their own entries go (the effects of their commands stay history).
        let gone: Vec<u64> = incident
            .timeline
            .iter()
            .filter(|e| e.line.is_none())
            .filter_map(|e| e.comment)
            .filter(|id| !listed.contains(id))
            .collect();
        for id in gone {
            timeline::remove_comment(&mut incident.timeline, id);
        }
        let seen = incident.seen_comments();
        for comment in comments.iter().filter(|c| !c.user.is_bot()) {
            if seen.contains(&comment.id) && Some(comment.id) != self.declared_now {
                self.sync_edit(incident, comment);
                continue;
            }
            self.process_comment(
                incident,
                comment,
                comment.created_at >= incident.declared_at,
            );
        }
        if let Some((pull, _)) = self.input.pull {
            for comment in self.input.pull_comments.iter().filter(|c| !c.user.is_bot()) {
                self.process_pull_comment(incident, comment, pull);
            }
        }
    }

    /// A comment on the postmortem pull request: its `/action` lines run on the incident,
    /// with replies on the pull request. Everything else there belongs to the review (and to
    /// other bots' commands) and is left alone; the comment itself is no timeline entry.
    fn process_pull_comment(&mut self, incident: &mut Incident, comment: &Comment, pull: u64) {
        let parsed = command::parse(comment.body_text(), &vocabulary(self.input.config));
        let mut failures = Vec::new();
        let mut done = 0usize;
        let mut refused = false;
        for line in &parsed {
            let is_action = line
                .text
                .split_whitespace()
                .next()
                .is_some_and(|word| word.eq_ignore_ascii_case("/action"));
            if !is_action
                || incident
                    .timeline
                    .iter()
                    .any(|e| e.comment == Some(comment.id) && e.line == Some(line.line))
            {
                continue;
            }
            let spec = match &line.result {
                Ok(Command::Action(spec)) => spec,
                Ok(_) => continue,
                Err(error) => {
                    failures.push(render::Failure::new(&line.text, &error.to_string()));
                    continue;
                }
            };
            if !self.input.authorizer.allowed(comment, "action") {
                refused = true;
                continue;
            }
            match super::actions::command_action(
                self.input, self.plan, incident, comment, line, spec,
            ) {
                Ok(entries) => {
                    done += 1;
                    for noted in entries {
                        let mut entry = Entry::new(
                            comment.created_at,
                            noted.kind,
                            &comment.user.login,
                            noted.text,
                        )
                        .from_comment(comment.id, Some(line.line));
                        entry.pull = Some(pull);
                        timeline::upsert(&mut incident.timeline, entry);
                    }
                }
                Err(reason) => failures.push(render::Failure::new(&line.text, &reason)),
            }
        }
        if done > 0 {
            self.plan.react(comment.id, DONE);
        }
        if refused {
            self.refuse_on(Some(pull), comment, vec!["action".to_string()]);
        }
        if !failures.is_empty() {
            let view = render::FailuresView {
                author: comment.user.login.clone(),
                failures,
                others_ran: done > 0,
            };
            self.plan.comment_on(
                Some(pull),
                format!("c{}", comment.id),
                render::render(names::FAILURES, &view),
            );
        }
    }

    /// An edited comment updates its entry. The text is compared, not `updated_at`: GitHub's
    /// timestamps have one-second resolution and a quick edit keeps the same one.
    fn sync_edit(&mut self, incident: &mut Incident, comment: &Comment) {
        let existing = incident
            .timeline
            .iter()
            .find(|e| e.comment == Some(comment.id) && e.line.is_none());
        let lines = command_lines(&command::parse(
            comment.body_text(),
            &vocabulary(self.input.config),
        ));
        let mut updated = comment_entry(comment, &lines);
        if updated.text.is_empty() {
            return;
        }
        match existing {
            Some(entry) if updated.text == entry.text => return,
            Some(entry) => updated.at = entry.at,
            // A comment that held only commands gained prose: it gets its own entry now.
            None => {}
        }
        timeline::upsert(&mut incident.timeline, updated);
    }

    /// Runs a comment's commands (when `commands` — comments from before the declaration are
    /// context only) and records the comment.
    fn process_comment(&mut self, incident: &mut Incident, comment: &Comment, commands: bool) {
        let parsed = if commands {
            command::parse(comment.body_text(), &vocabulary(self.input.config))
        } else {
            Vec::new()
        };
        let author = comment.user.login.as_str();
        let mut failures = Vec::new();
        let mut refused = BTreeSet::new();
        let mut done = 0usize;
        let mut help = false;
        for line in &parsed {
            let command = match &line.result {
                Ok(command) => command,
                Err(error) => {
                    failures.push(render::Failure::new(&line.text, &error.to_string()));
                    continue;
                }
            };
            // The declaration itself already ran.
            if incident
                .timeline
                .iter()
                .any(|e| e.comment == Some(comment.id) && e.line == Some(line.line))
            {
                continue;
            }
            if !self.input.authorizer.allowed(comment, command.name()) {
                refused.insert(command.name().to_string());
                continue;
            }
            if matches!(command, Command::Help) {
                help = true;
                done += 1;
                continue;
            }
            match self.execute(incident, comment, line, command) {
                Ok(entries) => {
                    done += 1;
                    // One entry per command line: its identity is the comment and the line.
                    let text = entries
                        .iter()
                        .map(|n| n.text.as_str())
                        .collect::<Vec<_>>()
                        .join("; ");
                    if let Some(first) = entries.first() {
                        let at = first.at.unwrap_or(comment.created_at);
                        timeline::upsert(
                            &mut incident.timeline,
                            Entry::new(at, first.kind, author, text)
                                .from_comment(comment.id, Some(line.line)),
                        );
                    }
                }
                Err(reason) => failures.push(render::Failure::new(&line.text, &reason)),
            }
        }
        let lines = command_lines(&parsed);
        let entry = comment_entry(comment, &lines);
        let has_own_entries = incident
            .timeline
            .iter()
            .any(|e| e.comment == Some(comment.id));
        if !entry.text.is_empty() || !has_own_entries {
            let mut entry = entry;
            if entry.text.is_empty() {
                entry.text = timeline::cut(
                    comment.body_text().lines().next().unwrap_or("").trim(),
                    timeline::EXCERPT_CHARS,
                );
            }
            timeline::upsert(&mut incident.timeline, entry);
        }
        if done > 0 {
            self.plan.react(comment.id, DONE);
        }
        if help {
            let view = help_view(self.input);
            self.plan.comment(
                format!("help-{}", comment.id),
                render::render(names::HELP, &view),
            );
        }
        if !refused.is_empty() {
            let commands: Vec<String> = refused.into_iter().collect();
            self.refuse(comment, commands);
        }
        if !failures.is_empty() {
            let view = render::FailuresView {
                author: author.to_string(),
                failures,
                others_ran: done > 0,
            };
            self.plan.comment(
                format!("c{}", comment.id),
                render::render(names::FAILURES, &view),
            );
        }
    }

    fn refuse(&mut self, comment: &Comment, commands: Vec<String>) {
        self.refuse_on(None, comment, commands);
    }

    /// The refusal reply, on the incident or (`on`) on the pull request the comment is on.
    fn refuse_on(&mut self, on: Option<u64>, comment: &Comment, commands: Vec<String>) {
        let who = self.input.authorizer.who(&commands[0]);
        let view = render::RefusedView {
            author: comment.user.login.clone(),
            commands,
            who,
        };
        self.plan.comment_on(
            on,
            format!("refused-{}", comment.id),
            render::render(names::REFUSED, &view),
        );
        self.plan
            .notes
            .push(format!("refused commands from @{}", comment.user.login));
    }

    fn execute(
        &mut self,
        incident: &mut Incident,
        comment: &Comment,
        line: &ParsedLine,
        command: &Command,
    ) -> Outcome {
        let at = comment.created_at;
        let author = comment.user.login.as_str();
        match command {
            Command::Incident { .. } => command_incident(self.input, incident),
            Command::Severity { level, reason } => {
                command_severity(self.input, incident, *level, reason.as_deref())
            }
            Command::Status { status, note } => {
                self.command_status(incident, *status, note.as_deref(), comment, line)
            }
            Command::Commander(target) => Ok(command_role(
                incident,
                Role::Commander,
                target.resolve(author),
                at,
                &mut self.plan.former_role_holders,
            )),
            Command::Comms(target) => Ok(command_role(
                incident,
                Role::Comms,
                target.resolve(author),
                at,
                &mut self.plan.former_role_holders,
            )),
            Command::Responders { add } => command_responders_add(incident, add, author),
            Command::RemoveResponders { remove } => command_responders_remove(
                incident,
                remove,
                author,
                &mut self.plan.former_role_holders,
            ),
            Command::Ack => Ok(command_ack(incident, at)),
            Command::Impact { text } => {
                incident.impact = Some(Stamped {
                    text: text.clone(),
                    by: author.to_string(),
                    at,
                });
                Ok(vec![noted(EntryKind::Impact, format!("Impact: {text}"))])
            }
            Command::Update { public, text } => {
                self.command_update(incident, comment, *public, text)
            }
            Command::Timeline { at: when, text } => {
                command_timeline(self.input, incident, comment, line, when, text)
            }
            Command::Action(spec) => {
                super::actions::command_action(self.input, self.plan, incident, comment, line, spec)
            }
            Command::Postmortem(command) => {
                let outcome = crate::postmortem::command(
                    incident,
                    command,
                    author,
                    &format!("{}.{}", comment.id, line.line),
                    &mut self.plan.postmortem,
                )?;
                Ok(vec![noted(EntryKind::Postmortem, outcome)])
            }
            Command::Help => Ok(Vec::new()),
        }
    }

    fn command_status(
        &mut self,
        incident: &mut Incident,
        status: Status,
        note: Option<&str>,
        comment: &Comment,
        line: &ParsedLine,
    ) -> Outcome {
        if incident.status == status {
            return Err(format!("the incident is already `{}`.", status.as_str()));
        }
        let from = incident.status;
        incident.set_status(status, comment.created_at);
        let mut text = format!("Status {} → {}", from.as_str(), status.as_str());
        if let Some(note) = note {
            text.push_str(&format!(": {note}"));
        }
        if matches!(status, Status::Mitigated | Status::Resolved) {
            let config = self.input.config;
            let outcome = if status == Status::Resolved {
                "resolved"
            } else {
                "mitigated"
            };
            let mut mentions = incident.role_holders();
            if !mentions
                .iter()
                .any(|m| m.eq_ignore_ascii_case(&incident.declared_by))
            {
                mentions.push(incident.declared_by.clone());
            }
            let view = render::ResolutionView {
                outcome,
                title: incident.title.clone(),
                severity: config.severity_name(incident.severity),
                by: comment.user.login.clone(),
                note: note.map(str::to_string),
                mentions,
                duration: human_duration(comment.created_at - incident.declared_at),
                postmortem: Some(crate::postmortem::decide::notice(config, incident)),
            };
            self.plan.comment(
                format!("{outcome}-{}.{}", comment.id, line.line),
                render::render(names::RESOLUTION, &view),
            );
        }
        Ok(vec![noted(EntryKind::Status, text)])
    }

    fn command_update(
        &mut self,
        incident: &mut Incident,
        comment: &Comment,
        public: bool,
        text: &str,
    ) -> Outcome {
        let config = self.input.config;
        let at = comment.created_at;
        incident.update = Some(Update {
            text: text.to_string(),
            by: comment.user.login.clone(),
            at,
            public,
        });
        let view = render::UpdateView {
            title: incident.title.clone(),
            severity: config.severity_name(incident.severity),
            status: incident.status.as_str(),
            by: comment.user.login.clone(),
            at: render::format_time(at, config.timezone),
            text: text.to_string(),
            public,
            impact: incident.impact.as_ref().map(|i| i.text.clone()),
        };
        self.plan.comment(
            format!("update-{}", comment.id),
            render::render(names::UPDATE, &view),
        );
        let label = if public { "Public update" } else { "Update" };
        Ok(vec![noted(EntryKind::Update, format!("{label}: {text}"))])
    }

    /// Label, assignee, close and reopen events made by a person become entries. A severity or
    /// status label set by hand is adopted as the new severity or status.
    pub fn hand_event(&mut self, incident: &mut Incident, hand: &HandEvent) {
        if hand.sender.is_bot() {
            return;
        }
        let config = self.input.config;
        let by = hand.sender.login.as_str();
        let (key, text) = match &hand.kind {
            HandKind::Labeled(name) => {
                let lower = name.to_ascii_lowercase();
                if let Some(level) = lower
                    .strip_prefix(labels::SEVERITY_PREFIX)
                    .and_then(|l| l.parse::<u8>().ok())
                {
                    if config.severity(level).is_some() && level != incident.severity {
                        let from = incident.severity;
                        incident.severity = level;
                        let text = format!(
                            "Severity {} {} → {} by hand (label `{name}`)",
                            direction(from, level),
                            config.severity_name(from),
                            config.severity_name(level)
                        );
                        (format!("label+{lower}@{}", hand.at.timestamp()), text)
                    } else {
                        return;
                    }
                } else if let Some(status) = lower
                    .strip_prefix(labels::STATUS_PREFIX)
                    .and_then(|s| s.parse::<Status>().ok())
                {
                    if status == incident.status {
                        return;
                    }
                    let from = incident.status;
                    incident.set_status(status, hand.at);
                    (
                        format!("label+{lower}@{}", hand.at.timestamp()),
                        format!(
                            "Status {} → {} by hand (label `{name}`)",
                            from.as_str(),
                            status.as_str()
                        ),
                    )
                } else if lower == labels::LABEL_INCIDENT {
                    return;
                } else {
                    (
                        format!("label+{lower}@{}", hand.at.timestamp()),
                        format!("Label `{name}` added"),
                    )
                }
            }
            HandKind::Unlabeled(name) => {
                let lower = name.to_ascii_lowercase();
                // Removing one of the state labels is undone by the next render; no entry.
                if lower.starts_with(labels::SEVERITY_PREFIX)
                    || lower.starts_with(labels::STATUS_PREFIX)
                    || lower == labels::LABEL_INCIDENT
                {
                    return;
                }
                (
                    format!("label-{lower}@{}", hand.at.timestamp()),
                    format!("Label `{name}` removed"),
                )
            }
            HandKind::Assigned(login) => (
                format!("assign+{login}@{}", hand.at.timestamp()),
                format!("{login} assigned"),
            ),
            HandKind::Unassigned(login) => (
                format!("assign-{login}@{}", hand.at.timestamp()),
                format!("{login} unassigned"),
            ),
            HandKind::Closed => (
                format!("closed@{}", hand.at.timestamp()),
                "Issue closed".to_string(),
            ),
            HandKind::Reopened => (
                format!("reopened@{}", hand.at.timestamp()),
                "Issue reopened".to_string(),
            ),
            HandKind::Retitled => {
                let title = strip_severity_prefix(config, &self.input.issue.title);
                if title == incident.title {
                    return;
                }
                incident.title = title.clone();
                (
                    format!("title@{}", hand.at.timestamp()),
                    format!("Title changed to \"{title}\""),
                )
            }
        };
        let kind = match hand.kind {
            HandKind::Labeled(_) | HandKind::Unlabeled(_) => EntryKind::Label,
            HandKind::Assigned(_) | HandKind::Unassigned(_) => EntryKind::Assignee,
            HandKind::Closed => EntryKind::Closed,
            HandKind::Reopened => EntryKind::Reopened,
            HandKind::Retitled => EntryKind::Note,
        };
        timeline::upsert(
            &mut incident.timeline,
            Entry::new(hand.at, kind, by, text).with_key(key),
        );
    }
}

fn command_lines(parsed: &[ParsedLine]) -> BTreeSet<usize> {
    parsed.iter().map(|l| l.line).collect()
}

fn direction(from: u8, to: u8) -> &'static str {
    if to < from { "upgraded" } else { "downgraded" }
}

fn command_incident(input: &Input, incident: &Incident) -> Outcome {
    Err(format!(
        "this issue is already incident `{}` ({}). Use `/sev N <reason>` to change its severity.",
        incident.record,
        input.config.severity_name(incident.severity)
    ))
}

fn command_severity(
    input: &Input,
    incident: &mut Incident,
    level: u8,
    reason: Option<&str>,
) -> Outcome {
    let config = input.config;
    let from = incident.severity;
    if level == from {
        return Err(format!(
            "the incident is already {}.",
            config.severity_name(level)
        ));
    }
    let downgrade = level > from;
    if downgrade && reason.is_none() {
        return Err(format!(
            "a downgrade needs a reason, so everyone can see why the incident matters less now. Write it after the level, e.g. `/sev {level} impact limited to internal tools`."
        ));
    }
    incident.severity = level;
    let mut text = format!(
        "Severity {} {} → {}",
        direction(from, level),
        config.severity_name(from),
        config.severity_name(level)
    );
    if let Some(reason) = reason {
        text.push_str(&format!(": {reason}"));
    }
    Ok(vec![noted(EntryKind::Severity, text)])
}

#[derive(Clone, Copy)]
enum Role {
    Commander,
    Comms,
}

fn command_role(
    incident: &mut Incident,
    role: Role,
    login: &str,
    at: DateTime<Utc>,
    former: &mut Vec<String>,
) -> Vec<Noted> {
    let (slot, name) = match role {
        Role::Commander => (&mut incident.commander, "Incident commander"),
        Role::Comms => (&mut incident.comms, "Comms lead"),
    };
    let previous = slot.replace(login.to_string());
    let mut entries = vec![noted(
        EntryKind::Role,
        match &previous {
            Some(p) if !p.eq_ignore_ascii_case(login) => format!("{name}: {login} (was {p})"),
            _ => format!("{name}: {login}"),
        },
    )];
    if let Some(p) = previous {
        former.push(p);
    }
    if matches!(role, Role::Commander) && incident.acknowledge(at) {
        entries.push(noted(
            EntryKind::Acknowledged,
            format!("acknowledged by {login}"),
        ));
    }
    entries
}

fn command_responders_add(incident: &mut Incident, add: &[RoleTarget], author: &str) -> Outcome {
    let mut added = Vec::new();
    for target in add {
        let login = target.resolve(author);
        if !incident
            .responders
            .iter()
            .any(|r| r.eq_ignore_ascii_case(login))
        {
            incident.responders.push(login.to_string());
            added.push(login.to_string());
        }
    }
    if added.is_empty() {
        return Err("everyone named is already a responder.".into());
    }
    Ok(vec![noted(
        EntryKind::Role,
        format!("Responders added: {}", added.join(", ")),
    )])
}

fn command_responders_remove(
    incident: &mut Incident,
    remove: &[RoleTarget],
    author: &str,
    former: &mut Vec<String>,
) -> Outcome {
    let mut removed = Vec::new();
    for target in remove {
        let login = target.resolve(author);
        if let Some(pos) = incident
            .responders
            .iter()
            .position(|r| r.eq_ignore_ascii_case(login))
        {
            removed.push(incident.responders.remove(pos));
        }
    }
    if removed.is_empty() {
        return Err("nobody named is a responder.".into());
    }
    former.extend(removed.iter().cloned());
    Ok(vec![noted(
        EntryKind::Role,
        format!("Responders removed: {}", removed.join(", ")),
    )])
}

fn command_ack(incident: &mut Incident, at: DateTime<Utc>) -> Vec<Noted> {
    if incident.acknowledge(at) {
        vec![noted(EntryKind::Acknowledged, "Acknowledged")]
    } else {
        Vec::new()
    }
}

/// How far in the future a `/timeline` time may be (clock skew between people and GitHub).
const TIMELINE_FUTURE_SLACK: Duration = Duration::minutes(2);

fn command_timeline(
    input: &Input,
    _incident: &mut Incident,
    comment: &Comment,
    line: &ParsedLine,
    when: &TimeSpec,
    text: &str,
) -> Outcome {
    let tz = input.config.timezone;
    let written = comment.created_at;
    let at = match when {
        TimeSpec::Now => written,
        TimeSpec::Ago(d) => written - *d,
        TimeSpec::Absolute(t) => t.with_timezone(&Utc),
        TimeSpec::LocalDateTime(naive) => match tz.from_local_datetime(naive).earliest() {
            Some(t) => t.with_timezone(&Utc),
            None => {
                return Err(format!(
                    "`{naive}` does not exist in {} (a clock change).",
                    tz.name()
                ));
            }
        },
        TimeSpec::ClockTime { hour, minute } => {
            let today: NaiveDate = written.with_timezone(&tz).date_naive();
            let resolve = |day: NaiveDate| {
                day.and_hms_opt(*hour, *minute, 0)
                    .and_then(|n| tz.from_local_datetime(&n).earliest())
                    .map(|t| t.with_timezone(&Utc))
            };
            match resolve(today) {
                // A clock time later than the comment means yesterday (written after midnight).
                Some(t) if t > written + TIMELINE_FUTURE_SLACK => {
                    match today.pred_opt().and_then(resolve) {
                        Some(t) => t,
                        None => return Err("that time does not exist.".into()),
                    }
                }
                Some(t) => t,
                None => {
                    return Err(format!(
                        "{hour:02}:{minute:02} does not exist today in {}.",
                        tz.name()
                    ));
                }
            }
        }
    };
    if at > written + TIMELINE_FUTURE_SLACK {
        return Err(format!(
            "{} is in the future; the timeline records what already happened.",
            render::format_time(at, tz)
        ));
    }
    let _ = line;
    // Backdated entries carry their own time, so they sort where they belong.
    Ok(vec![Noted {
        kind: EntryKind::Note,
        text: text.to_string(),
        at: Some(at),
    }])
}

fn help_view(input: &Input) -> render::HelpView {
    render::HelpView {
        commands: command::COMMANDS
            .iter()
            .map(|c| render::HelpRow {
                usage: crate::markdown::escape_cell_prose(&format!("`{}`", c.usage)),
                summary: crate::markdown::escape_cell_prose(c.summary),
            })
            .collect(),
        severities: input.config.severity_names(),
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
    }
}

/// The title without a leading `[SEVn]`-style prefix Firebreak (or a person) put there.
pub fn strip_severity_prefix(config: &crate::config::Config, title: &str) -> String {
    let trimmed = title.trim();
    if let Some(rest) = trimmed.strip_prefix('[')
        && let Some((inside, after)) = rest.split_once(']')
        && config.level_of(inside.trim()).is_some()
    {
        return after.trim().to_string();
    }
    trimmed.to_string()
}
