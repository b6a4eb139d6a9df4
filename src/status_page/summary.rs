//! `api/v2/summary.json` and `api/v2/status.json` in the shape of Atlassian Statuspage's
//! public API, so widgets and monitors that read a Statuspage read this one: the page, the
//! overall status indicator, and the unresolved incidents with their updates. Firebreak has
//! no components or scheduled maintenances; those lists are empty.

use serde::Serialize;

use super::{Impact, Input, PublicIncident, indicator, iso};
use crate::incident::Status;

#[derive(Serialize)]
struct Page {
    id: String,
    name: String,
    url: String,
    time_zone: String,
    updated_at: String,
}

#[derive(Serialize)]
struct Indicator {
    indicator: &'static str,
    description: &'static str,
}

#[derive(Serialize)]
struct IncidentUpdate {
    id: String,
    status: &'static str,
    body: String,
    incident_id: String,
    created_at: String,
    updated_at: String,
    display_at: String,
    affected_components: Vec<()>,
    deliver_notifications: bool,
    custom_tweet: Option<String>,
    tweet_id: Option<String>,
}

#[derive(Serialize)]
struct Incident {
    id: String,
    name: String,
    status: &'static str,
    created_at: String,
    updated_at: String,
    monitoring_at: Option<String>,
    resolved_at: Option<String>,
    impact: &'static str,
    shortlink: String,
    started_at: String,
    page_id: String,
    incident_updates: Vec<IncidentUpdate>,
    components: Vec<()>,
}

#[derive(Serialize)]
struct Summary {
    page: Page,
    components: Vec<()>,
    incidents: Vec<Incident>,
    scheduled_maintenances: Vec<()>,
    status: Indicator,
}

#[derive(Serialize)]
struct StatusOnly {
    page: Page,
    status: Indicator,
}

/// Statuspage's incident statuses: it has no `mitigated`; impact stopped while a fix is
/// watched is its `monitoring`.
fn statuspage_status(status: Status) -> &'static str {
    match status {
        Status::Investigating => "investigating",
        Status::Identified => "identified",
        Status::Mitigated | Status::Monitoring => "monitoring",
        Status::Resolved => "resolved",
    }
}

fn page_id(input: &Input<'_>) -> String {
    crate::incident::slug(&input.site.title)
}

fn page(input: &Input<'_>) -> Page {
    Page {
        id: page_id(input),
        name: input.site.title.clone(),
        url: input.site.url.clone(),
        time_zone: input.config.timezone.name().to_string(),
        updated_at: iso(input.now),
    }
}

fn status_of(incidents: &[PublicIncident]) -> Indicator {
    let level: Impact = indicator(incidents);
    Indicator {
        indicator: level.as_str(),
        description: level.description(),
    }
}

fn incident(input: &Input<'_>, incident: &PublicIncident) -> Incident {
    let id = incident.number.to_string();
    let mut updates: Vec<IncidentUpdate> = incident
        .updates
        .iter()
        .map(|u| IncidentUpdate {
            id: format!("{id}-{}", u.id),
            status: statuspage_status(u.status),
            body: u.text.clone(),
            incident_id: id.clone(),
            created_at: iso(u.at),
            updated_at: iso(u.at),
            display_at: iso(u.at),
            affected_components: Vec::new(),
            deliver_notifications: true,
            custom_tweet: None,
            tweet_id: None,
        })
        .collect();
    // Newest first, as Statuspage lists them.
    updates.reverse();
    Incident {
        id: id.clone(),
        name: incident.name.clone(),
        status: statuspage_status(incident.status),
        created_at: iso(incident.started_at),
        updated_at: iso(incident.updated_at()),
        monitoring_at: incident.monitoring_at.map(iso),
        resolved_at: incident.resolved_at.map(iso),
        impact: incident.impact.as_str(),
        shortlink: format!("{}#{}", input.site.url, incident.anchor()),
        started_at: iso(incident.started_at),
        page_id: page_id(input),
        incident_updates: updates,
        components: Vec::new(),
    }
}

fn pretty<T: Serialize>(value: &T) -> String {
    let mut text = serde_json::to_string_pretty(value).expect("serializes");
    text.push('\n');
    text
}

/// `summary.json`: page, status, unresolved incidents.
pub(super) fn summary(input: &Input<'_>, incidents: &[PublicIncident]) -> String {
    pretty(&Summary {
        page: page(input),
        components: Vec::new(),
        incidents: incidents
            .iter()
            .filter(|i| !i.resolved())
            .map(|i| incident(input, i))
            .collect(),
        scheduled_maintenances: Vec::new(),
        status: status_of(incidents),
    })
}

/// `status.json`: page and status only.
pub(super) fn status(input: &Input<'_>, incidents: &[PublicIncident]) -> String {
    pretty(&StatusOnly {
        page: page(input),
        status: status_of(incidents),
    })
}
