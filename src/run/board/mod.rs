//! `firebreak board sync`: the whole board reconciled once. Reads the incidents (one issue
//! list, their believed states: `run::reports::believed`) and the board (one GraphQL request
//! per 100 items, with the board's own token), lets [`engine::board::plan`] decide, reads the
//! node ids of what is to be added (one issue read each, only for those), and has
//! [`apply::board`] write: fields created, items added, every value in one request.
//!
//! The board's client is its own ([`board_client`]): `FIREBREAK_BOARD_TOKEN` when set, else the
//! App installation's token (which reaches the projects its permissions allow). The workflow's
//! `GITHUB_TOKEN` never reaches Projects, so without either the board is not touched and one
//! clear message ([`unreachable`]) says what is missing.

pub mod follow;
pub mod view;

use std::collections::BTreeMap;

use chrono::DateTime;

use super::{Mode, Outcome, apply, reports};
use crate::UsageError;
use crate::config::{BoardConfig, Config};
use crate::engine::LABEL_INCIDENT;
use crate::engine::board::{self, Board};
use crate::github::GitHub;
use crate::github::board::BoardError;
use crate::incident::section::Body;
use crate::render::{self, names};
use view::{BoardSyncView, BoardTableView, BoardUnreachableView};

/// What a sync found and did.
#[derive(Debug)]
pub struct Synced {
    /// The board as read (before the writes).
    pub board: Board,
    pub plan: board::BoardPlan,
    pub cards: Vec<board::Card>,
    /// What was written (`None` in a dry run).
    pub applied: Option<apply::BoardApplied>,
    /// The account of it (`board-sync`).
    pub text: String,
}

/// Why the board could not be reached: its text (`board-unreachable`).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct Unreachable(pub String);

/// The client that may write the board: `FIREBREAK_BOARD_TOKEN` (`token`) when given, else
/// `github` itself when it is the GitHub App's (`firebreak serve`, [`GitHub::is_app`]); `None`
/// when there is neither — the workflow's `GITHUB_TOKEN` is never tried.
pub fn board_client(github: &GitHub, token: Option<&str>) -> anyhow::Result<Option<GitHub>> {
    match token.map(str::trim).filter(|t| !t.is_empty()) {
        Some(token) => {
            let api = crate::github::api_url_from_env();
            let client = GitHub::with_token(&api, token, github.repo())?
                .with_graphql_url(&crate::github::graphql::graphql_url_from_env(&api))?;
            Ok(Some(client))
        }
        None if github.is_app() => Ok(Some(github.clone())),
        None => Ok(None),
    }
}

/// Why the board cannot be reached: no token, or GitHub's refusal (kind, message).
pub enum Refused<'a> {
    NoToken,
    /// The token may not reach the project.
    Project {
        kind: &'a str,
        message: &'a str,
    },
    /// The token reaches the project but cannot read this repository's issues.
    Repository {
        kind: &'a str,
        message: &'a str,
    },
}

/// The message for a board that cannot be reached.
pub fn unreachable(config: &BoardConfig, why: Refused) -> Unreachable {
    let (kind, message, repository) = match why {
        Refused::NoToken => ("", "", false),
        Refused::Project { kind, message } => (kind, message, false),
        Refused::Repository { kind, message } => (kind, message, true),
    };
    let view = BoardUnreachableView {
        owner: config.owner.clone(),
        number: config.number,
        no_token: matches!(why, Refused::NoToken),
        kind: kind.to_string(),
        message: message.to_string(),
        repository,
    };
    Unreachable(
        render::render(names::BOARD_UNREACHABLE, &view)
            .trim()
            .to_string(),
    )
}

/// What a board read's failure means to the run: the board cannot be reached
/// ([`Unreachable`]: a warning where the board is not the run's purpose), a `board.owner`
/// GitHub does not know ([`UsageError`]), or GitHub failing.
pub(crate) fn refusal(config: &BoardConfig, error: BoardError) -> anyhow::Error {
    match error {
        BoardError::NoAccess { kind, message } => unreachable(
            config,
            Refused::Project {
                kind: &kind,
                message: &message,
            },
        )
        .into(),
        BoardError::NoRepository { kind, message } => unreachable(
            config,
            Refused::Repository {
                kind: &kind,
                message: &message,
            },
        )
        .into(),
        BoardError::NoOwner(owner) => UsageError(format!(
            "board.owner: GitHub has no organization or user `{owner}`"
        ))
        .into(),
        BoardError::GitHub(e) => e.into(),
    }
}

/// Reconcile the whole board once: every incident's, postmortem's and action item's card is
/// on it (added when missing) with the values the issues say.
pub async fn sync(
    github: &GitHub,
    client: Option<&GitHub>,
    config: &Config,
    mode: Mode,
) -> anyhow::Result<Synced> {
    reconcile(github, client, config, mode, true).await
}

/// The board's own token, when the environment gives one (`FIREBREAK_BOARD_TOKEN`, the
/// action's `board-token` input).
pub fn token_from_env() -> Option<String> {
    std::env::var("FIREBREAK_BOARD_TOKEN").ok()
}

