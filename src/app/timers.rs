//! What the App does on its own clock: the sweep over every installation's repositories that
//! have open incidents, and the recovery of deliveries GitHub failed to make.
//!
//! **Sweep.** Each round lists the App's installations and each one's repositories, asks each
//! repository whether it has open incidents — a conditional request, so a repository whose
//! answer did not change costs no rate limit — and queues a sweep job for each that has (the
//! job runs `run::sweep` through the dispatcher, like the Action's scheduled run). A sweep
//! already waiting for a repository is not queued twice.
//!
//! **Recovery.** GitHub does not redeliver a failed delivery by itself. Each round lists the
//! App's recent deliveries (`GET /app/hook/deliveries`), groups attempts by delivery, and asks
//! GitHub to redeliver (`POST /app/hook/deliveries/{id}/attempts`) each delivery none of whose
//! attempts succeeded and that nobody asked to redeliver yet: once each, since a redelivery
//! shows in the log (replicas see each other's). GitHub redelivers for three days.

use std::collections::{BTreeMap, HashMap};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};

use super::queue::{Enqueued, Job, Lane, Queue};
use super::worker::Shared;
use crate::engine::LABEL_INCIDENT;
use crate::event::{Event, Repository};
use crate::github::GitHubError;
use crate::github::app::Delivery;

/// GitHub redelivers deliveries up to three days old; older ones are left alone (an hour of
/// margin keeps a request from racing the limit).
const REDELIVERABLE_FOR: chrono::Duration = chrono::Duration::hours(71);

/// Each round looks back to the previous round's start, less this margin (a delivery is logged
/// when its attempt ends, and clocks differ).
const LOOKBACK_MARGIN: chrono::Duration = chrono::Duration::minutes(10);

/// Pages of the delivery log read per round (100 deliveries each): the first round after a
/// start reads back up to three days, bounded.
const MAX_DELIVERY_PAGES: usize = 30;

/// Runs `round` every `every` (the first one `every` after the start), until the process ends.
pub fn every<F, Fut>(every: Duration, mut round: F) -> tokio::task::JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: std::future::Future<Output = ()> + Send,
{
    tokio::spawn(async move {
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            round().await;
        }
    })
}

/// What the sweep remembers between rounds: each repository's last answer to "any open
/// incident?" and its ETag.
#[derive(Default)]
pub struct SweepState {
    answers: HashMap<String, (bool, Option<String>)>,
}

/// One sweep round; answers how many repositories were queued.
pub async fn sweep_round(
    shared: &Shared,
    queue: &Queue,
    state: &mut SweepState,
) -> Result<usize, GitHubError> {
    let mut queued = 0;
    for installation in shared.api.installations().await? {
        if installation.suspended_at.is_some() {
            continue;
        }
        let client = shared.installation(installation.id);
        let repositories = match client.installation_repositories().await {
            Ok(repositories) => repositories,
            Err(error) => {
                tracing::warn!(
                    installation = installation.id,
                    "sweep: cannot list the repositories: {error}"
                );
                continue;
            }
        };
        for repository in repositories {
            let key = repository.full_name.to_lowercase();
            let github = match client.scoped(&repository.full_name) {
                Ok(github) => github,
                Err(_) => continue,
            };
            let kept = state.answers.get(&key).cloned();
            let has = match github
                .any_open_labeled(LABEL_INCIDENT, kept.as_ref().and_then(|k| k.1.as_deref()))
                .await
            {
                Ok(Some((has, etag))) => {
                    state.answers.insert(key.clone(), (has, etag));
                    has
                }
                Ok(None) => kept.is_some_and(|k| k.0),
                Err(error) => {
                    tracing::warn!(repo = %repository.full_name, "sweep: cannot look for open incidents: {error}");
                    continue;
                }
            };
            if !has {
                continue;
            }
            let event = Event::Sweep {
                repository: Some(Repository {
                    full_name: repository.full_name.clone(),
                    default_branch: repository.default_branch.clone(),
                }),
            };
            let job = Job {
                id: format!("sweep {}", repository.full_name),
                event_name: "sweep".into(),
                event,
                coalescing: super::coalesce::Coalescing::Own,
                installation: installation.id,
                repo: repository.full_name.clone(),
                received: Instant::now(),
            };
            let lane = Lane::of(&repository.full_name, &job.event);
            if queue.push_coalescing(lane, job) == Enqueued::Queued {
                queued += 1;
            }
        }
    }
    Ok(queued)
}

