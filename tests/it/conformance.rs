//! Conformance lane: hold the in-memory GitHub (and the requests made to it) against GitHub's own
//! published artifacts, so that client and fake cannot agree with each other and both be wrong.
//! See CONFORMANCE.md.
//!
//! - REST: every route the fake serves is driven through Prism (`support::prism`), which checks
//!   each request and each response against GitHub's OpenAPI description.
//! - Webhooks: every example payload GitHub publishes for the events Firebreak handles goes
//!   through `Event::from_webhook`, and so do mutated ones (proptest).
//! - GraphQL: documents are validated against GitHub's published schema.
//!
//! Everything reads `FIREBREAK_CONFORMANCE_DIR` (written by `scripts/conformance-setup`); without
//! it the tests say so on stderr and return.

use std::collections::BTreeMap;
use std::io::Write as _;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use fake_github::{Fault, FaultKind, UserKind};
use firebreak::event::{Event, EventError};
use proptest::prelude::*;
use serde_json::{Value, json};

use crate::support::{self, prism};

fn skip(test: &str) {
    eprintln!(
        "SKIPPED conformance::{test}: FIREBREAK_CONFORMANCE_DIR is not set \
         (run scripts/conformance-setup, or scripts/test)"
    );
}

// ---------------------------------------------------------------------------------------------
// REST through Prism
// ---------------------------------------------------------------------------------------------

/// A plain HTTP client against the Prism proxy in front of the shared in-memory GitHub.
struct Api {
    http: reqwest::Client,
    base: String,
    /// Every call that was not a clean 2xx, or that Prism flagged, as "METHOD path: message".
    failures: Vec<String>,
    calls: usize,
    /// Extra request headers (the canary upstream reads `x-canary-status`).
    headers: Vec<(&'static str, String)>,
    /// The bearer token sent (`TOKEN`, acting as `BOT`, unless a test switches users).
    token: String,
}

const TOKEN: &str = "conformance-token";
const BOT: &str = "firebreak-conformance[bot]";

impl Api {
    /// `None` (after a skip note) when the lane is off.
    fn new(test: &str) -> Option<Api> {
        if prism::conformance_dir().is_none() {
            skip(test);
            return None;
        }
        let gh = support::github();
        assert_ne!(
            gh.api_url.trim_end_matches('/'),
            gh.fake.url().trim_end_matches('/'),
            "conformance lane is on but the harness does not route through Prism"
        );
        gh.fake.set_token(TOKEN, BOT);
        Some(Api {
            http: reqwest::Client::new(),
            base: gh.api_url.trim_end_matches('/').to_string(),
            failures: Vec::new(),
            calls: 0,
            headers: Vec::new(),
            token: TOKEN.to_string(),
        })
    }

    /// One call through Prism. Returns the status and the JSON body (`Null` when empty).
    async fn raw(&mut self, method: &str, path: &str, body: Option<&Value>) -> (u16, Value) {
        self.calls += 1;
        let method = reqwest::Method::from_bytes(method.as_bytes()).expect("method");
        let mut req = self
            .http
            .request(method, format!("{}{path}", self.base))
            .header("accept", "application/vnd.github+json")
            .header("x-github-api-version", "2022-11-28")
            .header("authorization", format!("Bearer {}", self.token))
            .header("user-agent", "firebreak-conformance");
        for (name, value) in &self.headers {
            req = req.header(*name, value);
        }
        if let Some(body) = body {
            req = req.json(body);
        }
        let resp = req
            .send()
            .await
            .unwrap_or_else(|e| panic!("{path}: prism unreachable: {e}"));
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap_or_default();
        let value = if text.trim().is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or(Value::String(text))
        };
        (status, value)
    }

    /// A call that must succeed with `expected` and carry no Prism violation; anything else is
    /// recorded (the test fails at the end with every failure, not only the first).
    async fn ok(&mut self, method: &str, path: &str, body: Option<Value>, expected: u16) -> Value {
        let (status, value) = self.raw(method, path, body.as_ref()).await;
        let text = value.to_string();
        if let Some(v) = prism::violation(status, &text) {
            self.failures.push(format!("{method} {path}: {v}"));
        } else if status != expected {
            self.failures.push(format!(
                "{method} {path}: expected {expected}, got {status}: {}",
                truncate(&text, 600)
            ));
        }
        value
    }

    fn finish(self, test: &str) {
        eprintln!(
            "conformance::{test}: {} calls through prism, {} failures",
            self.calls,
            self.failures.len()
        );
        assert!(
            self.failures.is_empty(),
            "{test}: {} of {} calls through Prism failed:\n{}",
            self.failures.len(),
            self.calls,
            self.failures.join("\n")
        );
    }
}

/// A path parameter that holds slashes (`{path}` of contents, `{ref}` of git refs), encoded as one
/// segment: Prism matches a parameter against one segment only. GitHub accepts both forms (octokit
/// sends the encoded one) and the fake decodes each segment.
fn seg(value: &str) -> String {
    value.replace('/', "%2F")
}

fn truncate(s: &str, max: usize) -> String {
    if s.len() <= max {
        return s.to_string();
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    format!("{}…", &s[..end])
}

/// A repository of its own for each test, on the shared fake.
fn repo(name: &str) -> String {
    let full = format!("conformance/{name}");
    let fake = &support::github().fake;
    fake.add_repo(&full);
    fake.set_permission(&full, BOT, "admin");
    fake.set_permission(&full, "alice", "write");
    fake.set_permission(&full, "bob", "write");
    full
}

#[tokio::test]
async fn rest_issues_conform() {
    let Some(mut api) = Api::new("rest_issues_conform") else {
        return;
    };
    let r = repo("issues");
    let fake = &support::github().fake;
    fake.create_issue(&r, "alice", "Seeded", "seeded body", &["incident"]);

    let created = api
        .ok(
            "POST",
            &format!("/repos/{r}/issues"),
            Some(json!({"title": "Database down", "body": "It is down.", "labels": ["incident", "sev:1"], "assignees": ["alice"]})),
            201,
        )
        .await;
    let n = created["number"].as_u64().unwrap_or(2);
    api.ok("GET", &format!("/repos/{r}/issues/{n}"), None, 200)
        .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/issues/{n}"),
        Some(json!({"title": "[SEV1] Database down", "body": "new body"})),
        200,
    )
    .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/issues/{n}"),
        Some(json!({"state": "closed", "state_reason": "completed"})),
        200,
    )
    .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/issues/{n}"),
        Some(json!({"state": "open"})),
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues?state=all&per_page=100"),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues?state=open&labels=incident&per_page=1&page=2"),
        None,
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}"), None, 200).await;
    api.finish("rest_issues_conform");
}

