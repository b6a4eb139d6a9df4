//! The in-memory GitHub's GraphQL endpoint (`POST /graphql`): answers shaped as GitHub's
//! (aliases, fragments, `__typename`, connections with cursors), errors of both kinds (beside
//! the data with a `type`; a document the schema refuses), the rate-limit cost and budget —
//! and Firebreak's client reading them.

use fake_github::{FakeGitHub, Fault, FaultKind, UserKind};
use firebreak::github::GitHub;
use firebreak::github::graphql::{self, Reply};
use serde_json::{Value, json};

async fn fake() -> FakeGitHub {
    let fake = FakeGitHub::start().await.expect("start the fake");
    fake.add_repo("acme/web");
    fake.add_user("alice", UserKind::User);
    fake.set_token("tok-alice", "alice");
    for (name, color) in [("bug", "d73a4a"), ("sev:1", "b60205"), ("sev:2", "d93f0b")] {
        fake.add_label("acme/web", name, color, Some("a label"));
    }
    fake
}

async fn post(fake: &FakeGitHub, query: &str, variables: Value) -> (u16, Value) {
    let resp = reqwest::Client::new()
        .post(fake.graphql_url())
        .bearer_auth("tok-alice")
        .json(&json!({ "query": query, "variables": variables }))
        .send()
        .await
        .expect("send");
    let status = resp.status().as_u16();
    (status, resp.json().await.expect("json"))
}

#[tokio::test]
async fn aliases_fragments_and_typename_shape_the_answer_like_github() {
    let fake = fake().await;
    let (status, body) = post(
        &fake,
        r#"query($owner: String!, $name: String!) {
             repo: repository(owner: $owner, name: $name) { __typename nameWithOwner ...Ids }
           }
           fragment Ids on Repository { id databaseId owner { login ... on Organization { login } } }"#,
        json!({"owner": "acme", "name": "web"}),
    )
    .await;
    assert_eq!(status, 200);
    assert!(body.get("errors").is_none(), "{body}");
    let repo = &body["data"]["repo"];
    assert_eq!(repo["__typename"], "Repository");
    assert_eq!(repo["nameWithOwner"], "acme/web");
    assert!(repo["id"].as_str().unwrap().starts_with("R_"));
    assert_eq!(repo["owner"], json!({"login": "acme"}));
    // Only what was asked for.
    assert_eq!(repo.as_object().unwrap().len(), 5, "{repo}");
}

#[tokio::test]
async fn a_connection_pages_with_cursors_and_counts() {
    let fake = fake().await;
    let q = r#"query($after: String) { repository(owner: "acme", name: "web") {
                 labels(first: 2, after: $after) { totalCount nodes { name } pageInfo { hasNextPage endCursor } } } }"#;
    let (_, first) = post(&fake, q, json!({})).await;
    let labels = &first["data"]["repository"]["labels"];
    assert_eq!(labels["totalCount"], 3);
    assert_eq!(labels["nodes"], json!([{"name": "bug"}, {"name": "sev:1"}]));
    assert_eq!(labels["pageInfo"]["hasNextPage"], true);
    let after = labels["pageInfo"]["endCursor"].clone();
    let (_, second) = post(&fake, q, json!({ "after": after })).await;
    let labels = &second["data"]["repository"]["labels"];
    assert_eq!(labels["nodes"], json!([{"name": "sev:2"}]));
    assert_eq!(labels["pageInfo"]["hasNextPage"], false);

    let (_, last) = post(
        &fake,
        r#"{ repository(owner: "acme", name: "web") { labels(last: 1) { edges { node { name } cursor } } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(
        last["data"]["repository"]["labels"]["edges"][0]["node"]["name"],
        "sev:2"
    );
}

