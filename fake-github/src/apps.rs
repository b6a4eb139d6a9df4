//! GitHub Apps: registered Apps with their public key and webhook, their installations, the
//! installation tokens they mint, and who a request's credential acts as.
//!
//! An App JWT is checked like GitHub does (RS256 with the App's public key, `iss` the App's id,
//! `exp` in the future and at most ten minutes ahead, `iat` not in the future), against the real
//! clock: the JWT comes from the real clock too, whatever `set_now` says. An installation token
//! acts as `<slug>[bot]` and reaches only its installation's repositories (others answer 404,
//! as GitHub does); it stops working when it expires, is revoked, or its installation is deleted.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};

use chrono::{DateTime, Duration, Utc};

use super::FakeGitHub;
use super::state::{State, UserKind};

/// Installation tokens last an hour, like GitHub's.
const TOKEN_LIFETIME_MINUTES: i64 = 60;

/// GitHub refuses JWTs that expire more than ten minutes ahead.
const MAX_JWT_AHEAD_SECS: i64 = 600;

/// A registered App.
#[derive(Clone)]
pub(crate) struct App {
    pub id: u64,
    pub slug: String,
    pub name: String,
    pub owner: String,
    pub key: jsonwebtoken::DecodingKey,
    pub created_at: DateTime<Utc>,
    /// The webhook secret deliveries are signed with.
    pub secret: String,
    /// Where redeliveries go.
    pub hook_url: Option<String>,
}

/// An installation of an App on an account.
#[derive(Clone, Debug)]
pub(crate) struct Installation {
    pub id: u64,
    pub app_id: u64,
    pub account: String,
    /// Full names (lowercase) of the repositories it reaches.
    pub repos: BTreeSet<String>,
    pub created_at: DateTime<Utc>,
    pub suspended: bool,
}

/// A minted installation token.
#[derive(Clone, Debug)]
pub(crate) struct Token {
    pub installation: u64,
    pub expires_at: DateTime<Utc>,
}

/// Everything about Apps, kept in the fake's state.
#[derive(Default)]
pub(crate) struct Apps {
    pub apps: BTreeMap<u64, App>,
    pub installations: BTreeMap<u64, Installation>,
    pub tokens: HashMap<String, Token>,
    /// Minted tokens revoked (or whose installation was deleted): they answer 401.
    pub revoked: HashSet<String>,
    /// Lifetime of the next tokens minted for an installation (tests shorten it).
    pub token_lifetime: HashMap<u64, Duration>,
    /// Requests counted against each installation's rate limit (a 304 is not counted).
    pub used: HashMap<u64, u64>,
    /// Tokens minted in all, and per installation.
    pub minted: u64,
    pub minted_for: HashMap<u64, u64>,
}

/// Who a request's credential acts as.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Credential {
    /// No `Authorization` header.
    None,
    /// A personal (or Actions) token acting as this login.
    User(String),
    /// A valid JWT of this App.
    App(u64),
    /// An installation token: acts as the App's bot, within the installation.
    Installation { id: u64, login: String },
    /// Refused, with GitHub's message.
    Refused(String),
}

impl State {
    /// Who `token` acts as (`None` when absent).
    pub(crate) fn credential(&mut self, token: Option<&str>) -> Credential {
        let Some(token) = token else {
            return Credential::None;
        };
        if self.apps.revoked.contains(token) {
            return Credential::Refused("Bad credentials".into());
        }
        if let Some(t) = self.apps.tokens.get(token).cloned() {
            if t.expires_at <= Utc::now() {
                return Credential::Refused("Bad credentials".into());
            }
            let Some(inst) = self.apps.installations.get(&t.installation).cloned() else {
                return Credential::Refused("Bad credentials".into());
            };
            let Some(app) = self.apps.apps.get(&inst.app_id).cloned() else {
                return Credential::Refused("Bad credentials".into());
            };
            let login = format!("{}[bot]", app.slug);
            self.ensure_user(&login, Some(UserKind::Bot));
            return Credential::Installation { id: inst.id, login };
        }
        if token.starts_with("eyJ") && token.matches('.').count() == 2 {
            return match self.check_jwt(token) {
                Ok(id) => Credential::App(id),
                Err(message) => Credential::Refused(message),
            };
        }
        Credential::User(match self.tokens.get(token) {
            Some(login) => login.clone(),
            None => {
                self.ensure_user(super::state::BOT_LOGIN, Some(UserKind::Bot));
                super::state::BOT_LOGIN.to_string()
            }
        })
    }

