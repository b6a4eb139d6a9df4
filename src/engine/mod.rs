//! Decide: (what woke us, the issue as it is, its comments, config, now) → a [`Plan`] of
//! GitHub operations. Pure: no I/O, no clock; the adapters read `now` once and pass it in.
//!
//! The engine reconciles rather than reacts: every person's comment that has no timeline entry
//! yet is processed, whatever event woke the run, so a cancelled, late, duplicated or
//! out-of-order delivery is caught up by the next run. Processing a comment twice (two runs at
//! once) yields the same entries, because each entry's identity is its comment and line.

mod actions;
mod commands;
mod labels;
pub mod overflow;
mod plan;

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};

use crate::command::{self, Command, Vocabulary};
use crate::config::Config;
use crate::event::{Comment, Issue, User};
use crate::incident::parts::Limits;
use crate::incident::section::Body;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, Status};
use crate::render::{self, names};

pub use actions::{
    Facts, ITEM_MARKER, ItemEvent, ItemIssue, LABEL_ACTION_ITEM, Need, OpenItem, item_marker,
    parse_item_marker,
};
pub use labels::{LABEL_INCIDENT, all_labels, severity_label, status_label};
pub use plan::{NewComment, Plan, REPLY_MARKER, reply_marker};

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
    Retitled,
}

/// Who may run which command: decided by the adapter (team look-ups need the network) and
/// passed in.
pub trait Authorizer {
    fn allowed(&self, comment: &Comment, command: &str) -> bool;
    /// Who may run `command`, in words, for refusals.
    fn who(&self, command: &str) -> String;
}

