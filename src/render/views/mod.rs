//! The data each template reads: plain serializable values, times already formatted in the
//! configured zone, so templates stay free of logic.

pub mod incident;
pub mod postmortem;
pub mod reminders;
pub mod report;
pub mod status_page;

use chrono::{DateTime, Utc};
use serde::Serialize;

use crate::incident::Entry;

/// `2026-11-20 14:05 UTC`.
pub fn format_time(at: DateTime<Utc>, tz: chrono_tz::Tz) -> String {
    at.with_timezone(&tz)
        .format("%Y-%m-%d %H:%M %Z")
        .to_string()
}

#[derive(Debug, Serialize)]
pub struct EntryView {
    pub time: String,
    pub by: String,
    pub kind: &'static str,
    pub text: String,
    pub url: Option<String>,
}

impl EntryView {
    pub fn new(entry: &Entry, tz: chrono_tz::Tz, issue_url: &str) -> EntryView {
        EntryView {
            time: entry
                .at
                .with_timezone(&tz)
                .format("%Y-%m-%d %H:%M")
                .to_string(),
            by: entry.by.clone(),
            kind: entry.kind.label(),
            text: entry.text.clone(),
            url: entry.comment.map(|id| match entry.pull {
                Some(pull) => format!(
                    "{}/pull/{pull}#issuecomment-{id}",
                    issue_url
                        .rsplit_once("/issues/")
                        .map_or(issue_url, |(repo, _)| repo)
                ),
                None => format!("{issue_url}#issuecomment-{id}"),
            }),
        }
    }
}
