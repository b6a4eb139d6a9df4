//! The issue form check: `.github/ISSUE_TEMPLATE/incident.yml` declares an incident when it
//! labels the issue `incident`, and its Severity dropdown offers severities Firebreak reads.
//! Pure: form text in, finding out.

use serde_json::Value;

use super::Finding;
use crate::config::Config;

const CHECK: &str = "issue form";

/// The finding for the form at `path` (`None` text: there is no form).
pub fn check(path: &str, text: Option<&str>, config: &Config) -> Finding {
    let Some(text) = text else {
        return Finding::fix(
            CHECK,
            format!(
                "there is no {path}, so people declare incidents only with `/incident`. Fix: `firebreak init` writes one; commit it to the default branch"
            ),
        );
    };
    let form: Value = match serde_saphyr::from_str(text) {
        Ok(v) => v,
        Err(e) => {
            let message = e.to_string();
            return Finding::fix(
                CHECK,
                format!(
                    "{path} is not valid YAML ({}); GitHub does not offer it. Fix the file",
                    message.lines().next().unwrap_or("")
                ),
            );
        }
    };
    let labels: Vec<String> = match form.get("labels") {
        Some(Value::Array(list)) => list
            .iter()
            .filter_map(Value::as_str)
            .map(|l| l.trim().to_string())
            .collect(),
        Some(Value::String(list)) => list.split(',').map(|l| l.trim().to_string()).collect(),
        _ => Vec::new(),
    };
    if !labels.iter().any(|l| l == crate::engine::LABEL_INCIDENT) {
        return Finding::fix(
            CHECK,
            format!(
                "{path} does not label new issues `incident`, so opening it declares nothing. Fix: add `labels: [incident]` at the top"
            ),
        );
    }
    let dropdown = form
        .get("body")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .find(|item| {
            item.get("type").and_then(Value::as_str) == Some("dropdown")
                && item
                    .pointer("/attributes/label")
                    .and_then(Value::as_str)
                    .is_some_and(|l| l.trim().eq_ignore_ascii_case("severity"))
        });
    let Some(dropdown) = dropdown else {
        return Finding::fix(
            CHECK,
            format!(
                "{path} has no dropdown labeled Severity, so every incident it opens gets the default severity ({}). Fix: add one with the options {}",
                config.severity_name(config.default_severity),
                config.severity_names().join(", ")
            ),
        );
    };
    let options: Vec<&str> = dropdown
        .pointer("/attributes/options")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .collect();
    // Read each option as the engine reads a submitted form.
    let unknown: Vec<&str> = options
        .iter()
        .copied()
        .filter(|o| {
            crate::engine::declare::form_severity(config, &format!("### Severity\n\n{o}")).is_none()
        })
        .collect();
    if options.is_empty() || !unknown.is_empty() {
        return Finding::fix(
            CHECK,
            format!(
                "the Severity dropdown of {path} offers {}, which Firebreak does not read as a severity. Fix: use the configured names {}",
                if options.is_empty() {
                    "nothing".to_string()
                } else {
                    unknown.join(", ")
                },
                config.severity_names().join(", ")
            ),
        );
    }
    Finding::ok(
        CHECK,
        format!(
            "{path} labels issues `incident` and offers {}",
            options.join(", ")
        ),
    )
}
