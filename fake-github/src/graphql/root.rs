//! The roots: `Query` (rateLimit, viewer, repository, organization, user, node, nodes) and
//! `Mutation`. A type the fake does not model answers GitHub's "doesn't exist" error, so a
//! document Firebreak sends is either served for real or refused loudly.

use serde_json::json;

use super::account::Account;
use super::exec::{Cx, Failure, Field, Node, NodeRef, Out, Record};
use super::repository::Repository;
use crate::apps::Credential;

pub(crate) struct Query;

impl Node for Query {
    fn typename(&self) -> &'static str {
        "Query"
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        match f.name {
            "rateLimit" => Ok(rate_limit(cx)),
            "viewer" => {
                let login = cx.ctx.actor();
                Ok(Out::node(Account::new(cx, &login)))
            }
            "repository" => {
                let owner = f.required_str("Query", "owner")?;
                let name = f.required_str("Query", "name")?;
                Repository::find(cx, owner, name).map(Out::node)
            }
            "repositoryOwner" => {
                let login = f.required_str("Query", "login")?;
                let found =
                    Account::find(cx, login, true).or_else(|_| Account::find(cx, login, false));
                Ok(found.map_or(Out::Null, Out::node))
            }
            "organization" | "user" => {
                let login = f.required_str("Query", "login")?;
                Account::find(cx, login, f.name == "organization").map(Out::node)
            }
            "node" => {
                let id = f.required_str("Query", "id")?;
                Ok(lookup(cx, id).map_or(Out::Null, Out::Node))
            }
            "nodes" => {
                let ids = f.arg("ids").and_then(|v| v.as_array()).cloned();
                let ids = ids.ok_or_else(|| Failure::Invalid {
                    code: "missingRequiredArguments",
                    message: "Field 'nodes' is missing required arguments: ids".into(),
                })?;
                Ok(Out::List(
                    ids.iter()
                        .map(|id| {
                            id.as_str()
                                .and_then(|id| lookup(cx, id))
                                .map_or(Out::Null, Out::Node)
                        })
                        .collect(),
                ))
            }
            other => Err(Failure::undefined("Query", other)),
        }
    }
}

pub(crate) struct Mutation;

impl Node for Mutation {
    fn typename(&self) -> &'static str {
        "Mutation"
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        super::project_edits::mutation(cx, f)
    }
}

/// The object a global node id names, when the caller may see it.
fn lookup(cx: &mut Cx<'_, '_>, id: &str) -> Option<NodeRef> {
    let (prefix, _) = id.split_once('_')?;
    match prefix {
        "R" => Repository::by_node_id(cx, id).map(|r| std::rc::Rc::new(r) as NodeRef),
        "PVT" => super::projects::lookup(cx, id),
        "U" | "O" | "BOT" => Account::by_node_id(cx, id).map(|a| std::rc::Rc::new(a) as NodeRef),
        _ => None,
    }
}

/// `rateLimit`: the caller's GraphQL budget after this query.
fn rate_limit(cx: &mut Cx<'_, '_>) -> Out {
    let key = budget_key(&cx.ctx.credential, &cx.ctx.actor());
    let used = cx.ctx.st.graphql.used.get(&key).copied().unwrap_or(0);
    let limit = cx.ctx.st.graphql.limit;
    Out::node(Record::new(
        "RateLimit",
        json!({
            "cost": cx.cost,
            "limit": limit,
            "nodeCount": cx.nodes,
            "remaining": limit.saturating_sub(used),
            "used": used,
            "resetAt": reset_at(),
        }),
    ))
}

/// Whose budget a request spends: an installation's, or a user's.
pub(crate) fn budget_key(credential: &Credential, actor: &str) -> String {
    match credential {
        Credential::Installation { id, .. } => format!("installation:{id}"),
        _ => format!("user:{}", actor.to_lowercase()),
    }
}

/// The budget resets on the hour, as GitHub's does.
pub(crate) fn reset_at() -> String {
    let now = chrono::Utc::now();
    let next = now + chrono::Duration::hours(1);
    crate::state::ts(
        chrono::DateTime::from_timestamp(next.timestamp() / 3600 * 3600, 0).unwrap_or(next),
    )
}
