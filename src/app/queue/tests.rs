use std::sync::atomic::{AtomicUsize, Ordering};

use super::*;

fn job(id: &str) -> Job {
    job_as(id, Coalescing::Own)
}

fn job_as(id: &str, coalescing: Coalescing) -> Job {
    Job {
        id: id.to_string(),
        event_name: "issues".into(),
        event: Event::Ignored {
            event: "issues".into(),
            action: None,
        },
        coalescing,
        installation: 1,
        repo: "acme/x".into(),
        received: Instant::now(),
    }
}

fn lane(subject: &str) -> Lane {
    Lane {
        repo: "acme/x".into(),
        subject: subject.into(),
    }
}

/// (job id, started, finished) of each handled job.
type Log = Arc<Mutex<Vec<(String, Instant, Instant)>>>;

/// A handler that records each job and sleeps `work` per job.
fn recording(work: Duration) -> (Handler, Log) {
    let log = Arc::new(Mutex::new(Vec::new()));
    let handler_log = log.clone();
    let handler: Handler = Arc::new(move |job: Job| {
        let log = handler_log.clone();
        Box::pin(async move {
            let start = Instant::now();
            tokio::time::sleep(work).await;
            log.lock().unwrap().push((job.id, start, Instant::now()));
        })
    });
    (handler, log)
}

#[tokio::test]
async fn one_lane_runs_in_order_without_overlap() {
    let (handler, log) = recording(Duration::from_millis(5));
    let queue = Queue::new(100, 8, handler);
    for i in 0..12 {
        assert_eq!(
            queue.push(lane("issue 1"), job(&format!("d{i}"))),
            Enqueued::Queued
        );
    }
    assert_eq!(queue.drain(Duration::from_secs(10)).await, 0);
    let log = log.lock().unwrap();
    let ids: Vec<&str> = log.iter().map(|(id, _, _)| id.as_str()).collect();
    let expected: Vec<String> = (0..12).map(|i| format!("d{i}")).collect();
    assert_eq!(ids, expected);
    for pair in log.windows(2) {
        assert!(pair[1].1 >= pair[0].2, "jobs of one lane overlapped");
    }
}

#[tokio::test]
async fn lanes_run_in_parallel_up_to_the_worker_bound() {
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (r, m) = (running.clone(), most.clone());
    let handler: Handler = Arc::new(move |_job: Job| {
        let (running, most) = (r.clone(), m.clone());
        Box::pin(async move {
            let now = running.fetch_add(1, Ordering::SeqCst) + 1;
            most.fetch_max(now, Ordering::SeqCst);
            tokio::time::sleep(Duration::from_millis(20)).await;
            running.fetch_sub(1, Ordering::SeqCst);
        })
    });
    let queue = Queue::new(100, 3, handler);
    for i in 0..12 {
        queue.push(lane(&format!("issue {i}")), job(&format!("d{i}")));
    }
    assert_eq!(queue.drain(Duration::from_secs(10)).await, 0);
    assert_eq!(
        most.load(Ordering::SeqCst),
        3,
        "three lanes at once, never more"
    );
}

#[tokio::test]
async fn a_delivery_id_seen_before_is_a_duplicate() {
    let (handler, log) = recording(Duration::ZERO);
    let queue = Queue::new(100, 2, handler);
    assert_eq!(queue.push(lane("issue 1"), job("same")), Enqueued::Queued);
    assert_eq!(
        queue.push(lane("issue 2"), job("same")),
        Enqueued::Duplicate
    );
    queue.drain(Duration::from_secs(5)).await;
    assert_eq!(log.lock().unwrap().len(), 1);
}

