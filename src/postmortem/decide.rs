//! The postmortem part of the engine's decision. Pure: it changes the incident and the plan;
//! what needs GitHub (opening the draft, editing the checklist comment, committing the index or
//! the public version) becomes an [`Intents`] entry that [`super::flow`] performs.

use chrono::{DateTime, Utc};

use super::checklist;
use crate::config::Config;
use crate::engine::Plan;
use crate::event::Issue;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::incident::{Incident, Postmortem, PullFacts};
use crate::render::views::postmortem::{GateView, NoticeView};
use crate::render::{self as templates, names};

/// GitHub work the postmortem needs after the decision.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intents {
    /// Open the draft: branch, file, pull request, label, checklist comment.
    pub draft: bool,
    /// The checklist changed: edit the comment on the pull request.
    pub checklist: bool,
    /// The action items changed: keep the file's table in step.
    pub items: bool,
    /// Add the postmortem's line to the index.
    pub index: bool,
    /// Render and commit the public version; the key of the reply.
    pub publish: Option<String>,
    /// Reopen this pull request (a required postmortem closed unmerged).
    pub reopen_pull: Option<u64>,
}

impl Intents {
    pub fn is_empty(&self) -> bool {
        self == &Intents::default()
    }
}

/// What the postmortem part of a decision reads.
pub struct Ctx<'a> {
    pub config: &'a Config,
    pub issue: &'a Issue,
    /// Fresh facts about the postmortem pull request, read before deciding, with its number.
    pub facts: Option<(u64, &'a PullFacts)>,
    /// The incident as the body held it before this run.
    pub before: Option<&'a Incident>,
    /// A person closed the issue in this event (at this time).
    pub closed_by_hand: Option<DateTime<Utc>>,
    pub now: DateTime<Utc>,
}

/// The due date: `due_business_days` working days after the resolution day (configured zone).
pub fn due_date(config: &Config, incident: &Incident) -> Option<chrono::NaiveDate> {
    let resolved = incident.resolved_at?;
    let day = resolved.with_timezone(&config.timezone).date_naive();
    Some(config.add_business_days(day, super::policy(config, incident).due_business_days))
}

/// The line about the postmortem in the mitigated/resolved notice.
pub fn notice(config: &Config, incident: &Incident) -> String {
    let policy = super::policy(config, incident);
    let view = NoticeView {
        severity: config.severity_name(incident.severity),
        required: policy.required,
        due: due_date(config, incident).map(|d| d.to_string()),
        approvals: policy.approvals,
        started: incident.postmortem.as_ref().is_some_and(|p| p.started),
        pull: incident.postmortem.as_ref().and_then(|p| p.pull),
        opens_at: (!super::draft_status_reached(config, incident))
            .then(|| config.postmortem.open_draft_at.as_str()),
    };
    templates::render_or_built_in(config, names::NOTICE, &view)
        .trim()
        .to_string()
}

/// Folds the postmortem into the decision (after comments and hand events ran).
pub fn decide(ctx: &Ctx, incident: &mut Incident, plan: &mut Plan) {
    let config = ctx.config;
    let number = ctx.issue.number;
    let required = super::required(config, incident);
    let owed = super::owed(config, incident);
    plan_label(ctx, incident, plan);

    if owed && incident.postmortem.is_none() {
        incident.postmortem = Some(Postmortem::default());
    }
    if let Some((pull, facts)) = ctx.facts
        && let Some(pm) = incident.postmortem.as_mut()
    {
        pm.pull.get_or_insert(pull);
        if pm.facts.as_ref() != Some(facts) {
            pm.facts = Some(facts.clone());
        }
    }
    // Names are chosen once and kept, even if the title changes later.
    let due = due_date(config, incident);
    let (branch, path) = incident_names(config, number, incident);
    if let Some(pm) = incident.postmortem.as_mut() {
        if pm.branch.is_none() {
            pm.branch = Some(branch);
            pm.path = Some(path);
        }
        if pm.due.is_none() {
            pm.due = due;
        }
    }
    let Some(pm) = incident.postmortem.clone() else {
        gate(ctx, incident, plan, required);
        return;
    };

    if owed && pm.pull.is_none() {
        plan.postmortem.draft = true;
    }
    let facts = pm.facts.clone().unwrap_or_default();
    if facts.merged {
        merged(ctx, incident, plan, &pm, &facts);
    } else if facts.state == "closed"
        && facts.closed_at.is_some()
        && pm.closed_answered != facts.closed_at
    {
        closed_unmerged(ctx, incident, plan, &pm, &facts, required);
    }

    // The checklist, re-evaluated on every run: owner, action items and severity change with
    // comments; sections, approvals and the merge with the facts.
    let checks = checklist::evaluate(config, incident);
    let pm = incident.postmortem.as_mut().expect("present");
    if checks != pm.checklist {
        pm.checklist = checks;
        plan.postmortem.checklist = pm.pull.is_some();
    }
    let items_changed = ctx
        .before
        .is_some_and(|b| b.action_items != incident.action_items);
    if items_changed && pm.pull.is_some() && !facts.merged {
        plan.postmortem.items = true;
    }
    gate(ctx, incident, plan, required);
    if let Some((key, view)) = reminder(config, incident, ctx.now) {
        plan.comment(
            key,
            templates::render_or_built_in(config, names::REMINDER, &view),
        );
    }
}