#[tokio::test]
async fn rest_comments_conform() {
    let Some(mut api) = Api::new("rest_comments_conform") else {
        return;
    };
    let r = repo("comments");
    let fake = &support::github().fake;
    let issue = fake.create_issue(&r, "alice", "Incident", "body", &["incident"]);
    let n = issue.number;
    for i in 0..3 {
        fake.create_comment(&r, n, "bob", &format!("seeded comment {i}"));
    }
    let created = api
        .ok(
            "POST",
            &format!("/repos/{r}/issues/{n}/comments"),
            Some(json!({"body": "/status identified"})),
            201,
        )
        .await;
    let id = created["id"].as_u64().unwrap_or(0);
    // Pagination: every page, through the proxy (the Link header points at the upstream).
    for page in 1..=3 {
        api.ok(
            "GET",
            &format!("/repos/{r}/issues/{n}/comments?per_page=2&page={page}"),
            None,
            200,
        )
        .await;
    }
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/{n}/comments?since=2000-01-01T00:00:00Z&per_page=100"),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/comments/{id}"),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/comments?sort=created&direction=asc&per_page=100"),
        None,
        200,
    )
    .await;
    // The sweep's list: by update time, from its watermark, page by page.
    api.ok(
        "GET",
        &format!(
            "/repos/{r}/issues/comments?since=2000-01-01T00%3A00%3A00Z&sort=updated&direction=asc&per_page=100&page=1"
        ),
        None,
        200,
    )
    .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/issues/comments/{id}"),
        Some(json!({"body": "/status mitigated"})),
        200,
    )
    .await;
    api.ok(
        "DELETE",
        &format!("/repos/{r}/issues/comments/{id}"),
        None,
        204,
    )
    .await;
    api.finish("rest_comments_conform");
}

#[tokio::test]
async fn rest_labels_conform() {
    let Some(mut api) = Api::new("rest_labels_conform") else {
        return;
    };
    let r = repo("labels");
    let fake = &support::github().fake;
    let n = fake
        .create_issue(&r, "alice", "Incident", "body", &[])
        .number;
    api.ok(
        "POST",
        &format!("/repos/{r}/labels"),
        Some(json!({"name": "sev:1", "color": "b60205", "description": "Critical"})),
        201,
    )
    .await;
    api.ok(
        "POST",
        &format!("/repos/{r}/labels"),
        Some(json!({"name": "incident", "color": "d73a4a"})),
        201,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/labels?per_page=100"), None, 200)
        .await;
    api.ok("GET", &format!("/repos/{r}/labels/sev:1"), None, 200)
        .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/labels/sev:1"),
        Some(json!({"color": "ff0000", "description": "SEV1: critical"})),
        200,
    )
    .await;
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{n}/labels"),
        Some(json!({"labels": ["incident", "sev:1"]})),
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/issues/{n}/labels"), None, 200)
        .await;
    api.ok(
        "DELETE",
        &format!("/repos/{r}/issues/{n}/labels/sev:1"),
        None,
        200,
    )
    .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/issues/{n}/labels"),
        Some(json!({"labels": ["incident"]})),
        200,
    )
    .await;
    api.ok(
        "DELETE",
        &format!("/repos/{r}/issues/{n}/labels"),
        None,
        204,
    )
    .await;
    api.ok("DELETE", &format!("/repos/{r}/labels/sev:1"), None, 204)
        .await;
    api.finish("rest_labels_conform");
}

#[tokio::test]
async fn rest_assignees_conform() {
    let Some(mut api) = Api::new("rest_assignees_conform") else {
        return;
    };
    let r = repo("assignees");
    let fake = &support::github().fake;
    let n = fake
        .create_issue(&r, "alice", "Incident", "body", &["incident"])
        .number;
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{n}/assignees"),
        Some(json!({"assignees": ["alice", "bob"]})),
        201,
    )
    .await;
    api.ok(
        "DELETE",
        &format!("/repos/{r}/issues/{n}/assignees"),
        Some(json!({"assignees": ["bob"]})),
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/assignees/alice"), None, 204)
        .await;
    api.finish("rest_assignees_conform");
}

#[tokio::test]
async fn rest_timeline_conforms() {
    let Some(mut api) = Api::new("rest_timeline_conforms") else {
        return;
    };
    let r = repo("timeline");
    let fake = &support::github().fake;
    fake.add_label(&r, "team:payments", "ededed", None);
    let n = fake
        .create_issue(&r, "alice", "Incident", "body", &["incident"])
        .number;
    fake.create_comment(&r, n, "bob", "Looking");
    fake.label_issue(&r, n, "team:payments", "bob");
    fake.set_issue_title(&r, n, "Checkout down", "bob");
    fake.set_issue_state(&r, n, "closed", "bob");
    fake.set_issue_state(&r, n, "open", "bob");
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{n}/assignees"),
        Some(json!({"assignees": ["alice"]})),
        201,
    )
    .await;
    api.ok(
        "DELETE",
        &format!("/repos/{r}/issues/{n}/labels/team%3Apayments"),
        None,
        200,
    )
    .await;
    let items = api
        .ok(
            "GET",
            &format!("/repos/{r}/issues/{n}/timeline?per_page=100"),
            None,
            200,
        )
        .await;
    let kinds: Vec<&str> = items
        .as_array()
        .expect("a list")
        .iter()
        .filter_map(|i| i["event"].as_str())
        .collect();
    assert_eq!(
        kinds,
        [
            "labeled",
            "commented",
            "labeled",
            "renamed",
            "closed",
            "reopened",
            "assigned",
            "unlabeled"
        ]
    );
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/999999/timeline"),
        None,
        404,
    )
    .await;
    api.finish("rest_timeline_conforms");
}

#[tokio::test]
async fn rest_reactions_conform() {
    let Some(mut api) = Api::new("rest_reactions_conform") else {
        return;
    };
    let r = repo("reactions");
    let fake = &support::github().fake;
    let n = fake
        .create_issue(&r, "alice", "Incident", "body", &["incident"])
        .number;
    let c = fake.create_comment(&r, n, "alice", "/ack").id;
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/comments/{c}/reactions"),
        Some(json!({"content": "+1"})),
        201,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/comments/{c}/reactions"),
        None,
        200,
    )
    .await;
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{n}/reactions"),
        Some(json!({"content": "eyes"})),
        201,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/{n}/reactions"),
        None,
        200,
    )
    .await;
    api.finish("rest_reactions_conform");
}

#[tokio::test]
async fn rest_permissions_conform() {
    let Some(mut api) = Api::new("rest_permissions_conform") else {
        return;
    };
    let r = repo("permissions");
    for user in ["alice", BOT] {
        api.ok(
            "GET",
            &format!("/repos/{r}/collaborators/{user}/permission"),
            None,
            200,
        )
        .await;
    }
    api.finish("rest_permissions_conform");
}

