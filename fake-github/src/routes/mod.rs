//! Routing: the path split into percent-decoded segments, matched against GitHub's paths and
//! methods. Anything that does not match is GitHub's 404 (never 501: Prism would mock a 200).

mod access;
mod app;
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
use super::apps::Credential;
use super::http_util::{Req, Resp, error, not_found, unauthorized};
use super::shapes;
use super::state::{BOT_LOGIN, State};

/// What every route gets: the state (locked), the request and who is asking.
pub(crate) struct Ctx<'a> {
    pub st: &'a mut State,
    pub req: &'a Req,
    /// The login the token acts as (`None` without a token, or for an App's JWT).
    pub viewer: Option<String>,
    /// What the credential is.
    pub credential: Credential,
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
    let credential = st.credential(req.token.as_deref());
    let viewer = match &credential {
        Credential::Refused(message) => return error(401, message),
        Credential::None | Credential::App(_) => None,
        Credential::User(login) | Credential::Installation { login, .. } => Some(login.clone()),
    };
    let writes = !matches!(req.method, Method::GET | Method::HEAD | Method::OPTIONS);
    let app_route = req.segs.first().is_some_and(|s| s == "app");
    if writes && viewer.is_none() && !app_route {
        return unauthorized();
    }
    if req.body_invalid && writes {
        return super::http_util::bad_request("Problems parsing JSON");
    }
    let mut ctx = Ctx {
        st: &mut st,
        req,
        viewer,
        credential,
    };
    if req.segs.len() == 1 && req.segs[0] == "graphql" && req.method == Method::POST {
        // GraphQL spends its own budget and says so in its own headers.
        return super::graphql::handle(&mut ctx);
    }
    let resp = conditional(req, route(&mut ctx));
    rate_limit(ctx.st, &ctx.credential, resp)
}

/// A GET answered 200 carries an `ETag` (a hash of its body); when the request's
/// `If-None-Match` names it, the answer is `304 Not Modified` without a body.
fn conditional(req: &Req, resp: Resp) -> Resp {
    if req.method != Method::GET || resp.status != 200 {
        return resp;
    }
    let Some(body) = &resp.body else {
        return resp;
    };
    let etag = format!(
        "\"{}\"",
        super::state::hex_sha(&serde_json::to_string(body).unwrap_or_default())
    );
    let matches = req.if_none_match.as_deref().is_some_and(|wanted| {
        wanted
            .split(',')
            .any(|w| w.trim().trim_start_matches("W/") == etag || w.trim() == "*")
    });
    if matches {
        let mut not_modified = Resp::no_content().header("etag", etag);
        not_modified.status = 304;
        return not_modified;
    }
    resp.header("etag", etag)
}

/// Installation tokens count against their installation's rate limit (5,000 an hour), except
/// a `304 Not Modified`, as on GitHub; the answer says how many remain.
fn rate_limit(st: &mut State, credential: &Credential, resp: Resp) -> Resp {
    const LIMIT: u64 = 5000;
    let Credential::Installation { id, .. } = credential else {
        return resp;
    };
    let used = st.apps.used.entry(*id).or_insert(0);
    if resp.status != 304 {
        *used += 1;
    }
    let used = *used;
    let reset = (chrono::Utc::now().timestamp() + 3600).to_string();
    resp.header("x-ratelimit-limit", LIMIT.to_string())
        .header(
            "x-ratelimit-remaining",
            LIMIT.saturating_sub(used).to_string(),
        )
        .header("x-ratelimit-used", used.to_string())
        .header("x-ratelimit-reset", reset)
        .header("x-ratelimit-resource", "core")
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
        ["orgs", org, "teams", team] if m == Method::GET => access::team(ctx, org, team),
        ["orgs", org, "teams", team, "memberships", login] if m == Method::GET => {
            access::team_membership(ctx, org, team, login)
        }
        ["app"] if m == Method::GET => app::get_app(ctx),
        ["app", "installations"] if m == Method::GET => app::list_installations(ctx),
        ["app", "installations", id, "access_tokens"] if m == Method::POST => {
            with_num(id, |id| app::create_token(ctx, id))
        }
        ["app", "hook", "deliveries"] if m == Method::GET => app::list_deliveries(ctx),
        ["app", "hook", "deliveries", id, "attempts"] if m == Method::POST => {
            with_num(id, |id| app::redeliver(ctx, id))
        }
        ["installation", "repositories"] if m == Method::GET => app::installation_repositories(ctx),
        ["repos", owner, name, rest @ ..] => {
            let key = format!("{owner}/{name}");
            if ctx.st.repo(&key).is_none() {
                return not_found();
            }
            // An installation token reaches its installation's repositories only.
            if let Credential::Installation { id, .. } = ctx.credential
                && !ctx.st.installation_reaches(id, &key)
            {
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
