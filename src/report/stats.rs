//! Medians and 90th percentiles of durations, and how many incidents had no such time.

use serde::Serialize;

/// One time-to-X (acknowledge, mitigate, resolve) over a group of incidents.
///
/// Incidents without the time (never acknowledged, not yet resolved) are counted in `missing`
/// and left out of the median and p90, never counted as zero.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Stat {
    /// Incidents that have the time.
    pub measured: u32,
    /// Incidents that do not (yet).
    pub missing: u32,
    /// Median in seconds: the middle value, or the mean of the two middle values (rounded
    /// down); `None` when nothing was measured.
    pub median_seconds: Option<i64>,
    /// 90th percentile in seconds, nearest rank: the `ceil(0.9 × n)`-th smallest value.
    pub p90_seconds: Option<i64>,
}

impl Stat {
    /// The statistic of `values` (seconds, any order) with `missing` incidents lacking one.
    pub fn of(mut values: Vec<i64>, missing: u32) -> Stat {
        values.sort_unstable();
        Stat {
            measured: values.len() as u32,
            missing,
            median_seconds: median(&values),
            p90_seconds: nearest_rank(&values, 90),
        }
    }
}

/// The median of sorted `values`.
pub fn median(values: &[i64]) -> Option<i64> {
    let n = values.len();
    match n {
        0 => None,
        _ if n % 2 == 1 => Some(values[n / 2]),
        _ => Some((values[n / 2 - 1] + values[n / 2]).div_euclid(2)),
    }
}

/// The `pct`-th percentile of sorted `values` by nearest rank.
pub fn nearest_rank(values: &[i64], pct: usize) -> Option<i64> {
    if values.is_empty() {
        return None;
    }
    let rank = (pct * values.len()).div_ceil(100).max(1);
    Some(values[rank - 1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[]), None);
        assert_eq!(median(&[7]), Some(7));
        assert_eq!(median(&[1, 5, 9]), Some(5));
        assert_eq!(median(&[1, 4, 6, 100]), Some(5));
        assert_eq!(median(&[1, 2]), Some(1));
    }

    #[test]
    fn p90_is_the_nearest_rank() {
        let ten: Vec<i64> = (1..=10).collect();
        assert_eq!(nearest_rank(&ten, 90), Some(9));
        let eleven: Vec<i64> = (1..=11).collect();
        assert_eq!(nearest_rank(&eleven, 90), Some(10));
        assert_eq!(nearest_rank(&[3], 90), Some(3));
        assert_eq!(nearest_rank(&[], 90), None);
    }

    #[test]
    fn missing_times_are_counted_not_averaged_as_zero() {
        let stat = Stat::of(vec![600, 60, 300], 2);
        assert_eq!(stat.measured, 3);
        assert_eq!(stat.missing, 2);
        assert_eq!(stat.median_seconds, Some(300));
        assert_eq!(stat.p90_seconds, Some(600));
        assert_eq!(Stat::of(vec![], 4).median_seconds, None);
    }
}
