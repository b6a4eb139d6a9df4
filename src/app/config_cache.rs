//! Each repository's configuration, read once through the contents API and kept; before each
//! use it is revalidated with a conditional request (`If-None-Match`), which GitHub answers
//! `304 Not Modified` without counting it against the rate limit.
//!
//! One validator covers the configuration and the template overrides: the `.github` directory
//! listing, which names each entry's sha, so a change anywhere beneath `.github/` changes it.
//! Configured templates outside `.github/` get a validator each. A repository without
//! `.github/` has no validator to send, so it is asked again each time (a 404).

use std::collections::{HashMap, VecDeque};
use std::sync::{Arc, Mutex};

use crate::config::Config;
use crate::github::{GitHub, Revalidated};
use crate::run::config::{load_from_repository, sources_outside_dot_github};

/// Repositories whose configuration is kept; past this the oldest is forgotten (and read again
/// when next needed). A configuration is a few kilobytes.
const MAX_REPOSITORIES: usize = 1_000;

/// The directory that holds the configuration and the template overrides.
const DOT_GITHUB: &str = ".github";

#[derive(Clone)]
struct Entry {
    config: Arc<Config>,
    /// `None`: `.github` did not exist.
    dot_github: Option<Option<String>>,
    /// Configured templates outside `.github/`, with their validators (`None`: absent).
    outside: Vec<(String, Option<Option<String>>)>,
}

/// The configurations of the repositories this process has worked for.
#[derive(Default)]
pub struct ConfigCache {
    entries: Mutex<(HashMap<String, Entry>, VecDeque<String>)>,
}

impl ConfigCache {
    fn cached(&self, repo: &str) -> Option<Entry> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        entries.0.get(&repo.to_lowercase()).cloned()
    }

    fn store(&self, repo: &str, entry: Entry) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let key = repo.to_lowercase();
        if entries.0.insert(key.clone(), entry).is_none() {
            entries.1.push_back(key);
        }
        while entries.1.len() > MAX_REPOSITORIES {
            if let Some(old) = entries.1.pop_front() {
                entries.0.remove(&old);
            }
        }
    }

    /// The configuration of `github`'s repository: the kept one when GitHub says nothing it came
    /// from changed, else read again (and kept). A broken file is an error, and nothing is kept.
    pub async fn get(&self, github: &GitHub) -> anyhow::Result<Config> {
        if let Some(entry) = self.cached(github.repo())
            && unchanged(github, &entry).await?
        {
            return Ok((*entry.config).clone());
        }
        // Validators first, then the contents: a change in between is caught next time.
        let dot_github = validator(github, DOT_GITHUB).await?;
        let config = load_from_repository(github).await?;
        let mut outside = Vec::new();
        for path in sources_outside_dot_github(&config) {
            let etag = validator(github, &path).await?;
            outside.push((path, etag));
        }
        self.store(
            github.repo(),
            Entry {
                config: Arc::new(config.clone()),
                dot_github,
                outside,
            },
        );
        Ok(config)
    }
}

/// The validator of `path` now: `Some(etag)` when it exists, `None` when it does not.
async fn validator(github: &GitHub, path: &str) -> anyhow::Result<Option<Option<String>>> {
    Ok(match github.contents_changed(path, None).await? {
        Revalidated::Changed { etag } => Some(etag),
        Revalidated::Unchanged => Some(None),
        Revalidated::Absent => None,
    })
}

/// Whether nothing the kept configuration came from changed.
async fn unchanged(github: &GitHub, entry: &Entry) -> anyhow::Result<bool> {
    let sources = std::iter::once((DOT_GITHUB, &entry.dot_github))
        .chain(entry.outside.iter().map(|(p, e)| (p.as_str(), e)));
    for (path, kept) in sources {
        let etag = match kept {
            // Existed without an ETag: nothing to validate against.
            Some(None) => return Ok(false),
            Some(Some(etag)) => Some(etag.as_str()),
            None => None,
        };
        let same = match github.contents_changed(path, etag).await? {
            Revalidated::Unchanged => true,
            Revalidated::Absent => kept.is_none(),
            Revalidated::Changed { .. } => false,
        };
        if !same {
            return Ok(false);
        }
    }
    Ok(true)
}