#[tokio::test]
async fn rest_contents_conform() {
    let Some(mut api) = Api::new("rest_contents_conform") else {
        return;
    };
    let r = repo("contents");
    let fake = &support::github().fake;
    fake.put_file(&r, "main", ".github/firebreak.yml", "severities: 4\n");
    api.ok(
        "GET",
        &format!("/repos/{r}/contents/{}", seg(".github/firebreak.yml")),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!(
            "/repos/{r}/contents/{}?ref=main",
            seg(".github/firebreak.yml")
        ),
        None,
        200,
    )
    .await;
    let content = "IyBQb3N0bW9ydGVtCg=="; // "# Postmortem\n"
    let put = api
        .ok(
            "PUT",
            &format!("/repos/{r}/contents/{}", seg("docs/postmortems/README.md")),
            Some(json!({"message": "Add the postmortem index", "content": content, "branch": "main"})),
            201,
        )
        .await;
    let sha = put["content"]["sha"].as_str().unwrap_or("").to_string();
    api.ok(
        "PUT",
        &format!("/repos/{r}/contents/{}", seg("docs/postmortems/README.md")),
        Some(json!({"message": "Update the postmortem index", "content": content, "sha": sha, "branch": "main"})),
        200,
    )
    .await;
    let listing = api
        .ok(
            "GET",
            &format!("/repos/{r}/contents/{}", seg("docs/postmortems")),
            None,
            200,
        )
        .await;
    let sha = listing
        .as_array()
        .and_then(|items| items.iter().find(|i| i["name"] == "README.md"))
        .and_then(|i| i["sha"].as_str())
        .unwrap_or("")
        .to_string();
    api.ok(
        "DELETE",
        &format!("/repos/{r}/contents/{}", seg("docs/postmortems/README.md")),
        Some(json!({"message": "Remove the index", "sha": sha, "branch": "main"})),
        200,
    )
    .await;
    api.finish("rest_contents_conform");
}

#[tokio::test]
async fn rest_sub_issues_conform() {
    let Some(mut api) = Api::new("rest_sub_issues_conform") else {
        return;
    };
    let r = repo("sub-issues");
    let fake = &support::github().fake;
    let parent = fake.create_issue(&r, "alice", "Incident", "body", &["incident"]);
    let child = fake.create_issue(&r, "alice", "Action item", "body", &["action-item"]);
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{}/sub_issues", parent.number),
        Some(json!({"sub_issue_id": child.id})),
        201,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/{}/sub_issues", parent.number),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/{}/parent", child.number),
        None,
        200,
    )
    .await;
    api.ok(
        "DELETE",
        &format!("/repos/{r}/issues/{}/sub_issue", parent.number),
        Some(json!({"sub_issue_id": child.id})),
        200,
    )
    .await;
    api.finish("rest_sub_issues_conform");
}

#[tokio::test]
async fn rest_access_conform() {
    let Some(mut api) = Api::new("rest_access_conform") else {
        return;
    };
    let r = repo("access");
    let fake = &support::github().fake;
    fake.add_org_member("conformance-org", "alice");
    fake.add_team_member("conformance-org", "sre", "alice");
    api.ok("GET", "/user", None, 200).await;
    api.ok("GET", "/users/alice", None, 200).await;
    api.ok("GET", "/orgs/conformance-org/members/alice", None, 204)
        .await;
    api.ok(
        "GET",
        "/orgs/conformance-org/teams/sre/memberships/alice",
        None,
        200,
    )
    .await;
    // A team a reminder mentions, looked up before the sweep mentions it.
    api.ok("GET", "/orgs/conformance-org/teams/sre", None, 200)
        .await;
    api.ok("GET", "/orgs/conformance-org/teams/no-such-team", None, 404)
        .await;
    api.ok("GET", &format!("/repos/{r}/collaborators/alice"), None, 204)
        .await;
    api.finish("rest_access_conform");
}

/// What `firebreak doctor` reads: the repository with the caller's permissions, a branch with
/// and without protection, and the protection rules (admins only).
#[tokio::test]
async fn rest_branches_conform() {
    let Some(mut api) = Api::new("rest_branches_conform") else {
        return;
    };
    let r = repo("branches");
    let fake = &support::github().fake;
    fake.put_file(&r, "release/1.x", "README.md", "# Service\n");
    let repository = api.ok("GET", &format!("/repos/{r}"), None, 200).await;
    assert_eq!(repository["permissions"]["admin"], true, "{repository}");
    let branch = api
        .ok("GET", &format!("/repos/{r}/branches/main"), None, 200)
        .await;
    assert_eq!(branch["protected"], false);
    fake.protect_branch(
        &r,
        "release/1.x",
        Some(fake_github::BranchProtection {
            required_approving_reviews: Some(2),
            required_status_checks: vec!["ci".into()],
            enforce_admins: true,
            lock_branch: false,
        }),
    );
    let branch = api
        .ok(
            "GET",
            &format!("/repos/{r}/branches/{}", seg("release/1.x")),
            None,
            200,
        )
        .await;
    assert_eq!(branch["protected"], true);
    let rules = api
        .ok(
            "GET",
            &format!("/repos/{r}/branches/{}/protection", seg("release/1.x")),
            None,
            200,
        )
        .await;
    assert_eq!(
        rules["required_pull_request_reviews"]["required_approving_review_count"],
        2
    );
    let (status, body) = api
        .raw("GET", &format!("/repos/{r}/branches/main/protection"), None)
        .await;
    assert_eq!(
        (status, body["message"].as_str()),
        (404, Some("Branch not protected"))
    );
    api.finish("rest_branches_conform");
}

#[tokio::test]
async fn rest_git_and_pulls_conform() {
    let Some(mut api) = Api::new("rest_git_and_pulls_conform") else {
        return;
    };
    let r = repo("pulls");
    let fake = &support::github().fake;
    fake.put_file(&r, "main", "README.md", "# Service\n");
    let main = api
        .ok(
            "GET",
            &format!("/repos/{r}/git/ref/{}", seg("heads/main")),
            None,
            200,
        )
        .await;
    let sha = main["object"]["sha"].as_str().unwrap_or("").to_string();
    api.ok(
        "POST",
        &format!("/repos/{r}/git/refs"),
        Some(json!({"ref": "refs/heads/firebreak/postmortem-1", "sha": sha})),
        201,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/git/matching-refs/{}", seg("heads/firebreak/")),
        None,
        200,
    )
    .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/contents/{}", seg("docs/postmortems/2026-11-20-db.md")),
        Some(json!({"message": "Draft the postmortem", "content": "IyBQb3N0bW9ydGVtCg==", "branch": "firebreak/postmortem-1"})),
        201,
    )
    .await;
    let pr = api
        .ok(
            "POST",
            &format!("/repos/{r}/pulls"),
            Some(json!({"title": "Postmortem: database down", "head": "firebreak/postmortem-1", "base": "main", "body": "Postmortem."})),
            201,
        )
        .await;
    let n = pr["number"].as_u64().unwrap_or(1);
    api.ok(
        "GET",
        &format!("/repos/{r}/pulls?state=open&per_page=100"),
        None,
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/pulls/{n}"), None, 200)
        .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/pulls/{n}"),
        Some(json!({"body": "Ready for review."})),
        200,
    )
    .await;
    api.ok(
        "POST",
        &format!("/repos/{r}/pulls/{n}/reviews"),
        Some(json!({"event": "COMMENT", "body": "Checklist updated."})),
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/pulls/{n}/reviews"), None, 200)
        .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/pulls/{n}/merge"),
        Some(json!({"merge_method": "squash"})),
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/pulls/{n}/merge"), None, 204)
        .await;
    let branch = api
        .ok(
            "GET",
            &format!("/repos/{r}/git/ref/{}", seg("heads/firebreak/postmortem-1")),
            None,
            200,
        )
        .await;
    let head = branch["object"]["sha"].as_str().unwrap_or("").to_string();
    api.ok(
        "PATCH",
        &format!(
            "/repos/{r}/git/refs/{}",
            seg("heads/firebreak/postmortem-1")
        ),
        Some(json!({"sha": head, "force": false})),
        200,
    )
    .await;
    api.ok(
        "DELETE",
        &format!(
            "/repos/{r}/git/refs/{}",
            seg("heads/firebreak/postmortem-1")
        ),
        None,
        204,
    )
    .await;
    api.finish("rest_git_and_pulls_conform");
}

