//! Firebreak's labels: names, fixed colors and descriptions, and the add/remove diff.
//!
//! Labels are only ever added (POST, keeping the others) or removed one by one, never replaced
//! as a set, so labels people add by hand survive.

use std::collections::BTreeSet;

use crate::config::Config;
use crate::event::Issue;
use crate::github::LabelSpec;
use crate::incident::Incident;
use crate::incident::{ActionType, Status};

use super::Plan;

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

/// The labels an incident must carry, and the other Firebreak severity/status labels it must
/// not; everything else on the issue is left alone.
pub fn plan_labels(config: &Config, incident: &Incident, issue: &Issue, plan: &mut Plan) {
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
    plan.ensure_labels = !incident.labels_ready && !plan.add_labels.is_empty();
}
