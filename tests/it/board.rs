//! The board (Projects v2, `board:`): `firebreak board sync` reconciles the whole board on the
//! in-memory GitHub — cards added, fields set and repaired, fields created, what it cannot do
//! named — with the board's own token; and what it costs.

use fake_github::UserKind;
use firebreak::config::{BoardConfig, Config};
use firebreak::github::GitHub;
use firebreak::run::Mode;
use firebreak::run::board::{self, Synced};

use crate::support::{self, Repo};

/// The project's number (each test has a GitHub of its own, so that the GraphQL requests
/// counted are its own).
const NUMBER: u64 = 3;

/// A repository with a board (project `number` of `acme`, shared with alice, whose token
/// `board-<number>` is the board's token), and its config.
pub(crate) struct Setup {
    pub repo: Repo,
    pub number: u64,
    pub token: String,
}

pub(crate) fn setup(test: &str) -> Setup {
    let mut repo = support::isolated(&[test], chrono::Utc::now()).remove(0);
    let number = NUMBER;
    repo.fake.add_user("acme", UserKind::Organization);
    repo.fake.add_project("acme", number, "Incidents");
    repo.fake.share_project("acme", number, "alice");
    let token = format!("board-{number}");
    repo.fake.set_token(&token, "alice");
    repo.config = Config {
        board: Some(BoardConfig {
            owner: "acme".into(),
            number,
            fields: Default::default(),
        }),
        ..Config::default()
    };
    Setup {
        repo,
        number,
        token,
    }
}

impl Setup {
    fn client(&self, token: &str) -> GitHub {
        GitHub::with_token(&self.repo.api_url, token, &self.repo.name)
            .unwrap()
            .with_graphql_url(&self.repo.fake.graphql_url())
            .unwrap()
            .with_retry(firebreak::github::RetryPolicy {
                attempts: 3,
                base: std::time::Duration::from_millis(5),
            })
    }

    async fn sync_as(&self, token: &str, mode: Mode) -> anyhow::Result<Synced> {
        let client = self.client(token);
        board::sync(&self.repo.client(), Some(&client), &self.repo.config, mode).await
    }

    pub async fn sync(&self) -> Synced {
        self.sync_as(&self.token, Mode::Apply).await.unwrap()
    }

    /// Status and the five fields Firebreak keeps, with the options it needs.
    pub fn add_fields(&self) {
        let f = &self.repo.fake;
        f.add_project_field(
            "acme",
            self.number,
            "Kind",
            "SINGLE_SELECT",
            &["Incident", "Postmortem", "Action item"],
        );
        f.add_project_field(
            "acme",
            self.number,
            "Severity",
            "SINGLE_SELECT",
            &["SEV1", "SEV2", "SEV3", "SEV4"],
        );
        f.add_project_field(
            "acme",
            self.number,
            "Priority",
            "SINGLE_SELECT",
            &["P0", "P1", "P2", "P3"],
        );
        f.add_project_field("acme", self.number, "Due", "DATE", &[]);
    }

    /// Items of this repository: number → field values.
    pub fn cards(&self) -> Vec<(u64, Vec<(String, String)>)> {
        self.repo
            .fake
            .project_items("acme", self.number)
            .into_iter()
            .filter(|i| i.repo == self.repo.name)
            .map(|i| (i.number, i.values.into_iter().collect()))
            .collect()
    }

    /// Forget the requests made so far.
    pub fn clear(&self) {
        self.repo.fake.clear_requests();
    }

    /// The GraphQL requests' bodies since [`Setup::clear`].
    pub fn graphql_requests(&self) -> Vec<serde_json::Value> {
        self.repo
            .fake
            .requests()
            .into_iter()
            .filter(|r| r.path.ends_with("/graphql"))
            .map(|r| r.body)
            .collect()
    }
}

pub(crate) fn values(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    pairs
        .iter()
        .map(|(k, v)| (k.to_string(), v.to_string()))
        .collect()
}

