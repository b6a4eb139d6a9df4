//! Pull request mutations shared by the routes and the seeding API.

use super::state::{Commit, Pull, Review, State};

/// Why a pull request operation was refused: (status, message).
pub(crate) type Refusal = (u16, String);

fn refuse<T>(status: u16, message: impl Into<String>) -> Result<T, Refusal> {
    Err((status, message.into()))
}

impl State {
    /// Open a pull request from `head` into `base`; returns (number, issue id).
    #[allow(clippy::too_many_arguments)]
    pub fn open_pull(
        &mut self,
        repo: &str,
        author: &str,
        title: &str,
        body: Option<&str>,
        head: &str,
        base: &str,
        draft: bool,
    ) -> Result<(u64, u64), Refusal> {
        let Some(r) = self.repo(repo) else {
            return refuse(404, "Not Found");
        };
        let head = head.rsplit(':').next().unwrap_or(head).to_string();
        let Some(head_sha) = r.branch_sha(&head).cloned() else {
            return refuse(422, format!("head: {head} does not exist"));
        };
        let Some(base_sha) = r.branch_sha(base).cloned() else {
            return refuse(422, format!("base: {base} does not exist"));
        };
        if head_sha == base_sha {
            return refuse(422, format!("No commits between {base} and {head}"));
        }
        if r.issues.values().any(|i| {
            i.state == "open"
                && i.pull
                    .as_ref()
                    .is_some_and(|p| p.head_ref == head && p.base_ref == base)
        }) {
            return refuse(
                422,
                format!("A pull request already exists for {}:{head}.", r.owner),
            );
        }
        let pull_id = self.id();
        let (number, id) = self
            .new_issue(repo, author, title, body, &[], &[])
            .ok_or((404, "Not Found".to_string()))?;
        if let Some(i) = self.repo_mut(repo).and_then(|r| r.issues.get_mut(&number)) {
            i.pull = Some(Pull {
                id: pull_id,
                head_ref: head,
                head_sha,
                base_sha,
                base_ref: base.to_string(),
                maintainer_can_modify: true,
                draft,
                merged_at: None,
                merged_by: None,
                merge_commit_sha: None,
                reviews: Vec::new(),
                head_repo: None,
            });
        }
        Ok((number, id))
    }

    /// The current head sha of a pull request.
    pub fn pull_head_sha(&self, repo: &str, number: u64) -> Option<String> {
        let r = self.repo(repo)?;
        let p = r.issues.get(&number)?.pull.as_ref()?;
        Some(
            r.branch_sha(&p.head_ref)
                .cloned()
                .filter(|_| p.merged_at.is_none())
                .unwrap_or_else(|| p.head_sha.clone()),
        )
    }

    /// Submit a review ("APPROVED", "CHANGES_REQUESTED", "COMMENTED" or "PENDING"); returns its id.
    pub fn review(
        &mut self,
        repo: &str,
        number: u64,
        reviewer: &str,
        state: &str,
        body: &str,
    ) -> Result<u64, Refusal> {
        let Some(sha) = self.pull_head_sha(repo, number) else {
            return refuse(404, "Not Found");
        };
        let issue = &self
            .repo(repo)
            .and_then(|r| r.issues.get(&number))
            .expect("found above");
        if issue.user.eq_ignore_ascii_case(reviewer) && state != "COMMENTED" && state != "PENDING" {
            let what = if state == "APPROVED" {
                "approve"
            } else {
                "request changes on"
            };
            return refuse(422, format!("Review Can not {what} your own pull request"));
        }
        self.ensure_user(reviewer, None);
        let id = self.id();
        let now = self.now();
        let issue = self
            .repo_mut(repo)
            .and_then(|r| r.issues.get_mut(&number))
            .expect("found above");
        if let Some(p) = issue.pull.as_mut() {
            p.reviews.push(Review {
                id,
                user: reviewer.to_string(),
                body: body.to_string(),
                state: state.to_string(),
                commit_id: sha,
                submitted_at: now,
            });
        }
        issue.updated_at = now;
        Ok(id)
    }

    /// Merge a pull request into its base; returns the merge commit sha.
    pub fn merge_pull(
        &mut self,
        repo: &str,
        number: u64,
        by: &str,
        expected_sha: Option<&str>,
        message: Option<&str>,
    ) -> Result<String, Refusal> {
        let Some(head_sha) = self.pull_head_sha(repo, number) else {
            return refuse(404, "Not Found");
        };
        let r = self.repo(repo).expect("found above");
        let issue = r.issues.get(&number).expect("found above");
        let pull = issue.pull.as_ref().expect("found above");
        if pull.merged_at.is_some() || issue.state != "open" {
            return refuse(405, "Pull Request is not mergeable");
        }
        if pull.draft {
            return refuse(405, "Pull Request is still a draft");
        }
        if expected_sha.is_some_and(|s| s != head_sha) {
            return refuse(
                409,
                "Head branch was modified. Review and try the merge again.",
            );
        }
        let Some(base_sha) = r.branch_sha(&pull.base_ref).cloned() else {
            return refuse(422, "Base branch does not exist");
        };
        let base_ref = pull.base_ref.clone();
        let title = issue.title.clone();
        let mut files = r
            .commits
            .get(&base_sha)
            .map(|c| c.files.clone())
            .unwrap_or_default();
        let head_files = r
            .commits
            .get(&head_sha)
            .map(|c| c.files.clone())
            .unwrap_or_default();
        let merge_base = r
            .commits
            .get(&pull.base_sha)
            .map(|c| c.files.clone())
            .unwrap_or_default();
        // Apply what the head changed since the merge base.
        for (path, content) in &head_files {
            if merge_base.get(path) != Some(content) {
                files.insert(path.clone(), content.clone());
            }
        }
        for path in merge_base.keys() {
            if !head_files.contains_key(path) {
                files.remove(path);
            }
        }
        let sha = self.sha(&format!("merge {repo} {number}"));
        let tree_sha = self.sha("tree");
        let now = self.now();
        self.ensure_user(by, None);
        let r = self.repo_mut(repo).expect("found above");
        r.commits.insert(
            sha.clone(),
            Commit {
                message: message
                    .map(str::to_string)
                    .unwrap_or_else(|| format!("Merge pull request #{number}\n\n{title}")),
                parent: Some(base_sha),
                author: by.to_string(),
                date: now,
                tree_sha,
                files,
            },
        );
        r.refs.insert(format!("refs/heads/{base_ref}"), sha.clone());
        r.pushed_at = now;
        let issue = r.issues.get_mut(&number).expect("found above");
        issue.state = "closed".into();
        issue.state_reason = None;
        issue.closed_at = Some(now);
        issue.closed_by = Some(by.to_string());
        issue.updated_at = now;
        if let Some(p) = issue.pull.as_mut() {
            p.head_sha = head_sha;
            p.merged_at = Some(now);
            p.merged_by = Some(by.to_string());
            p.merge_commit_sha = Some(sha.clone());
        }
        Ok(sha)
    }

    /// Create a branch at the head of `from` (no-op if it exists); false when `from` is missing.
    pub fn create_branch(&mut self, repo: &str, branch: &str, from: &str) -> bool {
        let Some(r) = self.repo_mut(repo) else {
            return false;
        };
        let Some(sha) = r.branch_sha(from).cloned() else {
            return false;
        };
        r.refs.entry(format!("refs/heads/{branch}")).or_insert(sha);
        true
    }
}
