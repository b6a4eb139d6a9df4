//! Each figure of the report, computed from the period's incidents.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, Duration, NaiveDate};

use super::{
    ActionItems, Incidents, Input, PriorityItems, Seen, SeverityCount, Slow, Stat, Times, Week,
    seconds,
};
use crate::incident::kinds::priority_name;
use crate::incident::{Incident, ItemState, Status};
use crate::postmortem;

/// The configured levels, then any other level an incident has, most severe first.
fn levels(input: &Input<'_>, reported: &[Seen<'_>]) -> Vec<u8> {
    let mut levels: BTreeSet<u8> = (1..=input.config.severities.len() as u8).collect();
    levels.extend(reported.iter().map(|s| s.incident.severity));
    levels.into_iter().collect()
}

/// The incidents of one severity level.
fn of_level<'a>(reported: &'a [Seen<'_>], level: u8) -> Vec<&'a Incident> {
    reported
        .iter()
        .map(|s| &s.incident)
        .filter(|i| i.severity == level)
        .collect()
}

fn resolved(incident: &Incident) -> bool {
    incident.status == Status::Resolved
}

pub(super) fn incidents(input: &Input<'_>, reported: &[Seen<'_>]) -> Incidents {
    let by_severity = levels(input, reported)
        .into_iter()
        .map(|level| {
            let of = of_level(reported, level);
            SeverityCount {
                severity: input.config.severity_name(level),
                level,
                total: of.len() as u32,
                unresolved: of.iter().filter(|i| !resolved(i)).count() as u32,
            }
        })
        .collect();
    Incidents {
        total: reported.len() as u32,
        unresolved: reported.iter().filter(|s| !resolved(&s.incident)).count() as u32,
        by_severity,
    }
}

/// The Monday of the week holding `date`.
fn monday(date: NaiveDate) -> NaiveDate {
    date - Duration::days(i64::from(date.weekday().num_days_from_monday()))
}

pub(super) fn weeks(input: &Input<'_>, reported: &[Seen<'_>]) -> Vec<Week> {
    let tz = input.config.timezone;
    let first = monday(input.since.with_timezone(&tz).date_naive());
    let last = monday(input.now.with_timezone(&tz).date_naive());
    let names: Vec<String> = levels(input, reported)
        .into_iter()
        .map(|l| input.config.severity_name(l))
        .collect();
    let mut weeks: BTreeMap<NaiveDate, Week> = BTreeMap::new();
    let mut start = first;
    while start <= last {
        weeks.insert(
            start,
            Week {
                start,
                total: 0,
                by_severity: names.iter().map(|n| (n.clone(), 0)).collect(),
            },
        );
        start += Duration::days(7);
    }
    for seen in reported {
        let day = seen.incident.declared_at.with_timezone(&tz).date_naive();
        if let Some(week) = weeks.get_mut(&monday(day)) {
            week.total += 1;
            *week
                .by_severity
                .entry(input.config.severity_name(seen.incident.severity))
                .or_default() += 1;
        }
    }
    weeks.into_values().collect()
}

fn times_of(name: String, incidents: &[&Incident]) -> Times {
    let stat = |to: fn(&Incident) -> Option<chrono::DateTime<chrono::Utc>>| {
        let values: Vec<i64> = incidents
            .iter()
            .filter_map(|i| to(i).map(|at| seconds(i.declared_at, at)))
            .collect();
        let missing = incidents.len() as u32 - values.len() as u32;
        Stat::of(values, missing)
    };
    Times {
        severity: name,
        incidents: incidents.len() as u32,
        acknowledge: stat(|i| i.acknowledged_at),
        mitigate: stat(|i| i.mitigated_at),
        resolve: stat(|i| i.resolved_at.filter(|_| resolved(i))),
    }
}

pub(super) fn times(input: &Input<'_>, reported: &[Seen<'_>]) -> Vec<Times> {
    let mut out: Vec<Times> = levels(input, reported)
        .into_iter()
        .map(|level| {
            times_of(
                input.config.severity_name(level),
                &of_level(reported, level),
            )
        })
        .collect();
    let all: Vec<&Incident> = reported.iter().map(|s| &s.incident).collect();
    out.push(times_of("all".to_string(), &all));
    out
}

