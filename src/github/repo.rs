//! Read-only facts about a repository's setup, for `firebreak doctor`: what the caller may do,
//! and whether a branch is protected and how.

use http::{Method, StatusCode};
use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
use serde::Deserialize;

use super::{GitHub, GitHubError, OrMissing, Retry};

/// Characters kept as-is in a path segment (a branch name's `/` is encoded).
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

/// What `GET /repos/{owner}/{repo}` tells about the repository and the caller.
#[derive(Debug, Clone, Deserialize)]
pub struct RepoAccess {
    pub full_name: String,
    pub default_branch: String,
    #[serde(default)]
    pub private: bool,
    /// What the token's account may do. GitHub sends it for user tokens; an Actions or App
    /// installation token may get none, and a fine-grained token's own permissions can be
    /// narrower than its account's (GitHub offers no way to read them).
    #[serde(default)]
    pub permissions: Option<RepoPermissions>,
}

/// The `permissions` object of a repository.
#[derive(Debug, Clone, Copy, Deserialize, PartialEq, Eq)]
pub struct RepoPermissions {
    pub admin: bool,
    #[serde(default)]
    pub maintain: bool,
    pub push: bool,
    #[serde(default)]
    pub triage: bool,
    pub pull: bool,
}

impl RepoPermissions {
    /// GitHub's name of the role these flags mean.
    pub fn role(&self) -> &'static str {
        if self.admin {
            "admin"
        } else if self.maintain {
            "maintain"
        } else if self.push {
            "write"
        } else if self.triage {
            "triage"
        } else if self.pull {
            "read"
        } else {
            "no"
        }
    }
}

#[derive(Deserialize)]
struct Branch {
    protected: bool,
}

/// The rules of a protected branch that stop a direct commit (what the postmortem index
/// needs), as `GET .../branches/{branch}/protection` describes them.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct BranchRules {
    #[serde(default)]
    pub required_pull_request_reviews: Option<serde_json::Value>,
    #[serde(default)]
    pub required_status_checks: Option<serde_json::Value>,
    #[serde(default)]
    pub restrictions: Option<serde_json::Value>,
    #[serde(default)]
    pub lock_branch: Option<Enabled>,
}

#[derive(Debug, Clone, Copy, Default, Deserialize)]
pub struct Enabled {
    #[serde(default)]
    pub enabled: bool,
}

/// What could be learned about a branch's protection.
#[derive(Debug, Clone)]
pub enum Protection {
    /// The branch is not protected.
    None,
    /// Protected, and the rules were readable.
    Rules(BranchRules),
    /// Protected, but reading the rules needs admin rights the token lacks.
    Unreadable { status: StatusCode },
}

impl GitHub {
    /// The repository as the token sees it (`GET /repos/{owner}/{repo}`).
    pub async fn repo_access(&self) -> Result<RepoAccess, GitHubError> {
        self.json(
            "reading the repository",
            Method::GET,
            &self.repo_path(""),
            None::<&()>,
            Retry::Safe,
        )
        .await
    }

    /// The OAuth scopes of a classic token (`x-oauth-scopes`), from one plain read of the
    /// repository; `None` for tokens GitHub reports no scopes for (fine-grained, App and
    /// Actions tokens) or when the read fails (the caller has just read the repository).
    pub async fn token_scopes(&self) -> Option<Vec<String>> {
        let response = self.client._get(self.repo_path("")).await.ok()?;
        let header = response.headers().get("x-oauth-scopes")?.to_str().ok()?;
        Some(
            header
                .split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_string)
                .collect(),
        )
    }

    /// Whether `branch` is protected and, when the token may read them, its rules. `Ok(None)`
    /// when there is no such branch.
    pub async fn branch_protection(&self, branch: &str) -> Result<Option<Protection>, GitHubError> {
        let encoded = utf8_percent_encode(branch, SEGMENT).to_string();
        let path = self.repo_path(&format!("/branches/{encoded}"));
        let Some(info) = self
            .json::<Branch, ()>(
                &format!("reading branch {branch}"),
                Method::GET,
                &path,
                None,
                Retry::Safe,
            )
            .await
            .or_missing()?
        else {
            return Ok(None);
        };
        if !info.protected {
            return Ok(Some(Protection::None));
        }
        match self
            .json::<BranchRules, ()>(
                &format!("reading the protection of branch {branch}"),
                Method::GET,
                &format!("{path}/protection"),
                None,
                Retry::Safe,
            )
            .await
        {
            Ok(rules) => Ok(Some(Protection::Rules(rules))),
            Err(e)
                if matches!(
                    e.status(),
                    Some(StatusCode::FORBIDDEN | StatusCode::NOT_FOUND)
                ) =>
            {
                Ok(Some(Protection::Unreadable {
                    status: e.status().unwrap_or(StatusCode::FORBIDDEN),
                }))
            }
            Err(e) => Err(e),
        }
    }
}
