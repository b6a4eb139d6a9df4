//! The checks that need GitHub or the checkout; each pushes its findings.

use std::path::Path;

use super::{Finding, Options, WORKFLOWS_DIR, form, workflow};
use crate::config::{self, Config};
use crate::github::board::BoardError;
use crate::github::{GitHub, GitHubError, Protection, RepoAccess};

/// Where a file was read from, as the report names it.
fn from_where(local: bool) -> &'static str {
    if local { "checkout" } else { "default branch" }
}

/// Reads `rel` from the checkout when it is there, else from the default branch.
async fn read(
    github: &GitHub,
    checkout: &Path,
    rel: &str,
) -> Result<Option<(String, bool)>, GitHubError> {
    if let Ok(text) = std::fs::read_to_string(checkout.join(rel)) {
        return Ok(Some((text, true)));
    }
    Ok(github.file(rel, None).await?.map(|text| (text, false)))
}

pub(super) async fn token(github: &GitHub, findings: &mut Vec<Finding>) -> Option<RepoAccess> {
    let repo = github.repo();
    let access = match github.repo_access().await {
        Ok(access) => access,
        Err(e) => {
            let text = match e.status().map(|s| s.as_u16()) {
                Some(401) => "GitHub rejects the token (401). Fix: set FIREBREAK_TOKEN or GITHUB_TOKEN to a valid, unexpired token".to_string(),
                Some(404) | Some(403) => format!(
                    "the token cannot see {repo} (GitHub answered {}). Fix: check --repo or GITHUB_REPOSITORY, and give the token access to {repo} (a fine-grained token lists its repositories)",
                    e.status().map(|s| s.as_u16()).unwrap_or_default()
                ),
                _ => format!("reading {repo} failed: {e}. Fix: check GITHUB_API_URL and try again"),
            };
            findings.push(Finding::fix("token", text));
            return None;
        }
    };
    // A classic token writes only with the `repo` scope (`public_repo` for a public one),
    // whatever its account may do.
    if let Some(scopes) = github.token_scopes().await {
        let enough = scopes.iter().any(|s| s == "repo")
            || (!access.private && scopes.iter().any(|s| s == "public_repo"));
        if !enough {
            findings.push(Finding::fix(
                "token",
                format!(
                    "it is a classic token with the scopes [{}], without `repo`{}, so GitHub refuses its writes to {repo}. Fix: give it the repo scope (`gh auth refresh --scopes repo` for the GitHub CLI's token) or use a fine-grained token",
                    scopes.join(", "),
                    if access.private { "" } else { " or `public_repo`" }
                ),
            ));
            return Some(access);
        }
    }
    let finding = match access.permissions {
        Some(p) if p.push => Finding::ok(
            "token",
            format!(
                "its account has {} access to {repo}, enough to write issues, pull requests and contents (a fine-grained token's own permissions cannot be read: they must include those three, read and write)",
                p.role()
            ),
        ),
        Some(p) => Finding::fix(
            "token",
            format!(
                "its account has only {} access to {repo}; Firebreak writes issues, pull requests and contents. Fix: give the account write access, or use the workflow's GITHUB_TOKEN with the permissions below",
                p.role()
            ),
        ),
        None => Finding::ok(
            "token",
            format!(
                "reads {repo}; an Actions or App token cannot report its own permissions, so the workflow permissions below are what it gets"
            ),
        ),
    };
    findings.push(finding);
    Some(access)
}

/// The config as the workflow loads it; the defaults when it cannot be loaded.
pub(super) async fn config_check(
    github: &GitHub,
    options: &Options,
    readable: bool,
    findings: &mut Vec<Finding>,
) -> Config {
    let check = "config";
    let local = options.checkout.join(config::CONFIG_PATH);
    let source = match &options.config {
        Some(path) => Some(format!("{} (checkout)", path.display())),
        None if local.is_file() => Some(format!("{} (checkout)", config::CONFIG_PATH)),
        None if !readable => None,
        None => match github.file(config::CONFIG_PATH, None).await {
            Ok(Some(_)) => Some(format!("{} (default branch)", config::CONFIG_PATH)),
            Ok(None) => None,
            Err(e) => {
                findings.push(Finding::skip(check, format!("could not read it: {e}")));
                return Config::default();
            }
        },
    };
    if !readable && options.config.is_none() && !local.is_file() {
        findings.push(Finding::skip(
            check,
            "not checked: no checkout here and the repository is not readable",
        ));
        return Config::default();
    }
    match crate::run::config::load_config(github, &options.checkout, options.config.as_deref())
        .await
    {
        Ok(config) => {
            findings.push(Finding::ok(
                check,
                match source {
                    Some(source) => format!("{source} is valid"),
                    None => format!(
                        "there is no {}, so the defaults apply (`firebreak init` writes a starter)",
                        config::CONFIG_PATH
                    ),
                },
            ));
            config
        }
        Err(e) => {
            findings.push(Finding::fix(
                check,
                format!(
                    "{e:#}. Fix: correct it (`firebreak config check` checks a file); until then every run fails and the checks below use the defaults"
                ),
            ));
            Config::default()
        }
    }
}

