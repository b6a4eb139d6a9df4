//! The dispatcher: what an event asks of Firebreak. Every mode — the Action, the CLI, the App —
//! turns what woke it into an [`Event`] and calls [`dispatch`]; none of them knows another.
//!
//! [`route`] is pure and cheap: it decides from the payload alone whether the event can concern
//! an incident, so a plain comment on a plain issue costs no API call and no configuration
//! read. [`dispatch`] then loads the configuration and runs the work: one issue through
//! [`run::run_issue`], a declaration, or the sweep.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::engine::declare::Request;
use crate::engine::{self, Facts, HandEvent, HandKind, ItemEvent, Trigger};
use crate::event::{CommentAction, Event, Issue, IssueAction};
use crate::github::GitHub;
use crate::incident::ItemState;
use crate::incident::section::BEGIN;
use crate::run::{self, Mode, Outcome, Start};
use crate::{UsageError, postmortem};

/// What an event asks for.
#[derive(Debug)]
pub enum Work<'e> {
    /// Nothing, and why.
    Ignore(String),
    /// Reconcile this issue (an incident, or one that may become one).
    Issue { issue: &'e Issue, trigger: Trigger },
    /// A comment on an issue that is not an incident yet: it may declare one.
    MaybeDeclare { issue: &'e Issue, comment: &'e str },
    /// An action item was closed or reopened: reconcile its incident.
    Item { parent: u64, event: ItemEvent },
    /// Something happened to a pull request that may be a postmortem.
    Pull {
        number: u64,
        body: &'e str,
        head: Option<&'e str>,
    },
    /// Open an incident from outside an issue (an alert).
    Declare(Request),
    /// The scheduled sweep.
    Sweep,
}

