//! Installation tokens, cached per installation: one is minted on first use, shared by every
//! request for that installation, and minted again before it expires or when GitHub refuses it
//! (a 401: revoked, or expired early). Concurrent requests for an installation wait for one
//! mint instead of each minting its own.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use chrono::Utc;

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

/// The tokens of every installation this process has worked for.
pub struct TokenCache {
    api: AppApi,
    slots: Mutex<HashMap<u64, Slot>>,
}

impl TokenCache {
    pub fn new(api: AppApi) -> Arc<TokenCache> {
        Arc::new(TokenCache {
            api,
            slots: Mutex::new(HashMap::new()),
        })
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
        let slot = self.slot(installation);
        let mut cached = slot.lock().await;
        if let Some(held) = cached.as_ref()
            && Some(held.token.token.as_str()) != refused
            && Utc::now() < held.renew_at
        {
            return Ok(held.token.token.clone());
        }
        *cached = None;
        let minted = Utc::now();
        let fresh = self.api.mint_installation_token(installation).await?;
        tracing::debug!(installation, expires_at = %fresh.expires_at, "minted an installation token");
        let margin = RENEW_BEFORE.min((fresh.expires_at - minted) / 2);
        let token = fresh.token.clone();
        *cached = Some(Held {
            renew_at: fresh.expires_at - margin,
            token: fresh,
        });
        Ok(token)
    }

    /// Forgets an installation's token (the installation was deleted or suspended).
    pub fn forget(&self, installation: u64) {
        self.slots
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
