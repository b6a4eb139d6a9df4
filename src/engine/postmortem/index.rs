//! The postmortem index (`docs/postmortems/README.md`): every merged postmortem, newest first,
//! one line each with its severity and duration.
//!
//! Firebreak keeps the list inside a managed block; text around it is the team's. A line's
//! identity is its link, so adding a postmortem twice (a repeated run) keeps one line, and lines
//! sort by their text, which starts with the incident's date and time.

use crate::config::Config;
use crate::incident::Incident;
use crate::postmortem::markdown;
use crate::render::views::postmortem::{IndexView, line_view};
use crate::render::{self, names};

use super::Run;
use crate::engine::plan::{Doc, FileWrite};

const BLOCK: &str = "index";

/// Newest first: by the date and time a line starts with, then by the last `#number` in it
/// (two incidents declared in the same minute).
fn sort_key(line: &str) -> (String, u64) {
    let when: String = line.chars().take(18).collect();
    let number = line
        .rsplit('#')
        .next()
        .map(|tail| {
            tail.chars()
                .take_while(char::is_ascii_digit)
                .collect::<String>()
        })
        .and_then(|d| d.parse().ok())
        .unwrap_or(0);
    (when, number)
}

/// The index with `incident`'s line added (or replaced); `None` when it is already there as
/// rendered (nothing to write).
pub fn updated(
    config: &Config,
    current: Option<&str>,
    incident: &Incident,
    number: u64,
) -> Option<String> {
    let view = line_view(config, incident, number);
    let line = render::render_or_built_in(config, names::INDEX_LINE, &view)
        .trim()
        .to_string();
    let link = format!("]({})", view.link);
    let (begin, end) = markdown::block_markers(BLOCK);
    let existing: Vec<String> = current
        .and_then(|doc| {
            let start = doc.find(&begin)? + begin.len();
            let stop = start + doc[start..].find(&end)?;
            Some(
                doc[start..stop]
                    .lines()
                    .map(str::trim_end)
                    .filter(|l| !l.trim().is_empty())
                    .map(str::to_string)
                    .collect(),
            )
        })
        .unwrap_or_default();
    if existing.contains(&line) {
        return None;
    }
    let mut lines: Vec<String> = existing
        .into_iter()
        .filter(|l| !l.contains(&link))
        .collect();
    lines.push(line);
    lines.sort_by_key(|l| std::cmp::Reverse(sort_key(l)));
    let inner = lines.join("\n");
    let doc = match current {
        Some(doc) => match markdown::replace_block(doc, BLOCK, &inner) {
            Some(doc) => doc,
            // A hand-written index without the block: the list goes at its end.
            None => format!("{}\n\n{}\n", doc.trim_end(), markdown::block(BLOCK, &inner)),
        },
        None => render::render_or_built_in(
            config,
            names::INDEX,
            &IndexView {
                block: markdown::block(BLOCK, &inner),
            },
        ),
    };
    Some(doc)
}

impl Run<'_, '_> {
    /// Adds the postmortem's line to the index on the base branch.
    pub(super) fn index(&mut self, incident: &mut Incident) {
        let config = self.input.config;
        let base = match self.input.pull {
            Some(pull) => Some(pull.base.clone()),
            None => self.base_branch(),
        };
        let Some(base) = base else { return };
        let path = config.postmortem.index.clone();
        let Some(current) = self.file(&base, &path) else {
            return;
        };
        let updated = updated(
            config,
            current.as_ref().map(|f| f.text.as_str()),
            incident,
            self.input.issue.number,
        );
        if let Some(text) = updated {
            self.plan.postmortem.files.push(FileWrite {
                path,
                branch: base,
                content: Doc::Text(text),
                message: format!("Postmortem index: {}", incident.record),
                sha: current.map(|f| f.sha),
            });
        }
        if let Some(pm) = incident.postmortem.as_mut() {
            pm.indexed = true;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn incident(at: &str, title: &str, sev: u8, minutes: i64) -> Incident {
        let t = at.parse().unwrap();
        let mut i = Incident::declare(title, sev, "alice", t, chrono_tz::UTC);
        i.set_status(
            crate::incident::Status::Resolved,
            t + chrono::Duration::minutes(minutes),
        );
        i
    }

    #[test]
    fn index_is_created_then_kept_newest_first_without_duplicates() {
        let config = Config::default();
        let a = incident("2026-11-20T10:00:00Z", "Checkout errors", 2, 185);
        let b = incident("2026-12-01T08:30:00Z", "DNS outage", 1, 42);
        let first = updated(&config, None, &a, 12).unwrap();
        let second = updated(&config, Some(&first), &b, 20).unwrap();
        assert_eq!(updated(&config, Some(&second), &a, 12), None);
        insta::assert_snapshot!("index_two_postmortems", second);
        let newer = second.find("DNS outage").unwrap();
        let older = second.find("Checkout errors").unwrap();
        assert!(newer < older, "newest first");
    }

    #[test]
    fn a_hand_written_index_keeps_its_text_and_gains_the_block() {
        let config = Config::default();
        let a = incident("2026-11-20T10:00:00Z", "Checkout errors", 2, 185);
        let doc = updated(&config, Some("# Our postmortems\n\nRead them."), &a, 12).unwrap();
        assert!(doc.starts_with("# Our postmortems\n\nRead them.\n\n<!-- firebreak:index"));
        assert!(doc.contains("(2026-11-20-checkout-errors.md)"));
    }
}