#[tokio::test]
async fn board_sync_creates_missing_fields_and_adds_every_incident_with_its_values() {
    let s = setup("board-first-sync");
    let n = s.repo.incident("Checkout down").await;
    s.repo.comment(n, "bob", "/sev 1").await;
    // A new project's Status lacks Firebreak's statuses: name a field of Firebreak's own.
    let mut s = s;
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    let synced = s.sync().await;
    let applied = synced.applied.unwrap();
    assert_eq!((applied.fields, applied.added), (3, 1), "{}", synced.text);
    assert_eq!(
        s.cards(),
        vec![(
            n,
            values(&[
                ("Incident status", "Investigating"),
                ("Kind", "Incident"),
                ("Severity", "SEV1"),
            ])
        )]
    );
    support::stable().bind(|| insta::assert_snapshot!(synced.text));
    // Nothing left to do: a second sync writes nothing.
    let again = s.sync().await;
    assert!(again.plan.is_empty(), "{}", again.text);
    assert!(again.text.contains("nothing to write"), "{}", again.text);
}

#[tokio::test]
async fn postmortems_and_action_items_get_their_kind_priority_and_due_date() {
    let mut s = setup("board-items");
    s.add_fields();
    s.repo.fake.add_project_field(
        "acme",
        s.number,
        "Incident status",
        "SINGLE_SELECT",
        &["Investigating", "Mitigated", "Resolved", "Todo", "Done"],
    );
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    let n = s.repo.incident("Search slow").await;
    s.repo
        .comment(
            n,
            "bob",
            "/action Add a search latency alert P1 detect due:2031-05-06",
        )
        .await;
    s.repo
        .comment(n, "bob", "/status mitigated reindexed")
        .await;
    let pull = support::postmortem_pull(&s.repo, n);
    let synced = s.sync().await;
    let pm = s.cards().into_iter().find(|(num, _)| *num == pull).unwrap();
    assert!(
        !pm.1.iter().any(|(k, _)| k == "Due"),
        "no due date before resolution: {pm:?}"
    );
    assert!(synced.plan.problems.is_empty(), "{}", synced.text);
    s.repo.comment(n, "bob", "/status resolved").await;
    let synced = s.sync().await;
    assert!(synced.plan.problems.is_empty(), "{}", synced.text);
    let cards = s.cards();
    assert_eq!(cards.len(), 3, "{cards:?}");
    let item = cards
        .iter()
        .find(|(num, _)| *num != n && *num != pull)
        .unwrap();
    assert_eq!(
        item.1,
        values(&[
            ("Due", "2031-05-06"),
            ("Incident status", "Todo"),
            ("Kind", "Action item"),
            ("Priority", "P1")
        ])
    );
    let pm = cards.iter().find(|(num, _)| *num == pull).unwrap();
    assert!(
        pm.1.contains(&("Kind".into(), "Postmortem".into())),
        "{pm:?}"
    );
    assert!(pm.1.contains(&("Severity".into(), "SEV2".into())), "{pm:?}");
    assert!(
        pm.1.iter().any(|(k, v)| k == "Due" && v.len() == 10),
        "{pm:?}"
    );
    let incident = cards.iter().find(|(num, _)| *num == n).unwrap();
    assert!(
        incident
            .1
            .contains(&("Incident status".into(), "Resolved".into()))
    );
}

#[tokio::test]
async fn a_value_edited_by_hand_is_set_back_and_a_deleted_card_is_added_back() {
    let mut s = setup("board-drift");
    s.add_fields();
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    let n = s.repo.incident("Login errors").await;
    s.sync().await;
    s.repo
        .fake
        .set_project_value("acme", s.number, &s.repo.name, n, "Severity", Some("SEV4"));
    s.repo
        .fake
        .set_project_value("acme", s.number, &s.repo.name, n, "Kind", None);
    s.clear();
    let synced = s.sync().await;
    assert_eq!(synced.applied.unwrap().values, 2, "{}", synced.text);
    let mutations: Vec<_> = s
        .graphql_requests()
        .into_iter()
        .filter(|b| b["query"].as_str().unwrap().starts_with("mutation"))
        .collect();
    assert_eq!(
        mutations.len(),
        1,
        "both values in one request: {mutations:?}"
    );
    assert!(s.cards()[0].1.contains(&("Severity".into(), "SEV2".into())));

    s.repo
        .fake
        .remove_project_item("acme", s.number, &s.repo.name, n);
    let synced = s.sync().await;
    assert_eq!(synced.applied.unwrap().added, 1);
    assert_eq!(s.cards().len(), 1);
    assert!(s.cards()[0].1.contains(&("Kind".into(), "Incident".into())));
}

