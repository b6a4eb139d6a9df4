//! Sub-issues: the child is named by its `id` (not its number), like GitHub.

use serde_json::Value;

use super::Ctx;
use super::issues::issue_resp;
use crate::http_util::{Resp, error, missing_field, not_found, paginate, validation};
use crate::shapes;

/// The number of the issue of `repo` whose id is `id`.
fn number_of(ctx: &Ctx<'_>, repo: &str, id: u64) -> Option<u64> {
    ctx.st
        .repo(repo)?
        .issues
        .values()
        .find(|i| i.id == id)
        .map(|i| i.number)
}

fn sub_issue_id(ctx: &Ctx<'_>) -> Result<u64, Resp> {
    match ctx.req.body.get("sub_issue_id") {
        Some(Value::Number(n)) => n
            .as_u64()
            .ok_or_else(|| validation("Issue", "sub_issue_id", "invalid", None)),
        Some(Value::String(s)) => s
            .parse()
            .map_err(|_| validation("Issue", "sub_issue_id", "invalid", None)),
        None | Some(Value::Null) => Err(missing_field("Issue", "sub_issue_id")),
        Some(_) => Err(validation("Issue", "sub_issue_id", "invalid", None)),
    }
}

fn custom(message: &str) -> Resp {
    validation("Issue", "sub_issue_id", "custom", Some(message))
}

/// POST: attach the issue with `sub_issue_id` under `parent`; answers the parent issue.
pub(crate) fn add(ctx: &mut Ctx<'_>, repo: &str, parent: u64) -> Resp {
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&parent))
        .is_none()
    {
        return not_found();
    }
    let id = match sub_issue_id(ctx) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let replace = ctx
        .req
        .body
        .get("replace_parent")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let Some(child) = number_of(ctx, repo, id) else {
        return not_found();
    };
    if child == parent {
        return custom("An issue cannot be a sub-issue of itself");
    }
    let r = ctx.st.repo(repo).expect("checked above");
    let current = r.issues.get(&child).and_then(|i| i.parent);
    if current == Some(parent) {
        return custom("Issue may not contain duplicate sub-issues");
    }
    if current.is_some() && !replace {
        return custom("Sub issue may only have one parent");
    }
    // No cycles: the parent must not descend from the child.
    let mut up = Some(parent);
    while let Some(n) = up {
        if n == child {
            return custom("Sub-issue cannot be an ancestor of the parent issue");
        }
        up = r.issues.get(&n).and_then(|i| i.parent);
    }
    if r.issues
        .get(&parent)
        .is_some_and(|i| i.sub_issues.len() >= 100)
    {
        return custom("Parent issue may not have more than 100 sub-issues");
    }
    let now = ctx.st.now();
    let r = ctx.st.repo_mut(repo).expect("checked above");
    if let Some(old) = current.and_then(|p| r.issues.get_mut(&p)) {
        old.sub_issues.retain(|n| *n != child);
        old.updated_at = now;
    }
    if let Some(c) = r.issues.get_mut(&child) {
        c.parent = Some(parent);
        c.updated_at = now;
    }
    if let Some(p) = r.issues.get_mut(&parent) {
        p.sub_issues.push(child);
        p.updated_at = now;
    }
    issue_resp(ctx.st, repo, parent, 201)
}

/// DELETE .../sub_issue: detach; answers the parent issue.
pub(crate) fn remove(ctx: &mut Ctx<'_>, repo: &str, parent: u64) -> Resp {
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&parent))
        .is_none()
    {
        return not_found();
    }
    let id = match sub_issue_id(ctx) {
        Ok(id) => id,
        Err(e) => return e,
    };
    let Some(child) = number_of(ctx, repo, id) else {
        return not_found();
    };
    let now = ctx.st.now();
    let r = ctx.st.repo_mut(repo).expect("checked above");
    if r.issues.get(&child).and_then(|i| i.parent) != Some(parent) {
        return error(404, "Not Found");
    }
    if let Some(c) = r.issues.get_mut(&child) {
        c.parent = None;
        c.updated_at = now;
    }
    if let Some(p) = r.issues.get_mut(&parent) {
        p.sub_issues.retain(|n| *n != child);
        p.updated_at = now;
    }
    issue_resp(ctx.st, repo, parent, 200)
}

pub(crate) fn list(ctx: &mut Ctx<'_>, repo: &str, parent: u64) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let Some(p) = r.issues.get(&parent) else {
        return not_found();
    };
    let items = p
        .sub_issues
        .iter()
        .filter_map(|n| r.issues.get(n))
        .map(|i| shapes::issue(st, r, i))
        .collect();
    paginate(ctx.req, items)
}

pub(crate) fn parent(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let Some(p) = ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .and_then(|i| i.parent)
    else {
        return not_found();
    };
    issue_resp(ctx.st, repo, p, 200)
}
