//! Action items: `/action` checked against what GitHub knows, opened as an issue exactly once,
//! and listed on the incident with its live state.
//!
//! What a decision needs from GitHub — whether the owner is a collaborator, which items are
//! open (for the cap), whether the command line's issue was already opened — it asks for as
//! [`Need`]s. An item's issue carries a hidden marker naming the incident and the command line
//! ([`item_marker`]); before the plan opens one, the gather step looks for an issue carrying it
//! (a list call, never search), so a re-delivered event, a re-run or a retry after an
//! ambiguous failure finds the first issue instead of opening a second.

use std::collections::{BTreeMap, BTreeSet};

use chrono::Days;
use serde::Serialize;

use super::facts::Need;
use super::plan::{Attach, NewIssue, NewItem, item_entry_text};
use super::{Cx, Done, noted};
use crate::command::{ActionSpec, DueSpec, ParsedLine};
use crate::config::{Config, OpenCap, priority_name};
use crate::event::{Comment, Issue};
use crate::incident::timeline::{self, EntryKind};
use crate::incident::{ActionItem, Incident, ItemState};
use crate::render::{self, names};

pub const LABEL_ACTION_ITEM: &str = "action-item";
pub const PRIORITY_PREFIX: &str = "priority:";
pub const TYPE_PREFIX: &str = "type:";

/// Start of the hidden marker in an item's issue body: `<!-- firebreak:action-item #12 c345.2 -->`
/// names the incident and the command line that opened it.
pub const ITEM_MARKER: &str = "<!-- firebreak:action-item ";

pub fn item_marker(incident: u64, key: &str) -> String {
    format!("{ITEM_MARKER}#{incident} {key} -->")
}

/// The (incident number, key) of an item's issue body, when it carries Firebreak's marker at
/// the start of a line (a quoted marker inside people's text does not count).
pub fn parse_item_marker(body: &str) -> Option<(u64, String)> {
    body.lines().find_map(|line| {
        let rest = line.strip_prefix(ITEM_MARKER)?.strip_suffix(" -->")?;
        let (incident, key) = rest.split_once(' ')?;
        let incident = incident.strip_prefix('#')?.parse().ok()?;
        let valid_key = key.starts_with('c')
            && key[1..].split('.').count() == 2
            && key[1..].split('.').all(|p| p.parse::<u64>().is_ok());
        valid_key.then(|| (incident, key.to_string()))
    })
}

/// The identity of an `/action` line: `c<comment>.<line>`.
pub fn item_key(comment: u64, line: usize) -> String {
    format!("c{comment}.{line}")
}

/// The most action items one incident lists. Its description shows each one (a table row and
/// its state, up to about 800 characters with a long title) beside the reporter's text, the
/// impact and the latest update, and must stay within GitHub's 65,536 characters; fifty is well
/// past what a postmortem's follow-up work usually holds.
pub const MAX_ITEMS: usize = 50;

/// An open action-item issue, as the cap counts it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenItem {
    pub number: u64,
    pub title: String,
    pub priority: Option<u8>,
    /// Label names, lower case.
    pub labels: BTreeSet<String>,
    /// The key of the command line that opened it, when Firebreak did.
    pub key: Option<String>,
}

impl OpenItem {
    pub fn from_issue(issue: &Issue) -> OpenItem {
        let labels: BTreeSet<String> = issue
            .labels
            .iter()
            .map(|l| l.name.to_ascii_lowercase())
            .collect();
        OpenItem {
            number: issue.number,
            title: issue.title.clone(),
            priority: labels.iter().find_map(|l| {
                l.strip_prefix(PRIORITY_PREFIX)
                    .and_then(crate::incident::kinds::parse_priority)
            }),
            labels,
            key: parse_item_marker(issue.body_text()).map(|(_, key)| key),
        }
    }
}

