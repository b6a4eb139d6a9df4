//! The GitHub App's own endpoints and its authentication: signing the App's JWT (RS256),
//! minting installation tokens, listing installations and their repositories, and listing and
//! redelivering the App's webhook deliveries.
//!
//! Nothing here writes to a repository, so none of it is on [`super::Writer`]: minting a token
//! and asking GitHub to send a delivery again are calls about the App itself, made by the App
//! adapter (`app/`) outside any plan. Each is a narrowly named method of [`AppApi`], which is
//! authenticated as the App (a JWT) and can reach nothing else.

use std::sync::{Arc, Mutex};

use chrono::{DateTime, Utc};
use http::Method;
use serde::Deserialize;

use super::auth::BearerFuture;
use super::{Credentials, GitHub, GitHubError, Retry};

/// GitHub refuses App JWTs that expire more than ten minutes ahead; nine leaves room for a
/// clock running ahead of GitHub's.
const JWT_LIFETIME_SECS: i64 = 9 * 60;

/// `iat` is set this far in the past, as GitHub advises, for a clock running behind GitHub's.
const JWT_BACKDATE_SECS: i64 = 60;

/// A cached JWT is signed again this long before it expires, so no request carries one that
/// expires on the way.
const JWT_RENEW_BEFORE_SECS: i64 = 60;

/// Deliveries per page when listing them (GitHub's maximum).
const DELIVERIES_PER_PAGE: u32 = 100;

/// The App's identity: its id and private key (PEM, PKCS#1 or PKCS#8, as GitHub hands it out).
pub struct AppKey {
    id: u64,
    key: jsonwebtoken::EncodingKey,
}

impl std::fmt::Debug for AppKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppKey").field("id", &self.id).finish()
    }
}

impl AppKey {
    /// Reads an RSA private key in PEM (`BEGIN RSA PRIVATE KEY` or `BEGIN PRIVATE KEY`) and
    /// proves it can sign. The error never quotes the key.
    pub fn from_pem(id: u64, pem: &[u8]) -> Result<AppKey, String> {
        let key = jsonwebtoken::EncodingKey::from_rsa_pem(pem)
            .map_err(|e| format!("not an RSA private key in PEM (PKCS#1 or PKCS#8): {e}"))?;
        let app = AppKey { id, key };
        app.sign(Utc::now())
            .map_err(|e| format!("the key cannot sign an RS256 JWT: {e}"))?;
        Ok(app)
    }

    pub fn id(&self) -> u64 {
        self.id
    }

    /// A JWT for the App, issued a minute before `now`, and when it expires.
    pub fn sign(&self, now: DateTime<Utc>) -> Result<(String, DateTime<Utc>), String> {
        #[derive(serde::Serialize)]
        struct Claims {
            iat: i64,
            exp: i64,
            iss: String,
        }
        let now = now.timestamp();
        let claims = Claims {
            iat: now - JWT_BACKDATE_SECS,
            exp: now + JWT_LIFETIME_SECS,
            iss: self.id.to_string(),
        };
        let header = jsonwebtoken::Header::new(jsonwebtoken::Algorithm::RS256);
        let jwt = jsonwebtoken::encode(&header, &claims, &self.key).map_err(|e| e.to_string())?;
        let expires = DateTime::from_timestamp(claims.exp, 0).unwrap_or_default();
        Ok((jwt, expires))
    }
}

/// The App's JWT as a credential: signed once and reused until a minute before it expires.
/// The credential layer reads the clock itself: freshness is what it is about.
pub struct AppJwt {
    key: AppKey,
    cached: Mutex<Option<(String, DateTime<Utc>)>>,
}

impl AppJwt {
    pub fn new(key: AppKey) -> AppJwt {
        AppJwt {
            key,
            cached: Mutex::new(None),
        }
    }

    /// A JWT valid for at least another minute, other than `refused`.
    pub fn current(&self, refused: Option<&str>) -> Result<String, GitHubError> {
        let now = Utc::now();
        let mut cached = self.cached.lock().unwrap_or_else(|p| p.into_inner());
        if let Some((jwt, expires)) = cached.as_ref()
            && Some(jwt.as_str()) != refused
            && (*expires - now).num_seconds() > JWT_RENEW_BEFORE_SECS
        {
            return Ok(jwt.clone());
        }
        let (jwt, expires) = self.key.sign(now).map_err(|message| GitHubError::Decode {
            operation: format!("signing the JWT of App {}", self.key.id),
            message,
        })?;
        *cached = Some((jwt.clone(), expires));
        Ok(jwt)
    }
}

impl Credentials for AppJwt {
    fn bearer(&self, refused: Option<String>) -> BearerFuture<'_> {
        let jwt = self.current(refused.as_deref());
        Box::pin(async move { jwt })
    }
}

/// What `GET /app` says about the App.
#[derive(Debug, Clone, Deserialize)]
pub struct AppInfo {
    pub id: u64,
    /// The App's slug: it writes as `<slug>[bot]`.
    #[serde(default)]
    pub slug: Option<String>,
    pub name: String,
}

