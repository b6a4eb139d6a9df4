//! Which deliveries a job already waiting in their lane does the work of (coalescing), and what
//! a queued delivery keeps of its payload.
//!
//! Every run of an issue reads the issue, its comments and its timeline afresh and reconciles
//! everything on it that it has not yet seen; payload bodies are never trusted. So while a job
//! for an issue is *waiting* in the issue's lane (not yet running), a further delivery for the
//! issue whose information GitHub will show again adds nothing: the waiting job's reads come
//! after it. It is answered 202, counted under the outcome `coalesced`, and keeps no job. A job
//! already *running* absorbs nothing (its reads may predate the delivery): one job waits behind
//! it. The rule is [`Coalescing::of`] and [`absorbs`]; what a kept job holds is [`slim`].

use crate::dispatch::{self, Work};
use crate::engine::Trigger;
use crate::event::Event;

/// How a queued delivery's run depends on its payload.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Coalescing {
    /// The run reconciles the issue from fresh reads and takes nothing from the payload but the
    /// issue's number (a comment created on an incident): any waiting job
    /// that runs the same issue does this delivery's work, so it is absorbed by one.
    Reconcile,
    /// The run reconciles the issue from fresh reads, so it absorbs a [`Coalescing::Reconcile`]
    /// waiting behind nothing else; but it also takes something from its payload that GitHub
    /// will not show again, so it keeps its own job. A hand-made change (`issues` labeled,
    /// assigned, closed, edited, …) is one: on a GitHub whose timeline cannot be listed the
    /// engine records only the event that woke the run ([`Trigger::Hand`]); and even with a
    /// timeline the sender of an edit (a restored section names them), the labeler who declares
    /// and the moment of a close (the postmortem gate) come from the payload. An issue opened
    /// (declared by its author when labeled) is one too, and so is a comment edited or deleted
    /// (on an incident with more comments than one read brings, the run lists them all when the
    /// one changed is older than the newest page).
    Carries,
    /// A pull request's event (or a comment on it) that may concern a postmortem: the run finds
    /// the incident from the pull request's description and head branch in the payload, then
    /// reads everything afresh. A waiting job of the same pull request whose payload names the
    /// same description and branch does the same run, so it absorbs this one.
    Pull,
    /// The payload is the only record, or the run does not reconcile this lane's issue: keeps
    /// its own job and absorbs nothing. An alert (`repository_dispatch`: its fields exist
    /// nowhere else), an action item closed or reopened (its incident, another issue, records
    /// the change the payload describes), a comment that may declare an incident (its text
    /// decides whether the run happens), an issue opened by a bot (Firebreak's own: the
    /// dispatcher skips that run), the sweep (the timer coalesces its own rounds).
    Own,
}

impl Coalescing {
    /// How `event`'s run depends on its payload, from the dispatcher's pure route.
    pub fn of(event: &Event) -> Coalescing {
        match dispatch::route(event) {
            // An edit or a deletion names its comment: a run for an issue with more comments
            // than one read brings sees the change only when told which one it was.
            Ok(Work::Issue {
                trigger: Trigger::Reconcile,
                ..
            }) if changes_a_comment(event) => Coalescing::Carries,
            Ok(Work::Issue {
                trigger: Trigger::Reconcile,
                ..
            }) => Coalescing::Reconcile,
            // An issue Firebreak opened itself (an alert's incident): the dispatcher skips a
            // run its own write woke, so that job must not stand in for anyone's comment.
            Ok(Work::Issue { .. }) if by_a_bot(event) => Coalescing::Own,
            Ok(Work::Issue { .. }) => Coalescing::Carries,
            Ok(Work::Pull { .. }) => Coalescing::Pull,
            Ok(
                Work::Ignore(_)
                | Work::MaybeDeclare { .. }
                | Work::Item { .. }
                | Work::Declare(_)
                | Work::Sweep,
            )
            | Err(_) => Coalescing::Own,
        }
    }
}

/// Whether the event edited or deleted a comment (its run takes the comment's id from it).
fn changes_a_comment(event: &Event) -> bool {
    matches!(event, Event::IssueComment { action, .. } if *action != crate::event::CommentAction::Created)
}

/// Whether a bot caused the event (the dispatcher may skip its run).
fn by_a_bot(event: &Event) -> bool {
    match event {
        Event::Issues { sender, .. } | Event::IssueComment { sender, .. } => sender.is_bot(),
        _ => false,
    }
}

/// Whether a job waiting (not running) in a lane, `waiting`, does all the work of a new
/// delivery for the same lane, `new`: then the new delivery keeps no job. Both are
/// `(how, event)` of jobs of one lane (one repository's issue or pull request).
pub fn absorbs(waiting: (Coalescing, &Event), new: (Coalescing, &Event)) -> bool {
    match (waiting.0, new.0) {
        (Coalescing::Reconcile | Coalescing::Carries, Coalescing::Reconcile) => true,
        (Coalescing::Pull, Coalescing::Pull) => pull_of(waiting.1) == pull_of(new.1),
        _ => false,
    }
}

/// What a pull request's run takes from its payload: the number, description and head branch.
fn pull_of(event: &Event) -> Option<(u64, &str, Option<&str>)> {
    match dispatch::route(event) {
        Ok(Work::Pull { number, body, head }) => Some((number, body, head)),
        _ => None,
    }
}

/// Keeps of a queued delivery's payload only what its run reads, so a waiting job holds a few
/// hundred bytes instead of the payload's issue and comment: the run reads the issue afresh
/// (only its number is used) and routes the event again, so what the route reads stays — the
/// issue's labels, its state, its times, whether it is a pull request, the comment's and
/// sender's logins and kinds — and so do the bodies the route looks into: the issue's when the
/// incident label alone does not settle it (a section without the label, a pull request's
/// description, an action item's marker), the comment's when it may declare an incident.
pub fn slim(event: &mut Event, how: Coalescing) {
    let keep_body = |issue: &crate::event::Issue| {
        issue.pull_request.is_some() || !issue.has_label(crate::engine::LABEL_INCIDENT)
    };
    match event {
        Event::IssueComment { issue, comment, .. } => {
            if !keep_body(issue) {
                issue.body = None;
            }
            if how != Coalescing::Own {
                comment.body = None;
            }
            comment.html_url = String::new();
            comment.author_association = String::new();
            slim_issue(issue);
        }
        Event::Issues { issue, .. } => {
            if !keep_body(issue) {
                issue.body = None;
            }
            slim_issue(issue);
        }
        Event::RepositoryDispatch { .. }
        | Event::Sweep { .. }
        | Event::PullRequest { .. }
        | Event::Ignored { .. } => {}
    }
}

/// The issue's fields neither the route nor the run reads from a payload.
fn slim_issue(issue: &mut crate::event::Issue) {
    issue.title = String::new();
    issue.node_id = String::new();
    issue.html_url = String::new();
    issue.author_association = String::new();
    issue.assignees = Vec::new();
    if issue.pull_request.is_some() {
        issue.pull_request = Some(serde_json::Value::Null);
    }
}

#[cfg(test)]
mod tests;
