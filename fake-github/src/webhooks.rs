//! Webhook deliveries, as GitHub makes them for an App: the payload gets the installation that
//! reaches its repository, the body is signed with the App's secret (`X-Hub-Signature-256`),
//! POSTed with GitHub's headers, and each attempt is logged with the status the App answered
//! (0 when it could not be reached), for `GET /app/hook/deliveries`. A redelivery keeps the
//! delivery's guid and is logged as a new attempt with `redelivery: true`.

use std::sync::Arc;
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use hmac::{Hmac, Mac};
use serde_json::{Value, json};
use sha2::Sha256;
use tokio::io::{AsyncReadExt as _, AsyncWriteExt as _};

use super::FakeGitHub;
use super::state::ts;

/// GitHub gives up on a delivery after ten seconds.
const DELIVERY_TIMEOUT: Duration = Duration::from_secs(10);

/// One delivery attempt.
#[derive(Debug, Clone)]
pub(crate) struct DeliveryRecord {
    pub id: u64,
    pub app_id: u64,
    pub guid: String,
    pub delivered_at: DateTime<Utc>,
    pub redelivery: bool,
    pub duration: f64,
    pub status_code: u16,
    pub event: String,
    pub action: Option<String>,
    pub installation_id: Option<u64>,
    pub repository_id: Option<u64>,
    pub payload: Arc<Vec<u8>>,
}

impl DeliveryRecord {
    /// `hook-delivery-item`.
    pub fn item(&self) -> Value {
        let status = match self.status_code {
            0 => "failed to connect".to_string(),
            200..=399 => "OK".to_string(),
            code => format!("Invalid HTTP Response: {code}"),
        };
        json!({
            "id": self.id,
            "guid": self.guid,
            "delivered_at": ts(self.delivered_at),
            "redelivery": self.redelivery,
            "duration": self.duration,
            "status": status,
            "status_code": self.status_code,
            "event": self.event,
            "action": self.action,
            "installation_id": self.installation_id,
            "repository_id": self.repository_id,
            "throttled_at": Value::Null,
        })
    }
}

/// A redelivery waiting to be sent (routes cannot await; the server sends it).
#[derive(Debug, Clone)]
pub(crate) struct Outgoing {
    pub url: String,
    pub secret: String,
    pub record: DeliveryRecord,
}

/// What the App answered to one delivery.
#[derive(Debug, Clone)]
pub struct Delivered {
    /// `X-GitHub-Delivery`.
    pub guid: String,
    /// The attempt's id in the delivery log.
    pub id: u64,
    /// The HTTP status, 0 when the App could not be reached in time.
    pub status: u16,
    /// The answer's body.
    pub body: String,
}

/// `sha256=<hex>` of `body` under `secret`.
pub fn signature(secret: &str, body: &[u8]) -> String {
    let mut mac = Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("any key length");
    mac.update(body);
    format!("sha256={}", hex::encode(mac.finalize().into_bytes()))
}

impl FakeGitHub {
    /// GitHub delivers `event` to the App's webhook at `url` with a new guid; see the module.
    pub async fn deliver(&self, app_id: u64, url: &str, event: &str, payload: &[u8]) -> Delivered {
        let guid = self.new_guid();
        self.deliver_with_guid(app_id, url, event, payload, &guid)
            .await
    }

    /// The same with a given guid (GitHub's redeliveries, or a duplicate delivery).
    pub async fn deliver_with_guid(
        &self,
        app_id: u64,
        url: &str,
        event: &str,
        payload: &[u8],
        guid: &str,
    ) -> Delivered {
        let (secret, payload, record) = {
            let mut st = self.lock();
            let secret = st
                .apps
                .apps
                .get(&app_id)
                .map(|a| a.secret.clone())
                .unwrap_or_default();
            let mut value: Option<Value> = serde_json::from_slice(payload).ok();
            let repository = value
                .as_ref()
                .and_then(|v| v["repository"]["full_name"].as_str())
                .map(str::to_string);
            let installation = repository
                .as_deref()
                .and_then(|r| st.installation_for(r))
                .map(|i| i.id);
            if let (Some(Value::Object(map)), Some(id)) = (value.as_mut(), installation)
                && !map.contains_key("installation")
            {
                map.insert(
                    "installation".into(),
                    json!({"id": id, "node_id": crate::shapes::node_id("MDIz", id)}),
                );
            }
            let payload = match &value {
                Some(v) if installation.is_some() => serde_json::to_vec(v).unwrap_or_default(),
                _ => payload.to_vec(),
            };
            let id = st.id();
            let record = DeliveryRecord {
                id,
                app_id,
                guid: guid.to_string(),
                delivered_at: Utc::now(),
                redelivery: false,
                duration: 0.0,
                status_code: 0,
                event: event.to_string(),
                action: value
                    .as_ref()
                    .and_then(|v| v["action"].as_str())
                    .map(str::to_string),
                installation_id: value
                    .as_ref()
                    .and_then(|v| v["installation"]["id"].as_u64()),
                repository_id: value.as_ref().and_then(|v| v["repository"]["id"].as_u64()),
                payload: Arc::new(payload.clone()),
            };
            (secret, payload, record)
        };
        self.send_logged(url, &secret, record, &payload).await
    }

