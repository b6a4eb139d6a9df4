//! Issues: create, list, get, update; assignees.

use serde_json::Value;

use super::Ctx;
use crate::http_util::{
    Resp, body_too_long, missing_field, not_found, paginate, too_long, validation,
};
use crate::shapes;
use crate::state::State;

/// The issue JSON, or 404.
pub(crate) fn issue_resp(st: &State, repo: &str, number: u64, status: u16) -> Resp {
    let Some(r) = st.repo(repo) else {
        return not_found();
    };
    match r.issues.get(&number) {
        Some(i) => {
            let v = shapes::issue(st, r, i);
            if status == 201 {
                Resp::created(v)
            } else {
                Resp::json(status, v)
            }
        }
        None => not_found(),
    }
}

/// A list of names from a body field: strings, or objects with `name` (labels) / `login`
/// (assignees). `Err` when the field has the wrong type.
pub(crate) fn names(v: Option<&Value>, key: &str) -> Result<Option<Vec<String>>, ()> {
    match v {
        None | Some(Value::Null) => Ok(None),
        Some(Value::String(s)) => Ok(Some(vec![s.clone()])),
        Some(Value::Array(items)) => items
            .iter()
            .map(|i| match i {
                Value::String(s) => Ok(s.clone()),
                Value::Object(o) => o
                    .get(key)
                    .and_then(Value::as_str)
                    .map(str::to_string)
                    .ok_or(()),
                _ => Err(()),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
        Some(_) => Err(()),
    }
}

fn title_of(v: Option<&Value>) -> Option<String> {
    match v {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn create(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let body = &ctx.req.body;
    let Some(title) = title_of(body.get("title")).filter(|t| !t.trim().is_empty()) else {
        return missing_field("Issue", "title");
    };
    let text = match body.get("body") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s.clone()),
        Some(_) => return validation("Issue", "body", "invalid", None),
    };
    if text.as_deref().is_some_and(too_long) {
        return body_too_long("Issue");
    }
    let Ok(mut labels) = names(body.get("labels"), "name") else {
        return validation("Issue", "labels", "invalid", None);
    };
    let Ok(mut assignees) = names(body.get("assignees"), "login") else {
        return validation("Issue", "assignees", "invalid", None);
    };
    if let Some(a) = body.get("assignee").and_then(Value::as_str) {
        assignees.get_or_insert_with(Vec::new).push(a.to_string());
    }
    let actor = ctx.actor();
    // GitHub silently drops labels and assignees from people without push (or triage) access.
    let can_triage = ctx.st.repo(repo).is_some_and(|r| {
        matches!(
            ctx.st.role(r, &actor).as_str(),
            "admin" | "maintain" | "write" | "triage"
        )
    });
    if !can_triage {
        labels = None;
        assignees = None;
    }
    match ctx.st.new_issue(
        repo,
        &actor,
        &title,
        text.as_deref(),
        &labels.unwrap_or_default(),
        &assignees.unwrap_or_default(),
    ) {
        Some((number, _)) => issue_resp(ctx.st, repo, number, 201),
        None => not_found(),
    }
}

pub(crate) fn get(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    issue_resp(ctx.st, repo, number, 200)
}

fn parse_time(s: &str) -> Option<chrono::DateTime<chrono::Utc>> {
    chrono::DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&chrono::Utc))
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|t| t.and_utc())
        })
}

pub(crate) fn list(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let req = ctx.req;
    let state = req.q("state").unwrap_or("open");
    if !matches!(state, "open" | "closed" | "all") {
        return validation("Issue", "state", "invalid", None);
    }
    let since = match req.q("since") {
        Some(s) => match parse_time(s) {
            Some(t) => Some(t),
            None => return validation("Issue", "since", "invalid", None),
        },
        None => None,
    };
    let wanted_labels: Vec<String> = req
        .q("labels")
        .map(|l| {
            l.split(',')
                .map(|s| s.trim().to_lowercase())
                .filter(|s| !s.is_empty())
                .collect()
        })
        .unwrap_or_default();
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let mut issues: Vec<_> = r
        .issues
        .values()
        .filter(|i| state == "all" || i.state == state)
        .filter(|i| {
            let names: Vec<String> = i
                .labels
                .iter()
                .filter_map(|id| r.label_by_id(*id))
                .map(|l| l.name.to_lowercase())
                .collect();
            wanted_labels.iter().all(|w| names.contains(w))
        })
        .filter(|i| {
            req.q("creator")
                .is_none_or(|c| i.user.eq_ignore_ascii_case(c))
        })
        .filter(|i| match req.q("assignee") {
            None => true,
            Some("none") => i.assignees.is_empty(),
            Some("*") => !i.assignees.is_empty(),
            Some(a) => i.assignees.iter().any(|x| x.eq_ignore_ascii_case(a)),
        })
        .filter(|i| since.is_none_or(|t| i.updated_at >= t))
        .collect();
    match req.q("sort").unwrap_or("created") {
        "updated" => issues.sort_by_key(|i| (i.updated_at, i.number)),
        "comments" => issues.sort_by_key(|i| (r.comment_count(i.number), i.number)),
        _ => issues.sort_by_key(|i| (i.created_at, i.number)),
    }
    if req.q("direction").unwrap_or("desc") != "asc" {
        issues.reverse();
    }
    let items = issues.iter().map(|i| shapes::issue(st, r, i)).collect();
    paginate(req, items)
}

