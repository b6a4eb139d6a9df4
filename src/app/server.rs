//! The HTTP side: `POST /webhook`, `GET /healthz`, `GET /readyz`, `GET /metrics`.
//!
//! A delivery is checked in this order, each failure answered at once with a log line and no
//! work: body within GitHub's 25 MiB cap (413) and complete (400); `X-Hub-Signature-256` over
//! the raw bytes (401); JSON content type (415); `X-GitHub-Event` and `X-GitHub-Delivery`
//! present (400). `ping` is answered 200; events Firebreak does not handle, and deliveries the
//! dispatcher's pure `route` says need nothing, 202 and ignored. The rest is parsed (non-JSON
//! 400, a payload of the wrong shape 422, no installation 400), queued and answered 202 —
//! within milliseconds; GitHub gives up after ten seconds. A delivery whose work a job already
//! waiting for the same issue will do is answered 202 and counted `coalesced`, with no job of
//! its own ([`super::coalesce`]). A delivery id seen recently is answered 200 and dropped; a
//! full or draining queue answers 503.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use axum::body::{Body, Bytes};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use serde::Deserialize;

use super::coalesce::{self, Coalescing};
use super::queue::{Enqueued, Job, Lane, Queue};
use super::signature;
use super::worker::Shared;
use crate::dispatch::{self, Work};
use crate::event::Event;

/// GitHub caps webhook payloads at 25 MiB.
pub const MAX_PAYLOAD: usize = 25 * 1024 * 1024;

/// A readiness answer is reused this long: probes every few seconds from every replica should
/// not each cost a request to GitHub.
const READY_FOR: Duration = Duration::from_secs(10);

/// The events Firebreak acts on; any other is acknowledged and ignored.
pub(crate) const HANDLED: &[&str] = &[
    "issues",
    "issue_comment",
    "pull_request",
    "pull_request_review",
    "repository_dispatch",
];

/// What the routes share.
pub struct AppState {
    pub shared: Arc<Shared>,
    pub queue: Queue,
    pub secret: Vec<u8>,
    pub draining: AtomicBool,
    ready: tokio::sync::Mutex<Option<(Instant, Result<String, String>)>>,
}

impl AppState {
    pub fn new(shared: Arc<Shared>, queue: Queue, secret: Vec<u8>) -> AppState {
        AppState {
            shared,
            queue,
            secret,
            draining: AtomicBool::new(false),
            ready: tokio::sync::Mutex::new(None),
        }
    }
}

pub fn router(state: Arc<AppState>) -> axum::Router {
    axum::Router::new()
        .route("/webhook", post(webhook))
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(state)
}

/// An answer and the metric outcome it counts as.
fn answer(status: StatusCode, text: impl Into<String>) -> Response {
    let mut text = text.into();
    text.push('\n');
    (status, text).into_response()
}

fn header_str<'h>(headers: &'h HeaderMap, name: &str) -> Option<&'h str> {
    headers
        .get(name)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty())
}

async fn webhook(State(state): State<Arc<AppState>>, request: Request) -> Response {
    let started = Instant::now();
    let (parts, body) = request.into_parts();
    let headers = parts.headers;
    let event = header_str(&headers, "x-github-event")
        .unwrap_or("")
        .to_string();
    let delivery = header_str(&headers, "x-github-delivery")
        .unwrap_or("")
        .to_string();
    let (outcome, response) = accept(&state, &headers, body, &event, &delivery).await;
    state
        .shared
        .metrics
        .received(&event, outcome, started.elapsed());
    response
}

