//! `firebreak report [--since 90d] [--format markdown|json]`: the period from the command line,
//! the report read by [`crate::run::reports::read_report`] (two issue lists, nothing per
//! incident) and printed as markdown or JSON. It only reads. In a GitHub Actions step the
//! markdown also goes to the job summary (`GITHUB_STEP_SUMMARY`).

use chrono::Duration;

use crate::UsageError;
use crate::config::{DURATION_HINT, MAX_DAYS, parse_duration};
use crate::report::Report;

pub use crate::run::reports::read_report as fetch;

/// The period `--since` asks for (`None`: `report.since` from the configuration).
pub fn parse_since(since: Option<&str>) -> Result<Option<Duration>, UsageError> {
    let Some(text) = since else {
        return Ok(None);
    };
    match parse_duration(text) {
        Some(d) if d > Duration::days(i64::from(MAX_DAYS)) => Err(UsageError(format!(
            "--since: \"{text}\" is too long; at most {MAX_DAYS}d (ten years)"
        ))),
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn since_takes_a_positive_period_of_at_most_ten_years() {
        assert_eq!(parse_since(None).unwrap(), None);
        assert_eq!(
            parse_since(Some("3650d")).unwrap(),
            Some(Duration::days(3650))
        );
        assert_eq!(
            parse_since(Some("3651d")).unwrap_err().0,
            "--since: \"3651d\" is too long; at most 3650d (ten years)"
        );
        assert!(
            parse_since(Some("0"))
                .unwrap_err()
                .0
                .contains("invalid period")
        );
        assert!(parse_since(Some("99999999999999w")).is_err());
    }
}
