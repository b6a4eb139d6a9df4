//! The in-memory GitHub (the `fake-github` crate of the workspace) over real HTTP: routes, shapes, errors, pagination,
//! faults and the request log. One background instance is shared by every test; each test uses
//! its own repository.

use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use fake_github::{FakeGitHub, Fault, FaultKind, UserKind};
use serde_json::{Value, json};

fn fake() -> &'static FakeGitHub {
    static FAKE: OnceLock<FakeGitHub> = OnceLock::new();
    FAKE.get_or_init(|| FakeGitHub::start_background("127.0.0.1:0").expect("start the fake"))
}

/// A fresh repository "acme/<test>-N": alice admin, bob write, carol triage, dave read, mallory
/// none; each has a token "tok-<login>".
fn repo(test: &str) -> String {
    static N: AtomicUsize = AtomicUsize::new(0);
    let name = format!("acme/{test}-{}", N.fetch_add(1, Ordering::SeqCst));
    let f = fake();
    f.add_repo(&name);
    for (login, perm) in [
        ("alice", "admin"),
        ("bob", "write"),
        ("carol", "triage"),
        ("dave", "read"),
        ("mallory", "none"),
    ] {
        f.add_user(login, UserKind::User);
        f.set_permission(&name, login, perm);
        f.set_token(&format!("tok-{login}"), login);
    }
    name
}

struct Resp {
    status: u16,
    headers: reqwest::header::HeaderMap,
    body: Value,
}

impl Resp {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

/// A tiny client: `as_user` picks the token ("tok-<login>"), `anon` sends none.
#[derive(Clone)]
struct Api {
    http: reqwest::Client,
    base: String,
    token: Option<String>,
}

fn api(login: &str) -> Api {
    Api {
        http: reqwest::Client::new(),
        base: fake().url(),
        token: Some(format!("tok-{login}")),
    }
}

fn anon() -> Api {
    Api {
        token: None,
        ..api("x")
    }
}

impl Api {
    async fn call(&self, method: &str, path: &str, body: Option<Value>) -> Resp {
        let method = reqwest::Method::from_bytes(method.as_bytes()).unwrap();
        let mut rb = self.http.request(method, format!("{}{path}", self.base));
        if let Some(t) = &self.token {
            rb = rb.bearer_auth(t);
        }
        if let Some(b) = body {
            rb = rb.json(&b);
        }
        let resp = rb.send().await.expect("request");
        let status = resp.status().as_u16();
        let headers = resp.headers().clone();
        let text = resp.text().await.unwrap();
        let body = if text.is_empty() {
            Value::Null
        } else {
            serde_json::from_str(&text).unwrap_or_else(|e| panic!("not JSON ({e}): {text}"))
        };
        Resp {
            status,
            headers,
            body,
        }
    }
    async fn get(&self, path: &str) -> Resp {
        self.call("GET", path, None).await
    }
    async fn post(&self, path: &str, body: Value) -> Resp {
        self.call("POST", path, Some(body)).await
    }
    async fn patch(&self, path: &str, body: Value) -> Resp {
        self.call("PATCH", path, Some(body)).await
    }
    async fn put(&self, path: &str, body: Value) -> Resp {
        self.call("PUT", path, Some(body)).await
    }
    async fn delete(&self, path: &str) -> Resp {
        self.call("DELETE", path, None).await
    }
}

fn labels_of(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|l| l["name"].as_str().unwrap().to_string())
        .collect()
}

#[tokio::test]
async fn issue_create_get_patch_roundtrip() {
    let r = repo("issue-crud");
    let a = api("alice");
    let created = a
        .post(
            &format!("/repos/{r}/issues"),
            json!({"title": "Database down", "body": "help", "labels": ["incident", "sev:1"], "assignees": ["bob"]}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(
        created.header("content-type"),
        Some("application/json; charset=utf-8")
    );
    let n = created.body["number"].as_u64().unwrap();
    assert_eq!(
        created.header("location"),
        Some(format!("{}/repos/{r}/issues/{n}", fake().url()).as_str())
    );
    assert_eq!(created.body["user"]["login"], "alice");
    assert_eq!(labels_of(&created.body["labels"]), ["incident", "sev:1"]);
    assert_eq!(created.body["assignees"][0]["login"], "bob");
    assert_eq!(created.body["assignee"]["login"], "bob");
    assert_eq!(created.body["state"], "open");
    assert_eq!(created.body["closed_at"], Value::Null);
    assert!(
        created.body["html_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/{r}/issues/{n}"))
    );
    // Unknown labels are created like GitHub does (default color).
    let labels = fake().labels(&r);
    assert_eq!(labels.len(), 2);
    assert_eq!(labels[0].color, "ededed");

    let got = a.get(&format!("/repos/{r}/issues/{n}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body, fake().issue_json(&r, n));

    let closed = api("bob")
        .patch(
            &format!("/repos/{r}/issues/{n}"),
            json!({"state": "closed", "state_reason": "not_planned", "title": "[SEV1] Database down"}),
        )
        .await;
    assert_eq!(closed.status, 200);
    assert_eq!(closed.body["state"], "closed");
    assert_eq!(closed.body["state_reason"], "not_planned");
    assert_eq!(closed.body["closed_by"]["login"], "bob");
    assert!(closed.body["closed_at"].is_string());
    let reopened = a
        .patch(&format!("/repos/{r}/issues/{n}"), json!({"state": "open"}))
        .await;
    assert_eq!(reopened.body["state"], "open");
    assert_eq!(reopened.body["state_reason"], "reopened");
    assert_eq!(reopened.body["closed_at"], Value::Null);

    let view = fake().issue(&r, n).unwrap();
    assert_eq!(view.title, "[SEV1] Database down");
    assert_eq!(view.author, "alice");
    assert_eq!(view.labels, ["incident", "sev:1"]);
    assert!(view.node_id.starts_with("I_"), "node id {}", view.node_id);

    // PATCH labels replaces the set; body null clears the body.
    let patched = a
        .patch(
            &format!("/repos/{r}/issues/{n}"),
            json!({"labels": ["incident"], "body": null}),
        )
        .await;
    assert_eq!(labels_of(&patched.body["labels"]), ["incident"]);
    assert_eq!(patched.body["body"], Value::Null);
    assert_eq!(a.get(&format!("/repos/{r}/issues/999")).await.status, 404);
    assert_eq!(
        a.post(&format!("/repos/{r}/issues"), json!({"body": "no title"}))
            .await
            .status,
        422
    );
    let bad_state = a
        .patch(&format!("/repos/{r}/issues/{n}"), json!({"state": "done"}))
        .await;
    assert_eq!(bad_state.status, 422);
    assert_eq!(bad_state.body["errors"][0]["field"], "state");
}

#[tokio::test]
async fn labels_and_assignees_from_people_without_push_access_are_dropped() {
    let r = repo("no-push");
    let body = json!({"title": "from outside", "labels": ["incident"], "assignees": ["bob"]});
    let outside = api("mallory")
        .post(&format!("/repos/{r}/issues"), body.clone())
        .await;
    assert_eq!(outside.status, 201);
    assert_eq!(outside.body["labels"], json!([]));
    assert_eq!(outside.body["assignees"], json!([]));
    assert!(fake().labels(&r).is_empty(), "no label was created either");
    let reader = api("dave")
        .post(&format!("/repos/{r}/issues"), body.clone())
        .await;
    assert_eq!(reader.body["labels"], json!([]));
    // Triage and up, and bots (App or Actions tokens), keep them.
    for client in [
        api("carol"),
        Api {
            token: Some("ghs_ci".into()),
            ..api("x")
        },
    ] {
        let kept = client
            .post(&format!("/repos/{r}/issues"), body.clone())
            .await;
        assert_eq!(labels_of(&kept.body["labels"]), ["incident"]);
        assert_eq!(kept.body["assignees"][0]["login"], "bob");
    }
}

#[tokio::test]
async fn writes_without_a_token_are_401_and_reads_are_public() {
    let r = repo("auth");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    let resp = anon()
        .post(
            &format!("/repos/{r}/issues/{n}/comments"),
            json!({"body": "hi"}),
        )
        .await;
    assert_eq!(resp.status, 401);
    assert_eq!(resp.body["message"], "Requires authentication");
    assert!(resp.body["documentation_url"].is_string());
    assert_eq!(fake().comments(&r, n).len(), 0);
    assert_eq!(
        anon().get(&format!("/repos/{r}/issues/{n}")).await.status,
        200
    );
}

#[tokio::test]
async fn unknown_token_acts_as_github_actions_bot() {
    let r = repo("bot");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    let client = Api {
        token: Some("ghs_whatever".into()),
        ..api("x")
    };
    let c = client
        .post(
            &format!("/repos/{r}/issues/{n}/comments"),
            json!({"body": "from CI"}),
        )
        .await;
    assert_eq!(c.status, 201);
    assert_eq!(c.body["user"]["login"], "github-actions[bot]");
    assert_eq!(c.body["user"]["type"], "Bot");
    // `token <t>` works as well as `Bearer <t>`.
    let resp = reqwest::Client::new()
        .post(format!("{}/repos/{r}/issues/{n}/comments", fake().url()))
        .header("authorization", "token tok-bob")
        .json(&json!({"body": "classic"}))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 201);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["user"]["login"], "bob");
    let me = client.get("/user").await;
    assert_eq!(me.body["login"], "github-actions[bot]");
    assert_eq!(anon().get("/user").await.status, 401);
}

/// Parse a Link header into (rel, url) pairs.
fn links(h: &str) -> Vec<(String, String)> {
    h.split(", ")
        .map(|part| {
            let (url, rel) = part.split_once("; ").unwrap();
            (
                rel.trim_start_matches("rel=\"")
                    .trim_end_matches('"')
                    .to_string(),
                url.trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string(),
            )
        })
        .collect()
}

#[tokio::test]
async fn comment_list_paginates_with_link_headers() {
    let r = repo("paginate");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    for i in 0..35 {
        fake().create_comment(&r, n, "bob", &format!("comment {i}"));
    }
    let a = api("alice");
    let first = a.get(&format!("/repos/{r}/issues/{n}/comments")).await;
    assert_eq!(
        first.body.as_array().unwrap().len(),
        30,
        "default per_page is 30"
    );
    let l = links(first.header("link").unwrap());
    let host = fake().url();
    assert_eq!(
        l,
        [
            (
                "next".to_string(),
                format!("{host}/repos/{r}/issues/{n}/comments?page=2")
            ),
            (
                "last".to_string(),
                format!("{host}/repos/{r}/issues/{n}/comments?page=2")
            ),
        ]
    );
    let p2 = a
        .get(&format!(
            "/repos/{r}/issues/{n}/comments?per_page=10&page=2"
        ))
        .await;
    assert_eq!(p2.body.as_array().unwrap().len(), 10);
    assert_eq!(p2.body[0]["body"], "comment 10");
    let rels: Vec<String> = links(p2.header("link").unwrap())
        .into_iter()
        .map(|(rel, url)| {
            assert!(url.contains("per_page=10"), "{url}");
            rel
        })
        .collect();
    assert_eq!(rels, ["prev", "next", "last", "first"]);
    let last = a
        .get(&format!(
            "/repos/{r}/issues/{n}/comments?per_page=10&page=4"
        ))
        .await;
    assert_eq!(last.body.as_array().unwrap().len(), 5);
    let rels: Vec<String> = links(last.header("link").unwrap())
        .into_iter()
        .map(|x| x.0)
        .collect();
    assert_eq!(rels, ["prev", "first"]);
    let beyond = a
        .get(&format!(
            "/repos/{r}/issues/{n}/comments?per_page=10&page=9"
        ))
        .await;
    assert_eq!(beyond.body, json!([]));
    let max = a
        .get(&format!("/repos/{r}/issues/{n}/comments?per_page=500"))
        .await;
    assert_eq!(
        max.body.as_array().unwrap().len(),
        35,
        "per_page is capped at 100"
    );
    assert!(max.header("link").is_none());

    // Following every `next` link walks all the comments exactly once.
    let mut url = format!("{host}/repos/{r}/issues/{n}/comments?per_page=7");
    let mut seen = Vec::new();
    loop {
        let resp = reqwest::get(&url).await.unwrap();
        let link = resp
            .headers()
            .get("link")
            .map(|v| v.to_str().unwrap().to_string());
        let page: Vec<Value> = resp.json().await.unwrap();
        seen.extend(page.into_iter().map(|c| c["id"].as_u64().unwrap()));
        match link
            .map(|l| links(&l))
            .and_then(|l| l.into_iter().find(|x| x.0 == "next"))
        {
            Some((_, next)) => url = next,
            None => break,
        }
    }
    let ids: Vec<u64> = fake().comments(&r, n).iter().map(|c| c.id).collect();
    assert_eq!(seen, ids);
}

#[tokio::test]
async fn link_header_is_built_from_the_host_header() {
    let r = repo("host");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    for _ in 0..3 {
        fake().create_comment(&r, n, "bob", "x");
    }
    let resp = reqwest::Client::new()
        .get(format!(
            "{}/repos/{r}/issues/{n}/comments?per_page=1",
            fake().url()
        ))
        .header("host", "proxy.local:4010")
        .send()
        .await
        .unwrap();
    let link = resp.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.starts_with(&format!(
            "<http://proxy.local:4010/repos/{r}/issues/{n}/comments?per_page=1&page=2>"
        )),
        "{link}"
    );
}