/// The reminder due at `now`, if any, with its key: one per `reminders.repeat_every` window
/// from `before_due` ahead of the due date (the end of that day, in the configured zone), so a
/// run in the same window finds it posted and a late sweep posts only the current one. Past
/// due by `escalate_after`, it also mentions `escalate_to` (default: the incident commander).
pub fn reminder(
    config: &Config,
    incident: &Incident,
    now: DateTime<Utc>,
) -> Option<(String, crate::render::views::postmortem::ReminderView)> {
    use chrono::TimeZone as _;
    let pm = incident.postmortem.as_ref()?;
    let due = pm.due?;
    if pm.facts.as_ref().is_some_and(|f| f.merged) {
        return None;
    }
    let r = &config.reminders;
    let end_of_day = due.succ_opt()?.and_hms_opt(0, 0, 0)?;
    let deadline = config
        .timezone
        .from_local_datetime(&end_of_day)
        .earliest()?
        .with_timezone(&Utc);
    let first = deadline - r.before_due;
    if now < first {
        return None;
    }
    let window = (now - first).num_seconds() / r.repeat_every.num_seconds().max(1);
    let overdue = now >= deadline;
    let escalated = r
        .escalate_after
        .is_some_and(|after| now >= deadline + after);
    let mut mentions: Vec<String> = super::owner(incident).into_iter().collect();
    if escalated {
        let extra: Vec<String> = if r.escalate_to.is_empty() {
            incident.commander.iter().cloned().collect()
        } else {
            r.escalate_to
                .iter()
                .map(|h| h.trim_start_matches('@').to_string())
                .collect()
        };
        for m in extra {
            if !mentions.iter().any(|x| x.eq_ignore_ascii_case(&m)) {
                mentions.push(m);
            }
        }
    }
    let done = pm.checklist.iter().filter(|c| c.done).count();
    Some((
        format!("pm-due-{due}-{window}"),
        crate::render::views::postmortem::ReminderView {
            due: due.to_string(),
            overdue,
            escalated,
            after: r
                .escalate_after
                .map(crate::config::format_duration)
                .unwrap_or_default(),
            pull: pm.pull,
            done,
            total: pm.checklist.len(),
            mentions,
        },
    ))
}

fn incident_names(config: &Config, number: u64, incident: &Incident) -> (String, String) {
    (
        super::branch_name(config, number, incident),
        super::file_path(config, incident),
    )
}

/// `postmortem:required` while the severity requires one and the draft status is reached; off
/// again if the severity no longer requires it.
fn plan_label(ctx: &Ctx, incident: &Incident, plan: &mut Plan) {
    let wanted =
        super::required(ctx.config, incident) && super::draft_status_reached(ctx.config, incident);
    let has = ctx.issue.has_label(super::LABEL_REQUIRED);
    if wanted && !has && !plan.add_labels.iter().any(|l| l == super::LABEL_REQUIRED) {
        plan.add_labels.push(super::LABEL_REQUIRED.to_string());
    }
    if !super::required(ctx.config, incident) && has {
        plan.remove_labels.push(super::LABEL_REQUIRED.to_string());
    }
}

fn merged(ctx: &Ctx, incident: &mut Incident, plan: &mut Plan, pm: &Postmortem, facts: &PullFacts) {
    let config = ctx.config;
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
        plan.postmortem.index = true;
    }
    if ctx.issue.state == "open" {
        plan.patch.state = Some("closed".into());
        plan.notes.push(format!(
            "postmortem #{pull} merged: closing #{}",
            ctx.issue.number
        ));
    }
    if config.postmortem.public.on_merge
        && super::policy(config, incident).public
        && pm.public_path.is_none()
    {
        plan.postmortem.publish = Some(format!("public-merge-{pull}"));
    }
}

fn closed_unmerged(
    ctx: &Ctx,
    incident: &mut Incident,
    plan: &mut Plan,
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
        plan.postmortem.reopen_pull = Some(pull);
        let checks = checklist::evaluate(ctx.config, incident);
        let view = GateView {
            reason: "pull-closed",
            pull: Some(pull),
            reopened_pull: true,
            missing: checklist::missing(&checks, true),
            no_draft: false,
            draft_at: ctx.config.postmortem.open_draft_at.as_str(),
        };
        plan.comment(
            format!("pm-closed-{pull}@{}", at.timestamp()),
            templates::render_or_built_in(ctx.config, names::GATE, &view),
        );
    }
}

/// The close gate: a closed incident whose required postmortem is not merged is reopened, with
/// a reply saying what is missing.
fn gate(ctx: &Ctx, incident: &mut Incident, plan: &mut Plan, required: bool) {
    let merged = incident
        .postmortem
        .as_ref()
        .and_then(|p| p.facts.as_ref())
        .is_some_and(|f| f.merged);
    let closing_now = plan.patch.state.as_deref() == Some("closed");
    if ctx.issue.state != "closed" || !required || merged || closing_now {
        return;
    }
    let at = ctx
        .closed_by_hand
        .or(ctx.issue.closed_at)
        .unwrap_or(ctx.issue.updated_at);
    let pm = incident.postmortem.clone().unwrap_or_default();
    let view = GateView {
        reason: "incident-closed",
        pull: pm.pull,
        reopened_pull: false,
        missing: checklist::missing(&pm.checklist, true),
        no_draft: pm.pull.is_none() && !plan.postmortem.draft,
        draft_at: ctx.config.postmortem.open_draft_at.as_str(),
    };
    plan.patch.state = Some("open".into());
    plan.comment(
        format!("gate@{}", at.timestamp()),
        templates::render_or_built_in(ctx.config, names::GATE, &view),
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
        ctx.issue.number
    ));
}
