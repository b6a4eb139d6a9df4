//! The slash commands: one `command_<name>` handler per [`Command`] variant, dispatched by an
//! exhaustive match. A command either changes the incident (and returns the timeline text
//! describing the change) or fails with a reason written for the person who typed it.

use chrono::{DateTime, Duration, NaiveDate, TimeZone, Utc};

use super::{Cx, Done, Input, Noted, noted};
use crate::command::{self, Command, ParsedLine, PostmortemCommand, RoleTarget, TimeSpec};
use crate::event::Comment;
use crate::incident::timeline::EntryKind;
use crate::incident::{Incident, PublicUpdate, Stamped, Status, Update, human_duration};
use crate::render::{self, names};

/// Success reaction on a comment whose commands all ran.
pub const DONE: &str = "+1";

pub(super) fn execute(
    cx: &mut Cx,
    incident: &mut Incident,
    comment: &Comment,
    line: &ParsedLine,
    command: &Command,
) -> Done {
    let at = comment.created_at;
    let author = comment.user.login.as_str();
    match command {
        Command::Incident { .. } => command_incident(cx.input, incident),
        Command::Severity { level, reason } => {
            command_severity(cx.input, incident, *level, reason.as_deref())
        }
        Command::Status { status, note } => {
            command_status(cx, incident, *status, note.as_deref(), comment, line)
        }
        Command::Commander(target) => Ok(command_role(
            incident,
            Role::Commander,
            target.resolve(author),
            at,
            &mut cx.former_role_holders,
        )),
        Command::Comms(target) => Ok(command_role(
            incident,
            Role::Comms,
            target.resolve(author),
            at,
            &mut cx.former_role_holders,
        )),
        Command::Responders { add } => command_responders_add(incident, add, author),
        Command::RemoveResponders { remove } => {
            command_responders_remove(incident, remove, author, &mut cx.former_role_holders)
        }
        Command::Ack => Ok(command_ack(incident, at)),
        Command::Impact { text } => {
            incident.impact = Some(Stamped {
                text: text.clone(),
                by: author.to_string(),
                at,
            });
            Ok(vec![noted(EntryKind::Impact, format!("Impact: {text}"))])
        }
        Command::Update { public, text } => {
            command_update(cx, incident, comment, line.line, *public, text)
        }
        Command::Timeline { at: when, text } => command_timeline(cx.input, comment, when, text),
        Command::Action(spec) => super::items::command_action(cx, incident, comment, line, spec),
        Command::Postmortem(command) => {
            let key = format!("{}.{}", comment.id, line.line);
            let text = command_postmortem(cx, incident, command, author, &key)?;
            Ok(vec![noted(EntryKind::Postmortem, text)])
        }
        Command::Help => Ok(Vec::new()),
    }
}

fn command_status(
    cx: &mut Cx,
    incident: &mut Incident,
    status: Status,
    note: Option<&str>,
    comment: &Comment,
    line: &ParsedLine,
) -> Done {
    if incident.status == status {
        return Err(format!("the incident is already `{}`.", status.as_str()));
    }
    let from = incident.status;
    incident.set_status(status, comment.created_at);
    let mut text = format!("Status {} → {}", from.as_str(), status.as_str());
    if let Some(note) = note {
        text.push_str(&format!(": {note}"));
    }
    if matches!(status, Status::Mitigated | Status::Resolved) {
        let config = cx.input.config;
        let outcome = if status == Status::Resolved {
            "resolved"
        } else {
            "mitigated"
        };
        let mut mentions = incident.role_holders();
        if !mentions
            .iter()
            .any(|m| m.eq_ignore_ascii_case(&incident.declared_by))
        {
            mentions.push(incident.declared_by.clone());
        }
        let view = render::ResolutionView {
            outcome,
            title: incident.title.clone(),
            severity: config.severity_name(incident.severity),
            by: comment.user.login.clone(),
            note: note.map(str::to_string),
            mentions,
            duration: human_duration(comment.created_at - incident.declared_at),
            postmortem: Some(super::postmortem::notice(config, incident)),
        };
        cx.plan.comment(
            format!("{outcome}-{}.{}", comment.id, line.line),
            render::render(names::RESOLUTION, &view),
        );
    }
    Ok(vec![noted(EntryKind::Status, text)])
}