#[tokio::test]
async fn a_missing_repository_is_null_with_a_not_found_error_beside_the_rest() {
    let fake = fake().await;
    let (status, body) = post(
        &fake,
        r#"{ gone: repository(owner: "acme", name: "gone") { id } here: repository(owner: "acme", name: "web") { name } }"#,
        json!({}),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(body["data"]["gone"], Value::Null);
    assert_eq!(body["data"]["here"]["name"], "web");
    let error = &body["errors"][0];
    assert_eq!(error["type"], "NOT_FOUND");
    assert_eq!(error["path"], json!(["gone"]));
    assert_eq!(
        error["message"],
        "Could not resolve to a Repository with the name 'acme/gone'."
    );
}

#[tokio::test]
async fn a_field_the_schema_lacks_refuses_the_whole_document() {
    let fake = fake().await;
    let (_, body) = post(
        &fake,
        r#"{ repository(owner: "acme", name: "web") { name nonsense } }"#,
        json!({}),
    )
    .await;
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["extensions"]["code"], "undefinedField");
    assert_eq!(
        body["errors"][0]["message"],
        "Field 'nonsense' doesn't exist on type 'Repository'"
    );
    let (_, body) = post(&fake, "{ repository(owner: ", json!({})).await;
    assert!(
        body["errors"][0]["message"]
            .as_str()
            .unwrap()
            .starts_with("Parse error"),
        "{body}"
    );
}

#[tokio::test]
async fn connections_need_first_or_last_and_at_most_a_hundred() {
    let fake = fake().await;
    let (_, body) = post(
        &fake,
        r#"{ repository(owner: "acme", name: "web") { labels { totalCount } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["type"], "MISSING_PAGINATION_BOUNDARIES");
    let (_, body) = post(
        &fake,
        r#"{ repository(owner: "acme", name: "web") { labels(first: 101) { totalCount } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["errors"][0]["type"], "EXCESSIVE_PAGINATION");
}

#[tokio::test]
async fn queries_cost_points_as_github_counts_them_and_an_empty_budget_is_rate_limited() {
    let fake = fake().await;
    let (_, body) = post(
        &fake,
        "{ rateLimit { cost limit remaining used } }",
        json!({}),
    )
    .await;
    assert_eq!(
        body["data"]["rateLimit"],
        json!({"cost": 1, "limit": 5000, "remaining": 4999, "used": 1})
    );
    // Two connection pages: 2 requests, under 100 → 1 point.
    let (_, body) = post(
        &fake,
        r#"{ rateLimit { cost } repository(owner: "acme", name: "web") {
              a: labels(first: 100) { totalCount } b: labels(first: 100) { totalCount } } }"#,
        json!({}),
    )
    .await;
    assert_eq!(body["data"]["rateLimit"]["cost"], 1);
    assert_eq!(fake.graphql_used_by("alice"), 2);

    fake.set_graphql_limit(2);
    let (status, body) = post(&fake, "{ viewer { login } }", json!({})).await;
    assert_eq!(status, 200);
    assert!(body.get("data").is_none(), "{body}");
    assert_eq!(body["errors"][0]["type"], "RATE_LIMITED");
}

#[tokio::test]
async fn firebreaks_client_reads_data_and_errors_and_names_the_document() {
    let fake = fake().await;
    let github = GitHub::with_token(&fake.url(), "tok-alice", "acme/web")
        .unwrap()
        .with_graphql_url(&fake.graphql_url())
        .unwrap();
    let reply: Reply<Value> = github
        .graphql(&graphql::RATE_LIMIT, json!({}))
        .await
        .unwrap();
    assert!(reply.errors.is_empty());
    assert_eq!(reply.data.unwrap()["rateLimit"]["limit"], 5000);

    fake.set_graphql_limit(0);
    let reply: Reply<Value> = github
        .graphql(&graphql::RATE_LIMIT, json!({}))
        .await
        .unwrap();
    assert!(reply.rate_limited());
    let err = reply.into_data("GraphQL RateLimit").unwrap_err();
    assert_eq!(err.graphql_kinds(), ["RATE_LIMITED"]);

    // A 502 on a query is retried like any safe request.
    fake.set_graphql_limit(5000);
    fake.inject(Fault::once("/graphql", FaultKind::Status(502)));
    let github = github.with_retry(firebreak::github::RetryPolicy {
        attempts: 2,
        base: std::time::Duration::from_millis(1),
    });
    let reply: Reply<Value> = github
        .graphql(&graphql::RATE_LIMIT, json!({}))
        .await
        .unwrap();
    assert!(reply.errors.is_empty());
}
