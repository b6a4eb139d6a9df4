use serde_json::{Value, json};

use super::*;

fn fixture(name: &str) -> Value {
    let path = format!(
        "{}/tests/fixtures/webhooks/{name}",
        env!("CARGO_MANIFEST_DIR")
    );
    serde_json::from_slice(&std::fs::read(path).expect("fixture")).expect("JSON")
}

fn event(name: &str, payload: &Value) -> Event {
    Event::from_webhook(name, payload.to_string().as_bytes()).expect("a payload Firebreak reads")
}

/// GitHub's example payload `file` on an issue labeled `incident` (or with `body`).
fn on_incident(file: &str) -> Value {
    let mut payload = fixture(file);
    payload["issue"]["labels"] = json!([{ "name": "incident" }]);
    payload["issue"]["body"] = json!(format!(
        "Checkout fails\n\n{}\n…",
        crate::incident::section::BEGIN
    ));
    payload
}

fn comment(action: &str, text: &str) -> Event {
    let mut payload = on_incident(&format!("issue_comment.{action}.json"));
    payload["comment"]["body"] = json!(text);
    event("issue_comment", &payload)
}

fn pull(action: &str, body: &str, head: &str) -> Event {
    event(
        "pull_request",
        &json!({
            "action": action,
            "repository": { "full_name": "acme/x" },
            "pull_request": { "number": 7, "body": body, "head": { "ref": head } },
            "sender": { "login": "bob", "type": "User" },
        }),
    )
}

#[test]
fn a_new_comment_on_an_incident_adds_nothing_a_fresh_read_does_not_show() {
    assert_eq!(
        Coalescing::of(&comment("created", "Consumers restarted")),
        Coalescing::Reconcile
    );
}

#[test]
fn an_edited_or_deleted_comment_carries_which_one_it_was() {
    // A run that reads only the newest comments must be told an older one changed.
    for action in ["edited", "deleted"] {
        assert_eq!(
            Coalescing::of(&comment(action, "Consumers restarted")),
            Coalescing::Carries,
            "{action}"
        );
    }
}

#[test]
fn hand_made_changes_and_openings_carry_their_payload() {
    for file in [
        "issues.labeled.json",
        "issues.unlabeled.json",
        "issues.assigned.json",
        "issues.edited.json",
        "issues.reopened.json",
        "issues.opened.json",
    ] {
        let e = event("issues", &on_incident(file));
        assert_eq!(Coalescing::of(&e), Coalescing::Carries, "{file}");
    }
}

#[test]
fn alerts_items_and_declaring_comments_keep_their_own_job() {
    let mut alert = fixture("repository_dispatch.json");
    alert["action"] = json!("incident");
    alert["client_payload"] = json!({ "title": "Checkout 5xx", "severity": "sev2" });
    assert_eq!(
        Coalescing::of(&event("repository_dispatch", &alert)),
        Coalescing::Own
    );

    let mut item = fixture("issues.reopened.json");
    item["issue"]["body"] = json!("Add a canary\n\n<!-- firebreak:action-item #12 c99.1 -->");
    assert_eq!(Coalescing::of(&event("issues", &item)), Coalescing::Own);

    let mut declaring = fixture("issue_comment.created.json");
    declaring["comment"]["body"] = json!("/incident sev2 checkout down");
    assert_eq!(
        Coalescing::of(&event("issue_comment", &declaring)),
        Coalescing::Own
    );
}

#[test]
fn an_issue_opened_by_a_bot_stands_in_for_nothing() {
    // Firebreak opening an alert's incident wakes itself; the dispatcher skips that run, so it
    // must not absorb a person's comment.
    let mut opened = on_incident("issues.opened.json");
    opened["sender"] = json!({ "login": "firebreak-app[bot]", "type": "Bot" });
    let opened = event("issues", &opened);
    assert_eq!(Coalescing::of(&opened), Coalescing::Own);
    let note = comment("created", "Paging the on-call");
    assert!(!absorbs(
        (Coalescing::of(&opened), &opened),
        (Coalescing::of(&note), &note)
    ));
}

