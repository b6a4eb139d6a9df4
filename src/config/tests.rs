use chrono::{Duration, NaiveDate, Weekday};
use insta::assert_snapshot;

use super::*;

const FILE: &str = ".github/firebreak.yml";

fn parse(yaml: &str) -> Config {
    Config::from_yaml(yaml, FILE).unwrap_or_else(|e| panic!("{e}"))
}

fn error(yaml: &str) -> String {
    match Config::from_yaml(yaml, FILE) {
        Ok(config) => panic!("expected an error, got {config:?}"),
        Err(e) => e.to_string(),
    }
}

/// Every key of the schema with a value other than its default.
const FULL: &str = r###"
timezone: Europe/Berlin
title_format: "{severity} | {title}"
default_severity: 3
severities:
  - name: P1
    description: Everything is down
    ack_timeout: 2m
    update_cadence: 10m
    notify: ["@acme/leadership", cto]
    postmortem: { required: true, due_business_days: 3, approvals: 2, public: true }
  - name: P2
    ack_timeout: 10m
    update_cadence: 1h30m
    escalation: [{ notify: ["@acme/p2-oncall"] }, { notify: [acme/sre-leads], after: 1h }]
    postmortem: { required: true }
  - { name: P3, update_cadence: none, postmortem: { required: false, approvals: 0 } }
permissions:
  default: { associations: [OWNER, member], users: ["@sre-bot[bot]"], teams: [acme/sre] }
  commands:
    sev: { associations: [OWNER] }
    /update: { users: [comms-person], teams: ["@acme/comms"] }
escalation:
  - notify: ["@oncall-primary", "@acme/sre"]
  - notify: [acme/sre-leads]
    after: 10m
action_items:
  default_priority: P1
  default_type: detect
  due_days: { P0: 3, P2: 45 }
  open_cap: { limit: 5, priorities: [P0], per_label: "squad:*" }
postmortem:
  directory: docs/incidents/
  index: docs/incidents/index.md
  template: .github/postmortem.md
  branch_prefix: pm/
  base_branch: main
  open_draft_at: resolved
  required_sections: [Summary, "## Root cause"]
  public:
    directory: public/postmortems
    template: .github/public-postmortem.md
    on_merge: true
    private_patterns: ['\binternal\.acme\.net\b', 'https://tickets\.acme\.dev/\S+']
    replacement: "[private]"
reminders:
  before_due: 2d
  repeat_every: 12h
  escalate_after: 1w
  escalate_to: ["@acme/engineering-managers"]
follow_up: { enabled: false }
business_days: [Sun, Mon, Tue, Wed, Thu]
holidays: [2026-12-25, "2027-01-01"]
board:
  owner: acme
  number: 3
  fields: { severity: Sev, due: Target date, kind: Type }
report: { issue: 42, since: 30d, refresh_every: 6h }
"###;

#[test]
fn empty_and_comment_only_files_are_the_default_config() {
    assert_eq!(parse(""), Config::default());
    assert_eq!(parse("# nothing yet\n"), Config::default());
    assert_eq!(parse("---\n"), Config::default());
}

