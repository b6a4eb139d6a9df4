//! The HTTP side: one axum fallback handler that logs, applies faults and dispatches.

use axum::body::Body;
use axum::extract::{Request, State};
use axum::response::Response;
use percent_encoding::percent_decode_str;
use serde_json::{Value, json};

use super::FakeGitHub;
use super::faults::{self, FaultKind};
use super::http_util::{DOCS, Req, Resp, error, status_message};
use super::routes;
use super::state::RequestRecord;

const MAX_BODY: usize = 16 * 1024 * 1024;

impl FakeGitHub {
    /// Serve on 127.0.0.1:0 inside the current tokio runtime.
    pub async fn start() -> anyhow::Result<FakeGitHub> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
        let addr = listener.local_addr()?;
        let fake = FakeGitHub::new(format!("http://{addr}"));
        let app = router(fake.clone());
        tokio::spawn(async move {
            if let Err(e) = axum::serve(listener, app).await {
                tracing::error!("fake GitHub stopped: {e}");
            }
        });
        Ok(fake)
    }

    /// Serve on a dedicated background thread with its own runtime, so one instance can be shared by
    /// many `#[tokio::test]`s. `addr` e.g. "127.0.0.1:0".
    pub fn start_background(addr: &str) -> anyhow::Result<FakeGitHub> {
        let std_listener = std::net::TcpListener::bind(addr)?;
        std_listener.set_nonblocking(true)?;
        let local = std_listener.local_addr()?;
        let fake = FakeGitHub::new(format!("http://{local}"));
        let app = router(fake.clone());
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(2)
            .thread_name("fake-github")
            .enable_all()
            .build()?;
        let (tx, rx) = std::sync::mpsc::channel::<anyhow::Result<()>>();
        std::thread::Builder::new()
            .name("fake-github".into())
            .spawn(move || {
                rt.block_on(async move {
                    let listener = match tokio::net::TcpListener::from_std(std_listener) {
                        Ok(l) => {
                            let _ = tx.send(Ok(()));
                            l
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e.into()));
                            return;
                        }
                    };
                    if let Err(e) = axum::serve(listener, app).await {
                        tracing::error!("fake GitHub stopped: {e}");
                    }
                });
            })?;
        rx.recv()
            .map_err(|_| anyhow::anyhow!("fake GitHub thread died while starting"))??;
        Ok(fake)
    }
}

fn router(fake: FakeGitHub) -> axum::Router {
    axum::Router::new().fallback(handle).with_state(fake)
}

async fn handle(State(fake): State<FakeGitHub>, request: Request) -> Response {
    let (parts, body) = request.into_parts();
    let bytes = axum::body::to_bytes(body, MAX_BODY)
        .await
        .unwrap_or_default();
    let mut req = parse(&parts, &bytes);

    let fault = {
        let mut st = fake.lock();
        req.link_base = st.link_base.clone();
        faults::take(&mut st.faults, &req.method, &req.path)
    };
    if let Some(FaultKind::Delay(d)) = &fault {
        tokio::time::sleep(*d).await;
    }
    let resp = match fault {
        Some(FaultKind::Status(status)) => error(status, status_message(status)),
        Some(FaultKind::RateLimit {
            status,
            retry_after_secs,
        }) => rate_limited(status, retry_after_secs),
        Some(FaultKind::ApplyThenStatus(status)) => {
            let _ = dispatch(&fake, &req);
            error(status, status_message(status))
        }
        Some(FaultKind::Delay(_)) | None => dispatch(&fake, &req),
    };

    // A classic token's scopes ride on every answer, as on GitHub.
    let scopes = req
        .token
        .as_ref()
        .and_then(|t| fake.lock().token_scopes.get(t).cloned());
    let resp = match scopes {
        Some(scopes) => resp.header("x-oauth-scopes", scopes.join(", ")),
        None => resp,
    };
    let outbox = {
        let mut st = fake.lock();
        st.requests.push(RequestRecord {
            method: req.method.clone(),
            path: req.path.clone(),
            query: req.raw_query.clone(),
            status: resp.status,
            body: req.body.clone(),
        });
        std::mem::take(&mut st.outbox)
    };
    for out in outbox {
        let fake = fake.clone();
        tokio::spawn(async move { fake.send_outgoing(out).await });
    }
    into_response(resp)
}

