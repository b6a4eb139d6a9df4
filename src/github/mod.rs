//! The only module that talks to GitHub, and the only user of octocrab.
//!
//! octocrab provides the HTTP stack, authentication (token or App JWT → installation token) and
//! the base URI (`GITHUB_API_URL`, GitHub Enterprise Server, tests). Its own retry layer is
//! compiled out (the `retry` feature is off): it would repeat POSTs on a 5xx and duplicate issues
//! and comments. Instead [`GitHub::send`] retries here, with exponential backoff and jitter,
//! only requests that are safe to repeat ([`Retry`]), and waits out rate limits (403/429 with
//! `retry-after` or `x-ratelimit-reset`), which GitHub guarantees were not performed.
//!
//! Credentials come either with the octocrab client (a token: the Action, the CLI) or, for the
//! App, from a [`Credentials`] source asked before every request: a JWT for the App's own
//! endpoints, an installation token per installation ([`app`]). A 401 asks the source for a new
//! credential once and repeats the request (GitHub performed nothing). One octocrab client,
//! and so one connection pool, serves every installation and repository of a process
//! ([`GitHub::authenticated`], [`GitHub::scoped`]). An [`Observer`] sees every answer's
//! status and rate-limit headers (the App's metrics).
//!
//! Every failure names the operation (`adding labels to #12: GitHub answered 502 …`).

pub mod app;
mod auth;
pub mod board;
pub mod board_cards;
pub mod conversation;
mod git;
pub mod graphql;
mod ops;
mod repo;
mod write;

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use http::{Method, StatusCode};
use http_body_util::BodyExt as _;
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use auth::{BearerFuture, Credentials, Observer};
pub use git::*;
pub use repo::*;
pub use write::Writer;

use auth::Auth;

use percent_encoding::{AsciiSet, NON_ALPHANUMERIC, utf8_percent_encode};

/// Characters kept as-is in a path segment; everything else is percent-encoded, `/` included,
/// so a label name (`status:investigating`), a ref (`heads/postmortem/12-x`) or a file path is
/// one segment: Prism and GitHub take each as one encoded parameter.
const SEGMENT: &AsciiSet = &NON_ALPHANUMERIC
    .remove(b'-')
    .remove(b'_')
    .remove(b'.')
    .remove(b'~');

pub(crate) fn segment(s: &str) -> String {
    utf8_percent_encode(s, SEGMENT).to_string()
}

fn env_var(name: &str) -> Option<String> {
    std::env::var(name).ok().filter(|v| !v.trim().is_empty())
}

/// The token, from the most specific place first.
pub fn token_from_env() -> Option<String> {
    [
        "INPUT_GITHUB-TOKEN",
        "INPUT_GITHUB_TOKEN",
        "FIREBREAK_TOKEN",
        "GITHUB_TOKEN",
    ]
    .into_iter()
    .find_map(env_var)
}

/// `GITHUB_API_URL`, always honored (GitHub Enterprise Server, tests).
pub fn api_url_from_env() -> String {
    env_var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".to_string())
}

/// Installation tokens — the workflow's `GITHUB_TOKEN`, an App's — start so.
const INSTALLATION_TOKEN_PREFIX: &str = "ghs_";

/// The login of the workflow's `GITHUB_TOKEN`.
pub const ACTIONS_BOT: &str = "github-actions[bot]";

/// Who Firebreak is, when set by hand (`FIREBREAK_BOT_LOGIN`, the action's `bot-login` input):
/// for a token whose owner GitHub cannot name, like an App installation token in a workflow.
pub fn bot_login_from_env() -> Option<String> {
    ["INPUT_BOT-LOGIN", "INPUT_BOT_LOGIN", "FIREBREAK_BOT_LOGIN"]
        .into_iter()
        .find_map(env_var)
}

/// Read/connect timeouts. GitHub answers almost everything in well under a second; a minute
/// without bytes is a dead connection, and a workflow run should fail rather than hang.
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
const READ_TIMEOUT: Duration = Duration::from_secs(30);

/// Longest rate-limit wait we accept before failing loudly: a scheduled run that would sleep
/// longer is better re-run by the next schedule than left hanging.
const MAX_RATE_LIMIT_WAIT: Duration = Duration::from_secs(120);

