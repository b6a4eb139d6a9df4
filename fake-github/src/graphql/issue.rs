//! `Repository.issue(number:)`: `Issue` with its labels, assignees, comments (`IssueComment`,
//! whose `databaseId` is the REST id) and `timelineItems` (the label, assignee, state and title
//! events), read from the same state the REST routes serve. A pull request's number is no issue
//! here, as on GitHub.

use std::rc::Rc;

use super::account::Account;
use super::connection;
use super::exec::{Cx, Failure, Field, Node, NodeRef, Out};
use super::repository::Label;
use crate::shapes::node_id;
use crate::state::{EventKind, IssueEvent, ts};

pub(crate) struct Issue {
    pub key: String,
    pub number: u64,
}

impl Issue {
    /// `repository.issue(number:)`: `NOT_FOUND` when there is no such issue.
    pub fn find(cx: &Cx<'_, '_>, key: &str, number: u64) -> Result<Issue, Failure> {
        let found = cx
            .ctx
            .st
            .repo(key)
            .and_then(|r| r.issues.get(&number))
            .is_some_and(|i| i.pull.is_none());
        if found {
            Ok(Issue {
                key: key.to_string(),
                number,
            })
        } else {
            Err(Failure::error(
                "NOT_FOUND",
                format!("Could not resolve to an Issue with the number of {number}."),
            ))
        }
    }
}

/// A fault the tests injected on `type_name.field` ([`super::Budget::field_faults`]).
fn injected(cx: &Cx<'_, '_>, type_name: &str, field: &str) -> Result<(), Failure> {
    let key = (type_name.to_string(), field.to_string());
    match cx.ctx.st.graphql.field_faults.get(&key) {
        None => Ok(()),
        Some(None) => Err(Failure::undefined(type_name, field)),
        Some(Some(kind)) => Err(Failure::error(
            match kind.as_str() {
                "FORBIDDEN" => "FORBIDDEN",
                "NOT_FOUND" => "NOT_FOUND",
                "RATE_LIMITED" => "RATE_LIMITED",
                _ => "INTERNAL",
            },
            format!("Something went wrong while executing your query ({field})."),
        )),
    }
}

/// `Actor` fields (`author`, `actor`): the account, or `null` for a deleted one.
fn actor(cx: &mut Cx<'_, '_>, login: &str) -> Out {
    if cx.ctx.st.user(login).is_none() {
        return Out::Null;
    }
    Out::node(Account::new(cx, login))
}

impl Node for Issue {
    fn typename(&self) -> &'static str {
        "Issue"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(
            type_name,
            "Issue"
                | "Node"
                | "Comment"
                | "Labelable"
                | "Assignable"
                | "Closable"
                | "IssueOrPullRequest"
        )
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        injected(cx, "Issue", f.name)?;
        let st = &cx.ctx.st;
        let Some(repo) = st.repo(&self.key) else {
            return Ok(Out::Null);
        };
        let Some(issue) = repo.issues.get(&self.number) else {
            return Ok(Out::Null);
        };
        let html = format!("{}/{}/{}", st.html_url, repo.owner, repo.name);
        Ok(match f.name {
            "id" => Out::value(node_id("I", issue.id)),
            "databaseId" => Out::value(issue.id),
            "number" => Out::value(issue.number),
            "title" => Out::value(issue.title.clone()),
            "body" => Out::value(issue.body.clone().unwrap_or_default()),
            "state" => Out::value(issue.state.to_uppercase()),
            "stateReason" => Out::Value(
                issue
                    .state_reason
                    .as_ref()
                    .map(|r| r.to_uppercase().into())
                    .unwrap_or_default(),
            ),
            "url" => Out::value(format!("{html}/issues/{}", issue.number)),
            "repository" => {
                let (owner, name) = (repo.owner.clone(), repo.name.clone());
                return super::repository::Repository::find(cx, &owner, &name).map(Out::node);
            }
            "createdAt" => Out::value(ts(issue.created_at)),
            "updatedAt" => Out::value(ts(issue.updated_at)),
            "closedAt" => Out::Value(issue.closed_at.map(ts).into()),
            "lastEditedAt" => Out::Value(issue.edited_at.map(ts).into()),
            "authorAssociation" => Out::value(st.author_association(repo, &issue.user)),
            "author" => {
                let login = issue.user.clone();
                actor(cx, &login)
            }
            "labels" => {
                let labels: Vec<NodeRef> = issue
                    .labels
                    .iter()
                    .filter_map(|id| repo.label_by_id(*id))
                    .map(|l| Rc::new(Label(l.clone())) as NodeRef)
                    .collect();
                return connection::page(cx, f, labels);
            }
            "assignees" => {
                let logins = issue.assignees.clone();
                let people: Vec<NodeRef> = logins
                    .iter()
                    .map(|l| Rc::new(Account::new(cx, l)) as NodeRef)
                    .collect();
                return connection::page(cx, f, people);
            }
            "comments" => {
                let comments: Vec<NodeRef> = repo
                    .comments
                    .values()
                    .filter(|c| c.issue == self.number)
                    .map(|c| {
                        Rc::new(IssueComment {
                            key: self.key.clone(),
                            id: c.id,
                        }) as NodeRef
                    })
                    .collect();
                return connection::page(cx, f, comments);
            }
            "projectItems" => {
                let key = self.key.clone();
                let number = self.number;
                return super::projects::items_of(cx, f, &key, number);
            }
            "timelineItems" => {
                let types: Option<Vec<String>> = f.arg("itemTypes").and_then(|v| {
                    v.as_array().map(|a| {
                        a.iter()
                            .filter_map(|t| t.as_str().map(str::to_string))
                            .collect()
                    })
                });
                let events: Vec<NodeRef> = issue
                    .events
                    .iter()
                    .filter(|e| {
                        types
                            .as_ref()
                            .is_none_or(|t| t.iter().any(|t| t == item_type(&e.kind)))
                    })
                    .map(|e| Rc::new(Event(e.clone())) as NodeRef)
                    .collect();
                return connection::page(cx, f, events);
            }
            other => return Err(Failure::undefined("Issue", other)),
        })
    }
}

