//! Every user-visible text comes from a handlebars template in `templates/`, embedded at
//! compile time, registered once, in strict mode (a missing field is an error, not a blank).
//!
//! `{{value}}` escapes for GitHub markdown ([`escape_markdown`]): a comment's text can never
//! open a table cell, start a heading, close an HTML comment, or mention anyone. Text that is
//! already markdown built by Firebreak is passed with `{{{triple}}}` braces.

mod view;

use std::sync::OnceLock;

use handlebars::Handlebars;
use serde::Serialize;

pub use view::*;

/// Template names, each the file `templates/<name>.md.hbs`.
pub mod names {
    pub const SECTION: &str = "incident-section";
    pub const FAILURES: &str = "reply-failures";
    pub const REFUSED: &str = "reply-refused";
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
}

const TEMPLATES: &[(&str, &str)] = &[
    (
        names::SECTION,
        include_str!("../../templates/incident-section.md.hbs"),
    ),
    (
        names::FAILURES,
        include_str!("../../templates/reply-failures.md.hbs"),
    ),
    (
        names::REFUSED,
        include_str!("../../templates/reply-refused.md.hbs"),
    ),
    (
        names::RESOLUTION,
        include_str!("../../templates/resolution-notice.md.hbs"),
    ),
    (
        names::UPDATE,
        include_str!("../../templates/stakeholder-update.md.hbs"),
    ),
    (names::HELP, include_str!("../../templates/help.md.hbs")),
    (
        names::SUMMARY,
        include_str!("../../templates/job-summary.md.hbs"),
    ),
    (
        names::OVERFLOW,
        include_str!("../../templates/timeline-overflow.md.hbs"),
    ),
    (
        names::ACTION_ITEM,
        include_str!("../../templates/action-item.md.hbs"),
    ),
    (
        names::TIMELINE_ROW,
        include_str!("../../templates/timeline-row.md.hbs"),
    ),
    (
        names::TIMELINE,
        include_str!("../../templates/timeline.md.hbs"),
    ),
    (
        names::PART_RETIRED,
        include_str!("../../templates/timeline-part-retired.md.hbs"),
    ),
    (
        names::DEMO_ISSUE,
        include_str!("../../templates/demo-issue.md.hbs"),
    ),
];

fn registry() -> &'static Handlebars<'static> {
    static REGISTRY: OnceLock<Handlebars<'static>> = OnceLock::new();
    REGISTRY.get_or_init(|| {
        let mut hb = Handlebars::new();
        hb.set_strict_mode(true);
        hb.register_escape_fn(escape_markdown);
        for (name, text) in TEMPLATES {
            hb.register_template_string(name, *text)
                .unwrap_or_else(|e| panic!("built-in template {name} is invalid: {e}"));
        }
        hb
    })
}

/// Renders a built-in template. Built-in templates and their views are tested together, so a
/// failure here is a bug, reported with the template's name.
pub fn render<T: Serialize>(name: &str, data: &T) -> String {
    registry()
        .render(name, data)
        .unwrap_or_else(|e| panic!("rendering {name}: {e}"))
}

/// Escapes text for GitHub markdown, inline or in a table cell: no HTML, no table breaks, no
/// emphasis or links, no mentions, one line.
pub fn escape_markdown(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut at_line_start = true;
    for c in text.chars() {
        match c {
            '\r' => continue,
            '\n' | '\t' => {
                out.push(' ');
                continue;
            }
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '@' => out.push_str("&#64;"),
            '|' | '\\' | '`' | '*' | '_' | '[' | ']' | '~' => {
                out.push('\\');
                out.push(c);
            }
            '#' | '-' | '+' | '=' if at_line_start => {
                out.push('\\');
                out.push(c);
            }
            _ => out.push(c),
        }
        at_line_start = false;
    }
    out
}

/// Escapes Firebreak's own markdown that may quote people's values (error reasons, help):
/// code spans stay literal (they cannot mention or carry HTML), everything outside them loses
/// HTML and mentions; one line.
pub fn escape_prose(text: &str) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    let mut in_code = false;
    for c in text.chars() {
        match c {
            '`' => {
                in_code = !in_code;
                out.push(c);
            }
            '\r' => {}
            '\n' => out.push(' '),
            '<' if !in_code => out.push_str("&lt;"),
            '>' if !in_code => out.push_str("&gt;"),
            '@' if !in_code => out.push_str("&#64;"),
            _ => out.push(c),
        }
    }
    if in_code {
        out.push('`');
    }
    out
}

/// [`escape_prose`] for a table cell: pipes escaped too (GitHub splits cells on `|` even
/// inside code spans unless escaped).
pub fn escape_cell_prose(text: &str) -> String {
    escape_prose(text).replace('|', "\\|")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_built_in_template_compiles() {
        let _ = registry();
        for (name, _) in TEMPLATES {
            assert!(registry().has_template(name), "{name}");
        }
    }

    #[test]
    fn escaping_defuses_markdown_html_and_mentions() {
        insta::assert_snapshot!(
            escape_markdown("<!-- x --> | @alice **b** [l](http://e) `c`\n# h"),
            @r"&lt;!-- x --&gt; \| &#64;alice \*\*b\*\* \[l\](http://e) \`c\` # h"
        );
    }

    #[test]
    fn prose_escaping_keeps_code_spans_literal() {
        assert_eq!(
            escape_prose("use `/sev <level>` not <b>@bob</b>"),
            "use `/sev <level>` not &lt;b&gt;&#64;bob&lt;/b&gt;"
        );
        assert_eq!(escape_cell_prose("`a|b`"), "`a\\|b`");
    }

    #[test]
    fn escaping_a_leading_heading_marker() {
        assert_eq!(escape_markdown("# not a heading"), "\\# not a heading");
    }
}
