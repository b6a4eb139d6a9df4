//! `firebreak report [--since 90d] [--format markdown|json]`: the period from the command line,
//! the report read by [`crate::run::reports::read_report`] (two issue lists, nothing per
//! incident) and printed as markdown or JSON. It only reads. In a GitHub Actions step the
//! markdown also goes to the job summary (`GITHUB_STEP_SUMMARY`).

use chrono::Duration;

use crate::UsageError;
use crate::config::{DURATION_HINT, parse_duration};
use crate::report::Report;

pub use crate::run::reports::read_report as fetch;

/// The period `--since` asks for (`None`: `report.since` from the configuration).
pub fn parse_since(since: Option<&str>) -> Result<Option<Duration>, UsageError> {
    let Some(text) = since else {
        return Ok(None);
    };
    match parse_duration(text) {
        Some(d) if d > Duration::zero() => Ok(Some(d)),
        _ => Err(UsageError(format!(
            "--since: invalid period \"{text}\": {DURATION_HINT} (how far back from now, more than zero)"
        ))),
    }
}

/// The report as pretty JSON (every figure; times in UTC, durations in seconds).
pub fn json(report: &Report) -> String {
    let mut text = serde_json::to_string_pretty(report).expect("the report serializes");
    text.push('\n');
    text
}
