//! The postmortem's GitHub work, around the engine's pure decision:
//!
//! 1. [`gather`], before deciding: when the run concerns the postmortem pull request (an event
//!    about it, or the incident being closed), read it — the pull request, the file at its
//!    head, its reviews — into [`PullFacts`];
//! 2. [`apply`], after deciding: perform the plan's [`super::Intents`] — open the draft, keep
//!    the file's action-item table in step, edit the checklist comment, reopen a pull request,
//!    add the index line, publish the public version — and record the outcome in the incident
//!    so the body (written last by the runner) says it.
//!
//! Every step is safe to repeat: a branch, file or pull request that already exists is found
//! and used, the checklist comment is found by its marker, the index line by its link. A run
//! that changes nothing writes nothing.

use anyhow::Context as _;
use chrono::{DateTime, Utc};

use super::{checklist, index, markdown, public};
use crate::UsageError;
use crate::config::Config;
use crate::engine::{self, HandEvent, HandKind, Plan, Trigger};
use crate::event::Issue;
use crate::github::{Blob, Created, GitHub, Pull, Review};
use crate::incident::section::Body;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, PullFacts};
use crate::render::views::postmortem::{
    ChecklistView, PostmortemView, PublishedView, PullBodyView,
};
use crate::render::{self as templates, names};

/// What [`gather`] read.
#[derive(Debug, Clone)]
pub struct Gathered {
    pub number: u64,
    pub facts: PullFacts,
    pub pull: Pull,
    /// The postmortem file at the pull request's head.
    pub file: Option<Blob>,
}

/// A template failure is a configuration error (exit code 2) naming the file.
fn usage(e: templates::TemplateError) -> anyhow::Error {
    anyhow::Error::new(UsageError(format!("template {e}")))
}

/// Reviewers whose latest deciding review (approve, request changes, dismissed) approves, in
/// the order they first reviewed. Comments do not change a reviewer's verdict.
pub fn approvers(reviews: &[Review]) -> Vec<String> {
    let mut verdicts: Vec<(String, bool)> = Vec::new();
    for review in reviews {
        let Some(user) = &review.user else { continue };
        let verdict = match review.state.as_str() {
            "APPROVED" => true,
            "CHANGES_REQUESTED" | "DISMISSED" => false,
            _ => continue,
        };
        match verdicts
            .iter_mut()
            .find(|(l, _)| l.eq_ignore_ascii_case(&user.login))
        {
            Some(slot) => slot.1 = verdict,
            None => verdicts.push((user.login.clone(), verdict)),
        }
    }
    verdicts
        .into_iter()
        .filter(|(_, v)| *v)
        .map(|(l, _)| l)
        .collect()
}

/// The facts the checklist needs, from the pull request, its file and its reviews.
pub fn facts_of(config: &Config, pull: &Pull, file: Option<&str>, reviews: &[Review]) -> PullFacts {
    PullFacts {
        state: pull.state.clone(),
        merged: pull.merged(),
        merged_at: pull.merged_at,
        closed_at: pull.closed_at,
        merged_by: pull.merged_by.as_ref().map(|u| u.login.clone()),
        missing_sections: match file {
            Some(text) => markdown::missing_sections(text, &config.postmortem.required_sections),
            None => config.postmortem.required_sections.clone(),
        },
        approvers: approvers(reviews),
    }
}

/// Reads the postmortem pull request when the run concerns it; `None` otherwise (no call).
pub async fn gather(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    trigger: &Trigger,
) -> anyhow::Result<Option<Gathered>> {
    let body = Body::parse(issue.body_text());
    let Some(incident) = body.incident() else {
        return Ok(None);
    };
    let pm = incident.postmortem.as_ref();
    let recorded = pm.and_then(|p| p.pull);
    let number = match (trigger, recorded) {
        (Trigger::Pull { number }, Some(n)) if *number == n => n,
        // Another pull request naming this incident is not its postmortem.
        (Trigger::Pull { .. }, Some(_)) => return Ok(None),
        // Ours if it comes from the incident's branch (a run that opened it and failed
        // before writing the body).
        (Trigger::Pull { number }, None) => *number,
        (
            Trigger::Hand(HandEvent {
                kind: HandKind::Closed,
                ..
            }),
            Some(n),
        ) => n,
        (_, Some(n)) if issue.state == "closed" => n,
        _ => return Ok(None),
    };
    let pull = github.get_pull(number).await?;
    let expected_branch = pm
        .and_then(|p| p.branch.clone())
        .unwrap_or_else(|| super::branch_name(config, issue.number, incident));
    if recorded.is_none() && pull.head.branch != expected_branch {
        return Ok(None);
    }
    let path = pm
        .and_then(|p| p.path.clone())
        .unwrap_or_else(|| super::file_path(config, incident));
    let file = github.read_blob(&path, Some(&pull.head.sha)).await?;
    let reviews = github.list_reviews(number).await?;
    let facts = facts_of(
        config,
        &pull,
        file.as_ref().map(|b| b.text.as_str()),
        &reviews,
    );
    Ok(Some(Gathered {
        number,
        facts,
        pull,
        file,
    }))
}

