//! Writes to Projects (v2): the mutations Firebreak sends (`addProjectV2ItemById`,
//! `updateProjectV2ItemFieldValue`, `clearProjectV2ItemFieldValue`, `createProjectV2Field`),
//! checked like GitHub checks them, and the tests' helpers on [`FakeGitHub`] (make a project,
//! share it, edit it by hand, read it back).

use std::collections::BTreeMap;
use std::rc::Rc;

use serde_json::Value as Json;

use super::exec::{Cx, Failure, Field, Node, NodeRef, Out};
use super::projects::{
    FieldNode, ItemNode, Project, ProjectField, ProjectItem, SelectOption, Value, access,
    field_node_id, index_by_node_id, item_node_id,
};
use crate::FakeGitHub;
use crate::shapes::node_id;
use crate::state::State;

/// A mutation's payload: one field holding the object written.
struct Payload {
    typename: &'static str,
    key: &'static str,
    node: NodeRef,
}

impl Node for Payload {
    fn typename(&self) -> &'static str {
        self.typename
    }
    fn field(&self, _cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
        match f.name {
            name if name == self.key => Ok(Out::Node(self.node.clone())),
            "clientMutationId" => Ok(Out::Null),
            other => Err(Failure::undefined(self.typename, other)),
        }
    }
}

/// The Projects mutations; any other name is one the schema lacks (as far as the fake knows).
pub(crate) fn mutation(cx: &mut Cx<'_, '_>, f: &Field) -> Result<Out, Failure> {
    let input = f.arg("input").cloned().unwrap_or(Json::Null);
    let s = |key: &str| input.get(key).and_then(Json::as_str).map(str::to_string);
    let missing = |key: &str| Failure::Invalid {
        code: "missingRequiredInputObjectAttribute",
        message: format!("Argument '{key}' on InputObject is required"),
    };
    match f.name {
        "addProjectV2ItemById" => {
            let p = project(cx, &s("projectId").ok_or_else(|| missing("projectId"))?)?;
            let content = s("contentId").ok_or_else(|| missing("contentId"))?;
            let (repo, number) =
                content_by_node_id(cx, &content).ok_or_else(|| unresolved(&content))?;
            let st = &mut *cx.ctx.st;
            let existing = st.projects.list[p]
                .items
                .iter()
                .find(|i| i.repo == repo && i.number == number)
                .map(|i| i.id);
            let id = match existing {
                Some(id) => id,
                None => {
                    let id = st.id();
                    st.projects.list[p].items.push(ProjectItem {
                        id,
                        repo,
                        number,
                        values: BTreeMap::new(),
                    });
                    id
                }
            };
            let project = st.projects.list[p].id;
            Ok(payload(
                "AddProjectV2ItemByIdPayload",
                "item",
                ItemNode { project, item: id },
            ))
        }
        "updateProjectV2ItemFieldValue" | "clearProjectV2ItemFieldValue" => {
            let p = project(cx, &s("projectId").ok_or_else(|| missing("projectId"))?)?;
            let item_id = s("itemId").ok_or_else(|| missing("itemId"))?;
            let field_id = s("fieldId").ok_or_else(|| missing("fieldId"))?;
            let st = &mut *cx.ctx.st;
            let project = &mut st.projects.list[p];
            let field = project
                .fields
                .iter()
                .find(|fl| field_node_id(fl) == field_id)
                .cloned()
                .ok_or_else(|| unresolved(&field_id))?;
            let item = project
                .items
                .iter_mut()
                .find(|i| item_node_id(i.id) == item_id)
                .ok_or_else(|| unresolved(&item_id))?;
            if f.name == "clearProjectV2ItemFieldValue" {
                item.values.remove(&field.id);
            } else {
                let value = input.get("value").cloned().unwrap_or(Json::Null);
                item.values.insert(field.id, field_value(&field, &value)?);
            }
            let (project, item) = (project.id, item.id);
            let typename = if f.name == "clearProjectV2ItemFieldValue" {
                "ClearProjectV2ItemFieldValuePayload"
            } else {
                "UpdateProjectV2ItemFieldValuePayload"
            };
            Ok(payload(
                typename,
                "projectV2Item",
                ItemNode { project, item },
            ))
        }
        "createProjectV2Field" => {
            let p = project(cx, &s("projectId").ok_or_else(|| missing("projectId"))?)?;
            let name = s("name").ok_or_else(|| missing("name"))?;
            let data_type = match s("dataType").as_deref() {
                Some("SINGLE_SELECT") => "SINGLE_SELECT",
                Some("DATE") => "DATE",
                Some("TEXT") => "TEXT",
                Some("NUMBER") => "NUMBER",
                _ => return Err(missing("dataType")),
            };
            let names: Vec<String> = input
                .get("singleSelectOptions")
                .and_then(Json::as_array)
                .map(|list| {
                    list.iter()
                        .filter_map(|o| o.get("name").and_then(Json::as_str).map(str::to_string))
                        .collect()
                })
                .unwrap_or_default();
            if data_type == "SINGLE_SELECT" && names.is_empty() {
                return Err(Failure::error(
                    "UNPROCESSABLE",
                    "Single select fields must have at least one option",
                ));
            }
            let st = &mut *cx.ctx.st;
            if st.projects.list[p]
                .fields
                .iter()
                .any(|fl| fl.name.eq_ignore_ascii_case(&name))
            {
                return Err(Failure::error(
                    "UNPROCESSABLE",
                    "Name has already been taken",
                ));
            }
            let field = new_field(st, &name, data_type, &names);
            st.projects.list[p].fields.push(field.clone());
            Ok(payload(
                "CreateProjectV2FieldPayload",
                "projectV2Field",
                FieldNode(field),
            ))
        }
        other => Err(Failure::undefined("Mutation", other)),
    }
}

