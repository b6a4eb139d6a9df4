//! The board (a Projects v2 project, `board:`): what every incident, postmortem and action
//! item should show there ([`cards`]), and the writes that make the board say so ([`plan`],
//! then [`bind`] once apply knows the ids of what it created). Pure: the board comes in as
//! read ([`Board`]), the plan goes out.
//!
//! The issue is the truth and the board mirrors it. Firebreak owns five fields: Kind (every
//! card), Severity (incidents and postmortems), Status (incidents: their status; action
//! items: `Todo` or `Done`), Priority (action items) and Due (postmortems and action items). A field a card does not own is left as
//! people set it. A field that is missing is created with the options Firebreak needs; an
//! option missing from a field that exists is reported, never added: GitHub's only way to add
//! an option rewrites the field's whole list and orphans every value set on it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Serialize;

use crate::config::{BoardConfig, Config};
use crate::incident::{Incident, ItemState, Status};

/// A field Firebreak keeps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Role {
    Kind,
    Severity,
    Status,
    Priority,
    Due,
}

impl Role {
    pub const ALL: [Role; 5] = [
        Role::Kind,
        Role::Severity,
        Role::Status,
        Role::Priority,
        Role::Due,
    ];

    /// Its key under `board.fields`.
    pub fn key(self) -> &'static str {
        match self {
            Role::Kind => "kind",
            Role::Severity => "severity",
            Role::Status => "status",
            Role::Priority => "priority",
            Role::Due => "due",
        }
    }

    /// The field's name on this board.
    pub fn name(self, board: &BoardConfig) -> &str {
        let f = &board.fields;
        match self {
            Role::Kind => &f.kind,
            Role::Severity => &f.severity,
            Role::Status => &f.status,
            Role::Priority => &f.priority,
            Role::Due => &f.due,
        }
    }

    /// GitHub's `ProjectV2FieldType` the field must have.
    pub fn data_type(self) -> &'static str {
        match self {
            Role::Due => "DATE",
            _ => "SINGLE_SELECT",
        }
    }
}

/// What a card is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub enum CardKind {
    Incident,
    Postmortem,
    ActionItem,
}

impl CardKind {
    /// The Kind field's option.
    pub fn label(self) -> &'static str {
        match self {
            CardKind::Incident => "Incident",
            CardKind::Postmortem => "Postmortem",
            CardKind::ActionItem => "Action item",
        }
    }
}

/// One issue or pull request of this repository and the values its fields should hold
/// (`None`: the field should be empty). Roles not listed are not the card's to keep.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Card {
    pub number: u64,
    pub kind: CardKind,
    pub title: String,
    pub values: BTreeMap<Role, Option<String>>,
}

/// The cards of these incidents (issue number, believed state): the incident, its postmortem
/// pull request once opened, its action items once their issues exist.
pub fn cards(config: &Config, incidents: &[(u64, String, Incident)]) -> Vec<Card> {
    let mut out = Vec::new();
    for (number, title, incident) in incidents {
        let severity = config.severity_name(incident.severity);
        let status = capitalized(incident.status.as_str());
        out.push(Card {
            number: *number,
            kind: CardKind::Incident,
            title: title.clone(),
            values: BTreeMap::from([
                (Role::Kind, Some(CardKind::Incident.label().to_string())),
                (Role::Severity, Some(severity.clone())),
                (Role::Status, Some(status)),
            ]),
        });
        if let Some(pm) = &incident.postmortem
            && let Some(pull) = pm.pull
        {
            out.push(Card {
                number: pull,
                kind: CardKind::Postmortem,
                title: format!("Postmortem: {}", incident.title),
                values: BTreeMap::from([
                    (Role::Kind, Some(CardKind::Postmortem.label().to_string())),
                    (Role::Severity, Some(severity.clone())),
                    (Role::Due, pm.due.map(|d| d.to_string())),
                ]),
            });
        }
        for item in &incident.action_items {
            let Some(issue) = item.number else { continue };
            out.push(Card {
                number: issue,
                kind: CardKind::ActionItem,
                title: item.title.clone(),
                values: BTreeMap::from([
                    (Role::Kind, Some(CardKind::ActionItem.label().to_string())),
                    (Role::Status, Some(item_status(item.state).to_string())),
                    (Role::Priority, Some(format!("P{}", item.priority))),
                    (Role::Due, Some(item.due.to_string())),
                ]),
            });
        }
    }
    out
}