/// Performs the plan's postmortem intents and records what they did in `plan.incident`.
pub async fn apply(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    gathered: Option<&Gathered>,
    plan: &mut Plan,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let intents = std::mem::take(&mut plan.postmortem);
    let Some(mut incident) = plan.incident.clone() else {
        return Ok(());
    };
    let Some(pm) = incident.postmortem.clone() else {
        return Ok(());
    };
    let open_file = gathered.filter(|g| g.pull.state == "open" && !g.facts.merged);
    if intents.is_empty() && open_file.is_none() {
        return Ok(());
    }
    let mut posted_checklist = false;
    // Documents show the whole timeline, including entries moved to overflow comments.
    let full = std::mem::take(&mut plan.overflow.full_timeline);
    let full_ids: std::collections::BTreeSet<String> = full.iter().map(|e| e.id()).collect();
    let body_timeline = (!full.is_empty()).then(|| std::mem::replace(&mut incident.timeline, full));
    if intents.draft && pm.pull.is_none() {
        open_draft(github, config, issue, &mut incident, now).await?;
        posted_checklist = true;
    }
    if intents.items || open_file.is_some() {
        sync_items(github, config, &mut incident, open_file).await?;
    }
    if let Some(n) = intents.reopen_pull {
        github.set_pull_state(n, "open").await?;
        plan.notes.push(format!("reopened postmortem #{n}"));
    }
    if intents.index {
        add_to_index(github, config, issue, gathered, &mut incident).await?;
    }
    if let Some(key) = &intents.publish {
        publish(github, config, gathered, &mut incident, plan, key).await?;
    }
    if let Some(kept) = body_timeline {
        // Back to the body's share, keeping any entry added meanwhile.
        let full = std::mem::replace(&mut incident.timeline, kept);
        for entry in full.into_iter().filter(|e| !full_ids.contains(&e.id())) {
            crate::incident::timeline::upsert(&mut incident.timeline, entry);
        }
    }
    let checks = checklist::evaluate(config, &incident);
    let pm = incident.postmortem.as_mut().expect("checked above");
    let changed = checks != pm.checklist;
    pm.checklist = checks;
    // A draft opened in this run already posted the checklist; post again only if it moved.
    let stale = if posted_checklist {
        changed
    } else {
        changed || intents.checklist
    };
    if stale {
        post_checklist(github, config, issue.number, &mut incident, false).await?;
    }
    plan.incident = Some(incident);
    engine::refresh_body(config, issue, plan);
    Ok(())
}

async fn base_branch(github: &GitHub, config: &Config) -> anyhow::Result<String> {
    match &config.postmortem.base_branch {
        Some(b) => Ok(b.clone()),
        None => Ok(github.default_branch().await?),
    }
}

