//! The report as markdown: figures formatted for people, charts as Mermaid blocks.

use chrono::Duration;

use super::{Report, Stat};
use crate::config::Config;
use crate::incident::human_duration;
use crate::render::views::report::{
    ChartView, ItemsRow, PostmortemsView, ReportView, SeverityRow, SlowRow, TimesRow, WeekRow,
    mermaid_label,
};
use crate::render::{self, format_time, names};

/// Renders `report` (`templates/report.md.hbs`).
pub fn markdown(report: &Report, config: &Config) -> String {
    render::render(names::REPORT, &view(report, config))
}

/// Which time-to-X of a row.
type Pick = fn(&super::Times) -> &Stat;

fn human(seconds: i64) -> String {
    human_duration(Duration::seconds(seconds))
}

/// `12m / 40m`, `— (3 not acknowledged)`, `4m / 9m · 1 not acknowledged`.
fn cell(stat: &Stat, missing_word: &str) -> String {
    let measured = match (stat.median_seconds, stat.p90_seconds) {
        (Some(m), Some(p)) => format!("{} / {}", human(m), human(p)),
        _ => "—".to_string(),
    };
    match stat.missing {
        0 => measured,
        n if stat.measured == 0 => format!("{measured} ({n} {missing_word})"),
        n => format!("{measured} · {n} {missing_word}"),
    }
}

fn median(stat: &Stat, missing_word: &str) -> String {
    match stat.median_seconds {
        Some(m) => human(m),
        None if stat.missing > 0 => format!("— ({} {missing_word})", stat.missing),
        None => "—".to_string(),
    }
}

/// A number as Mermaid reads it, with at most one decimal.
fn number(value: f64) -> String {
    let rounded = (value * 10.0).round() / 10.0;
    if rounded.fract() == 0.0 {
        format!("{}", rounded as i64)
    } else {
        format!("{rounded:.1}")
    }
}

fn quoted_list(labels: &[String]) -> String {
    let quoted: Vec<String> = labels
        .iter()
        .map(|l| format!("\"{}\"", mermaid_label(l)))
        .collect();
    format!("[{}]", quoted.join(", "))
}

