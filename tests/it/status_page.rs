//! `firebreak status-page`: an incident driven through real commands, full of private text,
//! becomes a site that shows its public updates in order and none of the private text in any
//! file; the page is read as a person would, in headless Chromium.

use std::path::{Path, PathBuf};

use chrono::Utc;
use firebreak::config::PrivatePattern;
use firebreak::status_page::File;
use firebreak::status_page_cmd;

use crate::support;

/// Text that must never reach the public site, whatever the comment or field it came from.
const PRIVATE: &[&str] = &[
    // The reporter's text in the issue body.
    "db-7.internal.acme.net",
    "ops@acme.com",
    // The impact statement.
    "ACME-BANK",
    "acme.atlassian.net",
    "OPS-123",
    // A stakeholder update that is not public.
    "rolled back the deploy",
    "dave@acme.com",
    // A comment.
    "I think",
    "grafana",
    // An action item.
    "Rotate credentials",
    // People.
    "@bob",
    "bob",
    "carol",
    "alice",
    "mallory",
];

/// An incident with everything private a team writes, and two public updates (the second one
/// mentioning people, an e-mail address and an internal host, which must be redacted).
async fn private_incident(repo: &mut support::Repo) -> u64 {
    repo.config.postmortem.public.private_patterns = vec![
        PrivatePattern::new(r"\b[a-z0-9-]+\.internal\.acme\.net\b").unwrap(),
        PrivatePattern::new(r"https://acme\.atlassian\.net/browse/\S+").unwrap(),
    ];
    let n = repo.issue(
        "alice",
        "Checkout errors",
        "Primary db-7.internal.acme.net is down, page ops@acme.com",
    );
    repo.comment(n, "alice", "/incident sev1 Checkout errors")
        .await;
    repo.comment(n, "alice", "/ic @bob\n/comms @carol\n/responder @alice")
        .await;
    repo.comment(
        n,
        "bob",
        "/impact 40% of ACME-BANK payments fail, see https://acme.atlassian.net/browse/OPS-123",
    )
    .await;
    repo.comment(
        n,
        "carol",
        "/update Internal: rolled back the deploy, ask dave@acme.com",
    )
    .await;
    repo.comment(
        n,
        "bob",
        "I think @carol should look at https://grafana.internal.acme.net/d/x",
    )
    .await;
    repo.comment(
        n,
        "carol",
        "/update public We are investigating errors at checkout.",
    )
    .await;
    repo.comment(
        n,
        "bob",
        "/action Rotate credentials of the database @bob P1",
    )
    .await;
    repo.comment(n, "mallory", "/update public mallory was here")
        .await;
    repo.comment(
        n,
        "carol",
        "/status mitigated\n/update public A fix is in place and we are monitoring. Thanks @bob and alice (alice@acme.com), db-7.internal.acme.net is back.",
    )
    .await;
    n
}

/// A resolved incident of last week with two public updates and a public postmortem published
/// on the default branch (state seeded as Firebreak writes it).
fn past_incident_with_a_public_postmortem(repo: &support::Repo) -> u64 {
    use firebreak::incident::postmortem::{Postmortem, PullFacts};
    use firebreak::incident::{Incident, PublicUpdate, Status};
    let declared = Utc::now() - chrono::Duration::days(5);
    let mut inc = Incident::declare("Login delays", 3, "alice", declared, chrono_tz::UTC);
    let update = |minutes: i64, status, text: &str| PublicUpdate {
        key: format!("c{minutes}.1"),
        at: declared + chrono::Duration::minutes(minutes),
        status,
        text: text.into(),
    };
    inc.add_public_update(update(
        10,
        Status::Investigating,
        "Some sign-ins take up to a minute.",
    ));
    inc.set_status(Status::Resolved, declared + chrono::Duration::minutes(95));
    inc.add_public_update(update(95, Status::Resolved, "Sign-ins are fast again."));
    let path = "docs/postmortems/public/login-delays.md";
    inc.postmortem = Some(Postmortem {
        public_path: Some(path.into()),
        facts: Some(PullFacts {
            state: "closed".into(),
            merged: true,
            merged_at: Some(declared + chrono::Duration::days(2)),
            ..PullFacts::default()
        }),
        ..Postmortem::default()
    });
    repo.fake.put_file(
        &repo.name,
        "main",
        path,
        "# Login delays\n\n## Summary\n\nA cache node ran out of memory. <script>alert(1)</script> We are sorry.\n\n| Time | What happened |\n|---|---|\n| 10:00 | Sign-ins slowed |\n",
    );
    let body = firebreak::incident::section::compose("", "(section)", &inc, "");
    let n = repo
        .fake
        .create_issue(&repo.name, "alice", "Login delays", &body, &["incident"])
        .number;
    repo.fake.set_issue_state(&repo.name, n, "closed", "alice");
    n
}

