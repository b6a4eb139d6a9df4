//! The sweep's comment watermark: the time up to which every comment is in its incident, kept
//! in the description of a label, and where it moves after a sweep.

use std::collections::BTreeSet;

use chrono::{DateTime, Duration, Utc};

use super::Listed;
use crate::engine::plan::LabelSpec;

/// The label whose description keeps the sweep's watermark.
pub const WATERMARK_LABEL: &str = "firebreak:sweep";

/// How far behind the newest comment read the watermark stays: GitHub may show a comment a
/// little after its `updated_at`, and one that appears late must still be read next time.
pub const SLACK: Duration = Duration::minutes(5);

/// Comments read behind the watermark before it moves: below half a page, reading them again
/// costs nothing (the list is one page either way) and moving it would be a write per sweep.
pub const ADVANCE_AFTER: usize = 50;

/// Where the watermark moves after this sweep, if it moves: behind the newest comment read,
/// never past the first recent comment of an incident that failed, less [`SLACK`].
pub fn advance(listed: &Listed, failed: &BTreeSet<u64>) -> Option<DateTime<Utc>> {
    if listed.comments.len() < ADVANCE_AFTER {
        return None;
    }
    let newest = listed.comments.iter().map(|(_, c)| c.updated_at).max()?;
    let held = listed
        .comments
        .iter()
        .filter(|(n, _)| failed.contains(n))
        .map(|(_, c)| c.updated_at)
        .min();
    let mark = held.map_or(newest, |h| h.min(newest)) - SLACK;
    (mark > listed.since).then_some(mark)
}

/// The label keeping the watermark `mark`.
pub fn watermark_label(mark: DateTime<Utc>) -> LabelSpec {
    LabelSpec {
        name: WATERMARK_LABEL.into(),
        color: "ededed".into(),
        description: Some(format!(
            "Firebreak's sweep has read comments up to {} (keep this label)",
            mark.to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
        )),
    }
}

/// The watermark a label description keeps, if it keeps one.
pub fn parse_mark(description: &str) -> Option<DateTime<Utc>> {
    description
        .split_whitespace()
        .find_map(|word| DateTime::parse_from_rfc3339(word).ok())
        .map(|t| t.with_timezone(&Utc))
}
