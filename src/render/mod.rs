//! Every user-visible text comes from a handlebars template: one registry of the built-in
//! templates (`templates/<name>.md.hbs`, embedded at compile time, registered once, strict mode:
//! a missing field is an error, not a blank), and the repository's overrides of those that may
//! be overridden (`.github/firebreak/templates/<name>.md.hbs`).
//!
//! `{{value}}` escapes for GitHub markdown ([`crate::markdown::escape_markdown`]): a comment's
//! text can never open a table cell, start a heading, close an HTML comment, or mention anyone.
//! Text that is already markdown built by Firebreak is passed with `{{{triple}}}` braces.
//!
//! [`views`] holds the data each template reads, built from the incident and configuration.
//!
//! The public status site's templates (HTML and Atom) are registered apart
//! ([`render_web`]): there `{{value}}` escapes for HTML and XML instead.

pub mod views;

use std::collections::BTreeMap;
use std::sync::OnceLock;

use handlebars::Handlebars;
use serde::Serialize;

use crate::config::Config;
use crate::markdown::escape_markdown;

pub use views::incident::*;
pub use views::{EntryView, format_time};

/// Template names: `templates/<name>.md.hbs`, and the same file name in the override directory.
pub mod names {
    pub const SECTION: &str = "incident-section";
    /// The words of the record comment that keeps an incident's state.
    pub const RECORD: &str = "incident-record";
    pub const FAILURES: &str = "reply-failures";
    pub const REFUSED: &str = "reply-refused";
    /// The reply to a report by someone who may not declare.
    pub const TRIAGE: &str = "reply-triage";
    /// An alert fired again on the open incident it names.
    pub const ALERT_AGAIN: &str = "alert-again";
    /// The description's line linking the reporter's text moved to a comment.
    pub const REPORT_MOVED: &str = "report-moved";
    /// The words of the comment holding the reporter's moved text.
    pub const REPORT_MOVED_COMMENT: &str = "report-moved-comment";
    pub const RESOLUTION: &str = "resolution-notice";
    pub const UPDATE: &str = "stakeholder-update";
    pub const HELP: &str = "help";
    pub const SUMMARY: &str = "job-summary";
    pub const OVERFLOW: &str = "timeline-overflow";
    /// One timeline row, a partial shared by the body, overflow parts and the export.
    pub const TIMELINE_ROW: &str = "timeline-row";
    pub const TIMELINE: &str = "timeline";
    pub const PART_RETIRED: &str = "timeline-part-retired";
    pub const DEMO_ISSUE: &str = "demo-issue";
    pub const ACTION_ITEM: &str = "action-item";
    /// A dry run's report of the writes a run would make.
    pub const DRY_RUN: &str = "dry-run";
    pub const POSTMORTEM: &str = "postmortem";
    pub const PUBLIC: &str = "postmortem-public";
    pub const ACTION_ITEMS: &str = "postmortem-action-items";
    pub const PULL_BODY: &str = "postmortem-pull";
    pub const CHECKLIST: &str = "checklist";
    pub const MIRROR: &str = "checklist-incident";
    pub const INDEX: &str = "postmortem-index";
    pub const INDEX_LINE: &str = "postmortem-index-line";
    pub const NOTICE: &str = "postmortem-notice";
    pub const GATE: &str = "postmortem-gate";
    pub const PUBLISHED: &str = "postmortem-published";
    pub const REMINDER: &str = "postmortem-reminder";
    /// The sweep's reminders and escalations ([`crate::engine::reminders`]).
    pub const ESCALATION: &str = "escalation";
    pub const UPDATE_REMINDER: &str = "update-reminder";
    pub const FOLLOW_UP: &str = "follow-up";
    pub const ITEM_REMINDER: &str = "item-reminder";
    pub const ITEM_ESCALATION: &str = "item-escalation";
    /// `firebreak report`, the job summary and the pinned report issue.
    pub const REPORT: &str = "report";
    /// The status page (`templates/status-page.html.hbs`): HTML, see [`super::render_html`].
    pub const STATUS_PAGE: &str = "status-page";
    /// One incident on the status page, a partial.
    pub const STATUS_INCIDENT: &str = "status-incident";
    /// A public postmortem's page on the status site.
    pub const STATUS_POSTMORTEM: &str = "status-postmortem";
    /// The status site's Atom feed (`templates/status-feed.atom.hbs`).
    pub const STATUS_FEED: &str = "status-feed";
    /// `firebreak board sync`'s account, the board as a table, the board not reached.
    pub const BOARD_SYNC: &str = "board-sync";
    pub const BOARD_TABLE: &str = "board-table";
    pub const BOARD_UNREACHABLE: &str = "board-unreachable";
}