fn bar_chart(title: &str, y_title: &str, labels: &[String], values: &[f64]) -> ChartView {
    let max = values
        .iter()
        .cloned()
        .fold(0.0_f64, f64::max)
        .max(1.0)
        .ceil();
    ChartView {
        title: mermaid_label(title),
        x_axis: quoted_list(labels),
        y_title: mermaid_label(y_title),
        y_max: number(max),
        bars: format!(
            "[{}]",
            values
                .iter()
                .map(|v| number(*v))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// One chart per time-to-X: the median per severity that has one (a severity without any
/// such time is left out of the chart, not drawn as zero), in minutes or hours.
fn time_charts(report: &Report) -> Vec<ChartView> {
    let per_severity: Vec<_> = report
        .times
        .iter()
        .filter(|t| t.severity != "all")
        .collect();
    let metrics: [(&str, Pick); 3] = [
        ("Median time to acknowledge", |t| &t.acknowledge),
        ("Median time to mitigate", |t| &t.mitigate),
        ("Median time to resolve", |t| &t.resolve),
    ];
    metrics
        .iter()
        .filter_map(|(title, stat)| {
            let points: Vec<(String, i64)> = per_severity
                .iter()
                .filter_map(|t| Some((t.severity.clone(), stat(t).median_seconds?)))
                .collect();
            if points.is_empty() {
                return None;
            }
            let max = points.iter().map(|p| p.1).max().unwrap_or(0);
            let (unit, size) = if max < 2 * 3_600 {
                ("minutes", 60.0)
            } else {
                ("hours", 3_600.0)
            };
            let labels: Vec<String> = points.iter().map(|p| p.0.clone()).collect();
            let values: Vec<f64> = points.iter().map(|p| p.1 as f64 / size).collect();
            Some(bar_chart(
                &format!("{title} ({unit})"),
                unit,
                &labels,
                &values,
            ))
        })
        .collect()
}

fn view(report: &Report, config: &Config) -> ReportView {
    let tz = config.timezone;
    let day = |at: chrono::DateTime<chrono::Utc>| at.with_timezone(&tz).format("%Y-%m-%d");
    let all = report.times.iter().find(|t| t.severity == "all");
    let headline = |pick: Pick, word: &str| {
        all.map(|t| median(pick(t), word))
            .unwrap_or_else(|| "—".to_string())
    };
    let severity_names: Vec<String> = report
        .incidents
        .by_severity
        .iter()
        .map(|s| s.severity.clone())
        .collect();
    let week_labels: Vec<String> = report
        .weeks
        .iter()
        .map(|w| w.start.format("%m-%d").to_string())
        .collect();
    let week_values: Vec<f64> = report.weeks.iter().map(|w| f64::from(w.total)).collect();
    let pm = &report.postmortems;
    let slices = [
        ("On time", pm.on_time),
        ("Late", pm.late),
        ("Missing", pm.missing),
        ("Not due yet", pm.pending),
    ]
    .iter()
    .filter(|(_, n)| *n > 0)
    .map(|(name, n)| format!("\"{name}\" : {n}"))
    .collect();
    let items_row = |p: &super::PriorityItems| ItemsRow {
        priority: p.priority.clone(),
        opened: p.opened,
        done: p.done,
        open: p.open,
        overdue: p.overdue,
    };
    let items = &report.action_items;
    ReportView {
        repository: report.repository.clone(),
        period: format!("{} → {}", day(report.since), day(report.generated_at)),
        generated: format_time(report.generated_at, tz),
        zone: tz.name().to_string(),
        total: report.incidents.total,
        unresolved: report.incidents.unresolved,
        mtta: headline(|t| &t.acknowledge, "not acknowledged"),
        mttm: headline(|t| &t.mitigate, "not mitigated"),
        mttr: headline(|t| &t.resolve, "not resolved"),
        severities: report
            .incidents
            .by_severity
            .iter()
            .map(|s| SeverityRow {
                severity: s.severity.clone(),
                total: s.total,
                unresolved: s.unresolved,
            })
            .collect(),
        week_chart: (!report.weeks.is_empty()).then(|| {
            bar_chart(
                "Incidents declared per week",
                "incidents",
                &week_labels,
                &week_values,
            )
        }),
        weeks: report
            .weeks
            .iter()
            .map(|w| WeekRow {
                start: w.start.to_string(),
                total: w.total,
                counts: severity_names
                    .iter()
                    .map(|n| w.by_severity.get(n).copied().unwrap_or(0))
                    .collect(),
            })
            .collect(),
        severity_names,
        times: report
            .times
            .iter()
            .map(|t| TimesRow {
                severity: t.severity.clone(),
                all: t.severity == "all",
                incidents: t.incidents,
                acknowledge: cell(&t.acknowledge, "not acknowledged"),
                mitigate: cell(&t.mitigate, "not mitigated"),
                resolve: cell(&t.resolve, "not resolved"),
            })
            .collect(),
        time_charts: time_charts(report),
        postmortems: PostmortemsView {
            owed: pm.owed,
            on_time: pm.on_time,
            late: pm.late,
            missing: pm.missing,
            pending: pm.pending,
            slices,
        },
        items: items.by_priority.iter().map(items_row).collect(),
        items_total: ItemsRow {
            priority: "All".to_string(),
            opened: items.opened,
            done: items.done,
            open: items.open,
            overdue: items.overdue,
        },
        slowest: report
            .slowest
            .iter()
            .map(|s| SlowRow {
                number: s.number,
                url: s.url.clone(),
                title: s.title.clone(),
                severity: s.severity.clone(),
                declared: format_time(s.declared_at, tz),
                took: human(s.seconds),
                open: s.resolved_at.is_none(),
            })
            .collect(),
        unreadable: report.unreadable.clone(),
    }
}