/// Which of GitHub's APIs a request goes to: REST under `GITHUB_API_URL`, or the GraphQL
/// endpoint (`GITHUB_GRAPHQL_URL`, which may need a client of its own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Api {
    Rest,
    Graphql,
}

/// Whether a request may be sent again after an unknown outcome (5xx, timeout, reset).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// GET, PUT, PATCH with absolute values, DELETE, and POSTs whose repeat is a no-op
    /// (adding a label or an assignee, a reaction).
    Safe,
    /// POSTs that create something: never repeated blindly; callers look for what they
    /// created (by marker) and decide.
    Never,
}

/// How persistently to retry safe requests.
#[derive(Debug, Clone)]
pub struct RetryPolicy {
    /// Attempts in all, the first included.
    pub attempts: u32,
    /// First backoff; doubled each time, with up to 50% random jitter.
    pub base: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        Self {
            attempts: 4,
            base: Duration::from_millis(500),
        }
    }
}

/// An error answered by GitHub or met on the way, with the operation it interrupted.
#[derive(Debug, thiserror::Error)]
pub enum GitHubError {
    #[error("{operation}: GitHub answered {status}: {message}")]
    Status {
        operation: String,
        status: StatusCode,
        message: String,
    },
    #[error("{operation}: rate limited by GitHub and the reset is {wait:?} away")]
    RateLimited { operation: String, wait: Duration },
    #[error("{operation}: {source}")]
    Transport {
        operation: String,
        source: octocrab::Error,
    },
    #[error("{operation}: no answer within {after:?}")]
    TimedOut { operation: String, after: Duration },
    #[error("{operation}: unexpected response: {message}")]
    Decode { operation: String, message: String },
    #[error("{operation}: GitHub answered {}", errors.iter().map(ToString::to_string).collect::<Vec<_>>().join("; "))]
    Graphql {
        operation: String,
        errors: Vec<graphql::GraphqlError>,
    },
}

/// A read whose 404 means "there is none": `Ok(None)` then, every other error kept.
pub(crate) trait OrMissing<T> {
    fn or_missing(self) -> Result<Option<T>, GitHubError>;
}

impl<T> OrMissing<T> for Result<T, GitHubError> {
    fn or_missing(self) -> Result<Option<T>, GitHubError> {
        match self {
            Ok(value) => Ok(Some(value)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }
}

impl GitHubError {
    pub fn status(&self) -> Option<StatusCode> {
        match self {
            GitHubError::Status { status, .. } => Some(*status),
            _ => None,
        }
    }
    pub fn is_not_found(&self) -> bool {
        self.status() == Some(StatusCode::NOT_FOUND)
    }
    /// GitHub's GraphQL error kinds in this error (`NOT_FOUND`, `FORBIDDEN`, `RATE_LIMITED`, …).
    pub fn graphql_kinds(&self) -> Vec<&str> {
        match self {
            GitHubError::Graphql { errors, .. } => {
                errors.iter().filter_map(|e| e.kind.as_deref()).collect()
            }
            _ => Vec::new(),
        }
    }
    /// The outcome of the request is unknown: it may have been performed.
    pub fn is_ambiguous(&self) -> bool {
        match self {
            GitHubError::Status { status, .. } => status.is_server_error(),
            GitHubError::Transport { .. } | GitHubError::TimedOut { .. } => true,
            _ => false,
        }
    }
}

/// A raw answer: status, headers we care about, body bytes.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub link_next: Option<String>,
    /// The `ETag` header, for a later conditional request ([`GitHub::get_if_changed`]).
    pub etag: Option<String>,
    pub body: bytes::Bytes,
}

/// A repository-scoped GitHub client.
#[derive(Clone)]
pub struct GitHub {
    client: octocrab::Octocrab,
    /// `owner/name`.
    repo: String,
    /// Path prefix of the API base (`/api/v3` on GHES), stripped from absolute `Link` URLs.
    base_path: String,
    retry: RetryPolicy,
    /// Longest wait for one whole answer (on top of the connection's read timeout).
    request_timeout: Duration,
    /// The repository's default branch, when the event that woke us said it (saves a read).
    default_branch: Option<String>,
    /// The repository's Firebreak files, when the event's first read brought them (one
    /// GraphQL query with the issue, [`conversation`]): the configuration loads from them.
    files: Option<Arc<conversation::Files>>,
    /// Who Firebreak is on GitHub: the login its comments are written as, learned once.
    identity: Arc<tokio::sync::OnceCell<String>>,
    /// The token is an installation token (`ghs_…`): `GET /user` cannot answer for it.
    installation_token: bool,
    /// Where each request's credential comes from.
    auth: Auth,
    /// Told of every answer (status, rate-limit headers).
    observer: Option<Arc<dyn Observer>>,
    /// Where GraphQL documents go (`GITHUB_GRAPHQL_URL`).
    graphql: graphql::Endpoint,
    /// The REST base URL, for [`GitHub::with_graphql_url`].
    api_url: String,
    /// The token the client was built with (Action, CLI), for a GraphQL client of its own
    /// on GitHub Enterprise Server. Never logged.
    token: Option<Arc<str>>,
}

impl std::fmt::Debug for GitHub {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GitHub").field("repo", &self.repo).finish()
    }
}

