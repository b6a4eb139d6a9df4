//! `firebreak report` over a seeded history of incidents: every figure is compared with one
//! this test computes on its own from the seeds, the reads are the two issue lists and
//! nothing per incident, and the markdown is a snapshot.

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use firebreak::config::Config;
use firebreak::incident::postmortem::{Postmortem, PullFacts};
use firebreak::incident::section::compose;
use firebreak::incident::{ActionItem, ActionType, Incident, ItemState, Status};
use firebreak::report::Report;
use firebreak::report_cmd;

use crate::support;

/// One seeded action item.
#[derive(Debug, Clone)]
struct ItemSeed {
    priority: u8,
    opened: DateTime<Utc>,
    due: NaiveDate,
    /// Closed on GitHub (the incident's state always says open: the list must win).
    closed: bool,
}

/// One seeded incident: the test's own record of what it wrote, from which it computes the
/// expected figures.
#[derive(Debug, Clone)]
struct Seed {
    number: u64,
    severity: u8,
    declared: DateTime<Utc>,
    ack: Option<DateTime<Utc>>,
    mitigated: Option<DateTime<Utc>>,
    resolved: Option<DateTime<Utc>>,
    /// (due, merged at) of a postmortem owed.
    postmortem: Option<(NaiveDate, Option<DateTime<Utc>>)>,
    items: Vec<ItemSeed>,
}

/// A small deterministic generator (64-bit LCG).
struct Rng(u64);

impl Rng {
    fn next(&mut self, n: u64) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 33) % n
    }
}

fn minutes(n: u64) -> Duration {
    Duration::minutes(n as i64)
}

/// `count` incidents declared over the last ~110 days (some before the 90-day period): some
/// never acknowledged, some unresolved, postmortems on time, late and missing, items overdue.
fn history(count: u64, now: DateTime<Utc>) -> Vec<Seed> {
    let mut rng = Rng(42);
    (0..count)
        .map(|i| {
            let declared = now - Duration::minutes((i * 110 * 1440 / count + rng.next(600)) as i64);
            let within = |t: DateTime<Utc>| (t <= now).then_some(t);
            let ack = (rng.next(100) >= 20)
                .then(|| declared + minutes(1 + rng.next(90)))
                .and_then(within);
            let mitigated = (rng.next(100) < 85)
                .then(|| ack.unwrap_or(declared) + minutes(5 + rng.next(900)))
                .and_then(within);
            let resolved = mitigated
                .filter(|_| rng.next(100) < 80)
                .map(|m| m + minutes(10 + rng.next(4000)))
                .and_then(within);
            let severity = 1 + rng.next(4) as u8;
            let postmortem = (severity <= 2 && mitigated.is_some()).then(|| {
                let base = resolved.unwrap_or(declared).date_naive();
                let due = base + Duration::days(7);
                let merged = match rng.next(3) {
                    0 => Some(
                        (due - Duration::days(1))
                            .and_hms_opt(23, 0, 0)
                            .unwrap()
                            .and_utc(),
                    ),
                    1 => Some(
                        (due + Duration::days(2))
                            .and_hms_opt(9, 0, 0)
                            .unwrap()
                            .and_utc(),
                    ),
                    _ => None,
                };
                (due, merged.and_then(within))
            });
            let items = (0..rng.next(3))
                .map(|_| {
                    let opened = declared + minutes(30 + rng.next(600));
                    ItemSeed {
                        priority: rng.next(4) as u8,
                        opened,
                        due: opened.date_naive() + Duration::days(rng.next(40) as i64 - 10),
                        closed: rng.next(2) == 0,
                    }
                })
                .filter(|item| item.opened <= now)
                .collect();
            Seed {
                number: 0,
                severity,
                declared,
                ack,
                mitigated,
                resolved,
                postmortem,
                items,
            }
        })
        .collect()
}