#[test]
fn defaults_match_the_spec() {
    let c = Config::default();
    assert_eq!(c.severity_names(), ["SEV1", "SEV2", "SEV3", "SEV4"]);
    assert_eq!(c.default_severity, 2, "no severity given means SEV2");
    let ack: Vec<_> = c.severities.iter().map(|s| s.ack_timeout).collect();
    assert_eq!(
        ack,
        [
            Some(Duration::minutes(5)),
            Some(Duration::minutes(15)),
            None,
            None
        ]
    );
    let cadence: Vec<_> = c.severities.iter().map(|s| s.update_cadence).collect();
    assert_eq!(
        cadence,
        [
            Some(Duration::minutes(15)),
            Some(Duration::minutes(30)),
            Some(Duration::hours(4)),
            None
        ]
    );
    let required: Vec<_> = c.severities.iter().map(|s| s.postmortem.required).collect();
    assert_eq!(required, [true, true, false, false]);
    assert_eq!(c.severities[0].postmortem.approvals, 2);
    assert_eq!(c.severities[1].postmortem.approvals, 1);
    assert!(
        c.severities
            .iter()
            .all(|s| s.postmortem.due_business_days == 5)
    );
    assert_eq!(
        [0, 1, 2, 3].map(|p| c.due_days(p)),
        [7, 30, 60, 90],
        "action-item SLOs"
    );
    assert_eq!(c.action_items.default_priority, 2);
    assert_eq!(c.action_items.default_type, ActionType::Prevent);
    let cap = c.action_items.open_cap.as_ref().unwrap();
    assert_eq!((cap.limit, cap.priorities.as_slice()), (10, &[0, 1][..]));
    assert_eq!(
        c.allowed("sev").associations,
        ["OWNER", "MEMBER", "COLLABORATOR"]
    );
    assert_eq!(c.timezone, chrono_tz::Tz::UTC);
    assert_eq!(c.title_for(1, "Checkout down"), "[SEV1] Checkout down");
    assert_eq!(c.business_days.len(), 5);
    assert!(c.follow_up.enabled);
    assert_eq!(c.board, None);
    assert_eq!(c.report.since, Duration::days(90));
    assert_eq!(c.postmortem.directory, "docs/postmortems");
    assert_eq!(c.postmortem.index, "docs/postmortems/README.md");
    assert_eq!(c.postmortem.public.directory, "docs/postmortems/public");
    assert_eq!(c.postmortem.open_draft_at, DraftAt::Mitigated);
}

#[test]
fn full_example_sets_every_key() {
    let c = parse(FULL);
    assert_eq!(c.timezone, chrono_tz::Tz::Europe__Berlin);
    assert_eq!(c.title_for(1, " Disk full "), "P1 | Disk full");
    assert_eq!(c.default_severity, 3);
    assert_eq!(c.severity_names(), ["P1", "P2", "P3"]);
    let p1 = &c.severities[0];
    assert_eq!(p1.ack_timeout, Some(Duration::minutes(2)));
    assert_eq!(p1.notify, ["@acme/leadership", "@cto"]);
    assert_eq!(
        p1.postmortem,
        PostmortemPolicy {
            required: true,
            due_business_days: 3,
            approvals: 2,
            public: true
        }
    );
    assert_eq!(c.severities[1].update_cadence, Some(Duration::minutes(90)));
    assert_eq!(
        c.severities[1].postmortem,
        PostmortemPolicy {
            required: true,
            ..PostmortemPolicy::default()
        }
    );
    assert_eq!(c.severities[2].update_cadence, None);
    assert_eq!(c.severities[2].postmortem.approvals, 0);

    assert_eq!(c.permissions.default.associations, ["OWNER", "MEMBER"]);
    assert_eq!(c.permissions.default.users, ["sre-bot[bot]"]);
    let sev = c.allowed("/sev");
    assert_eq!(sev.associations, ["OWNER"]);
    assert_eq!(sev.teams, ["acme/sre"], "lists left out come from default");
    let update = c.allowed("update");
    assert_eq!(update.users, ["comms-person"]);
    assert_eq!(update.teams, ["acme/comms"]);
    assert_eq!(update.associations, ["OWNER", "MEMBER"]);
    assert_eq!(c.allowed("status"), &c.permissions.default);

    assert_eq!(
        c.escalation,
        [
            EscalationLevel {
                notify: vec!["@oncall-primary".into(), "@acme/sre".into()],
                after: Duration::zero()
            },
            EscalationLevel {
                notify: vec!["@acme/sre-leads".into()],
                after: Duration::minutes(10)
            },
        ]
    );
    let a = &c.action_items;
    assert_eq!(
        (a.default_priority, a.default_type),
        (1, ActionType::Detect)
    );
    assert_eq!(a.due_days, [3, 30, 45, 90]);
    assert_eq!(
        a.open_cap,
        Some(OpenCap {
            limit: 5,
            priorities: vec![0],
            per_label: Some("squad:*".into())
        })
    );
    let p = &c.postmortem;
    assert_eq!(p.directory, "docs/incidents");
    assert_eq!(p.index, "docs/incidents/index.md");
    assert_eq!(p.template.as_deref(), Some(".github/postmortem.md"));
    assert_eq!(p.branch_prefix, "pm/");
    assert_eq!(p.base_branch.as_deref(), Some("main"));
    assert_eq!(p.open_draft_at, DraftAt::Resolved);
    assert_eq!(p.required_sections, ["Summary", "Root cause"]);
    assert_eq!(p.public.directory, "public/postmortems");
    assert!(p.public.on_merge);
    assert_eq!(p.public.replacement, "[private]");
    let host = &p.public.private_patterns[0];
    assert!(host.regex().is_match("see db1.internal.acme.net now"));
    assert_eq!(host.as_str(), r"\binternal\.acme\.net\b");
    assert_eq!(c.reminders.before_due, Duration::days(2));
    assert_eq!(c.reminders.repeat_every, Duration::hours(12));
    assert_eq!(c.reminders.escalate_after, Some(Duration::weeks(1)));
    assert_eq!(c.reminders.escalate_to, ["@acme/engineering-managers"]);
    assert!(!c.follow_up.enabled);
    assert_eq!(
        c.business_days,
        [
            Weekday::Mon,
            Weekday::Tue,
            Weekday::Wed,
            Weekday::Thu,
            Weekday::Sun
        ]
    );
    assert_eq!(c.holidays.len(), 2);
    let board = c.board.as_ref().unwrap();
    assert_eq!((board.owner.as_str(), board.number), ("acme", 3));
    assert_eq!(board.fields.severity, "Sev");
    assert_eq!(board.fields.status, "Status");
    assert_eq!(board.fields.due, "Target date");
    assert_eq!(board.fields.kind, "Type");
    assert_eq!(c.report.issue, Some(42));
    assert_eq!(c.report.since, Duration::days(30));
    assert_eq!(c.report.refresh_every, Duration::hours(6));
}

