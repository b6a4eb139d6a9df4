//! The scheduled sweep (`firebreak sweep`; the Action on `schedule` and `workflow_dispatch`):
//! the reminders and escalations due now are posted ([`crate::engine::reminders`]), comments
//! whose events were lost are caught up, and action items closed or reopened unseen are brought
//! in line — at a cost that does not grow with the number of incidents when nothing is due.
//!
//! **Reads.** Whatever the number of incidents: the open incidents and the open action items
//! (100 a page), the watermark, and the repository's comments updated since it — one list for
//! the whole repository, not one per incident. Each incident is then decided from its body's
//! state and its own recent comments ([`crate::engine::Listing::Recent`]); one with something to write (a
//! reminder, a comment not yet in its timeline) lists its comments and is written like any
//! run ([`super::run_snapshot`]). Read one by one, only when something may be due: items the
//! state says are open but the open list lacks (closed without an event, usually), and the
//! closed incidents of open items past due ([`closed_to_read`]), whose reminders only the
//! items get.
//!
//! **What it leaves to the next run.** The repository's comment list holds no issue events
//! (labels, assignees, close, reopen, title): a snapshot of recent comments has none
//! (`events: None`), so nothing is recorded from it and `last_event` does not move. Whatever
//! is written is decided again over the issue's whole timeline, events included
//! (`Need::Comments`); a quiet incident's hand changes wait for the next run on the issue. An
//! incident whose state lives in its record comment (its author may not declare) is read in
//! full unless the record is among the recent comments (`engine::decide`).
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
//! **The report issue** (`report.issue`) is refreshed first when due ([`super::reports`]).
//!
//! **Faults.** An incident that cannot be swept — a damaged body, a 403, someone a reminder
//! mentions who does not exist — is reported in [`Outcome::failures`] and the others are
//! swept; the caller reports each and exits 1 at the end.

mod watermark;
mod work;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Utc};

use super::{Mode, Outcome, apply, gather, run_snapshot};
use crate::config::Config;
use crate::engine::{
    Authorizer as _, ConfigAuthorizer, Facts, LABEL_ACTION_ITEM, LABEL_INCIDENT, is_ours_login,
    reminders,
};
use crate::github::GitHub;
use crate::incident::ItemState;
use crate::render::views::format_time;

pub use watermark::{ADVANCE_AFTER, SLACK, WATERMARK_LABEL, advance, parse_mark, watermark_label};
use work::item_numbers;
pub use work::{Listed, Work, closed_to_read, missing_items, prepare};

/// Lines of "due next" in the summary: the soonest; the rest wait for a later sweep.
const DUE_LINES: usize = 10;

pub async fn sweep(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    mode: Mode,
) -> anyhow::Result<Outcome> {
    let mut listed = list(github, now).await?;
    let mut outcome = Outcome::default();
    // The pinned report issue (`report.issue`), when its refresh is due. Misconfigured, it is a
    // configuration error before anything is written; a failure reading or writing it is one
    // more failure, and the incidents are swept all the same.
    match super::reports::refresh(github, config, now, mode).await {
        Ok(report) => {
            outcome.notes.extend(report.notes);
            outcome.plans.extend(report.plans);
        }
        Err(e) if e.downcast_ref::<crate::UsageError>().is_some() => return Err(e),
        Err(e) => outcome.failures.push(format!("the report issue: {e:#}")),
    }
    for number in closed_to_read(config, &listed, now) {
        match github.get_issue(number).await {
            Ok(issue) if issue.state == "closed" => listed.closed.push(issue),
            // Reopened since, or gone: the next sweep sees it as it is.
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => outcome.failures.push(format!("#{number}: {e}")),
        }
    }
    let swept = listed.incidents.len();
    let bot = github.identity().await.to_string();
    let mut work = prepare(&mut listed, &bot);
    let unread = read_items(github, &mut work).await;
    author_teams(github, config, &bot, &mut work).await;
    let mut written = 0usize;
    let mut failed: BTreeSet<u64> = BTreeSet::new();
    let mut due: Vec<(DateTime<Utc>, String)> = Vec::new();
    for one in work {
        let number = one.issue.number;
        if let Some((at, what)) = one
            .incident()
            .filter(|_| one.issue.state != "closed")
            .and_then(|i| reminders::next(config, i, now))
        {
            due.push((at, format!("#{number}: {what}")));
        }
        let problem = one.problem.clone().or_else(|| {
            one.incident()?
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
        // Boxed: a whole run's future is large, and the sweep's loop holds it.
        match Box::pin(sweep_one(github, config, one, now, mode)).await {
            Ok(one) => {
                // Decided over every comment (its state came back): it had something to write.
                written += usize::from(one.severity.is_some());
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
        swept,
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
    // The board mirrors the issues: drift set back, after the incidents were swept.
    super::board::repair(github, config, mode, &mut outcome).await;
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
    // No incident was declared before its issue was opened.
    let oldest = incidents.iter().map(|i| i.created_at).min();
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
        closed: Vec::new(),
        items,
        comments,
        mark,
        since,
    })
}

/// Items the incidents' states say are open but the open list lacks, read one by one (closed
/// without an event, usually): their states go into the facts of the incidents holding them.
/// Returns why the ones that could not be read were not, by item number.
async fn read_items(github: &GitHub, work: &mut [Work]) -> BTreeMap<u64, String> {
    let mut states = BTreeMap::new();
    let mut unread = BTreeMap::new();
    for number in missing_items(work) {
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
    for one in work.iter_mut() {
        let numbers = item_numbers(one.incident());
        if let Some(known) = one.facts.item_states.as_mut() {
            known.extend(numbers.iter().filter_map(|n| Some((*n, *states.get(n)?))));
        }
    }
    unread
}

/// Whether each incident's author may declare decides where its state is believed from
/// ([`crate::engine`]'s trust): when a permission rule names teams, the memberships that decide
/// it are read here once for the whole sweep and given to every incident, instead of once per
/// incident. A look-up that fails counts as "not a member", with a warning, as in any run.
async fn author_teams(github: &GitHub, config: &Config, bot: &str, work: &mut [Work]) {
    let mut known = Facts::default();
    // Each round learns at least one membership, so the loop ends.
    loop {
        let authorizer = ConfigAuthorizer::new(config, &known);
        for one in work.iter().filter(|w| w.problem.is_none()) {
            let author = &one.issue.user;
            if !is_ours_login(bot, &author.login) {
                authorizer.permits(&author.login, &one.issue.author_association, "incident");
            }
        }
        let missing = authorizer.missing();
        if missing.is_empty() {
            break;
        }
        for (team, login) in missing {
            let member = github
                .is_team_member(&team, &login)
                .await
                .unwrap_or_else(|error| {
                    tracing::warn!(%error, team, login, "cannot read a team membership; taking it as no");
                    false
                });
            known.teams.insert((team, login), member);
        }
    }
    for one in work.iter_mut() {
        one.facts
            .teams
            .extend(known.teams.iter().map(|(k, v)| (k.clone(), *v)));
    }
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
    let bot = github.identity().await.to_string();
    let first = gather::Snapshot::recent(bot, work.issue, work.body, work.comments, work.facts);
    run_snapshot(github, config, first, now, mode, facts).await
}
