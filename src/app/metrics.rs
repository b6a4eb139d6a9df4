//! `GET /metrics`: Prometheus' text format, written by hand (a few counters, gauges and two
//! histograms need no library). Label values come from fixed lists, never from a request, so an
//! unsigned request cannot grow the series.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use crate::github::Observer;

/// Events Firebreak names in its metrics; any other is `other`.
const EVENTS: &[&str] = &[
    "issues",
    "issue_comment",
    "pull_request",
    "pull_request_review",
    "repository_dispatch",
    "ping",
    "installation",
    "installation_repositories",
    "sweep",
];

/// The metric's label for an event name (from a fixed list).
pub fn event_label(event: &str) -> &'static str {
    EVENTS
        .iter()
        .find(|e| **e == event)
        .copied()
        .unwrap_or("other")
}

/// Histogram buckets for answering a delivery (seconds): GitHub waits 10 s; the budget is
/// milliseconds.
const ACK_BUCKETS: &[f64] = &[0.001, 0.0025, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1.0, 10.0];

/// Histogram buckets for handling a delivery (seconds): a few GitHub round trips, up to a
/// sweep of many incidents.
const HANDLING_BUCKETS: &[f64] = &[0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0, 300.0];

struct Histogram {
    bounds: &'static [f64],
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn new(bounds: &'static [f64]) -> Histogram {
        Histogram {
            bounds,
            counts: vec![0; bounds.len()],
            sum: 0.0,
            count: 0,
        }
    }

    fn observe(&mut self, value: f64) {
        for (bound, count) in self.bounds.iter().zip(self.counts.iter_mut()) {
            if value <= *bound {
                *count += 1;
            }
        }
        self.sum += value;
        self.count += 1;
    }

    fn write(&self, out: &mut String, name: &str, help: &str) {
        let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} histogram");
        for (bound, count) in self.bounds.iter().zip(&self.counts) {
            let _ = writeln!(out, "{name}_bucket{{le=\"{bound}\"}} {count}");
        }
        let _ = writeln!(out, "{name}_bucket{{le=\"+Inf\"}} {}", self.count);
        let _ = writeln!(out, "{name}_sum {}", self.sum);
        let _ = writeln!(out, "{name}_count {}", self.count);
    }
}

struct Inner {
    received: BTreeMap<(&'static str, &'static str), u64>,
    handled: BTreeMap<(&'static str, &'static str), u64>,
    ack: Histogram,
    handling: Histogram,
    github: BTreeMap<u16, u64>,
    rate_remaining: BTreeMap<u64, u64>,
    redeliveries: u64,
    sweeps: BTreeMap<&'static str, u64>,
}

/// The process's metrics.
pub struct Metrics {
    inner: Mutex<Inner>,
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics {
            inner: Mutex::new(Inner {
                received: BTreeMap::new(),
                handled: BTreeMap::new(),
                ack: Histogram::new(ACK_BUCKETS),
                handling: Histogram::new(HANDLING_BUCKETS),
                github: BTreeMap::new(),
                rate_remaining: BTreeMap::new(),
                redeliveries: 0,
                sweeps: BTreeMap::new(),
            }),
        }
    }
}

/// The gauges the metrics read from elsewhere when rendered.
pub struct Gauges {
    pub queued: usize,
    pub in_flight: usize,
}

impl Metrics {
    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A delivery was answered: `outcome` says how (`queued`, `duplicate`, `unauthorized`, …).
    pub fn received(&self, event: &str, outcome: &'static str, took: Duration) {
        let mut inner = self.lock();
        *inner
            .received
            .entry((event_label(event), outcome))
            .or_default() += 1;
        inner.ack.observe(took.as_secs_f64());
    }

    /// A queued delivery was handled: `outcome` says how (`done`, `failed`, …).
    pub fn handled(&self, event: &str, outcome: &'static str, took: Duration) {
        let mut inner = self.lock();
        *inner
            .handled
            .entry((event_label(event), outcome))
            .or_default() += 1;
        inner.handling.observe(took.as_secs_f64());
    }

    pub fn redelivery_requested(&self) {
        self.lock().redeliveries += 1;
    }

    pub fn sweep(&self, outcome: &'static str) {
        *self.lock().sweeps.entry(outcome).or_default() += 1;
    }

    /// An observer of GitHub's answers, for requests made for `installation` (if any).
    pub fn observer(self: &Arc<Self>, installation: Option<u64>) -> Arc<dyn Observer> {
        Arc::new(GitHubObserver {
            metrics: self.clone(),
            installation,
        })
    }

