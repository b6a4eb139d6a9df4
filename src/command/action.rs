//! The arguments of `/action`: a title with options anywhere in it — `@owner` or `owner:me`,
//! `P0`…`P3` or `priority:P1`, a type (`mitigate`, `prevent`, `detect`, `process`, or
//! `type:detect`), `due:YYYY-MM-DD` or `due:+7d` — each at most once.

use chrono::Duration;

use super::error::code;
use super::grammar::*;
use super::time::date;
use super::{ActionSpec, ActionType, DueSpec, ParseError, RoleTarget, TITLE_LIMIT};

pub(super) fn action(args: &str) -> Result<ActionSpec> {
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
pub(super) fn due_spec(value: &str) -> Option<DueSpec> {
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
