//! Deciding from the newest page of comments ([`Listing::Newest`]): an incident with more
//! comments than one read brings is decided from the newest ones when its own state proves
//! that nothing older is unseen, and from the whole listing ([`Need::Comments`]) otherwise.
//!
//! The proof rests on one invariant every run keeps: a run records a comment only together
//! with every older comment it listed, so every comment up to the newest one the state records
//! (`M`) has its entries. The page then holds everything the decision must see when
//! - it reaches back to `M` (its oldest comment is not newer than `M`): every comment after
//!   `M` is in it;
//! - every person's comment in it up to `M` shows in the entries at hand (the body's and the
//!   listed parts'): an entry in a part that is not listed (a backdated `/timeline` line) or a
//!   comment a run missed asks for everything;
//! - every comment the body records from the page's span is still in it: a deleted one asks
//!   for everything (only the whole listing may drop entries).
//!
//! After the decision, a write that needs more than the page — a part to open, rewrite or
//! retire, the reporter's text to move, anything of the postmortem (its draft shows the whole
//! timeline), an entry added or changed that is older than every entry at hand (it may belong
//! in, or already be in, a part that is not listed) — is decided again over the whole listing.
//! Edits of comments outside the page are not seen here: the gather step lists everything for
//! the event of such an edit or a deletion.

use std::collections::BTreeSet;

use super::{Input, Listing, Plan};
use crate::incident::parts::Found;
use crate::incident::timeline::Entry;
use crate::render::PartLink;

/// Why the newest page cannot decide; `None`: it can.
pub(super) fn unproven(input: &Input, timeline: &[Entry]) -> Option<&'static str> {
    debug_assert_eq!(input.listing, Listing::Newest);
    let Some(oldest) = input.comments.iter().map(|c| c.id).min() else {
        return Some("the page is empty");
    };
    // Entries of the issue's own comments (a pull request's comments have entries too).
    let own = || timeline.iter().filter(|e| e.pull.is_none());
    let Some(newest) = own().filter_map(|e| e.comment).max() else {
        return Some("the state records no comment");
    };
    if oldest > newest {
        return Some("the page does not reach the newest comment the state records");
    }
    let seen: BTreeSet<u64> = own().filter_map(|e| e.comment).collect();
    if input
        .comments
        .iter()
        .filter(|c| input.is_person(c))
        .any(|c| c.id <= newest && !seen.contains(&c.id))
    {
        return Some("a comment of the page is recorded nowhere at hand");
    }
    let listed: BTreeSet<u64> = input.comments.iter().map(|c| c.id).collect();
    if own()
        .filter(|e| e.line.is_none())
        .filter_map(|e| e.comment)
        .any(|id| id >= oldest && !listed.contains(&id))
    {
        return Some("a recorded comment was deleted");
    }
    None
}

/// Links to the parts that are not among the listed comments, as the body shows them:
/// `[part N](<issue URL>#issuecomment-<id>)` on the section's overflow line. The state is
/// believed from the body only when its author may change the incident, so the line is
/// Firebreak's own.
pub(super) fn unlisted_links(input: &Input, found: &Found) -> Vec<PartLink> {
    let listed: BTreeSet<u32> = found
        .parts
        .iter()
        .chain(&found.duplicates)
        .map(|p| p.part)
        .collect();
    let prefix = format!("{}#issuecomment-", input.issue.html_url);
    let text = input.issue.body_text();
    let Some(section) = text
        .find(crate::incident::section::BEGIN)
        .map(|i| &text[i..])
    else {
        return Vec::new();
    };
    let Some(line) = section
        .lines()
        .find(|l| l.starts_with(OVERFLOW_LINE))
        .map(|l| &l[OVERFLOW_LINE.len()..])
    else {
        return Vec::new();
    };
    let mut links: Vec<PartLink> = line
        .split("[part ")
        .filter_map(|link| {
            let (part, rest) = link.split_once("](")?;
            let (url, _) = rest.split_once(')')?;
            let part: u32 = part.parse().ok()?;
            url.strip_prefix(&prefix)?.parse::<u64>().ok()?;
            Some(PartLink {
                part,
                url: url.to_string(),
            })
        })
        .filter(|link| !listed.contains(&link.part))
        .collect();
    links.sort_by_key(|l| l.part);
    links
}

/// How the section's line linking the parts begins (`templates/incident-section.md.hbs`).
const OVERFLOW_LINE: &str = "Earlier entries are in comments: ";

/// Why a plan decided from the page must be decided again over every comment; `None`: it
/// stands. `before` holds the entries at hand before the decision; `unlisted`, the parts not
/// listed.
pub(super) fn overreaches(
    plan: &Plan,
    before: &[Entry],
    unlisted: &[PartLink],
) -> Option<&'static str> {
    if !plan.overflow.is_empty() || plan.moved_report.is_some() {
        return Some("overflow parts or the reporter's text would be rewritten");
    }
    if !plan.postmortem.is_empty() {
        // A draft, its file and the public postmortem show the whole timeline.
        return Some("the postmortem shows the whole timeline");
    }
    if unlisted.is_empty() {
        return None;
    }
    let Some(floor) = before.iter().map(|e| e.at).min() else {
        return Some("no entry at hand shows where the parts end");
    };
    let after = plan.incident.as_ref().map_or(&[][..], |i| &i.timeline[..]);
    after
        .iter()
        .any(|e| e.at <= floor && !before.contains(e))
        .then_some("an entry older than every entry at hand may belong in a part not listed")
}
