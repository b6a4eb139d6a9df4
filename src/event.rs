//! One [`Event`] type for every mode (Action, App, CLI), built from narrow payload DTOs.
//!
//! Webhook payloads are large and GitHub adds keys over time, so we deserialize only the
//! fields Firebreak reads, tolerate everything else, and report a malformed payload with the
//! JSON path at fault (`issue.user.login: missing field`), never a panic. Events Firebreak
//! knows but does not act on become [`Event::Ignored`] so every caller can say so plainly.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde::de::DeserializeOwned;

/// A GitHub user or bot, as embedded in payloads and REST responses.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct User {
    pub login: String,
    #[serde(default)]
    pub id: u64,
    /// `User`, `Bot` or `Organization`.
    #[serde(rename = "type", default)]
    pub kind: String,
}

impl User {
    /// Bots never drive incidents and never become timeline entries.
    pub fn is_bot(&self) -> bool {
        self.kind.eq_ignore_ascii_case("bot") || self.login.ends_with("[bot]")
    }
}

#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Label {
    pub name: String,
}

/// The issue (or pull request seen as an issue) an event is about.
#[derive(Debug, Clone, Deserialize)]
pub struct Issue {
    pub number: u64,
    pub id: u64,
    #[serde(default)]
    pub node_id: String,
    pub title: String,
    #[serde(default)]
    pub body: Option<String>,
    pub state: String,
    #[serde(default)]
    pub labels: Vec<Label>,
    #[serde(default)]
    pub assignees: Vec<User>,
    pub user: User,
    #[serde(default)]
    pub comments: u64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub author_association: String,
    /// Present when the issue is a pull request.
    #[serde(default)]
    pub pull_request: Option<serde_json::Value>,
}

impl Issue {
    pub fn has_label(&self, name: &str) -> bool {
        self.labels
            .iter()
            .any(|l| l.name.eq_ignore_ascii_case(name))
    }
    pub fn body_text(&self) -> &str {
        self.body.as_deref().unwrap_or("")
    }
}

#[derive(Debug, Clone, Deserialize)]
pub struct Comment {
    pub id: u64,
    #[serde(default)]
    pub body: Option<String>,
    pub user: User,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub author_association: String,
}

impl Comment {
    pub fn body_text(&self) -> &str {
        self.body.as_deref().unwrap_or("")
    }
}

/// Something done to an issue, as its timeline shows it: a label, an assignee, a state or a
/// title changed (`event`: `labeled`, `unlabeled`, `assigned`, `unassigned`, `closed`,
/// `reopened`, `renamed`).
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct IssueEvent {
    pub id: u64,
    /// GitHub's global id of the event: the same in REST and GraphQL.
    #[serde(default)]
    pub node_id: Option<String>,
    pub event: String,
    /// Who did it (GitHub sends `null` for a deleted account).
    #[serde(default)]
    pub actor: Option<User>,
    pub created_at: DateTime<Utc>,
    #[serde(default)]
    pub label: Option<Label>,
    #[serde(default)]
    pub assignee: Option<User>,
    #[serde(default)]
    pub rename: Option<Rename>,
}

/// A title change.
#[derive(Debug, Clone, Deserialize, PartialEq, Eq)]
pub struct Rename {
    pub from: String,
    pub to: String,
}

impl IssueEvent {
    /// The events a timeline entry records (and that can change the incident).
    pub const RECORDED: [&'static str; 7] = [
        "labeled",
        "unlabeled",
        "assigned",
        "unassigned",
        "closed",
        "reopened",
        "renamed",
    ];
}

