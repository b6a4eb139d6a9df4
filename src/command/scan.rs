//! Finding command lines in a Markdown comment.
//!
//! A line is a candidate when it renders as ordinary text and its first non-blank characters
//! are `/name` followed by whitespace or the end of the line. The scanner follows CommonMark
//! (as GitHub renders it) just far enough to skip what is *not* prose:
//!
//! - fenced code blocks: a run of 3 or more `` ` `` or `~` opens one (a backtick fence's info
//!   string may not contain a backtick); it closes at a line holding only a run of the same
//!   character at least as long, or at the end of the comment. Fences are recognized at any
//!   indentation inside a paragraph, because in a nested list item they are real fences, and
//!   ignoring a command is safer than running one from inside code;
//! - indented code blocks: lines indented 4 or more columns (tabs count to the next multiple
//!   of 4) that do not continue a paragraph — at the start of the comment, after a blank line,
//!   a heading or another block;
//! - HTML comments: a block starting with `<!--` at the start of a line runs to the line holding
//!   `-->`, however many blank lines that takes; a comment opened in the middle of a paragraph
//!   hides the following lines of that paragraph up to `-->` (if the paragraph ends first, the
//!   `<!--` was literal text, as in CommonMark). Comments closed within a command line are
//!   removed from its arguments, so what runs is what the rendered comment shows;
//! - block quotes: lines starting with up to 3 spaces and `>`.
//!
//! Line endings are `\n`, `\r\n` or a lone `\r`. Lines are numbered from 1.

use std::borrow::Cow;

/// A line that starts with `/name`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Candidate<'a> {
    /// 1-based line number in the comment.
    pub line: usize,
    /// The line as written, without its line ending.
    pub raw: &'a str,
    /// The line with HTML comments removed: what GitHub shows.
    pub visible: Cow<'a, str>,
}

/// Splits on `\n`, `\r\n` and lone `\r`, as CommonMark does.
pub(crate) fn split_lines(body: &str) -> Vec<&str> {
    let mut lines = Vec::new();
    let bytes = body.as_bytes();
    let mut start = 0;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\n' => {
                lines.push(&body[start..i]);
                i += 1;
                start = i;
            }
            b'\r' => {
                lines.push(&body[start..i]);
                i += if bytes.get(i + 1) == Some(&b'\n') {
                    2
                } else {
                    1
                };
                start = i;
            }
            _ => i += 1,
        }
    }
    if start < body.len() {
        lines.push(&body[start..]);
    }
    lines
}

/// Every line of `body` that is prose and starts with `/name`, in order.
pub(crate) fn candidates(body: &str) -> Vec<Candidate<'_>> {
    let lines = split_lines(body);
    let mut found = Vec::new();
    let mut state = State::Normal;
    // Whether the previous line belongs to a paragraph that the current line may continue:
    // that decides between indented code and a lazy continuation line.
    let mut paragraph = false;

    for (index, &line) in lines.iter().enumerate() {
        match state {
            State::Fence { ch, len, indent } => {
                let (cols, rest) = indentation(line);
                if cols <= indent + 3 && closes_fence(rest, ch, len) {
                    state = State::Normal;
                    paragraph = false;
                }
                continue;
            }
            State::HtmlBlock => {
                if line.contains("-->") {
                    state = State::Normal;
                    paragraph = false;
                }
                continue;
            }
            State::InlineComment { until, resume } => {
                if index < until {
                    continue;
                }
                state = State::Normal;
                // The rest of the closing line is prose again and may open another comment.
                let (_, open) = inline_comments(line, resume);
                if let Some(open) = open {
                    state = hide_until_close(&lines, index, open);
                }
                continue;
            }
            State::Normal => {}
        }

        if is_blank(line) {
            paragraph = false;
            continue;
        }
        let (cols, rest) = indentation(line);
        if cols >= 4 && !paragraph {
            continue; // indented code
        }
        if let Some((ch, len)) = opens_fence(rest) {
            state = State::Fence {
                ch,
                len,
                indent: cols,
            };
            paragraph = false;
            continue;
        }
        if cols <= 3 {
            if rest.starts_with('>') {
                paragraph = true; // a lazy continuation line may follow
                continue;
            }
            if rest.starts_with("<!--") {
                // HTML block: ends on the line holding `-->` (searched from the `--` of `<!--`,
                // so `<!-->` closes itself).
                if !rest[2..].contains("-->") {
                    state = State::HtmlBlock;
                }
                paragraph = false;
                continue;
            }
            if ends_paragraph(rest) {
                paragraph = false;
                continue;
            }
        }

        paragraph = true;
        let (closed, open) = inline_comments(line, 0);
        let mut hidden_from = None;
        if let Some(open) = open {
            state = hide_until_close(&lines, index, open);
            if matches!(state, State::InlineComment { .. }) {
                hidden_from = Some(open);
            }
        }
        // Here the line is either indented less than 4 columns or continues a paragraph:
        // either way it is prose.
        if starts_command(rest) {
            found.push(Candidate {
                line: index + 1,
                raw: line,
                visible: visible_text(line, &closed, hidden_from),
            });
        }
    }
    found
}

