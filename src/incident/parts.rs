//! Timeline overflow: when the issue body would outgrow GitHub's 65,536-character limit, the
//! oldest entries move to bot-owned comments ("parts") linked from the body. Nothing is dropped.
//!
//! A part is a comment by the bot: a rendered table for people, and a hidden state marker
//! holding the part's number and entries, escaped like the body's state ([`super::section`]):
//!
//! ```text
//! ### Timeline of `2026-11-20 14:05 db-down`, part 1
//! | Time (UTC) | Who | What |
//! …
//! <!-- firebreak:overflow {"part":1,"entries":[…]} -->
//! ```
//!
//! Layout rules ([`layout`]), chosen so that a run usually rewrites nothing but the body:
//! - parts hold the oldest entries, in order: every entry of part *n* comes before every entry
//!   of part *n + 1*, and every part entry before every body entry;
//! - an entry stays where it is; entries move out of the body only when the body passes a
//!   high-water mark, and then down to a low-water mark, so the next few dozen comments change
//!   the body alone (hysteresis);
//! - moved entries fill the last part, then open a new one;
//! - two runs that opened the same part at once leave two comments with one number: the oldest
//!   comment is the part, the other one's entries are merged back and it is deleted.

use std::collections::{BTreeMap, HashMap};

use serde::{Deserialize, Serialize};

use super::section::encode_json;
use super::timeline::{self, Entry};

/// Opens the hidden state line of a part.
pub const MARKER: &str = "<!-- firebreak:overflow ";
const COMMENT_END: &str = " -->";

/// GitHub refuses issue bodies and comments longer than this many characters.
pub const GITHUB_LIMIT: usize = 65_536;

/// Sizes (in bytes, which are never fewer than characters) that decide when entries move.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// The body may grow to this size before entries move out. The headroom above it, to
    /// [`GITHUB_LIMIT`], absorbs what a run cannot foresee: the reporter editing their text,
    /// a concurrent run's additions.
    pub body_high: usize,
    /// When entries move out, the body shrinks to this size, so the next comments (roughly
    /// `(body_high - body_low) / 600` of them) change the body alone.
    pub body_low: usize,
    /// A part is filled up to this size; the rest of the limit is room for its entries to be
    /// edited (an excerpt grows to at most [`timeline::EXCERPT_CHARS`] characters).
    pub part_max: usize,
}

impl Limits {
    /// The limits used against GitHub.
    pub const GITHUB: Limits = Limits {
        body_high: 48_000,
        body_low: 28_000,
        part_max: 40_000,
    };
}

/// The hidden state of one part.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq, Eq)]
pub struct PartState {
    pub part: u32,
    #[serde(default)]
    pub entries: Vec<Entry>,
}

/// A part found among the issue's comments.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Part {
    /// The comment holding it.
    pub comment: u64,
    pub part: u32,
    pub entries: Vec<Entry>,
    /// The comment's text as it is (a rewrite is planned only when it would change).
    pub text: String,
}

/// Every part among an issue's bot comments.
#[derive(Debug, Clone, Default)]
pub struct Found {
    /// One part per number (the oldest comment carrying it), ordered by number.
    pub parts: Vec<Part>,
    /// Later comments carrying a number already taken: concurrent runs opened the same part.
    pub duplicates: Vec<Part>,
    /// (comment, problem) for parts whose state does not parse.
    pub damaged: Vec<(u64, String)>,
}

