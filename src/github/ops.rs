//! Named GitHub operations: one function per REST call Firebreak makes, each with its retry
//! class decided here, once.

use http::Method;
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::{Deserialize, Serialize};
use serde_json::json;

use super::{GitHub, GitHubError, Retry};
use crate::event::{Comment, Issue};

/// Characters kept as-is in a path segment (label names carry `:` and spaces).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// Fields of an issue update; `None` leaves the field as it is.
#[derive(Debug, Default, Clone, Serialize, PartialEq, Eq)]
pub struct IssuePatch {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub body: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state: Option<String>,
    /// `completed`, `not_planned`, `duplicate` or `reopened`; only with a state change.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub state_reason: Option<String>,
}

impl IssuePatch {
    pub fn is_empty(&self) -> bool {
        self == &IssuePatch::default()
    }
}

/// A label definition.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct LabelSpec {
    pub name: String,
    pub color: String,
    #[serde(default)]
    pub description: Option<String>,
}

/// A new issue.
#[derive(Debug, Clone, Serialize, PartialEq, Eq)]
pub struct NewIssue {
    pub title: String,
    pub body: String,
    pub labels: Vec<String>,
    pub assignees: Vec<String>,
}

#[derive(Deserialize)]
struct Permission {
    permission: String,
}

impl GitHub {
    pub async fn get_issue(&self, number: u64) -> Result<Issue, GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}"));
        self.json(
            &format!("reading issue #{number}"),
            Method::GET,
            &path,
            None::<&()>,
            Retry::Safe,
        )
        .await
    }

    /// Every comment of an issue, oldest first, 100 a page.
    pub async fn list_comments(&self, number: u64) -> Result<Vec<Comment>, GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}/comments?per_page=100"));
        self.paginate(&format!("listing comments of #{number}"), &path)
            .await
    }

    pub async fn update_issue(
        &self,
        number: u64,
        patch: &IssuePatch,
    ) -> Result<Issue, GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}"));
        // Absolute values: repeating the PATCH is harmless.
        self.json(
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
        let path = self.repo_path(&format!("/issues/{number}/comments"));
        self.json(
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
        let path = self.repo_path(&format!("/issues/comments/{id}"));
        self.json(
            &format!("updating comment {id}"),
            Method::PATCH,
            &path,
            Some(&json!({ "body": body })),
            Retry::Safe,
        )
        .await
    }

    /// Adds labels to an issue, keeping every label already there (POST, never PUT).
    pub async fn add_labels(&self, number: u64, labels: &[String]) -> Result<(), GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}/labels"));
        self.send(
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
        let path = self.repo_path(&format!("/issues/{number}/labels/{}", segment(label)));
        match self
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

    /// Every label of the repository.
    pub async fn list_labels(&self) -> Result<Vec<LabelSpec>, GitHubError> {
        let path = self.repo_path("/labels?per_page=100");
        self.paginate("listing labels", &path).await
    }

    /// Creates a label; one that already exists (422) is fine.
    pub async fn create_label(&self, label: &LabelSpec) -> Result<(), GitHubError> {
        let path = self.repo_path("/labels");
        match self
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

    pub async fn add_assignees(&self, number: u64, logins: &[String]) -> Result<(), GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}/assignees"));
        self.send(
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
        let path = self.repo_path(&format!("/issues/{number}/assignees"));
        self.send(
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
        let path = self.repo_path(&format!("/issues/comments/{comment_id}/reactions"));
        self.send(
            &format!("reacting to comment {comment_id}"),
            Method::POST,
            &path,
            Some(&json!({ "content": content })),
            Retry::Safe,
        )
        .await
        .map(drop)
    }

    /// A collaborator's permission (`admin`, `write`, `read`, `none`), read as raw JSON because
    /// octocrab's model cannot parse GitHub's real values. Not a collaborator → `none`.
    pub async fn permission(&self, login: &str) -> Result<String, GitHubError> {
        let path = self.repo_path(&format!("/collaborators/{}/permission", segment(login)));
        match self
            .json::<Permission, ()>(
                &format!("reading the permission of @{login}"),
                Method::GET,
                &path,
                None,
                Retry::Safe,
            )
            .await
        {
            Ok(p) => Ok(p.permission),
            Err(e) if e.is_not_found() => Ok("none".into()),
            Err(e) => Err(e),
        }
    }

    /// Whether `login` is an active member of `org/team`.
    pub async fn is_team_member(&self, team: &str, login: &str) -> Result<bool, GitHubError> {
        let Some((org, slug)) = team.split_once('/') else {
            return Ok(false);
        };
        let path = format!(
            "/orgs/{}/teams/{}/memberships/{}",
            segment(org),
            segment(slug),
            segment(login)
        );
        #[derive(Deserialize)]
        struct Membership {
            state: String,
        }
        match self
            .json::<Membership, ()>(
                &format!("checking @{login} in team {team}"),
                Method::GET,
                &path,
                None,
                Retry::Safe,
            )
            .await
        {
            Ok(m) => Ok(m.state == "active"),
            Err(e) if e.is_not_found() => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// A file's text at `git_ref` (default branch when `None`); `None` when absent.
    pub async fn file(
        &self,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<String>, GitHubError> {
        Ok(self.read_blob(path, git_ref).await?.map(|blob| blob.text))
    }

    /// Never retried blindly: see [`Retry::Never`].
    pub async fn create_issue(&self, issue: &NewIssue) -> Result<Issue, GitHubError> {
        let path = self.repo_path("/issues");
        self.json(
            &format!("opening issue \"{}\"", issue.title),
            Method::POST,
            &path,
            Some(issue),
            Retry::Never,
        )
        .await
    }

    /// Issues (not pull requests) with all of `labels`, in `state` (`open`, `closed`, `all`).
    pub async fn list_issues(&self, labels: &str, state: &str) -> Result<Vec<Issue>, GitHubError> {
        let path = self.repo_path(&format!(
            "/issues?state={state}&labels={}&per_page=100",
            segment(labels)
        ));
        let all: Vec<Issue> = self
            .paginate(&format!("listing {state} issues labeled {labels}"), &path)
            .await?;
        Ok(all
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .collect())
    }

    /// Like [`GitHub::list_issues`], only issues updated at or after `since`.
    pub async fn list_issues_since(
        &self,
        labels: &str,
        state: &str,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<Issue>, GitHubError> {
        let since = since.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
        let path = self.repo_path(&format!(
            "/issues?state={state}&labels={}&since={}&per_page=100",
            segment(labels),
            segment(&since)
        ));
        let all: Vec<Issue> = self
            .paginate(
                &format!("listing {state} issues labeled {labels} updated since {since}"),
                &path,
            )
            .await?;
        Ok(all
            .into_iter()
            .filter(|i| i.pull_request.is_none())
            .collect())
    }

    /// Attach `child_id` (the issue's `id`, not its number) as a sub-issue of `parent`.
    pub async fn add_sub_issue(&self, parent: u64, child_id: u64) -> Result<(), GitHubError> {
        let path = self.repo_path(&format!("/issues/{parent}/sub_issues"));
        self.send(
            &format!("attaching sub-issue {child_id} to #{parent}"),
            Method::POST,
            &path,
            Some(&json!({ "sub_issue_id": child_id })),
            Retry::Never,
        )
        .await
        .map(drop)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn label_names_are_encoded_as_one_segment() {
        assert_eq!(segment("status:investigating"), "status%3Ainvestigating");
        assert_eq!(segment("good first issue"), "good%20first%20issue");
    }
}
