//! Git references.

use serde_json::{Value, json};

use super::Ctx;
use crate::http_util::{Resp, error, missing_field, no_content_or, not_found, paginate};
use crate::shapes::{node_id, seg};
use crate::state::{Repo, State, hex_sha};

/// The `git-ref` JSON for a full ref name.
pub(crate) fn ref_json(st: &State, r: &Repo, full: &str, sha: &str) -> Value {
    let api = format!("{}/repos/{}", st.server_url, r.full_name());
    let enc: Vec<String> = full.split('/').map(seg).collect();
    let id = u64::from_str_radix(&hex_sha(full)[..12], 16).unwrap_or(0);
    json!({
        "ref": full,
        "node_id": node_id("REF", id),
        "url": format!("{api}/git/{}", enc.join("/")),
        "object": {
            "type": "commit",
            "sha": sha,
            "url": format!("{api}/git/commits/{sha}"),
        },
    })
}

/// 422 with a plain message, as GitHub answers for git ref errors.
fn unprocessable(message: &str) -> Resp {
    error(422, message)
}

pub(crate) fn get_ref(ctx: &mut Ctx<'_>, repo: &str, reference: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let full = format!("refs/{}", reference.trim_start_matches("refs/"));
    match r.refs.get(&full) {
        Some(sha) => Resp::ok(ref_json(st, r, &full, sha)),
        None => not_found(),
    }
}

pub(crate) fn matching_refs(ctx: &mut Ctx<'_>, repo: &str, prefix: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    let prefix = format!("refs/{}", prefix.trim_start_matches("refs/"));
    let items = r
        .refs
        .iter()
        .filter(|(name, _)| name.starts_with(&prefix))
        .map(|(name, sha)| ref_json(st, r, name, sha))
        .collect();
    paginate(ctx.req, items)
}

pub(crate) fn create_ref(ctx: &mut Ctx<'_>, repo: &str) -> Resp {
    let Some(full) = ctx.req.s("ref").map(str::to_string) else {
        return missing_field("Reference", "ref");
    };
    let Some(sha) = ctx.req.s("sha").map(str::to_string) else {
        return missing_field("Reference", "sha");
    };
    if !full.starts_with("refs/") || full.matches('/').count() < 2 || full.ends_with('/') {
        return unprocessable("Reference name is invalid");
    }
    let r = ctx.st.repo_mut(repo).expect("checked by the router");
    if !r.commits.contains_key(&sha) {
        return unprocessable("Object does not exist");
    }
    if r.refs.contains_key(&full) {
        return unprocessable("Reference already exists");
    }
    r.refs.insert(full.clone(), sha.clone());
    let r = ctx.st.repo(repo).expect("checked by the router");
    Resp::created(ref_json(ctx.st, r, &full, &sha))
}

/// Is `ancestor` reachable from `sha` through first parents?
fn descends(r: &Repo, sha: &str, ancestor: &str) -> bool {
    let mut cur = Some(sha.to_string());
    while let Some(c) = cur {
        if c == ancestor {
            return true;
        }
        cur = r.commits.get(&c).and_then(|x| x.parent.clone());
    }
    false
}

pub(crate) fn update_ref(ctx: &mut Ctx<'_>, repo: &str, reference: &str) -> Resp {
    let Some(sha) = ctx.req.s("sha").map(str::to_string) else {
        return missing_field("Reference", "sha");
    };
    let force = ctx
        .req
        .body
        .get("force")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    let full = format!("refs/{}", reference.trim_start_matches("refs/"));
    let r = ctx.st.repo_mut(repo).expect("checked by the router");
    let Some(cur) = r.refs.get(&full).cloned() else {
        return unprocessable("Reference does not exist");
    };
    if !r.commits.contains_key(&sha) {
        return unprocessable("Object does not exist");
    }
    if !force && !descends(r, &sha, &cur) {
        return unprocessable("Update is not a fast forward");
    }
    r.refs.insert(full.clone(), sha.clone());
    let r = ctx.st.repo(repo).expect("checked by the router");
    Resp::ok(ref_json(ctx.st, r, &full, &sha))
}

pub(crate) fn delete_ref(ctx: &mut Ctx<'_>, repo: &str, reference: &str) -> Resp {
    let full = format!("refs/{}", reference.trim_start_matches("refs/"));
    let r = ctx.st.repo_mut(repo).expect("checked by the router");
    if r.refs.remove(&full).is_none() {
        return unprocessable("Reference does not exist");
    }
    no_content_or(true)
}
