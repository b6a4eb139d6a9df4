//! `firebreak app manifest`: the GitHub App manifest that registers Firebreak in one step
//! (GitHub's "creating a GitHub App from a manifest" flow; docs/app.md walks through it).
//!
//! Least privilege: Firebreak reads and writes issues (incidents, comments, labels, action
//! items), pull requests (postmortem drafts, their checklist) and contents (postmortem files,
//! the index, `.github/firebreak.yml`); it reads team membership (commands allowed by team) and
//! metadata (every App has it). With a board (`--board`) it also writes the organization's
//! Projects. It subscribes to the events the dispatcher handles.

use serde_json::{Value, json};

/// Repository and organization permissions, name → access.
pub const PERMISSIONS: &[(&str, &str)] = &[
    ("contents", "write"),
    ("issues", "write"),
    ("members", "read"),
    ("metadata", "read"),
    ("pull_requests", "write"),
];

/// The permission a board needs (`--board`): Projects (v2) of the organization, read and
/// write. Asked only then: most installations keep no board.
pub const BOARD_PERMISSION: (&str, &str) = ("organization_projects", "write");

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
    /// Ask for [`BOARD_PERMISSION`] too.
    pub board: bool,
}

/// The manifest as JSON.
pub fn manifest(options: &ManifestOptions) -> Value {
    let board = options.board.then_some(&BOARD_PERMISSION);
    let permissions: serde_json::Map<String, Value> = PERMISSIONS
        .iter()
        .chain(board)
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
            board: false,
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
        assert!(
            m["default_permissions"]
                .get("organization_projects")
                .is_none()
        );
    }

    #[test]
    fn a_board_asks_for_the_organizations_projects_and_nothing_else_changes() {
        let m = manifest(&ManifestOptions {
            name: "Firebreak".into(),
            webhook_url: "https://firebreak.example.com/webhook".into(),
            url: "https://example.com".into(),
            redirect_url: None,
            board: true,
        });
        let permissions = m["default_permissions"].as_object().unwrap();
        assert_eq!(permissions["organization_projects"], "write");
        assert_eq!(permissions.len(), PERMISSIONS.len() + 1);
    }
}
