mod action_process;
mod config;
mod conformance;
mod fake_github;
mod incidents;
mod postmortem;
mod support;
mod timeline;