/// Checks, parses and queues one delivery; answers (outcome, response).
async fn accept(
    state: &AppState,
    headers: &HeaderMap,
    body: Body,
    event: &str,
    delivery: &str,
) -> (&'static str, Response) {
    let refuse = |outcome: &'static str, status: StatusCode, why: String| {
        tracing::warn!(
            delivery,
            event,
            status = status.as_u16(),
            "refused a delivery: {why}"
        );
        (outcome, answer(status, why))
    };
    let bytes: Bytes = match axum::body::to_bytes(body, MAX_PAYLOAD).await {
        Ok(bytes) => bytes,
        Err(error) => {
            let too_large = std::error::Error::source(&error)
                .is_some_and(|e| e.is::<http_body_util::LengthLimitError>())
                || headers
                    .get(header::CONTENT_LENGTH)
                    .and_then(|v| v.to_str().ok())
                    .and_then(|v| v.parse::<usize>().ok())
                    .is_some_and(|n| n > MAX_PAYLOAD);
            return if too_large {
                refuse(
                    "too_large",
                    StatusCode::PAYLOAD_TOO_LARGE,
                    format!("the payload is over GitHub's cap of {MAX_PAYLOAD} bytes"),
                )
            } else {
                refuse(
                    "bad_request",
                    StatusCode::BAD_REQUEST,
                    format!("the body could not be read whole: {error}"),
                )
            };
        }
    };
    let signature = headers
        .get("x-hub-signature-256")
        .map(|v| v.as_bytes().trim_ascii());
    if let Err(refused) = signature::verify(&state.secret, signature, &bytes) {
        return refuse(
            "unauthorized",
            StatusCode::UNAUTHORIZED,
            refused.as_str().to_string(),
        );
    }
    let json = header_str(headers, header::CONTENT_TYPE.as_str()).is_some_and(|t| {
        t.split(';')
            .next()
            .is_some_and(|m| m.trim().eq_ignore_ascii_case("application/json"))
    });
    if !json {
        return refuse(
            "unsupported_media_type",
            StatusCode::UNSUPPORTED_MEDIA_TYPE,
            format!(
                "content type `{}` is not application/json (set the webhook's content type to JSON)",
                header_str(headers, header::CONTENT_TYPE.as_str()).unwrap_or("")
            ),
        );
    }
    if event.is_empty() || delivery.is_empty() {
        return refuse(
            "bad_request",
            StatusCode::BAD_REQUEST,
            "X-GitHub-Event and X-GitHub-Delivery are required".into(),
        );
    }
    if event == "ping" {
        tracing::info!(delivery, "ping");
        return ("ping", answer(StatusCode::OK, "pong"));
    }
    if matches!(event, "installation" | "installation_repositories") {
        installation_changed(state, &bytes);
        return ("ignored", answer(StatusCode::ACCEPTED, "noted"));
    }
    if !HANDLED.contains(&event) {
        tracing::info!(
            delivery,
            event,
            "ignored: Firebreak does not handle this event"
        );
        return (
            "ignored",
            answer(
                StatusCode::ACCEPTED,
                format!(
                    "ignored: Firebreak does not handle `{}` events",
                    super::metrics::event_label(event)
                ),
            ),
        );
    }
    let parsed = match Event::from_webhook(event, &bytes) {
        Ok(parsed) => parsed,
        Err(error @ crate::event::EventError::Json { .. }) => {
            return refuse("bad_request", StatusCode::BAD_REQUEST, error.to_string());
        }
        Err(error) => {
            return refuse(
                "unprocessable",
                StatusCode::UNPROCESSABLE_ENTITY,
                error.to_string(),
            );
        }
    };
    match dispatch::route(&parsed) {
        Ok(Work::Ignore(why)) => {
            tracing::debug!(delivery, event, "ignored: {why}");
            return (
                "ignored",
                answer(StatusCode::ACCEPTED, format!("ignored: {why}")),
            );
        }
        Ok(_) => {}
        Err(error) => {
            return refuse("unprocessable", StatusCode::UNPROCESSABLE_ENTITY, error.0);
        }
    }
    let Some(installation) = installation_of(&bytes) else {
        return refuse(
            "bad_request",
            StatusCode::BAD_REQUEST,
            "the payload names no installation: not a GitHub App delivery".into(),
        );
    };
    let Some(repo) = parsed.repository().map(|r| r.full_name.clone()) else {
        return (
            "ignored",
            answer(StatusCode::ACCEPTED, "ignored: no repository"),
        );
    };
    let lane = Lane::of(&repo, &parsed);
    let coalescing = Coalescing::of(&parsed);
    let mut parsed = parsed;
    coalesce::slim(&mut parsed, coalescing);
    let job = Job {
        id: delivery.to_string(),
        event_name: event.to_string(),
        event: parsed,
        coalescing,
        installation,
        repo,
        received: Instant::now(),
    };
    match state.queue.push(lane, job) {
        Enqueued::Queued => ("queued", answer(StatusCode::ACCEPTED, "queued")),
        Enqueued::Coalesced => {
            tracing::debug!(delivery, event, "coalesced with a waiting job");
            (
                "coalesced",
                answer(
                    StatusCode::ACCEPTED,
                    "coalesced: a run waiting for this issue reads it afresh",
                ),
            )
        }
        Enqueued::Duplicate => {
            tracing::info!(delivery, event, "dropped a duplicate delivery");
            (
                "duplicate",
                answer(StatusCode::OK, "duplicate delivery: already queued"),
            )
        }
        Enqueued::Full => refuse(
            "queue_full",
            StatusCode::SERVICE_UNAVAILABLE,
            "the queue is full; GitHub's redelivery brings this back".into(),
        ),
        Enqueued::Closed => refuse(
            "draining",
            StatusCode::SERVICE_UNAVAILABLE,
            "shutting down".into(),
        ),
    }
}

