//! Apply: the only code that writes to GitHub. It performs a [`Plan`] in a safe order:
//!
//! 1. labels the repository lacks, then the incident issue itself when the plan opens one;
//! 2. labels and assignees (added and removed one by one: hand-made ones survive);
//! 3. action items' issues (each exactly once) and their sub-issue links;
//! 4. the postmortem: branch, files, draft pull request, its label, the checklist comment;
//! 5. replies (each once: its marker is looked for first) and reactions;
//! 6. the reporter's text moved to a comment (when the description could not hold it), new and
//!    changed timeline parts, the record comment (when the state is kept in one), then
//!    the body — the run's commit point, so a run that fails midway is redone whole by the
//!    next one — then duplicated parts are retired.
//!
//! What it creates (issue numbers, the pull request, comment ids) is bound into the plan's
//! incident before the texts that show it are rendered ([`Bindings`]). The reads here only
//! settle what a create did: a create whose outcome is unknown, or two runs creating at once.

use anyhow::Context as _;

use super::gather;
use crate::config::Config;
use crate::engine::plan::PartWrite;
use crate::engine::plan::{Attach, IssuePatch, NewItem};
use crate::engine::{self, Bindings, ItemIssue, Plan};
use crate::event::{Comment, Issue};
use crate::github::{GitHub, Writer};
use crate::postmortem;

/// What [`apply`] wrote.
#[derive(Debug, Default)]
pub struct Applied {
    /// The issue the plan opened (`firebreak declare`).
    pub opened: Option<Issue>,
    /// The issue as GitHub answered the final PATCH, when there was one.
    pub issue: Option<Issue>,
    /// Comments posted on the incident (replies, overflow parts).
    pub comments: u64,
    /// What was read before deciding no longer holds (a part we meant to rewrite was gone, the
    /// draft's file existed already): read and decide again.
    pub stale: bool,
    /// What was created, in words, with the numbers GitHub gave it.
    pub notes: Vec<String>,
    /// Replies posted on the incident, as (comment id, marker): the run checks them for a
    /// twin when it reads again ([`retract_duplicate_replies`]).
    pub replies: Vec<(u64, String)>,
    /// The incident's state as written, with the numbers of what this plan created (action
    /// items, the postmortem pull request): what the board follows.
    pub incident: Option<crate::incident::Incident>,
}

/// What the writes read to avoid repeating themselves: the comments listed before deciding,
/// and who Firebreak is (only its own comments count as earlier replies).
pub struct Seen<'a> {
    pub bot: &'a str,
    pub comments: &'a [Comment],
    pub pull_comments: &'a [Comment],
}

