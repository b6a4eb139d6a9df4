mod action_process;
mod config;
mod conformance;
mod incidents;
mod support;
mod timeline;
