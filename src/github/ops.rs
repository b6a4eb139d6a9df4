//! Named GitHub reads: one function per REST call, each with its retry class decided here,
//! once. Writes are on [`super::Writer`].

use http::Method;
use serde::Deserialize;

use super::{GitHub, GitHubError, OrMissing, Retry, segment};
use crate::engine::plan::LabelSpec;
use crate::event::{Comment, Issue, IssueEvent};

#[derive(Deserialize)]
struct Permission {
    permission: String,
}

/// A comment as the repository-wide list gives it: with the issue it is on.
#[derive(Deserialize)]
struct RepoComment {
    #[serde(flatten)]
    comment: Comment,
    issue_url: String,
}

/// Comments a page of the repository-wide list holds (GitHub's most).
const PAGE: usize = 100;

/// Pages of one `since` before the walk by time gives up: more than this many comments updated
/// within two seconds would be a flood no sweep should read in full.
const MAX_PAGES_PER_SECOND: u32 = 10;

impl GitHub {
    /// The login of the token's owner (`GET /user`); installation tokens get 403.
    pub async fn authenticated_login(&self) -> Result<String, GitHubError> {
        #[derive(Deserialize)]
        struct Me {
            login: String,
        }
        let me: Me = self
            .json(
                "reading whose token this is",
                Method::GET,
                "/user",
                None::<&()>,
                Retry::Safe,
            )
            .await?;
        Ok(me.login)
    }

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