#[tokio::test]
async fn link_base_override_points_links_at_a_proxy() {
    let f = FakeGitHub::start().await.unwrap();
    f.add_repo("solo/links");
    f.add_label("solo/links", "a", "ffffff", None);
    f.add_label("solo/links", "b", "ffffff", Some("second"));
    f.set_link_base(Some("http://127.0.0.1:4010/"));
    let resp = reqwest::get(format!("{}/repos/solo/links/labels?per_page=1", f.url()))
        .await
        .unwrap();
    let link = resp.headers()["link"].to_str().unwrap().to_string();
    assert!(
        link.starts_with("<http://127.0.0.1:4010/repos/solo/links/labels?per_page=1&page=2>"),
        "{link}"
    );
    f.set_link_base(None);
    let resp = reqwest::get(format!("{}/repos/solo/links/labels?per_page=1", f.url()))
        .await
        .unwrap();
    let link = resp.headers()["link"].to_str().unwrap().to_string();
    assert!(link.starts_with(&format!("<{}/", f.url())), "{link}");
}

#[tokio::test]
async fn post_existing_label_is_422_already_exists() {
    let r = repo("labels");
    let a = api("alice");
    let created = a
        .post(
            &format!("/repos/{r}/labels"),
            json!({"name": "sev:1", "color": "b60205", "description": "Critical"}),
        )
        .await;
    assert_eq!(created.status, 201);
    assert_eq!(created.body["color"], "b60205");
    assert_eq!(created.body["default"], false);
    let dup = a
        .post(
            &format!("/repos/{r}/labels"),
            json!({"name": "SEV:1", "color": "000000"}),
        )
        .await;
    assert_eq!(dup.status, 422);
    assert_eq!(dup.body["message"], "Validation Failed");
    assert_eq!(
        dup.body["errors"],
        json!([{"resource": "Label", "code": "already_exists", "field": "name"}])
    );
    let bad = a
        .post(
            &format!("/repos/{r}/labels"),
            json!({"name": "x", "color": "red"}),
        )
        .await;
    assert_eq!(bad.status, 422);
}

#[tokio::test]
async fn label_names_with_colon_and_space_are_matched_case_insensitively() {
    let r = repo("label-names");
    let a = api("alice");
    for name in ["sev:1", "needs triage", "type:a/b"] {
        assert_eq!(
            a.post(&format!("/repos/{r}/labels"), json!({"name": name}))
                .await
                .status,
            201
        );
    }
    let got = a.get(&format!("/repos/{r}/labels/SEV%3A1")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["name"], "sev:1");
    assert_eq!(
        a.get(&format!("/repos/{r}/labels/needs%20triage"))
            .await
            .body["name"],
        "needs triage"
    );
    assert_eq!(
        a.get(&format!("/repos/{r}/labels/type%3Aa%2Fb")).await.body["name"],
        "type:a/b"
    );
    let renamed = a
        .patch(
            &format!("/repos/{r}/labels/needs%20triage"),
            json!({"new_name": "triage", "color": "#00ff00", "description": null}),
        )
        .await;
    assert_eq!(renamed.status, 200);
    assert_eq!(renamed.body["name"], "triage");
    assert_eq!(renamed.body["color"], "00ff00");
    assert_eq!(
        a.get(&format!("/repos/{r}/labels/needs%20triage"))
            .await
            .status,
        404
    );
    assert_eq!(
        a.delete(&format!("/repos/{r}/labels/Sev:1")).await.status,
        204
    );
    assert_eq!(a.get(&format!("/repos/{r}/labels/sev:1")).await.status, 404);
    let names: Vec<String> = fake().labels(&r).into_iter().map(|l| l.name).collect();
    assert_eq!(names, ["triage", "type:a/b"]);
}

#[tokio::test]
async fn issue_labels_add_set_remove_clear() {
    let r = repo("issue-labels");
    let n = fake()
        .create_issue(&r, "alice", "t", "b", &["incident"])
        .number;
    let a = api("bob");
    let path = format!("/repos/{r}/issues/{n}/labels");
    let added = a
        .post(&path, json!({"labels": ["sev:2", "INCIDENT"]}))
        .await;
    assert_eq!(added.status, 200);
    assert_eq!(labels_of(&added.body), ["incident", "sev:2"]);
    let added = a.post(&path, json!(["status:investigating"])).await;
    assert_eq!(
        labels_of(&added.body),
        ["incident", "sev:2", "status:investigating"]
    );
    let removed = a.delete(&format!("{path}/SEV%3A2")).await;
    assert_eq!(removed.status, 200);
    assert_eq!(
        labels_of(&removed.body),
        ["incident", "status:investigating"]
    );
    let missing = a.delete(&format!("{path}/sev%3A2")).await;
    assert_eq!(missing.status, 404);
    assert_eq!(missing.body["message"], "Label does not exist");
    let set = a.put(&path, json!({"labels": ["a", "b"]})).await;
    assert_eq!(labels_of(&set.body), ["a", "b"]);
    assert_eq!(labels_of(&a.get(&path).await.body), ["a", "b"]);
    assert_eq!(a.delete(&path).await.status, 204);
    assert_eq!(a.get(&path).await.body, json!([]));
    assert_eq!(fake().issue(&r, n).unwrap().labels, Vec::<String>::new());
    // The repository keeps every label that was ever named.
    assert_eq!(fake().labels(&r).len(), 5);
}