/// Less common shapes: bots, null descriptions, every reaction, closed as not planned, a pull
/// request seen as an issue, a merged pull request, a directory listing, filters on lists.
#[tokio::test]
async fn rest_varied_state_conforms() {
    let Some(mut api) = Api::new("rest_varied_state_conforms") else {
        return;
    };
    let r = repo("varied");
    let fake = &support::github().fake;
    let ops_bot = "ops-bot[bot]";
    fake.add_user(ops_bot, UserKind::Bot);
    fake.set_permission(&r, ops_bot, "write");
    fake.set_token("conformance-alice", "alice");
    fake.add_label(&r, "incident", "d73a4a", None);
    fake.add_label(&r, "sev:2", "fbca04", Some("Major"));
    let n = fake
        .create_issue(
            &r,
            "alice",
            "Payments slow",
            "",
            &["incident", "sev:2", "unseen-label"],
        )
        .number;
    let c = fake.create_comment(&r, n, ops_bot, "Alert fired").id;
    fake.create_comment(&r, n, "bob", "> quoted /status resolved\n\nlooking");
    fake.edit_comment(&r, c, "Alert fired (edited)");
    for (user, content) in [
        ("alice", "+1"),
        ("bob", "-1"),
        ("alice", "laugh"),
        ("bob", "confused"),
        ("alice", "heart"),
        ("bob", "hooray"),
        ("alice", "rocket"),
        ("bob", "eyes"),
    ] {
        fake.react_to_comment(&r, c, user, content);
    }
    api.ok("GET", &format!("/repos/{r}/issues/comments/{c}"), None, 200)
        .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/comments/{c}/reactions?content=heart"),
        None,
        200,
    )
    .await;
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{n}/assignees"),
        Some(json!({"assignees": ["alice"]})),
        201,
    )
    .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/issues/{n}"),
        Some(json!({"state": "closed", "state_reason": "not_planned"})),
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/issues/{n}"), None, 200)
        .await;
    api.ok(
        "PATCH",
        &format!("/repos/{r}/issues/{n}"),
        Some(json!({"state": "open", "state_reason": "reopened"})),
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!(
            "/repos/{r}/issues?state=all&labels=incident,sev:2&assignee=alice&sort=updated&direction=asc&since=2000-01-01T00:00:00Z&per_page=50"
        ),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/comments?since=2000-01-01T00:00:00Z&per_page=50"),
        None,
        200,
    )
    .await;
    api.ok("GET", &format!("/users/{ops_bot}"), None, 200).await;

    // A pull request, seen both ways, reviewed by someone else and merged.
    fake.put_file(&r, "main", "README.md", "# r\n");
    let main = api
        .ok(
            "GET",
            &format!("/repos/{r}/git/ref/{}", seg("heads/main")),
            None,
            200,
        )
        .await;
    let sha = main["object"]["sha"].as_str().unwrap_or("").to_string();
    api.ok(
        "POST",
        &format!("/repos/{r}/git/refs"),
        Some(json!({"ref": "refs/heads/pm", "sha": sha})),
        201,
    )
    .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/contents/{}", seg("docs/postmortems/pm.md")),
        Some(json!({"message": "m", "content": "IyBQTQo=", "branch": "pm"})),
        201,
    )
    .await;
    let pr = api
        .ok(
            "POST",
            &format!("/repos/{r}/pulls"),
            Some(json!({"title": "Postmortem", "head": "pm", "base": "main"})),
            201,
        )
        .await;
    let pr = pr["number"].as_u64().unwrap_or(0);
    api.ok(
        "POST",
        &format!("/repos/{r}/issues/{pr}/comments"),
        Some(json!({"body": "Checklist"})),
        201,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/issues/{pr}"), None, 200)
        .await;
    api.ok("GET", &format!("/repos/{r}/issues?state=all"), None, 200)
        .await;
    api.token = "conformance-alice".to_string();
    api.ok(
        "POST",
        &format!("/repos/{r}/pulls/{pr}/reviews"),
        Some(json!({"event": "APPROVE", "body": "LGTM"})),
        200,
    )
    .await;
    api.token = TOKEN.to_string();
    api.ok("GET", &format!("/repos/{r}/pulls/{pr}/reviews"), None, 200)
        .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/pulls/{pr}/merge"),
        Some(json!({"merge_method": "merge", "commit_title": "Postmortem"})),
        200,
    )
    .await;
    api.ok("GET", &format!("/repos/{r}/pulls/{pr}"), None, 200)
        .await;
    api.ok("GET", &format!("/repos/{r}/pulls?state=closed"), None, 200)
        .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/contents/{}?ref=main", seg("docs/postmortems")),
        None,
        200,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/collaborators/{ops_bot}/permission"),
        None,
        200,
    )
    .await;
    api.finish("rest_varied_state_conforms");
}

/// Error answers are part of the contract too: Firebreak reads their bodies (validation errors,
/// conflicts, rate limits), and Prism checks each against the documented error schema.
#[tokio::test]
async fn rest_error_responses_conform() {
    let Some(mut api) = Api::new("rest_error_responses_conform") else {
        return;
    };
    let r = repo("errors");
    let fake = &support::github().fake;
    let n = fake
        .create_issue(&r, "alice", "Incident", "body", &["incident"])
        .number;
    fake.put_file(&r, "main", "docs/a.md", "a\n");
    api.ok("GET", &format!("/repos/{r}/issues/999999"), None, 404)
        .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/issues/comments/999999"),
        None,
        404,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/labels/no-such-label"),
        None,
        404,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/contents/{}", seg("docs/missing.md")),
        None,
        404,
    )
    .await;
    api.ok(
        "GET",
        &format!("/repos/{r}/git/ref/{}", seg("heads/missing")),
        None,
        404,
    )
    .await;
    let label = json!({"name": "duplicate", "color": "ededed"});
    api.ok(
        "POST",
        &format!("/repos/{r}/labels"),
        Some(label.clone()),
        201,
    )
    .await;
    api.ok("POST", &format!("/repos/{r}/labels"), Some(label), 422)
        .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/contents/{}", seg("docs/a.md")),
        Some(json!({"message": "m", "content": "Yg==", "sha": "0123456789012345678901234567890123456789"})),
        409,
    )
    .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/contents/{}", seg("docs/a.md")),
        Some(json!({"message": "m", "content": "Yg=="})),
        422,
    )
    .await;
    api.ok(
        "POST",
        &format!("/repos/{r}/pulls"),
        Some(json!({"title": "t", "head": "no-such-branch", "base": "main"})),
        422,
    )
    .await;
    let main = api
        .ok(
            "GET",
            &format!("/repos/{r}/git/ref/{}", seg("heads/main")),
            None,
            200,
        )
        .await;
    let sha = main["object"]["sha"].as_str().unwrap_or("").to_string();
    api.ok(
        "POST",
        &format!("/repos/{r}/git/refs"),
        Some(json!({"ref": "refs/heads/draft", "sha": sha})),
        201,
    )
    .await;
    api.ok(
        "PUT",
        &format!("/repos/{r}/contents/{}", seg("docs/b.md")),
        Some(json!({"message": "m", "content": "Yg==", "branch": "draft"})),
        201,
    )
    .await;
    let pr = api
        .ok(
            "POST",
            &format!("/repos/{r}/pulls"),
            Some(json!({"title": "t", "head": "draft", "base": "main", "draft": true})),
            201,
        )
        .await;
    let pr = pr["number"].as_u64().unwrap_or(0);
    api.ok(
        "PUT",
        &format!("/repos/{r}/pulls/{pr}/merge"),
        Some(json!({})),
        405,
    )
    .await;
    // Injected faults, on documented statuses.
    let issue_path = format!("/repos/{r}/issues/{n}");
    for (kind, status) in [
        (FaultKind::Status(503), 503),
        (FaultKind::Status(410), 410),
        (
            FaultKind::RateLimit {
                status: 403,
                retry_after_secs: 1,
            },
            403,
        ),
    ] {
        fake.inject(Fault {
            method: Some(http::Method::PATCH),
            ..Fault::once(&issue_path, kind)
        });
        api.ok("PATCH", &issue_path, Some(json!({"body": "x"})), status)
            .await;
    }
    api.finish("rest_error_responses_conform");
}