#[test]
fn a_waiting_run_of_the_issue_absorbs_comments_but_nothing_that_carries_its_payload() {
    let note = comment("created", "Consumers restarted");
    let edit = comment("edited", "Consumers restarted twice");
    let labeled = event("issues", &on_incident("issues.labeled.json"));
    let reconcile = |e| (Coalescing::of(e), e);
    assert!(!absorbs(reconcile(&note), reconcile(&edit)));
    assert!(absorbs(reconcile(&edit), reconcile(&note)));
    assert!(absorbs(reconcile(&labeled), reconcile(&note)));
    assert!(!absorbs(reconcile(&note), reconcile(&labeled)));
    assert!(!absorbs(reconcile(&labeled), reconcile(&labeled)));

    let mut alert = fixture("repository_dispatch.json");
    alert["action"] = json!("incident");
    alert["client_payload"] = json!({ "title": "Checkout 5xx" });
    let alert = event("repository_dispatch", &alert);
    assert!(!absorbs(reconcile(&alert), reconcile(&alert)));
    assert!(!absorbs(reconcile(&alert), reconcile(&note)));
}

#[test]
fn a_pull_request_event_is_absorbed_only_by_one_naming_the_same_postmortem() {
    let first = pull("edited", "", "postmortem/12-checkout");
    let again = pull("synchronize", "", "postmortem/12-checkout");
    let moved = pull("edited", "", "postmortem/13-checkout");
    let how = |e| (Coalescing::of(e), e);
    assert_eq!(Coalescing::of(&first), Coalescing::Pull);
    assert!(absorbs(how(&first), how(&again)));
    assert!(!absorbs(how(&first), how(&moved)));
    assert!(!absorbs(how(&first), how(&comment("created", "x"))));
}

/// What the dispatcher's route makes of an event, in words.
fn route_of(event: &Event) -> String {
    match dispatch::route(event) {
        Ok(Work::Issue { issue, trigger }) => format!("issue #{} {trigger:?}", issue.number),
        Ok(Work::MaybeDeclare { issue, comment }) => format!("maybe #{} {comment}", issue.number),
        Ok(other) => format!("{other:?}"),
        Err(e) => format!("error {}", e.0),
    }
}

#[test]
fn a_slimmed_payload_routes_as_the_whole_one_did() {
    let mut cases: Vec<(&str, Value)> = Vec::new();
    for action in ["created", "edited", "deleted"] {
        let file = format!("issue_comment.{action}.json");
        cases.push(("issue_comment", on_incident(&file)));
        let mut section_only = on_incident(&file);
        section_only["issue"]["labels"] = json!([]);
        cases.push(("issue_comment", section_only));
        let mut declaring = fixture(&file);
        declaring["comment"]["body"] = json!("/incident sev1 payments");
        cases.push(("issue_comment", declaring));
        let mut on_pull = on_incident(&file);
        on_pull["issue"]["labels"] = json!([]);
        on_pull["issue"]["pull_request"] = json!({ "url": "https://example.test/pulls/7" });
        on_pull["issue"]["body"] = json!("<!-- firebreak:postmortem incident=12 -->");
        cases.push(("issue_comment", on_pull));
    }
    for file in [
        "issues.labeled.json",
        "issues.edited.json",
        "issues.opened.json",
    ] {
        cases.push(("issues", on_incident(file)));
    }
    let mut item = fixture("issues.reopened.json");
    item["issue"]["body"] = json!("<!-- firebreak:action-item #12 c99.1 -->");
    cases.push(("issues", item));
    for (name, payload) in cases {
        let whole = event(name, &payload);
        let how = Coalescing::of(&whole);
        let mut slimmed = whole.clone();
        slim(&mut slimmed, how);
        assert_eq!(route_of(&slimmed), route_of(&whole), "{name}: {payload}");
        assert_eq!(Coalescing::of(&slimmed), how, "{name}: {payload}");
    }
}

#[test]
fn a_slimmed_comment_on_an_incident_keeps_no_text() {
    let mut e = comment("created", &"a long note ".repeat(1_000));
    slim(&mut e, Coalescing::Reconcile);
    let Event::IssueComment { issue, comment, .. } = &e else {
        panic!("a comment event")
    };
    assert_eq!(
        (
            issue.body.as_deref(),
            comment.body.as_deref(),
            issue.title.as_str()
        ),
        (None, None, "")
    );
}
