//! The in-memory GitHub: plain data behind one `std::sync::Mutex`, never held across an await.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::{DateTime, SecondsFormat, Utc};
use serde_json::Value;

use super::faults::Fault;

/// What kind of account a login is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserKind {
    User,
    Bot,
    Organization,
}

impl UserKind {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            UserKind::User => "User",
            UserKind::Bot => "Bot",
            UserKind::Organization => "Organization",
        }
    }
}

/// One request as the fake saw it, with the status it actually answered.
#[derive(Debug, Clone, PartialEq)]
pub struct RequestRecord {
    pub method: http::Method,
    /// Raw path (still percent-encoded), without the query string.
    pub path: String,
    /// Raw query string, without the `?` (empty when none).
    pub query: String,
    pub status: u16,
    /// The request body parsed as JSON, or `Null` when empty or not JSON.
    pub body: Value,
}

#[derive(Debug, Clone)]
pub(crate) struct User {
    pub id: u64,
    pub login: String,
    pub kind: UserKind,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Label {
    pub id: u64,
    pub name: String,
    pub color: String,
    pub description: Option<String>,
    pub default: bool,
}

#[derive(Debug, Clone)]
pub(crate) struct Reaction {
    pub id: u64,
    pub user: String,
    pub content: String,
    pub created_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Comment {
    pub id: u64,
    pub issue: u64,
    pub user: String,
    pub body: String,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub reactions: Vec<Reaction>,
}

#[derive(Debug, Clone)]
pub(crate) struct Review {
    pub id: u64,
    pub user: String,
    pub body: String,
    /// APPROVED | CHANGES_REQUESTED | COMMENTED | PENDING | DISMISSED
    pub state: String,
    pub commit_id: String,
    pub submitted_at: DateTime<Utc>,
}

#[derive(Debug, Clone)]
pub(crate) struct Pull {
    /// The pull request's own id (distinct from the issue id, like GitHub).
    pub id: u64,
    pub head_ref: String,
    /// Last known head sha (kept when the head branch is deleted).
    pub head_sha: String,
    /// Base sha when the pull request was opened (the merge base).
    pub base_sha: String,
    pub maintainer_can_modify: bool,
    pub base_ref: String,
    pub draft: bool,
    pub merged_at: Option<DateTime<Utc>>,
    pub merged_by: Option<String>,
    pub merge_commit_sha: Option<String>,
    pub reviews: Vec<Review>,
    /// The repository the head branch lives in, when it is a fork (`owner/name`).
    pub head_repo: Option<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Issue {
    pub id: u64,
    pub number: u64,
    pub title: String,
    pub body: Option<String>,
    pub user: String,
    pub state: String,
    pub state_reason: Option<String>,
    /// Label ids, in the order they were added.
    pub labels: Vec<u64>,
    pub assignees: Vec<String>,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    /// When the body was last edited (GraphQL's `lastEditedAt`); `None` when never.
    pub edited_at: Option<DateTime<Utc>>,
    pub closed_at: Option<DateTime<Utc>>,
    pub closed_by: Option<String>,
    pub locked: bool,
    pub reactions: Vec<Reaction>,
    pub pull: Option<Pull>,
    /// Number of the parent issue (same repository).
    pub parent: Option<u64>,
    /// Numbers of the sub-issues, in the order they were added.
    pub sub_issues: Vec<u64>,
    /// What people and apps did to the issue (labels, assignees, state, title), oldest first:
    /// the issue's timeline, with its comments.
    pub events: Vec<IssueEvent>,
}

/// One issue event, as `GET .../issues/{n}/timeline` shows it.
#[derive(Debug, Clone)]
pub(crate) struct IssueEvent {
    pub id: u64,
    pub actor: String,
    pub at: DateTime<Utc>,
    pub kind: EventKind,
}

#[derive(Debug, Clone)]
pub(crate) enum EventKind {
    Labeled { name: String, color: String },
    Unlabeled { name: String, color: String },
    Assigned(String),
    Unassigned(String),
    Closed { reason: Option<String> },
    Reopened,
    Renamed { from: String, to: String },
}

impl EventKind {
    /// The `event` field.
    pub fn name(&self) -> &'static str {
        match self {
            EventKind::Labeled { .. } => "labeled",
            EventKind::Unlabeled { .. } => "unlabeled",
            EventKind::Assigned(_) => "assigned",
            EventKind::Unassigned(_) => "unassigned",
            EventKind::Closed { .. } => "closed",
            EventKind::Reopened => "reopened",
            EventKind::Renamed { .. } => "renamed",
        }
    }
}

#[derive(Debug, Clone)]
pub(crate) struct Commit {
    pub message: String,
    pub parent: Option<String>,
    pub author: String,
    pub date: DateTime<Utc>,
    pub tree_sha: String,
    /// The complete file set at this commit: path -> content.
    pub files: BTreeMap<String, String>,
}

#[derive(Debug, Clone)]
pub(crate) struct Repo {
    pub id: u64,
    pub owner: String,
    pub name: String,
    pub default_branch: String,
    pub private: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
    pub pushed_at: DateTime<Utc>,
    /// login (lowercase) -> "admin" | "maintain" | "write" | "triage" | "read" | "none"
    pub permissions: HashMap<String, String>,
    pub labels: Vec<Label>,
    pub issues: BTreeMap<u64, Issue>,
    pub next_number: u64,
    pub comments: BTreeMap<u64, Comment>,
    /// Full ref name ("refs/heads/main") -> commit sha.
    pub refs: BTreeMap<String, String>,
    pub commits: HashMap<String, Commit>,
    /// Branch name -> its protection rules (absent: unprotected).
    pub protection: BTreeMap<String, BranchProtection>,
}

/// Branch protection rules, as far as the fake models them.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BranchProtection {
    /// Pull requests with this many approving reviews are required (`None`: no reviews rule).
    pub required_approving_reviews: Option<u32>,
    /// Status checks that must pass before merging.
    pub required_status_checks: Vec<String>,
    /// The rules apply to administrators too.
    pub enforce_admins: bool,
    /// The branch is read-only.
    pub lock_branch: bool,
}

impl Repo {
    pub fn full_name(&self) -> String {
        format!("{}/{}", self.owner, self.name)
    }

