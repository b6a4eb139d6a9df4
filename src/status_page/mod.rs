//! The public status site, from the incident issues: `index.html` (the overall status, the
//! incidents under way that have a public update, then the last 90 days), `feed.atom` (every
//! public update and published public postmortem), a page per public postmortem, and
//! `api/v2/summary.json` and `api/v2/status.json` in the shape of Atlassian Statuspage's public
//! API. Pure: the caller lists the issues and reads the published public postmortems.
//!
//! Only what was marked public reaches any file: public updates (`/update public`) and public
//! postmortems published on the default branch. The incident's title names it, redacted like
//! the public postmortem (the configured private patterns, e-mail addresses, @mentions and the
//! logins of everyone involved); the severity and status are shown. Comments, the impact
//! statement, other updates, roles, action items and people never are.

mod atom;
mod html;
mod markdown;
mod summary;

use std::collections::BTreeMap;

use chrono::{DateTime, Duration, Utc};

use crate::config::Config;
use crate::event::Issue;
use crate::incident::section::Body;
use crate::incident::{EntryKind, Incident, Status};
use crate::postmortem::redact::{Counts, Redactor};

/// How far back the page lists resolved incidents.
pub const HISTORY_DAYS: i64 = 90;

/// Prefix of a public update's timeline entry (states written before public updates were kept
/// on their own have them only there).
const PUBLIC_UPDATE_ENTRY: &str = "Public update: ";

/// The site's name and where it is published.
#[derive(Debug, Clone)]
pub struct Site {
    pub title: String,
    /// Absolute URL of the site's root, ending with `/` (feed ids and links need one).
    pub url: String,
}

/// What the site is built from.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    pub config: &'a Config,
    pub now: DateTime<Utc>,
    pub site: &'a Site,
    /// Issues labeled `incident`, open and closed, updated in the last [`HISTORY_DAYS`].
    pub incidents: &'a [Issue],
    /// Issue number → the text of its published public postmortem (on the default branch).
    pub postmortems: &'a BTreeMap<u64, String>,
}

/// One file of the site: its path relative to the output directory, and its content.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct File {
    pub path: String,
    pub content: String,
}

/// How bad an incident is for the public: Statuspage's impact levels.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Impact {
    None,
    Minor,
    Major,
    Critical,
}

impl Impact {
    /// Level 1 is critical, 2 major, 3 minor, anything less severe none.
    pub fn of_level(level: u8) -> Impact {
        match level {
            1 => Impact::Critical,
            2 => Impact::Major,
            3 => Impact::Minor,
            _ => Impact::None,
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Impact::None => "none",
            Impact::Minor => "minor",
            Impact::Major => "major",
            Impact::Critical => "critical",
        }
    }

    /// Statuspage's words for the page's indicator.
    pub fn description(self) -> &'static str {
        match self {
            Impact::None => "All Systems Operational",
            Impact::Minor => "Minor Service Outage",
            Impact::Major => "Partial System Outage",
            Impact::Critical => "Major Service Outage",
        }
    }
}

/// A public update, redacted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicUpdate {
    pub id: String,
    pub at: DateTime<Utc>,
    pub status: Status,
    pub text: String,
}

/// An incident as the public sees it: nothing here was not marked public.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicIncident {
    pub number: u64,
    /// The title, redacted.
    pub name: String,
    pub severity: String,
    pub impact: Impact,
    pub status: Status,
    pub started_at: DateTime<Utc>,
    pub resolved_at: Option<DateTime<Utc>>,
    pub monitoring_at: Option<DateTime<Utc>>,
    /// Oldest first.
    pub updates: Vec<PublicUpdate>,
    /// The published public postmortem: its page's path and its text, redacted.
    pub postmortem: Option<PublicPostmortem>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PublicPostmortem {
    pub page: String,
    pub markdown: String,
    /// When it counts as published, for the feed: the postmortem's merge, else the
    /// incident's resolution.
    pub at: DateTime<Utc>,
}

impl PublicIncident {
    pub fn resolved(&self) -> bool {
        self.status == Status::Resolved
    }

    pub fn anchor(&self) -> String {
        format!("incident-{}", self.number)
    }

    /// The last time anything public changed.
    pub fn updated_at(&self) -> DateTime<Utc> {
        let last = self.updates.last().map(|u| u.at);
        [Some(self.started_at), last, self.resolved_at]
            .into_iter()
            .flatten()
            .max()
            .unwrap_or(self.started_at)
    }
}

/// The published public postmortems to read: (issue number, path on the default branch).
pub fn postmortems_to_read(incidents: &[Issue]) -> Vec<(u64, String)> {
    incidents
        .iter()
        .filter_map(|issue| {
            let incident = Body::parse(issue.body_text()).incident()?.clone();
            let path = incident.postmortem?.public_path?;
            Some((issue.number, path))
        })
        .collect()
}

