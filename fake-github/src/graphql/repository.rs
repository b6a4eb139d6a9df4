//! `Repository`: found by owner and name, seen only by callers that may see it.

use std::rc::Rc;

use super::account::Account;
use super::connection;
use super::exec::{Cx, Failure, Field, Node, NodeRef, Out};
use crate::apps::Credential;
use crate::shapes::node_id;

pub(crate) struct Repository {
    /// `owner/name`, as the state keys it.
    pub key: String,
}

impl Repository {
    /// `repository(owner:, name:)`: `NOT_FOUND` when there is none, or the caller's
    /// installation does not reach it (GitHub does not say which).
    pub fn find(cx: &mut Cx<'_, '_>, owner: &str, name: &str) -> Result<Repository, Failure> {
        let key = format!("{owner}/{name}");
        if visible(cx, &key) {
            Ok(Repository { key })
        } else {
            Err(Failure::error(
                "NOT_FOUND",
                format!("Could not resolve to a Repository with the name '{key}'."),
            ))
        }
    }

    pub fn by_node_id(cx: &mut Cx<'_, '_>, id: &str) -> Option<Repository> {
        let key = cx
            .ctx
            .st
            .repos
            .values()
            .find(|r| node_id("R", r.id) == id)
            .map(|r| format!("{}/{}", r.owner, r.name))?;
        visible(cx, &key).then_some(Repository { key })
    }
}

/// Whether the caller may see the repository `key`.
pub(crate) fn visible(cx: &Cx<'_, '_>, key: &str) -> bool {
    if cx.ctx.st.repo(key).is_none() {
        return false;
    }
    match cx.ctx.credential {
        Credential::Installation { id, .. } => cx.ctx.st.installation_reaches(id, key),
        _ => true,
    }
}

impl Node for Repository {
    fn typename(&self) -> &'static str {
        "Repository"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "Repository" | "Node" | "RepositoryInfo")
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let Some(repo) = cx.ctx.st.repo(&self.key) else {
            return Ok(Out::Null);
        };
        let html = cx.ctx.st.html_url.clone();
        let (owner, name, id) = (repo.owner.clone(), repo.name.clone(), repo.id);
        Ok(match f.name {
            "id" => Out::value(node_id("R", id)),
            "databaseId" => Out::value(id),
            "name" => Out::value(name),
            "nameWithOwner" => Out::value(format!("{owner}/{name}")),
            "isPrivate" => Out::value(repo.private),
            "url" => Out::value(format!("{html}/{owner}/{name}")),
            "owner" => Out::node(Account::new(cx, &owner)),
            "labels" => {
                let labels: Vec<NodeRef> = repo
                    .labels
                    .iter()
                    .map(|l| Rc::new(Label(l.clone())) as NodeRef)
                    .collect();
                return connection::page(cx, f, labels);
            }
            "issue" => {
                let number = f.u64("number").ok_or_else(|| Failure::Invalid {
                    code: "missingRequiredArguments",
                    message: "Field 'issue' is missing required arguments: number".into(),
                })?;
                let key = self.key.clone();
                return super::issue::Issue::find(cx, &key, number).map(Out::node);
            }
            "issueOrPullRequest" => {
                let number = f.u64("number").ok_or_else(|| Failure::Invalid {
                    code: "missingRequiredArguments",
                    message: "Field 'issueOrPullRequest' is missing required arguments: number"
                        .into(),
                })?;
                let key = self.key.clone();
                let is_pull = match repo.issues.get(&number) {
                    Some(issue) => issue.pull.is_some(),
                    None => {
                        return Err(Failure::error(
                            "NOT_FOUND",
                            format!(
                                "Could not resolve to an issue or pull request with the number of {number}."
                            ),
                        ));
                    }
                };
                if is_pull {
                    return Ok(Out::node(super::projects::PullRequest {
                        repo: key,
                        number,
                    }));
                }
                return super::issue::Issue::find(cx, &key, number).map(Out::node);
            }
            "object" => {
                let expression = f.str("expression").unwrap_or("HEAD:").to_string();
                let key = self.key.clone();
                return Ok(
                    super::git_object::resolve(cx, &key, &expression).map_or(Out::Null, Out::Node)
                );
            }
            other => return Err(Failure::undefined("Repository", other)),
        })
    }
}

/// `Label`.
pub(crate) struct Label(pub crate::state::Label);

impl Node for Label {
    fn typename(&self) -> &'static str {
        "Label"
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let l = &self.0;
        Ok(match f.name {
            "id" => Out::value(node_id("LA", l.id)),
            "name" => Out::value(l.name.clone()),
            "color" => Out::value(l.color.clone()),
            "description" => Out::Value(l.description.clone().into()),
            "isDefault" => Out::value(l.default),
            other => return Err(Failure::undefined("Label", other)),
        })
    }
}
