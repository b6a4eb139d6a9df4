//! One run over one issue, the same in every mode: **gather** every read ([`gather`]),
//! **decide** (the pure [`crate::engine`]), **apply** the plan — the only code that writes
//! ([`apply`]) — and **verify** that no concurrent run overwrote what we saw.
//!
//! GitHub has no compare-and-swap on issue bodies. Every run therefore recomputes the
//! incident from *all* comments, and after writing the body compares the issue's comment
//! count in the PATCH answer with what it listed: when comments arrived meanwhile (another run
//! may have written a body without ours, or ours without theirs), it reads again and rewrites
//! until stable. The last writer always reconciles after its write, so once the last run ends
//! every comment has exactly one entry.
//!
//! [`config`] loads the configuration, [`declare`] opens incidents from outside an issue,
//! [`sweep`] runs over every open incident, [`report`] says what a dry run would write,
//! [`reports`] reads for `firebreak report` and refreshes the pinned report issue.

pub mod apply;
pub mod board;
pub mod config;
pub mod declare;
pub mod gather;
pub mod report;
pub mod reports;
pub mod sweep;

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::engine::{Facts, Plan, Trigger};
use crate::event::Issue;
use crate::github::GitHub;
use crate::incident::Incident;
use crate::incident::section::Body;

/// Rounds of "comments arrived while we wrote": each round reads again and rewrites. Six
/// concurrent runs settle in two or three; the bound keeps a storm from looping forever (the
/// next run, or the sweep, picks up anything left).
const MAX_ROUNDS: usize = 6;

/// Whether a run writes, or only says what it would write.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Mode {
    #[default]
    Apply,
    /// Gather and decide, keep the plans, write nothing.
    DryRun,
}

/// What a run did (or, in a dry run, would do), for outputs and the job summary.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub issue: Option<u64>,
    pub severity: Option<u8>,
    /// The severity's configured name (`SEV1`).
    pub severity_name: Option<String>,
    pub status: Option<&'static str>,
    pub notes: Vec<String>,
    /// The plans decided, in a dry run.
    pub plans: Vec<Plan>,
    /// What falls due next (the sweep), soonest first.
    pub due: Vec<String>,
    /// Issues that could not be handled, each with why (the sweep goes on past them and
    /// fails at the end).
    pub failures: Vec<String>,
    /// What could not be done but stops nothing (the board without a usable token): one
    /// warning annotation each in Actions.
    pub warnings: Vec<String>,
}

impl Outcome {
    /// An outcome that only says why nothing was done.
    pub fn skipped(why: impl Into<String>) -> Outcome {
        Outcome {
            notes: vec![why.into()],
            ..Outcome::default()
        }
    }

    fn record(&mut self, plan: &Plan) {
        if let Some(incident) = &plan.incident {
            self.severity = Some(incident.severity);
            self.severity_name = plan.severity_name.clone();
            self.status = Some(incident.status.as_str());
        }
        self.notes.extend(plan.notes.iter().cloned());
    }
}

/// The issue a run starts from.
#[derive(Debug, Clone)]
pub enum Start {
    /// As an event's payload showed it, which can be older than what the run before wrote (a
    /// run waits in its workflow's queue): read again first.
    Payload(Issue),
    /// Just read from GitHub (a listing, a look-up).
    Fresh(Issue),
    /// The event's first read (GraphQL): the issue with its newest comments.
    Read(Box<crate::github::conversation::Conversation>),
}

/// Reconciles one issue. `facts` may hold what the caller read for many issues at once.
pub async fn run_issue(
    github: &GitHub,
    config: &Config,
    start: Start,
    trigger: Trigger,
    now: DateTime<Utc>,
    mode: Mode,
    facts: Facts,
) -> anyhow::Result<Outcome> {
    // Each read boxed: these futures are large, and the caller's stack holds whatever is not.
    let issue = match start {
        Start::Fresh(issue) => issue,
        Start::Payload(stale) => github.get_issue(stale.number).await?,
        Start::Read(read) => {
            let first = Box::pin(gather::Snapshot::first(
                github,
                config,
                *read,
                trigger,
                facts.clone(),
            ))
            .await?;
            return Box::pin(run_snapshot(github, config, first, now, mode, facts)).await;
        }
    };
    let first = Box::pin(gather::Snapshot::read(
        github,
        config,
        issue,
        trigger,
        facts.clone(),
    ))
    .await?;
    Box::pin(run_snapshot(github, config, first, now, mode, facts)).await
}