pub(crate) fn update(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let body = ctx.req.body.clone();
    if !body.is_object() && !body.is_null() {
        return validation("Issue", "body", "invalid", None);
    }
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .is_none()
    {
        return not_found();
    }
    // Validate everything before changing anything.
    let title = match body.get("title") {
        None | Some(Value::Null) => None,
        v => match title_of(v) {
            Some(t) if !t.trim().is_empty() => Some(t),
            _ => return validation("Issue", "title", "invalid", None),
        },
    };
    let text = match body.get("body") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s.clone())),
        Some(_) => return validation("Issue", "body", "invalid", None),
    };
    if let Some(Some(t)) = &text
        && too_long(t)
    {
        return body_too_long("Issue");
    }
    let state = match body.get("state") {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) if s == "open" || s == "closed" => Some(s.clone()),
        Some(_) => return validation("Issue", "state", "invalid", None),
    };
    let reason = match body.get("state_reason") {
        None => None,
        Some(Value::Null) => Some(None),
        Some(Value::String(s))
            if matches!(
                s.as_str(),
                "completed" | "not_planned" | "reopened" | "duplicate"
            ) =>
        {
            Some(Some(s.clone()))
        }
        Some(_) => return validation("Issue", "state_reason", "invalid", None),
    };
    let Ok(labels) = names(body.get("labels"), "name") else {
        return validation("Issue", "labels", "invalid", None);
    };
    let Ok(mut assignees) = names(body.get("assignees"), "login") else {
        return validation("Issue", "assignees", "invalid", None);
    };
    match body.get("assignee") {
        Some(Value::String(a)) => assignees.get_or_insert_with(Vec::new).push(a.clone()),
        Some(Value::Null) if assignees.is_none() => assignees = Some(Vec::new()),
        _ => {}
    }

    let label_ids: Option<Vec<u64>> = labels.map(|ls| {
        let mut ids: Vec<u64> = Vec::new();
        for l in ls {
            if let Some(id) = ctx.st.ensure_label(repo, &l)
                && !ids.contains(&id)
            {
                ids.push(id);
            }
        }
        ids
    });
    let assignees = assignees.map(|a| ctx.st.filter_assignable(repo, &a, Some(number)));
    let actor = ctx.actor();
    let now = ctx.st.now();
    let Some(issue) = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
    else {
        return not_found();
    };
    if let Some(t) = title {
        issue.title = t;
    }
    if let Some(t) = text
        && t != issue.body
    {
        issue.body = t;
        issue.edited_at = Some(now);
    }
    if let Some(ids) = label_ids {
        issue.labels = ids;
    }
    if let Some(a) = assignees {
        issue.assignees = a;
    }
    match state.as_deref() {
        Some("closed") if issue.state != "closed" => {
            issue.state = "closed".into();
            issue.closed_at = Some(now);
            issue.closed_by = Some(actor);
            issue.state_reason = Some(
                reason
                    .clone()
                    .flatten()
                    .filter(|r| r != "reopened")
                    .unwrap_or_else(|| "completed".into()),
            );
        }
        Some("open") if issue.state != "open" => {
            issue.state = "open".into();
            issue.closed_at = None;
            issue.closed_by = None;
            issue.state_reason = Some("reopened".into());
        }
        _ => {
            if let Some(r) = reason {
                issue.state_reason = r;
            }
        }
    }
    issue.updated_at = now;
    issue_resp(ctx.st, repo, number, 200)
}

pub(crate) fn add_assignees(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let Ok(wanted) = names(ctx.req.body.get("assignees"), "login") else {
        return validation("Issue", "assignees", "invalid", None);
    };
    if ctx
        .st
        .repo(repo)
        .and_then(|r| r.issues.get(&number))
        .is_none()
    {
        return not_found();
    }
    let add = ctx
        .st
        .filter_assignable(repo, &wanted.unwrap_or_default(), Some(number));
    let now = ctx.st.now();
    if let Some(issue) = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
    {
        let mut changed = false;
        for a in add {
            if !issue.assignees.iter().any(|x| x.eq_ignore_ascii_case(&a))
                && issue.assignees.len() < 10
            {
                issue.assignees.push(a);
                changed = true;
            }
        }
        if changed {
            issue.updated_at = now;
        }
    }
    issue_resp(ctx.st, repo, number, 201)
}

pub(crate) fn remove_assignees(ctx: &mut Ctx<'_>, repo: &str, number: u64) -> Resp {
    let Ok(wanted) = names(ctx.req.body.get("assignees"), "login") else {
        return validation("Issue", "assignees", "invalid", None);
    };
    let wanted = wanted.unwrap_or_default();
    let now = ctx.st.now();
    let Some(issue) = ctx
        .st
        .repo_mut(repo)
        .and_then(|r| r.issues.get_mut(&number))
    else {
        return not_found();
    };
    let before = issue.assignees.len();
    issue
        .assignees
        .retain(|a| !wanted.iter().any(|w| w.eq_ignore_ascii_case(a)));
    if issue.assignees.len() != before {
        issue.updated_at = now;
    }
    issue_resp(ctx.st, repo, number, 200)
}
