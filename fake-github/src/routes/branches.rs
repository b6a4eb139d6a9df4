//! Branches and their protection (read-only: `firebreak doctor` reads them).

use serde_json::{Value, json};

use super::Ctx;
use crate::http_util::{Resp, error, not_found};
use crate::shapes::{node_id, opt_user, seg};
use crate::state::{BranchProtection, Repo, State, UserKind, ts};

/// The `commit` JSON (as `GET /repos/{o}/{r}/commits/{sha}` and branches embed it).
fn commit_json(st: &State, r: &Repo, sha: &str) -> Value {
    let api = format!("{}/repos/{}", st.server_url, r.full_name());
    let html = format!("{}/{}", st.html_url, r.full_name());
    let c = r
        .commits
        .get(sha)
        .expect("a branch points at a known commit");
    let who = json!({
        "name": c.author,
        "email": format!("{}@users.noreply.fake", c.author),
        "date": ts(c.date),
    });
    let parents: Vec<Value> = c
        .parent
        .iter()
        .map(|p| {
            json!({ "sha": p, "url": format!("{api}/commits/{p}"), "html_url": format!("{html}/commit/{p}") })
        })
        .collect();
    let author = if st.user(&c.author).is_some() {
        opt_user(st, Some(&c.author))
    } else {
        Value::Null
    };
    json!({
        "url": format!("{api}/commits/{sha}"),
        "sha": sha,
        "node_id": node_id("C", u64::from_str_radix(&sha[..8], 16).unwrap_or(0)),
        "html_url": format!("{html}/commit/{sha}"),
        "comments_url": format!("{api}/commits/{sha}/comments"),
        "commit": {
            "url": format!("{api}/git/commits/{sha}"),
            "author": who,
            "committer": who,
            "message": c.message,
            "comment_count": 0,
            "tree": { "sha": c.tree_sha, "url": format!("{api}/git/trees/{}", c.tree_sha) },
            "verification": {
                "verified": false,
                "reason": "unsigned",
                "signature": Value::Null,
                "payload": Value::Null,
                "verified_at": Value::Null,
            },
        },
        "author": author,
        "committer": author,
        "parents": parents,
    })
}

/// The `branch-protection` JSON of a protected branch.
fn protection_json(st: &State, r: &Repo, branch: &str, p: &BranchProtection) -> Value {
    let url = format!(
        "{}/repos/{}/branches/{}/protection",
        st.server_url,
        r.full_name(),
        seg(branch)
    );
    let mut v = json!({
        "url": url,
        "enabled": true,
        "name": branch,
        "protection_url": url,
        "enforce_admins": { "url": format!("{url}/enforce_admins"), "enabled": p.enforce_admins },
        "required_linear_history": { "enabled": false },
        "allow_force_pushes": { "enabled": false },
        "allow_deletions": { "enabled": false },
        "block_creations": { "enabled": false },
        "required_conversation_resolution": { "enabled": false },
        "lock_branch": { "enabled": p.lock_branch },
        "allow_fork_syncing": { "enabled": false },
        "required_signatures": { "url": format!("{url}/required_signatures"), "enabled": false },
    });
    if let Value::Object(m) = &mut v {
        if let Some(count) = p.required_approving_reviews {
            m.insert(
                "required_pull_request_reviews".into(),
                json!({
                    "url": format!("{url}/required_pull_request_reviews"),
                    "dismiss_stale_reviews": false,
                    "require_code_owner_reviews": false,
                    "required_approving_review_count": count,
                    "require_last_push_approval": false,
                }),
            );
        }
        if !p.required_status_checks.is_empty() {
            let checks: Vec<Value> = p
                .required_status_checks
                .iter()
                .map(|c| json!({ "context": c, "app_id": Value::Null }))
                .collect();
            m.insert(
                "required_status_checks".into(),
                json!({
                    "url": format!("{url}/required_status_checks"),
                    "strict": false,
                    "contexts": p.required_status_checks,
                    "contexts_url": format!("{url}/required_status_checks/contexts"),
                    "checks": checks,
                }),
            );
        }
    }
    v
}

/// `GET /repos/{o}/{r}/branches/{branch}`: `branch-with-protection`.
pub(crate) fn get(ctx: &mut Ctx<'_>, repo: &str, branch: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let Some(sha) = r.branch_sha(branch) else {
        return error(404, "Branch not found");
    };
    let api = format!("{}/repos/{}", st.server_url, r.full_name());
    let protection = r.protection.get(branch);
    let protection_url = format!("{api}/branches/{}/protection", seg(branch));
    // Without admin rights GitHub reports `protected` but only a summary of the rules.
    let summary = match protection {
        Some(p) => json!({
            "enabled": true,
            "required_status_checks": {
                "enforcement_level": if p.required_status_checks.is_empty() { "off" } else { "non_admins" },
                "contexts": p.required_status_checks,
                "checks": p.required_status_checks.iter().map(|c| json!({ "context": c, "app_id": Value::Null })).collect::<Vec<_>>(),
            },
        }),
        None => json!({
            "enabled": false,
            "required_status_checks": { "enforcement_level": "off", "contexts": [], "checks": [] },
        }),
    };
    Resp::ok(json!({
        "name": branch,
        "commit": commit_json(st, r, sha),
        "_links": {
            "self": format!("{api}/branches/{}", seg(branch)),
            "html": format!("{}/{}/tree/{}", st.html_url, r.full_name(), branch),
        },
        "protected": protection.is_some(),
        "protection": summary,
        "protection_url": protection_url,
    }))
}

/// `GET /repos/{o}/{r}/branches/{branch}/protection`: admins only (an Actions or App token
/// without the administration permission gets 403, anyone else 404, as on GitHub).
pub(crate) fn protection(ctx: &mut Ctx<'_>, repo: &str, branch: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let viewer = ctx.viewer.clone().unwrap_or_default();
    if st.role(r, &viewer) != "admin" {
        let bot = st.user(&viewer).is_some_and(|u| u.kind == UserKind::Bot);
        return if bot {
            error(403, "Resource not accessible by integration")
        } else {
            not_found()
        };
    }
    if r.branch_sha(branch).is_none() {
        return error(404, "Branch not found");
    }
    match r.protection.get(branch) {
        Some(p) => Resp::ok(protection_json(st, r, branch, p)),
        None => error(404, "Branch not protected"),
    }
}
