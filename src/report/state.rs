//! The part of an incident's state a report reads. A report reads thousands of bodies; their
//! timelines and public updates are most of each state and no figure needs them, so they are
//! skipped while parsing (never copied) instead of read into an [`Incident`] and dropped.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Deserializer};

use crate::incident::section::state_json;
use crate::incident::{ActionItem, Incident, Postmortem, Status};

#[derive(Deserialize)]
struct Light {
    record: String,
    title: String,
    severity: u8,
    #[serde(deserialize_with = "status")]
    status: Status,
    declared_at: DateTime<Utc>,
    #[serde(default)]
    declared_by: String,
    #[serde(default)]
    acknowledged_at: Option<DateTime<Utc>>,
    #[serde(default)]
    identified_at: Option<DateTime<Utc>>,
    #[serde(default)]
    mitigated_at: Option<DateTime<Utc>>,
    #[serde(default)]
    resolved_at: Option<DateTime<Utc>>,
    #[serde(default)]
    action_items: Vec<ActionItem>,
    #[serde(default)]
    postmortem: Option<Postmortem>,
}

fn status<'de, D: Deserializer<'de>>(d: D) -> Result<Status, D::Error> {
    let text = std::borrow::Cow::<str>::deserialize(d)?;
    text.parse()
        .map_err(|_| serde::de::Error::custom(format!("unknown status `{text}`")))
}

/// The incident in `body` with what reports read (no timeline, no public updates): `None`
/// when the body has no Firebreak section, an error when its state cannot be read.
pub fn read(body: &str) -> Option<Result<Incident, String>> {
    let json = match state_json(body)? {
        Ok(json) => json,
        Err(problem) => return Some(Err(problem)),
    };
    Some(
        serde_json::from_str::<Light>(json)
            .map(|light| {
                let mut incident = Incident::declare(
                    &light.title,
                    light.severity,
                    &light.declared_by,
                    light.declared_at,
                    chrono_tz::UTC,
                );
                incident.record = light.record;
                incident.status = light.status;
                incident.acknowledged_at = light.acknowledged_at;
                incident.identified_at = light.identified_at;
                incident.mitigated_at = light.mitigated_at;
                incident.resolved_at = light.resolved_at;
                incident.action_items = light.action_items;
                incident.postmortem = light.postmortem;
                incident
            })
            .map_err(|e| e.to_string()),
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::section::{Body, compose};
    use crate::incident::{Entry, EntryKind};

    #[test]
    fn reads_everything_a_report_needs_as_body_parse_does_but_the_timeline() {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut full = Incident::declare("DB <down>", 2, "alice", at, chrono_tz::Europe::Berlin);
        full.acknowledged_at = Some(at);
        full.set_status(Status::Resolved, at);
        full.postmortem = Some(Postmortem {
            started: true,
            ..Postmortem::default()
        });
        full.timeline
            .push(Entry::new(at, EntryKind::Comment, "bob", "hi"));
        let body = compose("text", "x", &full, "");
        let light = read(&body).unwrap().unwrap();
        let mut expected = Body::parse(&body).incident().unwrap().clone();
        expected.timeline.clear();
        assert_eq!(light, expected);
        assert!(read("plain").is_none());
    }
}