    /// The text exposition.
    pub fn render(&self, gauges: &Gauges) -> String {
        let inner = self.lock();
        let mut out = String::new();
        let counter = |out: &mut String, name: &str, help: &str| {
            let _ = writeln!(out, "# HELP {name} {help}\n# TYPE {name} counter");
        };
        counter(
            &mut out,
            "firebreak_webhook_deliveries_total",
            "Webhook deliveries received, by event and how they were answered.",
        );
        for ((event, outcome), n) in &inner.received {
            let _ = writeln!(
                out,
                "firebreak_webhook_deliveries_total{{event=\"{event}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        counter(
            &mut out,
            "firebreak_deliveries_handled_total",
            "Queued deliveries (and sweeps) handled, by event and outcome.",
        );
        for ((event, outcome), n) in &inner.handled {
            let _ = writeln!(
                out,
                "firebreak_deliveries_handled_total{{event=\"{event}\",outcome=\"{outcome}\"}} {n}"
            );
        }
        inner.ack.write(
            &mut out,
            "firebreak_webhook_ack_seconds",
            "Time from a delivery's arrival to its answer.",
        );
        inner.handling.write(
            &mut out,
            "firebreak_delivery_handling_seconds",
            "Time from a delivery's arrival to the end of its handling.",
        );
        let _ = writeln!(
            out,
            "# HELP firebreak_queue_depth Deliveries queued and not yet handled.\n# TYPE firebreak_queue_depth gauge\nfirebreak_queue_depth {}",
            gauges.queued
        );
        let _ = writeln!(
            out,
            "# HELP firebreak_queue_in_flight Deliveries being handled.\n# TYPE firebreak_queue_in_flight gauge\nfirebreak_queue_in_flight {}",
            gauges.in_flight
        );
        counter(
            &mut out,
            "firebreak_github_requests_total",
            "Answers from GitHub's REST API, by HTTP status.",
        );
        for (status, n) in &inner.github {
            let _ = writeln!(
                out,
                "firebreak_github_requests_total{{status=\"{status}\"}} {n}"
            );
        }
        let _ = writeln!(
            out,
            "# HELP firebreak_github_rate_limit_remaining Requests left in the installation's rate-limit window, as GitHub last said.\n# TYPE firebreak_github_rate_limit_remaining gauge"
        );
        for (installation, n) in &inner.rate_remaining {
            let _ = writeln!(
                out,
                "firebreak_github_rate_limit_remaining{{installation=\"{installation}\"}} {n}"
            );
        }
        counter(
            &mut out,
            "firebreak_redeliveries_requested_total",
            "Failed deliveries GitHub was asked to send again.",
        );
        let _ = writeln!(
            out,
            "firebreak_redeliveries_requested_total {}",
            inner.redeliveries
        );
        counter(
            &mut out,
            "firebreak_sweep_rounds_total",
            "Timer rounds of the sweep over every installation, by outcome.",
        );
        for (outcome, n) in &inner.sweeps {
            let _ = writeln!(
                out,
                "firebreak_sweep_rounds_total{{outcome=\"{outcome}\"}} {n}"
            );
        }
        out
    }
}

struct GitHubObserver {
    metrics: Arc<Metrics>,
    installation: Option<u64>,
}

impl Observer for GitHubObserver {
    fn answered(&self, status: http::StatusCode, headers: &http::HeaderMap) {
        let remaining = headers
            .get("x-ratelimit-remaining")
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<u64>().ok());
        let mut inner = self.metrics.lock();
        *inner.github.entry(status.as_u16()).or_default() += 1;
        if let (Some(installation), Some(remaining)) = (self.installation, remaining) {
            inner.rate_remaining.insert(installation, remaining);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_event_names_share_one_label() {
        assert_eq!(event_label("issue_comment"), "issue_comment");
        assert_eq!(event_label("<script>"), "other");
        assert_eq!(event_label("star"), "other");
    }

    #[test]
    fn the_exposition_counts_and_buckets() {
        let metrics = Arc::new(Metrics::default());
        metrics.received("issues", "queued", Duration::from_millis(2));
        metrics.received("issues", "queued", Duration::from_millis(30));
        metrics.received("bogus", "unauthorized", Duration::from_micros(100));
        metrics.handled("issues", "done", Duration::from_millis(300));
        let mut headers = http::HeaderMap::new();
        headers.insert("x-ratelimit-remaining", "4321".parse().unwrap());
        metrics
            .observer(Some(7))
            .answered(http::StatusCode::OK, &headers);
        metrics
            .observer(None)
            .answered(http::StatusCode::NOT_MODIFIED, &http::HeaderMap::new());
        let text = metrics.render(&Gauges {
            queued: 3,
            in_flight: 1,
        });
        for line in [
            "firebreak_webhook_deliveries_total{event=\"issues\",outcome=\"queued\"} 2",
            "firebreak_webhook_deliveries_total{event=\"other\",outcome=\"unauthorized\"} 1",
            "firebreak_deliveries_handled_total{event=\"issues\",outcome=\"done\"} 1",
            "firebreak_webhook_ack_seconds_bucket{le=\"0.0025\"} 2",
            "firebreak_webhook_ack_seconds_bucket{le=\"0.05\"} 3",
            "firebreak_webhook_ack_seconds_count 3",
            "firebreak_delivery_handling_seconds_bucket{le=\"0.25\"} 0",
            "firebreak_delivery_handling_seconds_bucket{le=\"0.5\"} 1",
            "firebreak_queue_depth 3",
            "firebreak_queue_in_flight 1",
            "firebreak_github_requests_total{status=\"200\"} 1",
            "firebreak_github_requests_total{status=\"304\"} 1",
            "firebreak_github_rate_limit_remaining{installation=\"7\"} 4321",
        ] {
            assert!(
                text.lines().any(|l| l == line),
                "missing `{line}` in\n{text}"
            );
        }
    }
}