    /// The App a JWT was signed by, checked like GitHub checks it.
    fn check_jwt(&self, jwt: &str) -> Result<u64, String> {
        #[derive(serde::Deserialize)]
        struct Claims {
            iss: serde_json::Value,
            iat: i64,
            exp: i64,
        }
        let undecodable = || "A JSON web token could not be decoded".to_string();
        let header = jsonwebtoken::decode_header(jwt).map_err(|_| undecodable())?;
        if header.alg != jsonwebtoken::Algorithm::RS256 {
            return Err(undecodable());
        }
        let claims: Claims = jsonwebtoken::dangerous::insecure_decode(jwt)
            .map_err(|_| undecodable())?
            .claims;
        let id = match &claims.iss {
            serde_json::Value::Number(n) => n.as_u64(),
            serde_json::Value::String(s) => s.parse().ok(),
            _ => None,
        }
        .ok_or_else(undecodable)?;
        let app = self
            .apps
            .apps
            .get(&id)
            .ok_or_else(|| "Integration not found".to_string())?;
        let mut validation = jsonwebtoken::Validation::new(jsonwebtoken::Algorithm::RS256);
        validation.validate_exp = false;
        validation.required_spec_claims.clear();
        jsonwebtoken::decode::<serde_json::Value>(jwt, &app.key, &validation)
            .map_err(|_| undecodable())?;
        let now = Utc::now().timestamp();
        if claims.exp <= now {
            return Err(
                "'Expiration time' claim ('exp') must be a numeric value representing the future time at which the assertion expires"
                    .into(),
            );
        }
        if claims.exp > now + MAX_JWT_AHEAD_SECS {
            return Err("'Expiration time' claim ('exp') is too far in the future".into());
        }
        if claims.iat > now {
            return Err("'Issued at' claim ('iat') must be an Integer representing the time that the assertion was issued".into());
        }
        Ok(id)
    }

    /// Whether an installation reaches repository `repo`.
    pub(crate) fn installation_reaches(&self, installation: u64, repo: &str) -> bool {
        self.apps
            .installations
            .get(&installation)
            .is_some_and(|i| i.repos.contains(&repo.to_lowercase()))
    }

    /// Mints a token for an installation.
    pub(crate) fn mint(&mut self, installation: u64) -> (String, DateTime<Utc>) {
        self.apps.minted += 1;
        *self.apps.minted_for.entry(installation).or_default() += 1;
        let minted = self.apps.minted;
        let token = format!("ghs_fake{minted:08}{}", &self.sha("token")[..16]);
        let lifetime = self
            .apps
            .token_lifetime
            .get(&installation)
            .copied()
            .unwrap_or(Duration::minutes(TOKEN_LIFETIME_MINUTES));
        // Whole seconds, like GitHub's timestamps.
        let expires_at =
            DateTime::from_timestamp((Utc::now() + lifetime).timestamp(), 0).unwrap_or_default();
        self.apps.tokens.insert(
            token.clone(),
            Token {
                installation,
                expires_at,
            },
        );
        (token, expires_at)
    }

    /// The installation of an App that reaches `repo`, if any.
    pub(crate) fn installation_for(&self, repo: &str) -> Option<&Installation> {
        self.apps
            .installations
            .values()
            .find(|i| i.repos.contains(&repo.to_lowercase()))
    }
}

