//! One GraphQL read of what a run over an issue needs ([`CONVERSATION`]): the configuration
//! file and the template overrides directory at the default branch's head, and the issue —
//! fresh body, title, state, labels, assignees, author and association — with its newest
//! comments and its newest label, assignee, state and title events (who, when, their ids). The answer is
//! mapped into the types the REST reads give ([`Issue`], [`Comment`]), so gather and the engine
//! do not care which way it came.
//!
//! What GraphQL cannot give stays with REST: the issue events' REST ids (no event type has a
//! `databaseId`, and the incident's `last_event` mark is a REST id), so the events themselves
//! are read from the REST timeline when a run needs them: when the newest event a person made is
//! not the one the incident's state last saw ([`Conversation::events_may_be_unrecorded`]).
//! Any error — partial data, `RATE_LIMITED`, a field this GitHub's schema lacks — is returned
//! whole; the caller falls back to REST.

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::json;

use super::graphql::Document;
use super::{GitHub, GitHubError, Retry};
use crate::event::{Comment, Issue, Label, User};

/// Comments one read brings, newest last: GitHub's largest page. An issue with more is listed
/// whole through REST.
pub const COMMENTS_PAGE: usize = 100;

/// The label, assignee, state and title events one read looks at, newest: enough to find the
/// newest one a person made (Firebreak's own label changes come in bursts of a few).
pub const EVENTS_PAGE: usize = 20;

/// The issue, its newest comments and the repository's Firebreak files, in one query.
pub const CONVERSATION: Document = Document {
    name: "Conversation",
    text: r#"query Conversation($owner: String!, $name: String!, $number: Int!, $comments: Int!, $events: Int!) {
  repository(owner: $owner, name: $name) {
    config: object(expression: "HEAD:.github/firebreak.yml") {
      __typename
      ... on Blob { text isTruncated isBinary }
    }
    templates: object(expression: "HEAD:.github/firebreak/templates") {
      __typename
      ... on Tree {
        entries {
          name
          path
          type
          object { __typename ... on Blob { text isTruncated isBinary } }
        }
      }
    }
    issue(number: $number) {
      databaseId
      id
      number
      title
      body
      state
      url
      createdAt
      updatedAt
      closedAt
      authorAssociation
      author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
      labels(first: 100) { totalCount nodes { name } }
      assignees(first: 100) { totalCount nodes { login databaseId } }
      comments(last: $comments) {
        totalCount
        nodes {
          databaseId
          body
          url
          createdAt
          updatedAt
          authorAssociation
          author { __typename login ... on User { databaseId } ... on Bot { databaseId } }
        }
      }
      timelineItems(last: $events, itemTypes: [LABELED_EVENT, UNLABELED_EVENT, ASSIGNED_EVENT, UNASSIGNED_EVENT, CLOSED_EVENT, REOPENED_EVENT, RENAMED_TITLE_EVENT]) {
        nodes {
          __typename
          ... on LabeledEvent { id createdAt actor { __typename login } }
          ... on UnlabeledEvent { id createdAt actor { __typename login } }
          ... on AssignedEvent { id createdAt actor { __typename login } }
          ... on UnassignedEvent { id createdAt actor { __typename login } }
          ... on ClosedEvent { id createdAt actor { __typename login } }
          ... on ReopenedEvent { id createdAt actor { __typename login } }
          ... on RenamedTitleEvent { id createdAt actor { __typename login } }
        }
      }
    }
  }
}"#,
    retry: Retry::Safe,
};

/// What one [`CONVERSATION`] read gave.
#[derive(Debug, Clone)]
pub struct Conversation {
    pub issue: Issue,
    /// The newest comments (at most [`COMMENTS_PAGE`]), oldest first.
    pub comments: Vec<Comment>,
    /// Whether `comments` holds every comment of the issue.
    pub complete: bool,
    /// The newest label, assignee, state or title events, oldest first.
    pub events: Vec<SeenEvent>,
    /// The repository's Firebreak files; `None` when one could not be read whole (a file too
    /// large for GraphQL's `text`, a binary one): read them through REST.
    pub files: Option<Files>,
}