/// Writes the seeds as incident issues (and their items as action-item issues).
fn seed(repo: &support::Repo, seeds: &mut [Seed]) {
    for (i, s) in seeds.iter_mut().enumerate() {
        let mut inc = Incident::declare(
            &format!("Incident {i}"),
            s.severity,
            "alice",
            s.declared,
            chrono_tz::UTC,
        );
        inc.acknowledged_at = s.ack;
        if let Some(m) = s.mitigated {
            inc.set_status(Status::Mitigated, m);
        }
        if let Some(r) = s.resolved {
            inc.set_status(Status::Resolved, r);
        }
        if let Some((due, merged)) = s.postmortem {
            inc.postmortem = Some(Postmortem {
                due: Some(due),
                facts: merged.map(|at| PullFacts {
                    state: "closed".into(),
                    merged: true,
                    merged_at: Some(at),
                    ..PullFacts::default()
                }),
                ..Postmortem::default()
            });
        }
        for (k, item) in s.items.iter().enumerate() {
            let number = repo
                .fake
                .create_issue(&repo.name, "bob", "An item", "x", &["action-item"])
                .number;
            if item.closed {
                repo.fake
                    .set_issue_state(&repo.name, number, "closed", "bob");
            }
            inc.action_items.push(ActionItem {
                key: format!("c{i}.{k}"),
                number: Some(number),
                title: "An item".into(),
                owner: None,
                priority: item.priority,
                kind: ActionType::Prevent,
                due: item.due,
                state: ItemState::Open,
                by: "bob".into(),
                at: item.opened,
            });
        }
        let body = compose("What we see.", "(section)", &inc, "");
        s.number = repo
            .fake
            .create_issue(&repo.name, "alice", &inc.title, &body, &["incident"])
            .number;
    }
}

fn median(mut v: Vec<i64>) -> Option<i64> {
    v.sort();
    let n = v.len();
    if n == 0 {
        None
    } else if n % 2 == 1 {
        Some(v[n / 2])
    } else {
        Some((v[n / 2 - 1] + v[n / 2]).div_euclid(2))
    }
}

fn p90(mut v: Vec<i64>) -> Option<i64> {
    v.sort();
    let n = v.len();
    (n > 0).then(|| v[(9 * n).div_ceil(10) - 1])
}

/// (measured, missing, median, p90) of `f` over `group`.
fn expect_stat(
    group: &[&Seed],
    f: impl Fn(&Seed) -> Option<DateTime<Utc>>,
) -> (u32, u32, Option<i64>, Option<i64>) {
    let values: Vec<i64> = group
        .iter()
        .filter_map(|s| f(s).map(|t| (t - s.declared).num_seconds()))
        .collect();
    let missing = (group.len() - values.len()) as u32;
    (
        values.len() as u32,
        missing,
        median(values.clone()),
        p90(values),
    )
}

fn stat_tuple(s: &firebreak::report::Stat) -> (u32, u32, Option<i64>, Option<i64>) {
    (s.measured, s.missing, s.median_seconds, s.p90_seconds)
}