/// Route the request; a bug that panics answers 500 instead of dropping the connection.
fn dispatch(fake: &FakeGitHub, req: &Req) -> Resp {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| routes::dispatch(fake, req)))
        .unwrap_or_else(|_| error(500, status_message(500)))
}

fn rate_limited(status: u16, retry_after_secs: u64) -> Resp {
    let reset = chrono::Utc::now().timestamp() + retry_after_secs as i64;
    let message = if status == 429 {
        "API rate limit exceeded. You have exceeded a secondary rate limit. Please wait a few minutes before you try again."
    } else {
        "API rate limit exceeded for installation. If you reach out to GitHub Support for help, please include the request ID."
    };
    Resp::json(
        status,
        json!({ "message": message, "documentation_url": DOCS, "status": status.to_string() }),
    )
    .header("retry-after", retry_after_secs.to_string())
    .header("x-ratelimit-limit", "5000")
    .header("x-ratelimit-remaining", "0")
    .header("x-ratelimit-used", "5000")
    .header("x-ratelimit-reset", reset.to_string())
    .header("x-ratelimit-resource", "core")
}

fn parse(parts: &http::request::Parts, bytes: &[u8]) -> Req {
    let path = parts.uri.path().to_string();
    let raw_query = parts.uri.query().unwrap_or("").to_string();
    let segs = path
        .split('/')
        .filter(|s| !s.is_empty())
        .map(|s| percent_decode_str(s).decode_utf8_lossy().into_owned())
        .collect();
    let query = raw_query
        .split('&')
        .filter(|kv| !kv.is_empty())
        .map(|kv| {
            let (k, v) = kv.split_once('=').unwrap_or((kv, ""));
            (decode_form(k), decode_form(v))
        })
        .collect();
    let header = |name: &str| {
        parts
            .headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .map(str::to_string)
    };
    let token = header("authorization").and_then(|a| {
        let a = a.trim();
        let lower = a.to_ascii_lowercase();
        ["bearer ", "token "]
            .iter()
            .find(|p| lower.starts_with(*p))
            .map(|p| a[p.len()..].trim().to_string())
            .filter(|t| !t.is_empty())
    });
    let (body, body_invalid) = if bytes.iter().all(u8::is_ascii_whitespace) {
        (Value::Null, false)
    } else {
        match serde_json::from_slice::<Value>(bytes) {
            Ok(v) => (v, false),
            Err(_) => (Value::Null, true),
        }
    };
    Req {
        method: parts.method.clone(),
        path,
        segs,
        raw_query,
        query,
        host: header("x-forwarded-host").or_else(|| header("host")),
        link_base: None,
        token,
        body,
        body_invalid,
        if_none_match: header("if-none-match"),
    }
}

fn decode_form(s: &str) -> String {
    percent_decode_str(&s.replace('+', " "))
        .decode_utf8_lossy()
        .into_owned()
}

fn into_response(resp: Resp) -> Response {
    let mut builder = Response::builder().status(resp.status);
    for (k, v) in &resp.headers {
        builder = builder.header(k.as_str(), v.as_str());
    }
    let has = |name: &str| {
        resp.headers
            .iter()
            .any(|(k, _)| k.eq_ignore_ascii_case(name))
    };
    if !has("x-ratelimit-remaining") {
        let reset = (chrono::Utc::now().timestamp() + 3600).to_string();
        for (k, v) in [
            ("x-ratelimit-limit", "5000"),
            ("x-ratelimit-remaining", "4999"),
            ("x-ratelimit-used", "1"),
            ("x-ratelimit-reset", reset.as_str()),
            ("x-ratelimit-resource", "core"),
        ] {
            builder = builder.header(k, v);
        }
    }
    builder = builder
        .header("x-github-api-version-selected", "2022-11-28")
        .header("x-github-media-type", "github.v3; format=json")
        .header("x-github-request-id", "FAKE:0000:0000");
    let body = match resp.body {
        Some(v) => {
            builder = builder.header("content-type", "application/json; charset=utf-8");
            Body::from(serde_json::to_vec(&v).unwrap_or_default())
        }
        None => Body::empty(),
    };
    builder.body(body).unwrap_or_else(|_| {
        let mut r = Response::new(Body::empty());
        *r.status_mut() = http::StatusCode::INTERNAL_SERVER_ERROR;
        r
    })
}