#[test]
fn to_yaml_round_trips_the_default_and_the_full_example() {
    for config in [Config::default(), parse(FULL)] {
        let yaml = config.to_yaml();
        assert_eq!(parse(&yaml), config, "{yaml}");
    }
}

#[test]
fn null_switches_off_what_has_a_non_null_default() {
    let c = parse("action_items: { open_cap: null }\nreminders: { escalate_after: null }\n");
    assert_eq!(c.action_items.open_cap, None);
    assert_eq!(c.reminders.escalate_after, None);
    let c = parse("action_items: { open_cap: { limit: null } }\n");
    assert_eq!(c.action_items.open_cap, None);
    let c = parse("action_items: { open_cap: { per_label: ~ } }\n");
    assert_eq!(c.action_items.open_cap.unwrap().per_label, None);
    let c = parse("severities: [{ name: A, ack_timeout: off, update_cadence: ~ }]\n");
    assert_eq!(c.severities[0].ack_timeout, None);
    assert_eq!(c.severities[0].update_cadence, None);
}

#[test]
fn default_severity_of_a_custom_ladder_is_its_second_rung() {
    let c = parse("severities: [{ name: critical }, { name: major }, { name: minor }]\n");
    assert_eq!(c.default_severity, 2);
    let c = parse("severities: [{ name: only }]\n");
    assert_eq!(c.default_severity, 1);
    let c = parse("default_severity: sev1\n");
    assert_eq!(c.default_severity, 1);
}

#[test]
fn level_of_reads_names_numbers_and_sev_prefixes() {
    let c = Config::default();
    assert_eq!(c.level_of("SEV1"), Some(1));
    assert_eq!(c.level_of("sev3"), Some(3));
    assert_eq!(c.level_of("2"), Some(2));
    assert_eq!(c.level_of("sev:4"), Some(4));
    assert_eq!(c.level_of("sev-2"), Some(2));
    assert_eq!(c.level_of("SEV5"), None);
    assert_eq!(c.level_of("0"), None);
    assert_eq!(c.level_of("major"), None);
    let custom = parse("severities: [{ name: critical }, { name: major }]\n");
    assert_eq!(custom.level_of("Major"), Some(2));
    assert_eq!(custom.level_of("sev1"), Some(1));
    assert_eq!(custom.severity(2).unwrap().name, "major");
    assert_eq!(custom.severity(3), None);
    assert_eq!(custom.severity(0), None);
}