fn check_every_figure(report: &Report, seeds: &[Seed], now: DateTime<Utc>) {
    let since = now - Duration::days(90);
    let today = now.date_naive();
    let period: Vec<&Seed> = seeds.iter().filter(|s| s.declared >= since).collect();
    assert!(
        period.len() < seeds.len(),
        "some incidents predate the period"
    );

    // Counts by severity.
    assert_eq!(report.incidents.total as usize, period.len());
    let unresolved = |g: &[&Seed]| g.iter().filter(|s| s.resolved.is_none()).count() as u32;
    assert_eq!(report.incidents.unresolved, unresolved(&period));
    for level in 1..=4u8 {
        let group: Vec<&Seed> = period
            .iter()
            .copied()
            .filter(|s| s.severity == level)
            .collect();
        let row = &report.incidents.by_severity[level as usize - 1];
        assert_eq!(row.severity, format!("SEV{level}"));
        assert_eq!(row.total as usize, group.len(), "SEV{level} total");
        assert_eq!(row.unresolved, unresolved(&group), "SEV{level} unresolved");

        let times = &report.times[level as usize - 1];
        assert_eq!(times.severity, format!("SEV{level}"));
        assert_eq!(
            stat_tuple(&times.acknowledge),
            expect_stat(&group, |s| s.ack),
            "SEV{level} MTTA"
        );
        assert_eq!(
            stat_tuple(&times.mitigate),
            expect_stat(&group, |s| s.mitigated),
            "SEV{level} MTTM"
        );
        assert_eq!(
            stat_tuple(&times.resolve),
            expect_stat(&group, |s| s.resolved),
            "SEV{level} MTTR"
        );
    }
    let all = &report.times[4];
    assert_eq!(all.severity, "all");
    assert_eq!(
        stat_tuple(&all.acknowledge),
        expect_stat(&period, |s| s.ack)
    );
    assert_eq!(
        stat_tuple(&all.resolve),
        expect_stat(&period, |s| s.resolved)
    );
    assert!(
        all.acknowledge.missing > 0,
        "some incidents were never acknowledged"
    );

    // Weeks: Monday to Sunday (UTC), from the week holding `since` to this one.
    let monday = |d: NaiveDate| d - Duration::days(d.weekday().num_days_from_monday() as i64);
    let mut week = monday(since.date_naive());
    let mut expected_weeks = Vec::new();
    while week <= today {
        let of: Vec<&&Seed> = period
            .iter()
            .filter(|s| monday(s.declared.date_naive()) == week)
            .collect();
        let sev1 = of.iter().filter(|s| s.severity == 1).count() as u32;
        expected_weeks.push((week, of.len() as u32, sev1));
        week += Duration::days(7);
    }
    let got_weeks: Vec<(NaiveDate, u32, u32)> = report
        .weeks
        .iter()
        .map(|w| (w.start, w.total, w.by_severity["SEV1"]))
        .collect();
    assert_eq!(got_weeks, expected_weeks);

    // Postmortems.
    let (mut on_time, mut late, mut missing, mut pending) = (0, 0, 0, 0);
    for (due, merged) in period.iter().filter_map(|s| s.postmortem) {
        match merged {
            Some(at) if at.date_naive() <= due => on_time += 1,
            Some(_) => late += 1,
            None if due < today => missing += 1,
            None => pending += 1,
        }
    }
    let pm = &report.postmortems;
    assert_eq!(
        (pm.owed, pm.on_time, pm.late, pm.missing, pm.pending),
        (
            on_time + late + missing + pending,
            on_time,
            late,
            missing,
            pending
        )
    );
    assert!(
        late > 0 && missing > 0 && on_time > 0,
        "the history has every kind"
    );

    // Action items opened in the period, by priority; the list's state wins.
    let items: Vec<&ItemSeed> = seeds
        .iter()
        .flat_map(|s| &s.items)
        .filter(|i| i.opened >= since)
        .collect();
    for p in 0..4u8 {
        let of: Vec<&&ItemSeed> = items.iter().filter(|i| i.priority == p).collect();
        let row = &report.action_items.by_priority[p as usize];
        assert_eq!(row.priority, format!("P{p}"));
        assert_eq!(row.opened as usize, of.len());
        assert_eq!(row.done as usize, of.iter().filter(|i| i.closed).count());
        assert_eq!(row.open as usize, of.iter().filter(|i| !i.closed).count());
        assert_eq!(
            row.overdue as usize,
            of.iter().filter(|i| !i.closed && i.due < today).count()
        );
    }
    assert_eq!(report.action_items.opened as usize, items.len());
    assert!(
        report.action_items.overdue > 0,
        "the history has overdue items"
    );

    // The five slowest, unresolved ones counted until now.
    let mut slow: Vec<(i64, u64)> = period
        .iter()
        .map(|s| {
            (
                (s.resolved.unwrap_or(now) - s.declared).num_seconds(),
                s.number,
            )
        })
        .collect();
    slow.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
    let got: Vec<(i64, u64)> = report
        .slowest
        .iter()
        .map(|s| (s.seconds, s.number))
        .collect();
    assert_eq!(got, slow[..5]);
    assert!(report.unreadable.is_empty());
}

#[tokio::test]
async fn every_figure_matches_one_computed_from_the_seeded_history() {
    let repo = support::repo("report-history");
    let now = Utc::now();
    let mut seeds = history(130, now);
    seed(&repo, &mut seeds);
    let before = repo.requests().len();

    let report = report_cmd::fetch(&repo.client(), &Config::default(), now, Duration::days(90))
        .await
        .unwrap();
    check_every_figure(&report, &seeds, now);

    // Two lists, 100 a page, nothing per incident.
    let calls: Vec<String> = repo.requests()[before..]
        .iter()
        .map(|r| format!("{} {}?{}", r.method, r.path, r.query))
        .collect();
    assert!(
        calls
            .iter()
            .all(|c| c.starts_with(&format!("GET /repos/{}/issues?", repo.name))),
        "only issue lists: {calls:#?}"
    );
    let incidents: Vec<&String> = calls
        .iter()
        .filter(|c| c.contains("labels=incident"))
        .collect();
    let items: Vec<&String> = calls
        .iter()
        .filter(|c| c.contains("labels=action-item"))
        .collect();
    assert_eq!(
        incidents.len(),
        2,
        "130 incidents are two pages: {calls:#?}"
    );
    assert!(
        incidents[0].contains("state=all")
            && incidents[0].contains("since=")
            && incidents[0].contains("per_page=100")
    );
    assert!(!items.is_empty() && items.len() <= 2, "{calls:#?}");
    assert_eq!(calls.len(), incidents.len() + items.len(), "{calls:#?}");
}