#[tokio::test]
async fn a_full_queue_refuses_and_a_draining_one_is_closed() {
    let (handler, _log) = recording(Duration::from_millis(50));
    let queue = Queue::new(2, 1, handler);
    // The first job starts at once (in flight, no longer waiting); two more fill the queue.
    assert_eq!(queue.push(lane("a"), job("1")), Enqueued::Queued);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(queue.push(lane("b"), job("2")), Enqueued::Queued);
    assert_eq!(queue.push(lane("c"), job("3")), Enqueued::Queued);
    assert_eq!(queue.push(lane("d"), job("4")), Enqueued::Full);
    assert_eq!(queue.depth(), (2, 1));
    let left = queue.drain(Duration::from_millis(20)).await;
    assert!(left > 0, "the deadline passed with work left");
    assert_eq!(queue.push(lane("e"), job("5")), Enqueued::Closed);
    assert_eq!(queue.drain(Duration::from_secs(5)).await, 0);
}

#[tokio::test]
async fn a_timer_job_coalesces_with_one_already_waiting() {
    let (handler, log) = recording(Duration::from_millis(30));
    let queue = Queue::new(100, 1, handler);
    assert_eq!(
        queue.push_coalescing(lane("sweep"), job("s1")),
        Enqueued::Queued
    );
    tokio::time::sleep(Duration::from_millis(10)).await;
    // s1 runs; s2 waits behind it; s3 would do what s2 does.
    assert_eq!(
        queue.push_coalescing(lane("sweep"), job("s2")),
        Enqueued::Queued
    );
    assert_eq!(
        queue.push_coalescing(lane("sweep"), job("s3")),
        Enqueued::Duplicate
    );
    queue.drain(Duration::from_secs(5)).await;
    assert_eq!(log.lock().unwrap().len(), 2);
}

#[tokio::test]
async fn deliveries_a_waiting_job_covers_are_coalesced_and_a_running_one_covers_none() {
    let (handler, log) = recording(Duration::from_millis(60));
    let queue = Queue::new(100, 1, handler);
    let comment = |id: &str| job_as(id, Coalescing::Reconcile);
    assert_eq!(queue.push(lane("issue 1"), comment("c1")), Enqueued::Queued);
    tokio::time::sleep(Duration::from_millis(15)).await;
    // c1 runs: its reads may predate c2, so c2 waits behind it; c3..c9 are c2's work.
    assert_eq!(queue.push(lane("issue 1"), comment("c2")), Enqueued::Queued);
    for i in 3..10 {
        assert_eq!(
            queue.push(lane("issue 1"), comment(&format!("c{i}"))),
            Enqueued::Coalesced
        );
    }
    // Another issue's lane is its own; an alert-like job keeps its own place.
    assert_eq!(queue.push(lane("issue 2"), comment("d1")), Enqueued::Queued);
    assert_eq!(queue.push(lane("issue 1"), job("own")), Enqueued::Queued);
    assert_eq!(queue.push(lane("issue 1"), job("own2")), Enqueued::Queued);
    // A coalesced id is remembered: its redelivery is a duplicate.
    assert_eq!(
        queue.push(lane("issue 1"), comment("c5")),
        Enqueued::Duplicate
    );
    assert_eq!(queue.depth(), (4, 1));
    assert_eq!(queue.drain(Duration::from_secs(5)).await, 0);
    let ids: Vec<String> = log
        .lock()
        .unwrap()
        .iter()
        .map(|(id, _, _)| id.clone())
        .collect();
    assert_eq!(ids.len(), 5, "{ids:?}");
    assert!(
        ids.iter()
            .all(|id| !id.starts_with("c") || id == "c1" || id == "c2"),
        "{ids:?}"
    );
}

#[tokio::test]
async fn a_full_queue_still_accepts_what_a_waiting_job_covers() {
    let (handler, _log) = recording(Duration::from_millis(50));
    let queue = Queue::new(1, 1, handler);
    let comment = |id: &str| job_as(id, Coalescing::Reconcile);
    assert_eq!(queue.push(lane("issue 1"), comment("c1")), Enqueued::Queued);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert_eq!(queue.push(lane("issue 1"), comment("c2")), Enqueued::Queued);
    assert_eq!(queue.push(lane("issue 2"), comment("d1")), Enqueued::Full);
    assert_eq!(
        queue.push(lane("issue 1"), comment("c3")),
        Enqueued::Coalesced
    );
    assert_eq!(queue.drain(Duration::from_secs(5)).await, 0);
}