/// The sweep's repair: the values of the cards on the board set back to what the issues say
/// (a card deleted by hand comes back only with `firebreak board sync`). The board's token
/// is `FIREBREAK_BOARD_TOKEN`, else an App installation's; without a usable one, one warning
/// says what is missing and the sweep goes on. Nothing at all without `board:`.
pub async fn repair(github: &GitHub, config: &Config, mode: Mode, outcome: &mut Outcome) {
    if config.board.is_none() {
        return;
    }
    let token = token_from_env();
    let client = match board_client(github, token.as_deref()) {
        Ok(client) => client,
        Err(e) => {
            outcome.failures.push(format!("the board: {e:#}"));
            return;
        }
    };
    match reconcile(github, client.as_ref(), config, mode, false).await {
        Ok(synced) => {
            if !synced.plan.is_empty() || !synced.plan.problems.is_empty() {
                outcome.notes.push(synced.text.trim_end().to_string());
            }
        }
        Err(e) if e.is::<UsageError>() || e.is::<Unreachable>() => {
            outcome.warnings.push(e.to_string());
        }
        Err(e) => outcome.failures.push(format!("the board: {e:#}")),
    }
}

async fn reconcile(
    github: &GitHub,
    client: Option<&GitHub>,
    config: &Config,
    mode: Mode,
    add_missing: bool,
) -> anyhow::Result<Synced> {
    let Some(board_config) = &config.board else {
        return Err(UsageError(
            "board sync: the configuration has no `board:` (owner and number of the project)"
                .into(),
        )
        .into());
    };
    let Some(client) = client else {
        return Err(UsageError(unreachable(board_config, Refused::NoToken).0).into());
    };
    let epoch = DateTime::UNIX_EPOCH;
    let listed = github
        .list_issues_since(LABEL_INCIDENT, "all", epoch)
        .await?;
    let node_ids: BTreeMap<u64, String> = listed
        .iter()
        .map(|i| (i.number, i.node_id.clone()))
        .collect();
    let believed = reports::believed(github, config, listed).await?;
    let incidents: Vec<_> = believed
        .iter()
        .filter_map(|issue| {
            let body = Body::parse(issue.body_text());
            let incident = body.incident()?.clone();
            Some((issue.number, issue.title.clone(), incident))
        })
        .collect();
    let cards = board::cards(config, &incidents);
    let mut board = client
        .read_board(board_config)
        .await
        .map_err(|e| refusal(board_config, e))?;
    let options = |role| board::options(config, role);
    let plan = board::plan(
        board_config,
        &options,
        &board,
        github.repo(),
        &cards,
        &|_| add_missing,
    );
    let dry_run = mode == Mode::DryRun;
    let text = render::render(
        names::BOARD_SYNC,
        &BoardSyncView::new(&board, github.repo(), cards.len(), &plan, dry_run),
    );
    let before = board.clone();
    if dry_run {
        return Ok(Synced {
            board: before,
            plan,
            cards,
            applied: None,
            text,
        });
    }
    // Node ids of what is added: the incidents' come with the list; the others are read.
    let mut contents = BTreeMap::new();
    for number in &plan.adds {
        let id = match node_ids.get(number) {
            Some(id) if !id.is_empty() => id.clone(),
            _ => github.get_issue(*number).await?.node_id,
        };
        contents.insert(*number, id);
    }
    let applied = apply::board(client, &mut board, &plan, &contents).await?;
    Ok(Synced {
        board: before,
        plan,
        cards,
        applied: Some(applied),
        text,
    })
}

/// The board as a markdown table of this repository's cards (read again, after a sync).
pub async fn table(github: &GitHub, client: &GitHub, config: &Config) -> anyhow::Result<String> {
    let Some(board_config) = &config.board else {
        return Ok(String::new());
    };
    let listed = github
        .list_issues_since(LABEL_INCIDENT, "all", DateTime::UNIX_EPOCH)
        .await?;
    let believed = reports::believed(github, config, listed).await?;
    let incidents: Vec<_> = believed
        .iter()
        .filter_map(|issue| {
            let incident = Body::parse(issue.body_text()).incident()?.clone();
            Some((issue.number, issue.title.clone(), incident))
        })
        .collect();
    let cards = board::cards(config, &incidents);
    let board = client.read_board(board_config).await?;
    Ok(render::render(
        names::BOARD_TABLE,
        &BoardTableView::new(&board, github.repo(), &cards, board_config),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn client(token: &str) -> GitHub {
        GitHub::with_token("http://127.0.0.1:9", token, "acme/web").unwrap()
    }

    #[test]
    fn a_token_that_cannot_read_the_repository_is_told_to_get_issues_and_pull_requests_read() {
        let config = BoardConfig {
            owner: "acme".into(),
            number: 3,
            fields: Default::default(),
        };
        let text = unreachable(
            &config,
            Refused::Repository {
                kind: "NOT_FOUND",
                message: "Could not resolve to a Repository with the name 'acme/web'.",
            },
        );
        insta::assert_snapshot!(text.0);
        // A project the token cannot see keeps its own advice.
        let project = unreachable(
            &config,
            Refused::Project {
                kind: "NOT_FOUND",
                message: "Could not resolve to a ProjectV2 with the number 3.",
            },
        );
        assert!(project.0.contains("Check `board.owner`"), "{}", project.0);
        assert!(!project.0.contains("Pull requests read"), "{}", project.0);
    }

    #[tokio::test]
    async fn the_board_token_wins_and_the_workflow_token_is_never_tried() {
        for workflow in [client("ghp_personal"), client("ghs_actions_installation")] {
            assert!(board_client(&workflow, None).unwrap().is_none());
            assert!(board_client(&workflow, Some("  ")).unwrap().is_none());
            let chosen = board_client(&workflow, Some("board")).unwrap().unwrap();
            assert!(!chosen.is_app());
        }
        // The App's client (installation tokens it mints) is covered end to end in
        // tests/it/app/board.rs.
    }
}