/// `.github/firebreak.yml` and `.github/firebreak/templates/` at the default branch's head.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Files {
    /// The configuration's text; `None` when there is none.
    pub config: Option<String>,
    /// The override directory's files (file name, text); empty when there is none.
    pub templates: Vec<(String, String)>,
}

/// One of the issue's events as the GraphQL read shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeenEvent {
    /// GitHub's global id: the REST event's `node_id`.
    pub id: String,
    pub at: DateTime<Utc>,
    pub actor: User,
}

impl Conversation {
    /// Whether a person may have changed labels, assignees, state or title without the
    /// incident's state recording it (its run failed, was cancelled, has not come, or another
    /// run wrote the body from an older read): the newest event a person made is not
    /// `recorded`, the one the state last saw. Then the issue's events must be listed (REST)
    /// to record the change with its id. Events of `bot` (Firebreak) and of other apps never
    /// count.
    pub fn events_may_be_unrecorded(&self, bot: &str, recorded: Option<&str>) -> bool {
        self.events
            .iter()
            .rev()
            .find(|e| !e.actor.is_bot() && !crate::engine::is_ours_login(bot, &e.actor.login))
            .is_some_and(|newest| recorded != Some(newest.id.as_str()))
    }
}

#[derive(Deserialize)]
struct Data {
    repository: Option<Repository>,
}