#[derive(Debug, Clone, Copy)]
enum State {
    Normal,
    Fence {
        ch: u8,
        len: usize,
        indent: usize,
    },
    HtmlBlock,
    /// Lines up to and including `until` are inside a comment opened in a paragraph; the
    /// prose resumes on line `until` at byte `resume`.
    InlineComment {
        until: usize,
        resume: usize,
    },
}

/// A comment opened at byte `open` of line `index` hides the paragraph's following lines up
/// to the one holding `-->`. If the paragraph ends first, the `<!--` was literal text.
fn hide_until_close(lines: &[&str], index: usize, open: usize) -> State {
    debug_assert!(lines[index][open..].starts_with("<!--"));
    for (next, line) in lines.iter().enumerate().skip(index + 1) {
        if interrupts_paragraph(line) {
            break;
        }
        if let Some(at) = line.find("-->") {
            return State::InlineComment {
                until: next,
                resume: at + 3,
            };
        }
    }
    State::Normal
}

/// Whether `line` cannot continue a paragraph: it is blank or starts another block.
fn interrupts_paragraph(line: &str) -> bool {
    if is_blank(line) {
        return true;
    }
    let (cols, rest) = indentation(line);
    if opens_fence(rest).is_some() {
        return true;
    }
    if cols >= 4 {
        return false;
    }
    rest.starts_with('>')
        || rest.starts_with("<!--")
        || ends_paragraph(rest)
        || starts_list_item(rest)
}

/// ATX headings, thematic breaks and setext underlines: single-line blocks after which a
/// paragraph is over.
fn ends_paragraph(rest: &str) -> bool {
    let hashes = rest.bytes().take_while(|&b| b == b'#').count();
    if (1..=6).contains(&hashes) && rest[hashes..].chars().next().is_none_or(is_space_or_tab) {
        return true;
    }
    let Some(&first) = rest.as_bytes().first() else {
        return false;
    };
    if matches!(first, b'-' | b'*' | b'_' | b'=') {
        let marks = rest.bytes().filter(|&b| b == first).count();
        let only_marks = rest.bytes().all(|b| b == first || b == b' ' || b == b'\t');
        let enough = first == b'=' || marks >= 3;
        // `=` and `-` underlines must be one unbroken run, the others may be spaced.
        let unbroken = !matches!(first, b'=') || rest.trim_end().bytes().all(|b| b == first);
        return only_marks && enough && unbroken;
    }
    false
}

/// `- x`, `* x`, `+ x`, `1. x`, `1) x`: list items that may interrupt a paragraph.
fn starts_list_item(rest: &str) -> bool {
    let after = match rest.as_bytes() {
        [b'-' | b'*' | b'+', ..] => &rest[1..],
        [b'1', b'.' | b')', ..] => &rest[2..],
        _ => return false,
    };
    after.starts_with([' ', '\t']) && !is_blank(after)
}

