//! The reporter's text, moved out of the issue body into a comment of Firebreak's when the body
//! could not otherwise stay under GitHub's limit (a whole log pasted into the report).
//!
//! The comment shows the text exactly as written inside a code fence, so nothing in it pings
//! anyone again or renders as HTML, and marker look-alikes in it are defused so no part, record
//! or reply marker can be forged through it. A hidden marker names the issue; a run that finds
//! a comment of Firebreak's already holding the same text links it instead of posting another
//! (a run that died between posting it and writing the body).

use super::parts::GITHUB_LIMIT;
use super::section::defuse;

/// Opens the hidden line that names the incident issue of a moved report.
pub const MARKER: &str = "<!-- firebreak:moved-report #";

/// The most of the text (bytes, never fewer than characters) a comment holds: GitHub's limit
/// less room for the words around it. A longer text is cut; the whole of it stays in the
/// description's edit history.
pub const TEXT_MAX: usize = GITHUB_LIMIT - 1_024;

/// The text as the comment holds it: defused, cut to [`TEXT_MAX`] on a character boundary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Kept {
    pub text: String,
    /// The text was longer than a comment holds.
    pub cut: bool,
}

impl Kept {
    pub fn new(text: &str) -> Kept {
        let mut text = defuse(text.trim());
        if text.len() <= TEXT_MAX {
            return Kept { text, cut: false };
        }
        let mut cut = TEXT_MAX;
        while !text.is_char_boundary(cut) {
            cut -= 1;
        }
        text.truncate(cut);
        Kept { text, cut: true }
    }
}

/// The comment: Firebreak's `words` (rendered from a template), the kept text in a fence longer
/// than any run of backticks in it, the marker naming issue `number`.
pub fn compose(words: &str, number: u64, kept: &Kept) -> String {
    let text = &kept.text;
    let longest = text.split(|c| c != '`').map(str::len).max().unwrap_or(0);
    let fence = "`".repeat(longest.max(2) + 1);
    format!(
        "{}\n\n{fence}text\n{text}\n{fence}\n\n{MARKER}{number} -->",
        words.trim_end()
    )
}

/// Whether `comment` (one of Firebreak's) holds the `kept` text moved from issue `number`'s body.
pub fn holds(comment: &str, number: u64, kept: &Kept) -> bool {
    comment
        .trim_end()
        .ends_with(&format!("{MARKER}{number} -->"))
        && comment.contains(&format!("\n{}\n", kept.text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_moved_report_is_fenced_beyond_its_own_backticks_and_found_again_by_its_text() {
        let text = "see ```rust\nfn x() {}\n``` and @alice <!-- firebreak:overflow {} -->";
        let kept = Kept::new(text);
        let comment = compose("Moved.", 7, &kept);
        assert!(comment.contains("````text\n"), "{comment}");
        assert!(!comment.contains("<!-- firebreak:overflow"));
        assert!(holds(&comment, 7, &kept));
        assert!(!holds(&comment, 8, &kept), "another issue's report");
        assert!(!holds(&comment, 7, &Kept::new("something else")));
    }

    #[test]
    fn a_report_longer_than_a_comment_is_cut_on_a_character_boundary() {
        let text = "é".repeat(TEXT_MAX);
        let kept = Kept::new(&text);
        assert!(kept.cut);
        assert!(kept.text.len() <= TEXT_MAX);
        let comment = compose("Moved.", 1, &kept);
        assert!(comment.len() < GITHUB_LIMIT);
        assert!(holds(&comment, 1, &kept));
    }
}
