//! `firebreak serve` under load: a load generator on loopback sends signed deliveries to the
//! real binary and measures how many are acknowledged per second, how long each answer takes,
//! and the process's resident memory (`VmRSS` in `/proc/<pid>/status`) idle and under load.
//!
//! The deliveries are real `issue_comment` payloads (GitHub's example, about 9 KB), spread over
//! `ISSUES` incidents as an organization's traffic is: each is checked (signature, JSON, the
//! dispatcher's route), queued and answered 202, then handled for real against the in-memory
//! GitHub (the installation exists; each run reads the issue, its comments and its timeline and
//! reconciles). Handling is slower than answering, so a burst waits: a delivery whose issue
//! already has a job waiting is coalesced into it (no job of its own), so the queue holds at
//! most one waiting job per issue. The server runs with its defaults (queue of 2,000).
//!
//! - `app_ack_one_delivery`: one delivery at a time, answer time (criterion);
//! - then a load run (printed): `LOAD_DELIVERIES` deliveries over `LOAD_CONNECTIONS` keep-alive
//!   connections, as fast as they are answered: throughput, p50 and p99 answer time, memory,
//!   refusals, and how many runs the deliveries made;
//! - then a backlog run (printed, `--bench` only): what a queued job costs when nothing can
//!   coalesce. A second server with an unbounded queue gets `LOAD_DELIVERIES` `issues` labeled
//!   deliveries (a hand-made change keeps its own job) for an installation whose token request
//!   the in-memory GitHub holds up, so nothing is handled and every job stays queued: the growth
//!   of resident memory over the idle figure, per job.
//!
//! `cargo bench --bench app` (under `cargo test --all-targets`, criterion runs once and the load
//! run is a short smoke run).

use std::process::{Child, Command, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use criterion::{Criterion, criterion_group, criterion_main};
use fake_github::{AppSpec, FakeGitHub, Fault, FaultKind, UserKind, payload, signature};

const BINARY: &str = env!("CARGO_BIN_EXE_firebreak");
const APP: u64 = 42;
const SECRET: &str = "bench-secret";
const REPO: &str = "acme/bench";
/// The App's installation on the repository: handling is a real run.
const INSTALLATION: u64 = 4_242;
/// The backlog run's installation: the in-memory GitHub holds up its token request, so none of
/// its jobs is handled while the run lasts.
const HELD_INSTALLATION: u64 = 999_999;
const LOAD_DELIVERIES: usize = 20_000;
/// Issues the deliveries are spread over (each is its own lane of the queue).
const ISSUES: u64 = 64;
const LOAD_CONNECTIONS: usize = 32;

struct Server {
    child: Child,
    /// The webhook.
    url: String,
    metrics: String,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// A delivery's body and its signature.
type Signed = (Vec<u8>, String);

/// The in-memory GitHub with the App registered, `firebreak serve` for it, and one signed
/// delivery per issue.
fn start() -> (FakeGitHub, Server, Vec<Signed>) {
    let fake = FakeGitHub::start_background("127.0.0.1:0").expect("start the fake");
    fake.add_app(&AppSpec {
        id: APP,
        slug: "firebreak-bench".into(),
        name: "firebreak-bench".into(),
        owner: "acme".into(),
        public_key_pem: include_str!("../tests/fixtures/app/throwaway-public.pem").into(),
        webhook_secret: SECRET.into(),
    })
    .expect("register the App");
    fake.add_repo(REPO);
    fake.add_user("alice", UserKind::User);
    fake.set_permission(REPO, "alice", "write");
    fake.install(APP, INSTALLATION, "acme", &[REPO]);
    let bodies = (0..ISSUES)
        .map(|k| {
            let n = fake
                .create_issue(
                    REPO,
                    "alice",
                    &format!("Queue backlog {k}"),
                    "",
                    &["incident"],
                )
                .number;
            let c = fake
                .create_comment(REPO, n, "alice", "Consumers restarted")
                .id;
            sign(with_installation(
                payload::issue_comment(&fake, REPO, n, c, "created"),
                INSTALLATION,
            ))
        })
        .collect();
    let server = serve(&fake, &[]);
    (fake, server, bodies)
}

/// The payload with GitHub's `installation` put in.
fn with_installation(body: Vec<u8>, installation: u64) -> Vec<u8> {
    let mut value: serde_json::Value = serde_json::from_slice(&body).unwrap();
    value["installation"] = serde_json::json!({ "id": installation });
    serde_json::to_vec(&value).unwrap()
}

/// The body and its signature.
fn sign(body: Vec<u8>) -> Signed {
    let signed = signature(SECRET, &body);
    (body, signed)
}

/// `firebreak serve` for the App on `fake`, with its defaults but for `env`.
fn serve(fake: &FakeGitHub, env: &[(&str, &str)]) -> Server {
    let mut command = Command::new(BINARY);
    command
        .arg("serve")
        .env_clear()
        .env("FIREBREAK_APP_ID", APP.to_string())
        .env(
            "FIREBREAK_PRIVATE_KEY_PATH",
            concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/tests/fixtures/app/throwaway-pkcs1.pem"
            ),
        )
        .env("FIREBREAK_WEBHOOK_SECRET", SECRET)
        .env("FIREBREAK_LISTEN", "127.0.0.1:0")
        .env("GITHUB_API_URL", fake.url())
        .env("FIREBREAK_SWEEP_INTERVAL", "off")
        .env("FIREBREAK_REDELIVERY_INTERVAL", "off");
    for (name, value) in env {
        command.env(name, value);
    }
    let mut child = command
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start firebreak serve");
    let stderr = child.stderr.take().unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        use std::io::BufRead as _;
        for line in std::io::BufReader::new(stderr)
            .lines()
            .map_while(Result::ok)
        {
            if let Some(addr) = line.strip_prefix("firebreak serve: listening on ") {
                let _ = tx.send(addr.to_string());
            }
        }
    });
    let addr = rx
        .recv_timeout(Duration::from_secs(30))
        .expect("firebreak serve listens");
    Server {
        child,
        url: format!("http://{addr}/webhook"),
        metrics: format!("http://{addr}/metrics"),
    }
}

