//! The board in the same run as the change that causes it: a run that declared an incident,
//! changed its severity or status, opened action items, saw one closed or reopened, or opened
//! the postmortem pull request updates those cards before it ends.
//!
//! Only the cards whose values the run changed are touched ([`changed`], from the incident's
//! state before and after the run): a comment that changes nothing on the board costs no
//! board request at all. Otherwise one GraphQL request reads the board's ids with those cards
//! (through each issue's `projectItems`, [`GitHub::read_board_cards`]), one adds the cards the
//! run created, and one writes every value. A card that existed before the run and is not on
//! the board (deleted by hand, or from before `board:`) stays off: only `firebreak board sync`
//! adds it back.
//!
//! The board never stops the run: no usable token, a token GitHub refuses or a missing option
//! is one warning; GitHub failing is a failure reported after everything else was done (the
//! sweep repairs the values; `board sync` adds a card whose adding failed).

use std::collections::BTreeSet;

use super::view::BoardSyncView;
use super::{Refused, board_client, refusal, unreachable};
use crate::UsageError;
use crate::config::Config;
use crate::engine::board::{self, Card};
use crate::github::GitHub;
use crate::incident::Incident;
use crate::render::{self, names};
use crate::run::{Outcome, apply};

/// The cards of incident `number` whose values differ between `before` (the state the run
/// started from; `None` when the run declared it) and `after`, and which of them are new.
pub fn changed(
    config: &Config,
    number: u64,
    before: Option<&Incident>,
    after: &Incident,
) -> (Vec<Card>, BTreeSet<u64>) {
    let cards = |incident: &Incident| {
        board::cards(
            config,
            &[(number, incident.title.clone(), incident.clone())],
        )
    };
    let old = before.map(cards).unwrap_or_default();
    let mut new = BTreeSet::new();
    let touched = cards(after)
        .into_iter()
        .filter(|card| match old.iter().find(|o| o.number == card.number) {
            Some(o) => o.values != card.values,
            None => {
                new.insert(card.number);
                true
            }
        })
        .collect();
    (touched, new)
}

/// Brings the cards this run changed onto the board (see the module's docs). `token`: the
/// board's own (`FIREBREAK_BOARD_TOKEN`), else an App installation's is used.
pub async fn follow(
    github: &GitHub,
    config: &Config,
    token: Option<&str>,
    number: u64,
    before: Option<&Incident>,
    after: &Incident,
    outcome: &mut Outcome,
) {
    let Some(board_config) = &config.board else {
        return;
    };
    let (cards, new) = changed(config, number, before, after);
    if cards.is_empty() {
        return;
    }
    let client = match board_client(github, token) {
        Ok(Some(client)) => client,
        Ok(None) => {
            outcome
                .warnings
                .push(unreachable(board_config, Refused::NoToken).0);
            return;
        }
        Err(e) => {
            outcome.failures.push(format!("the board: {e:#}"));
            return;
        }
    };
    let numbers: Vec<u64> = cards.iter().map(|c| c.number).collect();
    let mut read = match client.read_board_cards(board_config, &numbers).await {
        Ok(read) => read,
        Err(e) => {
            let e = refusal(board_config, e);
            if e.is::<UsageError>() || e.is::<super::Unreachable>() {
                outcome.warnings.push(e.to_string());
            } else {
                outcome.failures.push(format!("the board: {e:#}"));
            }
            return;
        }
    };
    let options = |role| board::options(config, role);
    let plan = board::plan(
        board_config,
        &options,
        &read.board,
        github.repo(),
        &cards,
        &|n| new.contains(&n),
    );
    if plan.is_empty() && plan.problems.is_empty() {
        return;
    }
    let text = render::render(
        names::BOARD_SYNC,
        &BoardSyncView::new(&read.board, github.repo(), cards.len(), &plan, false),
    );
    if !plan.problems.is_empty() {
        outcome.warnings.push(text.trim_end().to_string());
    }
    if plan.is_empty() {
        return;
    }
    match apply::board(&client, &mut read.board, &plan, &read.contents).await {
        Ok(_) => {
            if plan.problems.is_empty() {
                outcome.notes.push(text.trim_end().to_string());
            }
        }
        Err(e) => outcome.failures.push(format!("the board: {e:#}")),
    }
}
