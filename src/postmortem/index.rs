//! The postmortem index (`docs/postmortems/README.md`): every merged postmortem, newest first,
//! one line each with its severity and duration.
//!
//! Firebreak keeps the list inside a managed block; text around it is the team's. A line's
//! identity is its link, so adding a postmortem twice (a repeated run) keeps one line, and lines
//! sort by their text, which starts with the incident's date and time.

use super::markdown;
use crate::config::Config;
use crate::incident::{Incident, human_duration};
use crate::render::views::postmortem::{IndexLineView, IndexView};
use crate::render::{self as templates, TemplateError, names};

const BLOCK: &str = "index";

/// A link from the index to `path`: relative when the file is beside or below the index.
pub fn relative_link(index: &str, path: &str) -> String {
    let dir = index.rsplit_once('/').map(|(d, _)| d).unwrap_or("");
    if dir.is_empty() {
        return path.to_string();
    }
    match path.strip_prefix(&format!("{dir}/")) {
        Some(rest) => rest.to_string(),
        None => format!("/{path}"),
    }
}

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

pub fn line_view(config: &Config, incident: &Incident, number: u64) -> IndexLineView {
    IndexLineView {
        record: incident.record.clone(),
        when: incident.record.get(..16).unwrap_or("").to_string(),
        title: incident.title.clone(),
        link: relative_link(
            &config.postmortem.index,
            &super::file_path(config, incident),
        ),
        severity: config.severity_name(incident.severity),
        duration: incident
            .resolved_at
            .map(|r| human_duration(r - incident.declared_at))
            .unwrap_or_else(|| "unresolved".to_string()),
        number,
    }
}

/// The index with `incident`'s line added (or replaced); `None` when it is already there as
/// rendered (nothing to write).
pub fn updated(
    config: &Config,
    current: Option<&str>,
    incident: &Incident,
    number: u64,
) -> Result<Option<String>, TemplateError> {
    let view = line_view(config, incident, number);
    let line = templates::render_overridable(config, names::INDEX_LINE, &view)?
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
        return Ok(None);
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
        None => templates::render_overridable(
            config,
            names::INDEX,
            &IndexView {
                block: markdown::block(BLOCK, &inner),
            },
        )?,
    };
    Ok(Some(doc))
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
        let first = updated(&config, None, &a, 12).unwrap().unwrap();
        let second = updated(&config, Some(&first), &b, 20).unwrap().unwrap();
        assert_eq!(updated(&config, Some(&second), &a, 12).unwrap(), None);
        insta::assert_snapshot!("index_two_postmortems", second);
        let newer = second.find("DNS outage").unwrap();
        let older = second.find("Checkout errors").unwrap();
        assert!(newer < older, "newest first");
    }

    #[test]
    fn a_hand_written_index_keeps_its_text_and_gains_the_block() {
        let config = Config::default();
        let a = incident("2026-11-20T10:00:00Z", "Checkout errors", 2, 185);
        let doc = updated(&config, Some("# Our postmortems\n\nRead them."), &a, 12)
            .unwrap()
            .unwrap();
        assert!(doc.starts_with("# Our postmortems\n\nRead them.\n\n<!-- firebreak:index"));
        assert!(doc.contains("(2026-11-20-checkout-errors.md)"));
    }

    #[test]
    fn links_are_relative_to_the_index() {
        assert_eq!(
            relative_link("docs/postmortems/README.md", "docs/postmortems/a.md"),
            "a.md"
        );
        assert_eq!(relative_link("README.md", "docs/a.md"), "docs/a.md");
        assert_eq!(relative_link("docs/index.md", "pm/a.md"), "/pm/a.md");
    }
}
