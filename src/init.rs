//! `firebreak init`: writes the starter files into a repository checkout.
//!
//! - `.github/firebreak.yml`: the configuration, every key present with its default and a
//!   comment saying what it means (so it behaves exactly like no file);
//! - `.github/workflows/firebreak.yml`: the workflow that runs the Action on every event
//!   Firebreak reacts to, and on a 10-minute schedule for the sweep (not with `--app`);
//! - `.github/ISSUE_TEMPLATE/incident.yml`: the issue form that declares an incident.
//!
//! A file that exists already is kept (and named as kept) unless asked to (`--force`), so
//! running `init` again never clobbers edits. Then it prints the next two steps.

use std::path::Path;

use anyhow::Context;

/// The starter configuration, every key at its default.
pub const STARTER_CONFIG: &str = include_str!("../assets/init/firebreak.yml");
/// The workflow that runs the Action.
pub const WORKFLOW: &str = include_str!("../assets/init/workflow.yml");
/// The issue form that declares an incident.
pub const ISSUE_FORM: &str = include_str!("../assets/init/incident.yml");

/// Where the workflow goes in a repository.
pub const WORKFLOW_PATH: &str = ".github/workflows/firebreak.yml";
/// Where the issue form goes in a repository.
pub const ISSUE_FORM_PATH: &str = ".github/ISSUE_TEMPLATE/incident.yml";

/// How Firebreak will run in the repository.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// The GitHub Action, from the workflow `init` writes.
    Action,
    /// A GitHub App (`--app`): no workflow.
    App,
}

/// The files `init` writes in `mode`: path relative to the repository root, and contents.
pub fn starter_files(mode: Mode) -> Vec<(&'static str, &'static str)> {
    let mut files = vec![(crate::config::CONFIG_PATH, STARTER_CONFIG)];
    if mode == Mode::Action {
        files.push((WORKFLOW_PATH, WORKFLOW));
    }
    files.push((ISSUE_FORM_PATH, ISSUE_FORM));
    files
}

/// What `init` did, file by file (paths relative to the repository root).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Outcome {
    pub mode: Mode,
    pub written: Vec<&'static str>,
    /// Files that existed and were left as they were (without `--force`).
    pub kept: Vec<&'static str>,
}

/// Writes the starter files of `mode` under `repo_root`. A file that exists is kept unless
/// `force`.
pub fn init(repo_root: &Path, force: bool, mode: Mode) -> anyhow::Result<Outcome> {
    let mut outcome = Outcome {
        mode,
        written: Vec::new(),
        kept: Vec::new(),
    };
    for (rel, contents) in starter_files(mode) {
        let path = repo_root.join(rel);
        if path.exists() && !force {
            outcome.kept.push(rel);
            continue;
        }
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
        outcome.written.push(rel);
    }
    Ok(outcome)
}