/// The App's routes (`GET /app`, installations, their tokens and repositories, the delivery log,
/// redelivery) and a conditional GET answered 304, in GitHub's shapes and documented statuses.
#[tokio::test]
async fn rest_app_routes_conform() {
    let Some(mut api) = Api::new("rest_app_routes_conform") else {
        return;
    };
    let fake = &support::github().fake;
    let app = 6_100;
    fake.add_app(&fake_github::AppSpec {
        id: app,
        slug: "conformance-app".into(),
        name: "Conformance App".into(),
        owner: "conformance".into(),
        public_key_pem: include_str!("../fixtures/app/throwaway-public.pem").into(),
        webhook_secret: "s".into(),
    })
    .unwrap();
    let r = repo("app-routes");
    fake.install(app, 61_000, "conformance", &[&r]);
    fake.install(app, 61_001, "conformance", &[]);
    fake.suspend(61_001);
    // A delivery that found nobody listening, and where redeliveries go (nobody either).
    let dead = "http://127.0.0.1:9/webhook";
    fake.set_hook_url(app, dead);
    let delivery = fake
        .deliver(
            app,
            dead,
            "issues",
            &serde_json::to_vec(&json!({"action": "opened", "repository": {"full_name": r}}))
                .unwrap(),
        )
        .await;
    let key = firebreak::github::app::AppKey::from_pem(
        app,
        include_bytes!("../fixtures/app/throwaway-pkcs1.pem"),
    )
    .unwrap();
    api.token = key.sign(chrono::Utc::now()).unwrap().0;
    api.ok("GET", "/app", None, 200).await;
    api.ok("GET", "/app/installations", None, 200).await;
    let token = api
        .ok(
            "POST",
            "/app/installations/61000/access_tokens",
            Some(json!({})),
            201,
        )
        .await;
    api.ok(
        "POST",
        "/app/installations/999/access_tokens",
        Some(json!({})),
        404,
    )
    .await;
    api.ok(
        "POST",
        "/app/installations/61001/access_tokens",
        Some(json!({})),
        403,
    )
    .await;
    api.ok("GET", "/app/hook/deliveries?per_page=100", None, 200)
        .await;
    api.ok(
        "POST",
        &format!("/app/hook/deliveries/{}/attempts", delivery.id),
        None,
        202,
    )
    .await;
    api.token = token["token"].as_str().unwrap_or("").to_string();
    api.ok("GET", "/installation/repositories?per_page=100", None, 200)
        .await;
    // A conditional GET: 304, as documented for the contents route.
    fake.put_file(&r, "main", ".github/firebreak.yml", "severities: []\n");
    let path = format!("/repos/{r}/contents/.github");
    let listing = api
        .http
        .get(format!("{}{path}", api.base))
        .bearer_auth(&api.token)
        .send()
        .await
        .unwrap();
    let etag = listing
        .headers()
        .get("etag")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_string();
    assert!(!etag.is_empty(), "a GET answered 200 carries an ETag");
    let again = api
        .http
        .get(format!("{}{path}", api.base))
        .bearer_auth(&api.token)
        .header("if-none-match", &etag)
        .send()
        .await
        .unwrap();
    assert_eq!(again.status().as_u16(), 304);
    api.calls += 2;
    api.finish("rest_app_routes_conform");
}

/// The lane is real: a request that breaks GitHub's description is refused by Prism with its
/// message (so a client that sent it would fail its test), and never reaches the fake.
#[tokio::test]
async fn prism_rejects_a_request_that_breaks_the_description() {
    let Some(mut api) = Api::new("prism_rejects_a_request_that_breaks_the_description") else {
        return;
    };
    let r = repo("negative");
    let fake = &support::github().fake;
    let n = fake
        .create_issue(&r, "alice", "Incident", "body", &[])
        .number;
    for (body, needle) in [
        (
            json!({"state": "bogus"}),
            "Request body property state must be equal to one of the allowed values",
        ),
        (
            json!({"labels": 5}),
            "Request body property labels must be array",
        ),
    ] {
        let (status, value) = api
            .raw("PATCH", &format!("/repos/{r}/issues/{n}"), Some(&body))
            .await;
        let text = value.to_string();
        let violation = prism::violation(status, &text)
            .unwrap_or_else(|| panic!("{body}: Prism did not flag it: {status} {text}"));
        assert_eq!(status, 422, "{violation}");
        assert!(violation.contains(needle), "{violation}");
    }
    let issue = fake.issue(&r, n).expect("issue");
    assert_eq!(issue.state, "open", "the invalid request reached the fake");
}

