//! `firebreak serve`'s settings, all from the environment (SPEC §8), checked before the server
//! binds: a missing or malformed one is a usage error (exit code 2) naming the variable. Secrets
//! are never echoed.

use std::net::SocketAddr;
use std::time::Duration;

use crate::UsageError;
use crate::config::parse_duration;
use crate::github::app::AppKey;

/// Where the server listens unless `FIREBREAK_LISTEN` says otherwise (loopback: exposing it is
/// a decision; the container image sets `0.0.0.0:3000`).
pub const DEFAULT_LISTEN: &str = "127.0.0.1:3000";

/// Deliveries handled at once (`FIREBREAK_WORKERS`). Handling is mostly waiting on GitHub, so
/// this bounds concurrent requests to GitHub per replica rather than CPU.
const DEFAULT_WORKERS: usize = 16;

/// Jobs queued before new deliveries are answered 503 (`FIREBREAK_QUEUE`): at a few hundred
/// milliseconds each, a minute's work for the default workers; GitHub's redelivery (and
/// Firebreak's own recovery of failed deliveries) brings back what a full queue refused. A
/// delivery coalesced into a waiting job takes no place, so a burst of comments fills it only
/// across thousands of issues; alerts and hand-made changes each take one.
const DEFAULT_QUEUE: usize = 2_000;

/// How often the sweep runs over every installation (`FIREBREAK_SWEEP_INTERVAL`): the
/// Action's suggested schedule is every ten minutes too.
const DEFAULT_SWEEP: Duration = Duration::from_secs(10 * 60);

/// How often failed deliveries are looked for and redelivered
/// (`FIREBREAK_REDELIVERY_INTERVAL`).
const DEFAULT_REDELIVERY: Duration = Duration::from_secs(5 * 60);

/// How long SIGTERM waits for queued deliveries (`FIREBREAK_DRAIN_TIMEOUT`): under
/// Kubernetes' default 30 s grace period.
const DEFAULT_DRAIN: Duration = Duration::from_secs(25);

/// Everything `firebreak serve` needs.
pub struct Settings {
    pub key: AppKey,
    /// The webhook secret (never logged).
    pub secret: Vec<u8>,
    pub listen: SocketAddr,
    /// `GITHUB_API_URL`.
    pub api_url: String,
    pub workers: usize,
    pub queue: usize,
    /// `None`: no timer (`off`).
    pub sweep_every: Option<Duration>,
    pub redeliver_every: Option<Duration>,
    pub drain_timeout: Duration,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("app_id", &self.key.id())
            .field("listen", &self.listen)
            .field("api_url", &self.api_url)
            .finish_non_exhaustive()
    }
}

impl Settings {
    /// Reads the settings from the process environment.
    pub fn from_env() -> Result<Settings, UsageError> {
        Self::from_vars(|name| std::env::var(name).ok().filter(|v| !v.trim().is_empty()))
    }

