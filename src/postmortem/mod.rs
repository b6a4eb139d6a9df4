//! Postmortems (SPEC §3), the rules: which severity owes one and when its draft opens, who
//! owns it, how its branch, file and markers are named, what its checklist requires, how its
//! sections are read, and how the public version is redacted. Pure.
//!
//! - [`checklist`]: the requirements, evaluated from the incident and what was read from the
//!   pull request;
//! - [`markdown`]: sections, placeholders and managed blocks of a postmortem file;
//! - [`redact`]: the public version's redaction and its leak check.
//!
//! The decisions (drafting, the close gate, the index, publishing) are the engine's
//! ([`crate::engine`]); the texts are templates ([`crate::render`]).
//!
//! A postmortem pull request names its incident in a hidden marker in its body
//! (`<!-- firebreak:postmortem incident=12 -->`) and in its branch (`postmortem/12-<slug>`),
//! so any event about it finds the incident.

pub mod checklist;
pub mod markdown;
pub mod redact;

use crate::config::{Config, PostmortemPolicy};
use crate::incident::{Incident, Status};

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
    marked_incident(body).or_else(|| {
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

/// Whether `branch` is a postmortem branch of incident `number` (`<prefix><number>-…`): only
/// such a branch is ever read or written as its postmortem.
pub fn is_branch_of(config: &Config, number: u64, branch: &str) -> bool {
    branch
        .strip_prefix(config.postmortem.branch_prefix.as_str())
        .and_then(|rest| rest.strip_prefix(&format!("{number}-")))
        .is_some_and(|slug| !slug.is_empty())
}

/// The incident the marker in a pull request's body names, if it carries one.
pub fn marked_incident(body: &str) -> Option<u64> {
    let i = body.find(PULL_MARKER_PREFIX)?;
    let rest = &body[i + PULL_MARKER_PREFIX.len()..];
    let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
    digits.parse().ok()
}

/// `postmortem/<number>-<slug>`.
pub fn branch_name(config: &Config, number: u64, incident: &Incident) -> String {
    let stem = file_stem(incident);
    let slug = stem.get(11..).unwrap_or(&stem);
    format!("{}{number}-{slug}", config.postmortem.branch_prefix)
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

/// A link from the index to `path`: relative when the file is beside or below the index.
pub fn relative_link(index: &str, path: &str) -> String {
    let dir = index.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if dir.is_empty() {
        return path.to_string();
    }
    match path.strip_prefix(&format!("{dir}/")) {
        Some(rest) => rest.to_string(),
        None => format!("/{path}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_branches_of_this_incident_count() {
        let config = Config::default();
        assert!(is_branch_of(&config, 12, "postmortem/12-db-down"));
        assert!(!is_branch_of(&config, 12, "postmortem/120-db-down"));
        assert!(!is_branch_of(&config, 12, "postmortem/12-"));
        assert!(!is_branch_of(&config, 12, "main"));
        assert!(!is_branch_of(&config, 12, "evil/postmortem/12-x"));
        assert_eq!(marked_incident(&pull_marker(12)), Some(12));
        assert_eq!(marked_incident("no marker"), None);
    }

    #[test]
    fn links_are_relative_to_the_index() {
        assert_eq!(
            relative_link("docs/postmortems/README.md", "docs/postmortems/a.md"),
            "a.md"
        );
        assert_eq!(relative_link("README.md", "docs/a.md"), "docs/a.md");
        assert_eq!(relative_link("docs/index.md", "pm/a.md"), "/pm/a.md");
    }
}
