//! The GitHub Action adapter: the Action environment in, outputs, a job summary and
//! annotations out.
//!
//! Reads `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_REPOSITORY`, `GITHUB_API_URL`, the
//! token (`github-token` input, `FIREBREAK_TOKEN` or `GITHUB_TOKEN`), and writes
//! `incident-number`, `severity` and `status` to `GITHUB_OUTPUT` and a summary to
//! `GITHUB_STEP_SUMMARY`. An event that cannot concern an incident (a plain comment on a plain
//! issue) costs no API call at all.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::Utc;

use crate::config::{self, Config};
use crate::engine::{self, HandEvent, HandKind, ItemEvent, Trigger};
use crate::event::{CommentAction, Event, IssueAction};
use crate::github::GitHub;
use crate::incident::ItemState;
use crate::incident::section::BEGIN;
use crate::postmortem;
use crate::render::{self, names};
use crate::runner::{self, Outcome};
use crate::{UsageError, declare};

/// The Action environment (SPEC §8).
#[derive(Debug, Clone)]
pub struct ActionEnv {
    pub event_name: String,
    pub event_path: PathBuf,
    pub repository: String,
    pub api_url: String,
    pub token: String,
    pub output: Option<PathBuf>,
    pub summary: Option<PathBuf>,
    /// Where the repository is checked out (config is read from there when present).
    pub workspace: PathBuf,
    /// Explicit config file (`FIREBREAK_CONFIG`, the `config` input).
    pub config_path: Option<PathBuf>,
}

fn var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

fn required(name: &str) -> Result<String, UsageError> {
    var(name).ok_or_else(|| UsageError(format!("{name} is not set: `firebreak action` runs inside a GitHub Actions workflow (or set it by hand)")))
}

/// The token, from the most specific place first.
pub fn token_from_env() -> Option<String> {
    [
        "INPUT_GITHUB-TOKEN",
        "INPUT_GITHUB_TOKEN",
        "FIREBREAK_TOKEN",
        "GITHUB_TOKEN",
    ]
    .into_iter()
    .find_map(var)
}

/// `GITHUB_API_URL`, always honored (GitHub Enterprise Server, tests).
pub fn api_url_from_env() -> String {
    var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".to_string())
}

impl ActionEnv {
    pub fn from_env() -> Result<ActionEnv, UsageError> {
        Ok(ActionEnv {
            event_name: required("GITHUB_EVENT_NAME")?,
            event_path: required("GITHUB_EVENT_PATH")?.into(),
            repository: required("GITHUB_REPOSITORY")?,
            api_url: api_url_from_env(),
            token: token_from_env().ok_or_else(|| UsageError("no token: pass the `github-token` input, or set FIREBREAK_TOKEN or GITHUB_TOKEN".into()))?,
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            workspace: var("GITHUB_WORKSPACE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")),
            config_path: var("INPUT_CONFIG").or_else(|| var("FIREBREAK_CONFIG")).map(PathBuf::from),
        })
    }
}

/// Loads config from the checkout when present, else through the contents API, else the
/// defaults; template overrides (`.github/firebreak/templates/`) come from the same place. A
/// broken file is a usage error naming file, line and key.
pub async fn load_config(
    github: &GitHub,
    workspace: &Path,
    explicit: Option<&Path>,
) -> anyhow::Result<Config> {
    let local = workspace.join(config::CONFIG_PATH);
    let (mut config, from_checkout) = if let Some(path) = explicit {
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            workspace.join(path)
        };
        (Config::load(&path)?, true)
    } else if local.exists() {
        (Config::load(&local)?, true)
    } else {
        match github.file(config::CONFIG_PATH, None).await? {
            Some(text) => (Config::from_yaml(&text, config::CONFIG_PATH)?, false),
            None => (Config::default(), false),
        }
    };
    let checkout = from_checkout.then_some(workspace);
    let overrides = load_overrides(github, &config, checkout).await?;
    render::check_overrides(&config, &overrides)
        .map_err(|e| UsageError(format!("template {e}")))?;
    config.templates = overrides;
    Ok(config)
}

