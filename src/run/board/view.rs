//! What the board's texts read: `firebreak board sync`'s account of the writes (done, or to
//! do in a dry run), the board as a table (`firebreak demo`), and why the board was not reached.

use serde::Serialize;

use crate::engine::board::{Board, BoardPlan, Card, Problem, Role};

/// `board-sync`.
#[derive(Debug, Serialize)]
pub struct BoardSyncView {
    pub title: String,
    pub url: String,
    pub repo: String,
    pub dry_run: bool,
    pub cards: usize,
    pub problems: Vec<ProblemView>,
    pub new_fields: Vec<NewFieldView>,
    pub adds: Vec<u64>,
    pub sets: Vec<SetView>,
    pub in_step: bool,
}

#[derive(Debug, Serialize)]
pub struct ProblemView {
    pub wrong_type: bool,
    pub field: String,
    pub key: String,
    pub found: String,
    pub wanted: String,
    pub option: String,
}

#[derive(Debug, Serialize)]
pub struct NewFieldView {
    pub name: String,
    pub data_type: String,
    pub options: String,
}

#[derive(Debug, Serialize)]
pub struct SetView {
    pub number: u64,
    pub field: String,
    /// Empty when the value is cleared.
    pub value: String,
}

impl BoardSyncView {
    pub fn new(board: &Board, repo: &str, cards: usize, plan: &BoardPlan, dry_run: bool) -> Self {
        BoardSyncView {
            title: board.title.clone(),
            url: board.url.clone(),
            repo: repo.to_string(),
            dry_run,
            cards,
            problems: plan
                .problems
                .iter()
                .map(|p| match p {
                    Problem::WrongType {
                        field,
                        key,
                        found,
                        wanted,
                    } => ProblemView {
                        wrong_type: true,
                        field: field.clone(),
                        key: key.to_string(),
                        found: found.clone(),
                        wanted: wanted.to_string(),
                        option: String::new(),
                    },
                    Problem::MissingOption { field, option } => ProblemView {
                        wrong_type: false,
                        field: field.clone(),
                        key: String::new(),
                        found: String::new(),
                        wanted: String::new(),
                        option: option.clone(),
                    },
                })
                .collect(),
            new_fields: plan
                .new_fields
                .iter()
                .map(|f| NewFieldView {
                    name: f.name.clone(),
                    data_type: f.data_type.to_string(),
                    options: f.options.join(", "),
                })
                .collect(),
            adds: plan.adds.clone(),
            sets: plan
                .sets
                .iter()
                .map(|s| SetView {
                    number: s.number,
                    field: s.field.clone(),
                    value: s.value.clone().unwrap_or_default(),
                })
                .collect(),
            in_step: plan.is_empty(),
        }
    }
}

/// `board-unreachable`: the board's token is missing or may not reach the project.
#[derive(Debug, Serialize)]
pub struct BoardUnreachableView {
    pub owner: String,
    pub number: u64,
    /// No token at all (`FIREBREAK_BOARD_TOKEN` unset, not an App installation).
    pub no_token: bool,
    /// GitHub's error kind and message otherwise.
    pub kind: String,
    pub message: String,
    /// The token reaches the project but not this repository's issues.
    pub repository: bool,
}

/// `board-table`: this repository's cards as the board shows them.
#[derive(Debug, Serialize)]
pub struct BoardTableView {
    pub title: String,
    pub columns: Vec<String>,
    pub rows: Vec<BoardRowView>,
}

#[derive(Debug, Serialize)]
pub struct BoardRowView {
    pub number: u64,
    pub title: String,
    pub cells: Vec<String>,
}

impl BoardTableView {
    /// The cards with the values the board holds for them (after a sync: the cards' values).
    pub fn new(
        board: &Board,
        repo: &str,
        cards: &[Card],
        names: &crate::config::BoardConfig,
    ) -> Self {
        let roles = [
            Role::Kind,
            Role::Severity,
            Role::Status,
            Role::Priority,
            Role::Due,
        ];
        BoardTableView {
            title: board.title.clone(),
            columns: roles.iter().map(|r| r.name(names).to_string()).collect(),
            rows: cards
                .iter()
                .map(|card| {
                    let item = board
                        .items
                        .iter()
                        .find(|i| i.repo.eq_ignore_ascii_case(repo) && i.number == card.number);
                    BoardRowView {
                        number: card.number,
                        title: card.title.clone(),
                        cells: roles
                            .iter()
                            .map(|r| {
                                item.and_then(|i| i.values.get(r))
                                    .cloned()
                                    .unwrap_or_default()
                            })
                            .collect(),
                    }
                })
                .collect(),
        }
    }
}