async fn build_site(repo: &support::Repo) -> Vec<File> {
    let site = status_page_cmd::site(&repo.name, None, None).unwrap();
    status_page_cmd::fetch(&repo.client(), &repo.config, Utc::now(), &site)
        .await
        .unwrap()
}

fn file<'a>(files: &'a [File], path: &str) -> &'a str {
    &files
        .iter()
        .find(|f| f.path == path)
        .unwrap_or_else(|| panic!("no {path}"))
        .content
}

#[tokio::test]
async fn no_private_text_reaches_any_file_and_public_updates_appear_in_order() {
    let mut repo = support::repo("status-privacy");
    let n = private_incident(&mut repo).await;
    let body = repo.body(n);
    for secret in ["ACME-BANK", "rolled back the deploy", "Rotate credentials"] {
        assert!(body.contains(secret), "the incident holds {secret:?}");
    }

    let files = build_site(&repo).await;
    for f in &files {
        for secret in PRIVATE {
            assert!(
                !f.content.to_lowercase().contains(&secret.to_lowercase()),
                "{} contains private text {secret:?}:\n{}",
                f.path,
                f.content
            );
        }
    }

    let index = file(&files, "index.html");
    let first = index
        .find("We are investigating errors at checkout.")
        .expect("the first public update");
    let second = index
        .find("A fix is in place and we are monitoring.")
        .expect("the second public update");
    assert!(second < first, "newest first");
    assert!(index.contains("Checkout errors"), "the title names it");
    assert!(
        index.contains("[redacted]"),
        "mentions, names, e-mail and host redacted"
    );
    assert!(
        !index.contains("mallory was here"),
        "a refused command is not public"
    );

    let summary: serde_json::Value =
        serde_json::from_str(file(&files, "api/v2/summary.json")).unwrap();
    assert_eq!(summary["status"]["indicator"], "critical");
    let incident = &summary["incidents"][0];
    assert_eq!(incident["id"], n.to_string());
    assert_eq!(incident["status"], "monitoring");
    let bodies: Vec<&str> = incident["incident_updates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["body"].as_str().unwrap())
        .collect();
    assert_eq!(bodies.len(), 2, "{bodies:?}");
    assert!(bodies[0].starts_with("A fix is in place"));
    assert_eq!(bodies[1], "We are investigating errors at checkout.");

    let feed = file(&files, "feed.atom");
    let mut reader = quick_xml::Reader::from_str(feed);
    let mut entries = 0;
    loop {
        match reader.read_event() {
            Ok(quick_xml::events::Event::Start(e)) if e.name().as_ref() == b"entry" => entries += 1,
            Ok(quick_xml::events::Event::Eof) => break,
            Ok(_) => {}
            Err(e) => panic!("feed.atom is not well-formed XML: {e}\n{feed}"),
        }
    }
    assert_eq!(entries, 2, "one entry per public update");
}

#[tokio::test]
async fn an_incident_without_a_public_update_is_not_on_the_page() {
    let repo = support::repo("status-quiet");
    let n = repo.incident("Internal batch job late").await;
    repo.comment(n, "alice", "/update Only for us").await;
    let files = build_site(&repo).await;
    let index = file(&files, "index.html");
    assert!(!index.contains("Internal batch job late"));
    assert!(index.contains("All Systems Operational"));
    assert!(index.contains("No incidents right now."));
}

/// Chromium from Debian (`.ci/run` installs it), or `None` when absent outside CI.
fn chromium() -> Option<PathBuf> {
    for name in ["chromium", "chromium-browser"] {
        if let Ok(out) = std::process::Command::new("which").arg(name).output()
            && out.status.success()
        {
            return Some(PathBuf::from(String::from_utf8_lossy(&out.stdout).trim()));
        }
    }
    assert!(
        std::env::var_os("CI").is_none(),
        "CI must have Debian's chromium (.ci/run installs it)"
    );
    eprintln!("SKIPPED status_page::chromium check: install Debian's chromium to run it");
    None
}

/// Headless Chromium with what keeps it off the network.
fn headless(chromium: &Path, profile: &Path) -> std::process::Command {
    let mut cmd = std::process::Command::new(chromium);
    cmd.args([
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--allow-file-access-from-files",
    ])
    .arg(format!("--user-data-dir={}", profile.display()));
    cmd
}

/// What a person sees of `page` at `width` CSS pixels: the page's `innerText` (hidden text
/// left out), and whether it fits without scrolling sideways. A wrapper page (the test's own,
/// the site has no script) loads it in a frame and writes both into its DOM, which Chromium
/// dumps.
fn seen(chromium: &Path, dir: &Path, page: &str, width: u32) -> (String, bool) {
    let wrapper = dir.join(format!("seen-{width}.html"));
    std::fs::write(
        &wrapper,
        format!(
            r#"<!doctype html><html><body><iframe id="f" src="{page}" style="width:{width}px;height:800px;border:0"></iframe><pre id="out"></pre><script>
document.getElementById('f').addEventListener('load', function () {{
  var d = this.contentDocument;
  var fits = d.documentElement.scrollWidth <= {width};
  document.getElementById('out').textContent = 'FITS=' + fits + '\n' + d.body.innerText;
}});
</script></body></html>"#
        ),
    )
    .unwrap();
    let profile = tempfile::tempdir().unwrap();
    let out = headless(chromium, profile.path())
        .args(["--virtual-time-budget=5000", "--dump-dom"])
        .arg(format!("file://{}", wrapper.display()))
        .output()
        .expect("chromium runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dom = String::from_utf8_lossy(&out.stdout).to_string();
    let start = dom.find("<pre id=\"out\">").expect("the wrapper's output") + 14;
    let end = dom[start..].find("</pre>").unwrap() + start;
    let text = dom[start..end]
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"");
    let fits = text.starts_with("FITS=true");
    assert!(text.len() > 20, "Chromium showed the page: {dom}");
    (text, fits)
}

#[tokio::test]
async fn a_person_sees_the_status_and_public_updates_in_chromium_on_a_desktop_and_a_phone() {
    let Some(chromium) = chromium() else { return };
    let mut repo = support::repo("status-chromium");
    private_incident(&mut repo).await;
    past_incident_with_a_public_postmortem(&repo);
    let files = build_site(&repo).await;
    let postmortem = files
        .iter()
        .find(|f| f.path.starts_with("postmortems/") && f.path.ends_with("-login-delays.html"))
        .expect("the public postmortem's page");
    assert!(
        !postmortem.content.contains("<script>"),
        "raw HTML is shown, not run"
    );
    let feed = file(&files, "feed.atom");
    assert!(
        feed.contains("<title>Postmortem: Login delays</title>"),
        "{feed}"
    );
    let dir = tempfile::tempdir().unwrap();
    status_page_cmd::write(dir.path(), &files).unwrap();

    for width in [1024, 360] {
        let (text, fits) = seen(&chromium, dir.path(), "index.html", width);
        for visible in [
            "Service status",
            "Major Service Outage",
            "Current incidents",
            "Checkout errors",
            "SEV1 · critical impact",
            "Mitigated",
            "A fix is in place and we are monitoring.",
            "We are investigating errors at checkout.",
            "Past incidents (last 90 days)",
            "Login delays",
            "SEV3 · minor impact",
            "Sign-ins are fast again.",
            "Read the postmortem",
            "Atom feed",
        ] {
            assert!(
                text.contains(visible),
                "{width}px: {visible:?} not seen in:\n{text}"
            );
        }
        for secret in PRIVATE {
            assert!(!text.contains(secret), "{width}px: {secret:?} seen");
        }
        assert!(fits, "{width}px: the page scrolls sideways:\n{text}");
    }
    let (page, fits) = seen(&chromium, dir.path(), &postmortem.path, 360);
    for visible in [
        "Login delays",
        "A cache node ran out of memory.",
        "<script>alert(1)</script>",
        "Sign-ins slowed",
        "Back to the status page",
    ] {
        assert!(
            page.contains(visible),
            "{visible:?} not seen on the postmortem page:\n{page}"
        );
    }
    assert!(fits, "the postmortem page fits a phone:\n{page}");

    // `FIREBREAK_SCREENSHOT=docs/status-page.png` refreshes the README's picture.
    if let Some(path) = std::env::var_os("FIREBREAK_SCREENSHOT") {
        let profile = tempfile::tempdir().unwrap();
        let status = headless(&chromium, profile.path())
            .args(["--hide-scrollbars", "--window-size=900,1100"])
            .arg(format!("--screenshot={}", Path::new(&path).display()))
            .arg(format!(
                "file://{}",
                dir.path().join("index.html").display()
            ))
            .status()
            .unwrap();
        assert!(status.success());
    }
}

#[test]
fn init_status_page_writes_the_publishing_workflow_and_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let init = |extra: &[&str]| {
        std::process::Command::new(support::binary())
            .arg("init")
            .arg(dir.path())
            .arg("--status-page")
            .args(extra)
            .output()
            .unwrap()
    };
    let out = init(&[]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let path = dir.path().join(status_page_cmd::WORKFLOW_PATH);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(
        !dir.path().join(".github/firebreak.yml").exists(),
        "only the workflow"
    );

    let workflow: serde_json::Value = serde_saphyr::from_str(&text).expect("the workflow is YAML");
    let on = &workflow["on"];
    assert_eq!(on["schedule"][0]["cron"], "*/15 * * * *");
    assert!(on.get("workflow_dispatch").is_some());
    assert_eq!(on["issue_comment"]["types"], serde_json::json!(["created"]));
    for (permission, level) in [
        ("pages", "write"),
        ("id-token", "write"),
        ("issues", "write"),
    ] {
        assert_eq!(workflow["permissions"][permission], level, "{permission}");
    }
    let job = &workflow["jobs"]["publish"];
    assert!(job["if"].as_str().unwrap().contains("'/update public'"));
    let steps = job["steps"].as_array().unwrap();
    let uses: Vec<&str> = steps.iter().filter_map(|s| s["uses"].as_str()).collect();
    assert!(
        uses.contains(&"actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9")
    );
    assert!(uses.contains(&"actions/deploy-pages@cd2ce8fcbc39b97be8ca5fce6e763baed58fa128"));
    let build = steps
        .iter()
        .find(|s| s["with"]["command"] == "status-page")
        .expect("a step builds the site");
    assert_eq!(build["with"]["out"], "_site");
    assert!(
        steps.iter().any(|s| s["with"]["path"] == "_site"
            && s["uses"]
                == "actions/upload-pages-artifact@fc324d3547104276b827a68afc52ff2a11cc49c9"),
        "the site it builds is what it uploads"
    );

    assert!(
        String::from_utf8_lossy(&out.stdout).contains("Pages -> Build and deployment -> Source")
    );
    std::fs::write(&path, "# edited by hand\n").unwrap();
    let again = init(&[]);
    assert!(again.status.success());
    assert!(
        String::from_utf8_lossy(&again.stdout)
            .starts_with(&format!("kept  {}", status_page_cmd::WORKFLOW_PATH))
    );
    assert_eq!(
        std::fs::read_to_string(&path).unwrap(),
        "# edited by hand\n",
        "never clobbered"
    );
    assert!(init(&["--force"]).status.success());
    assert_eq!(std::fs::read_to_string(&path).unwrap(), text);
}

/// The Action's run step, executed by bash as the runner would, with this build's binary.
fn run_action_step(
    repo: &support::Repo,
    workspace: &Path,
    command: &str,
    out: &str,
) -> std::process::Output {
    let action =
        std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap();
    let action: serde_json::Value = serde_saphyr::from_str(&action).unwrap();
    let step = action["runs"]["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["id"] == "run")
        .expect("the run step");
    let env = step["env"].as_object().unwrap();
    for (var, input) in [
        ("FIREBREAK_COMMAND", "command"),
        ("FIREBREAK_OUT", "out"),
        ("FIREBREAK_CONFIG", "config"),
    ] {
        assert_eq!(env[var], format!("${{{{ inputs.{input} }}}}"), "{var}");
    }
    let config = action["inputs"]["config"]["default"].as_str().unwrap();
    std::process::Command::new("bash")
        .args(["--noprofile", "--norc", "-e", "-o", "pipefail", "-c"])
        .arg(step["run"].as_str().unwrap())
        .current_dir(workspace)
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("GITHUB_ACTIONS", "true")
        .env("GITHUB_WORKSPACE", workspace)
        .env("GITHUB_STEP_SUMMARY", workspace.join("summary.md"))
        .env("GITHUB_API_URL", &repo.api_url)
        .env("GITHUB_REPOSITORY", &repo.name)
        .env("FIREBREAK_BIN", support::binary())
        .env("FIREBREAK_TOKEN", support::TOKEN)
        .env("GITHUB_TOKEN", support::TOKEN)
        .env("FIREBREAK_CONFIG", config)
        .env("FIREBREAK_BOT_LOGIN", "")
        .env("FIREBREAK_COMMAND", command)
        .env("FIREBREAK_OUT", out)
        .output()
        .unwrap()
}

#[tokio::test]
async fn the_actions_command_input_runs_report_and_status_page_and_refuses_others() {
    use clap::CommandFactory as _;
    let mut repo = support::repo("status-action-input");
    private_incident(&mut repo).await;
    let action: serde_json::Value = serde_saphyr::from_str(
        &std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/action.yml")).unwrap(),
    )
    .unwrap();
    let cli = firebreak::cli::Cli::command();
    for command in ["action", "doctor", "report", "status-page"] {
        assert!(cli.find_subcommand(command).is_some(), "{command}");
        let described = action["inputs"]["command"]["description"].as_str().unwrap();
        assert!(described.contains(&format!("`{command}`")), "{command}");
    }
    assert_eq!(action["inputs"]["out"]["default"], "_site");

    let ws = tempfile::tempdir().unwrap();
    let site = run_action_step(&repo, ws.path(), "status-page", "public");
    assert!(
        site.status.success(),
        "{}",
        String::from_utf8_lossy(&site.stderr)
    );
    let index = std::fs::read_to_string(ws.path().join("public/index.html")).unwrap();
    assert!(index.contains("Partial System Outage") || index.contains("Major Service Outage"));
    assert!(ws.path().join("public/api/v2/summary.json").exists());

    let report = run_action_step(&repo, ws.path(), "report", "_site");
    assert!(
        report.status.success(),
        "{}",
        String::from_utf8_lossy(&report.stderr)
    );
    assert!(String::from_utf8_lossy(&report.stdout).starts_with("## Incident report"));
    let summary = std::fs::read_to_string(ws.path().join("summary.md")).unwrap();
    assert!(summary.starts_with("## Incident report"), "{summary}");

    let wrong = run_action_step(&repo, ws.path(), "sweep-everything", "_site");
    assert_eq!(wrong.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&wrong.stdout).contains(
        "::error::the command input must be action, doctor, report, status-page or board-sync"
    ));
}

#[tokio::test]
async fn status_page_title_and_url_come_from_flags_or_the_environment_and_a_bad_url_is_refused() {
    let mut repo = support::repo("status-site-name");
    private_incident(&mut repo).await;
    let dir = tempfile::tempdir().unwrap();
    let run = |args: &[&str], env: &[(&str, &str)]| {
        std::process::Command::new(support::binary())
            .arg("status-page")
            .args(args)
            .current_dir(dir.path())
            .env_clear()
            .env("GITHUB_API_URL", &repo.api_url)
            .env("GITHUB_REPOSITORY", &repo.name)
            .env("FIREBREAK_TOKEN", support::TOKEN)
            .envs(env.iter().copied())
            .output()
            .unwrap()
    };
    let read =
        |out: &str, file: &str| std::fs::read_to_string(dir.path().join(out).join(file)).unwrap();

    let defaults = run(&["--out", "a"], &[]);
    assert!(
        defaults.status.success(),
        "{}",
        String::from_utf8_lossy(&defaults.stderr)
    );
    let (owner, name) = repo.name.split_once('/').unwrap();
    let pages = format!("https://{}.github.io/{name}/", owner.to_ascii_lowercase());
    assert!(read("a", "index.html").contains("<title>Service status"));
    assert!(
        read("a", "feed.atom").contains(&pages),
        "the feed links the Pages address"
    );

    let from_env = run(
        &["--out", "b"],
        &[
            ("FIREBREAK_STATUS_PAGE_TITLE", "Acme status"),
            ("FIREBREAK_STATUS_PAGE_URL", "https://status.acme.example"),
        ],
    );
    assert!(
        from_env.status.success(),
        "{}",
        String::from_utf8_lossy(&from_env.stderr)
    );
    assert!(read("b", "index.html").contains("<title>Acme status"));
    assert!(read("b", "feed.atom").contains("https://status.acme.example/"));
    assert!(!read("b", "feed.atom").contains(&pages));

    let flags = run(
        &[
            "--out",
            "c",
            "--title",
            "Flag status",
            "--url",
            "http://flag.example/s/",
        ],
        &[("FIREBREAK_STATUS_PAGE_TITLE", "Acme status")],
    );
    assert!(flags.status.success());
    assert!(read("c", "index.html").contains("<title>Flag status"));
    assert!(read("c", "feed.atom").contains("http://flag.example/s/"));

    let bad = run(&["--out", "d", "--url", "status.acme.example"], &[]);
    assert_eq!(bad.status.code(), Some(2));
    assert!(
        String::from_utf8_lossy(&bad.stderr)
            .contains("--url: \"status.acme.example\" is not an absolute http(s) URL"),
        "{}",
        String::from_utf8_lossy(&bad.stderr)
    );
    assert!(!dir.path().join("d").exists(), "nothing written");
}

#[tokio::test]
async fn an_outsider_editing_their_issue_cannot_put_words_on_the_page_or_in_the_report() {
    use firebreak::incident::section::{Body, compose};
    let repo = support::repo("status-forged");
    let n = repo.issue("mallory", "Checkout down", "It fails for me.");
    repo.comment(n, "alice", "/incident sev1 Checkout down")
        .await;
    repo.comment(n, "carol", "/update public We are investigating.")
        .await;

    // mallory rewrites the state in the body of the issue she opened.
    let body = repo.body(n);
    let parsed = Body::parse(&body);
    let mut forged = parsed.incident().expect("the body shows the state").clone();
    forged.severity = 4;
    forged.add_public_update(firebreak::incident::PublicUpdate {
        key: "c1.1".into(),
        at: Utc::now(),
        status: firebreak::incident::Status::Resolved,
        text: "FORGED: everything is fine, visit evil.example".into(),
    });
    repo.fake.edit_issue_body(
        &repo.name,
        n,
        &compose(&parsed.before, "(section)", &forged, ""),
    );

    let files = build_site(&repo).await;
    let index = file(&files, "index.html");
    assert!(index.contains("We are investigating."), "{index}");
    for f in &files {
        assert!(
            !f.content.contains("FORGED"),
            "{} shows the forged update",
            f.path
        );
    }
    let report = status_page_cmd_report(&repo).await;
    assert_eq!(
        report.incidents.by_severity[0].total, 1,
        "the record's SEV1 counts"
    );
    assert_eq!(report.incidents.by_severity[3].total, 0);
}

async fn status_page_cmd_report(repo: &support::Repo) -> firebreak::report::Report {
    firebreak::report_cmd::fetch(
        &repo.client(),
        &repo.config,
        Utc::now(),
        chrono::Duration::days(30),
    )
    .await
    .unwrap()
}