#[tokio::test]
async fn apply_then_502_creates_the_issue_and_answers_502() {
    let r = repo("apply-502");
    fake().inject(Fault {
        method: Some(http::Method::POST),
        path_contains: format!("/repos/{r}/issues"),
        kind: FaultKind::ApplyThenStatus(502),
        times: 1,
    });
    let a = api("alice");
    let resp = a
        .post(&format!("/repos/{r}/issues"), json!({"title": "once"}))
        .await;
    assert_eq!(resp.status, 502);
    assert!(resp.body["message"].is_string());
    assert_eq!(
        fake().issue(&r, 1).unwrap().title,
        "once",
        "the write happened"
    );
    // The rule is spent: the next one succeeds normally.
    let again = a
        .post(&format!("/repos/{r}/issues"), json!({"title": "twice"}))
        .await;
    assert_eq!(again.status, 201);
    assert_eq!(again.body["number"], 2);
    let log = fake().requests_for(&r);
    let statuses: Vec<u16> = log.iter().map(|x| x.status).collect();
    assert_eq!(statuses, [502, 201]);
    assert_eq!(log[0].body, json!({"title": "once"}));
}

#[tokio::test]
async fn status_fault_answers_without_doing_anything() {
    let r = repo("status-fault");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    fake().inject(Fault {
        method: None,
        path_contains: format!("/repos/{r}/issues/{n}/comments"),
        kind: FaultKind::Status(500),
        times: 2,
    });
    let a = api("alice");
    for _ in 0..2 {
        let resp = a
            .post(
                &format!("/repos/{r}/issues/{n}/comments"),
                json!({"body": "x"}),
            )
            .await;
        assert_eq!(resp.status, 500);
    }
    assert_eq!(fake().comments(&r, n).len(), 0);
    let ok = a
        .post(
            &format!("/repos/{r}/issues/{n}/comments"),
            json!({"body": "x"}),
        )
        .await;
    assert_eq!(ok.status, 201);
    assert_eq!(fake().comments(&r, n).len(), 1);
    let statuses: Vec<u16> = fake().requests_for(&r).iter().map(|x| x.status).collect();
    assert_eq!(statuses, [500, 500, 201]);
}

#[tokio::test]
async fn rate_limit_fault_sends_retry_after() {
    let r = repo("rate-limit");
    for (status, secs) in [(403u16, 7u64), (429, 60)] {
        fake().inject(Fault {
            method: Some(http::Method::GET),
            path_contains: format!("/repos/{r}/labels"),
            kind: FaultKind::RateLimit {
                status,
                retry_after_secs: secs,
            },
            times: 1,
        });
        let resp = api("alice").get(&format!("/repos/{r}/labels")).await;
        assert_eq!(resp.status, status);
        assert_eq!(resp.header("retry-after"), Some(secs.to_string().as_str()));
        assert_eq!(resp.header("x-ratelimit-remaining"), Some("0"));
        let reset: i64 = resp.header("x-ratelimit-reset").unwrap().parse().unwrap();
        assert!(reset >= chrono::Utc::now().timestamp() + secs as i64 - 2);
        assert!(
            resp.body["message"]
                .as_str()
                .unwrap()
                .starts_with("API rate limit exceeded"),
            "{}",
            resp.body
        );
    }
    let ok = api("alice").get(&format!("/repos/{r}/labels")).await;
    assert_eq!(ok.status, 200);
    assert_eq!(ok.header("x-ratelimit-remaining"), Some("4999"));
}

#[tokio::test]
async fn delay_fault_delays_then_handles_normally() {
    let r = repo("delay");
    fake().inject(Fault {
        method: None,
        path_contains: format!("/repos/{r}/issues"),
        kind: FaultKind::Delay(Duration::from_millis(300)),
        times: 1,
    });
    let start = Instant::now();
    let resp = api("alice")
        .post(&format!("/repos/{r}/issues"), json!({"title": "slow"}))
        .await;
    assert!(start.elapsed() >= Duration::from_millis(300));
    assert_eq!(resp.status, 201);
}

#[tokio::test]
async fn unknown_route_is_404_not_501() {
    let r = repo("unknown");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    let c = fake().create_comment(&r, n, "bob", "hi").id;
    let a = api("alice");
    // (`POST /graphql` is served: tests/it/fake_graphql.rs.)
    for (method, path) in [
        ("GET", "/graphql".to_string()),
        ("GET", format!("/repos/{r}/nonsense")),
        ("POST", format!("/repos/{r}/issues/comments/{c}")),
        ("PUT", format!("/repos/{r}/issues/{n}")),
        ("GET", format!("/repos/{r}/issues/abc")),
        ("GET", "/repos/nobody/nothing".to_string()),
        ("GET", "/".to_string()),
        ("DELETE", format!("/repos/{r}")),
    ] {
        let resp = a.call(method, &path, Some(json!({}))).await;
        assert_eq!(resp.status, 404, "{method} {path}");
        assert_eq!(
            resp.body,
            json!({"message": "Not Found", "documentation_url": "https://docs.github.com/rest", "status": "404"}),
            "{method} {path}"
        );
    }
    assert_eq!(fake().comment_json(&r, c)["body"], "hi");
}

#[tokio::test]
async fn body_over_65536_is_refused() {
    let r = repo("too-long");
    let n = fake().create_issue(&r, "alice", "t", "b", &[]).number;
    let c = fake().create_comment(&r, n, "alice", "short").id;
    let a = api("alice");
    let max = "é".repeat(65536);
    let over = "x".repeat(65537);
    for (method, path) in [
        ("PATCH", format!("/repos/{r}/issues/{n}")),
        ("POST", format!("/repos/{r}/issues/{n}/comments")),
        ("PATCH", format!("/repos/{r}/issues/comments/{c}")),
        ("POST", format!("/repos/{r}/issues")),
    ] {
        let resp = a
            .call(method, &path, Some(json!({"title": "t", "body": over})))
            .await;
        assert_eq!(resp.status, 422, "{method} {path}");
        assert_eq!(resp.body["message"], "Validation Failed");
        assert_eq!(
            resp.body["errors"][0]["message"],
            "body is too long (maximum is 65536 characters)"
        );
        assert_eq!(resp.body["errors"][0]["field"], "body");
        let ok = a
            .call(method, &path, Some(json!({"title": "t", "body": max})))
            .await;
        assert!(
            ok.status == 200 || ok.status == 201,
            "{method} {path}: {}",
            ok.status
        );
    }
    assert_eq!(
        fake().issue(&r, n).unwrap().body.unwrap().chars().count(),
        65536
    );
}

#[tokio::test]
async fn sub_issue_link_takes_the_id_not_the_number() {
    let r = repo("sub-issues");
    let parent = fake().create_issue(&r, "alice", "incident", "", &[]);
    let child = fake().create_issue(&r, "alice", "action item", "", &[]);
    let a = api("alice");
    let path = format!("/repos/{r}/issues/{}/sub_issues", parent.number);
    // The number is not an id.
    let wrong = a.post(&path, json!({"sub_issue_id": child.number})).await;
    assert_eq!(wrong.status, 404);
    assert_eq!(
        fake().issue(&r, parent.number).unwrap().sub_issues,
        Vec::<u64>::new()
    );
    let ok = a.post(&path, json!({"sub_issue_id": child.id})).await;
    assert_eq!(ok.status, 201);
    assert_eq!(ok.body["number"], parent.number);
    assert_eq!(
        ok.body["sub_issues_summary"],
        json!({"total": 1, "completed": 0, "percent_completed": 0})
    );
    let dup = a.post(&path, json!({"sub_issue_id": child.id})).await;
    assert_eq!(dup.status, 422);
    let list = a.get(&path).await;
    assert_eq!(list.body[0]["number"], child.number);
    assert!(
        list.body[0]["parent_issue_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/issues/{}", parent.number))
    );
    let up = a
        .get(&format!("/repos/{r}/issues/{}/parent", child.number))
        .await;
    assert_eq!(up.body["number"], parent.number);
    assert_eq!(
        a.get(&format!("/repos/{r}/issues/{}/parent", parent.number))
            .await
            .status,
        404
    );
    fake().set_issue_state(&r, child.number, "closed", "alice");
    assert_eq!(
        fake().issue_json(&r, parent.number)["sub_issues_summary"],
        json!({"total": 1, "completed": 1, "percent_completed": 100})
    );
    let view = fake().issue(&r, child.number).unwrap();
    assert_eq!(view.parent, Some(parent.number));
    // Another parent needs replace_parent.
    let other = fake().create_issue(&r, "alice", "other", "", &[]);
    let other_path = format!("/repos/{r}/issues/{}/sub_issues", other.number);
    assert_eq!(
        a.post(&other_path, json!({"sub_issue_id": child.id}))
            .await
            .status,
        422
    );
    assert_eq!(
        a.post(
            &other_path,
            json!({"sub_issue_id": child.id, "replace_parent": true})
        )
        .await
        .status,
        201
    );
    assert_eq!(
        fake().issue(&r, parent.number).unwrap().sub_issues,
        Vec::<u64>::new()
    );
    let removed = a
        .call(
            "DELETE",
            &format!("/repos/{r}/issues/{}/sub_issue", other.number),
            Some(json!({"sub_issue_id": child.id})),
        )
        .await;
    assert_eq!(removed.status, 200);
    assert_eq!(fake().issue(&r, child.number).unwrap().parent, None);
}