fn payload(typename: &'static str, key: &'static str, node: impl Node + 'static) -> Out {
    Out::node(Payload {
        typename,
        key,
        node: Rc::new(node),
    })
}

fn unresolved(id: &str) -> Failure {
    Failure::error(
        "NOT_FOUND",
        format!("Could not resolve to a node with the global id of '{id}'"),
    )
}

/// The project a mutation names, when the caller may write it.
fn project(cx: &mut Cx<'_, '_>, id: &str) -> Result<usize, Failure> {
    let index = index_by_node_id(cx, id).ok_or_else(|| unresolved(id))?;
    access(cx, index, true)?;
    Ok(index)
}

/// The issue or pull request a node id names, when the caller may see its repository.
fn content_by_node_id(cx: &Cx<'_, '_>, id: &str) -> Option<(String, u64)> {
    let (repo, number) = cx.ctx.st.repos.iter().find_map(|(key, r)| {
        r.issues
            .values()
            .find(|i| node_id(if i.pull.is_some() { "PR" } else { "I" }, i.id) == id)
            .map(|i| (key.clone(), i.number))
    })?;
    super::repository::visible(cx, &repo).then_some((repo, number))
}

/// The value an `updateProjectV2ItemFieldValue` input sets, checked against the field's type.
fn field_value(field: &ProjectField, value: &Json) -> Result<Value, Failure> {
    let wrong = |given: &str| {
        Failure::error(
            "UNPROCESSABLE",
            format!(
                "The field of type {} cannot be updated with a {given} value",
                field.data_type.to_lowercase()
            ),
        )
    };
    if let Some(option) = value.get("singleSelectOptionId").and_then(Json::as_str) {
        if field.data_type != "SINGLE_SELECT" {
            return Err(wrong("single select"));
        }
        if !field.options.iter().any(|o| o.id == option) {
            return Err(Failure::error(
                "UNPROCESSABLE",
                "The single select option Id does not belong to the field",
            ));
        }
        return Ok(Value::Option(option.to_string()));
    }
    if let Some(date) = value.get("date").and_then(Json::as_str) {
        if field.data_type != "DATE" {
            return Err(wrong("date"));
        }
        return Ok(Value::Date(date.get(..10).unwrap_or(date).to_string()));
    }
    if let Some(text) = value.get("text").and_then(Json::as_str) {
        if field.data_type != "TEXT" {
            return Err(wrong("text"));
        }
        return Ok(Value::Text(text.to_string()));
    }
    Err(Failure::error(
        "UNPROCESSABLE",
        "A value must be given for the field",
    ))
}

fn new_field(
    st: &mut State,
    name: &str,
    data_type: &'static str,
    options: &[String],
) -> ProjectField {
    let id = st.id();
    let options = options
        .iter()
        .map(|name| SelectOption {
            id: format!("{:08x}", st.id().wrapping_mul(2_654_435_761) & 0xffff_ffff),
            name: name.clone(),
        })
        .collect();
    ProjectField {
        id,
        name: name.to_string(),
        data_type,
        options,
    }
}

/// One item of a project as the tests read it: its content and its values by field name
/// (an option's name, a date, a text).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProjectItemView {
    pub repo: String,
    pub number: u64,
    pub values: BTreeMap<String, String>,
}

impl FakeGitHub {
    fn with_project<T>(
        &self,
        owner: &str,
        number: u64,
        f: impl FnOnce(&mut State, usize) -> T,
    ) -> T {
        let mut st = self.lock();
        let index = st
            .projects
            .list
            .iter()
            .position(|p| p.owner.eq_ignore_ascii_case(owner) && p.number == number)
            .unwrap_or_else(|| panic!("no project {number} of {owner}"));
        f(&mut st, index)
    }

    /// A new project, as GitHub makes one: fields Title, Assignees and Status (Todo, In
    /// Progress, Done). Shared with nobody yet ([`FakeGitHub::share_project`]).
    pub fn add_project(&self, owner: &str, number: u64, title: &str) {
        let mut st = self.lock();
        let id = st.id();
        let fields = vec![
            new_field(&mut st, "Title", "TITLE", &[]),
            new_field(&mut st, "Assignees", "ASSIGNEES", &[]),
            new_field(
                &mut st,
                "Status",
                "SINGLE_SELECT",
                &["Todo".into(), "In Progress".into(), "Done".into()],
            ),
        ];
        st.projects.list.push(Project {
            id,
            owner: owner.to_string(),
            number,
            title: title.to_string(),
            fields,
            items: Vec::new(),
            access: Vec::new(),
        });
    }

