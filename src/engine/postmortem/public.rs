//! The public postmortem: summary (with the apology), customer impact, a timeline without names
//! and what we are doing — redacted, then checked for leaks. Pure.

use super::Run;
use crate::config::Config;
use crate::engine::plan::{Doc, FileWrite};
use crate::incident::{EntryKind, Incident, ItemState, human_duration};
use crate::postmortem;
use crate::postmortem::markdown;
use crate::postmortem::redact::{Counts, Redactor};
use crate::render::views::postmortem::PublishedView;
use crate::render::views::postmortem::{LeakView, PublicActionView, PublicView, RowView};
use crate::render::{self, format_time, names};

/// Why the public version was not published.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    pub problems: Vec<String>,
    pub leaks: Vec<LeakView>,
}

/// The public document and how many redactions it took.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Public {
    pub text: String,
    pub redactions: usize,
}

/// The text of a section as people wrote it: comments and placeholders gone, blank lines kept.
pub fn written(body: &str) -> String {
    let text = markdown::strip_html_comments(body);
    let mut out: Vec<&str> = Vec::new();
    for line in text.lines() {
        if markdown::is_placeholder(line) {
            continue;
        }
        if line.trim().is_empty() && out.last().is_none_or(|l| l.trim().is_empty()) {
            continue;
        }
        out.push(line.trim_end());
    }
    while out.last().is_some_and(|l| l.trim().is_empty()) {
        out.pop();
    }
    // Sub-headings alone are not something written.
    if !markdown::has_content(body) {
        return String::new();
    }
    out.join("\n")
}

/// The customers' part of the impact when the section has one, else the whole section.
fn public_impact(body: &str) -> String {
    let mut customers = String::new();
    let mut inside = false;
    for line in body.lines() {
        if let Some(h) = line.trim_start().strip_prefix("###") {
            inside = h.trim().to_lowercase().starts_with("customer");
            continue;
        }
        if inside {
            customers.push_str(line);
            customers.push('\n');
        }
    }
    let customers = written(&customers);
    if customers.is_empty() {
        written(body)
    } else {
        customers
    }
}

/// Timeline entries fit for the public: what happened, not who said what.
fn public_timeline(
    config: &Config,
    incident: &Incident,
    redactor: &Redactor,
    counts: &mut Counts,
) -> Vec<RowView> {
    let tz = config.timezone;
    incident
        .timeline
        .iter()
        .filter_map(|e| {
            let text = match e.kind {
                EntryKind::Declared => "Incident declared".to_string(),
                EntryKind::Acknowledged => "Our team acknowledged the incident".to_string(),
                EntryKind::Status | EntryKind::Impact | EntryKind::Note => e.text.clone(),
                EntryKind::Update if e.text.starts_with("Public update") => e.text.clone(),
                _ => return None,
            };
            Some(RowView {
                time: e.at.with_timezone(&tz).format("%Y-%m-%d %H:%M").to_string(),
                text: redactor.redact(&text, counts),
            })
        })
        .collect()
}

/// Builds the public version from the postmortem file `doc`; `reviewers` are redacted too.
pub fn build(
    config: &Config,
    incident: &Incident,
    doc: &str,
    reviewers: &[String],
) -> Result<Public, Refusal> {
    let redactor = Redactor::new(config, incident, reviewers);
    let mut counts = Counts::default();
    let sections = markdown::sections(doc);
    let summary = markdown::section(&sections, "Executive summary")
        .map(written)
        .unwrap_or_default();
    let impact = markdown::section(&sections, "Impact")
        .map(public_impact)
        .unwrap_or_default();
    let mut problems = Vec::new();
    if summary.is_empty() {
        problems
            .push("The **Executive summary** of the postmortem is not written yet.".to_string());
    }
    if impact.is_empty() {
        problems.push("The **Impact** of the postmortem is not written yet.".to_string());
    }
    let tz = config.timezone;
    let view = PublicView {
        title: redactor.redact(&incident.title, &mut counts),
        date: incident.record.get(..10).unwrap_or("").to_string(),
        severity: config.severity_name(incident.severity),
        zone: tz.name().to_string(),
        started: format_time(incident.declared_at, tz),
        resolved: incident.resolved_at.map(|t| format_time(t, tz)),
        duration: incident
            .resolved_at
            .map(|r| human_duration(r - incident.declared_at)),
        summary: redactor.redact(&summary, &mut counts),
        impact: redactor.redact(&impact, &mut counts),
        timeline: public_timeline(config, incident, &redactor, &mut counts),
        actions: incident
            .action_items
            .iter()
            .map(|i| PublicActionView {
                title: redactor.redact(&i.title, &mut counts),
                kind: i.kind.as_str(),
                done: i.state == ItemState::Closed,
            })
            .collect(),
    };
    let text = render::render_or_built_in(config, names::PUBLIC, &view);
    let leaks: Vec<LeakView> = redactor
        .leaks(&text)
        .into_iter()
        .map(|l| LeakView {
            line: l.line,
            section: l.section,
            what: crate::markdown::escape_cell_prose(&l.what),
        })
        .collect();
    if !problems.is_empty() || !leaks.is_empty() {
        return Err(Refusal { problems, leaks });
    }
    Ok(Public {
        text,
        redactions: counts.total(),
    })
}

impl Run<'_, '_> {
    /// Renders, checks and commits the public version — on the pull request's branch while it
    /// is open, on the base branch once merged — and replies either way.
    pub(super) fn publish(&mut self, incident: &mut Incident, key: &str) {
        let config = self.input.config;
        let pm = incident.postmortem.clone().expect("checked by the caller");
        let (Some(branch), Some(path)) = (pm.branch.clone(), pm.path.clone()) else {
            return;
        };
        let facts = pm.facts.clone().unwrap_or_default();
        let (target, pull) = if facts.merged {
            match self.base_branch() {
                Some(base) => (base, None),
                None => return,
            }
        } else {
            (branch, pm.pull)
        };
        let source = match self.input.pull.map(|p| p.file.clone()) {
            Some(file) if !facts.merged => file,
            _ => match self.file(&target, &path) {
                Some(file) => file,
                None => return,
            },
        };
        let public_path = postmortem::public_path(config, incident);
        let Some(existing) = self.file(&target, &public_path) else {
            return;
        };
        let mut view = PublishedView {
            published: false,
            path: public_path.clone(),
            branch: target.clone(),
            pull,
            redactions: 0,
            problems: Vec::new(),
            leaks: Vec::new(),
        };
        match source {
            None => view.problems.push(format!(
                "The postmortem file `{path}` was not found on `{target}`."
            )),
            Some(source) => match build(config, incident, &source.text, &facts.approvers) {
                Ok(doc) => {
                    if existing.as_ref().map(|f| f.text.as_str()) != Some(doc.text.as_str()) {
                        self.plan.postmortem.files.push(FileWrite {
                            path: public_path.clone(),
                            branch: target,
                            content: Doc::Text(doc.text),
                            message: format!("Public postmortem: {}", incident.record),
                            sha: existing.map(|f| f.sha),
                        });
                    }
                    view.published = true;
                    view.redactions = doc.redactions;
                    if let Some(pm) = incident.postmortem.as_mut() {
                        pm.public_path = Some(public_path.clone());
                    }
                    self.plan.notes.push(format!("published {public_path}"));
                }
                Err(refusal) => {
                    view.problems = refusal.problems;
                    view.leaks = refusal.leaks;
                    self.plan
                        .notes
                        .push("public postmortem refused".to_string());
                }
            },
        }
        self.plan.comment(
            key,
            render::render_or_built_in(config, names::PUBLISHED, &view),
        );
    }
}
