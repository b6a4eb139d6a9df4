//! The GitHub Actions adapter (`firebreak action`): the workflow's environment in, the
//! dispatcher in the middle, outputs, a job summary and annotations out.
//!
//! Reads `GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`, `GITHUB_REPOSITORY`, `GITHUB_API_URL`, the
//! token (`github-token` input, `FIREBREAK_TOKEN` or `GITHUB_TOKEN`), and writes
//! `incident-number`, `severity` and `status` to `GITHUB_OUTPUT` and a summary to
//! `GITHUB_STEP_SUMMARY`. An event that cannot concern an incident (a plain comment on a plain
//! issue) costs no API call at all.

pub mod console;

use std::io::Write as _;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::Utc;

use crate::UsageError;
use crate::dispatch;
use crate::event::Event;
use crate::github::GitHub;
use crate::render::{self, names};
use crate::run::{self, Mode, Outcome};

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

impl ActionEnv {
    pub fn from_env() -> Result<ActionEnv, UsageError> {
        Ok(ActionEnv {
            event_name: required("GITHUB_EVENT_NAME")?,
            event_path: required("GITHUB_EVENT_PATH")?.into(),
            repository: required("GITHUB_REPOSITORY")?,
            api_url: crate::github::api_url_from_env(),
            token: crate::github::token_from_env().ok_or_else(|| UsageError("no token: pass the `github-token` input, or set FIREBREAK_TOKEN or GITHUB_TOKEN".into()))?,
            output: var("GITHUB_OUTPUT").map(PathBuf::from),
            summary: var("GITHUB_STEP_SUMMARY").map(PathBuf::from),
            workspace: var("GITHUB_WORKSPACE").map(PathBuf::from).unwrap_or_else(|| PathBuf::from(".")),
            config_path: var("INPUT_CONFIG").or_else(|| var("FIREBREAK_CONFIG")).map(PathBuf::from),
        })
    }
}

/// Handles one Action event end to end; a dry run writes nothing, not even the outputs.
pub async fn run(env: &ActionEnv, mode: Mode) -> anyhow::Result<Outcome> {
    let payload = std::fs::read(&env.event_path).map_err(|e| {
        UsageError(format!(
            "cannot read GITHUB_EVENT_PATH {}: {e}",
            env.event_path.display()
        ))
    })?;
    let event =
        Event::from_webhook(&env.event_name, &payload).map_err(|e| UsageError(e.to_string()))?;
    let mut github = GitHub::with_token(&env.api_url, &env.token, &env.repository)?;
    if let Some(login) = crate::github::bot_login_from_env() {
        github = github.with_identity(login);
    }
    let now = Utc::now();
    let outcome = dispatch::dispatch(&github, &event, now, mode, |gh| {
        let gh = gh.clone();
        let workspace = env.workspace.clone();
        let explicit = env.config_path.clone();
        async move { run::config::load_config(&gh, &workspace, explicit.as_deref()).await }
    })
    .await?;
    if mode == Mode::Apply {
        write_outputs(env, &outcome)?;
    }
    Ok(outcome)
}

/// Fails a run that left issues unhandled (the sweep goes on past them), after the caller
/// wrote what it did: one `::error::` annotation per issue, on stdout where Actions reads them.
/// The outcome's warnings come first, one `::warning::` each (they fail nothing).
pub fn fail_on_failures(outcome: &Outcome, annotate: bool) -> anyhow::Result<()> {
    for warning in &outcome.warnings {
        if annotate {
            println!("{}", annotation("warning", warning));
        } else {
            console::err(&format!("firebreak: {warning}"));
        }
    }
    if outcome.failures.is_empty() {
        return Ok(());
    }
    for failure in &outcome.failures {
        if annotate {
            println!("{}", annotation("error", failure));
        } else {
            console::err(&format!("firebreak: {failure}"));
        }
    }
    match outcome.issue {
        // One issue's run: it was handled; what failed came after (the board).
        Some(n) => anyhow::bail!(
            "#{n} was handled, but {} step(s) after it failed (above)",
            outcome.failures.len()
        ),
        None => anyhow::bail!(
            "{} issue(s) could not be handled; the others were",
            outcome.failures.len()
        ),
    }
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
            due: outcome.due.clone(),
            failures: outcome.failures.clone(),
        };
        append(path, &render::render(names::SUMMARY, &view))
            .context("writing GITHUB_STEP_SUMMARY")?;
    }
    Ok(())
}

/// Appends `text` to the job summary when running in GitHub Actions (`GITHUB_STEP_SUMMARY`
/// set); does nothing elsewhere.
pub fn append_summary(text: &str) -> anyhow::Result<()> {
    match var("GITHUB_STEP_SUMMARY") {
        Some(path) => append(Path::new(&path), text).context("writing GITHUB_STEP_SUMMARY"),
        None => Ok(()),
    }
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
}
