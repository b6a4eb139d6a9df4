//! The scheduled sweep (`firebreak sweep`; the Action on `schedule` and `workflow_dispatch`):
//! the reminders and escalations due now are posted ([`crate::engine::reminders`]), comments
//! whose events were lost are caught up, and action items closed or reopened unseen are brought
//! in line — at a cost that does not grow with the number of incidents when nothing is due.
//!
//! **Reads.** Whatever the number of incidents: the open incidents and the open action items
//! (100 a page), the watermark, and the repository's comments updated since it — one list for
//! the whole repository, not one per incident. Each incident is then decided from its body's
//! state and its own recent comments ([`Listing::Recent`]); one with something to write (a
//! reminder, a comment not yet in its timeline) lists its comments and is written like any
//! run ([`super::run_snapshot`]). Items the state says are open but the open list lacks are
//! read one by one (closed without an event, usually).
//!
//! **The watermark** is the time up to which every comment is in its incident: the
//! description of the label [`WATERMARK_LABEL`]. It moves only at the end of a sweep, and
//! never past the oldest recent comment of an incident that failed, less [`SLACK`] for
//! comments GitHub had not shown yet: a sweep that dies midway leaves it where it was, and the
//! next one lists from there again. It moves only once [`ADVANCE_AFTER`] comments pile up
//! behind it, so a quiet repository's sweep writes nothing at all. Without it (the first
//! sweep, or the label deleted) comments are listed from the oldest open incident's
//! declaration.
//!
//! **Faults.** An incident that cannot be swept — a damaged body, a 403, someone a reminder
//! mentions who does not exist — is reported in [`Outcome::failures`] and the others are
//! swept; the caller reports each and exits 1 at the end.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Duration, Utc};

use super::{Mode, Outcome, apply, gather, run_snapshot};
use crate::config::Config;
use crate::engine::plan::LabelSpec;
use crate::engine::{Facts, LABEL_ACTION_ITEM, LABEL_INCIDENT, REPLY_MARKER, reminders};
use crate::event::{Comment, Issue};
use crate::github::GitHub;
use crate::incident::section::Body;
use crate::incident::{Incident, ItemState};
use crate::render::views::format_time;

/// The label whose description keeps the sweep's watermark.
pub const WATERMARK_LABEL: &str = "firebreak:sweep";

/// How far behind the newest comment read the watermark stays: GitHub may show a comment a
/// little after its `updated_at`, and one that appears late must still be read next time.
pub const SLACK: Duration = Duration::minutes(5);

/// Comments read behind the watermark before it moves: below half a page, reading them again
/// costs nothing (the list is one page either way) and moving it would be a write per sweep.
pub const ADVANCE_AFTER: usize = 50;

/// Lines of "due next" in the summary: the soonest; the rest wait for a later sweep.
const DUE_LINES: usize = 10;

/// What the sweep read before deciding anything.
#[derive(Debug, Clone, Default)]
pub struct Listed {
    pub incidents: Vec<Issue>,
    /// The open action items.
    pub items: Vec<Issue>,
    /// Comments updated since `since`, with the issue each is on, least recently updated first.
    pub comments: Vec<(u64, Comment)>,
    /// The watermark as read (`None`: no label yet).
    pub mark: Option<DateTime<Utc>>,
    /// Where the comment list started.
    pub since: DateTime<Utc>,
}

/// One open incident, ready to decide.
#[derive(Debug, Clone)]
pub struct Work {
    pub issue: Issue,
    /// Its body's state (`None`: not declared yet; the run declares it).
    pub incident: Option<Incident>,
    /// Its comments updated since the watermark.
    pub comments: Vec<Comment>,
    pub facts: Facts,
    /// Why it cannot be swept (a damaged body).
    pub problem: Option<String>,
}

