mod action_process;
mod conformance;
mod incidents;
mod support;
mod timeline;
mod config;
