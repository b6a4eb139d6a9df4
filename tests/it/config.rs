//! The configuration as the CLI and the Action use it: files on disk, `firebreak init`,
//! `firebreak config check`, the documented examples and the published `action.yml`.

use std::path::Path;

use firebreak::config::{self, CONFIG_PATH, Config, ConfigError};
use firebreak::init;
use serde::Deserialize;

fn repo_file(rel: &str) -> String {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(rel);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

#[test]
fn load_reports_a_missing_file_as_not_found_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join(CONFIG_PATH);
    let err = Config::load(&path).unwrap_err();
    assert!(matches!(err, ConfigError::NotFound { .. }), "{err:?}");
    assert!(err.to_string().contains("firebreak.yml"), "{err}");
    assert!(err.to_string().contains("firebreak init"), "{err}");
}

#[test]
fn load_errors_name_the_file_as_given_with_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("firebreak.yml");
    std::fs::write(&path, "# team config\nreport:\n  since: a while\n").unwrap();
    let err = Config::load(&path).unwrap_err().to_string();
    let expected = format!(
        "{}:3:10: report.since: invalid duration \"a while\": expected e.g. 30s, 5m, 4h, 2d",
        path.display()
    );
    assert_eq!(err, expected);
}

#[test]
fn init_then_check_gives_the_default_config_and_its_summary() {
    let dir = tempfile::tempdir().unwrap();
    let outcome = init::init(dir.path(), false, init::Mode::Action).unwrap();
    assert_eq!(
        outcome.written,
        [
            ".github/firebreak.yml",
            ".github/workflows/firebreak.yml",
            ".github/ISSUE_TEMPLATE/incident.yml"
        ]
    );
    let path = dir.path().join(CONFIG_PATH);
    assert_eq!(Config::load(&path).unwrap(), Config::default());
    let summary = config::check(&path).unwrap();
    assert!(summary.starts_with(&format!("{} is valid. 4 severities", path.display())));
    assert!(summary.contains("Default severity SEV2"), "{summary}");
    assert!(summary.contains("board off"), "{summary}");
}

#[test]
fn init_keeps_an_existing_file_writes_the_others_and_force_replaces_it() {
    let dir = tempfile::tempdir().unwrap();
    let form = dir.path().join(".github/ISSUE_TEMPLATE/incident.yml");
    std::fs::create_dir_all(form.parent().unwrap()).unwrap();
    std::fs::write(&form, "ours").unwrap();
    let outcome = init::init(dir.path(), false, init::Mode::Action).unwrap();
    assert_eq!(outcome.kept, [".github/ISSUE_TEMPLATE/incident.yml"]);
    assert!(
        dir.path().join(CONFIG_PATH).exists(),
        "the others are written"
    );
    assert_eq!(std::fs::read_to_string(&form).unwrap(), "ours");
    init::init(dir.path(), true, init::Mode::Action).unwrap();
    assert_eq!(std::fs::read_to_string(&form).unwrap(), init::ISSUE_FORM);
}

#[test]
fn check_fails_with_file_line_and_key() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("firebreak.yml");
    std::fs::write(&path, "escalation:\n  - notify: []\n").unwrap();
    let err = config::check(&path).unwrap_err();
    assert_eq!(err.line(), Some(2));
    assert_eq!(err.key_path(), Some("escalation[0].notify"));
    assert!(
        err.to_string()
            .ends_with(":2:13: escalation[0].notify: name at least one user or team to notify"),
        "{err}"
    );
}