#[tokio::test]
async fn author_association_reflects_permission() {
    static N: AtomicUsize = AtomicUsize::new(0);
    let org = format!("org-assoc-{}", N.fetch_add(1, Ordering::SeqCst));
    let r = format!("{org}/service");
    let f = fake();
    f.add_repo(&r);
    f.add_org_member(&org, "erin");
    for (login, perm) in [("alice", "admin"), ("bob", "write"), ("dave", "read")] {
        f.set_permission(&r, login, perm);
    }
    f.add_user("mallory", UserKind::User);
    let n = f.create_issue(&r, &org, "owned", "", &[]).number;
    assert_eq!(f.issue_json(&r, n)["author_association"], "OWNER");
    let expect = [
        ("erin", "MEMBER"),
        ("alice", "COLLABORATOR"),
        ("bob", "COLLABORATOR"),
        ("dave", "COLLABORATOR"),
        ("mallory", "NONE"),
    ];
    for (login, assoc) in expect {
        let c = f.create_comment(&r, n, login, "hi").id;
        assert_eq!(
            f.comment_json(&r, c)["author_association"],
            assoc,
            "{login}"
        );
        let i = f.create_issue(&r, login, "t", "", &[]).number;
        assert_eq!(f.issue_json(&r, i)["author_association"], assoc, "{login}");
    }
    // Over HTTP too, in lists.
    let list = api("alice")
        .get(&format!("/repos/{r}/issues/{n}/comments"))
        .await;
    let got: Vec<&str> = list
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["author_association"].as_str().unwrap())
        .collect();
    assert_eq!(got, expect.map(|x| x.1));
}

#[tokio::test]
async fn collaborator_permission_and_membership_checks() {
    static N: AtomicUsize = AtomicUsize::new(0);
    let org = format!("org-perm-{}", N.fetch_add(1, Ordering::SeqCst));
    let r = format!("{org}/svc");
    let f = fake();
    f.add_repo(&r);
    f.add_org_member(&org, "erin");
    f.add_team_member(&org, "sre", "erin");
    for (login, perm) in [
        ("alice", "admin"),
        ("maya", "maintain"),
        ("bob", "write"),
        ("carol", "triage"),
        ("dave", "read"),
    ] {
        f.set_permission(&r, login, perm);
    }
    f.add_user("mallory", UserKind::User);
    let a = api("alice");
    // A public repository: GitHub answers `read` for everyone, collaborator or not; only the
    // collaborator check tells them apart. Assignable: triage or more, and organization members.
    for (login, permission, role, collaborator, assignable) in [
        ("alice", "admin", "admin", true, true),
        ("maya", "write", "maintain", true, true),
        ("bob", "write", "write", true, true),
        ("carol", "read", "triage", true, true),
        ("dave", "read", "read", true, false),
        ("erin", "read", "read", true, true),
        ("mallory", "read", "read", false, false),
    ] {
        let p = a
            .get(&format!("/repos/{r}/collaborators/{login}/permission"))
            .await;
        assert_eq!(p.status, 200);
        assert_eq!(p.body["permission"], permission, "{login}");
        assert_eq!(p.body["role_name"], role, "{login}");
        assert_eq!(p.body["user"]["login"], login);
        assert_eq!(p.body["user"]["role_name"], role);
        let c = a.get(&format!("/repos/{r}/collaborators/{login}")).await;
        assert_eq!(c.status, if collaborator { 204 } else { 404 }, "{login}");
        let assignee = a.get(&format!("/repos/{r}/assignees/{login}")).await;
        assert_eq!(
            assignee.status,
            if assignable { 204 } else { 404 },
            "{login}"
        );
    }
    assert_eq!(
        a.get(&format!(
            "/repos/{r}/collaborators/nobody-at-all/permission"
        ))
        .await
        .status,
        404
    );
    assert_eq!(
        a.get(&format!("/orgs/{org}/members/erin")).await.status,
        204
    );
    assert_eq!(a.get(&format!("/orgs/{org}/members/bob")).await.status, 404);
    let m = a
        .get(&format!("/orgs/{org}/teams/sre/memberships/erin"))
        .await;
    assert_eq!(m.status, 200);
    assert_eq!(m.body["state"], "active");
    assert_eq!(m.body["role"], "member");
    assert!(m.body["url"].as_str().unwrap().starts_with("http://"));
    assert_eq!(
        a.get(&format!("/orgs/{org}/teams/sre/memberships/bob"))
            .await
            .status,
        404
    );
    // Assignable: triage and up, and org members.
    for (login, status) in [
        ("bob", 204),
        ("carol", 204),
        ("erin", 204),
        ("dave", 404),
        ("mallory", 404),
    ] {
        assert_eq!(
            a.get(&format!("/repos/{r}/assignees/{login}")).await.status,
            status,
            "{login}"
        );
    }
}

#[tokio::test]
async fn non_assignable_logins_are_silently_ignored() {
    let r = repo("assignees");
    let n = fake().create_issue(&r, "alice", "t", "", &[]).number;
    let a = api("alice");
    let path = format!("/repos/{r}/issues/{n}/assignees");
    let added = a
        .post(
            &path,
            json!({"assignees": ["bob", "mallory", "ghost-user", "carol"]}),
        )
        .await;
    assert_eq!(added.status, 201);
    let logins: Vec<&str> = added.body["assignees"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["login"].as_str().unwrap())
        .collect();
    assert_eq!(logins, ["bob", "carol"]);
    // Commenting on the issue makes one assignable to it.
    fake().create_comment(&r, n, "mallory", "I can help");
    a.post(&path, json!({"assignees": ["mallory"]})).await;
    assert_eq!(
        fake().issue(&r, n).unwrap().assignees,
        ["bob", "carol", "mallory"]
    );
    let removed = a
        .call(
            "DELETE",
            &path,
            Some(json!({"assignees": ["BOB", "nobody"]})),
        )
        .await;
    assert_eq!(removed.status, 200);
    assert_eq!(fake().issue(&r, n).unwrap().assignees, ["carol", "mallory"]);
}

#[tokio::test]
async fn reactions_are_201_when_new_and_200_when_repeated() {
    let r = repo("reactions");
    let n = fake().create_issue(&r, "alice", "t", "", &[]).number;
    let c = fake().create_comment(&r, n, "bob", "/ack").id;
    let a = api("alice");
    let path = format!("/repos/{r}/issues/comments/{c}/reactions");
    let first = a.post(&path, json!({"content": "+1"})).await;
    assert_eq!(first.status, 201);
    assert_eq!(first.body["content"], "+1");
    assert_eq!(first.body["user"]["login"], "alice");
    let again = a.post(&path, json!({"content": "+1"})).await;
    assert_eq!(again.status, 200);
    assert_eq!(again.body["id"], first.body["id"]);
    assert_eq!(
        api("bob")
            .post(&path, json!({"content": "+1"}))
            .await
            .status,
        201
    );
    assert_eq!(a.post(&path, json!({"content": "eyes"})).await.status, 201);
    assert_eq!(
        a.post(&path, json!({"content": "thumbs"})).await.status,
        422
    );
    let list = a.get(&path).await;
    assert_eq!(list.body.as_array().unwrap().len(), 3);
    let only = a.get(&format!("{path}?content=eyes")).await;
    assert_eq!(only.body.as_array().unwrap().len(), 1);
    let comment = fake().comment_json(&r, c);
    assert_eq!(comment["reactions"]["total_count"], 3);
    assert_eq!(comment["reactions"]["+1"], 2);
    assert_eq!(comment["reactions"]["eyes"], 1);
    let views = &fake().comments(&r, n)[0].reactions;
    assert_eq!(views[0].user, "alice");
    let ip = format!("/repos/{r}/issues/{n}/reactions");
    assert_eq!(a.post(&ip, json!({"content": "rocket"})).await.status, 201);
    assert_eq!(a.post(&ip, json!({"content": "rocket"})).await.status, 200);
    assert_eq!(fake().issue_json(&r, n)["reactions"]["rocket"], 1);
    assert_eq!(a.get(&ip).await.body.as_array().unwrap().len(), 1);
    assert_eq!(
        a.post(
            &format!("/repos/{r}/issues/comments/999999999/reactions"),
            json!({"content": "+1"})
        )
        .await
        .status,
        404
    );
}

