//! Opening a new incident issue: `firebreak declare` and `repository_dispatch` of type
//! `incident` (alert hooks). An open incident with the same fingerprint gets a timeline entry
//! instead of a duplicate.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::engine::{self, Trigger, severity_label, status_label};
use crate::event::Issue;
use crate::github::{GitHub, NewIssue};
use crate::incident::Incident;
use crate::incident::section::{self, Body};
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::runner::{self, Outcome};

/// Who declares when nobody is named (alerts, scripts).
pub const DEFAULT_DECLARER: &str = "firebreak";

#[derive(Debug, Clone)]
pub struct Request {
    pub title: String,
    /// Name or level; `None` → the configured default.
    pub severity: Option<String>,
    pub body: String,
    pub fingerprint: Option<String>,
    pub by: String,
}

impl Request {
    /// From a `repository_dispatch` client payload `{title, severity, body, fingerprint}`.
    pub fn from_dispatch(payload: &serde_json::Value) -> Result<Request, String> {
        let text = |key: &str| -> Result<Option<String>, String> {
            match payload.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
                Some(other) => Err(format!(
                    "client_payload.{key} must be a string, not {other}"
                )),
            }
        };
        let title = text("title")?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                "client_payload.title is required for a repository_dispatch of type `incident`"
                    .to_string()
            })?;
        Ok(Request {
            title,
            severity: text("severity")?,
            body: text("body")?.unwrap_or_default(),
            fingerprint: text("fingerprint")?.filter(|f| !f.trim().is_empty()),
            by: DEFAULT_DECLARER.into(),
        })
    }
}

/// Resolves the requested severity against config.
pub fn severity_of(config: &Config, requested: Option<&str>) -> Result<u8, String> {
    match requested {
        None => Ok(config.default_severity),
        Some(s) => config.level_of(s.trim()).ok_or_else(|| {
            format!(
                "unknown severity `{s}`: use one of {}",
                config.severity_names().join(", ")
            )
        }),
    }
}

/// Opens the incident (or records a repeat of an open one with the same fingerprint).
pub async fn declare(
    github: &GitHub,
    config: &Config,
    request: &Request,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let severity = severity_of(config, request.severity.as_deref()).map_err(crate::UsageError)?;
    if let Some(fingerprint) = &request.fingerprint
        && let Some(existing) = find_by_fingerprint(github, fingerprint).await?
    {
        return repeat(github, config, existing, request, now).await;
    }
    let mut incident =
        Incident::declare(&request.title, severity, &request.by, now, config.timezone);
    incident.fingerprint = request.fingerprint.clone();
    incident.labels_ready = true;
    let text = format!("{} by {}", config.severity_name(severity), request.by);
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(now, EntryKind::Declared, &request.by, text).with_key("declared"),
    );
    runner::ensure_labels(github, config).await?;
    // The issue URL is unknown until it exists: links in the first render are relative.
    let rendered = engine::render_section(config, &incident, "", &[]);
    let body = section::compose(&request.body, &rendered, &incident, "");
    let created = github
        .create_issue(&NewIssue {
            title: config.title_for(severity, &request.title),
            body,
            labels: vec![
                engine::LABEL_INCIDENT.into(),
                severity_label(severity),
                status_label(incident.status),
            ],
            assignees: Vec::new(),
        })
        .await?;
    Ok(Outcome {
        issue: Some(created.number),
        severity: Some(severity),
        severity_name: Some(config.severity_name(severity)),
        status: Some(incident.status.as_str()),
        notes: vec![format!(
            "declared #{} `{}`",
            created.number, incident.record
        )],
    })
}

/// The open incident carrying `fingerprint`. Listed, not searched: search lags writes.
async fn find_by_fingerprint(github: &GitHub, fingerprint: &str) -> anyhow::Result<Option<Issue>> {
    let open = github.list_issues(engine::LABEL_INCIDENT, "open").await?;
    Ok(open.into_iter().find(|issue| {
        Body::parse(issue.body_text())
            .incident()
            .is_some_and(|i| i.fingerprint.as_deref() == Some(fingerprint))
    }))
}

async fn repeat(
    github: &GitHub,
    config: &Config,
    issue: Issue,
    request: &Request,
    now: DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let text = format!("Alert fired again: {}", request.title);
    let entry = Entry::new(now, EntryKind::Alert, &request.by, text)
        .with_key(format!("alert@{}", now.timestamp_millis()));
    // Through the runner, like every other change: the timeline may overflow, and comments
    // not yet seen are caught up on the way.
    let outcome = runner::run_issue(github, config, &issue, Trigger::Entry(entry), now).await?;
    let mut notes = vec![format!(
        "#{} already tracks fingerprint `{}`: added a timeline entry",
        issue.number,
        request.fingerprint.as_deref().unwrap_or_default()
    )];
    notes.extend(outcome.notes);
    Ok(Outcome { notes, ..outcome })
}
