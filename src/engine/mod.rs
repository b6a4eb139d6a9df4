//! Decide: (what woke us, the issue as it is, its comments, what was read, config, now) → a
//! [`Plan`] of every GitHub write. Pure: no I/O, no clock; the adapters read `now` once and
//! pass it in. A decision that needs a fact only GitHub knows asks for it ([`Need`]) and is
//! made again once the gather step has read it.
//!
//! The engine reconciles rather than reacts: every person's comment that has no timeline entry
//! yet is processed, whatever event woke the run, so a cancelled, late, duplicated or
//! out-of-order delivery is caught up by the next run. Processing a comment twice (two runs at
//! once) yields the same entries, because each entry's identity is its comment and line.
//!
//! One file per feature: [`declare`] (becoming an incident), `comments` (each comment and
//! its command lines), `commands` (one handler per command), `hand` (labels, assignees,
//! close and reopen done by hand; action items closed), [`items`] (`/action`), [`postmortem`],
//! [`reminders`], `labels` (labels and assignees), [`overflow`] (the body and its overflow
//! parts); [`docs`] renders what the plan writes, [`plan`] and [`facts`] are the vocabulary.

pub mod authorize;
pub mod board;
mod commands;
mod comments;
pub mod declare;
pub mod docs;
pub mod facts;
mod hand;
pub mod items;
mod labels;
pub mod overflow;
mod page;
pub mod plan;
pub mod postmortem;
pub mod reminders;
pub mod trust;

use chrono::{DateTime, Utc};

use crate::command::{self, Command, Vocabulary};
use crate::config::Config;
use crate::event::{Comment, Issue, IssueEvent, User};
pub use crate::incident::parts::Limits;
use crate::incident::section::Body;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, ItemState, PullFacts, carried};
use crate::render;

pub use authorize::{Authorizer, ConfigAuthorizer};
pub use facts::{Facts, FileAt, ItemIssue, Need};
pub use items::OpenItem;
pub use items::{ITEM_MARKER, LABEL_ACTION_ITEM, item_marker, parse_item_marker};
pub use labels::{LABEL_INCIDENT, all_labels, severity_label, status_label};
pub use plan::{Bindings, NewComment, Plan, REPLY_MARKER, reply_marker};

/// What woke this run, beyond "look at everything".
#[derive(Debug, Clone)]
pub enum Trigger {
    /// A new or edited comment, a sweep, a dispatch: nothing beyond reconciliation.
    Reconcile,
    /// The issue was opened (declared if it carries the incident label).
    Opened,
    /// A person changed something by hand; recorded in the timeline.
    Hand(HandEvent),
    /// One of the incident's action items was closed or reopened.
    Item(ItemEvent),
    /// Something happened to the pull request `number` (a postmortem's, or a comment on it).
    Pull { number: u64 },
    /// An entry from outside the issue (an alert firing again), recorded in the timeline.
    Entry(Entry),
    /// The scheduled sweep: reconciliation, and the reminders and escalations due now
    /// ([`reminders`]); no other run posts them.
    Sweep,
}

/// How much of the issue's comments [`Input::comments`] holds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Listing {
    /// Every comment of the issue (every run but the sweep lists them all).
    #[default]
    All,
    /// Only those updated since the sweep's watermark. Nothing missing from them is taken as
    /// deleted, and a decision that would write anything asks for the whole list first
    /// ([`Need::Comments`]): the sweep decides from the body's state alone only that nothing is
    /// to be done.
    Recent,
    /// The newest comments, every one created after the oldest listed (the event's one read
    /// of an issue with more than one page of them). Decided from when the incident's state
    /// proves nothing older is unseen and the decision writes only the body, replies and
    /// reactions; else over the whole list ([`Need::Comments`], see `page`).
    Newest,
}