/// Applies `plan`.
pub async fn apply(
    github: &GitHub,
    config: &Config,
    seen: &Seen<'_>,
    plan: &Plan,
) -> anyhow::Result<Applied> {
    let w = github.writer();
    let mut applied = Applied::default();
    for label in &plan.create_labels {
        w.create_label(label).await?;
    }
    if let Some(issue) = &plan.open {
        let opened = w.create_issue(issue).await?;
        applied.notes.push(format!("opened #{}", opened.number));
        applied.opened = Some(opened);
        return Ok(applied);
    }
    let n = plan.issue;
    if !plan.add_labels.is_empty() {
        w.add_labels(n, &plan.add_labels).await?;
    }
    for label in &plan.remove_labels {
        w.remove_label(n, label).await?;
    }
    if !plan.add_assignees.is_empty() {
        w.add_assignees(n, &plan.add_assignees).await?;
    }
    if !plan.remove_assignees.is_empty() {
        w.remove_assignees(n, &plan.remove_assignees).await?;
    }

    let mut bindings = Bindings::default();
    for item in &plan.items {
        let opened = open_item(github, w, n, item).await?;
        applied.notes.push(format!(
            "opened action item #{} \"{}\"",
            opened.number, item.issue.title
        ));
        bindings.items.insert(item.key.clone(), opened);
    }
    attach(w, n, &plan.attach, &bindings).await?;
    postmortem(
        github,
        w,
        config,
        n,
        seen,
        plan,
        &mut bindings,
        &mut applied,
    )
    .await?;

    for comment in &plan.comments {
        let marker = engine::reply_marker(&comment.key);
        let (on, existing) = match comment.on {
            Some(other) => (other, seen.pull_comments),
            None => (n, seen.comments),
        };
        if existing
            .iter()
            .any(|c| engine::is_ours(seen.bot, c) && c.body_text().contains(&marker))
        {
            continue;
        }
        let posted = w
            .create_comment(on, &comment.body)
            .await
            .with_context(|| format!("replying on #{on}"))?;
        if comment.on.is_none() {
            applied.comments += 1;
            applied.replies.push((posted.id, marker));
        }
    }
    for (comment, content) in &plan.reactions {
        w.react_to_comment(*comment, content).await?;
    }

    let incident = plan.incident.as_ref();
    let issue_url = plan
        .body
        .as_ref()
        .map(|b| b.issue_url.as_str())
        .unwrap_or("");
    let text = |part: &PartWrite| match incident {
        Some(incident) => {
            engine::overflow::part_write_text(part, config, incident, issue_url, &bindings)
        }
        None => part.body.clone(),
    };
    // The reporter's moved text before the body, which links it.
    let mut moved = None;
    if let Some(text) = &plan.moved_report {
        let comment = w
            .create_comment(n, text)
            .await
            .with_context(|| format!("moving the report of #{n} to a comment"))?;
        moved = Some(comment.id);
        applied.comments += 1;
    }
    // Overflow parts before the body, which links them.
    let mut created = Vec::new();
    for part in &plan.overflow.create {
        let comment = w
            .create_comment(n, &text(part))
            .await
            .with_context(|| format!("opening timeline part {} on #{n}", part.part))?;
        created.push(comment.id);
        applied.comments += 1;
    }
    for part in &plan.overflow.update {
        let id = part.comment.expect("an update names its comment");
        match w.update_comment(id, &text(part)).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => applied.stale = true,
            Err(e) => return Err(e.into()),
        }
    }
    // The record before the body: a run that dies between them leaves the body behind, and
    // the next run restores it from the record.
    if let (Some(write), Some(incident)) = (&plan.record, incident) {
        let mut bound = incident.clone();
        engine::plan::bind(&mut bound, &bindings);
        let text = engine::docs::record(&bound, n);
        let updated = match write.comment {
            Some(id) => match w.update_comment(id, &text).await {
                Ok(_) => true,
                // Deleted by a maintainer: posted again.
                Err(e) if e.is_not_found() => false,
                Err(e) => return Err(e.into()),
            },
            None => false,
        };
        if !updated {
            w.create_comment(n, &text)
                .await
                .with_context(|| format!("keeping the record of #{n}"))?;
            applied.comments += 1;
        }
    }
    let mut patch = plan.patch.clone();
    if let (Some(draft), Some(incident)) = (&plan.body, incident) {
        patch.body = Some(engine::docs::body(
            config, draft, incident, &bindings, &created, moved,
        ));
    }
    if !patch.is_empty() {
        applied.issue = Some(w.update_issue(n, &patch).await?);
    }
    applied.incident = incident.map(|incident| {
        let mut bound = incident.clone();
        engine::plan::bind(&mut bound, &bindings);
        bound
    });
    for (id, body) in &plan.overflow.retire {
        match w.update_comment(*id, body).await {
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(e.into()),
        }
    }
    Ok(applied)
}

/// Moves the sweep's comment watermark ([`super::sweep`]), its one write of its own: the
/// description of its label, which is created the first time (a label created meanwhile by a
/// concurrent sweep is kept: either watermark is safe).
pub async fn watermark(
    github: &GitHub,
    label: &crate::engine::plan::LabelSpec,
    exists: bool,
) -> anyhow::Result<()> {
    let w = github.writer();
    if exists {
        w.update_label(label).await?;
    } else {
        w.create_label(label).await?;
    }
    Ok(())
}

