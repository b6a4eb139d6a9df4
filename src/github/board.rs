//! The board (a Projects v2 project) over GraphQL: reading it whole ([`GitHub::read_board`],
//! one request per 100 items, the fields riding along on every page) and writing it, on
//! [`Writer`]: adding items, creating a field, and every field value of a run, the items in
//! one request and the values in another (aliases; [`MAX_ALIASES`] a request).
//!
//! Retries: reads and value writes are safe to repeat (setting a field to a value twice
//! leaves it so); adding an item and creating a field are not — after an unknown outcome the
//! caller reads the board again before adding anything again.

use serde::Deserialize;
use serde_json::{Value, json};

use super::graphql::Document;
use super::{GitHub, GitHubError, Retry, Writer};
use crate::config::BoardConfig;
use crate::engine::board::{Board, BoardField, BoardItem, FieldWrite, NewField, Role, WriteValue};

/// The fragments every board read shares, so the project, its fields and an item's five values
/// are asked for (and parsed, [`FieldData`], [`ItemData`]) one way: `BoardProject` (the
/// project's ids and fields), `BoardItemValues` (Firebreak's five values of an item, read by
/// field name, so a busy board's other fields cost nothing) and `BoardValue`. A macro, as
/// `concat!` takes only literals.
macro_rules! board_fragments {
    () => {
        r#"
fragment BoardProject on ProjectV2 {
  id
  title
  url
  fields(first: 50) {
    nodes {
      ... on ProjectV2FieldCommon { id name dataType }
      ... on ProjectV2SingleSelectField { options { id name } }
    }
  }
}
fragment BoardItemValues on ProjectV2Item {
  kind: fieldValueByName(name: $kind) { ...BoardValue }
  severity: fieldValueByName(name: $severity) { ...BoardValue }
  status: fieldValueByName(name: $status) { ...BoardValue }
  priority: fieldValueByName(name: $priority) { ...BoardValue }
  due: fieldValueByName(name: $due) { ...BoardValue }
}
fragment BoardValue on ProjectV2ItemFieldValue {
  ... on ProjectV2ItemFieldSingleSelectValue { name }
  ... on ProjectV2ItemFieldDateValue { date }
}"#
    };
}
pub(super) use board_fragments;

/// One page of the board: the project, its fields, 100 items with Firebreak's five values.
pub const BOARD_PAGE: Document = Document {
    name: "BoardPage",
    text: concat!(
        r#"query BoardPage($owner: String!, $number: Int!, $after: String, $kind: String!, $severity: String!, $status: String!, $priority: String!, $due: String!) {
  repositoryOwner(login: $owner) {
    ... on ProjectV2Owner {
      projectV2(number: $number) {
        ...BoardProject
        items(first: 100, after: $after) {
          pageInfo { hasNextPage endCursor }
          nodes {
            id
            content {
              ... on Issue { number repository { nameWithOwner } }
              ... on PullRequest { number repository { nameWithOwner } }
            }
            ...BoardItemValues
          }
        }
      }
    }
  }
}"#,
        board_fragments!()
    ),
    retry: Retry::Safe,
};

/// The shape of adding cards: one alias per issue or pull request (by node id), all in one
/// request. This is what [`adds_document`] builds for one card; the schema check validates
/// it. Never repeated blindly.
pub const ADD_BOARD_ITEMS: Document = Document {
    name: "AddBoardItems",
    text: "mutation AddBoardItems($project: ID!, $c0: ID!) { a0: addProjectV2ItemById(input: {projectId: $project, contentId: $c0}) { item { id } } }",
    retry: Retry::Never,
};

/// The document and variables that add `contents` (node ids) in one request.
pub fn adds_document(project: &str, contents: &[&str]) -> (String, Value) {
    let mut params = vec!["$project: ID!".to_string()];
    let mut body = Vec::new();
    let mut vars = serde_json::Map::new();
    vars.insert("project".into(), json!(project));
    for (n, content) in contents.iter().enumerate() {
        params.push(format!("$c{n}: ID!"));
        vars.insert(format!("c{n}"), json!(content));
        body.push(format!(
            "a{n}: addProjectV2ItemById(input: {{projectId: $project, contentId: $c{n}}}) {{ item {{ id }} }}"
        ));
    }
    (
        format!(
            "mutation AddBoardItems({}) {{ {} }}",
            params.join(", "),
            body.join(" ")
        ),
        Value::Object(vars),
    )
}