#[tokio::test]
async fn the_report_command_prints_json_and_fills_the_job_summary() {
    let repo = support::repo("report-cli");
    let now = Utc::now();
    let mut seeds = history(20, now);
    seed(&repo, &mut seeds);
    let in_period = seeds
        .iter()
        .filter(|s| s.declared >= now - Duration::days(30))
        .count();

    let dir = tempfile::tempdir().unwrap();
    let summary = dir.path().join("summary.md");
    let out = std::process::Command::new(support::binary())
        .args(["report", "--since", "30d", "--format", "json"])
        .current_dir(dir.path())
        .env_clear()
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_REPOSITORY", &repo.name)
        .env("FIREBREAK_TOKEN", support::TOKEN)
        .env("GITHUB_STEP_SUMMARY", &summary)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(json["incidents"]["total"], in_period as u64);
    assert_eq!(json["repository"], repo.name.as_str());
    for key in ["weeks", "times", "postmortems", "action_items", "slowest"] {
        assert!(!json[key].is_null(), "JSON has {key}");
    }
    let written = std::fs::read_to_string(&summary).unwrap();
    assert!(written.starts_with("## Incident report"), "{written}");
    assert!(written.contains("```mermaid\nxychart-beta"), "{written}");

    let bad = std::process::Command::new(support::binary())
        .args(["report", "--since", "ninety days"])
        .env_clear()
        .output()
        .unwrap();
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr).contains("--since: invalid period \"ninety days\""),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
}

#[tokio::test]
async fn markdown_report_snapshot() {
    let now: DateTime<Utc> = "2026-11-24T12:00:00Z".parse().unwrap();
    let repo = support::isolated(&["report-snapshot"], now).remove(0);
    let at = |s: &str| -> DateTime<Utc> { s.parse().unwrap() };
    let mut seeds = vec![
        Seed {
            number: 0,
            severity: 1,
            declared: at("2026-11-02T09:00:00Z"),
            ack: Some(at("2026-11-02T09:04:00Z")),
            mitigated: Some(at("2026-11-02T10:30:00Z")),
            resolved: Some(at("2026-11-02T14:00:00Z")),
            postmortem: Some((
                "2026-11-09".parse().unwrap(),
                Some(at("2026-11-11T10:00:00Z")),
            )),
            items: vec![ItemSeed {
                priority: 0,
                opened: at("2026-11-02T15:00:00Z"),
                due: "2026-11-09".parse().unwrap(),
                closed: false,
            }],
        },
        Seed {
            number: 0,
            severity: 2,
            declared: at("2026-11-10T22:00:00Z"),
            ack: None,
            mitigated: Some(at("2026-11-11T01:00:00Z")),
            resolved: Some(at("2026-11-12T01:00:00Z")),
            postmortem: Some(("2026-11-19".parse().unwrap(), None)),
            items: vec![ItemSeed {
                priority: 2,
                opened: at("2026-11-12T09:00:00Z"),
                due: "2027-01-11".parse().unwrap(),
                closed: true,
            }],
        },
        Seed {
            number: 0,
            severity: 3,
            declared: at("2026-11-23T08:00:00Z"),
            ack: Some(at("2026-11-23T08:30:00Z")),
            mitigated: None,
            resolved: None,
            postmortem: None,
            items: vec![],
        },
    ];
    seed(&repo, &mut seeds);
    let report = report_cmd::fetch(&repo.client(), &Config::default(), now, Duration::days(30))
        .await
        .unwrap();
    let text = firebreak::report::markdown(&report, &Config::default());
    support::stable().bind(|| insta::assert_snapshot!(text));
}

