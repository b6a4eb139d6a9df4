//! The postmortem part of the decision: when one is owed and by when, the `postmortem:required`
//! label, the draft (branch, file, pull request, checklist comment), keeping the file's
//! action-items table in step, the checklist, the close gate, what a merge changes (closing the
//! incident, the index line, the public version), and `/postmortem public`.
//!
//! What the decision reads from GitHub — the pull request and its file (read by the gather step
//! when the run concerns it), a branch's commit, the index, the public version — it asks for as
//! [`Need`]s; everything it writes is in the plan. Every write is safe to repeat: a branch,
//! file or pull request that exists is found and kept, the checklist comment is found by its
//! marker, the index line by its link.

mod index;
mod public;
#[cfg(test)]
mod tests;

use super::plan::{
    ChecklistWrite, DRAFT_ENTRY, Doc, FileWrite, NewBranch, NewPull, draft_entry_text,
};
use super::{HandEvent, HandKind, Input, Need, Plan, Trigger};
use crate::config::Config;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, Postmortem, PullFacts};
use crate::postmortem::{self, LABEL_POSTMORTEM, LABEL_REQUIRED, checklist, markdown};
use crate::render::views::postmortem::{GateView, NoticeView, PullBodyView};
use crate::render::{self, names};

pub use public::{Public, Refusal};

/// The due date: `due_business_days` working days after the resolution day (configured zone).
pub fn due_date(config: &Config, incident: &Incident) -> Option<chrono::NaiveDate> {
    let resolved = incident.resolved_at?;
    let day = resolved.with_timezone(&config.timezone).date_naive();
    Some(config.add_business_days(day, postmortem::policy(config, incident).due_business_days))
}

/// The line about the postmortem in the mitigated/resolved notice.
pub fn notice(config: &Config, incident: &Incident) -> String {
    let policy = postmortem::policy(config, incident);
    let view = NoticeView {
        severity: config.severity_name(incident.severity),
        required: policy.required,
        due: due_date(config, incident).map(|d| d.to_string()),
        approvals: policy.approvals,
        started: incident.postmortem.as_ref().is_some_and(|p| p.started),
        pull: incident.postmortem.as_ref().and_then(|p| p.pull),
        opens_at: (!postmortem::draft_status_reached(config, incident))
            .then(|| config.postmortem.open_draft_at.as_str()),
    };
    render::render_or_built_in(config, names::NOTICE, &view)
        .trim()
        .to_string()
}

/// Reviewers whose latest deciding review (approve, request changes, dismissed) approves, in
/// the order they first reviewed: (login, state) pairs in review order. Comments do not change
/// a reviewer's verdict.
pub fn approvers<'a>(reviews: impl IntoIterator<Item = (&'a str, &'a str)>) -> Vec<String> {
    let mut verdicts: Vec<(String, bool)> = Vec::new();
    for (login, state) in reviews {
        let verdict = match state {
            "APPROVED" => true,
            "CHANGES_REQUESTED" | "DISMISSED" => false,
            _ => continue,
        };
        match verdicts
            .iter_mut()
            .find(|(l, _)| l.eq_ignore_ascii_case(login))
        {
            Some(slot) => slot.1 = verdict,
            None => verdicts.push((login.to_string(), verdict)),
        }
    }
    verdicts
        .into_iter()
        .filter(|(_, v)| *v)
        .map(|(l, _)| l)
        .collect()
}

/// What this run does about the postmortem, beyond the incident's own changes.
pub(super) struct Run<'i, 'p> {
    pub(super) input: &'i Input<'i>,
    pub(super) plan: &'p mut Plan,
    /// The draft is opened by this plan.
    pub(super) opening: bool,
}

