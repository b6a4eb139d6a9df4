//! The delivery queue: a delivery is answered as soon as it is queued, and handled after.
//!
//! Deliveries that concern the same subject (an issue, a pull request, a repository's
//! declarations or sweep: a [`Lane`]) are handled one after another, in the order they came;
//! different lanes run in parallel, at most `workers` at once. A lane exists while it has work,
//! and one task runs it, so no two deliveries of a lane ever overlap in this process (across
//! processes, the pipeline's verify loop reconciles). A delivery whose work a job already
//! waiting in its lane will do keeps no job of its own (coalescing: the rule is in
//! [`super::coalesce`]), so a burst on one issue holds one waiting job, not one per delivery.
//! The queue is bounded: past `capacity` waiting jobs it refuses (the webhook answers 503). A
//! delivery id seen recently is a duplicate and is dropped. [`Queue::drain`] closes it and
//! waits for what is queued.

use std::collections::{HashMap, HashSet, VecDeque};
use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore};

use super::coalesce::{self, Coalescing};
use crate::event::Event;

/// Delivery ids remembered to drop duplicates. GitHub repeats a delivery within seconds (a
/// retry after a dropped connection) or minutes (a redelivery); ten thousand ids cover far
/// more than that at any realistic rate and cost about a megabyte.
const REMEMBERED_IDS: usize = 10_000;

/// One unit of work: a delivery, or a timer's sweep of one repository.
pub struct Job {
    /// `X-GitHub-Delivery` (or a name for a timer's job).
    pub id: String,
    /// The event name (`issue_comment`, …, or `sweep`).
    pub event_name: String,
    /// The payload, slimmed to what the run reads ([`coalesce::slim`]).
    pub event: Event,
    /// How the run depends on the payload: whether a waiting job may do this one's work.
    pub coalescing: Coalescing,
    pub installation: u64,
    /// `owner/name`.
    pub repo: String,
    /// When the delivery arrived.
    pub received: Instant,
}

/// Deliveries that are handled one after another.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Lane {
    /// `owner/name`, lowercase.
    pub repo: String,
    /// `issue 12`, `pull 7`, `declare`, `sweep`.
    pub subject: String,
}

impl Lane {
    /// The lane of a delivery: its issue (a comment, an issue event), its pull request, or the
    /// repository's declarations or sweep.
    pub fn of(repo: &str, event: &Event) -> Lane {
        let subject = match event {
            Event::IssueComment { issue, .. } | Event::Issues { issue, .. } => {
                format!("issue {}", issue.number)
            }
            Event::PullRequest { number, .. } => format!("pull {number}"),
            Event::RepositoryDispatch { .. } => "declare".into(),
            Event::Sweep { .. } => "sweep".into(),
            Event::Ignored { .. } => "ignored".into(),
        };
        Lane {
            repo: repo.to_lowercase(),
            subject,
        }
    }
}

/// What became of a job offered to the queue.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Enqueued {
    Queued,
    /// A job waiting in its lane does this delivery's work ([`coalesce::absorbs`]): no job.
    Coalesced,
    /// Its id was seen recently (or, for a coalescing job, its lane already waits).
    Duplicate,
    /// The queue is full.
    Full,
    /// The queue is draining: the process is stopping.
    Closed,
}

/// Handles one job.
pub type Handler = Arc<dyn Fn(Job) -> Pin<Box<dyn Future<Output = ()> + Send>> + Send + Sync>;

struct State {
    /// Every lane with work; one task runs each.
    lanes: HashMap<Lane, VecDeque<Job>>,
    queued: usize,
    in_flight: usize,
    seen: HashSet<String>,
    seen_order: VecDeque<String>,
    closed: bool,
}

/// The queue (cheap to clone; clones share it).
#[derive(Clone)]
pub struct Queue {
    state: Arc<Mutex<State>>,
    capacity: usize,
    workers: Arc<Semaphore>,
    handler: Handler,
    idle: Arc<Notify>,
}