/// Every route the fake serves that answers with a body: `(method, path, request body, the
/// documented success status)`. Used by [`prism_checks_the_response_of_every_route`], which proves
/// Prism really validates each of them (an unpatched description makes it skip some silently).
/// Routes answered with `204` and no body (org membership, assignee and collaborator checks,
/// comment, label and ref deletion, clearing labels, merged check) have nothing to validate.
fn routes_with_a_body() -> Vec<(&'static str, String, Option<Value>, u16)> {
    let r = "canary/repo";
    vec![
        ("GET", "/user".into(), None, 200),
        ("GET", "/users/alice".into(), None, 200),
        (
            "GET",
            "/orgs/canary/teams/sre/memberships/alice".into(),
            None,
            200,
        ),
        ("GET", "/orgs/canary/teams/sre".into(), None, 200),
        ("GET", format!("/repos/{r}"), None, 200),
        ("GET", format!("/repos/{r}/issues?state=all"), None, 200),
        (
            "POST",
            format!("/repos/{r}/issues"),
            Some(json!({"title": "t"})),
            201,
        ),
        ("GET", format!("/repos/{r}/issues/1"), None, 200),
        (
            "PATCH",
            format!("/repos/{r}/issues/1"),
            Some(json!({"state": "closed"})),
            200,
        ),
        (
            "POST",
            format!("/repos/{r}/issues/1/assignees"),
            Some(json!({"assignees": ["alice"]})),
            201,
        ),
        (
            "DELETE",
            format!("/repos/{r}/issues/1/assignees"),
            Some(json!({"assignees": ["alice"]})),
            200,
        ),
        ("GET", format!("/repos/{r}/issues/comments"), None, 200),
        ("GET", format!("/repos/{r}/issues/comments/1"), None, 200),
        (
            "PATCH",
            format!("/repos/{r}/issues/comments/1"),
            Some(json!({"body": "b"})),
            200,
        ),
        (
            "GET",
            format!("/repos/{r}/issues/comments/1/reactions"),
            None,
            200,
        ),
        (
            "POST",
            format!("/repos/{r}/issues/comments/1/reactions"),
            Some(json!({"content": "+1"})),
            201,
        ),
        ("GET", format!("/repos/{r}/issues/1/comments"), None, 200),
        (
            "POST",
            format!("/repos/{r}/issues/1/comments"),
            Some(json!({"body": "b"})),
            201,
        ),
        ("GET", format!("/repos/{r}/issues/1/reactions"), None, 200),
        (
            "POST",
            format!("/repos/{r}/issues/1/reactions"),
            Some(json!({"content": "eyes"})),
            201,
        ),
        ("GET", format!("/repos/{r}/labels"), None, 200),
        (
            "POST",
            format!("/repos/{r}/labels"),
            Some(json!({"name": "incident"})),
            201,
        ),
        ("GET", format!("/repos/{r}/labels/incident"), None, 200),
        (
            "PATCH",
            format!("/repos/{r}/labels/incident"),
            Some(json!({"color": "ff0000"})),
            200,
        ),
        ("GET", format!("/repos/{r}/issues/1/labels"), None, 200),
        (
            "POST",
            format!("/repos/{r}/issues/1/labels"),
            Some(json!({"labels": ["incident"]})),
            200,
        ),
        (
            "PUT",
            format!("/repos/{r}/issues/1/labels"),
            Some(json!({"labels": ["incident"]})),
            200,
        ),
        (
            "DELETE",
            format!("/repos/{r}/issues/1/labels/incident"),
            None,
            200,
        ),
        ("GET", format!("/repos/{r}/issues/1/sub_issues"), None, 200),
        (
            "POST",
            format!("/repos/{r}/issues/1/sub_issues"),
            Some(json!({"sub_issue_id": 2})),
            201,
        ),
        (
            "DELETE",
            format!("/repos/{r}/issues/1/sub_issue"),
            Some(json!({"sub_issue_id": 2})),
            200,
        ),
        ("GET", format!("/repos/{r}/issues/2/parent"), None, 200),
        (
            "GET",
            format!("/repos/{r}/collaborators/alice/permission"),
            None,
            200,
        ),
        (
            "GET",
            format!("/repos/{r}/contents/{}", seg("docs/a.md")),
            None,
            200,
        ),
        (
            "PUT",
            format!("/repos/{r}/contents/{}", seg("docs/a.md")),
            Some(json!({"message": "m", "content": "YQ=="})),
            201,
        ),
        (
            "DELETE",
            format!("/repos/{r}/contents/{}", seg("docs/a.md")),
            Some(json!({"message": "m", "sha": "0000000000000000000000000000000000000000"})),
            200,
        ),
        (
            "GET",
            format!("/repos/{r}/git/ref/{}", seg("heads/main")),
            None,
            200,
        ),
        (
            "GET",
            format!("/repos/{r}/git/matching-refs/{}", seg("heads/x")),
            None,
            200,
        ),
        (
            "POST",
            format!("/repos/{r}/git/refs"),
            Some(json!({"ref": "refs/heads/x", "sha": "0000000000000000000000000000000000000000"})),
            201,
        ),
        (
            "PATCH",
            format!("/repos/{r}/git/refs/{}", seg("heads/x")),
            Some(json!({"sha": "0000000000000000000000000000000000000000"})),
            200,
        ),
        ("GET", format!("/repos/{r}/pulls"), None, 200),
        (
            "POST",
            format!("/repos/{r}/pulls"),
            Some(json!({"title": "t", "head": "x", "base": "main"})),
            201,
        ),
        ("GET", format!("/repos/{r}/pulls/1"), None, 200),
        (
            "PATCH",
            format!("/repos/{r}/pulls/1"),
            Some(json!({"body": "b"})),
            200,
        ),
        ("GET", format!("/repos/{r}/pulls/1/reviews"), None, 200),
        ("GET", format!("/repos/{r}/branches/main"), None, 200),
        (
            "GET",
            format!("/repos/{r}/branches/main/protection"),
            None,
            200,
        ),
        (
            "POST",
            format!("/repos/{r}/pulls/1/reviews"),
            Some(json!({"event": "COMMENT", "body": "b"})),
            200,
        ),
        (
            "PUT",
            format!("/repos/{r}/pulls/1/merge"),
            Some(json!({"merge_method": "squash"})),
            200,
        ),
        ("GET", "/app".into(), None, 200),
        ("GET", "/app/installations".into(), None, 200),
        (
            "POST",
            "/app/installations/1/access_tokens".into(),
            Some(json!({})),
            201,
        ),
        ("GET", "/installation/repositories".into(), None, 200),
        ("GET", "/app/hook/deliveries".into(), None, 200),
        ("POST", "/app/hook/deliveries/1/attempts".into(), None, 202),
    ]
}

/// An upstream that answers every request with the JSON string `"canary"` (no GitHub response is
/// a bare string) and the status named in the request's `x-canary-status` header.
fn canary_upstream() -> String {
    use std::io::{BufRead as _, BufReader, Read as _};
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind canary upstream");
        let url = format!("http://{}", listener.local_addr().expect("addr"));
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                std::thread::spawn(move || {
                    let mut reader = BufReader::new(&stream);
                    let (mut length, mut status) = (0usize, 200u16);
                    let mut line = String::new();
                    while reader.read_line(&mut line).unwrap_or(0) > 0 && line.trim() != "" {
                        if let Some((k, v)) = line.split_once(':') {
                            match k.trim().to_ascii_lowercase().as_str() {
                                "content-length" => length = v.trim().parse().unwrap_or(0),
                                "x-canary-status" => status = v.trim().parse().unwrap_or(200),
                                _ => {}
                            }
                        }
                        line.clear();
                    }
                    let mut body = vec![0; length];
                    let _ = reader.read_exact(&mut body);
                    let _ = (&stream).write_all(
                        format!(
                            "HTTP/1.1 {status} Canary\r\ncontent-type: application/json; charset=utf-8\r\ncontent-length: 8\r\nconnection: close\r\n\r\n\"canary\""
                        )
                        .as_bytes(),
                    );
                });
            }
        });
        url
    })
    .clone()
}