/// Settles a race between runs that posted the same reply (two replicas handling one
/// delivery, each having listed the comments before the other posted): a reply this run posted
/// that has an older twin of ours is deleted, so the oldest one stays. Every such run notices:
/// the twin was posted after its listing and before its body write, so the comment count in
/// the write's answer is off and the run reads again, then calls this. Deleting only a reply
/// it posted moments ago keeps other runs' comment counts honest (net, it posted nothing).
/// Answers the ids deleted.
pub async fn retract_duplicate_replies(
    github: &GitHub,
    bot: &str,
    comments: &[Comment],
    posted: &[(u64, String)],
) -> anyhow::Result<Vec<u64>> {
    let w = github.writer();
    let mut deleted = Vec::new();
    for (id, marker) in posted {
        let twin = comments
            .iter()
            .any(|c| c.id < *id && engine::is_ours(bot, c) && c.body_text().contains(marker));
        if twin {
            tracing::warn!(
                comment = id,
                "another run posted this reply too; deleting ours"
            );
            w.delete_comment(*id).await?;
            deleted.push(*id);
        }
    }
    Ok(deleted)
}

/// Opens an action item's issue exactly once. The gather step found none carrying its marker;
/// a create whose outcome is unknown (5xx, timeout) is followed by the same look-up, and fails
/// the run loudly when it finds nothing — the create may still be in flight, and a re-run
/// (the next event or the sweep) finds it by its marker or opens it. After every create a
/// second look-up settles a race between two runs: the lowest number wins and the run that
/// opened a higher one closes it as a duplicate.
async fn open_item(
    github: &GitHub,
    w: Writer<'_>,
    incident: u64,
    item: &NewItem,
) -> anyhow::Result<ItemIssue> {
    let created = match w.create_issue(&item.issue).await {
        Ok(created) => created,
        Err(error) if error.is_ambiguous() => {
            tracing::warn!(%error, key = item.key, "opening an action item failed ambiguously; looking for it");
            match gather::find_item(github, incident, &item.key, item.since)
                .await?
                .into_iter()
                .next()
            {
                Some(found) => found,
                None => {
                    return Err(anyhow::Error::new(error).context(format!(
                        "action item \"{}\" may not have been opened; re-run to finish (a re-run never opens a second one)",
                        item.issue.title
                    )));
                }
            }
        }
        Err(error) => return Err(error.into()),
    };
    let all = gather::find_item(github, incident, &item.key, item.since).await?;
    match all.first() {
        Some(winner) if winner.number != created.number => {
            tracing::warn!(
                duplicate = created.number,
                kept = winner.number,
                "another run opened this action item too; closing ours"
            );
            w.update_issue(
                created.number,
                &IssuePatch {
                    state: Some("closed".into()),
                    state_reason: Some("duplicate".into()),
                    ..IssuePatch::default()
                },
            )
            .await?;
            Ok(ItemIssue::of(winner))
        }
        _ => Ok(ItemIssue::of(&created)),
    }
}

/// Attaches items to their incident. Attaching twice (a re-run after a failure between the
/// attach and the body update) is answered 422 by GitHub and is not an error.
async fn attach(
    w: Writer<'_>,
    incident: u64,
    items: &[Attach],
    bindings: &Bindings,
) -> anyhow::Result<()> {
    for item in items {
        let (number, id) = match item {
            Attach::Issue { number, id } => (*number, *id),
            Attach::NewItem(key) => {
                let opened = &bindings.items[key];
                (opened.number, opened.id)
            }
        };
        match w.add_sub_issue(incident, id).await {
            Ok(()) => {}
            Err(error) if error.status() == Some(http::StatusCode::UNPROCESSABLE_ENTITY) => {
                tracing::info!(number, %error, "already a sub-issue");
            }
            Err(error) => return Err(error.into()),
        }
    }
    Ok(())
}

