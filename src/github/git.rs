//! Git refs, file contents with their blob sha, pull requests and reviews: what postmortems
//! need. Creates are never retried blindly ([`Retry::Never`]); each answers "it already exists"
//! as a value, so a repeated run finds what an earlier one made instead of failing or making a
//! second one.

use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;

use super::{GitHub, GitHubError, OrMissing, Retry, segment};
use crate::event::User;

#[derive(Debug, Clone, Deserialize)]
struct GitRef {
    object: GitObject,
}

#[derive(Debug, Clone, Deserialize)]
struct GitObject {
    sha: String,
}

/// One side (head or base) of a pull request.
#[derive(Debug, Clone, Deserialize)]
pub struct PullSide {
    #[serde(rename = "ref")]
    pub branch: String,
    pub sha: String,
    /// The repository the branch lives in (another one for a pull request from a fork; GitHub
    /// sends `null` when the fork was deleted).
    #[serde(default)]
    pub repo: Option<PullRepo>,
}

/// The repository of a pull request's side.
#[derive(Debug, Clone, Deserialize)]
pub struct PullRepo {
    pub full_name: String,
}

/// The fields of a pull request Firebreak reads.
#[derive(Debug, Clone, Deserialize)]
pub struct Pull {
    pub number: u64,
    pub state: String,
    #[serde(default)]
    pub draft: Option<bool>,
    #[serde(default)]
    pub body: Option<String>,
    #[serde(default)]
    pub html_url: String,
    #[serde(default)]
    pub created_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub merged_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub closed_at: Option<DateTime<Utc>>,
    #[serde(default)]
    pub merged_by: Option<User>,
    pub head: PullSide,
    pub base: PullSide,
}

impl Pull {
    pub fn merged(&self) -> bool {
        self.merged_at.is_some()
    }
}

/// A pull request review.
#[derive(Debug, Clone, Deserialize)]
pub struct Review {
    #[serde(default)]
    pub user: Option<User>,
    /// `APPROVED`, `CHANGES_REQUESTED`, `COMMENTED`, `DISMISSED`, `PENDING`.
    pub state: String,
    #[serde(default)]
    pub submitted_at: Option<DateTime<Utc>>,
}

/// A file's text with its blob sha (needed to update it).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Blob {
    pub text: String,
    pub sha: String,
}

/// An entry of a directory listing.
#[derive(Debug, Clone, Deserialize)]
pub struct DirEntry {
    pub name: String,
    pub path: String,
    #[serde(rename = "type")]
    pub kind: String,
}

#[derive(Deserialize)]
struct ContentBlob {
    #[serde(default)]
    content: String,
    #[serde(default)]
    encoding: String,
    sha: String,
}

#[derive(Deserialize)]
struct RepoInfo {
    default_branch: String,
}

/// What a conditional read of a path's contents found ([`GitHub::contents_changed`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Revalidated {
    /// GitHub answered `304 Not Modified`.
    Unchanged,
    /// It changed (or no `ETag` was given): read it again. `etag` validates the new contents.
    Changed { etag: Option<String> },
    /// There is no such path.
    Absent,
}

/// The outcome of a create that may find its object already there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Created {
    Created,
    Existed,
}

impl GitHub {
    /// The repository's default branch: the hint from the event payload when there is one,
    /// else one read.
    pub async fn default_branch(&self) -> Result<String, GitHubError> {
        if let Some(branch) = &self.default_branch {
            return Ok(branch.clone());
        }
        let info: RepoInfo = self
            .json(
                "reading the repository",
                Method::GET,
                &self.repo_path(""),
                None::<&()>,
                Retry::Safe,
            )
            .await?;
        Ok(info.default_branch)
    }

    /// The commit sha a branch points at; `None` when there is no such branch.
    pub async fn branch_sha(&self, branch: &str) -> Result<Option<String>, GitHubError> {
        let path = self.repo_path(&format!("/git/ref/{}", segment(&format!("heads/{branch}"))));
        self.json::<GitRef, ()>(
            &format!("reading branch {branch}"),
            Method::GET,
            &path,
            None,
            Retry::Safe,
        )
        .await
        .or_missing()
        .map(|r| r.map(|r| r.object.sha))
    }

