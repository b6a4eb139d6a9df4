//! The arguments of each command: everything after `/name` on the command's line.

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use super::error::{code, list};
use super::{
    ActionSpec, ActionType, Command, DueSpec, ParseError, PostmortemCommand, RoleTarget, Status,
    TEXT_LIMIT, TITLE_LIMIT, TimeSpec, Vocabulary,
};

type Result<T> = std::result::Result<T, ParseError>;

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
// /action

fn action(args: &str) -> Result<ActionSpec> {
    let mut title: Vec<&str> = Vec::new();
    let mut owner: Option<(RoleTarget, &str)> = None;
    let mut priority: Option<(u8, &str)> = None;
    let mut kind: Option<(ActionType, &str)> = None;
    let mut due: Option<(DueSpec, &str)> = None;

    for piece in action_pieces(args)? {
        let word = match piece {
            Piece::Quoted(text) => {
                title.push(text.trim());
                continue;
            }
            Piece::Word(word) => word,
        };
        let lower = word.to_ascii_lowercase();
        if word.starts_with('@') || lower.starts_with("owner:") {
            let who = if word.starts_with('@') {
                word.to_owned()
            } else {
                let value = &word["owner:".len()..];
                if value.starts_with('@') || value.eq_ignore_ascii_case("me") {
                    value.to_owned()
                } else {
                    format!("@{value}")
                }
            };
            let target = person("action", "owner", &who)?;
            set_once(&mut owner, target, word, "owner")?;
        } else if let Some(value) = priority_word(&lower) {
            let level = crate::incident::kinds::parse_priority(value).ok_or_else(|| {
                ParseError::InvalidArgument {
                    command: "action",
                    argument: "priority",
                    value: word.to_owned(),
                    expected: "a priority is `P0`, `P1`, `P2` or `P3`, `P0` being the most urgent"
                        .to_owned(),
                    suggestion: None,
                }
            })?;
            set_once(&mut priority, level, word, "priority")?;
        } else if let Some(value) = lower.strip_prefix("type:") {
            let parsed = value
                .parse::<ActionType>()
                .map_err(|_| ParseError::InvalidArgument {
                    command: "action",
                    argument: "type",
                    value: word.to_owned(),
                    expected: "an action item's type is `mitigate`, `prevent`, `detect` or \
                               `process`"
                        .to_owned(),
                    suggestion: None,
                })?;
            set_once(&mut kind, parsed, word, "type")?;
        } else if let Ok(parsed) = word.parse::<ActionType>() {
            set_once(&mut kind, parsed, word, "type")?;
        } else if lower.starts_with("due:") {
            let parsed =
                due_spec(&word["due:".len()..]).ok_or_else(|| ParseError::InvalidArgument {
                    command: "action",
                    argument: "due date",
                    value: word.to_owned(),
                    expected: DUE_FORMS.to_owned(),
                    suggestion: None,
                })?;
            set_once(&mut due, parsed, word, "due date")?;
        } else {
            title.push(word);
        }
    }

    let title = title
        .into_iter()
        .filter(|piece| !piece.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    if title.is_empty() {
        return Err(missing("action", "title"));
    }
    check_length("action", "title", &title, TITLE_LIMIT)?;
    Ok(ActionSpec {
        title,
        owner: owner.map(|(value, _)| value),
        priority: priority.map(|(value, _)| value),
        kind: kind.map(|(value, _)| value),
        due: due.map(|(value, _)| value),
    })
}

/// The text to read as a priority: `p1`-like words, or whatever follows `priority:`.
fn priority_word(lower: &str) -> Option<&str> {
    if let Some(value) = lower.strip_prefix("priority:") {
        return Some(value);
    }
    (lower.len() > 1 && lower.starts_with('p') && is_digits(&lower[1..])).then_some(lower)
}

enum Piece<'a> {
    /// A `"double-quoted"` (or “curly-quoted”) part of the title: never an option.
    Quoted(&'a str),
    Word(&'a str),
}

/// Splits `/action` arguments into words and quoted title parts.
fn action_pieces(args: &str) -> Result<Vec<Piece<'_>>> {
    let mut pieces = Vec::new();
    let mut rest = args.trim_start();
    while !rest.is_empty() {
        let close = match rest.chars().next() {
            Some('"') => Some('"'),
            Some('“') => Some('”'),
            _ => None,
        };
        if let Some(close) = close {
            let open_len = rest.chars().next().map_or(1, char::len_utf8);
            let inner = &rest[open_len..];
            let Some(end) = inner.find(close) else {
                return Err(ParseError::InvalidArgument {
                    command: "action",
                    argument: "title",
                    value: rest.to_owned(),
                    expected: format!(
                        "a quoted title needs its closing {}, like \
                         `/action \"Detect and prevent queue overload\" @alice P1`",
                        code(&close.to_string())
                    ),
                    suggestion: None,
                });
            };
            pieces.push(Piece::Quoted(&inner[..end]));
            rest = inner[end + close.len_utf8()..].trim_start();
        } else {
            let (word, after) = first_token(rest);
            pieces.push(Piece::Word(word));
            rest = after;
        }
    }
    Ok(pieces)
}

/// Records an option, refusing a second one.
fn set_once<'a, T>(
    slot: &mut Option<(T, &'a str)>,
    value: T,
    written: &'a str,
    argument: &'static str,
) -> Result<()> {
    if let Some((_, first)) = slot {
        return Err(ParseError::InvalidArgument {
            command: "action",
            argument,
            value: written.to_owned(),
            expected: format!(
                "an action item has one {argument} and {} came first — if {} is part of the \
                 title, put the title in double quotes",
                code(first),
                code(written)
            ),
            suggestion: None,
        });
    }
    *slot = Some((value, written));
    Ok(())
}

const DUE_FORMS: &str = "a due date is written `due:YYYY-MM-DD` (a real date, like \
                         `due:2026-12-01`) or as a delay from today: `due:+7d`, `due:+2w` or \
                         `due:+36h` (at most 3650 days)";

/// `YYYY-MM-DD`, or `+N` (the `+` optional) with unit `h`, `d` or `w`.
fn due_spec(value: &str) -> Option<DueSpec> {
    if let Some(date) = date(value) {
        return Some(DueSpec::Date(date));
    }
    let amount = value.strip_prefix('+').unwrap_or(value);
    let unit = amount.chars().last()?;
    let digits = &amount[..amount.len() - unit.len_utf8()];
    let hours_per = match unit.to_ascii_lowercase() {
        'h' => 1,
        'd' => 24,
        'w' => 24 * 7,
        _ => return None,
    };
    let hours = parse_small(digits)?.checked_mul(hours_per)?;
    (1..=3650 * 24)
        .contains(&hours)
        .then(|| DueSpec::In(Duration::hours(hours as i64)))
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
// Times

enum TimeParse<'a> {
    Time(TimeSpec, &'a str),
    NotATime,
    /// Looks like a time but is not a valid one; with a reason (may be empty).
    Invalid(&'a str, &'static str),
}

const TIME_FORMS: &str = "a time is written `14:05` (today, in the configured time zone), \
                          `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, \
                          or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)";

/// The time at the start of `/timeline` arguments. Whatever starts with a digit and holds a
/// `:`, starts with `YYYY-`, or is `-` and a digit is meant as a time and must be a valid one;
/// anything else is the start of the text.
fn leading_time(args: &str) -> TimeParse<'_> {
    let (token, rest) = first_token(args);
    if let Some(amount) = token.strip_prefix('-') {
        if !amount.starts_with(|c: char| c.is_ascii_digit()) {
            return TimeParse::NotATime;
        }
        return match ago(amount) {
            Some(duration) => TimeParse::Time(TimeSpec::Ago(duration), rest),
            None => TimeParse::Invalid(token, ""),
        };
    }
    if starts_like_date(token) {
        if token.contains(['T', 't']) {
            return match date_time(token) {
                Some(at) => TimeParse::Time(at, rest),
                None => TimeParse::Invalid(token, ""),
            };
        }
        if token.len() != 10 || date(token).is_none() {
            return TimeParse::Invalid(token, "");
        }
        let (clock, after) = first_token(rest);
        if !looks_like_clock(clock) {
            return TimeParse::Invalid(token, "a date needs a time of day too; ");
        }
        // `2026-11-20 14:05`: two tokens.
        let value = args[..args.len() - after.len()].trim_end();
        return match date_time(&format!("{token}T{clock}")) {
            Some(at) => TimeParse::Time(at, after),
            None => TimeParse::Invalid(value, ""),
        };
    }
    if looks_like_clock(token) {
        return match clock_time(token) {
            Some((hour, minute)) => TimeParse::Time(TimeSpec::ClockTime { hour, minute }, rest),
            None => TimeParse::Invalid(token, ""),
        };
    }
    TimeParse::NotATime
}

/// `NNNN-NN-NN` at the start (not necessarily a real date).
fn starts_like_date(token: &str) -> bool {
    let b = token.as_bytes();
    b.len() >= 10
        && b[4] == b'-'
        && b[7] == b'-'
        && [0, 1, 2, 3, 5, 6, 8, 9]
            .iter()
            .all(|&i| b[i].is_ascii_digit())
}

fn looks_like_clock(token: &str) -> bool {
    token.starts_with(|c: char| c.is_ascii_digit()) && token.contains(':')
}

/// `H:MM` or `HH:MM`, 24-hour.
fn clock_time(token: &str) -> Option<(u32, u32)> {
    let (hour, minute) = token.split_once(':')?;
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 || !is_digits(hour) || !is_digits(minute)
    {
        return None;
    }
    let (hour, minute) = (hour.parse().ok()?, minute.parse().ok()?);
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// `YYYY-MM-DD`, a real date.
fn date(text: &str) -> Option<NaiveDate> {
    if text.len() != 10 || !starts_like_date(text) {
        return None;
    }
    NaiveDate::from_ymd_opt(
        text[..4].parse().ok()?,
        text[5..7].parse().ok()?,
        text[8..].parse().ok()?,
    )
}

/// `YYYY-MM-DDTHH:MM[:SS[.fff]]` then `Z`, `±HH:MM`, `±HHMM`, `±HH` or nothing (local time).
fn date_time(text: &str) -> Option<TimeSpec> {
    let (day, time) = text.split_once(['T', 't'])?;
    let day = date(day)?;
    let (time, offset) = if let Some(time) = time.strip_suffix(['Z', 'z']) {
        (time, Some(FixedOffset::east_opt(0)?))
    } else if let Some(at) = time.rfind(['+', '-']) {
        (&time[..at], Some(offset(&time[at..])?))
    } else {
        (time, None)
    };
    let local = NaiveDateTime::new(day, time_of_day(time)?);
    Some(match offset {
        Some(offset) => TimeSpec::Absolute(offset.from_local_datetime(&local).single()?),
        None => TimeSpec::LocalDateTime(local),
    })
}

/// `HH:MM`, `HH:MM:SS` or `HH:MM:SS.fraction`.
fn time_of_day(text: &str) -> Option<NaiveTime> {
    let mut parts = text.splitn(3, ':');
    let (hour, minute) = (parts.next()?, parts.next()?);
    let (second, nanos) = match parts.next() {
        None => (0, 0),
        Some(seconds) => {
            let (whole, fraction) = seconds.split_once('.').unwrap_or((seconds, ""));
            if whole.len() != 2 || !is_digits(whole) || fraction.len() > 9 {
                return None;
            }
            if !fraction.is_empty() && !is_digits(fraction) {
                return None;
            }
            let nanos = if fraction.is_empty() {
                0
            } else {
                format!("{fraction:0<9}").parse().ok()?
            };
            (whole.parse().ok()?, nanos)
        }
    };
    let (hour, minute) = clock_time(&format!("{hour}:{minute}"))?;
    NaiveTime::from_hms_nano_opt(hour, minute, second, nanos)
}

/// `+HH:MM`, `-HHMM`, `+HH`.
fn offset(text: &str) -> Option<FixedOffset> {
    let sign = if text.starts_with('-') { -1 } else { 1 };
    let digits = text[1..].replace(':', "");
    if !is_digits(&digits) || !(digits.len() == 2 || digits.len() == 4) {
        return None;
    }
    let hours: i32 = digits[..2].parse().ok()?;
    let minutes: i32 = if digits.len() == 4 {
        digits[2..].parse().ok()?
    } else {
        0
    };
    if hours > 23 || minutes > 59 {
        return None;
    }
    FixedOffset::east_opt(sign * (hours * 3600 + minutes * 60))
}

/// `20m`, `2h`, `1d`, `90s`, `1h30m`: positive, at most 365 days.
fn ago(text: &str) -> Option<Duration> {
    let mut seconds: u64 = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
        let unit = rest[digits..].chars().next()?;
        let per = match unit.to_ascii_lowercase() {
            's' => 1,
            'm' => 60,
            'h' => 3600,
            'd' => 86_400,
            _ => return None,
        };
        let amount = parse_small(&rest[..digits])?;
        seconds = seconds.checked_add(amount.checked_mul(per)?)?;
        rest = &rest[digits + unit.len_utf8()..];
    }
    (1..=365 * 86_400)
        .contains(&seconds)
        .then(|| Duration::seconds(seconds as i64))
}

// ---------------------------------------------------------------------------------------------
// People

/// The longest GitHub login.
const LOGIN_MAX: usize = 39;

/// `@login`, `me` or `@me`. Teams and bare logins are refused with an explanation.
fn person(command: &'static str, argument: &'static str, written: &str) -> Result<RoleTarget> {
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
fn is_login(login: &str) -> bool {
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

fn required_text(command: &'static str, text: &str) -> Result<String> {
    match optional_text(command, "text", text, TEXT_LIMIT)? {
        Some(text) => Ok(text),
        None => Err(missing(command, "text")),
    }
}

fn optional_text(
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

fn check_length(
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

fn missing(command: &'static str, argument: &'static str) -> ParseError {
    ParseError::MissingArgument { command, argument }
}

// ---------------------------------------------------------------------------------------------
// Helpers

/// The first whitespace-separated token and the rest, trimmed at its start.
fn first_token(text: &str) -> (&str, &str) {
    let text = text.trim_start();
    let end = text.find(char::is_whitespace).unwrap_or(text.len());
    (&text[..end], text[end..].trim_start())
}

/// `resolved.` → `resolved`, `2:` → `2`.
fn strip_trailing_punctuation(token: &str) -> &str {
    token.strip_suffix([':', ',', '.']).unwrap_or(token)
}

fn is_digits(text: &str) -> bool {
    !text.is_empty() && text.bytes().all(|b| b.is_ascii_digit())
}

/// Digits as a number, refusing anything long enough to overflow arithmetic later.
fn parse_small(digits: &str) -> Option<u64> {
    if !is_digits(digits) || digits.len() > 9 {
        return None;
    }
    digits.parse().ok()
}

/// `s` without `prefix`, comparing case-insensitively (Unicode).
fn strip_prefix_ci<'a>(s: &'a str, prefix: &str) -> Option<&'a str> {
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