pub async fn sweep(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    mode: Mode,
) -> anyhow::Result<Outcome> {
    let listed = list(github, now).await?;
    let mut outcome = Outcome::default();
    let (states, unread) = read_items(github, &listed).await;
    let work = prepare(&listed, &states);
    let mut written = 0usize;
    let mut failed: BTreeSet<u64> = BTreeSet::new();
    let mut due: Vec<(DateTime<Utc>, String)> = Vec::new();
    for one in work {
        let number = one.issue.number;
        if let Some((at, what)) = one
            .incident
            .as_ref()
            .and_then(|i| reminders::next(config, i, now))
        {
            due.push((at, format!("#{number}: {what}")));
        }
        let problem = one.problem.clone().or_else(|| {
            let incident = one.incident.as_ref()?;
            incident
                .action_items
                .iter()
                .filter_map(|i| i.number)
                .find_map(|n| unread.get(&n))
                .cloned()
        });
        if let Some(problem) = problem {
            failed.insert(number);
            outcome.failures.push(format!("#{number}: {problem}"));
            continue;
        }
        match sweep_one(github, config, one, now, mode).await {
            Ok(one) => {
                let wrote = !one.notes.is_empty() || !one.plans.is_empty();
                written += usize::from(wrote);
                outcome
                    .notes
                    .extend(one.notes.into_iter().map(|n| format!("#{number}: {n}")));
                outcome.plans.extend(
                    one.plans
                        .into_iter()
                        .filter(|p| !p.is_empty() || !p.problems.is_empty()),
                );
            }
            Err(error) => {
                failed.insert(number);
                outcome.failures.push(format!("#{number}: {error:#}"));
            }
        }
    }
    outcome.notes.push(format!(
        "swept {} open incident(s), {written} with something to do; read {} comment(s) updated since {}",
        listed.incidents.len(),
        listed.comments.len(),
        format_time(listed.since, config.timezone),
    ));
    if let Some(mark) = advance(&listed, &failed) {
        let label = watermark_label(mark);
        match mode {
            Mode::Apply => {
                apply::watermark(github, &label, listed.mark.is_some()).await?;
                outcome.notes.push(format!(
                    "moved the comment watermark to {}",
                    format_time(mark, config.timezone)
                ));
            }
            Mode::DryRun => outcome.notes.push(format!(
                "would move the comment watermark to {} (label `{WATERMARK_LABEL}`)",
                format_time(mark, config.timezone)
            )),
        }
    }
    due.sort();
    outcome.due = due
        .into_iter()
        .take(DUE_LINES)
        .map(|(at, what)| format!("{what} at {}", format_time(at, config.timezone)))
        .collect();
    Ok(outcome)
}

/// The sweep's reads: open incidents, open items, the watermark, comments since it.
async fn list(github: &GitHub, now: DateTime<Utc>) -> anyhow::Result<Listed> {
    let incidents = github.list_issues(LABEL_INCIDENT, "open").await?;
    let items = github.list_issues(LABEL_ACTION_ITEM, "open").await?;
    let mark = github
        .get_label(WATERMARK_LABEL)
        .await?
        .and_then(|l| parse_mark(l.description.as_deref().unwrap_or("")));
    let oldest = incidents
        .iter()
        .filter_map(|i| Some(Body::parse(i.body_text()).incident()?.declared_at))
        .min();
    let (since, comments) = match (mark, oldest) {
        // No open incident has comments to catch up.
        (_, None) => (mark.unwrap_or(now), Vec::new()),
        (Some(mark), Some(_)) => (mark, github.list_comments_since(mark).await?),
        (None, Some(oldest)) => {
            let since = oldest - SLACK;
            (since, github.list_comments_since(since).await?)
        }
    };
    Ok(Listed {
        incidents,
        items,
        comments,
        mark,
        since,
    })
}

/// Items the incidents' states say are open but the open list lacks, read one by one: their
/// states, and why the ones that could not be read were not (by item number).
async fn read_items(
    github: &GitHub,
    listed: &Listed,
) -> (BTreeMap<u64, ItemState>, BTreeMap<u64, String>) {
    let mut states = BTreeMap::new();
    let mut unread = BTreeMap::new();
    for number in missing_items(listed) {
        match github.get_issue(number).await {
            Ok(issue) => {
                states.insert(number, crate::engine::ItemIssue::of(&issue).state);
            }
            // Deleted or transferred: no longer open here.
            Err(e) if e.is_not_found() => {
                states.insert(number, ItemState::Closed);
            }
            Err(e) => {
                unread.insert(number, format!("reading action item #{number}: {e}"));
            }
        }
    }
    (states, unread)
}

/// Numbers of items open in some incident's state but missing from the open list.
pub fn missing_items(listed: &Listed) -> BTreeSet<u64> {
    let open: BTreeSet<u64> = listed.items.iter().map(|i| i.number).collect();
    listed
        .incidents
        .iter()
        .filter_map(|i| Body::parse(i.body_text()).incident().cloned())
        .flat_map(|incident| incident.action_items)
        .filter(|item| item.state == ItemState::Open)
        .filter_map(|item| item.number)
        .filter(|n| !open.contains(n))
        .collect()
}