/// Folds the postmortem into the decision (after comments and hand events ran). `before` is
/// the incident as the body held it; `publish` the reply key of a `/postmortem public`.
pub(super) fn decide(
    input: &Input,
    before: Option<&Incident>,
    publish: Option<String>,
    incident: &mut Incident,
    plan: &mut Plan,
) {
    let config = input.config;
    let number = input.issue.number;
    let required = postmortem::required(config, incident);
    let owed = postmortem::owed(config, incident);
    plan_label(input, incident, plan);

    if owed && incident.postmortem.is_none() {
        incident.postmortem = Some(Postmortem::default());
    }
    if let Some(pull) = input.pull
        && let Some(pm) = incident.postmortem.as_mut()
    {
        pm.pull.get_or_insert(pull.number);
        if pm.facts.as_ref() != Some(&pull.facts) {
            pm.facts = Some(pull.facts.clone());
        }
    }
    // Branch and file come from the configuration and the record name (fixed when the
    // incident was declared), never from what the state says: a state that named another
    // branch could make Firebreak write there.
    let due = due_date(config, incident);
    let (branch, path) = (
        postmortem::branch_name(config, number, incident),
        postmortem::file_path(config, incident),
    );
    let Some(pm) = incident.postmortem.as_mut() else {
        gate(input, incident, plan, required, false);
        return;
    };
    pm.branch = Some(branch);
    pm.path = Some(path);
    if pm.due.is_none() {
        pm.due = due;
    }
    let posted = pm.checklist.clone();
    let mut run = Run {
        input,
        plan,
        opening: false,
    };

    if owed && pm.pull.is_none() {
        run.draft(incident);
    }
    let pm = incident.postmortem.clone().expect("present");
    let facts = pm.facts.clone().unwrap_or_default();
    if facts.merged {
        merged(&mut run, incident, &pm, &facts);
    } else if facts.state == "closed"
        && facts.closed_at.is_some()
        && pm.closed_answered != facts.closed_at
    {
        closed_unmerged(&mut run, incident, &pm, &facts, required);
    }

    let has_pull = pm.pull.is_some();
    let items_changed = before.is_some_and(|b| b.action_items != incident.action_items);
    let open_file = input
        .pull
        .filter(|p| p.facts.state == "open" && !p.facts.merged);
    if (items_changed && has_pull && !facts.merged) || open_file.is_some() {
        run.sync_items(incident);
    }
    let publish = publish.or_else(|| publish_on_merge(config, incident));
    if let Some(key) = publish {
        run.publish(incident, &key);
    }

    // The checklist, re-evaluated on every run: owner, action items and severity change with
    // comments; sections, approvals and the merge with the facts.
    let checks = checklist::evaluate(config, incident);
    let pm = incident.postmortem.as_mut().expect("present");
    pm.checklist = checks;
    if run.opening || (pm.pull.is_some() && pm.checklist != posted) {
        let text = if run.plan.items.is_empty() {
            Doc::Text(super::docs::checklist(config, incident, number))
        } else {
            Doc::Checklist {
                incident: Box::new(incident.clone()),
                number,
            }
        };
        let pm = incident.postmortem.as_ref().expect("present");
        run.plan.postmortem.checklist = Some(ChecklistWrite {
            pull: pm.pull,
            comment: pm.checklist_comment,
            text,
        });
    }
    let opening = run.opening;
    gate(input, incident, plan, required, opening);
    // Its due and overdue reminders are the sweep's (`super::reminders`).
}

/// The public version is published when the postmortem merges, where the policy says so.
fn publish_on_merge(config: &Config, incident: &Incident) -> Option<String> {
    let pm = incident.postmortem.as_ref()?;
    let facts = pm.facts.as_ref()?;
    (facts.merged
        && config.postmortem.public.on_merge
        && postmortem::policy(config, incident).public
        && pm.public_path.is_none())
    .then(|| format!("public-merge-{}", pm.pull.unwrap_or_default()))
}

impl Run<'_, '_> {
    /// The branch postmortems are proposed to: configured, else the default branch.
    pub(super) fn base_branch(&mut self) -> Option<String> {
        if let Some(b) = &self.input.config.postmortem.base_branch {
            return Some(b.clone());
        }
        if self.input.facts.default_branch.is_none() {
            self.plan.need(Need::DefaultBranch);
        }
        self.input.facts.default_branch.clone()
    }

    /// The file at `path` on `branch`, or a need.
    pub(super) fn file(&mut self, branch: &str, path: &str) -> Option<Option<super::FileAt>> {
        match self.input.facts.file(branch, path) {
            Ok(file) => Some(file.cloned()),
            Err(need) => {
                self.plan.need(need);
                None
            }
        }
    }

