//! The App's own endpoints: `GET /app`, installations and their tokens, the repositories an
//! installation reaches, the webhook delivery log and redelivery. Shapes as GitHub's OpenAPI
//! description (`integration`, `installation`, `installation-token`, `repository`,
//! `hook-delivery-item`).

use serde_json::{Value, json};

use super::Ctx;
use crate::apps::{App, Credential, Installation};
use crate::http_util::{Resp, error, not_found, paginate};
use crate::shapes::{self, node_id};
use crate::state::{State, ts};

/// What every installation of a fake App may do (Firebreak's least privilege).
fn permissions() -> Value {
    json!({
        "contents": "write",
        "issues": "write",
        "members": "read",
        "metadata": "read",
        "pull_requests": "write",
    })
}

fn events() -> Value {
    json!([
        "issue_comment",
        "issues",
        "pull_request",
        "pull_request_review",
        "repository_dispatch"
    ])
}

/// The App the request's JWT belongs to, or GitHub's 401.
fn app_of(ctx: &Ctx<'_>) -> Result<App, Resp> {
    match &ctx.credential {
        Credential::App(id) => ctx
            .st
            .apps
            .apps
            .get(id)
            .cloned()
            .ok_or_else(|| error(401, "Integration not found")),
        _ => Err(error(401, "A JSON web token could not be decoded")),
    }
}

/// `integration`.
fn integration(st: &State, app: &App) -> Value {
    let installations = st
        .apps
        .installations
        .values()
        .filter(|i| i.app_id == app.id)
        .count();
    json!({
        "id": app.id,
        "slug": app.slug,
        "node_id": node_id("A", app.id),
        "client_id": format!("Iv1.fake{:08}", app.id),
        "owner": shapes::simple_user(st, &app.owner),
        "name": app.name,
        "description": Value::Null,
        "external_url": format!("{}/{}", st.html_url, app.owner),
        "html_url": format!("{}/apps/{}", st.html_url, app.slug),
        "created_at": ts(app.created_at),
        "updated_at": ts(app.created_at),
        "permissions": permissions(),
        "events": events(),
        "installations_count": installations,
    })
}

/// `installation`.
fn installation(st: &State, app: &App, i: &Installation) -> Value {
    let account_id = st.user(&i.account).map_or(0, |u| u.id);
    let target_type = st.user(&i.account).map_or("User", |u| u.kind.as_str());
    // The description's account is `allOf: [simple-user, enterprise]` (or null): the account
    // carries the fields of both.
    let mut account = shapes::simple_user(st, &i.account);
    if let Value::Object(map) = &mut account {
        let created = st
            .user(&i.account)
            .map_or_else(|| ts(i.created_at), |u| ts(u.created_at));
        map.insert("name".into(), json!(i.account));
        map.insert("slug".into(), json!(i.account.to_lowercase()));
        map.insert("description".into(), Value::Null);
        map.insert("website_url".into(), Value::Null);
        map.insert("created_at".into(), json!(created));
        map.insert("updated_at".into(), json!(created));
    }
    json!({
        "id": i.id,
        "account": account,
        "repository_selection": "selected",
        "access_tokens_url": format!("{}/app/installations/{}/access_tokens", st.server_url, i.id),
        "repositories_url": format!("{}/installation/repositories", st.server_url),
        "html_url": format!("{}/settings/installations/{}", st.html_url, i.id),
        "app_id": app.id,
        "client_id": format!("Iv1.fake{:08}", app.id),
        "target_id": account_id,
        "target_type": target_type,
        "permissions": permissions(),
        "events": events(),
        "created_at": ts(i.created_at),
        "updated_at": ts(i.created_at),
        "single_file_name": Value::Null,
        "has_multiple_single_files": false,
        "single_file_paths": [],
        "app_slug": app.slug,
        "suspended_by": if i.suspended { shapes::simple_user(st, &app.owner) } else { Value::Null },
        "suspended_at": if i.suspended { json!(ts(i.created_at)) } else { Value::Null },
    })
}

/// `GET /app`.
pub(crate) fn get_app(ctx: &mut Ctx<'_>) -> Resp {
    match app_of(ctx) {
        Ok(app) => Resp::ok(integration(ctx.st, &app)),
        Err(resp) => resp,
    }
}