/// Which deliveries to ask GitHub to redeliver: for each delivery (guid) none of whose attempts
/// succeeded and none of which was a redelivery, its newest attempt, if young enough.
pub fn to_redeliver(deliveries: &[Delivery], now: DateTime<Utc>) -> Vec<Delivery> {
    let mut by_guid: BTreeMap<&str, Vec<&Delivery>> = BTreeMap::new();
    for delivery in deliveries {
        by_guid.entry(&delivery.guid).or_default().push(delivery);
    }
    let mut out: Vec<Delivery> = by_guid
        .into_values()
        .filter(|attempts| attempts.iter().all(|a| !a.succeeded() && !a.redelivery))
        .filter_map(|attempts| attempts.into_iter().max_by_key(|a| (a.delivered_at, a.id)))
        .filter(|newest| now - newest.delivered_at < REDELIVERABLE_FOR)
        .cloned()
        .collect();
    out.sort_by_key(|d| (d.delivered_at, d.id));
    out
}

/// One recovery round looking back to `since`; answers how many redeliveries were asked for.
pub async fn redelivery_round(shared: &Shared, since: DateTime<Utc>) -> Result<usize, GitHubError> {
    let now = Utc::now();
    let since = since.max(now - REDELIVERABLE_FOR);
    let deliveries = shared.api.deliveries(since, MAX_DELIVERY_PAGES).await?;
    let mut asked = 0;
    for delivery in to_redeliver(&deliveries, now) {
        match shared.api.redeliver(delivery.id).await {
            Ok(()) => {
                tracing::info!(guid = %delivery.guid, event = %delivery.event, status = delivery.status_code, "asked GitHub to redeliver a failed delivery");
                shared.metrics.redelivery_requested();
                asked += 1;
            }
            Err(error) => {
                tracing::warn!(guid = %delivery.guid, "cannot ask for a redelivery: {error}");
            }
        }
    }
    Ok(asked)
}

/// The start of the next round's look-back window, from this round's start.
pub fn next_since(round_start: DateTime<Utc>) -> DateTime<Utc> {
    round_start - LOOKBACK_MARGIN
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(
        id: u64,
        guid: &str,
        minutes_ago: i64,
        status_code: u16,
        redelivery: bool,
    ) -> Delivery {
        Delivery {
            id,
            guid: guid.into(),
            delivered_at: now() - chrono::Duration::minutes(minutes_ago),
            redelivery,
            status_code,
            event: "issue_comment".into(),
            action: Some("created".into()),
            installation_id: Some(1),
            repository_id: Some(2),
        }
    }

    fn now() -> DateTime<Utc> {
        DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .to_utc()
    }

    #[test]
    fn each_failed_delivery_is_redelivered_once_by_its_newest_attempt() {
        let log = [
            attempt(1, "ok", 30, 202, false),
            attempt(2, "lost", 20, 0, false),
            attempt(3, "refused-twice", 15, 503, false),
            attempt(4, "refused-twice", 10, 503, false),
            attempt(5, "recovered", 9, 500, false),
            attempt(6, "recovered", 8, 202, true),
            attempt(7, "asked-already", 7, 502, false),
            attempt(8, "asked-already", 6, 502, true),
            attempt(9, "too-old", 72 * 60, 0, false),
        ];
        let ids: Vec<(String, u64)> = to_redeliver(&log, now())
            .into_iter()
            .map(|d| (d.guid, d.id))
            .collect();
        assert_eq!(
            ids,
            [("lost".to_string(), 2), ("refused-twice".to_string(), 4)]
        );
    }
}