    /// Branch, file, draft pull request, its label and the checklist comment.
    fn draft(&mut self, incident: &mut Incident) {
        let (config, issue) = (self.input.config, self.input.issue);
        let Some(base) = self.base_branch() else {
            return;
        };
        let sha = match self.input.facts.branches.get(&base) {
            None => {
                self.plan.need(Need::Branch(base));
                return;
            }
            Some(None) => {
                self.plan.problems.push(format!(
                    "the base branch `{base}` of postmortems does not exist: the draft of #{} was not opened",
                    issue.number
                ));
                return;
            }
            Some(Some(sha)) => sha.clone(),
        };
        let pm = incident.postmortem.clone().expect("checked by the caller");
        let branch = pm.branch.clone().expect("named by the caller");
        let path = pm.path.clone().expect("named by the caller");
        let text = super::docs::postmortem(config, incident, issue.number, &issue.html_url);
        let content = if self.plan.items.is_empty() {
            Doc::Text(text.clone())
        } else {
            Doc::Postmortem {
                incident: Box::new(incident.clone()),
                number: issue.number,
                url: issue.html_url.clone(),
            }
        };
        let body = render::render_or_built_in(
            config,
            names::PULL_BODY,
            &PullBodyView {
                number: issue.number,
                title: incident.title.clone(),
                record: incident.record.clone(),
                severity: config.severity_name(incident.severity),
                path: path.clone(),
                owner: postmortem::owner(incident),
                due: pm.due.map(|d| d.to_string()),
                required: postmortem::required(config, incident),
                marker: postmortem::pull_marker(issue.number),
            },
        );
        let writes = &mut self.plan.postmortem;
        writes.branch = Some(NewBranch {
            name: branch.clone(),
            from: sha,
        });
        writes.files.push(FileWrite {
            path: path.clone(),
            branch: branch.clone(),
            content,
            message: format!(
                "Postmortem draft for #{}: {}",
                issue.number, incident.record
            ),
            sha: None,
        });
        writes.pull = Some(NewPull {
            title: format!("Postmortem: {} ({})", incident.title, incident.record),
            head: branch,
            base,
            body,
            draft: true,
        });
        writes.pull_labels = vec![LABEL_POSTMORTEM.to_string()];
        self.opening = true;
        incident.postmortem.as_mut().expect("present").facts = Some(PullFacts {
            state: "open".into(),
            missing_sections: markdown::missing_sections(
                &text,
                &config.postmortem.required_sections,
            ),
            ..PullFacts::default()
        });
        timeline::upsert(
            &mut incident.timeline,
            Entry::new(
                self.input.now,
                EntryKind::Postmortem,
                "firebreak",
                draft_entry_text(None, &path),
            )
            .with_key(DRAFT_ENTRY),
        );
    }

    /// Keeps the action-item table of the file in step with the incident (while the pull
    /// request is open and the managed block is still there).
    fn sync_items(&mut self, incident: &mut Incident) {
        let config = self.input.config;
        let pm = incident.postmortem.clone().expect("checked by the caller");
        let (Some(branch), Some(path)) = (pm.branch.clone(), pm.path.clone()) else {
            return;
        };
        let read = self.input.pull;
        if pm
            .facts
            .as_ref()
            .is_some_and(|f| f.merged || f.state == "closed")
            && read.is_none()
        {
            return;
        }
        let (head, file) = match read {
            Some(pull) => (pull.head.clone(), pull.file.clone()),
            None => match self.file(&branch, &path) {
                Some(file) => (branch, file),
                None => return,
            },
        };
        let Some(file) = file else {
            return;
        };
        let Some(updated) = super::docs::items_table(config, &file.text, incident) else {
            return;
        };
        if updated == file.text && self.plan.items.is_empty() {
            return;
        }
        let content = if self.plan.items.is_empty() {
            Doc::Text(updated.clone())
        } else {
            Doc::ItemsTable {
                file: file.text.clone(),
                incident: Box::new(incident.clone()),
            }
        };
        self.plan.postmortem.files.push(FileWrite {
            path,
            branch: head,
            content,
            message: "Postmortem: update the action items".into(),
            sha: Some(file.sha),
        });
        if let Some(facts) = incident.postmortem.as_mut().and_then(|p| p.facts.as_mut()) {
            facts.missing_sections =
                markdown::missing_sections(&updated, &config.postmortem.required_sections);
        }
    }
}

/// `postmortem:required` while the severity requires one and the draft status is reached; off
/// again if the severity no longer requires it.
fn plan_label(input: &Input, incident: &Incident, plan: &mut Plan) {
    let wanted = postmortem::required(input.config, incident)
        && postmortem::draft_status_reached(input.config, incident);
    let has = input.issue.has_label(LABEL_REQUIRED);
    if wanted && !has && !plan.add_labels.iter().any(|l| l == LABEL_REQUIRED) {
        plan.add_labels.push(LABEL_REQUIRED.to_string());
    }
    if !postmortem::required(input.config, incident) && has {
        plan.remove_labels.push(LABEL_REQUIRED.to_string());
    }
}

fn merged(run: &mut Run, incident: &mut Incident, pm: &Postmortem, facts: &PullFacts) {
    let pull = pm.pull.unwrap_or_default();
    let at = facts.merged_at.unwrap_or(incident.declared_at);
    let by = facts
        .merged_by
        .clone()
        .unwrap_or_else(|| "firebreak".into());
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(
            at,
            EntryKind::Postmortem,
            &by,
            format!("Postmortem #{pull} merged by {by}; incident closed"),
        )
        .with_key("postmortem-merged"),
    );
    if !pm.indexed {
        run.index(incident);
    }
    if run.input.issue.state == "open" {
        run.plan.patch.state = Some("closed".into());
        run.plan.notes.push(format!(
            "postmortem #{pull} merged: closing #{}",
            run.input.issue.number
        ));
    }
}