#[tokio::test]
async fn comments_edit_delete_and_issue_updated_at_bumps() {
    let r = repo("comments");
    let f = fake();
    let n = f.create_issue(&r, "alice", "t", "", &[]).number;
    let issue_before = f.issue_json(&r, n)["updated_at"].clone();
    std::thread::sleep(Duration::from_millis(1100));
    let a = api("bob");
    let c = a
        .post(
            &format!("/repos/{r}/issues/{n}/comments"),
            json!({"body": "first"}),
        )
        .await;
    assert_eq!(c.status, 201);
    let id = c.body["id"].as_u64().unwrap();
    assert_eq!(
        c.body["issue_url"],
        format!("{}/repos/{r}/issues/{n}", f.url())
    );
    assert!(
        c.body["html_url"]
            .as_str()
            .unwrap()
            .ends_with(&format!("/issues/{n}#issuecomment-{id}"))
    );
    let issue = f.issue_json(&r, n);
    assert_eq!(issue["comments"], 1);
    assert!(issue["updated_at"].as_str() > issue_before.as_str());
    std::thread::sleep(Duration::from_millis(1100));
    let edited = a
        .patch(
            &format!("/repos/{r}/issues/comments/{id}"),
            json!({"body": "edited"}),
        )
        .await;
    assert_eq!(edited.status, 200);
    assert_eq!(edited.body["body"], "edited");
    assert!(edited.body["updated_at"].as_str() > edited.body["created_at"].as_str());
    assert_eq!(
        a.get(&format!("/repos/{r}/issues/comments/{id}"))
            .await
            .body,
        f.comment_json(&r, id)
    );
    // since= filters on updated_at.
    let since = c.body["created_at"].as_str().unwrap();
    let second = f.create_comment(&r, n, "carol", "second");
    let listed = a
        .get(&format!("/repos/{r}/issues/{n}/comments?since={since}"))
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    let later = edited.body["updated_at"].as_str().unwrap();
    let listed = a
        .get(&format!("/repos/{r}/issues/{n}/comments?since={later}"))
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 2);
    let none = a
        .get(&format!(
            "/repos/{r}/issues/{n}/comments?since=2999-01-01T00:00:00Z"
        ))
        .await;
    assert_eq!(none.body, json!([]));
    assert_eq!(
        a.delete(&format!("/repos/{r}/issues/comments/{id}"))
            .await
            .status,
        204
    );
    assert_eq!(
        a.delete(&format!("/repos/{r}/issues/comments/{id}"))
            .await
            .status,
        404
    );
    assert_eq!(
        a.get(&format!("/repos/{r}/issues/comments/{id}"))
            .await
            .status,
        404
    );
    let rest: Vec<u64> = f.comments(&r, n).iter().map(|c| c.id).collect();
    assert_eq!(rest, [second.id]);
    f.edit_comment(&r, second.id, "changed by hand");
    assert_eq!(f.comments(&r, n)[0].body, "changed by hand");
    f.delete_comment(&r, second.id);
    assert!(f.comments(&r, n).is_empty());
    assert_eq!(f.issue(&r, n).unwrap().comments, 0);
}

#[tokio::test]
async fn issue_list_filters_sorts_and_includes_pulls() {
    let r = repo("issue-list");
    let f = fake();
    let i1 = f
        .create_issue(&r, "alice", "one", "", &["incident", "sev:1"])
        .number;
    let i2 = f.create_issue(&r, "bob", "two", "", &["incident"]).number;
    let i3 = f
        .create_issue(&r, "alice", "three", "", &["action-item"])
        .number;
    f.set_issue_state(&r, i2, "closed", "alice");
    let a = api("alice");
    let nums = |v: &Value| -> Vec<u64> {
        v.as_array()
            .unwrap()
            .iter()
            .map(|i| i["number"].as_u64().unwrap())
            .collect()
    };
    let base = format!("/repos/{r}/issues");
    assert_eq!(nums(&a.get(&base).await.body), [i3, i1]);
    assert_eq!(
        nums(&a.get(&format!("{base}?state=all")).await.body),
        [i3, i2, i1]
    );
    assert_eq!(
        nums(&a.get(&format!("{base}?state=closed")).await.body),
        [i2]
    );
    assert_eq!(
        nums(
            &a.get(&format!("{base}?state=all&labels=INCIDENT"))
                .await
                .body
        ),
        [i2, i1]
    );
    assert_eq!(
        nums(
            &a.get(&format!("{base}?state=all&labels=incident,sev%3A1"))
                .await
                .body
        ),
        [i1]
    );
    assert_eq!(
        nums(&a.get(&format!("{base}?state=all&creator=bob")).await.body),
        [i2]
    );
    assert_eq!(
        nums(&a.get(&format!("{base}?state=all&direction=asc")).await.body),
        [i1, i2, i3]
    );
    // Timestamps have whole seconds: let one pass so that i1 is the most recently updated.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    a.post(
        &format!("{base}/{i1}/assignees"),
        json!({"assignees": ["bob"]}),
    )
    .await;
    assert_eq!(
        nums(&a.get(&format!("{base}?assignee=bob")).await.body),
        [i1]
    );
    assert_eq!(
        nums(&a.get(&format!("{base}?assignee=none")).await.body),
        [i3]
    );
    assert_eq!(
        nums(
            &a.get(&format!("{base}?sort=updated&direction=desc"))
                .await
                .body
        )[0],
        i1
    );
    assert_eq!(a.get(&format!("{base}?state=weird")).await.status, 422);
    let future = "2999-01-01T00:00:00Z";
    assert_eq!(
        a.get(&format!("{base}?state=all&since={future}"))
            .await
            .body,
        json!([])
    );
}

#[tokio::test]
async fn contents_get_put_update_need_the_current_sha() {
    let r = repo("contents");
    let f = fake();
    let a = api("alice");
    let text = "# Postmortems\n\n".to_string() + &"line of text\n".repeat(20);
    f.put_file(&r, "main", "docs/postmortems/README.md", &text);
    let got = a
        .get(&format!("/repos/{r}/contents/docs/postmortems/README.md"))
        .await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["type"], "file");
    assert_eq!(got.body["encoding"], "base64");
    assert_eq!(got.body["path"], "docs/postmortems/README.md");
    assert_eq!(got.body["name"], "README.md");
    assert_eq!(got.body["size"], text.len());
    let content = got.body["content"].as_str().unwrap();
    let lines: Vec<&str> = content.split('\n').collect();
    assert!(
        lines[..lines.len() - 2].iter().all(|l| l.len() == 60),
        "{content}"
    );
    assert!(content.ends_with('\n'));
    let decoded = decode_b64(content);
    assert_eq!(decoded, text);
    let sha = got.body["sha"].as_str().unwrap().to_string();
    assert_eq!(sha.len(), 40);
    // Directory listing.
    let dir = a.get(&format!("/repos/{r}/contents/docs")).await;
    assert_eq!(dir.body[0]["type"], "dir");
    assert_eq!(dir.body[0]["name"], "postmortems");

    let path = format!("/repos/{r}/contents/docs/postmortems/2026-01-01-db.md");
    assert_eq!(a.get(&path).await.status, 404);
    let created = a
        .put(
            &path,
            json!({"message": "Add postmortem", "content": encode_b64("draft\n")}),
        )
        .await;
    assert_eq!(created.status, 201, "{}", created.body);
    assert_eq!(
        created.body["content"]["path"],
        "docs/postmortems/2026-01-01-db.md"
    );
    assert_eq!(created.body["commit"]["message"], "Add postmortem");
    let blob = created.body["content"]["sha"].as_str().unwrap().to_string();
    let no_sha = a
        .put(&path, json!({"message": "m", "content": encode_b64("v2")}))
        .await;
    assert_eq!(no_sha.status, 422);
    let wrong = a
        .put(
            &path,
            json!({"message": "m", "content": encode_b64("v2"), "sha": sha}),
        )
        .await;
    assert_eq!(wrong.status, 409);
    let updated = a
        .put(
            &path,
            json!({"message": "m", "content": encode_b64("v2"), "sha": blob}),
        )
        .await;
    assert_eq!(updated.status, 200);
    assert_eq!(
        f.file(&r, "main", "docs/postmortems/2026-01-01-db.md")
            .as_deref(),
        Some("v2")
    );
    // On another branch, read back with ?ref=.
    assert!(f.create_branch(&r, "pm", "main"));
    let on_branch = a
        .put(
            &path,
            json!({"message": "m", "content": encode_b64("on branch"), "branch": "pm", "sha": updated.body["content"]["sha"]}),
        )
        .await;
    assert_eq!(on_branch.status, 200);
    let read = a.get(&format!("{path}?ref=pm")).await;
    assert_eq!(
        decode_b64(read.body["content"].as_str().unwrap()),
        "on branch"
    );
    let read_main = a.get(&path).await;
    assert_eq!(
        decode_b64(read_main.body["content"].as_str().unwrap()),
        "v2"
    );
    assert_eq!(a.get(&format!("{path}?ref=nope")).await.status, 404);
    let bad = a
        .put(
            &path,
            json!({"message": "m", "content": encode_b64("v2"), "branch": "nope"}),
        )
        .await;
    assert_eq!(bad.status, 404);
}

fn encode_b64(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in s.as_bytes().chunks(3) {
        let b = [
            chunk[0],
            *chunk.get(1).unwrap_or(&0),
            *chunk.get(2).unwrap_or(&0),
        ];
        let n = (u32::from(b[0]) << 16) | (u32::from(b[1]) << 8) | u32::from(b[2]);
        for i in 0..4 {
            out.push(if i <= chunk.len() {
                T[((n >> (18 - 6 * i)) & 63) as usize] as char
            } else {
                '='
            });
        }
    }
    out
}

fn decode_b64(s: &str) -> String {
    const T: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = Vec::new();
    let (mut buf, mut bits) = (0u32, 0);
    for c in s.bytes().filter(|c| !c.is_ascii_whitespace() && *c != b'=') {
        buf = (buf << 6) | T.iter().position(|&x| x == c).unwrap() as u32;
        bits += 6;
        if bits >= 8 {
            bits -= 8;
            out.push((buf >> bits) as u8);
            buf &= (1 << bits) - 1;
        }
    }
    String::from_utf8(out).unwrap()
}

