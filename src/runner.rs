//! One run over one issue, the same in every mode: read what is needed, let the engine
//! decide, apply the plan, and make sure no concurrent run overwrote what we saw.
//!
//! GitHub has no compare-and-swap on issue bodies. Every run therefore recomputes the
//! incident from *all* comments, and after writing the body compares the issue's comment
//! count in the PATCH answer with what it listed: when comments arrived meanwhile (another run
//! may have written a body without ours, or ours without theirs), it lists again and rewrites
//! until stable. The last writer always reconciles after its write, so once the last run ends
//! every comment has exactly one entry.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use crate::config::{Allow, Config};
use crate::engine::{self, Authorizer, Facts, Input, Plan, Trigger};
use crate::event::{Comment, Issue};
use crate::github::GitHub;
use crate::postmortem;

/// Rounds of "comments arrived while we wrote": each round lists again and rewrites. Six
/// concurrent runs settle in two or three; the bound keeps a storm from looping forever (the
/// next run, or the sweep, picks up anything left).
const MAX_ROUNDS: usize = 6;

/// What a run did, for outputs and the job summary.
#[derive(Debug, Clone, Default)]
pub struct Outcome {
    pub issue: Option<u64>,
    pub severity: Option<u8>,
    /// The severity's configured name (`SEV1`).
    pub severity_name: Option<String>,
    pub status: Option<&'static str>,
    pub notes: Vec<String>,
}

/// Decides who may run what, from config and each comment's author association; teams are
/// looked up once per (team, login) before the engine runs.
pub struct ConfigAuthorizer<'c> {
    config: &'c Config,
    teams: BTreeMap<(String, String), bool>,
}

impl<'c> ConfigAuthorizer<'c> {
    pub async fn prepare(
        config: &'c Config,
        github: &GitHub,
        authors: &BTreeSet<String>,
    ) -> anyhow::Result<Self> {
        let mut teams = BTreeMap::new();
        let all_teams: BTreeSet<&String> =
            config_rules(config).flat_map(|a| a.teams.iter()).collect();
        if !all_teams.is_empty() {
            for login in authors {
                for team in &all_teams {
                    let member = github.is_team_member(team, login).await?;
                    teams.insert((team.to_string(), login.to_ascii_lowercase()), member);
                }
            }
        }
        Ok(ConfigAuthorizer { config, teams })
    }
}

fn config_rules(config: &Config) -> impl Iterator<Item = &Allow> {
    std::iter::once(&config.permissions.default).chain(config.permissions.commands.values())
}

impl Authorizer for ConfigAuthorizer<'_> {
    fn allowed(&self, comment: &Comment, command: &str) -> bool {
        let login = comment.user.login.to_ascii_lowercase();
        self.config
            .allowed(command)
            .permits(&login, &comment.author_association, |team| {
                self.teams
                    .get(&(team.to_string(), login.clone()))
                    .copied()
                    .unwrap_or(false)
            })
    }

    fn who(&self, command: &str) -> String {
        let rule = self.config.allowed(command);
        let mut parts = Vec::new();
        if !rule.associations.is_empty() {
            let names: Vec<String> = rule
                .associations
                .iter()
                .map(|a| a.to_ascii_lowercase())
                .collect();
            parts.push(format!("repository {}", names.join("s, ") + "s"));
        }
        if !rule.users.is_empty() {
            parts.push(
                rule.users
                    .iter()
                    .map(|u| u.trim_start_matches('@').to_string())
                    .collect::<Vec<_>>()
                    .join(", "),
            );
        }
        if !rule.teams.is_empty() {
            parts.push(format!("members of {}", rule.teams.join(", ")));
        }
        if parts.is_empty() {
            "Nobody".to_string()
        } else {
            capitalize(&parts.join("; "))
        }
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().collect::<String>() + chars.as_str(),
        None => String::new(),
    }
}

/// Rounds of "the engine asked for facts": permissions and open items, then the items'
/// issues, then the decision. More means a bug; the run fails loudly rather than loop.
const MAX_FACT_ROUNDS: usize = 4;

/// Reconciles one issue.
pub async fn run_issue(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    trigger: Trigger,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    run_issue_with(github, config, issue, trigger, now, Facts::default()).await
}