impl Outcome {
    /// What `firebreak init` prints: each file written or kept, then the next two steps.
    pub fn render(&self) -> String {
        let mut out = String::new();
        for rel in &self.written {
            out.push_str(&format!("wrote {rel}\n"));
        }
        for rel in &self.kept {
            out.push_str(&format!(
                "kept  {rel} (it exists; `firebreak init --force` replaces it)\n"
            ));
        }
        out.push('\n');
        match self.mode {
            Mode::Action => out.push_str(
                "Next steps:
  1. Commit these files and push them to the default branch (the workflow and the issue
     form take effect there):
       git add .github && git commit -m \"Add Firebreak\" && git push
  2. Check the setup, with a token that can read the repository:
       GITHUB_TOKEN=$(gh auth token) firebreak doctor --repo OWNER/NAME
     Then open an issue with the \"Declare an incident\" form to see Firebreak answer.
",
            ),
            Mode::App => out.push_str(
                "No workflow was written: in App mode GitHub sends events to the App instead.
App mode (`firebreak serve`) is not part of this version yet. The App will need:
  - repository permissions: Issues, Pull requests and Contents (read and write), Metadata (read);
  - events: Issues, Issue comment, Pull request, Pull request review;
  - FIREBREAK_APP_ID, FIREBREAK_PRIVATE_KEY (or FIREBREAK_PRIVATE_KEY_PATH) and
    FIREBREAK_WEBHOOK_SECRET in its environment.
Until then, run `firebreak init` without --app to use the Action.

Next steps:
  1. Commit these files and push them to the default branch:
       git add .github && git commit -m \"Add Firebreak\" && git push
  2. Check the setup, with a token that can read the repository:
       GITHUB_TOKEN=$(gh auth token) firebreak doctor --repo OWNER/NAME
",
            ),
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use serde::Deserialize;

    use super::*;
    use crate::config::Config;

    #[test]
    fn starter_config_parses_to_the_default() {
        let config = Config::from_yaml(STARTER_CONFIG, crate::config::CONFIG_PATH)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(config, Config::default());
    }

    #[derive(Deserialize)]
    struct Form {
        labels: Vec<String>,
        body: Vec<FormItem>,
    }

    #[derive(Deserialize)]
    struct FormItem {
        #[serde(rename = "type")]
        kind: String,
        #[serde(default)]
        attributes: Attributes,
    }

    #[derive(Deserialize, Default)]
    struct Attributes {
        #[serde(default)]
        label: String,
        #[serde(default)]
        description: String,
        #[serde(default)]
        options: Vec<String>,
        #[serde(default)]
        default: Option<usize>,
    }

    #[test]
    fn issue_form_severities_match_the_default_severities() {
        let form: Form = serde_saphyr::from_str(ISSUE_FORM).expect("the issue form is YAML");
        assert_eq!(form.labels, ["incident"]);
        let dropdown = form
            .body
            .iter()
            .find(|item| item.kind == "dropdown" && item.attributes.label == "Severity")
            .expect("a Severity dropdown");
        let config = Config::default();
        assert_eq!(dropdown.attributes.options, config.severity_names());
        for severity in &config.severities {
            let line = format!("**{}** {}.", severity.name, severity.description);
            assert!(
                dropdown.attributes.description.contains(&line),
                "dropdown description lacks {line:?}"
            );
        }
        let default = dropdown.attributes.default.expect("a default option");
        assert_eq!(
            default + 1,
            usize::from(config.default_severity),
            "preselects the default severity"
        );
        let labels: Vec<&str> = form
            .body
            .iter()
            .map(|item| item.attributes.label.as_str())
            .collect();
        for label in ["What is happening?", "Who is affected?", "Links"] {
            assert!(labels.contains(&label), "no {label:?} field");
        }
    }

    #[test]
    fn workflow_runs_the_action_on_every_event_with_write_permissions() {
        for needle in [
            "issues:\n    types: [opened, edited, labeled, unlabeled, closed, reopened, assigned, unassigned]",
            "issue_comment: # zizmor: ignore[dangerous-triggers]\n    types: [created, edited, deleted]",
            "pull_request:\n    types: [opened, edited, synchronize, closed, reopened]",
            "pull_request_review:\n    types: [submitted, dismissed]",
            "- cron: \"*/10 * * * *\"",
            "workflow_dispatch:",
            "repository_dispatch:",
            "types: [incident]",
            "permissions: {}",
            "    permissions:\n      issues: write",
            "      pull-requests: write",
            "      contents: write",
            "cancel-in-progress: false",
            "uses: firebreak-dev/firebreak@v0",
            "github-token: ${{ secrets.GITHUB_TOKEN }}",
        ] {
            assert!(WORKFLOW.contains(needle), "workflow lacks {needle:?}");
        }
        let _: serde::de::IgnoredAny =
            serde_saphyr::from_str(WORKFLOW).expect("the workflow is YAML");
    }

    #[test]
    fn init_keeps_existing_files_unless_forced_and_says_so() {
        let dir = tempfile::tempdir().unwrap();
        let first = init(dir.path(), false, Mode::Action).unwrap();
        assert_eq!(
            first.written,
            [crate::config::CONFIG_PATH, WORKFLOW_PATH, ISSUE_FORM_PATH]
        );
        let workflow = dir.path().join(WORKFLOW_PATH);
        std::fs::write(&workflow, "edited").unwrap();
        let again = init(dir.path(), false, Mode::Action).unwrap();
        assert!(again.written.is_empty());
        assert_eq!(again.kept.len(), 3);
        assert_eq!(std::fs::read_to_string(&workflow).unwrap(), "edited");
        let forced = init(dir.path(), true, Mode::Action).unwrap();
        assert_eq!(forced.written.len(), 3);
        assert_eq!(std::fs::read_to_string(&workflow).unwrap(), WORKFLOW);
    }

    #[test]
    fn app_mode_writes_no_workflow() {
        let dir = tempfile::tempdir().unwrap();
        let outcome = init(dir.path(), false, Mode::App).unwrap();
        assert_eq!(
            outcome.written,
            [crate::config::CONFIG_PATH, ISSUE_FORM_PATH]
        );
        assert!(!dir.path().join(WORKFLOW_PATH).exists());
    }
}