/// The incidents the public may see: under way with a public update, or in the last
/// [`HISTORY_DAYS`] with a public update or a published public postmortem. Newest first.
pub fn public_incidents(input: &Input<'_>) -> Vec<PublicIncident> {
    let since = input.now - Duration::days(HISTORY_DAYS);
    let mut out: Vec<PublicIncident> = input
        .incidents
        .iter()
        .filter_map(|issue| {
            let incident = Body::parse(issue.body_text()).incident()?.clone();
            let public = public_incident(input, issue, &incident)?;
            let recent = !public.resolved() || public.updated_at() >= since;
            recent.then_some(public)
        })
        .collect();
    out.sort_by(|a, b| {
        b.started_at
            .cmp(&a.started_at)
            .then(b.number.cmp(&a.number))
    });
    out
}

fn public_incident(
    input: &Input<'_>,
    issue: &Issue,
    incident: &Incident,
) -> Option<PublicIncident> {
    let redactor = Redactor::new(input.config, incident, &[]);
    let mut counts = Counts::default();
    let mut redact = |text: &str| redactor.redact(text, &mut counts);
    let mut updates: Vec<PublicUpdate> = if incident.public_updates.is_empty() {
        incident
            .timeline
            .iter()
            .filter(|e| e.kind == EntryKind::Update)
            .filter_map(|e| {
                let text = e.text.strip_prefix(PUBLIC_UPDATE_ENTRY)?;
                Some(PublicUpdate {
                    id: e.id(),
                    at: e.at,
                    status: incident.status,
                    text: redact(text),
                })
            })
            .collect()
    } else {
        incident
            .public_updates
            .iter()
            .map(|u| PublicUpdate {
                id: u.key.clone(),
                at: u.at,
                status: u.status,
                text: redact(&u.text),
            })
            .collect()
    };
    updates.sort_by_key(|u| u.at);
    let closed = issue.state == "closed";
    let resolved = incident.status == Status::Resolved || closed;
    let resolved_at = if resolved {
        incident
            .resolved_at
            .or(issue.closed_at)
            .or(updates.last().map(|u| u.at))
            .or(Some(incident.declared_at))
    } else {
        None
    };
    let postmortem = input.postmortems.get(&issue.number).map(|text| {
        let merged = incident
            .postmortem
            .as_ref()
            .and_then(|p| p.facts.as_ref())
            .and_then(|f| f.merged_at);
        PublicPostmortem {
            page: format!(
                "postmortems/{}.html",
                crate::postmortem::file_stem(incident)
            ),
            markdown: redact(text),
            at: merged.or(resolved_at).unwrap_or(incident.declared_at),
        }
    });
    if updates.is_empty() && postmortem.is_none() {
        return None;
    }
    Some(PublicIncident {
        number: issue.number,
        name: redact(&incident.title),
        severity: input.config.severity_name(incident.severity),
        impact: Impact::of_level(incident.severity),
        status: if resolved {
            Status::Resolved
        } else {
            incident.status
        },
        started_at: incident.declared_at,
        resolved_at,
        monitoring_at: incident.mitigated_at,
        updates,
        postmortem,
    })
}

/// The page's overall status: the worst impact among incidents under way.
pub fn indicator(incidents: &[PublicIncident]) -> Impact {
    incidents
        .iter()
        .filter(|i| !i.resolved())
        .map(|i| i.impact)
        .max()
        .unwrap_or(Impact::None)
}

/// Every file of the site.
pub fn build(input: &Input<'_>) -> Vec<File> {
    let incidents = public_incidents(input);
    let mut files = vec![
        File {
            path: "index.html".into(),
            content: html::index(input, &incidents),
        },
        File {
            path: "feed.atom".into(),
            content: atom::feed(input, &incidents),
        },
        File {
            path: "api/v2/summary.json".into(),
            content: summary::summary(input, &incidents),
        },
        File {
            path: "api/v2/status.json".into(),
            content: summary::status(input, &incidents),
        },
    ];
    for incident in &incidents {
        if let Some(pm) = &incident.postmortem {
            files.push(File {
                path: pm.page.clone(),
                content: html::postmortem(input, incident, pm),
            });
        }
    }
    files
}

/// `Nov 20, 14:05 UTC` in the configured zone.
fn display_time(config: &Config, at: DateTime<Utc>) -> String {
    at.with_timezone(&config.timezone)
        .format("%b %-d, %Y %H:%M %Z")
        .to_string()
}

/// RFC 3339 in UTC, seconds: what `<time datetime>`, Atom and Statuspage use.
fn iso(at: DateTime<Utc>) -> String {
    at.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The status word people read.
fn status_word(status: Status) -> String {
    let word = status.as_str();
    let mut chars = word.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

#[cfg(test)]
mod tests;
