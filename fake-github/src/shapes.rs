//! JSON shapes, built from GitHub's OpenAPI schemas (every required key, `null` where nullable).

use serde_json::{Value, json};

use super::state::{Comment, EventKind, Issue, IssueEvent, Label, Reaction, Repo, State, ts};

/// A GraphQL-style node id: `<prefix>_kwDO<id>`.
pub(crate) fn node_id(prefix: &str, id: u64) -> String {
    format!("{prefix}_kwDOFB{id:08}")
}

/// Percent-encode one path segment (label names may hold spaces, ':' and '/').
pub(crate) fn seg(s: &str) -> String {
    use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};
    const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
        .remove(b'-')
        .remove(b'_')
        .remove(b'.')
        .remove(b'~')
        .remove(b':');
    utf8_percent_encode(s, SEGMENT).to_string()
}

/// `simple-user`.
pub(crate) fn simple_user(st: &State, login: &str) -> Value {
    let (id, login, kind) = match st.user(login) {
        Some(u) => (u.id, u.login.clone(), u.kind.as_str()),
        None => (0, login.to_string(), "User"),
    };
    let api = &st.server_url;
    let html = &st.html_url;
    let prefix = if kind == "Bot" { "BOT" } else { "U" };
    json!({
        "login": login,
        "id": id,
        "node_id": node_id(prefix, id),
        "avatar_url": format!("{html}/avatars/u/{id}"),
        "gravatar_id": "",
        "url": format!("{api}/users/{}", seg(&login)),
        "html_url": format!("{html}/{}", seg(&login)),
        "followers_url": format!("{api}/users/{}/followers", seg(&login)),
        "following_url": format!("{api}/users/{}/following{{/other_user}}", seg(&login)),
        "gists_url": format!("{api}/users/{}/gists{{/gist_id}}", seg(&login)),
        "starred_url": format!("{api}/users/{}/starred{{/owner}}{{/repo}}", seg(&login)),
        "subscriptions_url": format!("{api}/users/{}/subscriptions", seg(&login)),
        "organizations_url": format!("{api}/users/{}/orgs", seg(&login)),
        "repos_url": format!("{api}/users/{}/repos", seg(&login)),
        "events_url": format!("{api}/users/{}/events{{/privacy}}", seg(&login)),
        "received_events_url": format!("{api}/users/{}/received_events", seg(&login)),
        "type": kind,
        "user_view_type": "public",
        "site_admin": false,
    })
}

/// `simple-user` or `null`.
pub(crate) fn opt_user(st: &State, login: Option<&str>) -> Value {
    login.map_or(Value::Null, |l| simple_user(st, l))
}

/// `public-user` (GET /users/{username}).
pub(crate) fn public_user(st: &State, login: &str) -> Value {
    let mut v = simple_user(st, login);
    let created = st
        .user(login)
        .map_or_else(|| ts(st.now()), |u| ts(u.created_at));
    let public_repos = st
        .repos
        .values()
        .filter(|r| r.owner.eq_ignore_ascii_case(login))
        .count();
    if let Value::Object(m) = &mut v {
        for (k, val) in [
            ("name", Value::Null),
            ("company", Value::Null),
            ("blog", json!("")),
            ("location", Value::Null),
            ("email", Value::Null),
            ("hireable", Value::Null),
            ("bio", Value::Null),
            ("twitter_username", Value::Null),
            ("public_repos", json!(public_repos)),
            ("public_gists", json!(0)),
            ("followers", json!(0)),
            ("following", json!(0)),
            ("created_at", json!(created)),
            ("updated_at", json!(created)),
        ] {
            m.insert(k.to_string(), val);
        }
    }
    v
}

fn repo_api(st: &State, repo: &Repo) -> String {
    format!("{}/repos/{}/{}", st.server_url, repo.owner, repo.name)
}

fn repo_html(st: &State, repo: &Repo) -> String {
    format!("{}/{}/{}", st.html_url, repo.owner, repo.name)
}