#[test]
fn allow_permits_by_association_user_or_team() {
    let c = parse(
        "permissions:\n  commands:\n    sev: { associations: [OWNER], users: [alice], teams: [acme/sre] }\n",
    );
    let rule = c.allowed("sev");
    assert!(rule.permits("someone", "OWNER", |_| false));
    assert!(rule.permits("@Alice", "NONE", |_| false));
    assert!(rule.permits("bob", "MEMBER", |team| team == "acme/sre"));
    assert!(!rule.permits("bob", "MEMBER", |_| false));
    assert!(c.allowed("status").permits("bob", "member", |_| false));
    assert!(!c.allowed("status").permits("bob", "CONTRIBUTOR", |_| false));
}

#[test]
fn business_days_skip_weekends_and_holidays() {
    let c = parse("holidays: [2026-12-25]\n");
    let thursday = NaiveDate::from_ymd_opt(2026, 12, 24).unwrap();
    // Fri 25 is a holiday, then the weekend: Mon 28, Tue 29.
    assert_eq!(
        c.add_business_days(thursday, 2),
        NaiveDate::from_ymd_opt(2026, 12, 29).unwrap()
    );
    assert!(!c.is_business_day(NaiveDate::from_ymd_opt(2026, 12, 26).unwrap()));
    assert_eq!(c.add_business_days(thursday, 0), thursday);
}

#[test]
fn summary_names_severities_policy_default_and_board() {
    let summary = Config::default().summary();
    assert!(summary.contains("SEV1 (ack within 5m, updates every 15m, postmortem required within 5 business days with 2 approvals)"), "{summary}");
    assert!(summary.contains("SEV4 (postmortem optional)"), "{summary}");
    assert!(summary.contains("Default severity SEV2"), "{summary}");
    assert!(summary.contains("board off"), "{summary}");
    assert!(parse(FULL).summary().contains("board on (acme project 3)"));
}

// ---- error messages: file, line, column and key path ----

#[test]
fn unknown_top_level_key_error_names_file_line_and_key() {
    assert_snapshot!(
        error("timezone: UTC\n\nseverites: []\n"),
        @".github/firebreak.yml:3:1: unknown key `severites` (did you mean `severities`?)"
    );
}

#[test]
fn unknown_top_level_key_without_a_close_match_lists_the_allowed_keys() {
    assert_snapshot!(
        error("colour: red\n"),
        @".github/firebreak.yml:1:1: unknown key `colour`; allowed here: `timezone`, `title_format`, `default_severity`, `severities`, `permissions`, `declare`, `escalation`, `action_items`, `postmortem`, `reminders`, `follow_up`, `business_days`, `holidays`, `board`, `report`"
    );
}

#[test]
fn unknown_nested_key_error_names_the_path_of_its_mapping() {
    assert_snapshot!(
        error("severities:\n  - name: SEV1\n    ack_timout: 5m\n"),
        @".github/firebreak.yml:3:5: severities[0]: unknown key `ack_timout` (did you mean `ack_timeout`?)"
    );
    assert_snapshot!(
        error("postmortem:\n  public:\n    privat_patterns: []\n"),
        @".github/firebreak.yml:3:5: postmortem.public: unknown key `privat_patterns` (did you mean `private_patterns`?)"
    );
}

#[test]
fn wrong_type_error_says_what_was_expected_and_found() {
    assert_snapshot!(
        error("follow_up:\n  enabled: maybe\n"),
        @".github/firebreak.yml:2:12: follow_up.enabled: expected true or false, found `maybe`"
    );
    assert_snapshot!(
        error("business_days: Mon\n"),
        @".github/firebreak.yml:1:16: business_days: expected a list, found `Mon`"
    );
    assert_snapshot!(
        error("severities:\n  - SEV1\n"),
        @".github/firebreak.yml:2:5: severities[0]: expected a mapping (`key: value` lines), found `SEV1`"
    );
    assert_snapshot!(
        error("board: { owner: acme, number: three }\n"),
        @".github/firebreak.yml:1:31: board.number: expected a whole number, 0 or more, found `three`"
    );
}

