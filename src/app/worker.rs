//! Handling one queued job: a GitHub client for the job's installation and repository (the
//! installation's token, the App's identity `<slug>[bot]`, the process's connection pool), the
//! repository's configuration from the cache, and the dispatcher, like every mode.
//!
//! A failure GitHub may recover from (5xx, a timeout, a rate limit) is tried again a few times;
//! one it will not (the installation cannot reach the repository, a broken configuration) is
//! logged and dropped. Nothing is written in either case but what the pipeline applied.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;

use super::config_cache::ConfigCache;
use super::metrics::Metrics;
use super::queue::Job;
use super::tokens::TokenCache;
use crate::dispatch;
use crate::github::app::AppApi;
use crate::github::{GitHub, GitHubError};
use crate::run::{Mode, Outcome};

/// Waits before trying a job again after a failure GitHub may recover from: short enough that a
/// job still finishes within the drain deadline, long enough for a blip to pass.
const RETRY_DELAYS: [Duration; 2] = [Duration::from_secs(2), Duration::from_secs(8)];

/// What every job needs, shared by the whole process.
pub struct Shared {
    /// Unauthenticated; every client is made from it and shares its connection pool.
    pub base: GitHub,
    pub api: AppApi,
    pub tokens: Arc<TokenCache>,
    pub configs: ConfigCache,
    pub metrics: Arc<Metrics>,
    /// `<slug>[bot]`, from `GET /app`, once.
    login: tokio::sync::OnceCell<String>,
}

impl Shared {
    pub fn new(base: GitHub, api: AppApi, metrics: Arc<Metrics>) -> Shared {
        Shared {
            tokens: TokenCache::new(api.clone()),
            base,
            api,
            configs: ConfigCache::default(),
            metrics,
            login: tokio::sync::OnceCell::new(),
        }
    }

    /// The login the App writes as, `<slug>[bot]` (read once from `GET /app`).
    pub async fn login(&self) -> Result<&str, GitHubError> {
        self.login
            .get_or_try_init(|| async { Ok(self.api.app().await?.bot_login()) })
            .await
            .map(String::as_str)
    }

    /// A client acting for `installation`, not yet scoped to a repository.
    pub fn installation(&self, installation: u64) -> GitHub {
        self.base
            .authenticated(self.tokens.credentials(installation))
            .with_observer(self.metrics.observer(Some(installation)))
    }
}

/// How a job ended, for the log and the metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Ending {
    Done,
    /// The installation cannot reach the repository (uninstalled, revoked, suspended).
    Unreachable,
    /// A mistake GitHub's answer will not change (a broken configuration, a bad request).
    Rejected,
    /// Tried again and still failing.
    Failed,
}

impl Ending {
    fn as_str(self) -> &'static str {
        match self {
            Ending::Done => "done",
            Ending::Unreachable => "unreachable",
            Ending::Rejected => "rejected",
            Ending::Failed => "failed",
        }
    }
}

/// Handles one job to its end: logs one line and counts it.
pub async fn handle(shared: Arc<Shared>, job: Job) {
    let mut attempt = 0;
    let ending = loop {
        let result = run(&shared, &job).await;
        let ending = match &result {
            Ok(outcome) => {
                tracing::info!(
                    delivery = %job.id,
                    event = %job.event_name,
                    repo = %job.repo,
                    notes = ?outcome.notes,
                    "handled"
                );
                // A sweep goes on past an incident it cannot handle: each one is logged here,
                // and the next sweep tries it again.
                for failure in &outcome.failures {
                    tracing::error!(
                        delivery = %job.id,
                        repo = %job.repo,
                        failure = %failure,
                        "an issue could not be handled"
                    );
                }
                // What stops nothing (the board without a usable token, a missing option).
                for warning in &outcome.warnings {
                    tracing::warn!(
                        delivery = %job.id,
                        repo = %job.repo,
                        warning = %warning,
                        "not done"
                    );
                }
                Ending::Done
            }
            Err(error) => classify(error),
        };
        if ending == Ending::Failed
            && attempt < RETRY_DELAYS.len()
            && let Err(error) = &result
        {
            tracing::warn!(
                delivery = %job.id,
                event = %job.event_name,
                repo = %job.repo,
                "handling failed; trying again in {:?}: {error:#}",
                RETRY_DELAYS[attempt]
            );
            tokio::time::sleep(RETRY_DELAYS[attempt]).await;
            attempt += 1;
            continue;
        }
        if let Err(error) = &result {
            tracing::warn!(
                delivery = %job.id,
                event = %job.event_name,
                repo = %job.repo,
                installation = job.installation,
                outcome = ending.as_str(),
                "dropped: {error:#}"
            );
            if ending == Ending::Unreachable {
                shared.tokens.forget(job.installation);
            }
        }
        break ending;
    };
    shared
        .metrics
        .handled(&job.event_name, ending.as_str(), job.received.elapsed());
}

async fn run(shared: &Shared, job: &Job) -> anyhow::Result<Outcome> {
    let login = shared.login().await?.to_string();
    let github = shared
        .installation(job.installation)
        .scoped(&job.repo)?
        .with_identity(login);
    let now = Utc::now();
    dispatch::dispatch(&github, &job.event, now, Mode::Apply, |gh| {
        let gh = gh.clone();
        async move { shared.configs.get(&gh).await }
    })
    .await
}

/// Whether trying again could help.
fn classify(error: &anyhow::Error) -> Ending {
    if crate::exit_code_for(error) == 2 {
        return Ending::Rejected;
    }
    let github = error
        .chain()
        .find_map(|cause| cause.downcast_ref::<GitHubError>());
    match github {
        Some(e) if e.is_ambiguous() => Ending::Failed,
        Some(GitHubError::RateLimited { .. }) => Ending::Failed,
        Some(e) => match e.status().map(|s| s.as_u16()) {
            Some(401 | 403 | 404) => Ending::Unreachable,
            _ => Ending::Rejected,
        },
        None => Ending::Failed,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn status(code: u16) -> anyhow::Error {
        anyhow::Error::new(GitHubError::Status {
            operation: "x".into(),
            status: http::StatusCode::from_u16(code).unwrap(),
            message: String::new(),
        })
        .context("handling")
    }

    #[test]
    fn only_what_github_may_recover_from_is_tried_again() {
        assert_eq!(classify(&status(502)), Ending::Failed);
        assert_eq!(classify(&status(404)), Ending::Unreachable);
        assert_eq!(classify(&status(401)), Ending::Unreachable);
        assert_eq!(classify(&status(422)), Ending::Rejected);
        let usage = anyhow::Error::new(crate::UsageError("bad config".into()));
        assert_eq!(classify(&usage), Ending::Rejected);
    }
}