#[derive(Debug, Clone, Deserialize)]
pub struct Repository {
    pub full_name: String,
    #[serde(default)]
    pub default_branch: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CommentAction {
    Created,
    Edited,
    Deleted,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IssueAction {
    Opened,
    Edited,
    Closed,
    Reopened,
    Labeled,
    Unlabeled,
    Assigned,
    Unassigned,
}

/// Everything Firebreak reacts to.
#[derive(Debug, Clone)]
pub enum Event {
    IssueComment {
        action: CommentAction,
        repository: Repository,
        issue: Box<Issue>,
        comment: Box<Comment>,
        sender: User,
    },
    Issues {
        action: IssueAction,
        repository: Repository,
        issue: Box<Issue>,
        /// The label added or removed (`labeled` / `unlabeled`).
        label: Option<Label>,
        /// The user assigned or unassigned.
        assignee: Option<User>,
        sender: User,
    },
    /// `repository_dispatch` with its `action` (the dispatch type) and client payload.
    RepositoryDispatch {
        kind: String,
        repository: Repository,
        client_payload: serde_json::Value,
    },
    /// `schedule` or `workflow_dispatch`: time to sweep.
    Sweep { repository: Option<Repository> },
    /// A pull request or review event (postmortem PRs).
    PullRequest {
        event: String,
        action: String,
        repository: Repository,
        number: u64,
        sender: User,
        /// The pull request's description (names a postmortem's incident).
        body: Option<String>,
        /// The pull request's head branch.
        head: Option<String>,
    },
    /// Known event or action that Firebreak deliberately does not act on.
    Ignored {
        event: String,
        action: Option<String>,
    },
}

/// A payload Firebreak cannot use, with the JSON path at fault.
#[derive(Debug, thiserror::Error)]
pub enum EventError {
    #[error("the {event} payload is not valid JSON: {source}")]
    Json {
        event: String,
        source: serde_json::Error,
    },
    #[error("the {event} payload is malformed at `{path}`: {message}")]
    Malformed {
        event: String,
        path: String,
        message: String,
    },
    #[error(
        "unsupported event `{0}`: Firebreak handles issues, issue_comment, pull_request, pull_request_review, repository_dispatch, schedule and workflow_dispatch"
    )]
    Unsupported(String),
}

fn decode<T: DeserializeOwned>(event: &str, value: &serde_json::Value) -> Result<T, EventError> {
    serde_path_to_error::deserialize(value).map_err(|err| {
        let path = err.path().to_string();
        EventError::Malformed {
            event: event.to_string(),
            path: if path == "." { "(root)".into() } else { path },
            message: err.into_inner().to_string(),
        }
    })
}

#[derive(Deserialize)]
struct CommentPayload {
    action: String,
    repository: Repository,
    issue: Issue,
    comment: Comment,
    sender: User,
}

#[derive(Deserialize)]
struct IssuesPayload {
    repository: Repository,
    issue: Issue,
    #[serde(default)]
    label: Option<Label>,
    #[serde(default)]
    assignee: Option<User>,
    sender: User,
}

#[derive(Deserialize)]
struct DispatchPayload {
    action: String,
    repository: Repository,
    #[serde(default)]
    client_payload: serde_json::Value,
}

#[derive(Deserialize)]
struct PullPayload {
    action: String,
    repository: Repository,
    pull_request: PullOnly,
    sender: User,
}

#[derive(Deserialize)]
struct PullOnly {
    number: u64,
    #[serde(default)]
    body: Option<String>,
    #[serde(default)]
    head: Option<HeadRef>,
}

#[derive(Deserialize)]
struct HeadRef {
    #[serde(rename = "ref")]
    branch: String,
}

#[derive(Deserialize)]
struct SweepPayload {
    #[serde(default)]
    repository: Option<Repository>,
}

impl Event {
    /// Parse a webhook (or `GITHUB_EVENT_PATH`) payload for the named event.
    pub fn from_webhook(event: &str, payload: &[u8]) -> Result<Event, EventError> {
        let value: serde_json::Value =
            serde_json::from_slice(payload).map_err(|source| EventError::Json {
                event: event.to_string(),
                source,
            })?;
        if !value.is_object() {
            return Err(EventError::Malformed {
                event: event.to_string(),
                path: "(root)".into(),
                message: "expected a JSON object".into(),
            });
        }
        let action = value
            .get("action")
            .and_then(|a| a.as_str())
            .map(str::to_string);
        let ignored = || Event::Ignored {
            event: event.to_string(),
            action: action.clone(),
        };
        Ok(match event {
            "issue_comment" => {
                let p: CommentPayload = decode(event, &value)?;
                let action = match p.action.as_str() {
                    "created" => CommentAction::Created,
                    "edited" => CommentAction::Edited,
                    "deleted" => CommentAction::Deleted,
                    _ => return Ok(ignored()),
                };
                Event::IssueComment {
                    action,
                    repository: p.repository,
                    issue: Box::new(p.issue),
                    comment: Box::new(p.comment),
                    sender: p.sender,
                }
            }
            "issues" => {
                let Some(action) = action.as_deref().and_then(issue_action) else {
                    return Ok(ignored());
                };
                let p: IssuesPayload = decode(event, &value)?;
                Event::Issues {
                    action,
                    repository: p.repository,
                    issue: Box::new(p.issue),
                    label: p.label,
                    assignee: p.assignee,
                    sender: p.sender,
                }
            }
            "repository_dispatch" => {
                let p: DispatchPayload = decode(event, &value)?;
                Event::RepositoryDispatch {
                    kind: p.action,
                    repository: p.repository,
                    client_payload: p.client_payload,
                }
            }
            "schedule" | "workflow_dispatch" => {
                let p: SweepPayload = decode(event, &value)?;
                Event::Sweep {
                    repository: p.repository,
                }
            }
            "pull_request" | "pull_request_review" => {
                let p: PullPayload = decode(event, &value)?;
                Event::PullRequest {
                    event: event.to_string(),
                    action: p.action,
                    repository: p.repository,
                    number: p.pull_request.number,
                    sender: p.sender,
                    body: p.pull_request.body,
                    head: p.pull_request.head.map(|h| h.branch),
                }
            }
            "ping" | "installation" | "installation_repositories" => ignored(),
            other => return Err(EventError::Unsupported(other.to_string())),
        })
    }
}

