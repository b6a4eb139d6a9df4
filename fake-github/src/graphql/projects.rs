//! Projects (v2): projects owned by an organization or a user, their fields (single-select
//! options, dates, text), their items (issues and pull requests) and the items' field values —
//! the state, who may see it, and the GraphQL types that read it (`ProjectV2`,
//! `ProjectV2Field`, `ProjectV2SingleSelectField`, `ProjectV2Item`, the item's field values and
//! its content). Mutations and the tests' helpers are in `project_edits.rs`.
//!
//! Access is GitHub's: the Actions token (`github-actions[bot]`) is refused with `FORBIDDEN`
//! "Resource not accessible by integration"; a classic token without the `project` (or, to
//! read, `read:project`) scope gets `INSUFFICIENT_SCOPES`; a user or an App's bot the project
//! was shared with reads and writes it; anyone else gets `NOT_FOUND`, as for a project that
//! does not exist.

use std::collections::BTreeMap;
use std::rc::Rc;

use super::connection;
use super::exec::{Cx, Failure, Field, Node, NodeRef, Out};
use crate::apps::Credential;
use crate::shapes::node_id;
use crate::state::BOT_LOGIN;

/// Every project of the fake.
#[derive(Debug, Default)]
pub(crate) struct Projects {
    pub list: Vec<Project>,
    /// Faults for the next mutations whose document contains the text: (text, status, whether
    /// the mutation is performed before the status is answered).
    pub faults: Vec<(String, u16, bool)>,
}

impl Projects {
    /// The fault for a mutation document, if one waits for it (it fires once).
    pub fn take_fault(&mut self, document: &str) -> Option<(u16, bool)> {
        let at = self
            .faults
            .iter()
            .position(|(text, ..)| document.contains(text.as_str()))?;
        let (_, status, apply) = self.faults.remove(at);
        Some((status, apply))
    }
}

#[derive(Debug)]
pub(crate) struct Project {
    pub id: u64,
    /// The owner's login, as given.
    pub owner: String,
    pub number: u64,
    pub title: String,
    pub fields: Vec<ProjectField>,
    pub items: Vec<ProjectItem>,
    /// Logins (lowercase) the project is shared with.
    pub access: Vec<String>,
}

#[derive(Debug, Clone)]
pub(crate) struct ProjectField {
    pub id: u64,
    pub name: String,
    /// GitHub's `ProjectV2FieldType`: `TITLE`, `ASSIGNEES`, `SINGLE_SELECT`, `DATE`, `TEXT`, …
    pub data_type: &'static str,
    pub options: Vec<SelectOption>,
}

#[derive(Debug, Clone)]
pub(crate) struct SelectOption {
    /// Eight hex digits, like GitHub's.
    pub id: String,
    pub name: String,
}

