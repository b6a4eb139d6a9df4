mod action_process;
mod config;
mod conformance;
mod fake_github;
mod incidents;
mod support;
mod timeline;
mod timeline_props;