/// Creates a field (with its options, for a single-select one). Never repeated blindly.
pub const CREATE_BOARD_FIELD: Document = Document {
    name: "CreateBoardField",
    text: "mutation CreateBoardField($project: ID!, $name: String!, $type: ProjectV2CustomFieldType!, $options: [ProjectV2SingleSelectFieldOptionInput!]) { createProjectV2Field(input: {projectId: $project, dataType: $type, name: $name, singleSelectOptions: $options}) { projectV2Field { ... on ProjectV2FieldCommon { id name dataType } ... on ProjectV2SingleSelectField { options { id name } } } } }",
    retry: Retry::Never,
};

/// The shape of every value write: one alias per value, set or cleared. This is what
/// [`values_document`] builds for one set and one clear; the schema check validates it.
pub const SET_BOARD_VALUES: Document = Document {
    name: "SetBoardValues",
    text: "mutation SetBoardValues($project: ID!, $i0: ID!, $f0: ID!, $v0: ProjectV2FieldValue!, $i1: ID!, $f1: ID!) { v0: updateProjectV2ItemFieldValue(input: {projectId: $project, itemId: $i0, fieldId: $f0, value: $v0}) { clientMutationId } v1: clearProjectV2ItemFieldValue(input: {projectId: $project, itemId: $i1, fieldId: $f1}) { clientMutationId } }",
    retry: Retry::Safe,
};

/// Value writes sent in one request: GitHub counts each alias as a mutation for its secondary
/// rate limit, so a first sync of a large board is cut into requests of this many.
pub const MAX_ALIASES: usize = 50;

/// The document and variables that write `writes` in one request.
pub fn values_document(project: &str, writes: &[FieldWrite]) -> (String, Value) {
    let mut params = vec!["$project: ID!".to_string()];
    let mut body = Vec::new();
    let mut vars = serde_json::Map::new();
    vars.insert("project".into(), json!(project));
    for (n, w) in writes.iter().enumerate() {
        params.push(format!("$i{n}: ID!"));
        params.push(format!("$f{n}: ID!"));
        vars.insert(format!("i{n}"), json!(w.item));
        vars.insert(format!("f{n}"), json!(w.field));
        let value = match &w.value {
            WriteValue::Option(id) => Some(json!({ "singleSelectOptionId": id })),
            WriteValue::Date(date) => Some(json!({ "date": date })),
            WriteValue::Clear => None,
        };
        match value {
            Some(value) => {
                params.push(format!("$v{n}: ProjectV2FieldValue!"));
                vars.insert(format!("v{n}"), value);
                body.push(format!("v{n}: updateProjectV2ItemFieldValue(input: {{projectId: $project, itemId: $i{n}, fieldId: $f{n}, value: $v{n}}}) {{ clientMutationId }}"));
            }
            None => body.push(format!("v{n}: clearProjectV2ItemFieldValue(input: {{projectId: $project, itemId: $i{n}, fieldId: $f{n}}}) {{ clientMutationId }}")),
        }
    }
    (
        format!(
            "mutation SetBoardValues({}) {{ {} }}",
            params.join(", "),
            body.join(" ")
        ),
        Value::Object(vars),
    )
}

#[derive(Deserialize)]
struct PageData {
    #[serde(rename = "repositoryOwner")]
    owner: Option<OwnerData>,
}

#[derive(Deserialize)]
struct OwnerData {
    #[serde(rename = "projectV2", default)]
    project: Option<ProjectData>,
}

#[derive(Deserialize)]
struct ProjectData {
    id: String,
    title: String,
    url: String,
    fields: Nodes<FieldData>,
    items: ItemsPage,
}

#[derive(Deserialize)]
pub(super) struct Nodes<T> {
    pub nodes: Vec<Option<T>>,
}

#[derive(Deserialize)]
pub(super) struct FieldData {
    id: Option<String>,
    name: Option<String>,
    #[serde(rename = "dataType")]
    data_type: Option<String>,
    #[serde(default)]
    options: Vec<OptionData>,
}

#[derive(Deserialize)]
struct OptionData {
    id: String,
    name: String,
}

#[derive(Deserialize)]
struct ItemsPage {
    #[serde(rename = "pageInfo")]
    page_info: PageInfo,
    nodes: Vec<Option<ItemData>>,
}

#[derive(Deserialize)]
struct PageInfo {
    #[serde(rename = "hasNextPage")]
    has_next_page: bool,
    #[serde(rename = "endCursor")]
    end_cursor: Option<String>,
}

#[derive(Deserialize)]
pub(super) struct ItemData {
    id: String,
    content: Option<ContentData>,
    kind: Option<ValueData>,
    severity: Option<ValueData>,
    status: Option<ValueData>,
    priority: Option<ValueData>,
    due: Option<ValueData>,
}

#[derive(Deserialize)]
struct ContentData {
    number: Option<u64>,
    repository: Option<RepoData>,
}