impl Event {
    /// The repository the event happened in, when the payload names it.
    pub fn repository(&self) -> Option<&Repository> {
        match self {
            Event::IssueComment { repository, .. }
            | Event::Issues { repository, .. }
            | Event::RepositoryDispatch { repository, .. }
            | Event::PullRequest { repository, .. } => Some(repository),
            Event::Sweep { repository } => repository.as_ref(),
            Event::Ignored { .. } => None,
        }
    }
}

fn issue_action(action: &str) -> Option<IssueAction> {
    Some(match action {
        "opened" => IssueAction::Opened,
        "edited" => IssueAction::Edited,
        "closed" => IssueAction::Closed,
        "reopened" => IssueAction::Reopened,
        "labeled" => IssueAction::Labeled,
        "unlabeled" => IssueAction::Unlabeled,
        "assigned" => IssueAction::Assigned,
        "unassigned" => IssueAction::Unassigned,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture(name: &str) -> Vec<u8> {
        let path = format!(
            "{}/tests/fixtures/webhooks/{name}",
            env!("CARGO_MANIFEST_DIR")
        );
        std::fs::read(path).expect("fixture")
    }

    #[test]
    fn real_issue_comment_created_payload_parses() {
        let event =
            Event::from_webhook("issue_comment", &fixture("issue_comment.created.json")).unwrap();
        let Event::IssueComment {
            action,
            issue,
            comment,
            ..
        } = event
        else {
            panic!("wrong variant: {event:?}")
        };
        assert_eq!(action, CommentAction::Created);
        assert_eq!(issue.number, 1);
        assert_eq!(comment.user.login, "Codertocat");
        assert!(!comment.user.is_bot());
    }

    #[test]
    fn real_issues_labeled_payload_carries_the_label() {
        let event = Event::from_webhook("issues", &fixture("issues.labeled.json")).unwrap();
        let Event::Issues { action, label, .. } = event else {
            panic!("wrong variant")
        };
        assert_eq!(action, IssueAction::Labeled);
        assert!(label.is_some());
    }

    #[test]
    fn malformed_payload_names_the_json_path() {
        let mut value: serde_json::Value =
            serde_json::from_slice(&fixture("issue_comment.created.json")).unwrap();
        value["comment"]["user"]
            .as_object_mut()
            .unwrap()
            .remove("login");
        let err = Event::from_webhook("issue_comment", value.to_string().as_bytes()).unwrap_err();
        assert_eq!(
            err.to_string(),
            "the issue_comment payload is malformed at `comment.user`: missing field `login`"
        );
    }

    #[test]
    fn not_json_is_an_error_not_a_panic() {
        let err = Event::from_webhook("issues", b"{not json").unwrap_err();
        assert!(
            err.to_string()
                .starts_with("the issues payload is not valid JSON")
        );
    }

    #[test]
    fn unknown_issue_action_is_ignored() {
        let event = Event::from_webhook(
            "issues",
            br#"{"action":"pinned","issue":{},"repository":{}}"#,
        )
        .unwrap();
        assert!(matches!(event, Event::Ignored { .. }));
    }

    #[test]
    fn unknown_event_is_unsupported() {
        let err = Event::from_webhook("star", b"{}").unwrap_err();
        assert!(matches!(err, EventError::Unsupported(name) if name == "star"));
    }
}
