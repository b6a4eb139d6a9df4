//! A stateful in-memory GitHub, served over real HTTP.
//!
//! [`FakeGitHub`] answers the subset of GitHub's REST API that Firebreak uses, with the full response
//! shapes of GitHub's OpenAPI description, so Firebreak's real HTTP client can be pointed at it through
//! `GITHUB_API_URL` (GHES-style: the API root has no `/api/v3`). It is used by the tests and by
//! `firebreak demo`. Everything is keyed by repository, so many tests can share one instance, each on
//! its own repository.
//!
//! Seeding and inspection are synchronous (a `std::sync::Mutex` inside, never held across an await).
//!
//! Routes (GitHub's paths and methods; anything else is GitHub's 404, never 501):
//!
//! | what | routes |
//! |---|---|
//! | repository, users | `GET /repos/{o}/{r}`, `GET /users/{login}`, `GET /user` |
//! | issues | `GET, POST /repos/{o}/{r}/issues`, `GET, PATCH .../issues/{n}` |
//! | comments, timeline | `GET, POST .../issues/{n}/comments`, `GET .../issues/{n}/timeline` (comments and issue events: labels, assignees, state, title), `GET .../issues/comments`, `GET, PATCH, DELETE .../issues/comments/{id}` |
//! | labels | `GET, POST .../labels`, `GET, PATCH, DELETE .../labels/{name}`, `GET, POST, PUT, DELETE .../issues/{n}/labels`, `DELETE .../issues/{n}/labels/{name}` |
//! | assignees | `POST, DELETE .../issues/{n}/assignees`, `GET .../assignees/{login}` |
//! | reactions | `GET, POST .../issues/comments/{id}/reactions`, `GET, POST .../issues/{n}/reactions` |
//! | access | `GET .../collaborators/{login}/permission`, `GET .../collaborators/{login}`, `GET /orgs/{org}/members/{login}`, `GET /orgs/{org}/teams/{slug}`, `GET /orgs/{org}/teams/{slug}/memberships/{login}` |
//! | contents | `GET, PUT, DELETE .../contents/{path}` (`path` as several segments or one with `%2F`) |
//! | sub-issues | `GET, POST .../issues/{n}/sub_issues`, `DELETE .../issues/{n}/sub_issue`, `GET .../issues/{n}/parent` |
//! | git | `GET .../git/ref/{ref}`, `GET .../git/matching-refs/{ref}`, `POST .../git/refs`, `PATCH, DELETE .../git/refs/{ref}` |
//! | pulls | `GET, POST .../pulls`, `GET, PATCH .../pulls/{n}`, `GET, POST .../pulls/{n}/reviews`, `GET, PUT .../pulls/{n}/merge` |
//! | branches | `GET .../branches/{branch}`, `GET .../branches/{branch}/protection` (admins only) |
//! | Apps | `GET /app`, `GET /app/installations`, `POST /app/installations/{id}/access_tokens`, `GET /installation/repositories`, `GET /app/hook/deliveries`, `POST /app/hook/deliveries/{id}/attempts` |
//!
//! Writes need a token (`Authorization: Bearer <t>` or `token <t>`): one registered with
//! [`FakeGitHub::set_token`] acts as that user, an App's JWT as the App (its endpoints only), an
//! installation token as the App's bot within its installation's repositories (`apps`), any
//! other as `github-actions[bot]`. Every GET answered 200 carries an `ETag`; the same GET with
//! `If-None-Match` naming it answers `304 Not Modified`, which, as on GitHub, does not count
//! against the installation's rate limit (`x-ratelimit-*` headers count per installation).
//! [`FakeGitHub::deliver`] sends signed webhook deliveries to an App and logs them. Faults
//! ([`FakeGitHub::inject`]) and the request log ([`FakeGitHub::requests`]) cover every request.

mod api;
mod api_pulls;
mod apps;
mod faults;
mod graphql;
mod http_util;
mod ops;
pub mod payload;
mod pull_ops;
mod pull_shapes;
mod routes;
mod server;
mod shapes;
mod state;
mod webhooks;