#[derive(Deserialize)]
struct Envelope {
    #[serde(default)]
    installation: Option<InstallationRef>,
    #[serde(default)]
    action: Option<String>,
}

#[derive(Deserialize)]
struct InstallationRef {
    id: u64,
}

fn installation_of(bytes: &[u8]) -> Option<u64> {
    serde_json::from_slice::<Envelope>(bytes)
        .ok()?
        .installation
        .map(|i| i.id)
}

/// An installation deleted or suspended: its cached token goes; created or unsuspended: it is
/// no longer taken as gone.
fn installation_changed(state: &AppState, bytes: &[u8]) {
    let Ok(envelope) = serde_json::from_slice::<Envelope>(bytes) else {
        return;
    };
    let (Some(installation), Some(action)) = (envelope.installation, envelope.action) else {
        return;
    };
    if matches!(action.as_str(), "deleted" | "suspend" | "removed") {
        tracing::info!(
            installation = installation.id,
            action,
            "installation changed; forgetting its token"
        );
        state.shared.tokens.forget(installation.id);
    } else if matches!(action.as_str(), "created" | "unsuspend") {
        tracing::info!(
            installation = installation.id,
            action,
            "installation (re)enabled; served again at once"
        );
        state.shared.tokens.restored(installation.id);
    }
}

/// Ready when GitHub accepts the App's JWT (`GET /app`), reusing an answer for ten seconds.
async fn readyz(State(state): State<Arc<AppState>>) -> Response {
    if state.draining.load(Ordering::SeqCst) {
        return answer(StatusCode::SERVICE_UNAVAILABLE, "draining");
    }
    let mut ready = state.ready.lock().await;
    let fresh = ready
        .as_ref()
        .is_some_and(|(at, _)| at.elapsed() < READY_FOR);
    if !fresh {
        let result = match state.shared.api.app().await {
            Ok(app) => Ok(format!(
                "ready: GitHub accepts the JWT of App {} ({})",
                app.id,
                app.bot_login()
            )),
            Err(error) => Err(format!("not ready: {error}")),
        };
        *ready = Some((Instant::now(), result));
    }
    match ready.as_ref().map(|(_, r)| r) {
        Some(Ok(text)) => answer(StatusCode::OK, text.clone()),
        Some(Err(text)) => answer(StatusCode::SERVICE_UNAVAILABLE, text.clone()),
        None => answer(StatusCode::SERVICE_UNAVAILABLE, "not ready"),
    }
}

async fn metrics(State(state): State<Arc<AppState>>) -> Response {
    let (queued, in_flight) = state.queue.depth();
    let text = state
        .shared
        .metrics
        .render(&super::metrics::Gauges { queued, in_flight });
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
        .into_response()
}
