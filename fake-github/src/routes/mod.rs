//! Routing: the path split into percent-decoded segments, matched against GitHub's paths and
//! methods. Anything that does not match is GitHub's 404 (never 501: Prism would mock a 200).

mod access;
mod branches;
mod comments;
mod contents;
mod git;
mod issues;
mod labels;
mod pulls;
mod subissues;

use http::Method;

use super::FakeGitHub;
use super::http_util::{Req, Resp, not_found, unauthorized};
use super::shapes;
use super::state::{BOT_LOGIN, State, UserKind};

/// What every route gets: the state (locked), the request and who is asking.
pub(crate) struct Ctx<'a> {
    pub st: &'a mut State,
    pub req: &'a Req,
    /// The login the token acts as (`None` without a token).
    pub viewer: Option<String>,
}

impl Ctx<'_> {
    /// The viewer's login, or `github-actions[bot]` (routes that write have checked the token).
    pub fn actor(&self) -> String {
        self.viewer.clone().unwrap_or_else(|| BOT_LOGIN.to_string())
    }
}

/// Handle one request against the state (the lock is taken and released here, no await inside).
pub(crate) fn dispatch(fake: &FakeGitHub, req: &Req) -> Resp {
    let mut st = fake.lock();
    let viewer = req.token.as_ref().map(|t| match st.tokens.get(t) {
        Some(login) => login.clone(),
        None => {
            st.ensure_user(BOT_LOGIN, Some(UserKind::Bot));
            BOT_LOGIN.to_string()
        }
    });
    let writes = !matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS);
    if writes && viewer.is_none() {
        return unauthorized();
    }
    if req.body_invalid && writes {
        return super::http_util::bad_request("Problems parsing JSON");
    }
    let mut ctx = Ctx {
        st: &mut st,
        req,
        viewer,
    };
    route(&mut ctx)
}

fn route(ctx: &mut Ctx<'_>) -> Resp {
    let segs: Vec<&str> = ctx.req.segs.iter().map(String::as_str).collect();
    let m = ctx.req.method.clone();
    match segs.as_slice() {
        ["users", login] if m == Method::GET => match ctx.st.user(login) {
            Some(_) => Resp::ok(shapes::public_user(ctx.st, login)),
            None => not_found(),
        },
        ["user"] if m == Method::GET => match ctx.viewer.clone() {
            Some(v) => Resp::ok(shapes::public_user(ctx.st, &v)),
            None => unauthorized(),
        },
        ["orgs", org, "members", login] if m == Method::GET => access::org_member(ctx, org, login),
        ["orgs", org, "teams", team, "memberships", login] if m == Method::GET => {
            access::team_membership(ctx, org, team, login)
        }
        ["repos", owner, name, rest @ ..] => {
            let key = format!("{owner}/{name}");
            if ctx.st.repo(&key).is_none() {
                return not_found();
            }
            // A write to an issue (or a pull request) leaves events for what it changed.
            let touched = match rest {
                ["issues" | "pulls", n, ..] if m != Method::GET => num(n),
                _ => None,
            };
            let before = touched.and_then(|n| ctx.st.marks(&key, n));
            let resp = repo_route(ctx, &key, &m, rest);
            if let (Some(n), Some(before)) = (touched, before) {
                let actor = ctx.actor();
                ctx.st.record_changes(&key, n, &actor, &before);
            }
            resp
        }
        _ => not_found(),
    }
}

fn num(s: &str) -> Option<u64> {
    s.parse().ok()
}

