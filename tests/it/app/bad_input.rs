//! Bad input: each case gets its status code and a log line, never a panic, never a write.

use std::io::{Read as _, Write as _};
use std::time::Duration;

use fake_github::{payload, signature};

use super::{App, Server, register, writes};
use crate::support::{self, Repo};

/// An App serving one repository with an incident, and a delivery about a new comment on it.
struct Case {
    app: App,
    repo: Repo,
    server: Server,
    body: Vec<u8>,
    /// Requests the repository had seen before the case.
    before: usize,
    installation: u64,
}

async fn case(name: &str) -> Case {
    let app = register(name);
    let repo = support::repo(&format!("bad-{name}"));
    let installation = app.install(&[&repo]);
    let n = repo.incident("Disk full").await;
    let c = repo
        .fake
        .create_comment(&repo.name, n, "bob", "/status mitigated")
        .id;
    let body = payload::issue_comment(&repo.fake, &repo.name, n, c, "created");
    let server = app.serve(&[]);
    let before = repo.requests().len();
    Case {
        app,
        repo,
        server,
        body,
        before,
        installation,
    }
}

impl Case {
    fn signed(&self, body: &[u8]) -> String {
        signature(&self.app.secret, body)
    }

    /// Nothing was written to the repository, and the process is still up.
    async fn assert_nothing_written(&self) {
        assert_eq!(writes(&self.repo, self.before), Vec::<String>::new());
        assert_eq!(self.server.get("/healthz").await.0, 200, "still up");
    }
}