/// An App as registered with the fake.
#[derive(Debug, Clone)]
pub struct AppSpec {
    pub id: u64,
    pub slug: String,
    pub name: String,
    /// The account that owns the App.
    pub owner: String,
    /// The App's public key (PEM): JWTs are checked with it.
    pub public_key_pem: String,
    /// The webhook secret deliveries are signed with.
    pub webhook_secret: String,
}

impl FakeGitHub {
    /// Registers an App (its bot user `<slug>[bot]` too).
    pub fn add_app(&self, spec: &AppSpec) -> anyhow::Result<()> {
        let key = jsonwebtoken::DecodingKey::from_rsa_pem(spec.public_key_pem.as_bytes())?;
        let mut st = self.lock();
        st.ensure_user(&spec.owner, None);
        st.ensure_user(&format!("{}[bot]", spec.slug), Some(UserKind::Bot));
        let created_at = st.now();
        st.apps.apps.insert(
            spec.id,
            App {
                id: spec.id,
                slug: spec.slug.clone(),
                name: spec.name.clone(),
                owner: spec.owner.clone(),
                key,
                created_at,
                secret: spec.webhook_secret.clone(),
                hook_url: None,
            },
        );
        Ok(())
    }

    /// Where the App's redeliveries go (its webhook URL).
    pub fn set_hook_url(&self, app_id: u64, url: &str) {
        if let Some(app) = self.lock().apps.apps.get_mut(&app_id) {
            app.hook_url = Some(url.to_string());
        }
    }

    /// Installs App `app_id` on `account`'s repositories `repos` (created if missing).
    pub fn install(&self, app_id: u64, installation: u64, account: &str, repos: &[&str]) {
        let mut st = self.lock();
        st.ensure_user(account, None);
        for repo in repos {
            st.ensure_repo(repo);
        }
        let created_at = st.now();
        st.apps.installations.insert(
            installation,
            Installation {
                id: installation,
                app_id,
                account: account.to_string(),
                repos: repos.iter().map(|r| r.to_lowercase()).collect(),
                created_at,
                suspended: false,
            },
        );
    }

    /// Adds a repository to an installation.
    pub fn install_repo(&self, installation: u64, repo: &str) {
        let mut st = self.lock();
        st.ensure_repo(repo);
        if let Some(i) = st.apps.installations.get_mut(&installation) {
            i.repos.insert(repo.to_lowercase());
        }
    }

    /// Deletes an installation: its tokens stop working and no new one can be minted.
    pub fn uninstall(&self, installation: u64) {
        self.revoke_tokens(installation);
        self.lock().apps.installations.remove(&installation);
    }

    /// Suspends an installation: minting a token answers 403.
    pub fn suspend(&self, installation: u64) {
        if let Some(i) = self.lock().apps.installations.get_mut(&installation) {
            i.suspended = true;
        }
    }

    /// Revokes every token minted for an installation (they answer 401 from now on).
    pub fn revoke_tokens(&self, installation: u64) {
        let mut st = self.lock();
        let apps = &mut st.apps;
        let gone: Vec<String> = apps
            .tokens
            .iter()
            .filter(|(_, t)| t.installation == installation)
            .map(|(k, _)| k.clone())
            .collect();
        for token in gone {
            apps.tokens.remove(&token);
            apps.revoked.insert(token);
        }
    }

    /// Tokens minted for `installation` from here on last `lifetime` (default: an hour).
    pub fn set_token_lifetime(&self, installation: u64, lifetime: Duration) {
        self.lock()
            .apps
            .token_lifetime
            .insert(installation, lifetime);
    }

    /// How many tokens have been minted for an installation so far.
    pub fn tokens_minted(&self, installation: u64) -> u64 {
        self.lock()
            .apps
            .minted_for
            .get(&installation)
            .copied()
            .unwrap_or(0)
    }

    /// Requests counted against an installation's rate limit so far (304s are not counted).
    pub fn rate_limit_used(&self, installation: u64) -> u64 {
        self.lock()
            .apps
            .used
            .get(&installation)
            .copied()
            .unwrap_or(0)
    }
}
