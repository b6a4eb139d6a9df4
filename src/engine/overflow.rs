//! The body and the timeline's overflow comments, as one run writes them: which entries stay in
//! the body, which parts are opened, rewritten or retired (see [`crate::incident::parts`] for
//! the rules).
//!
//! A new part's URL is known only once GitHub has created it, so the body links a new part
//! through a placeholder, replaced by the apply step once the ids are known. The placeholders
//! contain `<`, which the rendered section can only hold where Firebreak put it (people's text
//! is escaped there), so no comment can forge one.

use crate::config::Config;
use crate::event::Comment;
use crate::incident::parts::{self, Costs, Found, Layout, PartState};
use crate::incident::section::{Body, encode_json};
use crate::incident::timeline::Entry;
use crate::incident::{Incident, moved};
use crate::render::{self, PartLink, names};

use super::docs::{comment_url, placeholder};
use super::plan::{Bindings, BodyDraft, PartWrite, RecordWrite, bind};
use super::trust::Source;
use super::{Input, Plan};

/// The text of a part to write, showing what apply created: parts are rendered when the plan
/// is decided, and again only when an action item opened in the same run shows in one.
pub fn part_write_text(
    part: &PartWrite,
    config: &Config,
    incident: &Incident,
    issue_url: &str,
    bindings: &Bindings,
) -> String {
    if bindings.items.is_empty() {
        return part.body.clone();
    }
    let mut bound = incident.clone();
    bound.timeline = part.entries.clone();
    bind(&mut bound, bindings);
    part_text(config, incident, issue_url, part.part, &bound.timeline)
}

/// The parts among an issue's comments: Firebreak's own (`bot`) only, so no other account —
/// a person, another app — can forge one.
pub fn find_parts(comments: &[Comment], bot: &str) -> Found {
    Found::from_comments(
        comments
            .iter()
            .filter(|c| super::is_ours(bot, c))
            .map(|c| (c.id, c.body_text())),
    )
}

/// Where the state is kept, and what the record held when it is kept in one.
pub struct Record {
    pub source: Source,
    pub state: Option<Incident>,
}

