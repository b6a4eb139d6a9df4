//! Entries carried by Firebreak's comments: what happens outside the issue (an alert firing
//! again on the incident it names) has no comment or event of its own, so a run that writes the
//! body from an older read would lose it. Firebreak posts it as a short comment with the entry
//! hidden inside, and every run folds the entries of its own such comments into the timeline.
//!
//! ```text
//! 🔔 Alert fired again: Disk 99% on db-3 (alertmanager, 14:05 UTC)
//! <!-- firebreak:entry {"at":"…","kind":"alert",…} -->
//! ```

use super::section::encode_json;
use super::timeline::Entry;

/// Opens the hidden entry line.
pub const MARKER: &str = "<!-- firebreak:entry ";
const COMMENT_END: &str = " -->";

/// The entry a comment carries: `None` when it carries none (or one that does not parse: a
/// damaged carrier is ignored, the entry it held stays where it was written).
pub fn parse(text: &str) -> Option<Entry> {
    let start = text
        .match_indices(MARKER)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text[..i].ends_with('\n'))?
        + MARKER.len();
    let rest = &text[start..];
    let end = rest.find(COMMENT_END)?;
    let entry: Entry = serde_json::from_str(&rest[..end]).ok()?;
    // Only keyed entries are carried: the key is what makes folding one in idempotent.
    entry.key.is_some().then_some(entry)
}

/// A carrier comment: the words for people, then the hidden entry.
pub fn compose(rendered: &str, entry: &Entry) -> String {
    format!(
        "{}\n\n{MARKER}{}{COMMENT_END}",
        rendered.trim_end(),
        encode_json(entry)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::EntryKind;

    fn entry() -> Entry {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        Entry::new(
            at,
            EntryKind::Alert,
            "alertmanager",
            "Alert fired again: <!-- x -->",
        )
        .with_key("alert@1")
    }

    #[test]
    fn a_carried_entry_round_trips_and_a_quoted_or_unkeyed_one_is_none() {
        let text = compose("🔔 fired again", &entry());
        assert_eq!(parse(&text), Some(entry()));
        assert_eq!(parse("just a comment"), None);
        assert_eq!(
            parse(&format!("> {}", text.lines().last().unwrap())),
            None,
            "a quoted marker carries nothing"
        );
        let unkeyed = Entry::new(entry().at, EntryKind::Alert, "x", "y");
        assert_eq!(parse(&compose("", &unkeyed)), None);
        assert_eq!(parse("<!-- firebreak:entry {oops -->"), None);
    }
}
