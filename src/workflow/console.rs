//! Everything Firebreak prints, made safe for a GitHub Actions log.
//!
//! The runner reads every line of a step's stdout and stderr that starts with `::` (after
//! leading whitespace) as a workflow command: `::add-mask::`, `::stop-commands::`,
//! `::error::`… Firebreak prints text people wrote — titles, comments in a dry run's plan,
//! GitHub's error messages — so in Actions (`GITHUB_ACTIONS=true`) each such line is written
//! with a backslash in front (`\::stop-commands::x`), which the runner ignores and a person
//! still reads. Firebreak's own annotations ([`super::annotation`]) are the only commands it
//! emits, and their message is escaped onto one line.

use std::borrow::Cow;
use std::io::{self, Write};

/// Whether this process runs in a GitHub Actions step.
pub fn in_actions() -> bool {
    std::env::var("GITHUB_ACTIONS").is_ok_and(|v| v == "true")
}

/// `text` with every line that would be a workflow command defused.
pub fn neutralize(text: &str) -> Cow<'_, str> {
    let is_command = |line: &str| line.trim_start().starts_with("::");
    // Lines end at `\n`; the runner also splits at `\r`.
    if !text.split(['\n', '\r']).any(is_command) {
        return Cow::Borrowed(text);
    }
    let mut out = String::with_capacity(text.len() + 8);
    for piece in text.split_inclusive(['\n', '\r']) {
        if is_command(piece) {
            let indent = piece.len() - piece.trim_start().len();
            out.push_str(&piece[..indent]);
            out.push('\\');
            out.push_str(&piece[indent..]);
        } else {
            out.push_str(piece);
        }
    }
    Cow::Owned(out)
}

/// Prints `text` and a newline on stdout (defused in Actions).
pub fn out(text: &str) {
    let _ = write_to(&mut io::stdout().lock(), text, true);
}

/// Prints `text` without adding a newline on stdout (defused in Actions).
pub fn out_raw(text: &str) {
    let _ = write_to(&mut io::stdout().lock(), text, false);
}

/// Prints `text` and a newline on stderr (defused in Actions).
pub fn err(text: &str) {
    let _ = write_to(&mut io::stderr().lock(), text, true);
}

fn write_to(w: &mut impl Write, text: &str, newline: bool) -> io::Result<()> {
    let text = if in_actions() {
        neutralize(text)
    } else {
        Cow::Borrowed(text)
    };
    w.write_all(text.as_bytes())?;
    if newline {
        w.write_all(b"\n")?;
    }
    w.flush()
}

/// A log writer (for `tracing_subscriber`) that defuses what it writes: each log event is
/// written in one call, so its lines are whole.
pub struct Defused<W>(pub W);

impl<W: Write> Write for Defused<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let text = String::from_utf8_lossy(buf);
        self.0.write_all(neutralize(&text).as_bytes())?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        self.0.flush()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_that_would_be_workflow_commands_are_defused_and_others_kept() {
        assert_eq!(neutralize("a plain line"), "a plain line");
        assert_eq!(
            neutralize("title\n::stop-commands::abc\n  ::add-mask::x\r::error::y\nok :: fine"),
            "title\n\\::stop-commands::abc\n  \\::add-mask::x\r\\::error::y\nok :: fine"
        );
        assert_eq!(neutralize("::warning file=x::z"), "\\::warning file=x::z");
    }

    #[test]
    fn the_log_writer_defuses_each_write() {
        let mut w = Defused(Vec::new());
        w.write_all(b"WARN a title\n::set-output name=x::y\n")
            .unwrap();
        assert_eq!(
            String::from_utf8(w.0).unwrap(),
            "WARN a title\n\\::set-output name=x::y\n"
        );
    }
}