/// `/action <title> [@owner] [P0-P3] [type] [due:…]`.
pub(super) fn command_action(
    cx: &mut Cx,
    incident: &mut Incident,
    comment: &Comment,
    line: &ParsedLine,
    spec: &ActionSpec,
) -> Done {
    let input = cx.input;
    let config = input.config;
    let tz = config.timezone;
    let key = item_key(comment.id, line.line);
    let author = comment.user.login.as_str();
    let priority = spec
        .priority
        .unwrap_or(config.action_items.default_priority);
    let kind = spec.kind.unwrap_or(config.action_items.default_type);
    let written = comment.created_at.with_timezone(&tz).date_naive();
    let too_far = || "the due date is too far ahead; give one within ten years".to_string();
    let due = match &spec.due {
        None => written
            .checked_add_days(Days::new(u64::from(config.due_days(priority))))
            .ok_or_else(too_far)?,
        Some(DueSpec::Date(date)) if *date < written => {
            return Err(format!(
                "the due date {date} is in the past (today is {written}). Give a date from today on, like `due:{}`, or a delay like `due:+14d`.",
                written.checked_add_days(Days::new(14)).unwrap_or(written)
            ));
        }
        Some(DueSpec::Date(date)) => *date,
        Some(DueSpec::In(delay)) => comment
            .created_at
            .checked_add_signed(*delay)
            .ok_or_else(too_far)?
            .with_timezone(&tz)
            .date_naive(),
    };
    if incident.action_items.len() >= MAX_ITEMS
        && !incident.action_items.iter().any(|i| i.key == key)
    {
        return Err(format!(
            "this incident already lists {MAX_ITEMS} action items, the most one incident keeps: its description lists them all and must stay within GitHub's size limit. Open further work as an ordinary issue that links this one, or gather related items into one."
        ));
    }
    let owner = spec.owner.as_ref().map(|t| t.resolve(author).to_string());

    let mut waiting = false;
    if let Some(owner) = &owner {
        match input.facts.assignable.get(&owner.to_ascii_lowercase()) {
            None => {
                cx.plan.need(Need::Assignable(owner.clone()));
                waiting = true;
            }
            Some(false) => {
                return Err(format!(
                    "@{owner} cannot be assigned issues in this repository, so they cannot own an action item. Name someone who can (a collaborator or a member of the organization), or leave the owner out and assign the issue later."
                ));
            }
            Some(true) => {}
        }
    }
    let teams = team_labels(config, input.issue);
    if let Some(cap) = config
        .action_items
        .open_cap
        .as_ref()
        .filter(|cap| cap.priorities.contains(&priority))
    {
        match &input.facts.open_items {
            None => {
                cx.plan.need(Need::OpenItems);
                waiting = true;
            }
            Some(open) => {
                let open: Vec<OpenItem> = open.iter().map(OpenItem::from_issue).collect();
                check_cap(cap, priority, &teams, &open, &key)?
            }
        }
    }
    if waiting {
        return Ok(Vec::new());
    }
    // Checks first, the look-up after: nothing is looked for while a check may still refuse.
    let Some(opened) = input.facts.items.get(&key) else {
        cx.plan.need(Need::Item {
            key: key.clone(),
            since: comment.created_at,
        });
        return Ok(Vec::new());
    };

    let mut item = ActionItem {
        key: key.clone(),
        number: None,
        title: spec.title.clone(),
        owner,
        priority,
        kind,
        due,
        state: ItemState::Open,
        by: author.to_string(),
        at: comment.created_at,
    };
    match opened {
        Some(opened) => {
            item.number = Some(opened.number);
            item.state = opened.state;
            cx.plan.attach.push(Attach::Issue {
                number: opened.number,
                id: opened.id,
            });
            cx.plan.notes.push(format!(
                "action item #{} \"{}\" was already opened",
                opened.number, item.title
            ));
        }
        None => {
            let issue = new_issue(input, incident, &item, comment, &teams);
            cx.plan.items.push(NewItem {
                key: key.clone(),
                since: comment.created_at,
                issue,
            });
            cx.plan.attach.push(Attach::NewItem(key.clone()));
        }
    }
    let text = item_entry_text(&item);
    match incident.action_items.iter_mut().find(|i| i.key == key) {
        Some(existing) => *existing = item,
        None => incident.action_items.push(item),
    }
    Ok(vec![noted(EntryKind::ActionItem, text)])
}

