//! GitHub's GraphQL API: where documents are sent, how answers and errors are read, and the
//! list of every document Firebreak sends ([`DOCUMENTS`]), which the tests validate against
//! GitHub's published schema (`@octokit/graphql-schema`).
//!
//! The endpoint is `GITHUB_GRAPHQL_URL` (`https://api.github.com/graphql`; on GitHub
//! Enterprise Server `https://HOST/api/graphql`, which is not under the REST base
//! `https://HOST/api/v3`, so it gets a client of its own). Requests go through the same
//! retry and rate-limit handling as REST ([`GitHub::send`]): a query is safe to repeat, a
//! mutation only when its document says so ([`Document::retry`]). GraphQL reports most
//! failures inside a `200` answer: [`Reply`] keeps `data` and `errors` apart, so a caller can
//! use partial data or fall back to REST; [`Reply::into_data`] turns any error into a
//! [`GitHubError::Graphql`] naming GitHub's error `type` (`NOT_FOUND`, `FORBIDDEN`,
//! `RATE_LIMITED`, …).

use anyhow::Context as _;
use http::Method;
use serde::Deserialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

use super::{Api, GitHub, GitHubError, Retry, decode};

/// One GraphQL document Firebreak sends.
#[derive(Debug)]
pub struct Document {
    /// Its name in logs, errors and the schema check.
    pub name: &'static str,
    pub text: &'static str,
    /// Whether the document may be sent again after an unknown outcome: every query, and a
    /// mutation whose repeat changes nothing (setting a field to a value).
    pub retry: Retry,
}

/// Every GraphQL document Firebreak sends. The conformance tests validate each one against
/// GitHub's published schema; a document not listed here is a defect.
pub const DOCUMENTS: &[&Document] = &[
    &RATE_LIMIT,
    &super::conversation::CONVERSATION,
    &super::board::BOARD_PAGE,
    &super::board_cards::BOARD_CARDS,
    &super::board::ADD_BOARD_ITEMS,
    &super::board::CREATE_BOARD_FIELD,
    &super::board::SET_BOARD_VALUES,
];

/// The caller's GraphQL budget (what `firebreak doctor` and the tests read).
pub const RATE_LIMIT: Document = Document {
    name: "RateLimit",
    text: "query RateLimit { rateLimit { limit remaining used resetAt cost } }",
    retry: Retry::Safe,
};

/// One error of a GraphQL answer, as GitHub shapes it.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct GraphqlError {
    /// GitHub's error kind (`NOT_FOUND`, `FORBIDDEN`, `INSUFFICIENT_SCOPES`, `RATE_LIMITED`,
    /// …); absent for a document the schema refuses.
    #[serde(rename = "type", default)]
    pub kind: Option<String>,
    pub message: String,
    /// Where in the answer the error belongs (field names and list indexes).
    #[serde(default)]
    pub path: Vec<Value>,
}

impl std::fmt::Display for GraphqlError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.kind {
            Some(kind) => write!(f, "{kind}: {}", self.message),
            None => f.write_str(&self.message),
        }
    }
}

/// A GraphQL answer: what could be read, and what could not.
#[derive(Debug)]
pub struct Reply<T> {
    pub data: Option<T>,
    pub errors: Vec<GraphqlError>,
}

impl<T> Reply<T> {
    /// The data when GitHub reported no error at all.
    pub fn into_data(self, operation: &str) -> Result<T, GitHubError> {
        match (self.data, self.errors.is_empty()) {
            (Some(data), true) => Ok(data),
            (_, false) => Err(GitHubError::Graphql {
                operation: operation.to_string(),
                errors: self.errors,
            }),
            (None, true) => Err(GitHubError::Decode {
                operation: operation.to_string(),
                message: "the answer holds neither data nor errors".into(),
            }),
        }
    }

    /// Whether GitHub refused for lack of budget (`RATE_LIMITED`).
    pub fn rate_limited(&self) -> bool {
        self.errors
            .iter()
            .any(|e| e.kind.as_deref() == Some("RATE_LIMITED"))
    }
}

#[derive(Deserialize)]
struct Raw<T> {
    data: Option<T>,
    #[serde(default)]
    errors: Option<Vec<GraphqlError>>,
}

/// Where GraphQL requests go.
#[derive(Clone)]
pub(super) struct Endpoint {
    /// A client of its own when the GraphQL URL is not under the REST base (GitHub Enterprise
    /// Server); `None`: the REST client serves it.
    pub client: Option<octocrab::Octocrab>,
    /// The path (and the origin, through `client`) to POST to.
    pub path: String,
}

/// `GITHUB_GRAPHQL_URL`, else the one that goes with `api_url`: `…/api/v3` → `…/api/graphql`
/// (GitHub Enterprise Server), otherwise `api_url` + `/graphql`.
pub fn graphql_url_from_env(api_url: &str) -> String {
    super::env_var("GITHUB_GRAPHQL_URL").unwrap_or_else(|| default_url(api_url))
}

