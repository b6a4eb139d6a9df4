//! Postmortems (SPEC §3): the draft pull request, its checklist, the close gate, the index and
//! the public version.
//!
//! Everything here is pure except [`flow`], which performs the GitHub operations the engine
//! planned ([`Intents`]) and is called by the runner:
//!
//! - [`decide`]: folded into the engine's decision — when a postmortem is owed, its due date,
//!   the `postmortem:required` label, the checklist, the close gate, what a merge changes;
//! - [`markdown`]: sections, placeholders and managed blocks of a postmortem file;
//! - [`checklist`]: the requirements, evaluated from the incident and what was read from the PR;
//! - [`views`] and [`templates`]: what the files and comments say (handlebars, overridable per
//!   repository);
//! - [`redact`]: the public version's redaction and its leak check;
//! - [`index`]: `docs/postmortems/README.md`, newest first.
//!
//! A postmortem pull request names its incident in a hidden marker in its body
//! (`<!-- firebreak:postmortem incident=12 -->`) and in its branch (`postmortem/12-<slug>`),
//! so any event about it finds the incident.

pub mod checklist;
pub mod decide;
pub mod flow;
pub mod index;
pub mod markdown;
pub mod public;
pub mod redact;

#[cfg(test)]
mod tests;

use crate::config::{Config, PostmortemPolicy};
use crate::incident::{Incident, Status};

pub use decide::Intents;

/// The label an incident carries while its postmortem is required.
pub const LABEL_REQUIRED: &str = "postmortem:required";
/// The label on postmortem pull requests.
pub const LABEL_POSTMORTEM: &str = "postmortem";

const PULL_MARKER_PREFIX: &str = "<!-- firebreak:postmortem incident=";
const CHECKLIST_MARKER_PREFIX: &str = "<!-- firebreak:checklist incident=";

/// The hidden marker in a postmortem pull request's body naming its incident.
pub fn pull_marker(incident: u64) -> String {
    format!("{PULL_MARKER_PREFIX}{incident} -->")
}

/// The hidden marker ending the checklist comment.
pub fn checklist_marker(incident: u64) -> String {
    format!("{CHECKLIST_MARKER_PREFIX}{incident} -->")
}

/// The incident a pull request is the postmortem of: from the marker in its body, else from
/// its branch name (`<branch_prefix><number>-<slug>`).
pub fn incident_of_pull(config: &Config, body: &str, head: Option<&str>) -> Option<u64> {
    let from_marker = body.find(PULL_MARKER_PREFIX).and_then(|i| {
        let rest = &body[i + PULL_MARKER_PREFIX.len()..];
        let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
        digits.parse().ok()
    });
    from_marker.or_else(|| {
        let rest = head?.strip_prefix(config.postmortem.branch_prefix.as_str())?;
        let (number, _) = rest.split_once('-')?;
        number.parse().ok()
    })
}

/// The severity's postmortem policy (the default policy for an unknown level).
pub fn policy(config: &Config, incident: &Incident) -> PostmortemPolicy {
    config
        .severity(incident.severity)
        .map(|s| s.postmortem)
        .unwrap_or_default()
}

/// The severity requires a postmortem.
pub fn required(config: &Config, incident: &Incident) -> bool {
    policy(config, incident).required
}

/// The incident has reached the status at which a required postmortem's draft opens.
pub fn draft_status_reached(config: &Config, incident: &Incident) -> bool {
    match config.postmortem.open_draft_at {
        crate::config::DraftAt::Mitigated => incident.mitigated_at.is_some(),
        crate::config::DraftAt::Resolved => {
            incident.resolved_at.is_some() || incident.status == Status::Resolved
        }
    }
}

/// A postmortem is owed or under way: required and past the draft status, or started.
pub fn owed(config: &Config, incident: &Incident) -> bool {
    let started = incident.postmortem.as_ref().is_some_and(|p| p.started);
    started || (required(config, incident) && draft_status_reached(config, incident))
}

/// Who owns the postmortem: the one named with `/postmortem owner`, else the incident
/// commander.
pub fn owner(incident: &Incident) -> Option<String> {
    incident
        .postmortem
        .as_ref()
        .and_then(|p| p.owner.clone())
        .or_else(|| incident.commander.clone())
}

/// `YYYY-MM-DD-<slug>` from the record name (`YYYY-MM-DD HH:MM <slug>`), stable for the
/// incident's life even when its title changes.
pub fn file_stem(incident: &Incident) -> String {
    let record = incident.record.as_str();
    let date = record.get(..10).unwrap_or("undated");
    let slug = record
        .get(17..)
        .filter(|s| !s.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| crate::incident::slug(&incident.title));
    format!("{date}-{slug}")
}

/// `docs/postmortems/<YYYY-MM-DD>-<slug>.md`.
pub fn file_path(config: &Config, incident: &Incident) -> String {
    format!(
        "{}/{}.md",
        config.postmortem.directory.trim_end_matches('/'),
        file_stem(incident)
    )
}

/// `docs/postmortems/public/<YYYY-MM-DD>-<slug>.md`.
pub fn public_path(config: &Config, incident: &Incident) -> String {
    format!(
        "{}/{}.md",
        config.postmortem.public.directory.trim_end_matches('/'),
        file_stem(incident)
    )
}

/// `postmortem/<number>-<slug>`.
pub fn branch_name(config: &Config, number: u64, incident: &Incident) -> String {
    let stem = file_stem(incident);
    let slug = stem.get(11..).unwrap_or(&stem);
    format!("{}{number}-{slug}", config.postmortem.branch_prefix)
}

/// Runs `/postmortem`, `/postmortem owner @x` or `/postmortem public` typed by `author`: changes
/// the incident (publishing is an intent for [`flow`]) and returns the timeline text, or why it
/// cannot run. `key` identifies the command line (`<comment>.<line>`).
pub fn command(
    incident: &mut Incident,
    command: &crate::command::PostmortemCommand,
    author: &str,
    key: &str,
    intents: &mut Intents,
) -> Result<String, String> {
    use crate::command::PostmortemCommand;
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
            intents.publish = Some(format!("public-{key}"));
            Ok("Public postmortem requested".to_string())
        }
    }
}

/// Cheap check before reading configuration: could this pull request be a postmortem (a marker
/// in its body, or a branch `<prefix><number>-…`)?
pub fn may_name_incident(body: &str, head: Option<&str>) -> bool {
    body.contains(PULL_MARKER_PREFIX)
        || head.is_some_and(|h| {
            h.split('/')
                .next_back()
                .and_then(|last| last.split_once('-'))
                .is_some_and(|(n, _)| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
        })
}
