//! The pinned report issue (`report.issue`): its body keeps the latest report between hidden
//! markers, with the time it was built, so the sweep refreshes it every
//! `report.refresh_every` and never more often. Text people write outside the markers stays.

use chrono::{DateTime, Utc};

use crate::config::Config;
use crate::incident::section::Body;

/// Opens the managed part of the report issue's body.
pub const BEGIN: &str =
    "<!-- firebreak:report:begin (managed by Firebreak: edits inside are overwritten) -->";
/// Closes it.
pub const END: &str = "<!-- firebreak:report:end -->";
/// The hidden time of the last refresh (RFC 3339), inside the managed part.
const STAMP: &str = "<!-- firebreak:report-at ";

/// What the sweep does with the report issue.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refresh {
    /// Refreshed less than `refresh_every` ago: nothing to do until `next`.
    Fresh { next: DateTime<Utc> },
    /// Build the report and write it.
    Due,
    /// The issue is not one to overwrite (an incident); the reason names it.
    Refused(String),
}

/// When the managed part of `body` was last written.
pub fn last_refresh(body: &str) -> Option<DateTime<Utc>> {
    let (_, managed, _) = split(body)?;
    let start = managed.find(STAMP)? + STAMP.len();
    let end = managed[start..].find(" -->")? + start;
    managed[start..end].trim().parse().ok()
}

/// Whether the report issue `number` with `body` (and `is_pull`) is due at `now`.
pub fn decide(
    config: &Config,
    number: u64,
    body: &str,
    is_pull: bool,
    now: DateTime<Utc>,
) -> Refresh {
    if is_pull {
        return Refresh::Refused(format!(
            "report.issue: #{number} is a pull request; name an issue (a pinned one) for the report"
        ));
    }
    if Body::parse(body).state.is_some() {
        return Refresh::Refused(format!(
            "report.issue: #{number} is an incident; name another issue (a pinned one) for the report"
        ));
    }
    // A stamp from the future (edited by hand, or a clock that ran ahead) is not believed:
    // it would hold the report back until then.
    let next = last_refresh(body)
        .filter(|at| *at <= now)
        .and_then(|at| at.checked_add_signed(config.report.refresh_every));
    match next {
        Some(next) if now < next => Refresh::Fresh { next },
        _ => Refresh::Due,
    }
}

/// `body` with its managed part replaced by `report` (added at the end when absent).
pub fn compose(body: &str, report: &str, now: DateTime<Utc>) -> String {
    let (before, after) = match split(body) {
        Some((before, _, after)) => (before.trim_end().to_string(), after.trim().to_string()),
        None => (body.trim_end().to_string(), String::new()),
    };
    let stamp = now.to_rfc3339_opts(chrono::SecondsFormat::Secs, true);
    let mut out = String::new();
    if !before.is_empty() {
        out.push_str(&before);
        out.push_str("\n\n");
    }
    out.push_str(BEGIN);
    out.push('\n');
    out.push_str(report.trim_end());
    out.push_str(&format!("\n\n{STAMP}{stamp} -->\n{END}"));
    if !after.is_empty() {
        out.push_str("\n\n");
        out.push_str(&after);
    }
    out
}

/// (before, managed, after) when the body has the markers.
fn split(body: &str) -> Option<(&str, &str, &str)> {
    let begin = body.find("<!-- firebreak:report:begin")?;
    let rest = &body[begin..];
    let end = rest.find(END)?;
    Some((&body[..begin], &rest[..end], &rest[end + END.len()..]))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> DateTime<Utc> {
        s.parse().unwrap()
    }

    #[test]
    fn a_report_is_refreshed_every_refresh_every_and_never_more_often() {
        let config = Config::default();
        let body = compose(
            "Our weekly numbers.",
            "## Report",
            at("2026-11-20T06:00:00Z"),
        );
        assert_eq!(last_refresh(&body), Some(at("2026-11-20T06:00:00Z")));
        assert_eq!(
            decide(&config, 5, &body, false, at("2026-11-21T05:59:00Z")),
            Refresh::Fresh {
                next: at("2026-11-21T06:00:00Z")
            }
        );
        assert_eq!(
            decide(&config, 5, &body, false, at("2026-11-21T06:00:00Z")),
            Refresh::Due
        );
        assert_eq!(
            decide(&config, 5, "", false, at("2026-11-21T06:00:00Z")),
            Refresh::Due
        );
    }

    #[test]
    fn a_stamp_from_the_future_or_the_end_of_time_does_not_hold_the_report_back() {
        let config = Config::default();
        let now = at("2026-11-21T06:00:00Z");
        let tomorrow = compose("", "## Report", at("2026-11-22T06:00:00Z"));
        assert_eq!(decide(&config, 5, &tomorrow, false, now), Refresh::Due);
        let last = compose("", "## Report", DateTime::<Utc>::MAX_UTC);
        assert_eq!(decide(&config, 5, &last, false, now), Refresh::Due);
        let mut long = Config::default();
        long.report.refresh_every = chrono::Duration::days(3650);
        let recent = compose("", "## Report", at("2026-11-21T05:00:00Z"));
        assert!(matches!(
            decide(&long, 5, &recent, false, now),
            Refresh::Fresh { .. }
        ));
    }

    #[test]
    fn people_text_around_the_report_is_kept() {
        let first = compose("Intro\n", "## Old", at("2026-11-20T06:00:00Z"));
        let edited = format!("{first}\n\nA note below.");
        let second = compose(&edited, "## New", at("2026-11-21T06:00:00Z"));
        assert!(second.starts_with("Intro\n\n<!-- firebreak:report:begin"));
        assert!(second.contains("## New") && !second.contains("## Old"));
        assert!(second.ends_with("<!-- firebreak:report:end -->\n\nA note below."));
    }

    #[test]
    fn an_incident_or_a_pull_request_is_never_overwritten() {
        let config = Config::default();
        let inc = crate::incident::Incident::declare(
            "x",
            1,
            "a",
            at("2026-11-20T06:00:00Z"),
            chrono_tz::UTC,
        );
        let body = crate::incident::section::compose("", "x", &inc, "");
        assert!(matches!(
            decide(&config, 7, &body, false, at("2026-11-21T06:00:00Z")),
            Refresh::Refused(reason) if reason.contains("#7 is an incident")
        ));
        assert!(matches!(
            decide(&config, 8, "", true, at("2026-11-21T06:00:00Z")),
            Refresh::Refused(reason) if reason.contains("#8 is a pull request")
        ));
    }
}
