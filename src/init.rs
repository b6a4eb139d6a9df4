//! `firebreak init`: writes the starter files into a repository checkout.
//!
//! - `.github/firebreak.yml`: the configuration, every key present with its default and a
//!   comment saying what it means (so it behaves exactly like no file);
//! - `.github/workflows/firebreak.yml`: the workflow that runs the Action on every event
//!   Firebreak reacts to, and on a 10-minute schedule for the sweep;
//! - `.github/ISSUE_TEMPLATE/incident.yml`: the issue form that declares an incident.
//!
//! Existing files are never overwritten unless asked to (`--force`).

use std::path::{Path, PathBuf};

use anyhow::{Context, bail};

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

/// The files `init` writes: path relative to the repository root, and contents.
pub fn starter_files() -> [(&'static str, &'static str); 3] {
    [
        (crate::config::CONFIG_PATH, STARTER_CONFIG),
        (WORKFLOW_PATH, WORKFLOW),
        (ISSUE_FORM_PATH, ISSUE_FORM),
    ]
}

/// Writes the starter files under `repo_root` and returns their paths (`repo_root` joined with
/// each relative path), in the order written. Unless `force`, nothing is written when any of
/// them exists already, and the error names every such file.
pub fn init(repo_root: &Path, force: bool) -> anyhow::Result<Vec<PathBuf>> {
    let files = starter_files();
    if !force {
        let existing: Vec<&str> = files
            .iter()
            .map(|(rel, _)| *rel)
            .filter(|rel| repo_root.join(rel).exists())
            .collect();
        if !existing.is_empty() {
            bail!(
                "not overwriting {} in {} (run again with --force to replace {})",
                existing.join(", "),
                repo_root.display(),
                if existing.len() == 1 { "it" } else { "them" }
            );
        }
    }
    let mut written = Vec::with_capacity(files.len());
    for (rel, contents) in files {
        let path = repo_root.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).with_context(|| format!("creating {}", dir.display()))?;
        }
        std::fs::write(&path, contents).with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
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
            "issue_comment:\n    types: [created, edited, deleted]",
            "pull_request:\n    types: [opened, edited, synchronize, closed, reopened]",
            "pull_request_review:\n    types: [submitted, dismissed]",
            "- cron: \"*/10 * * * *\"",
            "workflow_dispatch:",
            "repository_dispatch:",
            "types: [incident]",
            "issues: write",
            "pull-requests: write",
            "contents: write",
            "cancel-in-progress: false",
            "uses: firebreak-dev/firebreak@v1",
            "github-token: ${{ secrets.GITHUB_TOKEN }}",
        ] {
            assert!(WORKFLOW.contains(needle), "workflow lacks {needle:?}");
        }
        let _: serde::de::IgnoredAny =
            serde_saphyr::from_str(WORKFLOW).expect("the workflow is YAML");
    }

    #[test]
    fn init_writes_three_files_and_refuses_to_overwrite_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let written = init(dir.path(), false).unwrap();
        assert_eq!(written.len(), 3);
        for path in &written {
            assert!(path.is_file(), "{}", path.display());
        }
        let again = init(dir.path(), false).unwrap_err().to_string();
        assert!(again.contains(".github/firebreak.yml"), "{again}");
        assert!(again.contains(".github/workflows/firebreak.yml"), "{again}");
        assert!(again.contains("--force"), "{again}");
        assert_eq!(init(dir.path(), true).unwrap(), written);
    }
}