    /// Reads the settings from `var` (the environment, or a map in tests).
    pub fn from_vars(var: impl Fn(&str) -> Option<String>) -> Result<Settings, UsageError> {
        let missing = |name: &str, what: &str| {
            UsageError(format!(
                "{name} is not set: `firebreak serve` needs {what} (see docs/app.md)"
            ))
        };
        let app_id =
            var("FIREBREAK_APP_ID").ok_or_else(|| missing("FIREBREAK_APP_ID", "the App's id"))?;
        let app_id: u64 = app_id.trim().parse().map_err(|_| {
            UsageError(format!(
                "FIREBREAK_APP_ID `{}` is not an App id (a number, shown on the App's settings page)",
                app_id.trim()
            ))
        })?;
        let pem = match (
            var("FIREBREAK_PRIVATE_KEY"),
            var("FIREBREAK_PRIVATE_KEY_PATH"),
        ) {
            (Some(_), Some(_)) => {
                return Err(UsageError(
                    "FIREBREAK_PRIVATE_KEY and FIREBREAK_PRIVATE_KEY_PATH are both set: set one"
                        .into(),
                ));
            }
            // A PEM pasted into one line of an env file keeps its newlines as `\n`.
            (Some(text), None) => (
                "FIREBREAK_PRIVATE_KEY".to_string(),
                text.replace("\\n", "\n").into_bytes(),
            ),
            (None, Some(path)) => {
                let bytes = std::fs::read(&path).map_err(|e| {
                    UsageError(format!(
                        "FIREBREAK_PRIVATE_KEY_PATH `{path}` cannot be read: {e}"
                    ))
                })?;
                (format!("FIREBREAK_PRIVATE_KEY_PATH `{path}`"), bytes)
            }
            (None, None) => {
                return Err(missing(
                    "FIREBREAK_PRIVATE_KEY",
                    "the App's private key (or FIREBREAK_PRIVATE_KEY_PATH, a file holding it)",
                ));
            }
        };
        let key =
            AppKey::from_pem(app_id, &pem.1).map_err(|e| UsageError(format!("{}: {e}", pem.0)))?;
        let secret = var("FIREBREAK_WEBHOOK_SECRET")
            .ok_or_else(|| missing("FIREBREAK_WEBHOOK_SECRET", "the App's webhook secret"))?
            .into_bytes();
        let listen_text = var("FIREBREAK_LISTEN").unwrap_or_else(|| DEFAULT_LISTEN.to_string());
        let listen = listen_text.trim().parse::<SocketAddr>().map_err(|_| {
            UsageError(format!(
                "FIREBREAK_LISTEN `{}` is not an address and port such as 127.0.0.1:3000 or 0.0.0.0:3000",
                listen_text.trim()
            ))
        })?;
        let api_url = var("GITHUB_API_URL").unwrap_or_else(|| "https://api.github.com".into());
        api_url
            .parse::<http::Uri>()
            .ok()
            .filter(|u| u.scheme().is_some())
            .ok_or_else(|| {
                UsageError(format!(
                    "GITHUB_API_URL `{api_url}` is not a URL such as https://api.github.com"
                ))
            })?;
        Ok(Settings {
            key,
            secret,
            listen,
            api_url: api_url.trim_end_matches('/').to_string(),
            workers: count(&var, "FIREBREAK_WORKERS", DEFAULT_WORKERS)?,
            queue: count(&var, "FIREBREAK_QUEUE", DEFAULT_QUEUE)?,
            sweep_every: interval(&var, "FIREBREAK_SWEEP_INTERVAL", DEFAULT_SWEEP)?,
            redeliver_every: interval(&var, "FIREBREAK_REDELIVERY_INTERVAL", DEFAULT_REDELIVERY)?,
            drain_timeout: interval(&var, "FIREBREAK_DRAIN_TIMEOUT", DEFAULT_DRAIN)?
                .unwrap_or(Duration::ZERO),
        })
    }
}

/// A positive count, or the default when unset.
fn count(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: usize,
) -> Result<usize, UsageError> {
    match var(name) {
        None => Ok(default),
        Some(text) => text
            .trim()
            .parse::<usize>()
            .ok()
            .filter(|n| *n > 0)
            .ok_or_else(|| {
                UsageError(format!("{name} `{}` is not a positive number", text.trim()))
            }),
    }
}