#[tokio::test]
async fn a_board_of_2000_items_without_drift_costs_20_reads_and_no_mutation() {
    let mut s = setup("board-cost");
    s.add_fields();
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    let a = s.repo.incident("Queue backlog").await;
    let b = s.repo.incident("Disk full").await;
    s.sync().await;
    // The rest of the board: other work of the same repository.
    let others: Vec<u64> = (0..1998)
        .map(|i| s.repo.issue("carol", &format!("Task {i}"), ""))
        .collect();
    s.repo
        .fake
        .add_project_items("acme", s.number, &s.repo.name, &others);
    assert_eq!(s.repo.fake.project_items("acme", s.number).len(), 2000);
    s.clear();
    let synced = s.sync().await;
    assert!(synced.plan.is_empty(), "{}", synced.text);
    assert_eq!(synced.board.items.len(), 2000);
    let graphql = s.graphql_requests();
    assert_eq!(graphql.len(), 20, "ceil(2000/100) reads");
    assert!(
        graphql
            .iter()
            .all(|b| b["query"].as_str().unwrap().starts_with("query BoardPage")),
        "no mutation"
    );
    let _ = (a, b);
}

#[tokio::test]
async fn the_workflow_token_is_refused_and_the_message_names_the_board_token() {
    let s = setup("board-forbidden");
    s.repo.incident("Outage").await;
    // A token the fake does not know acts as github-actions[bot], as GITHUB_TOKEN does.
    let err = s.sync_as("actions-token", Mode::Apply).await.unwrap_err();
    support::stable().bind(|| insta::assert_snapshot!(err.to_string()));
    let err = board::sync(&s.repo.client(), None, &s.repo.config, Mode::Apply)
        .await
        .unwrap_err();
    assert!(
        err.is::<firebreak::UsageError>(),
        "no token is a configuration error"
    );
    support::stable().bind(|| insta::assert_snapshot!("no_token", err.to_string()));
}

#[tokio::test]
async fn a_classic_token_without_the_project_scope_and_a_missing_board_are_named() {
    let mut s = setup("board-scopes");
    s.repo.fake.set_token_scopes(&s.token, &["repo"]);
    let err = s.sync_as(&s.token.clone(), Mode::Apply).await.unwrap_err();
    assert!(err.to_string().contains("INSUFFICIENT_SCOPES"), "{err}");
    assert!(
        err.to_string().contains("needs the `project` scope"),
        "{err}"
    );

    s.repo.fake.set_token_scopes(&s.token, &["repo", "project"]);
    s.repo.config.board.as_mut().unwrap().number = 9999;
    let err = s.sync_as(&s.token.clone(), Mode::Apply).await.unwrap_err();
    support::stable().bind(|| insta::assert_snapshot!(err.to_string()));
}

#[tokio::test]
async fn a_field_of_the_wrong_type_and_a_missing_option_are_named_and_the_rest_is_written() {
    let s = setup("board-bad-fields");
    let f = &s.repo.fake;
    f.add_project_field("acme", s.number, "Severity", "TEXT", &[]);
    f.add_project_field("acme", s.number, "Kind", "SINGLE_SELECT", &["Incident"]);
    let n = s.repo.incident("Payments slow").await;
    let synced = s.sync().await;
    // Severity is text; Status (the project's own) has no "Investigating".
    assert_eq!(synced.plan.problems.len(), 2, "{}", synced.text);
    support::stable().bind(|| insta::assert_snapshot!(synced.text));
    assert_eq!(s.cards(), vec![(n, values(&[("Kind", "Incident")]))]);
    // Once the option is there, the next sync writes it.
    s.repo
        .fake
        .remove_project_option("acme", s.number, "Kind", "Incident");
    let synced = s.sync().await;
    assert!(
        synced.text.contains("has no option \"Incident\""),
        "a deleted option is named: {}",
        synced.text
    );
}