/// The team labels of the incident that an item inherits (and the cap counts by).
fn team_labels(config: &Config, issue: &Issue) -> Vec<String> {
    let Some(prefix) = config
        .action_items
        .open_cap
        .as_ref()
        .and_then(|cap| cap.per_label.as_deref())
        .map(|pattern| pattern.trim_end_matches('*').to_ascii_lowercase())
    else {
        return Vec::new();
    };
    issue
        .labels
        .iter()
        .filter(|l| l.name.to_ascii_lowercase().starts_with(&prefix))
        .map(|l| l.name.clone())
        .collect()
}

/// Refuses a new item of `priority` when its group already has `cap.limit` open items of the
/// counted priorities. Groups are the team labels (`per_label`), or the whole repository.
fn check_cap(
    cap: &OpenCap,
    priority: u8,
    teams: &[String],
    open: &[OpenItem],
    key: &str,
) -> Result<(), String> {
    let mut counted: Vec<&OpenItem> = open
        .iter()
        .filter(|i| i.key.as_deref() != Some(key))
        .filter(|i| i.priority.is_some_and(|p| cap.priorities.contains(&p)))
        .collect();
    counted.sort_by_key(|i| i.number);
    let prefix = cap
        .per_label
        .as_deref()
        .map(|p| p.trim_end_matches('*').to_ascii_lowercase());
    let priorities = cap
        .priorities
        .iter()
        .map(|p| priority_name(*p))
        .collect::<Vec<_>>()
        .join("/");
    let groups: Vec<(Option<String>, Vec<&OpenItem>)> = match &prefix {
        None => vec![(None, counted)],
        Some(prefix) if teams.is_empty() => {
            let untagged = counted
                .into_iter()
                .filter(|i| !i.labels.iter().any(|l| l.starts_with(prefix.as_str())))
                .collect();
            vec![(None, untagged)]
        }
        Some(_) => teams
            .iter()
            .map(|team| {
                let lower = team.to_ascii_lowercase();
                let items = counted
                    .iter()
                    .copied()
                    .filter(|i| i.labels.contains(&lower))
                    .collect();
                (Some(team.clone()), items)
            })
            .collect(),
    };
    for (team, items) in groups {
        if items.len() < cap.limit as usize {
            continue;
        }
        let scope = match (&team, &prefix) {
            (Some(team), _) => format!(" for `{team}`"),
            (None, Some(prefix)) => format!(" without a `{prefix}*` label"),
            (None, None) => String::new(),
        };
        let list = items
            .iter()
            .map(|i| format!("#{} {}", i.number, i.title))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(format!(
            "{} open {priorities} action items{scope} already reach the cap of {}: {list}. Finish or re-prioritise one of them first, or file this one at a lower priority than {}.",
            items.len(),
            cap.limit,
            priority_name(priority)
        ));
    }
    Ok(())
}

/// The issue an item opens: labels, owner, and a body that links back.
fn new_issue(
    input: &super::Input,
    incident: &Incident,
    item: &ActionItem,
    comment: &Comment,
    teams: &[String],
) -> NewIssue {
    let config = input.config;
    let issue = input.issue;
    let mut labels = vec![
        LABEL_ACTION_ITEM.to_string(),
        format!("{PRIORITY_PREFIX}{}", priority_name(item.priority)),
        format!("{TYPE_PREFIX}{}", item.kind.as_str()),
    ];
    labels.extend(teams.iter().cloned());
    let view = ItemBodyView {
        incident: issue.number,
        incident_title: incident.title.clone(),
        record: incident.record.clone(),
        severity: config.severity_name(incident.severity),
        owner: item.owner.clone(),
        priority: priority_name(item.priority),
        kind: item.kind.as_str(),
        due: item.due.to_string(),
        by: item.by.clone(),
        comment_url: if comment.html_url.is_empty() {
            comment_url(&issue.html_url, comment.id)
        } else {
            comment.html_url.clone()
        },
        postmortem: incident.postmortem.as_ref().and_then(|p| p.pull),
        context: Some(timeline::excerpt(
            &comment
                .body_text()
                .lines()
                .filter(|l| !l.trim_start().starts_with('/'))
                .collect::<Vec<_>>()
                .join("\n"),
        ))
        .filter(|c| !c.is_empty()),
        impact: incident.impact.as_ref().map(|i| i.text.clone()),
    };
    let body = format!(
        "{}\n\n{}",
        render::render(names::ACTION_ITEM, &view).trim_end(),
        item_marker(issue.number, &item.key)
    );
    NewIssue {
        title: item.title.clone(),
        body,
        labels,
        assignees: item.owner.iter().cloned().collect(),
    }
}