fn command_update(
    cx: &mut Cx,
    incident: &mut Incident,
    comment: &Comment,
    line: usize,
    public: bool,
    text: &str,
) -> Done {
    let config = cx.input.config;
    let at = comment.created_at;
    if public {
        incident.add_public_update(PublicUpdate {
            key: format!("c{}.{line}", comment.id),
            at,
            status: incident.status,
            text: text.to_string(),
        });
    }
    incident.update = Some(Update {
        text: text.to_string(),
        by: comment.user.login.clone(),
        at,
        public,
    });
    let view = render::UpdateView {
        title: incident.title.clone(),
        severity: config.severity_name(incident.severity),
        status: incident.status.as_str(),
        by: comment.user.login.clone(),
        at: render::format_time(at, config.timezone),
        text: text.to_string(),
        public,
        impact: incident.impact.as_ref().map(|i| i.text.clone()),
    };
    cx.plan.comment(
        format!("update-{}", comment.id),
        render::render(names::UPDATE, &view),
    );
    let label = if public { "Public update" } else { "Update" };
    Ok(vec![noted(EntryKind::Update, format!("{label}: {text}"))])
}

/// `/postmortem`, `/postmortem owner @x` or `/postmortem public`: changes the incident
/// (publishing is decided with the rest of the postmortem) and returns the timeline text.
fn command_postmortem(
    cx: &mut Cx,
    incident: &mut Incident,
    command: &PostmortemCommand,
    author: &str,
    key: &str,
) -> Result<String, String> {
    let pull = incident.postmortem.as_ref().and_then(|p| p.pull);
    match command {
        PostmortemCommand::Start => {
            if let Some(n) = pull {
                return Err(format!("the postmortem is already open: #{n}."));
            }
            let pm = incident.postmortem.get_or_insert_with(Default::default);
            if pm.started {
                return Err("the postmortem is already started; its draft is being opened.".into());
            }
            pm.started = true;
            Ok("Postmortem started".to_string())
        }
        PostmortemCommand::Owner(target) => {
            let login = target.resolve(author).trim_start_matches('@').to_string();
            let pm = incident.postmortem.get_or_insert_with(Default::default);
            if pm
                .owner
                .as_deref()
                .is_some_and(|o| o.eq_ignore_ascii_case(&login))
            {
                return Err(format!("{login} already owns the postmortem."));
            }
            let previous = pm.owner.replace(login.clone());
            Ok(match previous {
                Some(p) => format!("Postmortem owner: {login} (was {p})"),
                None => format!("Postmortem owner: {login}"),
            })
        }
        PostmortemCommand::Public => {
            if pull.is_none() {
                return Err(
                    "there is no postmortem draft to publish yet: it opens when the incident is mitigated (required severities) or with `/postmortem`."
                        .into(),
                );
            }
            cx.publish = Some(format!("public-{key}"));
            Ok("Public postmortem requested".to_string())
        }
    }
}

pub(super) fn direction(from: u8, to: u8) -> &'static str {
    if to < from { "upgraded" } else { "downgraded" }
}

fn command_incident(input: &Input, incident: &Incident) -> Done {
    Err(format!(
        "this issue is already incident `{}` ({}). Use `/sev N <reason>` to change its severity.",
        incident.record,
        input.config.severity_name(incident.severity)
    ))
}

fn command_severity(
    input: &Input,
    incident: &mut Incident,
    level: u8,
    reason: Option<&str>,
) -> Done {
    let config = input.config;
    let from = incident.severity;
    if level == from {
        return Err(format!(
            "the incident is already {}.",
            config.severity_name(level)
        ));
    }
    let downgrade = level > from;
    if downgrade && reason.is_none() {
        return Err(format!(
            "a downgrade needs a reason, so everyone can see why the incident matters less now. Write it after the level, e.g. `/sev {level} impact limited to internal tools`."
        ));
    }
    incident.severity = level;
    let mut text = format!(
        "Severity {} {} → {}",
        direction(from, level),
        config.severity_name(from),
        config.severity_name(level)
    );
    if let Some(reason) = reason {
        text.push_str(&format!(": {reason}"));
    }
    Ok(vec![noted(EntryKind::Severity, text)])
}

#[derive(Clone, Copy)]
enum Role {
    Commander,
    Comms,
}

fn command_role(
    incident: &mut Incident,
    role: Role,
    login: &str,
    at: DateTime<Utc>,
    former: &mut Vec<String>,
) -> Vec<Noted> {
    let (slot, name) = match role {
        Role::Commander => (&mut incident.commander, "Incident commander"),
        Role::Comms => (&mut incident.comms, "Comms lead"),
    };
    let previous = slot.replace(login.to_string());
    let mut entries = vec![noted(
        EntryKind::Role,
        match &previous {
            Some(p) if !p.eq_ignore_ascii_case(login) => format!("{name}: {login} (was {p})"),
            _ => format!("{name}: {login}"),
        },
    )];
    if let Some(p) = previous {
        former.push(p);
    }
    if matches!(role, Role::Commander) && incident.acknowledge(at) {
        entries.push(noted(
            EntryKind::Acknowledged,
            format!("acknowledged by {login}"),
        ));
    }
    entries
}

