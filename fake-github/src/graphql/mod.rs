//! GitHub's GraphQL API, `POST /graphql`, for the operations Firebreak sends.
//!
//! The document is parsed and run by a small executor ([`exec`]) against the same state the REST
//! routes serve, so a write through either is seen through both. Answers are shaped as
//! GitHub's: `data` with the fields asked for (aliases, fragments), resolver errors beside the
//! data with their `type` (`NOT_FOUND`, `FORBIDDEN`, …) and `path`, a document that names a
//! field the schema lacks refused whole (`undefinedField`), a body that is not GraphQL answered
//! with a parse error. Every query spends rate-limit points from the caller's GraphQL budget
//! (5,000 an hour, counted apart from REST's), computed as GitHub does before running; an
//! exhausted budget answers `RATE_LIMITED`. The `x-ratelimit-*` headers say `graphql`.
//!
//! Types served: `Query` (`rateLimit`, `viewer`, `repository`, `organization`, `user`, `node`,
//! `nodes`, `repositoryOwner`), `User`/`Organization`/`Bot`, `Repository`, connections, Projects
//! (v2) and their mutations (`projects.rs`, `project_edits.rs`). A type or field not
//! modelled is refused like one the schema lacks, never answered with made-up data.

mod account;
mod connection;
mod exec;
mod git_object;
mod issue;
mod project_edits;
pub(crate) mod projects;
mod repository;
mod root;

use std::collections::HashMap;
use std::rc::Rc;

use serde_json::{Map, Value, json};

pub use project_edits::ProjectItemView;

use crate::http_util::Resp;
use crate::routes::Ctx;

/// The GraphQL budget: points per hour, and what each caller has spent.
#[derive(Debug, Clone)]
pub(crate) struct Budget {
    pub limit: u64,
    /// `installation:<id>` or `user:<login>` → points used this hour.
    pub used: HashMap<String, u64>,
    /// Fields made to fail (tests): `(type, field)` → `Some(kind)`, a resolver error of that
    /// type beside the data; `None`, the field does not exist (a GitHub Enterprise Server
    /// whose schema lacks it). Honoured by the issue's types ([`issue`]).
    pub field_faults: HashMap<(String, String), Option<String>>,
}

impl Default for Budget {
    fn default() -> Self {
        Budget {
            limit: 5000,
            used: HashMap::new(),
            field_faults: HashMap::new(),
        }
    }
}

/// Answer one `POST /graphql`.
pub(crate) fn handle(ctx: &mut Ctx<'_>) -> Resp {
    let Some(text) = ctx.req.s("query").map(str::to_string) else {
        return errors(vec![json!({
            "message": "A query attribute must be specified and must be a string."
        })]);
    };
    let doc = match graphql_parser::parse_query::<String>(&text) {
        Ok(doc) => doc,
        Err(e) => {
            return errors(vec![json!({
                "message": format!("Parse error: {}", e.to_string().trim()),
            })]);
        }
    };
    let variables = match ctx.req.body.get("variables") {
        Some(Value::Object(map)) => map.clone(),
        _ => Map::new(),
    };
    let operation_name = ctx
        .req
        .s("operationName")
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let prepared = match exec::prepare(&doc, operation_name.as_deref(), &variables) {
        Ok(p) => p,
        Err(list) => return errors(list),
    };

    let key = root::budget_key(&ctx.credential, &ctx.actor());
    let limit = ctx.st.graphql.limit;
    let used = ctx.st.graphql.used.get(&key).copied().unwrap_or(0);
    if used + prepared.cost > limit {
        let who = match key.split_once(':') {
            Some(("installation", id)) => format!("installation ID {id}"),
            _ => format!("user {}", ctx.actor()),
        };
        return with_budget(
            Resp::ok(json!({
                "errors": [{
                    "type": "RATE_LIMITED",
                    "code": "graphql_rate_limit",
                    "message": format!("API rate limit already exceeded for {who}."),
                }]
            })),
            limit,
            used,
        );
    }
    let used = used + prepared.cost;
    ctx.st.graphql.used.insert(key, used);
    let fault = if prepared.mutation {
        ctx.st.projects.take_fault(&text)
    } else {
        None
    };
    if let Some((status, false)) = fault {
        return crate::http_util::error(status, "Server Error");
    }

    let mut cx = exec::Cx {
        ctx,
        errors: Vec::new(),
        nodes: 0,
        mutation: prepared.mutation,
        cost: prepared.cost,
    };
    let root: exec::NodeRef = if prepared.mutation {
        Rc::new(root::Mutation)
    } else {
        Rc::new(root::Query)
    };
    let resp = match exec::run(&mut cx, &prepared, root) {
        Ok(data) if cx.errors.is_empty() => Resp::ok(json!({ "data": data })),
        Ok(data) => Resp::ok(json!({ "data": data, "errors": cx.errors })),
        Err(list) => errors(list),
    };
    if let Some((status, true)) = fault {
        return crate::http_util::error(status, "Server Error");
    }
    with_budget(resp, limit, used)
}

/// An answer that is only errors (the document could not run).
fn errors(list: Vec<Value>) -> Resp {
    Resp::ok(json!({ "errors": list }))
}

fn with_budget(resp: Resp, limit: u64, used: u64) -> Resp {
    resp.header("x-ratelimit-limit", limit.to_string())
        .header(
            "x-ratelimit-remaining",
            limit.saturating_sub(used).to_string(),
        )
        .header("x-ratelimit-used", used.to_string())
        .header("x-ratelimit-resource", "graphql")
}