impl Found {
    /// Reads the parts out of `bot_comments` (id, text), which must be the bot's comments
    /// only: a person's comment carrying the marker is just a comment.
    pub fn from_comments<'a>(bot_comments: impl IntoIterator<Item = (u64, &'a str)>) -> Found {
        let mut by_number: BTreeMap<u32, Vec<Part>> = BTreeMap::new();
        let mut found = Found::default();
        for (id, text) in bot_comments {
            match parse(text) {
                None => {}
                Some(Ok(state)) => by_number.entry(state.part).or_default().push(Part {
                    comment: id,
                    part: state.part,
                    entries: state.entries,
                    text: text.to_string(),
                }),
                Some(Err(problem)) => found.damaged.push((id, problem)),
            }
        }
        for (_, mut parts) in by_number {
            parts.sort_by_key(|p| p.comment);
            let mut parts = parts.into_iter();
            found.parts.extend(parts.next());
            found.duplicates.extend(parts);
        }
        found
    }

    /// The body's entries and every part's, each identity once (the body's copy first, then
    /// parts by number, then duplicates), ordered by time.
    pub fn merge(&self, body: &[Entry]) -> Vec<Entry> {
        let mut seen = std::collections::HashSet::new();
        let mut all: Vec<Entry> = Vec::with_capacity(body.len());
        let parts = self.parts.iter().chain(&self.duplicates);
        for entry in body.iter().chain(parts.flat_map(|p| &p.entries)) {
            if seen.insert(entry.id()) {
                all.push(entry.clone());
            }
        }
        timeline::sort(&mut all);
        all
    }
}

/// The state of a part's comment, when it is one (`None` for any other comment).
pub fn parse(text: &str) -> Option<Result<PartState, String>> {
    let start = text
        .match_indices(MARKER)
        .map(|(i, _)| i)
        .find(|&i| i == 0 || text[..i].ends_with('\n'))?
        + MARKER.len();
    let Some(len) = text[start..].find(COMMENT_END) else {
        return Some(Err("the overflow marker is not closed".into()));
    };
    Some(serde_json::from_str(&text[start..start + len]).map_err(|e| e.to_string()))
}

/// A part's comment: the rendered table, then its hidden state.
pub fn compose(rendered: &str, state: &PartState) -> String {
    format!(
        "{}\n\n{MARKER}{}{COMMENT_END}",
        rendered.trim_end(),
        encode_json(state)
    )
}

/// What one part will hold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PartLayout {
    pub part: u32,
    /// The comment holding it; `None` for a part to be opened.
    pub comment: Option<u64>,
    pub entries: Vec<Entry>,
}

/// Where every entry goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Layout {
    /// Entries that stay in the body, oldest first.
    pub body: Vec<Entry>,
    /// Every part, existing and new, by number.
    pub parts: Vec<PartLayout>,
}

/// Sizes of the things [`layout`] arranges, estimated generously by the caller.
pub struct Costs<F: Fn(&Entry) -> usize> {
    /// The body without any timeline entry or part link.
    pub body_fixed: usize,
    /// One link to a part in the body.
    pub link: usize,
    /// A part without entries.
    pub part_fixed: usize,
    /// One entry, rendered and in the state (the same for body and parts).
    pub entry: F,
}

