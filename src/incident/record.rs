//! The record comment: where an incident's state is kept when the issue's author may not
//! change the incident.
//!
//! The author of an issue can always edit its description, and on a public repository the
//! author may be anyone. For such an issue the state in the body is only a copy for people and
//! readers: the authoritative one lives in a comment by Firebreak, which only Firebreak and the
//! repository's maintainers can edit. Each run reads the state from there and restores the
//! body's section from it.
//!
//! ```text
//! 🔒 Firebreak keeps the record of incident `2026-11-20 14:05 db-down` here …
//! <!-- firebreak:record #12 {"version":1,…} -->
//! ```
//!
//! The marker names its issue, so a record copied into another issue's comment (which only a
//! maintainer could do) is not that issue's record; and only Firebreak's own comments are read.

use super::Incident;
use super::section::encode_json;

/// Opens the hidden state line of a record comment.
pub const MARKER: &str = "<!-- firebreak:record #";
const COMMENT_END: &str = " -->";

/// The record of issue `issue` among one comment's text: `None` when the comment is not one,
/// `Some(Err)` when it is but its state does not parse.
pub fn parse(text: &str, issue: u64) -> Option<Result<Incident, String>> {
    let start = text
        .match_indices(MARKER)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text[..i].ends_with('\n'))?
        + MARKER.len();
    let rest = &text[start..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    if digits.parse::<u64>().ok() != Some(issue) {
        return None;
    }
    let json = rest[digits.len()..].trim_start();
    let Some(len) = json.find(COMMENT_END) else {
        return Some(Err("the record marker is not closed".into()));
    };
    Some(serde_json::from_str(&json[..len]).map_err(|e| e.to_string()))
}

/// A record comment: the words for people, then the hidden state of issue `issue`.
pub fn compose(rendered: &str, issue: u64, state: &Incident) -> String {
    format!(
        "{}\n\n{MARKER}{issue} {}{COMMENT_END}",
        rendered.trim_end(),
        encode_json(state)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident() -> Incident {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        Incident::declare("DB down <!-- -->", 1, "alice", at, chrono_tz::UTC)
    }

    #[test]
    fn a_record_round_trips_for_its_issue_only() {
        let text = compose("Kept here.", 12, &incident());
        assert_eq!(parse(&text, 12), Some(Ok(incident())));
        assert_eq!(parse(&text, 13), None, "another issue's record");
        assert_eq!(parse("just a comment", 12), None);
        assert_eq!(
            parse(&format!("> {}", text.lines().last().unwrap()), 12),
            None,
            "a quoted marker is no record"
        );
        assert!(matches!(
            parse("<!-- firebreak:record #12 {oops -->", 12),
            Some(Err(_))
        ));
    }
}