#[derive(Debug, Clone)]
pub struct HandEvent {
    pub kind: HandKind,
    pub sender: User,
    /// Identifies this occurrence (the issue's `updated_at` in the payload), so a duplicated
    /// delivery is one entry.
    pub at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub enum HandKind {
    Labeled(String),
    Unlabeled(String),
    Assigned(String),
    Unassigned(String),
    Closed,
    Reopened,
    /// The title or the description was edited (the payload says which; the issue as read
    /// says the title now).
    Edited,
    /// The title was changed to this (from the issue's timeline).
    Renamed(String),
}

/// An action item's issue was closed or reopened: its row follows, with a timeline entry.
#[derive(Debug, Clone)]
pub struct ItemEvent {
    pub number: u64,
    pub state: ItemState,
    pub by: String,
    pub at: DateTime<Utc>,
}

/// The postmortem pull request, as read for this run.
#[derive(Debug, Clone)]
pub struct PullRead {
    pub number: u64,
    pub facts: PullFacts,
    /// Its head and base branches.
    pub head: String,
    pub base: String,
    /// The postmortem file at its head.
    pub file: Option<FileAt>,
}

/// Everything the engine reads.
pub struct Input<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    pub issue: &'a Issue,
    /// The issue's comments, oldest first: every one, or (the sweep) those updated lately.
    pub comments: &'a [Comment],
    /// Which of the two `comments` is.
    pub listing: Listing,
    /// The issue's body already parsed, when the caller parsed it (the sweep parses every
    /// open incident's body once); `None`: parsed here.
    pub parsed: Option<&'a Body>,
    /// What people did to the issue (labels, assignees, state, title), oldest first: each
    /// becomes an entry once, whether or not its event woke a run. `None` when GitHub could
    /// not list them: then only the event that woke the run ([`Trigger::Hand`]) is recorded.
    pub events: Option<&'a [IssueEvent]>,
    pub trigger: Trigger,
    pub authorizer: &'a dyn Authorizer,
    /// What the gather step read because a decision asked ([`Plan::needs`]).
    pub facts: &'a Facts,
    /// The postmortem pull request, read when the run concerns it.
    pub pull: Option<&'a PullRead>,
    /// Comments on the postmortem pull request (listed when the run concerns it): their
    /// `/action` lines run on the incident.
    pub pull_comments: &'a [Comment],
    /// When the timeline overflows into comments: [`Limits::GITHUB`] (tests use small ones).
    pub limits: Limits,
    /// Firebreak's own login: only its comments are read as overflow parts and replies.
    pub bot: &'a str,
}

impl Input<'_> {
    /// Written by Firebreak itself.
    pub fn is_ours(&self, comment: &Comment) -> bool {
        is_ours(self.bot, comment)
    }

    /// Written by a person: not by Firebreak, not by another bot. Only people's comments
    /// become timeline entries and run commands.
    pub fn is_person(&self, comment: &Comment) -> bool {
        self.is_person_user(&comment.user)
    }

    /// A person's account: not Firebreak's, not another bot's.
    pub fn is_person_user(&self, user: &User) -> bool {
        !user.is_bot() && !is_ours_login(self.bot, &user.login)
    }
}

/// Whether `comment` was written by `bot` (Firebreak's login).
pub fn is_ours(bot: &str, comment: &Comment) -> bool {
    is_ours_login(bot, &comment.user.login)
}

/// Whether `login` is Firebreak's own (`bot`).
pub fn is_ours_login(bot: &str, login: &str) -> bool {
    login.eq_ignore_ascii_case(bot)
}

/// The vocabulary the parser needs from config.
pub fn vocabulary(config: &Config) -> Vocabulary {
    Vocabulary {
        severities: config.severity_names(),
    }
}

/// Whether a comment asks to declare an incident (cheap check before listing comments).
pub fn declares(config: &Config, body: &str) -> bool {
    command::parse(body, &vocabulary(config))
        .iter()
        .any(|l| matches!(l.result, Ok(Command::Incident { .. })))
}

/// A timeline entry a command asks for; `at` overrides the comment's time (`/timeline`).
pub(crate) struct Noted {
    pub(crate) kind: EntryKind,
    pub(crate) text: String,
    pub(crate) at: Option<DateTime<Utc>>,
}

pub(crate) fn noted(kind: EntryKind, text: impl Into<String>) -> Noted {
    Noted {
        kind,
        text: text.into(),
        at: None,
    }
}

/// What one command did: timeline entries, or the reason it failed.
pub(crate) type Done = Result<Vec<Noted>, String>;

/// The state of one decision: the input, the plan being built, and what commands learn on the
/// way.
pub(crate) struct Cx<'i, 'p> {
    pub input: &'i Input<'i>,
    pub plan: &'p mut Plan,
    /// The comment that declared the incident in this run: its other lines still run.
    pub declared_now: Option<u64>,
    /// People who lost a role during this run (candidates for unassignment).
    pub former_role_holders: Vec<String>,
    /// `/postmortem public` asked to publish; the key of its reply.
    pub publish: Option<String>,
    /// The issue's author may change the incident ([`trust::author_trusted`]).
    pub author_trusted: bool,
}

/// An entry from outside the issue: into the timeline, and into a comment that carries it for
/// every later run ([`carried`]).
fn carry(cx: &mut Cx, incident: &mut Incident, entry: &Entry) {
    let Some(key) = entry.key.clone() else {
        timeline::upsert(&mut incident.timeline, entry.clone());
        return;
    };
    let view = render::CarriedView {
        text: entry.text.clone(),
        by: entry.by.clone(),
        time: render::format_time(entry.at, cx.input.config.timezone),
    };
    let words = render::render(render::names::ALERT_AGAIN, &view);
    cx.plan.comment(key, carried::compose(&words, entry));
    timeline::upsert(&mut incident.timeline, entry.clone());
}

