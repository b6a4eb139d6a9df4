//! The texts a plan writes that are rendered from the incident: the body's section, the
//! postmortem draft, its action-items table, its checklist. Pure; called when deciding, and by
//! the apply step for texts that show what it has just created ([`super::plan::Doc`]).
//!
//! A repository's template overrides were checked when the configuration loaded (rendered with
//! a sample incident); should one still fail on a real incident, the built-in template is used
//! and a warning logged, because these texts must always be written.

use crate::config::Config;
use crate::incident::Incident;
use crate::incident::section::{self, Body};
use crate::postmortem::markdown;
use crate::render::views::postmortem::{self as views, ChecklistView, PostmortemView};
use crate::render::{self, PartLink, TemplateError, names};

use super::plan::{Bindings, BodyDraft, Doc, bind};

/// Renders with the repository's overrides, else with the built-in templates.
fn with_fallback(
    config: &Config,
    render: impl Fn(&Config) -> Result<String, TemplateError>,
) -> String {
    render(config).unwrap_or_else(|error| {
        tracing::warn!(%error, "template override failed; using the built-in template");
        let built_in = Config {
            templates: Default::default(),
            ..config.clone()
        };
        render(&built_in).unwrap_or_else(|e| panic!("built-in template failed: {e}"))
    })
}

/// The rendered bot-owned section (without the state marker).
pub fn section(
    config: &Config,
    incident: &Incident,
    issue_url: &str,
    overflow: &[PartLink],
) -> String {
    render::render(
        names::SECTION,
        &render::SectionView::new(incident, config, issue_url, overflow.to_vec()),
    )
}

/// The whole body: the people's text around the section, the section showing what apply
/// created (`bindings`), links to overflow parts opened just now (`created`: their comment ids,
/// in the order the plan opens them), the link to the reporter's moved text (`moved`: the
/// comment apply posted for it).
pub fn body(
    config: &Config,
    draft: &BodyDraft,
    incident: &Incident,
    bindings: &Bindings,
    created: &[u64],
    moved: Option<u64>,
) -> String {
    if let Some(text) = &draft.text {
        return text.clone();
    }
    let mut incident = incident.clone();
    bind(&mut incident, bindings);
    let mut rendered = match &draft.rendered {
        Some(rendered) => rendered.clone(),
        None => section(config, &incident, &draft.issue_url, &draft.links),
    };
    for (i, id) in created.iter().enumerate() {
        rendered = rendered.replace(&placeholder(i), &comment_url(&draft.issue_url, *id));
    }
    let before = match moved {
        Some(id) => draft.before.replace(
            super::overflow::MOVED_REPORT_URL,
            &comment_url(&draft.issue_url, id),
        ),
        None => draft.before.clone(),
    };
    section::compose(&before, &rendered, &incident, &draft.after)
}

/// The body as it would be with `rendered` as its section.
pub fn compose(body: &Body, rendered: &str, incident: &Incident) -> String {
    section::compose(&body.before, rendered, incident, &body.after)
}

/// The record comment of incident `number` ([`crate::incident::record`]).
pub fn record(incident: &Incident, number: u64) -> String {
    #[derive(serde::Serialize)]
    struct RecordView<'a> {
        record: &'a str,
    }
    let words = render::render(
        names::RECORD,
        &RecordView {
            record: &incident.record,
        },
    );
    crate::incident::record::compose(&words, number, incident)
}

/// The postmortem draft of incident `number`.
pub fn postmortem(config: &Config, incident: &Incident, number: u64, url: &str) -> String {
    with_fallback(config, |config| {
        let view = PostmortemView::new(config, incident, number, url)?;
        render::render_overridable(config, names::POSTMORTEM, &view)
    })
}

/// `file` with its managed action-items table showing `incident`'s items; `None` when the
/// file no longer has the managed block (people took it out: their choice).
pub fn items_table(config: &Config, file: &str, incident: &Incident) -> Option<String> {
    let inner = with_fallback(config, |config| {
        render::render_overridable(config, names::ACTION_ITEMS, &views::action_items(incident))
    });
    markdown::replace_block(file, "action-items", &inner)
}

/// The checklist comment of incident `number`'s postmortem.
pub fn checklist(config: &Config, incident: &Incident, number: u64) -> String {
    with_fallback(config, |config| {
        render::render_overridable(
            config,
            names::CHECKLIST,
            &ChecklistView::new(config, incident, number),
        )
    })
}

/// The placeholder of the `i`-th part opened by a plan, in the body's links.
pub fn placeholder(i: usize) -> String {
    format!("<firebreak-new-part-{i}>")
}

pub fn comment_url(issue_url: &str, id: u64) -> String {
    format!("{issue_url}#issuecomment-{id}")
}

/// The text of `doc`, rendering what shows what apply created with `bindings` bound in.
pub fn render(config: &Config, doc: &Doc, bindings: &Bindings) -> String {
    let bound = |incident: &Incident| {
        let mut incident = incident.clone();
        bind(&mut incident, bindings);
        incident
    };
    match doc {
        Doc::Text(text) => text.clone(),
        Doc::Postmortem {
            incident,
            number,
            url,
        } => postmortem(config, &bound(incident), *number, url),
        Doc::ItemsTable { file, incident } => {
            items_table(config, file, &bound(incident)).unwrap_or(file.clone())
        }
        Doc::Checklist { incident, number } => checklist(config, &bound(incident), *number),
    }
}
