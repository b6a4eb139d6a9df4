//! Installation tokens, cached per installation: one is minted on first use, shared by every
//! request for that installation, and minted again before it expires or when GitHub refuses it
//! (a 401: revoked, or expired early). Concurrent requests for an installation wait for one
//! mint instead of each minting its own. An installation GitHub says is gone (deleted: 404;
//! suspended: 403) is not asked about again for [`GONE_FOR`]: its deliveries fail at once with
//! GitHub's last answer.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::Utc;
use http::StatusCode;

use crate::github::app::{AppApi, InstallationToken};
use crate::github::{BearerFuture, Credentials, GitHubError};

/// Installation tokens last an hour; one is replaced this long before it expires, so a long
/// handling (a sweep over many incidents) never starts with a token about to lapse. A token
/// that lives shorter (a GitHub Enterprise Server setting) is replaced when half its life is
/// left, so it still serves more than one request.
const RENEW_BEFORE: chrono::TimeDelta = chrono::TimeDelta::minutes(5);

/// A token, when it was minted, and when to replace it.
struct Held {
    token: InstallationToken,
    renew_at: chrono::DateTime<Utc>,
}

type Slot = Arc<tokio::sync::Mutex<Option<Held>>>;

/// How long an installation GitHub refused to mint a token for (deleted or suspended) is taken
/// as gone: a flood of deliveries for it costs one mint request a minute instead of one each,
/// and an installation restored (unsuspended, or its `installation` event missed) is served
/// again within a minute. An `installation` event that creates or unsuspends it ends the wait
/// at once.
pub const GONE_FOR: Duration = Duration::from_secs(60);

/// GitHub's answer when an installation was found gone, and until when it stands.
struct Gone {
    until: Instant,
    operation: String,
    status: StatusCode,
    message: String,
}

impl Gone {
    fn error(&self) -> GitHubError {
        GitHubError::Status {
            operation: self.operation.clone(),
            status: self.status,
            message: format!(
                "{} (GitHub's answer of less than {}s ago, not asked again yet)",
                self.message,
                GONE_FOR.as_secs()
            ),
        }
    }
}

/// The tokens of every installation this process has worked for.
pub struct TokenCache {
    api: AppApi,
    slots: Mutex<HashMap<u64, Slot>>,
    gone: Mutex<HashMap<u64, Gone>>,
}

impl TokenCache {
    pub fn new(api: AppApi) -> Arc<TokenCache> {
        Arc::new(TokenCache {
            api,
            slots: Mutex::new(HashMap::new()),
            gone: Mutex::new(HashMap::new()),
        })
    }

    /// GitHub's recent refusal to mint for `installation`, while it stands.
    fn gone(&self, installation: u64) -> Option<GitHubError> {
        let mut gone = self.gone.lock().unwrap_or_else(|p| p.into_inner());
        let now = Instant::now();
        gone.retain(|_, g| g.until > now);
        gone.get(&installation).map(Gone::error)
    }

    fn slot(&self, installation: u64) -> Slot {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .entry(installation)
            .or_default()
            .clone()
    }

    /// A token for `installation` not due for replacement, other than `refused`.
    pub async fn token(
        &self,
        installation: u64,
        refused: Option<&str>,
    ) -> Result<String, GitHubError> {
        if let Some(error) = self.gone(installation) {
            return Err(error);
        }
        let slot = self.slot(installation);
        let mut cached = slot.lock().await;
        // Another request may have found it gone while this one waited for the slot.
        if let Some(error) = self.gone(installation) {
            return Err(error);
        }
        if let Some(held) = cached.as_ref()
            && Some(held.token.token.as_str()) != refused
            && Utc::now() < held.renew_at
        {
            return Ok(held.token.token.clone());
        }
        *cached = None;
        let minted = Utc::now();
        let fresh = match self.api.mint_installation_token(installation).await {
            Ok(fresh) => fresh,
            Err(error) => {
                if let GitHubError::Status {
                    operation,
                    status: status @ (StatusCode::NOT_FOUND | StatusCode::FORBIDDEN),
                    message,
                } = &error
                {
                    self.gone.lock().unwrap_or_else(|p| p.into_inner()).insert(
                        installation,
                        Gone {
                            until: Instant::now() + GONE_FOR,
                            operation: operation.clone(),
                            status: *status,
                            message: message.clone(),
                        },
                    );
                }
                return Err(error);
            }
        };
        tracing::debug!(installation, expires_at = %fresh.expires_at, "minted an installation token");
        let margin = RENEW_BEFORE.min((fresh.expires_at - minted) / 2);
        let token = fresh.token.clone();
        *cached = Some(Held {
            renew_at: fresh.expires_at - margin,
            token: fresh,
        });
        Ok(token)
    }

    /// Forgets an installation's token (the installation was deleted or suspended, or could not
    /// reach a repository); whether GitHub found it gone still stands.
    pub fn forget(&self, installation: u64) {
        self.slots
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&installation);
    }

    /// The installation was created or unsuspended: it is no longer taken as gone.
    pub fn restored(&self, installation: u64) {
        self.forget(installation);
        self.gone
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&installation);
    }

    /// The credentials of requests made for `installation`.
    pub fn credentials(self: &Arc<Self>, installation: u64) -> Arc<dyn Credentials> {
        Arc::new(InstallationCredentials {
            cache: self.clone(),
            installation,
        })
    }
}

struct InstallationCredentials {
    cache: Arc<TokenCache>,
    installation: u64,
}

impl Credentials for InstallationCredentials {
    fn bearer(&self, refused: Option<String>) -> BearerFuture<'_> {
        Box::pin(async move {
            self.cache
                .token(self.installation, refused.as_deref())
                .await
        })
    }
}
