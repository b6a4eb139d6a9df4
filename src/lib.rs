//! Firebreak: incident response inside GitHub.
//!
//! The pipeline, the same in every mode (`docs/architecture.md` narrates it):
//!
//! 1. an adapter ([`workflow`], [`app`], [`cli`]) turns what woke us into an [`event::Event`];
//! 2. [`dispatch`] decides from the payload what it asks for, loads [`config`], and runs it;
//! 3. [`run::gather`] reads the comments and whatever the decision asks for, through
//!    [`github`], the only module that talks to the network;
//! 4. [`engine::decide`] folds comments ([`command`] parses them) and events into the
//!    [`incident`] state and returns a [`engine::Plan`] of every write — pure, `now` passed in;
//! 5. [`run::apply`] makes the plan's writes (the only code that writes), rendering with
//!    [`render`] what shows what it creates;
//! 6. [`run`] verifies no comment arrived meanwhile, and decides again if one did.
//!
//! The in-memory GitHub used by the tests and by `firebreak demo` is its own crate of the
//! workspace (`fake-github`), so this crate holds only the product.

pub mod app;
pub mod cli;
pub mod command;
pub mod config;
pub mod demo;
pub mod dispatch;
pub mod doctor;
pub mod engine;
pub mod event;
pub mod github;
pub mod incident;
pub mod init;
pub mod markdown;
pub mod postmortem;
pub mod render;
pub mod report;
pub mod report_cmd;
pub mod run;
pub mod status_page;
pub mod status_page_cmd;
pub mod timeline_cmd;
pub mod workflow;

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
