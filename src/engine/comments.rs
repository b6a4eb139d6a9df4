//! Comments: every person's comment without an entry is processed (its command lines run, its
//! prose becomes an entry), edited comments update their entry, deleted ones lose it. Each
//! comment gets feedback: a reaction when its commands ran, one reply listing what failed, one
//! refusal for commands its author may not run.

use std::collections::BTreeSet;

use super::commands::{self, DONE};
use super::{Cx, Listing, vocabulary};
use crate::command::{self, Command, ParsedLine};
use crate::event::Comment;
use crate::incident::Incident;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::render::{self, names};

/// Processes every person's comment without an entry and every issue event not yet recorded,
/// in the order they happened; updates edited comments, drops deleted ones; then the
/// `/action` lines of the postmortem pull request's comments.
pub(super) fn reconcile(cx: &mut Cx, incident: &mut Incident) {
    let comments = cx.input.comments;
    let listed: BTreeSet<u64> = comments.iter().map(|c| c.id).collect();
    // Deleted comments: their own entries go (the effects of their commands stay history).
    // Only a whole listing tells: the sweep's recent comments leave the others out, and the
    // newest page is decided from only when none of its span was deleted.
    let gone: Vec<u64> = match cx.input.listing {
        Listing::All => incident
            .timeline
            .iter()
            .filter(|e| e.line.is_none())
            .filter_map(|e| e.comment)
            .filter(|id| !listed.contains(id))
            .collect(),
        Listing::Recent | Listing::Newest => Vec::new(),
    };
    for id in gone {
        timeline::remove_comment(&mut incident.timeline, id);
    }
    let seen = incident.seen_comments();
    let input = cx.input;
    // The issue's events not yet recorded, from the declaration on (what came before it is how
    // it became an incident; GitHub's times have whole seconds, so the labels an issue was
    // opened with count).
    let last = incident.last_event.unwrap_or(0);
    let declared_at = incident.declared_at;
    let mut events = input
        .events
        .unwrap_or_default()
        .iter()
        .filter(|e| e.id > last && e.created_at >= declared_at)
        .peekable();
    // Comments and events in the order they happened, so a label set by hand and a
    // `/severity` written after it leave the incident where the later one put it.
    for comment in comments.iter().filter(|c| input.is_person(c)) {
        while let Some(event) = events.next_if(|e| e.created_at < comment.created_at) {
            super::hand::issue_event(cx, incident, event);
        }
        if seen.contains(&comment.id) && Some(comment.id) != cx.declared_now {
            sync_edit(cx, incident, comment);
            continue;
        }
        process(
            cx,
            incident,
            comment,
            comment.created_at >= incident.declared_at,
        );
    }
    for event in events {
        super::hand::issue_event(cx, incident, event);
    }
    super::hand::restore_entries(
        cx,
        incident,
        input
            .events
            .unwrap_or_default()
            .iter()
            .filter(|e| e.id <= last && e.created_at >= declared_at),
    );
    // Only people's events move the mark: Firebreak's own (its labels) would make every run
    // after a change write the body once more. The newest one's global id tells a later
    // run's GraphQL read whether anything came after it.
    let newest = input
        .events
        .unwrap_or_default()
        .iter()
        .filter(|e| e.id >= last)
        .filter(|e| e.actor.as_ref().is_some_and(|a| input.is_person_user(a)))
        .max_by_key(|e| e.id);
    if let Some(event) = newest {
        incident.last_event = Some(event.id);
        if event.node_id.is_some() {
            incident.last_event_node.clone_from(&event.node_id);
        }
    }
    if let Some(pull) = input.pull {
        for comment in input.pull_comments.iter().filter(|c| input.is_person(c)) {
            process_pull_comment(cx, incident, comment, pull.number);
        }
    }
}