#[test]
fn missing_required_key_error_names_its_mapping() {
    assert_snapshot!(
        error("board:\n  owner: acme\n"),
        @".github/firebreak.yml:2:3: board: missing key `number`"
    );
}

#[test]
fn a_report_period_or_refresh_longer_than_ten_years_is_refused() {
    assert_snapshot!(
        error("report: { since: 3651d }\n"),
        @r#".github/firebreak.yml:1:18: report.since: "3651d" is too long; at most 3650d (ten years)"#
    );
    assert_snapshot!(
        error("report: { refresh_every: 99999999w }\n"),
        @r#".github/firebreak.yml:1:26: report.refresh_every: "99999999w" is too long; at most 3650d (ten years)"#
    );
    let c = Config::from_yaml("report: { since: 3650d, refresh_every: 520w }\n", FILE).unwrap();
    assert_eq!(c.report.since, Duration::days(3650));
}

#[test]
fn bad_duration_error_names_path_value_and_expected_form() {
    assert_snapshot!(
        error("severities:\n  - name: SEV1\n    ack_timeout: 5m\n  - name: SEV2\n    ack_timeout: 5 mins\n"),
        @r#".github/firebreak.yml:5:18: severities[1].ack_timeout: invalid duration "5 mins": expected e.g. 30s, 5m, 4h, 2d"#
    );
    assert_snapshot!(
        error("report: { since: 90 }\n"),
        @r#".github/firebreak.yml:1:18: report.since: invalid duration "90": expected e.g. 30s, 5m, 4h, 2d"#
    );
}

#[test]
fn bad_timezone_error_suggests_the_closest_zone() {
    assert_snapshot!(
        error("timezone: Europe/Pariss\n"),
        @r#".github/firebreak.yml:1:11: timezone: unknown time zone "Europe/Pariss" (did you mean "Europe/Paris"?)"#
    );
    assert_snapshot!(
        error("timezone: Mars/Olympus\n"),
        @r#".github/firebreak.yml:1:11: timezone: unknown time zone "Mars/Olympus"; use an IANA name such as UTC, Europe/Berlin or America/New_York"#
    );
}

#[test]
fn unknown_default_severity_error_lists_the_configured_ones() {
    assert_snapshot!(
        error("default_severity: SEV5\n"),
        @".github/firebreak.yml:1:19: default_severity: unknown severity `SEV5`; configured: SEV1, SEV2, SEV3, SEV4 (or a level 1-4)"
    );
}

#[test]
fn bad_regex_error_names_the_pattern_and_the_reason() {
    assert_snapshot!(
        error("postmortem:\n  public:\n    private_patterns:\n      - 'ok\\.example'\n      - 'internal\\.(corp'\n"),
        @r#".github/firebreak.yml:5:9: postmortem.public.private_patterns[1]: invalid regex "internal\.(corp": unclosed group"#
    );
}