/// The public status site's templates: HTML and Atom, escaped for HTML and XML, never
/// overridable (what reaches the public is decided here).
const WEB_TEMPLATES: &[(&str, &str)] = &[
    (
        names::STATUS_PAGE,
        include_str!("../../templates/status-page.html.hbs"),
    ),
    (
        names::STATUS_INCIDENT,
        include_str!("../../templates/status-incident.html.hbs"),
    ),
    (
        names::STATUS_POSTMORTEM,
        include_str!("../../templates/status-postmortem.html.hbs"),
    ),
    (
        names::STATUS_FEED,
        include_str!("../../templates/status-feed.atom.hbs"),
    ),
];

/// Where per-repository overrides live.
pub const OVERRIDE_DIR: &str = ".github/firebreak/templates";

/// A built-in template, and whether a repository may replace it.
struct Template {
    name: &'static str,
    text: &'static str,
    /// The postmortem documents and messages are the team's to shape; the incident body, its
    /// timeline and the command replies are Firebreak's interface and stay as built.
    overridable: bool,
}

macro_rules! templates {
    ($($name:expr => $file:literal, $overridable:expr;)*) => {
        &[$(Template {
            name: $name,
            text: include_str!(concat!("../../templates/", $file, ".md.hbs")),
            overridable: $overridable,
        },)*]
    };
}

const TEMPLATES: &[Template] = templates! {
    names::SECTION => "incident-section", false;
    names::RECORD => "incident-record", false;
    names::FAILURES => "reply-failures", false;
    names::REFUSED => "reply-refused", false;
    names::TRIAGE => "reply-triage", false;
    names::ALERT_AGAIN => "alert-again", false;
    names::REPORT_MOVED => "report-moved", false;
    names::REPORT_MOVED_COMMENT => "report-moved-comment", false;
    names::RESOLUTION => "resolution-notice", false;
    names::UPDATE => "stakeholder-update", false;
    names::HELP => "help", false;
    names::SUMMARY => "job-summary", false;
    names::OVERFLOW => "timeline-overflow", false;
    names::TIMELINE_ROW => "timeline-row", false;
    names::TIMELINE => "timeline", false;
    names::PART_RETIRED => "timeline-part-retired", false;
    names::DEMO_ISSUE => "demo-issue", false;
    names::ACTION_ITEM => "action-item", false;
    names::DRY_RUN => "dry-run", false;
    names::POSTMORTEM => "postmortem", true;
    names::PUBLIC => "postmortem-public", true;
    names::ACTION_ITEMS => "postmortem-action-items", true;
    names::PULL_BODY => "postmortem-pull", true;
    names::CHECKLIST => "checklist", true;
    names::MIRROR => "checklist-incident", true;
    names::INDEX => "postmortem-index", true;
    names::INDEX_LINE => "postmortem-index-line", true;
    names::NOTICE => "postmortem-notice", true;
    names::GATE => "postmortem-gate", true;
    names::PUBLISHED => "postmortem-published", true;
    names::REMINDER => "postmortem-reminder", true;
    names::ESCALATION => "escalation", false;
    names::UPDATE_REMINDER => "update-reminder", false;
    names::FOLLOW_UP => "follow-up", false;
    names::ITEM_REMINDER => "item-reminder", false;
    names::ITEM_ESCALATION => "item-escalation", false;
    names::REPORT => "report", false;
    names::BOARD_SYNC => "board-sync", false;
    names::BOARD_TABLE => "board-table", false;
    names::BOARD_UNREACHABLE => "board-unreachable", false;
};

/// The file name of template `name` (`postmortem.md.hbs`), in `templates/` and in the
/// override directory.
pub fn file_name(name: &str) -> String {
    format!("{name}.md.hbs")
}

/// The names of the templates a repository may override.
pub fn overridable() -> impl Iterator<Item = &'static str> {
    TEMPLATES.iter().filter(|t| t.overridable).map(|t| t.name)
}

/// The template an override file name (`postmortem.md.hbs`) replaces, if it names one that may
/// be overridden.
pub fn overridden_by(file: &str) -> Option<&'static str> {
    let stem = file.strip_suffix(".md.hbs")?;
    overridable().find(|n| *n == stem)
}

/// The repository path an override of `name` is read from, under `config`: the postmortem
/// templates may also be named by `postmortem.template` and `postmortem.public.template`.
pub fn override_path(config: &Config, name: &str) -> String {
    let configured = match name {
        names::POSTMORTEM => config.postmortem.template.clone(),
        names::PUBLIC => config.postmortem.public.template.clone(),
        _ => None,
    };
    configured.unwrap_or_else(|| format!("{OVERRIDE_DIR}/{}", file_name(name)))
}

/// A template that failed, naming the file at fault.
#[derive(Debug, thiserror::Error)]
#[error("{file}: {message}")]
pub struct TemplateError {
    pub file: String,
    pub message: String,
}

