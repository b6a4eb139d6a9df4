use chrono::{DateTime, Utc};

use super::*;
use crate::incident::section::compose;
use crate::incident::{Entry, PublicUpdate as StateUpdate};

fn at(s: &str) -> DateTime<Utc> {
    s.parse().unwrap()
}

fn issue(number: u64, state: &str, inc: &Incident) -> Issue {
    serde_json::from_value(serde_json::json!({
        "number": number, "id": number, "title": "t", "body": compose("", "x", inc, ""),
        "state": state, "user": {"login": "alice", "id": 1, "type": "User"},
        "created_at": "2026-11-01T00:00:00Z", "updated_at": "2026-11-01T00:00:00Z",
        "closed_at": (state == "closed").then_some("2026-11-21T00:00:00Z"),
    }))
    .unwrap()
}

fn incident(title: &str, severity: u8, declared: &str) -> Incident {
    Incident::declare(title, severity, "alice", at(declared), chrono_tz::UTC)
}

fn public(inc: &mut Incident, key: &str, when: &str, text: &str) {
    inc.add_public_update(StateUpdate {
        key: key.into(),
        at: at(when),
        status: inc.status,
        text: text.into(),
    });
}

fn site() -> Site {
    Site {
        title: "Acme status".into(),
        url: "https://status.example.com/".into(),
    }
}

fn incidents_of(issues: &[Issue], now: &str) -> Vec<PublicIncident> {
    let config = Config::default();
    let site = site();
    let postmortems = BTreeMap::new();
    public_incidents(&Input {
        config: &config,
        now: at(now),
        site: &site,
        incidents: issues,
        postmortems: &postmortems,
    })
}

#[test]
fn only_incidents_with_something_public_appear_and_the_worst_open_one_sets_the_status() {
    let mut sev1 = incident("Checkout down", 1, "2026-11-20T10:00:00Z");
    public(&mut sev1, "c1.1", "2026-11-20T10:10:00Z", "Investigating");
    let mut sev3 = incident("Slow search", 3, "2026-11-20T09:00:00Z");
    public(&mut sev3, "c2.1", "2026-11-20T09:10:00Z", "Search is slow");
    let quiet = incident("Internal only", 1, "2026-11-20T08:00:00Z");
    let found = incidents_of(
        &[
            issue(1, "open", &sev1),
            issue(2, "open", &sev3),
            issue(3, "open", &quiet),
        ],
        "2026-11-20T12:00:00Z",
    );
    let numbers: Vec<u64> = found.iter().map(|i| i.number).collect();
    assert_eq!(numbers, [1, 2]);
    assert_eq!(indicator(&found), Impact::Critical);
    assert_eq!(indicator(&found[1..]), Impact::Minor);
}

#[test]
fn a_closed_issue_is_resolved_and_leaves_the_page_after_ninety_days() {
    let mut old = incident("Old", 2, "2026-07-01T10:00:00Z");
    public(&mut old, "c1.1", "2026-07-01T10:10:00Z", "Fixed");
    let mut recent = incident("Recent", 2, "2026-11-20T10:00:00Z");
    public(&mut recent, "c2.1", "2026-11-20T10:10:00Z", "Investigating");
    let found = incidents_of(
        &[issue(1, "closed", &old), issue(2, "closed", &recent)],
        "2026-11-22T12:00:00Z",
    );
    assert_eq!(found.len(), 2, "the old one was closed recently");
    assert!(found.iter().all(|i| i.resolved()));
    assert_eq!(found[1].resolved_at, Some(at("2026-11-21T00:00:00Z")));
    let later = incidents_of(&[issue(1, "closed", &old)], "2027-03-01T00:00:00Z");
    assert!(later.is_empty());
}

#[test]
fn states_without_public_updates_of_their_own_read_them_from_the_timeline() {
    let mut inc = incident("Checkout down", 1, "2026-11-20T10:00:00Z");
    inc.timeline.push(
        Entry::new(
            at("2026-11-20T10:05:00Z"),
            EntryKind::Update,
            "carol",
            "Update: internal",
        )
        .from_comment(5, Some(1)),
    );
    inc.timeline.push(
        Entry::new(
            at("2026-11-20T10:06:00Z"),
            EntryKind::Update,
            "carol",
            "Public update: We are on it",
        )
        .from_comment(6, Some(1)),
    );
    let found = incidents_of(&[issue(1, "open", &inc)], "2026-11-20T12:00:00Z");
    let texts: Vec<&str> = found[0].updates.iter().map(|u| u.text.as_str()).collect();
    assert_eq!(texts, ["We are on it"]);
}

