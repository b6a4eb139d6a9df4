//! Prism (Stoplight's OpenAPI validating proxy) in front of the in-memory GitHub.
//!
//! With `FIREBREAK_CONFORMANCE_DIR` set (see `scripts/conformance-setup` and CONFORMANCE.md),
//! [`start`] runs `prism proxy --errors` with GitHub's published REST description (patched so
//! that Prism really validates) in front of an upstream, once per test process and upstream,
//! and returns the proxy's base URL. Every request that goes through it is checked against the
//! description, and so is every response of the upstream:
//!
//! - a request that breaks the description is answered by Prism itself with **422**
//!   `application/problem+json`, `type` ending in `#UNPROCESSABLE_ENTITY`, and a `validation`
//!   array of `{location, severity, code, message}`; it never reaches the upstream;
//! - a response that breaks it is replaced by **500** `application/problem+json`, `type` ending
//!   in `#VIOLATIONS` (title "Request/Response not valid"), with the same `validation` array.
//!
//! Either way Firebreak's client sees a failed call carrying Prism's message, so a test that
//! drives the client through the proxy fails with it.
//!
//! What Prism cannot check: `/graphql` (not in the REST description; answered 404
//! `#NO_PATH_MATCHED_ERROR`, so GraphQL must bypass the proxy), and an upstream **501** which
//! Prism "remocks" into a made-up success (the in-memory GitHub answers 404 for what it does not
//! serve, never 501). `Link` headers of paginated responses point at the upstream, not at the
//! proxy: follow them and the later pages bypass Prism.
//!
//! Prism dies with the test process: it runs in its own process group (a Ctrl-C at the terminal
//! does not reach it), watched by a small `sh`, also in a group of its own, whose standard input
//! is a pipe held open by this process. When the test process exits, for whatever reason (even
//! SIGKILL), the kernel closes the pipe, `read` returns, and the watchdog kills Prism and removes
//! its log.

use std::io::Read as _;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::os::unix::process::CommandExt as _;
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// The patched REST description written by `scripts/conformance-setup`.
pub const PATCHED_SPEC: &str = "api.github.com.patched.json";

/// How long Prism may take to load the description and listen (about 8 s on 2 cores).
const STARTUP_LIMIT: Duration = Duration::from_secs(120);

/// `sh -c WATCHDOG firebreak-prism-watchdog <prism pid> <log>`: wait for end of input (this
/// process is gone), then stop Prism (TERM, then KILL after 5 s) and remove its log (an empty
/// `<log>` keeps it: `FIREBREAK_PRISM_KEEP_LOG=1`). Prism is a
/// single node process; `kill` by pid works in every `sh` (dash's builtin refuses `-pgid`).
const WATCHDOG: &str = r#"read _ignored
kill -TERM "$1" 2>/dev/null
i=0
while kill -0 "$1" 2>/dev/null && [ "$i" -lt 50 ]; do sleep 0.1; i=$((i + 1)); done
kill -KILL "$1" 2>/dev/null
[ -z "$2" ] || rm -f "$2""#;

struct Running {
    url: String,
    // Held for the life of the process: closing it (at exit) is what stops Prism.
    _watchdog_stdin: ChildStdin,
    _watchdog: Child,
    _prism: Child,
}

static RUNNING: Mutex<Vec<(String, Running)>> = Mutex::new(Vec::new());

/// The conformance cache, when the lane is on (`FIREBREAK_CONFORMANCE_DIR` set and not empty).
pub fn conformance_dir() -> Option<PathBuf> {
    std::env::var_os("FIREBREAK_CONFORMANCE_DIR")
        .filter(|v| !v.is_empty())
        .map(PathBuf::from)
}

/// Start Prism in front of `upstream` (once per test process and upstream) and return its base
/// URL, e.g. `http://127.0.0.1:41234`; `None` when `FIREBREAK_CONFORMANCE_DIR` is not set.
///
/// Panics when the lane is on but Prism cannot be started: the lane never skips silently.
pub fn start(upstream: &str) -> Option<String> {
    let dir = conformance_dir()?;
    let upstream = upstream.trim_end_matches('/').to_string();
    let mut running = RUNNING.lock().unwrap_or_else(|e| e.into_inner());
    if let Some((_, r)) = running.iter().find(|(u, _)| *u == upstream) {
        return Some(r.url.clone());
    }
    let r = spawn(&dir, &upstream);
    let url = r.url.clone();
    running.push((upstream, r));
    Some(url)
}

