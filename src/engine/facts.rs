//! What the engine knows beyond the issue and its comments, and how it asks for more.
//!
//! The engine stays pure. When a decision needs something only GitHub knows — whether an
//! owner is a collaborator, which action items are open, whether an item's issue was already
//! opened, which of Firebreak's labels exist, a branch's commit, a file — the plan says so as
//! a [`Need`]; the gather step reads it into [`Facts`] and the engine decides again. Only reads
//! happen there: every write is in the plan.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use crate::event::Issue;
use crate::incident::ItemState;

/// Something the engine needs to know before it can decide.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Need {
    /// The repository permission of a login.
    Permission(String),
    /// Whether a login can be assigned issues here (collaborators, members of the owning
    /// organization): who may own an action item. On a public repository the permission
    /// endpoint answers `read` for every user, so it cannot tell.
    Assignable(String),
    /// The open action items.
    OpenItems,
    /// The issue an action item's command line already opened, if any: found by its marker
    /// among action items updated since `since` (a list call: search lags writes).
    Item { key: String, since: DateTime<Utc> },
    /// The names of the repository's labels.
    Labels,
    /// The repository's default branch (when the event did not say it).
    DefaultBranch,
    /// The commit a branch points to.
    Branch(String),
    /// A file on a branch.
    File { branch: String, path: String },
    /// Every comment of the issue: the sweep listed only recent ones ([`super::Listing`]).
    Comments,
    /// Whether a user (`login`) or team (`org/team`) a reminder mentions exists.
    Handle(String),
}

/// An issue opened for an action item.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ItemIssue {
    pub number: u64,
    /// The issue's `id` (what the sub-issues endpoint takes).
    pub id: u64,
    pub state: ItemState,
}

impl ItemIssue {
    pub fn of(issue: &Issue) -> ItemIssue {
        ItemIssue {
            number: issue.number,
            id: issue.id,
            state: if issue.state == "closed" {
                ItemState::Closed
            } else {
                ItemState::Open
            },
        }
    }
}

/// A file as read from a branch: its text and blob sha (to update it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileAt {
    pub text: String,
    pub sha: String,
}

/// What the gather step read for the engine.
#[derive(Debug, Clone, Default)]
pub struct Facts {
    /// Repository permission by login, lower case: `admin`, `maintain`, `write`, `triage`,
    /// `read` or `none` (not a collaborator).
    pub permissions: BTreeMap<String, String>,
    /// Whether a login can be assigned issues here, by login lower case.
    pub assignable: BTreeMap<String, bool>,
    /// The repository's open action items, once asked for.
    pub open_items: Option<Vec<Issue>>,
    /// Issues opened for action items, by key: `None` when looked up and not found.
    pub items: BTreeMap<String, Option<ItemIssue>>,
    /// Live states of action-item issues by number (the sweep reads them all at once).
    pub item_states: Option<BTreeMap<u64, ItemState>>,
    /// Team memberships, by (team, login lower case), read for the authors of the comments.
    pub teams: BTreeMap<(String, String), bool>,
    /// Names of the repository's labels, lower case, once asked for.
    pub labels: Option<BTreeSet<String>>,
    pub default_branch: Option<String>,
    /// Branch → the commit it points to (`None`: no such branch).
    pub branches: BTreeMap<String, Option<String>>,
    /// (branch, path) → the file (`None`: no such file).
    pub files: BTreeMap<(String, String), Option<FileAt>>,
    /// Users and teams a reminder mentions, lower case without `@`, once looked up: whether
    /// they exist (a team the token cannot see counts as missing).
    pub handles: BTreeMap<String, bool>,
    /// Keys of replies found posted on other issues (reminders on action items), among the
    /// comments the sweep listed: recorded, not posted again.
    pub posted: BTreeSet<String>,
}

impl Facts {
    /// The file at `path` on `branch`: `Err` with the need when it was not read yet.
    pub fn file(&self, branch: &str, path: &str) -> Result<Option<&FileAt>, Need> {
        match self.files.get(&(branch.to_string(), path.to_string())) {
            Some(found) => Ok(found.as_ref()),
            None => Err(Need::File {
                branch: branch.to_string(),
                path: path.to_string(),
            }),
        }
    }
}