/// [`run_issue`] with facts already known (the sweep reads every action item's state once).
pub async fn run_issue_with(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    trigger: Trigger,
    now: DateTime<Utc>,
    mut facts: Facts,
) -> anyhow::Result<Outcome> {
    let mut issue = issue.clone();
    let mut comments = github.list_comments(issue.number).await?;
    let mut outcome = Outcome {
        issue: Some(issue.number),
        ..Outcome::default()
    };
    let mut trigger = trigger;
    for round in 0..MAX_ROUNDS {
        let gathered = postmortem::flow::gather(github, config, &issue, &trigger).await?;
        // A run about the postmortem pull request reads its comments too: `/action` there
        // acts on the incident.
        let pull_comments = match &gathered {
            Some(g) => github.list_comments(g.number).await?,
            None => Vec::new(),
        };
        let authors: BTreeSet<String> = comments
            .iter()
            .chain(&pull_comments)
            .filter(|c| !c.user.is_bot())
            .map(|c| c.user.login.clone())
            .collect();
        let authorizer = ConfigAuthorizer::prepare(config, github, &authors).await?;
        let mut fact_rounds = 0;
        let mut plan = loop {
            let plan = engine::decide(&Input {
                config,
                now,
                issue: &issue,
                comments: &comments,
                trigger: trigger.clone(),
                authorizer: &authorizer,
                facts: &facts,
                pull: gathered.as_ref().map(|g| (g.number, &g.facts)),
                pull_comments: &pull_comments,
            });
            if plan.needs.is_empty() {
                break plan;
            }
            fact_rounds += 1;
            anyhow::ensure!(
                fact_rounds <= MAX_FACT_ROUNDS,
                "deciding #{} still needs {:?} after {MAX_FACT_ROUNDS} rounds of look-ups",
                issue.number,
                plan.needs
            );
            crate::action_items::resolve(github, issue.number, &plan.needs, &mut facts).await?;
        };
        postmortem::flow::apply(github, config, &issue, gathered.as_ref(), &mut plan, now).await?;
        let Some(incident) = plan.incident.clone() else {
            apply(github, config, &plan, &comments, &pull_comments).await?;
            outcome.notes.extend(plan.notes);
            return Ok(outcome);
        };
        outcome.severity = Some(incident.severity);
        outcome.severity_name = Some(config.severity_name(incident.severity));
        outcome.status = Some(incident.status.as_str());
        outcome.notes.extend(plan.notes.iter().cloned());
        let posted = apply(github, config, &plan, &comments, &pull_comments).await?;
        let written = match posted.issue {
            Some(written) => written,
            None if posted.stale => github.get_issue(issue.number).await?,
            // Nothing to write: the body already holds everything we listed.
            None => return Ok(outcome),
        };
        // Comments that exist now but were not in our list (minus our own replies and parts).
        let expected = comments.len() as u64 + posted.comments;
        if written.comments <= expected && !posted.stale {
            return Ok(outcome);
        }
        tracing::info!(
            round,
            listed = comments.len(),
            now = written.comments,
            "comments arrived while writing; reconciling again"
        );
        issue = written;
        comments = github.list_comments(issue.number).await?;
        // Hand events were recorded in the first round.
        trigger = Trigger::Reconcile;
    }
    Ok(outcome)
}

/// What [`apply`] wrote.
#[derive(Debug, Default)]
pub struct Applied {
    /// The issue as GitHub answered the final PATCH, when there was one.
    pub issue: Option<Issue>,
    /// Comments posted.
    pub comments: u64,
    /// A part we meant to rewrite was gone (deleted meanwhile): list and decide again.
    pub stale: bool,
}

/// Applies a plan. Labels, assignees, replies and reactions first (each safe to repeat or
/// guarded by its marker), then new and changed timeline parts, the body last: the body is the
/// run's commit point, so a run that fails midway is redone whole by the next one. Only
/// duplicated parts are retired after it, once the body links the surviving ones.
pub async fn apply(
    github: &GitHub,
    config: &Config,
    plan: &Plan,
    comments: &[Comment],
    pull_comments: &[Comment],
) -> anyhow::Result<Applied> {
    let n = plan.issue;
    if plan.ensure_labels {
        ensure_labels(github, config).await?;
    }
    if !plan.add_labels.is_empty() {
        github.add_labels(n, &plan.add_labels).await?;
    }
    for label in &plan.remove_labels {
        github.remove_label(n, label).await?;
    }
    if !plan.add_assignees.is_empty() {
        github.add_assignees(n, &plan.add_assignees).await?;
    }
    if !plan.remove_assignees.is_empty() {
        github.remove_assignees(n, &plan.remove_assignees).await?;
    }
    let mut applied = Applied::default();
    for comment in &plan.comments {
        let marker = engine::reply_marker(&comment.key);
        let (on, existing) = match comment.on {
            Some(other) => (other, pull_comments),
            None => (n, comments),
        };
        if existing
            .iter()
            .any(|c| c.user.is_bot() && c.body_text().contains(&marker))
        {
            continue;
        }
        github
            .create_comment(on, &comment.body)
            .await
            .with_context(|| format!("replying on #{on}"))?;
        if comment.on.is_none() {
            applied.comments += 1;
        }
    }
    crate::action_items::attach(github, n, &plan.sub_issues).await?;
    for (comment, content) in &plan.reactions {
        github.react_to_comment(*comment, content).await?;
    }
    // Overflow parts before the body, which links them.
    let mut created = Vec::new();
    for part in &plan.overflow.create {
        let comment = github
            .create_comment(n, &part.body)
            .await
            .with_context(|| format!("opening timeline part {} on #{n}", part.part))?;
        created.push(comment.id);
        applied.comments += 1;
    }
    for (id, body) in &plan.overflow.update {
        match github.update_comment(*id, body).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => applied.stale = true,
            Err(e) => return Err(e.into()),
        }
    }
    let mut patch = plan.patch.clone();
    if let (Some(draft), Some(incident)) = (&plan.overflow.body, &plan.incident) {
        patch.body = Some(draft.compose(incident, &created));
    }
    if !patch.is_empty() {
        applied.issue = Some(github.update_issue(n, &patch).await?);
    }
    for (id, body) in &plan.overflow.retire {
        match github.update_comment(*id, body).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(applied)
}

/// Creates whichever of Firebreak's labels the repository lacks (one list, then one create
/// per missing label: the first incident in a repository pays it once).
pub async fn ensure_labels(github: &GitHub, config: &Config) -> anyhow::Result<()> {
    let existing: BTreeSet<String> = github
        .list_labels()
        .await?
        .into_iter()
        .map(|l| l.name.to_ascii_lowercase())
        .collect();
    for label in engine::all_labels(config) {
        if !existing.contains(&label.name.to_ascii_lowercase()) {
            github.create_label(&label).await?;
        }
    }
    Ok(())
}