#[tokio::test]
async fn a_502_on_the_values_is_retried_and_an_add_is_never_repeated() {
    let mut s = setup("board-502");
    s.add_fields();
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    let n = s.repo.incident("DNS").await;
    s.repo
        .fake
        .fail_next_mutation("updateProjectV2ItemFieldValue", 502, false);
    let synced = s.sync().await;
    assert_eq!(synced.applied.unwrap().values, 3);
    assert_eq!(
        s.cards()[0].1.len(),
        3,
        "the values were written on the retry"
    );

    let m = s.repo.incident("CDN").await;
    // The add is performed, then GitHub answers 502: the sync fails and does not add again.
    s.repo
        .fake
        .fail_next_mutation("addProjectV2ItemById", 502, true);
    s.clear();
    let err = s.sync_as(&s.token.clone(), Mode::Apply).await.unwrap_err();
    assert!(
        format!("{err:#}").contains(&format!("adding #{m}")),
        "{err:#}"
    );
    let adds = s
        .graphql_requests()
        .iter()
        .filter(|b| {
            b["query"]
                .as_str()
                .unwrap()
                .contains("addProjectV2ItemById")
        })
        .count();
    assert_eq!(adds, 1, "an add is sent once");
    // The next sync finds the item on the board and only sets its values.
    let synced = s.sync().await;
    assert_eq!(synced.applied.unwrap().added, 0);
    assert_eq!(s.cards().len(), 2);
    assert!(s.cards().iter().all(|(_, v)| v.len() == 3));
    let _ = n;
}

#[tokio::test]
async fn a_dry_run_says_what_it_would_write_and_writes_nothing() {
    let mut s = setup("board-dry");
    s.add_fields();
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    s.repo.incident("Cache stampede").await;
    let synced = s.sync_as(&s.token.clone(), Mode::DryRun).await.unwrap();
    assert!(synced.applied.is_none());
    assert!(s.cards().is_empty());
    support::stable().bind(|| insta::assert_snapshot!(synced.text));
}

#[test]
fn the_cli_without_a_board_token_exits_2_and_names_what_is_missing() {
    let s = setup("board-cli");
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("firebreak.yml");
    std::fs::write(
        &config,
        format!("board: {{ owner: acme, number: {} }}\n", s.number),
    )
    .unwrap();
    let out = std::process::Command::new(support::binary())
        .args(["board", "sync", "--repo", &s.repo.name, "--config"])
        .arg(&config)
        .env("GITHUB_API_URL", &s.repo.api_url)
        .env("GITHUB_GRAPHQL_URL", s.repo.fake.graphql_url())
        .env("GITHUB_TOKEN", support::TOKEN)
        .env_remove("FIREBREAK_BOARD_TOKEN")
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("FIREBREAK_BOARD_TOKEN"), "{stderr}");

    let out = std::process::Command::new(support::binary())
        .args(["board", "sync", "--repo", &s.repo.name, "--config"])
        .arg(&config)
        .env("GITHUB_API_URL", &s.repo.api_url)
        .env("GITHUB_GRAPHQL_URL", s.repo.fake.graphql_url())
        .env("GITHUB_TOKEN", support::TOKEN)
        .env("FIREBREAK_BOARD_TOKEN", &s.token)
        .env_remove("GITHUB_ACTIONS")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains("Board \"Incidents\""), "{stdout}");
}

