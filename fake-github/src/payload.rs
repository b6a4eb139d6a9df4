//! Webhook payloads in GitHub's shape, built from GitHub's own examples
//! (`@octokit/webhooks-examples`, kept in the main crate's `tests/fixtures/webhooks/`) with the
//! in-memory GitHub's current objects put in. Used by the tests and by `firebreak demo`.

use serde_json::Value;

use crate::FakeGitHub;

const COMMENT_CREATED: &str =
    include_str!("../../tests/fixtures/webhooks/issue_comment.created.json");
const ISSUES_OPENED: &str = include_str!("../../tests/fixtures/webhooks/issues.opened.json");
const ISSUES_LABELED: &str = include_str!("../../tests/fixtures/webhooks/issues.labeled.json");

fn base(example: &str) -> Value {
    serde_json::from_str(example).expect("bundled webhook example is JSON")
}

/// `issue_comment` with `action` (`created`, `edited`, `deleted`).
pub fn issue_comment(
    fake: &FakeGitHub,
    repo: &str,
    issue: u64,
    comment: u64,
    action: &str,
) -> Vec<u8> {
    let mut value = base(COMMENT_CREATED);
    let comment_json = fake.comment_json(repo, comment);
    let sender = comment_json["user"]["login"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    value["action"] = action.into();
    value["issue"] = fake.issue_json(repo, issue);
    value["comment"] = comment_json;
    value["repository"] = fake.repo_json(repo);
    value["sender"] = fake.user_json(&sender);
    serde_json::to_vec(&value).expect("serializes")
}

/// `issues` with `action`; `label` for labeled/unlabeled, `assignee` for (un)assigned.
pub fn issues(
    fake: &FakeGitHub,
    repo: &str,
    issue: u64,
    action: &str,
    sender: &str,
    label: Option<&str>,
    assignee: Option<&str>,
) -> Vec<u8> {
    let mut value = base(if label.is_some() {
        ISSUES_LABELED
    } else {
        ISSUES_OPENED
    });
    value["action"] = action.into();
    value["issue"] = fake.issue_json(repo, issue);
    value["repository"] = fake.repo_json(repo);
    value["sender"] = fake.user_json(sender);
    let object = value.as_object_mut().expect("object");
    object.remove("label");
    object.remove("assignee");
    object.remove("changes");
    if let Some(name) = label {
        let mut label_json = serde_json::json!({"id": 1, "node_id": "LA_demo", "url": "", "name": name, "color": "ededed", "default": false, "description": null});
        if let Some(found) = fake
            .labels(repo)
            .into_iter()
            .find(|l| l.name.eq_ignore_ascii_case(name))
        {
            label_json["color"] = found.color.into();
        }
        object.insert("label".into(), label_json);
    }
    if let Some(login) = assignee {
        object.insert("assignee".into(), fake.user_json(login));
    }
    serde_json::to_vec(&value).expect("serializes")
}