impl GitHub {
    /// A client for `repo` (`owner/name`) at `api_url` with a token. The token is handed to
    /// octocrab as a secret and never logged.
    pub fn with_token(api_url: &str, token: &str, repo: &str) -> anyhow::Result<GitHub> {
        let builder = octocrab::Octocrab::builder()
            .base_uri(api_url)
            .with_context(|| format!("GITHUB_API_URL `{api_url}` is not a valid URL"))?
            .personal_token(token.to_string());
        let mut github = Self::from_builder(builder, api_url, repo)?;
        github.installation_token = token.starts_with(INSTALLATION_TOKEN_PREFIX);
        github.token = Some(Arc::from(token));
        Ok(github)
    }

    fn from_builder(
        builder: octocrab::OctocrabBuilder<
            octocrab::NoSvc,
            octocrab::DefaultOctocrabBuilderConfig,
            octocrab::NoAuth,
            octocrab::NotLayerReady,
        >,
        api_url: &str,
        repo: &str,
    ) -> anyhow::Result<GitHub> {
        Self::from_octocrab(Self::build(builder)?, api_url, repo)
    }

    /// Every client's timeouts and API version.
    fn build(
        builder: octocrab::OctocrabBuilder<
            octocrab::NoSvc,
            octocrab::DefaultOctocrabBuilderConfig,
            octocrab::NoAuth,
            octocrab::NotLayerReady,
        >,
    ) -> anyhow::Result<octocrab::Octocrab> {
        builder
            .set_connect_timeout(Some(CONNECT_TIMEOUT))
            .set_read_timeout(Some(READ_TIMEOUT))
            .set_write_timeout(Some(READ_TIMEOUT))
            .add_header(
                http::HeaderName::from_static("x-github-api-version"),
                "2022-11-28".to_string(),
            )
            .build()
            .context("building the GitHub client")
    }

    /// Wrap an already-authenticated octocrab.
    pub fn from_octocrab(
        client: octocrab::Octocrab,
        api_url: &str,
        repo: &str,
    ) -> anyhow::Result<GitHub> {
        check_repo(repo)?;
        Self::wrap(client, api_url, repo)
    }

    fn wrap(client: octocrab::Octocrab, api_url: &str, repo: &str) -> anyhow::Result<GitHub> {
        let base: http::Uri = api_url
            .parse()
            .with_context(|| format!("GITHUB_API_URL `{api_url}` is not a valid URL"))?;
        let graphql =
            graphql::Endpoint::new(api_url, &graphql::graphql_url_from_env(api_url), None)?;
        Ok(GitHub {
            client,
            repo: repo.to_string(),
            base_path: base.path().trim_end_matches('/').to_string(),
            retry: RetryPolicy::default(),
            request_timeout: READ_TIMEOUT,
            default_branch: None,
            files: None,
            identity: Arc::default(),
            installation_token: false,
            auth: Auth::Client,
            observer: None,
            graphql,
            api_url: api_url.to_string(),
            token: None,
        })
    }

    /// Sends GraphQL documents to `url` (`GITHUB_GRAPHQL_URL`) from here on.
    /// Whether the client holds an App installation's token (which reaches the projects the
    /// installation's permissions allow).
    pub fn is_installation(&self) -> bool {
        self.installation_token
    }