#[tokio::test]
async fn the_sweep_keeps_the_pinned_report_issue_refreshed_every_refresh_every_and_no_more() {
    let mut repo = support::repo("report-issue");
    let now = Utc::now();
    let mut seeds = history(6, now);
    seed(&repo, &mut seeds);
    let pinned = repo.issue(
        "alice",
        "Incident report",
        "Our numbers, kept by Firebreak.",
    );
    repo.config.report.issue = Some(pinned);
    let sweep = |at: DateTime<Utc>, mode| {
        let (client, config) = (repo.client(), repo.config.clone());
        async move {
            firebreak::run::sweep::sweep(&client, &config, at, mode)
                .await
                .unwrap()
        }
    };
    let patches = |repo: &support::Repo| {
        repo.calls()
            .iter()
            .filter(|c| c.starts_with(&format!("PATCH /repos/{}/issues/{pinned}", repo.name)))
            .count()
    };

    // A dry run shows the write and makes none.
    repo.clear_requests();
    let dry = sweep(now, firebreak::run::Mode::DryRun).await;
    assert_eq!(patches(&repo), 0);
    let plan = dry
        .plans
        .iter()
        .find(|p| p.issue == pinned)
        .expect("a plan for the report issue");
    assert!(
        plan.patch
            .body
            .as_deref()
            .unwrap()
            .contains("## Incident report")
    );

    repo.clear_requests();
    let first = sweep(now, firebreak::run::Mode::Apply).await;
    assert_eq!(patches(&repo), 1);
    assert!(
        first
            .notes
            .iter()
            .any(|n| n == &format!("refreshed the report in #{pinned}"))
    );
    let body = repo.body(pinned);
    assert!(
        body.starts_with("Our numbers, kept by Firebreak.\n\n<!-- firebreak:report:begin"),
        "{body}"
    );
    assert!(body.contains("## Incident report") && body.contains("```mermaid"));

    // Within `refresh_every` (1d): one read of the issue, no write.
    repo.clear_requests();
    let later = sweep(now + Duration::hours(23), firebreak::run::Mode::Apply).await;
    assert_eq!(patches(&repo), 0);
    assert!(
        later
            .notes
            .iter()
            .any(|n| n.starts_with(&format!("the report in #{pinned} is fresh until")))
    );
    let report_reads = repo
        .calls()
        .iter()
        .filter(|c| c.contains(&format!("/issues/{pinned}")))
        .count();
    assert_eq!(report_reads, 1, "{:#?}", repo.calls());

    repo.clear_requests();
    sweep(now + Duration::days(1), firebreak::run::Mode::Apply).await;
    assert_eq!(patches(&repo), 1, "refreshed once the day has passed");
}

#[tokio::test]
async fn a_report_issue_that_is_an_incident_or_missing_is_a_configuration_error() {
    let mut repo = support::repo("report-issue-bad");
    let n = repo.incident("Checkout down").await;
    repo.config.report.issue = Some(n);
    let error = firebreak::run::sweep::sweep(
        &repo.client(),
        &repo.config,
        Utc::now(),
        firebreak::run::Mode::Apply,
    )
    .await
    .unwrap_err();
    assert_eq!(firebreak::exit_code_for(&error), 2);
    assert!(
        error
            .to_string()
            .contains(&format!("report.issue: #{n} is an incident")),
        "{error}"
    );
    assert!(!repo.body(n).contains("firebreak:report:begin"));

    repo.config.report.issue = Some(9999);
    let error = firebreak::run::sweep::sweep(
        &repo.client(),
        &repo.config,
        Utc::now(),
        firebreak::run::Mode::Apply,
    )
    .await
    .unwrap_err();
    assert_eq!(firebreak::exit_code_for(&error), 2);
    assert!(
        error
            .to_string()
            .contains("report.issue: #9999 does not exist"),
        "{error}"
    );
}

/// The whole process as an Actions step runs it: whatever template or format places a title,
/// no printed line may start a workflow command (`workflow::console` defuses them).
#[tokio::test]
async fn in_actions_no_title_forms_a_workflow_command_in_the_report_or_status_page_output() {
    let repo = support::repo("report-actions-log");
    let title = "::add-mask::secret";
    repo.incident(title).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str]| {
        let out = std::process::Command::new(support::binary())
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("GITHUB_ACTIONS", "true")
            .env("GITHUB_API_URL", &repo.api_url)
            .env("GITHUB_REPOSITORY", &repo.name)
            .env("FIREBREAK_TOKEN", support::TOKEN)
            .env("GITHUB_STEP_SUMMARY", dir.path().join("summary.md"))
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr)
    };
    for args in [
        &["report"][..],
        &["report", "--format", "json"],
        &["status-page", "--out", "site"],
    ] {
        let printed = run(args);
        for line in printed.lines() {
            assert!(
                !line.trim_start().starts_with("::"),
                "{args:?} printed a workflow command: {line}"
            );
        }
        if args[0] == "report" {
            assert!(
                printed.contains(title),
                "{args:?}: the title is shown: {printed}"
            );
        }
    }
}