#[test]
fn semantic_errors_name_the_key_at_fault() {
    assert_snapshot!(
        error("action_items:\n  open_cap:\n    limit: -1\n"),
        @".github/firebreak.yml:3:12: action_items.open_cap.limit: must be 1 or more, found -1; use null for no cap"
    );
    assert_snapshot!(
        error("severities:\n  - name: SEV1\n  - name: sev1\n"),
        @".github/firebreak.yml:3:11: severities[1].name: duplicate severity name `sev1` (also severities[0])"
    );
    assert_snapshot!(
        error("action_items:\n  default_priority: P4\n"),
        @".github/firebreak.yml:2:21: action_items.default_priority: unknown priority `P4`; use P0, P1, P2 or P3"
    );
    assert_snapshot!(
        error("action_items:\n  due_days: { P5: 3 }\n"),
        @".github/firebreak.yml:2:15: action_items.due_days: unknown key `P5` (did you mean `P0`?)"
    );
    assert_snapshot!(
        error("permissions:\n  commands:\n    sevv: { users: [alice] }\n"),
        @".github/firebreak.yml:3:5: permissions.commands.sevv: unknown command `sevv` (did you mean `sev`?)"
    );
    assert_snapshot!(
        error("permissions:\n  default: { associations: [MEMBERS] }\n"),
        @".github/firebreak.yml:2:29: permissions.default.associations[0]: unknown author association `MEMBERS` (did you mean `MEMBER`?)"
    );
    assert_snapshot!(
        error("escalation:\n  - { notify: [a], after: 10m }\n  - { notify: [b], after: 5m }\n"),
        @".github/firebreak.yml:3:27: escalation[1].after: 5m is earlier than the previous level's 10m; `after` counts from the ack timeout, so levels must not go back in time"
    );
    assert_snapshot!(
        error("title_format: \"[{sev}] {title}\"\n"),
        @".github/firebreak.yml:1:15: title_format: unknown placeholder `{sev}`; use {severity}, {level}, {title}"
    );
    assert_snapshot!(
        error("action_items:\n  due_days: { P3: 4000000000 }\n"),
        @".github/firebreak.yml:2:19: action_items.due_days.P3: 4000000000 days is too far; at most 3650 (ten years)"
    );
    assert_snapshot!(
        error("severities: []\n"),
        @".github/firebreak.yml:1:13: severities: at least one severity is needed"
    );
}

#[test]
fn duplicate_key_error_names_the_key_and_its_mapping() {
    assert_snapshot!(
        error("report:\n  since: 30d\n  since: 60d\n"),
        @".github/firebreak.yml:3:3: report: duplicate key `since`: each key may appear once"
    );
}

#[test]
fn yaml_syntax_error_names_line_and_column() {
    assert_snapshot!(
        error("timezone: UTC\nseverities: [\n"),
        @".github/firebreak.yml:2:13: invalid YAML: unclosed bracket '['"
    );
}

#[test]
fn error_accessors_expose_line_and_path() {
    let e = Config::from_yaml("report:\n  since: soon\n", FILE).unwrap_err();
    assert_eq!(e.line(), Some(2));
    assert_eq!(e.key_path(), Some("report.since"));
}

#[test]
fn a_severity_may_have_its_own_escalation_levels() {
    let c = parse(FULL);
    assert_eq!(
        c.escalation_for(1),
        c.escalation.as_slice(),
        "P1 uses the top level"
    );
    let p2 = c.escalation_for(2);
    assert_eq!(p2.len(), 2);
    assert_eq!(p2[0].notify, ["@acme/p2-oncall"]);
    assert_eq!(p2[1].after, Duration::hours(1));
    let none = parse(
        "severities:\n  - { name: SEV1, ack_timeout: 5m, escalation: [] }\nescalation: [{ notify: [a] }]\n",
    );
    assert!(none.escalation_for(1).is_empty(), "[] mentions nobody");
}

#[test]
fn escalation_levels_without_an_ack_timeout_are_a_config_error() {
    assert_snapshot!(
        error("severities:\n  - name: SEV1\n    escalation: [{ notify: [a] }]\n"),
        @".github/firebreak.yml:3:5: severities[0].escalation: SEV1 has no `ack_timeout`, so it never escalates; set one, or remove these levels"
    );
    assert_snapshot!(
        error("severities:\n  - name: SEV1\n    ack_timeout: 5m\n    escalation:\n      - { notify: [a], after: 10m }\n      - { notify: [\"not a handle\"] }\n"),
        @r#".github/firebreak.yml:6:20: severities[0].escalation[1].notify[0]: "not a handle" is neither a GitHub login nor a team (@login or @org/team-slug)"#
    );
}

#[test]
fn declare_open_to_reads_its_two_values_and_names_a_typo() {
    let c = Config::from_yaml("declare: { open_to: anyone }\n", CONFIG_PATH).unwrap();
    assert_eq!(c.declare.open_to, OpenTo::Anyone);
    assert_eq!(Config::default().declare.open_to, OpenTo::Permitted);
    insta::assert_snapshot!(
        error("declare:\n  open_to: anyon\n"),
        @".github/firebreak.yml:2:12: declare.open_to: expected permitted or anyone, found `anyon` (did you mean `anyone`?)"
    );
}