/// Reads the repository's template overrides (template name → text): from the checkout when
/// the configuration came from one, else through the contents API (one listing of the override
/// directory, then one read per file there, plus the configured template paths). A file that
/// names no template is kept under its file name, so the check refuses it by name.
pub async fn load_overrides(
    github: &GitHub,
    config: &Config,
    checkout: Option<&Path>,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    use render::{OVERRIDE_DIR, names};
    let key = |file: &str| {
        render::overridden_by(file)
            .map(str::to_string)
            .unwrap_or_else(|| file.to_string())
    };
    let mut out = std::collections::BTreeMap::new();
    match checkout {
        Some(root) => {
            let dir = root.join(OVERRIDE_DIR);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().to_string();
                    if entry.path().is_file() {
                        let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                            UsageError(format!("{OVERRIDE_DIR}/{name}: cannot read: {e}"))
                        })?;
                        out.insert(key(&name), text);
                    }
                }
            }
        }
        None => {
            if let Some(entries) = github.list_dir(OVERRIDE_DIR).await? {
                for entry in entries.iter().filter(|e| e.kind == "file") {
                    if let Some(text) = github.file(&entry.path, None).await? {
                        out.insert(key(&entry.name), text);
                    }
                }
            }
        }
    }
    for name in [names::POSTMORTEM, names::PUBLIC] {
        let configured = match name {
            names::POSTMORTEM => config.postmortem.template.as_deref(),
            _ => config.postmortem.public.template.as_deref(),
        };
        let Some(path) = configured else { continue };
        let text = match checkout {
            Some(root) => std::fs::read_to_string(root.join(path)).ok(),
            None => github.file(path, None).await?,
        };
        let text = text.ok_or_else(|| {
            UsageError(format!(
                "{}: {path}: the configured template does not exist",
                config::CONFIG_PATH
            ))
        })?;
        out.insert(name.to_string(), text);
    }
    Ok(out)
}

/// Handles one Action event end to end.
pub async fn run(env: &ActionEnv) -> anyhow::Result<Outcome> {
    let payload = std::fs::read(&env.event_path).map_err(|e| {
        UsageError(format!(
            "cannot read GITHUB_EVENT_PATH {}: {e}",
            env.event_path.display()
        ))
    })?;
    let event =
        Event::from_webhook(&env.event_name, &payload).map_err(|e| UsageError(e.to_string()))?;
    let github = GitHub::with_token(&env.api_url, &env.token, &env.repository)?;
    let now = Utc::now();
    let outcome = handle(&github, &event, now, |gh| {
        let gh = gh.clone();
        let workspace = env.workspace.clone();
        let explicit = env.config_path.clone();
        async move { load_config(&gh, &workspace, explicit.as_deref()).await }
    })
    .await?;
    write_outputs(env, &outcome)?;
    Ok(outcome)
}