impl AppInfo {
    /// The login the App's writes appear under: `<slug>[bot]`.
    pub fn bot_login(&self) -> String {
        format!("{}[bot]", self.slug.as_deref().unwrap_or(&self.name))
    }
}

/// An installation access token and when it expires.
#[derive(Clone, Deserialize)]
pub struct InstallationToken {
    pub token: String,
    pub expires_at: DateTime<Utc>,
}

impl std::fmt::Debug for InstallationToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("InstallationToken")
            .field("expires_at", &self.expires_at)
            .finish_non_exhaustive()
    }
}

/// An installation of the App.
#[derive(Debug, Clone, Deserialize)]
pub struct Installation {
    pub id: u64,
    /// `null` for installations whose account GitHub no longer shows.
    #[serde(default)]
    pub suspended_at: Option<DateTime<Utc>>,
}

/// A repository an installation can reach.
#[derive(Debug, Clone, Deserialize)]
pub struct InstalledRepository {
    pub full_name: String,
    #[serde(default)]
    pub default_branch: Option<String>,
}

/// One attempt at delivering a webhook, as the App's delivery log lists it.
#[derive(Debug, Clone, Deserialize)]
pub struct Delivery {
    /// This attempt's id (what a redelivery request names).
    pub id: u64,
    /// The delivery's id, shared by its redeliveries (`X-GitHub-Delivery`).
    pub guid: String,
    pub delivered_at: DateTime<Utc>,
    /// Whether this attempt was a redelivery.
    pub redelivery: bool,
    /// The HTTP status the App's endpoint answered (0 when it could not be reached).
    pub status_code: u16,
    pub event: String,
    #[serde(default)]
    pub action: Option<String>,
    #[serde(default)]
    pub installation_id: Option<u64>,
    #[serde(default)]
    pub repository_id: Option<u64>,
}

impl Delivery {
    /// GitHub counts 2xx and 3xx answers as delivered.
    pub fn succeeded(&self) -> bool {
        (200..400).contains(&self.status_code)
    }
}

/// The App's endpoints, authenticated with its JWT.
#[derive(Clone)]
pub struct AppApi {
    github: GitHub,
    jwt: Arc<AppJwt>,
}

impl AppApi {
    /// Calls as the App through `base`'s connection pool.
    pub fn new(base: &GitHub, key: AppKey) -> AppApi {
        let jwt = Arc::new(AppJwt::new(key));
        AppApi {
            github: base.authenticated(jwt.clone()),
            jwt,
        }
    }

    /// The same, telling `observer` of every answer.
    pub fn with_observer(mut self, observer: Arc<dyn super::Observer>) -> AppApi {
        self.github = self.github.with_observer(observer);
        self
    }

    pub fn app_id(&self) -> u64 {
        self.jwt.key.id
    }

    /// A JWT for the App, valid for at least a minute (signs one when needed).
    pub fn jwt(&self) -> Result<String, GitHubError> {
        self.jwt.current(None)
    }

    /// `GET /app`: the App as GitHub knows it (and proof that the JWT is accepted).
    pub async fn app(&self) -> Result<AppInfo, GitHubError> {
        self.github
            .json(
                "reading the App (GET /app)",
                Method::GET,
                "/app",
                None::<&()>,
                Retry::Safe,
            )
            .await
    }

    /// Mints an installation access token. Repeating it only mints another token, so it is
    /// retried like a read.
    pub async fn mint_installation_token(
        &self,
        installation: u64,
    ) -> Result<InstallationToken, GitHubError> {
        self.github
            .json(
                &format!("minting a token for installation {installation}"),
                Method::POST,
                &format!("/app/installations/{installation}/access_tokens"),
                Some(&serde_json::json!({})),
                Retry::Safe,
            )
            .await
    }

    /// Every installation of the App.
    pub async fn installations(&self) -> Result<Vec<Installation>, GitHubError> {
        self.github
            .paginate(
                "listing the App's installations",
                "/app/installations?per_page=100",
            )
            .await
    }

    /// The App's webhook deliveries, newest first, back to `since` (GitHub keeps three days),
    /// reading at most `max_pages` pages.
    pub async fn deliveries(
        &self,
        since: DateTime<Utc>,
        max_pages: usize,
    ) -> Result<Vec<Delivery>, GitHubError> {
        let mut out = Vec::new();
        let mut next = Some(format!(
            "/app/hook/deliveries?per_page={DELIVERIES_PER_PAGE}"
        ));
        let mut pages = 0;
        while let Some(path) = next.take() {
            pages += 1;
            let answer = self
                .github
                .send::<()>(
                    "listing the App's webhook deliveries",
                    Method::GET,
                    &path,
                    None,
                    Retry::Safe,
                )
                .await?;
            let page: Vec<Delivery> =
                super::decode("listing the App's webhook deliveries", &answer.body)?;
            let older = page.iter().any(|d| d.delivered_at < since);
            out.extend(page.into_iter().filter(|d| d.delivered_at >= since));
            if !older && pages < max_pages {
                next = answer.link_next;
            }
        }
        Ok(out)
    }

