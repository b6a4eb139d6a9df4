//! Where a request's credential comes from, and who is told of each answer.
//!
//! The Action and the CLI hand octocrab a token once ([`Auth::Client`]). The App cannot: its
//! credentials expire (a JWT after minutes, an installation token after an hour) and differ
//! per installation, so a [`Credentials`] source is asked before every request and told when
//! GitHub refused what it gave ([`Auth::Source`]).

use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;

use super::GitHubError;

/// A future a [`Credentials`] source answers with.
pub type BearerFuture<'a> = Pin<Box<dyn Future<Output = Result<String, GitHubError>> + Send + 'a>>;

/// Gives the bearer credential for the next request.
pub trait Credentials: Send + Sync {
    /// The credential to send. `refused` is the one GitHub just answered 401 to: it expired or
    /// was revoked, so the source must not give it again (but may give one it got meanwhile).
    fn bearer(&self, refused: Option<String>) -> BearerFuture<'_>;
}

/// Told of every answer GitHub gives (not of transport failures).
pub trait Observer: Send + Sync {
    fn answered(&self, status: http::StatusCode, headers: &http::HeaderMap);
}

/// How a client authenticates.
#[derive(Clone)]
pub(super) enum Auth {
    /// The octocrab client carries the credential.
    Client,
    /// Asked before every request.
    Source(Arc<dyn Credentials>),
}
