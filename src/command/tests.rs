//! The command language, pinned down with inline snapshots: what is a command, what each
//! command parses to, and every message a user can get back.

use insta::assert_snapshot;
use proptest::prelude::*;

use super::*;

/// Each parsed line as `L<line> <text> => <result>`, one per line.
fn show(body: &str) -> String {
    show_with(body, &Vocabulary::default())
}

fn show_with(body: &str, vocab: &Vocabulary) -> String {
    parse(body, vocab)
        .iter()
        .map(|p| match &p.result {
            Ok(command) => format!("L{} {} => {command:?}", p.line, p.text),
            Err(error) => format!("L{} {} => Err({error:?})", p.line, p.text),
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// Each line of `lines` parsed alone, as `<line>\n→ <Display of the error>`.
fn messages(lines: &str) -> String {
    lines
        .lines()
        .map(|line| {
            let parsed = parse(line, &Vocabulary::default());
            let shown = match parsed.as_slice() {
                [one] => match &one.result {
                    Err(error) => error.to_string(),
                    Ok(command) => format!("(no error: {command:?})"),
                },
                other => format!("(expected one command, got {})", other.len()),
            };
            format!("{line}\n→ {shown}")
        })
        .collect::<Vec<_>>()
        .join("\n\n")
}

fn one(line: &str) -> Result<Command, ParseError> {
    let mut parsed = parse(line, &Vocabulary::default());
    assert_eq!(parsed.len(), 1, "{line:?} should hold exactly one command");
    parsed.remove(0).result
}

// ---------------------------------------------------------------------------------------------
// Which lines are commands

#[test]
fn comment_without_commands_gives_nothing() {
    assert!(parse("", &Vocabulary::default()).is_empty());
    assert!(
        parse(
            "Looking into it.\nWill report back.",
            &Vocabulary::default()
        )
        .is_empty()
    );
}

#[test]
fn command_inside_fenced_code_is_ignored() {
    let body = "\
Run this:
```bash
/sev 1 from a script
```
~~~~ text
/ack
~~~
still inside the four-tilde fence
~~~~
/status identified";
    assert_snapshot!(show(body), @"L10 /status identified => Status { status: Identified, note: None }");
}

#[test]
fn unclosed_fence_hides_the_rest_of_the_comment() {
    assert_snapshot!(show("/ack\n```\n/sev 1"), @"L1 /ack => Ack");
}

#[test]
fn quoted_command_is_ignored() {
    let body = "\
> /sev 1 customers are down
>/status resolved
   > /ic me
/ic @alice";
    assert_snapshot!(show(body), @r#"L4 /ic @alice => Commander(User("alice"))"#);
}

#[test]
fn line_right_after_a_quote_is_a_command() {
    // CommonMark renders it inside the quote (a lazy continuation line), but only lines that
    // start with `>` count as quoted: a command typed right under a quote still runs.
    assert_snapshot!(show("> Can someone take IC?\n/ic me"), @"L2 /ic me => Commander(Me)");
}

#[test]
fn command_inside_html_comment_is_ignored() {
    let body = "\
<!-- template hint:
/incident sev1 Title here

/sev 2
-->
Thanks <!-- hidden
/ack
--> for the report
/comms me";
    assert_snapshot!(show(body), @"L9 /comms me => Comms(Me)");
}

#[test]
fn html_comment_in_command_line_is_not_an_argument() {
    assert_snapshot!(
        show("/status mitigated <!-- internal: rolled back by hand --> via rollback"),
        @r#"L1 /status mitigated <!-- internal: rolled back by hand --> via rollback => Status { status: Mitigated, note: Some("via rollback") }"#
    );
}

#[test]
fn indented_code_is_not_a_command() {
    let body = "    /sev 1\n\nSee:\n\n\t/ack\n\n  /ic me";
    assert_snapshot!(show(body), @"L7 /ic me => Commander(Me)");
}

#[test]
fn path_like_line_is_not_a_command() {
    let body = "/usr/bin/env is broken\n/ thing\n/1password\n/ack, thanks\n//sev 1\n/sev:1";
    assert!(parse(body, &Vocabulary::default()).is_empty());
}

#[test]
fn inline_code_is_not_a_command() {
    let body = "`/sev 1` is how you raise it\nType `/ack` to acknowledge\n- /ic me\n# /help";
    assert!(parse(body, &Vocabulary::default()).is_empty());
}

#[test]
fn several_commands_each_get_their_own_line() {
    let body = "\
Declaring this.
/incident sev1 Checkout is down
/ic me
/stauts investigating
/comms @bob";
    assert_snapshot!(show(body), @r#"
    L2 /incident sev1 Checkout is down => Incident { severity: Some(1), title: Some("Checkout is down") }
    L3 /ic me => Commander(Me)
    L4 /stauts investigating => Err(UnknownCommand { name: "stauts", suggestion: Some("status") })
    L5 /comms @bob => Comms(User("bob"))
    "#);
}

#[test]
fn crlf_tabs_and_lone_cr_are_line_endings_and_blanks() {
    let body = "hi\r\n\t /sev\t2\tless   impact  \r\n/ack\r/ic\t@alice\r\n";
    assert_snapshot!(show(body), @r#"
    L2 /sev	2	less   impact => Severity { level: 2, reason: Some("less   impact") }
    L3 /ack => Ack
    L4 /ic	@alice => Commander(User("alice"))
    "#);
}

#[test]
fn names_are_case_insensitive_and_aliases_work() {
    let body = "\
/SEV 2 calmer
/Severity 3 calmer still
/commander @alice
/Responders @bob
/acknowledge
/action-item Fix it
/pm public";
    assert_snapshot!(show(body), @r#"
    L1 /SEV 2 calmer => Severity { level: 2, reason: Some("calmer") }
    L2 /Severity 3 calmer still => Severity { level: 3, reason: Some("calmer still") }
    L3 /commander @alice => Commander(User("alice"))
    L4 /Responders @bob => Responders { add: [User("bob")] }
    L5 /acknowledge => Ack
    L6 /action-item Fix it => Action(ActionSpec { title: "Fix it", owner: None, priority: None, kind: None, due: None })
    L7 /pm public => Postmortem(Public)
    "#);
}

#[test]
fn unknown_command_suggests_closest() {
    let body = "/stauts mitigated\n/sevv 2\n/postmortm\n/resp @a\n/severty 1\n/cc @bob\n/shrug";
    assert_snapshot!(show(body), @r#"
    L1 /stauts mitigated => Err(UnknownCommand { name: "stauts", suggestion: Some("status") })
    L2 /sevv 2 => Err(UnknownCommand { name: "sevv", suggestion: Some("sev") })
    L3 /postmortm => Err(UnknownCommand { name: "postmortm", suggestion: Some("postmortem") })
    L4 /resp @a => Err(UnknownCommand { name: "resp", suggestion: Some("responder") })
    L5 /severty 1 => Err(UnknownCommand { name: "severty", suggestion: Some("severity") })
    L6 /cc @bob => Err(UnknownCommand { name: "cc", suggestion: Some("ic") })
    L7 /shrug => Err(UnknownCommand { name: "shrug", suggestion: None })
    "#);
}

// ---------------------------------------------------------------------------------------------
// /incident and /sev

#[test]
fn incident_takes_optional_severity_and_title() {
    let body = "\
/incident sev1 Database down
/incident Database down
/incident
/incident SEV-2: Payments slow 🐢
/incident sev3";
    assert_snapshot!(show(body), @r#"
    L1 /incident sev1 Database down => Incident { severity: Some(1), title: Some("Database down") }
    L2 /incident Database down => Incident { severity: None, title: Some("Database down") }
    L3 /incident => Incident { severity: None, title: None }
    L4 /incident SEV-2: Payments slow 🐢 => Incident { severity: Some(2), title: Some("Payments slow 🐢") }
    L5 /incident sev3 => Incident { severity: Some(3), title: None }
    "#);
}

#[test]
fn incident_bare_number_starts_the_title() {
    assert_snapshot!(
        show("/incident 500 errors on checkout"),
        @r#"L1 /incident 500 errors on checkout => Incident { severity: None, title: Some("500 errors on checkout") }"#
    );
}

#[test]
fn configured_severity_names_are_accepted() {
    let vocab = Vocabulary {
        severities: vec!["Critical".into(), "Very High".into(), "Minor".into()],
    };
    let body = "\
/incident critical Everything is down
/sev very high: still bad
/sev MINOR
/sev 3 small now
/sev sev2 back up
/sev 4 too far";
    assert_snapshot!(show_with(body, &vocab), @r#"
    L1 /incident critical Everything is down => Incident { severity: Some(1), title: Some("Everything is down") }
    L2 /sev very high: still bad => Severity { level: 2, reason: Some("still bad") }
    L3 /sev MINOR => Severity { level: 3, reason: None }
    L4 /sev 3 small now => Severity { level: 3, reason: Some("small now") }
    L5 /sev sev2 back up => Severity { level: 2, reason: Some("back up") }
    L6 /sev 4 too far => Err(InvalidArgument { command: "sev", argument: "severity", value: "4", expected: "use one of `Critical`, `Very High` or `Minor`, or just the number, 1 to 3", suggestion: None })
    "#);
}

#[test]
fn sev_accepts_numbers_and_sev_forms() {
    let body = "/sev 2\n/sev sev3\n/sev SEV1\n/sev Sev-4\n/severity 2.";
    assert_snapshot!(show(body), @r"
    L1 /sev 2 => Severity { level: 2, reason: None }
    L2 /sev sev3 => Severity { level: 3, reason: None }
    L3 /sev SEV1 => Severity { level: 1, reason: None }
    L4 /sev Sev-4 => Severity { level: 4, reason: None }
    L5 /severity 2. => Severity { level: 2, reason: None }
    ");
}

#[test]
fn downgrade_reason_is_rest_of_line() {
    assert_snapshot!(
        show("/sev 3   only the EU admin panel is affected; checkout is fine  \n/sev 3 : ok"),
        @r#"
    L1 /sev 3   only the EU admin panel is affected; checkout is fine => Severity { level: 3, reason: Some("only the EU admin panel is affected; checkout is fine") }
    L2 /sev 3 : ok => Severity { level: 3, reason: Some(": ok") }
    "#
    );
}

#[test]
fn severity_outside_vocabulary_lists_valid_levels() {
    assert_snapshot!(show("/sev 5 worse\n/sev 0\n/sev high\n/incident sev9 Boom"), @r#"
    L1 /sev 5 worse => Err(InvalidArgument { command: "sev", argument: "severity", value: "5", expected: "use one of `SEV1`, `SEV2`, `SEV3` or `SEV4`, or just the number, 1 to 4", suggestion: None })
    L2 /sev 0 => Err(InvalidArgument { command: "sev", argument: "severity", value: "0", expected: "use one of `SEV1`, `SEV2`, `SEV3` or `SEV4`, or just the number, 1 to 4", suggestion: None })
    L3 /sev high => Err(InvalidArgument { command: "sev", argument: "severity", value: "high", expected: "use one of `SEV1`, `SEV2`, `SEV3` or `SEV4`, or just the number, 1 to 4", suggestion: None })
    L4 /incident sev9 Boom => Err(InvalidArgument { command: "incident", argument: "severity", value: "sev9", expected: "write one of `SEV1`, `SEV2`, `SEV3` or `SEV4`, or `sev1` to `sev4`, before the title (a bare number is read as the start of the title)", suggestion: None })
    "#);
}

// ---------------------------------------------------------------------------------------------
// /status and roles

#[test]
fn status_takes_a_status_and_an_optional_note() {
    let body = "/status mitigated rolled back 4812\n/status Resolved.\n/status monitoring: error rate normal";
    assert_snapshot!(show(body), @r#"
    L1 /status mitigated rolled back 4812 => Status { status: Mitigated, note: Some("rolled back 4812") }
    L2 /status Resolved. => Status { status: Resolved, note: None }
    L3 /status monitoring: error rate normal => Status { status: Monitoring, note: Some("error rate normal") }
    "#);
}

#[test]
fn unknown_status_suggests_closest() {
    assert_snapshot!(show("/status mitgated\n/status fixed"), @r#"
    L1 /status mitgated => Err(InvalidArgument { command: "status", argument: "status", value: "mitgated", expected: "use one of `investigating`, `identified`, `mitigated`, `monitoring` or `resolved`", suggestion: Some("mitigated") })
    L2 /status fixed => Err(InvalidArgument { command: "status", argument: "status", value: "fixed", expected: "use one of `investigating`, `identified`, `mitigated`, `monitoring` or `resolved`", suggestion: None })
    "#);
}

#[test]
fn me_and_at_me_mean_the_author() {
    assert_eq!(one("/ic me"), Ok(Command::Commander(RoleTarget::Me)));
    assert_eq!(one("/ic @ME"), Ok(Command::Commander(RoleTarget::Me)));
    assert_eq!(one("/comms Me"), Ok(Command::Comms(RoleTarget::Me)));
    assert_eq!(RoleTarget::Me.resolve("carol"), "carol");
    assert_eq!(RoleTarget::User("dan".into()).resolve("carol"), "dan");
}

#[test]
fn roles_take_exactly_one_person() {
    assert_snapshot!(show("/ic @alice-b\n/ic @alice.\n/ic @alice @bob\n/comms\n/ic me taking over"), @r#"
    L1 /ic @alice-b => Commander(User("alice-b"))
    L2 /ic @alice. => Commander(User("alice"))
    L3 /ic @alice @bob => Err(UnexpectedArgument { command: "ic", value: "@bob" })
    L4 /comms => Err(MissingArgument { command: "comms", argument: "person" })
    L5 /ic me taking over => Err(UnexpectedArgument { command: "ic", value: "taking over" })
    "#);
}

#[test]
fn teams_and_bare_logins_are_refused_with_explanation() {
    assert_snapshot!(show("/ic alice\n/comms @acme/sre\n/ic @-bad\n/ic @a--b\n/ic @this-login-is-way-too-long-for-github-000"), @r#"
    L1 /ic alice => Err(InvalidArgument { command: "ic", argument: "person", value: "alice", expected: "write people with an `@`, like `@alice`, or `me` for yourself", suggestion: Some("@alice") })
    L2 /comms @acme/sre => Err(InvalidArgument { command: "comms", argument: "person", value: "@acme/sre", expected: "roles and action items go to one person, not a team: name them like `@alice`", suggestion: None })
    L3 /ic @-bad => Err(InvalidArgument { command: "ic", argument: "person", value: "@-bad", expected: "a GitHub login has letters, digits and single hyphens, at most 39 characters, like `@alice`; write `me` for yourself", suggestion: None })
    L4 /ic @a--b => Err(InvalidArgument { command: "ic", argument: "person", value: "@a--b", expected: "a GitHub login has letters, digits and single hyphens, at most 39 characters, like `@alice`; write `me` for yourself", suggestion: None })
    L5 /ic @this-login-is-way-too-long-for-github-000 => Err(InvalidArgument { command: "ic", argument: "person", value: "@this-login-is-way-too-long-for-github-000", expected: "a GitHub login has letters, digits and single hyphens, at most 39 characters, like `@alice`; write `me` for yourself", suggestion: None })
    "#);
}

#[test]
fn responders_are_added_and_removed_in_lists() {
    let body = "\
/responder @alice @bob
/responders @alice, @bob,@carol me @Alice
/responder add me
/responder remove @bob me
/responder remove
/responder @alice bob";
    assert_snapshot!(show(body), @r#"
    L1 /responder @alice @bob => Responders { add: [User("alice"), User("bob")] }
    L2 /responders @alice, @bob,@carol me @Alice => Responders { add: [User("alice"), User("bob"), User("carol"), Me] }
    L3 /responder add me => Responders { add: [Me] }
    L4 /responder remove @bob me => RemoveResponders { remove: [User("bob"), Me] }
    L5 /responder remove => Err(MissingArgument { command: "responder", argument: "people" })
    L6 /responder @alice bob => Err(InvalidArgument { command: "responder", argument: "person", value: "bob", expected: "write people with an `@`, like `@alice`, or `me` for yourself", suggestion: Some("@bob") })
    "#);
}

#[test]
fn ack_and_help_ignore_trailing_words() {
    assert_eq!(one("/ack on it"), Ok(Command::Ack));
    assert_eq!(one("/ACK"), Ok(Command::Ack));
    assert_eq!(one("/help me please"), Ok(Command::Help));
}

// ---------------------------------------------------------------------------------------------
// /impact, /update, /timeline

#[test]
fn impact_and_update_take_the_rest_of_the_line() {
    let body = "\
/impact 30% of EU checkouts fail — café payments too
next line is not part of it
/update We rolled back; next update 15:30 UTC.
/update public: Payments are recovering.
/update Public API is slow
/update
/update public
/impact";
    assert_snapshot!(show(body), @r#"
    L1 /impact 30% of EU checkouts fail — café payments too => Impact { text: "30% of EU checkouts fail — café payments too" }
    L3 /update We rolled back; next update 15:30 UTC. => Update { public: false, text: "We rolled back; next update 15:30 UTC." }
    L4 /update public: Payments are recovering. => Update { public: true, text: "Payments are recovering." }
    L5 /update Public API is slow => Update { public: false, text: "Public API is slow" }
    L6 /update => Err(MissingArgument { command: "update", argument: "text" })
    L7 /update public => Err(MissingArgument { command: "update", argument: "text" })
    L8 /impact => Err(MissingArgument { command: "impact", argument: "text" })
    "#);
}

#[test]
fn timeline_accepts_every_time_form() {
    let body = "\
/timeline deploy started
/timeline 14:05 deploy started
/timeline 9:05 first page
/timeline 2026-11-20T14:05Z alert fired
/timeline 2026-11-20T14:05:00+01:00 alert fired
/timeline 2026-11-20t14:05:30.5-0530 alert fired
/timeline 2026-11-20 14:05 alert fired
/timeline 2026-11-20T14:05 alert fired
/timeline -20m rollback started
/timeline -2h  config change merged
/timeline -1d first customer report
/timeline -90s blip
/timeline -1h30m canary
/timeline 500 errors began";
    assert_snapshot!(show(body), @r#"
    L1 /timeline deploy started => Timeline { at: Now, text: "deploy started" }
    L2 /timeline 14:05 deploy started => Timeline { at: ClockTime { hour: 14, minute: 5 }, text: "deploy started" }
    L3 /timeline 9:05 first page => Timeline { at: ClockTime { hour: 9, minute: 5 }, text: "first page" }
    L4 /timeline 2026-11-20T14:05Z alert fired => Timeline { at: Absolute(2026-11-20T14:05:00+00:00), text: "alert fired" }
    L5 /timeline 2026-11-20T14:05:00+01:00 alert fired => Timeline { at: Absolute(2026-11-20T14:05:00+01:00), text: "alert fired" }
    L6 /timeline 2026-11-20t14:05:30.5-0530 alert fired => Timeline { at: Absolute(2026-11-20T14:05:30.500-05:30), text: "alert fired" }
    L7 /timeline 2026-11-20 14:05 alert fired => Timeline { at: LocalDateTime(2026-11-20T14:05:00), text: "alert fired" }
    L8 /timeline 2026-11-20T14:05 alert fired => Timeline { at: LocalDateTime(2026-11-20T14:05:00), text: "alert fired" }
    L9 /timeline -20m rollback started => Timeline { at: Ago(TimeDelta { secs: 1200, nanos: 0 }), text: "rollback started" }
    L10 /timeline -2h  config change merged => Timeline { at: Ago(TimeDelta { secs: 7200, nanos: 0 }), text: "config change merged" }
    L11 /timeline -1d first customer report => Timeline { at: Ago(TimeDelta { secs: 86400, nanos: 0 }), text: "first customer report" }
    L12 /timeline -90s blip => Timeline { at: Ago(TimeDelta { secs: 90, nanos: 0 }), text: "blip" }
    L13 /timeline -1h30m canary => Timeline { at: Ago(TimeDelta { secs: 5400, nanos: 0 }), text: "canary" }
    L14 /timeline 500 errors began => Timeline { at: Now, text: "500 errors began" }
    "#);
}

#[test]
fn timeline_time_that_is_not_valid_is_refused() {
    let body = "\
/timeline 25:00 late
/timeline 14:5 typo
/timeline 2026-13-01T10:00Z bad month
/timeline 2026-11-20 the day
/timeline -5x what
/timeline -400d too long ago
/timeline -0m nothing
/timeline 14:05";
    assert_snapshot!(show(body), @r#"
    L1 /timeline 25:00 late => Err(InvalidArgument { command: "timeline", argument: "time", value: "25:00", expected: "a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L2 /timeline 14:5 typo => Err(InvalidArgument { command: "timeline", argument: "time", value: "14:5", expected: "a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L3 /timeline 2026-13-01T10:00Z bad month => Err(InvalidArgument { command: "timeline", argument: "time", value: "2026-13-01T10:00Z", expected: "a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L4 /timeline 2026-11-20 the day => Err(InvalidArgument { command: "timeline", argument: "time", value: "2026-11-20", expected: "a date needs a time of day too; a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L5 /timeline -5x what => Err(InvalidArgument { command: "timeline", argument: "time", value: "-5x", expected: "a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L6 /timeline -400d too long ago => Err(InvalidArgument { command: "timeline", argument: "time", value: "-400d", expected: "a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L7 /timeline -0m nothing => Err(InvalidArgument { command: "timeline", argument: "time", value: "-0m", expected: "a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days)", suggestion: None })
    L8 /timeline 14:05 => Err(MissingArgument { command: "timeline", argument: "text" })
    "#);
}

// ---------------------------------------------------------------------------------------------
// /action

#[test]
fn action_options_in_any_order() {
    let body = "\
/action Add a retry budget to the payment client @alice P1 prevent due:+14d
/action due:2026-12-01 detect @bob p0 Alert on queue depth
/action Page the right team owner:carol mitigate due:+2w
/action Write the runbook Process owner:@me P3 due:36h
/action Just a title";
    assert_snapshot!(show(body), @r#"
    L1 /action Add a retry budget to the payment client @alice P1 prevent due:+14d => Action(ActionSpec { title: "Add a retry budget to the payment client", owner: Some(User("alice")), priority: Some(1), kind: Some(Prevent), due: Some(In(TimeDelta { secs: 1209600, nanos: 0 })) })
    L2 /action due:2026-12-01 detect @bob p0 Alert on queue depth => Action(ActionSpec { title: "Alert on queue depth", owner: Some(User("bob")), priority: Some(0), kind: Some(Detect), due: Some(Date(2026-12-01)) })
    L3 /action Page the right team owner:carol mitigate due:+2w => Action(ActionSpec { title: "Page the right team", owner: Some(User("carol")), priority: None, kind: Some(Mitigate), due: Some(In(TimeDelta { secs: 1209600, nanos: 0 })) })
    L4 /action Write the runbook Process owner:@me P3 due:36h => Action(ActionSpec { title: "Write the runbook", owner: Some(Me), priority: Some(3), kind: Some(Process), due: Some(In(TimeDelta { secs: 129600, nanos: 0 })) })
    L5 /action Just a title => Action(ActionSpec { title: "Just a title", owner: None, priority: None, kind: None, due: None })
    "#);
}

#[test]
fn action_quoted_title_keeps_option_words() {
    let body = "\
/action \"Detect and prevent P1 pages for @oncall\" prevent @alice
/action “Document the release process” process
/action Fix \"the\"   spacing   here";
    assert_snapshot!(show(body), @r#"
    L1 /action "Detect and prevent P1 pages for @oncall" prevent @alice => Action(ActionSpec { title: "Detect and prevent P1 pages for @oncall", owner: Some(User("alice")), priority: None, kind: Some(Prevent), due: None })
    L2 /action “Document the release process” process => Action(ActionSpec { title: "Document the release process", owner: None, priority: None, kind: Some(Process), due: None })
    L3 /action Fix "the"   spacing   here => Action(ActionSpec { title: "Fix the spacing here", owner: None, priority: None, kind: None, due: None })
    "#);
}

#[test]
fn action_malformed_options_explain_accepted_forms() {
    let body = "\
/action Fix it P7
/action Fix it due:tomorrow
/action Fix it due:2026-13-01
/action Fix it due:+0d
/action Fix it due:+1m
/action Fix it @team/sre
/action \"Fix it
/action @alice P1
/action Fix it type:security
/action Fix it priority:P9
/action Fix it type:Detect priority:p1";
    assert_snapshot!(show(body), @r#"
    L1 /action Fix it P7 => Err(InvalidArgument { command: "action", argument: "priority", value: "P7", expected: "a priority is `P0`, `P1`, `P2` or `P3`, `P0` being the most urgent", suggestion: None })
    L2 /action Fix it due:tomorrow => Err(InvalidArgument { command: "action", argument: "due date", value: "due:tomorrow", expected: "a due date is written `due:YYYY-MM-DD` (a real date, like `due:2026-12-01`) or as a delay from today: `due:+7d`, `due:+2w` or `due:+36h` (at most 3650 days)", suggestion: None })
    L3 /action Fix it due:2026-13-01 => Err(InvalidArgument { command: "action", argument: "due date", value: "due:2026-13-01", expected: "a due date is written `due:YYYY-MM-DD` (a real date, like `due:2026-12-01`) or as a delay from today: `due:+7d`, `due:+2w` or `due:+36h` (at most 3650 days)", suggestion: None })
    L4 /action Fix it due:+0d => Err(InvalidArgument { command: "action", argument: "due date", value: "due:+0d", expected: "a due date is written `due:YYYY-MM-DD` (a real date, like `due:2026-12-01`) or as a delay from today: `due:+7d`, `due:+2w` or `due:+36h` (at most 3650 days)", suggestion: None })
    L5 /action Fix it due:+1m => Err(InvalidArgument { command: "action", argument: "due date", value: "due:+1m", expected: "a due date is written `due:YYYY-MM-DD` (a real date, like `due:2026-12-01`) or as a delay from today: `due:+7d`, `due:+2w` or `due:+36h` (at most 3650 days)", suggestion: None })
    L6 /action Fix it @team/sre => Err(InvalidArgument { command: "action", argument: "owner", value: "@team/sre", expected: "roles and action items go to one person, not a team: name them like `@alice`", suggestion: None })
    L7 /action "Fix it => Err(InvalidArgument { command: "action", argument: "title", value: "\"Fix it", expected: "a quoted title needs its closing `\"`, like `/action \"Detect and prevent queue overload\" @alice P1`", suggestion: None })
    L8 /action @alice P1 => Err(MissingArgument { command: "action", argument: "title" })
    L9 /action Fix it type:security => Err(InvalidArgument { command: "action", argument: "type", value: "type:security", expected: "an action item's type is `mitigate`, `prevent`, `detect` or `process`", suggestion: None })
    L10 /action Fix it priority:P9 => Err(InvalidArgument { command: "action", argument: "priority", value: "priority:P9", expected: "a priority is `P0`, `P1`, `P2` or `P3`, `P0` being the most urgent", suggestion: None })
    L11 /action Fix it type:Detect priority:p1 => Action(ActionSpec { title: "Fix it", owner: None, priority: Some(1), kind: Some(Detect), due: None })
    "#);
}

#[test]
fn action_duplicate_options_are_refused() {
    let body = "\
/action Ask @bob to help @alice
/action Fix it P1 P2
/action Detect and prevent overload
/action Fix it due:+7d due:+14d";
    assert_snapshot!(show(body), @r#"
    L1 /action Ask @bob to help @alice => Err(InvalidArgument { command: "action", argument: "owner", value: "@alice", expected: "an action item has one owner and `@bob` came first — if `@alice` is part of the title, put the title in double quotes", suggestion: None })
    L2 /action Fix it P1 P2 => Err(InvalidArgument { command: "action", argument: "priority", value: "P2", expected: "an action item has one priority and `P1` came first — if `P2` is part of the title, put the title in double quotes", suggestion: None })
    L3 /action Detect and prevent overload => Err(InvalidArgument { command: "action", argument: "type", value: "prevent", expected: "an action item has one type and `Detect` came first — if `prevent` is part of the title, put the title in double quotes", suggestion: None })
    L4 /action Fix it due:+7d due:+14d => Err(InvalidArgument { command: "action", argument: "due date", value: "due:+14d", expected: "an action item has one due date and `due:+7d` came first — if `due:+14d` is part of the title, put the title in double quotes", suggestion: None })
    "#);
}

// ---------------------------------------------------------------------------------------------
// /postmortem

#[test]
fn postmortem_starts_sets_owner_or_publishes() {
    let body = "\
/postmortem
/postmortem start
/postmortem owner @alice
/pm owner me
/postmortem PUBLIC
/postmortem owner
/postmortem publish
/postmortem public now";
    assert_snapshot!(show(body), @r#"
    L1 /postmortem => Postmortem(Start)
    L2 /postmortem start => Postmortem(Start)
    L3 /postmortem owner @alice => Postmortem(Owner(User("alice")))
    L4 /pm owner me => Postmortem(Owner(Me))
    L5 /postmortem PUBLIC => Postmortem(Public)
    L6 /postmortem owner => Err(MissingArgument { command: "postmortem", argument: "owner" })
    L7 /postmortem publish => Err(InvalidArgument { command: "postmortem", argument: "subcommand", value: "publish", expected: "write `/postmortem` to start one, `/postmortem owner @login` to set its owner, or `/postmortem public` to publish the public version", suggestion: Some("public") })
    L8 /postmortem public now => Err(UnexpectedArgument { command: "postmortem", value: "now" })
    "#);
}

// ---------------------------------------------------------------------------------------------
// Limits and unusual text

#[test]
fn long_title_and_text_are_refused_with_the_limit() {
    let title = "x".repeat(TITLE_LIMIT);
    assert!(matches!(
        one(&format!("/incident {title}")),
        Ok(Command::Incident { .. })
    ));
    let error = one(&format!("/incident {title}y")).unwrap_err();
    assert_snapshot!(error, @"In `/incident`, `xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx…` is not a valid title: a title can be at most 256 characters, and this one has 257. Usage: `/incident [sevN] [title]`, for example `/incident sev1 Checkout returns 500s`.");

    let text = "é".repeat(TEXT_LIMIT);
    assert!(matches!(
        one(&format!("/update {text}")),
        Ok(Command::Update { .. })
    ));
    let error = one(&format!("/update {text}!")).unwrap_err();
    assert_snapshot!(error, @"In `/update`, `éééééééééééééééééééééééééééééééééééééééééééééééééééééééééééé…` is not a valid text: a text can be at most 4096 characters, and this one has 4097. Usage: `/update [public] <text>`, for example `/update public A fix is rolling out; next update in 30 minutes.`.");

    let action = format!("/action {} @alice", "word ".repeat(60));
    assert!(matches!(
        one(&action),
        Err(ParseError::InvalidArgument {
            argument: "title",
            ..
        })
    ));
}

#[test]
fn very_long_lines_parse_quickly() {
    let long = format!("/{} {}", "x".repeat(100_000), "y ".repeat(100_000));
    let started = std::time::Instant::now();
    assert!(matches!(
        one(&long),
        Err(ParseError::UnknownCommand {
            suggestion: None,
            ..
        })
    ));
    let long = format!("/action {}", "P1 ".repeat(50_000));
    assert!(one(&long).is_err());
    assert!(started.elapsed() < std::time::Duration::from_secs(5));
}

#[test]
fn non_ascii_text_is_kept_as_written() {
    assert_snapshot!(show("/incident sev2 Zahlungen schlagen fehl — café ☕ 🔥\n/impact 東京リージョンで遅延"), @r#"
    L1 /incident sev2 Zahlungen schlagen fehl — café ☕ 🔥 => Incident { severity: Some(2), title: Some("Zahlungen schlagen fehl — café ☕ 🔥") }
    L2 /impact 東京リージョンで遅延 => Impact { text: "東京リージョンで遅延" }
    "#);
}

// ---------------------------------------------------------------------------------------------
// What users read

#[test]
fn every_error_message_explains_the_fix() {
    let lines = "\
/stauts mitigated
/frobnicate
/sev
/sev 9 worse
/status
/status fixed
/status mitgated
/ic
/ic alice
/ic @acme/sre
/ic @alice @bob
/responder
/impact
/update public
/timeline 25:00 late
/timeline 2026-11-20 the day
/action @alice P1
/action Fix it P7
/action Fix it due:tomorrow
/action Detect and prevent overload
/action \"Unclosed title
/postmortem publish
/postmortem owner
/postmortem public now";
    assert_snapshot!(messages(lines), @r#"
    /stauts mitigated
    → `/stauts` is not a Firebreak command. Did you mean `/status`? Write `/help` to see every command.

    /frobnicate
    → `/frobnicate` is not a Firebreak command. Write `/help` to see every command.

    /sev
    → `/sev` needs a severity level, like `2`, `sev2` or `SEV2`. Usage: `/sev <level> <reason>`, for example `/sev 2 only EU customers are affected`.

    /sev 9 worse
    → In `/sev`, `9` is not a valid severity: use one of `SEV1`, `SEV2`, `SEV3` or `SEV4`, or just the number, 1 to 4. Usage: `/sev <level> <reason>`, for example `/sev 2 only EU customers are affected`.

    /status
    → `/status` needs a status: one of `investigating`, `identified`, `mitigated`, `monitoring` or `resolved`. Usage: `/status <investigating|identified|mitigated|monitoring|resolved> [note]`, for example `/status mitigated rolled back deploy 4812`.

    /status fixed
    → In `/status`, `fixed` is not a valid status: use one of `investigating`, `identified`, `mitigated`, `monitoring` or `resolved`. Usage: `/status <investigating|identified|mitigated|monitoring|resolved> [note]`, for example `/status mitigated rolled back deploy 4812`.

    /status mitgated
    → In `/status`, `mitgated` is not a valid status (did you mean `mitigated`?): use one of `investigating`, `identified`, `mitigated`, `monitoring` or `resolved`. Usage: `/status <investigating|identified|mitigated|monitoring|resolved> [note]`, for example `/status mitigated rolled back deploy 4812`.

    /ic
    → `/ic` needs a person, written `@login` (or `me` for yourself). Usage: `/ic <@user|me>`, for example `/ic me`.

    /ic alice
    → In `/ic`, `alice` is not a valid person (did you mean `@alice`?): write people with an `@`, like `@alice`, or `me` for yourself. Usage: `/ic <@user|me>`, for example `/ic me`.

    /ic @acme/sre
    → In `/ic`, `@acme/sre` is not a valid person: roles and action items go to one person, not a team: name them like `@alice`. Usage: `/ic <@user|me>`, for example `/ic me`.

    /ic @alice @bob
    → `/ic` takes nothing more, but `@bob` follows. Put anything else on a line of its own. Usage: `/ic <@user|me>`, for example `/ic me`.

    /responder
    → `/responder` needs at least one person, written `@login` (or `me` for yourself). Usage: `/responder [remove] <@user|me>…`, for example `/responder @alice @bob`.

    /impact
    → `/impact` needs some text after the command. Usage: `/impact <text>`, for example `/impact 30% of EU checkouts fail`.

    /update public
    → `/update` needs some text after the command. Usage: `/update [public] <text>`, for example `/update public A fix is rolling out; next update in 30 minutes.`.

    /timeline 25:00 late
    → In `/timeline`, `25:00` is not a valid time: a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days). Usage: `/timeline [time] <text>`, for example `/timeline 14:05 deploy 4812 started`.

    /timeline 2026-11-20 the day
    → In `/timeline`, `2026-11-20` is not a valid time: a date needs a time of day too; a time is written `14:05` (today, in the configured time zone), `2026-11-20 14:05`, `2026-11-20T14:05Z`, `2026-11-20T14:05:00+01:00`, or as a time ago: `-20m`, `-2h`, `-1d`, `-1h30m` (at most 365 days). Usage: `/timeline [time] <text>`, for example `/timeline 14:05 deploy 4812 started`.

    /action @alice P1
    → `/action` needs a title. Usage: `/action <title> [@owner] [P0-P3] [mitigate|prevent|detect|process] [due:YYYY-MM-DD|due:+7d]`, for example `/action Add a retry budget to the payment client @alice P1 prevent due:+14d`.

    /action Fix it P7
    → In `/action`, `P7` is not a valid priority: a priority is `P0`, `P1`, `P2` or `P3`, `P0` being the most urgent. Usage: `/action <title> [@owner] [P0-P3] [mitigate|prevent|detect|process] [due:YYYY-MM-DD|due:+7d]`, for example `/action Add a retry budget to the payment client @alice P1 prevent due:+14d`.

    /action Fix it due:tomorrow
    → In `/action`, `due:tomorrow` is not a valid due date: a due date is written `due:YYYY-MM-DD` (a real date, like `due:2026-12-01`) or as a delay from today: `due:+7d`, `due:+2w` or `due:+36h` (at most 3650 days). Usage: `/action <title> [@owner] [P0-P3] [mitigate|prevent|detect|process] [due:YYYY-MM-DD|due:+7d]`, for example `/action Add a retry budget to the payment client @alice P1 prevent due:+14d`.

    /action Detect and prevent overload
    → In `/action`, `prevent` is not a valid type: an action item has one type and `Detect` came first — if `prevent` is part of the title, put the title in double quotes. Usage: `/action <title> [@owner] [P0-P3] [mitigate|prevent|detect|process] [due:YYYY-MM-DD|due:+7d]`, for example `/action Add a retry budget to the payment client @alice P1 prevent due:+14d`.

    /action "Unclosed title
    → In `/action`, `"Unclosed title` is not a valid title: a quoted title needs its closing `"`, like `/action "Detect and prevent queue overload" @alice P1`. Usage: `/action <title> [@owner] [P0-P3] [mitigate|prevent|detect|process] [due:YYYY-MM-DD|due:+7d]`, for example `/action Add a retry budget to the payment client @alice P1 prevent due:+14d`.

    /postmortem publish
    → In `/postmortem`, `publish` is not a valid subcommand (did you mean `public`?): write `/postmortem` to start one, `/postmortem owner @login` to set its owner, or `/postmortem public` to publish the public version. Usage: `/postmortem [owner <@user|me>|public]`, for example `/postmortem owner @alice`.

    /postmortem owner
    → `/postmortem` needs the owner, written `@login` (or `me` for yourself). Usage: `/postmortem [owner <@user|me>|public]`, for example `/postmortem owner @alice`.

    /postmortem public now
    → `/postmortem` takes nothing more, but `now` follows. Put anything else on a line of its own. Usage: `/postmortem [owner <@user|me>|public]`, for example `/postmortem owner @alice`.
    "#);
}

#[test]
fn echoed_input_cannot_mention_or_break_markdown() {
    let error = one("/ic ``@alice`` <b>").unwrap_err().to_string();
    assert_snapshot!(error, @"In `/ic`, ``` ``@alice`` ``` is not a valid person: write people as `@login`, like `@alice`, or `me` for yourself. Usage: `/ic <@user|me>`, for example `/ic me`.");
}

// ---------------------------------------------------------------------------------------------
// The reference table and the keyword types

#[test]
fn every_command_is_in_the_table_and_its_example_parses() {
    let mut seen = std::collections::BTreeSet::new();
    for info in COMMANDS {
        assert!(seen.insert(info.name), "{} listed twice", info.name);
        for alias in info.aliases {
            assert!(seen.insert(alias), "{alias} listed twice");
        }
        assert!(
            info.usage.starts_with(&format!("/{}", info.name)),
            "{}",
            info.usage
        );
        let parsed = one(info.example).unwrap_or_else(|e| panic!("{}: {e}", info.example));
        assert_eq!(parsed.name(), info.name);
    }
    assert_eq!(COMMANDS.len(), 13);
    assert_eq!(info("ACTION-ITEM").map(|i| i.name), Some("action"));
    assert_eq!(info("nope"), None);
}

#[test]
fn reference_table_lists_every_command() {
    assert_snapshot!(reference_table(), @r"
    | command | usage | what it does |
    |---|---|---|
    | `/incident` | `/incident [sevN] [title]` | Declare this issue an incident. Without a severity it gets the configured default; without a title it keeps the issue's. |
    | `/sev` (`/severity`) | `/sev <level> <reason>` | Change the severity (`2`, `sev2` or a configured name). A downgrade needs a reason. |
    | `/status` | `/status <investigating\|identified\|mitigated\|monitoring\|resolved> [note]` | Move the incident on. `mitigated`: impact stopped by a workaround; `resolved`: fixed. |
    | `/ic` (`/commander`) | `/ic <@user\|me>` | Name the incident commander. The first `/ic` acknowledges the incident. |
    | `/comms` | `/comms <@user\|me>` | Name the communications lead, who owes stakeholder updates. |
    | `/responder` (`/responders`) | `/responder [remove] <@user\|me>…` | Add people to the responders, or remove them. |
    | `/ack` (`/acknowledge`) | `/ack` | Acknowledge the incident: stops the escalation. |
    | `/impact` | `/impact <text>` | Set the current impact statement. |
    | `/update` | `/update [public] <text>` | Post a stakeholder update; with `public`, also for the public status output. |
    | `/timeline` | `/timeline [time] <text>` | Add a timeline entry, backdated with `14:05`, `2026-11-20 14:05`, `2026-11-20T14:05Z` or `-20m`. |
    | `/action` (`/action-item`) | `/action <title> [@owner] [P0-P3] [mitigate\|prevent\|detect\|process] [due:YYYY-MM-DD\|due:+7d]` | Open a follow-up action item. Options may come anywhere; put the title in double quotes if it contains one of their words. |
    | `/postmortem` (`/pm`) | `/postmortem [owner <@user\|me>\|public]` | Start the postmortem, hand it to an owner, or publish the public version. |
    | `/help` | `/help` | List these commands. |
    ");
}

#[test]
fn keywords_round_trip() {
    for status in Status::ALL {
        assert_eq!(status.as_str().parse(), Ok(status));
        assert_eq!(status.to_string().to_uppercase().parse(), Ok(status));
    }
    for kind in ActionType::ALL {
        assert_eq!(kind.as_str().parse(), Ok(kind));
    }
    assert_snapshot!("closed".parse::<Status>().unwrap_err(), @"unknown status `closed`");
    assert_eq!(Vocabulary::default().name(2), Some("SEV2"));
    assert_eq!(Vocabulary::default().name(0), None);
}

// ---------------------------------------------------------------------------------------------
// Properties

/// Lines as the parser numbers them, written independently of it.
fn reference_lines(body: &str) -> Vec<String> {
    body.replace("\r\n", "\n")
        .replace('\r', "\n")
        .split('\n')
        .map(str::to_owned)
        .collect()
}

/// Bodies built from the pieces that matter to the scanner.
fn markdownish() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("```".to_owned()),
        Just("~~~~".to_owned()),
        Just("`".to_owned()),
        Just("> ".to_owned()),
        Just("<!--".to_owned()),
        Just("-->".to_owned()),
        Just("/".to_owned()),
        Just("/sev 1".to_owned()),
        Just("/action \"x".to_owned()),
        Just("/timeline -".to_owned()),
        Just("@".to_owned()),
        Just("    ".to_owned()),
        Just("\t".to_owned()),
        Just("\n".to_owned()),
        Just("\r\n".to_owned()),
        Just("\r".to_owned()),
        Just("é🔥\u{a0}\u{2028}".to_owned()),
        "[a-z0-9:+ -]{0,6}",
        any::<String>(),
    ];
    proptest::collection::vec(piece, 0..40).prop_map(|pieces| pieces.concat())
}

proptest! {
    #[test]
    fn arbitrary_input_never_panics_and_lines_point_at_commands(body in markdownish()) {
        let lines = reference_lines(&body);
        let parsed = parse(&body, &Vocabulary::default());
        let mut previous = 0;
        for p in &parsed {
            prop_assert!(p.line > previous, "lines in order, each once");
            previous = p.line;
            let line = lines[p.line - 1].trim();
            prop_assert!(line.starts_with('/'), "line {} is {:?}", p.line, line);
            prop_assert_eq!(line, p.text.as_str());
            if let Err(error) = &p.result {
                let _ = error.to_string();
            }
        }
    }

    #[test]
    fn arbitrary_unicode_never_panics(body in any::<String>()) {
        for p in parse(&body, &Vocabulary::default()) {
            if let Err(error) = p.result {
                let _ = error.to_string();
            }
        }
    }

    #[test]
    fn quoting_every_line_hides_all_commands(body in markdownish()) {
        let quoted: Vec<String> = reference_lines(&body).iter().map(|l| format!("> {l}")).collect();
        prop_assert!(parse(&quoted.join("\n"), &Vocabulary::default()).is_empty());
    }

    #[test]
    fn fencing_a_body_hides_all_commands(body in markdownish()) {
        let longest = body.split(|c| c != '`').map(str::len).max().unwrap_or(0);
        let fence = "`".repeat(longest.max(2) + 1);
        let fenced = format!("{fence}\n{body}\n{fence}\n");
        prop_assert!(parse(&fenced, &Vocabulary::default()).is_empty());
    }
}
