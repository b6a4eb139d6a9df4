//! Firebreak: incident response inside GitHub.
//!
//! The pipeline, the same in every mode:
//!
//! 1. an adapter ([`action`], [`cli`]) turns what woke us into an [`event::Event`];
//! 2. [`config`] loads `.github/firebreak.yml` (strict, every key documented);
//! 3. [`runner`] reads the incident issue and its comments through [`github`], the only module
//!    that talks to the network;
//! 4. [`command`] parses slash commands out of prose (never code blocks or quotes);
//! 5. [`engine`] folds comments and events into the [`incident`] state and decides a plan of
//!    GitHub operations — pure, `now` passed in;
//! 6. [`render`] turns state into the bot-owned body section and replies (handlebars templates);
//! 7. [`runner`] applies the plan, the body last, and reconciles again if comments arrived
//!    meanwhile.
//!
//! The in-memory GitHub used by the tests and by `firebreak demo` is its own crate of the
//! workspace (`fake-github`), so this crate holds only the product.

pub mod action;
pub mod action_items;
pub mod cli;
pub mod command;
pub mod config;
pub mod declare;
pub mod demo;
pub mod doctor;
pub mod engine;
pub mod event;
pub mod github;
pub mod incident;
pub mod init;
pub mod postmortem;
pub mod render;
pub mod runner;
pub mod sweep;
pub mod timeline_cmd;

/// A mistake in how Firebreak was invoked or configured (exit code 2), as opposed to a
/// GitHub or runtime failure (exit code 1).
#[derive(Debug, thiserror::Error)]
#[error("{0}")]
pub struct UsageError(pub String);

/// Exit code for an error: 2 for usage and configuration errors, 1 for everything else.
pub fn exit_code_for(error: &anyhow::Error) -> u8 {
    let usage = error.chain().any(|cause| {
        cause.is::<UsageError>()
            || cause.is::<config::ConfigError>()
            || cause.is::<event::EventError>()
    });
    if usage { 2 } else { 1 }
}
