//! The arguments of each command: everything after `/name` on the command's line.

use super::action::action;
use super::error::list;
use super::time::{TIME_FORMS, TimeParse, leading_time};
use super::{
    Command, ParseError, PostmortemCommand, RoleTarget, Status, TEXT_LIMIT, TITLE_LIMIT, TimeSpec,
    Vocabulary,
};

pub(super) type Result<T> = std::result::Result<T, ParseError>;

/// Parses the arguments of the command whose canonical name is `command`.
pub(crate) fn parse_args(command: &'static str, args: &str, vocab: &Vocabulary) -> Result<Command> {
    let args = args.trim();
    match command {
        "incident" => incident(args, vocab),
        "sev" => severity(args, vocab),
        "status" => status(args),
        "ic" => role("ic", args).map(Command::Commander),
        "comms" => role("comms", args).map(Command::Comms),
        "responder" => responders(args),
        // Words after `/ack` and `/help` are commentary; the comment keeps them.
        "ack" => Ok(Command::Ack),
        "help" => Ok(Command::Help),
        "impact" => required_text("impact", args).map(|text| Command::Impact { text }),
        "update" => update(args),
        "timeline" => timeline(args),
        "action" => action(args).map(Command::Action),
        "postmortem" => postmortem(args).map(Command::Postmortem),
        _ => Err(ParseError::UnknownCommand {
            name: command.to_owned(),
            suggestion: None,
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Commands

fn incident(args: &str, vocab: &Vocabulary) -> Result<Command> {
    // Only `sevN` and configured names count as a severity here: a bare number may well be the
    // start of a title ("500 errors on checkout").
    let (severity, rest) = match leading_level(vocab, args, false) {
        Level::Valid(level, rest) => (Some(level), rest),
        Level::Invalid(token) => return Err(invalid_severity("incident", token, vocab)),
        Level::Absent => (None, args),
    };
    let title = optional_text("incident", "title", rest, TITLE_LIMIT)?;
    Ok(Command::Incident { severity, title })
}

fn severity(args: &str, vocab: &Vocabulary) -> Result<Command> {
    if args.is_empty() {
        return Err(missing("sev", "severity"));
    }
    match leading_level(vocab, args, true) {
        Level::Valid(level, rest) => Ok(Command::Severity {
            level,
            reason: optional_text("sev", "reason", rest, TEXT_LIMIT)?,
        }),
        Level::Invalid(token) => Err(invalid_severity("sev", token, vocab)),
        Level::Absent => Err(invalid_severity("sev", first_token(args).0, vocab)),
    }
}

fn status(args: &str) -> Result<Command> {
    let (token, rest) = first_token(args);
    if token.is_empty() {
        return Err(missing("status", "status"));
    }
    let word = strip_trailing_punctuation(token);
    let status: Status = word.parse().map_err(|_| ParseError::InvalidArgument {
        command: "status",
        argument: "status",
        value: token.to_owned(),
        expected: format!(
            "use one of {}",
            list(Status::ALL.iter().map(|s| s.as_str()))
        ),
        suggestion: closest(word, Status::ALL.iter().map(|s| s.as_str())).map(str::to_owned),
    })?;
    Ok(Command::Status {
        status,
        note: optional_text("status", "note", rest, TEXT_LIMIT)?,
    })
}

fn role(command: &'static str, args: &str) -> Result<RoleTarget> {
    let (token, rest) = first_token(args);
    if token.is_empty() {
        return Err(missing(command, "person"));
    }
    let target = person(command, "person", token)?;
    if !rest.is_empty() {
        return Err(ParseError::UnexpectedArgument {
            command,
            value: rest.to_owned(),
        });
    }
    Ok(target)
}

fn responders(args: &str) -> Result<Command> {
    let (first, rest) = first_token(args);
    let (remove, list) = if first.eq_ignore_ascii_case("remove") {
        (true, rest)
    } else if first.eq_ignore_ascii_case("add") {
        (false, rest)
    } else {
        (false, args)
    };
    let mut people: Vec<RoleTarget> = Vec::new();
    for token in list
        .split(|c: char| c.is_whitespace() || c == ',')
        .filter(|t| !t.is_empty())
    {
        let target = person("responder", "person", token)?;
        let seen = people.iter().any(|seen| match (seen, &target) {
            (RoleTarget::Me, RoleTarget::Me) => true,
            (RoleTarget::User(a), RoleTarget::User(b)) => a.eq_ignore_ascii_case(b),
            _ => false,
        });
        if !seen {
            people.push(target);
        }
    }
    if people.is_empty() {
        return Err(missing("responder", "people"));
    }
    Ok(if remove {
        Command::RemoveResponders { remove: people }
    } else {
        Command::Responders { add: people }
    })
}

fn update(args: &str) -> Result<Command> {
    // Only the exact lower-case word: "Public API is recovering" is an ordinary update, and
    // publishing by accident is worse than not publishing.
    let (first, rest) = first_token(args);
    let (public, text) = if first == "public" || first == "public:" {
        (true, rest)
    } else {
        (false, args)
    };
    Ok(Command::Update {
        public,
        text: required_text("update", text)?,
    })
}

fn timeline(args: &str) -> Result<Command> {
    let (at, rest) = match leading_time(args) {
        TimeParse::Time(at, rest) => (at, rest),
        TimeParse::NotATime => (TimeSpec::Now, args),
        TimeParse::Invalid(value, why) => {
            return Err(ParseError::InvalidArgument {
                command: "timeline",
                argument: "time",
                value: value.to_owned(),
                expected: format!("{why}{TIME_FORMS}"),
                suggestion: None,
            });
        }
    };
    Ok(Command::Timeline {
        at,
        text: required_text("timeline", rest)?,
    })
}

fn postmortem(args: &str) -> Result<PostmortemCommand> {
    let (first, rest) = first_token(args);
    let nothing_more = |command: PostmortemCommand, rest: &str| {
        if rest.is_empty() {
            Ok(command)
        } else {
            Err(ParseError::UnexpectedArgument {
                command: "postmortem",
                value: rest.to_owned(),
            })
        }
    };
    match first.to_ascii_lowercase().as_str() {
        "" | "start" => nothing_more(PostmortemCommand::Start, rest),
        "public" => nothing_more(PostmortemCommand::Public, rest),
        "owner" => {
            let (who, rest) = first_token(rest);
            if who.is_empty() {
                return Err(missing("postmortem", "owner"));
            }
            let owner = person("postmortem", "owner", who)?;
            nothing_more(PostmortemCommand::Owner(owner), rest)
        }
        _ => Err(ParseError::InvalidArgument {
            command: "postmortem",
            argument: "subcommand",
            value: first.to_owned(),
            expected: "write `/postmortem` to start one, `/postmortem owner @login` to set its \
                       owner, or `/postmortem public` to publish the public version"
                .to_owned(),
            suggestion: closest(&first.to_ascii_lowercase(), ["start", "owner", "public"])
                .map(str::to_owned),
        }),
    }
}

// ---------------------------------------------------------------------------------------------
// Severity levels

enum Level<'a> {
    /// A level in the vocabulary, and the text after it.
    Valid(u8, &'a str),
    /// Written like a level, but not one of the vocabulary's.
    Invalid(&'a str),
    Absent,
}

/// The severity at the start of `args`: a configured name (case-insensitive, may hold spaces),
/// `sevN`/`sev-N`, or (if `bare_numbers`) `N`. A trailing `:`, `,` or `.` is allowed.
fn leading_level<'a>(vocab: &Vocabulary, args: &'a str, bare_numbers: bool) -> Level<'a> {
    let mut names: Vec<(usize, &str)> = vocab
        .severities
        .iter()
        .enumerate()
        .filter(|(_, name)| !name.trim().is_empty())
        .map(|(index, name)| (index, name.trim()))
        .collect();
    names.sort_by_key(|(_, name)| std::cmp::Reverse(name.len()));
    for (index, name) in names {
        if let Some(rest) = strip_prefix_ci(args, name) {
            let rest = rest.strip_prefix([':', ',', '.']).unwrap_or(rest);
            let whole_word = rest.is_empty() || rest.starts_with(char::is_whitespace);
            match u8::try_from(index + 1) {
                Ok(level) if whole_word => return Level::Valid(level, rest.trim()),
                _ => {}
            }
        }
    }

    let (token, rest) = first_token(args);
    let word = strip_trailing_punctuation(token);
    let lower = word.to_ascii_lowercase();
    let digits = match lower.strip_prefix("sev") {
        Some(n) => n.strip_prefix('-').unwrap_or(n),
        None if bare_numbers => &lower,
        None => return Level::Absent,
    };
    if !is_digits(digits) {
        return Level::Absent;
    }
    match digits.parse::<u8>() {
        Ok(level) if level >= 1 && usize::from(level) <= vocab.severities.len() => {
            Level::Valid(level, rest)
        }
        _ => Level::Invalid(token),
    }
}

fn invalid_severity(command: &'static str, value: &str, vocab: &Vocabulary) -> ParseError {
    let count = vocab.severities.len();
    let expected = if count == 0 {
        "no severities are configured".to_owned()
    } else {
        let names = list(vocab.severities.iter().map(String::as_str));
        match command {
            "incident" => format!(
                "write one of {names}, or `sev1` to `sev{count}`, before the title \
                 (a bare number is read as the start of the title)"
            ),
            _ => format!("use one of {names}, or just the number, 1 to {count}"),
        }
    };
    ParseError::InvalidArgument {
        command,
        argument: "severity",
        value: value.to_owned(),
        expected,
        suggestion: None,
    }
}

// ---------------------------------------------------------------------------------------------
// People

/// The longest GitHub login.
const LOGIN_MAX: usize = 39;

/// `@login`, `me` or `@me`. Teams and bare logins are refused with an explanation.
pub(super) fn person(
    command: &'static str,
    argument: &'static str,
    written: &str,
) -> Result<RoleTarget> {
    // `@alice,` `@alice.`: punctuation that no login contains.
    let token = strip_trailing_punctuation(written);
    if token.eq_ignore_ascii_case("me") || token.eq_ignore_ascii_case("@me") {
        return Ok(RoleTarget::Me);
    }
    let invalid = |expected: String, suggestion: Option<String>| ParseError::InvalidArgument {
        command,
        argument,
        value: written.to_owned(),
        expected,
        suggestion,
    };
    match token.strip_prefix('@') {
        Some(login) if is_login(login) => Ok(RoleTarget::User(login.to_owned())),
        Some(team) if team.contains('/') => Err(invalid(
            "roles and action items go to one person, not a team: name them like `@alice`"
                .to_owned(),
            None,
        )),
        Some(_) => Err(invalid(
            format!(
                "a GitHub login has letters, digits and single hyphens, at most {LOGIN_MAX} \
                 characters, like `@alice`; write `me` for yourself"
            ),
            None,
        )),
        None if is_login(token) => Err(invalid(
            "write people with an `@`, like `@alice`, or `me` for yourself".to_owned(),
            Some(format!("@{token}")),
        )),
        None => Err(invalid(
            "write people as `@login`, like `@alice`, or `me` for yourself".to_owned(),
            None,
        )),
    }
}

/// GitHub's rules: ASCII letters, digits and single hyphens, not at either end, 1–39 chars.
pub(super) fn is_login(login: &str) -> bool {
    !login.is_empty()
        && login.len() <= LOGIN_MAX
        && login
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-')
        && !login.starts_with('-')
        && !login.ends_with('-')
        && !login.contains("--")
}

// ---------------------------------------------------------------------------------------------
// Text

pub(super) fn required_text(command: &'static str, text: &str) -> Result<String> {
    match optional_text(command, "text", text, TEXT_LIMIT)? {
        Some(text) => Ok(text),
        None => Err(missing(command, "text")),
    }
}

pub(super) fn optional_text(
    command: &'static str,
    argument: &'static str,
    text: &str,
    limit: usize,
) -> Result<Option<String>> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    check_length(command, argument, text, limit)?;
    Ok(Some(text.to_owned()))
}

pub(super) fn check_length(
    command: &'static str,
    argument: &'static str,
    text: &str,
    limit: usize,
) -> Result<()> {
    let length = text.chars().count();
    if length <= limit {
        return Ok(());
    }
    Err(ParseError::InvalidArgument {
        command,
        argument,
        value: text.to_owned(),
        expected: format!(
            "a {argument} can be at most {limit} characters, and this one has {length}"
        ),
        suggestion: None,
    })
}

pub(super) fn missing(command: &'static str, argument: &'static str) -> ParseError {
    ParseError::MissingArgument { command, argument }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The first whitespace-separated token and the rest, trimmed at its start.
pub(super) fn first_token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], text[end..].trim_start())
}

