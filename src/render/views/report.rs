//! The report's markdown view (`templates/report.md.hbs`): figures already formatted, Mermaid
//! chart data already written as Mermaid text (labels stripped of anything that could end a
//! string or the code block).

use serde::Serialize;

#[derive(Debug, Serialize)]
pub struct ReportView {
    pub repository: String,
    /// `2026-08-24 → 2026-11-22`.
    pub period: String,
    pub generated: String,
    pub zone: String,
    pub total: u32,
    pub unresolved: u32,
    /// Median times over all incidents, formatted (`12m`, or `—` with the reason).
    pub mtta: String,
    pub mttm: String,
    pub mttr: String,
    pub severities: Vec<SeverityRow>,
    /// Severity names, the columns of the weekly table.
    pub severity_names: Vec<String>,
    pub week_chart: Option<ChartView>,
    pub weeks: Vec<WeekRow>,
    pub times: Vec<TimesRow>,
    pub time_charts: Vec<ChartView>,
    pub postmortems: PostmortemsView,
    pub items: Vec<ItemsRow>,
    pub items_total: ItemsRow,
    pub slowest: Vec<SlowRow>,
    pub unreadable: Vec<u64>,
}

#[derive(Debug, Serialize)]
pub struct SeverityRow {
    pub severity: String,
    pub total: u32,
    pub unresolved: u32,
}

#[derive(Debug, Serialize)]
pub struct WeekRow {
    pub start: String,
    pub total: u32,
    pub counts: Vec<u32>,
}

/// One cell per time-to-X: `12m / 40m`, with how many lack the time.
#[derive(Debug, Serialize)]
pub struct TimesRow {
    pub severity: String,
    /// The row of all incidents together.
    pub all: bool,
    pub incidents: u32,
    pub acknowledge: String,
    pub mitigate: String,
    pub resolve: String,
}

/// A Mermaid `xychart-beta` bar chart.
#[derive(Debug, Serialize)]
pub struct ChartView {
    pub title: String,
    /// `["a", "b"]`.
    pub x_axis: String,
    pub y_title: String,
    pub y_max: String,
    /// `[1, 2.5]`.
    pub bars: String,
}

#[derive(Debug, Serialize)]
pub struct PostmortemsView {
    pub owed: u32,
    pub on_time: u32,
    pub late: u32,
    pub missing: u32,
    pub pending: u32,
    /// Mermaid `pie` slices (`"On time" : 3`), the empty ones left out.
    pub slices: Vec<String>,
}

#[derive(Debug, Serialize)]
pub struct ItemsRow {
    pub priority: String,
    pub opened: u32,
    pub done: u32,
    pub open: u32,
    pub overdue: u32,
}

#[derive(Debug, Serialize)]
pub struct SlowRow {
    pub number: u64,
    pub url: String,
    pub title: String,
    pub severity: String,
    pub declared: String,
    pub took: String,
    pub open: bool,
}

/// A text fit for a quoted Mermaid label: no quotes, backticks or line breaks.
pub fn mermaid_label(text: &str) -> String {
    text.chars()
        .filter(|c| !matches!(c, '"' | '`' | '\n' | '\r' | '#' | ';'))
        .collect()
}
