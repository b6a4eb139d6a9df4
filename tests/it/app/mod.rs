//! `firebreak serve`, the GitHub App, as a real process against the in-memory GitHub (behind
//! Prism in the conformance lane): deliveries are made by the fake as GitHub makes them (signed,
//! with the installation put in, logged for the delivery log).
//!
//! Each test registers its own App on the shared fake (its own id, slug, secret and
//! installations), so listing "every installation" sees only the test's own.

mod bad_input;
mod board;
mod coalescing;
mod config_cache;
mod process;
mod recovery;
mod replicas;
mod serve;
mod shutdown;
mod sweep;
mod tokens;

use std::io::{BufRead as _, BufReader};
use std::process::{Child, Command, ExitStatus, Stdio};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fake_github::{AppSpec, Delivered, FakeGitHub};

use crate::support::{self, Repo};

/// The throwaway key the fake checks App JWTs with (see tests/fixtures/app/README.md).
pub const PRIVATE_KEY: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/fixtures/app/throwaway-pkcs1.pem"
);
const PUBLIC_KEY: &str = include_str!("../../fixtures/app/throwaway-public.pem");

/// How long a test waits for the App to finish handling what it was sent.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// An App registered on the shared fake.
pub struct App {
    pub id: u64,
    pub slug: String,
    pub secret: String,
    pub fake: FakeGitHub,
    pub api_url: String,
}

static NEXT_ID: AtomicU64 = AtomicU64::new(7_000);

/// Registers a new App on the shared fake.
pub fn register(name: &str) -> App {
    let harness = support::github();
    let id = NEXT_ID.fetch_add(1, Ordering::SeqCst);
    let slug = format!("{name}-{id}");
    let secret = format!("secret-{id}");
    harness
        .fake
        .add_app(&AppSpec {
            id,
            slug: slug.clone(),
            name: slug.clone(),
            owner: "acme".into(),
            public_key_pem: PUBLIC_KEY.into(),
            webhook_secret: secret.clone(),
        })
        .expect("register the App");
    App {
        id,
        slug,
        secret,
        fake: harness.fake.clone(),
        api_url: harness.api_url.clone(),
    }
}

impl App {
    /// The login the App writes as.
    pub fn bot(&self) -> String {
        format!("{}[bot]", self.slug)
    }

    /// Installs the App on `repos`; answers the installation id.
    pub fn install(&self, repos: &[&Repo]) -> u64 {
        let installation = NEXT_ID.fetch_add(1, Ordering::SeqCst) * 10;
        let names: Vec<&str> = repos.iter().map(|r| r.name.as_str()).collect();
        self.fake.install(self.id, installation, "acme", &names);
        installation
    }

    /// Starts `firebreak serve` for this App (timers off unless `env` turns them on).
    pub fn serve(&self, env: &[(&str, &str)]) -> Server {
        let mut command = Command::new(support::binary());
        command
            .arg("serve")
            .env_clear()
            .env("FIREBREAK_APP_ID", self.id.to_string())
            .env("FIREBREAK_PRIVATE_KEY_PATH", PRIVATE_KEY)
            .env("FIREBREAK_WEBHOOK_SECRET", &self.secret)
            .env("FIREBREAK_LISTEN", "127.0.0.1:0")
            .env("GITHUB_API_URL", &self.api_url)
            // GraphQL straight to the in-memory GitHub (Prism, in the conformance lane, has none).
            .env("GITHUB_GRAPHQL_URL", self.fake.graphql_url())
            .env("FIREBREAK_SWEEP_INTERVAL", "off")
            .env("FIREBREAK_REDELIVERY_INTERVAL", "off")
            .env("FIREBREAK_LOG", "firebreak=info");
        for (name, value) in env {
            command.env(name, value);
        }
        Server::start(command, self.id, self.fake.clone())
    }
}

/// A running `firebreak serve`; killed when dropped.
pub struct Server {
    child: Option<Child>,
    pub url: String,
    log: Arc<Mutex<String>>,
    app: u64,
    fake: FakeGitHub,
    http: reqwest::Client,
}

