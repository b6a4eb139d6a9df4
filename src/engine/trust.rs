//! Which state to believe. The incident's state is JSON in the issue body, and the author of an
//! issue can always edit its body: on a public repository that is anyone.
//!
//! - When the issue's author may declare incidents (or is Firebreak), only people with the
//!   right can edit the body, so its state is believed.
//! - Otherwise the state lives in Firebreak's record comment ([`crate::incident::record`]),
//!   which the author cannot edit; the body keeps a copy for people and readers, and is
//!   restored from the record whenever they differ. When the edit is seen as it happens (an
//!   `issues.edited` event), the timeline names who made it.
//! - A state names its issue: a section copied into another issue is not an incident there. An
//!   incident from before records existed, on an issue by such an author, is adopted into a
//!   record only when its declaration can be proven: an `/incident` line, in a comment still on
//!   the issue, by someone who may declare.

use crate::command::{self, Command};
use crate::event::Comment;
use crate::incident::section::Body;
use crate::incident::{Incident, record};

use super::{Cx, HandEvent, HandKind, Input, Trigger, vocabulary};

/// Where the believed state comes from, and so where it is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    /// The issue body.
    Body,
    /// Firebreak's record comment.
    Record { comment: u64 },
    /// A record comment this run opens.
    NewRecord,
}

impl Source {
    /// The state is kept in a record comment.
    pub fn in_record(self) -> bool {
        !matches!(self, Source::Body)
    }
}

/// The state to start from.
pub(super) struct Loaded {
    pub incident: Option<Incident>,
    pub source: Source,
    /// The record's state as read, to write it only when it changes.
    pub record: Option<Incident>,
    /// Timeline entries about the state itself (an edit of the section undone).
    pub entries: Vec<crate::incident::Entry>,
}

/// Whether the issue's author may change the incident (and so its body's state is believed).
pub(super) fn author_trusted(input: &Input) -> bool {
    let author = &input.issue.user;
    super::is_ours_login(input.bot, &author.login)
        || input
            .authorizer
            .permits(&author.login, &input.issue.author_association, "incident")
}

/// Whether Firebreak's record comment is among the comments listed (the sweep lists only the
/// recent ones).
pub(super) fn record_listed(input: &Input) -> bool {
    input
        .comments
        .iter()
        .filter(|c| input.is_ours(c))
        .any(|c| record::parse(c.body_text(), input.issue.number).is_some())
}

/// The state to believe for this run.
pub(super) fn load(cx: &mut Cx, body: &Body) -> Loaded {
    let input = cx.input;
    let number = input.issue.number;
    let body_state = body
        .incident()
        .filter(|i| i.issue.is_none_or(|n| n == number))
        .cloned();
    if body.incident().is_some() && body_state.is_none() {
        cx.plan.notes.push(format!(
            "the Firebreak section of #{number} belongs to another issue (a copy): ignored"
        ));
    }
    let record = input
        .comments
        .iter()
        .filter(|c| input.is_ours(c))
        .find_map(|c| record::parse(c.body_text(), number).map(|state| (c.id, state)));
    match record {
        Some((comment, Ok(state))) => {
            let entries = if body_state.as_ref() != Some(&state) {
                restored(cx, &state).into_iter().collect()
            } else {
                Vec::new()
            };
            Loaded {
                incident: Some(state.clone()),
                source: Source::Record { comment },
                record: Some(state),
                entries,
            }
        }
        Some((comment, Err(problem))) => {
            cx.plan.notes.push(format!(
                "the record comment of #{number} is damaged ({problem}); it is rewritten"
            ));
            let incident = body_state.filter(|state| cx.author_trusted || proven(input, state));
            Loaded {
                incident,
                source: Source::Record { comment },
                record: None,
                entries: Vec::new(),
            }
        }
        None if cx.author_trusted => Loaded {
            incident: body_state,
            source: Source::Body,
            record: None,
            entries: Vec::new(),
        },
        None => {
            let incident = body_state.filter(|state| proven(input, state));
            if body.incident().is_some() && incident.is_none() {
                cx.plan.notes.push(format!(
                    "#{number} carries a Firebreak section, but nobody who may declare declared it: not an incident"
                ));
            }
            Loaded {
                incident,
                source: Source::NewRecord,
                record: None,
                entries: Vec::new(),
            }
        }
    }
}

/// The body's section differs from the record: it is rewritten from the record, and when the
/// edit is seen as it happens, the timeline names who made it.
fn restored(cx: &mut Cx, state: &Incident) -> Option<crate::incident::Entry> {
    let input = cx.input;
    cx.plan.notes.push(format!(
        "the Firebreak section of #{} did not match its record: restored",
        input.issue.number
    ));
    let Trigger::Hand(HandEvent {
        kind: HandKind::Edited,
        sender,
        at,
    }) = &input.trigger
    else {
        return None;
    };
    if super::is_ours_login(input.bot, &sender.login) || sender_trusted(cx, &sender.login) {
        return None;
    }
    Some(
        crate::incident::Entry::new(
                *at,
                crate::incident::EntryKind::Note,
                &sender.login,
            format!(
                "Edited the Firebreak section of the description without the right to change this incident; restored from its record ({} was kept)",
                state.record
            ),
        )
        .with_key(format!("restored@{}", at.timestamp())),
    )
}

/// Whether `login`, acting on the issue, may change the incident: the issue's author when
/// trusted; anyone else who could act on someone's issue has triage rights or more.
pub(super) fn sender_trusted(cx: &Cx, login: &str) -> bool {
    !login.eq_ignore_ascii_case(&cx.input.issue.user.login) || cx.author_trusted
}

/// Whether the state's declaration can be proven from the issue's comments: its declared entry
/// names an `/incident` line of a comment still there, by someone who may declare.
fn proven(input: &Input, state: &Incident) -> bool {
    let Some((comment, line)) = state
        .timeline
        .iter()
        .find(|e| e.kind == crate::incident::EntryKind::Declared)
        .and_then(|e| Some((e.comment?, e.line?)))
    else {
        return false;
    };
    input
        .comments
        .iter()
        .filter(|c| c.id == comment && input.is_person(c))
        .any(|c: &Comment| {
            input.authorizer.allowed(c, "incident")
                && command::parse(c.body_text(), &vocabulary(input.config))
                    .iter()
                    .any(|l| l.line == line && matches!(l.result, Ok(Command::Incident { .. })))
        })
}