#[derive(Debug, Clone)]
pub(crate) struct ProjectItem {
    pub id: u64,
    /// `owner/name` of the content's repository.
    pub repo: String,
    pub number: u64,
    /// Field id → value.
    pub values: BTreeMap<u64, Value>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Value {
    /// A single-select option's id.
    Option(String),
    /// `YYYY-MM-DD`.
    Date(String),
    Text(String),
}

pub(crate) fn project_node_id(id: u64) -> String {
    node_id("PVT", id)
}
pub(crate) fn field_node_id(f: &ProjectField) -> String {
    node_id(
        if f.data_type == "SINGLE_SELECT" {
            "PVTSSF"
        } else {
            "PVTF"
        },
        f.id,
    )
}
pub(crate) fn item_node_id(id: u64) -> String {
    node_id("PVTI", id)
}

/// Whether the caller may use project `index`: `Ok`, or GitHub's error for it.
pub(crate) fn access(cx: &Cx<'_, '_>, index: usize, write: bool) -> Result<(), Failure> {
    let project = &cx.ctx.st.projects.list[index];
    let login = match &cx.ctx.credential {
        Credential::User(login) | Credential::Installation { login, .. } => login.clone(),
        _ => return Err(not_found(project.number)),
    };
    if matches!(cx.ctx.credential, Credential::User(_)) && login == BOT_LOGIN {
        return Err(Failure::error(
            "FORBIDDEN",
            "Resource not accessible by integration",
        ));
    }
    let scopes = cx
        .ctx
        .req
        .token
        .as_deref()
        .and_then(|t| cx.ctx.st.token_scopes.get(t));
    if let Some(scopes) = scopes {
        let enough = scopes
            .iter()
            .any(|s| s == "project" || (!write && s == "read:project"));
        if !enough {
            let needed = if write { "project" } else { "read:project" };
            let granted: Vec<String> = scopes.iter().map(|s| format!("'{s}'")).collect();
            return Err(Failure::error(
                "INSUFFICIENT_SCOPES",
                format!(
                    "Your token has not been granted the required scopes to execute this query. The 'projectV2' field requires one of the following scopes: ['{needed}'], but your token has only been granted the: [{}] scopes. Please modify your token's scopes at: https://github.com/settings/tokens.",
                    granted.join(", ")
                ),
            ));
        }
    }
    if project.access.contains(&login.to_lowercase()) {
        Ok(())
    } else {
        Err(not_found(project.number))
    }
}

fn not_found(number: u64) -> Failure {
    Failure::error(
        "NOT_FOUND",
        format!("Could not resolve to a ProjectV2 with the number {number}."),
    )
}

/// `projectV2(number:)` on an organization or a user.
pub(crate) fn by_number(cx: &mut Cx<'_, '_>, owner: &str, f: &Field) -> Result<Out, Failure> {
    let Some(number) = f.u64("number") else {
        return Err(Failure::Invalid {
            code: "missingRequiredArguments",
            message: "Field 'projectV2' is missing required arguments: number".into(),
        });
    };
    let index = cx
        .ctx
        .st
        .projects
        .list
        .iter()
        .position(|p| p.owner.eq_ignore_ascii_case(owner) && p.number == number);
    let Some(index) = index else {
        return Err(not_found(number));
    };
    access(cx, index, cx.mutation)?;
    Ok(Out::node(ProjectNode(cx.ctx.st.projects.list[index].id)))
}

/// The project a node id names, when the caller may use it (`node(id:)`, mutations).
pub(crate) fn index_by_node_id(cx: &Cx<'_, '_>, id: &str) -> Option<usize> {
    cx.ctx
        .st
        .projects
        .list
        .iter()
        .position(|p| project_node_id(p.id) == id)
}

/// `node(id:)` for a project id.
pub(crate) fn lookup(cx: &mut Cx<'_, '_>, id: &str) -> Option<NodeRef> {
    let index = index_by_node_id(cx, id)?;
    access(cx, index, false).ok()?;
    Some(Rc::new(ProjectNode(cx.ctx.st.projects.list[index].id)))
}

fn project<'a>(cx: &'a Cx<'_, '_>, id: u64) -> Option<&'a Project> {
    cx.ctx.st.projects.list.iter().find(|p| p.id == id)
}

/// `ProjectV2`.
pub(crate) struct ProjectNode(pub u64);

impl Node for ProjectNode {
    fn typename(&self) -> &'static str {
        "ProjectV2"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "ProjectV2" | "Node" | "Closable" | "Updatable")
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let html = cx.ctx.st.html_url.clone();
        let Some(p) = project(cx, self.0) else {
            return Ok(Out::Null);
        };
        Ok(match f.name {
            "id" => Out::value(project_node_id(p.id)),
            "number" => Out::value(p.number),
            "title" => Out::value(p.title.clone()),
            "url" => Out::value(format!("{html}/orgs/{}/projects/{}", p.owner, p.number)),
            "closed" => Out::value(false),
            "fields" => {
                let fields: Vec<NodeRef> = p
                    .fields
                    .iter()
                    .map(|field| Rc::new(FieldNode(field.clone())) as NodeRef)
                    .collect();
                return connection::page(cx, f, fields);
            }
            "items" => {
                let project = p.id;
                let items: Vec<NodeRef> = p
                    .items
                    .iter()
                    .map(|i| {
                        Rc::new(ItemNode {
                            project,
                            item: i.id,
                        }) as NodeRef
                    })
                    .collect();
                return connection::page(cx, f, items);
            }
            other => return Err(Failure::undefined("ProjectV2", other)),
        })
    }
}

