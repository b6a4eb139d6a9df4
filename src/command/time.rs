//! Times and durations in commands: `14:05` (today, in the configured zone), `2026-11-20
//! 14:05`, `2026-11-20T14:05Z`, `-20m` (before the comment), and the dates and delays of
//! `/action`'s `due:`.

use chrono::{Duration, FixedOffset, NaiveDate, NaiveDateTime, NaiveTime, TimeZone};

use super::TimeSpec;
use super::grammar::*;

pub(super) enum TimeParse<'a> {
    Time(TimeSpec, &'a str),
    NotATime,
    /// Looks like a time but is not a valid one; with a reason (may be empty).
    Invalid(&'a str, &'static str),
}

pub(super) const TIME_FORMS: &str = "a time is written `14:05` (today, in the configured time zone), \
                          `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, \
                          or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)";

/// The time at the start of `/timeline` arguments. Whatever starts with a digit and holds a
/// `:`, starts with `YYYY-`, or is `-` and a digit is meant as a time and must be a valid one;
/// anything else is the start of the text.
pub(super) fn leading_time(args: &str) -> TimeParse<'_> {
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
pub(super) fn clock_time(token: &str) -> Option<(u32, u32)> {
    let (hour, minute) = token.split_once(':')?;
    if !(1..=2).contains(&hour.len()) || minute.len() != 2 || !is_digits(hour) || !is_digits(minute)
    {
        return None;
    }
    let (hour, minute) = (hour.parse().ok()?, minute.parse().ok()?);
    (hour < 24 && minute < 60).then_some((hour, minute))
}

/// `YYYY-MM-DD`, a real date.
pub(super) fn date(text: &str) -> Option<NaiveDate> {
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
pub(super) fn date_time(text: &str) -> Option<TimeSpec> {
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
pub(super) fn ago(text: &str) -> Option<Duration> {
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