/// The lane is real for every route: with an upstream that answers nonsense, Prism flags the
/// response of each route the fake serves. A route whose schema Prism could not compile would
/// pass the nonsense through (that is what the `nullable` patch fixes).
#[tokio::test]
async fn prism_checks_the_response_of_every_route() {
    if prism::conformance_dir().is_none() {
        skip("prism_checks_the_response_of_every_route");
        return;
    }
    let base = prism::start(&canary_upstream()).expect("lane is on");
    let mut api = Api {
        http: reqwest::Client::new(),
        base,
        failures: Vec::new(),
        calls: 0,
        headers: Vec::new(),
        token: TOKEN.to_string(),
    };
    let mut unchecked = Vec::new();
    let routes = routes_with_a_body();
    for (method, path, body, status) in &routes {
        api.headers = vec![("x-canary-status", status.to_string())];
        let (got, value) = api.raw(method, path, body.as_ref()).await;
        let text = value.to_string();
        match prism::violation(got, &text) {
            Some(v) if got == 500 && v.contains("VIOLATIONS") && v.contains("response.body") => {}
            other => unchecked.push(format!(
                "{method} {path} ({status}): Prism did not reject a nonsense response: {got} {}",
                other.unwrap_or(text)
            )),
        }
    }
    eprintln!(
        "conformance: Prism rejected a nonsense response on {} of {} routes",
        routes.len() - unchecked.len(),
        routes.len()
    );
    assert!(unchecked.is_empty(), "{}", unchecked.join("\n"));
}

// ---------------------------------------------------------------------------------------------
// Webhook examples
// ---------------------------------------------------------------------------------------------

/// The events Firebreak handles, as GitHub names them (`schedule` has no published example).
const HANDLED_EVENTS: &[&str] = &[
    "issues",
    "issue_comment",
    "pull_request",
    "pull_request_review",
    "installation",
    "ping",
    "repository_dispatch",
    "workflow_dispatch",
    "schedule",
];

/// `(event, action, payload)` of every published example for [`HANDLED_EVENTS`].
fn webhook_examples(dir: &Path) -> Vec<(String, String, Vec<u8>)> {
    let index = dir.join("node_modules/@octokit/webhooks-examples/api.github.com/index.json");
    let text = std::fs::read_to_string(&index).unwrap_or_else(|e| {
        panic!(
            "conformance lane: cannot read {} ({e}); run scripts/conformance-setup",
            index.display()
        )
    });
    let all: Vec<Value> = serde_json::from_str(&text).expect("webhooks-examples index.json");
    let mut out = Vec::new();
    for entry in all {
        let name = entry["name"].as_str().unwrap_or_default();
        if !HANDLED_EVENTS.contains(&name) {
            continue;
        }
        for example in entry["examples"].as_array().into_iter().flatten() {
            let action = example["action"].as_str().unwrap_or("-").to_string();
            let bytes = serde_json::to_vec(example).expect("serialize example");
            out.push((name.to_string(), action, bytes));
        }
    }
    out
}

fn outcome(result: &Result<Event, EventError>) -> &'static str {
    match result {
        Ok(Event::IssueComment { .. }) => "IssueComment",
        Ok(Event::Issues { .. }) => "Issues",
        Ok(Event::RepositoryDispatch { .. }) => "RepositoryDispatch",
        Ok(Event::Sweep { .. }) => "Sweep",
        Ok(Event::PullRequest { .. }) => "PullRequest",
        Ok(Event::Ignored { .. }) => "Ignored",
        Err(EventError::Json { .. }) => "error: json",
        Err(EventError::Malformed { .. }) => "error: malformed",
        Err(EventError::Unsupported(_)) => "error: unsupported",
    }
}

