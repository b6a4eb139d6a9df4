//! Repository labels and the labels of an issue. Names match case-insensitively.

use serde_json::Value;

use super::Ctx;
use super::issues::names;
use crate::http_util::{
    Resp, error, missing_field, no_content_or, not_found, paginate, validation,
};
use crate::shapes;
use crate::state::Label;

fn valid_color(c: &str) -> bool {
    c.len() == 6 && c.chars().all(|ch| ch.is_ascii_hexdigit())
}

fn color_of(v: Option<&Value>) -> Result<Option<String>, Resp> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => {
            let c = s.trim_start_matches('#');
            if valid_color(c) {
                Ok(Some(c.to_string()))
            } else {
                Err(validation("Label", "color", "invalid", None))
            }
        }
        Some(_) => Err(validation("Label", "color", "invalid", None)),
    }
}

fn label_resp(ctx: &Ctx<'_>, repo: &str, id: u64, status: u16) -> Resp {
    let st = &*ctx.st;
    let Some(r) = st.repo(repo) else {
        return not_found();
    };
    match r.label_by_id(id) {
        Some(l) if status == 201 => Resp::created(shapes::label(st, r, l)),
        Some(l) => Resp::json(status, shapes::label(st, r, l)),
        None => not_found(),
    }
}

pub(crate) fn list(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let items = r.labels.iter().map(|l| shapes::label(st, r, l)).collect();
    paginate(ctx.req, items)
}

pub(crate) fn create(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let body = &ctx.req.body;
    let name = match body.get("name") {
        Some(Value::String(s)) if !s.trim().is_empty() => s.clone(),
        None | Some(Value::Null) => return missing_field("Label", "name"),
        Some(_) => return validation("Label", "name", "invalid", None),
    };
    let color = match color_of(body.get("color")) {
        Ok(c) => c.unwrap_or_else(|| crate::ops::IMPLICIT_LABEL_COLOR.to_string()),
        Err(e) => return e,
    };
    let description = body
        .get("description")
        .and_then(Value::as_str)
        .map(str::to_string);
    if description
        .as_ref()
        .is_some_and(|d| d.chars().count() > 100)
    {
        return validation("Label", "description", "invalid", None);
    }
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.label_by_name(&name))
        .is_some()
    {
        return validation("Label", "name", "already_exists", None);
    }
    let id = ctx.st.id();
    if let Some(r) = ctx.st.repo_mut(repo) {
        r.labels.push(Label {
            id,
            name,
            color,
            description,
            default: false,
        });
    }
    label_resp(ctx, repo, id, 201)
}

fn find(ctx: &Ctx<'_>, repo: &str, name: &str) -> Option<u64> {
    ctx.st.repo(repo)?.label_by_name(name).map(|l| l.id)
}

pub(crate) fn get(ctx: &mut Ctx<'_>, repo: &str, name: &str) -> Resp {
    match find(ctx, repo, name) {
        Some(id) => label_resp(ctx, repo, id, 200),
        None => not_found(),
    }
}

pub(crate) fn update(ctx: &mut Ctx<'_>, repo: &str, name: &str) -> Resp {
    let Some(id) = find(ctx, repo, name) else {
        return not_found();
    };
    let body = &ctx.req.body;
    let new_name = body
        .get("new_name")
        .and_then(Value::as_str)
        .map(str::to_string);
    if let Some(n) = &new_name {
        if n.trim().is_empty() {
            return validation("Label", "name", "invalid", None);
        }
        if ctx
            .st
            .repo(repo)
            .and_then(|r| r.label_by_name(n))
            .is_some_and(|l| l.id != id)
        {
            return validation("Label", "name", "already_exists", None);
        }
    }
    let color = match color_of(body.get("color")) {
        Ok(c) => c,
        Err(e) => return e,
    };
    let description = match body.get("description") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => return validation("Label", "description", "invalid", None),
    };
    if let Some(l) = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.labels.iter_mut().find(|l| l.id == id))
    {
        if let Some(n) = new_name {
            l.name = n;
        }
        if let Some(c) = color {
            l.color = c;
        }
        if let Some(d) = description {
            l.description = d;
        }
    }
    label_resp(ctx, repo, id, 200)
}