/// `full-repository`.
pub(crate) fn full_repository(st: &State, repo: &Repo) -> Value {
    let u = repo_api(st, repo);
    let html = repo_html(st, repo);
    let host = st.html_url.split("://").nth(1).unwrap_or("127.0.0.1");
    let open_issues = repo.issues.values().filter(|i| i.state == "open").count();
    let is_org = st
        .user(&repo.owner)
        .is_some_and(|o| o.kind == super::state::UserKind::Organization);
    let mut v = json!({
        "id": repo.id,
        "node_id": node_id("R", repo.id),
        "name": repo.name,
        "full_name": repo.full_name(),
        "private": repo.private,
        "owner": simple_user(st, &repo.owner),
        "html_url": html,
        "description": Value::Null,
        "fork": false,
        "url": u,
        "archive_url": format!("{u}/{{archive_format}}{{/ref}}"),
        "assignees_url": format!("{u}/assignees{{/user}}"),
        "blobs_url": format!("{u}/git/blobs{{/sha}}"),
        "branches_url": format!("{u}/branches{{/branch}}"),
        "collaborators_url": format!("{u}/collaborators{{/collaborator}}"),
        "comments_url": format!("{u}/comments{{/number}}"),
        "commits_url": format!("{u}/commits{{/sha}}"),
        "compare_url": format!("{u}/compare/{{base}}...{{head}}"),
        "contents_url": format!("{u}/contents/{{+path}}"),
        "contributors_url": format!("{u}/contributors"),
        "deployments_url": format!("{u}/deployments"),
        "downloads_url": format!("{u}/downloads"),
        "events_url": format!("{u}/events"),
        "forks_url": format!("{u}/forks"),
    });
    let mid = json!({
        "git_commits_url": format!("{u}/git/commits{{/sha}}"),
        "git_refs_url": format!("{u}/git/refs{{/sha}}"),
        "git_tags_url": format!("{u}/git/tags{{/sha}}"),
        "git_url": format!("git://{host}/{}.git", repo.full_name()),
        "issue_comment_url": format!("{u}/issues/comments{{/number}}"),
        "issue_events_url": format!("{u}/issues/events{{/number}}"),
        "issues_url": format!("{u}/issues{{/number}}"),
        "keys_url": format!("{u}/keys{{/key_id}}"),
        "labels_url": format!("{u}/labels{{/name}}"),
        "languages_url": format!("{u}/languages"),
        "merges_url": format!("{u}/merges"),
        "milestones_url": format!("{u}/milestones{{/number}}"),
        "notifications_url": format!("{u}/notifications{{?since,all,participating}}"),
        "pulls_url": format!("{u}/pulls{{/number}}"),
        "releases_url": format!("{u}/releases{{/id}}"),
        "ssh_url": format!("git@{host}:{}.git", repo.full_name()),
        "stargazers_url": format!("{u}/stargazers"),
        "statuses_url": format!("{u}/statuses/{{sha}}"),
        "subscribers_url": format!("{u}/subscribers"),
        "subscription_url": format!("{u}/subscription"),
        "tags_url": format!("{u}/tags"),
        "teams_url": format!("{u}/teams"),
        "trees_url": format!("{u}/git/trees{{/sha}}"),
    });
    let more = json!({
        "clone_url": format!("{html}.git"),
        "mirror_url": Value::Null,
        "hooks_url": format!("{u}/hooks"),
        "svn_url": html,
        "homepage": Value::Null,
        "language": Value::Null,
        "forks_count": 0,
        "forks": 0,
        "stargazers_count": 0,
        "watchers_count": 0,
        "watchers": 0,
        "size": 0,
        "default_branch": repo.default_branch,
        "open_issues_count": open_issues,
        "open_issues": open_issues,
        "is_template": false,
        "topics": [],
        "has_issues": true,
        "has_projects": true,
        "has_wiki": true,
        "has_pages": false,
        "has_downloads": true,
        "has_discussions": false,
        "archived": false,
        "disabled": false,
        "visibility": if repo.private { "private" } else { "public" },
        "pushed_at": ts(repo.pushed_at),
        "created_at": ts(repo.created_at),
        "updated_at": ts(repo.updated_at),
        "allow_rebase_merge": true,
        "allow_squash_merge": true,
        "allow_merge_commit": true,
        "allow_auto_merge": false,
        "delete_branch_on_merge": false,
        "allow_forking": true,
        "web_commit_signoff_required": false,
        "license": Value::Null,
        "network_count": 0,
        "subscribers_count": 0,
    });
    for part in [mid, more] {
        if let (Value::Object(m), Value::Object(part)) = (&mut v, part) {
            m.extend(part);
        }
    }
    if is_org && let Value::Object(m) = &mut v {
        m.insert("organization".into(), simple_user(st, &repo.owner));
    }
    v
}

