//! The GitHub App adapter (`firebreak serve`): a webhook server for every repository the App is
//! installed on, answering each delivery within milliseconds and handling it after, through the
//! same dispatcher as every mode. It imports nothing of the other adapters.
//!
//! - [`settings`]: the environment, checked before binding (exit code 2 naming the variable);
//! - [`server`]: `POST /webhook` (size cap, signature over the raw bytes — [`signature`] —,
//!   content type, parse, queue), `GET /healthz`, `GET /readyz`, `GET /metrics` ([`metrics`]);
//! - [`queue`]: per-issue order, bounded parallelism, duplicate ids dropped, a full queue 503;
//!   [`coalesce`]: which deliveries a job already waiting for their issue covers (no job of
//!   their own), and what a queued job keeps of its payload;
//! - [`worker`]: one job: the installation's client ([`tokens`] caches installation tokens),
//!   the repository's configuration ([`config_cache`], revalidated with conditional requests),
//!   then `dispatch::dispatch`;
//! - [`timers`]: the sweep over every installation, and the recovery of failed deliveries;
//! - [`manifest`]: the App manifest (`firebreak app manifest`).
//!
//! Replicas share nothing: GitHub is the only store and every run reconciles, so any number of
//! `firebreak serve` processes may take deliveries for the same repositories.

pub mod coalesce;
pub mod config_cache;
pub mod manifest;
pub mod metrics;
pub mod queue;
pub mod server;
pub mod settings;
pub mod signature;
pub mod timers;
pub mod tokens;
pub mod worker;

use std::future::IntoFuture as _;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use anyhow::Context as _;
use chrono::Utc;

use crate::github::GitHub;
use crate::github::app::AppApi;
use metrics::Metrics;
use queue::Queue;
use settings::Settings;
use worker::Shared;

/// Serves until SIGTERM (or Ctrl-C): then stops accepting, drains the queue within the drain
/// deadline, and returns.
pub async fn serve(settings: Settings) -> anyhow::Result<()> {
    let listener = tokio::net::TcpListener::bind(settings.listen)
        .await
        .with_context(|| format!("FIREBREAK_LISTEN {}: cannot listen", settings.listen))?;
    let local = listener.local_addr()?;
    let metrics = Arc::new(Metrics::default());
    let base = GitHub::unauthenticated(&settings.api_url)?;
    let api = AppApi::new(&base, settings.key).with_observer(metrics.observer(None));
    let shared = Arc::new(Shared::new(base, api, metrics));
    let handler_shared = shared.clone();
    let queue = Queue::new(
        settings.queue,
        settings.workers,
        Arc::new(move |job| Box::pin(worker::handle(handler_shared.clone(), job))),
    );
    let state = Arc::new(server::AppState::new(
        shared.clone(),
        queue.clone(),
        settings.secret,
    ));
    let mut timers = Vec::new();
    if let Some(every) = settings.sweep_every {
        let (shared, queue) = (shared.clone(), queue.clone());
        let memory = Arc::new(tokio::sync::Mutex::new(timers::SweepState::default()));
        timers.push(timers::every(every, move || {
            let (shared, queue, memory) = (shared.clone(), queue.clone(), memory.clone());
            async move {
                let mut memory = memory.lock().await;
                match timers::sweep_round(&shared, &queue, &mut memory).await {
                    Ok(queued) => {
                        tracing::info!(
                            queued,
                            "sweep round: repositories with open incidents queued"
                        );
                        shared.metrics.sweep("done");
                    }
                    Err(error) => {
                        tracing::warn!("sweep round failed: {error}");
                        shared.metrics.sweep("failed");
                    }
                }
            }
        }));
    }
    if let Some(every) = settings.redeliver_every {
        let shared = shared.clone();
        let since = Arc::new(std::sync::Mutex::new(
            Utc::now() - chrono::Duration::days(3),
        ));
        timers.push(timers::every(every, move || {
            let (shared, since) = (shared.clone(), since.clone());
            async move {
                let start = Utc::now();
                let from = *since.lock().unwrap_or_else(|p| p.into_inner());
                match timers::redelivery_round(&shared, from).await {
                    Ok(asked) => {
                        if asked > 0 {
                            tracing::info!(asked, "recovery round: redeliveries asked for");
                        }
                        *since.lock().unwrap_or_else(|p| p.into_inner()) =
                            timers::next_since(start);
                    }
                    Err(error) => tracing::warn!("recovery round failed: {error}"),
                }
            }
        }));
    }
    tracing::info!(address = %local, app = shared.api.app_id(), "firebreak serve: listening");
    // Logged on stderr for whoever started us (tests read the port from it).
    eprintln!("firebreak serve: listening on {local}");
    let stop = Arc::new(tokio::sync::Notify::new());
    let stopped = stop.clone();
    let mut server = tokio::spawn(
        axum::serve(listener, server::router(state.clone()))
            .with_graceful_shutdown(async move { stopped.notified().await })
            .into_future(),
    );
    tokio::select! {
        result = &mut server => {
            result.context("the server task")?.context("serving")?;
            anyhow::bail!("the server stopped on its own");
        }
        () = stop_signal() => {}
    }
    let deadline = tokio::time::Instant::now() + settings.drain_timeout;
    state.draining.store(true, Ordering::SeqCst);
    queue.close();
    stop.notify_one();
    tracing::info!("stopping: no new connections; draining the queue");
    for timer in &timers {
        timer.abort();
    }
    if tokio::time::timeout_at(deadline, &mut server)
        .await
        .is_err()
    {
        tracing::warn!("connections still open at the drain deadline; closing them");
        server.abort();
    }
    let left = queue
        .drain(deadline.saturating_duration_since(tokio::time::Instant::now()))
        .await;
    if left == 0 {
        tracing::info!("drained; exiting");
    } else {
        tracing::warn!(
            left,
            "the drain deadline passed with deliveries unhandled (the sweep catches them up)"
        );
    }
    Ok(())
}

/// SIGTERM (what Kubernetes and systemd send) or Ctrl-C.
async fn stop_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let term = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut signal) => {
                signal.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let term = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {}
        () = term => {}
    }
}