fn default_url(api_url: &str) -> String {
    let api = api_url.trim_end_matches('/');
    match api.strip_suffix("/api/v3") {
        Some(host) => format!("{host}/api/graphql"),
        None => format!("{api}/graphql"),
    }
}

impl Endpoint {
    /// The endpoint for `url`, given the REST base `api_url`; `token` authenticates a client
    /// of its own when one is needed (none for the App, whose requests carry their bearer).
    pub(super) fn new(api_url: &str, url: &str, token: Option<&str>) -> anyhow::Result<Endpoint> {
        let api: http::Uri = api_url
            .parse()
            .with_context(|| format!("GITHUB_API_URL `{api_url}` is not a valid URL"))?;
        let target: http::Uri = url
            .parse()
            .with_context(|| format!("GITHUB_GRAPHQL_URL `{url}` is not a valid URL"))?;
        let path = target.path().to_string();
        let same_origin = api.scheme() == target.scheme() && api.authority() == target.authority();
        if same_origin && api.path().trim_end_matches('/').is_empty() {
            return Ok(Endpoint { client: None, path });
        }
        let (Some(scheme), Some(authority)) = (target.scheme_str(), target.authority()) else {
            anyhow::bail!("GITHUB_GRAPHQL_URL `{url}` is not an absolute URL");
        };
        let mut builder = octocrab::Octocrab::builder()
            .base_uri(format!("{scheme}://{authority}"))
            .with_context(|| format!("GITHUB_GRAPHQL_URL `{url}` is not a valid URL"))?;
        if let Some(token) = token {
            builder = builder.personal_token(token.to_string());
        }
        Ok(Endpoint {
            client: Some(GitHub::build(builder)?),
            path,
        })
    }
}

impl GitHub {
    /// Send `document` with `variables`; the answer's data and errors as GitHub gave them.
    /// Errors of the transport, a non-2xx status and an undecodable answer are `Err`.
    pub async fn graphql<T: DeserializeOwned>(
        &self,
        document: &Document,
        variables: Value,
    ) -> Result<Reply<T>, GitHubError> {
        self.graphql_text(document.name, document.text, document.retry, variables)
            .await
    }

    /// [`GitHub::graphql`] for a document built at run time from a listed one (aliases
    /// repeated, as `github::board` does); its shape is still validated through the listed one.
    pub(super) async fn graphql_text<T: DeserializeOwned>(
        &self,
        name: &str,
        text: &str,
        retry: Retry,
        variables: Value,
    ) -> Result<Reply<T>, GitHubError> {
        let operation = format!("GraphQL {name}");
        let body = json!({ "query": text, "variables": variables });
        let answer = self
            .send_with(
                &operation,
                Method::POST,
                &self.graphql.path,
                Some(&body),
                retry,
                &[],
                Api::Graphql,
            )
            .await?;
        let raw: Raw<T> = decode(&operation, &answer.body)?;
        let errors = raw.errors.unwrap_or_default();
        if !errors.is_empty() {
            tracing::debug!(operation, errors = ?errors, "GraphQL answered with errors");
        }
        Ok(Reply {
            data: raw.data,
            errors,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_graphql_url_goes_with_the_rest_base() {
        assert_eq!(
            default_url("https://api.github.com"),
            "https://api.github.com/graphql"
        );
        assert_eq!(
            default_url("https://ghe.example.com/api/v3/"),
            "https://ghe.example.com/api/graphql"
        );
        assert_eq!(
            default_url("http://127.0.0.1:4010"),
            "http://127.0.0.1:4010/graphql"
        );
    }

    // A client is built inside a runtime (octocrab's needs one).
    #[tokio::test]
    async fn a_ghes_graphql_url_gets_a_client_of_its_own() {
        let same = Endpoint::new(
            "https://api.github.com",
            "https://api.github.com/graphql",
            None,
        )
        .unwrap();
        assert!(same.client.is_none());
        assert_eq!(same.path, "/graphql");
        let ghes = Endpoint::new(
            "https://ghe.example.com/api/v3",
            "https://ghe.example.com/api/graphql",
            Some("t"),
        )
        .unwrap();
        assert!(ghes.client.is_some());
        assert_eq!(ghes.path, "/api/graphql");
    }

    #[test]
    fn errors_beside_data_are_kept_and_refuse_into_data() {
        let raw: Raw<Value> = serde_json::from_str(
            r#"{"data":{"repository":null},"errors":[{"type":"NOT_FOUND","path":["repository"],"locations":[{"line":1,"column":2}],"message":"Could not resolve to a Repository with the name 'a/b'."}]}"#,
        )
        .unwrap();
        let reply = Reply {
            data: raw.data,
            errors: raw.errors.unwrap_or_default(),
        };
        assert_eq!(reply.errors[0].kind.as_deref(), Some("NOT_FOUND"));
        let err = reply.into_data("GraphQL Test").unwrap_err();
        assert!(err.to_string().contains("NOT_FOUND"), "{err}");
    }
}
