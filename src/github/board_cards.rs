//! The part of the board one run touches, in one GraphQL request ([`GitHub::read_board_cards`]):
//! the project's ids (fields and options, as [`super::board::BOARD_PAGE`] reads them) and, for
//! each issue or pull request the run changed, its node id and its items on this project with
//! Firebreak's five values. A run that changed one incident's severity reads one card, not the
//! board's thousands: the issue's `projectItems` lead to its card.
//!
//! The board's token reads it all, so the token needs to see the repository's issues and pull
//! requests as well as the project (docs/board.md says how to grant both).

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::board::{BoardError, FieldData, ItemData, Nodes, access_error, board_fragments, item};
use super::graphql::{Document, GraphqlError};
use super::{GitHub, Retry};
use crate::config::BoardConfig;
use crate::engine::board::Board;

/// The shape of the read, for one card; [`cards_document`] repeats the `c0` alias once per
/// card. The schema check validates this text.
pub const BOARD_CARDS: Document = Document {
    name: "BoardCards",
    text: concat!(
        r#"query BoardCards($owner: String!, $number: Int!, $repoOwner: String!, $repoName: String!, $kind: String!, $severity: String!, $status: String!, $priority: String!, $due: String!, $n0: Int!) {
  repositoryOwner(login: $owner) {
    ... on ProjectV2Owner {
      projectV2(number: $number) { ...BoardProject }
    }
  }
  repository(owner: $repoOwner, name: $repoName) {
    id
    c0: issueOrPullRequest(number: $n0) { ...BoardCard }
  }
}
fragment BoardCard on IssueOrPullRequest {
  ... on Issue { id number projectItems(first: 50) { nodes { ...BoardCardItem } } }
  ... on PullRequest { id number projectItems(first: 50) { nodes { ...BoardCardItem } } }
}
fragment BoardCardItem on ProjectV2Item {
  id
  project { id }
  ...BoardItemValues
}"#,
        board_fragments!()
    ),
    retry: Retry::Safe,
};

/// The cards of one run as read: the board (its fields; its items only those of `numbers`
/// that are on it) and the node id of each issue or pull request (to add one).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CardsRead {
    pub board: Board,
    pub contents: BTreeMap<u64, String>,
}

/// The document and variables that read `numbers` (of repository `repo`) on the board.
pub fn cards_document(config: &BoardConfig, repo: &str, numbers: &[u64]) -> (String, Value) {
    let (repo_owner, repo_name) = repo.split_once('/').unwrap_or((repo, ""));
    let names = &config.fields;
    let mut vars = Map::new();
    for (key, value) in [
        ("owner", json!(config.owner)),
        ("number", json!(config.number)),
        ("repoOwner", json!(repo_owner)),
        ("repoName", json!(repo_name)),
        ("kind", json!(names.kind)),
        ("severity", json!(names.severity)),
        ("status", json!(names.status)),
        ("priority", json!(names.priority)),
        ("due", json!(names.due)),
    ] {
        vars.insert(key.into(), value);
    }
    let mut params = String::new();
    let mut aliases = String::new();
    for (n, number) in numbers.iter().enumerate() {
        params.push_str(&format!(", $n{n}: Int!"));
        aliases.push_str(&format!(
            "    c{n}: issueOrPullRequest(number: $n{n}) {{ ...BoardCard }}\n"
        ));
        vars.insert(format!("n{n}"), json!(number));
    }
    let text = BOARD_CARDS
        .text
        .replacen(", $n0: Int!", &params, 1)
        .replacen(
            "    c0: issueOrPullRequest(number: $n0) { ...BoardCard }\n",
            &aliases,
            1,
        );
    (text, Value::Object(vars))
}

#[derive(Deserialize)]
struct CardsData {
    #[serde(rename = "repositoryOwner")]
    owner: Option<OwnerData>,
    repository: Option<Map<String, Value>>,
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
}

#[derive(Deserialize)]
struct ContentData {
    id: String,
    number: u64,
    #[serde(rename = "projectItems")]
    items: Nodes<CardItem>,
}

#[derive(Deserialize)]
struct CardItem {
    project: Option<ProjectId>,
    #[serde(flatten)]
    item: ItemData,
}

#[derive(Deserialize)]
struct ProjectId {
    id: String,
}

impl GitHub {
    /// The board's ids and the cards of `numbers` (issues and pull requests of this
    /// repository), in one request. A number GitHub does not know is left out.
    pub async fn read_board_cards(
        &self,
        config: &BoardConfig,
        numbers: &[u64],
    ) -> Result<CardsRead, BoardError> {
        let (text, variables) = cards_document(config, self.repo(), numbers);
        let mut reply = self
            .graphql_text::<CardsData>(BOARD_CARDS.name, &text, BOARD_CARDS.retry, variables)
            .await?;
        if let Some(e) = access_error(&reply.errors) {
            return Err(e);
        }
        let under_repository = |e: &GraphqlError| e.path.first().is_some_and(|p| p == "repository");
        if let Some(e) = reply
            .errors
            .iter()
            .find(|e| under_repository(e) && e.path.len() == 1)
        {
            return Err(BoardError::NoRepository {
                kind: e.kind.clone().unwrap_or_default(),
                message: e.message.clone(),
            });
        }
        // A number that is no issue or pull request (any more) has no card to keep.
        reply
            .errors
            .retain(|e| !(under_repository(e) && e.kind.as_deref() == Some("NOT_FOUND")));
        let data = reply.into_data("GraphQL BoardCards")?;
        let Some(owner) = data.owner else {
            return Err(BoardError::NoOwner(config.owner.clone()));
        };
        let Some(project) = owner.project else {
            return Err(BoardError::missing_project(config.number));
        };
        let mut read = CardsRead {
            board: Board {
                project_id: project.id,
                title: project.title,
                url: project.url,
                fields: project.fields.into_fields(),
                items: Vec::new(),
            },
            contents: BTreeMap::new(),
        };
        let cards = data.repository.into_iter().flatten();
        for (_, value) in cards.filter(|(alias, _)| alias != "id") {
            let Ok(content) = serde_json::from_value::<ContentData>(value) else {
                continue;
            };
            read.contents.insert(content.number, content.id);
            for card in content.items.nodes.into_iter().flatten() {
                if card.project.is_some_and(|p| p.id == read.board.project_id) {
                    let mut on_board = item(card.item);
                    on_board.repo = self.repo().to_string();
                    on_board.number = content.number;
                    read.board.items.push(on_board);
                }
            }
        }
        Ok(read)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_document_for_one_card_is_the_listed_one_and_two_cards_get_two_aliases() {
        let config = BoardConfig {
            owner: "acme".into(),
            number: 3,
            fields: Default::default(),
        };
        let (one, vars) = cards_document(&config, "acme/web", &[7]);
        assert_eq!(one, BOARD_CARDS.text);
        assert_eq!(vars["n0"], json!(7));
        assert_eq!(vars["repoName"], json!("web"));
        let (two, vars) = cards_document(&config, "acme/web", &[7, 9]);
        assert!(two.contains("$n0: Int!, $n1: Int!)"), "{two}");
        assert!(two.contains("c1: issueOrPullRequest(number: $n1) { ...BoardCard }"));
        assert_eq!(vars["n1"], json!(9));
    }
}