/// The `permissions` object of a repository for a caller with fine-grained `role`.
pub(crate) fn repo_permissions(role: &str) -> Value {
    let level = match role {
        "admin" => 5,
        "maintain" => 4,
        "write" => 3,
        "triage" => 2,
        "read" => 1,
        _ => 0,
    };
    json!({
        "admin": level >= 5,
        "maintain": level >= 4,
        "push": level >= 3,
        "triage": level >= 2,
        "pull": level >= 1,
    })
}

/// `label`.
pub(crate) fn label(st: &State, repo: &Repo, l: &Label) -> Value {
    json!({
        "id": l.id,
        "node_id": node_id("LA", l.id),
        "url": format!("{}/labels/{}", repo_api(st, repo), seg(&l.name)),
        "name": l.name,
        "color": l.color,
        "default": l.default,
        "description": l.description,
    })
}

/// `reaction-rollup` for a list of reactions.
pub(crate) fn reaction_rollup(url: String, reactions: &[Reaction]) -> Value {
    let count = |c: &str| reactions.iter().filter(|r| r.content == c).count();
    json!({
        "url": url,
        "total_count": reactions.len(),
        "+1": count("+1"),
        "-1": count("-1"),
        "laugh": count("laugh"),
        "hooray": count("hooray"),
        "confused": count("confused"),
        "heart": count("heart"),
        "rocket": count("rocket"),
        "eyes": count("eyes"),
    })
}

/// `reaction`.
pub(crate) fn reaction(st: &State, r: &Reaction) -> Value {
    json!({
        "id": r.id,
        "node_id": node_id("REA", r.id),
        "user": simple_user(st, &r.user),
        "content": r.content,
        "created_at": ts(r.created_at),
    })
}

/// The html path segment of an issue or pull request.
fn issue_kind(issue: &Issue) -> &'static str {
    if issue.pull.is_some() {
        "pull"
    } else {
        "issues"
    }
}

/// `issue`.
pub(crate) fn issue(st: &State, repo: &Repo, issue: &Issue) -> Value {
    let r = repo_api(st, repo);
    let u = format!("{r}/issues/{}", issue.number);
    let html = format!(
        "{}/{}/{}",
        repo_html(st, repo),
        issue_kind(issue),
        issue.number
    );
    let labels: Vec<Value> = issue
        .labels
        .iter()
        .filter_map(|id| repo.label_by_id(*id))
        .map(|l| label(st, repo, l))
        .collect();
    let assignees: Vec<Value> = issue.assignees.iter().map(|a| simple_user(st, a)).collect();
    let completed = issue
        .sub_issues
        .iter()
        .filter(|n| repo.issues.get(n).is_some_and(|i| i.state == "closed"))
        .count();
    let total = issue.sub_issues.len();
    let percent = (completed * 100).checked_div(total).unwrap_or(0);
    let mut v = json!({
        "id": issue.id,
        "node_id": node_id(if issue.pull.is_some() { "PR" } else { "I" }, issue.id),
        "url": u,
        "repository_url": r,
        "labels_url": format!("{u}/labels{{/name}}"),
        "comments_url": format!("{u}/comments"),
        "events_url": format!("{u}/events"),
        "html_url": html,
        "number": issue.number,
        "state": issue.state,
        "state_reason": issue.state_reason,
        "title": issue.title,
        "body": issue.body,
        "user": simple_user(st, &issue.user),
        "labels": labels,
        "assignee": assignees.first().cloned().unwrap_or(Value::Null),
        "assignees": assignees,
        "milestone": Value::Null,
        "locked": issue.locked,
        "active_lock_reason": Value::Null,
        "comments": repo.comment_count(issue.number),
        "closed_at": issue.closed_at.map(ts),
        "created_at": ts(issue.created_at),
        "updated_at": ts(issue.updated_at),
        "closed_by": opt_user(st, issue.closed_by.as_deref()),
        "author_association": st.author_association(repo, &issue.user),
        "type": Value::Null,
        "performed_via_github_app": Value::Null,
        "timeline_url": format!("{u}/timeline"),
        "reactions": reaction_rollup(format!("{u}/reactions"), &issue.reactions),
        "sub_issues_summary": {
            "total": total,
            "completed": completed,
            "percent_completed": percent,
        },
        "parent_issue_url": issue.parent.map(|p| format!("{r}/issues/{p}")),
        "issue_dependencies_summary": {
            "blocked_by": 0,
            "blocking": 0,
            "total_blocked_by": 0,
            "total_blocking": 0,
        },
    });
    if let (Some(pull), Value::Object(m)) = (&issue.pull, &mut v) {
        let pr_html = format!("{}/pull/{}", repo_html(st, repo), issue.number);
        m.insert("draft".into(), json!(pull.draft));
        m.insert(
            "pull_request".into(),
            json!({
                "url": format!("{r}/pulls/{}", issue.number),
                "html_url": pr_html,
                "diff_url": format!("{pr_html}.diff"),
                "patch_url": format!("{pr_html}.patch"),
                "merged_at": pull.merged_at.map(ts),
            }),
        );
    }
    v
}