#[test]
fn webhook_examples_parse_or_fail_clearly() {
    let Some(dir) = prism::conformance_dir() else {
        skip("webhook_examples_parse_or_fail_clearly");
        return;
    };
    let examples = webhook_examples(&dir);
    let mut tally: BTreeMap<(String, &'static str), usize> = BTreeMap::new();
    let mut problems = Vec::new();
    for (event, action, payload) in &examples {
        let result = std::panic::catch_unwind(|| Event::from_webhook(event, payload));
        let result = match result {
            Ok(r) => r,
            Err(_) => {
                problems.push(format!("{event}.{action}: from_webhook panicked"));
                continue;
            }
        };
        if let Err(e) = &result {
            let message = e.to_string();
            if message.trim().is_empty() || !message.contains(event.as_str()) {
                problems.push(format!(
                    "{event}.{action}: unclear error (must name the event): {message:?}"
                ));
            }
            eprintln!("  {event}.{action}: {message}");
        }
        *tally.entry((event.clone(), outcome(&result))).or_default() += 1;
    }
    eprintln!(
        "webhook examples (@octokit/webhooks-examples, api.github.com): {} for {} events",
        examples.len(),
        HANDLED_EVENTS.len()
    );
    for ((event, what), count) in &tally {
        eprintln!("  {event:<22} {what:<20} {count}");
    }
    for event in HANDLED_EVENTS {
        if *event != "schedule" && !tally.keys().any(|(e, _)| e == event) {
            problems.push(format!(
                "no published example for `{event}`: did the package change?"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The examples of the events and actions Firebreak acts on are real GitHub payloads: each must
/// parse into the event it is, not into an error.
#[test]
fn webhook_examples_of_acted_on_events_parse() {
    let Some(dir) = prism::conformance_dir() else {
        skip("webhook_examples_of_acted_on_events_parse");
        return;
    };
    let mut failures = Vec::new();
    let mut checked = 0;
    for (event, action, payload) in webhook_examples(&dir) {
        let must_parse = matches!(
            event.as_str(),
            "issues"
                | "issue_comment"
                | "pull_request"
                | "pull_request_review"
                | "repository_dispatch"
                | "workflow_dispatch"
        );
        if !must_parse {
            continue;
        }
        checked += 1;
        if let Err(e) = Event::from_webhook(&event, &payload) {
            failures.push(format!("{event}.{action}: {e}"));
        }
    }
    eprintln!("webhook examples of acted-on events: {checked} checked");
    assert!(
        failures.is_empty(),
        "GitHub's own example payloads do not parse:\n{}",
        failures.join("\n")
    );
}

/// Payloads to mutate: the published examples when the lane is on, else the committed fixtures.
fn mutation_corpus() -> &'static [(String, Value)] {
    static CORPUS: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    CORPUS.get_or_init(|| {
        let mut corpus = Vec::new();
        if let Some(dir) = prism::conformance_dir() {
            for (event, _, payload) in webhook_examples(&dir) {
                corpus.push((event, serde_json::from_slice(&payload).expect("json")));
            }
        } else {
            let fixtures =
                PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/webhooks");
            for entry in std::fs::read_dir(&fixtures).into_iter().flatten().flatten() {
                let path = entry.path();
                if path.extension().is_some_and(|e| e == "json") {
                    let stem = path.file_stem().unwrap_or_default().to_string_lossy();
                    let event = stem.split('.').next().unwrap_or_default().to_string();
                    if let Ok(v) = serde_json::from_slice(&std::fs::read(&path).unwrap_or_default())
                    {
                        corpus.push((event, v));
                    }
                }
            }
        }
        corpus.push(("schedule".into(), json!({"schedule": "*/5 * * * *"})));
        corpus
    })
}

/// Every JSON pointer in `v` (objects and arrays, depth-first, root first).
fn pointers(v: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match v {
        Value::Object(map) => {
            for (k, child) in map {
                let key = k.replace('~', "~0").replace('/', "~1");
                pointers(child, format!("{at}/{key}"), out);
            }
        }
        Value::Array(items) => {
            for (i, child) in items.iter().enumerate() {
                pointers(child, format!("{at}/{i}"), out);
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Remove the key or element at a pointer.
    Drop(usize),
    /// Replace the value at a pointer with one of another type.
    Retype(usize, u8),
}

fn replacement(kind: u8) -> Value {
    match kind % 10 {
        0 => Value::Null,
        1 => json!(true),
        2 => json!(-1),
        3 => json!(18_446_744_073_709_551_615u64),
        4 => json!(1.5e300),
        5 => json!(""),
        6 => json!("\u{0}\u{202e}💥/incident sev1\n```"),
        7 => json!([]),
        8 => json!({}),
        _ => json!([{"login": 5}]),
    }
}

fn apply(mut v: Value, mutations: &[Mutation]) -> Value {
    for m in mutations {
        let mut all = Vec::new();
        pointers(&v, String::new(), &mut all);
        match *m {
            Mutation::Drop(i) => {
                let at = &all[i % all.len()];
                if let Some((parent, last)) = at.rsplit_once('/') {
                    let key = last.replace("~1", "/").replace("~0", "~");
                    match v.pointer_mut(parent) {
                        Some(Value::Object(map)) => {
                            map.remove(&key);
                        }
                        Some(Value::Array(items)) => {
                            if let Ok(idx) = key.parse::<usize>() {
                                if idx < items.len() {
                                    items.remove(idx);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            Mutation::Retype(i, kind) => {
                let at = all[i % all.len()].clone();
                if let Some(slot) = v.pointer_mut(&at) {
                    *slot = replacement(kind);
                }
            }
        }
    }
    v
}

fn mutation() -> impl Strategy<Value = Mutation> {
    prop_oneof![
        any::<usize>().prop_map(Mutation::Drop),
        (any::<usize>(), any::<u8>()).prop_map(|(i, k)| Mutation::Retype(i, k)),
    ]
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, failure_persistence: None, ..ProptestConfig::default() })]

    /// Mutated payloads (keys dropped, types changed, bytes truncated, event names swapped)
    /// never make `Event::from_webhook` panic.
    #[test]
    fn mutated_webhook_payloads_never_panic(
        pick in any::<usize>(),
        mutations in prop::collection::vec(mutation(), 0..6),
        truncate_at in prop::option::weighted(0.3, any::<usize>()),
        other_event in prop::option::weighted(0.1, prop::sample::select(HANDLED_EVENTS)),
    ) {
        let corpus = mutation_corpus();
        prop_assume!(!corpus.is_empty());
        let (event, payload) = &corpus[pick % corpus.len()];
        let mutated = apply(payload.clone(), &mutations);
        let mut bytes = serde_json::to_vec(&mutated).expect("serialize");
        if let Some(at) = truncate_at {
            bytes.truncate(at % (bytes.len() + 1));
        }
        let event = other_event.unwrap_or(event.as_str());
        let _ = Event::from_webhook(event, &bytes);
    }
}

// ---------------------------------------------------------------------------------------------
// GraphQL
// ---------------------------------------------------------------------------------------------

/// Documents work starts from, validated until Firebreak sends its own (then they move into
/// `firebreak::github::graphql::DOCUMENTS` and leave this list). The board's Projects v2
/// documents have moved (`firebreak::github::board`).
const GRAPHQL_FIXTURES: &[(&str, &str)] = &[(
    "add_sub_issue",
    r#"mutation($parent: ID!, $child: ID!) {
  addSubIssue(input: {issueId: $parent, subIssueId: $child}) { issue { id } subIssue { id } }
}"#,
)];

/// Every GraphQL document Firebreak sends (`firebreak::github::graphql::DOCUMENTS`), and the
/// fixtures above.
fn graphql_documents() -> Vec<(&'static str, &'static str)> {
    firebreak::github::graphql::DOCUMENTS
        .iter()
        .map(|d| (d.name, d.text))
        .chain(GRAPHQL_FIXTURES.iter().copied())
        .collect()
}

#[derive(Debug, serde::Deserialize)]
struct GraphqlResult {
    name: String,
    valid: bool,
    /// `schema.json` (the package's `validate()`) or `schema.graphql` (its newer IDL, consulted
    /// when `validate()` rejects; see validate-graphql.mjs).
    schema: String,
    errors: Vec<String>,
    notes: Vec<String>,
}

/// Run `scripts/conformance/validate-graphql.mjs --json` over `docs`.
fn validate_graphql(dir: &Path, docs: &[(&str, &str)]) -> Vec<GraphqlResult> {
    let script =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("scripts/conformance/validate-graphql.mjs");
    let mut child = Command::new("node")
        .arg(&script)
        .arg("--json")
        .env("FIREBREAK_CONFORMANCE_DIR", dir)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "conformance lane: cannot run node {}: {e}",
                script.display()
            )
        });
    let input = serde_json::to_vec(docs).expect("serialize documents");
    child
        .stdin
        .take()
        .expect("stdin")
        .write_all(&input)
        .expect("write documents");
    let out = child.wait_with_output().expect("validate-graphql.mjs");
    assert!(
        matches!(out.status.code(), Some(0 | 1)),
        "validate-graphql.mjs failed ({}): {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "validate-graphql.mjs printed no JSON ({e}): {}",
            String::from_utf8_lossy(&out.stdout)
        )
    })
}

#[test]
fn graphql_documents_validate_against_github_schema() {
    let Some(dir) = prism::conformance_dir() else {
        skip("graphql_documents_validate_against_github_schema");
        return;
    };
    let docs = graphql_documents();
    let results = validate_graphql(&dir, &docs);
    assert_eq!(results.len(), docs.len());
    let bad: Vec<String> = results
        .iter()
        .filter(|r| !r.valid)
        .map(|r| format!("{}: {}", r.name, r.errors.join("; ")))
        .collect();
    for r in results
        .iter()
        .filter(|r| r.valid && r.schema != "schema.json")
    {
        eprintln!(
            "  {}: valid by {} ({})",
            r.name,
            r.schema,
            r.notes.join("; ")
        );
    }
    eprintln!(
        "graphql: {} documents validated against @octokit/graphql-schema",
        results.len()
    );
    assert!(
        bad.is_empty(),
        "invalid GraphQL documents:\n{}",
        bad.join("\n")
    );
}

#[test]
fn graphql_validation_rejects_a_wrong_field() {
    let Some(dir) = prism::conformance_dir() else {
        skip("graphql_validation_rejects_a_wrong_field");
        return;
    };
    let results = validate_graphql(
        &dir,
        &[(
            "wrong_field",
            "query($o: String!, $n: String!) { repository(owner: $o, name: $n) { incidentCount } }",
        )],
    );
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].name, "wrong_field");
    assert!(!results[0].valid, "{results:?}");
    assert!(
        results[0]
            .errors
            .iter()
            .any(|e| e.contains("Cannot query field \"incidentCount\" on type \"Repository\"")),
        "{results:?}"
    );
}