/// `resolved.` → `resolved`, `2:` → `2`.
pub(super) fn strip_trailing_punctuation(token: &str) -> &str {
    token.strip_suffix([':', ',', '.']).unwrap_or(token)
}

pub(super) fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Digits as a number, refusing anything long enough to overflow arithmetic later.
pub(super) fn parse_small(digits: &str) -> Option<u64> {
    if !is_digits(digits) || digits.len() > 9 {
        return None;
    }
    digits.parse().ok()
}

/// `s` without `prefix`, comparing case-insensitively (Unicode).
pub(super) fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
    let mut chars = s.char_indices();
    for expected in prefix.chars() {
        let (_, c) = chars.next()?;
        if !c.to_lowercase().eq(expected.to_lowercase()) {
            return None;
        }
    }
    let at = chars.next().map_or(s.len(), |(at, _)| at);
    Some(&s[at..])
}

/// The candidate closest to `input` (lower-case): within a small edit distance, or one that
/// `input` (3+ characters) is a prefix of. Ties go to the earlier candidate.
pub(crate) fn closest<'a>(
    input: &str,
    candidates: impl IntoIterator<Item = &'a str>,
) -> Option<&'a str> {
    let input = input.to_lowercase();
    let length = input.chars().count();
    if length == 0 || length > 40 {
        return None;
    }
    let allowed = if length <= 3 { 1 } else { 2 };
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let distance = if length >= 3 && candidate.starts_with(&input) && candidate != input {
            1
        } else {
            strsim::damerau_levenshtein(&input, candidate)
        };
        if distance <= allowed && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, candidate)| candidate)
}
