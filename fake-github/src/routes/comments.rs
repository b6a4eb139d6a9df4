//! Issue comments and reactions.

use serde_json::Value;

use super::Ctx;
use crate::http_util::{
    Resp, body_too_long, missing_field, no_content_or, not_found, paginate, too_long, validation,
};
use crate::ops::Target;
use crate::shapes;

const REACTIONS: [&str; 8] = [
    "+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes",
];

fn since(ctx: &Ctx<'_>) -> Result<Option<chrono::DateTime<chrono::Utc>>, Resp> {
    match ctx.req.q("since") {
        None => Ok(None),
        Some(s) => chrono::DateTime::parse_from_rfc3339(s)
            .map(|t| Some(t.with_timezone(&chrono::Utc)))
            .map_err(|_| validation("IssueComment", "since", "invalid", None)),
    }
}

/// The `body` of a comment write: required, a string, at most 65536 characters.
fn body_of(ctx: &Ctx<'_>) -> Result<String, Resp> {
    match ctx.req.body.get("body") {
        None | Some(Value::Null) => Err(missing_field("IssueComment", "body")),
        Some(Value::String(s)) if too_long(s) => Err(body_too_long("IssueComment")),
        Some(Value::String(s)) if s.trim().is_empty() => Err(missing_field("IssueComment", "body")),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(validation("IssueComment", "body", "invalid", None)),
    }
}

fn comment_resp(ctx: &Ctx<'_>, repo: &str, id: u64, status: u16) -> Resp {
    let st = &*ctx.st;
    let Some(r) = st.repo(repo) else {
        return not_found();
    };
    match r.comments.get(&id) {
        Some(c) if status == 201 => Resp::created(shapes::comment(st, r, c)),
        Some(c) => Resp::json(status, shapes::comment(st, r, c)),
        None => not_found(),
    }
}

pub(crate) fn list(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let since = match since(ctx) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    if !r.issues.contains_key(&number) {
        return not_found();
    }
    let items = r
        .comments
        .values()
        .filter(|c| c.issue == number)
        .filter(|c| since.is_none_or(|t| c.updated_at >= t))
        .map(|c| shapes::comment(st, r, c))
        .collect();
    paginate(ctx.req, items)
}

/// GET /repos/{o}/{r}/issues/{n}/timeline: the issue's comments (`commented`) and what was done
/// to it (labels, assignees, state, title), oldest first.
pub(crate) fn timeline(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let Some(issue) = r.issues.get(&number) else {
        return not_found();
    };
    let mut items: Vec<(chrono::DateTime<chrono::Utc>, u64, Value)> = r
        .comments
        .values()
        .filter(|c| c.issue == number)
        .map(|c| (c.created_at, c.id, shapes::timeline_comment(st, r, c)))
        .collect();
    items.extend(
        issue
            .events
            .iter()
            .map(|e| (e.at, e.id, shapes::issue_event(st, r, e))),
    );
    items.sort_by_key(|(at, id, _)| (*at, *id));
    paginate(ctx.req, items.into_iter().map(|(_, _, v)| v).collect())
}

/// GET /repos/{o}/{r}/issues/comments: every comment of the repository.
pub(crate) fn list_repo(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let since = match since(ctx) {
        Ok(s) => s,
        Err(e) => return e,
    };
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let mut comments: Vec<_> = r
        .comments
        .values()
        .filter(|c| since.is_none_or(|t| c.updated_at >= t))
        .collect();
    if ctx.req.q("sort") == Some("updated") {
        comments.sort_by_key(|c| (c.updated_at, c.id));
    }
    if ctx.req.q("direction") == Some("desc") {
        comments.reverse();
    }
    let items = comments
        .into_iter()
        .map(|c| shapes::comment(st, r, c))
        .collect();
    paginate(ctx.req, items)
}

pub(crate) fn create(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .is_none()
    {
        return not_found();
    }
    let body = match body_of(ctx) {
        Ok(b) => b,
        Err(e) => return e,
    };
    let actor = ctx.actor();
    match ctx.st.new_comment(repo, number, &actor, &body) {
        Some(id) => comment_resp(ctx, repo, id, 201),
        None => not_found(),
    }
}

pub(crate) fn get(ctx: &mut Ctx<'_>, repo: &str, id: u64) -> Resp {
    comment_resp(ctx, repo, id, 200)
}

pub(crate) fn update(ctx: &mut Ctx<'_>, repo: &str, id: u64) -> Resp {
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.comments.get(&id))
        .is_none()
    {
        return not_found();
    }
    let body = match body_of(ctx) {
        Ok(b) => b,
        Err(e) => return e,
    };
    ctx.st.set_comment_body(repo, id, &body);
    comment_resp(ctx, repo, id, 200)
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, repo: &str, id: u64) -> Resp {
    no_content_or(ctx.st.remove_comment(repo, id))
}

fn content_of(ctx: &Ctx<'_>) -> Result<String, Resp> {
    match ctx.req.body.get("content").and_then(Value::as_str) {
        Some(c) if REACTIONS.contains(&c) => Ok(c.to_string()),
        Some(_) => Err(validation("Reaction", "content", "invalid", None)),
        None => Err(missing_field("Reaction", "content")),
    }
}

fn react(ctx: &mut Ctx<'_>, repo: &str, target: Target) -> Resp {
    let content = match content_of(ctx) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let actor = ctx.actor();
    match ctx.st.react(repo, target, &actor, &content) {
        Some((reaction, new)) => {
            let v = shapes::reaction(ctx.st, &reaction);
            Resp::json(if new { 201 } else { 200 }, v)
        }
        None => not_found(),
    }
}

pub(crate) fn react_comment(ctx: &mut Ctx<'_>, repo: &str, id: u64) -> Resp {
    react(ctx, repo, Target::Comment(id))
}

pub(crate) fn react_issue(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    react(ctx, repo, Target::Issue(number))
}

fn list_reactions(ctx: &mut Ctx<'_>, repo: &str, target: Target) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let list = match target {
        Target::Issue(n) => r.issues.get(&n).map(|i| &i.reactions),
        Target::Comment(c) => r.comments.get(&c).map(|c| &c.reactions),
    };
    let Some(list) = list else {
        return not_found();
    };
    let filter = ctx.req.q("content");
    let items = list
        .iter()
        .filter(|x| filter.is_none_or(|f| x.content == f))
        .map(|x| shapes::reaction(st, x))
        .collect();
    paginate(ctx.req, items)
}

pub(crate) fn list_comment_reactions(ctx: &mut Ctx<'_>, repo: &str, id: u64) -> Resp {
    list_reactions(ctx, repo, Target::Comment(id))
}

pub(crate) fn list_issue_reactions(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    list_reactions(ctx, repo, Target::Issue(number))
}