#[tokio::test]
async fn git_refs_and_pull_request_lifecycle() {
    let r = repo("pulls");
    let f = fake();
    let a = api("alice");
    let main = a.get(&format!("/repos/{r}/git/ref/heads/main")).await;
    assert_eq!(main.status, 200);
    assert_eq!(main.body["ref"], "refs/heads/main");
    let sha = main.body["object"]["sha"].as_str().unwrap().to_string();
    assert_eq!(Some(sha.clone()), f.branch_sha(&r, "main"));
    assert_eq!(
        a.get(&format!("/repos/{r}/git/ref/heads/nope"))
            .await
            .status,
        404
    );
    let created = a
        .post(
            &format!("/repos/{r}/git/refs"),
            json!({"ref": "refs/heads/postmortem/db", "sha": sha}),
        )
        .await;
    assert_eq!(created.status, 201);
    let again = a
        .post(
            &format!("/repos/{r}/git/refs"),
            json!({"ref": "refs/heads/postmortem/db", "sha": sha}),
        )
        .await;
    assert_eq!(again.status, 422);
    assert_eq!(
        a.post(
            &format!("/repos/{r}/git/refs"),
            json!({"ref": "refs/heads/x", "sha": "0".repeat(40)})
        )
        .await
        .status,
        422
    );
    // An issue first, so that the pull request shares the number space.
    let issue = f.create_issue(&r, "alice", "incident", "", &[]).number;
    let no_diff = a
        .post(
            &format!("/repos/{r}/pulls"),
            json!({"title": "pm", "head": "postmortem/db", "base": "main"}),
        )
        .await;
    assert_eq!(no_diff.status, 422);
    f.put_file(
        &r,
        "postmortem/db",
        "docs/postmortems/db.md",
        "# Postmortem\n",
    );
    let pr = api("bob")
        .post(
            &format!("/repos/{r}/pulls"),
            json!({"title": "Postmortem: db", "head": "postmortem/db", "base": "main", "body": "draft", "draft": true}),
        )
        .await;
    assert_eq!(pr.status, 201, "{}", pr.body);
    let n = pr.body["number"].as_u64().unwrap();
    assert_eq!(n, issue + 1);
    assert_eq!(pr.body["draft"], true);
    assert_eq!(pr.body["head"]["ref"], "postmortem/db");
    assert_eq!(pr.body["base"]["ref"], "main");
    assert_eq!(pr.body["merged"], false);
    assert_eq!(pr.body["user"]["login"], "bob");
    // A pull request is an issue: comments go through the issues endpoints.
    let as_issue = a.get(&format!("/repos/{r}/issues/{n}")).await;
    assert!(as_issue.body["pull_request"]["url"].is_string());
    assert_eq!(
        a.post(
            &format!("/repos/{r}/issues/{n}/comments"),
            json!({"body": "checklist"})
        )
        .await
        .status,
        201
    );
    assert_eq!(
        a.get(&format!("/repos/{r}/pulls/{n}")).await.body["comments"],
        1
    );
    assert_eq!(
        a.get(&format!("/repos/{r}/pulls/{issue}")).await.status,
        404
    );
    let listed = a
        .get(&format!("/repos/{r}/pulls?head=acme:postmortem/db"))
        .await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(
        listed.body[0].get("merged").is_none(),
        "list gives pull-request-simple"
    );
    let dup = a
        .post(
            &format!("/repos/{r}/pulls"),
            json!({"title": "again", "head": "postmortem/db", "base": "main"}),
        )
        .await;
    assert_eq!(dup.status, 422);

    // Reviews: the author cannot approve; others can.
    let own = api("bob")
        .post(
            &format!("/repos/{r}/pulls/{n}/reviews"),
            json!({"event": "APPROVE"}),
        )
        .await;
    assert_eq!(own.status, 422);
    let approved = a
        .post(
            &format!("/repos/{r}/pulls/{n}/reviews"),
            json!({"event": "APPROVE", "body": "LGTM"}),
        )
        .await;
    assert_eq!(approved.status, 200);
    assert_eq!(approved.body["state"], "APPROVED");
    f.submit_review(&r, n, "carol", "CHANGES_REQUESTED", "more whys");
    let reviews = a.get(&format!("/repos/{r}/pulls/{n}/reviews")).await;
    let states: Vec<&str> = reviews
        .body
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x["state"].as_str().unwrap())
        .collect();
    assert_eq!(states, ["APPROVED", "CHANGES_REQUESTED"]);

    // Drafts cannot be merged; ready ones can.
    let draft_merge = a
        .put(&format!("/repos/{r}/pulls/{n}/merge"), json!({}))
        .await;
    assert_eq!(draft_merge.status, 405);
    f.mark_ready(&r, n);
    let stale = a
        .put(
            &format!("/repos/{r}/pulls/{n}/merge"),
            json!({"sha": "0".repeat(40)}),
        )
        .await;
    assert_eq!(stale.status, 409);
    let merged = a
        .put(
            &format!("/repos/{r}/pulls/{n}/merge"),
            json!({"merge_method": "squash"}),
        )
        .await;
    assert_eq!(merged.status, 200);
    assert_eq!(merged.body["merged"], true);
    assert_eq!(
        a.get(&format!("/repos/{r}/pulls/{n}/merge")).await.status,
        204
    );
    let after = a.get(&format!("/repos/{r}/pulls/{n}")).await;
    assert_eq!(after.body["state"], "closed");
    assert_eq!(after.body["merged"], true);
    assert_eq!(after.body["merged_by"]["login"], "alice");
    assert_eq!(after.body["merge_commit_sha"], merged.body["sha"]);
    assert_eq!(
        f.file(&r, "main", "docs/postmortems/db.md").as_deref(),
        Some("# Postmortem\n")
    );
    let view = f.pull(&r, n).unwrap();
    assert!(view.merged);
    assert_eq!(view.reviews.len(), 2);
    assert_eq!(f.pull_numbers(&r), [n]);
    assert_eq!(
        a.put(&format!("/repos/{r}/pulls/{n}/merge"), json!({}))
            .await
            .status,
        405
    );

    // Helpers: a second PR merged through the API helper; PATCH closes one.
    f.create_branch(&r, "b2", "main");
    f.put_file(&r, "b2", "x.md", "x");
    let p2 = f.create_pull(&r, "carol", "two", "", "b2", "main", false);
    f.approve_pull(&r, p2.number, "alice");
    assert!(f.merge_pull(&r, p2.number, "alice").is_ok());
    assert_eq!(f.pull_json(&r, p2.number)["merged"], true);
    f.create_branch(&r, "b3", "main");
    f.put_file(&r, "b3", "y.md", "y");
    let p3 = f.create_pull(&r, "carol", "three", "", "b3", "main", false);
    let closed = a
        .patch(
            &format!("/repos/{r}/pulls/{}", p3.number),
            json!({"state": "closed"}),
        )
        .await;
    assert_eq!(closed.body["state"], "closed");
    assert_eq!(closed.body["merged"], false);
    let all = a.get(&format!("/repos/{r}/pulls?state=all")).await;
    assert_eq!(all.body.as_array().unwrap().len(), 3);
}

#[tokio::test]
async fn request_log_records_everything_and_filters_by_repo() {
    let r = repo("log");
    let other = repo("log-other");
    let a = api("alice");
    a.post(&format!("/repos/{r}/issues"), json!({"title": "x"}))
        .await;
    a.get(&format!("/repos/{other}/issues?state=all")).await;
    a.get(&format!("/repos/{r}/issues/77")).await;
    let mine = fake().requests_for(&r);
    assert_eq!(mine.len(), 2);
    assert_eq!(mine[0].method, http::Method::POST);
    assert_eq!(mine[0].path, format!("/repos/{r}/issues"));
    assert_eq!(mine[0].status, 201);
    assert_eq!(mine[0].body, json!({"title": "x"}));
    assert_eq!(mine[1].status, 404);
    assert_eq!(mine[1].body, Value::Null);
    let theirs = fake().requests_for(&other);
    assert_eq!(theirs.len(), 1);
    assert_eq!(theirs[0].query, "state=all");
    assert!(fake().requests().len() >= 3);
}

#[tokio::test]
async fn bad_input_never_panics() {
    let r = repo("robust");
    let n = fake().create_issue(&r, "alice", "t", "", &[]).number;
    let http = reqwest::Client::new();
    let base = fake().url();
    let bad = http
        .post(format!("{base}/repos/{r}/issues/{n}/comments"))
        .bearer_auth("tok-alice")
        .body("{not json")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status().as_u16(), 400);
    let a = api("alice");
    for body in [
        json!(null),
        json!([]),
        json!("x"),
        json!(42),
        json!({"body": 5}),
        json!({"labels": {"a": 1}}),
        json!({"title": ["x"]}),
        json!({"assignees": [1, 2]}),
        json!({"sub_issue_id": "abc"}),
        json!({"content": 7}),
        json!({"state": null, "state_reason": 3}),
    ] {
        for (m, p) in [
            ("POST", format!("/repos/{r}/issues")),
            ("PATCH", format!("/repos/{r}/issues/{n}")),
            ("POST", format!("/repos/{r}/issues/{n}/comments")),
            ("POST", format!("/repos/{r}/issues/{n}/labels")),
            ("PUT", format!("/repos/{r}/issues/{n}/labels")),
            ("POST", format!("/repos/{r}/labels")),
            ("POST", format!("/repos/{r}/issues/{n}/assignees")),
            ("POST", format!("/repos/{r}/issues/{n}/sub_issues")),
            ("POST", format!("/repos/{r}/issues/{n}/reactions")),
            ("PUT", format!("/repos/{r}/contents/a%2Fb")),
            ("POST", format!("/repos/{r}/pulls")),
            ("POST", format!("/repos/{r}/git/refs")),
        ] {
            let resp = a.call(m, &p, Some(body.clone())).await;
            assert!(resp.status < 500, "{m} {p} {body}: {}", resp.status);
        }
    }
    for p in [
        "/repos/%FF%FE/x",
        "/repos/a",
        "/repos//issues",
        "/users/",
        "/repos/acme/x/issues/18446744073709551616",
        "/repos/acme/x/contents/",
    ] {
        let resp = a.get(p).await;
        assert_eq!(resp.status, 404, "{p}");
    }
    // Still serving.
    assert_eq!(a.get(&format!("/repos/{r}")).await.status, 200);
}