/// `ProjectV2Field` or `ProjectV2SingleSelectField`.
pub(crate) struct FieldNode(pub ProjectField);

impl Node for FieldNode {
    fn typename(&self) -> &'static str {
        if self.0.data_type == "SINGLE_SELECT" {
            "ProjectV2SingleSelectField"
        } else {
            "ProjectV2Field"
        }
    }
    fn is(&self, type_name: &str) -> bool {
        type_name == self.typename()
            || matches!(
                type_name,
                "ProjectV2FieldCommon" | "ProjectV2FieldConfiguration" | "Node"
            )
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let field = &self.0;
        Ok(match f.name {
            "id" => Out::value(field_node_id(field)),
            "name" => Out::value(field.name.clone()),
            "dataType" => Out::value(field.data_type),
            "options" if field.data_type == "SINGLE_SELECT" => Out::List(
                field
                    .options
                    .iter()
                    .map(|o| {
                        Out::node(super::exec::Record::new(
                            "ProjectV2SingleSelectFieldOption",
                            serde_json::json!({"id": o.id, "name": o.name, "color": "GRAY", "description": ""}),
                        ))
                    })
                    .collect(),
            ),
            other => return Err(Failure::undefined(self.typename(), other)),
        })
    }
}

/// `ProjectV2Item`.
pub(crate) struct ItemNode {
    pub project: u64,
    pub item: u64,
}

impl Node for ItemNode {
    fn typename(&self) -> &'static str {
        "ProjectV2Item"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "ProjectV2Item" | "Node")
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let Some(p) = project(cx, self.project) else {
            return Ok(Out::Null);
        };
        // Items are kept in the order they were added, so by id.
        let Ok(at) = p.items.binary_search_by_key(&self.item, |i| i.id) else {
            return Ok(Out::Null);
        };
        let Some(item) = p.items.get(at).cloned() else {
            return Ok(Out::Null);
        };
        let is_pull = content_is_pull(cx, &item);
        Ok(match f.name {
            "id" => Out::value(item_node_id(item.id)),
            "type" => Out::value(if is_pull { "PULL_REQUEST" } else { "ISSUE" }),
            "isArchived" => Out::value(false),
            "project" => Out::node(ProjectNode(self.project)),
            "content" if is_pull => Out::node(PullRequest {
                repo: item.repo.clone(),
                number: item.number,
            }),
            "content" => Out::node(super::issue::Issue {
                key: item.repo.clone(),
                number: item.number,
            }),
            "fieldValueByName" => {
                let name = f.required_str("ProjectV2Item", "name")?;
                let field = p
                    .fields
                    .iter()
                    .find(|fl| fl.name.eq_ignore_ascii_case(name));
                return Ok(field
                    .and_then(|field| {
                        let value = item.values.get(&field.id)?;
                        Some(Out::node(ValueNode {
                            field: field.clone(),
                            value: value.clone(),
                        }))
                    })
                    .unwrap_or(Out::Null));
            }
            "fieldValues" => {
                let fields = p.fields.clone();
                let values: Vec<NodeRef> = fields
                    .iter()
                    .filter_map(|field| {
                        let value = item.values.get(&field.id)?;
                        Some(Rc::new(ValueNode {
                            field: field.clone(),
                            value: value.clone(),
                        }) as NodeRef)
                    })
                    .collect();
                return connection::page(cx, f, values);
            }
            other => return Err(Failure::undefined("ProjectV2Item", other)),
        })
    }
}

