//! Every write Firebreak makes to GitHub, on [`Writer`]: the apply step
//! ([`crate::run::apply`]) is the only code that holds one, so a decision cannot write behind
//! the plan's back (an architecture test keeps it so).
//!
//! Creates are never retried blindly ([`Retry::Never`]): a repeat after an unknown outcome
//! would make a second issue or comment, so callers look for what they made (by its marker)
//! and decide. Absolute updates (PATCH, PUT of a label set member, DELETE) are safe to repeat.
//! Creates that find their object already there answer it as a value ([`Created::Existed`],
//! `None`), so a repeated run goes on instead of failing.

use http::{Method, StatusCode};
use serde_json::json;

use super::{Created, GitHub, GitHubError, Pull, Retry, segment};
use crate::engine::plan::{IssuePatch, LabelSpec, NewIssue};
use crate::event::{Comment, Issue};

/// Writes to GitHub. Only the apply step asks for one (`GitHub::writer`).
#[derive(Clone, Copy)]
pub struct Writer<'a>(&'a GitHub);

impl GitHub {
    /// The client's writing half. Only [`crate::run::apply`] calls this.
    pub(crate) fn writer(&self) -> Writer<'_> {
        Writer(self)
    }
}

impl<'a> Writer<'a> {
    /// The client (for writes defined beside their reads, as `github::board`'s).
    pub(super) fn client(&self) -> &'a GitHub {
        self.0
    }

    pub async fn update_issue(
        &self,
        number: u64,
        patch: &IssuePatch,
    ) -> Result<Issue, GitHubError> {
        let path = self.0.repo_path(&format!("/issues/{number}"));
        // Absolute values: repeating the PATCH is harmless.
        self.0
            .json(
                &format!("updating issue #{number}"),
                Method::PATCH,
                &path,
                Some(patch),
                Retry::Safe,
            )
            .await
    }

    /// Never retried: a repeat would post the comment twice. Callers mark their comments and
    /// look for the mark before posting again.
    pub async fn create_comment(&self, number: u64, body: &str) -> Result<Comment, GitHubError> {
        let path = self.0.repo_path(&format!("/issues/{number}/comments"));
        self.0
            .json(
                &format!("commenting on #{number}"),
                Method::POST,
                &path,
                Some(&json!({ "body": body })),
                Retry::Never,
            )
            .await
    }

    /// PATCH, as GitHub documents it (octocrab's `update_comment` sends POST).
    pub async fn update_comment(&self, id: u64, body: &str) -> Result<Comment, GitHubError> {
        let path = self.0.repo_path(&format!("/issues/comments/{id}"));
        self.0
            .json(
                &format!("updating comment {id}"),
                Method::PATCH,
                &path,
                Some(&json!({ "body": body })),
                Retry::Safe,
            )
            .await
    }

    /// Deletes a comment; one already gone is not an error.
    pub async fn delete_comment(&self, id: u64) -> Result<(), GitHubError> {
        let path = self.0.repo_path(&format!("/issues/comments/{id}"));
        match self
            .0
            .send::<()>(
                &format!("deleting comment {id}"),
                Method::DELETE,
                &path,
                None,
                Retry::Safe,
            )
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if e.is_not_found() => Ok(()),
            Err(e) => Err(e),
        }
    }

    /// Adds labels to an issue, keeping every label already there (POST, never PUT).
    pub async fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), GitHubError> {
        let path = self.0.repo_path(&format!("/issues/{number}/labels"));
        self.0
            .send(
                &format!("adding labels {} to #{number}", labels.join(", ")),
                Method::POST,
                &path,
                Some(&json!({ "labels": labels })),
                Retry::Safe,
            )
            .await
            .map(drop)
    }

    /// Removes one label; a label that is already gone is not an error.
    pub async fn remove_label(&self, number: u64, label: &str) -> Result<(), GitHubError> {
        let path = self
            .0
            .repo_path(&format!("/issues/{number}/labels/{}", segment(label)));
        match self
            .0
            .send::<()>(
                &format!("removing label {label} from #{number}"),
                Method::DELETE,
                &path,
                None,
                Retry::Safe,
            )
            .await
        {
            Err(e) if e.is_not_found() => Ok(()),
            other => other.map(drop),
        }
    }

    /// Creates a label; one that already exists (422) is fine.
    pub async fn create_label(&self, label: &LabelSpec) -> Result<(), GitHubError> {
        let path = self.0.repo_path("/labels");
        match self
            .0
            .send(
                &format!("creating label {}", label.name),
                Method::POST,
                &path,
                Some(label),
                Retry::Safe,
            )
            .await
        {
            Err(e) if e.status() == Some(http::StatusCode::UNPROCESSABLE_ENTITY) => Ok(()),
            other => other.map(drop),
        }
    }

    /// Updates a label's color and description (absolute values: safe to repeat).
    pub async fn update_label(&self, label: &LabelSpec) -> Result<(), GitHubError> {
        let path = self
            .0
            .repo_path(&format!("/labels/{}", segment(&label.name)));
        self.0
            .send(
                &format!("updating label {}", label.name),
                Method::PATCH,
                &path,
                Some(&json!({ "color": label.color, "description": label.description })),
                Retry::Safe,
            )
            .await
            .map(drop)
    }

    pub async fn add_assignees(&self, number: u64, logins: &[String]) -> Result<(), GitHubError> {
        let path = self.0.repo_path(&format!("/issues/{number}/assignees"));
        self.0
            .send(
                &format!("assigning {} to #{number}", logins.join(", ")),
                Method::POST,
                &path,
                Some(&json!({ "assignees": logins })),
                Retry::Safe,
            )
            .await
            .map(drop)
    }

    pub async fn remove_assignees(
        &self,
        number: u64,
        logins: &[String],
    ) -> Result<(), GitHubError> {
        let path = self.0.repo_path(&format!("/issues/{number}/assignees"));
        self.0
            .send(
                &format!("unassigning {} from #{number}", logins.join(", ")),
                Method::DELETE,
                &path,
                Some(&json!({ "assignees": logins })),
                Retry::Safe,
            )
            .await
            .map(drop)
    }

    /// Reacts to a comment; GitHub answers 200 for a reaction that already exists, so a
    /// repeat is harmless.
    pub async fn react_to_comment(
        &self,
        comment_id: u64,
        content: &str,
    ) -> Result<(), GitHubError> {
        let path = self
            .0
            .repo_path(&format!("/issues/comments/{comment_id}/reactions"));
        self.0
            .send(
                &format!("reacting to comment {comment_id}"),
                Method::POST,
                &path,
                Some(&json!({ "content": content })),
                Retry::Safe,
            )
            .await
            .map(drop)
    }

    /// Never retried blindly: see [`Retry::Never`].
    pub async fn create_issue(&self, issue: &NewIssue) -> Result<Issue, GitHubError> {
        let path = self.0.repo_path("/issues");
        self.0
            .json(
                &format!("opening issue \"{}\"", issue.title),
                Method::POST,
                &path,
                Some(issue),
                Retry::Never,
            )
            .await
    }

    /// Attach `child_id` (the issue's `id`, not its number) as a sub-issue of `parent`.
    pub async fn add_sub_issue(&self, parent: u64, child_id: u64) -> Result<(), GitHubError> {
        let path = self.0.repo_path(&format!("/issues/{parent}/sub_issues"));
        self.0
            .send(
                &format!("attaching sub-issue {child_id} to #{parent}"),
                Method::POST,
                &path,
                Some(&json!({ "sub_issue_id": child_id })),
                Retry::Never,
            )
            .await
            .map(drop)
    }
    /// Creates `branch` at `sha`; a branch that already exists is [`Created::Existed`].
    pub async fn create_branch(&self, branch: &str, sha: &str) -> Result<Created, GitHubError> {
        let path = self.0.repo_path("/git/refs");
        match self
            .0
            .send(
                &format!("creating branch {branch}"),
                Method::POST,
                &path,
                Some(&json!({ "ref": format!("refs/heads/{branch}"), "sha": sha })),
                Retry::Never,
            )
            .await
        {
            Ok(_) => Ok(Created::Created),
            Err(e) if e.status() == Some(StatusCode::UNPROCESSABLE_ENTITY) => Ok(Created::Existed),
            Err(e) => Err(e),
        }
    }

    /// Writes `text` to `path` on `branch`: creates it when `sha` is `None` (a file that
    /// already exists is [`Created::Existed`] and left alone), else updates the blob `sha`.
    pub async fn write_file(
        &self,
        path: &str,
        branch: &str,
        text: &str,
        message: &str,
        sha: Option<&str>,
    ) -> Result<Created, GitHubError> {
        use base64::Engine as _;
        let url = self.0.repo_path(&format!("/contents/{}", segment(path)));
        let mut body = json!({
            "message": message,
            "content": base64::engine::general_purpose::STANDARD.encode(text.as_bytes()),
            "branch": branch,
        });
        if let Some(sha) = sha {
            body["sha"] = sha.into();
        }
        match self
            .0
            .send(
                &format!("writing {path} on {branch}"),
                Method::PUT,
                &url,
                Some(&body),
                Retry::Never,
            )
            .await
        {
            Ok(_) => Ok(Created::Created),
            Err(e) if sha.is_none() && e.status() == Some(StatusCode::UNPROCESSABLE_ENTITY) => {
                Ok(Created::Existed)
            }
            Err(e) => Err(e),
        }
    }

    /// Opens a pull request; `None` when one is already open from `head` into `base` (422).
    pub async fn create_pull(
        &self,
        title: &str,
        head: &str,
        base: &str,
        body: &str,
        draft: bool,
    ) -> Result<Option<Pull>, GitHubError> {
        let path = self.0.repo_path("/pulls");
        match self
            .0
            .json(
                &format!("opening a pull request from {head}"),
                Method::POST,
                &path,
                Some(&json!({
                    "title": title,
                    "head": head,
                    "base": base,
                    "body": body,
                    "draft": draft,
                })),
                Retry::Never,
            )
            .await
        {
            Ok(pull) => Ok(Some(pull)),
            Err(e) if e.status() == Some(StatusCode::UNPROCESSABLE_ENTITY) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// Opens or closes a pull request (an absolute value: safe to repeat).
    pub async fn set_pull_state(&self, number: u64, state: &str) -> Result<(), GitHubError> {
        self.0
            .send(
                &format!("setting pull request #{number} {state}"),
                Method::PATCH,
                &self.0.repo_path(&format!("/pulls/{number}")),
                Some(&json!({ "state": state })),
                Retry::Safe,
            )
            .await
            .map(drop)
    }
}