/// Resident memory of a process, in MiB (`VmRSS`, or `VmHWM` for the peak).
fn memory(pid: u32, field: &str) -> f64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix(&format!("{field}:")))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

static NEXT: AtomicUsize = AtomicUsize::new(0);

/// Sends one signed `event` delivery with a new id, for the next issue in turn; answers its
/// status.
async fn deliver(client: &reqwest::Client, url: &str, event: &str, bodies: &[Signed]) -> u16 {
    let id = NEXT.fetch_add(1, Ordering::Relaxed);
    let (body, signed) = &bodies[id % bodies.len()];
    client
        .post(url)
        .header("content-type", "application/json")
        .header("x-github-event", event)
        .header("x-github-delivery", format!("bench-{id}"))
        .header("x-hub-signature-256", signed)
        .body(body.to_vec())
        .send()
        .await
        .map(|r| r.status().as_u16())
        .unwrap_or(0)
}

fn bench(c: &mut Criterion) {
    let (fake, server, bodies) = start();
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let client = reqwest::Client::new();
    // Warm up: the App's JWT, GitHub's `GET /app`, connections.
    runtime.block_on(async {
        for _ in 0..20 {
            assert_eq!(
                deliver(&client, &server.url, "issue_comment", &bodies).await,
                202
            );
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    });
    let idle = memory(server.child.id(), "VmRSS");

    c.bench_function("app_ack_one_delivery", |b| {
        b.iter(|| {
            let status = runtime.block_on(deliver(&client, &server.url, "issue_comment", &bodies));
            assert_eq!(status, 202);
        })
    });

    let full = std::env::args().any(|a| a == "--bench");
    let (total, connections) = if full {
        (LOAD_DELIVERIES, LOAD_CONNECTIONS)
    } else {
        (400, 8)
    };
    let report = runtime.block_on(load(&server, "issue_comment", &bodies, total, connections));
    let (runs, coalesced) = runtime.block_on(settle(&client, &server));
    println!(
        "app_load: {total} deliveries over {connections} connections: {:.0} acknowledged/s, answer p50 {:.2} ms, p99 {:.2} ms, max {:.2} ms; {} not 202; resident memory idle {idle:.1} MiB, under load up to {:.1} MiB (peak {:.1} MiB); {runs} runs ({coalesced} deliveries coalesced) since start",
        report.per_second,
        report.p50_ms,
        report.p99_ms,
        report.max_ms,
        report.refused,
        report.rss_max,
        memory(server.child.id(), "VmHWM"),
    );
    if full {
        runtime.block_on(backlog(&fake, total, connections));
    }
}

/// A metric's sum over its series whose labels include `labels`.
fn metric(text: &str, name: &str, labels: &str) -> f64 {
    text.lines()
        .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
        .filter(|l| l.contains(labels))
        .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
        .sum()
}

/// Waits until the server has handled everything; answers (runs, deliveries coalesced).
async fn settle(client: &reqwest::Client, server: &Server) -> (u64, u64) {
    let started = Instant::now();
    loop {
        let text = client
            .get(&server.metrics)
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        let busy = metric(&text, "firebreak_queue_depth", "")
            + metric(&text, "firebreak_queue_in_flight", "");
        if busy == 0.0 || started.elapsed() > Duration::from_secs(120) {
            return (
                metric(&text, "firebreak_deliveries_handled_total", "") as u64,
                metric(
                    &text,
                    "firebreak_webhook_deliveries_total",
                    "outcome=\"coalesced\"",
                ) as u64,
            );
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// What a queued job costs when nothing can coalesce: a server with an unbounded queue whose
/// installation's token request is held up gets `total` hand-made changes (`issues` labeled:
/// each keeps its job) over the same issues; resident memory before and after.
async fn backlog(fake: &FakeGitHub, total: usize, connections: usize) {
    fake.inject(Fault {
        method: Some(http::Method::POST),
        path_contains: format!("/app/installations/{HELD_INSTALLATION}/access_tokens"),
        kind: FaultKind::Delay(Duration::from_secs(600)),
        times: 1,
    });
    let server = serve(fake, &[("FIREBREAK_QUEUE", "1000000")]);
    let bodies: Vec<Signed> = fake
        .issue_numbers(REPO)
        .into_iter()
        .map(|n| {
            sign(with_installation(
                payload::issues(fake, REPO, n, "labeled", "alice", Some("incident"), None),
                HELD_INSTALLATION,
            ))
        })
        .collect();
    let client = reqwest::Client::new();
    for _ in 0..20 {
        assert_eq!(deliver(&client, &server.url, "issues", &bodies).await, 202);
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let idle = memory(server.child.id(), "VmRSS");
    let report = load(&server, "issues", &bodies, total, connections).await;
    tokio::time::sleep(Duration::from_millis(500)).await;
    let held = memory(server.child.id(), "VmRSS");
    let text = client
        .get(&server.metrics)
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    let queued = metric(&text, "firebreak_queue_depth", "");
    println!(
        "app_backlog: {total} issues.labeled deliveries, none handled: {} not 202, {queued} jobs waiting; resident memory {idle:.1} MiB before, {held:.1} MiB after: {:.2} KiB per queued job",
        report.refused,
        (held - idle) * 1024.0 / queued.max(1.0),
    );
}

struct Report {
    per_second: f64,
    p50_ms: f64,
    p99_ms: f64,
    max_ms: f64,
    refused: usize,
    rss_max: f64,
}

/// `total` deliveries over `connections` concurrent senders, as fast as answered.
async fn load(
    server: &Server,
    event: &str,
    bodies: &[Signed],
    total: usize,
    connections: usize,
) -> Report {
    let sent = Arc::new(AtomicUsize::new(0));
    let bodies: Arc<[Signed]> = bodies.into();
    let pid = server.child.id();
    let sampling = Arc::new(std::sync::atomic::AtomicBool::new(true));
    let sampler = {
        let sampling = sampling.clone();
        tokio::spawn(async move {
            let mut most: f64 = 0.0;
            while sampling.load(Ordering::Relaxed) {
                most = most.max(memory(pid, "VmRSS"));
                tokio::time::sleep(Duration::from_millis(20)).await;
            }
            most
        })
    };
    let started = Instant::now();
    let mut senders = Vec::new();
    for _ in 0..connections {
        let (sent, bodies, url, event) = (
            sent.clone(),
            bodies.clone(),
            server.url.clone(),
            event.to_string(),
        );
        senders.push(tokio::spawn(async move {
            let client = reqwest::Client::new();
            let mut latencies = Vec::new();
            let mut refused = 0;
            while sent.fetch_add(1, Ordering::Relaxed) < total {
                let at = Instant::now();
                if deliver(&client, &url, &event, &bodies).await != 202 {
                    refused += 1;
                }
                latencies.push(at.elapsed());
            }
            (latencies, refused)
        }));
    }
    let mut latencies = Vec::new();
    let mut refused = 0;
    for sender in senders {
        let (l, r) = sender.await.unwrap();
        latencies.extend(l);
        refused += r;
    }
    let elapsed = started.elapsed();
    sampling.store(false, Ordering::Relaxed);
    let rss_max = sampler.await.unwrap();
    latencies.sort();
    let at = |q: f64| {
        latencies[((latencies.len() as f64 * q) as usize).min(latencies.len() - 1)].as_secs_f64()
            * 1000.0
    };
    Report {
        per_second: latencies.len() as f64 / elapsed.as_secs_f64(),
        p50_ms: at(0.50),
        p99_ms: at(0.99),
        max_ms: at(1.0),
        refused,
        rss_max,
    }
}

criterion_group!(benches, bench);
criterion_main!(benches);