/// An action item's Status: GitHub's own words for work to do and work done (a new
/// project's Status field has them), so items line up with the other work on a shared board.
fn item_status(state: ItemState) -> &'static str {
    match state {
        ItemState::Open => ITEM_OPEN,
        ItemState::Closed => ITEM_DONE,
    }
}

/// An open action item's Status.
pub const ITEM_OPEN: &str = "Todo";
/// A closed action item's Status.
pub const ITEM_DONE: &str = "Done";

fn capitalized(word: &str) -> String {
    let mut chars = word.chars();
    chars.next().map_or_else(String::new, |c| {
        c.to_uppercase().collect::<String>() + chars.as_str()
    })
}

/// The board as read: the project, its fields, the items of this repository.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Board {
    pub project_id: String,
    pub title: String,
    pub url: String,
    pub fields: Vec<BoardField>,
    /// Every item of the board (all repositories).
    pub items: Vec<BoardItem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardField {
    pub id: String,
    pub name: String,
    pub data_type: String,
    /// (id, name) of each single-select option.
    pub options: Vec<(String, String)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BoardItem {
    pub id: String,
    /// `owner/name` of the content's repository (empty for a draft item).
    pub repo: String,
    pub number: u64,
    /// What Firebreak's fields hold: an option's name, a date `YYYY-MM-DD`.
    pub values: BTreeMap<Role, String>,
}

impl Board {
    /// The field named `name` (GitHub's names are unique per project, case-insensitively).
    pub fn field(&self, name: &str) -> Option<&BoardField> {
        self.fields
            .iter()
            .find(|f| f.name.eq_ignore_ascii_case(name))
    }
}

/// Why a field cannot be kept.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "problem", rename_all = "snake_case")]
pub enum Problem {
    /// The field exists with another type (Severity as text).
    WrongType {
        field: String,
        key: &'static str,
        found: String,
        wanted: &'static str,
    },
    /// An option some card needs is not among the field's options.
    MissingOption { field: String, option: String },
}

/// A field to create, with the options the cards need.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewField {
    pub role: Role,
    pub name: String,
    pub data_type: &'static str,
    pub options: Vec<String>,
}

/// One field of one card to write: `value` `None` clears it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SetValue {
    /// The issue or pull request.
    pub number: u64,
    /// The board item, `None` when this plan adds it.
    #[serde(skip)]
    pub item: Option<String>,
    pub role: Role,
    pub field: String,
    pub value: Option<String>,
}

/// Every write that makes the board mirror the cards.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct BoardPlan {
    pub new_fields: Vec<NewField>,
    /// Issues and pull requests to add to the board.
    pub adds: Vec<u64>,
    pub sets: Vec<SetValue>,
    pub problems: Vec<Problem>,
}

impl BoardPlan {
    pub fn is_empty(&self) -> bool {
        self.new_fields.is_empty() && self.adds.is_empty() && self.sets.is_empty()
    }
}

/// Every value a field may need: a field Firebreak creates gets them all, so a severity or a
/// status first used later is already an option.
pub fn options(config: &Config, role: Role) -> Vec<String> {
    match role {
        Role::Kind => [
            CardKind::Incident,
            CardKind::Postmortem,
            CardKind::ActionItem,
        ]
        .iter()
        .map(|k| k.label().to_string())
        .collect(),
        Role::Severity => config.severity_names(),
        Role::Status => Status::ALL
            .iter()
            .map(|s| capitalized(s.as_str()))
            .chain([ITEM_OPEN.to_string(), ITEM_DONE.to_string()])
            .collect(),
        Role::Priority => (0..=3).map(|p| format!("P{p}")).collect(),
        Role::Due => Vec::new(),
    }
}

