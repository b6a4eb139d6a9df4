//! `firebreak app manifest`: the GitHub App manifest that registers Firebreak in one step
//! (GitHub's "creating a GitHub App from a manifest" flow; docs/app.md walks through it).
//!
//! Least privilege: Firebreak reads and writes issues (incidents, comments, labels, action
//! items), pull requests (postmortem drafts, their checklist) and contents (postmortem files,
//! the index, `.github/firebreak.yml`); it reads team membership (commands allowed by team) and
//! metadata (every App has it). It subscribes to the events the dispatcher handles.

use serde_json::{Value, json};

/// Repository and organization permissions, name → access.
pub const PERMISSIONS: &[(&str, &str)] = &[
    ("contents", "write"),
    ("issues", "write"),
    ("members", "read"),
    ("metadata", "read"),
    ("pull_requests", "write"),
];

/// The webhook events the App subscribes to (`installation` is always sent to Apps).
pub const EVENTS: &[&str] = &[
    "issue_comment",
    "issues",
    "pull_request",
    "pull_request_review",
];

/// What the manifest is made from.
#[derive(Debug, Clone)]
pub struct ManifestOptions {
    /// The App's name on GitHub (its slug derives from it).
    pub name: String,
    /// Where GitHub sends webhooks: `https://<host>/webhook`.
    pub webhook_url: String,
    /// The App's homepage.
    pub url: String,
    /// Where GitHub sends the browser back with the code to convert (optional).
    pub redirect_url: Option<String>,
}

/// The manifest as JSON.
pub fn manifest(options: &ManifestOptions) -> Value {
    let permissions: serde_json::Map<String, Value> = PERMISSIONS
        .iter()
        .map(|(name, access)| (name.to_string(), json!(access)))
        .collect();
    let mut manifest = json!({
        "name": options.name,
        "url": options.url,
        "description": "Incident response inside GitHub: incidents as issues, driven by slash commands, with timelines, postmortems and action items.",
        "hook_attributes": { "url": options.webhook_url, "active": true },
        "public": false,
        "default_permissions": permissions,
        "default_events": EVENTS,
    });
    if let (Some(url), Value::Object(map)) = (&options.redirect_url, &mut manifest) {
        map.insert("redirect_url".into(), json!(url));
    }
    manifest
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_manifest_subscribes_only_to_events_the_server_handles() {
        for event in EVENTS {
            assert!(
                crate::app::server::HANDLED.contains(event),
                "`{event}` is subscribed but not handled"
            );
        }
        let m = manifest(&ManifestOptions {
            name: "Firebreak".into(),
            webhook_url: "https://firebreak.example.com/webhook".into(),
            url: "https://example.com".into(),
            redirect_url: None,
        });
        assert_eq!(
            m["hook_attributes"]["url"],
            "https://firebreak.example.com/webhook"
        );
        assert!(m.get("redirect_url").is_none(), "only when given");
        assert_eq!(
            m["default_permissions"].as_object().unwrap().len(),
            PERMISSIONS.len()
        );
    }
}
