//! Becoming an incident: an issue opened or labeled with the incident label (its issue form's
//! Severity read from the body), a person's `/incident` comment, or a declaration from outside
//! (`firebreak declare`, a `repository_dispatch` alert), which opens a new issue.

use chrono::{DateTime, Utc};

use super::commands::DONE;
use super::{Cx, HandEvent, HandKind, Input, Plan, Trigger, labels, vocabulary};
use crate::command::{self, Command};
use crate::config::{Config, OpenTo};
use crate::incident::Incident;
use crate::incident::section;
use crate::incident::timeline::{self, Entry, EntryKind};
use crate::render::{self, names};

/// Who declares when nobody is named (alerts, scripts).
pub const DEFAULT_DECLARER: &str = "firebreak";

/// A declaration from outside the issue: `firebreak declare`, an alert.
#[derive(Debug, Clone)]
pub struct Request {
    pub title: String,
    /// Name or level; `None` → the configured default.
    pub severity: Option<String>,
    pub body: String,
    pub fingerprint: Option<String>,
    pub by: String,
}

impl Request {
    /// From a `repository_dispatch` client payload `{title, severity, body, fingerprint}`.
    pub fn from_dispatch(payload: &serde_json::Value) -> Result<Request, String> {
        let text = |key: &str| -> Result<Option<String>, String> {
            match payload.get(key) {
                None | Some(serde_json::Value::Null) => Ok(None),
                Some(serde_json::Value::String(s)) => Ok(Some(s.clone())),
                Some(serde_json::Value::Number(n)) => Ok(Some(n.to_string())),
                Some(other) => Err(format!(
                    "client_payload.{key} must be a string, not {other}"
                )),
            }
        };
        let title = text("title")?
            .filter(|t| !t.trim().is_empty())
            .ok_or_else(|| {
                "client_payload.title is required for a repository_dispatch of type `incident`"
                    .to_string()
            })?;
        Ok(Request {
            title,
            severity: text("severity")?,
            body: text("body")?.unwrap_or_default(),
            fingerprint: text("fingerprint")?.filter(|f| !f.trim().is_empty()),
            by: DEFAULT_DECLARER.into(),
        })
    }

    /// The timeline entry of an alert firing again on the open incident it names.
    pub fn repeat_entry(&self, now: DateTime<Utc>) -> Entry {
        Entry::new(
            now,
            EntryKind::Alert,
            &self.by,
            format!(
                "Alert fired again: {}",
                timeline::cut(&self.title, timeline::EXCERPT_CHARS)
            ),
        )
        .with_key(format!("alert@{}", now.timestamp_millis()))
    }
}

/// Resolves the requested severity against config.
pub fn severity_of(config: &Config, requested: Option<&str>) -> Result<u8, String> {
    match requested {
        None => Ok(config.default_severity),
        Some(s) => config.level_of(s.trim()).ok_or_else(|| {
            format!(
                "unknown severity `{s}`: use one of {}",
                config.severity_names().join(", ")
            )
        }),
    }
}

/// The plan that opens a new incident issue for `request`: its labels (created first where
/// the repository lacks them), title and body with the section. `severity` is resolved.
pub fn open(
    config: &Config,
    request: &Request,
    severity: u8,
    facts: &super::Facts,
    now: DateTime<Utc>,
) -> Plan {
    let mut plan = Plan::new(0);
    let Some(existing) = &facts.labels else {
        plan.need(super::Need::Labels);
        return plan;
    };
    plan.create_labels = labels::missing(config, existing);
    let mut incident =
        Incident::declare(&request.title, severity, &request.by, now, config.timezone);
    incident.fingerprint = request.fingerprint.clone();
    incident.labels_ready = true;
    let text = format!("{} by {}", config.severity_name(severity), request.by);
    timeline::upsert(
        &mut incident.timeline,
        Entry::new(now, EntryKind::Declared, &request.by, text).with_key("declared"),
    );
    // The issue URL is unknown until it exists: links in the first render are relative.
    let rendered = super::docs::section(config, &incident, "", &[]);
    let body = section::compose(&request.body, &rendered, &incident, "");
    plan.open = Some(super::plan::NewIssue {
        title: config.title_for(severity, &request.title),
        body,
        labels: vec![
            labels::LABEL_INCIDENT.into(),
            labels::severity_label(severity),
            labels::status_label(incident.status),
        ],
        assignees: Vec::new(),
    });
    plan.notes.push(format!("declared `{}`", incident.record));
    plan.severity_name = Some(config.severity_name(severity));
    plan.incident = Some(incident);
    plan
}

/// Who put the incident label on the issue, and when: the author when it was opened with it,
/// the person whose labeling woke the run, or (when a run was missed) the last person the
/// issue's events say added it.
fn labeled_by(input: &Input) -> Option<(String, DateTime<Utc>)> {
    let issue = input.issue;
    match &input.trigger {
        Trigger::Opened => return Some((issue.user.login.clone(), issue.created_at)),
        Trigger::Hand(HandEvent {
            kind: HandKind::Labeled(_),
            sender,
            at,
        }) => return Some((sender.login.clone(), *at)),
        _ => {}
    }
    input
        .events?
        .iter()
        .rev()
        .filter(|e| e.event == "labeled")
        .filter(|e| {
            e.label
                .as_ref()
                .is_some_and(|l| l.name.eq_ignore_ascii_case(labels::LABEL_INCIDENT))
        })
        .find_map(|e| {
            let actor = e.actor.as_ref()?;
            let ours = super::is_ours_login(input.bot, &actor.login);
            (!actor.is_bot() && !ours).then(|| (actor.login.clone(), e.created_at))
        })
}