fn command_responders_add(incident: &mut Incident, add: &[RoleTarget], author: &str) -> Done {
    let mut added = Vec::new();
    for target in add {
        let login = target.resolve(author);
        if !incident
            .responders
            .iter()
            .any(|r| r.eq_ignore_ascii_case(login))
        {
            incident.responders.push(login.to_string());
            added.push(login.to_string());
        }
    }
    if added.is_empty() {
        return Err("everyone named is already a responder.".into());
    }
    Ok(vec![noted(
        EntryKind::Role,
        format!("Responders added: {}", added.join(", ")),
    )])
}

fn command_responders_remove(
    incident: &mut Incident,
    remove: &[RoleTarget],
    author: &str,
    former: &mut Vec<String>,
) -> Done {
    let mut removed = Vec::new();
    for target in remove {
        let login = target.resolve(author);
        if let Some(pos) = incident
            .responders
            .iter()
            .position(|r| r.eq_ignore_ascii_case(login))
        {
            removed.push(incident.responders.remove(pos));
        }
    }
    if removed.is_empty() {
        return Err("nobody named is a responder.".into());
    }
    former.extend(removed.iter().cloned());
    Ok(vec![noted(
        EntryKind::Role,
        format!("Responders removed: {}", removed.join(", ")),
    )])
}

fn command_ack(incident: &mut Incident, at: DateTime<Utc>) -> Vec<Noted> {
    if incident.acknowledge(at) {
        vec![noted(EntryKind::Acknowledged, "Acknowledged")]
    } else {
        Vec::new()
    }
}

/// How far in the future a `/timeline` time may be (clock skew between people and GitHub).
const TIMELINE_FUTURE_SLACK: Duration = Duration::minutes(2);

fn command_timeline(input: &Input, comment: &Comment, when: &TimeSpec, text: &str) -> Done {
    let tz = input.config.timezone;
    let written = comment.created_at;
    let at = match when {
        TimeSpec::Now => written,
        TimeSpec::Ago(d) => written.checked_sub_signed(*d).unwrap_or(written),
        TimeSpec::Absolute(t) => t.with_timezone(&Utc),
        TimeSpec::LocalDateTime(naive) => match tz.from_local_datetime(naive).earliest() {
            Some(t) => t.with_timezone(&Utc),
            None => {
                return Err(format!(
                    "`{naive}` does not exist in {} (a clock change).",
                    tz.name()
                ));
            }
        },
        TimeSpec::ClockTime { hour, minute } => {
            let today: NaiveDate = written.with_timezone(&tz).date_naive();
            let resolve = |day: NaiveDate| {
                day.and_hms_opt(*hour, *minute, 0)
                    .and_then(|n| tz.from_local_datetime(&n).earliest())
                    .map(|t| t.with_timezone(&Utc))
            };
            match resolve(today) {
                // A clock time later than the comment means yesterday (written after midnight).
                Some(t) if t > written + TIMELINE_FUTURE_SLACK => {
                    match today.pred_opt().and_then(resolve) {
                        Some(t) => t,
                        None => return Err("that time does not exist.".into()),
                    }
                }
                Some(t) => t,
                None => {
                    return Err(format!(
                        "{hour:02}:{minute:02} does not exist today in {}.",
                        tz.name()
                    ));
                }
            }
        }
    };
    if at > written + TIMELINE_FUTURE_SLACK {
        return Err(format!(
            "{} is in the future; the timeline records what already happened.",
            render::format_time(at, tz)
        ));
    }
    // Backdated entries carry their own time, so they sort where they belong.
    Ok(vec![Noted {
        kind: EntryKind::Note,
        text: text.to_string(),
        at: Some(at),
    }])
}

pub(super) fn help_view(input: &Input) -> render::HelpView {
    render::HelpView {
        commands: command::COMMANDS
            .iter()
            .map(|c| render::HelpRow {
                usage: crate::markdown::escape_cell_prose(&format!("`{}`", c.usage)),
                summary: crate::markdown::escape_cell_prose(c.summary),
            })
            .collect(),
        severities: input.config.severity_names(),
        statuses: Status::ALL.iter().map(|s| s.as_str()).collect(),
    }
}
