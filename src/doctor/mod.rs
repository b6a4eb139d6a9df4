//! `firebreak doctor`: answers the first day's question, "why did nothing happen?".
//!
//! With the same token and environment as the workflow (token from `FIREBREAK_TOKEN` or
//! `GITHUB_TOKEN`, repository from `--repo` or `GITHUB_REPOSITORY`, `GITHUB_API_URL`), it
//! checks, one line each, `ok` or `fix:` with the concrete fix (or `skip:` with what could not
//! be checked and why):
//!
//! 1. **token**: the repository is readable, and the account behind the token may write;
//! 2. **config**: `.github/firebreak.yml` loads as the workflow would load it (`config check`);
//! 3. **labels**: every label Firebreak uses exists;
//! 4. **workflow triggers** and **workflow permissions** of each workflow that runs Firebreak;
//! 5. **issue form**: `.github/ISSUE_TEMPLATE/incident.yml` labels `incident` and offers
//!    severities Firebreak reads;
//! 6. **branch protection** of the branch the postmortem index is committed to;
//! 7. **board token**: when `board:` is configured, `FIREBREAK_BOARD_TOKEN` is set and reaches
//!    the board (read once, nothing written).
//!
//! Files are read from the checkout (the current directory) when they are there, else from
//! the default branch through the contents API. Nothing is written.

mod checks;
mod form;
mod workflow;

use std::path::PathBuf;

use crate::github::GitHub;

pub use workflow::{PERMISSIONS, TRIGGERS};

/// Where the workflows live.
const WORKFLOWS_DIR: &str = ".github/workflows";

/// What one check found.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Nothing to do.
    Ok,
    /// Something stops Firebreak from working; the text says what to change.
    Fix,
    /// Could not be checked; the text says why and how to check by hand.
    Skip,
}

/// One line of the report.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    pub verdict: Verdict,
    /// What was checked (`token`, `labels`, …).
    pub check: String,
    pub text: String,
}

impl Finding {
    pub fn ok(check: &str, text: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Ok,
            check: check.into(),
            text: text.into(),
        }
    }
    pub fn fix(check: &str, text: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Fix,
            check: check.into(),
            text: text.into(),
        }
    }
    pub fn skip(check: &str, text: impl Into<String>) -> Finding {
        Finding {
            verdict: Verdict::Skip,
            check: check.into(),
            text: text.into(),
        }
    }

    /// The report line: `ok    token: …`, `fix:  labels: …`, `skip: branch protection: …`.
    pub fn line(&self) -> String {
        let tag = match self.verdict {
            Verdict::Ok => "ok   ",
            Verdict::Fix => "fix: ",
            Verdict::Skip => "skip:",
        };
        format!("{tag} {}: {}", self.check, self.text)
    }
}

/// Every finding, in the order checked.
#[derive(Debug, Clone)]
pub struct Report {
    pub repo: String,
    pub findings: Vec<Finding>,
}

/// Some check needs a fix (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{fixes} of {checks} checks need a fix (the lines starting with `fix:`)")]
pub struct Unhealthy {
    pub fixes: usize,
    pub checks: usize,
}

impl Report {
    /// The whole report as printed: a heading, one line per check, a closing line.
    pub fn render(&self) -> String {
        let mut out = format!("firebreak doctor: {}\n", self.repo);
        for finding in &self.findings {
            out.push_str(&finding.line());
            out.push('\n');
        }
        let fixes = self.fixes();
        let skipped = self.count(Verdict::Skip);
        if fixes == 0 {
            out.push_str(&format!(
                "All {} checks passed{}.\n",
                self.findings.len() - skipped,
                if skipped > 0 {
                    format!("; {skipped} could not be checked (skip:)")
                } else {
                    String::new()
                }
            ));
        }
        out
    }

    fn count(&self, verdict: Verdict) -> usize {
        self.findings
            .iter()
            .filter(|f| f.verdict == verdict)
            .count()
    }

    pub fn fixes(&self) -> usize {
        self.count(Verdict::Fix)
    }

    /// `Err` when a check needs a fix.
    pub fn result(&self) -> Result<(), Unhealthy> {
        match self.fixes() {
            0 => Ok(()),
            fixes => Err(Unhealthy {
                fixes,
                checks: self.findings.len(),
            }),
        }
    }
}

/// What the doctor reads besides GitHub.
#[derive(Debug, Clone)]
pub struct Options {
    /// The repository's checkout (the current directory); files there win over the API.
    pub checkout: PathBuf,
    /// A config file other than `.github/firebreak.yml` (`--config`, `FIREBREAK_CONFIG`).
    pub config: Option<PathBuf>,
    /// `FIREBREAK_BOARD_TOKEN`, when set: the board is read with it. Never printed.
    pub board_token: Option<String>,
}

/// Runs every check. GitHub failures become findings; this never fails as a whole.
pub async fn run(github: &GitHub, options: &Options) -> Report {
    let mut findings = Vec::new();
    let access = checks::token(github, &mut findings).await;
    let readable = access.is_some();
    let config = checks::config_check(github, options, readable, &mut findings).await;
    if readable {
        checks::labels(github, &config, &mut findings).await;
        checks::workflows(github, &options.checkout, &mut findings).await;
        checks::issue_form(github, &options.checkout, &config, &mut findings).await;
        if let Some(access) = &access {
            checks::branch_protection(github, access, &config, &mut findings).await;
        }
    } else {
        for check in ["labels", "workflow", "issue form", "branch protection"] {
            findings.push(Finding::skip(
                check,
                "not checked: the repository is not readable with this token (see token)",
            ));
        }
    }
    findings.push(checks::board(github, &config, options.board_token.as_deref()).await);
    Report {
        repo: github.repo().to_string(),
        findings,
    }
}

#[cfg(test)]
mod tests;
