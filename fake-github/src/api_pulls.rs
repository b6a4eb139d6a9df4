//! Seeding and inspection helpers for branches and pull requests.

use serde_json::Value;

use super::pull_shapes;
use super::{FakeGitHub, IssueRef, PullView, ReviewView};

impl FakeGitHub {
    /// Create `branch` at the head of `from` (no-op if it exists). False when `from` is missing.
    pub fn create_branch(&self, repo: &str, branch: &str, from: &str) -> bool {
        self.lock().create_branch(repo, branch, from)
    }

    /// The head commit sha of a branch.
    pub fn branch_sha(&self, repo: &str, branch: &str) -> Option<String> {
        self.lock().repo(repo)?.branch_sha(branch).cloned()
    }

    /// Open a pull request from `head` into `base` as `author` (the head branch must differ from
    /// the base: write a file on it first). Panics on refusal (a test bug).
    #[allow(clippy::too_many_arguments)]
    pub fn create_pull(
        &self,
        repo: &str,
        author: &str,
        title: &str,
        body: &str,
        head: &str,
        base: &str,
        draft: bool,
    ) -> IssueRef {
        let (number, id) = self
            .lock()
            .open_pull(repo, author, title, Some(body), head, base, draft)
            .unwrap_or_else(|(status, m)| panic!("fake GitHub: create_pull: {status} {m}"));
        IssueRef { number, id }
    }

    /// Make pull request `number` come from a fork: its head branch lives in `fork`
    /// (`owner/name`, a repository added with `add_repo`).
    pub fn set_pull_head_repo(&self, repo: &str, number: u64, fork: &str) {
        let mut st = self.lock();
        if let Some(p) = st
            .repo_mut(repo)
            .and_then(|r| r.issues.get_mut(&number))
            .and_then(|i| i.pull.as_mut())
        {
            p.head_repo = Some(fork.to_string());
        }
    }

    /// Submit a review: `state` is "APPROVED", "CHANGES_REQUESTED" or "COMMENTED". Returns its id.
    /// Panics on refusal (a test bug).
    pub fn submit_review(
        &self,
        repo: &str,
        number: u64,
        reviewer: &str,
        state: &str,
        body: &str,
    ) -> u64 {
        self.lock()
            .review(repo, number, reviewer, state, body)
            .unwrap_or_else(|(status, m)| panic!("fake GitHub: submit_review: {status} {m}"))
    }

    /// Approve a pull request as `reviewer`; returns the review id.
    pub fn approve_pull(&self, repo: &str, number: u64, reviewer: &str) -> u64 {
        self.submit_review(repo, number, reviewer, "APPROVED", "")
    }

    /// Mark a draft pull request ready for review (GitHub does this through GraphQL).
    pub fn mark_ready(&self, repo: &str, number: u64) {
        let mut st = self.lock();
        if let Some(p) = st
            .repo_mut(repo)
            .and_then(|r| r.issues.get_mut(&number))
            .and_then(|i| i.pull.as_mut())
        {
            p.draft = false;
        }
    }

    /// Merge a pull request as `by`; returns the merge commit sha, or the refusal message.
    pub fn merge_pull(&self, repo: &str, number: u64, by: &str) -> Result<String, String> {
        self.lock()
            .merge_pull(repo, number, by, None, None)
            .map_err(|(status, m)| format!("{status} {m}"))
    }

    /// Close or reopen an issue or pull request as `by` (like a person in the web UI).
    pub fn set_issue_state(&self, repo: &str, number: u64, state: &str, by: &str) {
        let mut st = self.lock();
        st.ensure_user(by, None);
        let before = st.marks(repo, number);
        let now = st.now();
        if let Some(i) = st.repo_mut(repo).and_then(|r| r.issues.get_mut(&number)) {
            if state == "closed" && i.state != "closed" {
                i.state = "closed".into();
                i.closed_at = Some(now);
                i.closed_by = Some(by.to_string());
                i.state_reason = i.pull.is_none().then(|| "completed".to_string());
            } else if state == "open" && i.state != "open" {
                i.state = "open".into();
                i.closed_at = None;
                i.closed_by = None;
                i.state_reason = i.pull.is_none().then(|| "reopened".to_string());
            }
            i.updated_at = now;
        }
        if let Some(before) = before {
            st.record_changes(repo, number, by, &before);
        }
    }

    /// The pull request `number`.
    pub fn pull(&self, repo: &str, number: u64) -> Option<PullView> {
        let st = self.lock();
        let i = st.repo(repo)?.issues.get(&number)?;
        let p = i.pull.as_ref()?;
        Some(PullView {
            number,
            id: p.id,
            title: i.title.clone(),
            body: i.body.clone(),
            author: i.user.clone(),
            state: i.state.clone(),
            draft: p.draft,
            merged: p.merged_at.is_some(),
            head: p.head_ref.clone(),
            base: p.base_ref.clone(),
            reviews: p
                .reviews
                .iter()
                .map(|r| ReviewView {
                    id: r.id,
                    user: r.user.clone(),
                    state: r.state.clone(),
                    body: r.body.clone(),
                })
                .collect(),
        })
    }

    /// The pull request numbers of the repository, ascending.
    pub fn pull_numbers(&self, repo: &str) -> Vec<u64> {
        self.lock()
            .repo(repo)
            .map(|r| {
                r.issues
                    .values()
                    .filter(|i| i.pull.is_some())
                    .map(|i| i.number)
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Exactly what `GET /repos/{repo}/pulls/{number}` returns (`Null` if missing).
    pub fn pull_json(&self, repo: &str, number: u64) -> Value {
        let st = self.lock();
        st.repo(repo)
            .and_then(|r| {
                r.issues
                    .get(&number)
                    .filter(|i| i.pull.is_some())
                    .map(|i| pull_shapes::pull(&st, r, i, true))
            })
            .unwrap_or(Value::Null)
    }
}