    /// Whether this is the GitHub App's client (`firebreak serve`): its credentials are the
    /// App's installation tokens, minted and refreshed per installation, and they carry the
    /// App's permissions (Projects among them). The workflow's `GITHUB_TOKEN` is an
    /// installation token too, of GitHub's own Actions App, which can never reach Projects: it
    /// is not this.
    pub fn is_app(&self) -> bool {
        matches!(self.auth, Auth::Source(_))
    }

    pub fn with_graphql_url(mut self, url: &str) -> anyhow::Result<GitHub> {
        self.graphql = graphql::Endpoint::new(&self.api_url, url, self.token.as_deref())?;
        Ok(self)
    }

    /// A client for `api_url` with no credentials and no repository yet: the App's base, from
    /// which [`GitHub::authenticated`] and [`GitHub::scoped`] make clients that share its
    /// connection pool.
    pub fn unauthenticated(api_url: &str) -> anyhow::Result<GitHub> {
        let builder = octocrab::Octocrab::builder()
            .base_uri(api_url)
            .with_context(|| format!("GITHUB_API_URL `{api_url}` is not a valid URL"))?;
        Self::wrap(Self::build(builder)?, api_url, "")
    }

    /// The same client (and connection pool), asking `credentials` before every request.
    pub fn authenticated(&self, credentials: Arc<dyn Credentials>) -> GitHub {
        GitHub {
            auth: Auth::Source(credentials),
            identity: Arc::default(),
            ..self.clone()
        }
    }

    /// The same client and credentials, for repository `repo` (`owner/name`).
    pub fn scoped(&self, repo: &str) -> anyhow::Result<GitHub> {
        check_repo(repo)?;
        Ok(GitHub {
            repo: repo.to_string(),
            default_branch: None,
            files: None,
            identity: Arc::default(),
            ..self.clone()
        })
    }

    /// Tells `observer` of every answer from here on.
    pub fn with_observer(mut self, observer: Arc<dyn Observer>) -> Self {
        self.observer = Some(observer);
        self
    }

    /// Sets who Firebreak is (`FIREBREAK_BOT_LOGIN`, or an App's `<slug>[bot]`).
    pub fn with_identity(self, login: impl Into<String>) -> Self {
        let identity = Arc::new(tokio::sync::OnceCell::new());
        let _ = identity.set(login.into());
        GitHub { identity, ..self }
    }

    /// The login Firebreak's own comments are written as, so they are told apart from people's
    /// and from other bots': set by the adapter, else `github-actions[bot]` for an
    /// installation token (the workflow's `GITHUB_TOKEN`), else the token's owner as
    /// `GET /user` says (read once per process; when GitHub cannot say, `github-actions[bot]`).
    pub async fn identity(&self) -> &str {
        self.identity
            .get_or_init(|| async {
                if self.installation_token {
                    return ACTIONS_BOT.to_string();
                }
                match self.authenticated_login().await {
                    Ok(login) => login,
                    Err(error) => {
                        tracing::warn!(%error, "cannot tell whose token this is; taking it for {ACTIONS_BOT} (set FIREBREAK_BOT_LOGIN otherwise)");
                        ACTIONS_BOT.to_string()
                    }
                }
            })
            .await
    }

    /// Gives up on one request after `timeout` (its outcome is then unknown, like a 5xx).
    pub fn with_request_timeout(mut self, timeout: Duration) -> Self {
        self.request_timeout = timeout;
        self
    }

    pub fn with_retry(mut self, retry: RetryPolicy) -> Self {
        self.retry = retry;
        self
    }

    /// Remembers the default branch named by the event payload.
    pub fn with_default_branch(mut self, branch: Option<String>) -> Self {
        self.default_branch = branch.filter(|b| !b.is_empty());
        self
    }

    /// Remembers the repository's Firebreak files, read with the event's issue.
    pub fn with_files(mut self, files: Option<conversation::Files>) -> Self {
        self.files = files.map(Arc::new);
        self
    }

    /// The repository's Firebreak files, when they were read with the event's issue (no read).
    pub fn files(&self) -> Option<&conversation::Files> {
        self.files.as_deref()
    }

    /// The default branch the event named, if it did (no read).
    pub fn default_branch_hint(&self) -> Option<&str> {
        self.default_branch.as_deref()
    }

    pub fn repo(&self) -> &str {
        &self.repo
    }

    /// `/repos/{owner}/{name}` + `tail`.
    pub fn repo_path(&self, tail: &str) -> String {
        format!("/repos/{}{tail}", self.repo)
    }