/// Branch, file, draft pull request, label, checklist comment: six calls when nothing exists
/// yet; a repeated run finds each and goes on.
async fn open_draft(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    incident: &mut Incident,
    now: DateTime<Utc>,
) -> anyhow::Result<()> {
    let number = issue.number;
    let pm = incident.postmortem.clone().expect("checked by the caller");
    let branch = pm
        .branch
        .clone()
        .unwrap_or_else(|| super::branch_name(config, number, incident));
    let path = pm
        .path
        .clone()
        .unwrap_or_else(|| super::file_path(config, incident));
    let base = base_branch(github, config).await?;
    let base_sha = github
        .branch_sha(&base)
        .await?
        .ok_or_else(|| anyhow::anyhow!("the base branch `{base}` of postmortems does not exist"))?;
    github.create_branch(&branch, &base_sha).await?;
    let view = PostmortemView::new(config, incident, number, &issue.html_url).map_err(usage)?;
    let text = templates::render_overridable(config, names::POSTMORTEM, &view).map_err(usage)?;
    let file_text = match github
        .write_file(
            &path,
            &branch,
            &text,
            &format!("Postmortem draft for #{number}: {}", incident.record),
            None,
        )
        .await?
    {
        Created::Created => text,
        // Written by an earlier run (and perhaps edited since): keep it, read it.
        Created::Existed => github
            .read_blob(&path, Some(&branch))
            .await?
            .map(|b| b.text)
            .unwrap_or(text),
    };
    let body = templates::render_overridable(
        config,
        names::PULL_BODY,
        &PullBodyView {
            number,
            title: incident.title.clone(),
            record: incident.record.clone(),
            severity: config.severity_name(incident.severity),
            path: path.clone(),
            owner: super::owner(incident),
            due: pm.due.map(|d| d.to_string()),
            required: super::required(config, incident),
            marker: super::pull_marker(number),
        },
    )
    .map_err(usage)?;
    let title = format!("Postmortem: {} ({})", incident.title, incident.record);
    let (pull, fresh) = match github
        .create_pull(&title, &branch, &base, &body, true)
        .await?
    {
        Some(pull) => (pull, true),
        None => (
            github
                .find_pull(&branch)
                .await?
                .with_context(|| format!("GitHub refused the pull request from {branch}"))?,
            false,
        ),
    };
    github
        .add_labels(pull.number, &[super::LABEL_POSTMORTEM.to_string()])
        .await?;
    let pm = incident.postmortem.as_mut().expect("checked by the caller");
    pm.branch = Some(branch);
    pm.path = Some(path.clone());
    pm.pull = Some(pull.number);
    pm.facts = Some(facts_of(config, &pull, Some(&file_text), &[]));
    if !fresh {
        pm.checklist_comment = find_checklist(github, pull.number, number).await?;
    }
    let checks = checklist::evaluate(config, incident);
    incident
        .postmortem
        .as_mut()
        .expect("checked by the caller")
        .checklist = checks;
    // A pull request opened just now has no comment to look for.
    post_checklist(github, config, number, incident, fresh).await?;
    let at = pull.created_at.unwrap_or(now);
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(
            at,
            EntryKind::Postmortem,
            "firebreak",
            format!("Postmortem draft opened: #{} (`{path}`)", pull.number),
        )
        .with_key("postmortem-draft"),
    );
    Ok(())
}

/// The checklist comment on the pull request, found by its marker (the first, if a race left
/// two).
async fn find_checklist(github: &GitHub, pull: u64, number: u64) -> anyhow::Result<Option<u64>> {
    let marker = super::checklist_marker(number);
    Ok(github
        .list_comments(pull)
        .await?
        .into_iter()
        .find(|c| c.user.is_bot() && c.body_text().contains(&marker))
        .map(|c| c.id))
}

/// Writes the checklist: edits the comment, or posts it when there is none yet (`new_pull`: the
/// pull request was just opened, so there is none to look for).
async fn post_checklist(
    github: &GitHub,
    config: &Config,
    number: u64,
    incident: &mut Incident,
    new_pull: bool,
) -> anyhow::Result<()> {
    let pm = incident.postmortem.clone().expect("checked by the caller");
    let Some(pull) = pm.pull else {
        return Ok(());
    };
    let text = templates::render_overridable(
        config,
        names::CHECKLIST,
        &ChecklistView::new(config, incident, number),
    )
    .map_err(usage)?;
    let id = match pm.checklist_comment {
        Some(id) => Some(id),
        None if new_pull => None,
        None => find_checklist(github, pull, number).await?,
    };
    let id = match id {
        Some(id) => match github.update_comment(id, &text).await {
            Ok(c) => c.id,
            // Deleted by a person: post it again.
            Err(e) if e.is_not_found() => github.create_comment(pull, &text).await?.id,
            Err(e) => return Err(e.into()),
        },
        None => github.create_comment(pull, &text).await?.id,
    };
    incident
        .postmortem
        .as_mut()
        .expect("checked above")
        .checklist_comment = Some(id);
    Ok(())
}