/// Branch, files, draft pull request and its label, the checklist comment, a pull request to
/// reopen. Each is safe to repeat: what exists is found and kept.
#[allow(clippy::too_many_arguments)]
async fn postmortem(
    github: &GitHub,
    w: Writer<'_>,
    config: &Config,
    incident: u64,
    seen: &Seen<'_>,
    plan: &Plan,
    bindings: &mut Bindings,
    applied: &mut Applied,
) -> anyhow::Result<()> {
    let writes = &plan.postmortem;
    if let Some(branch) = &writes.branch {
        w.create_branch(&branch.name, &branch.from).await?;
    }
    for file in &writes.files {
        let text = engine::docs::render(config, &file.content, bindings);
        let outcome = w
            .write_file(
                &file.path,
                &file.branch,
                &text,
                &file.message,
                file.sha.as_deref(),
            )
            .await?;
        if outcome == crate::github::Created::Existed {
            // Written by an earlier run that failed before the body (and perhaps edited
            // since): kept. The next round reads it from the pull request.
            applied.stale = true;
        }
    }
    let mut fresh = false;
    if let Some(pull) = &writes.pull {
        let opened = match w
            .create_pull(&pull.title, &pull.head, &pull.base, &pull.body, pull.draft)
            .await?
        {
            Some(opened) => {
                fresh = true;
                opened
            }
            None => github
                .find_pull(&pull.head)
                .await?
                .with_context(|| format!("GitHub refused the pull request from {}", pull.head))?,
        };
        bindings.pull = Some(opened.number);
        applied
            .notes
            .push(format!("opened postmortem draft #{}", opened.number));
        if !writes.pull_labels.is_empty() {
            w.add_labels(opened.number, &writes.pull_labels).await?;
        }
    }
    if let Some(checklist) = &writes.checklist {
        let Some(pull) = checklist.pull.or(bindings.pull) else {
            anyhow::bail!("the checklist of #{incident} names no pull request");
        };
        let text = engine::docs::render(config, &checklist.text, bindings);
        let id = match checklist.comment {
            Some(id) => Some(id),
            // A pull request opened just now has no comment to look for.
            None if fresh => None,
            None => find_checklist(github, seen, pull, incident).await?,
        };
        let id = match id {
            Some(id) => match w.update_comment(id, &text).await {
                Ok(c) => c.id,
                // Deleted by a person: post it again.
                Err(e) if e.is_not_found() => w.create_comment(pull, &text).await?.id,
                Err(e) => return Err(e.into()),
            },
            None => w.create_comment(pull, &text).await?.id,
        };
        bindings.checklist = Some(id);
    }
    if let Some(n) = writes.reopen_pull {
        w.set_pull_state(n, "open").await?;
    }
    Ok(())
}

/// The checklist comment on the pull request, found by its marker (the first, if a race left
/// two): among the comments read before deciding when they are the pull request's, else listed.
async fn find_checklist(
    github: &GitHub,
    seen: &Seen<'_>,
    pull: u64,
    incident: u64,
) -> anyhow::Result<Option<u64>> {
    let marker = postmortem::checklist_marker(incident);
    let listed;
    let comments = if seen.pull_comments.is_empty() {
        listed = github.list_comments(pull).await?;
        &listed
    } else {
        seen.pull_comments
    };
    Ok(comments
        .iter()
        .find(|c| engine::is_ours(seen.bot, c) && c.body_text().contains(&marker))
        .map(|c| c.id))
}

/// What [`board`] wrote.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct BoardApplied {
    pub fields: usize,
    pub added: usize,
    pub values: usize,
}

/// Applies a board plan with the board's client: the fields it lacks first (their ids join
/// `board`), then the issues and pull requests to add in one request (`contents`: number →
/// node id; sent once — after an unknown outcome the next sync reads the board before adding
/// again, and GitHub answers an item already there with that item), then every value in one
/// request (safe to repeat).
pub async fn board(
    client: &GitHub,
    board: &mut engine::board::Board,
    plan: &engine::board::BoardPlan,
    contents: &std::collections::BTreeMap<u64, String>,
) -> anyhow::Result<BoardApplied> {
    let w = client.writer();
    let mut done = BoardApplied::default();
    for field in &plan.new_fields {
        let made = w
            .create_board_field(&board.project_id, field)
            .await
            .with_context(|| format!("creating the board's field {}", field.name))?;
        board.fields.push(made);
        done.fields += 1;
    }
    let adding: Vec<(u64, &str)> = plan
        .adds
        .iter()
        .filter_map(|n| Some((*n, contents.get(n)?.as_str())))
        .collect();
    let mut added = std::collections::BTreeMap::new();
    if !adding.is_empty() {
        let numbers: Vec<String> = adding.iter().map(|(n, _)| format!("#{n}")).collect();
        added = w
            .add_board_items(&board.project_id, &adding)
            .await
            .with_context(|| format!("adding {} to the board", numbers.join(", ")))?;
        done.added = added.len();
    }
    let writes = engine::board::bind(board, &plan.sets, &added);
    w.write_board_values(&board.project_id, &writes)
        .await
        .context("writing the board's values")?;
    done.values = writes.len();
    Ok(done)
}
