//! The public status site's views (`templates/status-*.hbs`). Everything here is public by
//! construction: the status page builds them only from what was marked public, redacted.

use serde::Serialize;

/// The overall status banner.
#[derive(Debug, Clone, Serialize)]
pub struct BannerView {
    /// `none`, `minor`, `major` or `critical` (Statuspage's indicator), also the CSS class.
    pub indicator: &'static str,
    pub description: &'static str,
}

#[derive(Debug, Clone, Serialize)]
pub struct UpdateView {
    /// `2026-11-20T14:05:00Z`, for `<time datetime>`.
    pub iso: String,
    /// `Nov 20, 14:05 UTC`.
    pub time: String,
    /// `Investigating`, `Identified`, …
    pub status: String,
    pub text: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct IncidentView {
    /// The fragment naming it in the page (`incident-12`).
    pub anchor: String,
    pub name: String,
    pub severity: String,
    /// `critical`, `major`, `minor` or `none`, also the CSS class.
    pub impact: &'static str,
    pub status: String,
    pub started: String,
    pub started_iso: String,
    pub resolved: Option<String>,
    pub resolved_iso: Option<String>,
    /// Newest first, as status pages show them.
    pub updates: Vec<UpdateView>,
    /// The public postmortem's page, relative to the site's root.
    pub postmortem: Option<String>,
}

/// `index.html`.
#[derive(Debug, Clone, Serialize)]
pub struct PageView {
    pub title: String,
    pub banner: BannerView,
    pub current: Vec<IncidentView>,
    pub past: Vec<IncidentView>,
    pub days: u32,
    pub generated: String,
    pub generated_iso: String,
    pub zone: String,
}

/// A public postmortem's page.
#[derive(Debug, Clone, Serialize)]
pub struct PostmortemPageView {
    pub site: String,
    pub name: String,
    /// The postmortem as HTML, built and sanitized by Firebreak.
    pub html: String,
    /// Back to the incident on the index (`../index.html#incident-12`).
    pub back: String,
}

#[derive(Debug, Clone, Serialize)]
pub struct FeedEntryView {
    pub id: String,
    pub title: String,
    pub link: String,
    pub updated: String,
    /// HTML, escaped once more by the template (Atom `type="html"`).
    pub content: String,
}

/// `feed.atom`.
#[derive(Debug, Clone, Serialize)]
pub struct FeedView {
    pub title: String,
    pub url: String,
    pub updated: String,
    pub entries: Vec<FeedEntryView>,
}
