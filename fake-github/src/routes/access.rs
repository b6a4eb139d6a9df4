//! Who may do what: collaborator permission, collaborators, assignees, org and team membership.

use serde_json::{Value, json};

use super::Ctx;
use crate::http_util::{Resp, no_content_or, not_found};
use crate::shapes;

/// The coarse permission GitHub reports for a fine-grained role.
fn coarse(role: &str) -> &'static str {
    match role {
        "admin" => "admin",
        "maintain" | "write" => "write",
        "triage" | "read" => "read",
        _ => "none",
    }
}

pub(crate) fn permission(ctx: &mut Ctx<'_>, repo: &str, login: &str) -> Resp {
    let st = &*ctx.st;
    let Some(user) = st.user(login) else {
        return not_found();
    };
    let r = st.repo(repo).expect("checked by the router");
    let mut role = st.role(r, &user.login);
    // On a public repository GitHub answers `read` for every user, collaborator or not.
    if role == "none" && !r.private {
        role = "read".to_string();
    }
    let rank = |x: &str| match x {
        "admin" => 5,
        "maintain" => 4,
        "write" => 3,
        "triage" => 2,
        "read" => 1,
        _ => 0,
    };
    let level = rank(&role);
    let mut u = shapes::simple_user(st, &user.login);
    if let Value::Object(m) = &mut u {
        m.insert("role_name".into(), json!(role));
        m.insert(
            "permissions".into(),
            json!({
                "admin": level >= 5,
                "maintain": level >= 4,
                "push": level >= 3,
                "triage": level >= 2,
                "pull": level >= 1,
            }),
        );
    }
    Resp::ok(json!({
        "permission": coarse(&role),
        "role_name": role,
        "user": u,
    }))
}

pub(crate) fn check_collaborator(ctx: &mut Ctx<'_>, repo: &str, login: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    no_content_or(st.user(login).is_some() && st.role(r, login) != "none")
}

pub(crate) fn check_assignee(ctx: &mut Ctx<'_>, repo: &str, login: &str) -> Resp {
    let st = &*ctx.st;
    let r = st.repo(repo).expect("checked by the router");
    no_content_or(st.assignable(r, login, None))
}

pub(crate) fn org_member(ctx: &mut Ctx<'_>, org: &str, login: &str) -> Resp {
    no_content_or(ctx.st.is_org_member(org, login))
}

pub(crate) fn team_membership(ctx: &mut Ctx<'_>, org: &str, team: &str, login: &str) -> Resp {
    let member = ctx
        .st
        .teams
        .get(&(org.to_lowercase(), team.to_lowercase()))
        .is_some_and(|m| m.contains(&login.to_lowercase()));
    if !member {
        return not_found();
    }
    Resp::ok(json!({
        "url": format!(
            "{}/orgs/{}/teams/{}/memberships/{}",
            ctx.st.server_url,
            shapes::seg(org),
            shapes::seg(team),
            shapes::seg(login)
        ),
        "role": "member",
        "state": "active",
    }))
}

/// GET /orgs/{org}/teams/{team_slug}: a team exists once it has a member.
pub(crate) fn team(ctx: &mut Ctx<'_>, org: &str, team: &str) -> Resp {
    let Some(members) = ctx.st.teams.get(&(org.to_lowercase(), team.to_lowercase())) else {
        return not_found();
    };
    Resp::ok(shapes::team(ctx.st, org, team, members.len()))
}
