//! The configuration a run uses: `.github/firebreak.yml` from the checkout when there is one,
//! else through the contents API, else the defaults; and the repository's template overrides
//! (`.github/firebreak/templates/`) from the same place, checked as they load. A broken file is
//! a usage error (exit code 2) naming file, line and key.

use std::path::Path;

use crate::UsageError;
use crate::config::{self, Config};
use crate::github::GitHub;
use crate::render;

/// Loads config from the checkout when present, else through the contents API, else the
/// defaults; template overrides (`.github/firebreak/templates/`) come from the same place. A
/// broken file is a usage error naming file, line and key.
pub async fn load_config(
    github: &GitHub,
    workspace: &Path,
    explicit: Option<&Path>,
) -> anyhow::Result<Config> {
    let local = workspace.join(config::CONFIG_PATH);
    let (mut config, from_checkout) = if let Some(path) = explicit {
        let path = if path.is_absolute() {
            path.to_path_buf()
        } else {
            workspace.join(path)
        };
        (Config::load(&path)?, true)
    } else if local.exists() {
        (Config::load(&local)?, true)
    } else {
        return load_from_repository(github).await;
    };
    let checkout = from_checkout.then_some(workspace);
    let overrides = load_overrides(github, &config, checkout).await?;
    render::check_overrides(&config, &overrides)
        .map_err(|e| UsageError(format!("template {e}")))?;
    config.templates = overrides;
    Ok(config)
}

/// Loads config and template overrides through the contents API only (no checkout: the App),
/// else the defaults.
pub async fn load_from_repository(github: &GitHub) -> anyhow::Result<Config> {
    let text = match github.files() {
        Some(files) => files.config.clone(),
        None => github.file(config::CONFIG_PATH, None).await?,
    };
    let mut config = match text {
        Some(text) => Config::from_yaml(&text, config::CONFIG_PATH)?,
        None => Config::default(),
    };
    let overrides = load_overrides(github, &config, None).await?;
    render::check_overrides(&config, &overrides)
        .map_err(|e| UsageError(format!("template {e}")))?;
    config.templates = overrides;
    Ok(config)
}

/// The files a configuration read through the contents API came from besides `.github/`:
/// the configured postmortem templates that live elsewhere. (Everything under `.github/` —
/// the configuration, the override directory — changes the `.github` listing.)
pub fn sources_outside_dot_github(config: &Config) -> Vec<String> {
    [
        config.postmortem.template.as_deref(),
        config.postmortem.public.template.as_deref(),
    ]
    .into_iter()
    .flatten()
    .filter(|path| !path.trim_start_matches('/').starts_with(".github/"))
    .map(str::to_string)
    .collect()
}

/// Reads the repository's template overrides (template name → text): from the checkout when
/// the configuration came from one, else as the event's first read brought them, else through
/// the contents API (one listing of the override directory, then one read per file there),
/// plus the configured template paths. A file that
/// names no template is kept under its file name, so the check refuses it by name.
pub async fn load_overrides(
    github: &GitHub,
    config: &Config,
    checkout: Option<&Path>,
) -> anyhow::Result<std::collections::BTreeMap<String, String>> {
    use render::{OVERRIDE_DIR, names};
    let key = |file: &str| {
        render::overridden_by(file)
            .map(str::to_string)
            .unwrap_or_else(|| file.to_string())
    };
    let mut out = std::collections::BTreeMap::new();
    match checkout {
        Some(root) => {
            let dir = root.join(OVERRIDE_DIR);
            if let Ok(entries) = std::fs::read_dir(&dir) {
                for entry in entries.flatten() {
                    let name = entry.file_name().to_string_lossy().to_string();
                    if entry.path().is_file() {
                        let text = std::fs::read_to_string(entry.path()).map_err(|e| {
                            UsageError(format!("{OVERRIDE_DIR}/{name}: cannot read: {e}"))
                        })?;
                        out.insert(key(&name), text);
                    }
                }
            }
        }
        // Read with the event's issue (one GraphQL query).
        None if github.files().is_some() => {
            for (name, text) in github.files().into_iter().flat_map(|f| &f.templates) {
                out.insert(key(name), text.clone());
            }
        }
        None => {
            if let Some(entries) = github.list_dir(OVERRIDE_DIR).await? {
                for entry in entries.iter().filter(|e| e.kind == "file") {
                    if let Some(text) = github.file(&entry.path, None).await? {
                        out.insert(key(&entry.name), text);
                    }
                }
            }
        }
    }
    for name in [names::POSTMORTEM, names::PUBLIC] {
        let configured = match name {
            names::POSTMORTEM => config.postmortem.template.as_deref(),
            _ => config.postmortem.public.template.as_deref(),
        };
        let Some(path) = configured else { continue };
        let text = match checkout {
            Some(root) => std::fs::read_to_string(root.join(path)).ok(),
            None => github.file(path, None).await?,
        };
        let text = text.ok_or_else(|| {
            UsageError(format!(
                "{}: {path}: the configured template does not exist",
                config::CONFIG_PATH
            ))
        })?;
        out.insert(name.to_string(), text);
    }
    Ok(out)
}
