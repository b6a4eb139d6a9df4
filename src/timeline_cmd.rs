//! `firebreak timeline <issue> [--format markdown|json]`: an incident's whole timeline — the
//! entries in its body and in its overflow comments, oldest first — for scripts and for the
//! postmortem. It reads (the issue and its comments) and never writes.

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::UsageError;
use crate::config::Config;
use crate::engine::{docs, overflow};
use crate::event::Issue;
use crate::github::GitHub;
use crate::incident::section::Body;
use crate::incident::{Entry, Incident};
use crate::render::{self, EntryView, names};

/// An incident and every entry of its timeline.
#[derive(Debug, Clone)]
pub struct Timeline {
    pub issue: Issue,
    pub incident: Incident,
    /// Body and overflow entries merged, each once, ordered by time.
    pub entries: Vec<Entry>,
    /// Problems met on the way (a damaged overflow comment), for stderr.
    pub notes: Vec<String>,
}

/// Reads issue `number` and its comments.
pub async fn fetch(github: &GitHub, number: u64) -> anyhow::Result<Timeline> {
    let issue = github.get_issue(number).await?;
    let body = Body::parse(issue.body_text());
    let incident = match body.state {
        None => {
            return Err(UsageError(format!(
                "#{number} is not an incident: its body has no Firebreak section"
            ))
            .into());
        }
        Some(Err(problem)) => anyhow::bail!(
            "the Firebreak section of #{number} is damaged ({problem}); the next run rebuilds it"
        ),
        Some(Ok(incident)) => incident,
    };
    let comments = github.list_comments(number).await?;
    let parts = overflow::find_parts(&comments, github.identity().await);
    let notes = parts
        .damaged
        .iter()
        .map(|(id, problem)| format!("overflow comment {id} is damaged ({problem}); skipped"))
        .collect();
    let entries = parts.merge(&incident.timeline);
    Ok(Timeline {
        issue,
        incident,
        entries,
        notes,
    })
}

impl Timeline {
    /// A markdown table, times in the configured zone.
    pub fn markdown(&self, config: &Config) -> String {
        let tz = config.timezone;
        let view = render::TimelineView {
            title: self.incident.title.clone(),
            record: self.incident.record.clone(),
            severity: config.severity_name(self.incident.severity),
            status: self.incident.status.as_str(),
            issue_url: self.issue.html_url.clone(),
            zone: tz.name().to_string(),
            entries: self
                .entries
                .iter()
                .map(|e| EntryView::new(e, tz, &self.issue.html_url))
                .collect(),
        };
        render::render(names::TIMELINE, &view)
    }

    /// JSON for scripts: times in UTC (RFC 3339), text as written (not escaped).
    pub fn json(&self, config: &Config) -> String {
        let url = &self.issue.html_url;
        let export = Export {
            issue: self.issue.number,
            url,
            record: &self.incident.record,
            title: &self.incident.title,
            severity: config.severity_name(self.incident.severity),
            status: self.incident.status.as_str(),
            entries: self
                .entries
                .iter()
                .map(|e| ExportEntry {
                    at: e.at,
                    kind: e.kind,
                    by: &e.by,
                    text: &e.text,
                    url: e.comment.map(|id| docs::comment_url(url, id)),
                    comment: e.comment,
                    line: e.line,
                })
                .collect(),
        };
        let mut json = serde_json::to_string_pretty(&export).expect("serializes");
        json.push('\n');
        json
    }
}

#[derive(Serialize)]
struct Export<'a> {
    issue: u64,
    url: &'a str,
    record: &'a str,
    title: &'a str,
    severity: String,
    status: &'static str,
    entries: Vec<ExportEntry<'a>>,
}

#[derive(Serialize)]
struct ExportEntry<'a> {
    at: DateTime<Utc>,
    kind: crate::incident::EntryKind,
    by: &'a str,
    text: &'a str,
    /// The comment the entry came from, and the command's line in it.
    url: Option<String>,
    comment: Option<u64>,
    line: Option<usize>,
}
