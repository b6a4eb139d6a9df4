//! `feed.atom`: one entry per public update and per published public postmortem, newest
//! first. Entry ids are stable, so a reader shows each once.

use super::{Input, PublicIncident, iso, markdown, status_word};
use crate::render::views::status_page::{FeedEntryView, FeedView};
use crate::render::{self, names};

/// The longest feed: readers only look at the latest entries.
const MAX_ENTRIES: usize = 100;

pub(super) fn feed(input: &Input<'_>, incidents: &[PublicIncident]) -> String {
    let url = &input.site.url;
    let mut entries: Vec<(chrono::DateTime<chrono::Utc>, FeedEntryView)> = Vec::new();
    for incident in incidents {
        let link = format!("{url}#{}", incident.anchor());
        for update in &incident.updates {
            entries.push((
                update.at,
                FeedEntryView {
                    id: format!("{url}#{}-{}", incident.anchor(), update.id),
                    title: format!("{}: {}", status_word(update.status), incident.name),
                    link: link.clone(),
                    updated: iso(update.at),
                    content: markdown::text_to_html(&update.text),
                },
            ));
        }
        if let Some(pm) = &incident.postmortem {
            entries.push((
                pm.at,
                FeedEntryView {
                    id: format!("{url}{}", pm.page),
                    title: format!("Postmortem: {}", incident.name),
                    link: format!("{url}{}", pm.page),
                    updated: iso(pm.at),
                    content: markdown::to_html(&pm.markdown),
                },
            ));
        }
    }
    entries.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.id.cmp(&b.1.id)));
    entries.truncate(MAX_ENTRIES);
    let updated = entries.first().map(|e| e.0).unwrap_or(input.now);
    let view = FeedView {
        title: input.site.title.clone(),
        url: url.clone(),
        updated: iso(updated),
        entries: entries.into_iter().map(|e| e.1).collect(),
    };
    render::render_web(names::STATUS_FEED, &view)
}