impl Queue {
    pub fn new(capacity: usize, workers: usize, handler: Handler) -> Queue {
        Queue {
            state: Arc::new(Mutex::new(State {
                lanes: HashMap::new(),
                queued: 0,
                in_flight: 0,
                seen: HashSet::new(),
                seen_order: VecDeque::new(),
                closed: false,
            })),
            capacity,
            workers: Arc::new(Semaphore::new(workers)),
            handler,
            idle: Arc::new(Notify::new()),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, State> {
        self.state.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// Offers a delivery: dropped when its id was seen recently, coalesced when a job waiting in
    /// its lane does its work, refused when the queue is full.
    pub fn push(&self, lane: Lane, job: Job) -> Enqueued {
        self.offer(lane, job, false)
    }

    /// Offers a timer's job: dropped when its lane already has work waiting (the waiting job
    /// will do the same), refused when the queue is full.
    pub fn push_coalescing(&self, lane: Lane, job: Job) -> Enqueued {
        self.offer(lane, job, true)
    }

    fn offer(&self, lane: Lane, job: Job, coalesce: bool) -> Enqueued {
        let mut st = self.lock();
        if st.closed {
            return Enqueued::Closed;
        }
        if coalesce {
            if st.lanes.get(&lane).is_some_and(|jobs| !jobs.is_empty()) {
                return Enqueued::Duplicate;
            }
        } else if st.seen.contains(&job.id) {
            return Enqueued::Duplicate;
        }
        // Before the capacity check: a delivery a waiting job covers costs nothing to accept.
        let absorbed = !coalesce
            && job.coalescing != Coalescing::Own
            && st.lanes.get(&lane).is_some_and(|waiting| {
                waiting.iter().any(|w| {
                    coalesce::absorbs((w.coalescing, &w.event), (job.coalescing, &job.event))
                })
            });
        if !absorbed && st.queued >= self.capacity {
            return Enqueued::Full;
        }
        if !coalesce {
            st.seen.insert(job.id.clone());
            st.seen_order.push_back(job.id.clone());
            while st.seen_order.len() > REMEMBERED_IDS {
                if let Some(old) = st.seen_order.pop_front() {
                    st.seen.remove(&old);
                }
            }
        }
        if absorbed {
            return Enqueued::Coalesced;
        }
        st.queued += 1;
        match st.lanes.get_mut(&lane) {
            Some(jobs) => jobs.push_back(job),
            None => {
                st.lanes.insert(lane.clone(), VecDeque::from([job]));
                let queue = self.clone();
                tokio::spawn(async move { queue.run_lane(lane).await });
            }
        }
        Enqueued::Queued
    }

    /// Runs a lane's jobs one after another until it has none; then the lane is gone.
    async fn run_lane(self, lane: Lane) {
        loop {
            let Ok(permit) = self.workers.clone().acquire_owned().await else {
                return;
            };
            let job = {
                let mut st = self.lock();
                match st.lanes.get_mut(&lane).and_then(VecDeque::pop_front) {
                    Some(job) => {
                        st.queued -= 1;
                        st.in_flight += 1;
                        job
                    }
                    None => {
                        st.lanes.remove(&lane);
                        return;
                    }
                }
            };
            (self.handler)(job).await;
            drop(permit);
            let idle = {
                let mut st = self.lock();
                st.in_flight -= 1;
                st.queued == 0 && st.in_flight == 0
            };
            if idle {
                self.idle.notify_waiters();
            }
        }
    }

    /// Jobs waiting, and jobs being handled.
    pub fn depth(&self) -> (usize, usize) {
        let st = self.lock();
        (st.queued, st.in_flight)
    }

    /// Refuses new jobs from now on.
    pub fn close(&self) {
        self.lock().closed = true;
    }

    /// Refuses new jobs and waits until every queued job is handled, or `timeout` passes.
    /// Answers how many jobs were left (0 when drained).
    pub async fn drain(&self, timeout: Duration) -> usize {
        self.close();
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let notified = self.idle.notified();
            tokio::pin!(notified);
            notified.as_mut().enable();
            let (queued, in_flight) = self.depth();
            if queued + in_flight == 0 {
                return 0;
            }
            if tokio::time::timeout_at(deadline, notified).await.is_err() {
                let (queued, in_flight) = self.depth();
                return queued + in_flight;
            }
        }
    }
}

#[cfg(test)]
mod tests;