/// Everything the engine reads.
pub struct Input<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    pub issue: &'a Issue,
    /// Every comment on the issue, oldest first.
    pub comments: &'a [Comment],
    pub trigger: Trigger,
    pub authorizer: &'a dyn Authorizer,
    /// What the runner fetched because an earlier decision asked ([`Plan::needs`]).
    pub facts: &'a Facts,
    /// What was just read from the postmortem pull request (its number and facts), when the
    /// run concerns it.
    pub pull: Option<(u64, &'a crate::incident::PullFacts)>,
    /// Comments on the postmortem pull request (listed when the run concerns it): their
    /// `/action` lines run on the incident.
    pub pull_comments: &'a [Comment],
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

/// The severity chosen in an issue form's `### Severity` field, if any.
pub fn form_severity(config: &Config, body: &str) -> Option<u8> {
    let mut lines = body.lines().map(str::trim);
    lines.find(|l| {
        l.trim_start_matches('#')
            .trim()
            .eq_ignore_ascii_case("severity")
            && l.starts_with('#')
    })?;
    let value = lines.find(|l| !l.is_empty())?;
    let token = value
        .split(|c: char| c.is_whitespace() || c == '(' || c == '—' || c == '-' || c == ':')
        .find(|t| !t.is_empty())?;
    config.level_of(token)
}

/// Decide what to do.
pub fn decide(input: &Input) -> Plan {
    decide_with(input, &Limits::GITHUB)
}

/// [`decide`] with other size limits for the timeline's overflow (tests use small ones).
pub fn decide_with(input: &Input, limits: &Limits) -> Plan {
    let issue = input.issue;
    let body = Body::parse(issue.body_text());
    let mut plan = Plan::new(issue.number);
    if let Some(Err(problem)) = &body.state {
        plan.notes.push(format!(
            "the Firebreak section of #{} is damaged ({problem}); it was rebuilt",
            issue.number
        ));
    }
    let parts = overflow::find_parts(input.comments);
    for (comment, problem) in &parts.damaged {
        plan.notes.push(format!(
            "overflow comment {comment} of #{} is damaged ({problem}); it was ignored",
            issue.number
        ));
    }
    let mut run = commands::Run::new(input, &mut plan);

    let mut incident = match body.incident() {
        Some(incident) => incident.clone(),
        None => match run.declaration() {
            Some(incident) => incident,
            None => return plan,
        },
    };

    // Entries in overflow comments count as seen, and edits and deletions reach them too.
    incident.timeline = parts.merge(&incident.timeline);
    run.reconcile_comments(&mut incident);
    if let Trigger::Hand(hand) = &input.trigger {
        run.hand_event(&mut incident, hand);
    }
    if let Trigger::Item(event) = &input.trigger
        && let Some(noted) = actions::item_event(&mut incident, event)
    {
        timeline::upsert(
            &mut incident.timeline,
            Entry::new(event.at, noted.kind, &event.by, noted.text).with_key(format!(
                "item#{}-{}@{}",
                event.number,
                event.state.as_str(),
                event.at.timestamp()
            )),
        );
    }
    if let Some(states) = &input.facts.item_states {
        actions::sync_states(&mut incident, states);
    }
    if let Trigger::Entry(entry) = &input.trigger {
        timeline::upsert(&mut incident.timeline, entry.clone());
    }

    // Desired state of the issue, diffed with what it is.
    labels::plan_labels(input.config, &incident, issue, &mut plan);
    if plan.ensure_labels {
        incident.labels_ready = true;
    }
    plan_assignees(&incident, issue, &mut plan);
    let title = input.config.title_for(incident.severity, &incident.title);
    if title != issue.title {
        plan.patch.title = Some(title);
    }
    let closed_by_hand = match &input.trigger {
        Trigger::Hand(HandEvent {
            kind: HandKind::Closed,
            sender,
            at,
        }) if !sender.is_bot() => Some(*at),
        _ => None,
    };
    crate::postmortem::decide::decide(
        &crate::postmortem::decide::Ctx {
            config: input.config,
            issue,
            facts: input.pull,
            before: body.incident(),
            closed_by_hand,
            now: input.now,
        },
        &mut incident,
        &mut plan,
    );
    overflow::plan_timeline(input, &body, incident, &parts, limits, &mut plan);
    plan
}

/// Sets the plan's body from `plan.incident` and the overflow links the timeline split chose
/// (no patch when the body would not change): after the decision, and again after the
/// postmortem flow changed the incident.
pub fn refresh_body(config: &Config, issue: &Issue, plan: &mut Plan) {
    let Some(incident) = &plan.incident else {
        return;
    };
    let rendered = render_section(config, incident, &issue.html_url, &plan.overflow.links);
    if let Some(draft) = &mut plan.overflow.body {
        // Parts are still to be opened: the body is composed once their ids are known.
        draft.rendered = rendered;
        return;
    }
    let body = Body::parse(issue.body_text());
    let new_body =
        crate::incident::section::compose(&body.before, &rendered, incident, &body.after);
    plan.patch.body = (new_body != issue.body_text()).then_some(new_body);
}

/// The rendered bot-owned section (without the state marker).
pub fn render_section(
    config: &Config,
    incident: &Incident,
    issue_url: &str,
    overflow: &[render::PartLink],
) -> String {
    render::render(
        names::SECTION,
        &render::SectionView::new(incident, config, issue_url, overflow.to_vec()),
    )
}

/// Roles become assignees. Only people who held a role and no longer hold any are unassigned,
/// so assignees added by hand stay.
fn plan_assignees(incident: &Incident, issue: &Issue, plan: &mut Plan) {
    let current: BTreeSet<String> = issue
        .assignees
        .iter()
        .map(|u| u.login.to_ascii_lowercase())
        .collect();
    let holders = incident.role_holders();
    let holder_set: BTreeSet<String> = holders.iter().map(|l| l.to_ascii_lowercase()).collect();
    plan.add_assignees = holders
        .into_iter()
        .filter(|l| !current.contains(&l.to_ascii_lowercase()))
        .collect();
    plan.remove_assignees = plan
        .former_role_holders
        .iter()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            current.contains(&l) && !holder_set.contains(&l)
        })
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
}

/// The status of an incident, as the label shows it (for the outputs).
pub fn status_of(incident: &Incident) -> Status {
    incident.status
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