/// Keeps the action-item table of the file in step with the incident (when the pull request is
/// open and the managed block is still there).
async fn sync_items(
    github: &GitHub,
    config: &Config,
    incident: &mut Incident,
    gathered: Option<&Gathered>,
) -> anyhow::Result<()> {
    let pm = incident.postmortem.clone().expect("checked by the caller");
    let (Some(branch), Some(path)) = (pm.branch.clone(), pm.path.clone()) else {
        return Ok(());
    };
    if pm
        .facts
        .as_ref()
        .is_some_and(|f| f.merged || f.state == "closed")
        && gathered.is_none()
    {
        return Ok(());
    }
    let blob = match gathered {
        Some(g) => g.file.clone(),
        None => github.read_blob(&path, Some(&branch)).await?,
    };
    let Some(blob) = blob else {
        return Ok(());
    };
    let inner = templates::render_overridable(
        config,
        names::ACTION_ITEMS,
        &crate::render::views::postmortem::action_items(incident),
    )
    .map_err(usage)?;
    let Some(updated) = markdown::replace_block(&blob.text, "action-items", &inner) else {
        return Ok(());
    };
    if updated == blob.text {
        return Ok(());
    }
    let head = gathered
        .map(|g| g.pull.head.branch.clone())
        .unwrap_or(branch);
    github
        .write_file(
            &path,
            &head,
            &updated,
            "Postmortem: update the action items",
            Some(&blob.sha),
        )
        .await?;
    if let Some(facts) = incident.postmortem.as_mut().and_then(|p| p.facts.as_mut()) {
        facts.missing_sections =
            markdown::missing_sections(&updated, &config.postmortem.required_sections);
    }
    Ok(())
}

/// Adds the postmortem's line to the index on the base branch.
async fn add_to_index(
    github: &GitHub,
    config: &Config,
    issue: &Issue,
    gathered: Option<&Gathered>,
    incident: &mut Incident,
) -> anyhow::Result<()> {
    let base = match gathered {
        Some(g) => g.pull.base.branch.clone(),
        None => base_branch(github, config).await?,
    };
    let path = &config.postmortem.index;
    let current = github.read_blob(path, Some(&base)).await?;
    let updated = index::updated(
        config,
        current.as_ref().map(|b| b.text.as_str()),
        incident,
        issue.number,
    )
    .map_err(usage)?;
    if let Some(text) = updated {
        github
            .write_file(
                path,
                &base,
                &text,
                &format!("Postmortem index: {}", incident.record),
                current.as_ref().map(|b| b.sha.as_str()),
            )
            .await?;
    }
    if let Some(pm) = incident.postmortem.as_mut() {
        pm.indexed = true;
    }
    Ok(())
}

/// Renders, checks and commits the public version — on the pull request's branch while it is
/// open, on the base branch once merged — and replies either way.
async fn publish(
    github: &GitHub,
    config: &Config,
    gathered: Option<&Gathered>,
    incident: &mut Incident,
    plan: &mut Plan,
    key: &str,
) -> anyhow::Result<()> {
    let pm = incident.postmortem.clone().expect("checked by the caller");
    let (Some(branch), Some(path)) = (pm.branch.clone(), pm.path.clone()) else {
        return Ok(());
    };
    let facts = pm.facts.clone().unwrap_or_default();
    let (target, pull) = if facts.merged {
        (base_branch(github, config).await?, None)
    } else {
        (branch, pm.pull)
    };
    let source = match gathered.and_then(|g| g.file.clone()) {
        Some(blob) if !facts.merged => Some(blob),
        _ => github.read_blob(&path, Some(&target)).await?,
    };
    let public_path = super::public_path(config, incident);
    let mut view = PublishedView {
        published: false,
        path: public_path.clone(),
        branch: target.clone(),
        pull,
        redactions: 0,
        problems: Vec::new(),
        leaks: Vec::new(),
    };
    let Some(source) = source else {
        view.problems.push(format!(
            "The postmortem file `{path}` was not found on `{target}`."
        ));
        plan.comment(
            key,
            templates::render_overridable(config, names::PUBLISHED, &view).map_err(usage)?,
        );
        return Ok(());
    };
    match public::build(config, incident, &source.text, &facts.approvers).map_err(usage)? {
        Ok(doc) => {
            let existing = github.read_blob(&public_path, Some(&target)).await?;
            if existing.as_ref().map(|b| b.text.as_str()) != Some(doc.text.as_str()) {
                github
                    .write_file(
                        &public_path,
                        &target,
                        &doc.text,
                        &format!("Public postmortem: {}", incident.record),
                        existing.as_ref().map(|b| b.sha.as_str()),
                    )
                    .await?;
            }
            view.published = true;
            view.redactions = doc.redactions;
            if let Some(pm) = incident.postmortem.as_mut() {
                pm.public_path = Some(public_path.clone());
            }
            plan.notes.push(format!("published {public_path}"));
        }
        Err(refusal) => {
            view.problems = refusal.problems;
            view.leaks = refusal.leaks;
            plan.notes.push("public postmortem refused".to_string());
        }
    }
    plan.comment(
        key,
        templates::render_overridable(config, names::PUBLISHED, &view).map_err(usage)?,
    );
    Ok(())
}