    /// An issue's comments and the events people made on it (labels, assignees, state, title),
    /// each oldest first, from one listing of its timeline (100 items a page). `None` when
    /// this GitHub has no timeline for it (404) or serves one Firebreak cannot read: list the
    /// comments instead.
    pub async fn list_timeline(
        &self,
        number: u64,
    ) -> Result<Option<(Vec<Comment>, Vec<IssueEvent>)>, GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}/timeline?per_page=100"));
        let Some(items) = self
            .paginate::<serde_json::Value>(&format!("listing the timeline of #{number}"), &path)
            .await
            .or_missing()?
        else {
            return Ok(None);
        };
        let mut comments = Vec::new();
        let mut events = Vec::new();
        for item in items {
            let read = match item.get("event").and_then(|e| e.as_str()) {
                Some("commented") => serde_json::from_value(item).map(|c| comments.push(c)),
                Some(kind) if IssueEvent::RECORDED.contains(&kind) => {
                    serde_json::from_value(item).map(|e| events.push(e))
                }
                _ => Ok(()),
            };
            if let Err(e) = read {
                tracing::warn!(
                    "the timeline of #{number} has an item Firebreak cannot read ({e}); listing its comments instead"
                );
                return Ok(None);
            }
        }
        Ok(Some((comments, events)))
    }

    /// Every comment of an issue, oldest first, 100 a page.
    pub async fn list_comments(&self, number: u64) -> Result<Vec<Comment>, GitHubError> {
        let path = self.repo_path(&format!("/issues/{number}/comments?per_page=100"));
        self.paginate(&format!("listing comments of #{number}"), &path)
            .await
    }

    /// Every comment of the repository updated at or after `since`, with the number of the
    /// issue or pull request it is on, least recently updated first. Walked by time, not by
    /// page number: each page starts where the last one's newest `updated_at` is (ids seen are
    /// skipped), so a comment edited while we read moves forward and is still read, where
    /// numbered pages would shift under us and skip one.
    pub async fn list_comments_since(
        &self,
        since: chrono::DateTime<chrono::Utc>,
    ) -> Result<Vec<(u64, Comment)>, GitHubError> {
        let mut out: Vec<(u64, Comment)> = Vec::new();
        let mut seen = std::collections::BTreeSet::new();
        let mut cursor = since;
        let mut page = 1u32;
        loop {
            let stamp = cursor.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
            let path = self.repo_path(&format!(
                "/issues/comments?since={}&sort=updated&direction=asc&per_page={PAGE}&page={page}",
                segment(&stamp)
            ));
            let listed: Vec<RepoComment> = self
                .json(
                    &format!("listing comments updated since {stamp}"),
                    Method::GET,
                    &path,
                    None::<&()>,
                    Retry::Safe,
                )
                .await?;
            let full = listed.len() >= PAGE;
            let newest = listed.last().map(|c| c.comment.updated_at);
            for c in listed {
                if !seen.insert(c.comment.id) {
                    continue;
                }
                let number = c
                    .issue_url
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or(0);
                out.push((number, c.comment));
            }
            // A second early: whether GitHub's `since` includes its instant or not, no
            // comment of the page's last second is skipped (those seen are dropped above).
            let next = newest.map(|t| t - chrono::Duration::seconds(1));
            match next {
                _ if !full => return Ok(out),
                Some(next) if next > cursor => {
                    cursor = next;
                    page = 1;
                }
                // A whole page within one second: the next page of the same second.
                _ if page < MAX_PAGES_PER_SECOND => page += 1,
                _ => {
                    return Err(GitHubError::Decode {
                        operation: format!("listing comments updated since {stamp}"),
                        message: format!(
                            "more than {} comments were updated within two seconds",
                            PAGE * MAX_PAGES_PER_SECOND as usize
                        ),
                    });
                }
            }
        }
    }

    /// A label of the repository; `None` when there is no such label.
    pub async fn get_label(&self, name: &str) -> Result<Option<LabelSpec>, GitHubError> {
        let path = self.repo_path(&format!("/labels/{}", segment(name)));
        self.json(
            &format!("reading label {name}"),
            Method::GET,
            &path,
            None::<&()>,
            Retry::Safe,
        )
        .await
        .or_missing()
    }

    /// Whether the account `login` exists (a deleted or renamed one does not).
    pub async fn user_exists(&self, login: &str) -> Result<bool, GitHubError> {
        let path = format!("/users/{}", segment(login));
        self.yes_or_no(&format!("looking up @{login}"), &path).await
    }

    /// A read GitHub answers with 2xx for yes and 404 for no.
    async fn yes_or_no(&self, what: &str, path: &str) -> Result<bool, GitHubError> {
        Ok(self
            .send::<()>(what, Method::GET, path, None, Retry::Safe)
            .await
            .or_missing()?
            .is_some())
    }

    /// Whether the team `org/team` exists for this token: GitHub answers 404 both for a team
    /// that does not exist and for one the token may not see, and either way a mention of it
    /// reaches nobody we can vouch for.
    pub async fn team_exists(&self, org: &str, team: &str) -> Result<bool, GitHubError> {
        let path = format!("/orgs/{}/teams/{}", segment(org), segment(team));
        match self
            .yes_or_no(&format!("looking up team {org}/{team}"), &path)
            .await
        {
            Err(e) if e.status() == Some(http::StatusCode::FORBIDDEN) => Ok(false),
            answer => answer,
        }
    }

    /// Every label of the repository.
    pub async fn list_labels(&self) -> Result<Vec<LabelSpec>, GitHubError> {
        let path = self.repo_path("/labels?per_page=100");
        self.paginate("listing labels", &path).await
    }

    /// A collaborator's permission (`admin`, `write`, `read`, `none`), read as raw JSON because
    /// octocrab's model cannot parse GitHub's real values. Not a collaborator → `none`.
    pub async fn permission(&self, login: &str) -> Result<String, GitHubError> {
        let path = self.repo_path(&format!("/collaborators/{}/permission", segment(login)));
        Ok(self
            .json::<Permission, ()>(
                &format!("reading the permission of @{login}"),
                Method::GET,
                &path,
                None,
                Retry::Safe,
            )
            .await
            .or_missing()?
            .map_or_else(|| "none".into(), |p| p.permission))
    }

    /// Whether `login` can be assigned issues in the repository (`GET .../assignees/{login}`:
    /// 204 yes, 404 no).
    pub async fn can_be_assigned(&self, login: &str) -> Result<bool, GitHubError> {
        let path = self.repo_path(&format!("/assignees/{}", segment(login)));
        self.yes_or_no(&format!("checking whether @{login} can be assigned"), &path)
            .await
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
        Ok(self
            .json::<Membership, ()>(
                &format!("checking @{login} in team {team}"),
                Method::GET,
                &path,
                None,
                Retry::Safe,
            )
            .await
            .or_missing()?
            .is_some_and(|m| m.state == "active"))
    }

    /// A file's text at `git_ref` (default branch when `None`); `None` when absent.
    pub async fn file(
        &self,
        path: &str,
        git_ref: Option<&str>,
    ) -> Result<Option<String>, GitHubError> {
        Ok(self.read_blob(path, git_ref).await?.map(|blob| blob.text))
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

    /// Whether any open issue carries `label`, unless GitHub says the answer is the same as the
    /// one that carried `etag` (`None`: a 304, which costs no rate limit). With the new ETag.
    pub async fn any_open_labeled(
        &self,
        label: &str,
        etag: Option<&str>,
    ) -> Result<Option<(bool, Option<String>)>, GitHubError> {
        let path = self.repo_path(&format!(
            "/issues?state=open&labels={}&per_page=1",
            segment(label)
        ));
        let Some(answer) = self
            .get_if_changed(
                &format!("looking for open issues labeled {label}"),
                &path,
                etag,
            )
            .await?
        else {
            return Ok(None);
        };
        let page: Vec<serde_json::Value> = super::decode("looking for open issues", &answer.body)?;
        Ok(Some((!page.is_empty(), answer.etag)))
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
}