/// What `event` asks for, from the payload alone.
pub fn route(event: &Event) -> Result<Work<'_>, UsageError> {
    let ignore = |why: String| Ok(Work::Ignore(why));
    match event {
        Event::IssueComment {
            action,
            issue,
            comment,
            sender,
            ..
        } => {
            if comment.user.is_bot() || sender.is_bot() {
                return ignore("comment by a bot: nothing to do".into());
            }
            if issue.pull_request.is_some() {
                // A comment on a postmortem pull request concerns its incident.
                if !postmortem::may_name_incident(issue.body_text(), None) {
                    return ignore("comment on a pull request: nothing to do".into());
                }
                return Ok(Work::Pull {
                    number: issue.number,
                    body: issue.body_text(),
                    head: None,
                });
            }
            if is_incident(issue) {
                return Ok(Work::Issue {
                    issue,
                    trigger: Trigger::Reconcile,
                });
            }
            if *action != CommentAction::Deleted && mentions_incident_command(comment.body_text()) {
                return Ok(Work::MaybeDeclare {
                    issue,
                    comment: comment.body_text(),
                });
            }
            ignore(format!(
                "#{} is not an incident and the comment declares none",
                issue.number
            ))
        }
        Event::Issues {
            action,
            issue,
            label,
            assignee,
            sender,
            ..
        } => {
            if sender.is_bot() && *action != IssueAction::Opened {
                return ignore("change made by a bot: nothing to do".into());
            }
            if issue.pull_request.is_some() {
                return ignore("pull request: nothing to do".into());
            }
            if matches!(action, IssueAction::Closed | IssueAction::Reopened)
                && !is_incident(issue)
                && let Some((parent, _)) = engine::parse_item_marker(issue.body_text())
            {
                // An action item closed or reopened: its incident's list follows.
                let closed = *action == IssueAction::Closed;
                return Ok(Work::Item {
                    parent,
                    event: ItemEvent {
                        number: issue.number,
                        state: if closed {
                            ItemState::Closed
                        } else {
                            ItemState::Open
                        },
                        by: sender.login.clone(),
                        at: issue
                            .closed_at
                            .filter(|_| closed)
                            .unwrap_or(issue.updated_at),
                    },
                });
            }
            if !is_incident(issue) && !issue.has_label(engine::LABEL_INCIDENT) {
                return ignore(format!("#{} is not an incident", issue.number));
            }
            let name = |l: &Option<crate::event::Label>| {
                l.as_ref().map(|l| l.name.clone()).unwrap_or_default()
            };
            let login = |u: &Option<crate::event::User>| {
                u.as_ref().map(|u| u.login.clone()).unwrap_or_default()
            };
            let kind = match action {
                IssueAction::Opened => {
                    return Ok(Work::Issue {
                        issue,
                        trigger: Trigger::Opened,
                    });
                }
                IssueAction::Labeled => HandKind::Labeled(name(label)),
                IssueAction::Unlabeled => HandKind::Unlabeled(name(label)),
                IssueAction::Assigned => HandKind::Assigned(login(assignee)),
                IssueAction::Unassigned => HandKind::Unassigned(login(assignee)),
                IssueAction::Closed => HandKind::Closed,
                IssueAction::Reopened => HandKind::Reopened,
                IssueAction::Edited => HandKind::Edited,
            };
            Ok(Work::Issue {
                issue,
                trigger: Trigger::Hand(HandEvent {
                    kind,
                    sender: sender.clone(),
                    at: issue.updated_at,
                }),
            })
        }
        Event::RepositoryDispatch {
            kind,
            client_payload,
            ..
        } => {
            if kind != "incident" {
                return ignore(format!(
                    "repository_dispatch `{kind}` is not `incident`: nothing to do"
                ));
            }
            Ok(Work::Declare(
                Request::from_dispatch(client_payload).map_err(UsageError)?,
            ))
        }
        Event::Sweep { .. } => Ok(Work::Sweep),
        Event::PullRequest {
            event,
            action,
            number,
            body,
            head,
            ..
        } => {
            let relevant = match event.as_str() {
                "pull_request" => matches!(
                    action.as_str(),
                    "opened"
                        | "edited"
                        | "synchronize"
                        | "closed"
                        | "reopened"
                        | "ready_for_review"
                        | "converted_to_draft"
                ),
                _ => matches!(action.as_str(), "submitted" | "edited" | "dismissed"),
            };
            let body = body.as_deref().unwrap_or("");
            if !relevant || !postmortem::may_name_incident(body, head.as_deref()) {
                return ignore(format!(
                    "{event}.{action} on #{number}: not about a postmortem"
                ));
            }
            Ok(Work::Pull {
                number: *number,
                body,
                head: head.as_deref(),
            })
        }
        Event::Ignored { event, action } => ignore(format!(
            "{event}{}: nothing to do",
            action
                .as_deref()
                .map(|a| format!(".{a}"))
                .unwrap_or_default()
        )),
    }
}