    /// Sends a redelivery the delivery-log route queued.
    pub(crate) async fn send_outgoing(&self, out: Outgoing) {
        let mut record = out.record;
        record.id = self.lock().id();
        record.redelivery = true;
        record.delivered_at = Utc::now();
        let payload = record.payload.clone();
        self.send_logged(&out.url, &out.secret, record, &payload)
            .await;
    }

    async fn send_logged(
        &self,
        url: &str,
        secret: &str,
        mut record: DeliveryRecord,
        payload: &[u8],
    ) -> Delivered {
        let started = Instant::now();
        let (status, body) = post(url, &record, &signature(secret, payload), payload)
            .await
            .unwrap_or((0, String::new()));
        record.duration = started.elapsed().as_secs_f64();
        record.status_code = status;
        let delivered = Delivered {
            guid: record.guid.clone(),
            id: record.id,
            status,
            body,
        };
        self.lock().deliveries.push(record);
        delivered
    }

    fn new_guid(&self) -> String {
        let mut st = self.lock();
        let sha = st.sha("delivery");
        format!(
            "{}-{}-{}-{}-{}",
            &sha[0..8],
            &sha[8..12],
            &sha[12..16],
            &sha[16..20],
            &sha[20..32]
        )
    }

    /// Every delivery attempt so far: (guid, status answered, was a redelivery).
    pub fn deliveries(&self) -> Vec<(String, u16, bool)> {
        self.lock()
            .deliveries
            .iter()
            .map(|d| (d.guid.clone(), d.status_code, d.redelivery))
            .collect()
    }
}

/// POSTs one delivery over HTTP/1.1 and reads the status and body (`Connection: close`).
async fn post(
    url: &str,
    record: &DeliveryRecord,
    signature: &str,
    payload: &[u8],
) -> Option<(u16, String)> {
    let rest = url.strip_prefix("http://")?;
    let (host, path) = match rest.find('/') {
        Some(i) => (&rest[..i], &rest[i..]),
        None => (rest, "/"),
    };
    let exchange = async {
        let mut stream = tokio::net::TcpStream::connect(host).await.ok()?;
        let mut head = format!(
            "POST {path} HTTP/1.1\r\nHost: {host}\r\nUser-Agent: GitHub-Hookshot/fake\r\n\
             Accept: */*\r\nContent-Type: application/json\r\nContent-Length: {}\r\n\
             X-GitHub-Event: {}\r\nX-GitHub-Delivery: {}\r\nX-GitHub-Hook-ID: 1\r\n\
             X-GitHub-Hook-Installation-Target-Type: integration\r\n\
             X-GitHub-Hook-Installation-Target-ID: {}\r\nX-Hub-Signature-256: {signature}\r\n\
             Connection: close\r\n\r\n",
            payload.len(),
            record.event,
            record.guid,
            record.app_id,
        )
        .into_bytes();
        head.extend_from_slice(payload);
        stream.write_all(&head).await.ok()?;
        let mut answer = Vec::new();
        stream.read_to_end(&mut answer).await.ok()?;
        let text = String::from_utf8_lossy(&answer);
        let status = text.split(' ').nth(1)?.parse().ok()?;
        let body = text
            .split_once("\r\n\r\n")
            .map(|(_, b)| b.to_string())
            .unwrap_or_default();
        Some((status, body))
    };
    tokio::time::timeout(DELIVERY_TIMEOUT, exchange)
        .await
        .ok()
        .flatten()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// GitHub's published example ("Validating webhook deliveries").
    #[test]
    fn signature_matches_githubs_test_vector() {
        assert_eq!(
            signature("It's a Secret to Everybody", b"Hello, World!"),
            "sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17"
        );
    }
}