/// Splits `incident.timeline` (every entry, body and parts merged) between the body and the
/// parts, and plans the writes: the body when it changes, part writes when theirs do, the
/// record comment when the state is kept in one and changes. `unlisted`: links to the parts
/// that are not among the comments listed (the newest page's), kept as they are.
pub fn plan_timeline(
    input: &Input,
    body: &Body,
    mut incident: Incident,
    found: &Found,
    unlisted: &[PartLink],
    record: &Record,
    plan: &mut Plan,
) {
    let config = input.config;
    let issue_url = input.issue.html_url.as_str();
    let all = std::mem::take(&mut incident.timeline);
    // The section without entries or links: what the body holds besides the timeline.
    let bare = super::docs::section(config, &incident, issue_url, &[]);
    let moved = move_report(input, body, &bare, &incident, plan);
    let body = moved.as_ref().unwrap_or(body);
    let link = issue_url.len() + 64;
    let costs = Costs {
        body_fixed: super::docs::compose(body, &bare, &incident).len() + link * unlisted.len(),
        link,
        part_fixed: part_text(config, &incident, issue_url, u32::MAX, &[]).len(),
        entry: |e: &Entry| entry_cost(e, issue_url),
    };
    let Layout {
        body: kept,
        parts: layouts,
    } = parts::layout(all, &found.parts, &costs, &input.limits);
    incident.timeline = kept;

    let mut links = unlisted.to_vec();
    let zone = format!("| Time ({}) |", config.timezone.name());
    for layout in &layouts {
        let write = |comment| PartWrite {
            comment,
            part: layout.part,
            body: part_text(config, &incident, issue_url, layout.part, &layout.entries),
            entries: layout.entries.clone(),
        };
        let url = match layout.comment {
            Some(id) => {
                let existing = found.parts.iter().find(|p| p.comment == id);
                // Most parts never change: skip rendering them when their entries and what
                // their text shows besides (record, zone, issue) are as they were.
                let same = existing.is_some_and(|p| {
                    p.entries == layout.entries
                        && p.text.contains(&format!(
                            "Timeline of `{}`, part {}",
                            crate::markdown::escape_markdown(&incident.record),
                            layout.part
                        ))
                        && p.text.contains(&zone)
                        && p.text.contains(&format!("({issue_url})"))
                });
                if !same {
                    let write = write(Some(id));
                    if existing.is_none_or(|p| p.text != write.body) {
                        plan.overflow.update.push(write);
                    }
                }
                comment_url(issue_url, id)
            }
            None => {
                let url = placeholder(plan.overflow.create.len());
                plan.overflow.create.push(write(None));
                url
            }
        };
        if !layout.entries.is_empty() {
            links.push(PartLink {
                part: layout.part,
                url,
            });
        }
    }
    for duplicate in &found.duplicates {
        let original = layouts
            .iter()
            .find(|p| p.part == duplicate.part)
            .and_then(|p| p.comment);
        let view = render::RetiredPartView {
            part: duplicate.part,
            url: original.map(|id| comment_url(issue_url, id)),
        };
        plan.overflow.retire.push((
            duplicate.comment,
            render::render(names::PART_RETIRED, &view),
        ));
        plan.notes.push(format!(
            "retired comment {} that duplicated timeline part {} (concurrent runs)",
            duplicate.comment, duplicate.part
        ));
    }
    links.sort_by_key(|l| l.part);
    if !plan.overflow.create.is_empty() {
        plan.notes.push(format!(
            "moved older timeline entries to {} new overflow comment(s)",
            plan.overflow.create.len()
        ));
    }

    // What apply creates shows in the section: it is rendered then. Otherwise it is rendered
    // now, and the body is written only when it changes.
    let rendered =
        (!plan.has_pending()).then(|| super::docs::section(config, &incident, issue_url, &links));
    let text = match &rendered {
        Some(rendered) if plan.overflow.create.is_empty() && plan.moved_report.is_none() => {
            Some(super::docs::compose(body, rendered, &incident))
        }
        _ => None,
    };
    if record.source.in_record() && record.state.as_ref() != Some(&incident) {
        plan.record = Some(RecordWrite {
            comment: match record.source {
                Source::Record { comment } => Some(comment),
                Source::Body | Source::NewRecord => None,
            },
        });
    }
    if text.as_deref() != Some(input.issue.body_text()) {
        plan.body = Some(BodyDraft {
            before: body.before.clone(),
            after: body.after.clone(),
            issue_url: issue_url.to_string(),
            links,
            rendered,
            text,
        });
    }
    plan.incident = Some(incident);
}

/// Reports shorter than this many bytes stay in the description whatever its size: moving them
/// would not make room worth a comment.
pub const MOVE_REPORT_MIN: usize = 2_000;

/// Replaces the reporter's text with a link to a comment of Firebreak's holding it, when the
/// description without any timeline entry (people's text, section, state) would already pass
/// the size the body shrinks to when entries move out — else no run could keep the body under
/// GitHub's limit and every run would fail on it. The comment is planned (`plan.moved_report`)
/// unless one of Firebreak's comments already holds the same text.
fn move_report(
    input: &Input,
    body: &Body,
    bare: &str,
    incident: &Incident,
    plan: &mut Plan,
) -> Option<Body> {
    let text = [body.before.trim(), body.after.trim()]
        .into_iter()
        .filter(|t| !t.is_empty())
        .collect::<Vec<_>>()
        .join("\n\n");
    if text.len() < MOVE_REPORT_MIN {
        return None;
    }
    let issue_url = input.issue.html_url.as_str();
    if super::docs::compose(body, bare, incident).len() <= input.limits.body_low {
        return None;
    }
    let number = input.issue.number;
    let chars = text.chars().count();
    let kept = moved::Kept::new(&text);
    let existing = input
        .comments
        .iter()
        .find(|c| input.is_ours(c) && moved::holds(c.body_text(), number, &kept));
    let url = match existing {
        Some(comment) => comment_url(issue_url, comment.id),
        None => {
            let words = render::render(
                names::REPORT_MOVED_COMMENT,
                &render::MovedReportCommentView {
                    cut: kept.cut,
                    kept: kept.text.chars().count(),
                },
            );
            plan.moved_report = Some(moved::compose(&words, number, &kept));
            plan.notes.push(format!(
                "moved the report ({chars} characters) to a comment: the description would pass GitHub's limit"
            ));
            MOVED_REPORT_URL.to_string()
        }
    };
    let line = render::render(names::REPORT_MOVED, &render::MovedReportView { url, chars });
    Some(Body {
        before: line.trim_end().to_string(),
        after: String::new(),
        state: None,
    })
}