    /// Asks GitHub to send delivery attempt `id` again. Never repeated blindly: a repeat would
    /// deliver it twice.
    pub async fn redeliver(&self, id: u64) -> Result<(), GitHubError> {
        self.github
            .send(
                &format!("asking GitHub to redeliver delivery {id}"),
                Method::POST,
                &format!("/app/hook/deliveries/{id}/attempts"),
                None::<&()>,
                Retry::Never,
            )
            .await
            .map(|_| ())
    }
}

impl GitHub {
    /// The repositories the installation whose token this client carries can reach.
    pub async fn installation_repositories(&self) -> Result<Vec<InstalledRepository>, GitHubError> {
        #[derive(Deserialize)]
        struct Page {
            repositories: Vec<InstalledRepository>,
        }
        let operation = "listing the installation's repositories";
        let mut out = Vec::new();
        let mut next = Some("/installation/repositories?per_page=100".to_string());
        while let Some(path) = next.take() {
            let answer = self
                .send::<()>(operation, Method::GET, &path, None, Retry::Safe)
                .await?;
            let page: Page = super::decode(operation, &answer.body)?;
            out.extend(page.repositories);
            next = answer.link_next;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PKCS1: &[u8] = include_bytes!("../../tests/fixtures/app/throwaway-pkcs1.pem");
    const PKCS8: &[u8] = include_bytes!("../../tests/fixtures/app/throwaway-pkcs8.pem");
    const PUBLIC: &[u8] = include_bytes!("../../tests/fixtures/app/throwaway-public.pem");

    fn claims(jwt: &str) -> serde_json::Value {
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(PUBLIC).unwrap();
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<serde_json::Value>(jwt, &key, &validation)
            .unwrap()
            .claims
    }

    #[test]
    fn jwt_is_rs256_issued_a_minute_ago_and_expires_within_ten_minutes() {
        let now = DateTime::parse_from_rfc3339("2026-03-01T12:00:00Z")
            .unwrap()
            .to_utc();
        for pem in [PKCS1, PKCS8] {
            let key = AppKey::from_pem(42, pem).unwrap();
            let (jwt, expires) = key.sign(now).unwrap();
            let header = jsonwebtoken::decode_header(&jwt).unwrap();
            assert_eq!(header.alg, jsonwebtoken::Algorithm::RS256);
            let c = claims(&jwt);
            assert_eq!(c["iss"], "42");
            assert_eq!(c["iat"], now.timestamp() - 60);
            assert_eq!(c["exp"], now.timestamp() + 540);
            assert!(c["exp"].as_i64().unwrap() - now.timestamp() <= 600);
            assert_eq!(expires.timestamp(), now.timestamp() + 540);
        }
    }

    #[test]
    fn a_key_that_is_not_rsa_pem_is_refused_without_quoting_it() {
        let err = AppKey::from_pem(
            1,
            b"-----BEGIN NONSENSE-----\nc2VjcmV0\n-----END NONSENSE-----\n",
        )
        .unwrap_err();
        assert!(err.starts_with("not an RSA private key in PEM"), "{err}");
        assert!(!err.contains("c2VjcmV0"), "{err}");
    }

    #[test]
    fn the_jwt_is_reused_until_a_minute_before_it_expires_or_github_refuses_it() {
        let jwt = AppJwt::new(AppKey::from_pem(7, PKCS1).unwrap());
        let set = |text: &str, secs: i64| {
            *jwt.cached.lock().unwrap() = Some((
                text.to_string(),
                Utc::now() + chrono::Duration::seconds(secs),
            ));
        };
        set("cached", 300);
        assert_eq!(jwt.current(None).unwrap(), "cached");
        assert_eq!(
            jwt.current(Some("older")).unwrap(),
            "cached",
            "another was refused"
        );
        assert_ne!(
            jwt.current(Some("cached")).unwrap(),
            "cached",
            "a refused JWT is signed anew"
        );
        set("cached", 30);
        let fresh = jwt.current(None).unwrap();
        assert_ne!(
            fresh, "cached",
            "a JWT within a minute of expiry is signed anew"
        );
        assert_eq!(claims(&fresh)["iss"], "7");
        assert_eq!(jwt.current(None).unwrap(), fresh, "and then reused");
    }

    #[test]
    fn deliveries_succeed_on_2xx_and_3xx_only() {
        let d = |status_code| Delivery {
            id: 1,
            guid: "g".into(),
            delivered_at: Utc::now(),
            redelivery: false,
            status_code,
            event: "issues".into(),
            action: None,
            installation_id: None,
            repository_id: None,
        };
        assert!(d(202).succeeded());
        assert!(d(302).succeeded());
        assert!(!d(0).succeeded());
        assert!(!d(503).succeeded());
    }
}