/// The YAML examples of the configuration reference parse, and the errors it quotes are the
/// ones Firebreak gives.
#[test]
fn configuration_reference_examples_are_true() {
    let doc = repo_file("docs/configuration.md");
    let mut blocks = 0;
    let mut rest = doc.as_str();
    while let Some(start) = rest.find("```yaml\n") {
        let body = &rest[start + "```yaml\n".len()..];
        let end = body.find("```").expect("closed code block");
        Config::from_yaml(&body[..end], CONFIG_PATH)
            .unwrap_or_else(|e| panic!("example {}: {e}\n{}", blocks + 1, &body[..end]));
        blocks += 1;
        rest = &body[end..];
    }
    assert!(blocks >= 2, "found {blocks} yaml examples");
    let full = doc
        .split("## A complete example")
        .nth(1)
        .and_then(|s| s.split("```yaml\n").nth(1))
        .and_then(|s| s.split("```").next())
        .unwrap();
    let c = Config::from_yaml(full, CONFIG_PATH).unwrap();
    assert_eq!(c.severities.len(), 4);
    assert_eq!(c.escalation.len(), 2);
    assert!(c.board.is_some());

    let quoted = [
        (
            "timezone: UTC\n\nseverites: []\n",
            "unknown key `severites` (did you mean `severities`?)",
        ),
        (
            "severities:\n  - name: SEV1\n    ack_timeout: 5m\n  - name: SEV2\n    ack_timeout: 5 mins\n",
            "severities[1].ack_timeout: invalid duration \"5 mins\"",
        ),
        (
            "timezone: UTC\nseverities: [\n",
            "invalid YAML: unclosed bracket '['",
        ),
    ];
    for (yaml, message) in quoted {
        let err = Config::from_yaml(yaml, CONFIG_PATH)
            .unwrap_err()
            .to_string();
        assert!(err.contains(message), "{err}");
        let line = doc
            .lines()
            .find(|l| l.contains(message))
            .unwrap_or_else(|| panic!("the reference does not quote {message:?}"));
        assert!(
            line.contains(&err),
            "the reference quotes {line:?}, Firebreak says {err:?}"
        );
    }
    let summary = format!("{CONFIG_PATH} is valid. {}", Config::default().summary());
    assert!(
        doc.contains(&summary),
        "the reference's summary is out of date:\n{summary}"
    );
}

#[derive(Deserialize)]
struct Action {
    inputs: std::collections::BTreeMap<String, Input>,
    outputs: std::collections::BTreeMap<String, Output>,
    runs: Runs,
}

#[derive(Deserialize)]
struct Input {
    default: Option<String>,
}

#[derive(Deserialize)]
struct Output {
    value: String,
}

#[derive(Deserialize)]
struct Runs {
    using: String,
    steps: Vec<Step>,
}

#[derive(Deserialize)]
struct Step {
    id: Option<String>,
    run: Option<String>,
    #[serde(default)]
    env: std::collections::BTreeMap<String, String>,
}

#[test]
fn action_passes_inputs_only_through_the_environment() {
    let action: Action = serde_saphyr::from_str(&repo_file("action.yml")).unwrap();
    assert_eq!(action.runs.using, "composite");
    assert_eq!(
        action.inputs["github-token"].default.as_deref(),
        Some("${{ github.token }}")
    );
    assert_eq!(
        action.inputs["config"].default.as_deref(),
        Some(CONFIG_PATH)
    );
    assert!(
        !action.inputs.contains_key("version"),
        "a tag of the action pins its version"
    );
    for name in ["incident-number", "severity", "status"] {
        assert_eq!(
            action.outputs[name].value,
            format!("${{{{ steps.run.outputs.{name} }}}}")
        );
    }
    for step in &action.runs.steps {
        let script = step.run.as_deref().unwrap_or("");
        assert!(!script.contains("${{"), "expression inside run: {script}");
    }
    let install = &action.runs.steps[0];
    assert_eq!(install.id.as_deref(), Some("install"));
    assert_eq!(
        install.run.as_deref(),
        Some("bash \"${GITHUB_ACTION_PATH}/scripts/action-install.sh\"")
    );
    for var in [
        "FIREBREAK_VERSION",
        "FIREBREAK_SHA256SUMS",
        "FIREBREAK_RELEASE_URL",
    ] {
        assert!(install.env.contains_key(var), "{var} not passed");
    }
    let run = action
        .runs
        .steps
        .iter()
        .find(|s| s.id.as_deref() == Some("run"))
        .expect("a step with id run");
    assert!(
        run.run
            .as_deref()
            .unwrap()
            .contains("\"${FIREBREAK_BIN}\" \"${command[@]}\"")
    );
    for var in [
        "GITHUB_TOKEN",
        "FIREBREAK_TOKEN",
        "FIREBREAK_CONFIG",
        "FIREBREAK_BIN",
        "FIREBREAK_BOARD_TOKEN",
    ] {
        assert!(run.env.contains_key(var), "{var} not passed");
    }
}
