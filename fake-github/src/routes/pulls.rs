//! Pull requests: create, list, get, update, reviews, merge.

use serde_json::{Value, json};

use super::Ctx;
use crate::http_util::{
    Resp, body_too_long, error, missing_field, not_found, paginate, too_long, validation,
};
use crate::pull_shapes;

fn pull_resp(ctx: &Ctx<'_>, repo: &str, number: u64, status: u16) -> Resp {
    let st = &*ctx.st;
    let Some(r) = st.repo(repo) else {
        return not_found();
    };
    match r.issues.get(&number).filter(|i| i.pull.is_some()) {
        Some(i) if status == 201 => Resp::created(pull_shapes::pull(st, r, i, true)),
        Some(i) => Resp::json(status, pull_shapes::pull(st, r, i, true)),
        None => not_found(),
    }
}

fn is_pull(ctx: &Ctx<'_>, repo: &str, number: u64) -> bool {
    ctx.st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .is_some_and(|i| i.pull.is_some())
}

pub(crate) fn create(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let req = ctx.req;
    let Some(title) = req
        .s("title")
        .filter(|t| !t.trim().is_empty())
        .map(str::to_string)
    else {
        return missing_field("PullRequest", "title");
    };
    let Some(head) = req.s("head").map(str::to_string) else {
        return missing_field("PullRequest", "head");
    };
    let Some(base) = req.s("base").map(str::to_string) else {
        return missing_field("PullRequest", "base");
    };
    let body = req.s("body").map(str::to_string);
    if body.as_deref().is_some_and(too_long) {
        return body_too_long("PullRequest");
    }
    let draft = req
        .body
        .get("draft")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let actor = ctx.actor();
    match ctx
        .st
        .open_pull(repo, &actor, &title, body.as_deref(), &head, &base, draft)
    {
        Ok((number, _)) => {
            if let Some(false) = req
                .body
                .get("maintainer_can_modify")
                .and_then(Value::as_bool)
                && let Some(p) = ctx
                    .st
                    .repo_mut(repo)
                    .and_then(|r| r.issues.get_mut(&number))
                    .and_then(|i| i.pull.as_mut())
            {
                p.maintainer_can_modify = false;
            }
            pull_resp(ctx, repo, number, 201)
        }
        Err((422, message)) => validation("PullRequest", "base", "custom", Some(&message)),
        Err((status, message)) => error(status, &message),
    }
}

pub(crate) fn get(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    pull_resp(ctx, repo, number, 200)
}

pub(crate) fn list(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let req = ctx.req;
    let state = req.q("state").unwrap_or("open");
    if !matches!(state, "open" | "closed" | "all") {
        return validation("PullRequest", "state", "invalid", None);
    }
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let mut pulls: Vec<_> = r
        .issues
        .values()
        .filter(|i| i.pull.is_some())
        .filter(|i| state == "all" || i.state == state)
        .filter(|i| {
            let p = i.pull.as_ref().expect("filtered");
            req.q("head").is_none_or(|h| {
                let branch = h.rsplit(':').next().unwrap_or(h);
                p.head_ref == branch
            }) && req.q("base").is_none_or(|b| p.base_ref == b)
        })
        .collect();
    let sort = req.q("sort").unwrap_or("created");
    if sort == "updated" {
        pulls.sort_by_key(|i| (i.updated_at, i.number));
    } else {
        pulls.sort_by_key(|i| (i.created_at, i.number));
    }
    let default_dir = if sort == "created" { "desc" } else { "asc" };
    if req.q("direction").unwrap_or(default_dir) == "desc" {
        pulls.reverse();
    }
    let items = pulls
        .iter()
        .map(|i| pull_shapes::pull(st, r, i, false))
        .collect();
    paginate(req, items)
}

