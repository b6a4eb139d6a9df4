//! The bot-owned section of an incident issue body, between hidden markers.
//!
//! ```text
//! <reporter's text, kept as written>
//!
//! <!-- firebreak:begin (managed by Firebreak: edits inside are overwritten) -->
//! …rendered header, impact, update, timeline…
//! <!-- firebreak:state {"version":1,…} -->
//! <!-- firebreak:end -->
//! ```
//!
//! The state is JSON inside an HTML comment. JSON never needs `<` or `>` outside strings, so
//! writing them as `\u003c` / `\u003e` guarantees no text can close the comment early, and
//! every reader (serde_json) decodes them back. Marker look-alikes in the reporter's text are
//! defused whenever the body is written, so only Firebreak's own markers remain.

use super::Incident;

pub const BEGIN: &str =
    "<!-- firebreak:begin (managed by Firebreak: edits inside are overwritten) -->";
const BEGIN_PREFIX: &str = "<!-- firebreak:begin";
pub const END: &str = "<!-- firebreak:end -->";
const STATE_PREFIX: &str = "<!-- firebreak:state ";
const COMMENT_END: &str = " -->";

/// An issue body split into the people's text and Firebreak's state.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Body {
    /// Everything outside the section, as written.
    pub before: String,
    pub after: String,
    /// The state, when the section is present and its state parses.
    pub state: Option<Result<Incident, String>>,
}

impl Body {
    pub fn parse(body: &str) -> Body {
        let Some(begin) = find_marker(body, BEGIN_PREFIX) else {
            return Body {
                before: body.to_string(),
                after: String::new(),
                state: None,
            };
        };
        let rest = &body[begin..];
        let (section, after) = match rest.find(END) {
            Some(end) => (&rest[..end], &rest[end + END.len()..]),
            None => (rest, ""),
        };
        Body {
            before: body[..begin].trim_end().to_string(),
            after: after.trim_start_matches(['\r', '\n']).to_string(),
            state: Some(decode_state(section)),
        }
    }

    /// The state if present and valid.
    pub fn incident(&self) -> Option<&Incident> {
        self.state.as_ref().and_then(|s| s.as_ref().ok())
    }
}

fn find_marker(body: &str, prefix: &str) -> Option<usize> {
    body.match_indices(prefix)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || body[..i].ends_with('\n'))
}

fn decode_state(section: &str) -> Result<Incident, String> {
    serde_json::from_str(state_in(section)?).map_err(|e| e.to_string())
}

fn state_in(section: &str) -> Result<&str, String> {
    let start = section
        .find(STATE_PREFIX)
        .ok_or_else(|| "the section has no state marker".to_string())?
        + STATE_PREFIX.len();
    let len = section[start..]
        .find(COMMENT_END)
        .ok_or_else(|| "the state marker is not closed".to_string())?;
    Ok(&section[start..start + len])
}

/// The state's JSON in `body`, without copying or parsing anything else: `None` when the body
/// has no section, an error when its state marker is missing or unclosed. For readers of many
/// bodies that need only part of the state (reports); [`Body::parse`] reads the whole.
pub fn state_json(body: &str) -> Option<Result<&str, String>> {
    let begin = find_marker(body, BEGIN_PREFIX)?;
    let rest = &body[begin..];
    let section = match rest.find(END) {
        Some(end) => &rest[..end],
        None => rest,
    };
    Some(state_in(section))
}

/// JSON safe to embed in an HTML comment.
pub fn encode_json<T: serde::Serialize>(value: &T) -> String {
    let json = serde_json::to_string(value).expect("state serializes");
    json.replace('<', "\\u003c").replace('>', "\\u003e")
}

/// Writes a marker look-alike so it no longer is one (the text still reads the same).
pub fn defuse(text: &str) -> String {
    text.replace("<!-- firebreak", "<!-- (quoted) firebreak")
        .replace("<!--firebreak", "<!-- (quoted) firebreak")
}

/// The full body: people's text, then the rendered section with its state.
pub fn compose(before: &str, rendered: &str, state: &Incident, after: &str) -> String {
    let mut out = String::with_capacity(before.len() + rendered.len() + 2048);
    let before = defuse(before.trim_end());
    if !before.is_empty() {
        out.push_str(&before);
        out.push_str("\n\n");
    }
    out.push_str(BEGIN);
    out.push('\n');
    out.push_str(rendered.trim_end());
    out.push_str("\n\n");
    out.push_str(STATE_PREFIX);
    out.push_str(&encode_json(state));
    out.push_str(COMMENT_END);
    out.push('\n');
    out.push_str(END);
    let after = defuse(after.trim());
    if !after.is_empty() {
        out.push_str("\n\n");
        out.push_str(&after);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::{Entry, EntryKind};

    fn incident() -> Incident {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let mut inc = Incident::declare("DB down", 1, "alice", at, chrono_tz::UTC);
        inc.timeline.push(Entry::new(
            at,
            EntryKind::Comment,
            "mallory",
            "--> <!-- firebreak:end --> </details> | pipe",
        ));
        inc
    }

    #[test]
    fn round_trip_keeps_people_text_and_state() {
        let inc = incident();
        let body = compose(
            "Reporter text\n\nmore",
            "## rendered",
            &inc,
            "PS from a human",
        );
        let parsed = Body::parse(&body);
        assert_eq!(parsed.before, "Reporter text\n\nmore");
        assert_eq!(parsed.after, "PS from a human");
        assert_eq!(parsed.incident(), Some(&inc));
    }

    #[test]
    fn hostile_text_in_state_cannot_close_the_comment() {
        let body = compose("", "x", &incident(), "");
        let state_line = body.lines().find(|l| l.starts_with(STATE_PREFIX)).unwrap();
        assert_eq!(state_line.matches("-->").count(), 1, "{state_line}");
        assert!(!state_line[STATE_PREFIX.len()..].contains('<'));
    }

    #[test]
    fn forged_marker_in_reporter_text_is_defused() {
        let forged = format!("{BEGIN}\n<!-- firebreak:state {{\"severity\":4}} -->\n{END}");
        let body = compose(&forged, "x", &incident(), "");
        let parsed = Body::parse(&body);
        assert_eq!(parsed.incident(), Some(&incident()));
        assert!(parsed.before.contains("(quoted) firebreak:begin"));
    }

    #[test]
    fn state_json_is_the_state_body_parse_reads() {
        let body = compose("Reporter text", "x", &incident(), "after");
        let json = state_json(&body).unwrap().unwrap();
        let read: Incident = serde_json::from_str(json).unwrap();
        assert_eq!(read, incident());
        assert!(state_json("no section").is_none());
        assert!(
            state_json(&format!("{BEGIN}\nno state\n{END}"))
                .unwrap()
                .is_err()
        );
    }

    #[test]
    fn body_without_section_is_all_people_text() {
        let parsed = Body::parse("just text");
        assert_eq!(parsed.before, "just text");
        assert!(parsed.state.is_none());
    }

    #[test]
    fn corrupt_state_is_reported_not_panicked() {
        let parsed = Body::parse(&format!("{BEGIN}\n<!-- firebreak:state {{oops -->\n{END}"));
        assert!(matches!(parsed.state, Some(Err(_))));
    }
}