    /// Send one request, retrying as `retry` allows; answers any 2xx, errors otherwise.
    pub async fn send<B: Serialize + ?Sized>(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<&B>,
        retry: Retry,
    ) -> Result<Answer, GitHubError> {
        self.send_with(operation, method, path, body, retry, &[], Api::Rest)
            .await
    }

    /// [`GitHub::send`] with extra request headers, to the REST API or the GraphQL endpoint. A
    /// `304 Not Modified` (the answer to a conditional request) is an answer, not an error.
    #[allow(clippy::too_many_arguments)]
    async fn send_with<B: Serialize + ?Sized>(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<&B>,
        retry: Retry,
        headers: &[(http::HeaderName, String)],
        api: Api,
    ) -> Result<Answer, GitHubError> {
        let mut attempt = 0u32;
        let mut refused: Option<String> = None;
        let mut renewed = false;
        loop {
            attempt += 1;
            let bearer = match &self.auth {
                Auth::Client => None,
                Auth::Source(credentials) => Some(credentials.bearer(refused.take()).await?),
            };
            let result = tokio::time::timeout(
                self.request_timeout,
                self.send_once(method.clone(), path, body, bearer.as_deref(), headers, api),
            )
            .await;
            let outcome = match result {
                Err(_elapsed) => {
                    if retry == Retry::Safe && attempt < self.retry.attempts {
                        tracing::warn!(operation, attempt, "retrying after a timeout");
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(GitHubError::TimedOut {
                        operation: operation.to_string(),
                        after: self.request_timeout,
                    });
                }
                Ok(Ok(response)) => response,
                Ok(Err(source)) => {
                    if retry == Retry::Safe && attempt < self.retry.attempts {
                        tracing::warn!(operation, attempt, error = %source, "retrying after a transport error");
                        tokio::time::sleep(self.backoff(attempt)).await;
                        continue;
                    }
                    return Err(GitHubError::Transport {
                        operation: operation.to_string(),
                        source,
                    });
                }
            };
            let (status, headers_in, bytes) = outcome;
            if let Some(observer) = &self.observer {
                observer.answered(status, &headers_in);
            }
            if status.is_success() || status == StatusCode::NOT_MODIFIED {
                return Ok(Answer {
                    status,
                    link_next: next_link(&headers_in).map(|url| self.relative(&url)),
                    etag: headers_in
                        .get(http::header::ETAG)
                        .and_then(|v| v.to_str().ok())
                        .map(str::to_string),
                    body: bytes,
                });
            }
            // A 401 performed nothing: a credential that expired or was revoked is renewed
            // once, and the request repeated.
            if status == StatusCode::UNAUTHORIZED && bearer.is_some() && !renewed {
                tracing::info!(operation, "GitHub refused the credential; renewing it once");
                refused = bearer;
                renewed = true;
                attempt -= 1;
                continue;
            }
            if let Some(wait) = rate_limit_wait(status, &headers_in, &bytes) {
                if wait > MAX_RATE_LIMIT_WAIT {
                    return Err(GitHubError::RateLimited {
                        operation: operation.to_string(),
                        wait,
                    });
                }
                // A rate-limited request was not performed: repeating it is always safe.
                if attempt < self.retry.attempts + 2 {
                    tracing::warn!(operation, ?wait, "rate limited; waiting");
                    tokio::time::sleep(wait).await;
                    continue;
                }
            }
            if status.is_server_error() && retry == Retry::Safe && attempt < self.retry.attempts {
                tracing::warn!(operation, attempt, %status, "retrying after a server error");
                tokio::time::sleep(self.backoff(attempt)).await;
                continue;
            }
            return Err(GitHubError::Status {
                operation: operation.to_string(),
                status,
                message: error_message(&bytes),
            });
        }
    }

    /// GET `path` unless it is unchanged since the answer that carried `etag`: GitHub answers
    /// `304 Not Modified` (which costs no rate limit) and this returns `None`.
    pub async fn get_if_changed(
        &self,
        operation: &str,
        path: &str,
        etag: Option<&str>,
    ) -> Result<Option<Answer>, GitHubError> {
        let headers: Vec<(http::HeaderName, String)> = etag
            .map(|e| (http::header::IF_NONE_MATCH, e.to_string()))
            .into_iter()
            .collect();
        let answer = self
            .send_with::<()>(
                operation,
                Method::GET,
                path,
                None,
                Retry::Safe,
                &headers,
                Api::Rest,
            )
            .await?;
        Ok((answer.status != StatusCode::NOT_MODIFIED).then_some(answer))
    }

    /// Send and decode a JSON answer.
    pub async fn json<T: DeserializeOwned, B: Serialize + ?Sized>(
        &self,
        operation: &str,
        method: Method,
        path: &str,
        body: Option<&B>,
        retry: Retry,
    ) -> Result<T, GitHubError> {
        let answer = self.send(operation, method, path, body, retry).await?;
        decode(operation, &answer.body)
    }

    /// GET every page of a list, following `Link: rel="next"`.
    pub async fn paginate<T: DeserializeOwned>(
        &self,
        operation: &str,
        first: &str,
    ) -> Result<Vec<T>, GitHubError> {
        let mut items = Vec::new();
        let mut next = Some(first.to_string());
        while let Some(path) = next.take() {
            let answer = self
                .send::<()>(operation, Method::GET, &path, None, Retry::Safe)
                .await?;
            let mut page: Vec<T> = decode(operation, &answer.body)?;
            items.append(&mut page);
            next = answer.link_next;
        }
        Ok(items)
    }

    async fn send_once<B: Serialize + ?Sized>(
        &self,
        method: Method,
        path: &str,
        body: Option<&B>,
        bearer: Option<&str>,
        headers: &[(http::HeaderName, String)],
        api: Api,
    ) -> Result<(StatusCode, http::HeaderMap, bytes::Bytes), octocrab::Error> {
        let client = match (api, &self.graphql.client) {
            (Api::Graphql, Some(client)) => client,
            _ => &self.client,
        };
        let mut builder = http::Request::builder().method(method).uri(path);
        if let Some(bearer) = bearer
            && let Ok(mut value) = http::HeaderValue::from_str(&format!("Bearer {bearer}"))
        {
            value.set_sensitive(true);
            builder = builder.header(http::header::AUTHORIZATION, value);
        }
        for (name, value) in headers {
            builder = builder.header(name, value.as_str());
        }
        let request = client.build_request(builder, body)?;
        let response = client.execute(request).await?;
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await?.to_bytes();
        Ok((parts.status, parts.headers, bytes))
    }

    fn backoff(&self, attempt: u32) -> Duration {
        let base = self
            .retry
            .base
            .saturating_mul(1 << attempt.saturating_sub(1).min(8));
        let jitter = rand::random_range(0.0..0.5);
        base.mul_f64(1.0 + jitter)
    }

    /// Turn an absolute `Link` URL into a path relative to the API base, so octocrab adds the
    /// base URI and the credentials (it withholds them from absolute URLs to other hosts).
    fn relative(&self, url: &str) -> String {
        let Ok(uri) = url.parse::<http::Uri>() else {
            return url.to_string();
        };
        let pq = uri
            .path_and_query()
            .map(|pq| pq.as_str().to_string())
            .unwrap_or_default();
        match pq.strip_prefix(self.base_path.as_str()) {
            Some(rest) if !self.base_path.is_empty() => rest.to_string(),
            _ => pq,
        }
    }
}

fn check_repo(repo: &str) -> anyhow::Result<()> {
    if repo.split('/').filter(|p| !p.is_empty()).count() != 2 {
        anyhow::bail!("repository `{repo}` is not of the form owner/name");
    }
    Ok(())
}

fn decode<T: DeserializeOwned>(operation: &str, bytes: &[u8]) -> Result<T, GitHubError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|err| GitHubError::Decode {
        operation: operation.to_string(),
        message: format!("at `{}`: {}", err.path(), err.inner()),
    })
}