pub use apps::AppSpec;
pub use faults::{Fault, FaultKind};
pub use graphql::ProjectItemView;
pub use state::{BranchProtection, RequestRecord, UserKind};
pub use webhooks::{Delivered, signature};

use std::sync::{Arc, Mutex, MutexGuard};

/// The fake GitHub: cheap to clone, every clone sees the same state.
#[derive(Clone)]
pub struct FakeGitHub {
    inner: Arc<Inner>,
}

struct Inner {
    state: Mutex<state::State>,
    /// "http://127.0.0.1:PORT"
    url: String,
}

/// A seeded repository.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RepoHandle {
    /// "owner/name"
    pub full_name: String,
    pub owner: String,
    pub name: String,
    pub id: u64,
}

/// An issue (or pull request) created by a seeding helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IssueRef {
    pub number: u64,
    pub id: u64,
}

/// A comment created by a seeding helper.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CommentRef {
    pub id: u64,
}

/// An issue as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct IssueView {
    pub number: u64,
    pub id: u64,
    pub node_id: String,
    pub title: String,
    pub body: Option<String>,
    /// "open" | "closed"
    pub state: String,
    pub state_reason: Option<String>,
    /// Label names, in the order they were added.
    pub labels: Vec<String>,
    /// Assignee logins.
    pub assignees: Vec<String>,
    /// Login of the author.
    pub author: String,
    /// Number of comments.
    pub comments: usize,
    pub is_pull_request: bool,
    /// Number of the parent issue, when this is a sub-issue.
    pub parent: Option<u64>,
    /// Numbers of the sub-issues.
    pub sub_issues: Vec<u64>,
}

/// A reaction as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReactionView {
    /// "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket" or "eyes"
    pub content: String,
    /// Login of the user who reacted.
    pub user: String,
}

/// An issue comment as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CommentView {
    pub id: u64,
    pub author: String,
    pub body: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
    pub reactions: Vec<ReactionView>,
}

/// A repository label as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LabelView {
    pub name: String,
    pub color: String,
    pub description: Option<String>,
}

/// A pull request review as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReviewView {
    pub id: u64,
    pub user: String,
    /// "APPROVED" | "CHANGES_REQUESTED" | "COMMENTED"
    pub state: String,
    pub body: String,
}

/// A pull request as stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PullView {
    pub number: u64,
    pub id: u64,
    pub title: String,
    pub body: Option<String>,
    pub author: String,
    /// "open" | "closed"
    pub state: String,
    pub draft: bool,
    pub merged: bool,
    pub head: String,
    pub base: String,
    pub reviews: Vec<ReviewView>,
}

impl FakeGitHub {
    fn new(url: String) -> FakeGitHub {
        let mut st = state::State::new();
        st.server_url = url.clone();
        st.html_url = url.clone();
        FakeGitHub {
            inner: Arc::new(Inner {
                state: Mutex::new(st),
                url,
            }),
        }
    }

    /// Lock the state; a poisoned lock (a panic elsewhere) is still usable.
    pub(crate) fn lock(&self) -> MutexGuard<'_, state::State> {
        self.inner
            .state
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }

    /// The API root: "http://127.0.0.1:PORT" (GHES-style, no `/api/v3`).
    pub fn url(&self) -> String {
        self.inner.url.clone()
    }

    /// `url()` + "/graphql".
    pub fn graphql_url(&self) -> String {
        format!("{}/graphql", self.inner.url)
    }

    /// The host used in `html_url`s (default: the API root).
    pub fn html_url(&self) -> String {
        self.lock().html_url.clone()
    }

    /// Build `Link` header URLs on `url` (e.g. a validating proxy in front of the fake, which
    /// rewrites `Host`) instead of the request's `Host`. `None` goes back to `Host`.
    pub fn set_link_base(&self, url: Option<&str>) {
        self.lock().link_base = url.map(|u| u.trim_end_matches('/').to_string());
    }

    /// Change the host used in `html_url`s, e.g. "https://github.com".
    pub fn set_html_url(&self, url: &str) {
        self.lock().html_url = url.trim_end_matches('/').to_string();
    }
}