pub(super) async fn labels(github: &GitHub, config: &Config, findings: &mut Vec<Finding>) {
    let check = "labels";
    let existing = match github.list_labels().await {
        Ok(labels) => labels,
        Err(e) => {
            findings.push(Finding::skip(check, format!("could not list them: {e}")));
            return;
        }
    };
    let wanted = crate::engine::all_labels(config);
    let missing: Vec<_> = wanted
        .iter()
        .filter(|w| {
            !existing
                .iter()
                .any(|e| e.name.eq_ignore_ascii_case(&w.name))
        })
        .collect();
    if missing.is_empty() {
        findings.push(Finding::ok(
            check,
            format!("all {} Firebreak labels exist", wanted.len()),
        ));
        return;
    }
    let first = missing[0];
    findings.push(Finding::fix(
        check,
        format!(
            "{} of {} are missing: {}. Firebreak creates each the first time it needs it, if its token may write issues; to create them now, one `gh label create` each, e.g. gh label create \"{}\" --color {} --description \"{}\"",
            missing.len(),
            wanted.len(),
            missing
                .iter()
                .map(|l| l.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
            first.name,
            first.color,
            first.description.as_deref().unwrap_or("")
        ),
    ));
}

/// Every workflow file: from the checkout when it has `.github/workflows`, else the API.
async fn workflow_files(
    github: &GitHub,
    checkout: &Path,
) -> Result<(Vec<(String, String)>, bool), GitHubError> {
    let is_workflow = |name: &str| name.ends_with(".yml") || name.ends_with(".yaml");
    let local = checkout.join(WORKFLOWS_DIR);
    if local.is_dir() {
        let mut files = Vec::new();
        if let Ok(entries) = std::fs::read_dir(&local) {
            for entry in entries.flatten() {
                let name = entry.file_name().to_string_lossy().into_owned();
                if is_workflow(&name)
                    && let Ok(text) = std::fs::read_to_string(entry.path())
                {
                    files.push((format!("{WORKFLOWS_DIR}/{name}"), text));
                }
            }
        }
        files.sort();
        return Ok((files, true));
    }
    let mut files = Vec::new();
    for entry in github.list_dir(WORKFLOWS_DIR).await?.unwrap_or_default() {
        if entry.kind == "file"
            && is_workflow(&entry.name)
            && let Some(text) = github.file(&entry.path, None).await?
        {
            files.push((entry.path, text));
        }
    }
    files.sort();
    Ok((files, false))
}

pub(super) async fn workflows(github: &GitHub, checkout: &Path, findings: &mut Vec<Finding>) {
    let (files, local) = match workflow_files(github, checkout).await {
        Ok(found) => found,
        Err(e) => {
            findings.push(Finding::skip(
                "workflow",
                format!("could not read {WORKFLOWS_DIR}: {e}"),
            ));
            return;
        }
    };
    let mut any = false;
    for (path, text) in &files {
        if let Some(mut found) = workflow::check(path, text) {
            any = true;
            findings.append(&mut found);
        }
    }
    if !any {
        findings.push(Finding::fix(
            "workflow",
            format!(
                "no workflow in {WORKFLOWS_DIR} ({}) runs Firebreak, so no event reaches it. Fix: `firebreak init` writes {}; commit it to the default branch",
                from_where(local),
                crate::init::WORKFLOW_PATH
            ),
        ));
    }
}

pub(super) async fn issue_form(
    github: &GitHub,
    checkout: &Path,
    config: &Config,
    findings: &mut Vec<Finding>,
) {
    match read(github, checkout, crate::init::ISSUE_FORM_PATH).await {
        Ok(found) => findings.push(form::check(
            crate::init::ISSUE_FORM_PATH,
            found.as_ref().map(|(text, _)| text.as_str()),
            config,
        )),
        Err(e) => findings.push(Finding::skip(
            "issue form",
            format!("could not read {}: {e}", crate::init::ISSUE_FORM_PATH),
        )),
    }
}

pub(super) async fn branch_protection(
    github: &GitHub,
    access: &RepoAccess,
    config: &Config,
    findings: &mut Vec<Finding>,
) {
    let check = "branch protection";
    let branch = config
        .postmortem
        .base_branch
        .clone()
        .unwrap_or_else(|| access.default_branch.clone());
    let index = &config.postmortem.index;
    let finding = match github.branch_protection(&branch).await {
        Err(e) => Finding::skip(check, format!("could not read branch {branch}: {e}")),
        Ok(None) => Finding::fix(
            check,
            format!(
                "branch {branch} does not exist, so postmortems cannot be drafted against it. Fix: set postmortem.base_branch to an existing branch (or remove it to use the default branch)"
            ),
        ),
        Ok(Some(Protection::None)) => Finding::ok(
            check,
            format!("{branch} is not protected: merged postmortems are added to {index}"),
        ),
        Ok(Some(Protection::Unreadable { status })) => Finding::skip(
            check,
            format!(
                "{branch} is protected and its rules need admin rights to read (GitHub answered {}); check by hand that the token's account or app may push to {branch}, or adding merged postmortems to {index} will be refused",
                status.as_u16()
            ),
        ),
        Ok(Some(Protection::Rules(rules))) => {
            let mut blocks = Vec::new();
            if rules.required_pull_request_reviews.is_some() {
                blocks.push("pull request reviews");
            }
            let checks_required = rules.required_status_checks.as_ref().is_some_and(|c| {
                ["contexts", "checks"].iter().any(|k| {
                    c.get(*k)
                        .and_then(serde_json::Value::as_array)
                        .is_some_and(|a| !a.is_empty())
                })
            });
            if checks_required {
                blocks.push("status checks");
            }
            if rules.restrictions.is_some() {
                blocks.push("a list of who may push");
            }
            if rules.lock_branch.is_some_and(|l| l.enabled) {
                blocks.push("a lock");
            }
            if blocks.is_empty() {
                Finding::ok(
                    check,
                    format!(
                        "{branch} is protected, but no rule stops the commit that adds a merged postmortem to {index}"
                    ),
                )
            } else {
                Finding::fix(
                    check,
                    format!(
                        "{branch} requires {}, so the commit that adds a merged postmortem to {index} is refused. Fix: let the token's account or app bypass these rules (\"Allow specified actors to bypass\" in the branch protection, or a ruleset bypass actor)",
                        blocks.join(" and ")
                    ),
                )
            }
        }
    };
    findings.push(finding);
}

/// The board, when `board:` names one: `FIREBREAK_BOARD_TOKEN` is set and reaches it (the
/// whole board read once, as `board sync` reads it; nothing written).
pub(super) async fn board(github: &GitHub, config: &Config, token: Option<&str>) -> Finding {
    let check = "board token";
    let Some(board) = &config.board else {
        return Finding::ok(check, "no board: configured, none needed");
    };
    let project = format!("project {} of {}", board.number, board.owner);
    let Some(token) = token else {
        return Finding::fix(
            check,
            format!(
                "board: names {project}, but FIREBREAK_BOARD_TOKEN is not set. Fix: create a fine-grained token with Projects read and write on {} and pass it to the workflow step as FIREBREAK_BOARD_TOKEN (the action's board-token input); the workflow's GITHUB_TOKEN cannot reach Projects",
                board.owner
            ),
        );
    };
    let client = match crate::run::board::board_client(github, Some(token)) {
        Ok(Some(client)) => client,
        Ok(None) | Err(_) => {
            return Finding::fix(check, "FIREBREAK_BOARD_TOKEN cannot make a GitHub client");
        }
    };
    // The board whole, then this repository as the per-event read sees it (the token must
    // read the issues whose cards it keeps).
    let read = match client.read_board(board).await {
        Ok(read) => client.read_board_cards(board, &[]).await.map(|_| read),
        Err(e) => Err(e),
    };
    match read {
        Ok(read) => Finding::ok(
            check,
            format!(
                "FIREBREAK_BOARD_TOKEN reaches {project} ({} fields, {} items)",
                read.fields.len(),
                read.items.len()
            ),
        ),
        Err(BoardError::NoAccess { kind, message }) => {
            let fix = match kind.as_str() {
                "FORBIDDEN" => {
                    "give FIREBREAK_BOARD_TOKEN Projects read and write on the board's owner (a fine-grained token), or use another token"
                }
                "INSUFFICIENT_SCOPES" => "a classic token needs the `project` scope",
                _ => {
                    "check board.owner and board.number, and that the project is shared with the token's owner"
                }
            };
            Finding::fix(
                check,
                format!(
                    "FIREBREAK_BOARD_TOKEN cannot reach {project}: GitHub answered {kind} (\"{message}\"). Fix: {fix}"
                ),
            )
        }
        Err(BoardError::NoOwner(owner)) => Finding::fix(
            check,
            format!(
                "board.owner `{owner}` is no organization or user GitHub knows. Fix: name the account that owns the project"
            ),
        ),
        Err(BoardError::NoRepository { message, .. }) => Finding::fix(
            check,
            format!(
                "FIREBREAK_BOARD_TOKEN reaches {project} but cannot read {}: GitHub answered \"{message}\". Fix: give the token read access to this repository's issues and pull requests",
                github.repo()
            ),
        ),
        Err(BoardError::GitHub(error)) => Finding::skip(
            check,
            format!("not checked: reading the board failed ({error}); run the doctor again"),
        ),
    }
}
