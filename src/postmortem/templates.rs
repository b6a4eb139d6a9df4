//! The postmortem templates: built in (`templates/*.hbs`, embedded at compile time), each
//! overridable on its own by a repository file `.github/firebreak/templates/<name>` (the
//! postmortem and public templates also by the `postmortem.template` and
//! `postmortem.public.template` paths of the configuration).
//!
//! Same rules as every other template ([`crate::render`]): strict mode, `{{value}}` escaped
//! for markdown, `{{{value}}}` for markdown Firebreak built. An override that does not parse,
//! or that names a field the view does not have, is a configuration error naming the file —
//! found when the configuration is loaded ([`check_overrides`]), never a crash later.

use std::collections::BTreeMap;
use std::sync::OnceLock;

use handlebars::Handlebars;
use serde::Serialize;

use crate::config::Config;

/// Template names: the file names, in `templates/` and in the override directory.
pub mod names {
    pub const POSTMORTEM: &str = "postmortem.md.hbs";
    pub const PUBLIC: &str = "postmortem-public.md.hbs";
    pub const ACTION_ITEMS: &str = "postmortem-action-items.md.hbs";
    pub const PULL_BODY: &str = "postmortem-pull.md.hbs";
    pub const CHECKLIST: &str = "checklist.md.hbs";
    pub const MIRROR: &str = "checklist-incident.md.hbs";
    pub const INDEX: &str = "postmortem-index.md.hbs";
    pub const INDEX_LINE: &str = "postmortem-index-line.md.hbs";
    pub const NOTICE: &str = "postmortem-notice.md.hbs";
    pub const GATE: &str = "postmortem-gate.md.hbs";
    pub const PUBLISHED: &str = "postmortem-published.md.hbs";
    pub const REMINDER: &str = "postmortem-reminder.md.hbs";
}

/// Where per-repository overrides live.
pub const OVERRIDE_DIR: &str = ".github/firebreak/templates";

const BUILT_IN: &[(&str, &str)] = &[
    (
        names::POSTMORTEM,
        include_str!("../../templates/postmortem.md.hbs"),
    ),
    (
        names::PUBLIC,
        include_str!("../../templates/postmortem-public.md.hbs"),
    ),
    (
        names::ACTION_ITEMS,
        include_str!("../../templates/postmortem-action-items.md.hbs"),
    ),
    (
        names::PULL_BODY,
        include_str!("../../templates/postmortem-pull.md.hbs"),
    ),
    (
        names::CHECKLIST,
        include_str!("../../templates/checklist.md.hbs"),
    ),
    (
        names::MIRROR,
        include_str!("../../templates/checklist-incident.md.hbs"),
    ),
    (
        names::INDEX,
        include_str!("../../templates/postmortem-index.md.hbs"),
    ),
    (
        names::INDEX_LINE,
        include_str!("../../templates/postmortem-index-line.md.hbs"),
    ),
    (
        names::NOTICE,
        include_str!("../../templates/postmortem-notice.md.hbs"),
    ),
    (
        names::GATE,
        include_str!("../../templates/postmortem-gate.md.hbs"),
    ),
    (
        names::PUBLISHED,
        include_str!("../../templates/postmortem-published.md.hbs"),
    ),
    (
        names::REMINDER,
        include_str!("../../templates/postmortem-reminder.md.hbs"),
    ),
];

/// Every template name that may be overridden.
pub fn all_names() -> impl Iterator<Item = &'static str> {
    BUILT_IN.iter().map(|(n, _)| *n)
}

/// The repository path an override of `name` is read from, under `config`.
pub fn override_path(config: &Config, name: &str) -> String {
    let configured = match name {
        names::POSTMORTEM => config.postmortem.template.clone(),
        names::PUBLIC => config.postmortem.public.template.clone(),
        _ => None,
    };
    configured.unwrap_or_else(|| format!("{OVERRIDE_DIR}/{name}"))
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
    hb.register_escape_fn(crate::render::escape_markdown);
    hb
}

fn built_in() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut hb = base();
        for (name, text) in BUILT_IN {
            hb.register_template_string(name, *text)
                .unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"));
        }
        hb
    })
}

/// Renders `name` with the repository's override when there is one.
pub fn render<T: Serialize>(
    config: &Config,
    name: &str,
    data: &T,
) -> Result<String, TemplateError> {
    match config.templates.get(name) {
        None => Ok(render_built_in(name, data)),
        Some(text) => {
            let file = override_path(config, name);
            let mut hb = base();
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
    }
}

/// Renders `name`; an override that fails falls back to the built-in template with a warning
/// (for text that must always be written, like the incident body).
pub fn render_or_built_in<T: Serialize>(config: &Config, name: &str, data: &T) -> String {
    render(config, name, data).unwrap_or_else(|e| {
        tracing::warn!(error = %e, "template override failed; using the built-in template");
        render_built_in(name, data)
    })
}

/// Renders the built-in template (tested with its views: a failure is a bug).
pub fn render_built_in<T: Serialize>(name: &str, data: &T) -> String {
    built_in()
        .render(name, data)
        .unwrap_or_else(|e| panic!("rendering built-in {name}: {e}"))
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

/// Checks overrides (template name → text) by parsing each and rendering it with a sample
/// incident, so a typo is found when the configuration loads. Names that are not templates are
/// refused too (a misspelled file would silently do nothing).
pub fn check_overrides(
    config: &Config,
    overrides: &BTreeMap<String, String>,
) -> Result<(), TemplateError> {
    let mut probe = config.clone();
    probe.templates = overrides.clone();
    for name in overrides.keys() {
        if !all_names().any(|n| n == name) {
            return Err(TemplateError {
                file: override_path(config, name),
                message: format!(
                    "not a Firebreak template; the templates are {}",
                    all_names().collect::<Vec<_>>().join(", ")
                ),
            });
        }
        super::views::sample_render(&probe, name)?;
    }
    Ok(())
}

/// Reads the repository's overrides: from the checkout when the configuration came from one,
/// else through the contents API (one listing of the override directory, then one read per
/// file there, plus the configured template paths).
pub async fn load_overrides(
    github: &crate::github::GitHub,
    config: &Config,
    checkout: Option<&std::path::Path>,
) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    match checkout {
        Some(root) => {
            let dir = root.join(OVERRIDE_DIR);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().to_string();
                    if entry.path().is_file() {
                        let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                            crate::UsageError(format!("{OVERRIDE_DIR}/{name}: cannot read: {e}"))
                        })?;
                        out.insert(name, text);
                    }
                }
            }
        }
        None => {
            if let Some(entries) = github.list_dir(OVERRIDE_DIR).await? {
                for entry in entries.iter().filter(|e| e.kind == "file") {
                    if let Some(text) = github.file(&entry.path, None).await? {
                        out.insert(entry.name.clone(), text);
                    }
                }
            }
        }
    }
    for name in [names::POSTMORTEM, names::PUBLIC] {
        let configured = match name {
            names::POSTMORTEM => config.postmortem.template.as_deref(),
            _ => config.postmortem.public.template.as_deref(),
        };
        let Some(path) = configured else { continue };
        let text = match checkout {
            Some(root) => std::fs::read_to_string(root.join(path)).ok(),
            None => github.file(path, None).await?,
        };
        let text = text.ok_or_else(|| {
            crate::UsageError(format!(
                "{}: {path}: the configured template does not exist",
                crate::config::CONFIG_PATH
            ))
        })?;
        out.insert(name.to_string(), text);
    }
    Ok(out)
}