/// A duration (`30s`, `10m`, `1h`), `off` (or `0`) for none, or the default when unset.
fn interval(
    var: &impl Fn(&str) -> Option<String>,
    name: &str,
    default: Duration,
) -> Result<Option<Duration>, UsageError> {
    let Some(text) = var(name) else {
        return Ok(Some(default));
    };
    if text.trim().eq_ignore_ascii_case("off") {
        return Ok(None);
    }
    let duration = parse_duration(&text)
        .and_then(|d| d.to_std().ok())
        .ok_or_else(|| {
            UsageError(format!(
                "{name} `{}` is not a duration such as 30s, 10m or 1h (or `off`)",
                text.trim()
            ))
        })?;
    Ok((!duration.is_zero()).then_some(duration))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    use super::*;

    const PKCS1: &str = include_str!("../../tests/fixtures/app/throwaway-pkcs1.pem");

    fn vars(pairs: &[(&str, &str)]) -> impl Fn(&str) -> Option<String> {
        let map: HashMap<String, String> = pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect();
        move |name| map.get(name).cloned()
    }

    fn complete() -> Vec<(&'static str, &'static str)> {
        vec![
            ("FIREBREAK_APP_ID", "42"),
            ("FIREBREAK_PRIVATE_KEY", PKCS1),
            ("FIREBREAK_WEBHOOK_SECRET", "s3cret"),
        ]
    }

    fn error(pairs: &[(&str, &str)]) -> String {
        Settings::from_vars(vars(pairs)).unwrap_err().0
    }

    #[test]
    fn defaults_listen_on_loopback_3000_and_github_com() {
        let s = Settings::from_vars(vars(&complete())).unwrap();
        assert_eq!(s.listen.to_string(), DEFAULT_LISTEN);
        assert_eq!(s.api_url, "https://api.github.com");
        assert_eq!(s.key.id(), 42);
        assert_eq!(s.secret, b"s3cret");
        assert_eq!(s.sweep_every, Some(DEFAULT_SWEEP));
        assert_eq!(s.drain_timeout, DEFAULT_DRAIN);
    }

    #[test]
    fn each_missing_setting_is_named() {
        for name in [
            "FIREBREAK_APP_ID",
            "FIREBREAK_PRIVATE_KEY",
            "FIREBREAK_WEBHOOK_SECRET",
        ] {
            let pairs: Vec<_> = complete().into_iter().filter(|(k, _)| *k != name).collect();
            let message = error(&pairs);
            assert!(
                message.starts_with(&format!("{name} is not set")),
                "{message}"
            );
        }
    }

    #[test]
    fn malformed_settings_are_named_and_secrets_are_not_echoed() {
        let with = |name: &'static str, value: &'static str| {
            let mut pairs: Vec<_> = complete().into_iter().filter(|(k, _)| *k != name).collect();
            pairs.push((name, value));
            error(&pairs)
        };
        assert!(
            with("FIREBREAK_APP_ID", "forty-two")
                .starts_with("FIREBREAK_APP_ID `forty-two` is not an App id")
        );
        let key = with("FIREBREAK_PRIVATE_KEY", "hunter2");
        assert!(
            key.starts_with("FIREBREAK_PRIVATE_KEY: not an RSA private key"),
            "{key}"
        );
        assert!(!key.contains("hunter2"), "{key}");
        assert!(
            with("FIREBREAK_LISTEN", "localhost")
                .starts_with("FIREBREAK_LISTEN `localhost` is not an address")
        );
        assert!(
            with("GITHUB_API_URL", "not a url")
                .starts_with("GITHUB_API_URL `not a url` is not a URL")
        );
        assert!(
            with("FIREBREAK_WORKERS", "0")
                .starts_with("FIREBREAK_WORKERS `0` is not a positive number")
        );
        assert!(
            with("FIREBREAK_SWEEP_INTERVAL", "often")
                .starts_with("FIREBREAK_SWEEP_INTERVAL `often` is not a duration")
        );
        let path = with("FIREBREAK_PRIVATE_KEY_PATH", "/nonexistent/key.pem");
        assert!(path.contains("are both set"), "{path}");
    }

    #[test]
    fn a_key_file_in_pkcs8_and_a_pasted_key_with_escaped_newlines_both_load() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("key.pem");
        std::fs::write(
            &path,
            include_str!("../../tests/fixtures/app/throwaway-pkcs8.pem"),
        )
        .unwrap();
        let path = path.to_string_lossy().to_string();
        let mut pairs: Vec<_> = complete()
            .into_iter()
            .filter(|(k, _)| *k != "FIREBREAK_PRIVATE_KEY")
            .collect();
        pairs.push(("FIREBREAK_PRIVATE_KEY_PATH", &path));
        assert_eq!(Settings::from_vars(vars(&pairs)).unwrap().key.id(), 42);
        let escaped = PKCS1.replace('\n', "\\n");
        let mut pairs: Vec<_> = complete()
            .into_iter()
            .filter(|(k, _)| *k != "FIREBREAK_PRIVATE_KEY")
            .collect();
        pairs.push(("FIREBREAK_PRIVATE_KEY", &escaped));
        assert!(Settings::from_vars(vars(&pairs)).is_ok());
    }

    #[test]
    fn timers_can_be_switched_off() {
        let mut pairs = complete();
        pairs.push(("FIREBREAK_SWEEP_INTERVAL", "off"));
        pairs.push(("FIREBREAK_REDELIVERY_INTERVAL", "0"));
        pairs.push(("FIREBREAK_LISTEN", "0.0.0.0:8080"));
        let s = Settings::from_vars(vars(&pairs)).unwrap();
        assert_eq!(s.sweep_every, None);
        assert_eq!(s.redeliver_every, None);
        assert_eq!(s.listen.to_string(), "0.0.0.0:8080");
    }
}