/// Routes an event to the runner. `config` is loaded only when the event can concern an
/// incident, so unrelated comments cost nothing.
pub async fn handle<F, Fut>(
    github: &GitHub,
    event: &Event,
    now: chrono::DateTime<Utc>,
    config: F,
) -> anyhow::Result<Outcome>
where
    F: FnOnce(&GitHub) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Config>>,
{
    let skip = |why: String| {
        Ok(Outcome {
            notes: vec![why],
            ..Outcome::default()
        })
    };
    // The payload names the default branch: postmortem drafts need it, and it saves a read.
    let hinted;
    let github = match event.repository() {
        Some(repository) => {
            hinted = github
                .clone()
                .with_default_branch(repository.default_branch.clone());
            &hinted
        }
        None => github,
    };
    match event {
        Event::IssueComment {
            action,
            issue,
            comment,
            sender,
            ..
        } => {
            if comment.user.is_bot() || sender.is_bot() {
                return skip("comment by a bot: nothing to do".into());
            }
            if issue.pull_request.is_some() {
                // A comment on a postmortem pull request concerns its incident.
                if !postmortem::may_name_incident(issue.body_text(), None) {
                    return skip("comment on a pull request: nothing to do".into());
                }
                let config = config(github).await?;
                return pull_request(github, &config, issue.number, issue.body_text(), None, now)
                    .await;
            }
            let is_incident = is_incident(issue);
            let may_declare =
                *action != CommentAction::Deleted && mentions_incident_command(comment.body_text());
            if !is_incident && !may_declare {
                return skip(format!(
                    "#{} is not an incident and the comment declares none",
                    issue.number
                ));
            }
            let config = config(github).await?;
            if !is_incident && !engine::declares(&config, comment.body_text()) {
                return skip(format!(
                    "#{} is not an incident and the comment declares none",
                    issue.number
                ));
            }
            runner::run_issue(github, &config, issue, Trigger::Reconcile, now).await
        }
        Event::Issues {
            action,
            issue,
            label,
            assignee,
            sender,
            ..
        } => {
            if sender.is_bot() && *action != IssueAction::Opened {
                return skip("change made by a bot: nothing to do".into());
            }
            if issue.pull_request.is_some() {
                return skip("pull request: nothing to do".into());
            }
            if matches!(action, IssueAction::Closed | IssueAction::Reopened)
                && !is_incident(issue)
                && let Some((parent, _)) = engine::parse_item_marker(issue.body_text())
            {
                // An action item closed or reopened: its incident's list follows.
                let event = ItemEvent {
                    number: issue.number,
                    state: if *action == IssueAction::Closed {
                        ItemState::Closed
                    } else {
                        ItemState::Open
                    },
                    by: sender.login.clone(),
                    at: issue
                        .closed_at
                        .filter(|_| *action == IssueAction::Closed)
                        .unwrap_or(issue.updated_at),
                };
                let config = config(github).await?;
                let incident = github.get_issue(parent).await?;
                if !is_incident(&incident) {
                    return skip(format!(
                        "#{} names #{parent} as its incident, which is not one",
                        issue.number
                    ));
                }
                return runner::run_issue(github, &config, &incident, Trigger::Item(event), now)
                    .await;
            }
            let incident_label = issue.has_label(engine::LABEL_INCIDENT);
            if !is_incident(issue) && !incident_label {
                return skip(format!("#{} is not an incident", issue.number));
            }
            let hand = |kind| {
                Trigger::Hand(HandEvent {
                    kind,
                    sender: sender.clone(),
                    at: issue.updated_at,
                })
            };
            let trigger = match action {
                IssueAction::Opened => Trigger::Opened,
                IssueAction::Labeled => hand(HandKind::Labeled(
                    label.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
                )),
                IssueAction::Unlabeled => hand(HandKind::Unlabeled(
                    label.as_ref().map(|l| l.name.clone()).unwrap_or_default(),
                )),
                IssueAction::Assigned => hand(HandKind::Assigned(
                    assignee
                        .as_ref()
                        .map(|u| u.login.clone())
                        .unwrap_or_default(),
                )),
                IssueAction::Unassigned => hand(HandKind::Unassigned(
                    assignee
                        .as_ref()
                        .map(|u| u.login.clone())
                        .unwrap_or_default(),
                )),
                IssueAction::Closed => hand(HandKind::Closed),
                IssueAction::Reopened => hand(HandKind::Reopened),
                IssueAction::Edited => hand(HandKind::Retitled),
            };
            let config = config(github).await?;
            runner::run_issue(github, &config, issue, trigger, now).await
        }
        Event::RepositoryDispatch {
            kind,
            client_payload,
            ..
        } => {
            if kind != "incident" {
                return skip(format!(
                    "repository_dispatch `{kind}` is not `incident`: nothing to do"
                ));
            }
            let request = declare::Request::from_dispatch(client_payload).map_err(UsageError)?;
            let config = config(github).await?;
            declare::declare(github, &config, &request, now).await
        }
        Event::Sweep { .. } => {
            let config = config(github).await?;
            crate::sweep::reconcile_open_incidents(github, &config, now).await
        }
        Event::PullRequest {
            event,
            action,
            number,
            body,
            head,
            ..
        } => {
            let relevant = match event.as_str() {
                "pull_request" => matches!(
                    action.as_str(),
                    "opened"
                        | "edited"
                        | "synchronize"
                        | "closed"
                        | "reopened"
                        | "ready_for_review"
                        | "converted_to_draft"
                ),
                _ => matches!(action.as_str(), "submitted" | "edited" | "dismissed"),
            };
            let body = body.as_deref().unwrap_or("");
            if !relevant || !postmortem::may_name_incident(body, head.as_deref()) {
                return skip(format!(
                    "{event}.{action} on #{number}: not about a postmortem"
                ));
            }
            let config = config(github).await?;
            pull_request(github, &config, *number, body, head.as_deref(), now).await
        }
        Event::Ignored { event, action } => skip(format!(
            "{event}{}: nothing to do",
            action
                .as_deref()
                .map(|a| format!(".{a}"))
                .unwrap_or_default()
        )),
    }
}

