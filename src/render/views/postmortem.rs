//! The postmortem's templates' views: the document, its pull request, the checklist and its
//! mirror in the incident, the index, the notices and the public version.

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::{EntryView, format_time};
use crate::config::{Config, priority_name};
use crate::incident::{Check, EntryKind, Incident, human_duration};
use crate::postmortem;
use crate::render::{self as templates, TemplateError, names};

#[derive(Debug, Clone, Serialize)]
pub struct MilestoneView {
    pub name: &'static str,
    pub at: Option<String>,
    /// Time since declaration.
    pub after: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct RowView {
    pub time: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct ItemView {
    pub issue: Option<u64>,
    pub title: String,
    pub owner: Option<String>,
    pub kind: &'static str,
    pub priority: String,
    pub due: String,
    pub state: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct ActionItemsView {
    pub items: Vec<ItemView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct LinkView {
    pub text: String,
    pub url: String,
}

/// The postmortem file.
#[derive(Debug, Serialize)]
pub struct PostmortemView {
    pub number: u64,
    pub incident_url: String,
    pub title: String,
    pub record: String,
    pub severity: String,
    pub severity_label: String,
    pub severity_history: Vec<RowView>,
    pub required: bool,
    pub owner: Option<String>,
    pub commander: Option<String>,
    pub comms: Option<String>,
    pub responders: Vec<String>,
    pub declared_by: String,
    pub zone: String,
    pub milestones: Vec<MilestoneView>,
    pub duration: Option<String>,
    pub impact: Option<String>,
    pub due: Option<String>,
    pub timeline: Vec<EntryView>,
    /// The action-items table inside its managed block (kept live by Firebreak).
    pub action_items_block: String,
    pub links: Vec<LinkView>,
}

fn milestones(incident: &Incident, tz: chrono_tz::Tz) -> Vec<MilestoneView> {
    let since = |at: Option<DateTime<Utc>>| at.map(|t| human_duration(t - incident.declared_at));
    let m = |name, at: Option<DateTime<Utc>>| MilestoneView {
        name,
        at: at.map(|t| format_time(t, tz)),
        after: since(at),
    };
    vec![
        m("Declared (detected)", Some(incident.declared_at)),
        m("Acknowledged", incident.acknowledged_at),
        m("Mitigated", incident.mitigated_at),
        m("Resolved", incident.resolved_at),
    ]
}

fn local(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string()
}

pub fn action_items(incident: &Incident) -> ActionItemsView {
    ActionItemsView {
        items: incident
            .action_items
            .iter()
            .map(|i| ItemView {
                issue: i.number,
                title: i.title.clone(),
                owner: i.owner.clone(),
                kind: i.kind.as_str(),
                priority: priority_name(i.priority),
                due: i.due.to_string(),
                state: i.state.as_str(),
            })
            .collect(),
    }
}

/// The action-items table wrapped in its managed block.
pub fn action_items_block(config: &Config, incident: &Incident) -> Result<String, TemplateError> {
    let inner =
        templates::render_overridable(config, names::ACTION_ITEMS, &action_items(incident))?;
    Ok(postmortem::markdown::block("action-items", &inner))
}

impl PostmortemView {
    pub fn new(
        config: &Config,
        incident: &Incident,
        number: u64,
        incident_url: &str,
    ) -> Result<PostmortemView, TemplateError> {
        let tz = config.timezone;
        let pm = incident.postmortem.as_ref();
        let severity_history = incident
            .timeline
            .iter()
            .filter(|e| {
                e.kind == EntryKind::Declared
                    || e.kind == EntryKind::Severity
                    || (e.kind == EntryKind::Label && e.text.starts_with("Severity"))
            })
            .map(|e| RowView {
                time: local(e.at, tz),
                text: match e.kind {
                    EntryKind::Declared => format!("Declared as {}", e.text),
                    _ => e.text.clone(),
                },
            })
            .collect();
        let mut links = vec![LinkView {
            text: format!("Incident #{number}"),
            url: incident_url.to_string(),
        }];
        links.extend(
            incident
                .action_items
                .iter()
                .filter_map(|i| i.number)
                .map(|n| LinkView {
                    text: format!("Action item #{n}"),
                    url: format!("{}/{n}", issues_base(incident_url)),
                }),
        );
        Ok(PostmortemView {
            number,
            incident_url: incident_url.to_string(),
            title: incident.title.clone(),
            record: incident.record.clone(),
            severity: config.severity_name(incident.severity),
            severity_label: config.severity_label(incident.severity),
            severity_history,
            required: postmortem::required(config, incident),
            owner: postmortem::owner(incident),
            commander: incident.commander.clone(),
            comms: incident.comms.clone(),
            responders: incident.responders.clone(),
            declared_by: incident.declared_by.clone(),
            zone: tz.name().to_string(),
            milestones: milestones(incident, tz),
            duration: incident
                .resolved_at
                .map(|r| human_duration(r - incident.declared_at)),
            impact: incident.impact.as_ref().map(|i| i.text.clone()),
            due: pm.and_then(|p| p.due).map(|d| d.to_string()),
            timeline: incident
                .timeline
                .iter()
                .map(|e| EntryView::new(e, tz, incident_url))
                .collect(),
            action_items_block: action_items_block(config, incident)?,
            links,
        })
    }
}

/// `https://github.com/o/r/issues/12` → `https://github.com/o/r/issues`.
fn issues_base(incident_url: &str) -> &str {
    incident_url
        .rsplit_once('/')
        .map(|(base, _)| base)
        .unwrap_or(incident_url)
}

/// The draft pull request's description.
#[derive(Debug, Clone, Serialize)]
pub struct PullBodyView {
    pub number: u64,
    pub title: String,
    pub record: String,
    pub severity: String,
    pub path: String,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub required: bool,
    pub marker: String,
}

/// The checklist, on the pull request and mirrored on the incident.
#[derive(Debug, Clone, Serialize)]
pub struct ChecklistView {
    pub number: u64,
    pub record: String,
    pub pull: Option<u64>,
    pub required: bool,
    pub owner: Option<String>,
    pub due: Option<String>,
    pub checks: Vec<Check>,
    pub done: usize,
    pub total: usize,
    pub complete: bool,
    pub merged: bool,
    pub public_path: Option<String>,
    pub marker: String,
}

impl ChecklistView {
    pub fn new(config: &Config, incident: &Incident, number: u64) -> ChecklistView {
        let pm = incident.postmortem.clone().unwrap_or_default();
        let checks = pm.checklist.clone();
        let done = checks.iter().filter(|c| c.done).count();
        ChecklistView {
            number,
            record: incident.record.clone(),
            pull: pm.pull,
            required: postmortem::required(config, incident),
            owner: postmortem::owner(incident),
            due: pm.due.map(|d| d.to_string()),
            done,
            total: checks.len(),
            complete: done == checks.len(),
            merged: pm.facts.as_ref().is_some_and(|f| f.merged),
            public_path: pm.public_path.clone(),
            checks,
            marker: postmortem::checklist_marker(number),
        }
    }
}

/// The postmortem's status and checklist in the incident body; `None` before there is a
/// postmortem.
pub fn mirror(config: &Config, incident: &Incident) -> Option<String> {
    incident.postmortem.as_ref()?;
    let view = ChecklistView::new(config, incident, 0);
    Some(
        templates::render_or_built_in(config, names::MIRROR, &view)
            .trim_end()
            .to_string(),
    )
}

/// One line of the index for incident `number`.
pub fn line_view(config: &Config, incident: &Incident, number: u64) -> IndexLineView {
    IndexLineView {
        record: incident.record.clone(),
        when: incident.record.get(..16).unwrap_or("").to_string(),
        title: incident.title.clone(),
        link: postmortem::relative_link(
            &config.postmortem.index,
            &postmortem::file_path(config, incident),
        ),
        severity: config.severity_name(incident.severity),
        duration: incident
            .resolved_at
            .map(|r| human_duration(r - incident.declared_at))
            .unwrap_or_else(|| "unresolved".to_string()),
        number,
    }
}

/// One line of the postmortem index.
#[derive(Debug, Clone, Serialize)]
pub struct IndexLineView {
    pub record: String,
    /// `YYYY-MM-DD HH:MM` (the line's sort key: lines start with it).
    pub when: String,
    pub title: String,
    pub link: String,
    pub severity: String,
    pub duration: String,
    pub number: u64,
}

#[derive(Debug, Clone, Serialize)]
pub struct IndexView {
    /// The managed list (already rendered).
    pub block: String,
}

/// Said with the resolution notice: whether a postmortem is owed.
#[derive(Debug, Clone, Serialize)]
pub struct NoticeView {
    pub severity: String,
    pub required: bool,
    pub due: Option<String>,
    pub approvals: u32,
    pub started: bool,
    /// The draft pull request, once open.
    pub pull: Option<u64>,
    /// The draft opens at this status (reached already when `None`).
    pub opens_at: Option<&'static str>,
}

/// The close gate's answer, and the answer to a postmortem pull request closed unmerged.
#[derive(Debug, Clone, Serialize)]
pub struct GateView {
    /// `incident-closed` or `pull-closed`.
    pub reason: &'static str,
    pub pull: Option<u64>,
    pub reopened_pull: bool,
    pub missing: Vec<Check>,
    pub no_draft: bool,
    pub draft_at: &'static str,
}

/// Where a leak was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LeakView {
    pub line: usize,
    pub section: String,
    pub what: String,
}

/// The answer to `/postmortem public`.
#[derive(Debug, Clone, Serialize)]
pub struct PublishedView {
    pub published: bool,
    pub path: String,
    pub branch: String,
    pub pull: Option<u64>,
    pub redactions: usize,
    pub problems: Vec<String>,
    pub leaks: Vec<LeakView>,
}

/// A due or overdue reminder.
#[derive(Debug, Clone, Serialize)]
pub struct ReminderView {
    pub due: String,
    pub overdue: bool,
    pub escalated: bool,
    /// How long past due escalation starts (`2d`).
    pub after: String,
    pub pull: Option<u64>,
    pub done: usize,
    pub total: usize,
    pub mentions: Vec<String>,
}

/// The public postmortem.
#[derive(Debug, Clone, Serialize)]
pub struct PublicView {
    pub title: String,
    pub date: String,
    pub severity: String,
    pub zone: String,
    pub started: String,
    pub resolved: Option<String>,
    pub duration: Option<String>,
    /// Markdown from the postmortem's sections, redacted.
    pub summary: String,
    pub impact: String,
    pub timeline: Vec<RowView>,
    pub actions: Vec<PublicActionView>,
}

#[derive(Debug, Clone, Serialize)]
pub struct PublicActionView {
    pub title: String,
    pub kind: &'static str,
    pub done: bool,
}

/// Renders `name` with a sample view, to check an override when configuration loads.
pub fn sample_render(config: &Config, name: &str) -> Result<String, TemplateError> {
    let incident = sample_incident(config);
    let number = 12;
    let url = "https://github.com/acme/app/issues/12";
    match name {
        names::POSTMORTEM => templates::render_overridable(
            config,
            name,
            &PostmortemView::new(config, &incident, number, url)?,
        ),
        names::ACTION_ITEMS => {
            templates::render_overridable(config, name, &action_items(&incident))
        }
        names::PULL_BODY => templates::render_overridable(
            config,
            name,
            &PullBodyView {
                number,
                title: incident.title.clone(),
                record: incident.record.clone(),
                severity: config.severity_name(incident.severity),
                path: postmortem::file_path(config, &incident),
                owner: Some("alice".into()),
                due: Some("2026-11-27".into()),
                required: true,
                marker: postmortem::pull_marker(number),
            },
        ),
        names::CHECKLIST | names::MIRROR => templates::render_overridable(
            config,
            name,
            &ChecklistView::new(config, &incident, number),
        ),
        names::INDEX => templates::render_overridable(
            config,
            name,
            &IndexView {
                block: String::new(),
            },
        ),
        names::INDEX_LINE => {
            templates::render_overridable(config, name, &line_view(config, &incident, number))
        }
        names::NOTICE => templates::render_overridable(
            config,
            name,
            &NoticeView {
                severity: "SEV2".into(),
                required: true,
                due: Some("2026-11-27".into()),
                approvals: 1,
                started: false,
                pull: Some(13),
                opens_at: None,
            },
        ),
        names::GATE => templates::render_overridable(
            config,
            name,
            &GateView {
                reason: "incident-closed",
                pull: Some(13),
                reopened_pull: false,
                missing: incident
                    .postmortem
                    .as_ref()
                    .map(|p| p.checklist.clone())
                    .unwrap_or_default(),
                no_draft: false,
                draft_at: "mitigated",
            },
        ),
        names::PUBLISHED => templates::render_overridable(
            config,
            name,
            &PublishedView {
                published: true,
                path: postmortem::public_path(config, &incident),
                branch: "postmortem/12-x".into(),
                pull: Some(13),
                redactions: 3,
                problems: vec![],
                leaks: vec![],
            },
        ),
        names::PUBLIC => templates::render_overridable(
            config,
            name,
            &PublicView {
                title: incident.title.clone(),
                date: "2026-11-20".into(),
                severity: "SEV2".into(),
                zone: "UTC".into(),
                started: "2026-11-20 10:00 UTC".into(),
                resolved: Some("2026-11-20 12:00 UTC".into()),
                duration: Some("2h 00m".into()),
                summary: "We are sorry.".into(),
                impact: "Checkout failed.".into(),
                timeline: vec![RowView {
                    time: "2026-11-20 10:00".into(),
                    text: "Incident declared".into(),
                }],
                actions: vec![PublicActionView {
                    title: "Add a canary".into(),
                    kind: "prevent",
                    done: false,
                }],
            },
        ),
        names::REMINDER => templates::render_overridable(
            config,
            name,
            &ReminderView {
                due: "2026-11-27".into(),
                overdue: true,
                escalated: true,
                after: "3d".into(),
                pull: Some(13),
                done: 3,
                total: 9,
                mentions: vec!["alice".into(), "bob".into()],
            },
        ),
        other => Err(TemplateError {
            file: templates::override_path(config, other),
            message: "not a Firebreak template".into(),
        }),
    }
}

/// An incident with every field set, for [`sample_render`].
pub fn sample_incident(config: &Config) -> Incident {
    use crate::incident::{ActionItem, ActionType, ItemState, Postmortem, Stamped, Status};
    let t0: DateTime<Utc> = "2026-11-20T10:00:00Z".parse().expect("valid");
    let mut incident = Incident::declare("Checkout errors", 2, "alice", t0, config.timezone);
    incident.commander = Some("bob".into());
    incident.comms = Some("carol".into());
    incident.responders = vec!["dave".into()];
    incident.acknowledged_at = Some(t0 + chrono::Duration::minutes(4));
    incident.set_status(Status::Resolved, t0 + chrono::Duration::minutes(95));
    incident.impact = Some(Stamped {
        text: "Card payments failed".into(),
        by: "bob".into(),
        at: t0,
    });
    incident.timeline.push(crate::incident::Entry::new(
        t0,
        EntryKind::Declared,
        "alice",
        "SEV2 by alice",
    ));
    incident.action_items.push(ActionItem {
        key: "c1.1".into(),
        number: Some(14),
        title: "Alert on error rate".into(),
        owner: Some("bob".into()),
        priority: 1,
        kind: ActionType::Detect,
        due: "2026-12-20".parse().expect("valid"),
        state: ItemState::Open,
        by: "bob".into(),
        at: t0,
    });
    let mut pm = Postmortem {
        pull: Some(13),
        due: Some("2026-11-27".parse().expect("valid")),
        ..Postmortem::default()
    };
    incident.postmortem = Some(pm.clone());
    pm.checklist = postmortem::checklist::evaluate(config, &incident);
    incident.postmortem = Some(pm);
    incident
}
