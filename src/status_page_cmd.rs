//! `firebreak status-page --out DIR [--title T] [--url URL]`: reads the incidents of the last
//! 90 days and every open one (two issue lists; the record comment of an incident whose body
//! is not believed, see [`crate::run::reports::believed`]), and each published public
//! postmortem from the default branch (one read per postmortem), builds the site
//! ([`crate::status_page`]) and writes it into `DIR`. It never writes to GitHub.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context as _;
use chrono::{DateTime, Duration, Utc};

use crate::UsageError;
use crate::config::Config;
use crate::engine::LABEL_INCIDENT;
use crate::github::GitHub;
use crate::status_page::{self, File, HISTORY_DAYS, Input, Site};

/// The workflow that publishes the site to GitHub Pages (`firebreak init --status-page`).
pub const WORKFLOW: &str = include_str!("../assets/init/status-page.yml");
/// Where it goes in a repository.
pub const WORKFLOW_PATH: &str = ".github/workflows/firebreak-status-page.yml";

/// `firebreak init --status-page`: writes [`WORKFLOW`] under `repo_root` — an existing file is
/// kept unless `force`, like `firebreak init` — and returns what to print: the file written
/// or kept, then the next steps.
pub fn init(repo_root: &Path, force: bool) -> anyhow::Result<String> {
    let path = repo_root.join(WORKFLOW_PATH);
    let mut out = if path.exists() && !force {
        format!(
            "kept  {WORKFLOW_PATH} (it exists; `firebreak init --status-page --force` replaces it)\n"
        )
    } else {
        write(
            repo_root,
            &[File {
                path: WORKFLOW_PATH.to_string(),
                content: WORKFLOW.to_string(),
            }],
        )?;
        format!("wrote {WORKFLOW_PATH}\n")
    };
    out.push_str(
        "
Next steps:
  1. In the repository's settings, set Pages -> Build and deployment -> Source to
     \"GitHub Actions\".
  2. Commit the workflow and push it to the default branch:
       git add .github && git commit -m \"Publish the status page\" && git push
     It publishes every 15 minutes and on every public update (`/update public ...`).
",
    );
    Ok(out)
}

/// The page's name when `--title` is not given: nothing of the repository, which may be
/// private.
pub const DEFAULT_TITLE: &str = "Service status";

/// The site's name and address: `--title`, and `--url` or the repository's GitHub Pages
/// address (`https://<owner>.github.io/<name>/`).
pub fn site(repo: &str, title: Option<String>, url: Option<String>) -> Result<Site, UsageError> {
    let url = match url {
        Some(url) => {
            if !(url.starts_with("https://") || url.starts_with("http://")) {
                return Err(UsageError(format!(
                    "--url: \"{url}\" is not an absolute http(s) URL (the feed needs one), e.g. https://status.example.com/"
                )));
            }
            url
        }
        None => {
            let (owner, name) = repo.split_once('/').unwrap_or((repo, ""));
            format!("https://{}.github.io/{name}/", owner.to_ascii_lowercase())
        }
    };
    let url = if url.ends_with('/') {
        url
    } else {
        format!("{url}/")
    };
    Ok(Site {
        title: title
            .filter(|t| !t.trim().is_empty())
            .unwrap_or_else(|| DEFAULT_TITLE.to_string()),
        url,
    })
}

/// Reads what the site needs and builds it.
pub async fn fetch(
    github: &GitHub,
    config: &Config,
    now: DateTime<Utc>,
    site: &Site,
) -> anyhow::Result<Vec<File>> {
    let since = now - Duration::days(HISTORY_DAYS);
    let mut incidents = github.list_issues(LABEL_INCIDENT, "open").await?;
    for issue in github
        .list_issues_since(LABEL_INCIDENT, "all", since)
        .await?
    {
        if !incidents.iter().any(|i| i.number == issue.number) {
            incidents.push(issue);
        }
    }
    let incidents = crate::run::reports::believed(github, config, incidents).await?;
    let mut postmortems = BTreeMap::new();
    for (number, path) in status_page::postmortems_to_read(&incidents) {
        if let Some(text) = github.file(&path, None).await? {
            postmortems.insert(number, text);
        }
    }
    Ok(status_page::build(&Input {
        config,
        now,
        site,
        incidents: &incidents,
        postmortems: &postmortems,
    }))
}

/// Writes `files` under `dir` (created if missing) and returns their paths.
pub fn write(dir: &Path, files: &[File]) -> anyhow::Result<Vec<PathBuf>> {
    let mut written = Vec::with_capacity(files.len());
    for file in files {
        let path = dir.join(&file.path);
        if let Some(parent) = path.parent() {
            std::fs::create_dir_all(parent)
                .with_context(|| format!("creating {}", parent.display()))?;
        }
        std::fs::write(&path, &file.content)
            .with_context(|| format!("writing {}", path.display()))?;
        written.push(path);
    }
    Ok(written)
}