fn content_is_pull(cx: &Cx<'_, '_>, item: &ProjectItem) -> bool {
    cx.ctx
        .st
        .repo(&item.repo)
        .and_then(|r| r.issues.get(&item.number))
        .is_some_and(|i| i.pull.is_some())
}

/// `ProjectV2ItemFieldSingleSelectValue`, `…DateValue` or `…TextValue`.
struct ValueNode {
    field: ProjectField,
    value: Value,
}

impl Node for ValueNode {
    fn typename(&self) -> &'static str {
        match self.value {
            Value::Option(_) => "ProjectV2ItemFieldSingleSelectValue",
            Value::Date(_) => "ProjectV2ItemFieldDateValue",
            Value::Text(_) => "ProjectV2ItemFieldTextValue",
        }
    }
    fn is(&self, type_name: &str) -> bool {
        type_name == self.typename()
            || matches!(
                type_name,
                "ProjectV2ItemFieldValue" | "ProjectV2ItemFieldValueCommon" | "Node"
            )
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        Ok(match (f.name, &self.value) {
            ("field", _) => Out::node(FieldNode(self.field.clone())),
            ("optionId", Value::Option(id)) => Out::value(id.clone()),
            ("name", Value::Option(id)) => self
                .field
                .options
                .iter()
                .find(|o| &o.id == id)
                .map_or(Out::Null, |o| Out::value(o.name.clone())),
            ("date", Value::Date(d)) => Out::value(d.clone()),
            ("text", Value::Text(t)) => Out::value(t.clone()),
            (other, _) => return Err(Failure::undefined(self.typename(), other)),
        })
    }
}

/// An item's content when it is a pull request (the fields a board shows); an issue's is
/// the `Issue` of [`super::issue`].
pub(crate) struct PullRequest {
    pub repo: String,
    pub number: u64,
}

impl Node for PullRequest {
    fn typename(&self) -> &'static str {
        "PullRequest"
    }
    fn is(&self, type_name: &str) -> bool {
        matches!(type_name, "PullRequest" | "Node" | "IssueOrPullRequest")
    }
    fn field(&self, cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        let html = cx.ctx.st.html_url.clone();
        let Some(issue) = cx
            .ctx
            .st
            .repo(&self.repo)
            .and_then(|r| r.issues.get(&self.number))
        else {
            return Ok(Out::Null);
        };
        let merged = issue.pull.as_ref().is_some_and(|p| p.merged_at.is_some());
        Ok(match f.name {
            "id" => Out::value(node_id("PR", issue.id)),
            "number" => Out::value(issue.number),
            "title" => Out::value(issue.title.clone()),
            "state" => Out::value(if merged {
                "MERGED".to_string()
            } else {
                issue.state.to_uppercase()
            }),
            "url" => Out::value(format!("{html}/{}/pull/{}", self.repo, issue.number)),
            "repository" => {
                let (owner, name) = self.repo.split_once('/').unwrap_or((&self.repo, ""));
                return super::repository::Repository::find(cx, owner, name).map(Out::node);
            }
            "projectItems" => {
                let (repo, number) = (self.repo.clone(), self.number);
                return items_of(cx, f, &repo, number);
            }
            other => return Err(Failure::undefined(self.typename(), other)),
        })
    }
}

/// `projectItems` of an issue or pull request: its items on every project the caller may
/// see (GitHub leaves out the projects it may not), oldest project first.
pub(crate) fn items_of(
    cx: &mut Cx<'_, '_>,
    f: &Field,
    repo: &str,
    number: u64,
) -> Result<Out, Failure> {
    let mut items: Vec<NodeRef> = Vec::new();
    for index in 0..cx.ctx.st.projects.list.len() {
        if access(cx, index, false).is_err() {
            continue;
        }
        let p = &cx.ctx.st.projects.list[index];
        for item in p
            .items
            .iter()
            .filter(|i| i.number == number && i.repo.eq_ignore_ascii_case(repo))
        {
            items.push(Rc::new(ItemNode {
                project: p.id,
                item: item.id,
            }));
        }
    }
    connection::page(cx, f, items)
}
