//! The values of the configuration, checked one by one: time zones, durations, counts,
//! handles (`@user`, `org/team`), priorities, repository paths and branch names, working days
//! and holidays. Each error names the key at fault.

use std::str::FromStr;

use chrono::{Duration, NaiveDate, Weekday};
use chrono_tz::Tz;

use super::duration::{DURATION_HINT, parse_duration};
use super::errors::suggest;
use super::locate::KeyPath;
use super::resolve::{Resolver, Result};
use super::{OpenTo, TITLE_PLACEHOLDERS, parse_priority};

/// The most days a configured delay (a due date, a postmortem's business days) may span.
pub const MAX_DAYS: u32 = 3_650;

impl Resolver<'_> {
    pub(super) fn open_to(&self, path: &KeyPath, text: &str) -> Result<OpenTo> {
        OpenTo::ALL
            .into_iter()
            .find(|o| o.as_str().eq_ignore_ascii_case(text.trim()))
            .ok_or_else(|| {
                let names: Vec<&str> = OpenTo::ALL.iter().map(|o| o.as_str()).collect();
                let hint = match suggest(text, names.iter().copied()) {
                    Some(close) => format!(" (did you mean `{close}`?)"),
                    None => String::new(),
                };
                self.err(
                    path,
                    format!("expected {}, found `{text}`{hint}", names.join(" or ")),
                )
            })
    }

    pub(super) fn timezone(&self, path: &KeyPath, name: &str) -> Result<Tz> {
        if let Ok(tz) = Tz::from_str(name.trim()) {
            return Ok(tz);
        }
        let names = chrono_tz::TZ_VARIANTS.iter().map(|tz| tz.name());
        let hint = match suggest(name.trim(), names) {
            Some(best) => format!(" (did you mean \"{best}\"?)"),
            None => "; use an IANA name such as UTC, Europe/Berlin or America/New_York".into(),
        };
        Err(self.err(path, format!("unknown time zone \"{name}\"{hint}")))
    }

    pub(super) fn title_format(&self, path: &KeyPath, format: String) -> Result<String> {
        let mut rest = format.as_str();
        while let Some(start) = rest.find('{') {
            let after = &rest[start..];
            let end = after.find('}').map(|e| e + 1).unwrap_or(after.len());
            let placeholder = &after[..end];
            if !TITLE_PLACEHOLDERS.contains(&placeholder) {
                return Err(self.err(
                    path,
                    format!(
                        "unknown placeholder `{placeholder}`; use {}",
                        TITLE_PLACEHOLDERS.join(", ")
                    ),
                ));
            }
            rest = &after[end..];
        }
        if !format.contains("{title}") {
            return Err(self.err(path, "must contain `{title}`"));
        }
        Ok(format)
    }

    pub(super) fn duration(&self, path: &KeyPath, text: &str) -> Result<Duration> {
        parse_duration(text).ok_or_else(|| {
            self.err(
                path,
                format!("invalid duration \"{text}\": {DURATION_HINT}"),
            )
        })
    }

    /// A duration that must be longer than zero.
    pub(super) fn positive_duration(&self, path: &KeyPath, text: &str) -> Result<Duration> {
        let duration = self.duration(path, text)?;
        if duration <= Duration::zero() {
            return Err(self.err(path, format!("must be longer than 0, found \"{text}\"")));
        }
        Ok(duration)
    }

    /// A [`Self::positive_duration`] of at most [`MAX_DAYS`] days (a report's period, its
    /// refresh interval), so every time computed from it stays inside the calendar.
    pub(super) fn bounded_duration(&self, path: &KeyPath, text: &str) -> Result<Duration> {
        let duration = self.positive_duration(path, text)?;
        if duration > Duration::days(i64::from(MAX_DAYS)) {
            return Err(self.err(
                path,
                format!("\"{text}\" is too long; at most {MAX_DAYS}d (ten years)"),
            ));
        }
        Ok(duration)
    }

    /// A duration that may be switched off with null, `none` or `off`.
    pub(super) fn optional_duration(
        &self,
        path: &KeyPath,
        text: Option<&str>,
    ) -> Result<Option<Duration>> {
        match text.map(str::trim) {
            None => Ok(None),
            Some(t) if t.eq_ignore_ascii_case("none") || t.eq_ignore_ascii_case("off") => Ok(None),
            Some(t) => self.positive_duration(path, t).map(Some),
        }
    }

    /// A count of at least `min`, `default` when left out.
    pub(super) fn count(
        &self,
        path: &KeyPath,
        value: Option<i64>,
        default: u32,
        min: u32,
    ) -> Result<u32> {
        let Some(value) = value else {
            return Ok(default);
        };
        if value < i64::from(min) {
            return Err(self.err(path, format!("must be {min} or more, found {value}")));
        }
        u32::try_from(value).map_err(|_| self.err(path, format!("{value} is too large")))
    }

    /// A number of days: a [`Self::count`] of at most [`MAX_DAYS`], so every date computed
    /// from it stays far inside the calendar.
    pub(super) fn days(
        &self,
        path: &KeyPath,
        value: Option<i64>,
        default: u32,
        min: u32,
    ) -> Result<u32> {
        let days = self.count(path, value, default, min)?;
        if days > MAX_DAYS {
            return Err(self.err(
                path,
                format!("{days} days is too far; at most {MAX_DAYS} (ten years)"),
            ));
        }
        Ok(days)
    }

    /// A user or team to mention, normalized to `@login` or `@org/team`.
    pub(super) fn handle(&self, path: &KeyPath, text: &str) -> Result<String> {
        let name = text.trim().trim_start_matches('@');
        if is_login(name) || is_team(name) {
            Ok(format!("@{name}"))
        } else {
            Err(self.err(
                path,
                format!(
                    "\"{text}\" is neither a GitHub login nor a team (@login or @org/team-slug)"
                ),
            ))
        }
    }

    pub(super) fn handles(&self, path: &KeyPath, list: Vec<String>) -> Result<Vec<String>> {
        list.iter()
            .enumerate()
            .map(|(i, h)| self.handle(&path.index(i), h))
            .collect()
    }

    pub(super) fn priority(&self, path: &KeyPath, text: &str) -> Result<u8> {
        parse_priority(text).ok_or_else(|| {
            self.err(
                path,
                format!("unknown priority `{text}`; use P0, P1, P2 or P3"),
            )
        })
    }

    /// A path inside the repository: relative, `/`-separated, no `..`.
    pub(super) fn repo_path(&self, path: &KeyPath, text: &str) -> Result<String> {
        let trimmed = text.trim().trim_end_matches('/');
        let bad = trimmed.is_empty()
            || trimmed.starts_with('/')
            || trimmed.contains('\\')
            || trimmed.split('/').any(|seg| seg.is_empty() || seg == "..");
        if bad {
            return Err(self.err(
                path,
                format!("\"{text}\" is not a path inside the repository (relative, no `..`), e.g. docs/postmortems"),
            ));
        }
        Ok(trimmed.to_string())
    }

    pub(super) fn branch_name(&self, path: &KeyPath, text: &str, prefix: bool) -> Result<String> {
        let name = text.trim();
        let bad = (name.is_empty() && !prefix)
            || name.starts_with('/')
            || name.starts_with('-')
            || name.contains("..")
            || name.contains("//")
            || name.ends_with(".lock")
            || name
                .chars()
                .any(|c| c.is_whitespace() || c.is_control() || "~^:?*[\\".contains(c));
        if bad {
            return Err(self.err(path, format!("\"{text}\" is not a valid git branch name")));
        }
        Ok(name.to_string())
    }

    pub(super) fn business_days(&self, path: &KeyPath, days: Vec<String>) -> Result<Vec<Weekday>> {
        if days.is_empty() {
            return Err(self.err(
                path,
                "name at least one working day, e.g. [Mon, Tue, Wed, Thu, Fri]",
            ));
        }
        let mut out: Vec<Weekday> = Vec::new();
        for (i, day) in days.iter().enumerate() {
            let weekday = Weekday::from_str(day.trim()).map_err(|_| {
                self.err(
                    &path.index(i),
                    format!("unknown day `{day}`; use Mon, Tue, Wed, Thu, Fri, Sat or Sun"),
                )
            })?;
            if out.contains(&weekday) {
                return Err(self.err(&path.index(i), format!("`{day}` is listed twice")));
            }
            out.push(weekday);
        }
        out.sort_by_key(|d| d.num_days_from_monday());
        Ok(out)
    }

    pub(super) fn holidays(&self, path: &KeyPath, dates: Vec<String>) -> Result<Vec<NaiveDate>> {
        let mut out = Vec::new();
        for (i, text) in dates.iter().enumerate() {
            let date = NaiveDate::parse_from_str(text.trim(), "%Y-%m-%d").map_err(|_| {
                self.err(
                    &path.index(i),
                    format!("invalid date \"{text}\": expected YYYY-MM-DD, e.g. 2026-12-25"),
                )
            })?;
            if !out.contains(&date) {
                out.push(date);
            }
        }
        out.sort_unstable();
        Ok(out)
    }
}

/// The regex crate's explanation in one line (its Display spans several, with a caret).
pub(super) fn regex_reason(err: &regex::Error) -> String {
    match err {
        regex::Error::Syntax(text) => text
            .lines()
            .rev()
            .find_map(|l| l.strip_prefix("error: "))
            .unwrap_or("syntax error")
            .to_string(),
        regex::Error::CompiledTooBig(limit) => {
            format!("compiles to more than {limit} bytes; simplify it")
        }
        other => other.to_string(),
    }
}

/// A GitHub login: letters, digits and single hyphens, at most 39 characters; app bots end in
/// `[bot]`.
pub(super) fn is_login(name: &str) -> bool {
    let name = name.strip_suffix("[bot]").unwrap_or(name);
    !name.is_empty()
        && name.len() <= 39
        && !name.starts_with('-')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '-')
}

/// A team as `org/team-slug`.
pub(super) fn is_team(name: &str) -> bool {
    match name.split_once('/') {
        Some((org, slug)) => {
            is_login(org)
                && !slug.is_empty()
                && slug
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '.')
        }
        None => false,
    }
}