#[derive(Deserialize)]
struct Repository {
    config: Option<Object>,
    templates: Option<Object>,
    issue: Option<GqlIssue>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Object {
    #[serde(rename = "__typename")]
    typename: String,
    #[serde(default)]
    text: Option<String>,
    #[serde(default)]
    is_truncated: bool,
    #[serde(default)]
    is_binary: Option<bool>,
    #[serde(default)]
    entries: Vec<TreeEntry>,
}

impl Object {
    /// A blob's whole text; `Err` when GraphQL does not give it whole.
    fn text(&self) -> Result<String, ()> {
        match (&self.text, self.is_truncated, self.is_binary) {
            (Some(text), false, Some(false) | None) if self.typename == "Blob" => Ok(text.clone()),
            _ => Err(()),
        }
    }
}

#[derive(Deserialize)]
struct TreeEntry {
    name: String,
    #[serde(rename = "type")]
    kind: String,
    object: Option<Object>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct Actor {
    #[serde(rename = "__typename")]
    typename: String,
    login: String,
    #[serde(default)]
    database_id: Option<u64>,
}

impl Actor {
    /// The account as REST names it: an app's bot is `<slug>[bot]` there.
    fn user(&self) -> User {
        let bot = self.typename == "Bot";
        let login = if bot && !self.login.ends_with("[bot]") {
            format!("{}[bot]", self.login)
        } else {
            self.login.clone()
        };
        User {
            login,
            id: self.database_id.unwrap_or(0),
            kind: self.typename.clone(),
        }
    }
}

/// GitHub's name for an account that no longer exists (`author: null`).
fn ghost() -> User {
    User {
        login: "ghost".into(),
        id: 10137,
        kind: "User".into(),
    }
}

#[derive(Deserialize)]
struct Nodes<T> {
    #[serde(rename = "totalCount", default)]
    total: Option<usize>,
    nodes: Vec<Option<T>>,
}

#[derive(Deserialize)]
struct Login {
    login: String,
    #[serde(rename = "databaseId", default)]
    database_id: Option<u64>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlIssue {
    database_id: u64,
    id: String,
    number: u64,
    title: String,
    body: String,
    state: String,
    url: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    closed_at: Option<DateTime<Utc>>,
    author_association: String,
    author: Option<Actor>,
    labels: Nodes<Label>,
    assignees: Nodes<Login>,
    comments: Nodes<GqlComment>,
    timeline_items: Nodes<GqlEvent>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlComment {
    database_id: u64,
    body: String,
    url: String,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
    author_association: String,
    author: Option<Actor>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct GqlEvent {
    id: String,
    created_at: DateTime<Utc>,
    actor: Option<Actor>,
}

impl GitHub {
    /// Reads issue `number`, its newest comments and the repository's Firebreak files in one
    /// GraphQL query. `Err` for anything short of a whole answer (errors beside data, a
    /// missing issue, a non-2xx status after retries): the caller reads through REST instead.
    pub async fn read_conversation(&self, number: u64) -> Result<Conversation, GitHubError> {
        let (owner, name) = self.repo().split_once('/').unwrap_or((self.repo(), ""));
        let data: Data = self
            .graphql(
                &CONVERSATION,
                json!({
                    "owner": owner,
                    "name": name,
                    "number": number,
                    "comments": COMMENTS_PAGE,
                    "events": EVENTS_PAGE,
                }),
            )
            .await?
            .into_data("GraphQL Conversation")?;
        let incomplete = |message: &str| GitHubError::Decode {
            operation: "GraphQL Conversation".into(),
            message: message.into(),
        };
        let repository = data.repository.ok_or_else(|| incomplete("no repository"))?;
        let issue = repository.issue.ok_or_else(|| incomplete("no issue"))?;
        // More labels or assignees than one page: REST lists them all.
        if [&issue.labels.total, &issue.assignees.total]
            .iter()
            .zip([issue.labels.nodes.len(), issue.assignees.nodes.len()])
            .any(|(total, listed)| total.is_some_and(|t| t > listed))
        {
            return Err(incomplete("more labels or assignees than one page"));
        }
        let files = files(repository.config, repository.templates);
        Ok(conversation(issue, files))
    }
}

/// The Firebreak files, when every one came whole.
fn files(config: Option<Object>, templates: Option<Object>) -> Option<Files> {
    let config = match config {
        Some(object) => Some(object.text().ok()?),
        None => None,
    };
    let mut out = Files {
        config,
        templates: Vec::new(),
    };
    if let Some(tree) = templates.filter(|t| t.typename == "Tree") {
        for entry in tree.entries.iter().filter(|e| e.kind == "blob") {
            let text = entry.object.as_ref()?.text().ok()?;
            out.templates.push((entry.name.clone(), text));
        }
    }
    Some(out)
}

fn conversation(issue: GqlIssue, files: Option<Files>) -> Conversation {
    let total = issue.comments.total.unwrap_or(0);
    let comments: Vec<Comment> = issue
        .comments
        .nodes
        .into_iter()
        .flatten()
        .map(|c| Comment {
            id: c.database_id,
            body: Some(c.body),
            user: c.author.as_ref().map_or_else(ghost, Actor::user),
            created_at: c.created_at,
            updated_at: c.updated_at,
            html_url: c.url,
            author_association: c.author_association,
        })
        .collect();
    let events = issue
        .timeline_items
        .nodes
        .into_iter()
        .flatten()
        .map(|e| SeenEvent {
            actor: e.actor.as_ref().map_or_else(ghost, Actor::user),
            id: e.id,
            at: e.created_at,
        })
        .collect();
    Conversation {
        complete: comments.len() >= total,
        events,
        files,
        comments,
        issue: Issue {
            number: issue.number,
            id: issue.database_id,
            node_id: issue.id,
            title: issue.title,
            body: Some(issue.body),
            state: issue.state.to_ascii_lowercase(),
            labels: issue.labels.nodes.into_iter().flatten().collect(),
            assignees: issue
                .assignees
                .nodes
                .into_iter()
                .flatten()
                .map(|a| User {
                    login: a.login,
                    id: a.database_id.unwrap_or(0),
                    kind: "User".into(),
                })
                .collect(),
            user: issue.author.as_ref().map_or_else(ghost, Actor::user),
            comments: total as u64,
            created_at: issue.created_at,
            updated_at: issue.updated_at,
            closed_at: issue.closed_at,
            html_url: issue.url,
            author_association: issue.author_association,
            pull_request: None,
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn blob(text: Option<&str>, truncated: bool, binary: bool) -> Object {
        Object {
            typename: "Blob".into(),
            text: text.map(str::to_string),
            is_truncated: truncated,
            is_binary: Some(binary),
            entries: Vec::new(),
        }
    }

    #[test]
    fn an_apps_bot_is_named_as_rest_names_it() {
        let actor = Actor {
            typename: "Bot".into(),
            login: "github-actions".into(),
            database_id: Some(41898282),
        };
        let user = actor.user();
        assert_eq!(user.login, "github-actions[bot]");
        assert!(user.is_bot());
        let person = Actor {
            typename: "User".into(),
            login: "alice".into(),
            database_id: Some(1),
        }
        .user();
        assert_eq!((person.login.as_str(), person.is_bot()), ("alice", false));
    }

    #[test]
    fn a_file_graphql_cannot_give_whole_leaves_the_files_to_rest() {
        let tree = |object: Object| Object {
            typename: "Tree".into(),
            text: None,
            is_truncated: false,
            is_binary: None,
            entries: vec![TreeEntry {
                name: "checklist.md.hbs".into(),
                kind: "blob".into(),
                object: Some(object),
            }],
        };
        assert_eq!(files(Some(blob(None, true, false)), None), None);
        assert_eq!(files(Some(blob(Some("x"), false, true)), None), None);
        assert_eq!(files(None, Some(tree(blob(Some("a"), true, false)))), None);
        assert_eq!(
            files(
                Some(blob(Some("timezone: UTC\n"), false, false)),
                Some(tree(blob(Some("t"), false, false)))
            ),
            Some(Files {
                config: Some("timezone: UTC\n".into()),
                templates: vec![("checklist.md.hbs".into(), "t".into())],
            })
        );
        // No file, no directory: the defaults, read whole.
        assert_eq!(files(None, None), Some(Files::default()));
    }

    #[test]
    fn only_a_persons_event_newer_than_the_recorded_one_may_be_unrecorded() {
        let user = |login: &str, kind: &str| User {
            login: login.into(),
            id: 1,
            kind: kind.into(),
        };
        let event = |id: &str, actor: User| SeenEvent {
            id: id.into(),
            at: "2026-11-20T10:05:00Z".parse().unwrap(),
            actor,
        };
        let read = |events: Vec<SeenEvent>| Conversation {
            issue: serde_json::from_value(json!({
                "number": 1, "id": 1, "title": "t", "state": "open",
                "user": {"login": "alice"},
                "created_at": "2026-11-20T10:00:00Z", "updated_at": "2026-11-20T10:00:00Z",
            }))
            .unwrap(),
            comments: Vec::new(),
            complete: true,
            events,
            files: None,
        };
        let bot = "firebreak[bot]";
        let carol = || user("carol", "User");
        // Nothing a person did: nothing to record, whatever the state saw.
        assert!(!read(Vec::new()).events_may_be_unrecorded(bot, None));
        assert!(
            !read(vec![
                event("E1", user(bot, "Bot")),
                event("E2", user("renovate[bot]", "Bot"))
            ])
            .events_may_be_unrecorded(bot, None)
        );
        // The newest person's event is the recorded one; Firebreak's own after it change nothing.
        let seen = read(vec![event("E1", carol()), event("E2", user(bot, "Bot"))]);
        assert!(!seen.events_may_be_unrecorded(bot, Some("E1")));
        // One after the recorded one, a state that never saw one, or a state written from an
        // older read (it names an older event): list them.
        let newer = read(vec![
            event("E1", carol()),
            event("E3", user("dave", "User")),
        ]);
        assert!(newer.events_may_be_unrecorded(bot, Some("E1")));
        assert!(seen.events_may_be_unrecorded(bot, None));
        assert!(seen.events_may_be_unrecorded(bot, Some("E0")));
    }
}