/// `message` of a GitHub error body (plus validation details), or the raw text.
fn error_message(bytes: &[u8]) -> String {
    let Ok(value) = serde_json::from_slice::<serde_json::Value>(bytes) else {
        let text = String::from_utf8_lossy(bytes);
        return text.chars().take(500).collect();
    };
    let mut message = value
        .get("message")
        .and_then(|m| m.as_str())
        .map(str::to_string)
        .unwrap_or_else(|| value.to_string().chars().take(500).collect());
    if let Some(errors) = value.get("errors").filter(|e| !e.is_null()) {
        message.push_str(&format!(" {errors}"));
    }
    // Prism (the conformance proxy) explains violations in `detail`/`validation`.
    if let Some(detail) = value.get("detail").and_then(|d| d.as_str()) {
        message.push_str(&format!(" ({detail})"));
    }
    if let Some(validation) = value.get("validation") {
        message.push_str(&format!(" {validation}"));
    }
    message
}

fn next_link(headers: &http::HeaderMap) -> Option<String> {
    let link = headers.get(http::header::LINK)?.to_str().ok()?;
    link.split(',').find_map(|part| {
        let (url, params) = part.split_once(';')?;
        params
            .split(';')
            .any(|p| p.trim() == "rel=\"next\"")
            .then(|| {
                url.trim()
                    .trim_start_matches('<')
                    .trim_end_matches('>')
                    .to_string()
            })
    })
}