#[tokio::test]
async fn the_actions_board_sync_command_uses_the_board_token_input() {
    let s = setup("board-action");
    let n = s.repo.incident("Webhooks late").await;
    let action: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap(),
    )
    .unwrap();
    let described = action["inputs"]["command"]["description"].as_str().unwrap();
    assert!(described.contains("`board-sync`"), "{described}");
    let step = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "run")
        .expect("the run step");
    assert_eq!(
        step["env"]["FIREBREAK_BOARD_TOKEN"],
        "${{ inputs.board-token }}"
    );
    let ws = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(ws.path().join(".github")).unwrap();
    std::fs::write(
        ws.path().join(".github/firebreak.yml"),
        format!(
            "board: {{ owner: acme, number: {}, fields: {{ status: Incident status }} }}\n",
            s.number
        ),
    )
    .unwrap();
    let out = std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"])
        .arg(step["run"].as_str().unwrap())
        .current_dir(ws.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", ws.path())
        .env("GITHUB_API_URL", &s.repo.api_url)
        .env("GITHUB_GRAPHQL_URL", s.repo.fake.graphql_url())
        .env("GITHUB_REPOSITORY", &s.repo.name)
        .env("FIREBREAK_BIN", support::binary())
        .env("FIREBREAK_TOKEN", support::TOKEN)
        .env("GITHUB_TOKEN", support::TOKEN)
        .env("FIREBREAK_CONFIG", ".github/firebreak.yml")
        .env("FIREBREAK_BOT_LOGIN", "")
        .env("FIREBREAK_COMMAND", "board-sync")
        .env("FIREBREAK_OUT", "_site")
        .env("FIREBREAK_BOARD_TOKEN", &s.token)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(s.cards().len(), 1);
    assert_eq!(s.cards()[0].0, n);
}

/// `firebreak <args>` against the test's GitHub, with a config naming the board.
fn firebreak(s: &Setup, args: &[&str], board_token: Option<&str>) -> std::process::Output {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("firebreak.yml");
    std::fs::write(
        &config,
        format!(
            "board: {{ owner: acme, number: {}, fields: {{ status: Incident status }} }}\n",
            s.number
        ),
    )
    .unwrap();
    let mut command = std::process::Command::new(support::binary());
    command
        .args(args)
        .args(["--repo", &s.repo.name, "--config"])
        .arg(&config)
        .current_dir(dir.path())
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_API_URL", &s.repo.api_url)
        .env("GITHUB_GRAPHQL_URL", s.repo.fake.graphql_url())
        .env("GITHUB_TOKEN", support::TOKEN)
        .env("FIREBREAK_BOT_LOGIN", support::BOT);
    if let Some(token) = board_token {
        command.env("FIREBREAK_BOARD_TOKEN", token);
    }
    command.output().unwrap()
}

#[tokio::test]
async fn the_sweep_sets_hand_edits_back_but_does_not_add_back_a_deleted_card() {
    let mut s = setup("board-sweep");
    s.add_fields();
    s.repo.config.board.as_mut().unwrap().fields.status = "Incident status".into();
    let a = s.repo.incident("Queue stuck").await;
    let b = s.repo.incident("Mail delayed").await;
    s.sync().await;
    let name = s.repo.name.clone();
    s.repo
        .fake
        .set_project_value("acme", s.number, &name, a, "Severity", Some("SEV4"));
    s.repo.fake.remove_project_item("acme", s.number, &name, b);

    let out = firebreak(&s, &["sweep"], Some(&s.token));
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(stdout.contains(&format!("#{a} Severity: SEV2")), "{stdout}");
    let cards = s.cards();
    assert_eq!(
        cards.len(),
        1,
        "a card deleted by hand stays deleted: {cards:?}"
    );
    assert!(cards[0].1.contains(&("Severity".into(), "SEV2".into())));

    // Without a board token: one warning saying what is missing, and the sweep goes on.
    let out = firebreak(&s, &["sweep"], None);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "{stdout}");
    let warnings: Vec<&str> = stdout
        .lines()
        .filter(|l| l.starts_with("::warning::"))
        .collect();
    assert_eq!(warnings.len(), 1, "{stdout}");
    assert!(warnings[0].contains("FIREBREAK_BOARD_TOKEN"), "{stdout}");
    assert!(stdout.contains("swept 2 open incident(s)"), "{stdout}");
}