pub(crate) fn delete(ctx: &mut Ctx<'_>, repo: &str, name: &str) -> Resp {
    let Some(id) = find(ctx, repo, name) else {
        return not_found();
    };
    let r = ctx.st.repo_mut(repo).expect("checked by the router");
    r.labels.retain(|l| l.id != id);
    for i in r.issues.values_mut() {
        i.labels.retain(|l| *l != id);
    }
    no_content_or(true)
}

/// The labels of an issue, as a JSON array (not paginated).
fn issue_labels(ctx: &Ctx<'_>, repo: &str, number: u64) -> Option<Vec<Value>> {
    let st = &*ctx.st;
    let r = st.repo(repo)?;
    let i = r.issues.get(&number)?;
    Some(
        i.labels
            .iter()
            .filter_map(|id| r.label_by_id(*id))
            .map(|l| shapes::label(st, r, l))
            .collect(),
    )
}

pub(crate) fn list_on_issue(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    match issue_labels(ctx, repo, number) {
        Some(items) => paginate(ctx.req, items),
        None => not_found(),
    }
}

/// The label names of an add/set body: `{labels: [...]}`, `[...]` or `"name"`.
fn wanted(ctx: &Ctx<'_>) -> Result<Vec<String>, Resp> {
    let body = &ctx.req.body;
    let field = if body.is_object() {
        body.get("labels")
    } else {
        Some(body)
    };
    match names(field, "name") {
        Ok(Some(n)) => Ok(n),
        Ok(None) => Err(missing_field("Issue", "labels")),
        Err(()) => Err(validation("Issue", "labels", "invalid", None)),
    }
}

fn change_labels(ctx: &mut Ctx<'_>, repo: &str, number: u64, replace: bool) -> Resp {
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .is_none()
    {
        return not_found();
    }
    let names = match wanted(ctx) {
        Ok(n) => n,
        Err(e) => return e,
    };
    if names.iter().any(|n| n.trim().is_empty()) {
        return validation("Label", "name", "invalid", None);
    }
    let ids: Vec<u64> = names
        .iter()
        .filter_map(|n| ctx.st.ensure_label(repo, n))
        .collect();
    let now = ctx.st.now();
    if let Some(issue) = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
    {
        let before = issue.labels.clone();
        if replace {
            issue.labels.clear();
        }
        for id in ids {
            if !issue.labels.contains(&id) {
                issue.labels.push(id);
            }
        }
        if issue.labels != before {
            issue.updated_at = now;
        }
    }
    Resp::ok(Value::Array(
        issue_labels(ctx, repo, number).unwrap_or_default(),
    ))
}

pub(crate) fn add_to_issue(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    change_labels(ctx, repo, number, false)
}

pub(crate) fn set_on_issue(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    change_labels(ctx, repo, number, true)
}

pub(crate) fn clear_on_issue(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let now = ctx.st.now();
    let Some(issue) = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
    else {
        return not_found();
    };
    if !issue.labels.is_empty() {
        issue.labels.clear();
        issue.updated_at = now;
    }
    Resp::no_content()
}

pub(crate) fn remove_from_issue(ctx: &mut Ctx<'_>, repo: &str, number: u64, name: &str) -> Resp {
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .is_none()
    {
        return not_found();
    }
    let id = find(ctx, repo, name);
    let now = ctx.st.now();
    let issue = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
        .expect("checked above");
    match id {
        Some(id) if issue.labels.contains(&id) => {
            issue.labels.retain(|l| *l != id);
            issue.updated_at = now;
            Resp::ok(Value::Array(
                issue_labels(ctx, repo, number).unwrap_or_default(),
            ))
        }
        _ => error(404, "Label does not exist"),
    }
}