#[derive(Deserialize)]
struct RepoData {
    #[serde(rename = "nameWithOwner")]
    name_with_owner: String,
}

#[derive(Deserialize)]
struct ValueData {
    name: Option<String>,
    date: Option<String>,
}

impl Nodes<FieldData> {
    /// The fields GitHub gave whole (a field type with no common part is left out).
    pub(super) fn into_fields(self) -> Vec<BoardField> {
        self.nodes
            .into_iter()
            .flatten()
            .filter_map(Option::<BoardField>::from)
            .collect()
    }
}

impl From<FieldData> for Option<BoardField> {
    fn from(f: FieldData) -> Self {
        Some(BoardField {
            id: f.id?,
            name: f.name?,
            data_type: f.data_type?,
            options: f.options.into_iter().map(|o| (o.id, o.name)).collect(),
        })
    }
}

/// Why the board could not be read.
#[derive(Debug, thiserror::Error)]
pub enum BoardError {
    /// The token may not reach the board, or there is no such board for it: GitHub's kind
    /// (`FORBIDDEN`, `INSUFFICIENT_SCOPES`, `NOT_FOUND`) and message.
    #[error("{kind}: {message}")]
    NoAccess { kind: String, message: String },
    /// No account has that login.
    #[error("no organization or user `{0}`")]
    NoOwner(String),
    /// The board's token cannot read this repository (`repository` is `null`): GitHub's kind
    /// and message.
    #[error("{kind}: {message}")]
    NoRepository { kind: String, message: String },
    #[error(transparent)]
    GitHub(#[from] GitHubError),
}

impl BoardError {
    /// GitHub's answer for a project that does not exist or that the token cannot see.
    pub(super) fn missing_project(number: u64) -> BoardError {
        BoardError::NoAccess {
            kind: "NOT_FOUND".into(),
            message: format!("Could not resolve to a ProjectV2 with the number {number}."),
        }
    }
}

/// The error that says the token may not reach the board (or there is no such board for
/// it), among an answer's errors.
pub(super) fn access_error(errors: &[super::graphql::GraphqlError]) -> Option<BoardError> {
    let e = errors.iter().find(|e| {
        matches!(
            e.kind.as_deref(),
            Some("FORBIDDEN" | "INSUFFICIENT_SCOPES" | "NOT_FOUND")
        ) && e.path.first().is_none_or(|p| p == "repositoryOwner")
    })?;
    Some(BoardError::NoAccess {
        kind: e.kind.clone().unwrap_or_default(),
        message: e.message.clone(),
    })
}

impl GitHub {
    /// The whole board: the project, its fields and every item (one request per 100).
    pub async fn read_board(&self, config: &BoardConfig) -> Result<Board, BoardError> {
        let names = &config.fields;
        let mut board = Board::default();
        let mut after: Option<String> = None;
        loop {
            let variables = json!({
                "owner": config.owner, "number": config.number, "after": after,
                "kind": names.kind, "severity": names.severity, "status": names.status,
                "priority": names.priority, "due": names.due,
            });
            let reply = self.graphql::<PageData>(&BOARD_PAGE, variables).await?;
            if let Some(e) = access_error(&reply.errors) {
                return Err(e);
            }
            let data = reply.into_data("GraphQL BoardPage")?;
            let Some(owner) = data.owner else {
                return Err(BoardError::NoOwner(config.owner.clone()));
            };
            let Some(project) = owner.project else {
                return Err(BoardError::missing_project(config.number));
            };
            if after.is_none() {
                board.project_id = project.id;
                board.title = project.title;
                board.url = project.url;
                board.fields = project.fields.into_fields();
            }
            board
                .items
                .extend(project.items.nodes.into_iter().flatten().map(item));
            match (
                project.items.page_info.has_next_page,
                project.items.page_info.end_cursor,
            ) {
                (true, Some(cursor)) => after = Some(cursor),
                _ => break,
            }
        }
        Ok(board)
    }
}

pub(super) fn item(data: ItemData) -> BoardItem {
    let (repo, number) = match data.content {
        Some(ContentData {
            number: Some(n),
            repository: Some(r),
        }) => (r.name_with_owner, n),
        _ => (String::new(), 0),
    };
    let mut values = std::collections::BTreeMap::new();
    for (role, value) in [
        (Role::Kind, data.kind),
        (Role::Severity, data.severity),
        (Role::Status, data.status),
        (Role::Priority, data.priority),
        (Role::Due, data.due),
    ] {
        if let Some(text) = value.and_then(|v| v.name.or(v.date)) {
            values.insert(
                role,
                text.get(..10)
                    .filter(|_| role == Role::Due)
                    .unwrap_or(&text)
                    .to_string(),
            );
        }
    }
    BoardItem {
        id: data.id,
        repo,
        number,
        values,
    }
}

#[derive(Deserialize)]
struct AddPayload {
    item: Option<IdOnly>,
}
#[derive(Deserialize)]
struct IdOnly {
    id: String,
}

#[derive(Deserialize)]
struct CreateData {
    #[serde(rename = "createProjectV2Field")]
    create: Option<CreatePayload>,
}
#[derive(Deserialize)]
struct CreatePayload {
    #[serde(rename = "projectV2Field")]
    field: Option<FieldData>,
}

impl Writer<'_> {
    /// Adds issues and pull requests (number, node id) to the board, [`MAX_ALIASES`] a
    /// request; the item id of each. Never retried: after an unknown outcome, read the board
    /// before adding again.
    pub async fn add_board_items(
        &self,
        project: &str,
        contents: &[(u64, &str)],
    ) -> Result<std::collections::BTreeMap<u64, String>, GitHubError> {
        let mut added = std::collections::BTreeMap::new();
        for chunk in contents.chunks(MAX_ALIASES) {
            let ids: Vec<&str> = chunk.iter().map(|(_, id)| *id).collect();
            let (text, variables) = adds_document(project, &ids);
            let data = self
                .client()
                .graphql_text::<std::collections::BTreeMap<String, Option<AddPayload>>>(
                    ADD_BOARD_ITEMS.name,
                    &text,
                    ADD_BOARD_ITEMS.retry,
                    variables,
                )
                .await?
                .into_data("GraphQL AddBoardItems")?;
            for (n, (number, _)) in chunk.iter().enumerate() {
                let item = data
                    .get(&format!("a{n}"))
                    .and_then(|a| a.as_ref()?.item.as_ref())
                    .ok_or_else(|| GitHubError::Decode {
                        operation: "GraphQL AddBoardItems".into(),
                        message: format!("the answer names no item for #{number}"),
                    })?;
                added.insert(*number, item.id.clone());
            }
        }
        Ok(added)
    }