fn closed_unmerged(
    run: &mut Run,
    incident: &mut Incident,
    pm: &Postmortem,
    facts: &PullFacts,
    required: bool,
) {
    let pull = pm.pull.unwrap_or_default();
    let at = facts.closed_at.unwrap_or(incident.declared_at);
    if let Some(p) = incident.postmortem.as_mut() {
        p.closed_answered = facts.closed_at;
    }
    let text = if required {
        format!("Postmortem #{pull} closed without merging; reopened, it is required")
    } else {
        format!("Postmortem #{pull} closed without merging")
    };
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(at, EntryKind::Postmortem, "firebreak", text)
            .with_key(format!("postmortem-closed@{}", at.timestamp())),
    );
    if required {
        run.plan.postmortem.reopen_pull = Some(pull);
        run.plan.notes.push(format!("reopening postmortem #{pull}"));
        let config = run.input.config;
        let checks = checklist::evaluate(config, incident);
        let view = GateView {
            reason: "pull-closed",
            pull: Some(pull),
            reopened_pull: true,
            missing: checklist::missing(&checks, true),
            no_draft: false,
            draft_at: config.postmortem.open_draft_at.as_str(),
        };
        run.plan.comment(
            format!("pm-closed-{pull}@{}", at.timestamp()),
            render::render_or_built_in(config, names::GATE, &view),
        );
    }
}

/// The close gate: a closed incident whose required postmortem is not merged is reopened, with
/// a reply saying what is missing.
fn gate(input: &Input, incident: &mut Incident, plan: &mut Plan, required: bool, opening: bool) {
    let issue = input.issue;
    let merged = incident
        .postmortem
        .as_ref()
        .and_then(|p| p.facts.as_ref())
        .is_some_and(|f| f.merged);
    // Closing now (a merge), or reopening already (a close undone): nothing to gate.
    let deciding = plan.patch.state.is_some();
    if issue.state != "closed" || !required || merged || deciding {
        return;
    }
    let closed_by_hand = match &input.trigger {
        Trigger::Hand(HandEvent {
            kind: HandKind::Closed,
            sender,
            at,
        }) if !sender.is_bot() => Some(*at),
        _ => None,
    };
    let at = closed_by_hand
        .or(issue.closed_at)
        .unwrap_or(issue.updated_at);
    let pm = incident.postmortem.clone().unwrap_or_default();
    let view = GateView {
        reason: "incident-closed",
        pull: pm.pull,
        reopened_pull: false,
        missing: checklist::missing(&pm.checklist, true),
        no_draft: pm.pull.is_none() && !opening,
        draft_at: input.config.postmortem.open_draft_at.as_str(),
    };
    plan.patch.state = Some("open".into());
    plan.comment(
        format!("gate@{}", at.timestamp()),
        render::render_or_built_in(input.config, names::GATE, &view),
    );
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(
            at,
            EntryKind::Reopened,
            "firebreak",
            "Reopened by Firebreak: the required postmortem is not merged",
        )
        .with_key(format!("gate@{}", at.timestamp())),
    );
    plan.notes.push(format!(
        "#{} closed before its required postmortem merged: reopened",
        issue.number
    ));
}

/// The pull request this run should read as the incident's postmortem, if any: the recorded
/// one when the event is about it or the incident is being closed; an unrecorded one only when
/// it comes from the incident's branch (a run that opened it and failed before writing the
/// body). The gather step reads it and checks the branch.
pub fn pull_to_read(
    config: &Config,
    number: u64,
    incident: &Incident,
    issue_state: &str,
    trigger: &Trigger,
) -> Option<(u64, Option<String>)> {
    let pm = incident.postmortem.as_ref();
    let recorded = pm.and_then(|p| p.pull);
    let pull = match (trigger, recorded) {
        (Trigger::Pull { number }, Some(n)) if *number == n => n,
        // Another pull request naming this incident is not its postmortem.
        (Trigger::Pull { .. }, Some(_)) => return None,
        (Trigger::Pull { number }, None) => *number,
        (
            Trigger::Hand(HandEvent {
                kind: HandKind::Closed,
                ..
            }),
            Some(n),
        ) => n,
        (_, Some(n)) if issue_state == "closed" => n,
        _ => return None,
    };
    let expected_branch = recorded
        .is_none()
        .then(|| postmortem::branch_name(config, number, incident));
    Some((pull, expected_branch))
}