/// A new incident, when this issue is being declared: opened or labeled with the incident
/// label (even when the run for it was missed), or a person's `/incident` comment.
pub(super) fn from_issue(cx: &mut Cx) -> Option<Incident> {
    let Input {
        config,
        issue,
        comments,
        authorizer,
        ..
    } = cx.input;
    let labeled = issue
        .has_label(labels::LABEL_INCIDENT)
        .then(|| labeled_by(cx.input))
        .flatten();
    let form = form_severity(config, issue.body_text());
    // Labeled by someone who may not declare: a responder's `/incident` may still confirm it.
    let mut waiting = None;
    if let Some((by, at)) = labeled {
        let severity = form.unwrap_or(config.default_severity);
        // The issue form applies the label for whoever opens it: only people who may declare
        // do so by opening an issue; anyone else's report waits for a responder.
        let association = if by.eq_ignore_ascii_case(&issue.user.login) {
            issue.author_association.as_str()
        } else {
            // Only people with triage rights or more can label someone else's issue.
            "COLLABORATOR"
        };
        if config.declare.open_to == OpenTo::Permitted
            && !authorizer.permits(&by, association, "incident")
        {
            waiting = Some(by);
        } else {
            let title = strip_severity_prefix(config, &issue.title);
            let entry = Entry::new(at, EntryKind::Declared, &by, "").with_key("declared");
            return Some(declared(cx, &title, severity, entry));
        }
    }
    let vocab = vocabulary(config);
    let input = cx.input;
    for comment in comments.iter().filter(|c| input.is_person(c)) {
        for line in command::parse(comment.body_text(), &vocab) {
            let Ok(Command::Incident { severity, title }) = &line.result else {
                continue;
            };
            if !authorizer.allowed(comment, "incident") {
                super::comments::refuse(cx, None, comment, vec!["incident".to_string()]);
                return None;
            }
            // Confirming a report from the issue form keeps the severity chosen there.
            let severity = severity.or(form).unwrap_or(config.default_severity);
            let title = title
                .clone()
                .unwrap_or_else(|| strip_severity_prefix(config, &issue.title));
            let entry = Entry::new(
                comment.created_at,
                EntryKind::Declared,
                &comment.user.login,
                "",
            )
            .from_comment(comment.id, Some(line.line));
            let incident = declared(cx, &title, severity, entry);
            cx.plan.react(comment.id, DONE);
            cx.declared_now = Some(comment.id);
            return Some(incident);
        }
    }
    if let Some(by) = waiting {
        awaiting_triage(cx, &by, form);
    }
    None
}

/// A report by someone who may not declare: one short reply saying how a responder confirms
/// it. Nothing else: no severity, no escalation, until someone who may runs `/incident`.
fn awaiting_triage(cx: &mut Cx, author: &str, form: Option<u8>) {
    let config = cx.input.config;
    let view = TriageView {
        author: author.to_string(),
        severity: form.map(|level| config.severity_name(level)),
    };
    cx.plan.comment(
        format!("triage-{}", cx.input.issue.number),
        render::render(names::TRIAGE, &view),
    );
    cx.plan.notes.push(format!(
        "#{} was reported by @{author}, who may not declare incidents: it waits for a responder's /incident",
        cx.input.issue.number
    ));
}

#[derive(serde::Serialize)]
struct TriageView {
    author: String,
    /// The severity the issue form says, if it says one.
    severity: Option<String>,
}

/// A new incident, declared by `entry`'s author at its time; the entry's text is set here.
fn declared(cx: &mut Cx, title: &str, severity: u8, mut entry: Entry) -> Incident {
    let config = cx.input.config;
    let name = config.severity_name(severity);
    let mut incident = Incident::declare(title, severity, &entry.by, entry.at, config.timezone);
    entry.text = format!("{name} by {}", entry.by);
    timeline::upsert(&mut incident.timeline, entry);
    cx.plan
        .notes
        .push(format!("declared #{} as {name}", cx.input.issue.number));
    incident
}

/// The severity chosen in an issue form's `### Severity` field, if any.
pub fn form_severity(config: &Config, body: &str) -> Option<u8> {
    let mut lines = body.lines().map(str::trim);
    lines.find(|l| {
        l.trim_start_matches('#')
            .trim()
            .eq_ignore_ascii_case("severity")
            && l.starts_with('#')
    })?;
    let value = lines.find(|l| !l.is_empty())?;
    let token = value
        .split(|c: char| c.is_whitespace() || c == '(' || c == '—' || c == '-' || c == ':')
        .find(|t| !t.is_empty())?;
    config.level_of(token)
}

/// The title without a leading `[SEVn]`-style prefix Firebreak (or a person) put there.
pub fn strip_severity_prefix(config: &Config, title: &str) -> String {
    let trimmed = title.trim();
    if let Some(rest) = trimmed.strip_prefix('[')
        && let Some((inside, after)) = rest.split_once(']')
        && config.level_of(inside.trim()).is_some()
    {
        return after.trim().to_string();
    }
    trimmed.to_string()
}
