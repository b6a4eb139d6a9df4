//! `index.html` and the public postmortems' pages.

use super::{
    HISTORY_DAYS, Input, PublicIncident, PublicPostmortem, display_time, indicator, iso, markdown,
    status_word,
};
use crate::render::views::status_page::{
    BannerView, IncidentView, PageView, PostmortemPageView, UpdateView,
};
use crate::render::{self, names};

fn incident_view(input: &Input<'_>, incident: &PublicIncident) -> IncidentView {
    let config = input.config;
    IncidentView {
        anchor: incident.anchor(),
        name: incident.name.clone(),
        severity: incident.severity.clone(),
        impact: incident.impact.as_str(),
        status: status_word(incident.status),
        started: display_time(config, incident.started_at),
        started_iso: iso(incident.started_at),
        resolved: incident.resolved_at.map(|t| display_time(config, t)),
        resolved_iso: incident.resolved_at.map(iso),
        updates: incident
            .updates
            .iter()
            .rev()
            .map(|u| UpdateView {
                iso: iso(u.at),
                time: display_time(config, u.at),
                status: status_word(u.status),
                text: u.text.clone(),
            })
            .collect(),
        postmortem: incident.postmortem.as_ref().map(|p| p.page.clone()),
    }
}

/// The status page.
pub(super) fn index(input: &Input<'_>, incidents: &[PublicIncident]) -> String {
    let level = indicator(incidents);
    let view = PageView {
        title: input.site.title.clone(),
        banner: BannerView {
            indicator: level.as_str(),
            description: level.description(),
        },
        current: incidents
            .iter()
            .filter(|i| !i.resolved())
            .map(|i| incident_view(input, i))
            .collect(),
        past: incidents
            .iter()
            .filter(|i| i.resolved())
            .map(|i| incident_view(input, i))
            .collect(),
        days: HISTORY_DAYS as u32,
        generated: display_time(input.config, input.now),
        generated_iso: iso(input.now),
        zone: input.config.timezone.name().to_string(),
    };
    render::render_web(names::STATUS_PAGE, &view)
}

/// A public postmortem's page.
pub(super) fn postmortem(
    input: &Input<'_>,
    incident: &PublicIncident,
    pm: &PublicPostmortem,
) -> String {
    let view = PostmortemPageView {
        site: input.site.title.clone(),
        name: incident.name.clone(),
        html: markdown::to_html(&pm.markdown),
        back: format!("../index.html#{}", incident.anchor()),
    };
    render::render_web(names::STATUS_POSTMORTEM, &view)
}