#[test]
fn summary_json_has_statuspage_shape_and_maps_mitigated_to_monitoring() {
    let mut inc = incident("Checkout down", 2, "2026-11-20T10:00:00Z");
    public(&mut inc, "c1.1", "2026-11-20T10:10:00Z", "Investigating");
    inc.set_status(Status::Mitigated, at("2026-11-20T11:00:00Z"));
    public(&mut inc, "c2.1", "2026-11-20T11:05:00Z", "Mitigated");
    let config = Config::default();
    let site = site();
    let postmortems = BTreeMap::new();
    let issues = [issue(7, "open", &inc)];
    let input = Input {
        config: &config,
        now: at("2026-11-20T12:00:00Z"),
        site: &site,
        incidents: &issues,
        postmortems: &postmortems,
    };
    let files = build(&input);
    let summary = &files
        .iter()
        .find(|f| f.path == "api/v2/summary.json")
        .unwrap()
        .content;
    let json: serde_json::Value = serde_json::from_str(summary).unwrap();
    assert_eq!(json["status"]["indicator"], "major");
    assert_eq!(json["status"]["description"], "Partial System Outage");
    assert_eq!(json["page"]["url"], "https://status.example.com/");
    let incident = &json["incidents"][0];
    assert_eq!(incident["id"], "7");
    assert_eq!(incident["status"], "monitoring");
    assert_eq!(incident["impact"], "major");
    assert_eq!(incident["monitoring_at"], "2026-11-20T11:00:00Z");
    assert_eq!(
        incident["shortlink"],
        "https://status.example.com/#incident-7"
    );
    let updates = incident["incident_updates"].as_array().unwrap();
    assert_eq!(updates.len(), 2);
    assert_eq!(updates[0]["body"], "Mitigated");
    assert_eq!(updates[0]["status"], "monitoring");
    assert_eq!(updates[1]["status"], "investigating");
    for key in ["components", "scheduled_maintenances"] {
        assert_eq!(json[key], serde_json::json!([]), "{key}");
    }
    let paths: Vec<&str> = files.iter().map(|f| f.path.as_str()).collect();
    assert_eq!(
        paths,
        [
            "index.html",
            "feed.atom",
            "api/v2/summary.json",
            "api/v2/status.json"
        ]
    );
}

/// WCAG 2 relative luminance of `#rrggbb`.
fn luminance(hex: &str) -> f64 {
    let channel = |i: usize| {
        let c = f64::from(u8::from_str_radix(&hex[i..i + 2], 16).unwrap()) / 255.0;
        if c <= 0.03928 {
            c / 12.92
        } else {
            ((c + 0.055) / 1.055).powf(2.4)
        }
    };
    0.2126 * channel(1) + 0.7152 * channel(3) + 0.0722 * channel(5)
}

fn contrast(a: &str, b: &str) -> f64 {
    let (la, lb) = (luminance(a), luminance(b));
    (la.max(lb) + 0.05) / (la.min(lb) + 0.05)
}

#[test]
fn every_text_color_of_the_page_has_wcag_aa_contrast() {
    let config = Config::default();
    let site = site();
    let postmortems = BTreeMap::new();
    let page = html::index(
        &Input {
            config: &config,
            now: at("2026-11-20T12:00:00Z"),
            site: &site,
            incidents: &[],
            postmortems: &postmortems,
        },
        &[],
    );
    let color = |name: &str| {
        let start = page
            .find(&format!("--{name}: #"))
            .unwrap_or_else(|| panic!("--{name}"));
        let hex = &page[start + name.len() + 4..start + name.len() + 11];
        assert!(hex.starts_with('#') && hex.len() == 7, "{hex}");
        hex.to_string()
    };
    // Body text, muted text and links on the page and on incident panels; banner text on
    // each status color. AA asks 4.5:1 for normal text.
    let mut pairs = Vec::new();
    for fg in ["text", "muted", "link"] {
        for bg in ["page", "panel"] {
            pairs.push((fg, bg));
        }
    }
    for bg in ["none", "minor", "major", "critical"] {
        pairs.push(("on-status", bg));
    }
    for (fg, bg) in pairs {
        let ratio = contrast(&color(fg), &color(bg));
        assert!(ratio >= 4.5, "--{fg} on --{bg}: {ratio:.2}:1");
    }
    assert!(
        page.contains("<main id=\"main\">")
            && page.contains("<header>")
            && page.contains("<footer>")
    );
    assert!(page.contains("<html lang=\"en\">"));
    assert!(page.contains("name=\"viewport\""));
    assert!(!page.contains("<script"), "no JavaScript");
}