impl Server {
    fn start(mut command: Command, app: u64, fake: FakeGitHub) -> Server {
        let mut child = command
            .stdout(Stdio::null())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start firebreak serve");
        let stderr = child.stderr.take().expect("stderr is piped");
        let log = Arc::new(Mutex::new(String::new()));
        let (tx, rx) = std::sync::mpsc::channel();
        let sink = log.clone();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                if let Some(addr) = line.strip_prefix("firebreak serve: listening on ") {
                    let _ = tx.send(addr.to_string());
                }
                let mut log = sink.lock().unwrap();
                log.push_str(&line);
                log.push('\n');
            }
        });
        let addr = match rx.recv_timeout(Duration::from_secs(30)) {
            Ok(addr) => addr,
            Err(_) => {
                let _ = child.kill();
                panic!("firebreak serve did not start:\n{}", log.lock().unwrap());
            }
        };
        Server {
            child: Some(child),
            url: format!("http://{addr}"),
            log,
            app,
            fake,
            http: reqwest::Client::new(),
        }
    }

    /// The webhook URL.
    pub fn webhook(&self) -> String {
        format!("{}/webhook", self.url)
    }

    /// GitHub delivers `event` to this server (signed, installation put in, logged).
    pub async fn deliver(&self, event: &str, payload: &[u8]) -> Delivered {
        self.fake
            .deliver(self.app, &self.webhook(), event, payload)
            .await
    }

    /// Everything the process logged so far.
    pub fn log(&self) -> String {
        self.log.lock().unwrap().clone()
    }

    pub async fn get(&self, path: &str) -> (u16, String) {
        let response = self
            .http
            .get(format!("{}{path}", self.url))
            .send()
            .await
            .expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// POSTs `body` to `/webhook` with exactly `headers`.
    pub async fn post(&self, headers: &[(&str, &str)], body: Vec<u8>) -> (u16, String) {
        let mut request = self.http.post(self.webhook()).body(body);
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        let response = request.send().await.expect("the server answers");
        let status = response.status().as_u16();
        (status, response.text().await.unwrap_or_default())
    }

    /// The sum of a metric's series.
    pub async fn metric(&self, name: &str) -> f64 {
        let (_, text) = self.get("/metrics").await;
        text.lines()
            .filter(|l| l.starts_with(name) && l[name.len()..].starts_with(['{', ' ']))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// The sum of a metric's series whose labels include `labels` (`outcome="coalesced"`).
    pub async fn series(&self, name: &str, labels: &str) -> f64 {
        let (_, text) = self.get("/metrics").await;
        text.lines()
            .filter(|l| l.starts_with(&format!("{name}{{")) && l.contains(labels))
            .filter_map(|l| l.rsplit(' ').next()?.parse::<f64>().ok())
            .sum()
    }

    /// Waits until `n` deliveries were dealt with (handled, whatever the outcome, or coalesced
    /// into a job that then ran) and nothing is queued or running.
    pub async fn wait_handled(&self, n: usize) {
        let start = Instant::now();
        loop {
            let handled = self.metric("firebreak_deliveries_handled_total").await as usize;
            let coalesced = self
                .series(
                    "firebreak_webhook_deliveries_total",
                    "outcome=\"coalesced\"",
                )
                .await as usize;
            let busy = self.metric("firebreak_queue_depth").await
                + self.metric("firebreak_queue_in_flight").await;
            if handled + coalesced >= n && busy == 0.0 {
                return;
            }
            assert!(
                start.elapsed() < PATIENCE,
                "{handled} of {n} jobs handled ({coalesced} coalesced) after {PATIENCE:?}; log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Waits until the log holds `text`.
    pub async fn wait_log(&self, text: &str) {
        let start = Instant::now();
        while !self.log().contains(text) {
            assert!(
                start.elapsed() < PATIENCE,
                "`{text}` never logged; log:\n{}",
                self.log()
            );
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }

    /// Sends SIGTERM and waits for the process to exit.
    pub fn terminate(&mut self) -> ExitStatus {
        self.signal_term();
        self.wait_exit()
    }

    /// Sends SIGTERM.
    pub fn signal_term(&self) {
        let child = self.child.as_ref().expect("running");
        let status = Command::new("kill")
            .args(["-TERM", &child.id().to_string()])
            .status()
            .expect("kill runs");
        assert!(status.success());
    }

    /// Waits for the process to exit.
    pub fn wait_exit(&mut self) -> ExitStatus {
        let mut child = self.child.take().expect("running");
        let start = Instant::now();
        loop {
            if let Some(status) = child.try_wait().expect("wait") {
                return status;
            }
            if start.elapsed() > PATIENCE {
                let _ = child.kill();
                panic!(
                    "firebreak serve did not exit after SIGTERM; log:\n{}",
                    self.log()
                );
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(mut child) = self.child.take() {
            let _ = child.kill();
            let _ = child.wait();
        }
    }
}

/// Methods and paths of the writes made to `repo` since `from` requests.
pub fn writes(repo: &Repo, from: usize) -> Vec<String> {
    repo.requests()
        .into_iter()
        .skip(from)
        .filter(|r| r.method != http::Method::GET)
        .map(|r| format!("{} {} -> {}", r.method, r.path, r.status))
        .collect()
}

/// Waits until `check` holds (polling the fake), or fails with `what`.
pub async fn eventually(what: &str, mut check: impl FnMut() -> bool) {
    let start = Instant::now();
    while !check() {
        assert!(start.elapsed() < PATIENCE, "never: {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}
