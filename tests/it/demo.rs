//! `firebreak demo` as a newcomer runs it: a whole SEV1 incident against the in-memory GitHub,
//! written out as the issues a user would see.

use crate::support;

#[test]
fn demo_plays_a_sev1_incident_and_writes_each_issue_as_markdown() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("demo");
    let run = std::process::Command::new(support::binary())
        .args(["demo", "--out"])
        .arg(&out)
        .env_remove("GITHUB_TOKEN")
        .output()
        .expect("the binary runs");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    let stdout = String::from_utf8_lossy(&run.stdout);
    assert!(stdout.contains("issue-1.md"), "{stdout}");
    // The board: the incident, its postmortem and both action items, with their fields.
    assert!(
        stdout.contains(
            "| #1 | \\[SEV1\\] Checkout returns 500 for EU customers | Incident | SEV1 | Resolved |"
        ),
        "{stdout}"
    );

    let incident = std::fs::read_to_string(out.join("issue-1.md")).unwrap();
    for expected in [
        "[SEV1] Checkout returns 500 for EU customers",
        "`incident`",
        "`sev:1`",
        "`status:resolved`",
        "Severity upgraded SEV2 → SEV1",
        "**Status** | resolved",
        "### Action items",
        "### Postmortem",
        "resolved",
    ] {
        assert!(incident.contains(expected), "{expected}\n{incident}");
    }
    // mallory's `/sev 4` was refused and changed nothing.
    assert!(incident.contains("@mallory"), "{incident}");
    let mut settings = insta::Settings::clone_current();
    settings.add_filter(r"http://127\.0\.0\.1:\d+", "[server]");
    settings.add_filter(r"issuecomment-\d+", "issuecomment-[id]");
    settings.add_filter(
        r"firebreak:action-item #\d+ c\d+\.\d+",
        "firebreak:action-item [key]",
    );
    settings.add_filter(
        r"firebreak:reply [a-z-]*c?\d+(\.\d+)?",
        "firebreak:reply [key]",
    );
    settings.add_filter(r"firebreak:state .*-->", "firebreak:state [state] -->");
    settings.bind(|| {
        insta::assert_snapshot!("demo_incident_issue", incident);
        for (file, name) in [
            ("issue-2.md", "demo_postmortem_pull_request"),
            ("issue-3.md", "demo_action_item_1"),
            ("issue-4.md", "demo_action_item_2"),
            ("postmortem-draft.md", "demo_postmortem_draft"),
            ("board.md", "demo_board"),
        ] {
            let text = std::fs::read_to_string(out.join(file)).unwrap();
            insta::assert_snapshot!(name, text);
        }
    });
}