fn base() -> Handlebars<'static> {
    let mut hb = Handlebars::new();
    hb.set_strict_mode(true);
    hb.register_escape_fn(escape_markdown);
    hb
}

fn registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut hb = base();
        for t in TEMPLATES {
            hb.register_template_string(t.name, t.text)
                .unwrap_or_else(|e| panic!("built-in template {} is invalid: {e}", t.name));
        }
        hb
    })
}

fn web_registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        // `{{value}}` escapes `& < > " ' ` =` as entities: safe in HTML text, attributes and XML.
        hb.register_escape_fn(handlebars::html_escape);
        for (name, text) in WEB_TEMPLATES {
            hb.register_template_string(name, text)
                .unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"));
        }
        hb
    })
}

/// Renders a template of the status site (HTML or Atom): `{{value}}` is escaped for HTML and
/// XML, `{{{value}}}` is HTML Firebreak built and sanitized.
pub fn render_web<T: Serialize>(name: &str, data: &T) -> String {
    web_registry()
        .render(name, data)
        .unwrap_or_else(|e| panic!("rendering {name}: {e}"))
}

/// Renders a built-in template. Built-in templates and their views are tested together, so a
/// failure here is a bug, reported with the template's name. Templates a repository may
/// override are rendered with [`render_overridable`] or [`render_or_built_in`].
pub fn render<T: Serialize>(name: &str, data: &T) -> String {
    registry()
        .render(name, data)
        .unwrap_or_else(|e| panic!("rendering {name}: {e}"))
}

/// Renders `name` with the repository's override when there is one (`config.templates`).
pub fn render_overridable<T: Serialize>(
    config: &Config,
    name: &str,
    data: &T,
) -> Result<String, TemplateError> {
    let Some(text) = config.templates.get(name) else {
        return Ok(render(name, data));
    };
    let file = override_path(config, name);
    // Overrides may use the built-in partials, so they start from the built-in registry.
    let mut hb = registry().clone();
    hb.register_template_string(name, text)
        .map_err(|e| TemplateError {
            file: file.clone(),
            message: describe_parse(&e),
        })?;
    hb.render(name, data).map_err(|e| TemplateError {
        file,
        message: describe_render(&e),
    })
}

/// Renders `name`; an override that fails falls back to the built-in template with a warning
/// (for text that must always be written, like the incident body).
pub fn render_or_built_in<T: Serialize>(config: &Config, name: &str, data: &T) -> String {
    render_overridable(config, name, data).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "template override failed; using the built-in template");
        render(name, data)
    })
}

fn describe_parse(e: &handlebars::TemplateError) -> String {
    match e.pos() {
        Some((line, column)) => format!(
            "line {line}, column {column}: the template does not parse: {}",
            e.reason()
        ),
        None => format!("the template does not parse: {}", e.reason()),
    }
}

fn describe_render(e: &handlebars::RenderError) -> String {
    let at = match (e.line_no, e.column_no) {
        (Some(l), Some(c)) => format!("line {l}, column {c}: "),
        _ => String::new(),
    };
    format!("{at}the template cannot be rendered: {}", e.reason())
}

/// Checks overrides (template name, or the file name of a file that names no template → text)
/// by parsing each and rendering it with a sample
/// incident, so a typo is found when the configuration loads. Names that are not overridable
/// templates are refused too (a misspelled file would silently do nothing).
pub fn check_overrides(
    config: &Config,
    overrides: &BTreeMap<String, String>,
) -> Result<(), TemplateError> {
    let mut probe = config.clone();
    probe.templates = overrides.clone();
    for name in overrides.keys() {
        if !overridable().any(|n| n == name) {
            // Loaders key files they do not recognise by their file name.
            return Err(TemplateError {
                file: format!("{OVERRIDE_DIR}/{name}"),
                message: format!(
                    "not a Firebreak template; the templates are {}",
                    overridable().map(file_name).collect::<Vec<_>>().join(", ")
                ),
            });
        }
        views::postmortem::sample_render(&probe, name)?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_compiles() {
        let _ = registry();
        for t in TEMPLATES {
            assert!(registry().has_template(t.name), "{}", t.name);
        }
        for (name, _) in WEB_TEMPLATES {
            assert!(web_registry().has_template(name), "{name}");
        }
    }

    #[test]
    fn override_files_name_only_overridable_templates() {
        assert_eq!(overridden_by("postmortem.md.hbs"), Some(names::POSTMORTEM));
        assert_eq!(overridden_by("checklist.md.hbs"), Some(names::CHECKLIST));
        assert_eq!(overridden_by("incident-section.md.hbs"), None);
        assert_eq!(overridden_by("postmortem"), None);
    }
}
