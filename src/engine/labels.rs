//! Firebreak's labels (names, fixed colors and descriptions) and the issue's assignees: what
//! the issue should carry, diffed with what it carries.
//!
//! Labels are only ever added (POST, keeping the others) or removed one by one, never replaced
//! as a set, so labels people add by hand survive. Roles become assignees; only people who
//! held a role and no longer hold any are unassigned, so assignees added by hand stay.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::event::Issue;
use crate::incident::Incident;
use crate::incident::{ActionType, Status};

use super::plan::LabelSpec;
use super::{Input, Need, Plan};

pub const LABEL_INCIDENT: &str = "incident";
pub const SEVERITY_PREFIX: &str = "sev:";
pub const STATUS_PREFIX: &str = "status:";

pub fn severity_label(level: u8) -> String {
    format!("{SEVERITY_PREFIX}{level}")
}

pub fn status_label(status: Status) -> String {
    format!("{STATUS_PREFIX}{}", status.as_str())
}

fn spec(name: String, color: &str, description: String) -> LabelSpec {
    LabelSpec {
        name,
        color: color.to_string(),
        description: Some(description),
    }
}

/// Every label Firebreak uses, with its color and description.
pub fn all_labels(config: &Config) -> Vec<LabelSpec> {
    /// Severity colors, most severe first; levels past the fourth reuse the last.
    const SEV_COLORS: [&str; 4] = ["b60205", "d93f0b", "fbca04", "0e8a16"];
    let mut labels = vec![spec(
        LABEL_INCIDENT.into(),
        "b60205",
        "An incident, managed by Firebreak".into(),
    )];
    for (i, sev) in config.severities.iter().enumerate() {
        labels.push(spec(
            severity_label(i as u8 + 1),
            SEV_COLORS[i.min(SEV_COLORS.len() - 1)],
            format!("{}: {}", sev.name, sev.description),
        ));
    }
    for status in Status::ALL {
        let color = match status {
            Status::Investigating => "d93f0b",
            Status::Identified => "fbca04",
            Status::Mitigated => "0075ca",
            Status::Monitoring => "5319e7",
            Status::Resolved => "0e8a16",
        };
        labels.push(spec(
            status_label(status),
            color,
            format!("Incident status: {}", status.as_str()),
        ));
    }
    labels.push(spec(
        "postmortem:required".into(),
        "5319e7",
        "A postmortem is owed for this incident".into(),
    ));
    labels.push(spec(
        "postmortem".into(),
        "5319e7",
        "A postmortem document".into(),
    ));
    labels.push(spec(
        "action-item".into(),
        "1d76db",
        "Follow-up work from an incident".into(),
    ));
    for p in 0..4u8 {
        labels.push(spec(
            format!("priority:P{p}"),
            ["b60205", "d93f0b", "fbca04", "c2e0c6"][p as usize],
            format!("Action item priority P{p}"),
        ));
    }
    for t in ActionType::ALL {
        labels.push(spec(
            format!("type:{}", t.as_str()),
            "bfdadc",
            format!("Action item type: {}", t.as_str()),
        ));
    }
    labels
}

/// Firebreak's labels that a repository with labels `existing` (lower case) lacks.
pub fn missing(config: &Config, existing: &BTreeSet<String>) -> Vec<LabelSpec> {
    all_labels(config)
        .into_iter()
        .filter(|l| !existing.contains(&l.name.to_ascii_lowercase()))
        .collect()
}

/// The labels an incident must carry, and the other Firebreak severity/status labels it must
/// not; everything else on the issue is left alone. The first time labels are added to an
/// incident, Firebreak's labels the repository lacks are created first (with their colors).
pub fn plan_labels(input: &Input, incident: &mut Incident, plan: &mut Plan) {
    let (config, issue) = (input.config, input.issue);
    let current: BTreeSet<String> = issue
        .labels
        .iter()
        .map(|l| l.name.to_ascii_lowercase())
        .collect();
    let wanted = [
        LABEL_INCIDENT.to_string(),
        severity_label(incident.severity),
        status_label(incident.status),
    ];
    plan.add_labels = wanted
        .iter()
        .filter(|w| !current.contains(*w))
        .cloned()
        .collect();
    let managed = |name: &str| {
        let levels = 1..=config.severities.len() as u8;
        levels.clone().any(|l| severity_label(l) == name)
            || Status::ALL.iter().any(|s| status_label(*s) == name)
    };
    plan.remove_labels = issue
        .labels
        .iter()
        .map(|l| l.name.clone())
        .filter(|n| managed(&n.to_ascii_lowercase()) && !wanted.contains(&n.to_ascii_lowercase()))
        .collect();
    if !incident.labels_ready && !plan.add_labels.is_empty() {
        match &input.facts.labels {
            None => plan.need(Need::Labels),
            Some(existing) => {
                plan.create_labels = missing(config, existing);
                incident.labels_ready = true;
            }
        }
    }
}

/// Roles become assignees. Only people who held a role (`former`: lost it in this run) and no
/// longer hold any are unassigned, so assignees added by hand stay.
pub fn plan_assignees(incident: &Incident, issue: &Issue, former: &[String], plan: &mut Plan) {
    let current: BTreeSet<String> = issue
        .assignees
        .iter()
        .map(|u| u.login.to_ascii_lowercase())
        .collect();
    let holders = incident.role_holders();
    let holder_set: BTreeSet<String> = holders.iter().map(|l| l.to_ascii_lowercase()).collect();
    plan.add_assignees = holders
        .into_iter()
        .filter(|l| !current.contains(&l.to_ascii_lowercase()))
        .collect();
    plan.remove_assignees = former
        .iter()
        .filter(|l| {
            let l = l.to_ascii_lowercase();
            current.contains(&l) && !holder_set.contains(&l)
        })
        .cloned()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
}