fn repo_route(ctx: &mut Ctx<'_>, repo: &str, m: &Method, rest: &[&str]) -> Resp {
    use Method as M;
    match (m, rest) {
        (&M::GET, []) => {
            let r = ctx.st.repo(repo).expect("checked");
            let mut v = shapes::full_repository(ctx.st, r);
            // GitHub adds what the authenticated caller may do.
            if let (Some(viewer), serde_json::Value::Object(m)) = (&ctx.viewer, &mut v) {
                m.insert(
                    "permissions".into(),
                    shapes::repo_permissions(&ctx.st.role(r, viewer)),
                );
            }
            Resp::ok(v)
        }
        // Issues.
        (&M::GET, ["issues"]) => issues::list(ctx, repo),
        (&M::POST, ["issues"]) => issues::create(ctx, repo),
        (&M::GET, ["issues", n]) if num(n).is_some() => issues::get(ctx, repo, num(n).unwrap_or(0)),
        (&M::PATCH, ["issues", n]) if num(n).is_some() => {
            issues::update(ctx, repo, num(n).unwrap_or(0))
        }
        (&M::POST, ["issues", n, "assignees"]) => {
            with_num(n, |n| issues::add_assignees(ctx, repo, n))
        }
        (&M::DELETE, ["issues", n, "assignees"]) => {
            with_num(n, |n| issues::remove_assignees(ctx, repo, n))
        }
        (&M::GET, ["assignees", login]) => access::check_assignee(ctx, repo, login),
        // Comments.
        (&M::GET, ["issues", "comments"]) => comments::list_repo(ctx, repo),
        (&M::GET, ["issues", "comments", id]) => with_num(id, |id| comments::get(ctx, repo, id)),
        (&M::PATCH, ["issues", "comments", id]) => {
            with_num(id, |id| comments::update(ctx, repo, id))
        }
        (&M::DELETE, ["issues", "comments", id]) => {
            with_num(id, |id| comments::delete(ctx, repo, id))
        }
        (&M::GET, ["issues", "comments", id, "reactions"]) => {
            with_num(id, |id| comments::list_comment_reactions(ctx, repo, id))
        }
        (&M::POST, ["issues", "comments", id, "reactions"]) => {
            with_num(id, |id| comments::react_comment(ctx, repo, id))
        }
        (&M::GET, ["issues", n, "comments"]) => with_num(n, |n| comments::list(ctx, repo, n)),
        (&M::GET, ["issues", n, "timeline"]) => with_num(n, |n| comments::timeline(ctx, repo, n)),
        (&M::POST, ["issues", n, "comments"]) => with_num(n, |n| comments::create(ctx, repo, n)),
        (&M::GET, ["issues", n, "reactions"]) => {
            with_num(n, |n| comments::list_issue_reactions(ctx, repo, n))
        }
        (&M::POST, ["issues", n, "reactions"]) => {
            with_num(n, |n| comments::react_issue(ctx, repo, n))
        }
        // Labels.
        (&M::GET, ["labels"]) => labels::list(ctx, repo),
        (&M::POST, ["labels"]) => labels::create(ctx, repo),
        (&M::GET, ["labels", name]) => labels::get(ctx, repo, name),
        (&M::PATCH, ["labels", name]) => labels::update(ctx, repo, name),
        (&M::DELETE, ["labels", name]) => labels::delete(ctx, repo, name),
        (&M::GET, ["issues", n, "labels"]) => with_num(n, |n| labels::list_on_issue(ctx, repo, n)),
        (&M::POST, ["issues", n, "labels"]) => with_num(n, |n| labels::add_to_issue(ctx, repo, n)),
        (&M::PUT, ["issues", n, "labels"]) => with_num(n, |n| labels::set_on_issue(ctx, repo, n)),
        (&M::DELETE, ["issues", n, "labels"]) => {
            with_num(n, |n| labels::clear_on_issue(ctx, repo, n))
        }
        (&M::DELETE, ["issues", n, "labels", name]) => {
            with_num(n, |n| labels::remove_from_issue(ctx, repo, n, name))
        }
        // Sub-issues.
        (&M::GET, ["issues", n, "sub_issues"]) => with_num(n, |n| subissues::list(ctx, repo, n)),
        (&M::POST, ["issues", n, "sub_issues"]) => with_num(n, |n| subissues::add(ctx, repo, n)),
        (&M::DELETE, ["issues", n, "sub_issue"]) => {
            with_num(n, |n| subissues::remove(ctx, repo, n))
        }
        (&M::GET, ["issues", n, "parent"]) => with_num(n, |n| subissues::parent(ctx, repo, n)),
        // Access.
        (&M::GET, ["collaborators", login, "permission"]) => access::permission(ctx, repo, login),
        (&M::GET, ["collaborators", login]) => access::check_collaborator(ctx, repo, login),
        // Contents.
        (&M::GET, ["contents", path @ ..]) if !path.is_empty() => {
            contents::get(ctx, repo, &path.join("/"))
        }
        (&M::PUT, ["contents", path @ ..]) if !path.is_empty() => {
            contents::put(ctx, repo, &path.join("/"))
        }
        (&M::DELETE, ["contents", path @ ..]) if !path.is_empty() => {
            contents::delete(ctx, repo, &path.join("/"))
        }
        // Git.
        (&M::GET, ["git", "ref", r @ ..]) if !r.is_empty() => git::get_ref(ctx, repo, &r.join("/")),
        (&M::GET, ["git", "matching-refs", r @ ..]) => git::matching_refs(ctx, repo, &r.join("/")),
        (&M::POST, ["git", "refs"]) => git::create_ref(ctx, repo),
        (&M::PATCH, ["git", "refs", r @ ..]) if !r.is_empty() => {
            git::update_ref(ctx, repo, &r.join("/"))
        }
        (&M::DELETE, ["git", "refs", r @ ..]) if !r.is_empty() => {
            git::delete_ref(ctx, repo, &r.join("/"))
        }
        // Branches (a branch name may hold slashes).
        (&M::GET, ["branches", b @ .., "protection"]) if !b.is_empty() => {
            branches::protection(ctx, repo, &b.join("/"))
        }
        (&M::GET, ["branches", b @ ..]) if !b.is_empty() => branches::get(ctx, repo, &b.join("/")),
        // Pull requests.
        (&M::GET, ["pulls"]) => pulls::list(ctx, repo),
        (&M::POST, ["pulls"]) => pulls::create(ctx, repo),
        (&M::GET, ["pulls", n]) => with_num(n, |n| pulls::get(ctx, repo, n)),
        (&M::PATCH, ["pulls", n]) => with_num(n, |n| pulls::update(ctx, repo, n)),
        (&M::GET, ["pulls", n, "reviews"]) => with_num(n, |n| pulls::list_reviews(ctx, repo, n)),
        (&M::POST, ["pulls", n, "reviews"]) => with_num(n, |n| pulls::create_review(ctx, repo, n)),
        (&M::PUT, ["pulls", n, "merge"]) => with_num(n, |n| pulls::merge(ctx, repo, n)),
        (&M::GET, ["pulls", n, "merge"]) => with_num(n, |n| pulls::check_merged(ctx, repo, n)),
        _ => not_found(),
    }
}

/// Run `f` with the numeric path parameter, or 404 when it is not a number.
fn with_num(s: &str, f: impl FnOnce(u64) -> Resp) -> Resp {
    match num(s) {
        Some(n) => f(n),
        None => not_found(),
    }
}