#[tokio::test]
async fn an_unsigned_delivery_is_401() {
    let c = case("unsigned").await;
    let (status, text) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-unsigned"),
            ],
            c.body.clone(),
        )
        .await;
    assert_eq!(
        (status, text.trim()),
        (401, "no X-Hub-Signature-256 header")
    );
    c.server
        .wait_log("refused a delivery: no X-Hub-Signature-256 header")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_wrongly_signed_delivery_is_401() {
    let c = case("wrong-signature").await;
    let forged = signature("not the secret", &c.body);
    let (status, _) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-forged"),
                ("x-hub-signature-256", &forged),
            ],
            c.body.clone(),
        )
        .await;
    assert_eq!(status, 401);
    c.server
        .wait_log("refused a delivery: X-Hub-Signature-256 does not match the body")
        .await;
    // The right signature over a body changed after signing fails the same way.
    let signed = c.signed(&c.body);
    let mut tampered = c.body.clone();
    tampered.extend_from_slice(b" ");
    let (status, _) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-tampered"),
                ("x-hub-signature-256", &signed),
            ],
            tampered,
        )
        .await;
    assert_eq!(status, 401);
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_truncated_payload_is_400() {
    let c = case("truncated").await;
    let cut = c.body[..c.body.len() / 2].to_vec();
    let signed = c.signed(&cut);
    let (status, text) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-truncated"),
                ("x-hub-signature-256", &signed),
            ],
            cut,
        )
        .await;
    assert_eq!(status, 400, "{text}");
    assert!(
        text.starts_with("the issue_comment payload is not valid JSON"),
        "{text}"
    );
    c.server
        .wait_log("refused a delivery: the issue_comment payload is not valid JSON")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_body_cut_off_in_transfer_is_400() {
    let c = case("cut-off").await;
    let addr = c.server.url.trim_start_matches("http://").to_string();
    let signed = c.signed(&c.body);
    let half = c.body.len() / 2;
    let head = format!(
        "POST /webhook HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nX-GitHub-Event: issue_comment\r\nX-GitHub-Delivery: d-cut\r\nX-Hub-Signature-256: {signed}\r\n\r\n",
        c.body.len()
    );
    let body = c.body[..half].to_vec();
    let answer = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr).unwrap();
        stream
            .set_read_timeout(Some(Duration::from_secs(10)))
            .unwrap();
        stream.write_all(head.as_bytes()).unwrap();
        stream.write_all(&body).unwrap();
        stream.shutdown(std::net::Shutdown::Write).unwrap();
        let mut answer = String::new();
        let _ = stream.read_to_string(&mut answer);
        answer
    })
    .await
    .unwrap();
    assert!(
        answer.is_empty() || answer.starts_with("HTTP/1.1 400"),
        "{answer}"
    );
    c.server
        .wait_log("refused a delivery: the body could not be read whole")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_body_that_is_not_json_is_400() {
    let c = case("not-json").await;
    let body = b"payload=%7B%22action%22%3A%22created%22%7D".to_vec();
    let signed = c.signed(&body);
    let (status, text) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-not-json"),
                ("x-hub-signature-256", &signed),
            ],
            body,
        )
        .await;
    assert_eq!(status, 400, "{text}");
    c.server.wait_log("is not valid JSON").await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_payload_of_the_wrong_shape_is_422_naming_the_path() {
    let c = case("wrong-shape").await;
    let body = br#"{"action":"created","issue":{"number":"seven"}}"#.to_vec();
    let signed = c.signed(&body);
    let (status, text) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-shape"),
                ("x-hub-signature-256", &signed),
            ],
            body,
        )
        .await;
    assert_eq!(status, 422, "{text}");
    assert!(
        text.starts_with("the issue_comment payload is malformed at `"),
        "{text}"
    );
    c.server
        .wait_log("refused a delivery: the issue_comment payload is malformed")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_form_encoded_delivery_is_415() {
    let c = case("content-type").await;
    let signed = c.signed(&c.body);
    let (status, text) = c
        .server
        .post(
            &[
                ("content-type", "application/x-www-form-urlencoded"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-form"),
                ("x-hub-signature-256", &signed),
            ],
            c.body.clone(),
        )
        .await;
    assert_eq!(status, 415, "{text}");
    c.server
        .wait_log("content type `application/x-www-form-urlencoded` is not application/json")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn an_unknown_event_is_202_and_ignored() {
    let c = case("unknown-event").await;
    let body = br#"{"action":"started","repository":{"full_name":"acme/x"}}"#.to_vec();
    let signed = c.signed(&body);
    let (status, text) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "watch"),
                ("x-github-delivery", "d-watch"),
                ("x-hub-signature-256", &signed),
            ],
            body,
        )
        .await;
    assert_eq!(
        (status, text.trim()),
        (202, "ignored: Firebreak does not handle `other` events")
    );
    c.server
        .wait_log("ignored: Firebreak does not handle this event")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_payload_over_githubs_25_mib_cap_is_413() {
    let c = case("too-large").await;
    let body = vec![b' '; 25 * 1024 * 1024 + 1];
    let signed = c.signed(&body);
    let (status, _) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-large"),
                ("x-hub-signature-256", &signed),
            ],
            body,
        )
        .await;
    assert_eq!(status, 413);
    c.server
        .wait_log("refused a delivery: the payload is over GitHub's cap of 26214400 bytes")
        .await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_payload_for_a_repository_the_installation_does_not_reach_is_dropped_with_a_log_line() {
    let c = case("uninstalled").await;
    // Another repository, not installed: a signed delivery naming the App's installation.
    let other = support::repo("bad-uninstalled-other");
    let n = other.incident("Other incident").await;
    let comment = other.fake.create_comment(&other.name, n, "bob", "/ack").id;
    let mut value: serde_json::Value = serde_json::from_slice(&payload::issue_comment(
        &other.fake,
        &other.name,
        n,
        comment,
        "created",
    ))
    .unwrap();
    value["installation"] = serde_json::json!({"id": c.installation});
    let body = serde_json::to_vec(&value).unwrap();
    let other_before = other.requests().len();
    let signed = c.signed(&body);
    let (status, _) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-uninstalled"),
                ("x-hub-signature-256", &signed),
            ],
            body,
        )
        .await;
    assert_eq!(status, 202, "acknowledged, then found unreachable");
    c.server.wait_handled(1).await;
    c.server.wait_log("outcome=\"unreachable\"").await;
    assert!(
        c.server.log().contains("d-uninstalled"),
        "{}",
        c.server.log()
    );
    assert_eq!(writes(&other, other_before), Vec::<String>::new());
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_deleted_installation_is_dropped_with_a_log_line_and_no_write() {
    let c = case("deleted-installation").await;
    c.app.fake.uninstall(c.installation);
    let body = with_installation(&c.body, c.installation);
    let signed = c.signed(&body);
    let (status, _) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-deleted"),
                ("x-hub-signature-256", &signed),
            ],
            body,
        )
        .await;
    assert_eq!(status, 202);
    c.server.wait_handled(1).await;
    c.server
        .wait_log(&format!(
            "minting a token for installation {}: GitHub answered 404 Not Found",
            c.installation
        ))
        .await;
    c.server.wait_log("outcome=\"unreachable\"").await;
    c.assert_nothing_written().await;
}

#[tokio::test]
async fn a_suspended_installation_is_dropped_with_a_log_line_and_no_write() {
    let c = case("suspended-installation").await;
    let installation = c.installation;
    c.app.fake.suspend(installation);
    let signed_body = with_installation(&c.body, installation);
    let signed = c.signed(&signed_body);
    let (status, _) = c
        .server
        .post(
            &[
                ("content-type", "application/json"),
                ("x-github-event", "issue_comment"),
                ("x-github-delivery", "d-suspended"),
                ("x-hub-signature-256", &signed),
            ],
            signed_body,
        )
        .await;
    assert_eq!(status, 202);
    c.server.wait_handled(1).await;
    c.server
        .wait_log(&format!(
            "minting a token for installation {installation}: GitHub answered 403 Forbidden: This installation has been suspended"
        ))
        .await;
    c.assert_nothing_written().await;
}

fn with_installation(body: &[u8], id: u64) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(body).unwrap();
    value["installation"] = serde_json::json!({ "id": id });
    serde_json::to_vec(&value).unwrap()
}