fn is_space_or_tab(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn is_blank(line: &str) -> bool {
    line.chars().all(is_space_or_tab)
}

/// Indentation in columns (tabs advance to the next multiple of 4) and the rest of the line.
fn indentation(line: &str) -> (usize, &str) {
    let mut cols = 0;
    for (at, c) in line.char_indices() {
        match c {
            ' ' => cols += 1,
            '\t' => cols += 4 - cols % 4,
            _ => return (cols, &line[at..]),
        }
    }
    (cols, "")
}

/// A fence opener: 3 or more backticks or tildes; a backtick fence's info string may not
/// contain a backtick.
fn opens_fence(rest: &str) -> Option<(u8, usize)> {
    let ch = *rest.as_bytes().first()?;
    if ch != b'`' && ch != b'~' {
        return None;
    }
    let len = rest.bytes().take_while(|&b| b == ch).count();
    if len < 3 || (ch == b'`' && rest[len..].contains('`')) {
        return None;
    }
    Some((ch, len))
}

fn closes_fence(rest: &str, ch: u8, len: usize) -> bool {
    let run = rest.bytes().take_while(|&b| b == ch).count();
    run >= len && is_blank(&rest[run..])
}

/// `/` then a name `[A-Za-z][A-Za-z0-9_-]*` then whitespace or the end of the line.
pub(crate) fn starts_command(rest: &str) -> bool {
    command_name(rest).is_some()
}

/// The name of the command `rest` starts with, and what follows it.
pub(crate) fn command_name(rest: &str) -> Option<(&str, &str)> {
    let body = rest.strip_prefix('/')?;
    if !body.starts_with(|c: char| c.is_ascii_alphabetic()) {
        return None;
    }
    let end = body
        .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_' || c == '-'))
        .unwrap_or(body.len());
    let (name, after) = body.split_at(end);
    if after.is_empty() || after.starts_with(char::is_whitespace) {
        Some((name, after))
    } else {
        None
    }
}

/// HTML comments on one line, from byte `from`, outside code spans: the byte ranges of the
/// comments closed on this line, and where a comment is left open at the end of the line.
fn inline_comments(line: &str, from: usize) -> (Vec<std::ops::Range<usize>>, Option<usize>) {
    let bytes = line.as_bytes();
    let mut closed = Vec::new();
    let mut i = from;
    while i < bytes.len() {
        match bytes[i] {
            b'`' => {
                let run = bytes[i..].iter().take_while(|&&b| b == b'`').count();
                i += run;
                if let Some(end) = closing_backticks(&bytes[i..], run) {
                    i += end;
                }
            }
            b'<' if line[i..].starts_with("<!--") => match line[i + 2..].find("-->") {
                Some(at) => {
                    let end = i + 2 + at + 3;
                    closed.push(i..end);
                    i = end;
                }
                None => return (closed, Some(i)),
            },
            _ => i += 1,
        }
    }
    (closed, None)
}

/// Where a code span opened by `run` backticks ends in `bytes` (just after its closing run of
/// exactly `run` backticks), if it does.
fn closing_backticks(bytes: &[u8], run: usize) -> Option<usize> {
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'`' {
            let len = bytes[i..].iter().take_while(|&&b| b == b'`').count();
            if len == run {
                return Some(i + len);
            }
            i += len;
        } else {
            i += 1;
        }
    }
    None
}