/// Stands for the moved report's URL in the description until apply has posted it. It holds
/// `<`, which the description's text around it cannot: that text is Firebreak's own line.
pub const MOVED_REPORT_URL: &str = "<firebreak-moved-report>";

/// A part's whole comment: the rendered table and the hidden state.
pub(super) fn part_text(
    config: &Config,
    incident: &Incident,
    issue_url: &str,
    part: u32,
    entries: &[Entry],
) -> String {
    parts::compose(
        &render_part(config, incident, issue_url, part, entries),
        &PartState {
            part,
            entries: entries.to_vec(),
        },
    )
}

fn render_part(
    config: &Config,
    incident: &Incident,
    issue_url: &str,
    part: u32,
    entries: &[Entry],
) -> String {
    render::render(
        names::OVERFLOW,
        &render::OverflowView::new(part, incident, entries, config, issue_url),
    )
}

/// What one entry adds to the body or a part, never less than it really adds: its table row
/// (time, escaped author and text, link) and its JSON in the hidden state.
pub fn entry_cost(entry: &Entry, issue_url: &str) -> usize {
    let row = 64
        + crate::markdown::escape_markdown(&entry.by).len()
        + crate::markdown::escape_markdown(&entry.text).len()
        + entry.comment.map_or(0, |_| issue_url.len() + 48);
    row + encode_json(entry).len() + 1
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::EntryKind;
    use crate::incident::section::compose;

    #[test]
    fn entry_cost_covers_the_row_and_the_state_even_for_hostile_text() {
        let config = Config::default();
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let url = "https://github.com/acme/app/issues/7";
        for text in [
            "plain words".to_string(),
            "<<<>>>@@@|||".repeat(80),
            "é🔥".repeat(400),
        ] {
            let entry = Entry::new(at, EntryKind::Comment, "mallory", text)
                .from_comment(123_456_789_012, None);
            let mut inc = Incident::declare("x", 1, "a", at, chrono_tz::UTC);
            let empty = compose(
                "",
                &super::super::docs::section(&config, &inc, url, &[]),
                &inc,
                "",
            )
            .len();
            inc.timeline.push(entry.clone());
            let one = compose(
                "",
                &super::super::docs::section(&config, &inc, url, &[]),
                &inc,
                "",
            )
            .len();
            assert!(
                entry_cost(&entry, url) >= one - empty,
                "{} < {}",
                entry_cost(&entry, url),
                one - empty
            );
        }
    }

    #[test]
    fn a_retired_duplicate_points_to_the_surviving_part() {
        let view = render::RetiredPartView {
            part: 2,
            url: Some(comment_url("https://github.com/acme/app/issues/7", 99)),
        };
        insta::assert_snapshot!(
            render::render(names::PART_RETIRED, &view),
            @"_Two Firebreak runs opened timeline part 2 at the same time; this copy is no longer used and its entries are in [part 2](https://github.com/acme/app/issues/7#issuecomment-99)._"
        );
    }

    #[test]
    fn a_draft_links_created_parts_by_their_ids() {
        let at = "2026-11-20T10:00:00Z".parse().unwrap();
        let inc = Incident::declare("x", 1, "a", at, chrono_tz::UTC);
        let draft = BodyDraft {
            before: "people's <firebreak-new-part-0>".into(),
            rendered: Some(format!("[part 1]({})", placeholder(0))),
            after: String::new(),
            issue_url: "https://h/i/1".into(),
            links: Vec::new(),
            text: None,
        };
        let body = super::super::docs::body(
            &Config::default(),
            &draft,
            &inc,
            &crate::engine::Bindings::default(),
            &[42],
            None,
        );
        assert!(
            body.contains("[part 1](https://h/i/1#issuecomment-42)"),
            "{body}"
        );
        assert!(
            body.starts_with("people's <firebreak-new-part-0>"),
            "only the rendered section is filled in: {body}"
        );
    }
}