pub(super) fn postmortems(input: &Input<'_>, reported: &[Seen<'_>]) -> super::Postmortems {
    let tz = input.config.timezone;
    let today = input.now.with_timezone(&tz).date_naive();
    let mut out = super::Postmortems::default();
    for incident in reported.iter().map(|s| &s.incident) {
        if !postmortem::owed(input.config, incident) {
            continue;
        }
        out.owed += 1;
        let pm = incident.postmortem.clone().unwrap_or_default();
        // Set when the incident resolved; computed the same way when the state predates it.
        let due = pm.due.or_else(|| {
            let day = incident.resolved_at?.with_timezone(&tz).date_naive();
            let days = postmortem::policy(input.config, incident).due_business_days;
            Some(input.config.add_business_days(day, days))
        });
        let merged = pm.facts.as_ref().and_then(|f| {
            f.merged_at
                .map(|at| at.with_timezone(&tz).date_naive())
                .or(f.merged.then_some(today))
        });
        match (merged, due) {
            (Some(day), Some(due)) if day > due => out.late += 1,
            (Some(_), _) => out.on_time += 1,
            (None, Some(due)) if due < today => out.missing += 1,
            (None, _) => out.pending += 1,
        }
    }
    out
}

pub(super) fn action_items<'a>(
    input: &Input<'_>,
    incidents: impl Iterator<Item = &'a Incident>,
    states: &BTreeMap<u64, ItemState>,
) -> ActionItems {
    let tz = input.config.timezone;
    let today = input.now.with_timezone(&tz).date_naive();
    let mut by_priority: BTreeMap<u8, PriorityItems> = (0..=3)
        .map(|p| {
            (
                p,
                PriorityItems {
                    priority: priority_name(p),
                    opened: 0,
                    done: 0,
                    open: 0,
                    overdue: 0,
                },
            )
        })
        .collect();
    let mut seen = BTreeSet::new();
    for incident in incidents {
        for item in &incident.action_items {
            if !super::in_period(input, item.at) {
                continue;
            }
            // The same item listed twice (an incident in two lists) counts once.
            if !seen.insert((
                incident.declared_at,
                incident.record.clone(),
                item.key.clone(),
            )) {
                continue;
            }
            let state = item
                .number
                .and_then(|n| states.get(&n).copied())
                .unwrap_or(item.state);
            let row = by_priority
                .entry(item.priority)
                .or_insert_with(|| PriorityItems {
                    priority: priority_name(item.priority),
                    opened: 0,
                    done: 0,
                    open: 0,
                    overdue: 0,
                });
            row.opened += 1;
            match state {
                ItemState::Closed => row.done += 1,
                ItemState::Open => {
                    row.open += 1;
                    if item.due < today {
                        row.overdue += 1;
                    }
                }
            }
        }
    }
    let by_priority: Vec<PriorityItems> = by_priority.into_values().collect();
    ActionItems {
        opened: by_priority.iter().map(|p| p.opened).sum(),
        done: by_priority.iter().map(|p| p.done).sum(),
        open: by_priority.iter().map(|p| p.open).sum(),
        overdue: by_priority.iter().map(|p| p.overdue).sum(),
        by_priority,
    }
}

pub(super) fn slowest(input: &Input<'_>, reported: &[Seen<'_>]) -> Vec<Slow> {
    let mut all: Vec<Slow> = reported
        .iter()
        .map(|s| {
            let i = &s.incident;
            let end = i.resolved_at.filter(|_| resolved(i)).unwrap_or(input.now);
            Slow {
                number: s.issue.number,
                url: s.issue.html_url.clone(),
                record: i.record.clone(),
                title: i.title.clone(),
                severity: input.config.severity_name(i.severity),
                status: i.status.as_str(),
                declared_at: i.declared_at,
                resolved_at: i.resolved_at.filter(|_| resolved(i)),
                seconds: seconds(i.declared_at, end),
            }
        })
        .collect();
    all.sort_by(|a, b| b.seconds.cmp(&a.seconds).then(a.number.cmp(&b.number)));
    all.truncate(super::SLOWEST);
    all
}