    /// Add a field (`SINGLE_SELECT` with `options`, `DATE`, `TEXT`, `NUMBER`).
    pub fn add_project_field(
        &self,
        owner: &str,
        number: u64,
        name: &str,
        data_type: &str,
        options: &[&str],
    ) {
        let data_type = match data_type {
            "SINGLE_SELECT" => "SINGLE_SELECT",
            "DATE" => "DATE",
            "TEXT" => "TEXT",
            "NUMBER" => "NUMBER",
            other => panic!("field type {other} is not modelled"),
        };
        let options: Vec<String> = options.iter().map(|s| s.to_string()).collect();
        self.with_project(owner, number, |st, p| {
            let field = new_field(st, name, data_type, &options);
            st.projects.list[p].fields.push(field);
        });
    }

    /// Let `login` (a user, or an App's `slug[bot]`) read and write the project.
    pub fn share_project(&self, owner: &str, number: u64, login: &str) {
        self.with_project(owner, number, |st, p| {
            st.projects.list[p].access.push(login.to_lowercase());
        });
    }

    /// The project's items, in the board's order.
    pub fn project_items(&self, owner: &str, number: u64) -> Vec<ProjectItemView> {
        self.with_project(owner, number, |st, p| {
            let project = &st.projects.list[p];
            project
                .items
                .iter()
                .map(|item| ProjectItemView {
                    repo: item.repo.clone(),
                    number: item.number,
                    values: item
                        .values
                        .iter()
                        .filter_map(|(field, value)| {
                            let field = project.fields.iter().find(|f| f.id == *field)?;
                            let text = match value {
                                Value::Option(id) => {
                                    field.options.iter().find(|o| &o.id == id)?.name.clone()
                                }
                                Value::Date(d) | Value::Text(d) => d.clone(),
                            };
                            Some((field.name.clone(), text))
                        })
                        .collect(),
                })
                .collect()
        })
    }

    /// Add issues (or pull requests) of `repo` to the project by hand, without values.
    pub fn add_project_items(&self, owner: &str, number: u64, repo: &str, issues: &[u64]) {
        self.with_project(owner, number, |st, p| {
            for &n in issues {
                let id = st.id();
                st.projects.list[p].items.push(ProjectItem {
                    id,
                    repo: repo.to_string(),
                    number: n,
                    values: BTreeMap::new(),
                });
            }
        });
    }

    /// Edit an item's field by hand: an option's name, a date or a text; `None` clears it.
    pub fn set_project_value(
        &self,
        owner: &str,
        number: u64,
        repo: &str,
        issue: u64,
        field: &str,
        value: Option<&str>,
    ) {
        self.with_project(owner, number, |st, p| {
            let project = &mut st.projects.list[p];
            let field = project
                .fields
                .iter()
                .find(|f| f.name == field)
                .cloned()
                .unwrap_or_else(|| panic!("no field {field}"));
            let item = project
                .items
                .iter_mut()
                .find(|i| i.repo == repo && i.number == issue)
                .unwrap_or_else(|| panic!("{repo}#{issue} is not on the board"));
            match value {
                None => {
                    item.values.remove(&field.id);
                }
                Some(v) => {
                    let value = match field.data_type {
                        "SINGLE_SELECT" => Value::Option(
                            field
                                .options
                                .iter()
                                .find(|o| o.name == v)
                                .unwrap_or_else(|| panic!("no option {v}"))
                                .id
                                .clone(),
                        ),
                        "DATE" => Value::Date(v.to_string()),
                        _ => Value::Text(v.to_string()),
                    };
                    item.values.insert(field.id, value);
                }
            }
        });
    }

    /// The next mutation whose document contains `text` (`addProjectV2ItemById`, …) is
    /// answered with `status`; performed first when `apply`, else not performed.
    pub fn fail_next_mutation(&self, text: &str, status: u16, apply: bool) {
        self.lock()
            .projects
            .faults
            .push((text.to_string(), status, apply));
    }

    /// Delete an item from the board by hand.
    pub fn remove_project_item(&self, owner: &str, number: u64, repo: &str, issue: u64) {
        self.with_project(owner, number, |st, p| {
            st.projects.list[p]
                .items
                .retain(|i| !(i.repo == repo && i.number == issue));
        });
    }

    /// Delete a single-select option by hand: items that held it lose the value, as on GitHub.
    pub fn remove_project_option(&self, owner: &str, number: u64, field: &str, option: &str) {
        self.with_project(owner, number, |st, p| {
            let project = &mut st.projects.list[p];
            let Some(f) = project.fields.iter_mut().find(|f| f.name == field) else {
                panic!("no field {field}");
            };
            let Some(at) = f.options.iter().position(|o| o.name == option) else {
                panic!("no option {option}");
            };
            let gone = Value::Option(f.options.remove(at).id);
            let field_id = f.id;
            for item in &mut project.items {
                if item.values.get(&field_id) == Some(&gone) {
                    item.values.remove(&field_id);
                }
            }
        });
    }
}