    /// A file's text and blob sha at `git_ref` (default branch when `None`); `None` when absent.
    pub async fn read_blob(
        &self,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<Blob>, GitHubError> {
        // One encoded segment (`docs%2Fa.md`): the description declares `{path}` a single
        // parameter, and GitHub accepts it.
        let mut url = self.repo_path(&format!("/contents/{}", segment(path)));
        if let Some(r) = git_ref {
            url.push_str(&format!("?ref={}", segment(r)));
        }
        let operation = format!("reading {path}");
        let Some(file) = self
            .json::<ContentBlob, ()>(&operation, Method::GET, &url, None, Retry::Safe)
            .await
            .or_missing()?
        else {
            return Ok(None);
        };
        if file.encoding != "base64" {
            return Err(GitHubError::Decode {
                operation,
                message: format!("unexpected encoding `{}`", file.encoding),
            });
        }
        use base64::Engine as _;
        let cleaned: String = file.content.split_whitespace().collect();
        let bytes = base64::engine::general_purpose::STANDARD
            .decode(cleaned)
            .map_err(|e| GitHubError::Decode {
                operation: operation.clone(),
                message: e.to_string(),
            })?;
        let text = String::from_utf8(bytes).map_err(|e| GitHubError::Decode {
            operation,
            message: e.to_string(),
        })?;
        Ok(Some(Blob {
            text,
            sha: file.sha,
        }))
    }

    /// Whether `path` (a file or a directory) changed since the answer that carried `etag`: a
    /// conditional GET of its contents, which costs no rate limit when it did not. A directory's
    /// answer lists its entries' shas, so it changes when anything beneath it does.
    pub async fn contents_changed(
        &self,
        path: &str,
        etag: Option<&str>,
    ) -> Result<Revalidated, GitHubError> {
        let url = self.repo_path(&format!("/contents/{}", segment(path)));
        match self
            .get_if_changed(&format!("checking {path} for changes"), &url, etag)
            .await
        {
            Ok(None) => Ok(Revalidated::Unchanged),
            Ok(Some(answer)) => Ok(Revalidated::Changed { etag: answer.etag }),
            Err(e) if e.is_not_found() => Ok(Revalidated::Absent),
            Err(e) => Err(e),
        }
    }

    /// The entries of a directory; `None` when it does not exist (or is a file).
    pub async fn list_dir(&self, path: &str) -> Result<Option<Vec<DirEntry>>, GitHubError> {
        let url = self.repo_path(&format!("/contents/{}", segment(path)));
        let Some(answer) = self
            .send::<()>(
                &format!("listing {path}"),
                Method::GET,
                &url,
                None,
                Retry::Safe,
            )
            .await
            .or_missing()?
        else {
            return Ok(None);
        };
        let value: serde_json::Value =
            serde_json::from_slice(&answer.body).map_err(|e| GitHubError::Decode {
                operation: format!("listing {path}"),
                message: e.to_string(),
            })?;
        if !value.is_array() {
            return Ok(None);
        }
        serde_json::from_value(value)
            .map(Some)
            .map_err(|e| GitHubError::Decode {
                operation: format!("listing {path}"),
                message: e.to_string(),
            })
    }

    /// The newest pull request (open or closed) from `head` in this repository.
    pub async fn find_pull(&self, head: &str) -> Result<Option<Pull>, GitHubError> {
        let owner = self.repo.split('/').next().unwrap_or_default();
        let path = self.repo_path(&format!(
            "/pulls?state=all&head={}&per_page=100",
            segment(&format!("{owner}:{head}"))
        ));
        let pulls: Vec<Pull> = self
            .paginate(&format!("looking for the pull request from {head}"), &path)
            .await?;
        Ok(pulls
            .into_iter()
            .filter(|p| p.head.branch == head)
            .max_by_key(|p| p.number))
    }

    pub async fn get_pull(&self, number: u64) -> Result<Pull, GitHubError> {
        self.json(
            &format!("reading pull request #{number}"),
            Method::GET,
            &self.repo_path(&format!("/pulls/{number}")),
            None::<&()>,
            Retry::Safe,
        )
        .await
    }

    /// Every review of a pull request, oldest first.
    pub async fn list_reviews(&self, number: u64) -> Result<Vec<Review>, GitHubError> {
        let path = self.repo_path(&format!("/pulls/{number}/reviews?per_page=100"));
        self.paginate(&format!("listing reviews of #{number}"), &path)
            .await
    }
}