/// An event about pull request `number`: when it is an incident's postmortem, the incident is
/// reconciled with the pull request read afresh (checklist, merge, close).
async fn pull_request(
    github: &GitHub,
    config: &Config,
    number: u64,
    body: &str,
    head: Option<&str>,
    now: chrono::DateTime<Utc>,
) -> anyhow::Result<Outcome> {
    let skip = |why: String| Outcome {
        notes: vec![why],
        ..Outcome::default()
    };
    let Some(incident) = postmortem::incident_of_pull(config, body, head) else {
        return Ok(skip(format!("#{number} is not a postmortem")));
    };
    let issue = match github.get_issue(incident).await {
        Ok(issue) => issue,
        Err(e) if e.is_not_found() => {
            return Ok(skip(format!(
                "#{number} names #{incident}, which does not exist"
            )));
        }
        Err(e) => return Err(e.into()),
    };
    if issue.pull_request.is_some() || !is_incident(&issue) {
        return Ok(skip(format!(
            "#{number} names #{incident}, which is not an incident"
        )));
    }
    runner::run_issue(github, config, &issue, Trigger::Pull { number }, now).await
}

/// An incident carries the label or Firebreak's section (the label may have been removed by
/// hand; the section is what counts).
fn is_incident(issue: &crate::event::Issue) -> bool {
    issue.has_label(engine::LABEL_INCIDENT) || issue.body_text().contains(BEGIN)
}

/// Cheap pre-check before reading config: could this comment contain `/incident`?
fn mentions_incident_command(body: &str) -> bool {
    body.lines()
        .any(|l| l.trim_start().to_ascii_lowercase().starts_with("/incident"))
}

/// `GITHUB_OUTPUT` and `GITHUB_STEP_SUMMARY`.
fn write_outputs(env: &ActionEnv, outcome: &Outcome) -> anyhow::Result<()> {
    if let Some(path) = &env.output {
        let mut out = String::new();
        if let Some(n) = outcome.issue {
            out.push_str(&format!("incident-number={n}\n"));
        }
        if let Some(s) = outcome.severity_name.as_deref() {
            out.push_str(&format!("severity={s}\n"));
        }
        if let Some(s) = outcome.status {
            out.push_str(&format!("status={s}\n"));
        }
        append(path, &out).context("writing GITHUB_OUTPUT")?;
    }
    if let Some(path) = &env.summary {
        let view = render::SummaryView {
            repo: env.repository.clone(),
            event: env.event_name.clone(),
            issue: outcome.issue,
            severity: outcome.severity_name.clone(),
            status: outcome.status,
            lines: outcome.notes.clone(),
        };
        append(path, &render::render(names::SUMMARY, &view))
            .context("writing GITHUB_STEP_SUMMARY")?;
    }
    Ok(())
}

fn append(path: &Path, text: &str) -> std::io::Result<()> {
    let mut file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)?;
    file.write_all(text.as_bytes())
}

/// A workflow command annotation (`::error::…`), escaped as the Actions toolkit does.
pub fn annotation(level: &str, message: &str) -> String {
    let escaped = message
        .replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A");
    format!("::{level}::{escaped}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn annotations_escape_newlines_and_percent() {
        assert_eq!(
            annotation("error", "50% done\nnext"),
            "::error::50%25 done%0Anext"
        );
    }

    #[test]
    fn incident_precheck_is_case_insensitive_and_line_based() {
        assert!(mentions_incident_command("hello\n  /Incident sev1 db"));
        assert!(!mentions_incident_command("see /incident docs"));
    }
}