    /// Creates a field; the field as GitHub made it (with its options' ids).
    pub async fn create_board_field(
        &self,
        project: &str,
        field: &NewField,
    ) -> Result<BoardField, GitHubError> {
        let options: Vec<Value> = field
            .options
            .iter()
            .map(|name| json!({ "name": name, "color": "GRAY", "description": "" }))
            .collect();
        let variables = json!({
            "project": project,
            "name": field.name,
            "type": field.data_type,
            "options": if options.is_empty() { Value::Null } else { Value::Array(options) },
        });
        let reply = self
            .client()
            .graphql::<CreateData>(&CREATE_BOARD_FIELD, variables)
            .await?;
        reply
            .into_data("GraphQL CreateBoardField")?
            .create
            .and_then(|c| c.field)
            .and_then(Option::<BoardField>::from)
            .ok_or_else(|| GitHubError::Decode {
                operation: "GraphQL CreateBoardField".into(),
                message: "the answer names no field".into(),
            })
    }

    /// Writes every value, [`MAX_ALIASES`] a request (one request for an event's writes).
    /// Safe to repeat: each alias sets a field to a value or clears it.
    pub async fn write_board_values(
        &self,
        project: &str,
        writes: &[FieldWrite],
    ) -> Result<(), GitHubError> {
        for chunk in writes.chunks(MAX_ALIASES) {
            let (text, variables) = values_document(project, chunk);
            self.client()
                .graphql_text::<Value>(
                    SET_BOARD_VALUES.name,
                    &text,
                    SET_BOARD_VALUES.retry,
                    variables,
                )
                .await?
                .into_data("GraphQL SetBoardValues")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_adds_document_for_one_card_is_the_listed_one() {
        let (text, vars) = adds_document("P", &["I_1"]);
        assert_eq!(text, ADD_BOARD_ITEMS.text);
        assert_eq!(vars["c0"], json!("I_1"));
        let (two, _) = adds_document("P", &["I_1", "PR_2"]);
        assert!(
            two.contains("a1: addProjectV2ItemById(input: {projectId: $project, contentId: $c1})")
        );
    }

    #[test]
    fn the_values_document_for_one_set_and_one_clear_is_the_listed_one() {
        let writes = [
            FieldWrite {
                item: "I1".into(),
                field: "F1".into(),
                value: WriteValue::Option("o".into()),
            },
            FieldWrite {
                item: "I2".into(),
                field: "F2".into(),
                value: WriteValue::Clear,
            },
        ];
        let (text, vars) = values_document("P", &writes);
        assert_eq!(text, SET_BOARD_VALUES.text);
        assert_eq!(vars["v0"], json!({ "singleSelectOptionId": "o" }));
        assert_eq!(vars.get("v1"), None);
    }
}
