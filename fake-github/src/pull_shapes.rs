//! JSON shapes of pull requests and reviews (`pull-request`, `pull-request-simple`,
//! `pull-request-review`).

use serde_json::{Value, json};

use super::shapes::{full_repository, label, node_id, opt_user, simple_user};
use super::state::{Issue, Repo, Review, State, ts};

fn href(u: String) -> Value {
    json!({ "href": u })
}

/// `pull-request-simple`, or the full `pull-request` when `full`.
pub(crate) fn pull(st: &State, repo: &Repo, issue: &Issue, full: bool) -> Value {
    let Some(p) = issue.pull.as_ref() else {
        return Value::Null;
    };
    let n = issue.number;
    let api = format!("{}/repos/{}", st.server_url, repo.full_name());
    let html = format!("{}/{}/pull/{n}", st.html_url, repo.full_name());
    let head_sha = st
        .pull_head_sha(&repo.full_name(), n)
        .unwrap_or_else(|| p.head_sha.clone());
    let base_sha = repo
        .branch_sha(&p.base_ref)
        .cloned()
        .unwrap_or_else(|| p.base_sha.clone());
    let repo_json = full_repository(st, repo);
    let side = |r: &str, sha: &str| {
        json!({
            "label": format!("{}:{r}", repo.owner),
            "ref": r,
            "sha": sha,
            "user": simple_user(st, &repo.owner),
            "repo": repo_json.clone(),
        })
    };
    // A head in a fork shows the fork as its repository.
    let head_side = |r: &str, sha: &str| match p.head_repo.as_deref().and_then(|f| st.repo(f)) {
        Some(fork) => json!({
            "label": format!("{}:{r}", fork.owner),
            "ref": r,
            "sha": sha,
            "user": simple_user(st, &fork.owner),
            "repo": full_repository(st, fork),
        }),
        None => side(r, sha),
    };
    let assignees: Vec<Value> = issue.assignees.iter().map(|a| simple_user(st, a)).collect();
    let labels: Vec<Value> = issue
        .labels
        .iter()
        .filter_map(|id| repo.label_by_id(*id))
        .map(|l| label(st, repo, l))
        .collect();
    let mut v = json!({
        "url": format!("{api}/pulls/{n}"),
        "id": p.id,
        "node_id": node_id("PR", p.id),
        "html_url": html,
        "diff_url": format!("{html}.diff"),
        "patch_url": format!("{html}.patch"),
        "issue_url": format!("{api}/issues/{n}"),
        "commits_url": format!("{api}/pulls/{n}/commits"),
        "review_comments_url": format!("{api}/pulls/{n}/comments"),
        "review_comment_url": format!("{api}/pulls/comments{{/number}}"),
        "comments_url": format!("{api}/issues/{n}/comments"),
        "statuses_url": format!("{api}/statuses/{head_sha}"),
        "number": n,
        "state": issue.state,
        "locked": issue.locked,
        "title": issue.title,
        "user": simple_user(st, &issue.user),
        "body": issue.body,
        "labels": labels,
        "milestone": Value::Null,
        "active_lock_reason": Value::Null,
        "created_at": ts(issue.created_at),
        "updated_at": ts(issue.updated_at),
        "closed_at": issue.closed_at.map(ts),
        "merged_at": p.merged_at.map(ts),
        "merge_commit_sha": p.merge_commit_sha,
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "assignees": assignees,
        "requested_reviewers": [],
        "requested_teams": [],
        "head": head_side(&p.head_ref, &head_sha),
        "base": side(&p.base_ref, &base_sha),
        "author_association": st.author_association(repo, &issue.user),
        "auto_merge": Value::Null,
        "draft": p.draft,
    });
    let links = json!({
            "self": href(format!("{api}/pulls/{n}")),
            "html": href(html.clone()),
            "issue": href(format!("{api}/issues/{n}")),
            "comments": href(format!("{api}/issues/{n}/comments")),
            "review_comments": href(format!("{api}/pulls/{n}/comments")),
            "review_comment": href(format!("{api}/pulls/comments{{/number}}")),
            "commits": href(format!("{api}/pulls/{n}/commits")),
            "statuses": href(format!("{api}/statuses/{head_sha}")),
    });
    if let Value::Object(m) = &mut v {
        m.insert("_links".into(), links);
    }
    if full && let Value::Object(m) = &mut v {
        let open = issue.state == "open" && p.merged_at.is_none();
        let extra = json!({
            "merged": p.merged_at.is_some(),
            "mergeable": if open { json!(!p.draft) } else { Value::Null },
            "rebaseable": if open { json!(true) } else { Value::Null },
            "mergeable_state": if !open { "unknown" } else if p.draft { "draft" } else { "clean" },
            "merged_by": opt_user(st, p.merged_by.as_deref()),
            "comments": repo.comment_count(n),
            "review_comments": 0,
            "maintainer_can_modify": p.maintainer_can_modify,
            "commits": 1,
            "additions": 0,
            "deletions": 0,
            "changed_files": 0,
        });
        if let Value::Object(extra) = extra {
            m.extend(extra);
        }
    }
    v
}

/// `pull-request-review`.
pub(crate) fn review(st: &State, repo: &Repo, number: u64, r: &Review) -> Value {
    let api = format!("{}/repos/{}", st.server_url, repo.full_name());
    let html = format!(
        "{}/{}/pull/{number}#pullrequestreview-{}",
        st.html_url,
        repo.full_name(),
        r.id
    );
    let mut v = json!({
        "id": r.id,
        "node_id": node_id("PRR", r.id),
        "user": simple_user(st, &r.user),
        "body": r.body,
        "state": r.state,
        "html_url": html,
        "pull_request_url": format!("{api}/pulls/{number}"),
        "_links": {
            "html": href(html.clone()),
            "pull_request": href(format!("{api}/pulls/{number}")),
        },
        "commit_id": r.commit_id,
        "author_association": st.author_association(repo, &r.user),
    });
    if r.state != "PENDING"
        && let Value::Object(m) = &mut v
    {
        m.insert("submitted_at".into(), json!(ts(r.submitted_at)));
    }
    v
}
