mod action_items;
mod action_process;
mod config;
mod conformance;
mod fake_github;
mod incidents;
mod support;
mod timeline;