/// Arranges `all` (ordered by time) between the body and the parts, keeping every entry where
/// `existing` parts had it as far as the rules in the module docs allow.
pub fn layout<F: Fn(&Entry) -> usize>(
    all: Vec<Entry>,
    existing: &[Part],
    costs: &Costs<F>,
    limits: &Limits,
) -> Layout {
    // Which existing part (index) each entry was in; the body is index `existing.len()`.
    let body_slot = existing.len();
    let mut slot_of: HashMap<String, usize> = HashMap::new();
    for (i, part) in existing.iter().enumerate() {
        for entry in &part.entries {
            slot_of.entry(entry.id()).or_insert(i);
        }
    }
    let mut slots: Vec<usize> = all
        .iter()
        .map(|e| slot_of.get(&e.id()).copied().unwrap_or(body_slot))
        .collect();
    // Keep the order: an entry goes no later than any entry after it (a backdated entry joins
    // the part whose time it belongs to).
    for i in (0..slots.len().saturating_sub(1)).rev() {
        slots[i] = slots[i].min(slots[i + 1]);
    }
    let mut parts: Vec<PartLayout> = existing
        .iter()
        .map(|p| PartLayout {
            part: p.part,
            comment: Some(p.comment),
            entries: Vec::new(),
        })
        .collect();
    let mut body = Vec::new();
    for (entry, slot) in all.into_iter().zip(slots) {
        match parts.get_mut(slot) {
            Some(part) => part.entries.push(entry),
            None => body.push(entry),
        }
    }
    let part_cost = |entries: &[Entry]| -> usize {
        costs.part_fixed + entries.iter().map(|e| (costs.entry)(e)).sum::<usize>()
    };
    // A part grown past its size (edits, backdated entries) hands its newest entries on.
    let mut carry: Vec<Entry> = Vec::new();
    for part in &mut parts {
        if !carry.is_empty() {
            carry.append(&mut part.entries);
            part.entries = std::mem::take(&mut carry);
        }
        while part.entries.len() > 1 && part_cost(&part.entries) > limits.part_max {
            carry.insert(0, part.entries.pop().expect("more than one"));
        }
    }
    let mut next_number = parts.iter().map(|p| p.part).max().unwrap_or(0) + 1;
    let mut open_part = |parts: &mut Vec<PartLayout>| {
        parts.push(PartLayout {
            part: next_number,
            comment: None,
            entries: Vec::new(),
        });
        next_number += 1;
    };
    // Carried past the last part: they go to new parts, never back to the body.
    let mut fill = |parts: &mut Vec<PartLayout>, entry: Entry| {
        let fits = parts.last().is_some_and(|last| {
            last.entries.is_empty()
                || part_cost(&last.entries) + (costs.entry)(&entry) <= limits.part_max
        });
        if !fits {
            open_part(parts);
        }
        parts.last_mut().expect("opened").entries.push(entry);
    };
    for entry in carry {
        fill(&mut parts, entry);
    }
    // The body, with one link per part.
    let body_cost = |body: &[Entry], parts: usize| -> usize {
        costs.body_fixed + costs.link * parts + body.iter().map(|e| (costs.entry)(e)).sum::<usize>()
    };
    if body_cost(&body, parts.len()) > limits.body_high {
        let mut body_left = body_cost(&body, parts.len());
        let mut moved = 0;
        while moved < body.len() && body_left > limits.body_low {
            body_left -= (costs.entry)(&body[moved]);
            moved += 1;
        }
        let rest = body.split_off(moved);
        for entry in std::mem::replace(&mut body, rest) {
            fill(&mut parts, entry);
        }
    }
    Layout { body, parts }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::incident::EntryKind;
    use chrono::{DateTime, Duration, Utc};

    fn t0() -> DateTime<Utc> {
        "2026-11-20T10:00:00Z".parse().unwrap()
    }

    fn comment(i: u64) -> Entry {
        Entry::new(
            t0() + Duration::minutes(i as i64),
            EntryKind::Comment,
            "bob",
            format!("comment {i}"),
        )
        .from_comment(i, None)
    }

    fn costs() -> Costs<impl Fn(&Entry) -> usize> {
        Costs {
            body_fixed: 100,
            link: 10,
            part_fixed: 50,
            entry: |_: &Entry| 100,
        }
    }

    const SMALL: Limits = Limits {
        body_high: 1_000,
        body_low: 500,
        part_max: 650,
    };

    fn ids(entries: &[Entry]) -> Vec<u64> {
        entries.iter().filter_map(|e| e.comment).collect()
    }

    fn part(number: u32, comment: u64, entries: &[u64]) -> Part {
        Part {
            comment,
            part: number,
            entries: entries.iter().map(|&i| self::comment(i)).collect(),
            text: String::new(),
        }
    }

    #[test]
    fn a_body_under_the_high_mark_keeps_every_entry() {
        let all: Vec<Entry> = (1..=9).map(comment).collect();
        let layout = layout(all, &[], &costs(), &SMALL);
        assert_eq!(ids(&layout.body), (1..=9).collect::<Vec<_>>());
        assert!(layout.parts.is_empty());
    }

    #[test]
    fn past_the_high_mark_the_oldest_move_down_to_the_low_mark() {
        let all: Vec<Entry> = (1..=10).map(comment).collect();
        let layout = layout(all, &[], &costs(), &SMALL);
        // 100 + 100 per entry = 1,100 > 1,000: entries move until 500 is reached.
        assert_eq!(ids(&layout.body), [7, 8, 9, 10]);
        assert_eq!(layout.parts.len(), 1);
        assert_eq!(layout.parts[0].comment, None);
        assert_eq!(ids(&layout.parts[0].entries), [1, 2, 3, 4, 5, 6]);
    }

    #[test]
    fn existing_parts_keep_their_entries_and_new_ones_stay_in_the_body() {
        let existing = [part(1, 900, &[1, 2, 3])];
        let all: Vec<Entry> = (1..=6).map(comment).collect();
        let layout = layout(all, &existing, &costs(), &SMALL);
        assert_eq!(ids(&layout.parts[0].entries), [1, 2, 3]);
        assert_eq!(layout.parts[0].comment, Some(900));
        assert_eq!(ids(&layout.body), [4, 5, 6]);
    }

    #[test]
    fn a_backdated_entry_joins_the_part_its_time_belongs_to() {
        let existing = [part(1, 900, &[2, 3]), part(2, 901, &[5, 6])];
        let all: Vec<Entry> = [1, 2, 3, 4, 5, 6, 7].into_iter().map(comment).collect();
        let layout = layout(all, &existing, &costs(), &SMALL);
        assert_eq!(ids(&layout.parts[0].entries), [1, 2, 3]);
        assert_eq!(ids(&layout.parts[1].entries), [4, 5, 6]);
        assert_eq!(ids(&layout.body), [7]);
    }

    #[test]
    fn a_full_part_hands_its_newest_entries_on() {
        // Part 1 holds 7 entries: 50 + 700 > 650, so its newest moves to part 2.
        let existing = [part(1, 900, &[1, 2, 3, 4, 5, 6, 7]), part(2, 901, &[8])];
        let all: Vec<Entry> = (1..=9).map(comment).collect();
        let layout = layout(all, &existing, &costs(), &SMALL);
        assert_eq!(ids(&layout.parts[0].entries), [1, 2, 3, 4, 5, 6]);
        assert_eq!(ids(&layout.parts[1].entries), [7, 8]);
        assert_eq!(ids(&layout.body), [9]);
    }

    #[test]
    fn deleted_entries_leave_their_part_and_nothing_else_moves() {
        let existing = [part(1, 900, &[1, 2, 3])];
        let all: Vec<Entry> = [1, 3, 4].into_iter().map(comment).collect();
        let layout = layout(all, &existing, &costs(), &SMALL);
        assert_eq!(ids(&layout.parts[0].entries), [1, 3]);
        assert_eq!(ids(&layout.body), [4]);
    }

    #[test]
    fn duplicated_parts_keep_the_oldest_comment_and_merge_the_rest() {
        let a = compose(
            "x",
            &PartState {
                part: 1,
                entries: vec![comment(1)],
            },
        );
        let b = compose(
            "x",
            &PartState {
                part: 1,
                entries: vec![comment(1), comment(2)],
            },
        );
        let found = Found::from_comments([(20, b.as_str()), (10, a.as_str()), (30, "hello")]);
        assert_eq!(found.parts.len(), 1);
        assert_eq!(found.parts[0].comment, 10);
        assert_eq!(found.duplicates.len(), 1);
        assert_eq!(found.duplicates[0].comment, 20);
        assert_eq!(ids(&found.merge(&[comment(3)])), [1, 2, 3]);
    }

    #[test]
    fn part_state_round_trips_and_hostile_text_cannot_close_the_marker() {
        let mut entry = comment(1);
        entry.text = "--> <!-- firebreak:overflow {\"part\":9} --> | @alice".into();
        let state = PartState {
            part: 3,
            entries: vec![entry],
        };
        let text = compose("table", &state);
        assert_eq!(parse(&text), Some(Ok(state)));
        let line = text.lines().last().unwrap();
        assert_eq!(line.matches("-->").count(), 1, "{line}");
        assert_eq!(parse("just a comment"), None);
        assert!(matches!(
            parse(&format!("{MARKER}{{oops -->")),
            Some(Err(_))
        ));
    }
}