    pub fn label_by_name(&self, name: &str) -> Option<&Label> {
        self.labels.iter().find(|l| {
            l.name.eq_ignore_ascii_case(name) || l.name.to_lowercase() == name.to_lowercase()
        })
    }

    pub fn label_by_id(&self, id: u64) -> Option<&Label> {
        self.labels.iter().find(|l| l.id == id)
    }

    pub fn comment_count(&self, number: u64) -> usize {
        self.comments.values().filter(|c| c.issue == number).count()
    }

    pub fn branch_sha(&self, branch: &str) -> Option<&String> {
        self.refs.get(&format!("refs/heads/{branch}"))
    }

    pub fn branch_files(&self, branch: &str) -> Option<&BTreeMap<String, String>> {
        let sha = self.branch_sha(branch)?;
        self.commits.get(sha).map(|c| &c.files)
    }
}

pub(crate) struct State {
    /// "http://127.0.0.1:PORT": the API root.
    pub server_url: String,
    /// Host of `html_url`s (default: the API root).
    pub html_url: String,
    /// Origin of `Link` header URLs instead of the request's `Host` (e.g. a proxy's URL).
    pub link_base: Option<String>,
    pub now_override: Option<DateTime<Utc>>,
    pub next_id: u64,
    pub users: BTreeMap<String, User>,
    pub tokens: HashMap<String, String>,
    /// Token -> the OAuth scopes GitHub reports for it in `x-oauth-scopes` (classic tokens).
    pub token_scopes: HashMap<String, Vec<String>>,
    pub repos: BTreeMap<String, Repo>,
    /// (org lowercase, login lowercase)
    pub org_members: BTreeSet<(String, String)>,
    /// (org lowercase, team slug lowercase) -> logins lowercase
    pub teams: BTreeMap<(String, String), BTreeSet<String>>,
    pub requests: Vec<RequestRecord>,
    pub faults: Vec<Fault>,
    pub seq: u64,
    /// GitHub Apps, their installations and tokens.
    pub apps: super::apps::Apps,
    /// Webhook delivery attempts, oldest first.
    pub deliveries: Vec<super::webhooks::DeliveryRecord>,
    /// Redeliveries asked for and not yet sent.
    pub outbox: Vec<super::webhooks::Outgoing>,
    /// The GraphQL rate-limit budget.
    pub graphql: super::graphql::Budget,
    /// Projects (v2).
    pub projects: super::graphql::projects::Projects,
}

pub(crate) const BOT_LOGIN: &str = "github-actions[bot]";

impl State {
    pub fn new() -> State {
        State {
            server_url: String::new(),
            html_url: String::new(),
            link_base: None,
            now_override: None,
            next_id: 1000,
            users: BTreeMap::new(),
            tokens: HashMap::new(),
            token_scopes: HashMap::new(),
            repos: BTreeMap::new(),
            org_members: BTreeSet::new(),
            teams: BTreeMap::new(),
            requests: Vec::new(),
            faults: Vec::new(),
            seq: 0,
            apps: Default::default(),
            deliveries: Vec::new(),
            outbox: Vec::new(),
            graphql: Default::default(),
            projects: Default::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        let t = self.now_override.unwrap_or_else(Utc::now);
        // GitHub's timestamps have whole seconds.
        DateTime::from_timestamp(t.timestamp(), 0).unwrap_or(t)
    }

    pub fn id(&mut self) -> u64 {
        self.next_id += 1;
        self.next_id
    }

    /// A fresh 40-hex sha, deterministic in the state's sequence and the given seed.
    pub fn sha(&mut self, seed: &str) -> String {
        self.seq += 1;
        hex_sha(&format!("{}\0{seed}", self.seq))
    }

    pub fn user(&self, login: &str) -> Option<&User> {
        self.users.get(&login.to_lowercase())
    }

    /// The user with this login, created (as a User, or a Bot for `[bot]` logins) if missing.
    pub fn ensure_user(&mut self, login: &str, kind: Option<UserKind>) -> u64 {
        let key = login.to_lowercase();
        if let Some(u) = self.users.get_mut(&key) {
            if let Some(k) = kind {
                u.kind = k;
            }
            return u.id;
        }
        let kind = kind.unwrap_or(if login.ends_with("[bot]") {
            UserKind::Bot
        } else {
            UserKind::User
        });
        let id = self.id();
        let created_at = self.now();
        self.users.insert(
            key,
            User {
                id,
                login: login.to_string(),
                kind,
                created_at,
            },
        );
        id
    }

    pub fn repo(&self, full_name: &str) -> Option<&Repo> {
        self.repos.get(&full_name.to_lowercase())
    }

    pub fn repo_mut(&mut self, full_name: &str) -> Option<&mut Repo> {
        self.repos.get_mut(&full_name.to_lowercase())
    }

    /// The repository, created (with its owner and an initial commit on `main`) if missing.
    pub fn ensure_repo(&mut self, full_name: &str) -> &mut Repo {
        let key = full_name.to_lowercase();
        if !self.repos.contains_key(&key) {
            let (owner, name) = full_name.split_once('/').unwrap_or((full_name, full_name));
            self.ensure_user(owner, None);
            let id = self.id();
            let now = self.now();
            let sha = self.sha(full_name);
            let tree_sha = self.sha("tree");
            let mut repo = Repo {
                id,
                owner: owner.to_string(),
                name: name.to_string(),
                default_branch: "main".to_string(),
                private: false,
                created_at: now,
                updated_at: now,
                pushed_at: now,
                permissions: HashMap::new(),
                labels: Vec::new(),
                issues: BTreeMap::new(),
                next_number: 1,
                comments: BTreeMap::new(),
                refs: BTreeMap::new(),
                commits: HashMap::new(),
                protection: BTreeMap::new(),
            };
            repo.commits.insert(
                sha.clone(),
                Commit {
                    message: "Initial commit".to_string(),
                    parent: None,
                    author: owner.to_string(),
                    date: now,
                    tree_sha,
                    files: BTreeMap::new(),
                },
            );
            repo.refs.insert("refs/heads/main".to_string(), sha);
            self.repos.insert(key.clone(), repo);
        }
        self.repos.get_mut(&key).expect("inserted above")
    }

    /// Whether `login` is a member of organization `org`.
    pub fn is_org_member(&self, org: &str, login: &str) -> bool {
        self.org_members
            .contains(&(org.to_lowercase(), login.to_lowercase()))
    }

    /// The fine-grained role of `login` on the repository: an explicit permission wins; the owner
    /// of a user repository is admin; members of the owning organization get the base role
    /// "read"; bots (App and Actions tokens) "write".
    pub fn role(&self, repo: &Repo, login: &str) -> String {
        if let Some(p) = repo.permissions.get(&login.to_lowercase()) {
            return p.clone();
        }
        if repo.owner.eq_ignore_ascii_case(login) {
            return "admin".to_string();
        }
        if self.is_org_member(&repo.owner, login) {
            return "read".to_string();
        }
        // An App or Actions token is installed on the repository: it can write.
        if self.user(login).is_some_and(|u| u.kind == UserKind::Bot) {
            return "write".to_string();
        }
        "none".to_string()
    }

    /// Can `login` be assigned (GitHub: people with triage or more, members of the owning
    /// organization, and anyone who commented on the issue)?
    pub fn assignable(&self, repo: &Repo, login: &str, issue: Option<u64>) -> bool {
        let Some(user) = self.user(login) else {
            return false;
        };
        if user.kind != UserKind::User {
            return false;
        }
        matches!(
            self.role(repo, login).as_str(),
            "admin" | "maintain" | "write" | "triage"
        ) || self.is_org_member(&repo.owner, login)
            || issue.is_some_and(|n| {
                repo.comments
                    .values()
                    .any(|c| c.issue == n && c.user.eq_ignore_ascii_case(login))
                    || repo
                        .issues
                        .get(&n)
                        .is_some_and(|i| i.user.eq_ignore_ascii_case(login))
            })
    }

    /// OWNER, MEMBER, COLLABORATOR or NONE for `login` on the repository.
    pub fn author_association(&self, repo: &Repo, login: &str) -> &'static str {
        if repo.owner.eq_ignore_ascii_case(login) {
            return "OWNER";
        }
        if self.is_org_member(&repo.owner, login) {
            return "MEMBER";
        }
        match repo
            .permissions
            .get(&login.to_lowercase())
            .map(String::as_str)
        {
            Some("admin" | "maintain" | "write" | "triage" | "read") => "COLLABORATOR",
            _ => "NONE",
        }
    }
}

/// RFC 3339 with a `Z` and whole seconds, as GitHub writes timestamps.
pub(crate) fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

/// 40 lowercase hex digits derived from `input` (SHA-256, truncated: content-addressed like git).
pub(crate) fn hex_sha(input: &str) -> String {
    use sha2::{Digest, Sha256};
    let digest = Sha256::digest(input.as_bytes());
    let mut s = hex::encode(digest);
    s.truncate(40);
    s
}
