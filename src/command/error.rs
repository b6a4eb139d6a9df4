//! What can be wrong with a command line, said for the person who wrote it.
//!
//! The `Display` text of a [`ParseError`] goes verbatim into a reply comment. It says what was
//! wrong and how to write it right, with the command's usage and an example. Everything the
//! user wrote is echoed inside code spans (fenced with more backticks than it contains and cut
//! to a short preview), so an echo can never mention anyone, render as markup or forge anything.

use std::fmt;

use super::CommandInfo;

/// Why a command line was not understood. One per line; other lines are unaffected.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ParseError {
    /// `/name` is not a command or an alias.
    UnknownCommand {
        /// The name as written, without the `/`.
        name: String,
        /// The closest command or alias, as it would be written (without the `/`).
        suggestion: Option<&'static str>,
    },
    /// A required argument is absent.
    MissingArgument {
        /// Canonical command name (see [`super::Command::name`]).
        command: &'static str,
        /// What is missing: `"severity"`, `"status"`, `"person"`, `"text"`, `"title"`, `"owner"`.
        argument: &'static str,
    },
    /// An argument is present but not acceptable.
    InvalidArgument {
        command: &'static str,
        /// Which argument: `"severity"`, `"status"`, `"person"`, `"title"`, `"text"`, `"time"`,
        /// `"owner"`, `"priority"`, `"type"`, `"due date"`, `"subcommand"`.
        argument: &'static str,
        /// What was written (the whole text for over-long text).
        value: String,
        /// What would have been accepted, as a sentence fragment that may embed code spans,
        /// e.g. "use one of `SEV1`, `SEV2`".
        expected: String,
        /// A close valid value, if one is.
        suggestion: Option<String>,
    },
    /// Something follows a command that takes nothing more.
    UnexpectedArgument {
        command: &'static str,
        /// Everything left over, as written.
        value: String,
    },
}

impl ParseError {
    /// The canonical name of the command at fault; `None` for an unknown command.
    pub fn command(&self) -> Option<&'static str> {
        match self {
            ParseError::UnknownCommand { .. } => None,
            ParseError::MissingArgument { command, .. }
            | ParseError::InvalidArgument { command, .. }
            | ParseError::UnexpectedArgument { command, .. } => Some(command),
        }
    }

    /// The usage line of the command at fault.
    pub fn usage(&self) -> Option<&'static str> {
        self.command().and_then(super::info).map(|info| info.usage)
    }
}

impl std::error::Error for ParseError {}

impl fmt::Display for ParseError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ParseError::UnknownCommand { name, suggestion } => {
                write!(
                    f,
                    "{} is not a Firebreak command.",
                    code(&format!("/{name}"))
                )?;
                if let Some(suggestion) = suggestion {
                    write!(f, " Did you mean {}?", code(&format!("/{suggestion}")))?;
                }
                write!(f, " Write `/help` to see every command.")
            }
            ParseError::MissingArgument { command, argument } => {
                write!(f, "`/{command}` needs {}.", describe(argument))?;
                write_usage(f, command)
            }
            ParseError::InvalidArgument {
                command,
                argument,
                value,
                expected,
                suggestion,
            } => {
                write!(
                    f,
                    "In `/{command}`, {} is not a valid {argument}",
                    code(value)
                )?;
                if let Some(suggestion) = suggestion {
                    write!(f, " (did you mean {}?)", code(suggestion))?;
                }
                write!(f, ": {expected}.")?;
                write_usage(f, command)
            }
            ParseError::UnexpectedArgument { command, value } => {
                write!(
                    f,
                    "`/{command}` takes nothing more, but {} follows. \
                     Put anything else on a line of its own.",
                    code(value)
                )?;
                write_usage(f, command)
            }
        }
    }
}

fn write_usage(f: &mut fmt::Formatter<'_>, command: &str) -> fmt::Result {
    if let Some(CommandInfo { usage, example, .. }) = super::info(command) {
        write!(
            f,
            " Usage: {}, for example {}.",
            code_span(usage),
            code_span(example)
        )?;
    }
    Ok(())
}

/// "needs …": the missing argument, with its article.
fn describe(argument: &str) -> String {
    match argument {
        "severity" => "a severity level, like `2`, `sev2` or `SEV2`".to_owned(),
        "status" => format!(
            "a status: one of {}",
            list(super::Status::ALL.iter().map(|s| s.as_str()))
        ),
        "person" => "a person, written `@login` (or `me` for yourself)".to_owned(),
        "people" => "at least one person, written `@login` (or `me` for yourself)".to_owned(),
        "text" => "some text after the command".to_owned(),
        "title" => "a title".to_owned(),
        "owner" => "the owner, written `@login` (or `me` for yourself)".to_owned(),
        other => format!("a {other}"),
    }
}

/// `` `a`, `b` or `c` ``.
pub(crate) fn list<'a>(items: impl IntoIterator<Item = &'a str>) -> String {
    let items: Vec<String> = items.into_iter().map(code).collect();
    match items.as_slice() {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} or {last}", init.join(", ")),
    }
}

/// The longest preview of user text that an error echoes, in characters.
const PREVIEW_CHARS: usize = 60;

/// User text as a Markdown code span that nothing inside can break out of, cut to a preview
/// ending in `…` when long.
pub(crate) fn code(text: &str) -> String {
    let mut shown: String = text.chars().take(PREVIEW_CHARS).collect();
    if text.chars().nth(PREVIEW_CHARS).is_some() {
        shown.push('…');
    }
    code_span(&shown)
}

/// `text` as a Markdown code span: the fence is one backtick longer than the longest run
/// inside, padded when the text touches a backtick.
fn code_span(text: &str) -> String {
    // A line never holds a line break, but a caller might pass one: fold it.
    let text = text.replace(['\r', '\n'], " ");
    if text.trim().is_empty() {
        return "(nothing)".to_owned();
    }
    let mut longest = 0;
    let mut run = 0;
    for c in text.chars() {
        run = if c == '`' { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    let fence = "`".repeat(longest + 1);
    let pad = if text.starts_with('`') || text.ends_with('`') {
        " "
    } else {
        ""
    };
    format!("{fence}{pad}{text}{pad}{fence}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn code_spans_cannot_be_broken_out_of() {
        assert_eq!(code("sev1"), "`sev1`");
        assert_eq!(code("a `b` c"), "``a `b` c``");
        assert_eq!(code("`x``"), "``` `x`` ```");
        assert_eq!(code(&"x".repeat(70)), format!("`{}…`", "x".repeat(60)));
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(list(["a"]), "`a`");
        assert_eq!(list(["a", "b", "c"]), "`a`, `b` or `c`");
    }
}