fn comment_url(issue_url: &str, comment: u64) -> String {
    format!("{issue_url}#issuecomment-{comment}")
}

#[derive(Debug, Serialize)]
struct ItemBodyView {
    incident: u64,
    incident_title: String,
    record: String,
    severity: String,
    owner: Option<String>,
    priority: String,
    kind: &'static str,
    due: String,
    by: String,
    comment_url: String,
    /// The postmortem pull request, once there is one.
    postmortem: Option<u64>,
    /// The prose of the comment that asked for it.
    context: Option<String>,
    impact: Option<String>,
}

/// Live states read in bulk (the sweep): rows follow quietly.
pub(super) fn sync_states(incident: &mut Incident, states: &BTreeMap<u64, ItemState>) {
    for item in &mut incident.action_items {
        if let Some(state) = item.number.and_then(|n| states.get(&n)) {
            item.state = *state;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn marker_round_trips_and_ignores_quoted_or_malformed_copies() {
        let body = format!("text\n\n{}", item_marker(12, "c345.2"));
        assert_eq!(parse_item_marker(&body), Some((12, "c345.2".into())));
        assert_eq!(
            parse_item_marker(&format!("> {}", item_marker(12, "c345.2"))),
            None
        );
        assert_eq!(
            parse_item_marker("<!-- firebreak:action-item #12 x -->"),
            None
        );
        assert_eq!(
            parse_item_marker("<!-- firebreak:action-item 12 c1.1 -->"),
            None
        );
    }

    fn open(number: u64, priority: u8, labels: &[&str]) -> OpenItem {
        OpenItem {
            number,
            title: format!("item {number}"),
            priority: Some(priority),
            labels: labels.iter().map(|l| l.to_string()).collect(),
            key: None,
        }
    }

    #[test]
    fn cap_counts_per_team_label_and_names_the_open_items() {
        let cap = OpenCap {
            limit: 2,
            priorities: vec![0, 1],
            per_label: Some("team:*".into()),
        };
        let items = [
            open(1, 0, &["team:payments"]),
            open(2, 1, &["team:payments"]),
            open(3, 1, &["team:search"]),
            open(4, 2, &["team:search"]),
        ];
        let err = check_cap(&cap, 1, &["team:payments".into()], &items, "c9.1").unwrap_err();
        assert!(err.contains("#1 item 1, #2 item 2"), "{err}");
        assert!(err.contains("for `team:payments`"), "{err}");
        assert!(check_cap(&cap, 1, &["team:search".into()], &items, "c9.1").is_ok());
        // Items without a team label are counted together.
        assert!(check_cap(&cap, 0, &[], &items, "c9.1").is_ok());
    }

    #[test]
    fn cap_ignores_the_item_this_line_already_opened() {
        let cap = OpenCap {
            limit: 1,
            priorities: vec![0, 1],
            per_label: None,
        };
        let mut mine = open(1, 0, &[]);
        mine.key = Some("c9.1".into());
        assert!(check_cap(&cap, 0, &[], std::slice::from_ref(&mine), "c9.1").is_ok());
        assert!(check_cap(&cap, 0, &[], &[mine], "c10.1").is_err());
    }
}