#[tokio::test]
async fn repo_and_user_endpoints() {
    let r = repo("repo-user");
    let a = api("alice");
    let got = a.get(&format!("/repos/{r}")).await;
    assert_eq!(got.status, 200);
    assert_eq!(got.body["full_name"], r);
    assert_eq!(got.body["default_branch"], "main");
    assert_eq!(got.body["owner"]["login"], "acme");
    // What the caller may do comes on top of the repository itself, as on GitHub.
    let mut body = got.body.clone();
    let permissions = body.as_object_mut().unwrap().remove("permissions");
    assert_eq!(
        permissions,
        Some(
            serde_json::json!({"admin": true, "maintain": true, "push": true, "triage": true, "pull": true})
        )
    );
    assert_eq!(body, fake().repo_json(&r));
    let dave = api("dave").get(&format!("/repos/{r}")).await;
    assert_eq!(
        dave.body["permissions"],
        serde_json::json!({"admin": false, "maintain": false, "push": false, "triage": false, "pull": true})
    );
    let anonymous = anon().get(&format!("/repos/{r}")).await;
    assert!(anonymous.body.get("permissions").is_none());
    let user = a.get("/users/alice").await;
    assert_eq!(user.body["login"], "alice");
    assert_eq!(user.body["type"], "User");
    assert_eq!(user.body, fake().user_json("alice"));
    assert_eq!(a.get("/users/no-such-user-here").await.status, 404);
    assert_eq!(fake().user_json("no-such-user-here"), Value::Null);
}

#[tokio::test]
async fn start_serves_in_the_current_runtime() {
    let f = FakeGitHub::start().await.unwrap();
    assert!(f.url().starts_with("http://127.0.0.1:"));
    assert_eq!(f.graphql_url(), format!("{}/graphql", f.url()));
    f.add_repo("solo/repo");
    f.set_token("t", "solo");
    let n = f.create_issue("solo/repo", "solo", "x", "y", &[]).number;
    let resp = reqwest::Client::new()
        .get(format!("{}/repos/solo/repo/issues/{n}", f.url()))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let v: Value = resp.json().await.unwrap();
    assert_eq!(v["title"], "x");
    // The clock override stamps new objects.
    let t = chrono::DateTime::parse_from_rfc3339("2026-11-20T14:05:00Z")
        .unwrap()
        .with_timezone(&chrono::Utc);
    f.set_now(t);
    let c = f
        .create_comment("solo/repo", n, "solo", "at a fixed time")
        .id;
    assert_eq!(
        f.comment_json("solo/repo", c)["created_at"],
        "2026-11-20T14:05:00Z"
    );
    assert_eq!(f.comments("solo/repo", n)[0].created_at, t);
    assert_eq!(
        f.issue_json("solo/repo", n)["updated_at"],
        "2026-11-20T14:05:00Z"
    );
    // An html host can be configured.
    f.set_html_url("https://github.example");
    assert_eq!(
        f.issue_json("solo/repo", n)["html_url"],
        "https://github.example/solo/repo/issues/1"
    );
}