/// `IssueComment`: `databaseId` is the id the REST API gives it.
pub(crate) struct IssueComment {
    key: String,
    id: u64,
}

impl Node for IssueComment {
    fn typename(&self) -> &'static str {
        "IssueComment"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "IssueComment" | "Node" | "Comment")
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        injected(cx, "IssueComment", f.name)?;
        let st = &cx.ctx.st;
        let Some(repo) = st.repo(&self.key) else {
            return Ok(Out::Null);
        };
        let Some(c) = repo.comments.get(&self.id) else {
            return Ok(Out::Null);
        };
        Ok(match f.name {
            "id" => Out::value(node_id("IC", c.id)),
            "databaseId" => Out::value(c.id),
            "body" => Out::value(c.body.clone()),
            "createdAt" => Out::value(ts(c.created_at)),
            "updatedAt" => Out::value(ts(c.updated_at)),
            "url" => Out::value(format!(
                "{}/{}/{}/issues/{}#issuecomment-{}",
                st.html_url, repo.owner, repo.name, c.issue, c.id
            )),
            "authorAssociation" => Out::value(st.author_association(repo, &c.user)),
            "author" => {
                let login = c.user.clone();
                actor(cx, &login)
            }
            other => return Err(Failure::undefined("IssueComment", other)),
        })
    }
}

/// The `IssueTimelineItemsItemType` of an event.
fn item_type(kind: &EventKind) -> &'static str {
    match kind {
        EventKind::Labeled { .. } => "LABELED_EVENT",
        EventKind::Unlabeled { .. } => "UNLABELED_EVENT",
        EventKind::Assigned(_) => "ASSIGNED_EVENT",
        EventKind::Unassigned(_) => "UNASSIGNED_EVENT",
        EventKind::Closed { .. } => "CLOSED_EVENT",
        EventKind::Reopened => "REOPENED_EVENT",
        EventKind::Renamed { .. } => "RENAMED_TITLE_EVENT",
    }
}

/// One issue event as a timeline item (`LabeledEvent`, `AssignedEvent`, `ClosedEvent`, …).
/// GitHub's GraphQL gives these no `databaseId`.
struct Event(IssueEvent);

impl Node for Event {
    fn typename(&self) -> &'static str {
        match self.0.kind {
            EventKind::Labeled { .. } => "LabeledEvent",
            EventKind::Unlabeled { .. } => "UnlabeledEvent",
            EventKind::Assigned(_) => "AssignedEvent",
            EventKind::Unassigned(_) => "UnassignedEvent",
            EventKind::Closed { .. } => "ClosedEvent",
            EventKind::Reopened => "ReopenedEvent",
            EventKind::Renamed { .. } => "RenamedTitleEvent",
        }
    }
    fn is(&self, type_name: &str) -> bool {
        type_name == self.typename() || matches!(type_name, "Node" | "IssueTimelineItems")
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let e = &self.0;
        Ok(match (f.name, &e.kind) {
            ("id", _) => Out::value(node_id("E", e.id)),
            ("createdAt", _) => Out::value(ts(e.at)),
            ("actor", _) => {
                let login = e.actor.clone();
                actor(cx, &login)
            }
            (
                "label",
                EventKind::Labeled { name, color } | EventKind::Unlabeled { name, color },
            ) => Out::node(super::exec::Record::new(
                "Label",
                serde_json::json!({ "name": name, "color": color }),
            )),
            ("assignee", EventKind::Assigned(login) | EventKind::Unassigned(login)) => {
                let login = login.clone();
                actor(cx, &login)
            }
            ("currentTitle", EventKind::Renamed { to, .. }) => Out::value(to.clone()),
            ("previousTitle", EventKind::Renamed { from, .. }) => Out::value(from.clone()),
            (other, _) => return Err(Failure::undefined(self.typename(), other)),
        })
    }
}