/// How long GitHub asks us to wait, when the answer is a rate limit (primary or secondary).
fn rate_limit_wait(status: StatusCode, headers: &http::HeaderMap, body: &[u8]) -> Option<Duration> {
    if status != StatusCode::TOO_MANY_REQUESTS && status != StatusCode::FORBIDDEN {
        return None;
    }
    let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(secs) = header("retry-after").and_then(|v| v.trim().parse::<u64>().ok()) {
        return Some(Duration::from_secs(secs));
    }
    if header("x-ratelimit-remaining") == Some("0") {
        let reset = header("x-ratelimit-reset").and_then(|v| v.parse::<i64>().ok())?;
        let wait = reset - chrono::Utc::now().timestamp();
        return Some(Duration::from_secs(wait.max(1) as u64));
    }
    // A 429 without headers, or a secondary limit described only in the body: GitHub asks
    // integrators to wait at least a minute.
    let text = String::from_utf8_lossy(body).to_ascii_lowercase();
    (status == StatusCode::TOO_MANY_REQUESTS || text.contains("rate limit"))
        .then_some(Duration::from_secs(60))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_paths_are_encoded_as_one_segment() {
        assert_eq!(segment("status:investigating"), "status%3Ainvestigating");
        assert_eq!(segment("good first issue"), "good%20first%20issue");
        assert_eq!(
            segment("heads/postmortem/12-x"),
            "heads%2Fpostmortem%2F12-x"
        );
        assert_eq!(segment("acme:postmortem/1-a"), "acme%3Apostmortem%2F1-a");
    }

    #[test]
    fn next_link_is_found_among_several_rels() {
        let mut headers = http::HeaderMap::new();
        headers.insert(
            http::header::LINK,
            "<http://h/api/v3/repos/a/b/issues/1/comments?page=2>; rel=\"next\", <http://h/x?page=5>; rel=\"last\""
                .parse()
                .unwrap(),
        );
        assert_eq!(
            next_link(&headers).as_deref(),
            Some("http://h/api/v3/repos/a/b/issues/1/comments?page=2")
        );
    }

    #[tokio::test]
    async fn link_urls_become_relative_to_a_ghes_base() {
        let gh = GitHub::with_token("http://h/api/v3", "t", "a/b").unwrap();
        assert_eq!(
            gh.relative("http://h/api/v3/repos/a/b/issues/1/comments?page=2"),
            "/repos/a/b/issues/1/comments?page=2"
        );
    }

    #[test]
    fn retry_after_header_sets_the_wait() {
        let mut headers = http::HeaderMap::new();
        headers.insert("retry-after", "3".parse().unwrap());
        assert_eq!(
            rate_limit_wait(StatusCode::TOO_MANY_REQUESTS, &headers, b""),
            Some(Duration::from_secs(3))
        );
        assert_eq!(rate_limit_wait(StatusCode::NOT_FOUND, &headers, b""), None);
    }

    #[test]
    fn plain_403_is_not_a_rate_limit() {
        let headers = http::HeaderMap::new();
        assert_eq!(
            rate_limit_wait(
                StatusCode::FORBIDDEN,
                &headers,
                br#"{"message":"Resource not accessible by integration"}"#
            ),
            None
        );
    }

    #[test]
    fn error_message_includes_validation_errors() {
        let msg = error_message(
            br#"{"message":"Validation Failed","errors":[{"code":"already_exists"}]}"#,
        );
        assert_eq!(msg, r#"Validation Failed [{"code":"already_exists"}]"#);
    }
}