/// Decide what to do.
pub fn decide(input: &Input) -> Plan {
    let issue = input.issue;
    let parsed;
    let body = match input.parsed {
        Some(body) => body,
        None => {
            parsed = Body::parse(issue.body_text());
            &parsed
        }
    };
    let mut plan = Plan::new(issue.number);
    if let Some(Err(problem)) = &body.state {
        plan.notes.push(format!(
            "the Firebreak section of #{} is damaged ({problem}); it was rebuilt",
            issue.number
        ));
    }
    let parts = overflow::find_parts(input.comments, input.bot);
    for (comment, problem) in &parts.damaged {
        plan.notes.push(format!(
            "overflow comment {comment} of #{} is damaged ({problem}); it was ignored",
            issue.number
        ));
    }
    let mut cx = Cx {
        input,
        plan: &mut plan,
        declared_now: None,
        former_role_holders: Vec::new(),
        publish: None,
        author_trusted: false,
    };
    cx.author_trusted = trust::author_trusted(input);
    if !cx.author_trusted
        && (input.listing == Listing::Newest
            || input.listing == Listing::Recent && !trust::record_listed(input))
    {
        // A partial listing cannot tell a record comment that is missing from one that was
        // not listed. An incident whose state lives in its record is decided over every
        // comment (the newest page: its links to parts come from the body, believed only
        // when its author may change the incident).
        cx.plan.need(Need::Comments);
        return plan;
    }
    let loaded = trust::load(&mut cx, body);
    let before = loaded.incident.clone();
    let mut incident = match loaded.incident {
        Some(incident) => incident,
        // Declaring (or rebuilding a damaged section) reads every comment.
        None if input.listing != Listing::All => {
            cx.plan.need(Need::Comments);
            return plan;
        }
        None => match declare::from_issue(&mut cx) {
            Some(incident) => incident,
            None => return plan,
        },
    };
    incident.issue = Some(issue.number);
    for entry in loaded.entries {
        timeline::upsert(&mut incident.timeline, entry);
    }

    // Entries in overflow comments count as seen, and edits and deletions reach them too.
    // (The sweep's recent comments rarely hold a part: then the body's timeline is all.)
    if input.listing != Listing::Recent || !parts.parts.is_empty() || !parts.duplicates.is_empty() {
        incident.timeline = parts.merge(&incident.timeline);
    }
    // The newest page decides only what the state proves it shows whole.
    let at_hand = match input.listing {
        Listing::Newest => {
            if page::unproven(input, &incident.timeline).is_some() {
                cx.plan.need(Need::Comments);
                return plan;
            }
            incident.timeline.clone()
        }
        Listing::All | Listing::Recent => Vec::new(),
    };
    // Entries from outside the issue, carried by Firebreak's comments: a run that read the
    // body before one was written still keeps it.
    for entry in input
        .comments
        .iter()
        .filter(|c| input.is_ours(c))
        .filter_map(|c| carried::parse(c.body_text()))
    {
        timeline::upsert(&mut incident.timeline, entry);
    }
    comments::reconcile(&mut cx, &mut incident);
    match &input.trigger {
        // The issue's events were read with its comments: the one that woke us is among them.
        Trigger::Hand(event) if input.events.is_none() => {
            hand::hand_event(&mut cx, &mut incident, event)
        }
        Trigger::Item(event) => hand::item_event(&mut incident, event),
        Trigger::Entry(entry) => carry(&mut cx, &mut incident, entry),
        Trigger::Hand(_)
        | Trigger::Reconcile
        | Trigger::Opened
        | Trigger::Pull { .. }
        | Trigger::Sweep => {}
    }
    if let Some(states) = &input.facts.item_states {
        items::sync_states(&mut incident, states);
    }
    let former = std::mem::take(&mut cx.former_role_holders);
    let publish = cx.publish.take();

    // Desired state of the issue, diffed with what it is.
    labels::plan_labels(input, &mut incident, &mut plan);
    labels::plan_assignees(&incident, issue, &former, &mut plan);
    let title = input.config.title_for(incident.severity, &incident.title);
    if title != issue.title {
        plan.patch.title = Some(title);
    }
    postmortem::decide(input, before.as_ref(), publish, &mut incident, &mut plan);
    if matches!(input.trigger, Trigger::Sweep) {
        reminders::plan(input, &mut incident, &mut plan);
    }
    if !plan.needs.is_empty() {
        return plan;
    }
    if input.listing == Listing::Recent {
        // Without every comment the body and replies cannot be planned safely: anything to
        // write is decided again over the whole list.
        if !plan.is_empty()
            || before.as_ref() != Some(&incident)
            || body.incident() != Some(&incident)
        {
            let mut again = Plan::new(issue.number);
            again.need(Need::Comments);
            return again;
        }
        return plan;
    }
    plan.severity_name = Some(input.config.severity_name(incident.severity));
    let record = overflow::Record {
        source: loaded.source,
        state: loaded.record,
    };
    let unlisted = match input.listing {
        Listing::Newest => page::unlisted_links(input, &parts),
        Listing::All | Listing::Recent => Vec::new(),
    };
    overflow::plan_timeline(input, body, incident, &parts, &unlisted, &record, &mut plan);
    if input.listing == Listing::Newest && page::overreaches(&plan, &at_hand, &unlisted).is_some() {
        let mut again = Plan::new(issue.number);
        again.need(Need::Comments);
        return again;
    }
    plan
}