/// Groups what was listed by incident (oldest first), with each one's facts: its items' live states (from
/// the open list and `read`, the items read one by one), and the keys of replies found on its
/// items among the recent comments. Pure: the sweep's work between its reads and its decisions.
pub fn prepare(listed: &Listed, read: &BTreeMap<u64, ItemState>) -> Vec<Work> {
    let open: BTreeSet<u64> = listed.items.iter().map(|i| i.number).collect();
    let mut by_issue: BTreeMap<u64, Vec<&Comment>> = BTreeMap::new();
    for (number, comment) in &listed.comments {
        by_issue.entry(*number).or_default().push(comment);
    }
    let mut incidents: Vec<&Issue> = listed.incidents.iter().collect();
    incidents.sort_by_key(|i| i.number);
    incidents
        .into_iter()
        .map(|issue| {
            let body = Body::parse(issue.body_text());
            let problem = match &body.state {
                Some(Err(problem)) => Some(format!(
                    "the Firebreak section of its body is damaged ({problem}), so it was not swept; restore the section from the body's edit history"
                )),
                _ => None,
            };
            let incident = body.incident().cloned();
            let mut facts = Facts::default();
            if let Some(incident) = &incident {
                let numbers: Vec<u64> = incident.action_items.iter().filter_map(|i| i.number).collect();
                facts.item_states = Some(
                    numbers
                        .iter()
                        .filter_map(|n| {
                            let state = if open.contains(n) {
                                ItemState::Open
                            } else {
                                *read.get(n)?
                            };
                            Some((*n, state))
                        })
                        .collect(),
                );
                facts.posted = numbers
                    .iter()
                    .filter_map(|n| by_issue.get(n))
                    .flatten()
                    .filter_map(|c| reply_key(c.body_text()))
                    .collect();
            }
            Work {
                issue: issue.clone(),
                incident,
                comments: by_issue
                    .get(&issue.number)
                    .map(|list| list.iter().map(|c| (*c).clone()).collect())
                    .unwrap_or_default(),
                facts,
                problem,
            }
        })
        .collect()
}

/// The key a reply's marker names.
fn reply_key(body: &str) -> Option<String> {
    let start = body.find(REPLY_MARKER)? + REPLY_MARKER.len();
    let rest = &body[start..];
    Some(rest[..rest.find(" -->")?].to_string())
}

/// Decides and writes one incident.
async fn sweep_one(
    github: &GitHub,
    config: &Config,
    work: Work,
    now: DateTime<Utc>,
    mode: Mode,
) -> anyhow::Result<Outcome> {
    let facts = work.facts.clone();
    let first =
        gather::Snapshot::recent(github, config, work.issue, work.comments, work.facts).await?;
    run_snapshot(github, config, first, now, mode, facts).await
}

/// Where the watermark moves after this sweep, if it moves: behind the newest comment read,
/// never past the first recent comment of an incident that failed, less [`SLACK`].
pub fn advance(listed: &Listed, failed: &BTreeSet<u64>) -> Option<DateTime<Utc>> {
    if listed.comments.len() < ADVANCE_AFTER {
        return None;
    }
    let newest = listed.comments.iter().map(|(_, c)| c.updated_at).max()?;
    let held = listed
        .comments
        .iter()
        .filter(|(n, _)| failed.contains(n))
        .map(|(_, c)| c.updated_at)
        .min();
    let mark = held.map_or(newest, |h| h.min(newest)) - SLACK;
    (mark > listed.since).then_some(mark)
}

/// The label keeping the watermark `mark`.
pub fn watermark_label(mark: DateTime<Utc>) -> LabelSpec {
    LabelSpec {
        name: WATERMARK_LABEL.into(),
        color: "ededed".into(),
        description: Some(format!(
            "Firebreak's sweep has read comments up to {} (keep this label)",
            mark.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )),
    }
}

/// The watermark a label description keeps, if it keeps one.
pub fn parse_mark(description: &str) -> Option<DateTime<Utc>> {
    description
        .split_whitespace()
        .find_map(|word| DateTime::parse_from_rfc3339(word).ok())
        .map(|t| t.with_timezone(&Utc))
}