/// The writes that make `board` show `cards` (of repository `repo`). A card with no item is
/// added when `add` says so for its number (every card for an explicit `firebreak board
/// sync`, a card new in this run for an event; a card deleted by hand stays off otherwise).
/// `all_options`: the options a created field gets ([`options`]).
pub fn plan(
    config: &BoardConfig,
    all_options: &dyn Fn(Role) -> Vec<String>,
    board: &Board,
    repo: &str,
    cards: &[Card],
    add: &dyn Fn(u64) -> bool,
) -> BoardPlan {
    let mut out = BoardPlan::default();
    // The options each role needs, in the cards' order.
    let mut wanted: BTreeMap<Role, Vec<String>> = BTreeMap::new();
    for card in cards {
        for (role, value) in &card.values {
            let list = wanted.entry(*role).or_default();
            if let Some(v) = value
                && !list.iter().any(|o| o.eq_ignore_ascii_case(v))
            {
                list.push(v.clone());
            }
        }
    }
    // Which roles can be written, and which of their values.
    let mut usable: BTreeSet<Role> = BTreeSet::new();
    let mut unusable_values: BTreeSet<(Role, String)> = BTreeSet::new();
    for (role, options) in &wanted {
        let name = role.name(config);
        match board.field(name) {
            None => {
                out.new_fields.push(NewField {
                    role: *role,
                    name: name.to_string(),
                    data_type: role.data_type(),
                    options: {
                        let mut all = all_options(*role);
                        for o in options {
                            if !all.iter().any(|a| a.eq_ignore_ascii_case(o)) {
                                all.push(o.clone());
                            }
                        }
                        if role.data_type() == "SINGLE_SELECT" {
                            all
                        } else {
                            Vec::new()
                        }
                    },
                });
                usable.insert(*role);
            }
            Some(field) if field.data_type != role.data_type() => {
                out.problems.push(Problem::WrongType {
                    field: field.name.clone(),
                    key: role.key(),
                    found: field.data_type.clone(),
                    wanted: role.data_type(),
                });
            }
            Some(field) => {
                usable.insert(*role);
                if role.data_type() == "SINGLE_SELECT" {
                    for option in options {
                        if !field
                            .options
                            .iter()
                            .any(|(_, n)| n.eq_ignore_ascii_case(option))
                        {
                            out.problems.push(Problem::MissingOption {
                                field: field.name.clone(),
                                option: option.clone(),
                            });
                            unusable_values.insert((*role, option.to_lowercase()));
                        }
                    }
                }
            }
        }
    }
    let items: BTreeMap<u64, &BoardItem> = board
        .items
        .iter()
        .filter(|i| i.repo.eq_ignore_ascii_case(repo))
        .map(|i| (i.number, i))
        .collect();
    for card in cards {
        let item = items.get(&card.number);
        if item.is_none() {
            if !add(card.number) {
                continue;
            }
            out.adds.push(card.number);
        }
        for (role, value) in &card.values {
            if !usable.contains(role) {
                continue;
            }
            if let Some(v) = value
                && unusable_values.contains(&(*role, v.to_lowercase()))
            {
                continue;
            }
            let current = item.and_then(|i| i.values.get(role));
            let same = match (current, value) {
                (None, None) => true,
                (Some(c), Some(v)) => c.eq_ignore_ascii_case(v),
                _ => false,
            };
            if !same {
                out.sets.push(SetValue {
                    number: card.number,
                    item: item.map(|i| i.id.clone()),
                    role: *role,
                    field: role.name(config).to_string(),
                    value: value.clone(),
                });
            }
        }
    }
    out
}

/// One field write with GitHub's ids, as the mutation takes it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldWrite {
    pub item: String,
    pub field: String,
    pub value: WriteValue,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WriteValue {
    /// A single-select option's id.
    Option(String),
    /// `YYYY-MM-DD`.
    Date(String),
    Clear,
}

/// The plan's sets with GitHub's ids: `board` holds the fields (those created included),
/// `added` the items apply added (issue number → item id). A set whose field, option or item
/// is still unknown is left out.
pub fn bind(board: &Board, sets: &[SetValue], added: &BTreeMap<u64, String>) -> Vec<FieldWrite> {
    sets.iter()
        .filter_map(|s| {
            let item = s.item.clone().or_else(|| added.get(&s.number).cloned())?;
            let field = board.field(&s.field)?;
            let value = match &s.value {
                None => WriteValue::Clear,
                Some(v) if field.data_type == "DATE" => WriteValue::Date(v.clone()),
                Some(v) => WriteValue::Option(
                    field
                        .options
                        .iter()
                        .find(|(_, n)| n.eq_ignore_ascii_case(v))?
                        .0
                        .clone(),
                ),
            };
            Some(FieldWrite {
                item,
                field: field.id.clone(),
                value,
            })
        })
        .collect()
}

#[cfg(test)]
#[path = "board_tests.rs"]
mod tests;