/// `GET /app/installations`.
pub(crate) fn list_installations(ctx: &mut Ctx<'_>) -> Resp {
    let app = match app_of(ctx) {
        Ok(app) => app,
        Err(resp) => return resp,
    };
    let st = &*ctx.st;
    let items = st
        .apps
        .installations
        .values()
        .filter(|i| i.app_id == app.id)
        .map(|i| installation(st, &app, i))
        .collect();
    paginate(ctx.req, items)
}

/// `POST /app/installations/{id}/access_tokens`.
pub(crate) fn create_token(ctx: &mut Ctx<'_>, id: u64) -> Resp {
    let app = match app_of(ctx) {
        Ok(app) => app,
        Err(resp) => return resp,
    };
    let Some(inst) = ctx.st.apps.installations.get(&id).cloned() else {
        return not_found();
    };
    if inst.app_id != app.id {
        return not_found();
    }
    if inst.suspended {
        return error(403, "This installation has been suspended");
    }
    let (token, expires_at) = ctx.st.mint(id);
    Resp::json(
        201,
        json!({
            "token": token,
            "expires_at": ts(expires_at),
            "permissions": permissions(),
            "repository_selection": "selected",
        }),
    )
}

/// `GET /installation/repositories`.
pub(crate) fn installation_repositories(ctx: &mut Ctx<'_>) -> Resp {
    let Credential::Installation { id, .. } = ctx.credential else {
        return error(401, "Requires authentication");
    };
    let st = &*ctx.st;
    let Some(inst) = st.apps.installations.get(&id) else {
        return error(401, "Bad credentials");
    };
    let repos: Vec<Value> = inst
        .repos
        .iter()
        .filter_map(|name| st.repo(name))
        .map(|r| shapes::full_repository(st, r))
        .collect();
    let total = repos.len();
    let mut page = paginate(ctx.req, repos);
    page.body = Some(json!({
        "total_count": total,
        "repositories": page.body.take().unwrap_or(Value::Array(Vec::new())),
        "repository_selection": "selected",
    }));
    page
}

/// `GET /app/hook/deliveries`: newest first, `cursor` pagination like GitHub's.
pub(crate) fn list_deliveries(ctx: &mut Ctx<'_>) -> Resp {
    let app = match app_of(ctx) {
        Ok(app) => app,
        Err(resp) => return resp,
    };
    let per_page = ctx
        .req
        .q("per_page")
        .and_then(|p| p.parse::<usize>().ok())
        .map_or(30, |p| p.clamp(1, 100));
    let before = ctx
        .req
        .q("cursor")
        .and_then(|c| c.strip_prefix("v1_"))
        .and_then(|c| c.parse::<u64>().ok());
    let st = &*ctx.st;
    let mut all: Vec<&crate::webhooks::DeliveryRecord> = st
        .deliveries
        .iter()
        .filter(|d| d.app_id == app.id && before.is_none_or(|b| d.id < b))
        .collect();
    all.sort_by_key(|d| std::cmp::Reverse(d.id));
    let more = all.len() > per_page;
    let items: Vec<Value> = all.iter().take(per_page).map(|d| d.item()).collect();
    let mut resp = Resp::ok(Value::Array(items));
    if more && let Some(last) = all.get(per_page - 1) {
        let origin = ctx.req.link_base.clone().unwrap_or_else(|| {
            format!("http://{}", ctx.req.host.as_deref().unwrap_or("127.0.0.1"))
        });
        resp = resp.header(
            "link",
            format!(
                "<{origin}/app/hook/deliveries?per_page={per_page}&cursor=v1_{}>; rel=\"next\"",
                last.id
            ),
        );
    }
    resp
}

/// `POST /app/hook/deliveries/{id}/attempts`: the delivery is sent again (same guid).
pub(crate) fn redeliver(ctx: &mut Ctx<'_>, id: u64) -> Resp {
    let app = match app_of(ctx) {
        Ok(app) => app,
        Err(resp) => return resp,
    };
    let Some(record) = ctx
        .st
        .deliveries
        .iter()
        .find(|d| d.id == id && d.app_id == app.id)
        .cloned()
    else {
        return not_found();
    };
    let Some(url) = app.hook_url.clone() else {
        return error(422, "The App has no webhook URL");
    };
    ctx.st.outbox.push(crate::webhooks::Outgoing {
        url,
        secret: app.secret.clone(),
        record,
    });
    Resp::json(202, json!({}))
}