fn spawn(dir: &Path, upstream: &str) -> Running {
    let spec = dir.join(PATCHED_SPEC);
    let prism = dir.join("node_modules").join(".bin").join("prism");
    for (what, path) in [("patched REST description", &spec), ("prism", &prism)] {
        assert!(
            path.exists(),
            "conformance lane: FIREBREAK_CONFORMANCE_DIR={} has no {what} ({}); \
             run scripts/conformance-setup (or unset FIREBREAK_CONFORMANCE_DIR to skip the lane)",
            dir.display(),
            path.display()
        );
    }

    let port = free_port();
    let log =
        std::env::temp_dir().join(format!("firebreak-prism-{}-{port}.log", std::process::id()));
    let log_file = std::fs::File::create(&log)
        .unwrap_or_else(|e| panic!("conformance lane: cannot create {}: {e}", log.display()));
    let log_err = log_file
        .try_clone()
        .unwrap_or_else(|e| panic!("conformance lane: cannot dup log file: {e}"));

    let started = Instant::now();
    let mut prism_child = Command::new(&prism)
        .arg("proxy")
        .arg("--errors")
        .args(["-h", "127.0.0.1", "-p", &port.to_string()])
        .arg(&spec)
        .arg(upstream)
        .env("SCARF_ANALYTICS", "false")
        .env("NO_COLOR", "1")
        .stdin(Stdio::null())
        .stdout(log_file)
        .stderr(log_err)
        // Its own process group: a Ctrl-C at the terminal reaches the test process only; the
        // watchdog then stops Prism.
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| {
            panic!(
                "conformance lane: cannot run {} (is node installed?): {e}",
                prism.display()
            )
        });
    let pid = prism_child.id();

    // The watchdog: blocks on its standard input until this process is gone.
    let mut watchdog = Command::new("sh")
        .arg("-c")
        .arg(WATCHDOG)
        .arg("firebreak-prism-watchdog")
        .arg(pid.to_string())
        .arg(if std::env::var_os("FIREBREAK_PRISM_KEEP_LOG").is_some() {
            PathBuf::new()
        } else {
            log.clone()
        })
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .process_group(0)
        .spawn()
        .unwrap_or_else(|e| {
            let _ = prism_child.kill();
            panic!("conformance lane: cannot start the watchdog shell for prism: {e}")
        });
    let watchdog_stdin = watchdog.stdin.take().expect("piped stdin");

    let addr = SocketAddr::from(([127, 0, 0, 1], port));
    loop {
        if TcpStream::connect_timeout(&addr, Duration::from_millis(200)).is_ok() {
            break;
        }
        let failure = match prism_child.try_wait() {
            Ok(Some(status)) => Some(format!("prism exited ({status})")),
            Ok(None) if started.elapsed() > STARTUP_LIMIT => Some(format!(
                "prism did not listen on {addr} within {}s",
                STARTUP_LIMIT.as_secs()
            )),
            Ok(None) => None,
            Err(e) => Some(format!("cannot wait for prism: {e}")),
        };
        if let Some(failure) = failure {
            let _ = prism_child.kill();
            let _ = watchdog.kill();
            let tail = log_tail(&log, 4000);
            let _ = std::fs::remove_file(&log);
            panic!(
                "conformance lane: {failure}\n  command: {} proxy --errors -h 127.0.0.1 -p {port} {} {upstream}\n  log tail:\n{tail}",
                prism.display(),
                spec.display()
            );
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    eprintln!(
        "conformance lane: prism proxy http://{addr} -> {upstream} up in {:.1}s (log {})",
        started.elapsed().as_secs_f64(),
        log.display()
    );
    Running {
        url: format!("http://{addr}"),
        _watchdog_stdin: watchdog_stdin,
        _watchdog: watchdog,
        _prism: prism_child,
    }
}

fn free_port() -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0")
        .unwrap_or_else(|e| panic!("conformance lane: cannot find a free port: {e}"));
    listener.local_addr().expect("local addr").port()
}

fn log_tail(path: &Path, max: usize) -> String {
    let mut s = String::new();
    if let Ok(mut f) = std::fs::File::open(path) {
        let _ = f.read_to_string(&mut s);
    }
    let start = s.len().saturating_sub(max);
    let start = (start..s.len())
        .find(|i| s.is_char_boundary(*i))
        .unwrap_or(s.len());
    s[start..].to_string()
}

/// What Prism says about one call: `None` when the status and body are not Prism's own
/// problem reports, otherwise a readable list of its validation messages.
pub fn violation(status: u16, body: &str) -> Option<String> {
    let v: serde_json::Value = serde_json::from_str(body).ok()?;
    let kind = v.get("type")?.as_str()?;
    if !kind.contains("stoplight.io/prism/errors#") {
        return None;
    }
    let mut out = format!(
        "prism {status} {}: {}",
        kind.rsplit('#').next().unwrap_or(kind),
        v.get("title").and_then(|t| t.as_str()).unwrap_or("")
    );
    if let Some(items) = v.get("validation").and_then(|x| x.as_array()) {
        for item in items {
            let location = item
                .get("location")
                .and_then(|l| l.as_array())
                .map(|l| {
                    l.iter()
                        .map(|p| p.as_str().map_or_else(|| p.to_string(), str::to_string))
                        .collect::<Vec<_>>()
                        .join(".")
                })
                .unwrap_or_default();
            let message = item.get("message").and_then(|m| m.as_str()).unwrap_or("");
            out.push_str(&format!("\n  - [{location}] {message}"));
        }
    } else if let Some(detail) = v.get("detail").and_then(|d| d.as_str()) {
        out.push_str(&format!("\n  - {detail}"));
    }
    Some(out)
}