fn visible_text<'a>(
    line: &'a str,
    closed: &[std::ops::Range<usize>],
    hidden_from: Option<usize>,
) -> Cow<'a, str> {
    if closed.is_empty() && hidden_from.is_none() {
        return Cow::Borrowed(line);
    }
    let end = hidden_from.unwrap_or(line.len());
    let mut text = String::with_capacity(end);
    let mut at = 0;
    for range in closed.iter().filter(|range| range.end <= end) {
        text.push_str(&line[at..range.start]);
        text.push(' ');
        at = range.end;
    }
    text.push_str(&line[at..end]);
    Cow::Owned(text)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines_of(body: &str) -> Vec<(usize, String)> {
        candidates(body)
            .into_iter()
            .map(|c| (c.line, c.visible.trim().to_owned()))
            .collect()
    }

    #[test]
    fn line_endings_are_lf_crlf_and_lone_cr() {
        assert_eq!(split_lines("a\nb\r\nc\rd"), ["a", "b", "c", "d"]);
        assert_eq!(split_lines("a\r\n\r\nb\n"), ["a", "", "b"]);
        assert_eq!(split_lines(""), Vec::<&str>::new());
    }

    #[test]
    fn command_name_needs_a_letter_then_whitespace_or_end() {
        assert_eq!(command_name("/sev 1"), Some(("sev", " 1")));
        assert_eq!(command_name("/ack"), Some(("ack", "")));
        assert_eq!(
            command_name("/action-item\tx"),
            Some(("action-item", "\tx"))
        );
        assert_eq!(command_name("/usr/bin/env"), None);
        assert_eq!(command_name("/ thing"), None);
        assert_eq!(command_name("/1up"), None);
        assert_eq!(command_name("/ack!"), None);
        assert_eq!(command_name("//sev 1"), None);
    }

    #[test]
    fn fences_need_a_matching_closer() {
        let body = "````md\n```\n/sev 1\n````\n/sev 2\n~~~\n/sev 3\n```\n/sev 4\n~~~~\n/sev 5";
        assert_eq!(
            lines_of(body),
            [(5, "/sev 2".into()), (11, "/sev 5".into())]
        );
    }

    #[test]
    fn backtick_info_string_with_backtick_is_not_a_fence() {
        assert_eq!(lines_of("``` a ` b\n/ack"), [(2, "/ack".into())]);
    }

    #[test]
    fn unclosed_fence_runs_to_the_end() {
        assert_eq!(
            lines_of("/ack\n```\n/sev 1\n\n/sev 2"),
            [(1, "/ack".into())]
        );
    }

    #[test]
    fn indented_fence_closer_may_be_up_to_three_columns_deeper() {
        // a closer indented 4+ columns past a top-level fence is content
        let body = "```\n    ```\n/sev 1\n```\n/sev 2";
        assert_eq!(lines_of(body), [(5, "/sev 2".into())]);
        // a fence nested in a list item closes at its own indentation
        let body = "- item\n  - sub\n    ```\n    /sev 1\n    ```\n/sev 2";
        assert_eq!(lines_of(body), [(6, "/sev 2".into())]);
    }

    #[test]
    fn indented_code_only_outside_paragraphs() {
        let body =
            "    /sev 1\ntext\n    /sev 2\n\n    /sev 3\n\t/sev 4\n# Heading\n    /sev 5\n  /sev 6";
        assert_eq!(lines_of(body), [(3, "/sev 2".into()), (9, "/sev 6".into())]);
    }

    #[test]
    fn html_comment_blocks_span_blank_lines() {
        let body = "<!--\n/sev 1\n\n/sev 2\n-->\n/sev 3\n<!-- one line --> \n/sev 4\n<!-->\n/sev 5";
        assert_eq!(
            lines_of(body),
            [
                (6, "/sev 3".into()),
                (8, "/sev 4".into()),
                (10, "/sev 5".into())
            ]
        );
    }

    #[test]
    fn inline_comment_hides_the_rest_of_its_paragraph() {
        let body = "Plan <!-- hidden\n/sev 1\nstill --> /sev 2\n/sev 3";
        assert_eq!(lines_of(body), [(4, "/sev 3".into())]);
    }

    #[test]
    fn inline_comment_left_open_at_paragraph_end_is_literal() {
        let body = "I typed <!-- by accident\n/sev 1\n\n/sev 2 -->";
        assert_eq!(
            lines_of(body),
            [(2, "/sev 1".into()), (4, "/sev 2 -->".into())]
        );
    }

    #[test]
    fn comments_are_removed_from_command_lines() {
        let body = "/sev 2 <!-- secret --> customers ok\n/status mitigated <!-- a\nb -->\n/ack";
        assert_eq!(
            lines_of(body),
            [
                (1, "/sev 2   customers ok".into()),
                (2, "/status mitigated".into()),
                (4, "/ack".into())
            ]
        );
    }

    #[test]
    fn comment_markers_inside_code_spans_are_literal() {
        let body = "Type `<!--` to hide text\n/sev 1";
        assert_eq!(lines_of(body), [(2, "/sev 1".into())]);
    }

    #[test]
    fn quotes_are_skipped_at_up_to_three_spaces() {
        let body = "> /sev 1\n   > /sev 2\n>/sev 3\n/sev 4";
        assert_eq!(lines_of(body), [(4, "/sev 4".into())]);
    }

    #[test]
    fn quote_opened_fence_does_not_leak() {
        let body = "> ```\n/sev 1\n> ```";
        assert_eq!(lines_of(body), [(2, "/sev 1".into())]);
    }
}