/// Handles one event: routes it, loads the configuration (only when the event can concern an
/// incident), and runs the work.
pub async fn dispatch<F, Fut>(
    github: &GitHub,
    event: &Event,
    now: DateTime<Utc>,
    mode: Mode,
    config: F,
) -> anyhow::Result<Outcome>
where
    F: FnOnce(&GitHub) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Config>>,
{
    // The payload names the default branch: postmortem drafts need it, and it saves a read.
    let hinted;
    let github = match event.repository() {
        Some(repository) => {
            hinted = github
                .clone()
                .with_default_branch(repository.default_branch.clone());
            &hinted
        }
        None => github,
    };
    let work = route(event)?;
    if let Work::Ignore(why) = work {
        return Ok(Outcome::skipped(why));
    }
    // With a personal token Firebreak writes as a person: its own writes wake it too.
    if let Some(actor) = actor(event)
        && actor.eq_ignore_ascii_case(github.identity().await)
    {
        return Ok(Outcome::skipped(format!(
            "caused by Firebreak itself ({actor}): nothing to do"
        )));
    }
    // One GraphQL read for the issue and the configuration files; REST when it fails.
    let read = match &work {
        Work::Issue { issue, .. } | Work::MaybeDeclare { issue, .. }
            if issue.pull_request.is_none() =>
        {
            // Boxed: its future is large, and the dispatcher's is already.
            Box::pin(run::gather::first_read(github, issue.number)).await
        }
        _ => None,
    };
    // An edit or a deletion of a comment older than the newest page is decided over them all.
    let mut read = read;
    if let (
        Some(read),
        Event::IssueComment {
            action, comment, ..
        },
    ) = (read.as_mut(), event)
        && *action != CommentAction::Created
    {
        run::gather::page_must_show(read, comment.id, *action == CommentAction::Deleted);
    }
    let with_files;
    let github = match read.as_ref().and_then(|r| r.files.clone()) {
        Some(files) => {
            with_files = github.clone().with_files(Some(files));
            &with_files
        }
        None => github,
    };
    let config = config(github).await?;
    let payload = |issue: &Issue| match &read {
        Some(read) => Start::Read(Box::new(read.clone())),
        None => Start::Payload(issue.clone()),
    };
    let (start, trigger) = match work {
        Work::Ignore(_) => unreachable!("handled above"),
        Work::Issue { issue, trigger } => (payload(issue), trigger),
        Work::MaybeDeclare { issue, comment } => {
            if !engine::declares(&config, comment) {
                return Ok(Outcome::skipped(format!(
                    "#{} is not an incident and the comment declares none",
                    issue.number
                )));
            }
            (payload(issue), Trigger::Reconcile)
        }
        Work::Item { parent, event } => {
            let incident = github.get_issue(parent).await?;
            if !is_incident(&incident) {
                return Ok(Outcome::skipped(format!(
                    "#{} names #{parent} as its incident, which is not one",
                    event.number
                )));
            }
            (Start::Fresh(incident), Trigger::Item(event))
        }
        Work::Pull { number, body, head } => {
            let Some(incident) = postmortem::incident_of_pull(&config, body, head) else {
                return Ok(Outcome::skipped(format!("#{number} is not a postmortem")));
            };
            let issue = match github.get_issue(incident).await {
                Ok(issue) => issue,
                Err(e) if e.is_not_found() => {
                    return Ok(Outcome::skipped(format!(
                        "#{number} names #{incident}, which does not exist"
                    )));
                }
                Err(e) => return Err(e.into()),
            };
            if issue.pull_request.is_some() || !is_incident(&issue) {
                return Ok(Outcome::skipped(format!(
                    "#{number} names #{incident}, which is not an incident"
                )));
            }
            (Start::Fresh(issue), Trigger::Pull { number })
        }
        Work::Declare(request) => {
            return run::declare::declare(github, &config, &request, now, mode).await;
        }
        Work::Sweep => return run::sweep::sweep(github, &config, now, mode).await,
    };
    // Boxed: the run's future is large; on the heap it leaves the caller's stack alone.
    Box::pin(run::run_issue(
        github,
        &config,
        start,
        trigger,
        now,
        mode,
        Facts::default(),
    ))
    .await
}

/// Who caused an event about an issue or a comment, when a person-type account did.
fn actor(event: &Event) -> Option<&str> {
    match event {
        Event::IssueComment { comment, .. } => Some(&comment.user.login),
        Event::Issues { sender, .. } => Some(&sender.login),
        _ => None,
    }
}

/// An incident carries the label or Firebreak's section (the label may have been removed by
/// hand; the section is what counts).
fn is_incident(issue: &Issue) -> bool {
    issue.has_label(engine::LABEL_INCIDENT) || issue.body_text().contains(BEGIN)
}

/// Cheap pre-check before reading config: could this comment contain `/incident`?
fn mentions_incident_command(body: &str) -> bool {
    body.lines()
        .any(|l| l.trim_start().to_ascii_lowercase().starts_with("/incident"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn incident_precheck_is_case_insensitive_and_line_based() {
        assert!(mentions_incident_command("hello\n  /Incident sev1 db"));
        assert!(!mentions_incident_command("see /incident docs"));
    }
}
