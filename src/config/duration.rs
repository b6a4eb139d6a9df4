//! Durations as people write them in `.github/firebreak.yml`: `30s`, `5m`, `4h`, `2d`, `1w`,
//! and sums of those such as `1h30m` or `1h 30m`.

use chrono::Duration;

/// What a malformed duration message says is expected.
pub const DURATION_HINT: &str = "expected e.g. 30s, 5m, 4h, 2d";

/// Parses `30s`, `5m`, `4h`, `2d`, `1w` (and sums such as `1h30m`); a bare `0` is zero.
///
/// Returns `None` when the text is not a duration.
pub fn parse_duration(text: &str) -> Option<Duration> {
    let text = text.trim();
    if text == "0" {
        return Some(Duration::zero());
    }
    let mut total = Duration::zero();
    let mut rest = text;
    let mut parts = 0;
    while !rest.is_empty() {
        let digits = rest
            .find(|c: char| !c.is_ascii_digit())
            .unwrap_or(rest.len());
        if digits == 0 {
            return None;
        }
        let amount: i64 = rest[..digits].parse().ok()?;
        rest = &rest[digits..];
        let unit_len = rest
            .find(|c: char| !c.is_ascii_alphabetic())
            .unwrap_or(rest.len());
        let seconds_per_unit: i64 = match &rest[..unit_len] {
            "s" => 1,
            "m" => 60,
            "h" => 3_600,
            "d" => 86_400,
            "w" => 604_800,
            _ => return None,
        };
        rest = rest[unit_len..].trim_start();
        let seconds = amount.checked_mul(seconds_per_unit)?;
        total = total.checked_add(&Duration::try_seconds(seconds)?)?;
        parts += 1;
    }
    (parts > 0).then_some(total)
}

/// Formats a duration the way [`parse_duration`] reads it, largest units first: `1d`, `4h`,
/// `1h30m`, `45s`; zero is `0m`.
pub fn format_duration(duration: Duration) -> String {
    let mut seconds = duration.num_seconds();
    if seconds == 0 {
        return "0m".to_string();
    }
    let mut out = String::new();
    if seconds < 0 {
        out.push('-');
        seconds = -seconds;
    }
    for (unit, size) in [
        ("w", 604_800),
        ("d", 86_400),
        ("h", 3_600),
        ("m", 60),
        ("s", 1),
    ] {
        // Weeks only when the whole duration is a number of weeks: `14d` reads better as `2w`,
        // but `10d` should not become `1w3d`.
        if unit == "w" && seconds % size != 0 {
            continue;
        }
        if seconds >= size {
            out.push_str(&format!("{}{unit}", seconds / size));
            seconds %= size;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_every_unit_and_sums() {
        assert_eq!(parse_duration("30s"), Some(Duration::seconds(30)));
        assert_eq!(parse_duration("5m"), Some(Duration::minutes(5)));
        assert_eq!(parse_duration("4h"), Some(Duration::hours(4)));
        assert_eq!(parse_duration("2d"), Some(Duration::days(2)));
        assert_eq!(parse_duration("1w"), Some(Duration::weeks(1)));
        assert_eq!(parse_duration("1h30m"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("1h 30m"), Some(Duration::minutes(90)));
        assert_eq!(parse_duration("0"), Some(Duration::zero()));
        assert_eq!(parse_duration("0m"), Some(Duration::zero()));
    }

    #[test]
    fn rejects_words_missing_units_and_signs() {
        for bad in [
            "",
            "5",
            "5 mins",
            "m",
            "-5m",
            "5x",
            "1.5h",
            "99999999999999999999d",
        ] {
            assert_eq!(parse_duration(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn formats_what_it_parses() {
        for text in ["30s", "5m", "4h", "1d", "2w", "10d", "1h30m", "0m", "90d"] {
            assert_eq!(format_duration(parse_duration(text).unwrap()), text);
        }
    }
}