pub(crate) fn update(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    if !is_pull(ctx, repo, number) {
        return not_found();
    }
    let req = ctx.req;
    let body = req.body.get("body").map(|b| b.as_str().map(str::to_string));
    if let Some(Some(b)) = &body
        && too_long(b)
    {
        return body_too_long("PullRequest");
    }
    let state = req.s("state").map(str::to_string);
    if state
        .as_deref()
        .is_some_and(|s| s != "open" && s != "closed")
    {
        return validation("PullRequest", "state", "invalid", None);
    }
    let base = req.s("base").map(str::to_string);
    if let Some(b) = &base
        && ctx.st.repo(repo).and_then(|r| r.branch_sha(b)).is_none()
    {
        return validation("PullRequest", "base", "invalid", None);
    }
    let actor = ctx.actor();
    let now = ctx.st.now();
    let issue = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
        .expect("checked above");
    let merged = issue.pull.as_ref().is_some_and(|p| p.merged_at.is_some());
    if let Some(t) = req.s("title").filter(|t| !t.trim().is_empty()) {
        issue.title = t.to_string();
    }
    if let Some(b) = body {
        issue.body = b;
    }
    match state.as_deref() {
        Some("closed") if issue.state == "open" => {
            issue.state = "closed".into();
            issue.closed_at = Some(now);
            issue.closed_by = Some(actor);
        }
        Some("open") if issue.state == "closed" && !merged => {
            issue.state = "open".into();
            issue.closed_at = None;
            issue.closed_by = None;
        }
        _ => {}
    }
    if let Some(p) = issue.pull.as_mut() {
        if let Some(b) = base {
            p.base_ref = b;
        }
        if let Some(m) = req
            .body
            .get("maintainer_can_modify")
            .and_then(Value::as_bool)
        {
            p.maintainer_can_modify = m;
        }
    }
    issue.updated_at = now;
    pull_resp(ctx, repo, number, 200)
}

pub(crate) fn list_reviews(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let Some(p) = r.issues.get(&number).and_then(|i| i.pull.as_ref()) else {
        return not_found();
    };
    let items = p
        .reviews
        .iter()
        .map(|x| pull_shapes::review(st, r, number, x))
        .collect();
    paginate(ctx.req, items)
}

pub(crate) fn create_review(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    if !is_pull(ctx, repo, number) {
        return not_found();
    }
    let req = ctx.req;
    let body = req.s("body").unwrap_or("").to_string();
    if too_long(&body) {
        return body_too_long("PullRequestReview");
    }
    let state = match req.s("event") {
        None => "PENDING",
        Some("APPROVE") => "APPROVED",
        Some("REQUEST_CHANGES") => "CHANGES_REQUESTED",
        Some("COMMENT") => "COMMENTED",
        Some(_) => return validation("PullRequestReview", "event", "invalid", None),
    };
    if matches!(state, "CHANGES_REQUESTED" | "COMMENTED") && body.trim().is_empty() {
        return simple_422(&format!(
            "Unprocessable Entity: Review body is required for {}",
            req.s("event").unwrap_or("")
        ));
    }
    let actor = ctx.actor();
    match ctx.st.review(repo, number, &actor, state, &body) {
        Ok(id) => {
            let st = &*ctx.st;
            let r = st.repo(repo).expect("checked by the router");
            let review = r
                .issues
                .get(&number)
                .and_then(|i| i.pull.as_ref())
                .and_then(|p| p.reviews.iter().find(|x| x.id == id))
                .expect("just added");
            Resp::ok(pull_shapes::review(st, r, number, review))
        }
        Err((422, message)) => simple_422(&message),
        Err((status, message)) => error(status, &message),
    }
}

/// `validation-error-simple`: a message and a list of error strings.
fn simple_422(message: &str) -> Resp {
    Resp::json(
        422,
        json!({
            "message": "Unprocessable Entity",
            "errors": [message],
            "documentation_url": "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
            "status": "422",
        }),
    )
}

pub(crate) fn merge(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    if !is_pull(ctx, repo, number) {
        return not_found();
    }
    let req = ctx.req;
    if let Some(m) = req.s("merge_method")
        && !matches!(m, "merge" | "squash" | "rebase")
    {
        return validation("PullRequest", "merge_method", "invalid", None);
    }
    let message = match (req.s("commit_title"), req.s("commit_message")) {
        (Some(t), Some(m)) => Some(format!("{t}\n\n{m}")),
        (Some(t), None) => Some(t.to_string()),
        (None, Some(m)) => Some(m.to_string()),
        (None, None) => None,
    };
    let actor = ctx.actor();
    match ctx
        .st
        .merge_pull(repo, number, &actor, req.s("sha"), message.as_deref())
    {
        Ok(sha) => Resp::ok(json!({
            "sha": sha,
            "merged": true,
            "message": "Pull Request successfully merged",
        })),
        Err((status, message)) => Resp::json(
            status,
            json!({
                "message": message,
                "documentation_url": "https://docs.github.com/rest/pulls/pulls#merge-a-pull-request",
            }),
        ),
    }
}

pub(crate) fn check_merged(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let merged = ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .and_then(|i| i.pull.as_ref())
        .is_some_and(|p| p.merged_at.is_some());
    if merged {
        Resp::no_content()
    } else {
        not_found()
    }
}