/// Drive every main route and hold each JSON object it serves against the OpenAPI schema of
/// that route and status (required keys, types, nullability, enums).
#[tokio::test]
async fn every_served_object_matches_its_openapi_schema() {
    let Some(spec) = schema::load() else {
        eprintln!(
            "SKIPPED fake_github::every_served_object_matches_its_openapi_schema: set \
             FIREBREAK_OPENAPI_JSON to @octokit/openapi's generated/api.github.com.json \
             (or FIREBREAK_CONFORMANCE_DIR, see CONFORMANCE.md)"
        );
        return;
    };
    // The checker itself catches what it must.
    let issue_schema = &spec["components"]["schemas"]["issue"];
    let mut good = fake().issue_json(&repo("schema-self"), 0);
    assert!(good.is_null());
    let sr = repo("schema-self");
    let sn = fake().create_issue(&sr, "alice", "t", "", &["x"]).number;
    good = fake().issue_json(&sr, sn);
    let mut errs = Vec::new();
    schema::check(&spec, issue_schema, &good, "$", &mut errs);
    assert!(errs.is_empty(), "{errs:?}");
    for broken in [
        {
            let mut b = good.clone();
            b.as_object_mut().unwrap().remove("user");
            b
        },
        {
            let mut b = good.clone();
            b["number"] = json!("1");
            b
        },
        {
            let mut b = good.clone();
            b["labels"][0]["default"] = Value::Null;
            b
        },
        {
            let mut b = good.clone();
            b["state_reason"] = json!("fixed");
            b
        },
    ] {
        let mut errs = Vec::new();
        schema::check(&spec, issue_schema, &broken, "$", &mut errs);
        assert!(!errs.is_empty(), "the checker missed a broken issue");
    }

    let r = repo("schema");
    let f = fake();
    let a = api("alice");
    let n = f.create_issue(&r, "alice", "t", "b", &["incident"]).number;
    let child = f.create_issue(&r, "bob", "child", "", &[]);
    let c = f.create_comment(&r, n, "bob", "hi").id;
    f.put_file(&r, "main", "docs/a.md", "hello");
    f.create_branch(&r, "pm", "main");
    f.put_file(&r, "pm", "docs/pm.md", "pm");
    let (owner, name) = r.split_once('/').unwrap();
    let b64 = encode_b64("new file");
    // (method, template, concrete path, body)
    let calls: Vec<(&str, &str, String, Option<Value>)> = vec![
        ("get", "/repos/{owner}/{repo}", format!("/repos/{r}"), None),
        ("get", "/users/{username}", "/users/alice".into(), None),
        ("get", "/user", "/user".into(), None),
        (
            "post",
            "/repos/{owner}/{repo}/issues",
            format!("/repos/{r}/issues"),
            Some(json!({"title": "new", "labels": ["x"], "assignees": ["bob"]})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues",
            format!("/repos/{r}/issues?state=all"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            format!("/repos/{r}/issues/{n}"),
            None,
        ),
        (
            "patch",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            format!("/repos/{r}/issues/{n}"),
            Some(json!({"state": "closed"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            format!("/repos/{r}/issues/{n}/comments"),
            None,
        ),
        (
            "post",
            "/repos/{owner}/{repo}/issues/{issue_number}/comments",
            format!("/repos/{r}/issues/{n}/comments"),
            Some(json!({"body": "b"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/comments/{comment_id}",
            format!("/repos/{r}/issues/comments/{c}"),
            None,
        ),
        (
            "patch",
            "/repos/{owner}/{repo}/issues/comments/{comment_id}",
            format!("/repos/{r}/issues/comments/{c}"),
            Some(json!({"body": "e"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/comments",
            format!("/repos/{r}/issues/comments"),
            None,
        ),
        (
            "post",
            "/repos/{owner}/{repo}/labels",
            format!("/repos/{r}/labels"),
            Some(json!({"name": "sev:1", "color": "ff0000"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/labels",
            format!("/repos/{r}/labels"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/labels/{name}",
            format!("/repos/{r}/labels/sev%3A1"),
            None,
        ),
        (
            "patch",
            "/repos/{owner}/{repo}/labels/{name}",
            format!("/repos/{r}/labels/sev%3A1"),
            Some(json!({"description": "d"})),
        ),
        (
            "post",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels",
            format!("/repos/{r}/issues/{n}/labels"),
            Some(json!({"labels": ["sev:1"]})),
        ),
        (
            "put",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels",
            format!("/repos/{r}/issues/{n}/labels"),
            Some(json!({"labels": ["sev:1", "incident"]})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels",
            format!("/repos/{r}/issues/{n}/labels"),
            None,
        ),
        (
            "delete",
            "/repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
            format!("/repos/{r}/issues/{n}/labels/incident"),
            None,
        ),
        (
            "post",
            "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
            format!("/repos/{r}/issues/{n}/assignees"),
            Some(json!({"assignees": ["bob"]})),
        ),
        (
            "delete",
            "/repos/{owner}/{repo}/issues/{issue_number}/assignees",
            format!("/repos/{r}/issues/{n}/assignees"),
            Some(json!({"assignees": ["bob"]})),
        ),
        (
            "post",
            "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
            format!("/repos/{r}/issues/comments/{c}/reactions"),
            Some(json!({"content": "+1"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
            format!("/repos/{r}/issues/comments/{c}/reactions"),
            None,
        ),
        (
            "post",
            "/repos/{owner}/{repo}/issues/{issue_number}/reactions",
            format!("/repos/{r}/issues/{n}/reactions"),
            Some(json!({"content": "eyes"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}/reactions",
            format!("/repos/{r}/issues/{n}/reactions"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/collaborators/{username}/permission",
            format!("/repos/{r}/collaborators/bob/permission"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/contents/{path}",
            format!("/repos/{r}/contents/docs/a.md"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/contents/{path}",
            format!("/repos/{r}/contents/docs"),
            None,
        ),
        (
            "put",
            "/repos/{owner}/{repo}/contents/{path}",
            format!("/repos/{r}/contents/docs/new.md"),
            Some(json!({"message": "m", "content": b64})),
        ),
        (
            "post",
            "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
            format!("/repos/{r}/issues/{n}/sub_issues"),
            Some(json!({"sub_issue_id": child.id})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}/sub_issues",
            format!("/repos/{r}/issues/{n}/sub_issues"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}/parent",
            format!("/repos/{r}/issues/{}/parent", child.number),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/git/ref/{ref}",
            format!("/repos/{r}/git/ref/heads/main"),
            None,
        ),
        (
            "post",
            "/repos/{owner}/{repo}/git/refs",
            format!("/repos/{r}/git/refs"),
            Some(json!({"ref": "refs/heads/new", "sha": f.branch_sha(&r, "main").unwrap()})),
        ),
        (
            "post",
            "/repos/{owner}/{repo}/pulls",
            format!("/repos/{r}/pulls"),
            Some(json!({"title": "pm", "head": "pm", "base": "main", "draft": false})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/pulls",
            format!("/repos/{r}/pulls"),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/pulls/{pull_number}",
            format!("/repos/{r}/pulls/{}", n + 3),
            None,
        ),
        (
            "patch",
            "/repos/{owner}/{repo}/pulls/{pull_number}",
            format!("/repos/{r}/pulls/{}", n + 3),
            Some(json!({"body": "x"})),
        ),
        (
            "post",
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            format!("/repos/{r}/pulls/{}/reviews", n + 3),
            Some(json!({"event": "APPROVE"})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
            format!("/repos/{r}/pulls/{}/reviews", n + 3),
            None,
        ),
        (
            "put",
            "/repos/{owner}/{repo}/pulls/{pull_number}/merge",
            format!("/repos/{r}/pulls/{}/merge", n + 3),
            Some(json!({})),
        ),
        (
            "get",
            "/repos/{owner}/{repo}/pulls/{pull_number}",
            format!("/repos/{r}/pulls/{}", n + 3),
            None,
        ),
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            format!("/repos/{r}/issues/{}", n + 3),
            None,
        ),
        // Errors have their shapes too.
        (
            "get",
            "/repos/{owner}/{repo}/issues/{issue_number}",
            format!("/repos/{r}/issues/9999"),
            None,
        ),
        (
            "post",
            "/repos/{owner}/{repo}/labels",
            format!("/repos/{r}/labels"),
            Some(json!({"name": "SEV:1"})),
        ),
        (
            "patch",
            "/repos/{owner}/{repo}/issues/comments/{comment_id}",
            format!("/repos/{r}/issues/comments/{c}"),
            Some(json!({"body": "x".repeat(65537)})),
        ),
        (
            "put",
            "/repos/{owner}/{repo}/contents/{path}",
            format!("/repos/{r}/contents/docs/a.md"),
            Some(json!({"message": "m", "content": b64, "sha": "0".repeat(40)})),
        ),
        (
            "get",
            "/orgs/{org}/teams/{team_slug}/memberships/{username}",
            format!("/orgs/{owner}/teams/none/memberships/bob"),
            None,
        ),
    ];
    let _ = name;
    let mut failures = Vec::new();
    for (method, template, path, body) in calls {
        let resp = a.call(&method.to_uppercase(), &path, body).await;
        match schema::response_schema(&spec, template, method, resp.status) {
            None => failures.push(format!(
                "{method} {path}: status {} is not documented for {template}",
                resp.status
            )),
            // Documented without a body (GitHub still sends its error JSON): nothing to check.
            Some(None) => {}
            Some(Some(s)) => {
                let mut errs = Vec::new();
                schema::check(&spec, s, &resp.body, "$", &mut errs);
                failures.extend(
                    errs.into_iter()
                        .map(|e| format!("{method} {path} ({}): {e}", resp.status)),
                );
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

/// A small OpenAPI 3.0 response checker: `$ref`, `required`, `type`, `nullable`, `enum`,
/// `properties`, `items`, `oneOf`/`anyOf` (one branch must pass) and `allOf` (all must pass).
mod schema {
    use serde_json::Value;

    /// GitHub's REST description from `FIREBREAK_OPENAPI_JSON` (the file) or
    /// `FIREBREAK_CONFORMANCE_DIR` (the conformance cache), if set.
    pub fn load() -> Option<Value> {
        let path = std::env::var_os("FIREBREAK_OPENAPI_JSON")
            .filter(|v| !v.is_empty())
            .map(std::path::PathBuf::from)
            .or_else(|| {
                std::env::var_os("FIREBREAK_CONFORMANCE_DIR")
                    .filter(|v| !v.is_empty())
                    .map(|d| {
                        std::path::PathBuf::from(d)
                            .join("node_modules/@octokit/openapi/generated/api.github.com.json")
                    })
            })?;
        let text = std::fs::read_to_string(&path)
            .unwrap_or_else(|e| panic!("read {}: {e}", path.display()));
        Some(serde_json::from_str(&text).expect("the OpenAPI description is JSON"))
    }

    fn resolve<'a>(spec: &'a Value, mut v: &'a Value) -> &'a Value {
        while let Some(r) = v.get("$ref").and_then(Value::as_str) {
            let mut cur = spec;
            for part in r.trim_start_matches("#/").split('/') {
                cur = &cur[part.replace("~1", "/").replace("~0", "~")];
            }
            v = cur;
        }
        v
    }

    /// The response schema of `method template` for `status`: `None` when the status is not
    /// documented, `Some(None)` when it is documented without a JSON body.
    pub fn response_schema<'a>(
        spec: &'a Value,
        template: &str,
        method: &str,
        status: u16,
    ) -> Option<Option<&'a Value>> {
        let op = spec["paths"].get(template)?.get(method)?;
        let resp = resolve(spec, op["responses"].get(status.to_string())?);
        Some(
            resp.get("content")
                .and_then(|c| c.get("application/json"))
                .and_then(|c| c.get("schema")),
        )
    }

    fn type_ok(t: &str, v: &Value) -> bool {
        match t {
            "object" => v.is_object(),
            "array" => v.is_array(),
            "string" => v.is_string(),
            "integer" => v.is_i64() || v.is_u64(),
            "number" => v.is_number(),
            "boolean" => v.is_boolean(),
            _ => true,
        }
    }

    pub fn check(spec: &Value, schema: &Value, v: &Value, at: &str, errs: &mut Vec<String>) {
        let s = resolve(spec, schema);
        if v.is_null() {
            let nullable = s.get("nullable").and_then(Value::as_bool).unwrap_or(false);
            let untyped = s.get("type").is_none()
                && s.get("properties").is_none()
                && s.get("oneOf").is_none()
                && s.get("anyOf").is_none()
                && s.get("allOf").is_none();
            if !nullable && !untyped {
                errs.push(format!("{at}: null but not nullable"));
            }
            return;
        }
        for key in ["oneOf", "anyOf"] {
            if let Some(branches) = s.get(key).and_then(Value::as_array) {
                let all: Vec<Vec<String>> = branches
                    .iter()
                    .map(|b| {
                        let mut e = Vec::new();
                        check(spec, b, v, at, &mut e);
                        e
                    })
                    .collect();
                if !all.iter().any(Vec::is_empty) {
                    let best = all.into_iter().min_by_key(Vec::len).unwrap_or_default();
                    errs.push(format!(
                        "{at}: matches no branch of {key}: {}",
                        best.join("; ")
                    ));
                }
            }
        }
        if let Some(parts) = s.get("allOf").and_then(Value::as_array) {
            for p in parts {
                check(spec, p, v, at, errs);
            }
        }
        if let Some(t) = s.get("type").and_then(Value::as_str)
            && !type_ok(t, v)
        {
            errs.push(format!("{at}: expected {t}, got {v}"));
            return;
        }
        if let Some(allowed) = s.get("enum").and_then(Value::as_array)
            && !allowed.contains(v)
        {
            errs.push(format!(
                "{at}: {v} is not one of {}",
                Value::Array(allowed.clone())
            ));
        }
        if let Some(obj) = v.as_object() {
            for req in s
                .get("required")
                .and_then(Value::as_array)
                .into_iter()
                .flatten()
            {
                let k = req.as_str().unwrap_or_default();
                if !obj.contains_key(k) {
                    errs.push(format!("{at}: missing required key {k:?}"));
                }
            }
            if let Some(props) = s.get("properties").and_then(Value::as_object) {
                for (k, ps) in props {
                    if let Some(x) = obj.get(k) {
                        check(spec, ps, x, &format!("{at}.{k}"), errs);
                    }
                }
            }
        }
        if let (Some(items), Some(arr)) = (s.get("items"), v.as_array()) {
            for (i, x) in arr.iter().enumerate() {
                check(spec, items, x, &format!("{at}[{i}]"), errs);
            }
        }
        if let (Some("date-time"), Some(t)) = (s.get("format").and_then(Value::as_str), v.as_str())
            && chrono::DateTime::parse_from_rfc3339(t).is_err()
        {
            errs.push(format!("{at}: {t:?} is not a date-time"));
        }
        if let (Some("uri"), Some(t)) = (s.get("format").and_then(Value::as_str), v.as_str())
            && !t.contains("://")
        {
            errs.push(format!("{at}: {t:?} is not a uri"));
        }
    }
}
