//! Firebreak: incident response inside GitHub.
//!
//! The pipeline, the same in every mode:
//!
//! 1. an adapter ([`action`], `app`, [`cli`]) turns what woke us into an [`event::Event`];
//! 2. [`config`] loads `.github/firebreak.yml` (strict, every key documented);
//! 3. [`github`] (the only module that talks to the network) reads the incident issue and the
//!    comments it has not seen yet;
//! 4. [`command`] parses slash commands out of prose (never code blocks or quotes);
//! 5. [`engine`] folds comments and events into the [`incident`] state and decides a plan of
//!    GitHub operations — pure, `now` passed in;
//! 6. [`render`] turns state into the bot-owned body section and replies (handlebars templates);
//! 7. [`github`] applies the plan with retries only where a retry is safe.
//!
//! [`fake`] is a stateful in-memory GitHub served over real HTTP, used by the tests and by
//! `firebreak demo`.

pub mod action;
pub mod cli;
pub mod command;
pub mod config;
pub mod demo;
pub mod engine;
pub mod event;
pub mod fake;
pub mod github;
pub mod incident;
pub mod init;
pub mod render;