/// A comment on the postmortem pull request: its `/action` lines run on the incident, with
/// replies on the pull request. Everything else there belongs to the review (and to other
/// bots' commands) and is left alone; the comment itself is no timeline entry.
fn process_pull_comment(cx: &mut Cx, incident: &mut Incident, comment: &Comment, pull: u64) {
    let parsed = command::parse(comment.body_text(), &vocabulary(cx.input.config));
    let mut failures = Vec::new();
    let mut done = 0usize;
    let mut refused = false;
    for line in &parsed {
        let is_action = line
            .text
            .split_whitespace()
            .next()
            .is_some_and(|word| word.eq_ignore_ascii_case("/action"));
        if !is_action || has_line_entry(incident, comment, line) {
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
        if !cx.input.authorizer.allowed(comment, "action") {
            refused = true;
            continue;
        }
        match super::items::command_action(cx, incident, comment, line, spec) {
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
        cx.plan.react(comment.id, DONE);
    }
    if refused {
        refuse(cx, Some(pull), comment, vec!["action".to_string()]);
    }
    reply_failures(cx, Some(pull), comment, failures, 0, done > 0);
}

/// The line already ran (its entry exists).
fn has_line_entry(incident: &Incident, comment: &Comment, line: &ParsedLine) -> bool {
    incident
        .timeline
        .iter()
        .any(|e| e.comment == Some(comment.id) && e.line == Some(line.line))
}

/// An edited comment updates its entry. The text is compared, not `updated_at`: GitHub's
/// timestamps have one-second resolution and a quick edit keeps the same one.
fn sync_edit(cx: &Cx, incident: &mut Incident, comment: &Comment) {
    let existing = incident
        .timeline
        .iter()
        .find(|e| e.comment == Some(comment.id) && e.line.is_none());
    let lines = command_lines(&command::parse(
        comment.body_text(),
        &vocabulary(cx.input.config),
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

/// The most command lines one comment runs: a comment of thousands of lines cannot make
/// Firebreak write thousands of entries or a reply GitHub refuses. The rest get one line of
/// the reply.
pub const MAX_COMMAND_LINES: usize = 20;

/// Runs a comment's commands (when `commands` — comments from before the declaration are
/// context only) and records the comment.
fn process(cx: &mut Cx, incident: &mut Incident, comment: &Comment, commands: bool) {
    let mut parsed = if commands {
        command::parse(comment.body_text(), &vocabulary(cx.input.config))
    } else {
        Vec::new()
    };
    let command_lines = command_lines(&parsed);
    // Someone who may run no command at all gets one short refusal for the commands they
    // wrote, and nothing of their text is repeated back.
    if !parsed.is_empty() && !may_run_any(cx, comment) {
        let tried: BTreeSet<String> = parsed
            .iter()
            .filter_map(|l| l.result.as_ref().ok().map(|c| c.name().to_string()))
            .collect();
        if !tried.is_empty() {
            refuse(cx, None, comment, tried.into_iter().collect());
        }
        parsed.clear();
    }
    let unread = parsed.len().saturating_sub(MAX_COMMAND_LINES);
    parsed.truncate(MAX_COMMAND_LINES);
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
        if has_line_entry(incident, comment, line) {
            continue;
        }
        if !cx.input.authorizer.allowed(comment, command.name()) {
            refused.insert(command.name().to_string());
            continue;
        }
        if matches!(command, Command::Help) {
            help = true;
            done += 1;
            continue;
        }
        match commands::execute(cx, incident, comment, line, command) {
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
    let entry = comment_entry(comment, &command_lines);
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
        cx.plan.react(comment.id, DONE);
    }
    if help {
        let view = commands::help_view(cx.input);
        cx.plan.comment(
            format!("help-{}", comment.id),
            render::render(names::HELP, &view),
        );
    }
    if !refused.is_empty() {
        refuse(cx, None, comment, refused.into_iter().collect());
    }
    reply_failures(cx, None, comment, failures, unread, done > 0);
}

/// Whether the comment's author may run at least one command.
fn may_run_any(cx: &Cx, comment: &Comment) -> bool {
    command::COMMANDS
        .iter()
        .any(|c| cx.input.authorizer.allowed(comment, c.name))
}

/// One reply listing the lines that failed and why, on the incident or (`on`) the pull
/// request the comment is on.
fn reply_failures(
    cx: &mut Cx,
    on: Option<u64>,
    comment: &Comment,
    failures: Vec<render::Failure>,
    unread: usize,
    others_ran: bool,
) {
    if failures.is_empty() && unread == 0 {
        return;
    }
    let view = render::FailuresView::new(
        &comment.user.login,
        failures,
        unread,
        MAX_COMMAND_LINES,
        others_ran,
    );
    cx.plan.comment_on(
        on,
        format!("c{}", comment.id),
        render::render(names::FAILURES, &view),
    );
}

/// The refusal reply, on the incident or (`on`) on the pull request the comment is on.
pub(super) fn refuse(cx: &mut Cx, on: Option<u64>, comment: &Comment, commands: Vec<String>) {
    let who = cx.input.authorizer.who(&commands[0]);
    let view = render::RefusedView {
        author: comment.user.login.clone(),
        commands,
        who,
    };
    cx.plan.comment_on(
        on,
        format!("refused-{}", comment.id),
        render::render(names::REFUSED, &view),
    );
    cx.plan
        .notes
        .push(format!("refused commands from @{}", comment.user.login));
}

fn command_lines(parsed: &[ParsedLine]) -> BTreeSet<usize> {
    parsed.iter().map(|l| l.line).collect()
}

/// Entry for a comment by a person (excerpt of its prose, command lines left out).
fn comment_entry(comment: &Comment, command_lines: &BTreeSet<usize>) -> Entry {
    let prose: String = comment
        .body_text()
        .lines()
        .enumerate()
        .filter(|(i, _)| !command_lines.contains(&(i + 1)))
        .map(|(_, l)| l)
        .collect::<Vec<_>>()
        .join("\n");
    let text = timeline::excerpt(&prose);
    let mut entry = Entry::new(
        comment.created_at,
        EntryKind::Comment,
        &comment.user.login,
        text,
    )
    .from_comment(comment.id, None);
    entry.edited = (comment.updated_at != comment.created_at).then_some(comment.updated_at);
    entry
}