/// Reconciles one issue from a first snapshot already read (the sweep's, which holds only the
/// recent comments); later rounds read their own.
pub async fn run_snapshot(
    github: &GitHub,
    config: &Config,
    first: gather::Snapshot,
    now: DateTime<Utc>,
    mode: Mode,
    facts: Facts,
) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome {
        issue: Some(first.issue.number),
        ..Outcome::default()
    };
    let number = first.issue.number;
    let before = Body::parse(first.issue.body_text()).incident().cloned();
    let sweep = matches!(first.trigger, Trigger::Sweep);
    let after = Box::pin(rounds(
        github,
        config,
        first,
        now,
        mode,
        facts,
        &mut outcome,
    ))
    .await?;
    // The board follows what this run changed (the sweep repairs the whole board at its end).
    if let Some(after) = after.filter(|_| mode == Mode::Apply && !sweep) {
        let token = board::token_from_env();
        board::follow::follow(
            github,
            config,
            token.as_deref(),
            number,
            before.as_ref(),
            &after,
            &mut outcome,
        )
        .await;
    }
    Ok(outcome)
}

/// The rounds of one run: decide and apply until what was read still holds. The incident's
/// state as the last round left it, when the run applied a plan for an incident.
async fn rounds(
    github: &GitHub,
    config: &Config,
    first: gather::Snapshot,
    now: DateTime<Utc>,
    mode: Mode,
    facts: Facts,
    outcome: &mut Outcome,
) -> anyhow::Result<Option<Incident>> {
    let sweep = matches!(first.trigger, Trigger::Sweep);
    let mut state = None;
    let mut issue = first.issue.clone();
    let mut trigger = first.trigger.clone();
    let mut first = Some(first);
    // Replies this run posted: a twin another run posted at the same time shows when we read
    // again, and ours goes.
    let mut posted: Vec<(u64, String)> = Vec::new();
    for round in 0..MAX_ROUNDS {
        let mut snapshot = match first.take() {
            Some(snapshot) => snapshot,
            None => gather::Snapshot::read(github, config, issue, trigger, facts.clone()).await?,
        };
        if !posted.is_empty() {
            let deleted = apply::retract_duplicate_replies(
                github,
                &snapshot.bot,
                &snapshot.comments,
                &posted,
            )
            .await?;
            posted.retain(|(id, _)| !deleted.contains(id));
        }
        let plan = snapshot.decide(github, config, now).await?;
        outcome.record(&plan);
        if mode == Mode::DryRun {
            outcome.plans.push(plan);
            return Ok(None);
        }
        let seen = apply::Seen {
            bot: &snapshot.bot,
            comments: &snapshot.comments,
            pull_comments: &snapshot.pull_comments,
        };
        let applied = apply::apply(github, config, &seen, &plan).await?;
        outcome.notes.extend(applied.notes.iter().cloned());
        if applied.incident.is_some() {
            state.clone_from(&applied.incident);
        }
        posted.extend(applied.replies.iter().cloned());
        if !plan.problems.is_empty() {
            anyhow::bail!("{}", plan.problems.join("; "));
        }
        if plan.incident.is_none() {
            return Ok(state);
        }
        let written = match applied.issue {
            Some(written) => written,
            None if applied.stale => github.get_issue(snapshot.issue.number).await?,
            // Nothing to write: the body already holds everything we listed.
            None => return Ok(state),
        };
        // Comments that exist now but were not in our list (minus our own replies and parts).
        let expected = snapshot.comments_read() + applied.comments;
        if written.comments <= expected && !applied.stale {
            return Ok(state);
        }
        tracing::info!(
            round,
            listed = snapshot.comments_read(),
            now = written.comments,
            stale = applied.stale,
            "what we read changed while we wrote; reconciling again"
        );
        // A draft found half made by an earlier run is read from its pull request.
        trigger = match written_pull(&written) {
            Some(number) if applied.stale => Trigger::Pull { number },
            // Reminders the first round posted are in the state it wrote.
            _ if sweep => Trigger::Sweep,
            // Hand events were recorded in the first round.
            _ => Trigger::Reconcile,
        };
        issue = written;
    }
    Ok(state)
}

/// The postmortem pull request the issue's state records.
fn written_pull(issue: &Issue) -> Option<u64> {
    crate::incident::section::Body::parse(issue.body_text())
        .incident()?
        .postmortem
        .as_ref()?
        .pull
}