/// `timeline-comment-event`: a comment as the issue's timeline shows it.
pub(crate) fn timeline_comment(st: &State, repo: &Repo, c: &Comment) -> Value {
    let mut v = comment(st, repo, c);
    if let Value::Object(m) = &mut v {
        m.insert("event".into(), json!("commented"));
        m.insert("actor".into(), simple_user(st, &c.user));
    }
    v
}

/// One of the issue event shapes of the timeline (`labeled-issue-event`,
/// `timeline-assigned-issue-event`, `state-change-issue-event`, `renamed-issue-event` …).
pub(crate) fn issue_event(st: &State, repo: &Repo, e: &IssueEvent) -> Value {
    let mut v = json!({
        "id": e.id,
        "node_id": node_id("E", e.id),
        "url": format!("{}/issues/events/{}", repo_api(st, repo), e.id),
        "actor": simple_user(st, &e.actor),
        "event": e.kind.name(),
        "commit_id": Value::Null,
        "commit_url": Value::Null,
        "created_at": ts(e.at),
        "performed_via_github_app": Value::Null,
    });
    let m = v.as_object_mut().expect("an object");
    match &e.kind {
        EventKind::Labeled { name, color } | EventKind::Unlabeled { name, color } => {
            m.insert("label".into(), json!({ "name": name, "color": color }));
        }
        EventKind::Assigned(login) | EventKind::Unassigned(login) => {
            m.insert("assignee".into(), simple_user(st, login));
            m.insert("assigner".into(), simple_user(st, &e.actor));
        }
        EventKind::Closed { reason } => {
            m.insert("state_reason".into(), json!(reason));
        }
        EventKind::Reopened => {
            m.insert("state_reason".into(), json!("reopened"));
        }
        EventKind::Renamed { from, to } => {
            m.insert("rename".into(), json!({ "from": from, "to": to }));
        }
    }
    v
}

/// `issue-comment`.
pub(crate) fn comment(st: &State, repo: &Repo, c: &Comment) -> Value {
    let r = repo_api(st, repo);
    let u = format!("{r}/issues/comments/{}", c.id);
    let kind = repo.issues.get(&c.issue).map_or("issues", issue_kind);
    json!({
        "id": c.id,
        "node_id": node_id("IC", c.id),
        "url": u,
        "html_url": format!("{}/{kind}/{}#issuecomment-{}", repo_html(st, repo), c.issue, c.id),
        "body": c.body,
        "user": simple_user(st, &c.user),
        "created_at": ts(c.created_at),
        "updated_at": ts(c.updated_at),
        "issue_url": format!("{r}/issues/{}", c.issue),
        "author_association": st.author_association(repo, &c.user),
        "performed_via_github_app": Value::Null,
        "reactions": reaction_rollup(format!("{u}/reactions"), &c.reactions),
    })
}
